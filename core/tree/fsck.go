package tree

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/compact"
	"github.com/fsmeta/fsmeta/core/meta"
)

// FsckError lists what fsck found wrong.
type FsckError struct {
	Problems []string
	More     int // problems not listed
}

func (e *FsckError) Error() string {
	s := fmt.Sprintf("fsck: %d problem(s): %s", len(e.Problems)+e.More, strings.Join(e.Problems, "; "))
	if e.More > 0 {
		s += fmt.Sprintf("; and %d more", e.More)
	}
	return s
}

type fsck struct {
	t        *Tree
	problems []string
	more     int
	seen     map[meta.Ino]uint32 // entries naming each inode
	own      map[meta.Ino]bool   // inodes whose node record is an entry
	want     [arena.NumPurposes]uint64
	counts   counts
	used     uint64
	maxSlice uint64
	groups   map[arena.Ref]uint32 // group rows of cold directories: members met
	runs     map[meta.Ino]uint32  // cold runs met, by directory
	packLive map[arena.Ref]int32  // live bytes found in each pack of blocks
}

func (f *fsck) bad(format string, args ...any) {
	if len(f.problems) >= 50 {
		f.more++
		return
	}
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

// Fsck checks every invariant of docs/architecture.md (invariant 7) and returns nil or
// an *FsckError. It holds the read lock for the whole walk.
func (t *Tree) Fsck() error {
	s, ok := t.rlock()
	if !ok {
		return fmt.Errorf("fsck: tree is closed")
	}
	defer t.mu.runlock(s)
	f := &fsck{t: t, seen: map[meta.Ino]uint32{}, own: map[meta.Ino]bool{}, groups: map[arena.Ref]uint32{}, runs: map[meta.Ino]uint32{},
		packLive: map[arena.Ref]int32{}}
	f.walk()
	f.coldGroups()
	f.coldRuns()
	f.packs()
	f.inodes()
	f.accounting()
	if len(f.problems) == 0 {
		return nil
	}
	return &FsckError{Problems: f.problems, More: f.more}
}

// walk visits the tree from the root, checking every directory's index.
func (f *fsck) walk() {
	t := f.t
	root := t.getNode(meta.RootIno)
	if root == nil {
		f.bad("no root inode")
		return
	}
	if root.parent() != meta.RootIno || !isDir(t.mode(root)) {
		f.bad("root is not a directory whose parent is itself")
	}
	f.seen[meta.RootIno] = 1
	queue := []meta.Ino{meta.RootIno}
	for len(queue) > 0 {
		ino := queue[0]
		queue = queue[1:]
		dir := t.getNode(ino)
		if dir == nil {
			f.bad("directory %d: cannot read its record", ino)
			continue
		}
		var n, subdirs uint32
		if dir.cold() {
			n = f.coldDir(ino, dir, &subdirs, &queue)
		} else if dir.buckets() != 0 {
			f.want[arena.PBuckets] += arena.ClassSize(4 << dir.logb())
		}
		if dir.migrating() {
			m := t.migs[dir.inum()]
			if m == nil {
				f.bad("dir %d: migrating without a migration", ino)
				continue
			}
			f.want[arena.PBuckets] += arena.ClassSize(4 << m.oldLogb)
		}
		var last uint64
		for _, sp := range t.spans(dir) {
			for b := sp.lo; b < sp.hi; b++ {
				if r := *t.slotIn(sp.arr, b); t.isRun(r) {
					end := t.runEnd(dir, r, b)
					n += f.coldRun(ino, dir, r, b, end, &last, &subdirs, &queue)
					b = end - 1
					continue
				}
				for r := *t.slotIn(sp.arr, b); r != 0; r = t.ent(r).next {
					e := t.ent(r)
					h := hashBytes(e.name())
					if bucketOf(h, sp.logb) != b || h < last {
						f.bad("dir %d: entry %q out of hash order", ino, e.name())
					}
					last = h
					n++
					f.entry(ino, r, e, &subdirs, &queue)
				}
			}
		}
		if n != dir.count() {
			f.bad("dir %d: index counts %d entries, chains hold %d", ino, dir.count(), n)
		}
		if subdirs != dir.subdirs() {
			f.bad("dir %d: counts %d subdirectories, has %d", ino, dir.subdirs(), subdirs)
		}
	}
}

// entry checks one directory entry (record r) of directory ino.
func (f *fsck) entry(ino meta.Ino, r arena.Ref, e *entHdr, subdirs *uint32, queue *[]meta.Ino) {
	t := f.t
	name := e.name()
	if checkName(string(name)) != 0 {
		f.bad("dir %d: invalid name %q", ino, name)
	}
	child := meta.Ino(e.inum())
	node := t.nodeOfEnt(e)
	if node == nil {
		f.bad("dir %d: entry %q names missing inode %d", ino, name, child)
		return
	}
	cold := r != 0 && t.isHandle(r)
	if e.isLink() {
		if !cold {
			f.want[arena.PLink] += arena.ClassSize(e.size())
		}
		f.counts.links++
	} else {
		if t.nodeRef(child) != r {
			f.bad("dir %d: node record of %q is not the inode table's", ino, name)
		}
		if e.flags&fDetached != 0 {
			f.bad("dir %d: entry %q is marked detached", ino, name)
		}
		f.own[child] = true
	}
	f.counts.entries++
	f.seen[child]++
	if isDir(t.mode(node)) {
		if e.isLink() {
			f.bad("dir %d: hard link %q to directory %d", ino, name, child)
		}
		if f.seen[child] > 1 {
			f.bad("directory %d has more than one entry", child)
			return
		}
		if node.parent() != ino {
			f.bad("directory %d: parent %d, but it is listed in %d", child, node.parent(), ino)
		}
		*subdirs++
		*queue = append(*queue, child)
	}
}

// inodes checks every inode of the table: reachable or held open, link
// counts, data maps, xattrs, counters.
func (f *fsck) inodes() {
	t := f.t
	live := 0
	var stubs uint64
	f.want[arena.PInodeTable] += uint64(len(t.spares)) * arena.ClassSize(pageBytes)
	buf := make([]arena.Ref, pageSlots)
	for p, pg := range t.pages {
		if pg.ref == 0 {
			if pg.live != 0 {
				f.bad("inode page %d: no memory but %d live inodes", p, pg.live)
			}
			continue
		}
		if pg.packed != 0 {
			f.want[arena.PInodeTable] += arena.ClassSize(int(pg.packed))
			f.packedPage(p, pg.ref)
		} else {
			f.want[arena.PInodeTable] += arena.ClassSize(pageBytes)
		}
		var n uint32
		for i, r := range t.pageRefs(p, buf) {
			ino := meta.Ino(uint64(p)<<pageShift | uint64(i))
			if r == 0 {
				continue
			}
			n++
			live++
			if t.isHandle(r) {
				h := t.getNode(ino) // a scratch copy of the cold entry
				if h == nil {
					f.bad("inode %d: its slot names a cold directory that does not hold it", ino)
					continue
				}
				if t.isStub(r) {
					stubs++
					f.want[arena.PCold] += arena.ClassSize(stubSize)
					if s := t.stubAt(r); s.attr() != h.attr() || !h.cold() || h.buckets() != s.handle {
						f.bad("inode %d: its stub says attribute %d, index %d; its entry %d, %d", ino, s.attr(), s.handle, h.attr(), h.buckets())
					}
				}
				f.inode(ino, h, true)
				continue
			}
			f.inode(ino, t.node(r), false)
		}
		if n != pg.live {
			f.bad("inode page %d: counts %d live inodes, holds %d", p, pg.live, n)
		}
	}
	if stubs != t.coldStubs {
		f.bad("tree counts %d stubs, %d found", t.coldStubs, stubs)
	}
	for ino := range t.opens {
		if t.getNode(ino) == nil {
			f.bad("open count for missing inode %d", ino)
		}
	}
	for ino := range t.nlinks {
		if h := t.getNode(ino); h == nil || h.flags&fNlink == 0 {
			f.bad("link count kept for missing or unmarked inode %d", ino)
		}
	}
	for ino := range t.wideAttrs {
		if h := t.getNode(ino); h == nil || h.flags&fWideAttr == 0 {
			f.bad("attribute id kept for missing or unmarked inode %d", ino)
		}
	}
	for ino := range t.xattrs {
		if h := t.getNode(ino); h == nil || h.flags&fXattr == 0 {
			f.bad("xattrs for missing or unmarked inode %d", ino)
		}
	}
	if f.maxSlice >= t.nextSlice {
		f.bad("slice id %d in use, counter at %d", f.maxSlice, t.nextSlice)
	}
	c := t.counts
	if c.inodes != uint64(live) || c != f.counts {
		f.bad("counters %+v, state has %+v (inodes %d)", c, f.counts, live)
	}
	if t.usedSpace != f.used {
		f.bad("used space %d, files add up to %d", t.usedSpace, f.used)
	}
}

func (f *fsck) inode(ino meta.Ino, h *nodeHdr, cold bool) {
	t := f.t
	if meta.Ino(h.inum()) != ino {
		f.bad("inode table slot %d holds inode %d", ino, h.inum())
		return
	}
	if ino >= t.nextIno {
		f.bad("inode %d in use, counter at %d", ino, t.nextIno)
	}
	if id, wide := t.wideAttrs[ino]; (h.attr() == wideAttr) != (h.flags&fWideAttr != 0) || wide != (h.attr() == wideAttr) ||
		(h.attr() != wideAttr && int(h.attr()) >= len(t.attrs)) || (wide && int(id) >= len(t.attrs)) {
		f.bad("inode %d: bad attribute id %d", ino, h.attr())
		return
	}
	if n, ok := t.nlinks[ino]; ok != (h.flags&fNlink != 0) || (ok && n == 1) {
		f.bad("inode %d: link count map and flag disagree", ino)
	}
	if !cold {
		f.want[arena.PNode] += arena.ClassSize(recSize(false, int(h.namelen)))
	}
	mode := t.mode(h)
	f.counts.inodes++
	switch mode & meta.S_IFMT {
	case meta.S_IFREG:
		f.counts.files++
	case meta.S_IFDIR:
		f.counts.dirs++
	case meta.S_IFLNK:
		f.counts.symlinks++
	default:
		f.counts.others++
	}
	if h.flags&fXattr != 0 {
		f.xattrs(ino)
	}
	entries := f.seen[ino]
	if isDir(mode) {
		if entries != 1 {
			f.bad("directory %d is not reachable exactly once (%d entries)", ino, entries)
		}
		return
	}
	if t.nlink(h) != entries {
		f.bad("inode %d: nlink %d, %d entries", ino, t.nlink(h), entries)
	}
	detached := h.flags&fDetached != 0
	if entries == 0 {
		if t.opens[ino] == 0 {
			f.bad("inode %d: no entry and not open", ino)
		}
		f.counts.orphans++
	}
	if !detached && !f.own[ino] {
		f.bad("inode %d: record neither in a directory nor detached", ino)
	}
	switch mode & meta.S_IFMT {
	case meta.S_IFREG:
		f.used += align4k(h.size)
		f.file(ino, h)
	case meta.S_IFLNK:
		if h.data != extData { // else in its cold block
			f.want[arena.PSymlink] += arena.ClassSize(int(h.size))
		}
		if h.size == 0 || h.size > meta.MaxSymlink {
			f.bad("symlink %d: target length %d", ino, h.size)
		}
	}
}

func (f *fsck) file(ino meta.Ino, h *nodeHdr) {
	t := f.t
	if h.flags&fCompact != 0 {
		if h.size == 0 || h.size > meta.ChunkSize || h.data == 0 {
			f.bad("file %d: bad compact form (size %d, id %d)", ino, h.size, h.data)
		}
		f.maxSlice = max(f.maxSlice, h.data)
		return
	}
	dir, sl, size := t.blobN(h)
	if h.data == 0 {
		return
	}
	if h.data != extData { // else in its cold block
		f.want[arena.PChunks] += arena.ClassSize(size)
	}
	if len(dir) == 0 || len(sl) < len(dir) {
		f.bad("file %d: data map with %d chunks, %d slices", ino, len(dir), len(sl))
		return
	}
	for k := range dir {
		if k > 0 && dir[k-1].idx >= dir[k].idx {
			f.bad("file %d: chunks out of order", ino)
		}
		if dir[k].first >= uint32(len(sl)) || (k > 0 && dir[k].first <= dir[k-1].first) || (k == 0 && dir[k].first != 0) {
			f.bad("file %d: chunk %d has no slices", ino, dir[k].idx)
			return
		}
		for _, s := range chunkSlices(dir, sl, k) {
			end := uint64(dir[k].idx)*meta.ChunkSize + uint64(s.pos) + uint64(s.len)
			if checkSlice(s.slice()) != 0 || end > h.size {
				f.bad("file %d chunk %d: bad slice %+v (size %d)", ino, dir[k].idx, s, h.size)
			}
			f.maxSlice = max(f.maxSlice, s.id)
		}
	}
}

func (f *fsck) xattrs(ino meta.Ino) {
	t := f.t
	r, ok := t.xattrs[ino]
	if !ok {
		f.bad("inode %d: marked with xattrs, has none", ino)
		return
	}
	n := binary.LittleEndian.Uint32(t.a.Bytes(r, 4))
	f.want[arena.PXattr] += arena.ClassSize(int(n))
	list := t.xattrList(ino)
	if len(list) == 0 {
		f.bad("inode %d: empty xattr blob", ino)
	}
	for i := 1; i < len(list); i++ {
		if string(list[i-1].name) >= string(list[i].name) {
			f.bad("inode %d: xattrs out of order", ino)
		}
	}
}

func (f *fsck) accounting() {
	got := f.t.a.Stats().ByPurpose
	for p := arena.Purpose(0); p < arena.NumPurposes; p++ {
		if got[p] != f.want[p] {
			f.bad("arena accounting for %s: %d bytes, live objects take %d", p, got[p], f.want[p])
		}
	}
}

// coldDir checks cold directory ino: its handle and blocks decode, hold the
// directory's entries in blocks that split the hash range in order (names
// sorted inside each), and every entry passes the checks of a hot one (its
// node's slot holding the handle). It returns the number of entries.
func (f *fsck) coldDir(ino meta.Ino, dir *nodeHdr, subdirs *uint32, queue *[]meta.Ino) uint32 {
	t := f.t
	hr := dir.buckets()
	bs := t.coldBlocks(hr)
	if len(bs) == 0 {
		f.bad("dir %d: cold handle without blocks", ino)
		return dir.count()
	}
	if bs[0].grp > 0 {
		return f.groupDir(ino, dir, hr, subdirs, queue)
	}
	f.want[arena.PCold] += f.handle(hr, t.handleSize(hr))
	firsts := t.firstHashes(hr)
	var n uint32
	var prevMax uint64
	for i := range bs {
		b := &bs[i]
		if b.dir() != ino || b.attr() != coldMark || int(b.row) != i || int(b.rows) != len(bs) || b.grp != 0 {
			f.bad("dir %d: bad cold handle row %d", ino, i)
			return dir.count()
		}
		f.want[arena.PCold] += f.block(hr+arena.Ref(rowRefs*i), b)
		blk, err := t.decodeBlock(b)
		if err != nil {
			f.bad("dir %d: cold block %d: %v", ino, i, err)
			continue
		}
		if blk.Len() == 0 {
			f.bad("dir %d: cold block %d is empty", ino, i)
			continue
		}
		rowRef := hr + arena.Ref(rowRefs*i)
		lo, hi := ^uint64(0), uint64(0)
		for k := 0; k < blk.Len(); k++ {
			e, h := f.blockEntry(ino, blk, k, "cold block", uint64(i))
			lo, hi = min(lo, h), max(hi, h)
			n++
			ent, ref := t.coldEnt(&e, rowRef)
			f.entry(ino, ref, ent, subdirs, queue)
		}
		// blocks partition the hash range in order; the table names each
		// block's smallest hash
		if i > 0 && lo <= prevMax {
			f.bad("dir %d: cold block %d overlaps the hashes of block %d", ino, i, i-1)
		}
		if firsts != nil && firsts[i] != lo {
			f.bad("dir %d: cold block %d: first hash %#x listed, %#x held", ino, i, firsts[i], lo)
		}
		prevMax = hi
	}
	return n
}

// block checks where row r's block lies: in a pack, after a header that
// names r and the block's length (its bytes counted in the pack's live
// bytes, the pack's in the arena's); else an arena object of its own,
// whose class size it returns.
func (f *fsck) block(r arena.Ref, b *coldBlk) uint64 {
	return f.packed("cold block of row", r, b.ref, int(b.n), r, int(b.n) <= packMaxBlock)
}

// handle checks where handle hr of n bytes lies: in a pack, pinned, when
// it is larger than packMinHandle and fits; else an arena object of its
// own, whose class size it returns.
func (f *fsck) handle(hr arena.Ref, n int) uint64 {
	return f.packed("cold handle", hr, hr, n, pinnedRow, n > packMinHandle && n <= packMaxBlock)
}

// packed checks object ref of n bytes (named in reports by what and id):
// in a pack (where it belongs when inPacks), after a header that says row
// and n, its bytes counted in the pack's live bytes; else an arena object
// of its own, whose class size it returns.
func (f *fsck) packed(what string, id, ref arena.Ref, n int, row arena.Ref, inPacks bool) uint64 {
	t := f.t
	p, pi := t.packOf(ref)
	if pi == nil {
		if inPacks {
			f.bad("%s %d: %d bytes outside the packs", what, id, n)
		}
		return arena.ClassSize(n)
	}
	off := int(ref-p) << 3
	if !inPacks || off < blockHdr || off+n > packSize {
		f.bad("%s %d: at %d of its pack, %d bytes", what, id, off, n)
		return 0
	}
	hdr := t.a.Bytes(ref-1, blockHdr)
	if arena.Ref(binary.LittleEndian.Uint32(hdr)) != row || binary.LittleEndian.Uint32(hdr[4:]) != uint32(n) {
		f.bad("%s %d: its pack header names row %d, %d bytes; it takes %d (row %d)", what, id,
			binary.LittleEndian.Uint32(hdr), binary.LittleEndian.Uint32(hdr[4:]), n, row)
	}
	f.packLive[p] += int32(packSpan(n))
	return 0
}

// packs checks every pack's live bytes against the blocks found in it, and
// counts the packs in the arena's accounting.
func (f *fsck) packs() {
	t := f.t
	for p, pi := range t.packs {
		if pi.live != f.packLive[p] {
			f.bad("pack %d: %d live bytes counted, blocks take %d", p, pi.live, f.packLive[p])
		}
		if pi.live == 0 && p != t.pack {
			f.bad("pack %d: empty and kept", p)
		}
		f.want[arena.PCold] += packSize
	}
	if t.pack != 0 && (t.packs[t.pack] == nil || t.packUsed > packSize) {
		f.bad("current pack %d: unknown, or %d bytes used", t.pack, t.packUsed)
	}
}

// coldRun checks the cold run of row r over buckets [b0, end) of hot
// directory ino: the row, its block, entries in name order whose hashes
// fall in the run's buckets and after the entries before it, each passing
// the checks of a hot entry. It returns the number of entries.
func (f *fsck) coldRun(ino meta.Ino, dir *nodeHdr, r arena.Ref, b0, end uint64, last *uint64, subdirs *uint32, queue *[]meta.Ino) uint32 {
	t := f.t
	b := t.row(r)
	if b.dir() != ino || b.row != 0 || b.rows != 0 || uint64(b.grp) != b0 || dir.migrating() {
		f.bad("dir %d: bad cold run at bucket %d (row of dir %d, first bucket %d)", ino, b0, b.dir(), b.grp)
		return 0
	}
	f.runs[ino]++
	f.want[arena.PCold] += arena.ClassSize(coldRow) + f.block(r, b)
	blk, err := t.decodeBlock(b)
	if err != nil {
		f.bad("dir %d: cold run at bucket %d: %v", ino, b0, err)
		return 0
	}
	if blk.Len() == 0 {
		f.bad("dir %d: cold run at bucket %d is empty", ino, b0)
		return 0
	}
	maxH := *last
	for k := 0; k < blk.Len(); k++ {
		e, h := f.blockEntry(ino, blk, k, "cold run at bucket", b0)
		if bk := bucketOf(h, dir.logb()); bk < b0 || bk >= end || h < *last {
			f.bad("dir %d: cold entry %q outside its run's buckets", ino, e.Name)
		}
		maxH = max(maxH, h)
		ent, ref := t.coldEnt(&e, r)
		f.entry(ino, ref, ent, subdirs, queue)
	}
	*last = maxH
	return uint32(blk.Len())
}

// blockEntry returns entry k of a directory's own block or of a run (what
// and num name it in messages) and its name's hash, checking that it is
// the directory's and follows the entry before it in name order.
func (f *fsck) blockEntry(ino meta.Ino, blk *compact.Block, k int, what string, num uint64) (compact.Entry, uint64) {
	e := blk.Entry(k)
	if e.Dir != uint64(ino) {
		f.bad("dir %d: cold entry %q of directory %d", ino, e.Name, e.Dir)
	}
	if k > 0 && e.Name <= blk.Name(k-1) {
		f.bad("dir %d: %s %d out of name order at %q", ino, what, num, e.Name)
	}
	return e, hashName(e.Name)
}

// coldRuns checks the tree's counts of cold runs against those met.
func (f *fsck) coldRuns() {
	t := f.t
	var total uint64
	for ino, n := range f.runs {
		total += uint64(n)
		if t.runs[ino] != n {
			f.bad("dir %d: counted %d cold runs, has %d", ino, t.runs[ino], n)
		}
	}
	for ino, n := range t.runs {
		if f.runs[ino] != n {
			f.bad("dir %d: counted %d cold runs, has %d", ino, n, f.runs[ino])
		}
	}
	if total != t.coldRuns {
		f.bad("tree counts %d cold runs, %d found", t.coldRuns, total)
	}
}

// groupDir checks cold directory ino, a member of the group of row hr: the
// row, the shared block (counted once, at its first member), and the
// directory's entries in it, like coldDir.
func (f *fsck) groupDir(ino meta.Ino, dir *nodeHdr, hr arena.Ref, subdirs *uint32, queue *[]meta.Ino) uint32 {
	t := f.t
	b := t.row(hr)
	if b.attr() != coldMark || b.row != 0 || b.rows != 1 {
		f.bad("dir %d: bad cold group row", ino)
		return dir.count()
	}
	if f.groups[hr] == 0 {
		f.want[arena.PCold] += arena.ClassSize(coldRow) + f.block(hr, b)
	}
	f.groups[hr]++
	blk, err := t.decodeBlock(b)
	if err != nil {
		f.bad("dir %d: cold group block: %v", ino, err)
		return dir.count()
	}
	lo, hi := blk.DirRange(uint64(ino))
	if lo == hi {
		f.bad("dir %d: none of its entries in its cold group", ino)
	}
	for k := lo; k < hi; k++ {
		e := blk.Entry(k)
		if k > lo && e.Name <= blk.Name(k-1) {
			f.bad("dir %d: cold group out of name order at %q", ino, e.Name)
		}
		ent, ref := t.coldEnt(&e, hr)
		f.entry(ino, ref, ent, subdirs, queue)
	}
	return uint32(hi - lo)
}

// coldGroups checks that every group row counts the members that refer to
// it, and the tree the groups.
func (f *fsck) coldGroups() {
	t := f.t
	for hr, n := range f.groups {
		if g := t.row(hr).grp; g != n {
			f.bad("cold group at %d: counts %d member directories, %d refer to it", hr, g, n)
		}
	}
	if uint64(len(f.groups)) != t.coldGroups {
		f.bad("tree counts %d cold groups, %d found", t.coldGroups, len(f.groups))
	}
}

// packedPage checks the packed form of inode page p: runs and exceptions
// in order and in bounds, every run's indexes inside the index bytes.
func (f *fsck) packedPage(p int, ref arena.Ref) {
	t := f.t
	runs, excOff, _, _ := t.packedParts(ref)
	size := packedSize(len(runs), len(excOff), 0)
	if len(runs) == 0 || runs[0].start != 0 || size > int(t.pages[p].packed) {
		f.bad("inode page %d: bad packed form (%d runs)", p, len(runs))
		return
	}
	idxLen := int(t.pages[p].packed) - size
	for k := range runs {
		r := &runs[k]
		end := pageSlots
		if k+1 < len(runs) {
			end = int(runs[k+1].start)
			if end <= int(r.start) {
				f.bad("inode page %d: packed runs out of order at %d", p, k)
				return
			}
		}
		if r.width > 2 || int(r.off)+(end-int(r.start))*int(r.width) > idxLen {
			f.bad("inode page %d: packed run %d out of bounds", p, k)
			return
		}
	}
	for k := 1; k < len(excOff); k++ {
		if excOff[k] <= excOff[k-1] {
			f.bad("inode page %d: packed exceptions out of order", p)
			return
		}
	}
	tab := (*[packBuckets][2]uint16)(unsafe.Add(t.a.Ptr(ref), 8))
	for k := range tab {
		first := k << packBucket
		r, e := int(tab[k][0]), int(tab[k][1])
		if r >= len(runs) || int(runs[r].start) > first || (r+1 < len(runs) && int(runs[r+1].start) <= first) ||
			e > len(excOff) || (e < len(excOff) && int(excOff[e]) < first) || (e > 0 && int(excOff[e-1]) >= first) {
			f.bad("inode page %d: packed table wrong at bucket %d", p, k)
			return
		}
	}
}
