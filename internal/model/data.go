package model

import (
	"math"
	"sort"

	"github.com/fsmeta/fsmeta/core/meta"
)

// Opens, file data (chunks of slices) and fallocate.

// regular returns regular file ino: ENOENT, EISDIR, or EINVAL for other types.
func (m *Model) regular(ino meta.Ino) (*Node, meta.Errno) {
	n, e := m.node(ino)
	if e != 0 {
		return nil, e
	}
	switch {
	case n.isDir():
		return nil, meta.EISDIR
	case !n.isRegular():
		return nil, meta.EINVAL
	}
	return n, 0
}

// Open checks the access flags ask for and counts the open.
func (m *Model) Open(c *meta.Caller, now int64, ino meta.Ino, flags uint32) (meta.Attr, meta.Errno) {
	acc := flags & meta.O_ACCMODE
	if acc == 3 {
		return meta.Attr{}, meta.EINVAL
	}
	n, e := m.node(ino)
	if e != 0 {
		return meta.Attr{}, e
	}
	if n.Nlink == 0 && !n.isDir() && n.Opens == 0 {
		return meta.Attr{}, meta.ENOENT
	}
	write, trunc := acc != meta.O_RDONLY, flags&meta.O_TRUNC != 0
	if n.isDir() && (write || trunc) {
		return meta.Attr{}, meta.EISDIR
	}
	var mask uint32
	if acc != meta.O_WRONLY {
		mask |= meta.R_OK
	}
	if write || trunc {
		mask |= meta.W_OK
	}
	if e := may(c, n, mask); e != 0 {
		return meta.Attr{}, e
	}
	if (write || trunc) && immutable(n) {
		return meta.Attr{}, meta.EPERM
	}
	if appendOnly(n) && (write && flags&meta.O_APPEND == 0 || trunc) {
		return meta.Attr{}, meta.EPERM
	}
	if trunc && n.isRegular() {
		n.Mode &^= suidKill(c, n, false)
		truncate(n, 0)
		n.Mtime, n.Ctime = now, now
	}
	n.Opens++
	return m.attrOf(n), 0
}

// Release ends an open; the last one deletes an unlinked inode.
func (m *Model) Release(c *meta.Caller, ino meta.Ino) meta.Errno {
	n, e := m.node(ino)
	if e != 0 {
		return e
	}
	if n.Opens == 0 {
		return meta.EBADF
	}
	n.Opens--
	if n.Opens == 0 && !n.isDir() && n.Nlink == 0 {
		delete(m.nodes, ino)
	}
	return 0
}

// NewSliceID reserves n slice ids and returns the first.
func (m *Model) NewSliceID(c *meta.Caller, n uint32) (uint64, meta.Errno) {
	if n == 0 {
		return 0, meta.EINVAL
	}
	id := m.nextSlice
	m.nextSlice += uint64(n)
	return id, 0
}

// WriteSlice appends s to the list of chunk chunk of ino.
func (m *Model) WriteSlice(c *meta.Caller, now int64, ino meta.Ino, chunk uint32, s meta.Slice) (meta.Attr, meta.Errno) {
	if badSlice(s) {
		return meta.Attr{}, meta.EINVAL
	}
	end := uint64(chunk)*meta.ChunkSize + uint64(s.Pos) + uint64(s.Len)
	if end > meta.MaxFileSize {
		return meta.Attr{}, meta.EFBIG
	}
	n, e := m.regular(ino)
	if e != 0 {
		return meta.Attr{}, e
	}
	if immutable(n) {
		return meta.Attr{}, meta.EPERM
	}
	if n.Chunks == nil {
		n.Chunks = map[uint32][]meta.Slice{}
	}
	n.Chunks[chunk] = append(n.Chunks[chunk], s)
	m.sawSlice(s.ID)
	if end > n.Size {
		n.Size = end
	}
	n.Mode &^= suidKill(c, n, false) // as Linux's write
	n.Mtime, n.Ctime = now, now
	return m.attrOf(n), 0
}

// ReadChunk returns the slices of a chunk in write order, clipped to the size.
func (m *Model) ReadChunk(c *meta.Caller, ino meta.Ino, chunk uint32) ([]meta.Slice, meta.Errno) {
	n, e := m.regular(ino)
	if e != 0 {
		return nil, e
	}
	return clipList(n.Chunks[chunk], chunk, n.Size), 0
}

// CompactChunk rewrites a chunk's list (see docs/semantics.md).
func (m *Model) CompactChunk(c *meta.Caller, ino meta.Ino, chunk uint32, replaced []meta.Slice, with meta.Slice) ([]meta.Slice, meta.Errno) {
	n, e := m.regular(ino)
	if e != 0 {
		return nil, e
	}
	list := n.Chunks[chunk]
	if len(replaced) == 0 {
		var keep, dropped []meta.Slice
		for i, s := range list {
			if covered(s, list[i+1:]) {
				dropped = append(dropped, s)
			} else {
				keep = append(keep, s)
			}
		}
		setChunk(n, chunk, keep)
		return dropped, 0
	}
	if len(replaced) > len(list) {
		return nil, meta.EAGAIN
	}
	for i := range replaced {
		if list[i] != replaced[i] {
			return nil, meta.EAGAIN
		}
	}
	if badSlice(with) {
		return nil, meta.EINVAL
	}
	m.sawSlice(with.ID)
	out := append([]meta.Slice{with}, list[len(replaced):]...)
	setChunk(n, chunk, clipList(out, chunk, n.Size))
	return append([]meta.Slice{}, replaced...), 0
}

// sawSlice moves the slice counter past an id written that NewSliceID never
// handed out.
func (m *Model) sawSlice(id uint64) {
	if id >= m.nextSlice {
		m.nextSlice = id + 1
	}
}

func setChunk(n *Node, chunk uint32, list []meta.Slice) {
	if len(list) == 0 {
		delete(n.Chunks, chunk)
		return
	}
	n.Chunks[chunk] = list
}

// covered reports whether the later slices cover every byte of s.
func covered(s meta.Slice, later []meta.Slice) bool {
	type span struct{ a, b uint64 }
	var spans []span
	for _, l := range later {
		spans = append(spans, span{uint64(l.Pos), uint64(l.Pos) + uint64(l.Len)})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].a < spans[j].a })
	at, end := uint64(s.Pos), uint64(s.Pos)+uint64(s.Len)
	for _, sp := range spans {
		if at >= end {
			break
		}
		if sp.a > at {
			return false
		}
		if sp.b > at {
			at = sp.b
		}
	}
	return at >= end
}

// Fallocate reserves, punches a hole or zeroes a range.
func (m *Model) Fallocate(c *meta.Caller, now int64, ino meta.Ino, mode uint32, off, length uint64) (meta.Attr, meta.Errno) {
	keep, punch, zero := mode&meta.FallocKeepSize != 0, mode&meta.FallocPunchHole != 0, mode&meta.FallocZeroRange != 0
	switch {
	case mode&^(meta.FallocKeepSize|meta.FallocPunchHole|meta.FallocZeroRange) != 0, punch && !keep, punch && zero, length == 0:
		return meta.Attr{}, meta.EINVAL
	case off > meta.MaxFileSize || length > meta.MaxFileSize-off:
		return meta.Attr{}, meta.EFBIG
	}
	n, e := m.regular(ino)
	if e != 0 {
		return meta.Attr{}, e
	}
	if e := may(c, n, meta.W_OK); e != 0 {
		return meta.Attr{}, e
	}
	if immutable(n) || appendOnly(n) && (punch || zero) {
		return meta.Attr{}, meta.EPERM
	}
	end := off + length
	changed := false
	if punch || zero {
		if !keep && end > n.Size {
			n.Size, changed = end, true
		}
		if end > n.Size {
			end = n.Size
		}
		if off < end {
			writeHole(n, off, end)
			changed = true
		}
	} else if !keep && end > n.Size {
		n.Size, changed = end, true
	}
	if changed {
		n.Mode &^= suidKill(c, n, false) // as Linux's fallocate
		n.Mtime, n.Ctime = now, now
	}
	return m.attrOf(n), 0
}

// writeHole zeroes [off, end): a chunk it covers entirely loses its slices
// (an empty chunk reads as zeros); a chunk it covers in part gets a hole
// slice (id 0) over that part.
func writeHole(n *Node, off, end uint64) {
	if n.Chunks == nil {
		n.Chunks = map[uint32][]meta.Slice{}
	}
	for off < end {
		idx := off / meta.ChunkSize
		if idx > math.MaxUint32 {
			break // chunk indexes are uint32: chunks past them never hold slices
		}
		pos := off % meta.ChunkSize
		l := min(end-off, meta.ChunkSize-pos)
		if l == meta.ChunkSize {
			delete(n.Chunks, uint32(idx))
		} else {
			n.Chunks[uint32(idx)] = append(n.Chunks[uint32(idx)], meta.Slice{Pos: uint32(pos), Size: uint32(l), Len: uint32(l)})
		}
		off += l
	}
}
