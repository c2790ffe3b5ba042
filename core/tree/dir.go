package tree

import (
	"unsafe"

	"github.com/cespare/xxhash/v2"
	"github.com/fsmeta/fsmeta/core/arena"
)

// A directory's index: a header (u0 of the directory's node) and a
// power-of-two array of chain heads. Entries go to bucket hash>>(64-logb), so
// buckets are in hash order and doubling the array splits each bucket into
// two neighbours: a listing in hash order survives any resize, and its cursor
// is just the next hash to return. Chains are kept sorted by hash.
type dirHdr struct {
	count   uint32    // entries
	buckets arena.Ref // 0 while the directory is empty
	logb    uint8
	_       [7]byte
}

const dirHdrSize = 16

func hashName(name string) uint64 { return xxhash.Sum64String(name) }

func hashBytes(name []byte) uint64 { return xxhash.Sum64(name) }

func (t *Tree) dirHdr(dir *nodeHdr) *dirHdr { return (*dirHdr)(t.a.Ptr(arena.Ref(dir.u0))) }

func (t *Tree) bucketSlot(d *dirHdr, i uint64) *arena.Ref {
	return (*arena.Ref)(unsafe.Add(t.a.Ptr(d.buckets), i*4))
}

func bucketOf(h uint64, logb uint8) uint64 {
	if logb == 0 {
		return 0
	}
	return h >> (64 - logb)
}

// find returns the entry named name in dir and its predecessor in the chain
// (0 if it heads the chain).
func (t *Tree) find(dir *nodeHdr, name string) (ent, prev arena.Ref) {
	d := t.dirHdr(dir)
	if d.buckets == 0 {
		return 0, 0
	}
	h := hashName(name)
	r := *t.bucketSlot(d, bucketOf(h, d.logb))
	for r != 0 {
		e := t.ent(r)
		if int(e.namelen) == len(name) && string(e.name()) == name {
			return r, prev
		}
		prev, r = r, e.next
	}
	return 0, 0
}

// prepareInsert makes sure dir has a bucket array, so that insert cannot
// fail; operations call it before they change anything.
func (t *Tree) prepareInsert(dir *nodeHdr) bool {
	d := t.dirHdr(dir)
	if d.buckets != 0 {
		return true
	}
	b, err := t.a.Alloc(8, arena.PBuckets)
	if err != nil {
		return false
	}
	d.buckets, d.logb = b, 1
	return true
}

// insert links record r (whose name is set) into dir. It never fails: when
// the bucket array cannot grow, the chains just get longer.
func (t *Tree) insert(dir *nodeHdr, r arena.Ref) {
	d := t.dirHdr(dir)
	t.chainInsert(d, r, hashBytes(t.ent(r).name()))
	d.count++
	if uint64(d.count) > uint64(1)<<d.logb && d.logb < 31 {
		t.resize(d, d.logb+1)
	}
}

func (t *Tree) chainInsert(d *dirHdr, r arena.Ref, h uint64) {
	slot := t.bucketSlot(d, bucketOf(h, d.logb))
	for *slot != 0 {
		e := t.ent(*slot)
		if hashBytes(e.name()) > h {
			break
		}
		slot = &e.next
	}
	t.ent(r).next = *slot
	*slot = r
}

// unlink removes entry r (whose predecessor is prev) from dir's chains.
func (t *Tree) unlinkEnt(dir *nodeHdr, r, prev arena.Ref) {
	d := t.dirHdr(dir)
	e := t.ent(r)
	if prev != 0 {
		t.ent(prev).next = e.next
	} else {
		*t.bucketSlot(d, bucketOf(hashBytes(e.name()), d.logb)) = e.next
	}
	e.next = 0
	d.count--
	// An emptied directory keeps its smallest bucket array, so that an
	// insert after a removal in the same operation cannot fail.
	if d.logb > 1 && uint64(d.count)*4 < uint64(1)<<d.logb {
		t.resize(d, d.logb-1)
	}
}

// resize rebuilds the bucket array with 2^logb buckets (keeps the old one if
// memory runs out).
func (t *Tree) resize(d *dirHdr, logb uint8) {
	nb, err := t.a.Alloc(4<<logb, arena.PBuckets)
	if err != nil {
		return
	}
	old, oldLogb := d.buckets, d.logb
	d.buckets, d.logb = nb, logb
	n := uint64(1) << oldLogb
	// Walk old buckets in order: entries come out in hash order and their new
	// bucket numbers never decrease, so appending at one tail keeps every
	// chain sorted.
	var tail arena.Ref
	tailBucket := ^uint64(0)
	for i := uint64(0); i < n; i++ {
		r := *(*arena.Ref)(unsafe.Add(t.a.Ptr(old), i*4))
		for r != 0 {
			e := t.ent(r)
			next := e.next
			b := bucketOf(hashBytes(e.name()), logb)
			e.next = 0
			if b == tailBucket {
				t.ent(tail).next = r
			} else {
				*t.bucketSlot(d, b) = r
				tailBucket = b
			}
			tail = r
			r = next
		}
	}
	t.a.Free(old, 4<<oldLogb, arena.PBuckets)
}

// scan calls fn for every entry of dir with hash >= from, in hash order,
// until fn returns false.
func (t *Tree) scan(dir *nodeHdr, from uint64, fn func(r arena.Ref, e *entHdr, h uint64) bool) {
	d := t.dirHdr(dir)
	if d.buckets == 0 {
		return
	}
	n := uint64(1) << d.logb
	for i := bucketOf(from, d.logb); i < n; i++ {
		for r := *t.bucketSlot(d, i); r != 0; {
			e := t.ent(r)
			next := e.next
			h := hashBytes(e.name())
			if h >= from && !fn(r, e, h) {
				return
			}
			r = next
		}
	}
}
