package tree

import (
	"time"

	"github.com/fsmeta/fsmeta/core/compact"
	"github.com/fsmeta/fsmeta/core/meta"
)

// Compaction: what freezes and when. The compaction API (CompactOptions,
// CompactStep, Compact), the passes over the inode table in bounded steps,
// and the idle tracking that keeps changed directories hot.

// touched notes that dir changed (or thawed): it is not idle until the
// compaction pass after the current one.
func (t *Tree) touched(dir *nodeHdr) {
	t.passDirty = true
	if t.recent != nil {
		t.recent[meta.Ino(dir.inum())] = struct{}{}
	}
}

// CompactOptions steer a compaction pass.
type CompactOptions struct {
	// All compacts every directory it can, idle or not (what a long idle
	// period would do; for benchmarks and tests).
	All bool
	// Budget is how many entries one step may freeze before it lets other
	// work in (default 1000).
	Budget int
	// MaxDir is the largest directory (in entries) to freeze whole, about
	// 1.2 µs an entry under the write lock. Default 1024 (~1.2 ms); at most
	// 2^20. Larger directories freeze a run of about RunEntries entries at
	// a time (coldrun.go), within the step's budget.
	MaxDir int
	// RunEntries is the entries a run's block gathers (default 32).
	RunEntries int
	// DictSample is the bytes of samples of blocks after which the tree
	// makes its block dictionary (default 64 KiB; negative: none; the
	// first step's value counts).
	DictSample int
	// MaxStep ends a step that has frozen something once it has held the
	// write lock this long (default 2 ms; negative: no limit): on a large
	// cold tree every entry a step meets is a cache miss, and 1,000 of
	// them took up to 9-15 ms on 10M entries.
	MaxStep time.Duration
}

// CompactStats report a compaction step.
type CompactStats struct {
	Dirs, Entries int  // directories and entries made cold by this step
	Moved         int  // bytes of blocks moved out of packs left sparse by thaws
	Done          bool // the pass reached the end of the inode table
	// Held is how long the step held the write lock (what a request
	// could wait for it)
	Held time.Duration
}

// CompactStep runs one bounded step of a compaction pass: from where the
// last step stopped, it looks at directories in descending inode order and freezes
// those not thawed since the previous pass (all of them with o.All), until
// it has frozen about o.Budget entries or looked at as many inodes. It holds
// the write lock for the step only. When a pass ends (Done), the next step
// starts another from the first inode, and directories thawed during the
// pass count as idle again by the end of the next one.
func (t *Tree) CompactStep(o CompactOptions) CompactStats {
	if o.Budget <= 0 {
		o.Budget = 1000
	}
	if o.MaxDir <= 0 {
		o.MaxDir = coldStepDir
	}
	o.MaxDir = min(o.MaxDir, coldMaxDir)
	if o.RunEntries <= 0 {
		o.RunEntries = coldBlock
	}
	if o.MaxStep == 0 {
		o.MaxStep = 2 * time.Millisecond
	}
	o.RunEntries = min(o.RunEntries, compact.MaxEntries/2)
	if !t.wlock() {
		return CompactStats{Done: true}
	}
	defer t.wunlock()
	if t.dictAt == 0 {
		t.dictAt = dictSample
		if o.DictSample != 0 {
			t.dictAt = max(o.DictSample, compact.MinDictSize)
		}
		if o.DictSample < 0 {
			t.dictAt = -1
		}
	}
	start := time.Now()
	st := t.compactStep(o, start)
	st.Held = time.Since(start)
	return st
}

// compactStep is CompactStep under the write lock, taken at start.
func (t *Tree) compactStep(o CompactOptions, start time.Time) CompactStats {
	// over reports that the step has done something and used its time
	over := func(done int) bool { return done > 0 && o.MaxStep > 0 && time.Since(start) > o.MaxStep }
	var st CompactStats
	if t.recent == nil {
		t.recent = map[meta.Ino]struct{}{}
	}
	looked := 0
	// Small idle directories met one after the other are packed into
	// groups of about coldGroupTarget entries (by inode number: their records
	// may move as other directories freeze).
	var pend []meta.Ino
	pendN := 0
	flush := func() {
		var dirs []*nodeHdr
		n := 0
		for _, ino := range pend {
			r := t.nodeRef(ino)
			if r == 0 || t.isHandle(r) {
				continue
			}
			if h := t.node(r); isDir(t.mode(h)) && !h.cold() && h.count() > 0 {
				dirs = append(dirs, h)
				n += int(h.count())
			}
		}
		pend, pendN = pend[:0], 0
		if len(dirs) == 0 {
			return
		}
		if t.freezeDirs(dirs) {
			st.Dirs += len(dirs)
			st.Entries += n
		}
	}
	// pause ends the step; the next one starts at inode at
	pause := func(at meta.Ino) CompactStats {
		flush() // the group cannot wait for the next step: the lock goes
		t.compactCursor = at
		if st.Entries > 0 {
			t.a.Trim()
			// as at a pass's end: a first pass over a large tree takes
			// minutes, and the slabs it frees should not wait for it
			t.a.SetHugePages(t.coldEntries*2 < t.counts.entries)
		}
		return st
	}
	if len(t.sparsePacks) > 0 {
		// blocks of packs that thaws left less than half full move into
		// the current pack, about as many bytes a step as its budget of
		// entries takes
		moved, _ := t.movePacks(o.Budget * 32)
		st.Moved += moved
	}
	if t.packCursor != 0 {
		return t.packStep(st, o.Budget)
	}
	// Descending inode order: children are (mostly) newer than their
	// parents, so a pass mostly freezes a directory after its children.
	if t.compactCursor == 0 || t.compactCursor >= t.nextIno {
		if !o.All && !t.passDirty && !t.passBusy && t.passDone {
			return CompactStats{Done: true} // nothing changed since the last pass
		}
		t.passDirty, t.passBusy = false, false
		t.compactCursor = t.nextIno - 1
		t.runDir = 0
	}
	for ino := t.compactCursor; ; ino-- {
		if ino < meta.RootIno {
			// the pass ends with packing the inode table's pages
			flush()
			t.compactCursor = 0
			t.packCursor = 1
			return t.packStep(st, o.Budget)
		}
		if st.Entries >= o.Budget || looked >= 4*o.Budget || over(st.Entries) {
			return pause(ino)
		}
		looked++
		r := t.nodeRef(ino)
		if r == 0 || t.isHandle(r) {
			continue
		}
		h := t.node(r)
		if !isDir(t.mode(h)) || h.cold() {
			continue
		}
		if _, busy := t.recent[ino]; busy && !o.All {
			t.passBusy = true
			continue
		}
		if int(h.count()) > o.MaxDir || t.hasRuns(h) {
			// a large directory: a run at a time, resumed by the next
			// step where this one stops
			from := uint64(0)
			if t.runDir == ino {
				from = t.runNext
			}
			next, more, n := t.freezeRuns(h, from, o.Budget-st.Entries, o.RunEntries, func(n int) bool { return over(st.Entries + n) })
			st.Entries += n
			looked += n
			t.runDir = 0
			if more {
				t.runDir, t.runNext = ino, next
				return pause(ino)
			}
			continue
		}
		if c := int(h.count()); c > 0 && c <= coldGroupDir && c <= o.MaxDir && !h.migrating() {
			pend = append(pend, ino)
			pendN += c
			if pendN >= coldGroupTarget {
				flush()
			}
			looked += c
			continue
		}
		t.treeEntries = 0
		d, n, cut := t.freezeTree(h, &o, 0, func() bool { return over(st.Entries + t.treeEntries) })
		st.Dirs += d
		st.Entries += n
		looked += n
		if cut {
			return pause(ino) // this directory again, in the next step
		}
	}
}

// packStep packs inode pages, the end of a compaction pass: about one
// page for every 1,000 entries of budget (a page takes ~0.1-0.3 ms). When
// it reaches the end of the table the pass is done.
func (t *Tree) packStep(st CompactStats, budget int) CompactStats {
	if !t.packInodePages(max(1, budget/1000)) {
		return st
	}
	st.Done = true
	t.passDone = true
	if len(t.recent) > 1024 {
		// a Go map keeps the buckets of its largest size: after a bulk
		// load (every directory touched) that is ~30 bytes a directory
		t.recent = map[meta.Ino]struct{}{}
	} else {
		clear(t.recent)
	}
	t.a.Trim() // the emptied record slabs go back to the system
	// huge pages while most entries are hot; off once most are cold, so
	// that the kernel does not fill the freed slabs back in (SetHugePages)
	t.a.SetHugePages(t.coldEntries*2 < t.counts.entries)
	return st
}

// Compact runs compaction passes until every directory that can be frozen
// (idle ones, or all with o.All) is cold; progress, if not nil, is called
// after each step with the totals so far.
func (t *Tree) Compact(o CompactOptions, progress func(CompactStats)) CompactStats {
	var total CompactStats
	t.compactCursorReset()
	for {
		st := t.CompactStep(o)
		total.Dirs += st.Dirs
		total.Entries += st.Entries
		if progress != nil {
			progress(total)
		}
		if st.Done {
			total.Done = true
			return total
		}
	}
}

func (t *Tree) compactCursorReset() {
	if t.wlock() {
		t.compactCursor, t.packCursor, t.runDir = 0, 0, 0
		t.wunlock()
	}
}
