package tree

import (
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	. "github.com/fsmeta/fsmeta/core/meta"
)

// File data map. A regular file is in one of three forms:
//
//   - empty: no slices (u0 = 0, no fCompact);
//
//   - compact: fCompact set, u1 = the id of one slice that covers the whole
//     file (Pos 0, Off 0, Len = Size = file size <= 64 MiB); nothing else is
//     stored;
//
//   - chunk table: u0 = ref of a table of chunks sorted by index, each with
//     its own slice list in write order.
//
//     chunk table                       slice list (cap records)
//     0 n    u32  chunks in use          0 pos  u32
//     4 cap  u32                         4 size u32
//     8 [cap] chunkEnt:                  8 off  u32
//     idx u32, n u32, cap u32,      12 len  u32
//     slices ref                    16 id   u64
const (
	ctHdrSize    = 8
	chunkEntSize = 16
	sliceRecSize = 24
)

type ctHdr struct {
	n, cap uint32
}

type chunkEnt struct {
	idx, n, cap uint32
	slices      arena.Ref
}

type sliceRec struct {
	pos, size, off, len uint32
	id                  uint64
}

func (t *Tree) chunkTable(h *nodeHdr) (*ctHdr, []chunkEnt) {
	if h.u0 == 0 {
		return nil, nil
	}
	p := t.a.Ptr(arena.Ref(h.u0))
	ct := (*ctHdr)(p)
	return ct, unsafe.Slice((*chunkEnt)(unsafe.Add(p, ctHdrSize)), ct.cap)[:ct.n]
}

func (t *Tree) sliceList(ce *chunkEnt) []sliceRec {
	if ce.slices == 0 {
		return nil
	}
	return unsafe.Slice((*sliceRec)(t.a.Ptr(ce.slices)), ce.cap)[:ce.n]
}

func toRec(s Slice) sliceRec {
	return sliceRec{pos: s.Pos, size: s.Size, off: s.Off, len: s.Len, id: s.ID}
}
func (r sliceRec) slice() Slice {
	return Slice{Pos: r.pos, ID: r.id, Size: r.size, Off: r.off, Len: r.len}
}

// expand turns the compact form into a chunk table (ENOSPC changes nothing).
func (t *Tree) expand(h *nodeHdr) Errno {
	if h.flags&fCompact == 0 {
		return 0
	}
	id, size := h.u1, uint32(h.size)
	h.flags &^= fCompact
	h.u1 = 0
	if e := t.appendSlice(h, 0, sliceRec{pos: 0, size: size, off: 0, len: size, id: id}); e != 0 {
		h.flags |= fCompact
		h.u1 = id
		return e
	}
	return 0
}

// findChunk returns chunk idx of h's table, or nil.
func (t *Tree) findChunk(h *nodeHdr, idx uint32) *chunkEnt {
	_, ents := t.chunkTable(h)
	lo, hi := 0, len(ents)
	for lo < hi {
		m := (lo + hi) / 2
		if ents[m].idx < idx {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(ents) && ents[lo].idx == idx {
		return &ents[lo]
	}
	return nil
}

// appendSlice adds s at the end of chunk idx's list, creating the chunk.
func (t *Tree) appendSlice(h *nodeHdr, idx uint32, s sliceRec) Errno {
	ce := t.findChunk(h, idx)
	if ce == nil {
		var e Errno
		if ce, e = t.addChunk(h, idx); e != 0 {
			return e
		}
	}
	if ce.n == ce.cap {
		ncap := ce.cap * 2
		if ncap == 0 {
			ncap = 1
		}
		nr, err := t.a.Alloc(int(ncap)*sliceRecSize, arena.PChunks)
		if err != nil {
			if ce.n == 0 {
				t.dropChunk(h, idx)
			}
			return ENOSPC
		}
		if ce.slices != 0 {
			copy(t.a.Bytes(nr, int(ce.n)*sliceRecSize), t.a.Bytes(ce.slices, int(ce.n)*sliceRecSize))
			t.a.Free(ce.slices, int(ce.cap)*sliceRecSize, arena.PChunks)
		}
		ce.slices, ce.cap = nr, ncap
	}
	ce.n++
	t.sliceList(ce)[ce.n-1] = s
	return 0
}

// addChunk inserts an empty chunk idx into h's table (growing it).
func (t *Tree) addChunk(h *nodeHdr, idx uint32) (*chunkEnt, Errno) {
	ct, ents := t.chunkTable(h)
	if ct == nil || ct.n == ct.cap {
		var n, ocap uint32
		if ct != nil {
			n, ocap = ct.n, ct.cap
		}
		ncap := ocap * 2
		if ncap == 0 {
			ncap = 1
		}
		nr, err := t.a.Alloc(ctHdrSize+int(ncap)*chunkEntSize, arena.PChunks)
		if err != nil {
			return nil, ENOSPC
		}
		if ct != nil {
			copy(t.a.Bytes(nr, ctHdrSize+int(n)*chunkEntSize), t.a.Bytes(arena.Ref(h.u0), ctHdrSize+int(n)*chunkEntSize))
			t.a.Free(arena.Ref(h.u0), ctHdrSize+int(ocap)*chunkEntSize, arena.PChunks)
		}
		h.u0 = uint32(nr)
		ct = (*ctHdr)(t.a.Ptr(nr))
		ct.n, ct.cap = n, ncap
		_, ents = t.chunkTable(h)
	}
	i := 0
	for i < len(ents) && ents[i].idx < idx {
		i++
	}
	ct.n++
	_, ents = t.chunkTable(h)
	copy(ents[i+1:], ents[i:])
	ents[i] = chunkEnt{idx: idx}
	return &ents[i], 0
}

// dropChunk removes chunk idx and its slices; an empty table is freed.
func (t *Tree) dropChunk(h *nodeHdr, idx uint32) {
	ct, ents := t.chunkTable(h)
	for i := range ents {
		if ents[i].idx != idx {
			continue
		}
		if ents[i].slices != 0 {
			t.a.Free(ents[i].slices, int(ents[i].cap)*sliceRecSize, arena.PChunks)
		}
		copy(ents[i:], ents[i+1:])
		ct.n--
		break
	}
	if ct.n == 0 {
		t.a.Free(arena.Ref(h.u0), ctHdrSize+int(ct.cap)*chunkEntSize, arena.PChunks)
		h.u0 = 0
	}
}

// freeChunks releases every slice structure of h.
func (t *Tree) freeChunks(h *nodeHdr) {
	ct, ents := t.chunkTable(h)
	if ct != nil {
		for i := range ents {
			if ents[i].slices != 0 {
				t.a.Free(ents[i].slices, int(ents[i].cap)*sliceRecSize, arena.PChunks)
			}
		}
		t.a.Free(arena.Ref(h.u0), ctHdrSize+int(ct.cap)*chunkEntSize, arena.PChunks)
	}
	h.u0, h.u1 = 0, 0
	h.flags &^= fCompact
}

// normalize returns a table holding one whole-file slice to the compact form.
func (t *Tree) normalize(h *nodeHdr) {
	ct, ents := t.chunkTable(h)
	if ct == nil || ct.n != 1 || ents[0].idx != 0 || ents[0].n != 1 {
		return
	}
	s := t.sliceList(&ents[0])[0]
	if s.pos != 0 || s.off != 0 || s.id == 0 || uint64(s.len) != h.size || s.size != s.len {
		return
	}
	t.freeChunks(h)
	h.flags |= fCompact
	h.u1 = s.id
}

func (t *Tree) setSize(h *nodeHdr, size uint64) {
	t.usedSpace += align4k(size) - align4k(h.size)
	h.size = size
}

// truncate sets a regular file's size, dropping or clipping slices beyond it.
func (t *Tree) truncate(h *nodeHdr, size uint64) Errno {
	if size == h.size {
		return 0
	}
	if e := t.expand(h); e != 0 {
		return e
	}
	if size < h.size {
		last := uint32(size / ChunkSize)
		rem := uint32(size % ChunkSize)
		_, ents := t.chunkTable(h)
		var drop []uint32
		for i := range ents {
			ce := &ents[i]
			switch {
			case ce.idx > last || (ce.idx == last && rem == 0):
				drop = append(drop, ce.idx)
			case ce.idx == last:
				ss := t.sliceList(ce)
				k := 0
				for _, s := range ss {
					if s.pos >= rem {
						continue
					}
					if s.pos+s.len > rem {
						s.len = rem - s.pos
					}
					ss[k] = s
					k++
				}
				ce.n = uint32(k)
				if k == 0 {
					drop = append(drop, ce.idx)
				}
			}
		}
		for _, idx := range drop {
			t.dropChunk(h, idx)
		}
	}
	t.setSize(h, size)
	t.normalize(h)
	return 0
}

func (t *Tree) regular(ino Ino) (*nodeHdr, Errno) {
	h := t.getNode(ino)
	if h == nil {
		return nil, ENOENT
	}
	switch t.mode(h) & S_IFMT {
	case S_IFREG:
		return h, 0
	case S_IFDIR:
		return nil, EISDIR
	}
	return nil, EINVAL
}

func checkSlice(s Slice) Errno {
	if s.Len == 0 || uint64(s.Off)+uint64(s.Len) > uint64(s.Size) || uint64(s.Pos)+uint64(s.Len) > ChunkSize {
		return EINVAL
	}
	return 0
}

func (t *Tree) WriteSlice(c *Caller, now int64, ino Ino, chunk uint32, s Slice) (Attr, Errno) {
	if e := checkSlice(s); e != 0 {
		return Attr{}, e
	}
	end := uint64(chunk)*ChunkSize + uint64(s.Pos) + uint64(s.Len)
	if end > MaxFileSize {
		return Attr{}, EFBIG
	}
	if !t.wlock() {
		return Attr{}, EClosed
	}
	defer t.mu.unlock()
	h, e := t.regular(ino)
	if e != 0 {
		return Attr{}, e
	}
	if immutable(h) {
		return Attr{}, EPERM
	}
	if h.u0 == 0 && h.flags&fCompact == 0 && h.size == 0 && chunk == 0 && s.Pos == 0 && s.Off == 0 && s.Len == s.Size && s.ID != 0 {
		h.flags |= fCompact
		h.u1 = s.ID
	} else {
		if e := t.expand(h); e != 0 {
			return Attr{}, e
		}
		if e := t.appendSlice(h, chunk, toRec(s)); e != 0 {
			return Attr{}, e
		}
	}
	if end > h.size {
		t.setSize(h, end)
	}
	t.normalize(h)
	t.sawSlice(s.ID)
	h.mtime, h.ctime = now, now
	return t.attrOf(h), 0
}

// sawSlice keeps the slice counter above every id in use, whoever chose it.
func (t *Tree) sawSlice(id uint64) {
	if id >= t.nextSlice {
		t.nextSlice = id + 1
	}
}

// slicesOf returns chunk idx's slices as stored (the compact form expanded).
func (t *Tree) slicesOf(h *nodeHdr, idx uint32) []Slice {
	if h.flags&fCompact != 0 {
		if idx != 0 || h.size == 0 {
			return nil
		}
		return []Slice{{Pos: 0, ID: h.u1, Size: uint32(h.size), Off: 0, Len: uint32(h.size)}}
	}
	ce := t.findChunk(h, idx)
	if ce == nil {
		return nil
	}
	ss := t.sliceList(ce)
	out := make([]Slice, len(ss))
	for i, s := range ss {
		out[i] = s.slice()
	}
	return out
}

func (t *Tree) ReadChunk(c *Caller, ino Ino, chunk uint32) ([]Slice, Errno) {
	s, ok := t.rlock()
	if !ok {
		return nil, EClosed
	}
	defer t.mu.runlock(s)
	h, e := t.regular(ino)
	if e != 0 {
		return nil, e
	}
	base := uint64(chunk) * ChunkSize
	out := t.slicesOf(h, chunk)[:0:0]
	for _, s := range t.slicesOf(h, chunk) {
		if base+uint64(s.Pos) >= h.size {
			continue
		}
		if base+uint64(s.Pos)+uint64(s.Len) > h.size {
			s.Len = uint32(h.size - base - uint64(s.Pos))
		}
		out = append(out, s)
	}
	return out, 0
}

// covered reports which slices of ss later slices cover entirely.
func covered(ss []Slice) []bool {
	out := make([]bool, len(ss))
	type iv struct{ a, b uint64 }
	var union []iv // sorted, disjoint
	for i := len(ss) - 1; i >= 0; i-- {
		a, b := uint64(ss[i].Pos), uint64(ss[i].Pos)+uint64(ss[i].Len)
		for _, u := range union {
			if u.a <= a && b <= u.b {
				out[i] = true
				break
			}
		}
		// merge [a,b) into union
		var merged []iv
		placed := false
		for _, u := range union {
			switch {
			case u.b < a:
				merged = append(merged, u)
			case b < u.a:
				if !placed {
					merged = append(merged, iv{a, b})
					placed = true
				}
				merged = append(merged, u)
			default:
				a, b = min(a, u.a), max(b, u.b)
			}
		}
		if !placed {
			merged = append(merged, iv{a, b})
		}
		union = merged
	}
	return out
}

func (t *Tree) CompactChunk(c *Caller, ino Ino, chunk uint32, replaced []Slice, with Slice) ([]Slice, Errno) {
	if !t.wlock() {
		return nil, EClosed
	}
	defer t.mu.unlock()
	h, e := t.regular(ino)
	if e != 0 {
		return nil, e
	}
	cur := t.slicesOf(h, chunk)
	var keep, dropped []Slice
	if len(replaced) == 0 {
		cov := covered(cur)
		for i, s := range cur {
			if cov[i] {
				dropped = append(dropped, s)
			} else {
				keep = append(keep, s)
			}
		}
		if len(dropped) == 0 {
			return nil, 0
		}
	} else {
		if len(replaced) > len(cur) {
			return nil, EAGAIN
		}
		for i := range replaced {
			if replaced[i] != cur[i] {
				return nil, EAGAIN
			}
		}
		if e := checkSlice(with); e != 0 {
			return nil, e
		}
		dropped = append(dropped, replaced...)
		keep = append([]Slice{with}, cur[len(replaced):]...)
		t.sawSlice(with.ID)
	}
	if e := t.setChunk(h, chunk, keep); e != 0 {
		return nil, e
	}
	t.normalize(h)
	return dropped, 0
}

// setChunk replaces chunk idx's list with ss (ENOSPC changes nothing
// visible).
func (t *Tree) setChunk(h *nodeHdr, idx uint32, ss []Slice) Errno {
	if e := t.expand(h); e != 0 {
		return e
	}
	ce := t.findChunk(h, idx)
	if ce != nil && uint32(len(ss)) <= ce.cap && len(ss) > 0 {
		list := unsafe.Slice((*sliceRec)(t.a.Ptr(ce.slices)), ce.cap)
		for i, s := range ss {
			list[i] = toRec(s)
		}
		ce.n = uint32(len(ss))
		return 0
	}
	if ce != nil {
		t.dropChunk(h, idx)
	}
	for _, s := range ss {
		if e := t.appendSlice(h, idx, toRec(s)); e != 0 {
			return e
		}
	}
	return 0
}

func (t *Tree) Fallocate(c *Caller, now int64, ino Ino, mode uint32, off, length uint64) (Attr, Errno) {
	if mode&^(FallocKeepSize|FallocPunchHole|FallocZeroRange) != 0 ||
		(mode&FallocPunchHole != 0 && mode&FallocKeepSize == 0) ||
		(mode&FallocPunchHole != 0 && mode&FallocZeroRange != 0) || length == 0 {
		return Attr{}, EINVAL
	}
	if off > MaxFileSize || length > MaxFileSize-off {
		return Attr{}, EFBIG
	}
	if !t.wlock() {
		return Attr{}, EClosed
	}
	defer t.mu.unlock()
	h, e := t.regular(ino)
	if e != 0 {
		return Attr{}, e
	}
	if e := t.may(c, h, W_OK); e != 0 {
		return Attr{}, e
	}
	hole := mode&(FallocPunchHole|FallocZeroRange) != 0
	if immutable(h) || (appendOnly(h) && hole) {
		return Attr{}, EPERM
	}
	end := off + length
	changed := false
	if hole {
		hend := end
		if mode&FallocKeepSize != 0 && hend > h.size {
			hend = h.size
		}
		if off < hend {
			if e := t.writeHole(h, off, hend); e != 0 {
				return Attr{}, e
			}
			changed = true
		}
	}
	if mode&FallocKeepSize == 0 && end > h.size {
		if e := t.truncate(h, end); e != 0 {
			return Attr{}, e
		}
		changed = true
	}
	if changed {
		h.mtime, h.ctime = now, now
	}
	return t.attrOf(h), 0
}

// writeHole writes hole slices over [off, end) of h (end <= size).
func (t *Tree) writeHole(h *nodeHdr, off, end uint64) Errno {
	if e := t.expand(h); e != 0 {
		return e
	}
	for off < end {
		idx := uint32(off / ChunkSize)
		pos := uint32(off % ChunkSize)
		n := uint64(ChunkSize - pos)
		if off+n > end {
			n = end - off
		}
		if e := t.appendSlice(h, idx, sliceRec{pos: pos, size: uint32(n), len: uint32(n)}); e != 0 {
			return e
		}
		off += n
	}
	return 0
}
