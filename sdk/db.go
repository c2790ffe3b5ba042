package fsmeta

import (
	"fmt"

	"github.com/fsmeta/fsmeta/core/fsm"
	"sync/atomic"
	"time"

	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/core/tree"
)

// Options configure Open. The zero value is not valid: set InMemory (no log:
// nothing survives Close) or Dir (durable: docs/durability.md).
type Options struct {
	// InMemory runs the engine without a log: nothing survives Close. For
	// tests and benchmarks.
	InMemory bool
	// Dir is the data directory of the durable engine (the Raft log).
	Dir string
	// Capacity is the space statfs reports, in bytes (default 1 PiB).
	Capacity uint64
	// MaxInodes is the inode count statfs reports as the limit, and past which
	// creates fail with ENOSPC (default 2^40).
	MaxInodes uint64
	// ArenaMaxBytes is the most memory the namespace may use (default 32 GiB,
	// also the addressing limit). Past it, changes fail with ENOSPC.
	ArenaMaxBytes uint64
	// Clock returns the time stamped on changes, in ns since the epoch
	// (default time.Now). Tests set it for reproducible results.
	Clock func() int64
	// SnapshotThreshold is how many log entries since the last snapshot
	// make the durable engine take another (default 200,000).
	SnapshotThreshold uint64
	// CompactAfter is how long a directory must go unchanged before the
	// engine makes it cold (serialized and compressed, a fraction of the
	// memory; reads answer from it, a change thaws it). Default 30 s;
	// negative: never (DB.Compact still works).
	CompactAfter time.Duration
	// Servers, when set, makes the DB a client of an fsmeta server (remote
	// mode: sdk/remote.go, docs/protocol.md): addresses host:port, tried in
	// order. Token is the cluster's shared secret (cluster.LoadToken reads
	// a token file); ClientName names this client in the server's logs.
	Servers    []string
	Token      []byte
	ClientName string
	// ReadOnly opens the data directory Dir without writing anything in it
	// (readonly.go): the state Open would give, for inspection; refused
	// (ErrLocked) while a process has it open; changes fail with EROFS.
	ReadOnly bool
}

// DB is an open metadata engine. It is safe for concurrent use.
type DB struct {
	t         *atomic.Pointer[tree.Tree] // the one reference to the tree: the FSM's in durable mode (tree())
	d         *durable                   // nil in memory mode
	remote    *remote                    // remote mode only (then t is nil)
	clock     func() int64
	testTime  atomic.Int64 // when non-zero, the time of every change (SetTestTime)
	closed    atomic.Bool
	compactor *compactor // nil when Options.CompactAfter < 0
	ro        *readOnly  // a read-only open (readonly.go); nil otherwise
}

// Open opens an engine: in memory (Options.InMemory) or durable on the data
// directory Options.Dir, restoring what it holds (the newest snapshot, then
// the log after it). A directory held by another process gives ErrLocked.
func Open(opts Options) (*DB, error) {
	if len(opts.Servers) > 0 {
		return (&DB{clock: func() int64 { return 0 }}).openRemote(opts)
	}
	if opts.InMemory && opts.Dir != "" {
		return nil, fmt.Errorf("fsmeta: Options: InMemory and Dir both set: %w", meta.EINVAL)
	}
	if !opts.InMemory && opts.Dir == "" {
		return nil, fmt.Errorf("fsmeta: Options: set InMemory or Dir: %w", meta.EINVAL)
	}
	clock := opts.Clock
	if clock == nil {
		clock = func() int64 { return time.Now().UnixNano() }
	}
	topts := tree.Options{
		Capacity:      opts.Capacity,
		MaxInodes:     opts.MaxInodes,
		ArenaMaxBytes: opts.ArenaMaxBytes,
	}
	db := &DB{clock: clock}
	if opts.ReadOnly {
		return db.openReadOnly(opts, topts)
	}
	if opts.Dir != "" {
		d, _, err := openDurable(opts, topts)
		if err != nil {
			return nil, err
		}
		db.d, db.t = d, d.fsm.TreeRef()
		if err := db.releaseStaleOpens(); err != nil {
			d.close()
			return nil, err
		}
		db.startCompactor(opts.CompactAfter)
		return db, nil
	}
	topts.RootTime = clock()
	t, err := tree.New(topts)
	if err != nil {
		return nil, fmt.Errorf("fsmeta: %w", err)
	}
	db.t = new(atomic.Pointer[tree.Tree])
	db.t.Store(t)
	db.startCompactor(opts.CompactAfter)
	return db, nil
}

// Close releases the engine (and, when durable, the data directory).
// Operations after Close return ErrClosed; a second Close returns nil.
func (db *DB) Close() error {
	if !db.closed.CompareAndSwap(false, true) {
		return nil
	}
	if db.remote != nil {
		return db.remote.close()
	}
	db.compactor.stop()
	defer db.ro.close()
	if db.d != nil {
		return db.d.close()
	}
	return db.tree().Close()
}

// Snapshot takes a snapshot of a durable engine now and truncates its log.
func (db *DB) Snapshot() error {
	if db.closed.Load() {
		return ErrClosed
	}
	if db.ro != nil {
		return errReadOnly("snapshot")
	}
	if db.remote != nil {
		return errRemote("snapshot")
	}
	if db.d == nil {
		return fmt.Errorf("fsmeta: snapshot: an in-memory engine has no log: %w", meta.EINVAL)
	}
	return db.d.snapshot()
}

// apply runs a change: directly in memory mode, through the log (group
// committed, acknowledged after fsync) in durable mode. An operation whose
// arguments the tree would refuse (fsm.Validate) gets the tree's errno in
// both modes without being logged: a refused operation never reaches the
// log, and no argument can make an entry the log cannot read back.
func (db *DB) apply(o *fsm.Op) (fsm.Result, error) {
	if db.closed.Load() {
		return fsm.Result{Errno: meta.EClosed}, nil
	}
	if err := fsm.CheckFields(o); err != nil {
		return fsm.Result{}, fmt.Errorf("fsmeta: internal error: %w: %w", err, meta.EINVAL)
	}
	if e := fsm.Validate(o); e != 0 {
		return fsm.Result{Errno: e}, nil
	}
	if db.ro != nil {
		return fsm.Result{Errno: meta.EROFS}, nil
	}
	if db.remote != nil {
		return db.remote.change(o)
	}
	if db.d == nil {
		return fsm.Apply(db.tree(), o), nil
	}
	return db.d.submit(o)
}

// tree returns the engine's tree as it is now: in durable mode the FSM's,
// which a snapshot restored at run time replaces.
func (db *DB) tree() *tree.Tree { return db.t.Load() }

func (db *DB) now() int64 {
	if t := db.testTime.Load(); t != 0 {
		return t
	}
	return db.clock()
}

// SetTestTime makes every later change carry the time ns (nanoseconds since
// the epoch) instead of the clock's; 0 returns to the clock. For tests that
// check times (the scenario runners of every binding).
func (db *DB) SetTestTime(ns int64) { db.testTime.Store(ns) }

// callerOf returns the identity operation op (about ino and name) runs as:
// c, or root when c is nil. A caller the engine refuses in every mode and
// for every call, reads and changes alike (more than meta.MaxGroups
// supplementary groups), gives op's error instead: EINVAL, saying why.
func callerOf(op string, ino Ino, name string, c *Caller) (*Caller, error) {
	if c == nil {
		return meta.RootCaller, nil
	}
	if n := len(c.Groups); n > meta.MaxGroups {
		return nil, &Error{Op: op, Ino: ino, Name: name, Errno: meta.EINVAL,
			Detail: fmt.Sprintf("caller has %d supplementary groups, at most %d", n, meta.MaxGroups)}
	}
	return c, nil
}

// Checksum returns a hash of the whole state (equal states, equal sums):
// for restart and replication checks.
func (db *DB) Checksum() (uint64, error) {
	if db.closed.Load() {
		return 0, ErrClosed
	}
	if db.remote != nil {
		return 0, errRemote("checksum")
	}
	return db.tree().Checksum()
}
