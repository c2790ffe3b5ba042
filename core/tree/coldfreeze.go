package tree

import (
	"cmp"
	"slices"
	"strings"
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/compact"
	"github.com/fsmeta/fsmeta/core/meta"
)

// Freezing: a hot directory (or a group of small ones) made cold, and a
// tree of idle directories frozen children first.

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
