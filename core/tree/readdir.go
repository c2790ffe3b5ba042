package tree

import (
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/meta"
)

// ReadDir appends to out up to max entries of directory ino whose name
// hashes are >= cursor, in hash order, and returns the cursor of the next
// call (the hash of the first entry not returned), or 0 at the end. Entries
// with one hash are never split between calls.
//
// It works in two passes: the first collects the entries' refs from the
// chains (hashing only where the cursor or the batch boundary needs it), the
// second reads the records, whose loads do not depend on each other, and
// copies all names into one buffer (one allocation per batch).
func (t *Tree) ReadDir(c *meta.Caller, ino meta.Ino, cursor uint64, max int, plus bool, out []meta.DirEntry) ([]meta.DirEntry, uint64, meta.Errno) {
	s, ok := t.rlock()
	if !ok {
		return out, 0, meta.EClosed
	}
	defer t.mu.runlock(s)
	dir, e := t.dirToRead(ino, new(nodeHdr)) // all a listing reads of it
	if e != 0 {
		return out, 0, e
	}
	if e := t.may(c, dir, meta.R_OK); e != 0 {
		return out, 0, e
	}
	if dir.cold() || t.hasRuns(dir) {
		return t.coldReadDir(dir, cursor, max, plus, out)
	}
	refs, next := t.collect(dir, cursor, max)
	total := 0
	for _, r := range refs {
		total += int(t.ent(r).namelen)
	}
	if need := len(out) + len(refs); cap(out) < need {
		grown := make([]meta.DirEntry, len(out), need)
		copy(grown, out)
		out = grown
	}
	buf := make([]byte, total)
	off := 0
	for _, r := range refs {
		e := t.ent(r)
		n := copy(buf[off:], e.name())
		var name string
		if n > 0 {
			name = unsafe.String(&buf[off], n)
		}
		off += n
		nh := t.entNode(r)
		de := meta.DirEntry{Name: name, Ino: meta.Ino(e.inum()), Type: t.mode(nh) & meta.S_IFMT}
		if plus {
			de.Attr = t.attrOf(nh)
		}
		out = append(out, de)
	}
	t.putRefs(refs)
	return out, next, 0
}

// collect returns the refs of up to max entries (more when hashes tie) with
// hash >= from, in hash order, and the hash of the next entry (0: none).
func (t *Tree) collect(dir *nodeHdr, from uint64, max int) ([]arena.Ref, uint64) {
	refs := t.getRefs()
	if max < 1 {
		max = 1
	}
	var lastHash uint64
	for _, sp := range t.spans(dir) {
		first := bucketOf(from, sp.logb)
		for i := maxU(sp.lo, first); i < sp.hi; i++ {
			for r := *t.slotIn(sp.arr, i); r != 0; r = t.ent(r).next {
				if i == first && hashBytes(t.ent(r).name()) < from {
					continue
				}
				if len(refs) >= max {
					if len(refs) == max {
						lastHash = hashBytes(t.ent(refs[len(refs)-1]).name())
					}
					h := hashBytes(t.ent(r).name())
					if h != lastHash {
						return refs, h
					}
				}
				refs = append(refs, r)
			}
		}
	}
	return refs, 0
}

func maxU(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

// A small pool of ref slices for collect (readers run concurrently, so a
// single scratch slice would race).
func (t *Tree) getRefs() []arena.Ref {
	if v := t.refPool.Get(); v != nil {
		return (*v.(*[]arena.Ref))[:0]
	}
	return make([]arena.Ref, 0, 64)
}

func (t *Tree) putRefs(r []arena.Ref) {
	if cap(r) <= 1<<16 {
		t.refPool.Put(&r)
	}
}
