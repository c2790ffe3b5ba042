package arena

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Frozen views: copy-on-write of slabs.
//
// A snapshot must see the arena as it was at one instant while changes go
// on. BeginView marks that instant (the caller holds off writers while it
// runs) and returns a view: a second range of the same size filled with
// the contents the first had at that instant, in units of 64 KiB. From
// then until the view is complete, a Ptr to an object first copies the
// units the object lies in (writers reach all arena memory through Ptr, at
// an object's start; the slab's size class, or the large run, gives the
// object's extent), and Fill copies every unit no Ptr has reached yet, in
// order, alongside the writers. A change therefore waits at most for the
// copies of the units it touches first (64 KiB: ~10-20 µs each), never for
// the whole arena. Units rather than whole slabs: a change touches a few
// random places (inode table, directory, buckets, chain), and copying a
// 1 MiB slab for each made the first changes after a snapshot of 10M files
// wait 250 ms. Once filled, the view is an ordinary read-only arena: refs
// resolve as in the original.
//
// The cost is memory: a view holds a copy of every slab in use, released
// by Close. Slabs free at the instant are not copied (nothing refers to
// them).
type cowState struct {
	view    *Arena
	n       int32         // units [0, n) are covered
	done    []atomic.Bool // unit copied (or in a slab free at the instant)
	mu      [64]sync.Mutex
	touched atomic.Int64 // units copied by Ptr, not by Fill
}

const (
	unitShift    = 14 // copy-on-write unit: 16 KiB
	unitSize     = 1 << unitShift
	unitsPerSlab = SlabSize / unitSize
)

// View is a frozen copy of an arena under construction (BeginView).
type View struct {
	a, src *Arena
	c      *cowState
	filled bool
	closed bool
}

// BeginView starts a frozen view of the arena's current contents. No
// change may run concurrently with BeginView itself.
func (a *Arena) BeginView() (*View, error) {
	if a.mem == nil {
		return nil, errors.New("arena: closed")
	}
	if a.cow.Load() != nil {
		return nil, errors.New("arena: a view is already being filled")
	}
	slabs := int32(a.top)
	size := (uint64(slabs)<<slabShift + growStep - 1) / growStep * growStep
	mem, err := reserve(size)
	if err != nil {
		return nil, fmt.Errorf("arena: reserving %d bytes for a frozen view: %w", size, err)
	}
	if err := mem.commitPlain(0, size); err != nil {
		mem.release()
		return nil, fmt.Errorf("arena: committing %d bytes for a frozen view: %w", size, err)
	}
	va := &Arena{mem: mem, base: mem.base(), limit: size, committed: size, top: uint32(slabs)}
	n := slabs * unitsPerSlab
	c := &cowState{view: va, n: n, done: make([]atomic.Bool, n)}
	for s := int32(0); s < slabs; s++ {
		if s == 0 || a.slabs[s].class == slabFree { // slab 0 is never used (Ref 0 is nil)
			for u := s * unitsPerSlab; u < (s+1)*unitsPerSlab; u++ {
				c.done[u].Store(true)
			}
		}
	}
	a.cow.Store(c)
	a.cowOn = true
	return &View{a: va, src: a, c: c}, nil
}

// preserve copies the units of the object at r (the whole run of a large
// object) into the view being filled, unless that is done.
//
//go:noinline
func (a *Arena) preserve(r Ref) {
	c := a.cow.Load()
	if c == nil {
		return
	}
	off := uint64(r) << refShift
	u := int32(off >> unitShift)
	if u >= c.n {
		return
	}
	s := int32(r >> slabRefs)
	var end uint64
	switch m := &a.slabs[s]; {
	case m.class >= 0:
		end = off + uint64(a.classes[m.class].size)
	case m.class == slabLargeHead:
		end = off + uint64(m.live)<<slabShift
	default:
		end = off + 1
	}
	for ; u < c.n && uint64(u)<<unitShift < end; u++ {
		if a.preserveUnit(c, u) {
			c.touched.Add(1)
		}
	}
}

// preserveSlab copies the units of slab s.
func (a *Arena) preserveSlab(c *cowState, s int32) {
	for u := s * unitsPerSlab; u < (s+1)*unitsPerSlab; u++ {
		a.preserveUnit(c, u)
	}
}

// preserveUnit copies unit u into the view unless done; it reports whether
// it copied.
func (a *Arena) preserveUnit(c *cowState, u int32) bool {
	if u >= c.n || c.done[u].Load() {
		return false
	}
	m := &c.mu[u%int32(len(c.mu))]
	m.Lock()
	defer m.Unlock()
	if c.done[u].Load() {
		return false
	}
	off := uintptr(u) << unitShift
	copy(unsafe.Slice((*byte)(unsafe.Add(c.view.base, off)), unitSize), unsafe.Slice((*byte)(unsafe.Add(a.base, off)), unitSize))
	c.done[u].Store(true)
	return true
}

// Fill copies every unit not yet preserved, then stops the copy-on-write:
// the view is complete. It runs alongside changes and reads; progress, if
// not nil, is called with the slabs done so far and the total.
func (v *View) Fill(progress func(done, total int)) error {
	if v.filled {
		return nil
	}
	if v.closed {
		return errors.New("arena: view is closed")
	}
	a, c := v.src, v.c
	const step = 1024 // units (16 MiB) per hold of the arena's life lock
	for s := int32(0); s < c.n; s += step {
		a.life.Lock()
		if a.mem == nil {
			a.life.Unlock()
			return errors.New("arena: closed while a frozen view was being filled")
		}
		for u := s; u < min(s+step, c.n); u++ {
			a.preserveUnit(c, u)
		}
		a.life.Unlock()
		if progress != nil {
			progress(int(min(s+step, c.n)), int(c.n))
		}
	}
	a.cow.CompareAndSwap(c, nil)
	v.filled = true
	return nil
}

// ClearView drops the last trace of a finished (filled or closed) view
// from Ptr's fast path. Like BeginView, it must not run concurrently with
// any other use of the arena. Until it is called, Ptr pays a function call.
func (a *Arena) ClearView() {
	if a.cow.Load() == nil {
		a.cowOn = false
	}
}

// Arena returns the view's arena: read-only, valid after Fill until Close.
func (v *View) Arena() *Arena { return v.a }

// Touched reports how many 64 KiB units were copied by changes (rather than by
// Fill): a measure of how much the copy-on-write cost writers.
func (v *View) Touched() int64 { return v.c.touched.Load() }

// Bytes reports the memory the view holds.
func (v *View) Bytes() uint64 { return uint64(v.c.n) << unitShift }

// Close stops the copy-on-write if Fill did not finish and releases the
// view's memory.
func (v *View) Close() error {
	if v.closed {
		return nil
	}
	v.closed = true
	v.src.cow.CompareAndSwap(v.c, nil)
	// Unmapping a gigabyte at once holds the process's memory map lock for
	// tens of milliseconds, and every page fault (the arena's, the Go
	// heap's) waits for it: measured, a 56 ms stall of the writers after a
	// snapshot of 10M files. Giving the pages back in steps first (which
	// takes the lock only for reading) leaves munmap nothing to free.
	const step = 16 << 20
	for off := uint64(0); off < v.a.committed; off += step {
		v.a.mem.discard(off, min(step, v.a.committed-off))
	}
	return v.a.Close()
}
