package fsmeta

import (
	"strings"

	"github.com/fsmeta/fsmeta/core/fsm"
	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/core/tree"
)

// The operations by path (the C functions fsmeta_path_*): each checks its
// path as Resolve does (pathArg: too long ENAMETOOLONG, a NUL EINVAL, the
// empty path ENOENT), resolves it, and applies the inode operation to what it
// found. The walk and the operation are two steps, as on Linux, where the
// walk is not atomic with the change either: a directory of the path renamed
// in between is where the change happens, one removed in between gives
// ENOENT. The operations that remove or make a name (UnlinkPath, RmdirPath,
// RenamePath, SymlinkPath, LinkPath) resolve the path's directory, following
// symlinks, and act on its last component, with Linux's answers for the
// root, "." and ".." and a trailing "/"; the others act on the inode the
// path names, the last component followed when follow is set (as Resolve).

// pathEnd is a path cut into its directory (resolved) and last component.
type pathEnd struct {
	parent Ino
	name   string // "" for the root
	slash  bool   // the path ends in "/" after its last component
}

// split checks path and resolves its directory.
func (db *DB) split(c *Caller, op, path string) (pathEnd, error) {
	if e := pathArg(path); e != 0 {
		return pathEnd{}, db.wrap(op, meta.RootIno, path, e)
	}
	p := strings.TrimRight(path, "/")
	if p == "" {
		return pathEnd{parent: meta.RootIno}, nil
	}
	i := strings.LastIndexByte(p, '/')
	end := pathEnd{parent: meta.RootIno, name: p[i+1:], slash: len(p) < len(path)}
	if dir := p[:i+1]; strings.Trim(dir, "/") != "" {
		a, e := db.reads().Resolve(c, dir, true) // dir ends in "/": ENOTDIR unless a directory
		if e != 0 {
			return pathEnd{}, db.wrap(op, meta.RootIno, path, e)
		}
		end.parent = a.Ino
	}
	return end, nil
}

// args checks the arguments of o that do not come from a path (flags, masks,
// a symlink's target, an xattr's name and value) before the path is looked
// at, as Linux does and as the inode operations do (docs/semantics.md: the
// arguments first). The entry names of rename and symlink, which come from
// the paths, are a placeholder.
func (db *DB) args(op, path string, o *fsm.Op) error {
	if o.Code == fsm.OpRename || o.Code == fsm.OpSymlink {
		o.Name = placeholder(o.Name)
	}
	if o.Code == fsm.OpRename {
		o.Name2 = placeholder(o.Name2)
	}
	return db.wrap(op, meta.RootIno, path, fsm.Validate(o))
}

func placeholder(s string) string {
	if s == "" {
		return "x"
	}
	return s
}

// dots reports a last component that is not a name: the root, "." or "..".
func (p pathEnd) dots() bool { return p.name == "" || p.name == "." || p.name == ".." }

// object resolves the inode a path names.
func (db *DB) object(c *Caller, op, path string, follow bool) (Ino, error) {
	if e := pathArg(path); e != 0 {
		return 0, db.wrap(op, meta.RootIno, path, e)
	}
	a, e := db.reads().Resolve(c, path, follow)
	if e != 0 {
		return 0, db.wrap(op, meta.RootIno, path, e)
	}
	return a.Ino, nil
}

// UnlinkPath removes the non-directory path names (unlink(2)). The root, "."
// and ".." are EISDIR; with a trailing "/", EISDIR for a directory, ENOTDIR
// for anything else (a symlink is not followed). Errors as Unlink, and the
// path's (Resolve).
func (db *DB) UnlinkPath(c *Caller, path string) error {
	c, err := callerOf("unlink", meta.RootIno, path, c)
	if err != nil {
		return err
	}
	p, err := db.split(c, "unlink", path)
	if err != nil {
		return err
	}
	if p.dots() {
		return db.wrap("unlink", p.parent, path, meta.EISDIR)
	}
	if p.slash {
		a, e := db.reads().Lookup(c, p.parent, p.name)
		switch {
		case e != 0:
		case a.Mode&meta.S_IFMT == meta.S_IFDIR:
			e = meta.EISDIR
		default:
			e = meta.ENOTDIR
		}
		return db.wrap("unlink", p.parent, p.name, e)
	}
	return db.Unlink(c, p.parent, p.name)
}

// RmdirPath removes the empty directory path names (rmdir(2)): the root is
// EBUSY, a last component "." EINVAL and ".." ENOTEMPTY, as on Linux.
// Errors as Rmdir, and the path's.
func (db *DB) RmdirPath(c *Caller, path string) error {
	c, err := callerOf("rmdir", meta.RootIno, path, c)
	if err != nil {
		return err
	}
	p, err := db.split(c, "rmdir", path)
	if err != nil {
		return err
	}
	switch p.name {
	case "":
		return db.wrap("rmdir", p.parent, path, meta.EBUSY)
	case ".":
		return db.wrap("rmdir", p.parent, path, meta.EINVAL)
	case "..":
		return db.wrap("rmdir", p.parent, path, meta.ENOTEMPTY)
	}
	return db.Rmdir(c, p.parent, p.name)
}

// RenamePath moves path to newPath (rename(2), renameat2(2) flags as Rename).
// The root, "." or ".." as either last component is EBUSY; a trailing "/"
// on either needs the entry moved (and with meta.RenameExchange the other
// too) to be a directory (ENOTDIR). Errors as Rename, and the paths'.
func (db *DB) RenamePath(c *Caller, path, newPath string, flags uint32) error {
	c, err := callerOf("rename", meta.RootIno, path, c)
	if err != nil {
		return err
	}
	if err := db.args("rename", path, &fsm.Op{Code: fsm.OpRename, Flags: flags}); err != nil {
		return err
	}
	if e := pathArg(newPath); e != 0 {
		return db.wrap("rename", meta.RootIno, newPath, e)
	}
	p, err := db.split(c, "rename", path)
	if err != nil {
		return err
	}
	q, err := db.split(c, "rename", newPath)
	if err != nil {
		return err
	}
	if p.dots() || q.dots() {
		return db.wrap("rename", p.parent, path, meta.EBUSY)
	}
	if p.slash || q.slash {
		a, e := db.reads().Lookup(c, p.parent, p.name)
		if e != 0 {
			return db.wrap("rename", p.parent, p.name, e)
		}
		if a.Mode&meta.S_IFMT != meta.S_IFDIR && (p.slash || q.slash && flags&meta.RenameExchange == 0) {
			return db.wrap("rename", p.parent, p.name, meta.ENOTDIR)
		}
		if flags&meta.RenameExchange != 0 {
			b, e := db.reads().Lookup(c, q.parent, q.name)
			if e != 0 {
				return db.wrap("rename", q.parent, q.name, e)
			}
			if b.Mode&meta.S_IFMT != meta.S_IFDIR && (q.slash || p.slash) {
				return db.wrap("rename", q.parent, q.name, meta.ENOTDIR)
			}
		}
	}
	return db.Rename(c, p.parent, p.name, q.parent, q.name, flags)
}

// made checks the last component of a path where a name is to be made: the
// root, "." and ".." exist (EEXIST); with a trailing "/", an existing name is
// EEXIST and a missing one ENOENT (Linux makes no non-directory through
// "name/").
func (db *DB) made(c *Caller, op, path string, p pathEnd) error {
	if p.dots() {
		return db.wrap(op, p.parent, path, meta.EEXIST)
	}
	if p.slash {
		_, e := db.reads().Lookup(c, p.parent, p.name)
		if e == 0 {
			e = meta.EEXIST
		}
		return db.wrap(op, p.parent, p.name, e)
	}
	return nil
}

// SymlinkPath creates the symbolic link path to target (symlink(2); the
// arguments in Symlink's order). Errors as Symlink, the path's, and EEXIST
// for the root, "." and "..".
func (db *DB) SymlinkPath(c *Caller, path, target string) (Attr, error) {
	c, err := callerOf("symlink", meta.RootIno, path, c)
	if err != nil {
		return Attr{}, err
	}
	if err := db.args("symlink", path, &fsm.Op{Code: fsm.OpSymlink, Name2: target}); err != nil {
		return Attr{}, err
	}
	p, err := db.split(c, "symlink", path)
	if err != nil {
		return Attr{}, err
	}
	if err := db.made(c, "symlink", path, p); err != nil {
		return Attr{}, err
	}
	return db.Symlink(c, p.parent, p.name, target)
}

// LinkPath adds newPath as a name of what path names (link(2): a final
// symlink of path is not followed). Errors as Link, the paths', and EEXIST
// for the root, "." and ".." as newPath.
func (db *DB) LinkPath(c *Caller, path, newPath string) (Attr, error) {
	c, err := callerOf("link", meta.RootIno, path, c)
	if err != nil {
		return Attr{}, err
	}
	if e := pathArg(newPath); e != 0 {
		return Attr{}, db.wrap("link", meta.RootIno, newPath, e)
	}
	ino, err := db.object(c, "link", path, false)
	if err != nil {
		return Attr{}, err
	}
	q, err := db.split(c, "link", newPath)
	if err != nil {
		return Attr{}, err
	}
	if err := db.made(c, "link", newPath, q); err != nil {
		return Attr{}, err
	}
	return db.Link(c, ino, q.parent, q.name)
}

// ReadlinkPath returns the target of the symlink path names (readlink(2):
// the last component is not followed). Errors as Readlink and the path's.
func (db *DB) ReadlinkPath(c *Caller, path string) (string, error) {
	c, err := callerOf("readlink", meta.RootIno, path, c)
	if err != nil {
		return "", err
	}
	ino, err := db.object(c, "readlink", path, false)
	if err != nil {
		return "", err
	}
	return db.Readlink(c, ino)
}

// SetAttrPath is SetAttr on what path names, its last component followed
// when follow is set (chmod(2), truncate(2), utimensat(2)) or not (lchown(2),
// utimensat with AT_SYMLINK_NOFOLLOW).
func (db *DB) SetAttrPath(c *Caller, path string, follow bool, mask uint32, in SetAttrIn) (Attr, error) {
	c, err := callerOf("setattr", meta.RootIno, path, c)
	if err != nil {
		return Attr{}, err
	}
	if err := db.args("setattr", path, &fsm.Op{Code: fsm.OpSetAttr, Mode: mask, Attr: in}); err != nil {
		return Attr{}, err
	}
	ino, err := db.object(c, "setattr", path, follow)
	if err != nil {
		return Attr{}, err
	}
	return db.SetAttr(c, ino, mask, in)
}

// TruncatePath sets the size of the regular file path names (truncate(2):
// symlinks followed).
func (db *DB) TruncatePath(c *Caller, path string, size uint64) (Attr, error) {
	return db.SetAttrPath(c, path, true, meta.SetSize, SetAttrIn{Size: size})
}

// GetXattrPath is GetXattr on what path names (getxattr(2) with follow,
// lgetxattr(2) without).
func (db *DB) GetXattrPath(c *Caller, path string, follow bool, name string) ([]byte, error) {
	c, err := callerOf("getxattr", meta.RootIno, path, c)
	if err != nil {
		return nil, err
	}
	if e := tree.CheckXattrName(name); e != 0 {
		return nil, db.wrap("getxattr", meta.RootIno, path, e)
	}
	ino, err := db.object(c, "getxattr", path, follow)
	if err != nil {
		return nil, err
	}
	return db.GetXattr(c, ino, name)
}

// SetXattrPath is SetXattr on what path names (setxattr(2) with follow,
// lsetxattr(2) without).
func (db *DB) SetXattrPath(c *Caller, path string, follow bool, name string, value []byte, flags uint32) error {
	c, err := callerOf("setxattr", meta.RootIno, path, c)
	if err != nil {
		return err
	}
	if err := db.args("setxattr", path, &fsm.Op{Code: fsm.OpSetXattr, Name: name, Value: value, Flags: flags}); err != nil {
		return err
	}
	ino, err := db.object(c, "setxattr", path, follow)
	if err != nil {
		return err
	}
	return db.SetXattr(c, ino, name, value, flags)
}

// ListXattrPath is ListXattr on what path names (listxattr(2) with follow,
// llistxattr(2) without).
func (db *DB) ListXattrPath(c *Caller, path string, follow bool) ([]string, error) {
	c, err := callerOf("listxattr", meta.RootIno, path, c)
	if err != nil {
		return nil, err
	}
	ino, err := db.object(c, "listxattr", path, follow)
	if err != nil {
		return nil, err
	}
	return db.ListXattr(c, ino)
}

// RemoveXattrPath is RemoveXattr on what path names (removexattr(2) with
// follow, lremovexattr(2) without).
func (db *DB) RemoveXattrPath(c *Caller, path string, follow bool, name string) error {
	c, err := callerOf("removexattr", meta.RootIno, path, c)
	if err != nil {
		return err
	}
	if err := db.args("removexattr", path, &fsm.Op{Code: fsm.OpRemoveXattr, Name: name}); err != nil {
		return err
	}
	ino, err := db.object(c, "removexattr", path, follow)
	if err != nil {
		return err
	}
	return db.RemoveXattr(c, ino, name)
}

// DirPath returns the path from the root of directory ino ("/" for the root):
// one step per level, through the parent each directory keeps. A
// non-directory is ENOTDIR: the engine keeps no link from a file to the
// directories that name it, so finding its names would take a scan of the
// whole namespace. No permission is needed. Errors: ENOENT, ENOTDIR.
func (db *DB) DirPath(c *Caller, ino Ino) (string, error) {
	c, err := callerOf("dirpath", ino, "", c)
	if err != nil {
		return "", err
	}
	p, e := db.reads().DirPath(c, ino)
	return p, db.wrap("dirpath", ino, "", e)
}
