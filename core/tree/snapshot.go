package tree

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/cespare/xxhash/v2"
	"io"
	"maps"
	"slices"
	"sync"
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	. "github.com/fsmeta/fsmeta/core/meta"
)

// Snapshot format (all integers little-endian; "uv" is an unsigned varint):
//
//	+--------------------------------------------------------------+
//	| magic "FSMSNAP\x00" (8) | version u32 = 1 | flags u32 = 0     |  file header, 16 bytes
//	+--------------------------------------------------------------+
//	| kind u8 | 0 u8 x3 | items u32 | length u64 | crc32c u32 | 0 u32 |  section header, 24 bytes
//	| payload: `items` items, `length` bytes, checksum crc32c         |
//	+--------------------------------------------------------------+
//	| ... more sections ...                                          |
//	| end section (kind 0xFF): items 0, payload = the totals         |
//	+--------------------------------------------------------------+
//
// Sections carry whole items and are at most ~1 MiB, so a reader checks a
// section's checksum before it decodes any of it. Item kinds (first byte):
//
//	'M' meta     uv nextIno, uv nextSlice
//	'A' dict     uv n, n x (mode u16, uid u32, gid u32)  the (mode,uid,gid) ids
//	'R' root     node data of the root
//	'D' dir      uv ino, uv entries: the next `entries` items are its entries
//	'N' node     uv namelen, name, node data              a name and its inode
//	'L' link     uv namelen, name, uv ino                 a further hard link
//	'X' detached node data                                an inode in no directory
//	                                                      (unlinked and open)
//	end payload: uv inodes, uv entries, uv links
//
// Node data: uv ino, uv attr id, u8 flags (immutable 1, append 2, compact 4,
// xattrs 8), uv nlink (non-directories), atime/mtime/ctime i64 x3, uv opens,
// then by type: regular uv size and either uv slice id (compact) or uv chunks,
// each uv index, uv slices, each uv pos/id/size/off/len; symlink uv length and
// target; device uv rdev. With xattrs: uv length and the xattr blob as kept
// in memory (xattr.go). Directories come with their 'D' item later, in
// breadth-first order, so every parent is restored before its children, and
// entries in hash order, so restore appends at chain tails.
//
// The walk is canonical (breadth-first, hash order, detached inodes by
// number): two trees with the same state write the same bytes, which makes
// the snapshot's hash a state checksum (Checksum).

const (
	snapMagic   = "FSMSNAP\x00"
	snapVersion = 1
	secHdrSize  = 24
	secMax      = 1 << 20
	secEnd      = 0xFF
	secItems    = 1
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// SnapshotError reports a snapshot that cannot be read: corrupt, truncated
// or of an unknown version.
type SnapshotError struct {
	Offset int64 // byte offset of the section (or header) at fault
	Msg    string
}

func (e *SnapshotError) Error() string {
	return fmt.Sprintf("snapshot: at byte %d: %s", e.Offset, e.Msg)
}

type snapWriter struct {
	w            *bufio.Writer
	buf          []byte
	items        uint32
	inodes, ents uint64
	links        uint64
	err          error
	written      int64
}

func (s *snapWriter) flush(kind byte) {
	if s.err != nil || (s.items == 0 && kind != secEnd) {
		return
	}
	var h [secHdrSize]byte
	h[0] = kind
	binary.LittleEndian.PutUint32(h[4:], s.items)
	binary.LittleEndian.PutUint64(h[8:], uint64(len(s.buf)))
	binary.LittleEndian.PutUint32(h[16:], crc32.Checksum(s.buf, crcTable))
	if _, s.err = s.w.Write(h[:]); s.err == nil {
		_, s.err = s.w.Write(s.buf)
	}
	s.written += int64(secHdrSize + len(s.buf))
	s.buf, s.items = s.buf[:0], 0
}

// item ends an item; sections close at item boundaries.
func (s *snapWriter) item() {
	s.items++
	if len(s.buf) >= secMax {
		s.flush(secItems)
	}
}

func (s *snapWriter) uv(v uint64) { s.buf = binary.AppendUvarint(s.buf, v) }
func (s *snapWriter) bytes(b []byte) {
	s.uv(uint64(len(b)))
	s.buf = append(s.buf, b...)
}

// WriteSnapshot writes the whole state to w. It holds the read lock for the
// whole write: changes wait until it is done.
func (t *Tree) WriteSnapshot(w io.Writer) (int64, error) {
	s, ok := t.rlock()
	if !ok {
		return 0, errors.New("snapshot: tree is closed")
	}
	defer t.mu.runlock(s)
	return t.writeSnapshot(w)
}

func (t *Tree) writeSnapshot(w io.Writer) (int64, error) {
	sw := &snapWriter{w: bufio.NewWriterSize(w, 1<<20)}
	var hdr [16]byte
	copy(hdr[:], snapMagic)
	binary.LittleEndian.PutUint32(hdr[8:], snapVersion)
	if _, err := sw.w.Write(hdr[:]); err != nil {
		return 0, err
	}
	sw.written = 16
	sw.buf = append(sw.buf, 'M')
	sw.uv(uint64(t.nextIno))
	sw.uv(t.nextSlice)
	sw.item()
	sw.buf = append(sw.buf, 'A')
	sw.uv(uint64(len(t.attrs)))
	for _, a := range t.attrs {
		sw.buf = binary.LittleEndian.AppendUint16(sw.buf, a.mode)
		sw.buf = binary.LittleEndian.AppendUint32(sw.buf, a.uid)
		sw.buf = binary.LittleEndian.AppendUint32(sw.buf, a.gid)
	}
	sw.item()
	root := t.getNode(RootIno)
	sw.buf = append(sw.buf, 'R')
	t.nodeData(sw, root)
	sw.item()
	queue := []Ino{RootIno}
	for len(queue) > 0 && sw.err == nil {
		dir := t.getNode(queue[0])
		queue = queue[1:]
		if dir.count() == 0 {
			continue
		}
		sw.buf = append(sw.buf, 'D')
		sw.uv(dir.inum())
		sw.uv(uint64(dir.count()))
		sw.item()
		t.scan(dir, 0, func(r arena.Ref, e *entHdr, _ uint64) bool {
			if e.isLink() {
				sw.buf = append(sw.buf, 'L')
				sw.bytes(e.name())
				sw.uv(e.inum())
				sw.links++
			} else {
				h := (*nodeHdr)(unsafe.Pointer(e)) // hot, or a cold entry's scratch record
				sw.buf = append(sw.buf, 'N')
				sw.bytes(e.name())
				t.nodeData(sw, h)
				if isDir(t.mode(h)) {
					queue = append(queue, Ino(h.inum()))
				}
			}
			sw.ents++
			sw.item()
			return true
		})
	}
	for p, pg := range t.pages { // detached inodes, by number
		if pg.ref == 0 {
			continue
		}
		for i := 0; i < pageSlots; i++ {
			ino := Ino(uint64(p)<<pageShift | uint64(i))
			if r := t.nodeRef(ino); r != 0 && ino != RootIno && !t.isHandle(r) && t.node(r).flags&fDetached != 0 {
				sw.buf = append(sw.buf, 'X')
				t.nodeData(sw, t.node(r))
				sw.item()
			}
		}
	}
	sw.flush(secItems)
	sw.uv(t.counts.inodes)
	sw.uv(sw.ents)
	sw.uv(sw.links)
	sw.flush(secEnd)
	if sw.err == nil {
		sw.err = sw.w.Flush()
	}
	return sw.written, sw.err
}

const (
	sdImmutable = 1
	sdAppend    = 2
	sdCompact   = 4
	sdXattr     = 8
)

func (t *Tree) nodeData(sw *snapWriter, h *nodeHdr) {
	ino := Ino(h.inum())
	sw.inodes++
	sw.uv(uint64(ino))
	id := uint64(h.attr())
	if id == wideAttr {
		id = uint64(t.wideAttrs[ino])
	}
	sw.uv(id)
	var fl byte
	if h.flags&fImmutable != 0 {
		fl |= sdImmutable
	}
	if h.flags&fAppend != 0 {
		fl |= sdAppend
	}
	if h.flags&fCompact != 0 {
		fl |= sdCompact
	}
	if h.flags&fXattr != 0 {
		fl |= sdXattr
	}
	sw.buf = append(sw.buf, fl)
	mode := t.mode(h)
	if !isDir(mode) {
		sw.uv(uint64(t.nlink(h)))
	}
	sw.buf = binary.LittleEndian.AppendUint64(sw.buf, uint64(h.atime))
	sw.buf = binary.LittleEndian.AppendUint64(sw.buf, uint64(h.mtime))
	sw.buf = binary.LittleEndian.AppendUint64(sw.buf, uint64(h.ctime))
	sw.uv(uint64(t.opens[ino]))
	switch mode & S_IFMT {
	case S_IFREG:
		sw.uv(h.size)
		if h.flags&fCompact != 0 {
			sw.uv(h.data)
			break
		}
		dir, sl := t.blob(h)
		sw.uv(uint64(len(dir)))
		for k := range dir {
			ss := chunkSlices(dir, sl, k)
			sw.uv(uint64(dir[k].idx))
			sw.uv(uint64(len(ss)))
			for _, s := range ss {
				sw.uv(uint64(s.pos))
				sw.uv(s.id)
				sw.uv(uint64(s.size))
				sw.uv(uint64(s.off))
				sw.uv(uint64(s.len))
			}
		}
	case S_IFLNK:
		sw.bytes(t.a.Bytes(arena.Ref(h.data), int(h.size)))
	case S_IFCHR, S_IFBLK:
		sw.uv(h.data)
	}
	if h.flags&fXattr != 0 {
		r := t.xattrs[ino]
		n := binary.LittleEndian.Uint32(t.a.Bytes(r, 4))
		sw.bytes(t.a.Bytes(r, int(n)))
	}
}

// ---- reading ----

type snapReader struct {
	r      *bufio.Reader
	buf    []byte // reused for every section
	off    int64  // offset of the current section
	p      []byte
	secOff int64
}

func (s *snapReader) fail(format string, args ...any) error {
	return &SnapshotError{Offset: s.secOff, Msg: fmt.Sprintf(format, args...)}
}

func (s *snapReader) uv() (uint64, error) {
	v, n := binary.Uvarint(s.p)
	if n <= 0 {
		return 0, s.fail("bad varint")
	}
	s.p = s.p[n:]
	return v, nil
}

func (s *snapReader) take(n uint64) ([]byte, error) {
	if uint64(len(s.p)) < n {
		return nil, s.fail("item runs past its section")
	}
	b := s.p[:n]
	s.p = s.p[n:]
	return b, nil
}

func (s *snapReader) u8() (byte, error) {
	b, err := s.take(1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

// section reads the next section into s.p and returns its kind.
func (s *snapReader) section() (byte, error) {
	var h [secHdrSize]byte
	s.secOff = s.off
	if _, err := io.ReadFull(s.r, h[:]); err != nil {
		return 0, s.fail("truncated: no end section (%v)", err)
	}
	n := binary.LittleEndian.Uint64(h[8:])
	if n > 64*secMax {
		return 0, s.fail("section of %d bytes", n)
	}
	if uint64(cap(s.buf)) < n {
		s.buf = make([]byte, n)
	}
	s.p = s.buf[:n]
	if _, err := io.ReadFull(s.r, s.p); err != nil {
		return 0, s.fail("truncated section (%v)", err)
	}
	if crc32.Checksum(s.p, crcTable) != binary.LittleEndian.Uint32(h[16:]) {
		return 0, s.fail("checksum mismatch")
	}
	s.off += int64(secHdrSize) + int64(n)
	return h[0], nil
}

// ReadSnapshot builds a tree from a snapshot written by WriteSnapshot.
// A corrupt, truncated or unknown snapshot gives a *SnapshotError and no
// tree.
func ReadSnapshot(r io.Reader, o Options) (*Tree, error) {
	sr := &snapReader{r: bufio.NewReaderSize(r, 1<<20)}
	var hdr [16]byte
	if _, err := io.ReadFull(sr.r, hdr[:]); err != nil {
		return nil, sr.fail("no header (%v)", err)
	}
	if string(hdr[:8]) != snapMagic {
		return nil, sr.fail("not an fsmeta snapshot (magic %q)", hdr[:8])
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v != snapVersion {
		return nil, sr.fail("snapshot version %d; this build reads version %d", v, snapVersion)
	}
	sr.off = 16
	t, err := New(o)
	if err != nil {
		return nil, err
	}
	rs := &restorer{t: t, sr: sr}
	if err := rs.run(); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

type restorer struct {
	t       *Tree
	sr      *snapReader
	dir     *nodeHdr  // directory whose entries are being read
	left    uint64    // entries of dir still to come
	last    arena.Ref // dir's last entry, and its hash
	lastH   uint64
	ents    uint64
	links   uint64
	gotDict bool
}

func (rs *restorer) run() error {
	for {
		kind, err := rs.sr.section()
		if err != nil {
			return err
		}
		if kind == secEnd {
			return rs.end()
		}
		if kind != secItems {
			return rs.sr.fail("unknown section kind %d", kind)
		}
		for len(rs.sr.p) > 0 {
			if err := rs.item(); err != nil {
				return err
			}
		}
	}
}

func (rs *restorer) end() error {
	sr, t := rs.sr, rs.t
	inodes, err := sr.uv()
	if err != nil {
		return err
	}
	ents, err := sr.uv()
	if err != nil {
		return err
	}
	links, err := sr.uv()
	if err != nil {
		return err
	}
	if rs.left != 0 {
		return sr.fail("directory %d lacks %d entries", rs.dir.inum(), rs.left)
	}
	if inodes != t.counts.inodes || ents != rs.ents || links != rs.links {
		return sr.fail("totals %d inodes, %d entries, %d links; read %d, %d, %d", inodes, ents, links, t.counts.inodes, rs.ents, rs.links)
	}
	return nil
}

func (rs *restorer) item() error {
	sr, t := rs.sr, rs.t
	kind, err := sr.u8()
	if err != nil {
		return err
	}
	if rs.left > 0 && kind != 'N' && kind != 'L' {
		return sr.fail("item %q inside the entries of directory %d", kind, rs.dir.inum())
	}
	switch kind {
	case 'M':
		ni, err := sr.uv()
		if err != nil {
			return err
		}
		ns, err := sr.uv()
		if err != nil {
			return err
		}
		if ni < 2 || ni > maxIno+1 || ns < 1 {
			return sr.fail("bad counters %d, %d", ni, ns)
		}
		t.nextIno, t.nextSlice = Ino(ni), ns
	case 'A':
		n, err := sr.uv()
		if err != nil {
			return err
		}
		b, err := sr.take(n * 10)
		if err != nil {
			return err
		}
		t.attrs = t.attrs[:0]
		clear(t.attrIdx)
		for i := uint64(0); i < n; i++ {
			a := attrTriple{binary.LittleEndian.Uint16(b[i*10:]), binary.LittleEndian.Uint32(b[i*10+2:]), binary.LittleEndian.Uint32(b[i*10+6:])}
			if _, dup := t.attrIdx[a]; dup {
				return sr.fail("attribute dictionary repeats an entry")
			}
			t.attrIdx[a] = uint32(i)
			t.attrs = append(t.attrs, a)
		}
		t.lastAttrID = ^uint32(0)
		rs.gotDict = true
	case 'R':
		return rs.node(nil, nil, true)
	case 'D':
		ino, err := sr.uv()
		if err != nil {
			return err
		}
		n, err := sr.uv()
		if err != nil {
			return err
		}
		d := t.getNode(Ino(ino))
		if d == nil || !isDir(t.mode(d)) || d.count() != 0 || n == 0 || n > maxDirEntries {
			return sr.fail("directory item for %d (%d entries) before its inode, twice, or bad", ino, n)
		}
		if !rs.presize(d, n) {
			return sr.fail("out of memory for directory %d", ino)
		}
		rs.dir, rs.left, rs.last = d, n, 0
	case 'N', 'L':
		if rs.left == 0 {
			return sr.fail("entry outside a directory")
		}
		name, err := rs.name()
		if err != nil {
			return err
		}
		rs.left--
		rs.ents++
		if kind == 'L' {
			return rs.link(name)
		}
		return rs.node(rs.dir, name, false)
	case 'X':
		return rs.node(nil, nil, false)
	default:
		return sr.fail("unknown item kind %q", kind)
	}
	return nil
}

func (rs *restorer) name() ([]byte, error) {
	n, err := rs.sr.uv()
	if err != nil {
		return nil, err
	}
	b, err := rs.sr.take(n)
	if err != nil {
		return nil, err
	}
	if checkName(string(b)) != 0 {
		return nil, rs.sr.fail("bad name %q", b)
	}
	return b, nil
}

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

// add appends entry r to the directory being restored. Entries come in hash
// order, so each goes at the tail of its (presized) bucket: one hash, no
// chain walk. Out of order or repeated names mean a bad snapshot.
func (rs *restorer) add(r arena.Ref, name []byte) error {
	t, d := rs.t, rs.dir
	h := hashBytes(name)
	if rs.last != 0 && h < rs.lastH {
		return rs.sr.fail("directory %d: entries out of order", d.inum())
	}
	if rs.last != 0 && h == rs.lastH {
		for q := *t.head(d, h); q != 0; q = t.ent(q).next {
			if string(t.ent(q).name()) == string(name) {
				return rs.sr.fail("name %q twice in directory %d", name, d.inum())
			}
		}
	}
	b := bucketOf(h, d.logb())
	if rs.last != 0 && bucketOf(rs.lastH, d.logb()) == b {
		t.ent(rs.last).next = r
	} else {
		*t.bucketSlot(d, b) = r
	}
	t.ent(r).next = 0
	d.addCount(1)
	rs.last, rs.lastH = r, h
	return nil
}

func (rs *restorer) link(name []byte) error {
	t := rs.t
	ino, err := rs.sr.uv()
	if err != nil {
		return err
	}
	if ino == 0 || ino >= uint64(t.nextIno) {
		return rs.sr.fail("link %q to inode %d beyond the counter", name, ino)
	}
	r, err2 := t.a.Alloc(recSize(true, len(name)), arena.PLink)
	if err2 != nil {
		return rs.sr.fail("out of memory")
	}
	l := t.ent(r)
	l.inoAttr, l.flags, l.namelen = ino, fLink, uint8(len(name))
	copy(l.name(), name)
	if err := rs.add(r, name); err != nil {
		t.a.Free(r, recSize(true, len(name)), arena.PLink)
		return err
	}
	t.counts.entries++
	t.counts.links++
	rs.links++
	return nil
}

// node reads node data and makes the inode: the root's attributes (root),
// an entry of dir with name, or a detached inode (dir nil).
func (rs *restorer) node(dir *nodeHdr, name []byte, root bool) error {
	sr, t := rs.sr, rs.t
	if !rs.gotDict {
		return sr.fail("inode before the attribute dictionary")
	}
	var v [2]uint64
	for i := range v {
		var err error
		if v[i], err = sr.uv(); err != nil {
			return err
		}
	}
	ino, id := Ino(v[0]), v[1]
	if id >= uint64(len(t.attrs)) {
		return sr.fail("inode %d: attribute id %d out of range", ino, id)
	}
	mode := uint32(t.attrs[id].mode)
	if root != (ino == RootIno) || (root && !isDir(mode)) || ino == 0 || ino >= t.nextIno {
		return sr.fail("inode %d misplaced (root item %v) or beyond the counter", ino, root)
	}
	fl, err := sr.u8()
	if err != nil {
		return err
	}
	nlink := uint64(1)
	if !isDir(mode) {
		if nlink, err = sr.uv(); err != nil {
			return err
		}
	}
	tb, err := sr.take(24)
	if err != nil {
		return err
	}
	opens, err := sr.uv()
	if err != nil {
		return err
	}
	var h *nodeHdr
	if root {
		h = t.getNode(RootIno)
	} else {
		if t.nodeRef(ino) != 0 {
			return sr.fail("inode %d twice", ino)
		}
		nm := string(name)
		r, e := t.newNodeID(ino, nm, mode, uint32(id), 0)
		if e != 0 {
			return sr.fail("inode %d: %v", ino, e)
		}
		h = t.node(r)
	}
	if root {
		t.setAttrID(h, uint32(id))
	}
	h.atime = int64(binary.LittleEndian.Uint64(tb))
	h.mtime = int64(binary.LittleEndian.Uint64(tb[8:]))
	h.ctime = int64(binary.LittleEndian.Uint64(tb[16:]))
	if fl&sdImmutable != 0 {
		h.flags |= fImmutable
	}
	if fl&sdAppend != 0 {
		h.flags |= fAppend
	}
	if !isDir(mode) {
		if nlink > MaxLinks {
			return sr.fail("inode %d: %d links", ino, nlink)
		}
		t.setNlink(h, uint32(nlink))
	}
	if opens > 0 {
		t.opens[ino] = uint32(opens)
	}
	if err := rs.data(h, ino, mode, fl); err != nil {
		return err
	}
	switch {
	case root:
	case dir != nil:
		if isDir(mode) {
			h.setParent(Ino(dir.inum()))
			dir.addSubdirs(1)
		}
		if err := rs.add(t.nodeRef(ino), name); err != nil {
			return err
		}
		t.counts.entries++
	default:
		h.flags |= fDetached
		if isDir(mode) || (nlink == 0 && opens == 0) {
			return sr.fail("detached inode %d is a directory, or unlinked and not open", ino)
		}
		if nlink == 0 {
			t.counts.orphans++
		}
	}
	return nil
}

func (rs *restorer) data(h *nodeHdr, ino Ino, mode uint32, fl byte) error {
	sr, t := rs.sr, rs.t
	switch mode & S_IFMT {
	case S_IFREG:
		size, err := sr.uv()
		if err != nil {
			return err
		}
		if size > MaxFileSize {
			return sr.fail("inode %d: size %d", ino, size)
		}
		if fl&sdCompact != 0 {
			id, err := sr.uv()
			if err != nil {
				return err
			}
			if id == 0 || size == 0 || size > ChunkSize {
				return sr.fail("inode %d: bad compact form", ino)
			}
			h.flags |= fCompact
			h.data = id
			t.setSize(h, size)
			t.sawSlice(id)
			break
		}
		nc, err := sr.uv()
		if err != nil {
			return err
		}
		cs := make([]chunkView, 0, min(nc, 1024))
		var v5 [5]uint64
		for k := uint64(0); k < nc; k++ {
			var idx, n uint64
			if idx, err = sr.uv(); err == nil {
				n, err = sr.uv()
			}
			if err != nil {
				return err
			}
			if idx > 1<<32-1 || n == 0 || n > uint64(len(sr.p)) || (k > 0 && uint32(idx) <= cs[k-1].idx) {
				return sr.fail("inode %d: bad chunk %d", ino, idx)
			}
			ss := make([]sliceRec, n)
			for i := range ss {
				for j := range v5 {
					if v5[j], err = sr.uv(); err != nil {
						return err
					}
				}
				s := Slice{Pos: uint32(v5[0]), ID: v5[1], Size: uint32(v5[2]), Off: uint32(v5[3]), Len: uint32(v5[4])}
				if v5[0] > 1<<32-1 || v5[2] > 1<<32-1 || v5[3] > 1<<32-1 || v5[4] > 1<<32-1 || checkSlice(s) != 0 ||
					idx*ChunkSize+v5[0]+v5[4] > size {
					return sr.fail("inode %d: bad slice %+v", ino, s)
				}
				ss[i] = toRec(s)
				t.sawSlice(s.ID)
			}
			cs = append(cs, chunkView{uint32(idx), ss})
		}
		if e := t.store(h, cs); e != 0 {
			return sr.fail("out of memory")
		}
		t.setSize(h, size)
	case S_IFLNK:
		b, err := rs.name2()
		if err != nil {
			return err
		}
		if len(b) == 0 || len(b) > MaxSymlink {
			return sr.fail("inode %d: symlink target of %d bytes", ino, len(b))
		}
		r, err2 := t.a.Alloc(len(b), arena.PSymlink)
		if err2 != nil {
			return sr.fail("out of memory")
		}
		copy(t.a.Bytes(r, len(b)), b)
		h.data, h.size = uint64(r), uint64(len(b))
	case S_IFCHR, S_IFBLK:
		rdev, err := sr.uv()
		if err != nil {
			return err
		}
		h.data = rdev & 0xFFFFFFFF
	}
	if fl&sdXattr != 0 {
		b, err := rs.name2()
		if err != nil {
			return err
		}
		if !xattrBlobOK(b) {
			return sr.fail("inode %d: bad xattr blob", ino)
		}
		r, err2 := t.a.Alloc(len(b), arena.PXattr)
		if err2 != nil {
			return sr.fail("out of memory")
		}
		copy(t.a.Bytes(r, len(b)), b)
		t.xattrs[ino] = r
		h.flags |= fXattr
	}
	return nil
}

func (rs *restorer) name2() ([]byte, error) {
	n, err := rs.sr.uv()
	if err != nil {
		return nil, err
	}
	return rs.sr.take(n)
}

// xattrBlobOK checks an xattr blob from outside (xattr.go's layout) before
// anything parses it: lengths in bounds, names valid and sorted.
func xattrBlobOK(b []byte) bool {
	if len(b) < 4 || binary.LittleEndian.Uint32(b) != uint32(len(b)) || len(b) > 4+MaxXattrAll+5*4096 {
		return false
	}
	var prev string
	n := 0
	for p := b[4:]; len(p) > 0; n++ {
		if len(p) < 5 {
			return false
		}
		nl, vl := int(p[0]), int(binary.LittleEndian.Uint32(p[1:5]))
		if vl > MaxXattrSize || 5+nl+vl > len(p) {
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

// Checksum returns a hash of the whole state: equal states give equal
// checksums (the snapshot's walk is canonical).
func (t *Tree) Checksum() (uint64, error) {
	h := xxhash.New()
	if _, err := t.WriteSnapshot(h); err != nil {
		return 0, err
	}
	return h.Sum64(), nil
}

// Freeze marks the state of this instant for a snapshot and returns a
// function that writes it and one that releases it. Changes go on while
// the snapshot is written: Freeze clones the tree's small Go-side state
// (side maps, dictionary, inode page list) and starts a copy-on-write view
// of the arena (arena/cow.go), so a change waits at most for the copy of
// the slabs it touches first, never for the whole snapshot. The view holds
// a copy of the arena's slabs until release. write may run on another
// goroutine (once); release may be called once, from any goroutine.
func (t *Tree) Freeze() (write func(io.Writer) (int64, error), release func(), err error) {
	if !t.wlock() {
		return nil, nil, errors.New("snapshot: tree is closed")
	}
	view, err := t.a.BeginView()
	if err != nil {
		t.wunlock()
		return nil, nil, fmt.Errorf("snapshot: %w", err)
	}
	v := t.frozenClone(view.Arena())
	t.wunlock()
	var mu sync.Mutex
	done := false
	finish := func() {
		// take the copy-on-write test off Ptr's fast path
		if t.wlock() {
			t.a.ClearView()
			t.wunlock()
		}
	}
	write = func(w io.Writer) (int64, error) {
		mu.Lock()
		defer mu.Unlock()
		if done {
			return 0, errors.New("snapshot: already written or released")
		}
		done = true
		err := view.Fill(nil)
		finish()
		if err != nil {
			return 0, fmt.Errorf("snapshot: %w", err)
		}
		return v.writeSnapshot(w)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			mu.Lock()
			done = true
			mu.Unlock()
			view.Close()
			finish()
		})
	}
	return write, release, nil
}

// frozenClone returns a read-only tree over arena a (a frozen view of t's)
// with copies of t's Go-side state: what writeSnapshot reads.
func (t *Tree) frozenClone(a *arena.Arena) *Tree {
	v := &Tree{a: a, opts: t.opts, closed: false,
		pages: slices.Clone(t.pages), attrs: slices.Clone(t.attrs),
		opens: maps.Clone(t.opens), nlinks: maps.Clone(t.nlinks), wideAttrs: maps.Clone(t.wideAttrs),
		xattrs: maps.Clone(t.xattrs), migs: make(map[uint64]*migration, len(t.migs)),
		nextIno: t.nextIno, nextSlice: t.nextSlice, usedSpace: t.usedSpace, counts: t.counts,
		coldDirs: t.coldDirs, coldEntries: t.coldEntries}
	for k, m := range t.migs {
		c := *m
		v.migs[k] = &c
	}
	v.mu.init()
	return v
}
