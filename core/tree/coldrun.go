package tree

import (
	"cmp"
	"slices"
	"strings"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/compact"
	"github.com/fsmeta/fsmeta/core/meta"
)

// Cold runs: a large directory made cold a block at a time.
//
// A directory freezes whole (coldfreeze.go) in one step under the write lock,
// about 1.2 µs an entry: fine for a few thousand entries, a stall of a
// tenth of a second for a hundred thousand. A larger directory stays hot
// and is frozen a run at a time instead: a run is a stretch of consecutive
// buckets [b0, b1) of its (hot) index whose entries, about coldBlock of
// them, go into one block; every bucket slot of the run then holds the ref
// of the block's row instead of a chain head. Each run is frozen, and
// thawed, on its own, so a compaction step freezes a bounded number of
// entries and a change thaws the ~32 entries around its name, not the
// directory.
//
// A run's row is a handle row (coldlayout.go) with rows 0 (a whole directory's
// handle has rows >= 1), row 0, and grp = b0, the run's first bucket; the
// run ends at the first bucket whose slot holds something else. The slots
// of its entries' inodes hold the row's ref, as in a cold directory, and
// subdirectories' records stay hot (keptDir). The directory's entry and
// subdirectory counts do not change. The slot value tells a row from a
// chain head: a row's first word has attr coldMark, which no record has
// (a link record's top bits are 0).
//
// Runs exist only while the directory is not resizing: a resize thaws
// them first (maintain), and a run is frozen only outside a migration. A
// read (lookup, listing, getattr) decodes the run's block; a change
// thaws it first: find, insert and getNode under the write lock
// (mustThawRun). Tree.runs counts each directory's runs (integers only).

// isRun reports whether bucket slot value r is a cold run's row.
func (t *Tree) isRun(r arena.Ref) bool { return r != 0 && t.node(r).attr() == coldMark }

// runEnd returns the end of the run of row r that covers bucket b.
func (t *Tree) runEnd(dir *nodeHdr, r arena.Ref, b uint64) uint64 {
	n := uint64(1) << dir.logb()
	for b < n && *t.bucketSlot(dir, b) == r {
		b++
	}
	return b
}

// hasRuns reports whether hot directory dir has cold runs.
func (t *Tree) hasRuns(dir *nodeHdr) bool { return len(t.runs) > 0 && t.runs[meta.Ino(dir.inum())] > 0 }

// freezeRun freezes the hot buckets of dir from b0 on into one block of
// at least target entries (fewer when a run or the end of the index comes
// first). It returns the bucket to go on from and the entries frozen; 0
// entries and next == b0 means memory ran out. dir is hot, not resizing.
func (t *Tree) freezeRun(dir *nodeHdr, b0 uint64, target int) (next uint64, n int) {
	if r := *t.bucketSlot(dir, b0); t.isRun(r) {
		return t.runEnd(dir, r, b0), 0
	}
	nb := uint64(1) << dir.logb()
	ino := dir.inum()
	var fr frozen
	b := b0
	for b < nb && len(fr.ents) < target {
		r := *t.bucketSlot(dir, b)
		if t.isRun(r) {
			break
		}
		for ; r != 0; r = t.ent(r).next {
			fr.add(t, ino, r, t.ent(r))
		}
		b++
	}
	if len(fr.ents) == 0 {
		return b, 0
	}
	ents := fr.ents
	slices.SortFunc(ents, func(a, b compact.Entry) int { return strings.Compare(a.Name, b.Name) })
	for i := range ents {
		if !t.unpackFor(meta.Ino(ents[i].Ino)) {
			return b0, 0
		}
	}
	buf, err := t.encodeBlock(nil, ents)
	if err != nil {
		return b0, 0
	}
	row, err := t.a.Alloc(coldRow, arena.PCold)
	if err != nil {
		return b0, 0
	}
	blk, err := t.allocBlock(len(buf), row)
	if err != nil {
		t.a.Free(row, coldRow, arena.PCold)
		return b0, 0
	}
	moves, ok := t.allocKept(fr.kept)
	if ok && !fr.allocStubs(t) {
		for j, m := range moves {
			t.a.Free(m, t.ent(fr.kept[j]).size(), arena.PNode)
		}
		ok = false
	}
	if !ok {
		t.freeBlock(blk, len(buf))
		t.a.Free(row, coldRow, arena.PCold)
		return b0, 0
	}
	copy(t.a.Bytes(blk, len(buf)), buf)
	*t.row(row) = coldBlk{inoAttr: ino | coldMark<<48, ref: blk, n: uint32(len(buf)), grp: uint32(b0)}
	fr.setSlots(t, ents, func(int) arena.Ref { return row })
	fr.free(t)
	for k := b0; k < b; k++ {
		*t.bucketSlot(dir, k) = row
	}
	t.moveKept(fr.kept, moves)
	t.runs[meta.Ino(ino)]++
	t.coldRuns++
	t.coldEntries += uint64(len(ents))
	t.coldBytes += uint64(coldRow + len(buf))
	return b, len(ents)
}

// thawRun makes cold run row of dir hot again (under the write lock). It
// reports false if memory ran out or the block is corrupt (nothing
// changed then).
func (t *Tree) thawRun(dir *nodeHdr, row arena.Ref) bool {
	b := t.row(row)
	blk, err := t.decodeBlock(b)
	if err != nil {
		return false
	}
	ents := make([]compact.Entry, blk.Len())
	for k := range ents {
		ents[k] = blk.Entry(k)
	}
	recs, ok := t.thawRecords(ents)
	if !ok {
		return false
	}
	b0 := uint64(b.grp)
	end := t.runEnd(dir, row, b0)
	for k := b0; k < end; k++ {
		*t.bucketSlot(dir, k) = 0
	}
	t.linkThawed(dir, recs, ents)
	t.coldBytes -= uint64(coldRow) + uint64(b.n)
	t.coldEntries -= uint64(len(ents))
	t.freeBlock(b.ref, int(b.n))
	t.a.Free(row, coldRow, arena.PCold)
	ino := meta.Ino(dir.inum())
	if t.runs[ino]--; t.runs[ino] == 0 {
		delete(t.runs, ino)
	}
	t.coldRuns--
	t.touched(dir)
	return true
}

// mustThawRun thaws the run a change is about to use; like mustThaw, it
// panics with ENOSPC, before anything changed, when memory runs out.
func (t *Tree) mustThawRun(dir *nodeHdr, row arena.Ref) {
	if !t.writer {
		panic("tree: a cold run used without the write lock")
	}
	if !t.thawRun(dir, row) {
		panic(meta.ENOSPC)
	}
}

// thawRuns thaws every run of dir (before a resize); false if memory ran
// out (some may be thawed then: each run is whole either way).
func (t *Tree) thawRuns(dir *nodeHdr) bool {
	nb := uint64(1) << dir.logb()
	for b := uint64(0); b < nb && t.hasRuns(dir); b++ {
		if r := *t.bucketSlot(dir, b); t.isRun(r) && !t.thawRun(dir, r) {
			return false
		}
	}
	return true
}

// runFind looks name up in run row of dir (reads only).
func (t *Tree) runFind(dir *nodeHdr, row arena.Ref, name string) *entHdr {
	b := t.row(row)
	blk := t.lendBlock()
	e, ok, err := blk.Lookup(t.a.Bytes(b.ref, int(b.n)), dir.inum(), name)
	blockPool.Put(blk)
	if err != nil || !ok {
		return nil
	}
	ent, _ := t.coldEnt(&e, 0)
	return ent
}

// scanRun calls fn for the entries of run row with hash >= from, in hash
// order (ties by name), as scratch records (kept directories as their
// records) with r 0; false when fn stopped.
func (t *Tree) scanRun(row arena.Ref, from uint64, fn func(r arena.Ref, e *entHdr, h uint64) bool) bool {
	b := t.row(row)
	blk := t.lendBlock()
	defer blockPool.Put(blk)
	if blk.DecodeInto(t.a.Bytes(b.ref, int(b.n))) != nil {
		return true // fsck reports it
	}
	var list []coldHashed
	for k := 0; k < blk.Len(); k++ {
		if h := hashName(blk.Name(k)); h >= from {
			e := blk.Entry(k)
			ent, _ := t.coldEnt(&e, 0)
			list = append(list, coldHashed{h, ent})
		}
	}
	slices.SortFunc(list, func(a, b coldHashed) int {
		if c := cmp.Compare(a.h, b.h); c != 0 {
			return c
		}
		return strings.Compare(string(a.e.name()), string(b.e.name()))
	})
	for _, c := range list {
		if !fn(0, c.e, c.h) {
			return false
		}
	}
	return true
}

// freezeRuns freezes the hot buckets of idle directory dir from bucket
// from on, run by run, until about budget entries are frozen. It returns
// the bucket to go on from, whether the directory has more to do, and the
// entries frozen; it stops early when stop says so. A directory in the middle of a resize advances its
// migration by up to budget buckets instead (a resize moves only as the
// directory changes, and an idle one can be left mid-way); its runs are
// frozen once it is done.
func (t *Tree) freezeRuns(dir *nodeHdr, from uint64, budget, target int, stop func(n int) bool) (next uint64, more bool, n int) {
	if dir.cold() || dir.buckets() == 0 || dir.count() == 0 {
		return 0, false, 0
	}
	if dir.migrating() {
		t.migrate(dir, budget)
		return 0, true, 0
	}
	nb := uint64(1) << dir.logb()
	b := from
	looked := 0
	for b < nb && n < budget && looked < 4*budget && !stop(n) {
		next, k := t.freezeRun(dir, b, target)
		if next == b {
			return 0, false, n // memory ran out: leave the directory as it is
		}
		looked += int(next - b)
		b, n = next, n+k
	}
	return b, b < nb, n
}
