package tree

import (
	"strings"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/meta"
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
		return t.getNode(meta.Ino(e.inum()))
	}
	return (*nodeHdr)(t.a.Ptr(r))
}

func (t *Tree) Lookup(c *meta.Caller, parent meta.Ino, name string) (meta.Attr, meta.Errno) {
	s, ok := t.rlock()
	if !ok {
		return meta.Attr{}, meta.EClosed
	}
	defer t.mu.runlock(s)
	if name != "." && name != ".." {
		if e := checkName(name); e != 0 {
			return meta.Attr{}, e
		}
	}
	var dir, lite *nodeHdr
	var e meta.Errno
	if name == "." || name == ".." {
		dir, e = t.dirOf(parent)
	} else {
		lite = new(nodeHdr)
		dir, e = t.dirToRead(parent, lite) // all a lookup reads of it
	}
	if e != 0 {
		return meta.Attr{}, e
	}
	if e := t.may(c, dir, meta.X_OK); e != 0 {
		return meta.Attr{}, e
	}
	switch name {
	case ".":
		return t.attrOf(dir), 0
	case "..":
		return t.attrOf(t.getNode(dir.parent())), 0
	}
	ent := t.lookupEnt(dir, name)
	if ent == nil {
		return meta.Attr{}, meta.ENOENT
	}
	return t.attrOf(t.nodeOfEnt(ent)), 0
}

func (t *Tree) GetAttr(c *meta.Caller, ino meta.Ino) (meta.Attr, meta.Errno) {
	s, ok := t.rlock()
	if !ok {
		return meta.Attr{}, meta.EClosed
	}
	defer t.mu.runlock(s)
	h := t.getNode(ino)
	if h == nil {
		return meta.Attr{}, meta.ENOENT
	}
	return t.attrOf(h), 0
}

func (t *Tree) Access(c *meta.Caller, ino meta.Ino, mask uint32) meta.Errno {
	s, ok := t.rlock()
	if !ok {
		return meta.EClosed
	}
	defer t.mu.runlock(s)
	if mask > 7 {
		return meta.EINVAL
	}
	h := t.getNode(ino)
	if h == nil {
		return meta.ENOENT
	}
	if mask == 0 {
		return 0
	}
	if mask&meta.W_OK != 0 && immutable(h) {
		return meta.EPERM // nobody may write an immutable node (Linux), root neither
	}
	return t.may(c, h, mask)
}

func (t *Tree) SetAttr(c *meta.Caller, now int64, ino meta.Ino, mask uint32, in *meta.SetAttrIn) (meta.Attr, meta.Errno) {
	if !t.wlock() {
		return meta.Attr{}, meta.EClosed
	}
	defer t.wunlock()
	if mask&^meta.SetAll != 0 || (mask&meta.SetMode != 0 && in.Mode&^meta.ModePerm != 0) ||
		(mask&meta.SetFlags != 0 && in.Flags&^(meta.FlagImmutable|meta.FlagAppend) != 0) {
		return meta.Attr{}, meta.EINVAL
	}
	h := t.getNode(ino)
	if h == nil {
		return meta.Attr{}, meta.ENOENT
	}
	if e := t.checkSetAttr(c, h, mask, in); e != 0 {
		return meta.Attr{}, e
	}
	if mask == 0 {
		return t.attrOf(h), 0
	}
	oldSize := h.size
	tr := t.triple(h)
	mode, uid, gid := uint32(tr.mode), tr.uid, tr.gid
	if mask&(meta.SetUid|meta.SetGid) != 0 && !isDir(mode) {
		mode &^= killSuid(c, mode, gid, true)
	}
	if mask&meta.SetSize != 0 {
		mode &^= killSuid(c, mode, gid, false)
		if mask == meta.SetSize && in.Size == h.size && mode == uint32(tr.mode) {
			return t.attrOf(h), 0 // the same size: nothing changes (Linux)
		}
		if e := t.truncate(h, in.Size); e != 0 {
			return meta.Attr{}, e
		}
	}
	if mask&meta.SetUid != 0 {
		uid = in.Uid
	}
	if mask&meta.SetGid != 0 {
		gid = in.Gid
	}
	if mask&meta.SetMode != 0 {
		mode = mode&meta.S_IFMT | in.Mode
		if c.Uid != 0 && !c.InGroup(gid) {
			mode &^= meta.S_ISGID
		}
	}
	t.setTriple(h, attrTriple{mode: uint16(mode), uid: uid, gid: gid})
	switch {
	case mask&meta.SetAtimeNow != 0:
		h.atime = now
	case mask&meta.SetAtime != 0:
		h.atime = in.Atime
	}
	switch {
	case mask&meta.SetMtimeNow != 0:
		h.mtime = now
	case mask&meta.SetMtime != 0:
		h.mtime = in.Mtime
	case mask&meta.SetSize != 0 && in.Size != oldSize:
		h.mtime = now
	}
	if mask&meta.SetFlags != 0 {
		h.flags &^= fImmutable | fAppend
		if in.Flags&meta.FlagImmutable != 0 {
			h.flags |= fImmutable
		}
		if in.Flags&meta.FlagAppend != 0 {
			h.flags |= fAppend
		}
	}
	if mask&meta.SetCtime != 0 {
		h.ctime = in.Ctime
	} else {
		h.ctime = now
	}
	return t.attrOf(h), 0
}

// killSuid returns the set-id bits a change drops from a file of the given
// mode and gid, as Linux does: a chown (chown true, any caller) drops S_ISUID,
// and S_ISGID when group-exec is set or a non-root caller is outside gid; a
// truncation (chown false) of a regular file by a non-root caller drops the
// same bits. Root keeps them on truncation, and a setgid file without
// group-exec keeps S_ISGID for a caller in its group.
func killSuid(c *meta.Caller, mode, gid uint32, chown bool) uint32 {
	if !chown && (c.Uid == 0 || mode&meta.S_IFMT != meta.S_IFREG) {
		return 0
	}
	kill := mode & meta.S_ISUID
	if mode&meta.S_ISGID != 0 && (mode&0o010 != 0 || c.Uid != 0 && !c.InGroup(gid)) {
		kill |= meta.S_ISGID
	}
	return kill
}

func (t *Tree) checkSetAttr(c *meta.Caller, h *nodeHdr, mask uint32, in *meta.SetAttrIn) meta.Errno {
	root := c.Uid == 0
	tr := t.triple(h)
	owner := c.Uid == tr.uid
	if mask&meta.SetSize != 0 { // the type first, as Linux's truncate
		switch mode := uint32(tr.mode); {
		case isDir(mode):
			return meta.EISDIR
		case mode&meta.S_IFMT != meta.S_IFREG:
			return meta.EINVAL
		}
	}
	switch {
	case mask&(meta.SetFlags|meta.SetCtime) != 0 && !root:
		return meta.EPERM
	case immutable(h) && mask&^meta.SetFlags != 0:
		return meta.EPERM
	case appendOnly(h) && mask&(meta.SetMode|meta.SetUid|meta.SetGid|meta.SetAtime|meta.SetMtime|meta.SetCtime) != 0:
		return meta.EPERM
	case mask&meta.SetUid != 0 && !root && (!owner || in.Uid != tr.uid):
		return meta.EPERM
	case mask&meta.SetGid != 0 && !root && (!owner || in.Gid != tr.gid && !c.InGroup(in.Gid)):
		return meta.EPERM
	case mask&meta.SetMode != 0 && !root && !owner:
		return meta.EPERM
	}
	if mask&meta.SetSize != 0 {
		if in.Size > meta.MaxFileSize {
			return meta.EFBIG
		}
		if e := t.may(c, h, meta.W_OK); e != 0 {
			return e
		}
		if appendOnly(h) {
			return meta.EPERM
		}
	}
	if mask&(meta.SetAtime|meta.SetMtime) != 0 && !root && !owner {
		return meta.EPERM
	}
	if mask&(meta.SetAtimeNow|meta.SetMtimeNow) != 0 && !root && !owner {
		if e := t.may(c, h, meta.W_OK); e != 0 {
			return e
		}
	}
	return 0
}

func (t *Tree) Mknod(c *meta.Caller, now int64, parent meta.Ino, name string, mode uint32, rdev uint32) (meta.Attr, meta.Errno) {
	typ := mode & meta.S_IFMT
	if typ == 0 {
		typ = meta.S_IFREG
	}
	switch typ {
	case meta.S_IFREG, meta.S_IFIFO, meta.S_IFSOCK, meta.S_IFCHR, meta.S_IFBLK:
	default:
		return meta.Attr{}, meta.EINVAL
	}
	if typ != meta.S_IFCHR && typ != meta.S_IFBLK {
		rdev = 0
	}
	return t.create(c, now, parent, name, typ|mode&meta.ModePerm, rdev, "")
}

func (t *Tree) Mkdir(c *meta.Caller, now int64, parent meta.Ino, name string, mode uint32) (meta.Attr, meta.Errno) {
	return t.create(c, now, parent, name, meta.S_IFDIR|mode&meta.ModePerm, 0, "")
}

func (t *Tree) Symlink(c *meta.Caller, now int64, parent meta.Ino, name string, target string) (meta.Attr, meta.Errno) {
	if len(target) == 0 || strings.IndexByte(target, 0) >= 0 {
		return meta.Attr{}, meta.EINVAL
	}
	if len(target) > meta.MaxSymlink {
		return meta.Attr{}, meta.ENAMETOOLONG
	}
	return t.create(c, now, parent, name, meta.S_IFLNK|0o777, 0, target)
}

func (t *Tree) create(c *meta.Caller, now int64, parent meta.Ino, name string, mode, rdev uint32, target string) (meta.Attr, meta.Errno) {
	if e := checkName(name); e != 0 {
		return meta.Attr{}, e
	}
	if !t.wlock() {
		return meta.Attr{}, meta.EClosed
	}
	defer t.wunlock()
	h, e := t.createLocked(c, now, parent, name, mode, rdev, target)
	if e != 0 {
		return meta.Attr{}, e
	}
	return t.attrOf(h), 0
}

func (t *Tree) createLocked(c *meta.Caller, now int64, parent meta.Ino, name string, mode, rdev uint32, target string) (*nodeHdr, meta.Errno) {
	dir, e := t.dirOf(parent)
	if e != 0 {
		return nil, e
	}
	if e := t.mayCreate(c, dir, name); e != 0 {
		return nil, e
	}
	typ := mode & meta.S_IFMT
	if (typ == meta.S_IFCHR || typ == meta.S_IFBLK) && c.Uid != 0 {
		return nil, meta.EPERM // device nodes are root's (Linux: CAP_MKNOD)
	}
	if t.counts.inodes >= t.opts.MaxInodes || t.nextIno > maxIno {
		return nil, meta.ENOSPC
	}
	dt := t.triple(dir)
	perm := newPerm(c, dt, mode)
	gid := c.Gid
	if dt.mode&meta.S_ISGID != 0 {
		gid = dt.gid
	}
	if !t.prepareInsert(dir) {
		return nil, meta.ENOSPC
	}
	var tref arena.Ref
	if typ == meta.S_IFLNK {
		var err error
		if tref, err = t.a.Alloc(len(target), arena.PSymlink); err != nil {
			return nil, meta.ENOSPC
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
	case meta.S_IFLNK:
		h.data, h.size = uint64(tref), uint64(len(target))
	case meta.S_IFCHR, meta.S_IFBLK:
		h.data = uint64(rdev)
	case meta.S_IFDIR:
		h.setParent(meta.Ino(dir.inum()))
		dir.addSubdirs(1)
	}
	t.insert(dir, r)
	t.counts.entries++
	dir.mtime, dir.ctime = now, now
	return h, 0
}

// mayCreate runs the checks of adding name to dir in Linux's order: search
// permission (the lookup), an existing name (EEXIST), then an immutable
// directory (EPERM) and write permission (EACCES).
func (t *Tree) mayCreate(c *meta.Caller, dir *nodeHdr, name string) meta.Errno {
	if e := t.may(c, dir, meta.X_OK); e != 0 {
		return e
	}
	if r, _ := t.find(dir, name); r != 0 {
		return meta.EEXIST
	}
	if immutable(dir) {
		return meta.EPERM
	}
	return t.may(c, dir, meta.W_OK|meta.X_OK)
}

// newPerm gives the permission bits of a node of mode (type and requested
// bits) created by c in a directory of attributes dt, as Linux does: a
// directory keeps only the rwx and sticky bits asked for, and gets S_ISGID
// from a setgid parent; another node keeps S_ISGID unless it asked for
// S_ISGID with group-exec in a setgid parent whose group a non-root caller is
// not in; then the umask applies (not to symlinks: 0777).
func newPerm(c *meta.Caller, dt attrTriple, mode uint32) uint32 {
	typ := mode & meta.S_IFMT
	perm := mode & meta.ModePerm
	sgidDir := dt.mode&meta.S_ISGID != 0
	switch {
	case typ == meta.S_IFLNK:
		return 0o777
	case typ == meta.S_IFDIR:
		perm &= 0o777 | meta.S_ISVTX
	case perm&(meta.S_ISGID|0o010) == meta.S_ISGID|0o010 && sgidDir && c.Uid != 0 && !c.InGroup(dt.gid):
		perm &^= meta.S_ISGID
	}
	perm &^= c.Umask
	if typ == meta.S_IFDIR && sgidDir {
		perm |= meta.S_ISGID
	}
	return perm
}

func (t *Tree) Readlink(c *meta.Caller, ino meta.Ino) (string, meta.Errno) {
	s, ok := t.rlock()
	if !ok {
		return "", meta.EClosed
	}
	defer t.mu.runlock(s)
	h := t.getNode(ino)
	if h == nil {
		return "", meta.ENOENT
	}
	if t.mode(h)&meta.S_IFMT != meta.S_IFLNK {
		return "", meta.EINVAL
	}
	return t.symlinkTarget(h), 0
}

func (t *Tree) Link(c *meta.Caller, now int64, ino meta.Ino, newParent meta.Ino, newName string) (meta.Attr, meta.Errno) {
	if e := checkName(newName); e != 0 {
		return meta.Attr{}, e
	}
	if !t.wlock() {
		return meta.Attr{}, meta.EClosed
	}
	defer t.wunlock()
	h := t.getNode(ino)
	if h == nil {
		return meta.Attr{}, meta.ENOENT
	}
	dir, e := t.dirOf(newParent)
	if e != 0 {
		return meta.Attr{}, e
	}
	if e := t.mayCreate(c, dir, newName); e != 0 {
		return meta.Attr{}, e
	}
	if pinned(h) || isDir(t.mode(h)) {
		return meta.Attr{}, meta.EPERM
	}
	if t.nlink(h) == 0 {
		return meta.Attr{}, meta.ENOENT
	}
	if t.nlink(h) >= meta.MaxLinks {
		return meta.Attr{}, meta.EMLINK
	}
	if !t.prepareInsert(dir) {
		return meta.Attr{}, meta.ENOSPC
	}
	r, err := t.a.Alloc(recSize(true, len(newName)), arena.PLink)
	if err != nil {
		return meta.Attr{}, meta.ENOSPC
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
	if t.opens[meta.Ino(h.inum())] > 0 {
		t.counts.orphans++
		return
	}
	t.freeNode(h)
}

// removable runs the checks shared by Unlink and Rmdir, in Linux's order,
// for the entry name in parent that should (wantDir) or should not be a
// directory: search permission on parent, the name (ENOENT), then mayDelete.
// The caller holds the write lock and has checked name.
func (t *Tree) removable(c *meta.Caller, parent meta.Ino, name string, wantDir bool) (dir, h *nodeHdr, r, prev arena.Ref, e meta.Errno) {
	if dir, e = t.dirOf(parent); e != 0 {
		return
	}
	if e = t.may(c, dir, meta.X_OK); e != 0 {
		return
	}
	if r, prev = t.find(dir, name); r == 0 {
		return dir, nil, 0, 0, meta.ENOENT
	}
	h = t.entNode(r)
	e = t.mayDelete(c, dir, h, wantDir)
	return
}

// mayDelete runs Linux's checks of removing (or replacing) h from dir, in
// its order: an immutable dir (EPERM), write and search permission on dir
// (EACCES), an append-only dir, the sticky rule, an immutable or append-only
// h (EPERM), then h's type against isDir (ENOTDIR, EISDIR).
func (t *Tree) mayDelete(c *meta.Caller, dir, h *nodeHdr, dirWanted bool) meta.Errno {
	if immutable(dir) {
		return meta.EPERM
	}
	if e := t.may(c, dir, meta.W_OK|meta.X_OK); e != 0 {
		return e
	}
	if appendOnly(dir) || t.sticky(c, dir, h) != 0 || pinned(h) {
		return meta.EPERM
	}
	switch d := isDir(t.mode(h)); {
	case dirWanted && !d:
		return meta.ENOTDIR
	case !dirWanted && d:
		return meta.EISDIR
	}
	return 0
}

func (t *Tree) Unlink(c *meta.Caller, now int64, parent meta.Ino, name string) meta.Errno {
	if e := checkName(name); e != 0 {
		return e
	}
	if !t.wlock() {
		return meta.EClosed
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

func (t *Tree) Rmdir(c *meta.Caller, now int64, parent meta.Ino, name string) meta.Errno {
	if e := checkName(name); e != 0 {
		return e
	}
	if !t.wlock() {
		return meta.EClosed
	}
	defer t.wunlock()
	dir, h, r, prev, e := t.removable(c, parent, name, true)
	if e != 0 {
		return e
	}
	if h.count() > 0 {
		return meta.ENOTEMPTY
	}
	t.removeDir(dir, h, r, prev)
	dir.mtime, dir.ctime = now, now
	return 0
}

// removeDir deletes the empty directory h (entry r in dir).
func (t *Tree) removeDir(dir, h *nodeHdr, r, prev arena.Ref) {
	t.removeEnt(dir, r, prev)
	dir.addSubdirs(-1)
	delete(t.opens, meta.Ino(h.inum()))
	t.freeNode(h)
}

func (t *Tree) StatFS(c *meta.Caller) (meta.StatFS, meta.Errno) {
	s, ok := t.rlock()
	if !ok {
		return meta.StatFS{}, meta.EClosed
	}
	defer t.mu.runlock(s)
	st := meta.StatFS{TotalSpace: t.opts.Capacity, UsedSpace: t.usedSpace, Inodes: t.counts.inodes}
	if st.TotalSpace > st.UsedSpace {
		st.AvailSpace = st.TotalSpace - st.UsedSpace
	}
	if t.opts.MaxInodes > st.Inodes {
		st.AvailInodes = t.opts.MaxInodes - st.Inodes
	}
	return st, 0
}

func (t *Tree) Open(c *meta.Caller, now int64, ino meta.Ino, flags uint32) (meta.Attr, meta.Errno) {
	if !t.wlock() {
		return meta.Attr{}, meta.EClosed
	}
	defer t.wunlock()
	acc := flags & meta.O_ACCMODE
	if acc == 3 {
		return meta.Attr{}, meta.EINVAL
	}
	h := t.getNode(ino)
	if h == nil {
		return meta.Attr{}, meta.ENOENT
	}
	mode := t.mode(h)
	write := acc != meta.O_RDONLY || flags&meta.O_TRUNC != 0
	if isDir(mode) && write {
		return meta.Attr{}, meta.EISDIR
	}
	var mask uint32
	if acc == meta.O_RDONLY || acc == meta.O_RDWR {
		mask |= meta.R_OK
	}
	if write {
		mask |= meta.W_OK
	}
	if e := t.may(c, h, mask); e != 0 {
		return meta.Attr{}, e
	}
	if write && immutable(h) {
		return meta.Attr{}, meta.EPERM
	}
	if appendOnly(h) && ((acc != meta.O_RDONLY && flags&meta.O_APPEND == 0) || flags&meta.O_TRUNC != 0) {
		return meta.Attr{}, meta.EPERM
	}
	if flags&meta.O_TRUNC != 0 && mode&meta.S_IFMT == meta.S_IFREG {
		if e := t.truncate(h, 0); e != 0 {
			return meta.Attr{}, e
		}
		t.dropSetID(c, h)
		h.mtime, h.ctime = now, now
	}
	t.opens[ino]++
	return t.attrOf(h), 0
}

func (t *Tree) Release(c *meta.Caller, ino meta.Ino) meta.Errno {
	if !t.wlock() {
		return meta.EClosed
	}
	defer t.wunlock()
	h := t.getNode(ino)
	if h == nil {
		return meta.ENOENT
	}
	n := t.opens[ino]
	if n == 0 {
		return meta.EBADF
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

func (t *Tree) NewSliceID(c *meta.Caller, n uint32) (uint64, meta.Errno) {
	if n == 0 {
		return 0, meta.EINVAL
	}
	if !t.wlock() {
		return 0, meta.EClosed
	}
	defer t.wunlock()
	id := t.nextSlice
	t.nextSlice += uint64(n)
	return id, 0
}
