package tree

import (
	"bytes"
	"slices"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/compact"
	"github.com/fsmeta/fsmeta/core/meta"
)

// Listings of cold directories: every entry (for a thaw), a scan in hash
// order, and ReadDir over a directory that is cold or has cold runs.

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
