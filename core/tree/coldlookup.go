package tree

import (
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/compact"
	"github.com/fsmeta/fsmeta/core/meta"
)

// Reads of cold entries: the scratch record a read path sees for a cold
// entry, a name looked up in a cold directory, and a cold inode's record
// (thawed under the write lock).

// scratch returns a record in Go memory holding entry e (the same layout as
// in the arena): what read paths use for a cold entry. A data map or symlink
// target in e's Extra follows the name (coldblob.go).
func scratch(e *compact.Entry) *entHdr {
	hdr := nodeHdrSize
	if e.Link {
		hdr = linkHdrSize
	}
	size := hdr + len(e.Name)
	var ext []byte
	if !e.Link && len(e.Extra) > 0 {
		if b, _, ok := extraBytes(e.Extra, e.Data); ok {
			ext = b
			size = scratchDataOff(len(e.Name)) + len(b)
		}
	}
	buf := make([]uint64, (size+7)/8)
	p := unsafe.Pointer(&buf[0])
	if e.Link {
		l := (*entHdr)(p)
		l.inoAttr, l.flags, l.namelen = e.Ino, fLink, uint8(len(e.Name))
	} else {
		h := (*nodeHdr)(p)
		h.inoAttr = e.Ino | uint64(e.Attr)<<48
		h.flags, h.namelen, h.ext = e.Flags, uint8(len(e.Name)), uint16(e.Nlink)
		h.size, h.data = e.Size, e.Data
		h.atime, h.mtime, h.ctime = e.Atime, e.Mtime, e.Ctime
		if ext != nil {
			h.data = extData
			copy(unsafe.Slice((*byte)(unsafe.Add(p, scratchDataOff(len(e.Name)))), len(ext)), ext)
		}
	}
	copy(unsafe.Slice((*byte)(unsafe.Add(p, hdr)), len(e.Name)), e.Name)
	return (*entHdr)(p)
}

// keptDir returns the ref of directory ino's record when a cold block lists
// it as a link entry: a subdirectory's record stays hot when its parent goes
// cold (a lookup through it then decodes no block of its parent), and the
// block holds only its name and inode number, as for a hard link. No real
// hard link names a directory, so a link entry whose inode is a directory
// is always this. 0 if ino is not such a directory.
func (t *Tree) keptDir(ino meta.Ino) arena.Ref {
	r := t.nodeRef(ino)
	if r == 0 || t.isHandle(r) || !isDir(t.mode(t.node(r))) {
		return 0
	}
	return r
}

// coldEnt returns the record a read path sees for cold entry e: a kept
// directory's own record, or a scratch copy; and the ref fsck expects in
// the inode table for it (row: the block's row).
func (t *Tree) coldEnt(e *compact.Entry, row arena.Ref) (*entHdr, arena.Ref) {
	if e.Link {
		if r := t.keptDir(meta.Ino(e.Ino)); r != 0 {
			return t.ent(r), r
		}
	} else if t.stubEntry(e) {
		// a subdirectory's: its stub, or its record made again since
		r := t.nodeRef(meta.Ino(e.Ino))
		switch {
		case r == 0:
		case !t.isHandle(r):
			return t.ent(r), r
		case t.isStub(r):
			h := stubScratch(e, t.stubAt(r).handle)
			if row != 0 && t.stubAt(r).prow() != row {
				r = row // (fsck: the stub names another row)
			}
			return (*entHdr)(unsafe.Pointer(h)), r
		}
	}
	return scratch(e), row
}

// coldNode returns the record of cold inode ino, whose slot holds row r of
// a handle: thawed (and so hot) under the write lock, a scratch copy
// otherwise; nil if it cannot be found (corruption) or, when thawing,
// memory ran out.
func (t *Tree) coldNode(r arena.Ref, ino meta.Ino) *nodeHdr {
	if t.isStub(r) {
		return t.stubNode(r, ino)
	}
	if t.writer {
		hr := t.handleOf(r)
		dino := t.row(hr).dir()
		if t.row(hr).rows == 0 {
			// a run of a hot directory: thaw just that
			dir := t.getNode(dino)
			if dir == nil || dir.cold() || !t.thawRun(dir, hr) {
				return nil
			}
			if r := t.nodeRef(ino); r != 0 && !t.isHandle(r) {
				return t.node(r)
			}
			return nil
		}
		if g := t.row(hr); g.grp > 0 {
			// a group: the entry names its directory
			blk := t.lendBlock()
			e, ok, err := blk.LookupIno(t.a.Bytes(g.ref, int(g.n)), uint64(ino))
			blockPool.Put(blk)
			if err != nil || !ok {
				return nil
			}
			dino = meta.Ino(e.Dir)
		}
		if !t.thaw(dino, hr) {
			return nil
		}
		if r := t.nodeRef(ino); r != 0 && !t.isHandle(r) {
			return t.node(r)
		}
		return nil
	}
	b := t.row(r)
	blk := t.lendBlock()
	e, ok, err := blk.LookupIno(t.a.Bytes(b.ref, int(b.n)), uint64(ino))
	blockPool.Put(blk)
	if err != nil || !ok {
		return nil
	}
	return (*nodeHdr)(unsafe.Pointer(scratch(&e)))
}

// coldFind looks name up in cold directory dir (reads only).
func (t *Tree) coldFind(dir *nodeHdr, name string) *entHdr {
	hr := dir.buckets()
	bs := t.coldBlocks(hr)
	i := t.blockOf(hr, hashName(name))
	blk := t.lendBlock()
	e, ok, err := blk.Lookup(t.a.Bytes(bs[i].ref, int(bs[i].n)), dir.inum(), name)
	blockPool.Put(blk)
	if err != nil || !ok {
		return nil
	}
	ent, _ := t.coldEnt(&e, 0)
	return ent
}

// lookupEnt returns the entry named name in dir, hot or cold (reads).
func (t *Tree) lookupEnt(dir *nodeHdr, name string) *entHdr {
	if !t.writer {
		if dir.cold() {
			return t.coldFind(dir, name)
		}
		if dir.count() == 0 {
			return nil
		}
		h := hashName(name)
		r := *t.head(dir, h)
		if t.isRun(r) {
			return t.runFind(dir, r, name)
		}
		if r, _ = t.chainFind(r, name); r == 0 {
			return nil
		}
		return t.ent(r)
	}
	if r, _ := t.find(dir, name); r != 0 {
		return t.ent(r)
	}
	return nil
}

// nodeOfEnt returns the node an entry names: itself, or through a link.
func (t *Tree) nodeOfEnt(e *entHdr) *nodeHdr {
	if e.isLink() {
		return t.getNode(meta.Ino(e.inum()))
	}
	return (*nodeHdr)(unsafe.Pointer(e))
}
