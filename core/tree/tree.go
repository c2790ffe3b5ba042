package tree

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/compact"
	"github.com/fsmeta/fsmeta/core/meta"
)

// Options configure a Tree.
type Options struct {
	Capacity      uint64 // bytes statfs reports (default 1 PiB)
	MaxInodes     uint64 // inode limit (default 2^40)
	ArenaMaxBytes uint64 // memory limit (default: arena's)
	RootTime      int64  // times of the root directory
}

// Tree is the namespace. Its methods are safe for concurrent use: reads
// share a read lock, changes take the write lock (doc.go).
type Tree struct {
	mu     rwlock
	a      *arena.Arena
	closed bool
	opts   Options

	pages   []inodePage
	attrs   []attrTriple
	attrIdx map[attrTriple]uint32
	// lastAttr caches attrID's last answer (used by the writer only).
	lastAttr   attrTriple
	lastAttrID uint32
	opens      map[meta.Ino]uint32    // open counts (only non-zero)
	nlinks     map[meta.Ino]uint32    // link counts other than 1 (fNlink)
	wideAttrs  map[meta.Ino]uint32    // dictionary ids >= 65535 (fWideAttr)
	xattrs     map[meta.Ino]arena.Ref // xattr blobs
	migs       map[uint64]*migration  // directories being resized
	migsPeak   int                    // most entries migs had since it was made (endMigration)
	refPool    sync.Pool              // scratch ref slices for ReadDir

	// writer is true while a change holds the write lock: getNode, find
	// and scan then thaw the cold directories they meet (coldthaw.go).
	writer bool
	// cold directories and the entries in their blocks
	coldDirs, coldEntries uint64
	coldGroups            uint64 // shared blocks of small directories
	coldStubs             uint64 // cold subdirectories held by stubs (coldstub.go)
	// runs counts the cold runs of hot directories (coldrun.go), coldRuns
	// all of them; runDir is the directory a compaction pass is freezing
	// run by run, from bucket runNext.
	runs     map[meta.Ino]uint32
	coldRuns uint64

	// dict is the dictionary of the blocks made since it was (nil before;
	// set once, under the write lock, read by readers); dictBuf collects
	// its samples until dictAt bytes (0: not set yet by a compaction step;
	// -1: no dictionary); dictSeen counts the blocks encoded meanwhile.
	// packs hold the cold blocks (coldpack.go): each pack's live bytes,
	// the current one and how much of it is used, and packs left less
	// than half full, to move.
	packs       map[arena.Ref]*packInfo
	pack        arena.Ref
	packUsed    int
	sparsePacks []arena.Ref

	dict     atomic.Pointer[compact.Dict]
	dictBuf  []byte
	dictAt   int
	dictSeen int
	runDir   meta.Ino
	runNext  uint64
	// treeEntries counts what the current freezeTree call froze (for
	// the step's time limit)
	treeEntries int
	// packCursor is 1 + the next inode page to pack at the end of a
	// compaction pass, 0 when no packing is under way; spares are plain
	// pages kept for unpacking when the arena is full (inodepack.go).
	packCursor uint64
	spares     []arena.Ref
	coldBytes  uint64 // exact bytes of cold handles and blocks
	// recent holds directories thawed since the last compaction pass
	// (nil until compaction runs): they are not idle.
	recent map[meta.Ino]struct{}
	// compactCursor is the next inode a compaction pass looks at.
	compactCursor meta.Ino
	// passDirty: a directory changed since the current pass began;
	// passBusy: the pass left a directory hot because it had just changed.
	// With neither, the next pass would find nothing to freeze and is
	// skipped (an idle engine does not walk its inode table every pass).
	passDirty, passBusy, passDone bool // passDone: a pass has completed

	nextIno   meta.Ino // next inode number to hand out
	nextSlice uint64   // next slice id to hand out
	usedSpace uint64
	counts    counts
}

type counts struct {
	inodes, files, dirs, symlinks, others, entries, links, orphans uint64
}

// Stats are counts and memory accounting of a Tree.
type Stats struct {
	Inodes    uint64 // live inodes (including unlinked open files)
	Files     uint64 // regular files
	Dirs      uint64 // directories (including the root)
	Symlinks  uint64
	Others    uint64 // fifos, sockets, devices
	Entries   uint64 // directory entries (names), the root not counted
	Links     uint64 // entries that are extra hard links
	Orphans   uint64 // unlinked inodes kept by opens
	OpenFiles uint64 // inodes with a non-zero open count
	NextIno   uint64
	NextSlice uint64
	AttrDict  uint64 // distinct (mode, uid, gid) triples
	// ColdDirs directories are cold (compressed blocks, coldlayout.go), holding
	// ColdEntries entries.
	ColdDirs    uint64
	ColdEntries uint64
	// ColdGroups blocks are shared by several small cold directories.
	ColdGroups uint64
	// ColdRuns blocks hold runs of large hot directories (frozen a block
	// at a time); their entries count in ColdEntries.
	ColdRuns uint64
	// ColdBytes is the exact size of their handles and blocks (the arena
	// rounds each up to its size class).
	ColdBytes uint64
	// ColdDict is the size of the blocks' dictionary (0 before it is made).
	ColdDict uint64
	// ColdStubs cold directories have their records in their parents'
	// blocks, and a 16-byte stub in the inode table.
	ColdStubs uint64
	Arena     arena.Stats
}

// New makes a tree holding only the root directory (mode 0755, uid 0).
func New(o Options) (*Tree, error) {
	if o.Capacity == 0 {
		o.Capacity = 1 << 50
	}
	if o.MaxInodes == 0 {
		o.MaxInodes = 1 << 40
	}
	a, err := arena.New(o.ArenaMaxBytes)
	if err != nil {
		return nil, err
	}
	t := &Tree{a: a, opts: o, attrIdx: map[attrTriple]uint32{}, opens: map[meta.Ino]uint32{}, nlinks: map[meta.Ino]uint32{}, wideAttrs: map[meta.Ino]uint32{},
		xattrs: map[meta.Ino]arena.Ref{}, migs: map[uint64]*migration{}, runs: map[meta.Ino]uint32{}, nextIno: meta.RootIno, nextSlice: 1}
	t.mu.init()
	r, e := t.newNode(meta.RootIno, "", meta.S_IFDIR|0o755, 0, 0, o.RootTime)
	if e != 0 {
		a.Close()
		return nil, fmt.Errorf("tree: cannot create the root: %v", e)
	}
	t.node(r).flags |= fDetached
	t.node(r).setParent(meta.RootIno)
	t.nextIno = meta.RootIno + 1
	return t, nil
}

// Close frees the tree's memory. Calls after Close return EClosed.
func (t *Tree) Close() error {
	t.mu.lock()
	defer t.mu.unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	return t.a.Close()
}

// Stats returns counts and the arena's accounting.
func (t *Tree) Stats() Stats {
	s := t.mu.rlock()
	defer t.mu.runlock(s)
	if t.closed {
		return Stats{}
	}
	c := t.counts
	st := Stats{Inodes: c.inodes, Files: c.files, Dirs: c.dirs, Symlinks: c.symlinks, Others: c.others,
		Entries: c.entries, Links: c.links, Orphans: c.orphans, OpenFiles: uint64(len(t.opens)),
		NextIno: uint64(t.nextIno), NextSlice: t.nextSlice, AttrDict: uint64(len(t.attrs)), ColdDirs: t.coldDirs, ColdEntries: t.coldEntries, ColdGroups: t.coldGroups, ColdRuns: t.coldRuns, ColdBytes: t.coldBytes, ColdStubs: t.coldStubs, Arena: t.a.Stats()}
	if d := t.dict.Load(); d != nil {
		st.ColdDict = uint64(d.Size())
	}
	return st
}

// ArenaClasses reports the arena's size classes in use (fragmentation).
func (t *Tree) ArenaClasses() []arena.ClassUse {
	s, ok := t.rlock()
	if !ok {
		return nil
	}
	defer t.mu.runlock(s)
	return t.a.Classes()
}

func (t *Tree) countType(mode uint32, d int64) {
	c := &t.counts
	c.inodes += uint64(d)
	switch mode & meta.S_IFMT {
	case meta.S_IFREG:
		c.files += uint64(d)
	case meta.S_IFDIR:
		c.dirs += uint64(d)
	case meta.S_IFLNK:
		c.symlinks += uint64(d)
	default:
		c.others += uint64(d)
	}
}

// newNode allocates a node record for ino with name and puts it in the
// inode table (not in any directory). On ENOSPC nothing is changed.
func (t *Tree) newNode(ino meta.Ino, name string, mode, uid, gid uint32, now int64) (arena.Ref, meta.Errno) {
	return t.newNodeID(ino, name, mode, t.attrID(attrTriple{mode: uint16(mode), uid: uid, gid: gid}), now)
}

// newNodeID is newNode with the (mode, uid, gid) triple's dictionary id.
func (t *Tree) newNodeID(ino meta.Ino, name string, mode, id uint32, now int64) (arena.Ref, meta.Errno) {
	if !t.ensureSlot(ino) {
		return 0, meta.ENOSPC
	}
	r, err := t.a.Alloc(recSize(false, len(name)), arena.PNode)
	if err != nil {
		return 0, meta.ENOSPC
	}
	h := t.node(r)
	h.inoAttr = uint64(ino)
	h.namelen = uint8(len(name))
	copy(h.name(), name)
	t.setAttrID(h, id)
	h.atime, h.mtime, h.ctime = now, now, now
	t.setSlot(ino, r)
	t.countType(mode, 1)
	return r, 0
}

// freeNode deletes a node record and everything it owns. The node must be
// in no chain.
func (t *Tree) freeNode(h *nodeHdr) {
	ino := meta.Ino(h.inum())
	mode := t.mode(h)
	switch mode & meta.S_IFMT {
	case meta.S_IFDIR:
		t.freeIndex(h)
	case meta.S_IFREG:
		t.usedSpace -= align4k(h.size)
		t.freeChunks(h)
	case meta.S_IFLNK:
		t.a.Free(arena.Ref(h.data), int(h.size), arena.PSymlink)
	}
	if h.flags&fXattr != 0 {
		t.freeXattrs(ino)
	}
	if h.flags&fNlink != 0 {
		delete(t.nlinks, ino)
	}
	if h.flags&fWideAttr != 0 {
		delete(t.wideAttrs, ino)
	}
	r := t.nodeRef(ino)
	t.setSlot(ino, 0)
	t.countType(mode, -1)
	t.a.Free(r, recSize(false, int(h.namelen)), arena.PNode)
}

func align4k(n uint64) uint64 { return (n + 4095) &^ 4095 }

func (t *Tree) rlock() (uint32, bool) {
	s := t.mu.rlock()
	if t.closed {
		t.mu.runlock(s)
		return 0, false
	}
	return s, true
}

func (t *Tree) wlock() bool {
	t.mu.lock()
	if t.closed {
		t.mu.unlock()
		return false
	}
	t.writer = true
	return true
}

func (t *Tree) wunlock() {
	t.writer = false
	t.mu.unlock()
}
