package tree

import (
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/meta"
)

// Packed inode pages.
//
// Once directories are cold, the slots of an inode page hold few distinct
// values: every inode of a small directory or a group refers to the same
// row, and those of a large cold directory to one of its handle's rows
// (row refs are handle + 3*k). At the end of a compaction pass, a page
// whose slots compress well is replaced by a packed form (lossless: any
// values pack, only the size differs), and a change to one of its slots
// unpacks it first. The packed form, 4-byte aligned:
//
//	field    size       meaning
//	------   --------   -----------------------------------------------------
//	nruns    u32        number of runs (>= 1; the first starts at slot 0)
//	nexc     u32        number of exceptions
//	table    128*4      per bucket of 256 slots: u16 the run holding the
//	                    bucket's first slot, u16 the first exception at or
//	                    after it (so a lookup searches a bucket's few runs
//	                    and exceptions only)
//	runs     nruns*12   start u16 (increasing), width u8 (0, 1 or 2), 0 u8,
//	                    base u32, off u32: slot s of the run [start, next
//	                    start) holds base (width 0), or base + 3*x where x
//	                    is the width-byte integer at idx[off + (s-start)*width]
//	excoff   nexc*2     slots (increasing) whose value is not their run's,
//	                    padded to 4 bytes
//	excval   nexc*4     their values
//	idx      ...        the runs' indexes
//
// A lookup reads the bucket's table entry, then searches its exceptions
// and its runs. Measured on 10M synthetic entries all cold: the table goes
// from 4.0 to 2.1 bytes an entry.
const (
	packRunSize = 12
	packBucket  = 8 // log2 of the slots of a table bucket
	packBuckets = pageSlots >> packBucket
	packHdr     = 8 + 4*packBuckets
	// packMaxShare is the largest packed size worth keeping, as a
	// fraction of a plain page: a page that packs worse stays plain.
	packMaxShare = 2
	// a run of at least packConst equal values is worth a run of its own
	packConst = 16
)

// testPackLog, set by tests, sees the packed size of every page tried.
var testPackLog func(p, n int)

type packRun struct {
	start uint16
	width uint8
	_     uint8
	base  uint32
	off   uint32
}

// packedParts returns the parts of the packed page at ref.
func (t *Tree) packedParts(ref arena.Ref) (runs []packRun, excOff []uint16, excVal []uint32, idx unsafe.Pointer) {
	b := t.a.Ptr(ref)
	hdr := (*[2]uint32)(b)
	nr, ne := int(hdr[0]), int(hdr[1])
	p := unsafe.Add(b, packHdr)
	runs = unsafe.Slice((*packRun)(p), nr)
	p = unsafe.Add(p, packRunSize*nr)
	excOff = unsafe.Slice((*uint16)(p), ne)
	p = unsafe.Add(p, (2*ne+3)&^3)
	excVal = unsafe.Slice((*uint32)(p), ne)
	return runs, excOff, excVal, unsafe.Add(p, 4*ne)
}

// packedGet returns slot i of the packed page at ref.
func (t *Tree) packedGet(ref arena.Ref, i uint32) arena.Ref {
	runs, excOff, excVal, idx := t.packedParts(ref)
	tab := (*[packBuckets][2]uint16)(unsafe.Add(t.a.Ptr(ref), 8))
	b := i >> packBucket
	lo, hi := int(tab[b][1]), len(excOff)
	rlo, rhi := int(tab[b][0]), len(runs)
	if b+1 < packBuckets {
		hi, rhi = int(tab[b+1][1]), int(tab[b+1][0])+1
	}
	if hi > len(excOff) || rhi > len(runs) || lo > hi || rlo >= rhi {
		lo, hi, rlo, rhi = 0, len(excOff), 0, len(runs) // a bad table (fsck reports it): search it all
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if uint32(excOff[m]) < i {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(excOff) && uint32(excOff[lo]) == i {
		return arena.Ref(excVal[lo])
	}
	lo, hi = rlo, rhi
	for lo < hi { // the first run starting after i
		m := int(uint(lo+hi) >> 1)
		if uint32(runs[m].start) <= i {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return 0 // only with a bad table
	}
	r := &runs[lo-1]
	return arena.Ref(runValue(r, idx, i))
}

func runValue(r *packRun, idx unsafe.Pointer, i uint32) uint32 {
	k := uintptr(r.off) + uintptr(i-uint32(r.start))*uintptr(r.width)
	switch r.width {
	case 1:
		return r.base + 3*uint32(*(*uint8)(unsafe.Add(idx, k)))
	case 2:
		return r.base + 3*uint32(*(*uint16)(unsafe.Add(idx, k)))
	}
	return r.base
}

// unpackInto decodes the packed page at ref into dst (pageSlots values).
func (t *Tree) unpackInto(ref arena.Ref, dst []arena.Ref) {
	runs, excOff, excVal, idx := t.packedParts(ref)
	for k := range runs {
		r := &runs[k]
		end := uint32(pageSlots)
		if k+1 < len(runs) {
			end = uint32(runs[k+1].start)
		}
		for i := uint32(r.start); i < end && i < pageSlots; i++ { // (bounds: only memory corruption breaks them; fsck reports it)
			dst[i] = arena.Ref(runValue(r, idx, i))
		}
	}
	for k, o := range excOff {
		if int(o) < len(dst) {
			dst[o] = arena.Ref(excVal[k])
		}
	}
}

// pageRefs returns the slots of page p: the page's own memory, or (packed)
// decoded into buf. nil if the page has no memory.
func (t *Tree) pageRefs(p int, buf []arena.Ref) []arena.Ref {
	pg := t.pages[p]
	if pg.ref == 0 {
		return nil
	}
	if pg.packed != 0 {
		t.unpackInto(pg.ref, buf[:pageSlots])
		return buf[:pageSlots]
	}
	return unsafe.Slice((*arena.Ref)(t.a.Ptr(pg.ref)), pageSlots)
}

// packed is a page's packed form being built.
type packed struct {
	runs   []packRun
	excOff []uint16
	excVal []uint32
	idx    []byte
}

func (pk *packed) size() int { return packedSize(len(pk.runs), len(pk.excOff), len(pk.idx)) }

// packedSize is the size of a packed page of nruns runs, nexc exceptions
// and idx bytes of indexes.
func packedSize(nruns, nexc, idx int) int {
	return packHdr + packRunSize*nruns + (2*nexc+3)&^3 + 4*nexc + idx
}

// fits reports whether value w can join an indexed run whose values so
// far are v (any of them), lo..hi, when the run's values may span span.
func fits(v, lo, hi, w, span uint32) bool {
	if w == 0 || (int64(w)-int64(v))%3 != 0 {
		return false
	}
	return max(hi, w)-min(lo, w) <= span
}

// packPage builds the packed form of vals (pageSlots values), greedily:
// runs of packConst or more equal values (isolated other values inside
// them become exceptions), between them runs of values of one handle's
// rows (or of rows allocated one after the other) indexed by one byte, or
// two when one byte would make the run much shorter, and exceptions for
// the rest.
func packPage(vals []arena.Ref) *packed {
	pk := &packed{}
	n := len(vals)
	exc := func(i int) {
		pk.excOff = append(pk.excOff, uint16(i))
		pk.excVal = append(pk.excVal, uint32(vals[i]))
	}
	// constLen returns the end of the run of value v from i, letting up
	// to two other values at a time through when v follows them, and how
	// many values in it are v.
	constLen := func(i int, v arena.Ref) (end, equal int) {
		j := i
		for j < n {
			if vals[j] == v {
				j++
				equal++
				continue
			}
			k := j
			for k < n && k < j+2 && vals[k] != v {
				k++
			}
			if k < n && vals[k] == v && equal > 0 {
				j = k
				continue
			}
			break
		}
		return j, equal
	}
	// indexed returns the end of an indexed run from i whose values span
	// at most span, and their range: it stops at three misfits in a row
	// or where packConst equal values begin.
	indexed := func(i int, span uint32) (end int, lo, hi uint32) {
		base := uint32(vals[i])
		for j := i; j < n && j < i+3 && base == 0; j++ {
			base = uint32(vals[j]) // no inode at i: the first value after
		}
		lo, hi = base, base
		end = i + 1
		miss, streak := 0, 0
		for j := i; j < n; j++ {
			w := uint32(vals[j])
			if j > i && vals[j] == vals[j-1] {
				streak++
			} else {
				streak = 1
			}
			if streak >= packConst {
				end = max(i+1, j-packConst+1) // the equal run starts there
				break
			}
			if w == base || fits(base, lo, hi, w, span) {
				lo, hi = min(lo, w), max(hi, w)
				miss = 0
				end = j + 1
				continue
			}
			if miss++; miss >= 3 {
				break
			}
		}
		return end, lo, hi
	}
	for i := 0; i < n; {
		v := vals[i]
		if end, eq := constLen(i, v); eq >= packConst || end == n {
			pk.runs = append(pk.runs, packRun{start: uint16(i), base: uint32(v)})
			for j := i; j < end; j++ {
				if vals[j] != v {
					exc(j)
				}
			}
			i = end
			continue
		}
		end, lo, hi := indexed(i, 3*0xFF)
		// two bytes a value pay when one byte keeps runs so short that
		// their 12-byte headers cost more than the second byte
		if end2, lo2, hi2 := indexed(i, 3*0xFFFF); end-i < 16 && end2-i > 2*(end-i) {
			end, lo, hi = end2, lo2, hi2
		}
		r := packRun{start: uint16(i), base: lo, off: uint32(len(pk.idx))}
		switch {
		case lo == hi:
		case (hi-lo)/3 <= 0xFF:
			r.width = 1
		default:
			r.width = 2
		}
		for j := i; j < end; j++ {
			w := uint32(vals[j])
			x := uint32(0)
			if w >= lo && w <= hi && (w-lo)%3 == 0 && w != 0 { // w >= lo: no wrap
				x = (w - lo) / 3
			} else if w != lo || r.width != 0 {
				exc(j)
			}
			switch r.width {
			case 1:
				pk.idx = append(pk.idx, byte(x))
			case 2:
				pk.idx = append(pk.idx, byte(x), byte(x>>8))
			}
		}
		pk.runs = append(pk.runs, r)
		i = end
	}
	return pk
}

// write stores pk at b (pk.size() bytes).
func (pk *packed) write(b unsafe.Pointer) {
	hdr := (*[2]uint32)(b)
	hdr[0], hdr[1] = uint32(len(pk.runs)), uint32(len(pk.excOff))
	tab := (*[packBuckets][2]uint16)(unsafe.Add(b, 8))
	r, e := 0, 0
	for k := range tab {
		first := k << packBucket
		for r+1 < len(pk.runs) && int(pk.runs[r+1].start) <= first {
			r++
		}
		for e < len(pk.excOff) && int(pk.excOff[e]) < first {
			e++
		}
		tab[k] = [2]uint16{uint16(r), uint16(e)}
	}
	p := unsafe.Add(b, packHdr)
	copy(unsafe.Slice((*packRun)(p), len(pk.runs)), pk.runs)
	p = unsafe.Add(p, packRunSize*len(pk.runs))
	copy(unsafe.Slice((*uint16)(p), len(pk.excOff)), pk.excOff)
	p = unsafe.Add(p, (2*len(pk.excOff)+3)&^3)
	copy(unsafe.Slice((*uint32)(p), len(pk.excVal)), pk.excVal)
	p = unsafe.Add(p, 4*len(pk.excVal))
	copy(unsafe.Slice((*byte)(p), len(pk.idx)), pk.idx)
}

// packInodePage packs page p if it is worth it (under the write lock):
// a page wholly below the one inodes are allocated from, that packs into
// at most 1/packMaxShare of its size. It reports whether it did.
func (t *Tree) packInodePage(p int) bool {
	pg := &t.pages[p]
	if pg.ref == 0 || pg.packed != 0 || uint64(p) >= uint64(t.nextIno)>>pageShift {
		return false
	}
	vals := unsafe.Slice((*arena.Ref)(t.a.Ptr(pg.ref)), pageSlots)
	pk := packPage(vals)
	n := pk.size()
	if testPackLog != nil {
		testPackLog(p, n)
	}
	if n > pageBytes/packMaxShare {
		return false
	}
	t.refillSpares()
	r, err := t.a.Alloc(n, arena.PInodeTable)
	if err != nil {
		return false
	}
	pk.write(t.a.Ptr(r))
	t.a.Free(pg.ref, pageBytes, arena.PInodeTable)
	pg.ref, pg.packed = r, uint32(n)
	return true
}

// unpackInodePage makes packed page p plain again, so that its slots can
// change. It reports false if memory ran out.
//
// It takes a spare page when the arena has no room: packing keeps
// packSpares of them, so that the changes that unpack a page (at most a
// few pages each) do not fail for want of the memory packing gave back.
func (t *Tree) unpackInodePage(p uint64) bool {
	pg := &t.pages[p]
	r, err := t.a.Alloc(pageBytes, arena.PInodeTable)
	if err != nil {
		if len(t.spares) == 0 {
			return false
		}
		r = t.spares[len(t.spares)-1]
		t.spares = t.spares[:len(t.spares)-1]
	}
	t.unpackInto(pg.ref, unsafe.Slice((*arena.Ref)(t.a.Ptr(r)), pageSlots))
	t.a.Free(pg.ref, int(pg.packed), arena.PInodeTable)
	pg.ref, pg.packed = r, 0
	return true
}

// unpackFor unpacks the page of ino if it is packed (before a change that
// must not fail half-way sets its slot); false if memory ran out.
func (t *Tree) unpackFor(ino meta.Ino) bool {
	p := uint64(ino) >> pageShift
	return p >= uint64(len(t.pages)) || t.pages[p].packed == 0 || t.unpackInodePage(p)
}

// packSpares is the number of spare plain pages kept while pages are packed.
const packSpares = 4

// refillSpares allocates spare pages up to packSpares (as memory allows).
func (t *Tree) refillSpares() {
	for len(t.spares) < packSpares {
		r, err := t.a.Alloc(pageBytes, arena.PInodeTable)
		if err != nil {
			return
		}
		t.spares = append(t.spares, r)
	}
}

// packInodePages packs up to n pages from page t.packCursor-1 on, and
// reports whether it reached the end of the table (the cursor is then 0).
func (t *Tree) packInodePages(n int) bool {
	for ; n > 0; n-- {
		p := int(t.packCursor) - 1
		if p >= len(t.pages) {
			t.packCursor = 0
			return true
		}
		t.packInodePage(p)
		t.packCursor++
	}
	return false
}
