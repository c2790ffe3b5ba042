package compact

import "bytes"

// Point lookups: what a lookup or a getattr in a cold directory needs,
// without decoding the whole block. They verify the checksum like Decode
// (so corruption is detected; unless Block.NoChecksum) but check the
// structure of the block only as far as they read it; like Decode they
// never panic.

// Lookup returns entry (dir, name) of block b, as Decode, Find and Entry
// would, decoding only the names up to it and the other columns' state up
// to it. Its Name is name itself. blk lends its buffers and is left empty.
func (blk *Block) Lookup(b []byte, dir uint64, name string) (Entry, bool, error) {
	e, ok, err := blk.lookup(b, dir, name, 0, false)
	blk.reset()
	return e, ok, err
}

// LookupIno returns the entry of block b that is inode ino's own (not a
// further link), if any. blk lends its buffers and is left empty.
func (blk *Block) LookupIno(b []byte, ino uint64) (Entry, bool, error) {
	e, ok, err := blk.lookup(b, 0, "", ino, true)
	blk.reset()
	return e, ok, err
}

func (blk *Block) reset() {
	blk.recs, blk.runs, blk.nameOff = blk.recs[:0], blk.runs[:0], blk.nameOff[:0]
	blk.names, blk.extra = "", nil
}

func (blk *Block) lookup(b []byte, dir uint64, name string, ino uint64, byIno bool) (Entry, bool, error) {
	var bd parsed
	if err := blk.parse(b, &bd); err != nil {
		return Entry{}, false, err
	}
	var w walker
	if err := blk.columns(&bd, &w); err != nil {
		return Entry{}, false, err
	}
	n, cols := bd.n, &bd.cols
	prefix, suflen, suffix := cols[colPrefix].b, cols[colSuffixLen].b, cols[colSuffix].b

	// The entry's index i, and the range of names to go through.
	i, lo, hi := -1, 0, 0
	if byIno {
		var x uint64
		shapes := cols[colShapes].b
		for j, v := range w.inoV {
			x += uint64(unzigzag(v))
			if x == ino && shapes[j] != shapeLink {
				i = j
				break
			}
		}
		if i < 0 {
			return Entry{}, false, nil
		}
		lo, hi = i, i+1
	} else {
		if len(name) == 0 || len(name) > MaxNameLen {
			return Entry{}, false, nil
		}
		lo, hi = blk.DirRange(dir)
	}

	// Front-coded names: each one is built over the previous in cur.
	var cur [MaxNameLen]byte
	curLen, sufPos := 0, 0
	for j := 0; j < hi && j < n; j++ {
		p, s := int(prefix[j]), int(suflen[j])
		if p > curLen || p+s == 0 || p+s > MaxNameLen || s > len(suffix)-sufPos {
			return Entry{}, false, corrupt("entry %d: name of %d+%d bytes after one of %d", j, p, s, curLen)
		}
		copy(cur[p:p+s], suffix[sufPos:])
		sufPos += s
		curLen = p + s
		if j >= lo && !byIno {
			c := compareName(cur[:curLen], name)
			if c == 0 {
				i = j
				break
			}
			if c > 0 {
				return Entry{}, false, nil
			}
		}
	}
	if i < 0 {
		return Entry{}, false, nil
	}

	// The other columns, walked up to entry i.
	var r rec
	for j := 0; j <= i; j++ {
		if err := w.step(j, &r); err != nil {
			return Entry{}, false, err
		}
	}
	e := Entry{Dir: blk.runs[r.run].dir, Name: name, Ino: r.ino, Link: r.link}
	if byIno {
		e.Name = string(cur[:curLen])
	}
	if !r.link {
		e.Attr, e.Flags, e.Nlink, e.Size, e.Data = r.attr, r.flags, r.nlink, r.size, r.data
		e.Atime, e.Mtime, e.Ctime = r.atime, r.mtime, r.ctime
		if r.extraLen > 0 {
			e.Extra = bytes.Clone(w.extras.b[r.extraOff : r.extraOff+r.extraLen])
		}
	}
	return e, true, nil
}

// compareName compares a and b like strings.Compare.
func compareName(a []byte, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}
