package tree

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/compact"
	"github.com/fsmeta/fsmeta/core/meta"
)

// Cold directories.
//
// A directory nobody has changed for a while can be made cold: its entries'
// records are encoded into compressed column-wise blocks (core/compact) of
// about coldBlock entries, and the records, chains and bucket array are
// freed. Blocks split the directory by name hash, the order of listings and
// their cursors: block k holds the entries whose hashes lie from its first
// hash up to the next block's (one hash is never split), sorted by name
// inside the block (front coding). A lookup hashes the name and decodes one
// block; a listing page decodes the blocks of its hash range.
//
// A file's or other node's entry is its record's fields, byte-exact, and its
// data map or symlink target moves into the block as the entry's Extra
// (coldblob.go). A subdirectory that is cold itself (or freezes in the
// same group) goes into the block like a file, and its inode slot holds a
// 16-byte stub with its index and attribute id (coldstub.go). Any other
// subdirectory's record does not go into the block: the block lists it
// like a hard link (name and inode number) and the record stays hot, moved
// to long-lived slabs, in no chain (keptDir). Either way a lookup through a
// cold directory never decodes a block to find the directory below. The
// side maps keyed by inode (link counts, opens, xattrs, wide attribute ids)
// do not change. Freezing and thawing are exact inverses.
//
// The cold directory's own record keeps its place; its index field, which
// held the bucket array, holds the ref of a cold handle instead, with logb 0
// (a hot index always has logb >= 1). The handle is a table with one 24-byte
// row per block, then (with more than one block) the blocks' first hashes:
//
//	row: 0  u64  directory ino | coldMark << 48
//	     8  u32  block ref
//	     12 u32  block length (its byte 12 reads as record flags 0: never detached)
//	     16 u16  row number
//	     18 u16  rows
//	     20 u32  0, or in a group row the number of member directories
//	hashes: rows x u64, the smallest name hash in each block
//
// Small directories share blocks: most directories hold a few entries, and
// a block and a row of their own would cost them more than their entries.
// The compactor packs idle directories of at most coldGroupDir entries
// into one block of about coldGroupTarget entries, sorted by (directory, name),
// with one row (a group row: rows 1, its last word the number of member
// directories still cold, its directory field the first member's) that
// every member's index refers to. Thawing a member leaves its entries in
// the block, dead (no index and no inode slot refers to them: the block
// is never searched for another directory's entries), and counts the row
// down; the last member to thaw frees the block and the row.
//
// Every cold inode's slot in the inode table holds the ref of its block's
// row: the first word tells a row (attribute id coldMark, which the
// dictionary never hands out inline) from a node record, and getNode
// decodes just that block. So the inode index stays the table's 4 bytes per
// inode, and a getattr decodes one block.
//
// Reads answer from the blocks without changing anything: a cold entry is
// decoded into a scratch record (Go memory, the same layout) that every read
// path can use. A change thaws first: under the write lock, getNode, find,
// scan and prepareInsert rebuild the hot records of the directory they meet
// cold (thaw), so the code of every operation runs on the hot form only.
// Listings of a cold directory come in the same hash order, with the same
// cursors, as the hot form's.
const (
	coldMark  = 0xFFFE // attr id of a handle row's first word; inline ids stay below it
	coldBlock = 32     // entries per block: measured on 10M synthetic entries, 32 against 64 costs 2.2 B/entry more and halves a cold lookup (p50 6.5 -> 3.8 µs)
	// coldMaxDir bounds the directories made cold whole: a change in a
	// cold directory thaws it whole (about 0.3 µs an entry), so a change
	// in a cold directory of a million entries waits ~0.3 s once. Larger
	// ones go cold a run at a time, and a change thaws one run.
	coldMaxDir = 1 << 20
	// coldStepDir is the default CompactOptions.MaxDir: freezing a
	// directory whole takes about 1-1.2 µs an entry under the write lock
	// (a 100k-entry directory stalled writers 120 ms), so larger ones
	// freeze a run at a time (coldrun.go), and a step holds the lock for
	// about its budget of 1,000 entries. Measured on 3M synthetic files
	// with the background compactor: the longest step 9.0 ms with 8192,
	// 6.0 ms with 1024, and the same memory once all is cold (61.9 and
	// 62.1 B/entry RSS). An explicit Compact may freeze whole directories
	// up to coldMaxDir.
	coldStepDir = 1 << 10
	coldRow     = 24
	rowRefs     = coldRow / 8 // a row's size in Refs
	// coldGroupDir is the largest directory packed with others into a
	// shared block (a group).
	coldGroupDir = coldBlock / 2
	// coldGroupTarget is the entries a group gathers before its block is
	// written (so a group block holds up to coldGroupTarget+coldGroupDir-1).
	// On 10M synthetic entries groups save 4 B/entry and cost a cold lookup
	// about 1 µs at p50 (a lookup decodes the whole block's columns):
	// 3.8-4.0 µs without groups, 4.9-5.2 with 32, 4.7-5.0 with 24 (with
	// packed inode pages and no checksum: 4.7). The blocks take 36.2, 36.0
	// and 35.7 B/entry at 24, 32 and 48 (1M entries).
	coldGroupTarget = 24
)

// coldBlk is a row of a cold handle.
type coldBlk struct {
	inoAttr uint64
	ref     arena.Ref
	n       uint32
	row     uint16
	rows    uint16
	grp     uint32 // a group row's live member directories; 0 in a directory's own handle
}

func (b *coldBlk) attr() uint16  { return uint16(b.inoAttr >> 48) }
func (b *coldBlk) dir() meta.Ino { return meta.Ino(b.inoAttr & inoMask) }

func (t *Tree) row(r arena.Ref) *coldBlk { return (*coldBlk)(t.a.Ptr(r)) }

// entRange returns the entries of block blk that belong to directory dir:
// all of them in a directory's own block, dir's run in a group's.
func entRange(b *coldBlk, blk *compact.Block, dir meta.Ino) (lo, hi int) {
	if b.grp == 0 || b.rows == 0 { // a directory's own block, or a run's
		return 0, blk.Len()
	}
	return blk.DirRange(uint64(dir))
}

// handleOf returns the handle (its first row) of row r.
func (t *Tree) handleOf(r arena.Ref) arena.Ref { return r - arena.Ref(rowRefs*int(t.row(r).row)) }

func (t *Tree) coldBlocks(hr arena.Ref) []coldBlk {
	h := t.row(hr)
	return unsafe.Slice(h, h.rows)
}

// handleSize is the size of handle r (for Free and the accounting).
func (t *Tree) handleSize(r arena.Ref) int { return handleBytes(int(t.row(r).rows)) }

func handleBytes(rows int) int {
	if rows > 1 {
		return (coldRow + 8) * rows
	}
	return coldRow
}

// firstHashes returns the first hash of every block (nil for one block).
func (t *Tree) firstHashes(r arena.Ref) []uint64 {
	rows := int(t.row(r).rows)
	if rows <= 1 {
		return nil
	}
	return unsafe.Slice((*uint64)(unsafe.Add(t.a.Ptr(r), coldRow*rows)), rows)
}

// blockOf returns the block of handle r that holds hash h: the last one whose
// first hash is <= h.
func (t *Tree) blockOf(r arena.Ref, h uint64) int {
	fh := t.firstHashes(r)
	if fh == nil {
		return 0
	}
	return max(0, sortSearch(len(fh), func(k int) bool { return fh[k] > h })-1)
}

// cold reports whether a directory record's index is a cold handle.
func (h *nodeHdr) cold() bool { return h.logb() == 0 && h.buckets() != 0 }

// isHandle reports whether the object a slot refers to is a cold handle.
func (t *Tree) isHandle(r arena.Ref) bool { return t.node(r).attr() == coldMark }

// decode decodes block b of a handle. The blocks were written by freeze:
// an error means memory corruption, which fsck reports.
func (t *Tree) decodeBlock(b *coldBlk) (*compact.Block, error) {
	blk := &compact.Block{Dict: t.dict.Load()}
	if err := blk.DecodeInto(t.a.Bytes(b.ref, int(b.n))); err != nil {
		return nil, err
	}
	return blk, nil
}

// scratch returns a record in Go memory holding entry e (the same layout as
// in the arena): what read paths use for a cold entry. A data map or symlink
// target in e's Extra follows the name (coldblob.go).
func scratch(e *compact.Entry) *entHdr {
	hdr := nodeHdrSize
	if e.Link {
		hdr = linkHdrSize
	}
	size := hdr + len(e.Name)
	var ext []byte
	if !e.Link && len(e.Extra) > 0 {
		if b, _, ok := extraBytes(e.Extra, e.Data); ok {
			ext = b
			size = scratchDataOff(len(e.Name)) + len(b)
		}
	}
	buf := make([]uint64, (size+7)/8)
	p := unsafe.Pointer(&buf[0])
	if e.Link {
		l := (*entHdr)(p)
		l.inoAttr, l.flags, l.namelen = e.Ino, fLink, uint8(len(e.Name))
	} else {
		h := (*nodeHdr)(p)
		h.inoAttr = e.Ino | uint64(e.Attr)<<48
		h.flags, h.namelen, h.ext = e.Flags, uint8(len(e.Name)), uint16(e.Nlink)
		h.size, h.data = e.Size, e.Data
		h.atime, h.mtime, h.ctime = e.Atime, e.Mtime, e.Ctime
		if ext != nil {
			h.data = extData
			copy(unsafe.Slice((*byte)(unsafe.Add(p, scratchDataOff(len(e.Name)))), len(ext)), ext)
		}
	}
	copy(unsafe.Slice((*byte)(unsafe.Add(p, hdr)), len(e.Name)), e.Name)
	return (*entHdr)(p)
}

// keptDir returns the ref of directory ino's record when a cold block lists
// it as a link entry: a subdirectory's record stays hot when its parent goes
// cold (a lookup through it then decodes no block of its parent), and the
// block holds only its name and inode number, as for a hard link. No real
// hard link names a directory, so a link entry whose inode is a directory
// is always this. 0 if ino is not such a directory.
func (t *Tree) keptDir(ino meta.Ino) arena.Ref {
	r := t.nodeRef(ino)
	if r == 0 || t.isHandle(r) || !isDir(t.mode(t.node(r))) {
		return 0
	}
	return r
}

// coldEnt returns the record a read path sees for cold entry e: a kept
// directory's own record, or a scratch copy; and the ref fsck expects in
// the inode table for it (row: the block's row).
func (t *Tree) coldEnt(e *compact.Entry, row arena.Ref) (*entHdr, arena.Ref) {
	if e.Link {
		if r := t.keptDir(meta.Ino(e.Ino)); r != 0 {
			return t.ent(r), r
		}
	} else if t.stubEntry(e) {
		// a subdirectory's: its stub, or its record made again since
		r := t.nodeRef(meta.Ino(e.Ino))
		switch {
		case r == 0:
		case !t.isHandle(r):
			return t.ent(r), r
		case t.isStub(r):
			h := stubScratch(e, t.stubAt(r).handle)
			if row != 0 && t.stubAt(r).prow() != row {
				r = row // (fsck: the stub names another row)
			}
			return (*entHdr)(unsafe.Pointer(h)), r
		}
	}
	return scratch(e), row
}

// coldNode returns the record of cold inode ino, whose slot holds row r of
// a handle: thawed (and so hot) under the write lock, a scratch copy
// otherwise; nil if it cannot be found (corruption) or, when thawing,
// memory ran out.
func (t *Tree) coldNode(r arena.Ref, ino meta.Ino) *nodeHdr {
	if t.isStub(r) {
		return t.stubNode(r, ino)
	}
	if t.writer {
		hr := t.handleOf(r)
		dino := t.row(hr).dir()
		if t.row(hr).rows == 0 {
			// a run of a hot directory: thaw just that
			dir := t.getNode(dino)
			if dir == nil || dir.cold() || !t.thawRun(dir, hr) {
				return nil
			}
			if r := t.nodeRef(ino); r != 0 && !t.isHandle(r) {
				return t.node(r)
			}
			return nil
		}
		if g := t.row(hr); g.grp > 0 {
			// a group: the entry names its directory
			blk := t.lendBlock()
			e, ok, err := blk.LookupIno(t.a.Bytes(g.ref, int(g.n)), uint64(ino))
			blockPool.Put(blk)
			if err != nil || !ok {
				return nil
			}
			dino = meta.Ino(e.Dir)
		}
		if !t.thaw(dino, hr) {
			return nil
		}
		if r := t.nodeRef(ino); r != 0 && !t.isHandle(r) {
			return t.node(r)
		}
		return nil
	}
	b := t.row(r)
	blk := t.lendBlock()
	e, ok, err := blk.LookupIno(t.a.Bytes(b.ref, int(b.n)), uint64(ino))
	blockPool.Put(blk)
	if err != nil || !ok {
		return nil
	}
	return (*nodeHdr)(unsafe.Pointer(scratch(&e)))
}

// Cold blocks are compressed with s2: measured on 64-entry blocks of the
// synthetic namespace, 33.4 bytes an entry and 5.1 µs a decode, against
// zstd's 31.2 and 8.6 µs (core/compact's benchmarks); a cold lookup decodes
// one block, and its latency is the figure that matters more.
//
// Once the blocks made so far have given dictSample bytes of samples (one
// block in dictEvery: their names, name lengths, attributes and extras),
// the tree makes an s2 dictionary of them, and every later block is
// compressed against it: a block of ~30 entries has too little of its own to
// match, the namespace's names repeat across blocks. On the synthetic
// namespace: 28.4 bytes an entry against 31.6 (BenchmarkWorkload s2-dict),
// for about 0.6 µs more a decode (core/compact decodes such blocks with its
// own decoder; the library's took 1 µs more). Encoding against it costs
// about 14 µs more a block (the library clears its match tables). The
// dictionary is made once and kept for the tree's life (blocks live in
// memory only; a restore samples anew).
const dictEvery = 4

// dictSample is CompactOptions.DictSample's default (tests lower it).
var dictSample = 64 << 10

// encodeBlock appends the block of ents to dst.
func (t *Tree) encodeBlock(dst []byte, ents []compact.Entry) ([]byte, error) {
	o := compact.Options{Compression: compact.S2, Dict: t.dict.Load()}
	sampling := o.Dict == nil && t.dictAt > 0
	if sampling {
		if t.dictSeen++; t.dictSeen%dictEvery == 1 {
			o.Sample = &t.dictBuf
		}
	}
	dst, err := compact.Encode(dst, ents, o)
	if sampling && len(t.dictBuf) >= t.dictAt {
		d, derr := compact.NewDict(1, t.dictBuf)
		t.dictBuf = nil
		if derr != nil {
			t.dictAt = -1 // cannot be: the sample is large enough
		} else {
			t.dict.Store(d)
		}
	}
	return dst, err
}

// lendBlock returns a decoding buffer of blockPool for t's blocks (give it
// back with blockPool.Put).
func (t *Tree) lendBlock() *compact.Block {
	blk := blockPool.Get().(*compact.Block)
	blk.Dict = t.dict.Load()
	return blk
}

// blockPool lends decoding buffers to point lookups and listings. They
// skip the blocks' checksum (a quarter of a cold lookup's time): the blocks
// are the tree's own memory, the decoder checks every bound anyway, and
// fsck and thawing verify it.
var blockPool = sync.Pool{New: func() any { return &compact.Block{NoChecksum: true} }}

// coldList returns the entries of cold directory dir (block by block),
// or false if a block does not decode (corruption, which fsck reports).
func (t *Tree) coldList(dir *nodeHdr) ([]compact.Entry, bool) {
	var out []compact.Entry
	bs := t.coldBlocks(dir.buckets())
	for i := range bs {
		blk, err := t.decodeBlock(&bs[i])
		if err != nil {
			return nil, false
		}
		lo, hi := entRange(&bs[i], blk, meta.Ino(dir.inum()))
		for k := lo; k < hi; k++ {
			out = append(out, blk.Entry(k))
		}
	}
	return out, true
}

// coldFind looks name up in cold directory dir (reads only).
func (t *Tree) coldFind(dir *nodeHdr, name string) *entHdr {
	hr := dir.buckets()
	bs := t.coldBlocks(hr)
	i := t.blockOf(hr, hashName(name))
	blk := t.lendBlock()
	e, ok, err := blk.Lookup(t.a.Bytes(bs[i].ref, int(bs[i].n)), dir.inum(), name)
	blockPool.Put(blk)
	if err != nil || !ok {
		return nil
	}
	ent, _ := t.coldEnt(&e, 0)
	return ent
}

func sortSearch(n int, f func(int) bool) int {
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if !f(m) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// coldHashed is a cold entry with its name's hash, for listings in hash
// order.
type coldHashed struct {
	h uint64
	e *entHdr
}

// coldScan calls fn for the entries of cold directory dir with hash >=
// from, in hash order (ties by name), as scratch records, until fn returns
// false. It decodes only the blocks it reaches.
func (t *Tree) coldScan(dir *nodeHdr, from uint64, fn func(h uint64, e *entHdr) bool) {
	hr := dir.buckets()
	bs := t.coldBlocks(hr)
	var list []coldHashed
	blk := t.lendBlock()
	defer blockPool.Put(blk)
	for i := t.blockOf(hr, from); i < len(bs); i++ {
		if blk.DecodeInto(t.a.Bytes(bs[i].ref, int(bs[i].n))) != nil {
			continue // fsck reports it
		}
		list = list[:0]
		lo, hi := entRange(&bs[i], blk, meta.Ino(dir.inum()))
		for k := lo; k < hi; k++ {
			if h := hashName(blk.Name(k)); h >= from {
				e := blk.Entry(k)
				ent, _ := t.coldEnt(&e, 0)
				list = append(list, coldHashed{h, ent})
			}
		}
		slices.SortFunc(list, func(a, b coldHashed) int {
			if a.h != b.h {
				if a.h < b.h {
					return -1
				}
				return 1
			}
			return bytes.Compare(a.e.name(), b.e.name())
		})
		for _, c := range list {
			if !fn(c.h, c.e) {
				return
			}
		}
	}
}

// lookupEnt returns the entry named name in dir, hot or cold (reads).
func (t *Tree) lookupEnt(dir *nodeHdr, name string) *entHdr {
	if !t.writer {
		if dir.cold() {
			return t.coldFind(dir, name)
		}
		if dir.count() == 0 {
			return nil
		}
		h := hashName(name)
		r := *t.head(dir, h)
		if t.isRun(r) {
			return t.runFind(dir, r, name)
		}
		if r, _ = t.chainFind(r, name); r == 0 {
			return nil
		}
		return t.ent(r)
	}
	if r, _ := t.find(dir, name); r != 0 {
		return t.ent(r)
	}
	return nil
}

// nodeOfEnt returns the node an entry names: itself, or through a link.
func (t *Tree) nodeOfEnt(e *entHdr) *nodeHdr {
	if e.isLink() {
		return t.getNode(meta.Ino(e.inum()))
	}
	return (*nodeHdr)(unsafe.Pointer(e))
}

// freeze makes directory dir (hot, under the write lock) cold. It reports
// whether it did: directories that are empty, resizing, larger than
// coldMaxDir or already cold stay as they are, as does everything when
// memory runs out.
func (t *Tree) freeze(dir *nodeHdr) bool { return t.freezeDirs([]*nodeHdr{dir}) }

// freezeDirs freezes dirs: one directory into blocks of its own, or
// several small ones (distinct, in any order) into one shared block, a
// group. Nothing changes unless all of them can be frozen.
func (t *Tree) freezeDirs(dirs []*nodeHdr) bool {
	total := 0
	for _, d := range dirs {
		if d.cold() || d.migrating() || d.count() == 0 || d.count() > coldMaxDir || t.hasRuns(d) {
			return false
		}
		total += int(d.count())
	}
	group := len(dirs) > 1
	if group {
		if total > compact.MaxEntries {
			return false
		}
		slices.SortFunc(dirs, func(a, b *nodeHdr) int { return cmp.Compare(a.inum(), b.inum()) })
		for i := 1; i < len(dirs); i++ {
			if dirs[i].inum() == dirs[i-1].inum() {
				return false
			}
		}
	}
	var fr frozen
	fr.ents = make([]compact.Entry, 0, total)
	if group {
		fr.members = make(map[uint64]bool, len(dirs))
		for _, d := range dirs {
			fr.members[d.inum()] = true
		}
	}
	for _, dir := range dirs {
		ino := dir.inum()
		t.scanHot(dir, 0, func(r arena.Ref, e *entHdr, _ uint64) bool {
			fr.add(t, ino, r, e)
			return true
		})
	}
	ents := fr.ents
	var cuts []int // start of every block in ents, then len
	var firsts []uint64
	if group {
		// one block, in (directory, name) order
		slices.SortFunc(ents, func(a, b compact.Entry) int {
			if a.Dir != b.Dir {
				return cmp.Compare(a.Dir, b.Dir)
			}
			return strings.Compare(a.Name, b.Name)
		})
		cuts = []int{0, len(ents)}
	} else {
		// blocks by hash: sort by hash, cut about every coldBlock entries
		// (never inside one hash), then sort each block by name
		hs := make([]uint64, len(ents))
		for i := range ents {
			hs[i] = hashName(ents[i].Name)
		}
		order := make([]int32, len(ents))
		for i := range order {
			order[i] = int32(i)
		}
		slices.SortFunc(order, func(a, b int32) int {
			if hs[a] != hs[b] {
				if hs[a] < hs[b] {
					return -1
				}
				return 1
			}
			return strings.Compare(ents[a].Name, ents[b].Name)
		})
		sorted := make([]compact.Entry, len(ents))
		for i, k := range order {
			sorted[i] = ents[k]
			if i == 0 || i-cuts[len(cuts)-1] >= coldBlock && hs[k] != hs[order[i-1]] {
				cuts = append(cuts, i)
			}
		}
		cuts = append(cuts, len(sorted))
		if len(cuts)-1 > 1<<16-1 {
			return false
		}
		firsts = make([]uint64, len(cuts)-1)
		for i := range firsts {
			firsts[i] = hs[order[cuts[i]]]
			part := sorted[cuts[i]:cuts[i+1]]
			slices.SortFunc(part, func(a, b compact.Entry) int { return strings.Compare(a.Name, b.Name) })
		}
		ents = sorted
	}
	nb := len(cuts) - 1
	hsize := handleBytes(nb)
	// allocate everything first: nothing changes if memory runs out (the
	// slots' packed pages unpack: that changes no content)
	for i := range ents {
		if !t.unpackFor(meta.Ino(ents[i].Ino)) {
			return false
		}
	}
	hr, err := t.allocHandle(hsize)
	if err != nil {
		return false
	}
	for ino, p := range fr.stubs {
		if fr.members[ino] {
			p.handle = hr // a member's index is the group's row
			fr.stubs[ino] = p
		}
	}
	blks := make([]coldBlk, nb)
	var buf []byte
	for i := range blks {
		part := ents[cuts[i]:cuts[i+1]]
		buf, err = t.encodeBlock(buf[:0], part)
		if err == nil {
			blks[i].ref, err = t.allocBlock(len(buf), hr+arena.Ref(rowRefs*i))
		}
		if err != nil {
			for _, b := range blks[:i] {
				t.freeBlock(b.ref, int(b.n))
			}
			t.freeHandle(hr, hsize)
			return false
		}
		blks[i].n = uint32(len(buf))
		copy(t.a.Bytes(blks[i].ref, len(buf)), buf)
		blks[i].inoAttr = dirs[0].inum() | coldMark<<48
		blks[i].row, blks[i].rows = uint16(i), uint16(nb)
		if group {
			blks[i].grp = uint32(len(dirs))
		}
	}
	moves, ok := t.allocKept(fr.kept)
	if ok && !fr.allocStubs(t) {
		for j, m := range moves {
			t.a.Free(m, t.ent(fr.kept[j]).size(), arena.PNode)
		}
		ok = false
	}
	if !ok {
		for _, b := range blks {
			t.freeBlock(b.ref, int(b.n))
		}
		t.freeHandle(hr, hsize)
		return false
	}
	copy(unsafe.Slice((*coldBlk)(t.a.Ptr(hr)), nb), blks)
	if nb > 1 {
		copy(t.firstHashes(hr), firsts)
	}
	// switch: slots to their blocks' rows, records and index freed
	blkOf := 0
	fr.setSlots(t, ents, func(k int) arena.Ref {
		for k >= cuts[blkOf+1] {
			blkOf++
		}
		return hr + arena.Ref(rowRefs*blkOf)
	})
	// the directories' indexes before the kept records move (a member of
	// a group may be kept in another member: its record then moves with
	// its new index) and before the records in blocks are freed (a member
	// may be a stub in another)
	for _, dir := range dirs {
		t.freeIndex(dir)
		dir.setIndex(hr, 0, false)
	}
	fr.free(t)
	t.moveKept(fr.kept, moves)
	t.coldDirs += uint64(len(dirs))
	t.coldEntries += uint64(len(ents))
	t.coldBytes += uint64(hsize)
	for _, b := range blks {
		t.coldBytes += uint64(b.n)
	}
	if group {
		t.coldGroups++
	}
	return true
}

// frozen gathers the hot records a freeze puts into blocks.
type frozen struct {
	ents []compact.Entry
	refs []arena.Ref // records freed once the blocks are in place
	kept []arena.Ref // subdirectories' records: they stay (keptDir)
	objs []movedObj  // data maps and targets that go into the blocks
	// subdirectories, cold themselves, whose records go into the blocks
	// and whose slots get stubs (coldstub.go), by inode
	stubs map[uint64]stubPlan
	// the directories frozen together (a group): those among them that
	// are subdirectories of others become stubs too, of the group's row
	members map[uint64]bool
}

type movedObj struct {
	r arena.Ref
	n int
	p arena.Purpose
}

// add takes record r (entry e) of directory dino.
func (fr *frozen) add(t *Tree, dino uint64, r arena.Ref, e *entHdr) {
	ce := compact.Entry{Dir: dino, Name: string(e.name()), Ino: e.inum()}
	if e.isLink() {
		ce.Link = true
	} else if h := (*nodeHdr)(unsafe.Pointer(e)); isDir(t.mode(h)) {
		if !stubbable(h, fr.members[h.inum()]) {
			ce.Ino, ce.Link = h.inum(), true
			fr.kept = append(fr.kept, r)
			fr.ents = append(fr.ents, ce)
			return
		}
		ce.Ino, ce.Attr, ce.Nlink = h.inum(), uint32(h.attr()), 1
		ce.Size = interleave(h.size)
		ce.Atime, ce.Mtime, ce.Ctime = h.atime, h.mtime, h.ctime
		if fr.stubs == nil {
			fr.stubs = map[uint64]stubPlan{}
		}
		fr.stubs[ce.Ino] = stubPlan{handle: h.buckets(), attr: h.attr()}
	} else {
		ce.Ino = h.inum()
		ce.Attr, ce.Flags, ce.Nlink = uint32(h.attr()), h.flags, uint32(h.ext)
		ce.Size, ce.Data = h.size, h.data
		ce.Atime, ce.Mtime, ce.Ctime = h.atime, h.mtime, h.ctime
		if t.movesToBlock(h) {
			x, d, n, p := t.dataExtra(h)
			ce.Extra, ce.Data = x, d
			fr.objs = append(fr.objs, movedObj{arena.Ref(h.data), n, p})
		}
	}
	fr.ents = append(fr.ents, ce)
	fr.refs = append(fr.refs, r)
}

// free frees the records and objects now in blocks.
func (fr *frozen) free(t *Tree) {
	for _, r := range fr.refs {
		e := t.ent(r)
		t.a.Free(r, e.size(), recPurpose(e.isLink()))
	}
	for _, o := range fr.objs {
		t.a.Free(o.r, o.n, o.p)
	}
}

// allocKept allocates the new places of subdirectories' records a freeze
// keeps: long-lived slabs, since the records around them are freed now and
// they would keep those slabs alive. On false memory ran out (nothing is
// allocated).
func (t *Tree) allocKept(kept []arena.Ref) ([]arena.Ref, bool) {
	moves := make([]arena.Ref, len(kept))
	for i, r := range kept {
		var err error
		if moves[i], err = t.a.AllocLongLived(t.ent(r).size(), arena.PNode); err != nil {
			for j, m := range moves[:i] {
				t.a.Free(m, t.ent(kept[j]).size(), arena.PNode)
			}
			return nil, false
		}
	}
	return moves, true
}

// moveKept moves the kept records to the places allocKept gave.
func (t *Tree) moveKept(kept, moves []arena.Ref) {
	for i, r := range kept {
		n := t.ent(r).size()
		copy(t.a.Bytes(moves[i], n), t.a.Bytes(r, n))
		t.ent(moves[i]).next = 0 // in no chain while its entry is cold
		t.setSlot(meta.Ino(t.ent(r).inum()), moves[i])
		t.a.Free(r, n, arena.PNode)
	}
}

// freezeTree freezes dir after its idle child directories (all of them
// with all), depth first: once a directory is frozen, its children's
// records are in its blocks and they can no longer be frozen themselves.
// It returns the directories and entries it froze.
func (t *Tree) freezeTree(dir *nodeHdr, o *CompactOptions, depth int, stop func() bool) (dirs, entries int, cut bool) {
	all := o.All
	if dir.cold() || dir.count() == 0 || int(dir.count()) > o.MaxDir {
		return 0, 0, false
	}
	if dir.migrating() {
		// a resize advances only as the directory changes: an idle one
		// can be left mid-way; finish it (its cost is the directory's size)
		t.migrate(dir, 1<<31)
	}
	if depth < 64 && dir.subdirs() > 0 {
		t.scanHot(dir, 0, func(r arena.Ref, e *entHdr, _ uint64) bool {
			if e.isLink() {
				return true
			}
			h := (*nodeHdr)(unsafe.Pointer(e))
			if !isDir(t.mode(h)) {
				return true
			}
			if _, busy := t.recent[meta.Ino(h.inum())]; busy && !all {
				t.passBusy = true
				return true
			}
			if stop() {
				cut = true
				return false
			}
			d, n, c := t.freezeTree(h, o, depth+1, stop)
			dirs, entries, cut = dirs+d, entries+n, c
			return !c
		})
	}
	if cut {
		return dirs, entries, true // the step's time is up: dir waits for the next
	}
	n := int(dir.count())
	if t.freeze(dir) {
		dirs, entries = dirs+1, entries+n
		t.treeEntries += n
	}
	return dirs, entries, false
}

// thaw makes directory dino, cold in handle hr, hot again (under the write
// lock). It reports false if memory ran out (nothing changed then).
func (t *Tree) thaw(dino meta.Ino, hr arena.Ref) bool {
	dir := t.getNode(dino) // thaws the directory's own record if need be
	if dir == nil || !dir.cold() || dir.buckets() != hr {
		return false
	}
	return t.thawDir(dir)
}

// thawDir rebuilds the hot records, chains and index of cold directory dir.
func (t *Tree) thawDir(dir *nodeHdr) bool {
	hr := dir.buckets()
	ents, ok := t.coldList(dir)
	if !ok {
		return false
	}
	n := uint64(len(ents))
	logb := uint8(1)
	for uint64(1)<<logb+uint64(1)<<logb/2 < n && logb < 31 {
		logb++
	}
	barr, err := t.a.Alloc(4<<logb, arena.PBuckets)
	if err != nil {
		return false
	}
	recs, ok := t.thawRecords(ents)
	if !ok {
		t.a.Free(barr, 4<<logb, arena.PBuckets)
		return false
	}
	if g := t.row(hr); g.grp > 1 {
		g.grp-- // other members still use the group's block
	} else {
		if g.grp == 1 {
			t.coldGroups--
		}
		for _, b := range t.coldBlocks(hr) {
			t.freeBlock(b.ref, int(b.n))
			t.coldBytes -= uint64(b.n)
		}
		t.coldBytes -= uint64(t.handleSize(hr))
		t.freeHandle(hr, t.handleSize(hr))
	}
	dir.setIndex(barr, logb, false)
	t.linkThawed(dir, recs, ents)
	t.coldDirs--
	t.coldEntries -= n
	t.touched(dir)
	return true
}

// thawed is the hot record made for a cold entry.
type thawed struct {
	r    arena.Ref
	h    uint64    // its name's hash
	kept bool      // a subdirectory's own record, which stayed (keptDir)
	stub arena.Ref // the stub the record replaces (coldstub.go), or 0
}

// thawRecords makes the hot records of cold entries ents (data maps and
// targets back into the arena, inode slots to the records). On false
// memory ran out or an entry is corrupt, and nothing changed.
func (t *Tree) thawRecords(ents []compact.Entry) ([]thawed, bool) {
	recs := make([]thawed, len(ents))
	type obj struct {
		i int // entry
		r arena.Ref
		b []byte
		p arena.Purpose
	}
	var objs []obj // data maps and targets back into the arena
	for i := range ents {
		if !t.unpackFor(meta.Ino(ents[i].Ino)) {
			return nil, false
		}
	}
	ok := true
	for i := range ents {
		e := &ents[i]
		if e.Link {
			if r := t.keptDir(meta.Ino(e.Ino)); r != 0 {
				recs[i] = thawed{r: r, h: hashName(e.Name), kept: true}
				continue
			}
		}
		var stub arena.Ref
		if t.stubEntry(e) {
			r := t.nodeRef(meta.Ino(e.Ino))
			if r != 0 && !t.isHandle(r) {
				recs[i] = thawed{r: r, h: hashName(e.Name), kept: true} // made again since
				continue
			}
			if r == 0 || !t.isStub(r) {
				ok = false // corrupt: it stays cold, fsck reports it
				break
			}
			stub = r
		}
		r, err := t.a.Alloc(recSize(e.Link, len(e.Name)), recPurpose(e.Link))
		if err != nil {
			ok = false
			break
		}
		recs[i] = thawed{r: r, h: hashName(e.Name), stub: stub}
		if !e.Link && len(e.Extra) > 0 {
			b, p, good := extraBytes(e.Extra, e.Data)
			if !good {
				ok = false // a corrupt block: it stays cold, fsck reports it
				break
			}
			o, err := t.a.Alloc(len(b), p)
			if err != nil {
				ok = false
				break
			}
			objs = append(objs, obj{i, o, b, p})
		}
	}
	if !ok {
		for i := range recs {
			if recs[i].r != 0 && !recs[i].kept {
				t.a.Free(recs[i].r, recSize(ents[i].Link, len(ents[i].Name)), recPurpose(ents[i].Link))
			}
		}
		for _, o := range objs {
			t.a.Free(o.r, len(o.b), o.p)
		}
		return nil, false
	}
	for _, o := range objs {
		copy(t.a.Bytes(o.r, len(o.b)), o.b)
		ents[o.i].Data = uint64(o.r)
	}
	for i := range ents {
		e, r := &ents[i], recs[i].r
		if recs[i].kept {
			continue
		}
		if e.Link {
			l := t.ent(r)
			l.inoAttr, l.flags, l.namelen = e.Ino, fLink, uint8(len(e.Name))
			copy(l.name(), e.Name)
			continue
		}
		h := t.node(r)
		t.fillRecord(h, e)
		if sr := recs[i].stub; sr != 0 {
			fillDir(h, e, t.stubAt(sr).handle)
			t.a.Free(sr, stubSize, arena.PCold)
			t.coldStubs--
		}
		t.setSlot(meta.Ino(e.Ino), r)
	}
	return recs, true
}

// linkThawed links thawed records into dir's chains, whose buckets for
// their hashes are empty: in hash order (ties by name), each at its
// bucket's tail.
func (t *Tree) linkThawed(dir *nodeHdr, recs []thawed, ents []compact.Entry) {
	order := make([]int, len(ents))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(recs[a].h, recs[b].h); c != 0 {
			return c
		}
		return strings.Compare(ents[a].Name, ents[b].Name)
	})
	logb := dir.logb()
	var last arena.Ref
	lastB := ^uint64(0)
	for _, i := range order {
		r := recs[i].r
		b := bucketOf(recs[i].h, logb)
		if b == lastB {
			t.ent(last).next = r
		} else {
			*t.bucketSlot(dir, b) = r
			lastB = b
		}
		last = r
	}
}

// touched notes that dir changed (or thawed): it is not idle until the
// compaction pass after the current one.
func (t *Tree) touched(dir *nodeHdr) {
	t.passDirty = true
	if t.recent != nil {
		t.recent[meta.Ino(dir.inum())] = struct{}{}
	}
}

// coldReadDir is ReadDir over a cold directory, or a hot one with cold
// runs: the same entries, order and cursors as the hot form's (collect).
func (t *Tree) coldReadDir(dir *nodeHdr, from uint64, max int, plus bool, out []meta.DirEntry) ([]meta.DirEntry, uint64, meta.Errno) {
	if max < 1 {
		max = 1
	}
	// collect max entries and the rest of the last one's hash, and one
	// more to know where the next call starts
	var list []coldHashed
	t.scan(dir, from, func(_ arena.Ref, e *entHdr, h uint64) bool {
		list = append(list, coldHashed{h, e})
		return len(list) <= max || h == list[max-1].h
	})
	var next uint64
	n := len(list)
	if n > max {
		n = max
		for n < len(list) && list[n].h == list[max-1].h {
			n++
		}
		if n < len(list) {
			next = list[n].h
		}
	}
	for _, c := range list[:n] {
		nh := t.nodeOfEnt(c.e)
		de := meta.DirEntry{Name: string(c.e.name()), Ino: meta.Ino(c.e.inum())}
		if nh != nil {
			de.Type = t.mode(nh) & meta.S_IFMT
			if plus {
				de.Attr = t.attrOf(nh)
			}
		}
		out = append(out, de)
	}
	return out, next, 0
}

// Compaction.

// CompactOptions steer a compaction pass.
type CompactOptions struct {
	// All compacts every directory it can, idle or not (what a long idle
	// period would do; for benchmarks and tests).
	All bool
	// Budget is how many entries one step may freeze before it lets other
	// work in (default 1000).
	Budget int
	// MaxDir is the largest directory (in entries) to freeze whole, about
	// 1.2 µs an entry under the write lock. Default 1024 (~1.2 ms); at most
	// 2^20. Larger directories freeze a run of about RunEntries entries at
	// a time (coldrun.go), within the step's budget.
	MaxDir int
	// RunEntries is the entries a run's block gathers (default 32).
	RunEntries int
	// DictSample is the bytes of samples of blocks after which the tree
	// makes its block dictionary (default 64 KiB; negative: none; the
	// first step's value counts).
	DictSample int
	// MaxStep ends a step that has frozen something once it has held the
	// write lock this long (default 2 ms; negative: no limit): on a large
	// cold tree every entry a step meets is a cache miss, and 1,000 of
	// them took up to 9-15 ms on 10M entries.
	MaxStep time.Duration
}

// CompactStats report a compaction step.
type CompactStats struct {
	Dirs, Entries int  // directories and entries made cold by this step
	Moved         int  // bytes of blocks moved out of packs left sparse by thaws
	Done          bool // the pass reached the end of the inode table
	// Held is how long the step held the write lock (what a request
	// could wait for it)
	Held time.Duration
}

// CompactStep runs one bounded step of a compaction pass: from where the
// last step stopped, it looks at directories in descending inode order and freezes
// those not thawed since the previous pass (all of them with o.All), until
// it has frozen about o.Budget entries or looked at as many inodes. It holds
// the write lock for the step only. When a pass ends (Done), the next step
// starts another from the first inode, and directories thawed during the
// pass count as idle again by the end of the next one.
func (t *Tree) CompactStep(o CompactOptions) CompactStats {
	if o.Budget <= 0 {
		o.Budget = 1000
	}
	if o.MaxDir <= 0 {
		o.MaxDir = coldStepDir
	}
	o.MaxDir = min(o.MaxDir, coldMaxDir)
	if o.RunEntries <= 0 {
		o.RunEntries = coldBlock
	}
	if o.MaxStep == 0 {
		o.MaxStep = 2 * time.Millisecond
	}
	o.RunEntries = min(o.RunEntries, compact.MaxEntries/2)
	if !t.wlock() {
		return CompactStats{Done: true}
	}
	defer t.wunlock()
	if t.dictAt == 0 {
		t.dictAt = dictSample
		if o.DictSample != 0 {
			t.dictAt = max(o.DictSample, compact.MinDictSize)
		}
		if o.DictSample < 0 {
			t.dictAt = -1
		}
	}
	start := time.Now()
	st := t.compactStep(o, start)
	st.Held = time.Since(start)
	return st
}

// compactStep is CompactStep under the write lock, taken at start.
func (t *Tree) compactStep(o CompactOptions, start time.Time) CompactStats {
	// over reports that the step has done something and used its time
	over := func(done int) bool { return done > 0 && o.MaxStep > 0 && time.Since(start) > o.MaxStep }
	var st CompactStats
	if t.recent == nil {
		t.recent = map[meta.Ino]struct{}{}
	}
	looked := 0
	// Small idle directories met one after the other are packed into
	// groups of about coldGroupTarget entries (by inode number: their records
	// may move as other directories freeze).
	var pend []meta.Ino
	pendN := 0
	flush := func() {
		var dirs []*nodeHdr
		n := 0
		for _, ino := range pend {
			r := t.nodeRef(ino)
			if r == 0 || t.isHandle(r) {
				continue
			}
			if h := t.node(r); isDir(t.mode(h)) && !h.cold() && h.count() > 0 {
				dirs = append(dirs, h)
				n += int(h.count())
			}
		}
		pend, pendN = pend[:0], 0
		if len(dirs) == 0 {
			return
		}
		if t.freezeDirs(dirs) {
			st.Dirs += len(dirs)
			st.Entries += n
		}
	}
	// pause ends the step; the next one starts at inode at
	pause := func(at meta.Ino) CompactStats {
		flush() // the group cannot wait for the next step: the lock goes
		t.compactCursor = at
		if st.Entries > 0 {
			t.a.Trim()
			// as at a pass's end: a first pass over a large tree takes
			// minutes, and the slabs it frees should not wait for it
			t.a.SetHugePages(t.coldEntries*2 < t.counts.entries)
		}
		return st
	}
	if len(t.sparsePacks) > 0 {
		// blocks of packs that thaws left less than half full move into
		// the current pack, about as many bytes a step as its budget of
		// entries takes
		moved, _ := t.movePacks(o.Budget * 32)
		st.Moved += moved
	}
	if t.packCursor != 0 {
		return t.packStep(st, o.Budget)
	}
	// Descending inode order: children are (mostly) newer than their
	// parents, so a pass mostly freezes a directory after its children.
	if t.compactCursor == 0 || t.compactCursor >= t.nextIno {
		if !o.All && !t.passDirty && !t.passBusy && t.passDone {
			return CompactStats{Done: true} // nothing changed since the last pass
		}
		t.passDirty, t.passBusy = false, false
		t.compactCursor = t.nextIno - 1
		t.runDir = 0
	}
	for ino := t.compactCursor; ; ino-- {
		if ino < meta.RootIno {
			// the pass ends with packing the inode table's pages
			flush()
			t.compactCursor = 0
			t.packCursor = 1
			return t.packStep(st, o.Budget)
		}
		if st.Entries >= o.Budget || looked >= 4*o.Budget || over(st.Entries) {
			return pause(ino)
		}
		looked++
		r := t.nodeRef(ino)
		if r == 0 || t.isHandle(r) {
			continue
		}
		h := t.node(r)
		if !isDir(t.mode(h)) || h.cold() {
			continue
		}
		if _, busy := t.recent[ino]; busy && !o.All {
			t.passBusy = true
			continue
		}
		if int(h.count()) > o.MaxDir || t.hasRuns(h) {
			// a large directory: a run at a time, resumed by the next
			// step where this one stops
			from := uint64(0)
			if t.runDir == ino {
				from = t.runNext
			}
			next, more, n := t.freezeRuns(h, from, o.Budget-st.Entries, o.RunEntries, func(n int) bool { return over(st.Entries + n) })
			st.Entries += n
			looked += n
			t.runDir = 0
			if more {
				t.runDir, t.runNext = ino, next
				return pause(ino)
			}
			continue
		}
		if c := int(h.count()); c > 0 && c <= coldGroupDir && c <= o.MaxDir && !h.migrating() {
			pend = append(pend, ino)
			pendN += c
			if pendN >= coldGroupTarget {
				flush()
			}
			looked += c
			continue
		}
		t.treeEntries = 0
		d, n, cut := t.freezeTree(h, &o, 0, func() bool { return over(st.Entries + t.treeEntries) })
		st.Dirs += d
		st.Entries += n
		looked += n
		if cut {
			return pause(ino) // this directory again, in the next step
		}
	}
}

// packStep packs inode pages, the end of a compaction pass: about one
// page for every 1,000 entries of budget (a page takes ~0.1-0.3 ms). When
// it reaches the end of the table the pass is done.
func (t *Tree) packStep(st CompactStats, budget int) CompactStats {
	if !t.packInodePages(max(1, budget/1000)) {
		return st
	}
	st.Done = true
	t.passDone = true
	if len(t.recent) > 1024 {
		// a Go map keeps the buckets of its largest size: after a bulk
		// load (every directory touched) that is ~30 bytes a directory
		t.recent = map[meta.Ino]struct{}{}
	} else {
		clear(t.recent)
	}
	t.a.Trim() // the emptied record slabs go back to the system
	// huge pages while most entries are hot; off once most are cold, so
	// that the kernel does not fill the freed slabs back in (SetHugePages)
	t.a.SetHugePages(t.coldEntries*2 < t.counts.entries)
	return st
}

// Compact runs compaction passes until every directory that can be frozen
// (idle ones, or all with o.All) is cold; progress, if not nil, is called
// after each step with the totals so far.
func (t *Tree) Compact(o CompactOptions, progress func(CompactStats)) CompactStats {
	var total CompactStats
	t.compactCursorReset()
	for {
		st := t.CompactStep(o)
		total.Dirs += st.Dirs
		total.Entries += st.Entries
		if progress != nil {
			progress(total)
		}
		if st.Done {
			total.Done = true
			return total
		}
	}
}

func (t *Tree) compactCursorReset() {
	if t.wlock() {
		t.compactCursor, t.packCursor, t.runDir = 0, 0, 0
		t.wunlock()
	}
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
