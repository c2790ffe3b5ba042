package fsmeta

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	wal "github.com/hashicorp/raft-wal"
	"github.com/hashicorp/raft-wal/metadb"
	"github.com/hashicorp/raft-wal/segment"
	"github.com/hashicorp/raft-wal/types"

	"github.com/fsmeta/fsmeta/core/fsm"
	"github.com/fsmeta/fsmeta/core/meta"
)

// Opening a data directory checks every file before raft reads it, so that
// damage is refused at once, by name, and never turns into a panic, a hang
// or a different state (docs/durability.md, "When something is wrong"):
//
//  1. unfinished snapshots (*.tmp) are removed;
//  2. wal-meta.db (bbolt, raft-wal's metadata and raft's stable store) is
//     checked before it is mapped (metacheck.go);
//  3. raft-wal's list of segments is checked against itself and the files
//     (checkSegmentList);
//  4. the tail segment is checked frame by frame (walscan.go), then raft-wal
//     opens the log;
//  5. the snapshots' metadata is checked and matched with the log's range
//     (snapcheck.go): which snapshots raft may restore, or a refusal;
//  6. raft opens; every record it reads is checked (logstore.go, walcodec.go)
//     and a damaged one stops it with a DamageError, which raft's panic
//     carries out of raft.NewRaft.

// report tells the user what an open did about damage it could repair
// without losing anything acknowledged (stderr, as raft's own log).
func (d *durable) report(msg string) {
	fmt.Fprintln(os.Stderr, msg)
}

func (d *durable) openLog(logger hclog.Logger) (err error) {
	dir := d.dir
	snapDir := filepath.Join(dir, "snapshots")
	if err := removeUnfinished(snapDir, d.report); err != nil {
		return err
	}
	walDir := filepath.Join(dir, "wal")
	if err := os.MkdirAll(walDir, 0o755); err != nil {
		return fmt.Errorf("fsmeta: %w", err)
	}
	if err := checkWalMeta(filepath.Join(walDir, metadb.FileName)); err != nil {
		return err
	}
	// A damaged file must give an error, not a fault or a panic, in the
	// libraries that read it here.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = &DamageError{File: walDir, Reason: fmt.Sprintf("reading it failed: %v", p), Advice: checkAdvice(dir)}
		}
	}()
	// raft-wal's Close leaves its metadata store (bbolt, flock'ed) open, so
	// that a reopen in the same process would wait on the lock forever: keep
	// the store and close it ourselves.
	d.meta = &metadb.BoltMetaDB{}
	state, err := d.meta.Load(walDir)
	if err != nil {
		return &DamageError{File: filepath.Join(walDir, metadb.FileName), Reason: err.Error(), Advice: checkAdvice(dir)}
	}
	if err := checkSegmentList(dir, walDir, state.Segments); err != nil {
		return err
	}
	if err := checkTail(dir, walDir, d.report); err != nil {
		return err
	}
	d.vfs = newDatasyncFS(walDir)
	filer := segment.NewFiler(walDir, d.vfs)
	if d.wal, err = wal.Open(walDir, wal.WithMetaStore(d.meta), wal.WithLogger(logger), wal.WithSegmentFiler(filer)); err != nil {
		return &DamageError{File: walDir, Reason: "the log cannot be opened: " + err.Error(), Advice: checkAdvice(dir)}
	}
	first, err1 := d.wal.FirstIndex()
	last, err2 := d.wal.LastIndex()
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("fsmeta: %s: %w", walDir, err)
	}
	fss, err := raft.NewFileSnapshotStoreWithLogger(dir, 2, logger)
	if err != nil {
		return fmt.Errorf("fsmeta: snapshots in %s: %w", dir, err)
	}
	allowed, damaged, err := snapPlan(dir, listSnapshots(snapDir), first, last)
	if err != nil {
		return err
	}
	d.damaged = damaged
	d.snaps = &checkedSnaps{SnapshotStore: &smoothStore{fss, snapDir}, allowed: allowed}
	if d.log, err = newCheckedLog(d.wal, dir, d.snaps); err != nil {
		return &DamageError{File: filepath.Join(walDir, metadb.FileName), Reason: err.Error(), Advice: checkAdvice(dir)}
	}
	return nil
}

// checkSegmentList checks raft-wal's list of segments (from wal-meta.db)
// against itself and against the files, before raft-wal acts on it:
//
//   - segment files it does not list but that are newer than the oldest it
//     lists are refused (raft-wal would delete them as left over, and with
//     them the end of the log; files older than the log are left over from a
//     compaction the process did not finish);
//   - every listed segment must be in codec 1, and the list must run without
//     gaps (each sealed segment ends just before the next begins) with an
//     index block inside each sealed file: otherwise wal-meta.db is damaged;
//   - each sealed segment's header must match the list;
//   - the tail segment must be whole: segments are written at their full
//     size before use (walfs.go), so a shorter file whose data runs to its
//     end was cut, and the log's end with it.
func checkSegmentList(dir, walDir string, listed []types.SegmentInfo) error {
	metaFile := filepath.Join(walDir, metadb.FileName)
	known := map[uint64]bool{}
	oldest := ^uint64(0)
	bad := func(file, reason string) error {
		return &DamageError{File: file, Reason: reason, Advice: checkAdvice(dir)}
	}
	for i, s := range listed {
		known[s.ID] = true
		oldest = min(oldest, s.BaseIndex)
		file := filepath.Join(walDir, segment.FileName(s))
		sealed := !s.SealTime.IsZero()
		switch {
		case s.Codec != wal.CodecBinaryV1:
			return bad(metaFile, fmt.Sprintf("it says segment %s is in codec %d, which this build does not read", segment.FileName(s), s.Codec))
		case sealed && i == len(listed)-1, !sealed && i < len(listed)-1:
			return bad(metaFile, "its list of segments does not end with the one being written")
		case sealed && (s.IndexStart == 0 || s.MaxIndex < s.MinIndex || s.MinIndex < s.BaseIndex):
			return bad(metaFile, fmt.Sprintf("its record of sealed segment %s is damaged (entries %d to %d, index block at %d)",
				segment.FileName(s), s.MinIndex, s.MaxIndex, s.IndexStart))
		case sealed && listed[i+1].BaseIndex != s.MaxIndex+1:
			return bad(metaFile, fmt.Sprintf("segment %s ends at entry %d but the next one begins at entry %d",
				segment.FileName(s), s.MaxIndex, listed[i+1].BaseIndex))
		}
		fi, err := os.Stat(file)
		if err != nil {
			if !sealed && os.IsNotExist(err) {
				continue // raft-wal makes it again: it was listed before it was made
			}
			if os.IsNotExist(err) {
				return bad(metaFile, fmt.Sprintf("it lists the segment %s, which is not in %s (the list is damaged, or the file was removed)",
					segment.FileName(s), walDir))
			}
			return bad(file, err.Error())
		}
		if sealed {
			if err := checkSegmentHeader(file, s); err != nil {
				return bad(file, err.Error())
			}
			if s.IndexStart >= uint64(fi.Size()) {
				return bad(file, fmt.Sprintf("the file has %d bytes, but its index block is at %d: it was cut", fi.Size(), s.IndexStart))
			}
			continue
		}
		if tailCut(file, fi.Size(), s) {
			return bad(file, fmt.Sprintf("the segment has %d bytes of its %d and its data runs to the end: it was cut, and the end of the log with it", fi.Size(), s.SizeLimit))
		}
	}
	segs := listSegments(walDir)
	sort.Slice(segs, func(i, j int) bool { return segs[i].base < segs[j].base })
	for _, f := range segs {
		if !known[f.id] && (len(listed) == 0 || f.base >= oldest) {
			return bad(filepath.Join(walDir, f.name), fmt.Sprintf("%s does not list this segment, which is not older than the log it lists: its metadata lost part of the log", metadb.FileName))
		}
	}
	return nil
}

// tailCut tells whether the tail segment file, of size bytes, was cut short.
// Segments are written at their full size before use, so a shorter one
// holding any data was cut (wherever the cut fell: in zeros of a large
// entry too); a shorter one of zeros only is one a crash stopped while it
// was being filled, before anything was logged in it. An empty one is taken
// for cut (a crash between its creation and its first write would leave
// one too: `fsmeta check -repair` gives it back its length, losing nothing).
func tailCut(file string, size int64, s types.SegmentInfo) bool {
	if s.SizeLimit == 0 || size >= int64(s.SizeLimit) {
		return false
	}
	b, err := os.ReadFile(file)
	return err != nil || size == 0 || lastNonZero(b) >= 0
}

// loadSegmentList reads raft-wal's list of segments.
func loadSegmentList(walDir string) (_ []types.SegmentInfo, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("reading %s: %v", metadb.FileName, p)
		}
	}()
	md := &metadb.BoltMetaDB{}
	defer md.Close()
	state, err := md.Load(walDir)
	return state.Segments, err
}

// checkSegmentHeader compares a segment file's header with its listing.
func checkSegmentHeader(file string, s types.SegmentInfo) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	var h [segHeaderLen]byte
	if _, err := f.ReadAt(h[:], 0); err != nil {
		return fmt.Errorf("its header cannot be read: %v", err)
	}
	le := binary.LittleEndian
	switch {
	case le.Uint64(h[0:]) != 0x58eb6b0d: // magic, reserved bytes and version 0
		return fmt.Errorf("its header is not a segment's")
	case le.Uint64(h[8:]) != s.BaseIndex || le.Uint64(h[16:]) != s.ID || le.Uint64(h[24:]) != s.Codec:
		return fmt.Errorf("its header (base entry %d, id %d, codec %d) does not match %s (base entry %d, id %d, codec %d)",
			le.Uint64(h[8:]), le.Uint64(h[16:]), le.Uint64(h[24:]), metadb.FileName, s.BaseIndex, s.ID, s.Codec)
	}
	return nil
}

// startRaft opens raft on the checked stores. raft panics on a log it
// cannot read (a damaged record, an entry missing); the panic carries the
// store's error, which is returned.
func (d *durable) startRaft(cfg *raft.Config, trans raft.Transport) (err error) {
	fsmw := &trackingFSM{FSM: d.fsm, snaps: d.snaps}
	func() {
		defer func() {
			if p := recover(); p != nil {
				var de *DamageError
				if e, ok := p.(error); ok && errors.As(e, &de) {
					err = de
					return
				}
				err = &DamageError{File: filepath.Join(d.dir, "wal"), Reason: fmt.Sprintf("raft could not read the log: %v", p), Advice: checkAdvice(d.dir)}
			}
		}()
		d.raft, err = raft.NewRaft(cfg, fsmw, d.log, d.log, d.snaps, trans)
	}()
	failed := d.snaps.openDone()
	if err != nil {
		d.raft = nil
		if len(failed) > 0 {
			return d.snapFailure(failed, err)
		}
		var de *DamageError
		if errors.As(err, &de) {
			return de
		}
		return fmt.Errorf("fsmeta: opening %s: %w", d.dir, err)
	}
	for id, e := range failed {
		d.damaged = append(d.damaged, snapInfo{id: id, err: e})
	}
	for _, s := range d.damaged {
		to, err := setAside(d.dir, s.id)
		if err != nil {
			d.report(fmt.Sprintf("fsmeta: snapshot %s is damaged (%v) and could not be moved aside: %v", s.id, s.err, err))
			continue
		}
		d.report(fmt.Sprintf("fsmeta: snapshot %s is damaged (%v): the state was rebuilt from an older snapshot (or none) and the log, which reaches back to it: nothing is lost; the damaged snapshot is now in %s", s.id, s.err, to))
	}
	d.damaged = nil
	return nil
}

// snapFailure is the error of an open where no snapshot raft may use
// restored.
func (d *durable) snapFailure(failed map[string]error, err error) error {
	ids := make([]string, 0, len(failed))
	for id := range failed {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	reason := ""
	for _, id := range ids {
		reason += fmt.Sprintf("snapshot %s: %v; ", id, failed[id])
	}
	reason += "no snapshot that the log continues from could be restored (" + err.Error() + ")"
	return &DamageError{File: filepath.Join(d.dir, "snapshots", ids[len(ids)-1]), Reason: reason, Advice: checkAdvice(d.dir)}
}

// checkWalMeta checks wal-meta.db before bbolt maps it (metacheck.go).
func checkWalMeta(path string) error {
	err := checkBoltFile(path)
	var be *boltError
	if errors.As(err, &be) {
		return &DamageError{File: path, Reason: be.Reason, Advice: "it holds the log's list of segments and raft's term: " +
			"restore the directory from a copy, or load a dump of it (docs/durability.md)"}
	}
	return err
}

// releaseStaleOpens ends every open of the state a durable engine restored.
// The programs that opened those files belonged to the engine that last had
// the directory: it was closed or it crashed, so nobody can release them any
// more, and an unlinked file among them would live forever (nlink 0, in no
// directory). Each release is a logged change, the operation CloseFile logs
// (fsm.OpCloseFile), so that a replica replaying the log agrees; a crash midway
// leaves the rest to the next open. (Once sessions exist, a session's opens
// are released the same way when it ends.)
func (db *DB) releaseStaleOpens() error {
	const chunk = 4096 // operations in flight at once: the batcher packs them into few log entries
	var ops []*fsm.Op
	flush := func() error {
		res, err := db.d.submitAll(ops)
		ops = ops[:0]
		if err == nil {
			for _, r := range res {
				if r.Errno != 0 {
					err = r.Errno
					break
				}
			}
		}
		if err != nil {
			return fmt.Errorf("fsmeta: %s: releasing the files left open by the engine that had it before: %w", db.d.dir, err)
		}
		return nil
	}
	now := db.now()
	for _, f := range db.tree().OpenFiles() {
		for range f.Count {
			o := &fsm.Op{Code: fsm.OpCloseFile, Ino: uint64(f.Ino), Now: now}
			o.SetCaller(meta.RootCaller)
			if ops = append(ops, o); len(ops) == chunk {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if len(ops) > 0 {
		return flush()
	}
	return nil
}
