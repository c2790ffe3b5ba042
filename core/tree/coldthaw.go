package tree

import (
	"cmp"
	"slices"
	"strings"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/compact"
	"github.com/fsmeta/fsmeta/core/meta"
)

// Thawing: a cold directory made hot again, its records, chains and index
// rebuilt.

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
