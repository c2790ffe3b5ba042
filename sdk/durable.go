package fsmeta

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	wal "github.com/hashicorp/raft-wal"
	"github.com/hashicorp/raft-wal/metadb"
	"golang.org/x/sys/unix"

	"github.com/fsmeta/fsmeta/core/fsm"
	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/core/tree"
)

// The durable engine: hashicorp/raft as a one-voter cluster on the data
// directory, its log in raft-wal (which fsyncs every append), snapshots in
// raft's file snapshot store. A change is acknowledged only after its log
// entry is on disk and applied. Concurrent changes are group-committed:
// the batcher packs the operations waiting at that moment into one log entry,
// and raft writes the entries waiting at that moment with one fsync.
//
//	DIR/LOCK        flock'ed while open: a second process gets an error
//	DIR/wal/        the log and raft's stable store (raft-wal segments)
//	DIR/snapshots/  snapshots (raft's file store; ours is the state.bin)

const (
	durableID     = "fsmeta-1"
	batchMaxOps   = 512
	batchQueueLen = 8192
	// pipelineDepth is how many log entries may wait for their commit at
	// once; operations arriving meanwhile gather into the next entry.
	// Measured with fsmeta bench -mode durable -threads 64 (creates in
	// random directories of a 1M-file tree), each caller answered as soon
	// as its operation is applied (onEntry): depth 1 with a 100 µs linger
	// gives 63.5 ops an entry and 194-202 k ops/s (a cycle of ~320 µs: sync
	// 120, apply 113, raft's hand-offs and the callers' return the rest);
	// depth 2, 29 ops an entry and 153-159 k. Before answers came from the
	// FSM, depth 3 gave 12 ops an entry, and no gating 1.3 ops an entry at
	// half the rate (raft's per-entry cost).
	pipelineDepth = 1
	lingerMax     = 100 * time.Microsecond
)

type durable struct {
	dir      string
	lock     *os.File
	wal      *wal.WAL
	log      *checkedLog
	damaged  []snapInfo // snapshots found damaged while opening
	vfs      *datasyncFS
	meta     *metadb.BoltMetaDB
	snaps    *checkedSnaps
	raft     *raft.Raft
	fsm      *fsm.FSM
	in       chan *pending
	inflight chan inflight
	local    sync.Mutex
	entries  map[entryID]*entry // proposed here and not yet applied, by the id in their Extensions
	node     [8]byte            // this process's part of the entry ids (random at open)
	seq      uint64             // the batcher's last entry number
	done     chan struct{}
	mu       sync.RWMutex // held to send on in; close takes it to close in
	closed   bool
}

type pending struct {
	op   *fsm.Op
	res  fsm.Result
	err  error
	fin  atomic.Bool // answered (by the FSM as it applies, or the completer)
	done chan struct{}
}

// answer gives p its result, once.
func (p *pending) answer(res fsm.Result, err error) {
	if p.fin.CompareAndSwap(false, true) {
		p.res, p.err = res, err
		close(p.done)
	}
}

// entry is a log entry proposed here: its operations' callers, and the
// pipeline slot it holds until its last operation is applied.
type entry struct {
	batch    []*pending
	slots    chan struct{}
	released atomic.Bool
}

func (e *entry) release() {
	if e.released.CompareAndSwap(false, true) {
		<-e.slots
	}
}

type inflight struct {
	f  raft.ApplyFuture
	id entryID
	e  *entry
}

// entryID names a log entry proposed by this process: a random number of
// the process's (so that entries another process proposed under the same
// numbers, before a restart or from another node, never match) and the
// entry's sequence number. It travels in the log record's Extensions; the
// FSM hands it back (onEntry) when it applies the entry.
type entryID [16]byte

func (d *durable) nextID() entryID {
	var id entryID
	d.seq++
	copy(id[:8], d.node[:])
	binary.BigEndian.PutUint64(id[8:], d.seq)
	return id
}

// ErrLocked is returned by Open when another process holds the directory.
var ErrLocked = errors.New("fsmeta: the data directory is in use by another process")

func openDurable(opts Options, topts tree.Options) (*durable, *tree.Tree, error) {
	d, t, err := openDurable1(opts, topts)
	return d, t, withErrno(err)
}

// withErrno gives an error from the operating system the Errno of its cause
// (ENOSPC, EROFS, EACCES, ...), so that the C ABI returns -errno for it.
func withErrno(err error) error {
	var se syscall.Errno
	if err == nil || fsmetaErrno(err) != 0 || !errors.As(err, &se) {
		return err
	}
	return &errnoErr{err, meta.Errno(se)}
}

// errnoErr is an error with an Errno beside it: its text is the error's own.
type errnoErr struct {
	err   error
	errno meta.Errno
}

func (e *errnoErr) Error() string   { return e.err.Error() }
func (e *errnoErr) Unwrap() []error { return []error{e.err, e.errno} }

func fsmetaErrno(err error) meta.Errno {
	var e meta.Errno
	if errors.As(err, &e) {
		return e
	}
	return 0
}

func openDurable1(opts Options, topts tree.Options) (*durable, *tree.Tree, error) {
	dir := opts.Dir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("fsmeta: data directory: %w", err)
	}
	d := &durable{dir: dir}
	ok := false
	defer func() {
		if !ok {
			d.close()
		}
	}()
	lockPath := filepath.Join(dir, "LOCK")
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("fsmeta: lock file: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		holder, _ := os.ReadFile(lockPath)
		return nil, nil, fmt.Errorf("%w: %s is locked (pid %s): %w", ErrLocked, lockPath, string(holder), meta.EBUSY)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())), 0)
	d.lock = f
	logger := hclog.New(&hclog.LoggerOptions{Name: "fsmeta", Level: hclog.Error, Output: os.Stderr})
	if err := d.openLog(logger); err != nil {
		return nil, nil, err
	}
	t, err := tree.New(topts)
	if err != nil {
		return nil, nil, err
	}
	d.fsm = fsm.New(t, topts)
	d.entries = make(map[entryID]*entry)
	if _, err := rand.Read(d.node[:]); err != nil {
		return nil, nil, fmt.Errorf("fsmeta: random entry ids: %w", err)
	}
	d.fsm.OnEntry = d.onEntry
	cfg := raft.DefaultConfig()
	cfg.LocalID = durableID
	cfg.Logger = logger
	cfg.HeartbeatTimeout = 100 * time.Millisecond
	cfg.ElectionTimeout = 100 * time.Millisecond
	cfg.LeaderLeaseTimeout = 100 * time.Millisecond
	cfg.CommitTimeout = 5 * time.Millisecond
	cfg.BatchApplyCh = true
	cfg.MaxAppendEntries = 512
	cfg.SnapshotThreshold = opts.SnapshotThreshold
	if cfg.SnapshotThreshold == 0 {
		cfg.SnapshotThreshold = 200_000
	}
	cfg.SnapshotInterval = 30 * time.Second
	cfg.TrailingLogs = 10_000
	has, err := raft.HasExistingState(d.log, d.log, d.snaps)
	if err != nil {
		return nil, nil, fmt.Errorf("fsmeta: reading %s: %w", dir, err)
	}
	addr, trans := raft.NewInmemTransport(raft.ServerAddress(durableID))
	if !has {
		conf := raft.Configuration{Servers: []raft.Server{{ID: durableID, Address: addr}}}
		if err := raft.BootstrapCluster(cfg, d.log, d.log, d.snaps, trans, conf); err != nil {
			return nil, nil, fmt.Errorf("fsmeta: starting the log in %s: %w", dir, err)
		}
	}
	if err := d.startRaft(cfg, trans); err != nil {
		return nil, nil, err
	}
	if err := d.waitLeader(10 * time.Second); err != nil {
		return nil, nil, err
	}
	// Everything in the log is applied once a barrier after it is.
	if err := d.raft.Barrier(0).Error(); err != nil {
		return nil, nil, fmt.Errorf("fsmeta: replaying the log of %s: %w", dir, err)
	}
	if err := d.fsm.Err(); err != nil {
		var ae *fsm.ApplyError
		if errors.As(err, &ae) {
			return nil, nil, &DamageError{File: segmentFile(filepath.Join(dir, "wal"), ae.Index), Where: fmt.Sprintf("entry %d", ae.Index),
				Reason: ae.Err.Error(), Advice: checkAdvice(dir)}
		}
		return nil, nil, fmt.Errorf("fsmeta: %s: %w", dir, err)
	}
	d.in = make(chan *pending, batchQueueLen)
	d.inflight = make(chan inflight, pipelineDepth)
	d.done = make(chan struct{})
	go d.batcher()
	go d.completer()
	ok = true
	return d, d.fsm.Tree(), nil
}

func (d *durable) waitLeader(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for d.raft.State() != raft.Leader {
		if d.raft.State() == raft.Shutdown {
			return fmt.Errorf("fsmeta: %s: the log stopped while opening: %w", d.dir, d.fsm.Err())
		}
		if time.Now().After(deadline) {
			why := ""
			if f := d.raft.GetConfiguration(); f.Error() == nil && !voter(f.Configuration(), durableID) {
				why = fmt.Sprintf(": this node (%s) is not a voter of the configuration the log and snapshot hold (%v)",
					durableID, f.Configuration().Servers)
			}
			return fmt.Errorf("fsmeta: %s: the log did not become writable within %v%s", d.dir, timeout, why)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

// submit proposes op and waits for its result.
func (d *durable) submit(op *fsm.Op) (fsm.Result, error) {
	p := &pending{op: op, done: make(chan struct{})}
	d.mu.RLock()
	if d.closed {
		d.mu.RUnlock()
		return fsm.Result{}, ErrClosed
	}
	d.in <- p
	d.mu.RUnlock()
	<-p.done
	return p.res, p.err
}

// submitAll proposes ops together (the batcher packs them into as few log
// entries as it can) and waits for all their results.
func (d *durable) submitAll(ops []*fsm.Op) ([]fsm.Result, error) {
	ps := make([]*pending, len(ops))
	d.mu.RLock()
	if d.closed {
		d.mu.RUnlock()
		return nil, ErrClosed
	}
	for i, op := range ops {
		ps[i] = &pending{op: op, done: make(chan struct{})}
		d.in <- ps[i]
	}
	d.mu.RUnlock()
	res := make([]fsm.Result, len(ops))
	var err error
	for i, p := range ps {
		<-p.done
		res[i] = p.res
		if err == nil {
			err = p.err
		}
	}
	return res, err
}

// batcher packs the operations waiting into log entries. It does not wait
// for an entry to commit before it proposes the next: raft writes the
// entries that wait together with one fsync.
func (d *durable) batcher() {
	defer close(d.inflight)
	slots := make(chan struct{}, pipelineDepth)
	last := 0          // operations in the last entry
	var carry *pending // the operation that did not fit in the last entry
	for {
		p := carry
		carry = nil
		if p == nil {
			var ok bool
			if p, ok = <-d.in; !ok {
				break
			}
		}
		if fsm.SizeBound(p.op) > fsm.MaxEntryBytes {
			p.answer(fsm.Result{}, fmt.Errorf("fsmeta: an operation of up to %d bytes does not fit in one log entry (at most %d): %w",
				fsm.SizeBound(p.op), fsm.MaxEntryBytes, meta.E2BIG))
			continue
		}
		// Wait for a free slot first: operations that arrive meanwhile ride
		// the same entry (without this, entries go out one operation each and
		// raft's per-entry cost caps throughput).
		slots <- struct{}{}
		batch := []*pending{p}
		size := fsm.SizeBound(p.op)
		// add takes q into the batch, or keeps it for the next one when the
		// entry would outgrow the log's limit on a record.
		add := func(q *pending) bool {
			if size+fsm.SizeBound(q.op) > fsm.MaxEntryBytes {
				carry = q
				return false
			}
			batch = append(batch, q)
			size += fsm.SizeBound(q.op)
			return true
		}
		// Callers woken by the last commit come back one by one: when the
		// last entry was shared by many, give them a moment (linger) to
		// catch this one, so that the commit after it is not half empty.
		var linger <-chan time.Time
		if last > 1 {
			linger = time.After(lingerMax)
		}
	drain:
		for len(batch) < batchMaxOps {
			select {
			case q, ok := <-d.in:
				if !ok || !add(q) {
					break drain
				}
				continue
			default:
			}
			if linger == nil || len(batch) >= last {
				break
			}
			select {
			case q, ok := <-d.in:
				if !ok || !add(q) {
					break drain
				}
			case <-linger:
				break drain
			}
		}
		last = len(batch)
		ops := make([]*fsm.Op, len(batch))
		for i, q := range batch {
			ops[i] = q.op
		}
		data, err := fsm.EncodeBatch(ops)
		if err == nil && len(data) > fsm.MaxEntryBytes {
			err = fmt.Errorf("fsmeta: a log entry of %d bytes, over the limit of %d: %w", len(data), fsm.MaxEntryBytes, meta.E2BIG)
		}
		if err != nil {
			finish(batch, nil, err)
			<-slots
			continue
		}
		e := &entry{batch: batch, slots: slots}
		id := d.nextID()
		d.local.Lock()
		d.entries[id] = e
		d.local.Unlock()
		d.inflight <- inflight{d.raft.ApplyLog(raft.Log{Data: data, Extensions: id[:]}, 0), id, e}
	}
}

// onEntry is the FSM's OnEntry: for an entry proposed here (its
// Extensions hold an id of this process's), it answers each operation's
// caller as soon as the operation is applied, and frees the entry's
// pipeline slot after its last one.
func (d *durable) onEntry(l *raft.Log) func(int, fsm.Result) {
	var id entryID
	if len(l.Extensions) != len(id) {
		return nil // an entry written before ids, or by another proposer
	}
	copy(id[:], l.Extensions)
	d.local.Lock()
	e := d.entries[id]
	delete(d.entries, id)
	d.local.Unlock()
	if e == nil {
		return nil
	}
	return func(j int, r fsm.Result) {
		if j < len(e.batch) {
			e.batch[j].answer(r, nil)
		}
		if j == len(e.batch)-1 {
			e.release()
		}
	}
}

// completer waits for each entry's response, in order: it answers whoever
// onEntry did not (an entry that failed to commit or to apply) and frees
// the slot if onEntry did not.
func (d *durable) completer() {
	defer close(d.done)
	for in := range d.inflight {
		err := in.f.Error()
		d.local.Lock()
		delete(d.entries, in.id)
		d.local.Unlock()
		in.e.release()
		if err != nil {
			finish(in.e.batch, nil, d.logError(err))
			continue
		}
		switch r := in.f.Response().(type) {
		case []fsm.Result:
			finish(in.e.batch, r, nil)
		case error:
			finish(in.e.batch, nil, fmt.Errorf("fsmeta: the engine stopped: %w", r))
		default:
			finish(in.e.batch, nil, fmt.Errorf("fsmeta: log: unexpected response %T", r))
		}
	}
}

// finish answers the operations of batch not answered yet.
func finish(batch []*pending, res []fsm.Result, err error) {
	for i, p := range batch {
		switch {
		case err != nil:
			p.answer(fsm.Result{}, err)
		case i >= len(res):
			p.answer(fsm.Result{}, errors.New("fsmeta: log: missing result"))
		default:
			p.answer(res[i], nil)
		}
	}
}

// logError explains a failed log write: raft reports the symptom ("segment
// is sealed", "node is not the leader" after it stepped down); the cause is
// most often the file system, so say how much room is left on it. A full
// file system gives ENOSPC, anything else EIO.
func (d *durable) logError(err error) error {
	walDir := filepath.Join(d.dir, "wal")
	var st unix.Statfs_t
	if unix.Statfs(walDir, &st) == nil {
		free := st.Bavail * uint64(st.Bsize)
		if free < 128<<20 {
			return fmt.Errorf("fsmeta: cannot write the log in %s: the file system is full (%d bytes free): %v: %w",
				walDir, free, err, meta.ENOSPC)
		}
		return fmt.Errorf("fsmeta: cannot write the log in %s (%d bytes free): %v: %w", walDir, free, err, meta.EIO)
	}
	return fmt.Errorf("fsmeta: cannot write the log in %s: %v: %w", walDir, err, meta.EIO)
}

// snapshot takes a snapshot now and truncates the log. With nothing logged
// since the newest snapshot there is nothing to do: that is no failure.
func (d *durable) snapshot() error {
	if err := d.raft.Snapshot().Error(); err != nil && !errors.Is(err, raft.ErrNothingNewToSnapshot) {
		return fmt.Errorf("fsmeta: snapshot of %s: %w", d.dir, err)
	}
	return nil
}

func (d *durable) close() error {
	var errs []error
	if d.in != nil {
		d.mu.Lock()
		d.closed = true
		close(d.in)
		d.mu.Unlock()
		<-d.done
	}
	if d.raft != nil {
		errs = append(errs, d.raft.Shutdown().Error())
	}
	if d.wal != nil {
		errs = append(errs, d.wal.Close())
	}
	if d.meta != nil {
		errs = append(errs, d.meta.Close())
	}
	if d.vfs != nil {
		d.vfs.close()
	}
	if d.fsm != nil {
		errs = append(errs, d.fsm.Tree().Close())
	}
	if d.lock != nil {
		unix.Flock(int(d.lock.Fd()), unix.LOCK_UN)
		errs = append(errs, d.lock.Close())
	}
	return errors.Join(errs...)
}
