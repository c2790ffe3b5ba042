package tree

import (
	"sort"
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/meta"
)

// File data map. A regular file is in one of three forms:
//
//   - empty: no slices (u0 = 0, no fCompact);
//
//   - compact: fCompact set, u1 = the id of one slice that covers the whole
//     file (Pos 0, Off 0, Len = Size = file size <= 64 MiB); nothing else is
//     stored;
//
//   - blob: u0 = ref of one object holding every chunk and slice, sized
//     exactly (rounded to its size class); a change that does not fit its
//     class writes a new blob.
//
//     0           nchunks u32
//     4           nslices u32
//     8           nchunks x {idx u32, first u32}  sorted by idx; chunk k's slices
//     are [first_k, first_k+1)
//     8+8*nchunks nslices x {pos u32, size u32, off u32, len u32, id u64}
const (
	blobHdrSize  = 8
	chunkDirSize = 8
	sliceRecSize = 24
)

// maxChunkIndex is the largest index a stored chunk can have (chunk indexes
// are uint32 in the API and the blob). A file may be larger (MaxFileSize is
// 2^62, 2^36 chunks): the chunks past this one are always empty.
const maxChunkIndex = 1<<32 - 1

type chunkDir struct {
	idx, first uint32
}

type sliceRec struct {
	pos, size, off, len uint32
	id                  uint64
}

// blobSize is the size of a blob with nc stored directory entries.
func blobSize(nc, ns int) int { return blobHdrSize + nc*chunkDirSize + ns*sliceRecSize }

// storedDir is how many directory entries a blob of these chunks stores.
func storedDir(nc int, firstIdx uint32) int {
	if nc == 1 && firstIdx == 0 {
		return 0
	}
	return nc
}

// chunk0Dir is the directory of a blob that stores none (read only).
var chunk0Dir = []chunkDir{{0, 0}}

// blob returns h's chunk directory and slices (views into arena memory;
// the directory may be the shared chunk0Dir: never write it) and the blob's
// size in bytes.
func (t *Tree) blob(h *nodeHdr) ([]chunkDir, []sliceRec) {
	dir, sl, _ := t.blobN(h)
	return dir, sl
}

func (t *Tree) blobN(h *nodeHdr) ([]chunkDir, []sliceRec, int) {
	if h.data == 0 || h.flags&fCompact != 0 {
		return nil, nil, 0
	}
	p := t.dataPtr(h)
	nc, ns := *(*uint32)(p), *(*uint32)(unsafe.Add(p, 4))
	dir := chunk0Dir
	if nc > 0 {
		dir = unsafe.Slice((*chunkDir)(unsafe.Add(p, blobHdrSize)), nc)
	}
	sl := unsafe.Slice((*sliceRec)(unsafe.Add(p, blobHdrSize+int(nc)*chunkDirSize)), ns)
	return dir, sl, blobSize(int(nc), int(ns))
}

// chunkSlices returns the slices of chunk k of the directory.
func chunkSlices(dir []chunkDir, sl []sliceRec, k int) []sliceRec {
	end := uint32(len(sl))
	if k+1 < len(dir) {
		end = dir[k+1].first
	}
	return sl[dir[k].first:end]
}

func toRec(s meta.Slice) sliceRec {
	return sliceRec{pos: s.Pos, size: s.Size, off: s.Off, len: s.Len, id: s.ID}
}
func (r sliceRec) slice() meta.Slice {
	return meta.Slice{Pos: r.pos, ID: r.id, Size: r.size, Off: r.off, Len: r.len}
}

// chunkView is one chunk while a blob is rebuilt.
type chunkView struct {
	idx uint32
	ss  []sliceRec
}

// views returns h's chunks (the compact form expanded), aliasing the blob.
func (t *Tree) views(h *nodeHdr) []chunkView {
	if h.flags&fCompact != 0 {
		sz := uint32(h.size)
		return []chunkView{{0, []sliceRec{{pos: 0, size: sz, off: 0, len: sz, id: h.data}}}}
	}
	dir, sl := t.blob(h)
	out := make([]chunkView, len(dir))
	for k := range dir {
		out[k] = chunkView{dir[k].idx, chunkSlices(dir, sl, k)}
	}
	return out
}

// store writes cs (sorted, possibly aliasing the old blob) as h's data map:
// a new exact blob, then the old one is freed. Empty chunks are left out.
// ENOSPC changes nothing.
func (t *Tree) store(h *nodeHdr, cs []chunkView) meta.Errno {
	nc, ns := 0, 0
	for _, c := range cs {
		if len(c.ss) > 0 {
			nc++
			ns += len(c.ss)
		}
	}
	var nr arena.Ref
	if nc > 0 {
		var first uint32
		for _, c := range cs {
			if len(c.ss) > 0 {
				first = c.idx
				break
			}
		}
		sd := storedDir(nc, first)
		var err error
		if nr, err = t.a.Alloc(blobSize(sd, ns), arena.PChunks); err != nil {
			return meta.ENOSPC
		}
		p := t.a.Ptr(nr)
		*(*uint32)(p), *(*uint32)(unsafe.Add(p, 4)) = uint32(sd), uint32(ns)
		dir := unsafe.Slice((*chunkDir)(unsafe.Add(p, blobHdrSize)), sd)
		sl := unsafe.Slice((*sliceRec)(unsafe.Add(p, blobHdrSize+sd*chunkDirSize)), ns)
		k, n := 0, 0
		for _, c := range cs {
			if len(c.ss) == 0 {
				continue
			}
			if sd > 0 {
				dir[k] = chunkDir{c.idx, uint32(n)}
			}
			n += copy(sl[n:], c.ss)
			k++
		}
	}
	t.freeChunks(h)
	h.data = uint64(nr)
	return 0
}

// expand turns the compact form into a blob (ENOSPC changes nothing).
func (t *Tree) expand(h *nodeHdr) meta.Errno {
	if h.flags&fCompact == 0 {
		return 0
	}
	cs := t.views(h)
	h.flags &^= fCompact
	id := h.data
	h.data = 0
	if e := t.store(h, cs); e != 0 {
		h.flags |= fCompact
		h.data = id
		return e
	}
	return 0
}

// appendSlice adds s at the end of chunk idx's list, creating the chunk.
// Appending to the last chunk happens in place when the blob's size class
// has room.
func (t *Tree) appendSlice(h *nodeHdr, idx uint32, s sliceRec) meta.Errno {
	if e := t.expand(h); e != 0 {
		return e
	}
	dir, sl, size := t.blobN(h)
	nc, ns := len(dir), len(sl)
	if nc > 0 && dir[nc-1].idx == idx && arena.ClassSize(size+sliceRecSize) == arena.ClassSize(size) {
		p := t.a.Ptr(arena.Ref(h.data))
		*(*uint32)(unsafe.Add(p, 4)) = uint32(ns + 1)
		_, sl = t.blob(h)
		sl[ns] = s
		return 0
	}
	cs := t.views(h)
	k := 0
	for k < len(cs) && cs[k].idx < idx {
		k++
	}
	if k < len(cs) && cs[k].idx == idx {
		ss := make([]sliceRec, len(cs[k].ss)+1)
		copy(ss, cs[k].ss)
		ss[len(ss)-1] = s
		cs[k].ss = ss
	} else {
		cs = append(cs, chunkView{})
		copy(cs[k+1:], cs[k:])
		cs[k] = chunkView{idx, []sliceRec{s}}
	}
	return t.store(h, cs)
}

// freeChunks releases h's data map.
func (t *Tree) freeChunks(h *nodeHdr) {
	if h.flags&fCompact != 0 {
		h.flags &^= fCompact
	} else if h.data != 0 {
		_, _, size := t.blobN(h)
		t.a.Free(arena.Ref(h.data), size, arena.PChunks)
	}
	h.data = 0
}

// normalize returns a blob holding one whole-file slice to the compact form.
func (t *Tree) normalize(h *nodeHdr) {
	dir, sl := t.blob(h)
	if len(dir) != 1 || dir[0].idx != 0 || len(sl) != 1 {
		return
	}
	s := sl[0]
	if s.pos != 0 || s.off != 0 || s.id == 0 || uint64(s.len) != h.size || s.size != s.len {
		return
	}
	t.freeChunks(h)
	h.flags |= fCompact
	h.data = s.id
}

func (t *Tree) setSize(h *nodeHdr, size uint64) {
	t.usedSpace += align4k(size) - align4k(h.size)
	h.size = size
}

// truncate sets a regular file's size, dropping or clipping slices beyond it.
func (t *Tree) truncate(h *nodeHdr, size uint64) meta.Errno {
	if size == h.size {
		return 0
	}
	if size < h.size && (h.data != 0 || h.flags&fCompact != 0) {
		// The last chunk index can pass 2^32 (sizes up to 2^62): compare
		// in 64 bits, never wrapped to a stored index.
		last := size / meta.ChunkSize
		rem := uint32(size % meta.ChunkSize)
		var cs []chunkView
		for _, c := range t.views(h) {
			if uint64(c.idx) > last || (uint64(c.idx) == last && rem == 0) {
				continue
			}
			if uint64(c.idx) == last {
				var ss []sliceRec
				for _, s := range c.ss {
					if s.pos >= rem {
						continue
					}
					if s.pos+s.len > rem {
						s.len = rem - s.pos
					}
					ss = append(ss, s)
				}
				c.ss = ss
			}
			cs = append(cs, c)
		}
		compact, id := h.flags&fCompact != 0, h.data
		if compact { // cs holds the expanded slice: drop the compact form
			h.flags &^= fCompact
			h.data = 0
		}
		if e := t.store(h, cs); e != 0 {
			if compact {
				h.flags |= fCompact
				h.data = id
			}
			return e
		}
	} else if e := t.expand(h); e != 0 {
		return e
	}
	t.setSize(h, size)
	t.normalize(h)
	return 0
}

func (t *Tree) regular(ino meta.Ino) (*nodeHdr, meta.Errno) {
	h := t.getNode(ino)
	if h == nil {
		return nil, meta.ENOENT
	}
	switch t.mode(h) & meta.S_IFMT {
	case meta.S_IFREG:
		return h, 0
	case meta.S_IFDIR:
		return nil, meta.EISDIR
	}
	return nil, meta.EINVAL
}

func checkSlice(s meta.Slice) meta.Errno {
	if s.Len == 0 || uint64(s.Off)+uint64(s.Len) > uint64(s.Size) || uint64(s.Pos)+uint64(s.Len) > meta.ChunkSize ||
		s.ID == ^uint64(0) {
		return meta.EINVAL
	}
	return 0
}

func (t *Tree) WriteSlice(c *meta.Caller, now int64, ino meta.Ino, chunk uint32, s meta.Slice) (meta.Attr, meta.Errno) {
	if e := checkSlice(s); e != 0 {
		return meta.Attr{}, e
	}
	end := uint64(chunk)*meta.ChunkSize + uint64(s.Pos) + uint64(s.Len)
	if end > meta.MaxFileSize {
		return meta.Attr{}, meta.EFBIG
	}
	if !t.wlock() {
		return meta.Attr{}, meta.EClosed
	}
	defer t.wunlock()
	h, e := t.regular(ino)
	if e != 0 {
		return meta.Attr{}, e
	}
	if immutable(h) {
		return meta.Attr{}, meta.EPERM
	}
	if h.data == 0 && h.flags&fCompact == 0 && h.size == 0 && chunk == 0 && s.Pos == 0 && s.Off == 0 && s.Len == s.Size && s.ID != 0 {
		h.flags |= fCompact
		h.data = s.ID
	} else if e := t.appendSlice(h, chunk, toRec(s)); e != 0 {
		return meta.Attr{}, e
	}
	if end > h.size {
		t.setSize(h, end)
	}
	t.normalize(h)
	t.sawSlice(s.ID)
	t.dropSetID(c, h)
	h.mtime, h.ctime = now, now
	return t.attrOf(h), 0
}

// dropSetID clears the set-id bits a write by c clears on Linux (killSuid
// of a truncation: non-root callers, regular files).
func (t *Tree) dropSetID(c *meta.Caller, h *nodeHdr) {
	tr := t.triple(h)
	if kill := killSuid(c, uint32(tr.mode), tr.gid, false); kill != 0 {
		tr.mode &^= uint16(kill)
		t.setTriple(h, tr)
	}
}

// sawSlice keeps the slice counter above every id in use, whoever chose it.
func (t *Tree) sawSlice(id uint64) {
	if id >= t.nextSlice {
		t.nextSlice = id + 1
	}
}

// slicesOf returns chunk idx's slices as stored (the compact form expanded).
func (t *Tree) slicesOf(h *nodeHdr, idx uint32) []meta.Slice {
	if h.flags&fCompact != 0 {
		if idx != 0 || h.size == 0 {
			return nil
		}
		return []meta.Slice{{Pos: 0, ID: h.data, Size: uint32(h.size), Off: 0, Len: uint32(h.size)}}
	}
	dir, sl := t.blob(h)
	lo, hi := 0, len(dir)
	for lo < hi {
		m := (lo + hi) / 2
		if dir[m].idx < idx {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == len(dir) || dir[lo].idx != idx {
		return nil
	}
	ss := chunkSlices(dir, sl, lo)
	out := make([]meta.Slice, len(ss))
	for i, s := range ss {
		out[i] = s.slice()
	}
	return out
}

// ChunkIndexes returns, in increasing order, the indexes of regular file
// ino's chunks that hold slices (hot, compact or cold alike): ReadChunk of
// any other index returns no slices. Its cost follows the chunks the file
// has, not its size. Errors: ENOENT, EISDIR, EINVAL (not a regular file).
func (t *Tree) ChunkIndexes(c *meta.Caller, ino meta.Ino) ([]uint32, meta.Errno) {
	s, ok := t.rlock()
	if !ok {
		return nil, meta.EClosed
	}
	defer t.mu.runlock(s)
	h, e := t.regular(ino)
	if e != 0 {
		return nil, e
	}
	return t.chunkIndexes(h), 0
}

// chunkIndexes lists h's stored chunks (every one holds a slice, fsck
// checks it, and each lies below the size).
func (t *Tree) chunkIndexes(h *nodeHdr) []uint32 {
	if h.flags&fCompact != 0 {
		if h.size == 0 {
			return nil
		}
		return []uint32{0}
	}
	dir, _ := t.blob(h) // a scratch record's map too (dataPtr)
	out := make([]uint32, len(dir))
	for k, d := range dir {
		out[k] = d.idx
	}
	return out
}

func (t *Tree) ReadChunk(c *meta.Caller, ino meta.Ino, chunk uint32) ([]meta.Slice, meta.Errno) {
	s, ok := t.rlock()
	if !ok {
		return nil, meta.EClosed
	}
	defer t.mu.runlock(s)
	h, e := t.regular(ino)
	if e != 0 {
		return nil, e
	}
	return clipSlices(t.slicesOf(h, chunk), chunk, h.size), 0
}

// clipSlices cuts a chunk's slices to the file size (dropping those wholly
// beyond it).
func clipSlices(ss []meta.Slice, chunk uint32, size uint64) []meta.Slice {
	base := uint64(chunk) * meta.ChunkSize
	out := ss[:0]
	for _, s := range ss {
		if base+uint64(s.Pos) >= size {
			continue
		}
		if base+uint64(s.Pos)+uint64(s.Len) > size {
			s.Len = uint32(size - base - uint64(s.Pos))
		}
		out = append(out, s)
	}
	return out
}

// covered reports which slices of ss later slices cover entirely.
func covered(ss []meta.Slice) []bool {
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

func (t *Tree) CompactChunk(c *meta.Caller, ino meta.Ino, chunk uint32, replaced []meta.Slice, with meta.Slice) ([]meta.Slice, meta.Errno) {
	if !t.wlock() {
		return nil, meta.EClosed
	}
	defer t.wunlock()
	h, e := t.regular(ino)
	if e != 0 {
		return nil, e
	}
	cur := t.slicesOf(h, chunk)
	var keep, dropped []meta.Slice
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
			return nil, meta.EAGAIN
		}
		for i := range replaced {
			if replaced[i] != cur[i] {
				return nil, meta.EAGAIN
			}
		}
		if e := checkSlice(with); e != 0 {
			return nil, e
		}
		dropped = append(dropped, replaced...)
		keep = clipSlices(append([]meta.Slice{with}, cur[len(replaced):]...), chunk, h.size)
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
func (t *Tree) setChunk(h *nodeHdr, idx uint32, ss []meta.Slice) meta.Errno {
	recs := make([]sliceRec, len(ss))
	for i, s := range ss {
		recs[i] = toRec(s)
	}
	cs := t.views(h)
	k := 0
	for k < len(cs) && cs[k].idx < idx {
		k++
	}
	if k < len(cs) && cs[k].idx == idx {
		cs[k].ss = recs
	} else {
		cs = append(cs, chunkView{})
		copy(cs[k+1:], cs[k:])
		cs[k] = chunkView{idx, recs}
	}
	wasCompact, id := h.flags&fCompact != 0, h.data
	if wasCompact {
		h.flags &^= fCompact
		h.data = 0
	}
	if e := t.store(h, cs); e != 0 {
		if wasCompact {
			h.flags |= fCompact
			h.data = id
		}
		return e
	}
	return 0
}

func (t *Tree) Fallocate(c *meta.Caller, now int64, ino meta.Ino, mode uint32, off, length uint64) (meta.Attr, meta.Errno) {
	if mode&^(meta.FallocKeepSize|meta.FallocPunchHole|meta.FallocZeroRange) != 0 ||
		(mode&meta.FallocPunchHole != 0 && mode&meta.FallocKeepSize == 0) ||
		(mode&meta.FallocPunchHole != 0 && mode&meta.FallocZeroRange != 0) || length == 0 {
		return meta.Attr{}, meta.EINVAL
	}
	if off > meta.MaxFileSize || length > meta.MaxFileSize-off {
		return meta.Attr{}, meta.EFBIG
	}
	if !t.wlock() {
		return meta.Attr{}, meta.EClosed
	}
	defer t.wunlock()
	h, e := t.regular(ino)
	if e != 0 {
		return meta.Attr{}, e
	}
	if e := t.may(c, h, meta.W_OK); e != 0 {
		return meta.Attr{}, e
	}
	hole := mode&(meta.FallocPunchHole|meta.FallocZeroRange) != 0
	if immutable(h) || (appendOnly(h) && hole) {
		return meta.Attr{}, meta.EPERM
	}
	end := off + length
	changed := false
	if hole {
		hend := end
		if mode&meta.FallocKeepSize != 0 && hend > h.size {
			hend = h.size
		}
		if off < hend {
			if e := t.writeHole(h, off, hend); e != 0 {
				return meta.Attr{}, e
			}
			changed = true
		}
	}
	if mode&meta.FallocKeepSize == 0 && end > h.size {
		if e := t.truncate(h, end); e != 0 {
			return meta.Attr{}, e
		}
		changed = true
	}
	if changed {
		t.dropSetID(c, h)
		h.mtime, h.ctime = now, now
	}
	return t.attrOf(h), 0
}

// writeHole zeroes [off, end) of h in one rewrite of its data map: a chunk
// covered entirely loses its slices (an empty chunk reads as zeros), a chunk
// covered in part gets a hole slice (id 0). The cost follows the chunks the
// file has, not the length of the range.
func (t *Tree) writeHole(h *nodeHdr, off, end uint64) meta.Errno {
	// Chunk indexes here are 64-bit (offsets reach 2^62, indexes 2^36);
	// a stored chunk's index fits 32 bits (WriteSlice takes a uint32), so a
	// chunk past 2^32-1 never holds slices and reads as zeros already: it
	// gets no hole slice.
	fc, lc := off/meta.ChunkSize, (end-1)/meta.ChunkSize
	hole := func(a, b uint64) sliceRec { // [a, b) inside one chunk
		return sliceRec{pos: uint32(a % meta.ChunkSize), size: uint32(b - a), len: uint32(b - a)}
	}
	var partial []chunkView // hole slices for partly covered chunks
	addPartial := func(idx, a, b uint64) {
		if idx <= maxChunkIndex {
			partial = append(partial, chunkView{uint32(idx), []sliceRec{hole(a, b)}})
		}
	}
	if fc == lc {
		if end-off < meta.ChunkSize {
			addPartial(fc, off, end)
		}
	} else {
		if off%meta.ChunkSize != 0 {
			addPartial(fc, off, (fc+1)*meta.ChunkSize)
		}
		if end%meta.ChunkSize != 0 {
			addPartial(lc, lc*meta.ChunkSize, end)
		}
	}
	var cs []chunkView
	for _, c := range t.views(h) {
		if uint64(c.idx) < fc || uint64(c.idx) > lc {
			cs = append(cs, c)
			continue
		}
		for _, p := range partial {
			if p.idx == c.idx {
				cs = append(cs, chunkView{c.idx, append(append([]sliceRec{}, c.ss...), p.ss...)})
			}
		}
	}
	for _, p := range partial { // partly covered chunks that had no slices
		found := false
		for _, c := range cs {
			found = found || c.idx == p.idx
		}
		if !found {
			cs = append(cs, p)
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].idx < cs[j].idx })
	wasCompact, id := h.flags&fCompact != 0, h.data
	if wasCompact {
		h.flags &^= fCompact
		h.data = 0
	}
	if e := t.store(h, cs); e != 0 {
		if wasCompact {
			h.flags |= fCompact
			h.data = id
		}
		return e
	}
	t.normalize(h)
	return 0
}
