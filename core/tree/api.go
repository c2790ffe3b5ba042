package tree

import (
	"strings"

	"github.com/fsmeta/fsmeta/core/arena"
	. "github.com/fsmeta/fsmeta/core/meta"
)

// The operations of the namespace, as docs/semantics.md specifies them.
// Each takes the caller's identity and, for changes, the operation's time
// (ns since the epoch) chosen by the proposer: nothing here reads the clock
// (docs/architecture.md invariant 2). Each returns 0 or an Errno and applies entirely or
// not at all (invariant 4): every allocation that can fail happens before the
// first change. Reads take the read lock, changes the write lock (doc.go).

// entNode returns the node an entry names (itself, or through a link record).
func (t *Tree) entNode(r arena.Ref) *nodeHdr {
	e := t.ent(r)
	if e.isLink() {
		return t.getNode(Ino(e.inum()))
	}
	return (*nodeHdr)(t.a.Ptr(r))
}

func (t *Tree) Lookup(c *Caller, parent Ino, name string) (Attr, Errno) {
	s, ok := t.rlock()
	if !ok {
		return Attr{}, EClosed
	}
	defer t.mu.runlock(s)
	if name != "." && name != ".." {
		if e := checkName(name); e != 0 {
			return Attr{}, e
		}
	}
	var dir, lite *nodeHdr
	var e Errno
	if name == "." || name == ".." {
		dir, e = t.dirOf(parent)
	} else {
		lite = new(nodeHdr)
		dir, e = t.dirToRead(parent, lite) // all a lookup reads of it
	}
	if e != 0 {
		return Attr{}, e
	}
	if e := t.may(c, dir, X_OK); e != 0 {
		return Attr{}, e
	}
	switch name {
	case ".":
		return t.attrOf(dir), 0
	case "..":
		return t.attrOf(t.getNode(dir.parent())), 0
	}
	ent := t.lookupEnt(dir, name)
	if ent == nil {
		return Attr{}, ENOENT
	}
	return t.attrOf(t.nodeOfEnt(ent)), 0
}

func (t *Tree) GetAttr(c *Caller, ino Ino) (Attr, Errno) {
	s, ok := t.rlock()
	if !ok {
		return Attr{}, EClosed
	}
	defer t.mu.runlock(s)
	h := t.getNode(ino)
	if h == nil {
		return Attr{}, ENOENT
	}
	return t.attrOf(h), 0
}

func (t *Tree) Access(c *Caller, ino Ino, mask uint32) Errno {
	s, ok := t.rlock()
	if !ok {
		return EClosed
	}
	defer t.mu.runlock(s)
	if mask > 7 {
		return EINVAL
	}
	h := t.getNode(ino)
	if h == nil {
		return ENOENT
	}
	if mask == 0 {
		return 0
	}
	return t.may(c, h, mask)
}

func (t *Tree) SetAttr(c *Caller, now int64, ino Ino, mask uint32, in *SetAttrIn) (Attr, Errno) {
	if !t.wlock() {
		return Attr{}, EClosed
	}
	defer t.wunlock()
	if mask&^SetAll != 0 || (mask&SetMode != 0 && in.Mode&^ModePerm != 0) ||
		(mask&SetFlags != 0 && in.Flags&^(FlagImmutable|FlagAppend) != 0) {
		return Attr{}, EINVAL
	}
	h := t.getNode(ino)
	if h == nil {
		return Attr{}, ENOENT
	}
	if e := t.checkSetAttr(c, h, mask, in); e != 0 {
		return Attr{}, e
	}
	if mask == 0 {
		return t.attrOf(h), 0
	}
	if mask&SetSize != 0 {
		if e := t.truncate(h, in.Size); e != 0 {
			return Attr{}, e
		}
	}
	tr := t.triple(h)
	mode, uid, gid := uint32(tr.mode), tr.uid, tr.gid
	if mask&SetUid != 0 {
		uid = in.Uid
	}
	if mask&SetGid != 0 {
		gid = in.Gid
	}
	if mask&(SetUid|SetGid) != 0 && c.Uid != 0 && !isDir(mode) {
		mode &^= S_ISUID
		if mode&0o010 != 0 {
			mode &^= S_ISGID
		}
	}
	if mask&SetMode != 0 {
		mode = mode&S_IFMT | in.Mode
		if c.Uid != 0 && !c.InGroup(gid) {
			mode &^= S_ISGID
		}
	}
	t.setTriple(h, attrTriple{mode: uint16(mode), uid: uid, gid: gid})
	switch {
	case mask&SetAtimeNow != 0:
		h.atime = now
	case mask&SetAtime != 0:
		h.atime = in.Atime
	}
	switch {
	case mask&SetMtimeNow != 0:
		h.mtime = now
	case mask&SetMtime != 0:
		h.mtime = in.Mtime
	case mask&SetSize != 0:
		h.mtime = now
	}
	if mask&SetFlags != 0 {
		h.flags &^= fImmutable | fAppend
		if in.Flags&FlagImmutable != 0 {
			h.flags |= fImmutable
		}
		if in.Flags&FlagAppend != 0 {
			h.flags |= fAppend
		}
	}
	if mask&SetCtime != 0 {
		h.ctime = in.Ctime
	} else {
		h.ctime = now
	}
	return t.attrOf(h), 0
}

func (t *Tree) checkSetAttr(c *Caller, h *nodeHdr, mask uint32, in *SetAttrIn) Errno {
	root := c.Uid == 0
	tr := t.triple(h)
	owner := c.Uid == tr.uid
	switch {
	case mask&(SetFlags|SetCtime) != 0 && !root:
		return EPERM
	case immutable(h) && mask&^SetFlags != 0:
		return EPERM
	case appendOnly(h) && mask&(SetMode|SetUid|SetGid|SetMtime|SetMtimeNow|SetCtime) != 0:
		return EPERM
	case mask&SetUid != 0 && in.Uid != tr.uid && !root:
		return EPERM
	case mask&SetGid != 0 && in.Gid != tr.gid && !root && (!owner || !c.InGroup(in.Gid)):
		return EPERM
	case mask&SetMode != 0 && !root && !owner:
		return EPERM
	}
	if mask&SetSize != 0 {
		mode := uint32(tr.mode)
		switch {
		case isDir(mode):
			return EISDIR
		case mode&S_IFMT != S_IFREG:
			return EINVAL
		case in.Size > MaxFileSize:
			return EFBIG
		}
		if e := t.may(c, h, W_OK); e != 0 {
			return e
		}
		if appendOnly(h) && in.Size < h.size {
			return EPERM
		}
	}
	if mask&(SetAtime|SetMtime) != 0 && !root && !owner {
		return EPERM
	}
	if mask&(SetAtimeNow|SetMtimeNow) != 0 && !root && !owner {
		if e := t.may(c, h, W_OK); e != 0 {
			return e
		}
	}
	return 0
}

func (t *Tree) Mknod(c *Caller, now int64, parent Ino, name string, mode uint32, rdev uint32) (Attr, Errno) {
	typ := mode & S_IFMT
	if typ == 0 {
		typ = S_IFREG
	}
	switch typ {
	case S_IFREG, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK:
	default:
		return Attr{}, EINVAL
	}
	if typ != S_IFCHR && typ != S_IFBLK {
		rdev = 0
	}
	return t.create(c, now, parent, name, typ|mode&ModePerm, rdev, "")
}

func (t *Tree) Mkdir(c *Caller, now int64, parent Ino, name string, mode uint32) (Attr, Errno) {
	return t.create(c, now, parent, name, S_IFDIR|mode&ModePerm, 0, "")
}

func (t *Tree) Symlink(c *Caller, now int64, parent Ino, name string, target string) (Attr, Errno) {
	if len(target) == 0 || strings.IndexByte(target, 0) >= 0 {
		return Attr{}, EINVAL
	}
	if len(target) > MaxSymlink {
		return Attr{}, ENAMETOOLONG
	}
	return t.create(c, now, parent, name, S_IFLNK|0o777, 0, target)
}

func (t *Tree) create(c *Caller, now int64, parent Ino, name string, mode, rdev uint32, target string) (Attr, Errno) {
	if e := checkName(name); e != 0 {
		return Attr{}, e
	}
	if !t.wlock() {
		return Attr{}, EClosed
	}
	defer t.wunlock()
	h, e := t.createLocked(c, now, parent, name, mode, rdev, target)
	if e != 0 {
		return Attr{}, e
	}
	return t.attrOf(h), 0
}

func (t *Tree) createLocked(c *Caller, now int64, parent Ino, name string, mode, rdev uint32, target string) (*nodeHdr, Errno) {
	dir, e := t.dirOf(parent)
	if e != 0 {
		return nil, e
	}
	if e := t.may(c, dir, W_OK|X_OK); e != 0 {
		return nil, e
	}
	if immutable(dir) {
		return nil, EPERM
	}
	if r, _ := t.find(dir, name); r != 0 {
		return nil, EEXIST
	}
	if t.counts.inodes >= t.opts.MaxInodes || t.nextIno > maxIno {
		return nil, ENOSPC
	}
	typ := mode & S_IFMT
	perm := mode & ModePerm &^ c.Umask
	if typ == S_IFLNK {
		perm = 0o777
	}
	dt := t.triple(dir)
	gid := c.Gid
	if dt.mode&S_ISGID != 0 {
		gid = dt.gid
		if typ == S_IFDIR {
			perm |= S_ISGID
		}
	}
	if typ != S_IFDIR && c.Uid != 0 && !c.InGroup(gid) {
		perm &^= S_ISGID
	}
	if !t.prepareInsert(dir) {
		return nil, ENOSPC
	}
	var tref arena.Ref
	if typ == S_IFLNK {
		var err error
		if tref, err = t.a.Alloc(len(target), arena.PSymlink); err != nil {
			return nil, ENOSPC
		}
		copy(t.a.Bytes(tref, len(target)), target)
	}
	ino := t.nextIno
	r, e := t.newNode(ino, name, typ|perm, c.Uid, gid, now)
	if e != 0 {
		if tref != 0 {
			t.a.Free(tref, len(target), arena.PSymlink)
		}
		return nil, e
	}
	t.nextIno++
	h := t.node(r)
	switch typ {
	case S_IFLNK:
		h.data, h.size = uint64(tref), uint64(len(target))
	case S_IFCHR, S_IFBLK:
		h.data = uint64(rdev)
	case S_IFDIR:
		h.setParent(Ino(dir.inum()))
		dir.addSubdirs(1)
	}
	t.insert(dir, r)
	t.counts.entries++
	dir.mtime, dir.ctime = now, now
	return h, 0
}

func (t *Tree) Readlink(c *Caller, ino Ino) (string, Errno) {
	s, ok := t.rlock()
	if !ok {
		return "", EClosed
	}
	defer t.mu.runlock(s)
	h := t.getNode(ino)
	if h == nil {
		return "", ENOENT
	}
	if t.mode(h)&S_IFMT != S_IFLNK {
		return "", EINVAL
	}
	return t.symlinkTarget(h), 0
}

func (t *Tree) Link(c *Caller, now int64, ino Ino, newParent Ino, newName string) (Attr, Errno) {
	if e := checkName(newName); e != 0 {
		return Attr{}, e
	}
	if !t.wlock() {
		return Attr{}, EClosed
	}
	defer t.wunlock()
	h := t.getNode(ino)
	if h == nil {
		return Attr{}, ENOENT
	}
	dir, e := t.dirOf(newParent)
	if e != 0 {
		return Attr{}, e
	}
	if isDir(t.mode(h)) {
		return Attr{}, EPERM
	}
	if e := t.may(c, dir, W_OK|X_OK); e != 0 {
		return Attr{}, e
	}
	if immutable(dir) || pinned(h) {
		return Attr{}, EPERM
	}
	if r, _ := t.find(dir, newName); r != 0 {
		return Attr{}, EEXIST
	}
	if t.nlink(h) >= MaxLinks {
		return Attr{}, EMLINK
	}
	if t.nlink(h) == 0 {
		return Attr{}, ENOENT
	}
	if !t.prepareInsert(dir) {
		return Attr{}, ENOSPC
	}
	r, err := t.a.Alloc(recSize(true, len(newName)), arena.PLink)
	if err != nil {
		return Attr{}, ENOSPC
	}
	l := t.ent(r)
	l.inoAttr, l.flags, l.namelen = uint64(ino), fLink, uint8(len(newName))
	copy(l.name(), newName)
	t.insert(dir, r)
	t.counts.entries++
	t.counts.links++
	t.setNlink(h, t.nlink(h)+1)
	h.ctime = now
	dir.mtime, dir.ctime = now, now
	return t.attrOf(h), 0
}

// removeEnt takes entry r (predecessor prev) out of dir: a link record is
// freed, a node record detached. It does not touch link counts.
func (t *Tree) removeEnt(dir *nodeHdr, r, prev arena.Ref) {
	t.unlinkEnt(dir, r, prev)
	t.counts.entries--
	e := t.ent(r)
	if e.isLink() {
		t.counts.links--
		t.a.Free(r, e.size(), arena.PLink)
	} else {
		e.flags |= fDetached
	}
}

// dropLink lowers a non-directory's link count after one of its entries
// went, deleting it when no link and no open is left.
func (t *Tree) dropLink(h *nodeHdr, now int64) {
	n := t.nlink(h) - 1
	t.setNlink(h, n)
	h.ctime = now
	if n > 0 {
		return
	}
	if t.opens[Ino(h.inum())] > 0 {
		t.counts.orphans++
		return
	}
	t.freeNode(h)
}

// removable runs the checks shared by Unlink and Rmdir, in the contract's
// order, for the entry name in parent that should (wantDir) or should not be
// a directory. The caller holds the write lock and has checked name.
func (t *Tree) removable(c *Caller, parent Ino, name string, wantDir bool) (dir, h *nodeHdr, r, prev arena.Ref, e Errno) {
	if dir, e = t.dirOf(parent); e != 0 {
		return
	}
	if e = t.may(c, dir, W_OK|X_OK); e != 0 {
		return
	}
	if pinned(dir) {
		return dir, nil, 0, 0, EPERM
	}
	if r, prev = t.find(dir, name); r == 0 {
		return dir, nil, 0, 0, ENOENT
	}
	h = t.entNode(r)
	switch d := isDir(t.mode(h)); {
	case d && !wantDir:
		e = EISDIR
	case !d && wantDir:
		e = ENOTDIR
	case t.sticky(c, dir, h) != 0:
		e = EPERM
	case pinned(h):
		e = EPERM
	}
	return
}

func (t *Tree) Unlink(c *Caller, now int64, parent Ino, name string) Errno {
	if e := checkName(name); e != 0 {
		return e
	}
	if !t.wlock() {
		return EClosed
	}
	defer t.wunlock()
	dir, h, r, prev, e := t.removable(c, parent, name, false)
	if e != 0 {
		return e
	}
	t.removeEnt(dir, r, prev)
	t.dropLink(h, now)
	dir.mtime, dir.ctime = now, now
	return 0
}

func (t *Tree) Rmdir(c *Caller, now int64, parent Ino, name string) Errno {
	if e := checkName(name); e != 0 {
		return e
	}
	if !t.wlock() {
		return EClosed
	}
	defer t.wunlock()
	dir, h, r, prev, e := t.removable(c, parent, name, true)
	if e != 0 {
		return e
	}
	if h.count() > 0 {
		return ENOTEMPTY
	}
	t.removeDir(dir, h, r, prev)
	dir.mtime, dir.ctime = now, now
	return 0
}

// removeDir deletes the empty directory h (entry r in dir).
func (t *Tree) removeDir(dir, h *nodeHdr, r, prev arena.Ref) {
	t.removeEnt(dir, r, prev)
	dir.addSubdirs(-1)
	delete(t.opens, Ino(h.inum()))
	t.freeNode(h)
}

func (t *Tree) StatFS(c *Caller) (StatFS, Errno) {
	s, ok := t.rlock()
	if !ok {
		return StatFS{}, EClosed
	}
	defer t.mu.runlock(s)
	st := StatFS{TotalSpace: t.opts.Capacity, UsedSpace: t.usedSpace, Inodes: t.counts.inodes}
	if st.TotalSpace > st.UsedSpace {
		st.AvailSpace = st.TotalSpace - st.UsedSpace
	}
	if t.opts.MaxInodes > st.Inodes {
		st.AvailInodes = t.opts.MaxInodes - st.Inodes
	}
	return st, 0
}

func (t *Tree) Open(c *Caller, now int64, ino Ino, flags uint32) (Attr, Errno) {
	if !t.wlock() {
		return Attr{}, EClosed
	}
	defer t.wunlock()
	acc := flags & O_ACCMODE
	if acc == 3 {
		return Attr{}, EINVAL
	}
	h := t.getNode(ino)
	if h == nil {
		return Attr{}, ENOENT
	}
	mode := t.mode(h)
	write := acc != O_RDONLY || flags&O_TRUNC != 0
	if isDir(mode) && write {
		return Attr{}, EISDIR
	}
	var mask uint32
	if acc == O_RDONLY || acc == O_RDWR {
		mask |= R_OK
	}
	if write {
		mask |= W_OK
	}
	if e := t.may(c, h, mask); e != 0 {
		return Attr{}, e
	}
	if write && immutable(h) {
		return Attr{}, EPERM
	}
	if appendOnly(h) && ((acc != O_RDONLY && flags&O_APPEND == 0) || flags&O_TRUNC != 0) {
		return Attr{}, EPERM
	}
	if flags&O_TRUNC != 0 && mode&S_IFMT == S_IFREG {
		if e := t.truncate(h, 0); e != 0 {
			return Attr{}, e
		}
		h.mtime, h.ctime = now, now
	}
	t.opens[ino]++
	return t.attrOf(h), 0
}

func (t *Tree) Release(c *Caller, ino Ino) Errno {
	if !t.wlock() {
		return EClosed
	}
	defer t.wunlock()
	h := t.getNode(ino)
	if h == nil {
		return ENOENT
	}
	n := t.opens[ino]
	if n == 0 {
		return EBADF
	}
	if n > 1 {
		t.opens[ino] = n - 1
		return 0
	}
	delete(t.opens, ino)
	if !isDir(t.mode(h)) && t.nlink(h) == 0 {
		t.counts.orphans--
		t.freeNode(h)
	}
	return 0
}

func (t *Tree) NewSliceID(c *Caller, n uint32) (uint64, Errno) {
	if n == 0 {
		return 0, EINVAL
	}
	if !t.wlock() {
		return 0, EClosed
	}
	defer t.wunlock()
	id := t.nextSlice
	t.nextSlice += uint64(n)
	return id, 0
}
