package tree

import (
	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/meta"
)

func (t *Tree) Rename(c *meta.Caller, now int64, parent meta.Ino, name string, newParent meta.Ino, newName string, flags uint32) meta.Errno {
	if flags&^(meta.RenameNoReplace|meta.RenameExchange) != 0 || flags == meta.RenameNoReplace|meta.RenameExchange {
		return meta.EINVAL
	}
	if e := checkName(name); e != 0 {
		return e
	}
	if e := checkName(newName); e != 0 {
		return e
	}
	if !t.wlock() {
		return meta.EClosed
	}
	defer t.wunlock()
	sd, e := t.dirOf(parent)
	if e != 0 {
		return e
	}
	dd, e := t.dirOf(newParent)
	if e != 0 {
		return e
	}
	// Linux's order: the lookups (search permission, ENOENT, the target's
	// existence against the flags), the ancestry of the two parents, the
	// rename of an entry onto itself (which succeeds before any permission
	// check), then removal from the source directory and removal from or
	// addition to the target directory, each as Unlink and Mkdir check them.
	if e := t.may(c, sd, meta.X_OK); e != 0 {
		return e
	}
	if e := t.may(c, dd, meta.X_OK); e != 0 {
		return e
	}
	sr, _ := t.find(sd, name)
	if sr == 0 {
		return meta.ENOENT
	}
	sh := t.entNode(sr)
	dr, _ := t.find(dd, newName)
	var dh *nodeHdr
	if dr != 0 {
		dh = t.entNode(dr)
	}
	exchange := flags&meta.RenameExchange != 0
	switch {
	case dr != 0 && flags&meta.RenameNoReplace != 0:
		return meta.EEXIST
	case dr == 0 && exchange:
		return meta.ENOENT
	}
	sDir := isDir(t.mode(sh))
	dDir := dh != nil && isDir(t.mode(dh))
	if sDir && t.within(dd, meta.Ino(sh.inum())) {
		return meta.EINVAL // into itself
	}
	if dDir && dh.inum() != sh.inum() && t.within(sd, meta.Ino(dh.inum())) {
		if exchange {
			return meta.EINVAL
		}
		return meta.ENOTEMPTY // the target holds the source
	}
	if dh != nil && dh.inum() == sh.inum() {
		return 0 // onto itself (or another link of it): nothing to do
	}
	if e := t.mayDelete(c, sd, sh, sDir); e != 0 {
		return e
	}
	if dh == nil {
		if immutable(dd) {
			return meta.EPERM
		}
		if e := t.may(c, dd, meta.W_OK|meta.X_OK); e != 0 {
			return e
		}
	} else {
		isdir := sDir
		if exchange {
			isdir = dDir
		}
		if e := t.mayDelete(c, dd, dh, isdir); e != 0 {
			return e
		}
	}
	if parent != newParent {
		if sDir {
			if e := t.may(c, sh, meta.W_OK); e != 0 {
				return e
			}
		}
		if exchange && dDir {
			if e := t.may(c, dh, meta.W_OK); e != 0 {
				return e
			}
		}
	}
	if !exchange && dDir && dh.count() > 0 {
		return meta.ENOTEMPTY
	}
	if exchange {
		return t.exchange(now, sd, dd, sr, dr, name, newName)
	}
	return t.move(now, sd, dd, sr, dr, name, newName)
}

// within reports whether directory d is anc or lies inside anc's subtree.
func (t *Tree) within(d *nodeHdr, anc meta.Ino) bool {
	for {
		if meta.Ino(d.inum()) == anc {
			return true
		}
		if meta.Ino(d.inum()) == meta.RootIno {
			return false
		}
		d = t.getNode(d.parent())
	}
}

// renamed prepares entry r to carry newName: r itself when the name fits
// its size class, else a new record (header copied, not yet linked).
func (t *Tree) renamed(r arena.Ref, newName string) (arena.Ref, meta.Errno) {
	e := t.ent(r)
	link := e.isLink()
	if arena.ClassSize(e.size()) == arena.ClassSize(recSize(link, len(newName))) {
		return r, 0
	}
	nr, err := t.a.Alloc(recSize(link, len(newName)), recPurpose(link))
	if err != nil {
		return 0, meta.ENOSPC
	}
	return nr, 0
}

// setName gives entry r (out of any chain) newName in record nr (from
// renamed) and returns nr. A moved node record is re-pointed in the inode
// table.
func (t *Tree) setName(r, nr arena.Ref, newName string) arena.Ref {
	e := t.ent(r)
	link := e.isLink()
	hdr := nodeHdrSize
	if link {
		hdr = linkHdrSize
	}
	if nr != r {
		copy(t.a.Bytes(nr, hdr), t.a.Bytes(r, hdr))
		t.a.Free(r, e.size(), recPurpose(link))
		e = t.ent(nr)
		if !link {
			t.setSlot(meta.Ino(e.inum()), nr)
		}
	}
	e.namelen = uint8(len(newName))
	copy(e.name(), newName)
	return nr
}

func (t *Tree) move(now int64, sd, dd *nodeHdr, sr, dr arena.Ref, name, newName string) meta.Errno {
	nr, e := t.renamed(sr, newName)
	if e != 0 {
		return e
	}
	if !t.prepareInsert(dd) {
		if nr != sr {
			t.a.Free(nr, recSize(t.ent(sr).isLink(), len(newName)), recPurpose(t.ent(sr).isLink()))
		}
		return meta.ENOSPC
	}
	ino := meta.Ino(t.ent(sr).inum())
	if dr != 0 { // replace the target
		dh := t.entNode(dr)
		_, dprev := t.find(dd, newName)
		if isDir(t.mode(dh)) {
			t.removeDir(dd, dh, dr, dprev)
		} else {
			t.removeEnt(dd, dr, dprev)
			t.dropLink(dh, now)
		}
	}
	_, sprev := t.find(sd, name)
	t.unlinkEnt(sd, sr, sprev)
	nr = t.setName(sr, nr, newName)
	t.insert(dd, nr)
	sh := t.getNode(ino)
	if isDir(t.mode(sh)) && sd != dd {
		sd.addSubdirs(-1)
		dd.addSubdirs(1)
		sh.setParent(meta.Ino(dd.inum()))
	}
	sh.ctime = now
	sd.mtime, sd.ctime = now, now
	dd.mtime, dd.ctime = now, now
	return 0
}

func (t *Tree) exchange(now int64, sd, dd *nodeHdr, sr, dr arena.Ref, name, newName string) meta.Errno {
	nsr, e := t.renamed(sr, newName)
	if e != 0 {
		return e
	}
	ndr, e := t.renamed(dr, name)
	if e != 0 {
		if nsr != sr {
			t.a.Free(nsr, recSize(t.ent(sr).isLink(), len(newName)), recPurpose(t.ent(sr).isLink()))
		}
		return e
	}
	sIno, dIno := meta.Ino(t.ent(sr).inum()), meta.Ino(t.ent(dr).inum())
	_, sprev := t.find(sd, name)
	t.unlinkEnt(sd, sr, sprev)
	_, dprev := t.find(dd, newName)
	t.unlinkEnt(dd, dr, dprev)
	nsr = t.setName(sr, nsr, newName)
	ndr = t.setName(dr, ndr, name)
	t.insert(dd, nsr)
	t.insert(sd, ndr)
	sh, dh := t.getNode(sIno), t.getNode(dIno)
	if sd != dd {
		if isDir(t.mode(sh)) {
			sd.addSubdirs(-1)
			dd.addSubdirs(1)
			sh.setParent(meta.Ino(dd.inum()))
		}
		if isDir(t.mode(dh)) {
			dd.addSubdirs(-1)
			sd.addSubdirs(1)
			dh.setParent(meta.Ino(sd.inum()))
		}
	}
	sh.ctime, dh.ctime = now, now
	sd.mtime, sd.ctime = now, now
	dd.mtime, dd.ctime = now, now
	return 0
}
