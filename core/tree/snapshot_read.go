package tree

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"sync"
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/meta"
)

// Reading a snapshot (the format is in snapshot.go) runs in two stages on
// two goroutines. The first reads a section, checks its checksum (the
// source may do more as it is read, such as the raft store's CRC of the
// whole file: sdk/snapstore.go) and parses its items into fixed-size
// records: varints decoded inline, names checked and hashed, every check
// that needs no tree state made. The second builds the tree from the
// records: inode table, node records, directory chains, with the checks
// that need the tree (inode numbers, duplicates, order). Sections are
// recycled, so the steady state allocates nothing.

// readBufs is the number of sections in flight between the two stages.
const readBufs = 4

// section is one section read, checked and parsed.
type section struct {
	b      []byte // payload (reused)
	kind   byte
	items  uint32
	off    int64 // byte offset of the section
	err    error // reading, checking or parsing it failed: the last section sent
	recs   []prec
	chunks []pchunk
	ss     []sliceRec
	totals [3]uint64 // end section: inodes, entries, links
}

// prec is a parsed item. Names, dictionaries, symlink targets and xattr
// blobs stay in the section's payload (offsets); a file's chunks are in
// section.chunks[c0:c1].
type prec struct {
	kind, fl, nlen byte
	noff           uint32 // name (or dictionary) offset
	mode           uint32 // node: type and permissions, from the dictionary
	c0, c1         uint32 // chunks; symlink: target offset and length
	xoff, xlen     uint32 // xattr blob (xlen 0: none)
	hash           uint64 // entry: hash of the name
	ino            uint64 // node, link, 'D': inode; 'M': next inode
	id             uint64 // node: attribute id; 'D': entries; 'M': next slice; 'A': triples
	nlink, opens   uint64
	atime, mtime   int64
	ctime          int64
	size, data     uint64 // file size; compact slice id or rdev
	maxSlice       uint64 // largest slice id of a file (0: none)
}

type pchunk struct {
	idx, first, end uint32 // chunk index; its slices are section.ss[first:end]
}

func snapFail(off int64, format string, args ...any) error {
	return &SnapshotError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// ReadSnapshot builds a tree from a snapshot written by WriteSnapshot.
// A corrupt, truncated or unknown snapshot gives a *SnapshotError and no
// tree. It reads r to its end: nothing may follow the snapshot, and an
// error that r returns in place of io.EOF (a reader checking the whole
// stream's checksum) fails the restore. r is not read after it returns.
func ReadSnapshot(r io.Reader, o Options) (*Tree, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	var hdr [16]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		return nil, snapFail(0, "no header (%v)", err)
	}
	if string(hdr[:8]) != snapMagic {
		return nil, snapFail(0, "not an fsmeta snapshot (magic %q)", hdr[:8])
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v != snapVersion {
		return nil, snapFail(0, "snapshot version %d; this build reads version %d", v, snapVersion)
	}
	if f := binary.LittleEndian.Uint32(hdr[12:]); f != 0 {
		return nil, snapFail(0, "unknown flags %#x", f)
	}
	t, err := New(o)
	if err != nil {
		return nil, err
	}
	rs := &restorer{t: t}
	rs.start(br)
	err = rs.run()
	rs.stop()
	if err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// ---- first stage: reading, checking, parsing ----

// reader is the first stage; it runs on its own goroutine.
type reader struct {
	r     *bufio.Reader
	p     []byte // the payload being parsed
	i     int    // read position in p
	bad   bool   // a varint or length ran past the section or was malformed
	off   int64
	modes []uint16 // the dictionary's modes
	dict  bool     // the dictionary was read
}

func (rd *reader) fail(format string, args ...any) error { return snapFail(rd.off, format, args...) }

func (rd *reader) cut() error { return rd.fail("bad varint, or an item runs past its section") }

// run reads sections into free buffers and hands them on, up to the end
// section or the first error.
func (rd *reader) run(full, free chan *section, done chan struct{}) {
	off := int64(16)
	for {
		select {
		case <-done:
			return
		default:
		}
		var s *section
		select {
		case s = <-free:
		case <-done:
			return
		}
		s.off = off
		if s.err = rd.read(s); s.err == nil {
			s.err = rd.parse(s)
		}
		full <- s // never blocks: it has room for every buffer
		if s.err != nil || s.kind == secEnd {
			return
		}
		off += secHdrSize + int64(len(s.b))
	}
}

func (rd *reader) read(s *section) error {
	r := rd.r
	var h [secHdrSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return snapFail(s.off, "truncated: no end section (%v)", err)
	}
	n := binary.LittleEndian.Uint64(h[8:])
	if n > 64*secMax {
		return snapFail(s.off, "section of %d bytes", n)
	}
	if h[1]|h[2]|h[3] != 0 || binary.LittleEndian.Uint32(h[20:]) != 0 {
		return snapFail(s.off, "bad section header")
	}
	s.kind, s.items = h[0], binary.LittleEndian.Uint32(h[4:])
	if uint64(cap(s.b)) < n {
		s.b = make([]byte, n, n+n/8)
	}
	s.b = s.b[:n]
	if _, err := io.ReadFull(r, s.b); err != nil {
		return snapFail(s.off, "truncated section (%v)", err)
	}
	if crc32.Checksum(s.b, crcTable) != binary.LittleEndian.Uint32(h[16:]) {
		return snapFail(s.off, "checksum mismatch")
	}
	if s.kind == secEnd {
		if s.items != 0 {
			return snapFail(s.off, "bad end section header")
		}
		// Nothing follows the end section. Reading on to EOF also lets a
		// source that checks the whole stream give its verdict.
		var one [1]byte
		switch _, err := io.ReadFull(r, one[:]); err {
		case io.EOF:
		case nil:
			return snapFail(s.off+secHdrSize+int64(n), "data after the end section")
		default:
			return snapFail(s.off+secHdrSize+int64(n), "after the end section: %v", err)
		}
	}
	return nil
}

// uv reads a varint (binary.Uvarint's, inlined). At a bad or cut one it
// sets bad and returns 0; what is read after that is garbage, and every
// path checks bad before it uses what it read.
func (rd *reader) uv() uint64 {
	var v uint64
	for i, s := rd.i, uint(0); i < len(rd.p); i, s = i+1, s+7 {
		b := uint64(rd.p[i])
		if b < 0x80 && (s < 63 || b < 2) {
			rd.i = i + 1
			return v | b<<s
		}
		if s == 63 {
			break
		}
		v |= (b & 0x7f) << s
	}
	rd.bad = true
	return 0
}

// take skips n bytes and returns their offset (bad if the section has fewer).
func (rd *reader) take(n uint64) uint32 {
	i := rd.i
	if uint64(len(rd.p)-i) < n {
		rd.bad, rd.i = true, len(rd.p)
		return 0
	}
	rd.i += int(n)
	return uint32(i)
}

func (rd *reader) u8() byte {
	if rd.i < len(rd.p) {
		b := rd.p[rd.i]
		rd.i++
		return b
	}
	rd.bad = true
	return 0
}

func (rd *reader) parse(s *section) error {
	rd.p, rd.i, rd.bad, rd.off = s.b, 0, false, s.off
	s.recs, s.chunks, s.ss = s.recs[:0], s.chunks[:0], s.ss[:0]
	switch s.kind {
	case secEnd:
		for k := range s.totals {
			s.totals[k] = rd.uv()
		}
		if rd.bad || rd.i != len(rd.p) {
			return rd.fail("bad end section")
		}
		return nil
	case secItems:
	default:
		return rd.fail("unknown section kind %d", s.kind)
	}
	for rd.i < len(rd.p) {
		s.recs = append(s.recs, prec{})
		if err := rd.item(s, &s.recs[len(s.recs)-1]); err != nil {
			return err
		}
		if rd.bad {
			return rd.cut()
		}
	}
	if uint64(len(s.recs)) != uint64(s.items) {
		return rd.fail("section of %d items, its header says %d", len(s.recs), s.items)
	}
	return nil
}

func (rd *reader) item(s *section, r *prec) error {
	r.kind = rd.u8()
	switch r.kind {
	case 'N':
		if err := rd.name(r); err != nil {
			return err
		}
		return rd.node(s, r)
	case 'L':
		if err := rd.name(r); err != nil {
			return err
		}
		r.ino = rd.uv()
	case 'D':
		r.ino, r.id = rd.uv(), rd.uv()
	case 'M':
		r.ino, r.id = rd.uv(), rd.uv()
		if !rd.bad && (r.ino < 2 || r.ino > maxIno+1 || r.id < 1) {
			return rd.fail("bad counters %d, %d", r.ino, r.id)
		}
	case 'A':
		n := rd.uv()
		if n > uint64(len(rd.p)) {
			return rd.cut()
		}
		r.id, r.noff = n, rd.take(n*10)
		if rd.bad {
			return rd.cut()
		}
		rd.modes = rd.modes[:0]
		for i := uint64(0); i < n; i++ {
			rd.modes = append(rd.modes, binary.LittleEndian.Uint16(rd.p[r.noff+uint32(i)*10:]))
		}
		rd.dict = true
	case 'R', 'X':
		return rd.node(s, r)
	default:
		return rd.fail("unknown item kind %q", r.kind)
	}
	return nil
}

// name reads an entry's name, checks it as checkName does and hashes it.
func (rd *reader) name(r *prec) error {
	n := rd.uv()
	off := rd.take(n)
	if rd.bad {
		return rd.cut()
	}
	b := rd.p[off : off+uint32(n)]
	if !nameOK(b) {
		return rd.fail("bad name %q", b)
	}
	r.noff, r.nlen, r.hash = off, uint8(n), hashBytes(b)
	return nil
}

// nameOK is checkName(string(b)) == 0, eight bytes at a time.
func nameOK(b []byte) bool {
	if len(b) == 0 || len(b) > meta.MaxName {
		return false
	}
	const ones, highs, slashes = 0x0101010101010101, 0x8080808080808080, 0x2F2F2F2F2F2F2F2F
	q := b
	for len(q) >= 8 {
		v := binary.LittleEndian.Uint64(q)
		w := v ^ slashes
		if ((v-ones)&^v|(w-ones)&^w)&highs != 0 { // a zero byte in v or w
			return false
		}
		q = q[8:]
	}
	for _, c := range q {
		if c == 0 || c == '/' {
			return false
		}
	}
	if b[0] == '.' && (len(b) == 1 || len(b) == 2 && b[1] == '.') {
		return false
	}
	return true
}

// node parses node data.
func (rd *reader) node(s *section, r *prec) error {
	if !rd.dict {
		return rd.fail("inode before the attribute dictionary")
	}
	r.ino, r.id = rd.uv(), rd.uv()
	r.fl = rd.u8()
	if rd.bad {
		return rd.cut()
	}
	if r.id >= uint64(len(rd.modes)) {
		return rd.fail("inode %d: attribute id %d out of range", r.ino, r.id)
	}
	r.mode = uint32(rd.modes[r.id])
	r.nlink = 1
	if !isDir(r.mode) {
		r.nlink = rd.uv()
	}
	tb := rd.take(24)
	r.opens = rd.uv()
	if rd.bad {
		return rd.cut()
	}
	if r.nlink > meta.MaxLinks {
		return rd.fail("inode %d: %d links", r.ino, r.nlink)
	}
	r.atime = int64(binary.LittleEndian.Uint64(rd.p[tb:]))
	r.mtime = int64(binary.LittleEndian.Uint64(rd.p[tb+8:]))
	r.ctime = int64(binary.LittleEndian.Uint64(rd.p[tb+16:]))
	switch r.mode & meta.S_IFMT {
	case meta.S_IFREG:
		r.size = rd.uv()
		if r.size > meta.MaxFileSize {
			return rd.fail("inode %d: size %d", r.ino, r.size)
		}
		if r.fl&sdCompact != 0 {
			r.data = rd.uv()
			if rd.bad {
				return rd.cut()
			}
			if r.data == 0 || r.size == 0 || r.size > meta.ChunkSize {
				return rd.fail("inode %d: bad compact form", r.ino)
			}
			r.maxSlice = r.data
			break
		}
		if err := rd.chunks(s, r); err != nil {
			return err
		}
	case meta.S_IFLNK:
		n := rd.uv()
		r.c0, r.c1 = rd.take(n), uint32(n)
		if rd.bad {
			return rd.cut()
		}
		if n == 0 || n > meta.MaxSymlink {
			return rd.fail("inode %d: symlink target of %d bytes", r.ino, n)
		}
	case meta.S_IFCHR, meta.S_IFBLK:
		r.data = rd.uv() & 0xFFFFFFFF
	}
	if r.fl&sdXattr != 0 {
		n := rd.uv()
		r.xoff, r.xlen = rd.take(n), uint32(n)
		if rd.bad {
			return rd.cut()
		}
		if !xattrBlobOK(rd.p[r.xoff : r.xoff+r.xlen]) {
			return rd.fail("inode %d: bad xattr blob", r.ino)
		}
	}
	return nil
}

// chunks parses a file's data map (not the compact form).
func (rd *reader) chunks(s *section, r *prec) error {
	nc := rd.uv()
	r.c0 = uint32(len(s.chunks))
	prev := uint64(0)
	for k := uint64(0); k < nc; k++ {
		idx, n := rd.uv(), rd.uv()
		if rd.bad {
			return rd.cut()
		}
		if idx > 1<<32-1 || n == 0 || n > uint64(len(rd.p)-rd.i) || (k > 0 && idx <= prev) {
			return rd.fail("inode %d: bad chunk %d", r.ino, idx)
		}
		prev = idx
		first := uint32(len(s.ss))
		for i := uint64(0); i < n; i++ {
			pos, id, sz, off, ln := rd.uv(), rd.uv(), rd.uv(), rd.uv(), rd.uv()
			sl := meta.Slice{Pos: uint32(pos), ID: id, Size: uint32(sz), Off: uint32(off), Len: uint32(ln)}
			if rd.bad {
				return rd.cut()
			}
			if pos > 1<<32-1 || sz > 1<<32-1 || off > 1<<32-1 || ln > 1<<32-1 || checkSlice(sl) != 0 ||
				idx*meta.ChunkSize+pos+ln > r.size {
				return rd.fail("inode %d: bad slice %+v", r.ino, sl)
			}
			s.ss = append(s.ss, toRec(sl))
			r.maxSlice = max(r.maxSlice, id)
		}
		s.chunks = append(s.chunks, pchunk{uint32(idx), first, uint32(len(s.ss))})
	}
	r.c1 = uint32(len(s.chunks))
	if rd.bad {
		return rd.cut()
	}
	return nil
}

// xattrBlobOK checks an xattr blob from outside (xattr.go's layout) before
// anything parses it: lengths in bounds, names valid and sorted.
func xattrBlobOK(b []byte) bool {
	if len(b) < 4 || binary.LittleEndian.Uint32(b) != uint32(len(b)) || len(b) > 4+meta.MaxXattrAll+5*4096 {
		return false
	}
	var prev string
	n := 0
	for p := b[4:]; len(p) > 0; n++ {
		if len(p) < 5 {
			return false
		}
		nl, vl := int(p[0]), int(binary.LittleEndian.Uint32(p[1:5]))
		if vl > meta.MaxXattrSize || 5+nl+vl > len(p) {
			return false
		}
		name := string(p[5 : 5+nl])
		if _, e := xattrNS(name); e != 0 || (n > 0 && prev >= name) {
			return false
		}
		prev, p = name, p[5+nl+vl:]
	}
	return n > 0
}

// ---- second stage: building the tree ----

type restorer struct {
	t      *Tree
	s      *section // the section being applied
	secOff int64

	full, free chan *section
	done       chan struct{}
	wg         sync.WaitGroup

	dir   *nodeHdr  // directory whose entries are being read
	left  uint64    // entries of dir still to come
	last  arena.Ref // dir's last entry, and its hash
	lastH uint64
	ents  uint64
	links uint64

	cs []chunkView // scratch for a file's chunks
}

func (rs *restorer) fail(format string, args ...any) error {
	return snapFail(rs.secOff, format, args...)
}

func (rs *restorer) start(r *bufio.Reader) {
	rs.full = make(chan *section, readBufs)
	rs.free = make(chan *section, readBufs)
	rs.done = make(chan struct{})
	for i := 0; i < readBufs; i++ {
		rs.free <- &section{}
	}
	rs.wg.Add(1)
	go func() {
		defer rs.wg.Done()
		rd := &reader{r: r}
		rd.run(rs.full, rs.free, rs.done)
	}()
}

// stop ends the first stage; it no longer reads r on return.
func (rs *restorer) stop() {
	close(rs.done)
	rs.wg.Wait()
}

func (rs *restorer) run() error {
	for {
		if rs.s != nil {
			rs.free <- rs.s // never blocks
		}
		s := <-rs.full
		rs.s, rs.secOff = s, s.off
		if s.err != nil {
			return s.err
		}
		if s.kind == secEnd {
			return rs.end(s.totals)
		}
		for k := range s.recs {
			if err := rs.item(&s.recs[k]); err != nil {
				return err
			}
		}
	}
}

func (rs *restorer) end(tot [3]uint64) error {
	t := rs.t
	if rs.left != 0 {
		return rs.fail("directory %d lacks %d entries", rs.dir.inum(), rs.left)
	}
	if tot[0] != t.counts.inodes || tot[1] != rs.ents || tot[2] != rs.links {
		return rs.fail("totals %d inodes, %d entries, %d links; read %d, %d, %d", tot[0], tot[1], tot[2], t.counts.inodes, rs.ents, rs.links)
	}
	return nil
}

func (rs *restorer) item(r *prec) error {
	t := rs.t
	if rs.left > 0 {
		switch r.kind {
		case 'N':
			rs.left--
			rs.ents++
			return rs.node(r, rs.dir, false)
		case 'L':
			rs.left--
			rs.ents++
			return rs.link(r)
		}
		return rs.fail("item %q inside the entries of directory %d", r.kind, rs.dir.inum())
	}
	switch r.kind {
	case 'N', 'L':
		return rs.fail("entry outside a directory")
	case 'M':
		t.nextIno, t.nextSlice = meta.Ino(r.ino), r.id
	case 'A':
		b := rs.s.b[r.noff:]
		t.attrs = t.attrs[:0]
		clear(t.attrIdx)
		for i := uint64(0); i < r.id; i++ {
			a := attrTriple{binary.LittleEndian.Uint16(b[i*10:]), binary.LittleEndian.Uint32(b[i*10+2:]), binary.LittleEndian.Uint32(b[i*10+6:])}
			if _, dup := t.attrIdx[a]; dup {
				return rs.fail("attribute dictionary repeats an entry")
			}
			t.attrIdx[a] = uint32(i)
			t.attrs = append(t.attrs, a)
		}
		t.lastAttrID = ^uint32(0)
	case 'R':
		return rs.node(r, nil, true)
	case 'D':
		ino, n := r.ino, r.id
		d := t.getNode(meta.Ino(ino))
		if d == nil || !isDir(t.mode(d)) || d.count() != 0 || n == 0 || n > maxDirEntries {
			return rs.fail("directory item for %d (%d entries) before its inode, twice, or bad", ino, n)
		}
		if !rs.presize(d, n) {
			return rs.fail("out of memory for directory %d", ino)
		}
		rs.dir, rs.left, rs.last = d, n, 0
	case 'X':
		return rs.node(r, nil, false)
	}
	return nil
}

func (rs *restorer) name(r *prec) []byte { return rs.s.b[r.noff : r.noff+uint32(r.nlen)] }

// presize gives d a bucket array for n entries, so restore never resizes.
func (rs *restorer) presize(d *nodeHdr, n uint64) bool {
	logb := uint8(1)
	for uint64(1)<<logb+uint64(1)<<logb/2 < n && logb < 31 {
		logb++
	}
	if d.buckets() != 0 {
		rs.t.a.Free(d.buckets(), 4<<d.logb(), arena.PBuckets)
	}
	b, err := rs.t.a.Alloc(4<<logb, arena.PBuckets)
	if err != nil {
		d.setIndex(0, 0, false)
		return false
	}
	d.setIndex(b, logb, false)
	return true
}

// add appends entry r (e its record, h its name's hash) to the directory
// being restored. Entries come in hash order, so each goes at the tail of
// its (presized) bucket: no chain walk. Out of order or repeated names
// mean a bad snapshot.
func (rs *restorer) add(r arena.Ref, e *entHdr, name []byte, h uint64) error {
	t, d := rs.t, rs.dir
	if rs.last != 0 && h <= rs.lastH {
		if h < rs.lastH {
			return rs.fail("directory %d: entries out of order", d.inum())
		}
		for q := *t.head(d, h); q != 0; q = t.ent(q).next {
			if string(t.ent(q).name()) == string(name) {
				return rs.fail("name %q twice in directory %d", name, d.inum())
			}
		}
	}
	b := bucketOf(h, d.logb())
	if rs.last != 0 && bucketOf(rs.lastH, d.logb()) == b {
		t.ent(rs.last).next = r
	} else {
		*t.bucketSlot(d, b) = r
	}
	e.next = 0
	d.addCount(1)
	rs.last, rs.lastH = r, h
	return nil
}

func (rs *restorer) link(p *prec) error {
	t := rs.t
	name := rs.name(p)
	if p.ino == 0 || p.ino >= uint64(t.nextIno) {
		return rs.fail("link %q to inode %d beyond the counter", name, p.ino)
	}
	r, err := t.a.Alloc(recSize(true, len(name)), arena.PLink)
	if err != nil {
		return rs.fail("out of memory")
	}
	l := t.ent(r)
	l.inoAttr, l.flags, l.namelen = p.ino, fLink, uint8(len(name))
	copy(l.name(), name)
	if err := rs.add(r, l, name, p.hash); err != nil {
		t.a.Free(r, recSize(true, len(name)), arena.PLink)
		return err
	}
	t.counts.entries++
	t.counts.links++
	rs.links++
	return nil
}

// newNode makes the node record of ino with name and puts it in the inode
// table: newNodeID with one look at the table's slot, which must be free.
func (rs *restorer) newNode(ino meta.Ino, name []byte, mode, id uint32) (arena.Ref, *nodeHdr, error) {
	t := rs.t
	p := uint64(ino) >> pageShift
	if p >= uint64(len(t.pages)) || t.pages[p].ref == 0 {
		if !t.ensureSlot(ino) {
			return 0, nil, rs.fail("out of memory")
		}
	}
	slot := (*arena.Ref)(unsafe.Add(t.a.Ptr(t.pages[p].ref), (uint64(ino)&(pageSlots-1))*4))
	if *slot != 0 {
		return 0, nil, rs.fail("inode %d twice", ino)
	}
	r, err := t.a.Alloc(nodeHdrSize+len(name), arena.PNode)
	if err != nil {
		return 0, nil, rs.fail("out of memory")
	}
	h := t.node(r)
	h.inoAttr = uint64(ino)
	h.namelen = uint8(len(name))
	copy(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(h), nodeHdrSize)), len(name)), name)
	if id < coldMark {
		h.inoAttr |= uint64(id) << 48
	} else {
		t.setAttrID(h, id)
	}
	*slot = r
	t.pages[p].live++
	t.countType(mode, 1)
	return r, h, nil
}

// node makes an inode from its parsed item: the root's attributes (root),
// an entry of dir, or a detached inode (dir nil).
func (rs *restorer) node(p *prec, dir *nodeHdr, root bool) error {
	t := rs.t
	ino, mode := meta.Ino(p.ino), p.mode
	if root != (ino == meta.RootIno) || (root && !isDir(mode)) || ino == 0 || ino >= t.nextIno {
		return rs.fail("inode %d misplaced (root item %v) or beyond the counter", ino, root)
	}
	var h *nodeHdr
	var r arena.Ref
	var name []byte
	if root {
		h = t.getNode(meta.RootIno)
		t.setAttrID(h, uint32(p.id))
	} else {
		var err error
		name = rs.name(p)
		if r, h, err = rs.newNode(ino, name, mode, uint32(p.id)); err != nil {
			return err
		}
	}
	h.atime, h.mtime, h.ctime = p.atime, p.mtime, p.ctime
	if p.fl&(sdImmutable|sdAppend) != 0 {
		if p.fl&sdImmutable != 0 {
			h.flags |= fImmutable
		}
		if p.fl&sdAppend != 0 {
			h.flags |= fAppend
		}
	}
	if p.nlink != 1 {
		t.setNlink(h, uint32(p.nlink))
	}
	if p.opens > 0 {
		t.opens[ino] = uint32(p.opens)
	}
	if err := rs.data(p, h, ino, mode); err != nil {
		return err
	}
	switch {
	case root:
	case dir != nil:
		if isDir(mode) {
			h.setParent(meta.Ino(dir.inum()))
			dir.addSubdirs(1)
		}
		if err := rs.add(r, (*entHdr)(unsafe.Pointer(h)), name, p.hash); err != nil {
			return err
		}
		t.counts.entries++
	default:
		h.flags |= fDetached
		if isDir(mode) || (p.nlink == 0 && p.opens == 0) {
			return rs.fail("detached inode %d is a directory, or unlinked and not open", ino)
		}
		if p.nlink == 0 {
			t.counts.orphans++
		}
	}
	return nil
}

func (rs *restorer) data(p *prec, h *nodeHdr, ino meta.Ino, mode uint32) error {
	t, s := rs.t, rs.s
	switch mode & meta.S_IFMT {
	case meta.S_IFREG:
		if p.fl&sdCompact != 0 {
			h.flags |= fCompact
			h.data = p.data
		} else if p.c1 > p.c0 {
			cs := rs.cs[:0]
			for _, c := range s.chunks[p.c0:p.c1] {
				cs = append(cs, chunkView{c.idx, s.ss[c.first:c.end]})
			}
			rs.cs = cs
			if e := t.store(h, cs); e != 0 {
				return rs.fail("out of memory")
			}
		}
		t.setSize(h, p.size)
		t.sawSlice(p.maxSlice)
	case meta.S_IFLNK:
		r, err := t.a.Alloc(int(p.c1), arena.PSymlink)
		if err != nil {
			return rs.fail("out of memory")
		}
		copy(t.a.Bytes(r, int(p.c1)), s.b[p.c0:p.c0+p.c1])
		h.data, h.size = uint64(r), uint64(p.c1)
	case meta.S_IFCHR, meta.S_IFBLK:
		h.data = p.data
	}
	if p.xlen != 0 {
		r, err := t.a.Alloc(int(p.xlen), arena.PXattr)
		if err != nil {
			return rs.fail("out of memory")
		}
		copy(t.a.Bytes(r, int(p.xlen)), s.b[p.xoff:p.xoff+p.xlen])
		t.xattrs[ino] = r
		h.flags |= fXattr
	}
	return nil
}
