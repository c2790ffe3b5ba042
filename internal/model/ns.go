package model

import (
	"sort"

	"github.com/cespare/xxhash/v2"
	"github.com/fsmeta/fsmeta/core/meta"
)

// The namespace operations: lookup, creation, links, removal, rename, readdir.

// Lookup finds name in parent ("." and ".." included).
func (m *Model) Lookup(c *meta.Caller, parent meta.Ino, name string) (meta.Attr, meta.Errno) {
	if name != "." && name != ".." {
		if e := checkName(name); e != 0 {
			return meta.Attr{}, e
		}
	}
	d, e := m.dirOf(parent)
	if e != 0 {
		return meta.Attr{}, e
	}
	if e := may(c, d, meta.X_OK); e != 0 {
		return meta.Attr{}, e
	}
	switch name {
	case ".":
		return m.attrOf(d), 0
	case "..":
		return m.attrOf(m.nodes[d.Parent]), 0
	}
	ino, ok := d.Entries[name]
	if !ok {
		return meta.Attr{}, meta.ENOENT
	}
	return m.attrOf(m.nodes[ino]), 0
}

// GetAttr returns the attributes of ino.
func (m *Model) GetAttr(c *meta.Caller, ino meta.Ino) (meta.Attr, meta.Errno) {
	n, e := m.node(ino)
	if e != 0 {
		return meta.Attr{}, e
	}
	return m.attrOf(n), 0
}

// Access checks mask for the caller.
func (m *Model) Access(c *meta.Caller, ino meta.Ino, mask uint32) meta.Errno {
	if mask > 7 {
		return meta.EINVAL
	}
	n, e := m.node(ino)
	if e != 0 {
		return e
	}
	if mask == 0 {
		return 0
	}
	if mask&meta.W_OK != 0 && immutable(n) {
		return meta.EPERM // Linux: no write access to an immutable node
	}
	return may(c, n, mask)
}

// createChecks are the checks Mknod, Mkdir and Symlink share after their own
// argument checks: name, parent, permission, flags, existence, inode limit.
func (m *Model) createChecks(c *meta.Caller, parent meta.Ino, name string) (*Node, meta.Errno) {
	if e := checkName(name); e != 0 {
		return nil, e
	}
	d, e := m.dirOf(parent)
	if e != 0 {
		return nil, e
	}
	if e := mayAdd(c, d, name); e != 0 {
		return nil, e
	}
	return d, 0
}

// mayAdd checks that c may add name to directory d, in Linux's order: search
// permission (the lookup of name), name taken (EEXIST), d immutable (EPERM),
// write permission (EACCES).
func mayAdd(c *meta.Caller, d *Node, name string) meta.Errno {
	if e := may(c, d, meta.X_OK); e != 0 {
		return e
	}
	if _, ok := d.Entries[name]; ok {
		return meta.EEXIST
	}
	if immutable(d) {
		return meta.EPERM
	}
	return may(c, d, meta.W_OK|meta.X_OK)
}

// mayRemove checks that c may remove n from directory d (Unlink, Rmdir, and
// Rename for its source and a replaced target), in Linux's order: d
// immutable (EPERM), write and search permission on d (EACCES), d
// append-only, the sticky rule, n immutable or append-only (EPERM), then n's
// type against wantDir (ENOTDIR when a directory was wanted, EISDIR when not).
func mayRemove(c *meta.Caller, d, n *Node, wantDir bool) meta.Errno {
	if immutable(d) {
		return meta.EPERM
	}
	if e := may(c, d, meta.W_OK|meta.X_OK); e != 0 {
		return e
	}
	if appendOnly(d) {
		return meta.EPERM
	}
	if e := sticky(c, d, n); e != 0 {
		return e
	}
	if immutableOrAppend(n) {
		return meta.EPERM
	}
	if wantDir && !n.isDir() {
		return meta.ENOTDIR
	}
	if !wantDir && n.isDir() {
		return meta.EISDIR
	}
	return 0
}

// create makes the new inode (mode holds its type and requested bits) named
// name in d, following the creation rules.
func (m *Model) create(c *meta.Caller, now int64, d *Node, name string, mode, rdev uint32, target string) *Node {
	typ := mode & meta.S_IFMT
	gid := c.Gid
	setgidDir := d.Mode&meta.S_ISGID != 0
	if setgidDir {
		gid = d.Gid
	}
	// Linux: a directory takes only rwx and sticky from mode, and S_ISGID
	// from a setgid parent; another node loses S_ISGID only when it asks for
	// it with group-exec in a setgid parent whose group a non-root caller
	// is not in; the umask comes after.
	perm := mode & meta.ModePerm
	switch {
	case typ == meta.S_IFDIR:
		perm &= 0o777 | meta.S_ISVTX
	case setgidDir && perm&meta.S_ISGID != 0 && perm&0o010 != 0 && c.Uid != 0 && !c.InGroup(d.Gid):
		perm &^= meta.S_ISGID
	}
	perm &^= c.Umask
	switch {
	case typ == meta.S_IFLNK:
		perm = 0o777
	case typ == meta.S_IFDIR && setgidDir:
		perm |= meta.S_ISGID
	}
	n := &Node{Ino: m.nextIno, Mode: typ | perm, Nlink: 1, Uid: c.Uid, Gid: gid,
		Atime: now, Mtime: now, Ctime: now}
	m.nextIno++
	switch typ {
	case meta.S_IFDIR:
		n.Parent, n.Entries, n.Nlink = d.Ino, map[string]meta.Ino{}, 0
	case meta.S_IFLNK:
		n.Target, n.Size = target, uint64(len(target))
	case meta.S_IFCHR, meta.S_IFBLK:
		n.Rdev = rdev
	}
	m.nodes[n.Ino] = n
	setEntry(d, name, n.Ino)
	d.Mtime, d.Ctime = now, now
	return n
}

// knownType reports whether t is a type Mknod creates.
func knownType(t uint32) bool {
	switch t {
	case meta.S_IFREG, meta.S_IFIFO, meta.S_IFSOCK, meta.S_IFCHR, meta.S_IFBLK:
		return true
	}
	return false
}

// Mknod creates a node of any type but directory and symlink.
func (m *Model) Mknod(c *meta.Caller, now int64, parent meta.Ino, name string, mode uint32, rdev uint32) (meta.Attr, meta.Errno) {
	typ := mode & meta.S_IFMT
	if typ == 0 {
		typ = meta.S_IFREG
	}
	if !knownType(typ) {
		return meta.Attr{}, meta.EINVAL
	}
	d, e := m.createChecks(c, parent, name)
	if e != 0 {
		return meta.Attr{}, e
	}
	if (typ == meta.S_IFCHR || typ == meta.S_IFBLK) && c.Uid != 0 {
		return meta.Attr{}, meta.EPERM // Linux: CAP_MKNOD
	}
	if e := m.inodeRoom(); e != 0 {
		return meta.Attr{}, e
	}
	return m.attrOf(m.create(c, now, d, name, typ|mode&meta.ModePerm, rdev, "")), 0
}

// Mkdir creates a directory (mode's type bits are ignored).
func (m *Model) Mkdir(c *meta.Caller, now int64, parent meta.Ino, name string, mode uint32) (meta.Attr, meta.Errno) {
	d, e := m.createChecks(c, parent, name)
	if e != 0 {
		return meta.Attr{}, e
	}
	if e := m.inodeRoom(); e != 0 {
		return meta.Attr{}, e
	}
	return m.attrOf(m.create(c, now, d, name, meta.S_IFDIR|mode&meta.ModePerm, 0, "")), 0
}

// Symlink creates a symbolic link to target.
func (m *Model) Symlink(c *meta.Caller, now int64, parent meta.Ino, name string, target string) (meta.Attr, meta.Errno) {
	switch {
	case target == "" || containsNUL(target):
		return meta.Attr{}, meta.EINVAL
	case len(target) > meta.MaxSymlink:
		return meta.Attr{}, meta.ENAMETOOLONG
	}
	d, e := m.createChecks(c, parent, name)
	if e != 0 {
		return meta.Attr{}, e
	}
	if e := m.inodeRoom(); e != 0 {
		return meta.Attr{}, e
	}
	return m.attrOf(m.create(c, now, d, name, meta.S_IFLNK, 0, target)), 0
}

// inodeRoom is ENOSPC when the inode limit is reached.
func (m *Model) inodeRoom() meta.Errno {
	if uint64(len(m.nodes)) >= m.opts.MaxInodes {
		return meta.ENOSPC
	}
	return 0
}

func containsNUL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return true
		}
	}
	return false
}

// Readlink returns a symlink's target.
func (m *Model) Readlink(c *meta.Caller, ino meta.Ino) (string, meta.Errno) {
	n, e := m.node(ino)
	if e != 0 {
		return "", e
	}
	if !n.isSymlink() {
		return "", meta.EINVAL
	}
	return n.Target, 0
}

// Link adds the name newName in newParent for ino.
func (m *Model) Link(c *meta.Caller, now int64, ino meta.Ino, newParent meta.Ino, newName string) (meta.Attr, meta.Errno) {
	if e := checkName(newName); e != 0 {
		return meta.Attr{}, e
	}
	n, e := m.node(ino)
	if e != 0 {
		return meta.Attr{}, e
	}
	d, e := m.dirOf(newParent)
	if e != 0 {
		return meta.Attr{}, e
	}
	if e := mayAdd(c, d, newName); e != 0 {
		return meta.Attr{}, e
	}
	if immutableOrAppend(n) || n.isDir() {
		return meta.Attr{}, meta.EPERM
	}
	if n.Nlink == 0 {
		return meta.Attr{}, meta.ENOENT
	}
	if n.Nlink >= meta.MaxLinks {
		return meta.Attr{}, meta.EMLINK
	}
	n.Nlink++
	n.Ctime = now
	setEntry(d, newName, ino)
	d.Mtime, d.Ctime = now, now
	return m.attrOf(n), 0
}

// removeChecks are the checks Unlink and Rmdir share up to the existence of
// the name: it returns the parent and the named node.
func (m *Model) removeChecks(c *meta.Caller, parent meta.Ino, name string) (*Node, *Node, meta.Errno) {
	if e := checkName(name); e != 0 {
		return nil, nil, e
	}
	d, e := m.dirOf(parent)
	if e != 0 {
		return nil, nil, e
	}
	if e := may(c, d, meta.X_OK); e != 0 {
		return nil, nil, e
	}
	ino, ok := d.Entries[name]
	if !ok {
		return nil, nil, meta.ENOENT
	}
	return d, m.nodes[ino], 0
}

// Unlink removes a non-directory name.
func (m *Model) Unlink(c *meta.Caller, now int64, parent meta.Ino, name string) meta.Errno {
	d, n, e := m.removeChecks(c, parent, name)
	if e != 0 {
		return e
	}
	if e := mayRemove(c, d, n, false); e != 0 {
		return e
	}
	delEntry(d, name)
	d.Mtime, d.Ctime = now, now
	m.dropLink(n, now)
	return 0
}

// Rmdir removes an empty directory.
func (m *Model) Rmdir(c *meta.Caller, now int64, parent meta.Ino, name string) meta.Errno {
	d, n, e := m.removeChecks(c, parent, name)
	if e != 0 {
		return e
	}
	if e := mayRemove(c, d, n, true); e != 0 {
		return e
	}
	if len(n.Entries) > 0 {
		return meta.ENOTEMPTY
	}
	delEntry(d, name)
	d.Mtime, d.Ctime = now, now
	m.dropDir(n)
	return 0
}

// inSubtree reports whether directory ino is top or lies below it.
func (m *Model) inSubtree(ino, top meta.Ino) bool {
	for {
		if ino == top {
			return true
		}
		if ino == meta.RootIno {
			return false
		}
		ino = m.nodes[ino].Parent
	}
}

// Rename moves, replaces or exchanges entries.
func (m *Model) Rename(c *meta.Caller, now int64, parent meta.Ino, name string, newParent meta.Ino, newName string, flags uint32) meta.Errno {
	if flags&^(meta.RenameNoReplace|meta.RenameExchange) != 0 || flags == meta.RenameNoReplace|meta.RenameExchange {
		return meta.EINVAL
	}
	exchange := flags&meta.RenameExchange != 0
	if e := checkName(name); e != 0 {
		return e
	}
	if e := checkName(newName); e != 0 {
		return e
	}
	pd, e := m.dirOf(parent)
	if e != 0 {
		return e
	}
	nd, e := m.dirOf(newParent)
	if e != 0 {
		return e
	}
	// Linux's order: the lookups, the parents' ancestry, onto itself, then
	// removal from pd and addition to (or replacement in) nd.
	if e := may(c, pd, meta.X_OK); e != 0 {
		return e
	}
	if e := may(c, nd, meta.X_OK); e != 0 {
		return e
	}
	srcIno, ok := pd.Entries[name]
	if !ok {
		return meta.ENOENT
	}
	src := m.nodes[srcIno]
	tgtIno, exists := nd.Entries[newName]
	if exists && flags&meta.RenameNoReplace != 0 {
		return meta.EEXIST
	}
	if !exists && exchange {
		return meta.ENOENT
	}
	var tgt *Node
	if exists {
		tgt = m.nodes[tgtIno]
	}
	if src.isDir() && m.inSubtree(newParent, srcIno) {
		return meta.EINVAL
	}
	if exists && tgtIno != srcIno && tgt.isDir() && m.inSubtree(parent, tgtIno) {
		if exchange {
			return meta.EINVAL
		}
		return meta.ENOTEMPTY
	}
	if exists && tgtIno == srcIno {
		return 0
	}
	if e := mayRemove(c, pd, src, src.isDir()); e != 0 {
		return e
	}
	if !exists {
		if immutable(nd) {
			return meta.EPERM
		}
		if e := may(c, nd, meta.W_OK|meta.X_OK); e != 0 {
			return e
		}
	} else {
		wantDir := src.isDir()
		if exchange {
			wantDir = tgt.isDir()
		}
		if e := mayRemove(c, nd, tgt, wantDir); e != 0 {
			return e
		}
	}
	if parent != newParent {
		if src.isDir() {
			if e := may(c, src, meta.W_OK); e != 0 {
				return e
			}
		}
		if exchange && tgt.isDir() {
			if e := may(c, tgt, meta.W_OK); e != 0 {
				return e
			}
		}
	}
	if !exchange && exists && tgt.isDir() && len(tgt.Entries) > 0 {
		return meta.ENOTEMPTY
	}
	if exchange {
		setEntry(pd, name, tgtIno)
		setEntry(nd, newName, srcIno)
		if tgt.isDir() {
			tgt.Parent = parent
		}
		tgt.Ctime = now
	} else {
		if exists {
			delEntry(nd, newName)
			if tgt.isDir() {
				m.dropDir(tgt)
			} else {
				m.dropLink(tgt, now)
			}
		}
		delEntry(pd, name)
		setEntry(nd, newName, srcIno)
	}
	if src.isDir() {
		src.Parent = newParent
	}
	src.Ctime = now
	pd.Mtime, pd.Ctime = now, now
	nd.Mtime, nd.Ctime = now, now
	return 0
}

// NameHash is the hash that orders a directory listing (the engine's: xxhash64 of the name).
func NameHash(name string) uint64 { return xxhash.Sum64String(name) }

// ReadDir lists directory ino from cursor (the smallest hash to return) in
// hash order: max entries (at least one), more only to keep a run of equal
// hashes in one batch, and the cursor of the next call: the hash of the first
// entry left out, 0 at the end.
func (m *Model) ReadDir(c *meta.Caller, ino meta.Ino, cursor uint64, max int, plus bool, out []meta.DirEntry) ([]meta.DirEntry, uint64, meta.Errno) {
	d, e := m.dirOf(ino)
	if e != 0 {
		return out, 0, e
	}
	if e := may(c, d, meta.R_OK); e != 0 {
		return out, 0, e
	}
	list := views(d).byHash
	i := sort.Search(len(list), func(i int) bool { return list[i].h >= cursor })
	for start := i; i < len(list); i++ {
		if i > start && i-start >= max && list[i].h != list[i-1].h {
			break
		}
		n := m.nodes[d.Entries[list[i].name]]
		de := meta.DirEntry{Name: list[i].name, Ino: n.Ino, Type: n.Mode & meta.S_IFMT}
		if plus {
			de.Attr = m.attrOf(n)
		}
		out = append(out, de)
	}
	var next uint64
	if i < len(list) {
		next = list[i].h
	}
	return out, next, 0
}

// StatFS returns capacity and usage.
func (m *Model) StatFS(c *meta.Caller) (meta.StatFS, meta.Errno) {
	var used uint64
	for _, n := range m.nodes {
		if n.isRegular() {
			used += align4k(n.Size)
		}
	}
	s := meta.StatFS{TotalSpace: m.opts.Capacity, UsedSpace: used, Inodes: uint64(len(m.nodes))}
	if used < s.TotalSpace {
		s.AvailSpace = s.TotalSpace - used
	}
	if s.Inodes < m.opts.MaxInodes {
		s.AvailInodes = m.opts.MaxInodes - s.Inodes
	}
	return s, 0
}
