package fsmeta

import (
	"strings"

	"github.com/fsmeta/fsmeta/core/fsm"
	"github.com/fsmeta/fsmeta/core/meta"
)

// change stamps o with the caller and the time, applies it, and wraps its
// errno.
func (db *DB) change(op string, ino Ino, name string, c *Caller, o *fsm.Op) (fsm.Result, error) {
	c, err := callerOf(op, ino, name, c)
	if err != nil {
		return fsm.Result{}, err
	}
	o.Now = db.now()
	o.SetCaller(c)
	r, err := db.apply(o)
	if err != nil {
		return r, err
	}
	return r, db.wrap(op, ino, name, r.Errno)
}

func (db *DB) wrap(op string, ino Ino, name string, e Errno) error {
	if e == meta.EClosed {
		return ErrClosed
	}
	if e == meta.EIO && db.remote != nil {
		if cause := db.remote.takeErr(); cause != nil {
			return &Error{Op: op, Ino: ino, Name: name, Errno: e, Detail: cause.Error()}
		}
	}
	return wrap(op, ino, name, e)
}

// Lookup finds name in directory parent and returns its attributes.
// Needs search (x) permission on parent. "." is parent itself, ".." its parent
// (the root's parent is the root).
// Errors: ENOENT (parent or name missing), ENOTDIR (parent not a directory),
// EACCES, ENAMETOOLONG, EINVAL (bad name).
func (db *DB) Lookup(c *Caller, parent Ino, name string) (Attr, error) {
	c, err := callerOf("lookup", parent, name, c)
	if err != nil {
		return Attr{}, err
	}
	a, e := db.reads().Lookup(c, parent, name)
	return a, db.wrap("lookup", parent, name, e)
}

// GetAttr returns the attributes of ino. No permission is needed.
// Errors: ENOENT.
func (db *DB) GetAttr(c *Caller, ino Ino) (Attr, error) {
	c, err := callerOf("getattr", ino, "", c)
	if err != nil {
		return Attr{}, err
	}
	a, e := db.reads().GetAttr(c, ino)
	return a, db.wrap("getattr", ino, "", e)
}

// SetAttr changes the attributes named by mask (meta.SetMode, SetUid, ...)
// to the values in in, sets ctime to now, and returns the new attributes.
// Rules (Linux's): chmod only by the owner or root; a non-root owner who is
// not in the file's group loses S_ISGID. chown of uid only by root; the owner
// (only) may change the gid to a group they belong to; a chown, by anyone,
// clears S_ISUID and S_ISGID (S_ISGID only when group-exec is set or a
// non-root caller is outside the file's group) of non-directories, and so
// does a truncation by non-root of a regular file.
// Size needs write permission and a regular file (EISDIR for a directory,
// EINVAL otherwise); it truncates or extends (holes). Times set to "now" need
// ownership or write permission; times set to a value need ownership.
// SetCtime and SetFlags are root only. FlagImmutable forbids every change
// but to flags (EPERM); FlagAppend forbids any size and explicit times (EPERM).
// Errors: ENOENT, EPERM, EACCES, EINVAL (unknown mask bits, mode bits outside
// 07777), EFBIG (size over meta.MaxFileSize).
func (db *DB) SetAttr(c *Caller, ino Ino, mask uint32, in SetAttrIn) (Attr, error) {
	r, err := db.change("setattr", ino, "", c, &fsm.Op{Code: fsm.OpSetAttr, Ino: uint64(ino), Mode: mask, Attr: in})
	return r.Attr, err
}

// Chmod is SetAttr with SetMode.
func (db *DB) Chmod(c *Caller, ino Ino, mode uint32) (Attr, error) {
	return db.SetAttr(c, ino, meta.SetMode, SetAttrIn{Mode: mode})
}

// Chown is SetAttr with SetUid and SetGid.
func (db *DB) Chown(c *Caller, ino Ino, uid, gid uint32) (Attr, error) {
	return db.SetAttr(c, ino, meta.SetUid|meta.SetGid, SetAttrIn{Uid: uid, Gid: gid})
}

// Truncate is SetAttr with SetSize.
func (db *DB) Truncate(c *Caller, ino Ino, size uint64) (Attr, error) {
	return db.SetAttr(c, ino, meta.SetSize, SetAttrIn{Size: size})
}

// Access checks mask (meta.R_OK|W_OK|X_OK, or F_OK) for the caller on ino.
// Root passes R and W always (W on an immutable node is EPERM for anyone),
// X when any x bit is set or ino is a directory.
// Errors: ENOENT, EACCES, EPERM (W, immutable), EINVAL (mask bits beyond 7).
func (db *DB) Access(c *Caller, ino Ino, mask uint32) error {
	c, err := callerOf("access", ino, "", c)
	if err != nil {
		return err
	}
	return db.wrap("access", ino, "", db.reads().Access(c, ino, mask))
}

// Mknod creates a node of any type but directory and symlink in parent: the
// type comes from mode's S_IFMT bits (S_IFREG, S_IFIFO, S_IFSOCK, S_IFCHR,
// S_IFBLK; 0 means S_IFREG), the permissions from mode &^ umask. rdev is kept
// for devices. Needs write and search permission on parent. A setgid parent
// gives its gid to the new node. Sets parent's mtime and ctime.
// Errors: ENOENT, ENOTDIR, EACCES, EEXIST, EINVAL (bad name or type),
// ENAMETOOLONG, ENOSPC, EPERM (parent immutable).
func (db *DB) Mknod(c *Caller, parent Ino, name string, mode, rdev uint32) (Attr, error) {
	r, err := db.change("mknod", parent, name, c, &fsm.Op{Code: fsm.OpMknod, Ino: uint64(parent), Name: name, Mode: mode, Flags: rdev})
	return r.Attr, err
}

// Create creates an empty regular file (Mknod with S_IFREG).
func (db *DB) Create(c *Caller, parent Ino, name string, mode uint32) (Attr, error) {
	r, err := db.change("create", parent, name, c, &fsm.Op{Code: fsm.OpMknod, Ino: uint64(parent), Name: name, Mode: meta.S_IFREG | (mode & meta.ModePerm)})
	return r.Attr, err
}

// Mkdir creates a directory. A setgid parent passes on its gid and S_ISGID.
// Errors as Mknod, plus EMLINK never (subdirectory counts are unbounded).
func (db *DB) Mkdir(c *Caller, parent Ino, name string, mode uint32) (Attr, error) {
	r, err := db.change("mkdir", parent, name, c, &fsm.Op{Code: fsm.OpMkdir, Ino: uint64(parent), Name: name, Mode: mode})
	return r.Attr, err
}

// Symlink creates a symbolic link to target (1 to 4095 bytes, no NUL; EINVAL
// for empty or NUL, ENAMETOOLONG for longer). Mode is 0777.
func (db *DB) Symlink(c *Caller, parent Ino, name, target string) (Attr, error) {
	r, err := db.change("symlink", parent, name, c, &fsm.Op{Code: fsm.OpSymlink, Ino: uint64(parent), Name: name, Name2: target})
	return r.Attr, err
}

// Readlink returns a symlink's target. Errors: ENOENT, EINVAL (not a symlink).
func (db *DB) Readlink(c *Caller, ino Ino) (string, error) {
	c, err := callerOf("readlink", ino, "", c)
	if err != nil {
		return "", err
	}
	s, e := db.reads().Readlink(c, ino)
	return s, db.wrap("readlink", ino, "", e)
}

// Link adds the name newName in newParent for the existing inode ino (a hard
// link) and returns ino's attributes (nlink + 1, ctime now).
// Errors: ENOENT, ENOTDIR, EACCES, EEXIST, EPERM (ino is a directory, or
// immutable/append-only), EMLINK (meta.MaxLinks), EINVAL, ENAMETOOLONG.
func (db *DB) Link(c *Caller, ino Ino, newParent Ino, newName string) (Attr, error) {
	r, err := db.change("link", newParent, newName, c, &fsm.Op{Code: fsm.OpLink, Ino: uint64(ino), Ino2: uint64(newParent), Name: newName})
	return r.Attr, err
}

// Unlink removes a non-directory name. The inode goes when its last link goes
// and it is not open; an open one lives on until the last Close.
// Sticky parent: only the owner of the entry or of parent, or root, may remove
// (EPERM). Errors: ENOENT, ENOTDIR, EACCES, EPERM, EISDIR, EINVAL.
func (db *DB) Unlink(c *Caller, parent Ino, name string) error {
	_, err := db.change("unlink", parent, name, c, &fsm.Op{Code: fsm.OpUnlink, Ino: uint64(parent), Name: name})
	return err
}

// Rmdir removes an empty directory. Errors: ENOENT, ENOTDIR (name is not a
// directory), ENOTEMPTY, EACCES, EPERM (sticky), EINVAL ("." or "..").
func (db *DB) Rmdir(c *Caller, parent Ino, name string) error {
	_, err := db.change("rmdir", parent, name, c, &fsm.Op{Code: fsm.OpRmdir, Ino: uint64(parent), Name: name})
	return err
}

// Rename moves parent/name to newParent/newName, replacing the target if it
// exists (flags 0), failing if it exists (meta.RenameNoReplace: EEXIST), or
// swapping the two (meta.RenameExchange: both must exist). POSIX rules:
// renaming onto the same inode succeeds and does nothing; a directory onto a
// non-directory is ENOTDIR, a non-directory onto a directory EISDIR, a
// directory onto a non-empty directory ENOTEMPTY; moving a directory into its
// own subtree is EINVAL; both flags together, or unknown flags, EINVAL. Needs
// write and search permission on both parents, the sticky rules on the moved
// and the replaced entry, and write permission on a directory that changes
// parent. Sets ctime of the moved inode and mtime/ctime of both parents.
func (db *DB) Rename(c *Caller, parent Ino, name string, newParent Ino, newName string, flags uint32) error {
	_, err := db.change("rename", parent, name, c, &fsm.Op{Code: fsm.OpRename, Ino: uint64(parent), Name: name, Ino2: uint64(newParent), Name2: newName, Flags: flags})
	return err
}

// ReadDir lists directory ino from cursor (0 to start) and returns at most
// max entries (max <= 0: 1000) and the cursor of the next call, 0 at the end.
// "." and ".." are not listed. Entries come in a stable order (by a hash of
// the name); a listing resumed from a cursor returns every entry that existed
// throughout exactly once, whatever changed in between. plus fills Attr.
// Needs read permission. Errors: ENOENT, ENOTDIR, EACCES.
func (db *DB) ReadDir(c *Caller, ino Ino, cursor uint64, max int, plus bool) ([]DirEntry, uint64, error) {
	if max <= 0 {
		max = 1000
	}
	c, err := callerOf("readdir", ino, "", c)
	if err != nil {
		return nil, 0, err
	}
	ents, next, e := db.reads().ReadDir(c, ino, cursor, max, plus, nil)
	return ents, next, db.wrap("readdir", ino, "", e)
}

// StatFS returns capacity and usage.
func (db *DB) StatFS(c *Caller) (StatFS, error) {
	c, err := callerOf("statfs", meta.RootIno, "", c)
	if err != nil {
		return StatFS{}, err
	}
	s, e := db.reads().StatFS(c)
	return s, db.wrap("statfs", meta.RootIno, "", e)
}

// GetXattr returns the value of an extended attribute. Names need a namespace
// prefix: "user." (read permission), "trusted." and "security." (root only;
// others get ENODATA), "system." is EOPNOTSUPP. Errors: ENOENT, ENODATA,
// EACCES, EOPNOTSUPP, ERANGE (name over 255 bytes), EINVAL (empty name).
func (db *DB) GetXattr(c *Caller, ino Ino, name string) ([]byte, error) {
	c, err := callerOf("getxattr", ino, name, c)
	if err != nil {
		return nil, err
	}
	v, e := db.reads().GetXattr(c, ino, name)
	return v, db.wrap("getxattr", ino, name, e)
}

// SetXattr sets an extended attribute (flags meta.XattrCreate: EEXIST if it
// exists; meta.XattrReplace: ENODATA if not). "user." needs write permission
// and a regular file or directory (EPERM otherwise); "trusted."/"security."
// need root (EPERM). Names up to 255 bytes (ERANGE; empty: EINVAL; no
// namespace prefix: EOPNOTSUPP), values up to 64 KiB (E2BIG), all of an
// inode's names and values up to 1 MiB (ENOSPC); unknown flags, or both,
// EINVAL. Sets ctime.
func (db *DB) SetXattr(c *Caller, ino Ino, name string, value []byte, flags uint32) error {
	_, err := db.change("setxattr", ino, name, c, &fsm.Op{Code: fsm.OpSetXattr, Ino: uint64(ino), Name: name, Value: value, Flags: flags})
	return err
}

// ListXattr returns the names of ino's extended attributes the caller may
// see (trusted.* and security.* only for root), sorted.
func (db *DB) ListXattr(c *Caller, ino Ino) ([]string, error) {
	c, err := callerOf("listxattr", ino, "", c)
	if err != nil {
		return nil, err
	}
	v, e := db.reads().ListXattr(c, ino)
	return v, db.wrap("listxattr", ino, "", e)
}

// RemoveXattr removes an extended attribute (ENODATA if absent). Sets ctime.
func (db *DB) RemoveXattr(c *Caller, ino Ino, name string) error {
	_, err := db.change("removexattr", ino, name, c, &fsm.Op{Code: fsm.OpRemoveXattr, Ino: uint64(ino), Name: name})
	return err
}

// Fallocate reserves (mode 0: extends the size to off+length), punches a hole
// (meta.FallocPunchHole|FallocKeepSize: a hole slice over the range) or zeroes
// a range (meta.FallocZeroRange) of a regular file. Needs write permission.
// Errors: ENOENT, EACCES, EISDIR, EINVAL (bad mode, length 0), EFBIG, EPERM.
func (db *DB) Fallocate(c *Caller, ino Ino, mode uint32, off, length uint64) (Attr, error) {
	r, err := db.change("fallocate", ino, "", c, &fsm.Op{Code: fsm.OpFallocate, Ino: uint64(ino), Mode: mode, Arg: off, Arg2: length})
	return r.Attr, err
}

// OpenFile checks the access that flags ask for (meta.O_RDONLY, O_WRONLY, O_RDWR,
// with O_TRUNC: truncate to 0) and counts the open. An open file whose last
// name is removed keeps its inode and slices until the last CloseFile.
// Errors: ENOENT, EACCES, EISDIR (write access to a directory), EPERM.
func (db *DB) OpenFile(c *Caller, ino Ino, flags uint32) (Attr, error) {
	r, err := db.change("open", ino, "", c, &fsm.Op{Code: fsm.OpOpenFile, Ino: uint64(ino), Mode: flags})
	return r.Attr, err
}

// Open is OpenFile.
//
// Deprecated: use OpenFile (the package's Open opens the database; docs/names.md).
func (db *DB) Open(c *Caller, ino Ino, flags uint32) (Attr, error) { return db.OpenFile(c, ino, flags) }

// CloseFile ends an OpenFile. Errors: ENOENT, EBADF (not open).
func (db *DB) CloseFile(c *Caller, ino Ino) error {
	_, err := db.change("close", ino, "", c, &fsm.Op{Code: fsm.OpCloseFile, Ino: uint64(ino)})
	return err
}

// NewSliceID reserves n (>= 1) consecutive slice ids and returns the first.
func (db *DB) NewSliceID(c *Caller, n uint32) (uint64, error) {
	r, err := db.change("newslice", 0, "", c, &fsm.Op{Code: fsm.OpNewSliceID, Arg: uint64(n)})
	return r.ID, err
}

// WriteSlice places slice s at s.Pos of chunk index chunk of regular file ino
// (a later slice covers earlier ones), extends the size to cover it, and sets
// mtime and ctime. Needs no permission (the caller opened the file for
// writing). Errors: ENOENT, EISDIR, EINVAL (s.Off+s.Len > s.Size,
// s.Pos+s.Len > meta.ChunkSize, Len 0), EFBIG, EPERM (immutable).
func (db *DB) WriteSlice(c *Caller, ino Ino, chunk uint32, s Slice) (Attr, error) {
	r, err := db.change("write", ino, "", c, &fsm.Op{Code: fsm.OpWriteSlice, Ino: uint64(ino), Chunk: chunk, Slice: s})
	return r.Attr, err
}

// ReadChunk returns the slices of chunk index chunk in write order (later
// ones cover earlier ones), clipped to the file size. An empty list is a hole.
// Errors: ENOENT, EISDIR, EINVAL (not a regular file).
func (db *DB) ReadChunk(c *Caller, ino Ino, chunk uint32) ([]Slice, error) {
	c, err := callerOf("read", ino, "", c)
	if err != nil {
		return nil, err
	}
	s, e := db.reads().ReadChunk(c, ino, chunk)
	return s, db.wrap("read", ino, "", e)
}

// CompactChunk rewrites a chunk's slice list. With replaced empty it drops
// every slice that later slices cover entirely. Otherwise, if the chunk's
// list still begins with replaced, those slices are replaced by with (a new
// slice holding their visible bytes at with.Pos); if not, EAGAIN (the chunk
// changed: read it again). Returns the slices no longer referenced. At most
// meta.MaxReplaced slices may be replaced at once (EINVAL).
func (db *DB) CompactChunk(c *Caller, ino Ino, chunk uint32, replaced []Slice, with Slice) ([]Slice, error) {
	r, err := db.change("compact", ino, "", c, &fsm.Op{Code: fsm.OpCompactChunk, Ino: uint64(ino), Chunk: chunk, Slices: replaced, Slice: with})
	return r.Slices, err
}

// Resolve walks path ("/a/b/c" or "a/b/c", from the root; empty components
// and "." are skipped, ".." goes up) and returns the attributes of its end.
// Symlinks in the middle are followed (ELOOP after meta.MaxSymlinks); the
// last component is followed when followLast. Needs search permission on
// every directory walked. Errors: ENOENT (also for the empty path, as
// stat("") on Linux), ENOTDIR, EACCES, ELOOP, ENAMETOOLONG (path over 4096
// bytes or a component over 255), EINVAL (a NUL in path).
func (db *DB) Resolve(c *Caller, path string, followLast bool) (Attr, error) {
	c, err := callerOf("resolve", meta.RootIno, path, c)
	if err != nil {
		return Attr{}, err
	}
	if e := pathArg(path); e != 0 {
		return Attr{}, db.wrap("resolve", meta.RootIno, path, e)
	}
	a, e := db.reads().Resolve(c, path, followLast)
	return a, db.wrap("resolve", meta.RootIno, path, e)
}

// MkdirAll creates every missing directory of path (like mkdir -p) with mode
// and returns the last one's attributes. An existing non-directory in the way
// is ENOTDIR (EEXIST for the last component); the empty path is ENOENT and
// a NUL in path EINVAL, as for Resolve.
func (db *DB) MkdirAll(c *Caller, path string, mode uint32) (Attr, error) {
	if _, err := callerOf("mkdirall", meta.RootIno, path, c); err != nil {
		return Attr{}, err
	}
	if e := pathArg(path); e != 0 {
		return Attr{}, db.wrap("mkdirall", meta.RootIno, path, e)
	}
	r, err := db.change("mkdirall", meta.RootIno, path, c, &fsm.Op{Code: fsm.OpMkdirAll, Name: path, Mode: mode})
	return r.Attr, err
}

// pathArg checks a path argument before any state is read
// (docs/semantics.md, "Path check"): longer than meta.MaxPath is ENAMETOOLONG, a
// NUL anywhere in it EINVAL (a path is never cut short or looked up with a
// NUL in a name), and the empty path ENOENT, as Linux's stat("") and
// mkdir(""): it names nothing, not the root.
func pathArg(path string) meta.Errno {
	switch {
	case len(path) > meta.MaxPath:
		return meta.ENAMETOOLONG
	case strings.IndexByte(path, 0) >= 0:
		return meta.EINVAL
	case path == "":
		return meta.ENOENT
	}
	return 0
}
