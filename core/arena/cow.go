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
// runs, a few microseconds) and returns a view: a second range of the same
// size whose slabs are filled with the contents they had at that instant.
// From then until the view is complete, the first Ptr into a slab copies it
// into the view before returning (writers reach all arena memory through
// Ptr; a large object's run is copied whole), and Fill copies every slab no
// Ptr has reached yet, in order, alongside the writers. A writer therefore
// waits at most for the copies of the slabs its change touches first (one
// slab is 1 MiB: ~0.1-0.2 ms), never for the whole arena. Once filled, the
// view is an ordinary read-only arena: refs resolve as in the original.
//
// The cost is memory: a view holds a copy of every slab in use, released
// by Close. Slabs free at the instant are not copied (nothing refers to
// them).
type cowState struct {
	view    *Arena
	n       int32         // slabs [0, n) are covered
	done    []atomic.Bool // slab copied (or free at the instant)
	mu      [64]sync.Mutex
	touched atomic.Int64 // slabs copied by Ptr, not by Fill
}

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
	n := int32(a.top)
	size := (uint64(n)<<slabShift + growStep - 1) / growStep * growStep
	mem, err := reserve(size)
	if err != nil {
		return nil, fmt.Errorf("arena: reserving %d bytes for a frozen view: %w", size, err)
	}
	if err := mem.commit(0, size); err != nil {
		mem.release()
		return nil, fmt.Errorf("arena: committing %d bytes for a frozen view: %w", size, err)
	}
	va := &Arena{mem: mem, base: mem.base(), limit: size, committed: size, top: uint32(n)}
	c := &cowState{view: va, n: n, done: make([]atomic.Bool, n)}
	c.done[0].Store(true) // slab 0 is never used (Ref 0 is nil)
	for s := int32(1); s < n; s++ {
		if a.slabs[s].class == slabFree {
			c.done[s].Store(true)
		}
	}
	a.cow.Store(c)
	a.cowOn = true
	return &View{a: va, src: a, c: c}, nil
}

// preserve copies the slab r lies in (a large object's whole run) into the
// view being filled, unless that is done.
//
//go:noinline
func (a *Arena) preserve(r Ref) {
	c := a.cow.Load()
	if c == nil {
		return
	}
	s := int32(r >> slabRefs)
	if s >= c.n || c.done[s].Load() {
		return
	}
	if a.slabs[s].class == slabLargeHead {
		for i := int32(0); i < int32(a.slabs[s].live) && s+i < c.n; i++ {
			if a.preserveSlab(c, s+i) {
				c.touched.Add(1)
			}
		}
		return
	}
	if a.preserveSlab(c, s) {
		c.touched.Add(1)
	}
}

// preserveSlab copies slab s into the view unless done; it reports whether
// it copied.
func (a *Arena) preserveSlab(c *cowState, s int32) bool {
	if s >= c.n || c.done[s].Load() {
		return false
	}
	m := &c.mu[s%int32(len(c.mu))]
	m.Lock()
	defer m.Unlock()
	if c.done[s].Load() {
		return false
	}
	off := uintptr(s) << slabShift
	copy(unsafe.Slice((*byte)(unsafe.Add(c.view.base, off)), SlabSize), unsafe.Slice((*byte)(unsafe.Add(a.base, off)), SlabSize))
	c.done[s].Store(true)
	return true
}

// Fill copies every slab not yet preserved, then stops the copy-on-write:
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
	const step = 16
	for s := int32(0); s < c.n; s += step {
		a.life.Lock()
		if a.mem == nil {
			a.life.Unlock()
			return errors.New("arena: closed while a frozen view was being filled")
		}
		for i := s; i < min(s+step, c.n); i++ {
			a.preserveSlab(c, i)
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

// Touched reports how many slabs were copied by changes (rather than by
// Fill): a measure of how much the copy-on-write cost writers.
func (v *View) Touched() int64 { return v.c.touched.Load() }

// Bytes reports the memory the view holds.
func (v *View) Bytes() uint64 { return uint64(v.c.n) << slabShift }

// Close stops the copy-on-write if Fill did not finish and releases the
// view's memory.
func (v *View) Close() error {
	if v.closed {
		return nil
	}
	v.closed = true
	v.src.cow.CompareAndSwap(v.c, nil)
	return v.a.Close()
}
