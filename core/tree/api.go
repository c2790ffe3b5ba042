package tree

import . "github.com/fsmeta/fsmeta/core/meta"

// The operations of the namespace. Each takes the caller's identity and, for
// changes, the operation's time (ns since the epoch) chosen by the proposer:
// nothing here reads the clock (DESIGN.md invariant 2). Each returns 0 or an
// Errno and applies entirely or not at all (invariant 4).
//
// Reads take the tree's read lock, changes its write lock (see doc.go).

func (t *Tree) Lookup(c *Caller, parent Ino, name string) (Attr, Errno) { return Attr{}, ENOSYS }
func (t *Tree) GetAttr(c *Caller, ino Ino) (Attr, Errno)                { return Attr{}, ENOSYS }
func (t *Tree) SetAttr(c *Caller, now int64, ino Ino, mask uint32, in *SetAttrIn) (Attr, Errno) {
	return Attr{}, ENOSYS
}
func (t *Tree) Access(c *Caller, ino Ino, mask uint32) Errno { return ENOSYS }
func (t *Tree) Mknod(c *Caller, now int64, parent Ino, name string, mode uint32, rdev uint32) (Attr, Errno) {
	return Attr{}, ENOSYS
}
func (t *Tree) Mkdir(c *Caller, now int64, parent Ino, name string, mode uint32) (Attr, Errno) {
	return Attr{}, ENOSYS
}
func (t *Tree) Symlink(c *Caller, now int64, parent Ino, name string, target string) (Attr, Errno) {
	return Attr{}, ENOSYS
}
func (t *Tree) Link(c *Caller, now int64, ino Ino, newParent Ino, newName string) (Attr, Errno) {
	return Attr{}, ENOSYS
}
func (t *Tree) Unlink(c *Caller, now int64, parent Ino, name string) Errno { return ENOSYS }
func (t *Tree) Rmdir(c *Caller, now int64, parent Ino, name string) Errno  { return ENOSYS }
func (t *Tree) Rename(c *Caller, now int64, parent Ino, name string, newParent Ino, newName string, flags uint32) Errno {
	return ENOSYS
}
func (t *Tree) Readlink(c *Caller, ino Ino) (string, Errno) { return "", ENOSYS }
func (t *Tree) ReadDir(c *Caller, ino Ino, cursor uint64, max int, plus bool, out []DirEntry) ([]DirEntry, uint64, Errno) {
	return out, 0, ENOSYS
}
func (t *Tree) StatFS(c *Caller) (StatFS, Errno) { return StatFS{}, ENOSYS }
func (t *Tree) GetXattr(c *Caller, ino Ino, name string) ([]byte, Errno) {
	return nil, ENOSYS
}
func (t *Tree) SetXattr(c *Caller, now int64, ino Ino, name string, value []byte, flags uint32) Errno {
	return ENOSYS
}
func (t *Tree) ListXattr(c *Caller, ino Ino) ([]string, Errno)               { return nil, ENOSYS }
func (t *Tree) RemoveXattr(c *Caller, now int64, ino Ino, name string) Errno { return ENOSYS }
func (t *Tree) Fallocate(c *Caller, now int64, ino Ino, mode uint32, off, length uint64) (Attr, Errno) {
	return Attr{}, ENOSYS
}
func (t *Tree) Open(c *Caller, now int64, ino Ino, flags uint32) (Attr, Errno) { return Attr{}, ENOSYS }
func (t *Tree) Release(c *Caller, ino Ino) Errno                               { return ENOSYS }
func (t *Tree) NewSliceID(c *Caller, n uint32) (uint64, Errno)                 { return 0, ENOSYS }
func (t *Tree) WriteSlice(c *Caller, now int64, ino Ino, chunk uint32, s Slice) (Attr, Errno) {
	return Attr{}, ENOSYS
}
func (t *Tree) ReadChunk(c *Caller, ino Ino, chunk uint32) ([]Slice, Errno) { return nil, ENOSYS }
func (t *Tree) CompactChunk(c *Caller, ino Ino, chunk uint32, replaced []Slice, with Slice) ([]Slice, Errno) {
	return nil, ENOSYS
}
func (t *Tree) Resolve(c *Caller, path string, followLast bool) (Attr, Errno) { return Attr{}, ENOSYS }
func (t *Tree) MkdirAll(c *Caller, now int64, path string, mode uint32) (Attr, Errno) {
	return Attr{}, ENOSYS
}
