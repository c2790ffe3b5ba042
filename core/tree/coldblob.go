package tree

import (
	"encoding/binary"
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/meta"
)

// What a cold entry's record points to moves into its block too: a file's
// data map and a symlink's target become the entry's Extra (core/compact's
// opaque column), and their arena objects are freed; thawing allocates them
// again. The Extra starts with a kind byte:
//
//	1 data map, as uvarints: stored chunk entries c, slices s, then c x
//	  {chunk index delta, first-slice delta}, then s x {form, [pos],
//	  [off], [size], len, [zigzag(id - previous id - 1)]}; the form says
//	  which of the bracketed fields are absent because they take their
//	  usual value (sliceForm*). The first slice's "previous id" is the
//	  entry's Data - 1: a data map's entry carries its first slice id as
//	  Data, which the block delta-codes against the entry before (slice ids
//	  of files written one after the other run on). The blob's fixed-width
//	  layout (chunks.go) costs 24 bytes a slice; this about 4.
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

// The form byte of a slice in a data map's Extra.
const (
	sliceAtZero  = 1 << iota // pos is 0 (not stored)
	sliceAtEnd               // pos is the previous slice's pos + len (not stored)
	sliceOff                 // off is stored (else 0)
	sliceSize                // size is stored (else len)
	sliceID                  // id is stored (else the previous id + 1)
	sliceFormMax = 1<<iota - 1
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
	switch t.mode(h) & meta.S_IFMT {
	case meta.S_IFREG:
		return h.data != 0 && h.flags&fCompact == 0
	case meta.S_IFLNK:
		return h.data != 0
	}
	return false
}

// dataExtra returns the Extra of node h (movesToBlock), the entry's Data
// (a data map's first slice id, else 0), and the size and purpose of the
// arena object the Extra replaces.
func (t *Tree) dataExtra(h *nodeHdr) ([]byte, uint64, int, arena.Purpose) {
	if t.mode(h)&meta.S_IFMT == meta.S_IFLNK {
		x := append(make([]byte, 0, 1+h.size), extraSymlink)
		return append(x, t.a.Bytes(arena.Ref(h.data), int(h.size))...), 0, int(h.size), arena.PSymlink
	}
	dir, sl, size := t.blobN(h)
	nc := int(*(*uint32)(t.a.Ptr(arena.Ref(h.data))))
	x := make([]byte, 0, 8+5*len(sl))
	x = append(x, extraDataMap)
	x = binary.AppendUvarint(x, uint64(nc))
	x = binary.AppendUvarint(x, uint64(len(sl)))
	var prevIdx, prevFirst uint32
	for _, d := range dir[:nc] {
		x = binary.AppendUvarint(x, uint64(d.idx-prevIdx))
		x = binary.AppendUvarint(x, uint64(d.first-prevFirst))
		prevIdx, prevFirst = d.idx, d.first
	}
	var first uint64
	if len(sl) > 0 {
		first = sl[0].id
	}
	prevID, end := first-1, uint32(0)
	for _, s := range sl {
		form := byte(0)
		switch s.pos {
		case 0:
			form |= sliceAtZero
		case end:
			form |= sliceAtEnd
		}
		if s.off != 0 {
			form |= sliceOff
		}
		if s.size != s.len {
			form |= sliceSize
		}
		if s.id != prevID+1 {
			form |= sliceID
		}
		x = append(x, form)
		if form&(sliceAtZero|sliceAtEnd) == 0 {
			x = binary.AppendUvarint(x, uint64(s.pos))
		}
		if form&sliceOff != 0 {
			x = binary.AppendUvarint(x, uint64(s.off))
		}
		if form&sliceSize != 0 {
			x = binary.AppendUvarint(x, uint64(s.size))
		}
		x = binary.AppendUvarint(x, uint64(s.len))
		if form&sliceID != 0 {
			d := int64(s.id - prevID - 1)
			x = binary.AppendUvarint(x, uint64(d<<1^d>>63))
		}
		prevID, end = s.id, s.pos+s.len
	}
	return x, first, size, arena.PChunks
}

// extraBytes returns the arena form of an Extra (a blob or a target) of an
// entry whose Data is data, its purpose, and false if the Extra is
// malformed (a corrupt block: fsck says so).
func extraBytes(x []byte, data uint64) ([]byte, arena.Purpose, bool) {
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
	if !ok || ns == 0 || nc > ns || uint64(len(r)) < nc*2+ns*2 {
		return nil, 0, false
	}
	b := make([]byte, blobSize(int(nc), int(ns)))
	binary.LittleEndian.PutUint32(b, uint32(nc))
	binary.LittleEndian.PutUint32(b[4:], uint32(ns))
	off := blobHdrSize
	var idx, first uint64
	for i := uint64(0); i < nc; i++ {
		idx += next(1 << 32)
		first += next(1 << 32)
		binary.LittleEndian.PutUint32(b[off:], uint32(idx))
		binary.LittleEndian.PutUint32(b[off+4:], uint32(first))
		off += chunkDirSize
	}
	const max32 = 1<<32 - 1
	id, end := data-1, uint64(0)
	for i := uint64(0); i < ns && ok; i++ {
		if len(r) == 0 || r[0] > sliceFormMax || r[0]&(sliceAtZero|sliceAtEnd) == sliceAtZero|sliceAtEnd {
			return nil, 0, false
		}
		form := r[0]
		r = r[1:]
		var pos, soff, size, l uint64
		switch {
		case form&sliceAtZero != 0:
		case form&sliceAtEnd != 0:
			pos = end
		default:
			pos = next(max32)
		}
		if form&sliceOff != 0 {
			soff = next(max32)
		}
		if form&sliceSize != 0 {
			size = next(max32)
		}
		l = next(max32)
		if form&sliceSize == 0 {
			size = l
		}
		id++
		if form&sliceID != 0 {
			z := next(^uint64(0))
			id += uint64(int64(z>>1) ^ -int64(z&1))
		}
		if pos > max32 {
			return nil, 0, false
		}
		binary.LittleEndian.PutUint32(b[off:], uint32(pos))
		binary.LittleEndian.PutUint32(b[off+4:], uint32(size))
		binary.LittleEndian.PutUint32(b[off+8:], uint32(soff))
		binary.LittleEndian.PutUint32(b[off+12:], uint32(l))
		binary.LittleEndian.PutUint64(b[off+16:], id)
		off += sliceRecSize
		end = pos + l
	}
	if !ok || idx >= 1<<32 || first >= 1<<32 || len(r) != 0 {
		return nil, 0, false
	}
	return b, arena.PChunks, true
}
