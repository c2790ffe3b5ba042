package tree

import (
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	. "github.com/fsmeta/fsmeta/core/meta"
)

// Records in arena memory. A directory entry is either a node record (the
// inode's attributes with its first name inline) or, for every further hard
// link, a link record (a name and an inode number). Both begin with entHdr,
// which is what a directory's hash chain walks.
//
//	node record (64 bytes + name)          link record (16 bytes + name)
//	 0 ino      u64                          0 ino      u64
//	 8 next     ref  hash-chain successor     8 next     ref
//	12 flags    u8                           12 flags    u8 (fLink)
//	13 namelen  u8                           13 namelen  u8
//	14 nlink    u16  dir: index size/state   14 -        u16
//	16 attr     u32  (mode,uid,gid) dict id  16 name ...
//	20 u0       u32  dir: bucket array; file: chunk table ref;
//	                 symlink: target ref; device: rdev
//	24 u1       u64  dir: parent ino; file: compact slice id
//	32 size     u64  file: size; symlink: target length;
//	                 dir: subdirectories | entries<<32
//	40 atime    i64
//	48 mtime    i64
//	56 ctime    i64
//	64 name ...
//
// A node whose own name was removed while other links (or opens) remain is
// "detached": it stays in the inode table but in no chain.
type entHdr struct {
	ino     uint64
	next    arena.Ref
	flags   uint8
	namelen uint8
	nlink   uint16
}

type nodeHdr struct {
	entHdr
	attr  uint32
	u0    uint32
	u1    uint64
	size  uint64
	atime int64
	mtime int64
	ctime int64
}

const (
	nodeHdrSize = 64
	linkHdrSize = 16
)

// record flags
const (
	fLink      = 0x01 // a link record
	fDetached  = 0x02 // a node record in no chain
	fCompact   = 0x04 // u1 is the slice id of the compact small-file form
	fImmutable = 0x08
	fAppend    = 0x10
	fXattr     = 0x20 // has extended attributes
)

var _ [nodeHdrSize - unsafe.Sizeof(nodeHdr{})]byte
var _ [unsafe.Sizeof(nodeHdr{}) - nodeHdrSize]byte

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

func (t *Tree) triple(h *nodeHdr) attrTriple { return t.attrs[h.attr] }

// attrID returns the dictionary id of a triple, adding it if new.
func (t *Tree) attrID(a attrTriple) uint32 {
	if id, ok := t.attrIdx[a]; ok {
		return id
	}
	id := uint32(len(t.attrs))
	t.attrs = append(t.attrs, a)
	t.attrIdx[a] = id
	return id
}

func (t *Tree) mode(h *nodeHdr) uint32 { return uint32(t.attrs[h.attr].mode) }

func isDir(mode uint32) bool { return mode&S_IFMT == S_IFDIR }

// attrOf builds the Attr of a node record.
func (t *Tree) attrOf(h *nodeHdr) Attr {
	tr := t.attrs[h.attr]
	a := Attr{Ino: Ino(h.ino), Mode: uint32(tr.mode), Uid: tr.uid, Gid: tr.gid,
		Size: h.size, Atime: h.atime, Mtime: h.mtime, Ctime: h.ctime, Nlink: uint32(h.nlink)}
	switch a.Mode & S_IFMT {
	case S_IFDIR:
		a.Nlink = 2 + h.subdirs()
		a.Size = 4096
	case S_IFCHR, S_IFBLK:
		a.Rdev = h.u0
	}
	if h.flags&fImmutable != 0 {
		a.Flags |= FlagImmutable
	}
	if h.flags&fAppend != 0 {
		a.Flags |= FlagAppend
	}
	return a
}
