package fsmeta

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	wal "github.com/hashicorp/raft-wal"
	"github.com/hashicorp/raft-wal/metadb"
	"github.com/hashicorp/raft-wal/segment"
	"golang.org/x/sys/unix"

	"github.com/fsmeta/fsmeta/core/fsm"
	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/core/tree"
)

// Finding is one thing Check found wrong in a data directory.
type Finding struct {
	File    string // the file
	Problem string // what is wrong
	Loss    string // what a repair gives up ("nothing" when nothing acknowledged is lost)
	Repair  string // what a repair does
	// Fatal: Open refuses the directory until it is repaired (otherwise Open
	// handles it by itself, as Repair says).
	Fatal bool
	// Unrepairable: Check cannot repair it (restore from a dump or a copy).
	Unrepairable bool
	fix          func() error
}

// CheckReport is what Check found.
type CheckReport struct {
	Dir          string
	LogFirst     uint64 // the log's first and last entries (0 when empty)
	LogLast      uint64
	Snapshots    []string  // snapshots whose metadata and contents are intact, newest first
	Findings     []Finding // what is wrong now
	Repaired     []Finding // what a repair fixed
	OpenWouldUse string    // what Open restores and replays, when it opens
}

// OK tells whether nothing is wrong.
func (r *CheckReport) OK() bool { return len(r.Findings) == 0 }

// Check verifies a durable data directory without opening the engine: the
// log's metadata store, every segment frame of the tail, every log record's
// checksum and every entry's decoding, every snapshot (its metadata, its
// CRC, its sections), and that the snapshots and the log fit together. It
// reports each problem with the file, what Open would do, and what a repair
// would lose. With repair, it then repairs what it can, in the order that
// loses least: unfinished snapshots removed; a damaged tail cut at the
// damage (its bytes kept in wal/); the log cut before its first damaged
// record; damaged snapshots moved to snapshots.damaged/; a log that cannot
// follow the newest usable snapshot dropped. The directory must not be in
// use (Check takes its lock). progress, if not nil, gets a line per step.
func Check(dir string, repair bool, progress io.Writer) (*CheckReport, error) {
	if progress == nil {
		progress = io.Discard
	}
	if _, err := os.Stat(filepath.Join(dir, "wal")); err != nil {
		return nil, fmt.Errorf("fsmeta: check: %s is not a data directory: %w", dir, err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, withErrno(fmt.Errorf("fsmeta: check: lock file: %w", err))
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return nil, fmt.Errorf("%w: %s/LOCK is held: %w", ErrLocked, dir, meta.EBUSY)
	}
	defer unix.Flock(int(lock.Fd()), unix.LOCK_UN)
	r, err := check(dir, progress)
	if err != nil || !repair || r.OK() {
		return r, err
	}
	var fixed []Finding
	for round := 0; round < 16 && !r.OK(); round++ {
		f := r.Findings[0]
		if f.Unrepairable || f.fix == nil {
			r.Repaired = fixed
			return r, fmt.Errorf("fsmeta: check: %s cannot be repaired (%s): restore the directory from a copy or a dump", f.File, f.Problem)
		}
		fmt.Fprintf(progress, "repair: %s: %s\n", f.File, f.Repair)
		if err := f.fix(); err != nil {
			r.Repaired = fixed
			return r, fmt.Errorf("fsmeta: check: repairing %s: %w", f.File, err)
		}
		fixed = append(fixed, f)
		if r, err = check(dir, progress); err != nil {
			return r, err
		}
	}
	r.Repaired = fixed
	if !r.OK() {
		return r, fmt.Errorf("fsmeta: check: %d problems remain after repairing", len(r.Findings))
	}
	return r, nil
}

func check(dir string, progress io.Writer) (r *CheckReport, err error) {
	r = &CheckReport{Dir: dir}
	walDir := filepath.Join(dir, "wal")
	snapDir := filepath.Join(dir, "snapshots")
	add := func(f Finding) { r.Findings = append(r.Findings, f) }
	// 1. unfinished snapshots
	ents, _ := os.ReadDir(snapDir)
	for _, e := range ents {
		if p := filepath.Join(snapDir, e.Name()); filepath.Ext(p) == ".tmp" {
			add(Finding{File: p, Problem: "an unfinished snapshot (the process stopped while writing it)", Loss: "nothing",
				Repair: "remove it (Open does too)", fix: func() error { return os.RemoveAll(p) }})
		}
	}
	// 2. the log's metadata
	fmt.Fprintf(progress, "checking %s\n", filepath.Join(walDir, metadb.FileName))
	if err := checkWalMeta(filepath.Join(walDir, metadb.FileName)); err != nil {
		add(Finding{File: filepath.Join(walDir, metadb.FileName), Problem: err.Error(), Fatal: true, Unrepairable: true,
			Loss: "the log's list of segments and raft's term: the directory cannot be opened"})
		return r, nil
	}
	// 3. the list of segments, and the tail segment
	listed, err := loadSegmentList(walDir)
	if err != nil {
		add(Finding{File: filepath.Join(walDir, metadb.FileName), Problem: err.Error(), Fatal: true, Unrepairable: true,
			Loss: "the log's list of segments: the directory cannot be opened"})
		return r, nil
	}
	if n := len(listed); n > 0 {
		tail := listed[n-1]
		file := filepath.Join(walDir, segment.FileName(tail))
		if fi, err := os.Stat(file); err == nil && tailCut(file, fi.Size(), tail) {
			limit := int64(tail.SizeLimit)
			add(Finding{File: file, Problem: fmt.Sprintf("cut short: %d bytes of %d, with data up to its end", fi.Size(), limit), Fatal: true,
				Loss:   "the entries that were after the cut (how many is unknown: they are gone)",
				Repair: "give the segment back its length (zeros), so that the log ends at its last whole batch",
				fix:    func() error { return os.Truncate(file, limit) }})
			return r, nil
		}
	}
	if err := checkSegmentList(dir, walDir, listed); err != nil {
		var de *DamageError
		if errors.As(err, &de) {
			add(Finding{File: de.File, Problem: de.Reason, Fatal: true, Unrepairable: true, Loss: "the log cannot be read"})
			return r, nil
		}
		return nil, err
	}
	if segs := listSegments(walDir); len(segs) > 0 {
		path := filepath.Join(walDir, segs[len(segs)-1].name)
		fmt.Fprintf(progress, "checking the frames of %s\n", path)
		ts, err := scanTail(path)
		if err != nil {
			return nil, fmt.Errorf("fsmeta: check: %w", err)
		}
		switch {
		case ts.junkEnd == ts.end:
		case ts.complete >= 0:
			add(Finding{File: path, Problem: fmt.Sprintf("damaged at offset %d, after %d intact entries; whole entries follow at offset %d", ts.end, ts.entries, ts.complete),
				Fatal: true, Loss: "every entry of this segment after the damage",
				Repair: "cut the segment at the damage (its bytes from there are kept in wal/torn-*.bin)",
				fix:    func() error { return setTornAside(path, ts, func(string) {}) }})
			return r, nil
		default:
			add(Finding{File: path, Problem: fmt.Sprintf("ends with an incomplete batch at offset %d (%d bytes), as a crash during a write leaves it", ts.end, ts.junkEnd-ts.end),
				Loss: "nothing acknowledged (the batch was never acknowledged)", Repair: "keep its bytes in wal/torn-*.bin and zero them (Open does too)",
				fix: func() error { return setTornAside(path, ts, func(string) {}) }})
			return r, nil
		}
	}
	// 4. every record
	w, closeLog, err := openLogOnly(walDir)
	if err != nil {
		add(Finding{File: walDir, Problem: err.Error(), Fatal: true, Unrepairable: true, Loss: "the log cannot be read"})
		return r, nil
	}
	defer closeLog()
	r.LogFirst, _ = w.FirstIndex()
	r.LogLast, _ = w.LastIndex()
	fmt.Fprintf(progress, "checking log entries %d to %d\n", r.LogFirst, r.LogLast)
	if bad, why := scanRecords(w, r.LogFirst, r.LogLast); bad != 0 {
		first, last := bad, r.LogLast
		add(Finding{File: segmentFile(walDir, bad), Problem: fmt.Sprintf("entry %d is damaged: %s", bad, why), Fatal: true,
			Loss:   fmt.Sprintf("entries %d to %d (%d changes)", first, last, last-first+1),
			Repair: fmt.Sprintf("cut the log before entry %d", bad),
			fix:    func() error { return cutLog(walDir, first, last) }})
		return r, nil
	}
	// 5. snapshots
	snaps := listSnapshots(snapDir)
	for i := range snaps {
		s := &snaps[i]
		if s.err == nil {
			fmt.Fprintf(progress, "checking snapshot %s\n", s.id)
			s.err = verifySnapshot(snapDir, s.id)
		}
		if s.err == nil {
			r.Snapshots = append(r.Snapshots, s.id)
		}
	}
	_, damaged, planErr := snapPlan(dir, snaps, r.LogFirst, r.LogLast)
	for _, s := range damaged {
		id := s.id
		loss := "nothing (an older snapshot and the log give the whole state)"
		if planErr != nil {
			loss = "see the next finding"
		}
		add(Finding{File: filepath.Join(snapDir, id), Problem: s.err.Error(), Loss: loss, Fatal: planErr != nil,
			Repair: "move it to snapshots.damaged/", fix: func() error { _, err := setAside(dir, id); return err }})
	}
	if planErr == nil && len(damaged) == 0 {
		r.OpenWouldUse = openPlan(snaps, r.LogFirst, r.LogLast)
		return r, nil
	}
	if planErr != nil && len(damaged) == 0 {
		var valid []snapInfo
		for _, s := range snaps {
			if s.err == nil {
				valid = append(valid, s)
			}
		}
		f := Finding{File: walDir, Problem: planErr.(*DamageError).Reason, Fatal: true}
		switch {
		case len(valid) > 0:
			f.Loss = fmt.Sprintf("log entries %d to %d: the state is that of snapshot %s", r.LogFirst, r.LogLast, valid[0].id)
			if r.LogLast < valid[0].index {
				f.Loss = "nothing more (the snapshot holds every entry the log still has)"
			}
			f.Repair = "drop the log and start it again after the snapshot"
			first, last := r.LogFirst, r.LogLast
			f.fix = func() error { return cutLog(walDir, first, last) }
		default:
			f.Unrepairable = true
			f.Loss = "the state before the log's first entry"
		}
		add(f)
	}
	return r, nil
}

// cutLog deletes log entries first..last (a suffix, or the whole log).
func cutLog(walDir string, first, last uint64) error {
	w, closeLog, err := openLogOnly(walDir)
	if err != nil {
		return err
	}
	defer closeLog()
	return w.WAL.DeleteRange(first, last)
}

// openPlan says what Open restores and replays.
func openPlan(snaps []snapInfo, first, last uint64) string {
	for _, s := range snaps {
		if s.err == nil {
			return fmt.Sprintf("snapshot %s, then log entries %d to %d", s.id, s.index+1, last)
		}
	}
	if last == 0 {
		return "an empty state"
	}
	return fmt.Sprintf("the log alone, entries %d to %d", first, last)
}

// openLogOnly opens raft-wal on walDir, for reading and cutting.
func openLogOnly(walDir string) (_ *checkedLog, closeFn func(), err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("reading the log: %v", p)
		}
	}()
	md := &metadb.BoltMetaDB{}
	state, err := md.Load(walDir)
	if err != nil {
		md.Close()
		return nil, nil, err
	}
	if err := checkSegmentList(filepath.Dir(walDir), walDir, state.Segments); err != nil {
		md.Close()
		return nil, nil, err
	}
	vfs := newDatasyncFS(walDir)
	logger := hclog.New(&hclog.LoggerOptions{Name: "fsmeta", Level: hclog.Off})
	w, err := wal.Open(walDir, wal.WithMetaStore(md), wal.WithLogger(logger), wal.WithSegmentFiler(segment.NewFiler(walDir, vfs)))
	if err != nil {
		vfs.close()
		md.Close()
		return nil, nil, err
	}
	c, err := newCheckedLog(w, filepath.Dir(walDir), nil)
	if err != nil {
		w.Close()
		vfs.close()
		md.Close()
		return nil, nil, err
	}
	return c, func() { w.Close(); vfs.close(); md.Close() }, nil
}

// scanRecords reads every record, checking its checksum and decoding every
// command entry; it returns the first damaged index and why, or 0.
func scanRecords(c *checkedLog, first, last uint64) (uint64, string) {
	if last == 0 {
		return 0, ""
	}
	var l raft.Log
	for i := first; i <= last; i++ {
		if err := c.GetLog(i, &l); err != nil {
			var de *DamageError
			if errors.As(err, &de) {
				return i, de.Reason
			}
			return i, err.Error()
		}
		if l.Type == raft.LogCommand {
			if _, err := fsm.DecodeBatch(l.Data); err != nil {
				return i, err.Error()
			}
		}
	}
	return 0, ""
}

// verifySnapshot reads a snapshot whole: raft's CRC of the file and the
// snapshot format's checksums and structure (it is decoded into a tree that
// is then dropped).
func verifySnapshot(snapDir, id string) error {
	fss, err := raft.NewFileSnapshotStoreWithLogger(filepath.Dir(snapDir), 1<<30, hclog.NewNullLogger())
	if err != nil {
		return err
	}
	_, rc, err := (&smoothStore{fss, snapDir}).Open(id)
	if err != nil {
		return err
	}
	defer rc.Close()
	t, err := tree.ReadSnapshot(rc, tree.Options{})
	if err != nil {
		return err
	}
	if err := t.Fsck(); err != nil {
		t.Close()
		return fmt.Errorf("its state fails fsck: %v", err)
	}
	return t.Close()
}

// String renders a report for people.
func (r *CheckReport) String() string {
	s := fmt.Sprintf("data directory %s\n", r.Dir)
	if r.LogLast == 0 {
		s += "log: empty\n"
	} else {
		s += "log: entries " + strconv.FormatUint(r.LogFirst, 10) + " to " + strconv.FormatUint(r.LogLast, 10) + "\n"
	}
	for _, id := range r.Snapshots {
		s += "snapshot " + id + ": intact\n"
	}
	for _, f := range r.Findings {
		what := "Open handles it by itself"
		if f.Fatal {
			what = "Open refuses the directory"
		}
		s += fmt.Sprintf("PROBLEM %s: %s\n  %s; a repair would lose: %s\n", f.File, f.Problem, what, f.Loss)
		if f.Unrepairable {
			s += "  cannot be repaired here: restore from a copy or a dump\n"
		} else {
			s += "  repair: " + f.Repair + "\n"
		}
	}
	for _, f := range r.Repaired {
		s += fmt.Sprintf("REPAIRED %s: %s\n  %s; lost: %s\n", f.File, f.Problem, f.Repair, f.Loss)
	}
	if r.OpenWouldUse != "" {
		s += "Open restores " + r.OpenWouldUse + "\n"
	}
	if r.OK() {
		s += "OK\n"
	}
	return s
}
