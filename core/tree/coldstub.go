package tree

import (
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/compact"
	"github.com/fsmeta/fsmeta/core/meta"
)

// Stubs: cold subdirectories of cold directories.
//
// A subdirectory whose own entries are cold when its parent freezes does
// not keep its record (56 bytes and its name, plus an exception in its
// packed inode page: on 10M synthetic entries 5 bytes an entry). Its
// attributes go into the parent's block as a node entry, like a file's,
// and its inode slot holds a 16-byte stub instead:
//
//	0  u32  row of the parent's block that holds the entry
//	4  u16  the directory's attribute id (inline ids only)
//	6  u16  coldMark (the slot reads as cold: isHandle)
//	8  u32  the directory's index: its cold handle (or group row)
//	12 u32  0 (a row's block length is never 0: a stub, not a row)
//
// The entry's Size is the record's entry and subdirectory counts,
// interleaved bit by bit (small for small counts); its Data is 0. A stub
// dir has no other state: flags 0, a link count of its own is never kept
// for directories.
//
// Reads: getattr decodes the parent's block (a file's cost); a lookup by
// the directory's inode needs only the attribute id (permissions) and the
// index, both in the stub (dirToRead), so it decodes one block, as before;
// a lookup or listing that meets the entry in the parent's block builds
// the record from the entry and the stub. A change (getNode under the
// write lock) makes the record again (materialize), as a kept record
// (keptDir): the parent's entry is then stale and the slot, which no
// longer holds the stub, says so (coldEnt reads the record). Thawing the
// parent makes records of its stubs' entries, or links the kept ones.
const stubSize = 16

type stub struct {
	word   uint64 // prow | attr << 32 | coldMark << 48
	handle arena.Ref
	zero   uint32
}

func (t *Tree) stubAt(r arena.Ref) *stub { return (*stub)(t.a.Ptr(r)) }

// isStub reports whether r, a slot value that isHandle, is a stub.
func (t *Tree) isStub(r arena.Ref) bool { return t.row(r).n == 0 }

func (s *stub) prow() arena.Ref { return arena.Ref(uint32(s.word)) }
func (s *stub) attr() uint16    { return uint16(s.word >> 32) }

// stubbable reports whether subdirectory record h may become a stub when
// its parent freezes: it is cold, or freezes with it (member, in a group).
func stubbable(h *nodeHdr, member bool) bool {
	return (h.cold() || member) && !h.migrating() && h.flags == 0 && h.attr() < coldMark
}

// interleave packs a directory's entry and subdirectory counts (29 bits
// each) bit by bit: even bits the entries, odd bits the subdirectories.
func interleave(size uint64) uint64 {
	return spread(size&cntMask) | spread(size>>cntBits&cntMask)<<1
}

// deinterleave undoes interleave (the record's size field, logb 0).
func deinterleave(v uint64) uint64 {
	return gather(v) | gather(v>>1)<<cntBits
}

// spread moves bit i of x (< 2^32) to bit 2i.
func spread(x uint64) uint64 {
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return x
}

// gather is spread's inverse on the even bits of x.
func gather(x uint64) uint64 {
	x &= 0x5555555555555555
	x = (x | x>>1) & 0x3333333333333333
	x = (x | x>>2) & 0x0F0F0F0F0F0F0F0F
	x = (x | x>>4) & 0x00FF00FF00FF00FF
	x = (x | x>>8) & 0x0000FFFF0000FFFF
	x = (x | x>>16) & 0x00000000FFFFFFFF
	return x & cntMask
}

// dirAttr reports whether a, an entry's attribute id as a block holds it,
// is a directory's inline id: a stub's (a wide id reads 0xFFFF in a block,
// and the side map has the real one).
func (t *Tree) dirAttr(a uint32) bool {
	return a < coldMark && a < uint32(len(t.attrs)) && isDir(uint32(t.attrs[a].mode))
}

// stubEntry reports whether cold entry e is a stub directory's.
func (t *Tree) stubEntry(e *compact.Entry) bool { return !e.Link && t.dirAttr(e.Attr) }

// fillDir sets the directory fields of record h, made from the stub
// entry e, whose index is handle.
func fillDir(h *nodeHdr, e *compact.Entry, handle arena.Ref) {
	h.size = deinterleave(e.Size)
	h.ext = 0
	h.data = e.Dir & inoMask
	h.setIndex(handle, 0, false)
}

// stubScratch returns the scratch record of stub entry e, whose index is
// handle.
func stubScratch(e *compact.Entry, handle arena.Ref) *nodeHdr {
	h := (*nodeHdr)(unsafe.Pointer(scratch(e)))
	fillDir(h, e, handle)
	return h
}

// stubEntryOf decodes the entry of stub r (inode ino) from its parent's
// block.
func (t *Tree) stubEntryOf(r arena.Ref, ino meta.Ino) (compact.Entry, bool) {
	b := t.row(t.stubAt(r).prow())
	blk := t.lendBlock()
	e, ok, err := blk.LookupIno(t.a.Bytes(b.ref, int(b.n)), uint64(ino))
	blockPool.Put(blk)
	if err != nil || !ok || !t.stubEntry(&e) {
		return compact.Entry{}, false
	}
	return e, true
}

// stubNode returns the record of stub directory ino (slot r): a scratch
// copy for reads; under the write lock the record made again
// (materialize). nil if the entry cannot be found (corruption) or memory
// ran out.
func (t *Tree) stubNode(r arena.Ref, ino meta.Ino) *nodeHdr {
	e, ok := t.stubEntryOf(r, ino)
	if !ok {
		return nil
	}
	handle := t.stubAt(r).handle
	if !t.writer {
		return stubScratch(&e, handle)
	}
	if !t.unpackFor(ino) {
		return nil
	}
	rec, err := t.a.AllocLongLived(recSize(false, len(e.Name)), arena.PNode)
	if err != nil {
		return nil
	}
	h := t.node(rec)
	t.fillRecord(h, &e)
	fillDir(h, &e, handle)
	h.next = 0 // in no chain while its entry is cold
	t.setSlot(ino, rec)
	t.a.Free(r, stubSize, arena.PCold)
	t.coldStubs--
	return h
}

// fillRecord sets node record h (allocated for e's name) from cold entry e.
func (t *Tree) fillRecord(h *nodeHdr, e *compact.Entry) {
	h.inoAttr = e.Ino | uint64(e.Attr)<<48
	h.next = 0
	h.flags, h.namelen, h.ext = e.Flags, uint8(len(e.Name)), uint16(e.Nlink)
	h.size, h.data = e.Size, e.Data
	h.atime, h.mtime, h.ctime = e.Atime, e.Mtime, e.Ctime
	copy(h.name(), e.Name)
}

// dirToRead returns directory ino for a lookup of a name in it (not "."
// or "..") or a listing of it: for a stub under the read lock, a partial
// scratch record with only what those read (inode, attribute id, the cold
// index), so that they decode the directory's blocks only, not also its
// parent's.
// The partial record is made in lite (the caller's, on its stack).
func (t *Tree) dirToRead(ino meta.Ino, lite *nodeHdr) (*nodeHdr, meta.Errno) {
	if !t.writer {
		if r := t.nodeRef(ino); r != 0 && t.isHandle(r) && t.isStub(r) {
			s := t.stubAt(r)
			if !t.dirAttr(uint32(s.attr())) {
				return nil, meta.ENOTDIR // (corrupt: a stub is always a directory's)
			}
			*lite = nodeHdr{inoAttr: uint64(ino) | uint64(s.attr())<<48}
			lite.setIndex(s.handle, 0, false)
			return lite, 0
		}
	}
	return t.dirOf(ino)
}

// stubPlan is a subdirectory a freeze makes a stub.
type stubPlan struct {
	handle arena.Ref
	attr   uint16
	ref    arena.Ref // the stub, once allocated
}

// allocStubs allocates the stubs of fr's plans; on false memory ran out
// and none is allocated.
func (fr *frozen) allocStubs(t *Tree) bool {
	for ino, p := range fr.stubs {
		r, err := t.a.Alloc(stubSize, arena.PCold)
		if err != nil {
			fr.freeStubs(t)
			return false
		}
		p.ref = r
		fr.stubs[ino] = p
	}
	return true
}

// freeStubs frees the stubs allocStubs allocated (a freeze that fails).
func (fr *frozen) freeStubs(t *Tree) {
	for ino, p := range fr.stubs {
		if p.ref != 0 {
			t.a.Free(p.ref, stubSize, arena.PCold)
			p.ref = 0
			fr.stubs[ino] = p
		}
	}
}

// setSlots points the inode slots of the node entries ents (now in the
// block of row rowOf(k)) at their rows, or at their stubs, filled.
func (fr *frozen) setSlots(t *Tree, ents []compact.Entry, rowOf func(k int) arena.Ref) {
	for k := range ents {
		e := &ents[k]
		if e.Link {
			continue
		}
		row := rowOf(k)
		if p, ok := fr.stubs[e.Ino]; ok {
			*t.stubAt(p.ref) = stub{word: uint64(row) | uint64(p.attr)<<32 | coldMark<<48, handle: p.handle}
			t.setSlot(meta.Ino(e.Ino), p.ref)
			t.coldStubs++
			continue
		}
		t.setSlot(meta.Ino(e.Ino), row)
	}
}
