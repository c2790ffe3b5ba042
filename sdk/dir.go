package fsmeta

import (
	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/tree"
)

// DirIter walks a directory listing in batches; see ReadDir for the order and
// the guarantees under concurrent change. Not safe for concurrent use.
type DirIter struct {
	db     *DB
	c      *Caller
	ino    Ino
	plus   bool
	cursor uint64
	buf    []DirEntry
	pos    int
	done   bool
	closed bool
	err    error
}

// OpenDir starts a listing of directory ino (read permission is checked
// now). plus asks for attributes with every entry.
func (db *DB) OpenDir(c *Caller, ino Ino, plus bool) (*DirIter, error) {
	c, err := callerOf("readdir", ino, "", c)
	if err != nil {
		return nil, err
	}
	it := &DirIter{db: db, c: c, ino: ino, plus: plus}
	if err := it.fill(); err != nil {
		return nil, err
	}
	return it, nil
}

func (it *DirIter) fill() error {
	ents, next, e := it.db.reads().ReadDir(it.c, it.ino, it.cursor, 512, it.plus, it.buf[:0])
	if err := it.db.wrap("readdir", it.ino, "", e); err != nil {
		return err
	}
	it.buf, it.pos, it.cursor = ents, 0, next
	it.done = next == 0
	return nil
}

// Next returns the next entry, or false at the end or on an error (see Err).
// Once the DB is closed, Next returns false and Err ErrClosed, whatever the
// iterator still holds and even after the end of the listing.
func (it *DirIter) Next() (DirEntry, bool) {
	if it.closed || it.db.closed.Load() {
		it.err, it.buf, it.pos = ErrClosed, nil, 0
		return DirEntry{}, false
	}
	for it.pos >= len(it.buf) {
		if it.done || it.err != nil {
			return DirEntry{}, false
		}
		if it.err = it.fill(); it.err != nil {
			return DirEntry{}, false
		}
	}
	it.pos++
	return it.buf[it.pos-1], true
}

// DirEnd is the cursor of a listing that has returned every entry (Tell at
// the end; Seek to it ends the listing).
const DirEnd = ^uint64(0)

// Tell returns the cursor of the entry Next would return next: Seek to it, on
// this iterator or another one of the same directory, resumes the listing
// there, with the guarantees of ReadDir (every entry that exists throughout
// is returned exactly once). At the end it is DirEnd. A cursor is the
// 64-bit hash of the next name, so it stays valid whatever changes in the
// directory, and 0 is the start. (Two names of one hash, which xxhash64
// practically never gives, are resumed together: the first one may come
// again.)
func (it *DirIter) Tell() uint64 {
	switch {
	case it.pos < len(it.buf):
		return tree.NameCursor(it.buf[it.pos].Name)
	case it.done:
		return DirEnd
	}
	return it.cursor
}

// Seek makes Next continue from cursor (0: the start; a value from Tell; DirEnd:
// the end). The entries already fetched are dropped; the next call of Next
// reads from the engine (read permission is checked again there). An error
// that stopped the listing is cleared; a closed iterator stays closed.
func (it *DirIter) Seek(cursor uint64) {
	it.buf, it.pos, it.err = it.buf[:0], 0, nil
	it.cursor, it.done = cursor, cursor == DirEnd
}

// Err returns the error that stopped Next, if any (ErrClosed once the DB or
// the iterator is closed).
func (it *DirIter) Err() error { return it.err }

// Close ends the listing; Next afterwards returns false and Err ErrClosed.
func (it *DirIter) Close() error {
	it.closed = true
	it.buf = nil
	return nil
}

// FsckError is what Fsck returns when the state breaks an invariant: the
// problems found, for reports.
type FsckError = tree.FsckError

// Stats are counts and memory figures of the engine.
type Stats = tree.Stats

// Stats returns the engine's counts and memory accounting.
func (db *DB) Stats() Stats {
	if db.remote != nil {
		return Stats{}
	}
	return db.tree().Stats()
}

// Fsck checks every invariant of the engine's state (docs/architecture.md invariant 7)
// and returns nil, or an error listing what is wrong.
func (db *DB) Fsck() error {
	if db.closed.Load() {
		return ErrClosed
	}
	if db.remote != nil {
		return errRemote("fsck")
	}
	return db.tree().Fsck()
}

// CompactOptions and CompactStats steer and report compaction (Compact).
type (
	CompactOptions = tree.CompactOptions
	CompactStats   = tree.CompactStats
)

// Compact makes idle directories cold (serialized and compressed,
// core/tree/coldpolicy.go) until a whole pass is done; with o.All, every
// directory, idle or not. It works in steps of about o.Budget entries, each
// under the write lock alone, so other calls wait at most for one step.
// progress, if not nil, gets the totals after every step. The engine also
// compacts idle directories by itself (Options.CompactAfter).
func (db *DB) Compact(o CompactOptions, progress func(CompactStats)) (CompactStats, error) {
	if db.closed.Load() {
		return CompactStats{}, ErrClosed
	}
	if db.remote != nil {
		return CompactStats{}, errRemote("compact")
	}
	return db.tree().Compact(o, progress), nil
}

// ArenaClass is one size class of the arena in use: its zone ("records",
// "cold" or "other"), object size, slabs and live objects.
type ArenaClass = arena.ClassUse

// ArenaSlabBytes is the size of one slab of the arena: a class's memory is
// Slabs*ArenaSlabBytes, of which Live*Size is in use.
const ArenaSlabBytes = arena.SlabSize

// ArenaClasses reports the arena's size classes in use: slabs and live
// objects per class, the picture of its fragmentation.
func (db *DB) ArenaClasses() []ArenaClass {
	if db.remote != nil {
		return nil
	}
	return db.tree().ArenaClasses()
}

// ArenaPurposeName names index i of Stats().Arena.ByPurpose (node records,
// data maps, directory buckets, ...).
func ArenaPurposeName(i int) string { return arena.PurposeName(i) }
