package fsmeta

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math/bits"
	"os"

	"github.com/fsmeta/fsmeta/core/meta"
)

// wal/wal-meta.db is raft-wal's metadata (the list of log segments) and
// raft's stable store (term, vote), a bbolt (go.etcd.io/bbolt v1.3.6) file.
// bbolt maps the file and trusts its header: a page id past the end of a
// truncated file faults (SIGBUS) inside bbolt, and a missing bucket panics
// in raft-wal. checkBoltFile reads the file with plain reads first and
// refuses what bbolt or raft-wal could not open safely, naming the file and
// the cause.
//
// The layout, as bbolt v1.3.6 writes it (page.go, db.go, bucket.go; native
// byte order, little-endian on every platform fsmeta ships for):
//
//	page header (16 bytes): id u64, flags u16, count u16, overflow u32
//	    (the page spans overflow+1 pages)
//	meta (after the header of pages 0 and 1): magic u32 0xED0CDAED,
//	    version u32 2, page size u32, flags u32, root bucket {root page
//	    u64, sequence u64}, freelist page u64 (^0: none), high-water mark
//	    u64 (pages in use), txid u64, checksum u64 (FNV-64a of the 56
//	    bytes before it; bbolt takes 0 as "not checked")
//	freelist page: count page ids u64 (count 0xFFFF: the first u64 holds
//	    the count)
//	branch page: count x {pos u32, ksize u32, child page u64}, keys at pos
//	    from their element
//	leaf page: count x {flags u32 (1: a bucket), pos u32, ksize u32, vsize
//	    u32}, key then value at pos from their element; a bucket's value is
//	    {root page u64, sequence u64}, then, when root is 0, an inline leaf
//	    page
//
// bbolt's choice, reproduced here: it reads the first 4096 bytes and takes
// the page size of page 0's meta when that one is valid (magic, version,
// checksum), else the OS page size; meta 1 is at that offset; of the two,
// the valid one with the higher txid rules (meta 0 on a tie).
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	boltPageHdr    = 16
	boltMetaSize   = 64
	boltSumOff     = 56 // the checksum's offset in the meta
	boltFirstRead  = 4096
	boltMinPage    = 512
	boltMaxPage    = 64 << 10
	boltBranch     = 0x01
	boltLeaf       = 0x02
	boltFreelist   = 0x10
	boltBucketFlag = 0x01
	boltNoFreelist = ^uint64(0)
	boltElemSize   = 16 // a leaf or a branch element
	boltBucketHdr  = 16
	boltMaxDepth   = 64
)

// walMetaBuckets are the buckets raft-wal reads without checking that they
// exist (raft-wal v0.4.0 metadb: MetaBucket, StableBucket).
var walMetaBuckets = []string{"wal-meta", "stable"}

// boltError is checkBoltFile's refusal: Path is damaged because of Reason.
type boltError struct {
	Path, Reason string
}

func (e *boltError) Error() string { return "fsmeta: " + e.Path + " is damaged: " + e.Reason }

// Unwrap makes the refusal an EIO.
func (e *boltError) Unwrap() error { return meta.EIO }

type boltMeta struct {
	magic, version, pageSize uint32
	root, freelist, pgid     uint64
	txid, checksum           uint64
	err                      string // why bbolt would not take it ("" if it would)
}

type boltFile struct {
	f      *os.File
	path   string
	size   int64
	ps     uint64          // the page size bbolt would use
	pgid   uint64          // the chosen meta's high-water mark
	txid   uint64          // the chosen meta's transaction
	free   map[uint64]bool // pages the freelist lists
	seen   map[uint64]bool // pages of the tree met so far
	damage string
}

// checkBoltFile checks raft-wal's metadata file at path before bbolt maps
// it: nil if the file does not exist (raft-wal creates it, complete, under a
// temporary name, then renames it) or if bbolt and raft-wal can open it
// safely; else a *boltError (an EIO) naming the file and the cause. It
// changes nothing.
//
// An empty file is refused: raft-wal never leaves one (bbolt would make it
// a fresh database without raft-wal's buckets, and raft-wal would panic on
// it; the log's list of segments is lost).
func checkBoltFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("fsmeta: cannot read %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("fsmeta: cannot read %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return &boltError{path, "it is not a regular file"}
	}
	_, err = inspectBolt(f, path, st.Size())
	return err
}

// inspectBolt checks the bbolt file f (path, size bytes) and returns what
// it found.
func inspectBolt(f *os.File, path string, size int64) (*boltFile, error) {
	b := &boltFile{f: f, path: path, size: size, free: map[uint64]bool{}, seen: map[uint64]bool{}}
	if err := b.check(); err != nil {
		return b, err
	}
	if b.damage != "" {
		return b, &boltError{path, b.damage}
	}
	return b, nil
}

// bad records the first damage found and returns false.
func (b *boltFile) bad(format string, args ...any) bool {
	if b.damage == "" {
		b.damage = fmt.Sprintf(format, args...)
	}
	return false
}

// read returns n bytes at off, or nil (damage recorded) when they are not
// all in the file.
func (b *boltFile) read(off, n uint64, what string) ([]byte, error) {
	if off > uint64(b.size) || n > uint64(b.size)-off {
		b.bad("%s (bytes %d to %d) lies past the end of the file (%d bytes)", what, off, off+n, b.size)
		return nil, nil
	}
	buf := make([]byte, n)
	if _, err := b.f.ReadAt(buf, int64(off)); err != nil {
		return nil, fmt.Errorf("fsmeta: cannot read %s: %w", b.path, err)
	}
	return buf, nil
}

var ne = binary.NativeEndian

// readMeta decodes the meta of the page at off (its err says why bbolt
// would not take it).
func (b *boltFile) readMeta(off uint64) (boltMeta, error) {
	if uint64(b.size) < off+boltPageHdr+boltMetaSize {
		return boltMeta{err: "it lies past the end of the file"}, nil
	}
	p, err := b.read(off+boltPageHdr, boltMetaSize, "a meta page")
	if err != nil || p == nil {
		return boltMeta{err: "unreadable"}, err
	}
	m := boltMeta{
		magic: ne.Uint32(p[0:]), version: ne.Uint32(p[4:]), pageSize: ne.Uint32(p[8:]),
		root: ne.Uint64(p[16:]), freelist: ne.Uint64(p[32:]), pgid: ne.Uint64(p[40:]),
		txid: ne.Uint64(p[48:]), checksum: ne.Uint64(p[boltSumOff:]),
	}
	h := fnv.New64a()
	h.Write(p[:boltSumOff])
	switch {
	case m.magic != boltMagic:
		m.err = fmt.Sprintf("magic %#x, not bbolt's", m.magic)
	case m.version != boltVersion:
		m.err = fmt.Sprintf("version %d, not 2", m.version)
	case m.checksum != 0 && m.checksum != h.Sum64():
		m.err = "its checksum does not match"
	}
	return m, nil
}

func pageSizeOK(ps uint64) bool {
	return ps >= boltMinPage && ps <= boltMaxPage && bits.OnesCount64(ps) == 1
}

func (b *boltFile) check() error {
	if b.size == 0 {
		b.bad("the file is empty (raft-wal writes it whole, under another name, before it has this one): the log's metadata is lost")
		return nil
	}
	if b.size < boltFirstRead {
		b.bad("the file has %d bytes, fewer than the %d of its first page", b.size, boltFirstRead)
		return nil
	}
	m0, err := b.readMeta(0)
	if err != nil {
		return err
	}
	b.ps = uint64(os.Getpagesize())
	if m0.err == "" {
		b.ps = uint64(m0.pageSize)
	}
	if !pageSizeOK(b.ps) {
		b.bad("its header says pages of %d bytes (a power of two from %d to %d expected)", b.ps, boltMinPage, boltMaxPage)
		return nil
	}
	m1, err := b.readMeta(b.ps)
	if err != nil {
		return err
	}
	// bbolt's choice (DB.meta)
	mA, mB, nA, nB := m0, m1, 0, 1
	if m1.txid > m0.txid {
		mA, mB, nA, nB = m1, m0, 1, 0
	}
	m, n := mA, nA
	if mA.err != "" {
		m, n = mB, nB
	}
	if m.err != "" {
		b.bad("neither header page is valid (page 0: %s; page 1: %s)", m0.err, m1.err)
		return nil
	}
	if uint64(m.pageSize) != b.ps {
		b.bad("header page %d says pages of %d bytes, but they are %d bytes", n, m.pageSize, b.ps)
		return nil
	}
	b.pgid, b.txid = m.pgid, m.txid
	if m.pgid < 3 {
		b.bad("its header says %d pages are in use, fewer than a database has", m.pgid)
		return nil
	}
	if m.pgid > uint64(b.size)/b.ps {
		b.bad("its header says %d pages of %d bytes but the file has %d bytes", m.pgid, b.ps, b.size)
		return nil
	}
	if m.root < 2 || m.root >= m.pgid {
		b.bad("its header puts the root at page %d, outside pages 2 to %d", m.root, m.pgid-1)
		return nil
	}
	if m.freelist != boltNoFreelist {
		if m.freelist < 2 || m.freelist >= m.pgid {
			b.bad("its header puts the freelist at page %d, outside pages 2 to %d", m.freelist, m.pgid-1)
			return nil
		}
		if err := b.checkFreelist(m.freelist); err != nil || b.damage != "" {
			return err
		}
	}
	names := map[string]bool{}
	if err := b.walk(m.root, 0, names); err != nil || b.damage != "" {
		return err
	}
	for _, nm := range walMetaBuckets {
		if !names[nm] {
			b.bad("it has no bucket %q (raft-wal's)", nm)
			return nil
		}
	}
	return nil
}

// page reads page id's header and whole span (after checking that the span
// lies below the high-water mark, hence inside the file).
func (b *boltFile) page(id uint64, what string) (flags, count uint16, span []byte, err error) {
	hdr, err := b.read(id*b.ps, boltPageHdr, what)
	if err != nil || hdr == nil {
		return 0, 0, nil, err
	}
	pid, flags, count, over := ne.Uint64(hdr), ne.Uint16(hdr[8:]), ne.Uint16(hdr[10:]), uint64(ne.Uint32(hdr[12:]))
	if pid != id {
		b.bad("%s, page %d, says it is page %d", what, id, pid)
		return 0, 0, nil, nil
	}
	if id+over >= b.pgid {
		b.bad("%s, page %d, spans %d pages, past the %d in use", what, id, over+1, b.pgid)
		return 0, 0, nil, nil
	}
	span, err = b.read(id*b.ps, (over+1)*b.ps, what)
	return flags, count, span, err
}

func (b *boltFile) checkFreelist(id uint64) error {
	flags, count, p, err := b.page(id, "the freelist")
	if err != nil || p == nil {
		return err
	}
	if flags != boltFreelist {
		b.bad("the freelist, page %d, has page flags %#x, not %#x", id, flags, boltFreelist)
		return nil
	}
	first, n := uint64(boltPageHdr), uint64(count)
	if count == 0xFFFF {
		if len(p) < boltPageHdr+8 {
			b.bad("the freelist, page %d, is cut short", id)
			return nil
		}
		n = ne.Uint64(p[boltPageHdr:])
		first += 8
	}
	if n > (uint64(len(p))-first)/8 {
		b.bad("the freelist, page %d, says it lists %d pages, more than its %d bytes hold", id, n, len(p))
		return nil
	}
	for i := range n {
		f := ne.Uint64(p[first+8*i:])
		if f < 2 || f >= b.pgid {
			b.bad("the freelist, page %d, lists page %d, outside pages 2 to %d", id, f, b.pgid-1)
			return nil
		}
		b.free[f] = true
	}
	for i := range uint64(len(p)) / b.ps { // the freelist's own pages are in use
		if b.free[id+i] {
			b.bad("the freelist, page %d, lists itself", id)
			return nil
		}
	}
	return nil
}

// walk checks the tree of a bucket from page id (every page once, inside
// the pages in use, every element inside its page); names, for the root
// bucket only, gets the names of the buckets in it.
func (b *boltFile) walk(id uint64, depth int, names map[string]bool) error {
	if depth > boltMaxDepth {
		b.bad("its tree is deeper than %d", boltMaxDepth)
		return nil
	}
	if id < 2 || id >= b.pgid {
		b.bad("a bucket refers to page %d, outside pages 2 to %d", id, b.pgid-1)
		return nil
	}
	flags, count, p, err := b.page(id, "a tree page")
	if err != nil || p == nil {
		return err
	}
	for i := range uint64(len(p)) / b.ps {
		switch {
		case b.seen[id+i]:
			b.bad("page %d is used twice in the tree", id+i)
			return nil
		case b.free[id+i]:
			b.bad("page %d is both in the tree and in the freelist", id+i)
			return nil
		}
		b.seen[id+i] = true
	}
	switch flags {
	case boltLeaf:
		return b.leaf(p, count, fmt.Sprintf("page %d", id), depth, names)
	case boltBranch:
		if count == 0 {
			b.bad("branch page %d is empty", id)
			return nil
		}
		for i := range uint64(count) {
			e := boltPageHdr + i*boltElemSize
			if e+boltElemSize > uint64(len(p)) {
				b.bad("page %d holds %d elements, more than its %d bytes", id, count, len(p))
				return nil
			}
			pos, ks, child := uint64(ne.Uint32(p[e:])), uint64(ne.Uint32(p[e+4:])), ne.Uint64(p[e+8:])
			if e+pos+ks > uint64(len(p)) {
				b.bad("a key of page %d lies outside it", id)
				return nil
			}
			if err := b.walk(child, depth+1, names); err != nil || b.damage != "" {
				return err
			}
		}
		return nil
	}
	b.bad("page %d has page flags %#x, neither a branch nor a leaf", id, flags)
	return nil
}

// leaf checks the count elements of the leaf page p (a whole page span or
// an inline bucket's page) and the buckets they hold.
func (b *boltFile) leaf(p []byte, count uint16, where string, depth int, names map[string]bool) error {
	for i := range uint64(count) {
		e := boltPageHdr + i*boltElemSize
		if e+boltElemSize > uint64(len(p)) {
			b.bad("%s holds %d elements, more than its %d bytes", where, count, len(p))
			return nil
		}
		fl, pos := ne.Uint32(p[e:]), uint64(ne.Uint32(p[e+4:]))
		ks, vs := uint64(ne.Uint32(p[e+8:])), uint64(ne.Uint32(p[e+12:]))
		if e+pos+ks+vs > uint64(len(p)) {
			b.bad("a key or value of %s lies outside it", where)
			return nil
		}
		if fl&^boltBucketFlag != 0 {
			b.bad("an element of %s has flags %#x", where, fl)
			return nil
		}
		if fl&boltBucketFlag == 0 {
			continue
		}
		key := p[e+pos : e+pos+ks]
		v := p[e+pos+ks : e+pos+ks+vs]
		if len(v) < boltBucketHdr {
			b.bad("bucket %q in %s has a %d-byte header", key, where, len(v))
			return nil
		}
		if names != nil {
			names[string(key)] = true
		}
		if root := ne.Uint64(v); root != 0 {
			if err := b.walk(root, depth+1, nil); err != nil || b.damage != "" {
				return err
			}
			continue
		}
		// an inline bucket: a leaf page inside the value
		in := v[boltBucketHdr:]
		if len(in) < boltPageHdr {
			b.bad("inline bucket %q in %s is cut short", key, where)
			return nil
		}
		if fl := ne.Uint16(in[8:]); fl != boltLeaf {
			b.bad("inline bucket %q in %s has page flags %#x", key, where, fl)
			return nil
		}
		if err := b.leaf(in, ne.Uint16(in[10:]), fmt.Sprintf("inline bucket %q", key), depth+1, nil); err != nil || b.damage != "" {
			return err
		}
	}
	return nil
}
