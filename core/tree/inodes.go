package tree

import (
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/meta"
)

// The inode table maps an inode number to its node record: pages of 32,768
// refs (128 KiB, the largest small class) in arena memory, found through a Go slice of page refs (an
// integer slice: nothing for the GC to scan). Inode numbers come from a
// counter, so the table is dense; a page whose inodes are all gone is freed.
const (
	pageShift = 15
	pageSlots = 1 << pageShift
	pageBytes = pageSlots * 4
)

// slot returns ino's slot in a plain page (nil if its page has no memory
// or is packed: inodepack.go).
func (t *Tree) slot(ino meta.Ino) *arena.Ref {
	p := uint64(ino) >> pageShift
	if p >= uint64(len(t.pages)) || t.pages[p].ref == 0 || t.pages[p].packed != 0 {
		return nil
	}
	return (*arena.Ref)(unsafe.Add(t.a.Ptr(t.pages[p].ref), (uint64(ino)&(pageSlots-1))*4))
}

// nodeRef returns the record of ino, or 0.
func (t *Tree) nodeRef(ino meta.Ino) arena.Ref {
	p := uint64(ino) >> pageShift
	if p >= uint64(len(t.pages)) {
		return 0
	}
	pg := &t.pages[p]
	if pg.ref == 0 {
		return 0
	}
	if pg.packed != 0 {
		return t.packedGet(pg.ref, uint32(ino)&(pageSlots-1))
	}
	return *(*arena.Ref)(unsafe.Add(t.a.Ptr(pg.ref), (uint64(ino)&(pageSlots-1))*4))
}

// getNode returns the node record of ino, or nil.
func (t *Tree) getNode(ino meta.Ino) *nodeHdr {
	if r := t.nodeRef(ino); r != 0 {
		if h := t.node(r); h.attr() != coldMark {
			return h
		}
		return t.coldNode(r, ino) // in a cold directory's blocks
	}
	return nil
}

// ensureSlot makes sure ino's page exists (it may allocate).
func (t *Tree) ensureSlot(ino meta.Ino) bool {
	p := uint64(ino) >> pageShift
	for uint64(len(t.pages)) <= p {
		t.pages = append(t.pages, inodePage{})
	}
	if t.pages[p].ref == 0 {
		r, err := t.a.Alloc(pageBytes, arena.PInodeTable)
		if err != nil {
			return false
		}
		t.pages[p].ref = r
	}
	return true
}

// setSlot sets ino's slot (its page exists). A packed page is unpacked
// first: when even that memory cannot be had (the arena is full and the
// spare pages are used up, inodepack.go), the change panics with ENOSPC.
func (t *Tree) setSlot(ino meta.Ino, r arena.Ref) {
	p := uint64(ino) >> pageShift
	if t.pages[p].packed != 0 && !t.unpackInodePage(p) {
		panic(meta.ENOSPC)
	}
	s := t.slot(ino)
	old := *s
	*s = r
	switch {
	case old == 0 && r != 0:
		t.pages[p].live++
	case old != 0 && r == 0:
		t.pages[p].live--
		if t.pages[p].live == 0 && p != uint64(t.nextIno)>>pageShift {
			t.a.Free(t.pages[p].ref, pageBytes, arena.PInodeTable)
			t.pages[p].ref = 0
		}
	}
}

type inodePage struct {
	ref    arena.Ref
	live   uint32
	packed uint32 // size of the packed form at ref (inodepack.go); 0: a plain page
}
