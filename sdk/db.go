package fsmeta

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/core/tree"
)

// Options configure Open. The zero value is not valid: set InMemory (the only
// mode until the durable Raft log lands) or Dir.
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
}

// DB is an open metadata engine. It is safe for concurrent use.
type DB struct {
	t        *tree.Tree
	clock    func() int64
	testTime atomic.Int64 // when non-zero, the time of every change (SetTestTime)
	closed   atomic.Bool
}

// Open opens an engine.
func Open(opts Options) (*DB, error) {
	if !opts.InMemory {
		if opts.Dir == "" {
			return nil, fmt.Errorf("fsmeta: Options: set InMemory or Dir: %w", meta.EINVAL)
		}
		return nil, fmt.Errorf("fsmeta: the durable engine (Options.Dir) is not available in this build; use InMemory: %w", meta.ENOSYS)
	}
	clock := opts.Clock
	if clock == nil {
		clock = func() int64 { return time.Now().UnixNano() }
	}
	t, err := tree.New(tree.Options{
		Capacity:      opts.Capacity,
		MaxInodes:     opts.MaxInodes,
		ArenaMaxBytes: opts.ArenaMaxBytes,
		RootTime:      clock(),
	})
	if err != nil {
		return nil, fmt.Errorf("fsmeta: %w", err)
	}
	return &DB{t: t, clock: clock}, nil
}

// Close releases the engine's memory. Operations after Close return ErrClosed;
// a second Close returns nil.
func (db *DB) Close() error {
	if !db.closed.CompareAndSwap(false, true) {
		return nil
	}
	return db.t.Close()
}

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

func caller(c *Caller) *Caller {
	if c == nil {
		return meta.RootCaller
	}
	return c
}
