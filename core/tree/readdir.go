package tree

import (
	"github.com/fsmeta/fsmeta/core/arena"
	. "github.com/fsmeta/fsmeta/core/meta"
)

// ReadDir appends to out up to max entries of directory ino whose name
// hashes are >= cursor, in hash order, and returns the cursor of the next
// call (the hash of the first entry not returned), or 0 at the end. Entries
// with one hash are never split between calls.
func (t *Tree) ReadDir(c *Caller, ino Ino, cursor uint64, max int, plus bool, out []DirEntry) ([]DirEntry, uint64, Errno) {
	s, ok := t.rlock()
	if !ok {
		return out, 0, EClosed
	}
	defer t.mu.runlock(s)
	dir, e := t.dirOf(ino)
	if e != 0 {
		return out, 0, e
	}
	if e := t.may(c, dir, R_OK); e != 0 {
		return out, 0, e
	}
	var next, last uint64
	n := 0
	t.scan(dir, cursor, func(r arena.Ref, e *entHdr, h uint64) bool {
		if n >= max && h != last {
			next = h
			return false
		}
		nh := t.entNode(r)
		de := DirEntry{Name: string(e.name()), Ino: Ino(e.ino), Type: t.mode(nh) & S_IFMT}
		if plus {
			de.Attr = t.attrOf(nh)
		}
		out = append(out, de)
		n++
		last = h
		return true
	})
	return out, next, 0
}
