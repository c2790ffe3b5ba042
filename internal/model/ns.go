package model

import (
	"sort"

	"github.com/cespare/xxhash/v2"
	. "github.com/fsmeta/fsmeta/core/meta"
)

// The namespace operations: lookup, creation, links, removal, rename, readdir.

// Lookup finds name in parent ("." and ".." included).
func (m *Model) Lookup(c *Caller, parent Ino, name string) (Attr, Errno) {
	if name != "." && name != ".." {
		if e := checkName(name); e != 0 {
			return Attr{}, e
		}
	}
	d, e := m.dirOf(parent)
	if e != 0 {
		return Attr{}, e
	}
	if e := may(c, d, X_OK); e != 0 {
		return Attr{}, e
	}
	switch name {
	case ".":
		return m.attrOf(d), 0
	case "..":
		return m.attrOf(m.nodes[d.Parent]), 0
	}
	ino, ok := d.Entries[name]
	if !ok {
		return Attr{}, ENOENT
	}
	return m.attrOf(m.nodes[ino]), 0
}

// GetAttr returns the attributes of ino.
func (m *Model) GetAttr(c *Caller, ino Ino) (Attr, Errno) {
	n, e := m.node(ino)
	if e != 0 {
		return Attr{}, e
	}
	return m.attrOf(n), 0
}

// Access checks mask for the caller.
func (m *Model) Access(c *Caller, ino Ino, mask uint32) Errno {
	if mask > 7 {
		return EINVAL
	}
	n, e := m.node(ino)
	if e != 0 {
		return e
	}
	if mask == 0 {
		return 0
	}
	return may(c, n, mask)
}

// createChecks are the checks Mknod, Mkdir and Symlink share after their own
// argument checks: name, parent, permission, flags, existence, inode limit.
func (m *Model) createChecks(c *Caller, parent Ino, name string) (*Node, Errno) {
	if e := checkName(name); e != 0 {
		return nil, e
	}
	d, e := m.dirOf(parent)
	if e != 0 {
		return nil, e
	}
	if e := may(c, d, W_OK|X_OK); e != 0 {
		return nil, e
	}
	if immutable(d) {
		return nil, EPERM
	}
	if _, ok := d.Entries[name]; ok {
		return nil, EEXIST
	}
	if uint64(len(m.nodes)) >= m.opts.MaxInodes {
		return nil, ENOSPC
	}
	return d, 0
}

// create makes the new inode (mode holds its type and requested bits) named
// name in d, following the creation rules.
func (m *Model) create(c *Caller, now int64, d *Node, name string, mode, rdev uint32, target string) *Node {
	typ := mode & S_IFMT
	gid := c.Gid
	if d.Mode&S_ISGID != 0 {
		gid = d.Gid
	}
	perm := mode & ModePerm &^ c.Umask
	switch {
	case typ == S_IFLNK:
		perm = 0o777
	case typ == S_IFDIR && d.Mode&S_ISGID != 0:
		perm |= S_ISGID
	case typ != S_IFDIR && c.Uid != 0 && !c.InGroup(gid):
		perm &^= S_ISGID
	}
	n := &Node{Ino: m.nextIno, Mode: typ | perm, Nlink: 1, Uid: c.Uid, Gid: gid,
		Atime: now, Mtime: now, Ctime: now}
	m.nextIno++
	switch typ {
	case S_IFDIR:
		n.Parent, n.Entries, n.Nlink = d.Ino, map[string]Ino{}, 0
	case S_IFLNK:
		n.Target, n.Size = target, uint64(len(target))
	case S_IFCHR, S_IFBLK:
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
	case S_IFREG, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK:
		return true
	}
	return false
}

// Mknod creates a node of any type but directory and symlink.
func (m *Model) Mknod(c *Caller, now int64, parent Ino, name string, mode uint32, rdev uint32) (Attr, Errno) {
	typ := mode & S_IFMT
	if typ == 0 {
		typ = S_IFREG
	}
	if !knownType(typ) {
		return Attr{}, EINVAL
	}
	d, e := m.createChecks(c, parent, name)
	if e != 0 {
		return Attr{}, e
	}
	return m.attrOf(m.create(c, now, d, name, typ|mode&ModePerm, rdev, "")), 0
}

// Mkdir creates a directory (mode's type bits are ignored).
func (m *Model) Mkdir(c *Caller, now int64, parent Ino, name string, mode uint32) (Attr, Errno) {
	d, e := m.createChecks(c, parent, name)
	if e != 0 {
		return Attr{}, e
	}
	return m.attrOf(m.create(c, now, d, name, S_IFDIR|mode&ModePerm, 0, "")), 0
}

// Symlink creates a symbolic link to target.
func (m *Model) Symlink(c *Caller, now int64, parent Ino, name string, target string) (Attr, Errno) {
	switch {
	case target == "" || containsNUL(target):
		return Attr{}, EINVAL
	case len(target) > MaxSymlink:
		return Attr{}, ENAMETOOLONG
	}
	d, e := m.createChecks(c, parent, name)
	if e != 0 {
		return Attr{}, e
	}
	return m.attrOf(m.create(c, now, d, name, S_IFLNK, 0, target)), 0
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
func (m *Model) Readlink(c *Caller, ino Ino) (string, Errno) {
	n, e := m.node(ino)
	if e != 0 {
		return "", e
	}
	if !n.isSymlink() {
		return "", EINVAL
	}
	return n.Target, 0
}

// Link adds the name newName in newParent for ino.
func (m *Model) Link(c *Caller, now int64, ino Ino, newParent Ino, newName string) (Attr, Errno) {
	if e := checkName(newName); e != 0 {
		return Attr{}, e
	}
	n, e := m.node(ino)
	if e != 0 {
		return Attr{}, e
	}
	d, e := m.dirOf(newParent)
	if e != 0 {
		return Attr{}, e
	}
	if n.isDir() {
		return Attr{}, EPERM
	}
	if e := may(c, d, W_OK|X_OK); e != 0 {
		return Attr{}, e
	}
	if immutable(d) || immutableOrAppend(n) {
		return Attr{}, EPERM
	}
	if _, ok := d.Entries[newName]; ok {
		return Attr{}, EEXIST
	}
	if n.Nlink >= MaxLinks {
		return Attr{}, EMLINK
	}
	if n.Nlink == 0 {
		return Attr{}, ENOENT
	}
	n.Nlink++
	n.Ctime = now
	setEntry(d, newName, ino)
	d.Mtime, d.Ctime = now, now
	return m.attrOf(n), 0
}

// removeChecks are the checks Unlink and Rmdir share up to the existence of
// the name: it returns the parent and the named node.
func (m *Model) removeChecks(c *Caller, parent Ino, name string) (*Node, *Node, Errno) {
	if e := checkName(name); e != 0 {
		return nil, nil, e
	}
	d, e := m.dirOf(parent)
	if e != 0 {
		return nil, nil, e
	}
	if e := may(c, d, W_OK|X_OK); e != 0 {
		return nil, nil, e
	}
	if immutableOrAppend(d) {
		return nil, nil, EPERM
	}
	ino, ok := d.Entries[name]
	if !ok {
		return nil, nil, ENOENT
	}
	return d, m.nodes[ino], 0
}

// Unlink removes a non-directory name.
func (m *Model) Unlink(c *Caller, now int64, parent Ino, name string) Errno {
	d, n, e := m.removeChecks(c, parent, name)
	if e != 0 {
		return e
	}
	if n.isDir() {
		return EISDIR
	}
	if e := sticky(c, d, n); e != 0 {
		return e
	}
	if immutableOrAppend(n) {
		return EPERM
	}
	delEntry(d, name)
	d.Mtime, d.Ctime = now, now
	m.dropLink(n, now)
	return 0
}

// Rmdir removes an empty directory.
func (m *Model) Rmdir(c *Caller, now int64, parent Ino, name string) Errno {
	d, n, e := m.removeChecks(c, parent, name)
	if e != 0 {
		return e
	}
	if !n.isDir() {
		return ENOTDIR
	}
	if e := sticky(c, d, n); e != 0 {
		return e
	}
	if immutableOrAppend(n) {
		return EPERM
	}
	if len(n.Entries) > 0 {
		return ENOTEMPTY
	}
	delEntry(d, name)
	d.Mtime, d.Ctime = now, now
	m.dropDir(n)
	return 0
}

// inSubtree reports whether directory ino is top or lies below it.
func (m *Model) inSubtree(ino, top Ino) bool {
	for {
		if ino == top {
			return true
		}
		if ino == RootIno {
			return false
		}
		ino = m.nodes[ino].Parent
	}
}

// Rename moves, replaces or exchanges entries.
func (m *Model) Rename(c *Caller, now int64, parent Ino, name string, newParent Ino, newName string, flags uint32) Errno {
	if flags&^(RenameNoReplace|RenameExchange) != 0 || flags == RenameNoReplace|RenameExchange {
		return EINVAL
	}
	exchange := flags&RenameExchange != 0
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
	if e := may(c, pd, W_OK|X_OK); e != 0 {
		return e
	}
	if e := may(c, nd, W_OK|X_OK); e != 0 {
		return e
	}
	if immutable(pd) || immutable(nd) || appendOnly(pd) {
		return EPERM
	}
	srcIno, ok := pd.Entries[name]
	if !ok {
		return ENOENT
	}
	src := m.nodes[srcIno]
	if e := sticky(c, pd, src); e != 0 {
		return e
	}
	if immutableOrAppend(src) {
		return EPERM
	}
	tgtIno, exists := nd.Entries[newName]
	if exists && flags&RenameNoReplace != 0 {
		return EEXIST
	}
	if !exists && exchange {
		return ENOENT
	}
	if exists && tgtIno == srcIno {
		return 0
	}
	var tgt *Node
	if exists {
		tgt = m.nodes[tgtIno]
	}
	if src.isDir() && m.inSubtree(newParent, srcIno) {
		return EINVAL
	}
	if exchange && tgt.isDir() && m.inSubtree(parent, tgtIno) {
		return EINVAL
	}
	if exists {
		if e := sticky(c, nd, tgt); e != 0 {
			return e
		}
		if immutableOrAppend(tgt) || appendOnly(nd) {
			return EPERM
		}
		if !exchange {
			switch {
			case src.isDir() && !tgt.isDir():
				return ENOTDIR
			case !src.isDir() && tgt.isDir():
				return EISDIR
			case tgt.isDir() && len(tgt.Entries) > 0:
				return ENOTEMPTY
			}
		}
	}
	if parent != newParent {
		if src.isDir() {
			if e := may(c, src, W_OK); e != 0 {
				return e
			}
		}
		if exchange && tgt.isDir() {
			if e := may(c, tgt, W_OK); e != 0 {
				return e
			}
		}
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
func (m *Model) ReadDir(c *Caller, ino Ino, cursor uint64, max int, plus bool, out []DirEntry) ([]DirEntry, uint64, Errno) {
	d, e := m.dirOf(ino)
	if e != 0 {
		return out, 0, e
	}
	if e := may(c, d, R_OK); e != 0 {
		return out, 0, e
	}
	list := views(d).byHash
	i := sort.Search(len(list), func(i int) bool { return list[i].h >= cursor })
	for start := i; i < len(list); i++ {
		if i > start && i-start >= max && list[i].h != list[i-1].h {
			break
		}
		n := m.nodes[d.Entries[list[i].name]]
		de := DirEntry{Name: list[i].name, Ino: n.Ino, Type: n.Mode & S_IFMT}
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
func (m *Model) StatFS(c *Caller) (StatFS, Errno) {
	var used uint64
	for _, n := range m.nodes {
		if n.isRegular() {
			used += align4k(n.Size)
		}
	}
	s := StatFS{TotalSpace: m.opts.Capacity, UsedSpace: used, Inodes: uint64(len(m.nodes))}
	if used < s.TotalSpace {
		s.AvailSpace = s.TotalSpace - used
	}
	if s.Inodes < m.opts.MaxInodes {
		s.AvailInodes = m.opts.MaxInodes - s.Inodes
	}
	return s, 0
}
