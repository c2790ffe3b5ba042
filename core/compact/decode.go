package compact

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"sort"
	"unsafe"
)

// Block is a decoded block. The entries it returns are values that stay
// valid for good: their names and extras are never overwritten, not even by
// DecodeInto.
type Block struct {
	recs    []rec
	runs    []dirRun
	nameOff []uint32 // name i is names[nameOff[i]:nameOff[i+1]]
	names   string
	extra   []byte // the extra column (copied); rec.extraOff points into it
	raw     []byte // decompression buffer
	dict    []uint32
	vals    []uint64
	// NoChecksum skips the checksum in DecodeInto, Lookup and LookupIno:
	// for blocks the caller wrote and keeps in its own memory, read far
	// more often than a checksum could matter (a cold lookup spent a
	// quarter of its time in it). Every bound is still checked, so a
	// corrupt block still gives an error or some entry, never a panic;
	// Decode always verifies.
	NoChecksum bool
	// Dict is the dictionary of blocks compressed with one (Options.Dict);
	// such a block does not decode without it.
	Dict *Dict
}

// rec is the decoded form of an entry but its name and directory:
// pointer-free, so that decoding writes no pointers.
type rec struct {
	ino, size, data     uint64
	mtime, ctime, atime int64
	attr, nlink         uint32
	extraOff, extraLen  uint32
	run                 uint32 // index in runs
	flags               uint8
	link                bool
}

// dirRun is the entries [lo, hi) of directory dir.
type dirRun struct {
	dir    uint64
	lo, hi int32
}

// Decode decodes block b. It verifies everything and returns an error
// wrapping ErrCorrupt, never panics, on any malformed input. The Block does
// not refer to b.
func Decode(b []byte) (*Block, error) {
	blk := new(Block)
	if err := blk.DecodeInto(b); err != nil {
		return nil, err
	}
	return blk, nil
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// DecodeInto is Decode into blk, reusing its memory (all but one buffer
// for the names, and one for the extras if any). On error blk is empty.
func (blk *Block) DecodeInto(b []byte) error {
	if err := blk.decode(b); err != nil {
		blk.reset()
		return err
	}
	return nil
}

// header parses the block header, checking the checksum first. It returns
// the codec, the entry count, the raw length and the payload.
func header(b []byte, verify bool, d *Dict) (codec byte, n, rawlen int, payload []byte, err error) {
	return headerDict(b, verify, d, true)
}

// headerDict is header; with needDict false a block compressed with a
// dictionary passes without it.
func headerDict(b []byte, verify bool, d *Dict, needDict bool) (codec byte, n, rawlen int, payload []byte, err error) {
	if len(b) < 2+1+1+4 {
		return 0, 0, 0, nil, corrupt("block of %d bytes", len(b))
	}
	body := b[:len(b)-4]
	if !verify {
	} else if sum := crc32.Checksum(body, castagnoli); sum != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return 0, 0, 0, nil, corrupt("checksum mismatch")
	}
	if body[0] != formatVersion {
		return 0, 0, 0, nil, corrupt("unknown format %d", body[0])
	}
	codec = body[1]
	pos := 2
	cnt, k := binary.Uvarint(body[pos:])
	if k <= 0 {
		return 0, 0, 0, nil, corrupt("bad count")
	}
	pos += k
	rl, k := binary.Uvarint(body[pos:])
	if k <= 0 || rl > MaxRawSize {
		return 0, 0, 0, nil, corrupt("bad raw length")
	}
	pos += k
	// every entry takes at least 3 raw bytes (shape, prefix, suffix length)
	if cnt > rl/3 || cnt > MaxEntries {
		return 0, 0, 0, nil, corrupt("%d entries in %d raw bytes", cnt, rl)
	}
	if codec == codecS2Dict {
		id, k := binary.Uvarint(body[pos:])
		if k <= 0 {
			return 0, 0, 0, nil, corrupt("bad dictionary id")
		}
		pos += k
		if needDict && (d == nil || uint64(d.id) != id) {
			return 0, 0, 0, nil, fmt.Errorf("%w: block compressed with dictionary %d, not given", ErrCorrupt, id)
		}
	}
	return codec, int(cnt), int(rl), body[pos:], nil
}

// Count returns the number of entries of block b, after checking its
// header and checksum (but not its body).
func Count(b []byte) (int, error) {
	_, n, _, _, err := headerDict(b, true, nil, false)
	return n, err
}

// reader reads one column.
type reader struct {
	b   []byte
	pos int
}

// uvarint reads a uvarint; ok is false at the end or on a malformed one.
func (r *reader) uvarint() (uint64, bool) {
	if r.pos < len(r.b) && r.b[r.pos] < 0x80 {
		r.pos++
		return uint64(r.b[r.pos-1]), true
	}
	return r.slowUvarint()
}

func (r *reader) slowUvarint() (uint64, bool) {
	if r.pos >= len(r.b) {
		return 0, false
	}
	v, k := binary.Uvarint(r.b[r.pos:])
	if k <= 0 {
		return 0, false
	}
	r.pos += k
	return v, true
}

func (r *reader) done() bool { return r.pos == len(r.b) }

// parsed is a block's raw body split into columns.
type parsed struct {
	n      int
	cols   [nCols]reader
	sufExt []byte // the suffix column and everything after it
}

// parse checks the header and checksum of b, decompresses its body (into
// blk.raw unless it is stored as is), splits it into columns and decodes the
// directory runs into blk.runs.
func (blk *Block) parse(b []byte, bd *parsed) error {
	codec, n, rawlen, payload, err := header(b, !blk.NoChecksum, blk.Dict)
	bd.n = n
	if err != nil {
		return err
	}
	raw, err := decompress(blk.raw, codec, payload, rawlen, blk.Dict)
	if err != nil {
		return err
	}
	if codec != codecNone {
		blk.raw = raw
	}

	// column table
	cols := &bd.cols
	tab := reader{b: raw}
	lens := [nCols]uint64{}
	total := uint64(0)
	for i := 0; i < nCols-1; i++ {
		l := uint64(n)
		if !fixedCol(i) {
			var ok bool
			if l, ok = tab.uvarint(); !ok || l > uint64(len(raw)) {
				return corrupt("bad column table")
			}
		}
		lens[i] = l
		total += l
	}
	rest := raw[tab.pos:]
	if total > uint64(len(rest)) {
		return corrupt("columns of %d bytes in %d", total, len(rest))
	}
	lens[nCols-1] = uint64(len(rest)) - total
	for i := range cols {
		if i == colSuffix {
			bd.sufExt = rest
		}
		cols[i].b = rest[:lens[i]:lens[i]]
		rest = rest[lens[i]:]
	}

	shapes := cols[colShapes].b
	prefix := cols[colPrefix].b
	suflen := cols[colSuffixLen].b
	if len(shapes) != n || len(prefix) != n || len(suflen) != n {
		return corrupt("name columns of %d, %d, %d bytes for %d entries", len(shapes), len(prefix), len(suflen), n)
	}

	// C0: directory runs
	dirs := &cols[colDirs]
	nr, ok := dirs.uvarint()
	if !ok || nr > uint64(n) || (nr == 0) != (n == 0) {
		return corrupt("bad directory count")
	}
	if cap(blk.runs) < int(nr) {
		blk.runs = make([]dirRun, 0, nr)
	}
	runs := blk.runs[:nr]
	lo := uint64(0)
	var dir uint64
	for k := range runs {
		d, ok1 := dirs.uvarint()
		c, ok2 := dirs.uvarint()
		if !ok1 || !ok2 || c == 0 || c > uint64(n)-lo || (k > 0 && (d == 0 || dir+d < dir)) {
			return corrupt("bad directory run %d", k)
		}
		dir += d
		runs[k] = dirRun{dir: dir, lo: int32(lo), hi: int32(lo + c)}
		lo += c
	}
	if lo != uint64(n) || !dirs.done() {
		return corrupt("directory runs cover %d of %d entries", lo, n)
	}
	blk.runs = runs
	return nil
}

func (blk *Block) decode(b []byte) error {
	var bd parsed
	if err := blk.parse(b, &bd); err != nil {
		return err
	}
	n, cols, runs := bd.n, &bd.cols, blk.runs
	prefix, suflen, suffix := cols[colPrefix].b, cols[colSuffixLen].b, cols[colSuffix].b

	// Names
	total := uint64(0)
	for i := 0; i < n; i++ {
		total += uint64(prefix[i]) + uint64(suflen[i])
	}
	if cap(blk.nameOff) <= n {
		blk.nameOff = make([]uint32, n+1)
	}
	nameOff := blk.nameOff[:n+1]
	// A fresh buffer every time (the names of earlier decodes may be held),
	// with 8 bytes of slack for buildNames.
	names := make([]byte, total+8)
	if err := buildNames(names, nameOff, prefix, suflen, suffix, bd.sufExt, runs); err != nil {
		return err
	}
	names = names[:total]

	if cap(blk.recs) < n {
		blk.recs = make([]rec, n)
	}
	recs := blk.recs[:n]
	var w walker
	if err := blk.columns(&bd, &w); err != nil {
		return err
	}
	for i := range recs {
		if err := w.step(i, &recs[i]); err != nil {
			return err
		}
	}
	if err := w.done(); err != nil {
		return err
	}
	extras := &cols[colExtra]
	blk.extra = nil
	if len(extras.b) > 0 {
		// A fresh copy, like the names: the raw body is b or blk.raw.
		blk.extra = append([]byte(nil), extras.b...)
	}
	blk.recs, blk.nameOff = recs, nameOff
	blk.names = unsafe.String(unsafe.SliceData(names), len(names))
	return nil
}

// walker decodes the entries but their names one after the other, from the
// decoded packed columns, checking everything.
type walker struct {
	shapes            []byte
	runs              []dirRun
	dict              []uint32
	k                 uint64 // dictionary size
	inoV, idx         []uint64
	sizeV, dataV      []uint64
	msecV, csecV      []uint64
	asecV             []uint64
	misc              reader
	nanos             []uint64
	extras            reader
	ai, si, di        int // next value of idx, sizeV, dataV
	mi, ci, ti, np    int // next value of msecV, csecV, asecV, nanos
	prevIno, prevData uint64
	prevFlags         uint8
	prevMsec          int64
	run, runEnd       int
}

// columns prepares w to walk the entries of bd: it decodes the attribute
// dictionary and the packed columns (into blk.vals).
func (blk *Block) columns(bd *parsed, w *walker) error {
	n, cols := bd.n, &bd.cols
	w.shapes, w.runs = cols[colShapes].b, blk.runs
	if n > 0 {
		w.runEnd = int(w.runs[0].hi)
	}

	// C6: attribute dictionary
	attrs := &cols[colAttrs]
	k, ok := attrs.uvarint()
	if !ok || k > uint64(n) {
		return corrupt("bad attribute dictionary")
	}
	w.k = k
	if cap(blk.dict) < int(k) {
		blk.dict = make([]uint32, 0, k)
	}
	w.dict = blk.dict[:0]
	for j := uint64(0); j < k; j++ {
		a, ok := attrs.uvarint()
		if !ok || a > math.MaxUint32 {
			return corrupt("bad attribute %d", j)
		}
		w.dict = append(w.dict, uint32(a))
	}
	idxCol := attrs.b[attrs.pos:]
	if k <= 1 && len(idxCol) > 0 {
		return corrupt("attribute indexes with a dictionary of %d", k)
	}

	// How many values each packed column holds, from the shapes.
	var nodes, deltas, ctimes, atimes int
	for i, sh := range w.shapes {
		if sh == shapeLink {
			continue
		}
		tf, df := sh&shapeTime, sh&shapeData>>shapeDataShft
		if tf > tBoth || df > dDelta {
			return corrupt("entry %d: bad shape %#x", i, sh)
		}
		nodes++
		if df == dDelta {
			deltas++
		}
		if tf >= tCtime {
			ctimes++
		}
		if tf == tAtime || tf == tBoth {
			atimes++
		}
	}
	counts := [nCols]int{colInos: n, colSizes: nodes, colData: deltas, colMsecs: nodes, colCsecs: ctimes, colAsecs: atimes}
	if k > 1 {
		counts[colAttrs] = nodes
	}

	// The packed columns, each decoded in one tight loop.
	// (at most 7 values per entry, and 3 nanoseconds)
	if cap(blk.vals) < 10*n {
		blk.vals = make([]uint64, 0, 10*n)
	}
	vals := blk.vals[:0]
	var seg [nCols][]uint64
	for _, c := range packedCols {
		col := cols[c].b
		if c == colAttrs {
			col = idxCol
		}
		if c == colNanos {
			// one per seconds value with bit 0 set
			for _, s := range [...]int{colMsecs, colCsecs, colAsecs} {
				for _, v := range seg[s] {
					counts[colNanos] += int(v & 1)
				}
			}
		}
		at := len(vals)
		if vals, ok = decodePacked(vals, col, counts[c]); !ok {
			return corrupt("column %d: bad packed column", c)
		}
		seg[c] = vals[at:len(vals):len(vals)]
	}
	blk.vals = vals
	w.inoV, w.idx, w.sizeV, w.dataV = seg[colInos], seg[colAttrs], seg[colSizes], seg[colData]
	w.msecV, w.csecV, w.asecV = seg[colMsecs], seg[colCsecs], seg[colAsecs]
	if len(w.inoV) != n {
		return corrupt("%d inodes for %d entries", len(w.inoV), n)
	}
	w.nanos = seg[colNanos]
	w.misc, w.extras = cols[colMisc], cols[colExtra]
	return nil
}

// done checks that the walk of every entry consumed every column.
func (w *walker) done() error {
	if w.ai != len(w.idx) || w.si != len(w.sizeV) || w.di != len(w.dataV) || w.mi != len(w.msecV) ||
		w.ci != len(w.csecV) || w.ti != len(w.asecV) || w.np != len(w.nanos) || !w.misc.done() || !w.extras.done() {
		return corrupt("columns not consumed exactly")
	}
	return nil
}

// step decodes entry i (the entry after the last one stepped) into r; its
// extra is at w.extras.b[r.extraOff:].
func (w *walker) step(i int, r *rec) error {
	if i == w.runEnd {
		w.run++
		w.runEnd = int(w.runs[w.run].hi)
	}
	w.prevIno += uint64(unzigzag(w.inoV[i]))
	shape := w.shapes[i]
	if shape == shapeLink {
		*r = rec{ino: w.prevIno, run: uint32(w.run), link: true}
		return nil
	}
	tf := shape & shapeTime
	df := shape & shapeData >> shapeDataShft
	if tf > tBoth || df > dDelta {
		return corrupt("entry %d: bad shape %#x", i, shape)
	}
	r.ino, r.run, r.link, r.nlink = w.prevIno, uint32(w.run), false, 1
	switch w.k {
	case 0:
		return corrupt("entry %d: no attribute dictionary", i)
	case 1:
		r.attr = w.dict[0]
	default:
		if w.ai >= len(w.idx) || w.idx[w.ai] >= w.k {
			return corrupt("entry %d: bad attribute index", i)
		}
		r.attr = w.dict[w.idx[w.ai]]
		w.ai++
	}
	if shape&(shapeFlags|shapeNlink) != 0 {
		if shape&shapeFlags != 0 {
			v, ok := w.misc.uvarint()
			if !ok || v == uint64(w.prevFlags) || v > math.MaxUint8 {
				return corrupt("entry %d: bad flags", i)
			}
			w.prevFlags = uint8(v)
		}
		if shape&shapeNlink != 0 {
			v, ok := w.misc.uvarint()
			if !ok || v == 1 || v > math.MaxUint32 {
				return corrupt("entry %d: bad link count", i)
			}
			r.nlink = uint32(v)
		}
	}
	r.flags = w.prevFlags
	if w.si >= len(w.sizeV) {
		return corrupt("entry %d: no size", i)
	}
	r.size = w.sizeV[w.si]
	w.si++
	r.data = 0
	switch df {
	case dNext:
		w.prevData++
		r.data = w.prevData
	case dDelta:
		if w.di >= len(w.dataV) {
			return corrupt("entry %d: no data", i)
		}
		w.prevData += uint64(unzigzag(w.dataV[w.di]))
		w.di++
		r.data = w.prevData
	}
	// times
	if w.mi >= len(w.msecV) {
		return corrupt("entry %d: no mtime", i)
	}
	v := w.msecV[w.mi]
	w.mi++
	msec := w.prevMsec + unzigzag(v>>1)
	w.prevMsec = msec
	r.mtime = msec * 1e9
	if v&1 != 0 {
		if r.mtime, w.np = addNanos(r.mtime, w.nanos, w.np); w.np < 0 {
			return corrupt("entry %d: bad mtime", i)
		}
	}
	r.ctime, r.atime = r.mtime, r.mtime
	csec := msec
	if tf >= tCtime {
		if w.ci >= len(w.csecV) {
			return corrupt("entry %d: no ctime", i)
		}
		v := w.csecV[w.ci]
		w.ci++
		csec = msec + unzigzag(v>>1)
		r.ctime = csec * 1e9
		if v&1 != 0 {
			if r.ctime, w.np = addNanos(r.ctime, w.nanos, w.np); w.np < 0 {
				return corrupt("entry %d: bad ctime", i)
			}
		}
		if tf == tCtimeAC {
			r.atime = r.ctime
		}
	}
	if tf == tAtime || tf == tBoth {
		if w.ti >= len(w.asecV) {
			return corrupt("entry %d: no atime", i)
		}
		v := w.asecV[w.ti]
		w.ti++
		r.atime = (csec + unzigzag(v>>1)) * 1e9
		if v&1 != 0 {
			if r.atime, w.np = addNanos(r.atime, w.nanos, w.np); w.np < 0 {
				return corrupt("entry %d: bad atime", i)
			}
		}
	}
	r.extraOff, r.extraLen = 0, 0
	if shape&shapeExtra != 0 {
		l, ok := w.extras.uvarint()
		if !ok || l == 0 || l > uint64(len(w.extras.b)-w.extras.pos) {
			return corrupt("entry %d: bad extra", i)
		}
		r.extraOff, r.extraLen = uint32(w.extras.pos), uint32(l)
		w.extras.pos += int(l)
	}
	return nil
}

// buildNames decodes the front-coded names into names (with 8 bytes of
// slack) and their end offsets into nameOff[1:], checking that the shared
// prefixes are the longest and that names increase within each directory.
// sufExt is the suffix column extended to the end of the raw body (to copy
// by words).
func buildNames(names []byte, nameOff []uint32, prefix, suflen, suffix, sufExt []byte, runs []dirRun) error {
	off, prevOff, sufPos, prevLen := 0, 0, 0, 0
	run, runStart := 0, 0
	nameOff[0] = 0
	for i := range prefix {
		p, s := int(prefix[i]), int(suflen[i])
		if p > prevLen || p+s == 0 || p+s > MaxNameLen || s > len(suffix)-sufPos || off+p+s+8 > len(names) {
			return corrupt("entry %d: name of %d+%d bytes after one of %d", i, p, s, prevLen)
		}
		// Copy 8 bytes at a time, forwards: the prefix may overlap its
		// source only past p, and the bytes past the name are overwritten
		// by the suffix and the next name (or lie in the slack).
		for j := 0; j < p; j += 8 {
			binary.LittleEndian.PutUint64(names[off+j:], binary.LittleEndian.Uint64(names[prevOff+j:]))
		}
		if sufPos+s+8 <= len(sufExt) {
			for j := 0; j < s; j += 8 {
				binary.LittleEndian.PutUint64(names[off+p+j:], binary.LittleEndian.Uint64(sufExt[sufPos+j:]))
			}
		} else {
			copy(names[off+p:off+p+s], suffix[sufPos:])
		}
		if i > 0 {
			// The prefix is always the longest shared one; within a
			// directory names strictly increase.
			if p < prevLen && s > 0 {
				c, pc := suffix[sufPos], names[prevOff+p]
				if c == pc {
					return corrupt("entry %d: shared prefix not the longest", i)
				}
				if c < pc && i != runStart {
					return corrupt("entry %d: names out of order", i)
				}
			} else if s == 0 && i != runStart {
				return corrupt("entry %d: names out of order", i)
			}
		}
		if i+1 == int(runs[run].hi) && run+1 < len(runs) {
			run++
			runStart = i + 1
		}
		sufPos += s
		prevOff, prevLen = off, p+s
		off += p + s
		nameOff[i+1] = uint32(off)
	}
	if sufPos != len(suffix) {
		return corrupt("suffixes of %d bytes, column of %d", sufPos, len(suffix))
	}
	return nil
}

// addNanos adds to t the nanoseconds at nanos[np:] and returns the sum and
// the next position, or np < 0 if they are missing or invalid.
func addNanos(t int64, nanos []uint64, np int) (int64, int) {
	if np >= len(nanos) {
		return t, -1
	}
	ns := nanos[np]
	if ns == 0 || ns >= 1e9 {
		return t, -1
	}
	return t + int64(ns), np + 1
}

// Len returns the number of entries.
func (blk *Block) Len() int { return len(blk.recs) }

// Entry returns entry i (0 <= i < Len()).
func (blk *Block) Entry(i int) Entry {
	r := &blk.recs[i]
	e := Entry{Dir: blk.runs[r.run].dir, Name: blk.Name(i), Ino: r.ino, Link: r.link}
	if r.link {
		return e
	}
	e.Attr, e.Flags, e.Nlink, e.Size, e.Data = r.attr, r.flags, r.nlink, r.size, r.data
	e.Atime, e.Mtime, e.Ctime = r.atime, r.mtime, r.ctime
	if r.extraLen > 0 {
		end := r.extraOff + r.extraLen
		e.Extra = blk.extra[r.extraOff:end:end]
	}
	return e
}

// Name returns the name of entry i.
func (blk *Block) Name(i int) string { return blk.names[blk.nameOff[i]:blk.nameOff[i+1]] }

// Ino returns the inode number of entry i.
func (blk *Block) Ino(i int) uint64 { return blk.recs[i].ino }

// Dir returns the directory of entry i.
func (blk *Block) Dir(i int) uint64 { return blk.runs[blk.recs[i].run].dir }

// IsLink reports whether entry i is a further hard link.
func (blk *Block) IsLink(i int) bool { return blk.recs[i].link }

// AppendEntries appends every entry, in (Dir, Name) order, to dst.
func (blk *Block) AppendEntries(dst []Entry) []Entry {
	for i := range blk.recs {
		dst = append(dst, blk.Entry(i))
	}
	return dst
}

// Dirs appends to dst the directories with entries in the block, in
// increasing order.
func (blk *Block) Dirs(dst []uint64) []uint64 {
	for _, r := range blk.runs {
		dst = append(dst, r.dir)
	}
	return dst
}

// DirRange returns the entries [lo, hi) of directory dir (lo == hi, at the
// place dir's entries would be, when it has none).
func (blk *Block) DirRange(dir uint64) (lo, hi int) {
	runs := blk.runs
	i := sort.Search(len(runs), func(i int) bool { return runs[i].dir >= dir })
	if i < len(runs) && runs[i].dir == dir {
		return int(runs[i].lo), int(runs[i].hi)
	}
	if i < len(runs) {
		return int(runs[i].lo), int(runs[i].lo)
	}
	if len(runs) == 0 {
		return 0, 0
	}
	end := int(runs[len(runs)-1].hi)
	return end, end
}

// Find returns the index of entry (dir, name) and true, or where it would
// be inserted and false.
func (blk *Block) Find(dir uint64, name string) (int, bool) {
	lo, end := blk.DirRange(dir)
	hi := end
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if blk.Name(m) < name {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < end && blk.Name(lo) == name
}
