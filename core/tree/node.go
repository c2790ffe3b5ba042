package tree

import (
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/meta"
)

// Records in arena memory. A directory entry is either a node record (the
// inode's attributes with its first name inline) or, for every further hard
// link, a link record (a name and an inode number). Both begin with the
// fields of entHdr, which is what a directory's hash chain walks.
//
//	node record (56 bytes + name)            link record (14 bytes + name)
//	 0 ino      u48  | attr u16 << 48           0 ino      u64
//	                 attr: (mode,uid,gid) id    8 next     ref
//	 8 next     ref  hash-chain successor      12 flags    u8 (fLink)
//	12 flags    u8                             13 namelen  u8
//	13 namelen  u8                             14 name ...
//	14 ext      u16  dir: buckets>>16
//	16 size     u64  file: size; symlink: target length;
//	                 dir: entries | subdirs<<29 | logb<<58 | migrating<<63
//	24 data     u64  file: compact slice id or data-map ref; symlink:
//	                 target ref; device: rdev; dir: parent ino | buckets<<48
//	32 atime    i64
//	40 mtime    i64
//	48 ctime    i64
//	56 name ...
//
// Rare values live in integer maps beside the records, flagged in the
// record: a link count other than 1 (fNlink: hard links, unlinked open
// files) and a dictionary id above 65,534 (fWideAttr). A node whose own name
// was removed while other links (or opens) remain is "detached": it stays in
// the inode table but in no chain.
type entHdr struct {
	inoAttr uint64 // inode number; a node record keeps its attr id in the top 16 bits
	next    arena.Ref
	flags   uint8
	namelen uint8
}

type nodeHdr struct {
	inoAttr uint64
	next    arena.Ref
	flags   uint8
	namelen uint8
	ext     uint16
	size    uint64
	data    uint64
	atime   int64
	mtime   int64
	ctime   int64
}

func (e *entHdr) inum() uint64  { return e.inoAttr & inoMask }
func (h *nodeHdr) inum() uint64 { return h.inoAttr & inoMask }
func (h *nodeHdr) attr() uint16 { return uint16(h.inoAttr >> 48) }
func (h *nodeHdr) setAttr(a uint16) {
	h.inoAttr = h.inoAttr&inoMask | uint64(a)<<48
}

const (
	nodeHdrSize = 56
	linkHdrSize = 14
	wideAttr    = 0xFFFF
	// MaxIno is the largest inode number a directory can record as parent.
	maxIno = 1<<48 - 1
	// maxDirEntries bounds a directory's entries (and subdirectories).
	maxDirEntries = 1<<29 - 1
)

// record flags
const (
	fLink      = 0x01 // a link record
	fDetached  = 0x02 // a node record in no chain
	fCompact   = 0x04 // data is the slice id of the compact small-file form
	fImmutable = 0x08
	fAppend    = 0x10
	fXattr     = 0x20 // has extended attributes
	fNlink     = 0x40 // link count in Tree.nlinks (not 1)
	fWideAttr  = 0x80 // dictionary id in Tree.wideAttrs
)

var _ [unsafe.Sizeof(nodeHdr{}) - nodeHdrSize]byte
var _ [nodeHdrSize - unsafe.Sizeof(nodeHdr{})]byte

func (t *Tree) ent(r arena.Ref) *entHdr   { return (*entHdr)(t.a.Ptr(r)) }
func (t *Tree) node(r arena.Ref) *nodeHdr { return (*nodeHdr)(t.a.Ptr(r)) }

func (e *entHdr) isLink() bool { return e.flags&fLink != 0 }

// name returns the entry's name bytes (valid while the record lives).
func (e *entHdr) name() []byte {
	off := nodeHdrSize
	if e.flags&fLink != 0 {
		off = linkHdrSize
	}
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(e), off)), e.namelen)
}

func recSize(link bool, namelen int) int {
	if link {
		return linkHdrSize + namelen
	}
	return nodeHdrSize + namelen
}

func recPurpose(link bool) arena.Purpose {
	if link {
		return arena.PLink
	}
	return arena.PNode
}

func (e *entHdr) size() int { return recSize(e.isLink(), int(e.namelen)) }

// attrTriple is one entry of the mode/uid/gid dictionary.
type attrTriple struct {
	mode uint16
	uid  uint32
	gid  uint32
}

func (t *Tree) triple(h *nodeHdr) attrTriple {
	if a := h.attr(); a != wideAttr {
		return t.attrs[a]
	}
	return t.attrs[t.wideAttrs[meta.Ino(h.inum())]]
}

func (t *Tree) setTriple(h *nodeHdr, a attrTriple) { t.setAttrID(h, t.attrID(a)) }

// setAttrID gives h the dictionary id id.
func (t *Tree) setAttrID(h *nodeHdr, id uint32) {
	ino := meta.Ino(h.inum())
	if id < coldMark { // coldMark and above go to the side map (coldlayout.go)
		h.setAttr(uint16(id))
		if h.flags&fWideAttr != 0 {
			h.flags &^= fWideAttr
			delete(t.wideAttrs, ino)
		}
		return
	}
	h.setAttr(wideAttr)
	h.flags |= fWideAttr
	t.wideAttrs[ino] = id
}

// attrID returns the dictionary id of a triple, adding it if new.
func (t *Tree) attrID(a attrTriple) uint32 {
	if t.lastAttr == a && t.lastAttrID < uint32(len(t.attrs)) {
		return t.lastAttrID // most changes reuse the previous triple
	}
	if id, ok := t.attrIdx[a]; ok {
		t.lastAttr, t.lastAttrID = a, id
		return id
	}
	id := uint32(len(t.attrs))
	t.attrs = append(t.attrs, a)
	t.attrIdx[a] = id
	return id
}

func (t *Tree) mode(h *nodeHdr) uint32 { return uint32(t.triple(h).mode) }

// nlink is a non-directory's link count.
func (t *Tree) nlink(h *nodeHdr) uint32 {
	if h.flags&fNlink != 0 {
		return t.nlinks[meta.Ino(h.inum())]
	}
	return 1
}

func (t *Tree) setNlink(h *nodeHdr, n uint32) {
	ino := meta.Ino(h.inum())
	if n == 1 {
		if h.flags&fNlink != 0 {
			h.flags &^= fNlink
			delete(t.nlinks, ino)
		}
		return
	}
	h.flags |= fNlink
	t.nlinks[ino] = n
}

func isDir(mode uint32) bool { return mode&meta.S_IFMT == meta.S_IFDIR }

// Directory fields packed into size and data (see the layout above).
const (
	cntBits  = 29
	cntMask  = 1<<cntBits - 1
	inoMask  = 1<<48 - 1
	logShift = 58
	migBit   = 1 << 63
)

func (h *nodeHdr) count() uint32        { return uint32(h.size & cntMask) }
func (h *nodeHdr) subdirs() uint32      { return uint32(h.size >> cntBits & cntMask) }
func (h *nodeHdr) logb() uint8          { return uint8(h.size >> logShift & 31) }
func (h *nodeHdr) migrating() bool      { return h.size&migBit != 0 }
func (h *nodeHdr) addCount(d int64)     { h.size += uint64(d) }
func (h *nodeHdr) addSubdirs(d int64)   { h.size += uint64(d) << cntBits }
func (h *nodeHdr) parent() meta.Ino     { return meta.Ino(h.data & inoMask) }
func (h *nodeHdr) setParent(p meta.Ino) { h.data = h.data&^inoMask | uint64(p) }
func (h *nodeHdr) buckets() arena.Ref {
	return arena.Ref(h.data>>48 | uint64(h.ext)<<16)
}

func (h *nodeHdr) setIndex(b arena.Ref, logb uint8, migrating bool) {
	h.data = h.data&inoMask | uint64(b)<<48
	h.ext = uint16(b >> 16)
	h.size = h.size&^(31<<logShift|migBit) | uint64(logb)<<logShift
	if migrating {
		h.size |= migBit
	}
}

// attrOf builds the Attr of a node record.
func (t *Tree) attrOf(h *nodeHdr) meta.Attr {
	tr := t.triple(h)
	a := meta.Attr{Ino: meta.Ino(h.inum()), Mode: uint32(tr.mode), Uid: tr.uid, Gid: tr.gid,
		Size: h.size, Atime: h.atime, Mtime: h.mtime, Ctime: h.ctime, Nlink: 1}
	switch a.Mode & meta.S_IFMT {
	case meta.S_IFDIR:
		a.Nlink = 2 + h.subdirs()
		a.Size = 4096
	case meta.S_IFCHR, meta.S_IFBLK:
		a.Rdev = uint32(h.data)
	}
	if h.flags&fNlink != 0 {
		a.Nlink = t.nlinks[meta.Ino(h.inum())]
	}
	if h.flags&fImmutable != 0 {
		a.Flags |= meta.FlagImmutable
	}
	if h.flags&fAppend != 0 {
		a.Flags |= meta.FlagAppend
	}
	return a
}

// name returns a node record's name bytes.
func (h *nodeHdr) name() []byte { return (*entHdr)(unsafe.Pointer(h)).name() }
