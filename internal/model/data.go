package model

import (
	"math"
	"sort"

	. "github.com/fsmeta/fsmeta/core/meta"
)

// Opens, file data (chunks of slices) and fallocate.

// regular returns regular file ino: ENOENT, EISDIR, or EINVAL for other types.
func (m *Model) regular(ino Ino) (*Node, Errno) {
	n, e := m.node(ino)
	if e != 0 {
		return nil, e
	}
	switch {
	case n.isDir():
		return nil, EISDIR
	case !n.isRegular():
		return nil, EINVAL
	}
	return n, 0
}

// Open checks the access flags ask for and counts the open.
func (m *Model) Open(c *Caller, now int64, ino Ino, flags uint32) (Attr, Errno) {
	acc := flags & O_ACCMODE
	if acc == 3 {
		return Attr{}, EINVAL
	}
	n, e := m.node(ino)
	if e != 0 {
		return Attr{}, e
	}
	if n.Nlink == 0 && !n.isDir() && n.Opens == 0 {
		return Attr{}, ENOENT
	}
	write, trunc := acc != O_RDONLY, flags&O_TRUNC != 0
	if n.isDir() && (write || trunc) {
		return Attr{}, EISDIR
	}
	var mask uint32
	if acc != O_WRONLY {
		mask |= R_OK
	}
	if write || trunc {
		mask |= W_OK
	}
	if e := may(c, n, mask); e != 0 {
		return Attr{}, e
	}
	if (write || trunc) && immutable(n) {
		return Attr{}, EPERM
	}
	if appendOnly(n) && (write && flags&O_APPEND == 0 || trunc) {
		return Attr{}, EPERM
	}
	if trunc && n.isRegular() {
		truncate(n, 0)
		n.Mtime, n.Ctime = now, now
	}
	n.Opens++
	return m.attrOf(n), 0
}

// Release ends an open; the last one deletes an unlinked inode.
func (m *Model) Release(c *Caller, ino Ino) Errno {
	n, e := m.node(ino)
	if e != 0 {
		return e
	}
	if n.Opens == 0 {
		return EBADF
	}
	n.Opens--
	if n.Opens == 0 && !n.isDir() && n.Nlink == 0 {
		delete(m.nodes, ino)
	}
	return 0
}

// NewSliceID reserves n slice ids and returns the first.
func (m *Model) NewSliceID(c *Caller, n uint32) (uint64, Errno) {
	if n == 0 {
		return 0, EINVAL
	}
	id := m.nextSlice
	m.nextSlice += uint64(n)
	return id, 0
}

// WriteSlice appends s to the list of chunk chunk of ino.
func (m *Model) WriteSlice(c *Caller, now int64, ino Ino, chunk uint32, s Slice) (Attr, Errno) {
	if badSlice(s) {
		return Attr{}, EINVAL
	}
	end := uint64(chunk)*ChunkSize + uint64(s.Pos) + uint64(s.Len)
	if end > MaxFileSize {
		return Attr{}, EFBIG
	}
	n, e := m.regular(ino)
	if e != 0 {
		return Attr{}, e
	}
	if immutable(n) {
		return Attr{}, EPERM
	}
	if n.Chunks == nil {
		n.Chunks = map[uint32][]Slice{}
	}
	n.Chunks[chunk] = append(n.Chunks[chunk], s)
	m.sawSlice(s.ID)
	if end > n.Size {
		n.Size = end
	}
	n.Mtime, n.Ctime = now, now
	return m.attrOf(n), 0
}

// ReadChunk returns the slices of a chunk in write order, clipped to the size.
func (m *Model) ReadChunk(c *Caller, ino Ino, chunk uint32) ([]Slice, Errno) {
	n, e := m.regular(ino)
	if e != 0 {
		return nil, e
	}
	return clipList(n.Chunks[chunk], chunk, n.Size), 0
}

// CompactChunk rewrites a chunk's list (see docs/semantics.md).
func (m *Model) CompactChunk(c *Caller, ino Ino, chunk uint32, replaced []Slice, with Slice) ([]Slice, Errno) {
	n, e := m.regular(ino)
	if e != 0 {
		return nil, e
	}
	list := n.Chunks[chunk]
	if len(replaced) == 0 {
		var keep, dropped []Slice
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
		return nil, EAGAIN
	}
	for i := range replaced {
		if list[i] != replaced[i] {
			return nil, EAGAIN
		}
	}
	if badSlice(with) {
		return nil, EINVAL
	}
	m.sawSlice(with.ID)
	out := append([]Slice{with}, list[len(replaced):]...)
	setChunk(n, chunk, clipList(out, chunk, n.Size))
	return append([]Slice{}, replaced...), 0
}

// sawSlice moves the slice counter past an id written that NewSliceID never
// handed out.
func (m *Model) sawSlice(id uint64) {
	if id >= m.nextSlice {
		m.nextSlice = id + 1
	}
}

func setChunk(n *Node, chunk uint32, list []Slice) {
	if len(list) == 0 {
		delete(n.Chunks, chunk)
		return
	}
	n.Chunks[chunk] = list
}

// covered reports whether the later slices cover every byte of s.
func covered(s Slice, later []Slice) bool {
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
func (m *Model) Fallocate(c *Caller, now int64, ino Ino, mode uint32, off, length uint64) (Attr, Errno) {
	keep, punch, zero := mode&FallocKeepSize != 0, mode&FallocPunchHole != 0, mode&FallocZeroRange != 0
	switch {
	case mode&^(FallocKeepSize|FallocPunchHole|FallocZeroRange) != 0, punch && !keep, punch && zero, length == 0:
		return Attr{}, EINVAL
	case off > MaxFileSize || length > MaxFileSize-off:
		return Attr{}, EFBIG
	}
	n, e := m.regular(ino)
	if e != 0 {
		return Attr{}, e
	}
	if e := may(c, n, W_OK); e != 0 {
		return Attr{}, e
	}
	if immutable(n) || appendOnly(n) && (punch || zero) {
		return Attr{}, EPERM
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
		n.Mtime, n.Ctime = now, now
	}
	return m.attrOf(n), 0
}

// writeHole zeroes [off, end): a chunk it covers entirely loses its slices
// (an empty chunk reads as zeros); a chunk it covers in part gets a hole
// slice (id 0) over that part.
func writeHole(n *Node, off, end uint64) {
	if n.Chunks == nil {
		n.Chunks = map[uint32][]Slice{}
	}
	for off < end {
		idx := off / ChunkSize
		if idx > math.MaxUint32 {
			break // chunk indexes are uint32: chunks past them never hold slices
		}
		pos := off % ChunkSize
		l := min(end-off, ChunkSize-pos)
		if l == ChunkSize {
			delete(n.Chunks, uint32(idx))
		} else {
			n.Chunks[uint32(idx)] = append(n.Chunks[uint32(idx)], Slice{Pos: uint32(pos), Size: uint32(l), Len: uint32(l)})
		}
		off += l
	}
}
