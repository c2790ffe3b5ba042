package tree

import (
	"encoding/binary"
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	. "github.com/fsmeta/fsmeta/core/meta"
)

// What a cold entry's record points to moves into its block too: a file's
// data map and a symlink's target become the entry's Extra (core/compact's
// opaque column), and their arena objects are freed; thawing allocates them
// again. The Extra starts with a kind byte:
//
//	1 data map, as uvarints: stored chunk entries c, slices s, then c x
//	  {chunk index delta, first slice}, then s x {pos, size, off, len,
//	  zigzag(id - previous id)} (the blob's fixed-width layout, chunks.go,
//	  costs 24 bytes a slice; this, before compression, about 8)
//	2 symlink target, its bytes
//
// A scratch record (the read-side copy of a cold entry) holds the map or
// the target itself, after its name, in the arena's layout; its data field
// is then extData, which no arena ref can be, and dataPtr finds it there.
const (
	extData      = uint64(1) << 63
	extraDataMap = 1
	extraSymlink = 2
)

// dataPtr returns the address of h's data map or symlink target: in the
// arena, or inside h when h is the scratch record of a cold entry.
func (t *Tree) dataPtr(h *nodeHdr) unsafe.Pointer {
	if h.data == extData {
		return unsafe.Add(unsafe.Pointer(h), scratchDataOff(int(h.namelen)))
	}
	return t.a.Ptr(arena.Ref(h.data))
}

// symlinkTarget returns symlink h's target.
func (t *Tree) symlinkTarget(h *nodeHdr) string {
	return string(unsafe.Slice((*byte)(t.dataPtr(h)), int(h.size)))
}

func scratchDataOff(namelen int) int { return (nodeHdrSize + namelen + 7) &^ 7 }

// movesToBlock reports whether node h's data object goes into its block.
func (t *Tree) movesToBlock(h *nodeHdr) bool {
	switch t.mode(h) & S_IFMT {
	case S_IFREG:
		return h.data != 0 && h.flags&fCompact == 0
	case S_IFLNK:
		return h.data != 0
	}
	return false
}

// dataExtra returns the Extra of node h (movesToBlock), and the size and
// purpose of the arena object it replaces.
func (t *Tree) dataExtra(h *nodeHdr) ([]byte, int, arena.Purpose) {
	if t.mode(h)&S_IFMT == S_IFLNK {
		x := append(make([]byte, 0, 1+h.size), extraSymlink)
		return append(x, t.a.Bytes(arena.Ref(h.data), int(h.size))...), int(h.size), arena.PSymlink
	}
	dir, sl, size := t.blobN(h)
	nc := int(*(*uint32)(t.a.Ptr(arena.Ref(h.data))))
	x := make([]byte, 0, 8+10*len(sl))
	x = append(x, extraDataMap)
	x = binary.AppendUvarint(x, uint64(nc))
	x = binary.AppendUvarint(x, uint64(len(sl)))
	prev := uint32(0)
	for _, d := range dir[:nc] {
		x = binary.AppendUvarint(x, uint64(d.idx-prev))
		x = binary.AppendUvarint(x, uint64(d.first))
		prev = d.idx
	}
	var prevID uint64
	for _, s := range sl {
		x = binary.AppendUvarint(x, uint64(s.pos))
		x = binary.AppendUvarint(x, uint64(s.size))
		x = binary.AppendUvarint(x, uint64(s.off))
		x = binary.AppendUvarint(x, uint64(s.len))
		d := int64(s.id - prevID)
		x = binary.AppendUvarint(x, uint64(d<<1^d>>63))
		prevID = s.id
	}
	return x, size, arena.PChunks
}

// extraBytes returns the arena form of an Extra (a blob or a target), its
// purpose, and false if the Extra is malformed (a corrupt block: fsck says
// so).
func extraBytes(x []byte) ([]byte, arena.Purpose, bool) {
	if len(x) < 2 {
		return nil, 0, false
	}
	switch x[0] {
	case extraSymlink:
		return x[1:], arena.PSymlink, true
	case extraDataMap:
	default:
		return nil, 0, false
	}
	r := x[1:]
	ok := true
	next := func(max uint64) uint64 {
		v, n := binary.Uvarint(r)
		if n <= 0 || v > max {
			ok = false
			return 0
		}
		r = r[n:]
		return v
	}
	nc, ns := next(1<<20), next(1<<24)
	if !ok || ns == 0 || nc > ns || uint64(len(r)) < nc*2+ns*5 {
		return nil, 0, false
	}
	b := make([]byte, blobSize(int(nc), int(ns)))
	binary.LittleEndian.PutUint32(b, uint32(nc))
	binary.LittleEndian.PutUint32(b[4:], uint32(ns))
	off := blobHdrSize
	idx := uint64(0)
	for i := uint64(0); i < nc; i++ {
		idx += next(1 << 32)
		binary.LittleEndian.PutUint32(b[off:], uint32(idx))
		binary.LittleEndian.PutUint32(b[off+4:], uint32(next(1<<32-1)))
		off += chunkDirSize
	}
	var id uint64
	for i := uint64(0); i < ns; i++ {
		for k := 0; k < 4; k++ {
			binary.LittleEndian.PutUint32(b[off+4*k:], uint32(next(1<<32-1)))
		}
		z := next(^uint64(0))
		id += uint64(int64(z>>1) ^ -int64(z&1))
		binary.LittleEndian.PutUint64(b[off+16:], id)
		off += sliceRecSize
	}
	if !ok || idx >= 1<<32 || len(r) != 0 {
		return nil, 0, false
	}
	return b, arena.PChunks, true
}
