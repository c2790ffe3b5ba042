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
	"github.com/fsmeta/fsmeta/core/meta"
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
//
// Reading (ReadSnapshot) is in snapshot_read.go.

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
	root := t.getNode(meta.RootIno)
	sw.buf = append(sw.buf, 'R')
	t.nodeData(sw, root)
	sw.item()
	queue := []meta.Ino{meta.RootIno}
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
					queue = append(queue, meta.Ino(h.inum()))
				}
			}
			sw.ents++
			sw.item()
			return true
		})
	}
	buf := make([]arena.Ref, pageSlots)
	for p := range t.pages { // detached inodes, by number
		for i, r := range t.pageRefs(p, buf) {
			ino := meta.Ino(uint64(p)<<pageShift | uint64(i))
			if r != 0 && ino != meta.RootIno && !t.isHandle(r) && t.node(r).flags&fDetached != 0 {
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
	ino := meta.Ino(h.inum())
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
	switch mode & meta.S_IFMT {
	case meta.S_IFREG:
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
	case meta.S_IFLNK:
		sw.bytes(unsafe.Slice((*byte)(t.dataPtr(h)), int(h.size)))
	case meta.S_IFCHR, meta.S_IFBLK:
		sw.uv(h.data)
	}
	if h.flags&fXattr != 0 {
		r := t.xattrs[ino]
		n := binary.LittleEndian.Uint32(t.a.Bytes(r, 4))
		sw.bytes(t.a.Bytes(r, int(n)))
	}
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
		coldDirs: t.coldDirs, coldEntries: t.coldEntries, coldGroups: t.coldGroups, coldStubs: t.coldStubs,
		runs: maps.Clone(t.runs), coldRuns: t.coldRuns}
	v.dict.Store(t.dict.Load())
	for k, m := range t.migs {
		c := *m
		v.migs[k] = &c
	}
	v.mu.init()
	return v
}
