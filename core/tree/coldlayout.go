package tree

import (
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/compact"
	"github.com/fsmeta/fsmeta/core/meta"
)

// The layout of cold directories: the overview below, with the format of a
// cold handle and its rows, and the accessors of handles and rows. The rest
// of the cold form has files of its own: the blocks' encoding
// (coldcodec.go), reads of cold entries (coldlookup.go) and listings
// (coldlist.go), freezing (coldfreeze.go) and thawing (coldthaw.go), the
// compaction passes that decide what freezes (coldpolicy.go), data maps and
// targets in blocks (coldblob.go), blocks packed into packs (coldpack.go),
// cold runs of large directories (coldrun.go) and stubs of cold
// subdirectories (coldstub.go).

// Cold directories.
//
// A directory nobody has changed for a while can be made cold: its entries'
// records are encoded into compressed column-wise blocks (core/compact) of
// about coldBlock entries, and the records, chains and bucket array are
// freed. Blocks split the directory by name hash, the order of listings and
// their cursors: block k holds the entries whose hashes lie from its first
// hash up to the next block's (one hash is never split), sorted by name
// inside the block (front coding). A lookup hashes the name and decodes one
// block; a listing page decodes the blocks of its hash range.
//
// A file's or other node's entry is its record's fields, byte-exact, and its
// data map or symlink target moves into the block as the entry's Extra
// (coldblob.go). A subdirectory that is cold itself (or freezes in the
// same group) goes into the block like a file, and its inode slot holds a
// 16-byte stub with its index and attribute id (coldstub.go). Any other
// subdirectory's record does not go into the block: the block lists it
// like a hard link (name and inode number) and the record stays hot, moved
// to long-lived slabs, in no chain (keptDir). Either way a lookup through a
// cold directory never decodes a block to find the directory below. The
// side maps keyed by inode (link counts, opens, xattrs, wide attribute ids)
// do not change. Freezing and thawing are exact inverses.
//
// The cold directory's own record keeps its place; its index field, which
// held the bucket array, holds the ref of a cold handle instead, with logb 0
// (a hot index always has logb >= 1). The handle is a table with one 24-byte
// row per block, then (with more than one block) the blocks' first hashes:
//
//	row: 0  u64  directory ino | coldMark << 48
//	     8  u32  block ref
//	     12 u32  block length (its byte 12 reads as record flags 0: never detached)
//	     16 u16  row number
//	     18 u16  rows
//	     20 u32  0, or in a group row the number of member directories
//	hashes: rows x u64, the smallest name hash in each block
//
// Small directories share blocks: most directories hold a few entries, and
// a block and a row of their own would cost them more than their entries.
// The compactor packs idle directories of at most coldGroupDir entries
// into one block of about coldGroupTarget entries, sorted by (directory, name),
// with one row (a group row: rows 1, its last word the number of member
// directories still cold, its directory field the first member's) that
// every member's index refers to. Thawing a member leaves its entries in
// the block, dead (no index and no inode slot refers to them: the block
// is never searched for another directory's entries), and counts the row
// down; the last member to thaw frees the block and the row.
//
// Every cold inode's slot in the inode table holds the ref of its block's
// row: the first word tells a row (attribute id coldMark, which the
// dictionary never hands out inline) from a node record, and getNode
// decodes just that block. So the inode index stays the table's 4 bytes per
// inode, and a getattr decodes one block.
//
// Reads answer from the blocks without changing anything: a cold entry is
// decoded into a scratch record (Go memory, the same layout) that every read
// path can use. A change thaws first: under the write lock, getNode, find,
// scan and prepareInsert rebuild the hot records of the directory they meet
// cold (thaw), so the code of every operation runs on the hot form only.
// Listings of a cold directory come in the same hash order, with the same
// cursors, as the hot form's.
const (
	coldMark  = 0xFFFE // attr id of a handle row's first word; inline ids stay below it
	coldBlock = 32     // entries per block: measured on 10M synthetic entries, 32 against 64 costs 2.2 B/entry more and halves a cold lookup (p50 6.5 -> 3.8 µs)
	// coldMaxDir bounds the directories made cold whole: a change in a
	// cold directory thaws it whole (about 0.3 µs an entry), so a change
	// in a cold directory of a million entries waits ~0.3 s once. Larger
	// ones go cold a run at a time, and a change thaws one run.
	coldMaxDir = 1 << 20
	// coldStepDir is the default CompactOptions.MaxDir: freezing a
	// directory whole takes about 1-1.2 µs an entry under the write lock
	// (a 100k-entry directory stalled writers 120 ms), so larger ones
	// freeze a run at a time (coldrun.go), and a step holds the lock for
	// about its budget of 1,000 entries. Measured on 3M synthetic files
	// with the background compactor: the longest step 9.0 ms with 8192,
	// 6.0 ms with 1024, and the same memory once all is cold (61.9 and
	// 62.1 B/entry RSS). An explicit Compact may freeze whole directories
	// up to coldMaxDir.
	coldStepDir = 1 << 10
	coldRow     = 24
	rowRefs     = coldRow / 8 // a row's size in Refs
	// coldGroupDir is the largest directory packed with others into a
	// shared block (a group).
	coldGroupDir = coldBlock / 2
	// coldGroupTarget is the entries a group gathers before its block is
	// written (so a group block holds up to coldGroupTarget+coldGroupDir-1).
	// On 10M synthetic entries groups save 4 B/entry and cost a cold lookup
	// about 1 µs at p50 (a lookup decodes the whole block's columns):
	// 3.8-4.0 µs without groups, 4.9-5.2 with 32, 4.7-5.0 with 24 (with
	// packed inode pages and no checksum: 4.7). The blocks take 36.2, 36.0
	// and 35.7 B/entry at 24, 32 and 48 (1M entries).
	coldGroupTarget = 24
)

// coldBlk is a row of a cold handle.
type coldBlk struct {
	inoAttr uint64
	ref     arena.Ref
	n       uint32
	row     uint16
	rows    uint16
	grp     uint32 // a group row's live member directories; 0 in a directory's own handle
}

func (b *coldBlk) attr() uint16  { return uint16(b.inoAttr >> 48) }
func (b *coldBlk) dir() meta.Ino { return meta.Ino(b.inoAttr & inoMask) }

func (t *Tree) row(r arena.Ref) *coldBlk { return (*coldBlk)(t.a.Ptr(r)) }

// entRange returns the entries of block blk that belong to directory dir:
// all of them in a directory's own block, dir's run in a group's.
func entRange(b *coldBlk, blk *compact.Block, dir meta.Ino) (lo, hi int) {
	if b.grp == 0 || b.rows == 0 { // a directory's own block, or a run's
		return 0, blk.Len()
	}
	return blk.DirRange(uint64(dir))
}

// handleOf returns the handle (its first row) of row r.
func (t *Tree) handleOf(r arena.Ref) arena.Ref { return r - arena.Ref(rowRefs*int(t.row(r).row)) }

func (t *Tree) coldBlocks(hr arena.Ref) []coldBlk {
	h := t.row(hr)
	return unsafe.Slice(h, h.rows)
}

// handleSize is the size of handle r (for Free and the accounting).
func (t *Tree) handleSize(r arena.Ref) int { return handleBytes(int(t.row(r).rows)) }

func handleBytes(rows int) int {
	if rows > 1 {
		return (coldRow + 8) * rows
	}
	return coldRow
}

// firstHashes returns the first hash of every block (nil for one block).
func (t *Tree) firstHashes(r arena.Ref) []uint64 {
	rows := int(t.row(r).rows)
	if rows <= 1 {
		return nil
	}
	return unsafe.Slice((*uint64)(unsafe.Add(t.a.Ptr(r), coldRow*rows)), rows)
}

// blockOf returns the block of handle r that holds hash h: the last one whose
// first hash is <= h.
func (t *Tree) blockOf(r arena.Ref, h uint64) int {
	fh := t.firstHashes(r)
	if fh == nil {
		return 0
	}
	return max(0, sortSearch(len(fh), func(k int) bool { return fh[k] > h })-1)
}

func sortSearch(n int, f func(int) bool) int {
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if !f(m) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// cold reports whether a directory record's index is a cold handle.
func (h *nodeHdr) cold() bool { return h.logb() == 0 && h.buckets() != 0 }

// isHandle reports whether the object a slot refers to is a cold handle.
func (t *Tree) isHandle(r arena.Ref) bool { return t.node(r).attr() == coldMark }
