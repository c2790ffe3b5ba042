package main

import (
	"crypto/rand"
	"encoding/binary"
	"os"
	"strconv"
	"sync"
	"sync/atomic"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// Handles are what C holds in place of Go pointers. A handle is a 64-bit value
//
//	bits 63..32  generation: a process-wide counter, seeded at random, never 0
//	bits 31..24  kind (kindDB, kindDir)
//	bits 23..0   index into the table
//
// passed to C as an opaque pointer that the library never dereferences. A
// lookup checks that the slot at the index holds an entry with exactly this
// handle, so a closed handle (its slot emptied or reused under another
// generation), a handle of the other kind and a forged value all fail with
// FSMETA_EBADHANDLE. Lookups take no lock: two atomic loads.

type kind uint8

const (
	kindDB  kind = 1
	kindDir kind = 2
)

const (
	indexBits = 24
	pageBits  = 12
	pageSize  = 1 << pageBits
	numPages  = 1 << (indexBits - pageBits)
	// maxHandles is the table's capacity: 16M live handles.
	maxHandles = 1<<indexBits - 1
)

// entry is immutable once published.
type entry struct {
	h   uint64
	db  *fsmeta.DB
	dir *dirStream
}

type page [pageSize]atomic.Pointer[entry]

type table struct {
	pages [numPages]atomic.Pointer[page]
	live  atomic.Int64
	gen   atomic.Uint32

	mu    sync.Mutex // guards free, next and page creation
	free  []uint32
	next  uint32
	limit uint32
}

// handles is the process's one table. FSMETA_MAX_HANDLES (read once, at load)
// lowers its capacity: tests use it to reach EMFILE.
var handles = newTable(limitFromEnv())

func limitFromEnv() uint32 {
	if v, err := strconv.ParseUint(os.Getenv("FSMETA_MAX_HANDLES"), 10, 32); err == nil && v > 0 && v < maxHandles {
		return uint32(v)
	}
	return maxHandles
}

func newTable(limit uint32) *table {
	t := &table{limit: limit}
	var seed [4]byte
	_, _ = rand.Read(seed[:])
	t.gen.Store(binary.LittleEndian.Uint32(seed[:]))
	return t
}

func (t *table) nextGen() uint64 {
	for {
		if g := t.gen.Add(1); g != 0 {
			return uint64(g)
		}
	}
}

// add publishes e under a new handle of kind k; false when the table is full.
func (t *table) add(k kind, e *entry) (uint64, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var idx uint32
	if n := len(t.free); n > 0 {
		idx = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		if t.next >= t.limit {
			return 0, false
		}
		idx = t.next
		t.next++
		if t.pages[idx>>pageBits].Load() == nil {
			t.pages[idx>>pageBits].Store(new(page))
		}
	}
	e.h = t.nextGen()<<32 | uint64(k)<<indexBits | uint64(idx)
	t.pages[idx>>pageBits].Load()[idx&(pageSize-1)].Store(e)
	t.live.Add(1)
	return e.h, true
}

func (t *table) slot(h uint64) *atomic.Pointer[entry] {
	idx := uint32(h) & (1<<indexBits - 1)
	p := t.pages[idx>>pageBits].Load()
	if p == nil {
		return nil
	}
	return &p[idx&(pageSize-1)]
}

// get returns the entry of handle h of kind k, or nil.
func (t *table) get(h uint64, k kind) *entry {
	if kind(h>>indexBits) != k {
		return nil
	}
	s := t.slot(h)
	if s == nil {
		return nil
	}
	if e := s.Load(); e != nil && e.h == h {
		return e
	}
	return nil
}

// remove takes handle h of kind k out of the table and returns its entry, or
// nil when h is not live (of two concurrent removes, one wins).
func (t *table) remove(h uint64, k kind) *entry {
	e := t.get(h, k)
	if e == nil || !t.slot(h).CompareAndSwap(e, nil) {
		return nil
	}
	t.mu.Lock()
	t.free = append(t.free, uint32(h)&(1<<indexBits-1))
	t.mu.Unlock()
	t.live.Add(-1)
	return e
}

// count is the number of live handles.
func (t *table) count() uint64 { return uint64(t.live.Load()) }
