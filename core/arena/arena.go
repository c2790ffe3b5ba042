package arena

import (
	"errors"
	"fmt"
	"math/bits"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Ref addresses an object: its offset from the arena's start in 8-byte units.
type Ref uint32

const (
	refShift  = 3                     // a Ref counts 8-byte units
	slabShift = 18                    // 256 KiB slabs: with ~68 size classes in 3 zones, a class's partly used slab costs little
	SlabSize  = 1 << slabShift        // bytes in a slab
	slabRefs  = slabShift - refShift  // Ref bits inside a slab
	MaxBytes  = uint64(1) << (32 + 3) // 32 GiB: what a 32-bit Ref can address
	growStep  = 64 << 20              // commit granularity
	// MaxSmall is the largest object served from a size-class slab; larger
	// ones take whole slabs.
	MaxSmall = 128 << 10
)

// ErrFull is returned when the arena's reserved range is used up.
var ErrFull = errors.New("arena: out of reserved memory")

// Purpose labels an allocation for the accounting.
type Purpose uint8

// The purposes the tree uses.
const (
	PNode Purpose = iota
	PLink
	PBuckets
	PInodeTable
	PChunks
	PSymlink
	PXattr
	PCold // cold directories: handles and compressed blocks
	POther
	NumPurposes
)

// Zones keep objects of different lifetimes in different slabs, so that
// when one kind goes away in bulk its slabs empty whole and go back to the
// system instead of staying pinned by a few long-lived neighbours: the
// records of directories (freed wholesale when a directory goes cold),
// cold blocks (written in bulk by compaction), and everything else (data
// maps, symlink targets, xattrs: they live as long as their files).
const (
	zoneRecords = iota
	zoneCold
	zoneOther
	numZones
)

var purposeZone = [NumPurposes]uint8{PNode: zoneRecords, PLink: zoneRecords, PBuckets: zoneRecords, PCold: zoneCold,
	PInodeTable: zoneOther, PChunks: zoneOther, PSymlink: zoneOther, PXattr: zoneOther, POther: zoneOther}

var purposeNames = [NumPurposes]string{"nodes", "links", "dir_buckets", "inode_table", "chunks", "symlinks", "xattrs", "cold", "other"}

func (p Purpose) String() string {
	if p < NumPurposes {
		return purposeNames[p]
	}
	return fmt.Sprintf("purpose%d", p)
}

// slab states in slabMeta.class
const (
	slabFree      = -1 // in the free pool
	slabLargeHead = -2 // first slab of a large object
	slabLargeCont = -3 // following slab of a large object
)

type slabMeta struct {
	class  int16  // size class index, or one of the slab states
	inList bool   // on its class's partial list
	live   uint32 // live objects (large head: number of slabs of the run)
	bump   uint32 // bytes handed out from the slab's start (never-used space after it)
	free   Ref    // head of the slab's free list (first 4 bytes of a free object hold the next)
	next   int32  // next slab on the partial list, -1 at the end
	prev   int32
}

type class struct {
	size    uint32
	partial int32 // first slab with free space, -1 if none
	live    uint64
}

// Arena is a manual allocator over one reserved address range.
type Arena struct {
	mem        region
	base       unsafe.Pointer
	limit      uint64 // bytes reserved
	committed  uint64 // bytes made read-write
	noHuge     bool   // huge pages turned off (SetHugePages)
	top        uint32 // slabs ever handed out from the range
	slabs      []slabMeta
	freeSlabs  []int32 // single free slabs, reused first
	classes    []class
	inUse      [NumPurposes]uint64
	largeBytes uint64
	// cow is set while a frozen view is being filled (cow.go): every Ptr
	// then preserves the slab it points into before anyone can change it.
	cow atomic.Pointer[cowState]
	// cowOn is set with cow and cleared by ClearView (both while no
	// other goroutine uses the arena): a plain load keeps Ptr inlined.
	cowOn bool
	// life keeps Close from unmapping the range under a view's copy.
	life sync.Mutex
}

// Stats is the arena's accounting.
type Stats struct {
	Reserved  uint64              // address space reserved
	Committed uint64              // address space made usable
	Slabs     uint64              // bytes of slabs in use (small classes and large runs)
	InUse     uint64              // bytes of live objects (class-rounded)
	ByPurpose [NumPurposes]uint64 // InUse split by purpose
}

// PurposeName returns the name of purpose i, for reports.
func PurposeName(i int) string { return Purpose(i).String() }

// New reserves an arena of maxBytes (0: the default; at most MaxBytes).
func New(maxBytes uint64) (*Arena, error) {
	if maxBytes == 0 {
		maxBytes = defaultMax
	}
	if maxBytes > MaxBytes {
		maxBytes = MaxBytes
	}
	maxBytes = (maxBytes + growStep - 1) / growStep * growStep
	mem, err := reserve(maxBytes)
	if err != nil {
		return nil, fmt.Errorf("arena: reserving %d bytes: %w", maxBytes, err)
	}
	a := &Arena{mem: mem, base: mem.base(), limit: maxBytes, top: 1} // slab 0 unused: Ref 0 is nil
	a.slabs = make([]slabMeta, 1, 1024)
	a.slabs[0].class = slabLargeCont
	for z := 0; z < numZones; z++ {
		for _, sz := range classSizes {
			a.classes = append(a.classes, class{size: sz, partial: -1})
		}
	}
	return a, nil
}

// Close releases the whole range. The arena must not be used afterwards.
func (a *Arena) Close() error {
	a.life.Lock()
	defer a.life.Unlock()
	if a.mem == nil {
		return nil
	}
	err := a.mem.release()
	a.mem, a.base = nil, nil
	return err
}

// Ptr returns the address of the object at r. While a frozen view is being
// filled, it first preserves the slab (or large run) r lies in: everything
// that writes arena memory reaches it through Ptr.
func (a *Arena) Ptr(r Ref) unsafe.Pointer {
	if a.cowOn {
		a.preserve(r)
	}
	return unsafe.Add(a.base, uintptr(r)<<refShift)
}

// Bytes returns the n bytes at r as a slice (valid while the object lives).
func (a *Arena) Bytes(r Ref, n int) []byte { return unsafe.Slice((*byte)(a.Ptr(r)), n) }

// Stats returns the accounting.
func (a *Arena) Stats() Stats {
	s := Stats{Reserved: a.limit, Committed: a.committed, ByPurpose: a.inUse}
	for _, v := range a.inUse {
		s.InUse += v
	}
	used := uint64(a.top-1) - uint64(len(a.freeSlabs))
	s.Slabs = used * SlabSize
	return s
}

// ClassSize returns the bytes an object of n bytes really takes.
func ClassSize(n int) uint64 {
	if n > MaxSmall {
		return uint64((n + SlabSize - 1) &^ (SlabSize - 1))
	}
	return uint64(classSizes[classOf(n)])
}

// Alloc returns a zeroed object of n bytes (n >= 1) accounted to p.
func (a *Arena) Alloc(n int, p Purpose) (Ref, error) {
	return a.alloc(n, p, int(purposeZone[p]))
}

// AllocLongLived is Alloc for an object of p that will outlive most of its
// kind (a directory's record when its parent goes cold): it goes into the
// zone of long-lived objects, so that it does not pin a slab of short-lived
// ones.
func (a *Arena) AllocLongLived(n int, p Purpose) (Ref, error) {
	return a.alloc(n, p, zoneOther)
}

func (a *Arena) alloc(n int, p Purpose, zone int) (Ref, error) {
	if n <= 0 {
		n = 1
	}
	if n > MaxSmall {
		return a.allocLarge(n, p)
	}
	ci := zone*len(classSizes) + classOf(n)
	c := &a.classes[ci]
	if c.partial < 0 {
		s, err := a.takeSlab(1)
		if err != nil {
			return 0, err
		}
		a.slabs[s] = slabMeta{class: int16(ci), next: -1, prev: -1}
		a.pushPartial(ci, s)
	}
	s := c.partial
	m := &a.slabs[s]
	var r Ref
	if m.free != 0 {
		r = m.free
		m.free = *(*Ref)(a.Ptr(r))
		clear(a.Bytes(r, int(c.size)))
	} else {
		r = Ref(uint32(s)<<slabRefs + m.bump>>refShift) // (s<<slabShift would overflow 32 bits past 4 GiB)
		m.bump += c.size                                // fresh memory from the range is zero
	}
	m.live++
	if m.free == 0 && m.bump+c.size > SlabSize {
		a.removePartial(ci, s)
	}
	c.live++
	a.inUse[p] += uint64(c.size)
	return r, nil
}

// Free releases the object at r, which Alloc returned for n bytes and p.
func (a *Arena) Free(r Ref, n int, p Purpose) {
	if r == 0 {
		return
	}
	if n > MaxSmall {
		a.freeLarge(r, n, p)
		return
	}
	s := int32(r >> slabRefs)
	m := &a.slabs[s]
	ci := int(m.class)
	c := &a.classes[ci]
	*(*Ref)(a.Ptr(r)) = m.free
	m.free = r
	m.live--
	c.live--
	a.inUse[p] -= uint64(c.size)
	if !m.inList {
		a.pushPartial(ci, s)
	}
	if m.live == 0 && (c.partial != s || m.next >= 0) {
		// empty and not the class's only partial slab: give it back (the
		// only one stays, so that one object allocated and freed over and
		// over does not map and unmap a slab each time; Trim gives it back)
		a.removePartial(ci, s)
		a.releaseSlabs(s, 1)
		a.freeSlabs = append(a.freeSlabs, s)
	}
}

// SetHugePages turns transparent huge pages on (the default) or off for
// the whole arena. Huge pages spare random reads over the hot form most of
// their TLB misses (getattr on 10M hot entries: 2.7-3.0 against 2.3-2.5 M/s
// without). Once most of the arena's memory has been freed piecemeal (the
// records of directories made cold), they cost memory instead: the
// kernel's khugepaged fills a 2 MiB region back into one huge page when a
// single 4 KiB page of it is in use (its default max_ptes_none is 511), so
// the freed slabs around live ones come back as resident memory (on 3M
// synthetic entries cold, 202 MB resident for 160 MB of slabs). Off, the
// kernel stops making new huge pages here, and the free slabs are
// discarded again: that splits the huge pages khugepaged made over them
// and gives their pages back.
func (a *Arena) SetHugePages(on bool) {
	if a.noHuge == !on {
		return
	}
	a.noHuge = !on
	a.mem.hugePages(0, a.committed, on)
	if on {
		return
	}
	top := int32(a.top)
	for s := int32(0); s < top; {
		if a.slabs[s].class != slabFree {
			s++
			continue
		}
		e := s
		for e < top && a.slabs[e].class == slabFree {
			e++
		}
		a.mem.discard(uint64(s)<<slabShift, uint64(e-s)<<slabShift)
		s = e
	}
	if end := uint64(top) << slabShift; end < a.committed {
		a.mem.discard(end, a.committed-end)
	}
}

// Trim gives back to the system the empty slabs that Free kept (one per
// size class and zone at most) and returns how many bytes it released.
// Call it after freeing much at once (compaction does).
func (a *Arena) Trim() uint64 {
	var n uint64
	for ci := range a.classes {
		c := &a.classes[ci]
		if s := c.partial; s >= 0 && a.slabs[s].live == 0 && a.slabs[s].next < 0 {
			a.removePartial(ci, s)
			a.releaseSlabs(s, 1)
			a.freeSlabs = append(a.freeSlabs, s)
			n += SlabSize
		}
	}
	return n
}

func (a *Arena) pushPartial(ci int, s int32) {
	c := &a.classes[ci]
	m := &a.slabs[s]
	m.prev, m.next, m.inList = -1, c.partial, true
	if c.partial >= 0 {
		a.slabs[c.partial].prev = s
	}
	c.partial = s
}

func (a *Arena) removePartial(ci int, s int32) {
	c := &a.classes[ci]
	m := &a.slabs[s]
	if m.prev >= 0 {
		a.slabs[m.prev].next = m.next
	} else {
		c.partial = m.next
	}
	if m.next >= 0 {
		a.slabs[m.next].prev = m.prev
	}
	m.prev, m.next, m.inList = -1, -1, false
}

// takeSlab returns the first of n consecutive slabs, reusing a free one for n == 1.
func (a *Arena) takeSlab(n int) (int32, error) {
	if n == 1 && len(a.freeSlabs) > 0 {
		s := a.freeSlabs[len(a.freeSlabs)-1]
		a.freeSlabs = a.freeSlabs[:len(a.freeSlabs)-1]
		return s, nil
	}
	if n > 1 {
		if s, ok := a.takeRun(n); ok {
			return s, nil
		}
	}
	end := uint64(a.top+uint32(n)) << slabShift
	if end > a.limit {
		return 0, ErrFull
	}
	for a.committed < end {
		step := uint64(growStep)
		if a.committed+step > a.limit {
			step = a.limit - a.committed
		}
		if err := a.mem.commit(a.committed, step); err != nil {
			return 0, fmt.Errorf("%w: %v", ErrFull, err)
		}
		a.committed += step
	}
	s := int32(a.top)
	a.top += uint32(n)
	for len(a.slabs) < int(a.top) {
		a.slabs = append(a.slabs, slabMeta{class: slabFree, next: -1, prev: -1})
	}
	return s, nil
}

// takeRun finds n consecutive free slabs in the pool (first fit).
func (a *Arena) takeRun(n int) (int32, bool) {
	if len(a.freeSlabs) < n {
		return 0, false
	}
	run, start := 0, int32(-1)
	for s := int32(1); s < int32(a.top); s++ {
		if a.slabs[s].class == slabFree {
			if run == 0 {
				start = s
			}
			run++
			if run == n {
				a.dropFree(start, n)
				return start, true
			}
		} else {
			run = 0
		}
	}
	return 0, false
}

func (a *Arena) dropFree(start int32, n int) {
	out := a.freeSlabs[:0]
	for _, s := range a.freeSlabs {
		if s < start || s >= start+int32(n) {
			out = append(out, s)
		}
	}
	a.freeSlabs = out
}

func (a *Arena) releaseSlabs(s int32, n int) {
	if c := a.cow.Load(); c != nil {
		for i := int32(0); i < int32(n); i++ {
			a.preserveSlab(c, s+i)
		}
	}
	for i := int32(0); i < int32(n); i++ {
		a.slabs[s+i] = slabMeta{class: slabFree, next: -1, prev: -1}
	}
	a.mem.discard(uint64(s)<<slabShift, uint64(n)<<slabShift)
}

func (a *Arena) allocLarge(n int, p Purpose) (Ref, error) {
	ns := (n + SlabSize - 1) >> slabShift
	s, err := a.takeSlab(ns)
	if err != nil {
		return 0, err
	}
	a.slabs[s] = slabMeta{class: slabLargeHead, live: uint32(ns), next: -1, prev: -1}
	for i := 1; i < ns; i++ {
		a.slabs[int(s)+i] = slabMeta{class: slabLargeCont, next: -1, prev: -1}
	}
	r := Ref(uint32(s) << slabRefs)
	if a.mem.reusedDirty() {
		clear(a.Bytes(r, ns<<slabShift))
	}
	sz := uint64(ns) << slabShift
	a.inUse[p] += sz
	a.largeBytes += sz
	return r, nil
}

func (a *Arena) freeLarge(r Ref, n int, p Purpose) {
	s := int32(r >> slabRefs)
	ns := int(a.slabs[s].live)
	a.releaseSlabs(s, ns)
	for i := 0; i < ns; i++ {
		a.freeSlabs = append(a.freeSlabs, s+int32(i))
	}
	sz := uint64(ns) << slabShift
	a.inUse[p] -= sz
	a.largeBytes -= sz
}

// Size classes: 8-byte steps to 256, then eight steps per power of two (at
// most 12.5% of an object lost to rounding; four steps lost up to 25%, and
// 7% of the cold blocks' bytes on average).
const classSteps = 8

var classSizes = func() []uint32 {
	var cs []uint32
	for s := uint32(8); s <= 256; s += 8 {
		cs = append(cs, s)
	}
	for p := uint32(256); p < MaxSmall; p *= 2 {
		for i := uint32(1); i <= classSteps; i++ {
			cs = append(cs, p+p/classSteps*i)
		}
	}
	return cs
}()

func classOf(n int) int {
	if n <= 256 {
		return (n+7)>>3 - 1
	}
	// 256 < n <= MaxSmall: power-of-two band, then eighth steps
	b := bits.Len(uint(n-1)) - 1 // n-1 in [2^b, 2^(b+1))
	p := 1 << b
	q := (n - p + p/classSteps - 1) / (p / classSteps) // 1..classSteps
	return 32 + (b-8)*classSteps + q - 1
}

// ClassUse is one size class's use of slabs in one zone (Classes).
type ClassUse struct {
	Zone  string // "records", "cold" or "other"
	Size  uint32 // object size
	Slabs int    // slabs of the class
	Live  uint64 // live objects
}

var zoneNames = [numZones]string{"records", "cold", "other"}

// Classes reports, per size class in use, its slabs and live objects: the
// fragmentation picture (live*Size against Slabs*SlabSize).
func (a *Arena) Classes() []ClassUse {
	var out []ClassUse
	n := make([]int, len(a.classes))
	for s := 1; s < int(a.top); s++ {
		if c := a.slabs[s].class; c >= 0 {
			n[c]++
		}
	}
	for i, c := range a.classes {
		if n[i] > 0 {
			out = append(out, ClassUse{Zone: zoneNames[i/len(classSizes)], Size: c.size, Slabs: n[i], Live: c.live})
		}
	}
	return out
}
