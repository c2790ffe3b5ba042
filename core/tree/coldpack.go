package tree

import (
	"encoding/binary"

	"github.com/fsmeta/fsmeta/core/arena"
)

// Cold blocks are packed back to back into 64 KiB packs, not allocated one
// by one: a block's size is whatever compression made it, and the arena's
// size classes (eight per power of two) lost 4-7% of every block to
// rounding, plus a partly used slab for each of the ~86 classes blocks
// fell into (on 10M synthetic entries 2.5 bytes an entry of 31).
//
// In a pack, a block is preceded by an 8-byte header, the ref of the row
// that points to the block (0 once freed) and its length, and padded to 8
// bytes; the row's ref is the block's first byte. Packs are filled in
// order (the current pack, t.pack); the Go side keeps each pack's live
// bytes. Freeing a block marks its header and takes its bytes off its
// pack's count; a pack left empty is freed, and one left less than half
// full is moved, by the compactor's steps, into the current pack (each
// live block copied, its row's ref changed) and freed. Blocks larger than
// packMaxBlock (a file with a huge data map) are arena objects of their
// own, as before.
//
// The handles of large directories (tables of rows, over packMinHandle
// bytes) go into packs too, pinned (the header's row is pinnedRow): each
// size of them otherwise held a partly used 256 KiB slab of its own class
// (on 10M synthetic entries 40 classes, 8.5 MB). A handle is never moved,
// since inode slots refer to its rows; a sparse pack keeps its handles and
// is freed when they go.
const (
	packSize     = 64 << 10 // an arena size class: packs are 64 KiB aligned
	packUnits    = packSize >> 3
	blockHdr     = 8
	packMaxBlock = 8 << 10
	// packMinHandle is the smallest handle put in a pack: the classes of
	// smaller ones step by 8 bytes and are full of handles.
	packMinHandle = 256
	// pinnedRow in a pack header marks a handle (slab 0 holds no row).
	pinnedRow arena.Ref = 1
)

// packInfo is a pack's live bytes (headers and padding included).
type packInfo struct {
	live int32
}

func packSpan(n int) int { return blockHdr + (n+7)&^7 }

// packOf returns the pack holding ref, if ref is a packed block.
func (t *Tree) packOf(ref arena.Ref) (arena.Ref, *packInfo) {
	p := ref &^ (packUnits - 1)
	return p, t.packs[p]
}

// allocBlock allocates n bytes for a block that row will point to.
func (t *Tree) allocBlock(n int, row arena.Ref) (arena.Ref, error) {
	if n > packMaxBlock {
		return t.a.Alloc(n, arena.PCold)
	}
	span := packSpan(n)
	if t.pack == 0 || t.packUsed+span > packSize {
		p, err := t.a.Alloc(packSize, arena.PCold)
		if err != nil {
			return 0, err
		}
		if t.packs == nil {
			t.packs = map[arena.Ref]*packInfo{}
		}
		t.packs[p] = &packInfo{}
		t.retirePack()
		t.pack, t.packUsed = p, 0
	}
	at := t.a.Bytes(t.pack, packSize)[t.packUsed:]
	binary.LittleEndian.PutUint32(at, uint32(row))
	binary.LittleEndian.PutUint32(at[4:], uint32(n))
	r := t.pack + arena.Ref((t.packUsed+blockHdr)>>3)
	t.packUsed += span
	t.packs[t.pack].live += int32(span)
	return r, nil
}

// allocHandle allocates a handle of n bytes.
func (t *Tree) allocHandle(n int) (arena.Ref, error) {
	if n <= packMinHandle {
		return t.a.Alloc(n, arena.PCold)
	}
	return t.allocBlock(n, pinnedRow)
}

// freeHandle frees handle hr of n bytes.
func (t *Tree) freeHandle(hr arena.Ref, n int) { t.freeBlock(hr, n) }

// retirePack is called when the current pack is full: an empty one is
// freed, one less than half live becomes sparse at once.
func (t *Tree) retirePack() {
	if t.pack == 0 {
		return
	}
	switch pi := t.packs[t.pack]; {
	case pi == nil:
	case pi.live == 0:
		t.freePack(t.pack)
	case pi.live < packSize/2:
		t.sparsePacks = append(t.sparsePacks, t.pack)
	}
}

// freePack frees pack p, which holds no live block.
func (t *Tree) freePack(p arena.Ref) {
	t.a.Free(p, packSize, arena.PCold)
	delete(t.packs, p)
}

// freeBlock frees block ref of n bytes.
func (t *Tree) freeBlock(ref arena.Ref, n int) {
	p, pi := t.packOf(ref)
	if pi == nil {
		t.a.Free(ref, n, arena.PCold)
		return
	}
	hdr := t.a.Bytes(ref-1, blockHdr)
	binary.LittleEndian.PutUint32(hdr, 0)
	was := pi.live
	pi.live -= int32(packSpan(n))
	switch {
	case p == t.pack:
	case pi.live == 0:
		t.freePack(p) // (a stale entry in sparsePacks is skipped)
	case was >= packSize/2 && pi.live < packSize/2:
		t.sparsePacks = append(t.sparsePacks, p)
	}
}

// movePacks moves the live blocks of sparse packs into the current pack,
// about budget bytes, and frees the packs emptied. It reports the bytes
// moved and whether sparse packs are left.
func (t *Tree) movePacks(budget int) (int, bool) {
	moved := 0
	for len(t.sparsePacks) > 0 && moved < budget {
		p := t.sparsePacks[len(t.sparsePacks)-1]
		pi := t.packs[p]
		if pi == nil || p == t.pack || pi.live >= packSize/2 {
			t.sparsePacks = t.sparsePacks[:len(t.sparsePacks)-1]
			continue
		}
		if pi.live == 0 {
			t.freePack(p) // emptied while it was the current pack
			t.sparsePacks = t.sparsePacks[:len(t.sparsePacks)-1]
			continue
		}
		b := t.a.Bytes(p, packSize)
		before := moved
		for off := 0; off+blockHdr <= packSize && pi.live > 0; {
			row := arena.Ref(binary.LittleEndian.Uint32(b[off:]))
			n := int(binary.LittleEndian.Uint32(b[off+4:]))
			if n == 0 {
				break // the end of what was filled
			}
			span := packSpan(n)
			if row != 0 && row != pinnedRow {
				nr, err := t.allocBlock(n, row) // in the current pack, never p
				if err != nil {
					return moved, true // out of memory: try again later
				}
				copy(t.a.Bytes(nr, n), b[off+blockHdr:off+blockHdr+n])
				t.row(row).ref = nr
				t.freeBlock(p+arena.Ref((off+blockHdr)>>3), n)
				moved += span
				if t.packs[p] == nil {
					break // freed with its last block
				}
			}
			off += span
		}
		if moved == before && t.packs[p] != nil {
			// only handles left (or live bytes counted but no live block
			// found: the count is wrong, fsck says so): leave the pack
			// rather than loop
			t.sparsePacks = t.sparsePacks[:len(t.sparsePacks)-1]
		}
	}
	return moved, len(t.sparsePacks) > 0
}

// packStats returns the number of packs and their live bytes in total.
func (t *Tree) packStats() (packs, live int) {
	for _, pi := range t.packs {
		packs++
		live += int(pi.live)
	}
	return
}
