package fsmeta

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc64"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"
	"github.com/hashicorp/raft-wal/metadb"
	"github.com/hashicorp/raft-wal/segment"
	"github.com/hashicorp/raft-wal/types"
	"go.etcd.io/bbolt"
	"golang.org/x/sys/unix"

	"github.com/fsmeta/fsmeta/core/fsm"
	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/core/tree"
)

// A read-only open (Options.ReadOnly with Options.Dir) gives the state a
// durable open would give, without writing anything in the data directory,
// so that a directory the caller may not write (or on a read-only file
// system) can be inspected: fsck, dump, reads.
//
//   - Nothing is created, removed or written: not the directory, not LOCK,
//     not wal/ or snapshots/; raft and raft-wal are not started (raft would
//     write its term and a log entry when it takes the lead). The newest
//     snapshot the log continues from is read, then the log after it, as
//     Open does, with the same checks (wal-meta.db, the list of segments,
//     the tail's frames, every record's checksum, every snapshot's CRC and
//     sections). What Open repairs by itself is left as it is: an
//     unfinished snapshot is ignored, a torn last batch (never
//     acknowledged) is not read, a damaged snapshot is passed over for an
//     older one and left in place. Damage Open refuses is refused the same
//     way (a DamageError).
//   - The view is consistent: the open takes a shared lock on LOCK (flock
//     LOCK_SH on a descriptor opened for reading) and keeps it until Close.
//     A process that has the directory open holds LOCK exclusively: the
//     read-only open is then refused with ErrLocked (EBUSY), and while a
//     read-only open holds it, an open for writing is refused. Read-only
//     opens share it. A directory without LOCK (never opened for writing:
//     an export) is read without a lock; if a process opens it meanwhile,
//     the read-only open is refused.
//   - Files left open by the engine that had the directory are released in
//     memory only (Open releases them through the log), so the state is
//     the one Open would give.
//   - Every change fails with EROFS; Snapshot too. Reads, Fsck, Checksum,
//     Compact (which changes how the state is held in memory, never what it
//     is) and Export (to another directory) work.

// readOnly is what a read-only open holds.
type readOnly struct {
	lock *os.File // LOCK, flock'ed shared; nil when the directory has none
}

func (r *readOnly) close() {
	if r != nil && r.lock != nil {
		r.lock.Close() // releases the flock
		r.lock = nil
	}
}

// errReadOnly is the error of a change to a read-only DB.
func errReadOnly(what string) error {
	return fmt.Errorf("fsmeta: %s: the engine was opened read-only: %w", what, meta.EROFS)
}

// openReadOnly opens opts.Dir read-only into db (see above).
func (db *DB) openReadOnly(opts Options, topts tree.Options) (*DB, error) {
	if opts.InMemory {
		return nil, fmt.Errorf("fsmeta: Options: ReadOnly is for a data directory (Dir), not InMemory: %w", meta.EINVAL)
	}
	dir := opts.Dir
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, withErrno(fmt.Errorf("fsmeta: data directory: %w", err))
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("fsmeta: data directory %s is not a directory: %w", dir, meta.ENOTDIR)
	}
	ro := &readOnly{}
	lockPath := filepath.Join(dir, "LOCK")
	if err := ro.takeLock(lockPath); err != nil {
		return nil, err
	}
	t, err := readState(dir, topts)
	if err == nil && ro.lock == nil {
		// no LOCK when the reading began: was the directory opened meanwhile?
		if err = ro.takeLock(lockPath); err == nil && ro.lock != nil {
			err = fmt.Errorf("%w: %s was opened by a process while it was being read: %w", ErrLocked, dir, meta.EBUSY)
		}
	}
	if err != nil {
		if t != nil {
			t.Close()
		}
		ro.close()
		return nil, withErrno(err)
	}
	releaseOpensInMemory(t, db.now())
	db.t, db.ro = new(atomic.Pointer[tree.Tree]), ro
	db.t.Store(t)
	db.startCompactor(opts.CompactAfter)
	return db, nil
}

// takeLock takes LOCK shared if it exists.
func (r *readOnly) takeLock(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("fsmeta: lock file: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_SH|unix.LOCK_NB); err != nil {
		f.Close()
		holder, _ := os.ReadFile(path)
		return fmt.Errorf("%w: %s is locked (pid %s): a process has the directory open and may be writing it; a read-only open needs it closed: %w",
			ErrLocked, path, string(holder), meta.EBUSY)
	}
	r.lock = f
	return nil
}

// releaseOpensInMemory ends every open of the restored state, as Open does
// through the log (releaseStaleOpens).
func releaseOpensInMemory(t *tree.Tree, now int64) {
	for _, f := range t.OpenFiles() {
		for range f.Count {
			o := &fsm.Op{Code: fsm.OpCloseFile, Ino: uint64(f.Ino), Now: now}
			o.SetCaller(meta.RootCaller)
			fsm.Apply(t, o)
		}
	}
}

// roLog is the log as wal-meta.db describes it, read without raft-wal.
type roLog struct {
	walDir      string
	segs        []types.SegmentInfo
	first, last uint64
	sealedFrom  uint64
	tail        *tailScan // the tail segment's scan (nil: no file)
}

// readState reads the newest usable snapshot and the log after it.
func readState(dir string, topts tree.Options) (*tree.Tree, error) {
	snapDir := filepath.Join(dir, "snapshots")
	walDir := filepath.Join(dir, "wal")
	_, errWal := os.Stat(walDir)
	_, errSnap := os.Stat(snapDir)
	if errWal != nil && errSnap != nil {
		return nil, fmt.Errorf("fsmeta: %s is not a data directory (it has no wal/ or snapshots/): %w", dir, meta.ENOENT)
	}
	lg, err := readLogMeta(dir, walDir)
	if err != nil {
		return nil, err
	}
	snaps := listSnapshots(snapDir)
	allowed, damaged, err := snapPlan(dir, snaps, lg.first, lg.last)
	if err != nil {
		return nil, err
	}
	for _, s := range damaged {
		fmt.Fprintf(os.Stderr, "fsmeta: snapshot %s is damaged (%v): the state is read from an older snapshot (or none) and the log (read-only: the snapshot is left in place; an open for writing moves it aside)\n", s.id, s.err)
	}
	var t *tree.Tree
	from := uint64(0) // the snapshot's last entry
	failed := map[string]error{}
	for _, s := range snaps {
		if !allowed[s.id] {
			continue
		}
		if t, err = restoreReadOnly(snapDir, s.id, topts); err == nil {
			from = s.index
			break
		}
		failed[s.id] = err
		fmt.Fprintf(os.Stderr, "fsmeta: snapshot %s cannot be restored (%v): trying an older one\n", s.id, err)
	}
	if t == nil {
		if len(failed) > 0 { // raft refuses too when no snapshot it may use restores
			d := &durable{dir: dir}
			return nil, d.snapFailure(failed, errors.New("read-only open"))
		}
		if t, err = tree.New(topts); err != nil {
			return nil, err
		}
	}
	if err := lg.replay(dir, t, from, topts); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// readLogMeta reads wal-meta.db (read-only) and scans the tail segment: the
// log's range and where sealed records start.
func readLogMeta(dir, walDir string) (*roLog, error) {
	lg := &roLog{walDir: walDir}
	metaPath := filepath.Join(walDir, metadb.FileName)
	if _, err := os.Stat(metaPath); errors.Is(err, fs.ErrNotExist) {
		return lg, nil // no log yet (an export that was never opened)
	}
	if err := checkWalMeta(metaPath); err != nil {
		return nil, err
	}
	bad := func(reason string) error {
		return &DamageError{File: metaPath, Reason: reason, Advice: checkAdvice(dir)}
	}
	db, err := bbolt.Open(metaPath, 0o444, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return nil, withErrno(fmt.Errorf("fsmeta: reading %s: %w", metaPath, err))
	}
	var state types.PersistentState
	err = db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(metadb.MetaBucket))
		if b == nil {
			return bad("it has no " + metadb.MetaBucket + " bucket")
		}
		if raw := b.Get([]byte(metadb.MetaKey)); raw != nil {
			if err := json.Unmarshal(raw, &state); err != nil {
				return bad("its list of segments cannot be read: " + err.Error())
			}
		}
		if s := tx.Bucket([]byte(metadb.StableBucket)); s != nil {
			if v := s.Get(sealedFromKey); len(v) == 8 {
				lg.sealedFrom = binary.LittleEndian.Uint64(v)
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		return nil, err
	}
	if err := checkSegmentList(dir, walDir, state.Segments); err != nil {
		return nil, err
	}
	lg.segs = state.Segments
	if len(lg.segs) == 0 {
		return lg, nil
	}
	tail := lg.segs[len(lg.segs)-1]
	path := filepath.Join(walDir, segment.FileName(tail))
	if _, err := os.Stat(path); err == nil {
		if lg.tail, err = scanTail(path); err != nil {
			return nil, withErrno(fmt.Errorf("fsmeta: reading %s: %w", path, err))
		}
		if lg.tail.complete >= 0 {
			return nil, &DamageError{File: path, Where: fmt.Sprintf("offset %d", lg.tail.end),
				Reason: fmt.Sprintf("the log's frames stop being valid after %d intact entries, but whole entries follow at offset %d (acknowledged changes would be lost)", lg.tail.entries, lg.tail.complete),
				Advice: checkAdvice(dir)}
		}
	}
	// the log's range, as raft-wal computes it (state.firstIndex, lastIndex)
	switch {
	case lg.tail != nil && lg.tail.entries > 0:
		lg.last = tail.BaseIndex + uint64(lg.tail.entries) - 1
	case len(lg.segs) > 1:
		lg.last = tail.BaseIndex - 1
	}
	if lg.last > 0 {
		lg.first = lg.segs[0].MinIndex
	}
	if lg.sealedFrom == 0 && lg.last != 0 {
		lg.sealedFrom = lg.last + 1 // written before records were sealed
	}
	return lg, nil
}

// replay applies the log's entries after entry from to t.
func (lg *roLog) replay(dir string, t *tree.Tree, from uint64, topts tree.Options) error {
	if lg.last <= from {
		return nil
	}
	f := fsm.New(t, topts)
	for i, s := range lg.segs {
		hi := s.MaxIndex
		if i == len(lg.segs)-1 {
			hi = lg.last
		}
		lo := max(s.MinIndex, s.BaseIndex, from+1)
		if lo > hi {
			continue
		}
		path := filepath.Join(lg.walDir, segment.FileName(s))
		damaged := func(index uint64, reason string) error {
			return &DamageError{File: path, Where: fmt.Sprintf("entry %d", index), Reason: reason, Advice: checkAdvice(dir)}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return withErrno(fmt.Errorf("fsmeta: reading %s: %w", path, err))
		}
		recs := committedRecords(data)
		for index := lo; index <= hi; index++ {
			k := index - s.BaseIndex
			if k >= uint64(len(recs)) {
				return damaged(index, fmt.Sprintf("the segment's intact batches hold entries %d to %d only", s.BaseIndex, s.BaseIndex+uint64(len(recs))-1))
			}
			var l raft.Log
			if err := decodeRecord(recs[k], &l); err != nil {
				return damaged(index, err.Error())
			}
			if lg.sealedFrom != 0 && index >= lg.sealedFrom {
				if err := unseal(&l); err != nil {
					return damaged(index, err.Error())
				}
			}
			if l.Index != index {
				return damaged(index, fmt.Sprintf("the record found there is entry %d", l.Index))
			}
			f.ApplyBatch([]*raft.Log{&l})
			if err := f.Err(); err != nil {
				return damaged(index, err.Error())
			}
		}
	}
	return nil
}

// committedRecords returns the records of a segment's entry frames that
// belong to a batch whose commit frame's CRC verifies, in order, up to the
// first frame that is not valid (the segment format is in walscan.go).
func committedRecords(data []byte) [][]byte {
	var out [][]byte
	walkBatches(data, func(records [][]byte, _ int64) { out = append(out, records...) })
	return out
}

// restoreReadOnly reads snapshot id of snapDir into a new tree, checking
// its CRC (crcFile) and its sections (tree.ReadSnapshot).
func restoreReadOnly(snapDir, id string, topts tree.Options) (*tree.Tree, error) {
	var m struct {
		raft.SnapshotMeta
		CRC []byte
	}
	b, err := os.ReadFile(filepath.Join(snapDir, id, "meta.json"))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &m); err != nil || len(m.CRC) != crc64.Size {
		return nil, fmt.Errorf("meta.json cannot be read (%v)", err)
	}
	f, err := os.Open(filepath.Join(snapDir, id, "state.bin"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return tree.ReadSnapshot(&crcFile{f: f, h: crc64.New(crc64.MakeTable(crc64.ECMA)), want: m.CRC, id: id}, topts)
}
