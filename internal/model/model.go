// Package model is the reference implementation of docs/semantics.md that the
// property tests compare the engine with. It is written for clarity, not
// speed: plain Go maps and structs, every check spelled out in the order the
// contract lists it, so that its errnos can be compared with the engine's one
// by one.
//
// The operations have the signatures of core/tree's (a *meta.Caller, the
// operation's time for changes, and a meta.Errno result). A Model is not safe
// for concurrent use. The one concession to speed is a directory's sorted
// views of its names (dirViews), kept up to date so that the tests can list
// and pick names in directories of thousands of entries.
//
// Where the contract is silent, the model chooses as follows (the engine did
// the same when this was written, except where marked "not yet"):
//   - SetAttr: SetFlags with flag bits other than FlagImmutable|FlagAppend is
//     EINVAL, with the other argument checks; "immutable and a mask other than
//     SetFlags" means a mask with any other bit (a mask of 0 passes); the
//     S_ISGID rule of SetMode looks at the gid this same call may have set;
//     explicit times by a non-owner are EPERM before "now" times are EACCES.
//   - Open: O_TRUNC counts as write access for the immutable check; unknown
//     flag bits are ignored.
//   - Unlink of an open file: its ctime is stamped (it lives on).
//   - Rename: an append-only newParent is EPERM whenever the target exists,
//     with RenameExchange too.
//   - Xattrs: Linux's order (flags, then the file type, the sticky directory,
//     then may(w)); ListXattr needs no permission (Linux).
//   - Fallocate: KeepSize alone changes nothing; ZeroRange|KeepSize is clipped
//     to the size like PunchHole; a hole is one slice per chunk it touches
//     (ID 0, Off 0, Size = Len); times change only when the size changes or a
//     hole is written.
//   - CompactChunk: EAGAIN is checked before `with`; `with` is stored clipped
//     to the file size (as every slice is: truncation clips them), so that
//     what ReadChunk shows is what the list holds.
//   - ReadDir: the hash is the engine's (xxhash64 of the name); the next cursor
//     is the hash of the first entry left out.
//   - Resolve: a symlink is "in the middle" when any component but "" follows
//     it ("." and a trailing "/" make it followed, as in Linux).
//   - MkdirAll: walks as Resolve (permission before name length), resolves
//     symlinks as Resolve (creating nothing inside their targets), and applies
//     entirely or not at all: on failure the directories it made are removed
//     and the inode counter is restored.
//   - StatFS: AvailSpace = TotalSpace - UsedSpace and AvailInodes = MaxInodes -
//     Inodes (0 when negative); open unlinked files count in both.
package model

import (
	"slices"
	"sort"
	"strings"

	"github.com/fsmeta/fsmeta/core/meta"
)

// Options configure a Model like tree.Options configure the engine.
type Options struct {
	Capacity  uint64 // bytes statfs reports (default 1 PiB)
	MaxInodes uint64 // inode limit (default 2^40)
	RootTime  int64  // times of the root directory
}

// Node is one inode.
type Node struct {
	Ino   meta.Ino
	Mode  uint32 // type | permission bits
	Nlink uint32 // non-directories: number of names (0: unlinked but open)
	Uid   uint32
	Gid   uint32
	Rdev  uint32
	Flags uint32 // FlagImmutable | FlagAppend
	Size  uint64 // regular files: length; symlinks: target length
	Atime int64
	Mtime int64
	Ctime int64

	Target  string                  // symlinks
	Parent  meta.Ino                // directories: the directory holding it (root: itself)
	Entries map[string]meta.Ino     // directories
	Chunks  map[uint32][]meta.Slice // regular files: chunk index -> slices in write order
	Xattrs  map[string][]byte       // extended attributes
	Opens   uint32                  // open count

	views *dirViews // directories: sorted views of Entries, built on demand
}

func (n *Node) isDir() bool     { return n.Mode&meta.S_IFMT == meta.S_IFDIR }
func (n *Node) isRegular() bool { return n.Mode&meta.S_IFMT == meta.S_IFREG }
func (n *Node) isSymlink() bool { return n.Mode&meta.S_IFMT == meta.S_IFLNK }

// Model is the whole namespace.
type Model struct {
	opts      Options
	nodes     map[meta.Ino]*Node
	nextIno   meta.Ino
	nextSlice uint64
}

// New returns a namespace holding only the root directory (mode 0755, uid 0,
// gid 0, times o.RootTime), as tree.New does.
func New(o Options) *Model {
	if o.Capacity == 0 {
		o.Capacity = 1 << 50
	}
	if o.MaxInodes == 0 {
		o.MaxInodes = 1 << 40
	}
	m := &Model{opts: o, nodes: map[meta.Ino]*Node{}, nextIno: meta.RootIno + 1, nextSlice: 1}
	m.nodes[meta.RootIno] = &Node{Ino: meta.RootIno, Mode: meta.S_IFDIR | 0o755, Atime: o.RootTime, Mtime: o.RootTime,
		Ctime: o.RootTime, Parent: meta.RootIno, Entries: map[string]meta.Ino{}}
	return m
}

// attrOf builds what getattr returns for n.
func (m *Model) attrOf(n *Node) meta.Attr {
	a := meta.Attr{Ino: n.Ino, Mode: n.Mode, Nlink: n.Nlink, Uid: n.Uid, Gid: n.Gid, Flags: n.Flags,
		Size: n.Size, Atime: n.Atime, Mtime: n.Mtime, Ctime: n.Ctime}
	switch n.Mode & meta.S_IFMT {
	case meta.S_IFDIR:
		a.Size = 4096
		a.Nlink = 2 + uint32(subdirs(m, n))
	case meta.S_IFCHR, meta.S_IFBLK:
		a.Rdev = n.Rdev
	}
	return a
}

// subdirs counts the directories among dir's entries.
func subdirs(m *Model, dir *Node) int {
	k := 0
	for _, ino := range dir.Entries {
		if m.nodes[ino].isDir() {
			k++
		}
	}
	return k
}

// dirViews are a directory's entry names sorted by name and by hash. They
// are built when first needed and then kept up to date by setEntry and
// delEntry.
type dirViews struct {
	names  []string
	byHash []hashedName // by hash, then name: the listing order
}

type hashedName struct {
	h    uint64
	name string
}

func views(d *Node) *dirViews {
	if d.views != nil {
		return d.views
	}
	v := &dirViews{}
	for name := range d.Entries {
		v.names = append(v.names, name)
		v.byHash = append(v.byHash, hashedName{NameHash(name), name})
	}
	sort.Strings(v.names)
	sort.Slice(v.byHash, func(i, j int) bool { return hashLess(v.byHash[i], v.byHash[j]) })
	d.views = v
	return v
}

// setEntry and delEntry change a directory's entries.
func setEntry(d *Node, name string, ino meta.Ino) {
	_, exists := d.Entries[name]
	d.Entries[name] = ino
	if v := d.views; v != nil && !exists {
		i := sort.SearchStrings(v.names, name)
		v.names = slices.Insert(v.names, i, name)
		hn := hashedName{NameHash(name), name}
		j := sort.Search(len(v.byHash), func(j int) bool { return !hashLess(v.byHash[j], hn) })
		v.byHash = slices.Insert(v.byHash, j, hn)
	}
}

func delEntry(d *Node, name string) {
	if _, exists := d.Entries[name]; !exists {
		return
	}
	delete(d.Entries, name)
	if v := d.views; v != nil {
		i := sort.SearchStrings(v.names, name)
		v.names = slices.Delete(v.names, i, i+1)
		hn := hashedName{NameHash(name), name}
		j := sort.Search(len(v.byHash), func(j int) bool { return !hashLess(v.byHash[j], hn) })
		v.byHash = slices.Delete(v.byHash, j, j+1)
	}
}

// hashLess is the listing order: by hash, then by name.
func hashLess(a, b hashedName) bool {
	if a.h != b.h {
		return a.h < b.h
	}
	return a.name < b.name
}

// ---- the common rules of docs/semantics.md ----

// checkName is the name check of every name an operation creates, removes or renames.
func checkName(name string) meta.Errno {
	switch {
	case name == "":
		return meta.EINVAL
	case len(name) > meta.MaxName:
		return meta.ENAMETOOLONG
	case strings.ContainsAny(name, "/\x00"):
		return meta.EINVAL
	case name == "." || name == "..":
		return meta.EINVAL
	}
	return 0
}

// node returns the live inode ino, or ENOENT.
func (m *Model) node(ino meta.Ino) (*Node, meta.Errno) {
	n, ok := m.nodes[ino]
	if !ok {
		return nil, meta.ENOENT
	}
	return n, 0
}

// dirOf returns directory ino: ENOENT if missing, ENOTDIR if not a directory.
func (m *Model) dirOf(ino meta.Ino) (*Node, meta.Errno) {
	n, e := m.node(ino)
	if e != 0 {
		return nil, e
	}
	if !n.isDir() {
		return nil, meta.ENOTDIR
	}
	return n, 0
}

// may is the permission check: mask is a set of R_OK, W_OK, X_OK.
func may(c *meta.Caller, n *Node, mask uint32) meta.Errno {
	if c.Uid == 0 {
		if mask&meta.X_OK != 0 && !n.isDir() && n.Mode&0o111 == 0 {
			return meta.EACCES
		}
		return 0
	}
	var bits uint32
	switch {
	case c.Uid == n.Uid:
		bits = n.Mode >> 6 & 7
	case c.InGroup(n.Gid):
		bits = n.Mode >> 3 & 7
	default:
		bits = n.Mode & 7
	}
	if bits&mask != mask {
		return meta.EACCES
	}
	return 0
}

// sticky is the check of removing or replacing node from dir.
func sticky(c *meta.Caller, dir, n *Node) meta.Errno {
	if dir.Mode&meta.S_ISVTX != 0 && c.Uid != 0 && c.Uid != dir.Uid && c.Uid != n.Uid {
		return meta.EPERM
	}
	return 0
}

func immutable(n *Node) bool         { return n.Flags&meta.FlagImmutable != 0 }
func appendOnly(n *Node) bool        { return n.Flags&meta.FlagAppend != 0 }
func immutableOrAppend(n *Node) bool { return n.Flags&(meta.FlagImmutable|meta.FlagAppend) != 0 }

// ---- removal ----

// dropLink removes one name of non-directory n: it is deleted when no name
// and no open is left, otherwise its ctime is now.
func (m *Model) dropLink(n *Node, now int64) {
	n.Nlink--
	if n.Nlink == 0 && n.Opens == 0 {
		delete(m.nodes, n.Ino)
		return
	}
	n.Ctime = now
}

// dropDir deletes the (empty) directory n, whose name is already gone. An
// open directory is deleted all the same; its open count goes with it.
func (m *Model) dropDir(n *Node) {
	delete(m.nodes, n.Ino)
}

// ---- slices ----

func align4k(n uint64) uint64 { return (n + 4095) &^ 4095 }

// clipList returns the slices of chunk idx clipped to size; the ones wholly
// beyond it are left out.
func clipList(list []meta.Slice, idx uint32, size uint64) []meta.Slice {
	base := uint64(idx) * meta.ChunkSize
	var out []meta.Slice
	for _, s := range list {
		start := base + uint64(s.Pos)
		if start >= size {
			continue
		}
		if start+uint64(s.Len) > size {
			s.Len = uint32(size - start)
		}
		out = append(out, s)
	}
	return out
}

// clipChunks clips every chunk of n to its size.
func clipChunks(n *Node) {
	for idx, list := range n.Chunks {
		if out := clipList(list, idx, n.Size); len(out) > 0 {
			n.Chunks[idx] = out
		} else {
			delete(n.Chunks, idx)
		}
	}
}

// badSlice is WriteSlice's argument check (EINVAL).
func badSlice(s meta.Slice) bool {
	return s.Len == 0 || uint64(s.Off)+uint64(s.Len) > uint64(s.Size) ||
		uint64(s.Pos)+uint64(s.Len) > meta.ChunkSize || s.ID == ^uint64(0)
}

// ---- introspection for tests ----

// NextIno returns the inode number the next creation gets.
func (m *Model) NextIno() meta.Ino { return m.nextIno }

// NextSlice returns the slice id the next NewSliceID returns.
func (m *Model) NextSlice() uint64 { return m.nextSlice }

// Options returns the options in force (defaults filled in).
func (m *Model) Options() Options { return m.opts }

// Node returns inode ino (nil if it does not exist). The caller must not change it.
func (m *Model) Node(ino meta.Ino) *Node { return m.nodes[ino] }

// Len returns the number of live inodes.
func (m *Model) Len() int { return len(m.nodes) }
