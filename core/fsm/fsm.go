package fsm

import (
	"fmt"
	"io"
	"sync/atomic"

	"github.com/hashicorp/raft"

	"github.com/fsmeta/fsmeta/core/tree"
)

// FSM applies committed log entries to a tree. It implements
// raft.BatchingFSM: raft calls ApplyBatch, Snapshot and Restore from one
// goroutine, never concurrently; reads of the tree (Tree) may run at any
// time. The result of an entry is a []Result, one per operation, or an
// error when the entry cannot be applied.
//
// An entry that cannot be decoded (corruption, or a codec version this build
// does not know) stops the FSM: that entry and every later one fail with the
// same error (Err), and the engine must stop serving rather than answer from
// a tree that misses a change.
type FSM struct {
	// OnEntry, when set (before raft uses the FSM), is asked for each
	// command entry before it is applied; the function it returns, if not
	// nil, is told each operation's result as soon as that operation is
	// applied, ahead of the entry's response (ApplyBatch's return, which
	// raft delivers after the whole batch). The engine answers its callers
	// from it, so that they come back with their next operation while the
	// rest of the entry applies. It finds the entry's callers by the id the
	// proposer put in the record's Extensions (not by the Data slice's
	// address: a log read back from disk, or received from a leader, is a
	// different slice).
	OnEntry func(l *raft.Log) func(j int, r Result)

	tree    atomic.Pointer[tree.Tree]
	opts    tree.Options
	err     atomic.Pointer[error]
	applied atomic.Uint64
}

var _ raft.BatchingFSM = (*FSM)(nil)

// New makes an FSM over t; opts are used to build trees from snapshots.
func New(t *tree.Tree, opts tree.Options) *FSM {
	f := &FSM{opts: opts}
	f.tree.Store(t)
	return f
}

// Tree returns the current tree (Restore replaces it).
func (f *FSM) Tree() *tree.Tree { return f.tree.Load() }

// TreeRef returns the FSM's reference to its tree: the one owner of the
// tree in durable mode. Readers load it for every operation, so that a tree
// Restore installed (a snapshot received at run time) is the one they read.
func (f *FSM) TreeRef() *atomic.Pointer[tree.Tree] { return &f.tree }

// Err returns the error that stopped the FSM, or nil.
func (f *FSM) Err() error {
	if p := f.err.Load(); p != nil {
		return *p
	}
	return nil
}

// Applied returns the index of the last entry applied.
func (f *FSM) Applied() uint64 { return f.applied.Load() }

// Apply applies one entry.
func (f *FSM) Apply(l *raft.Log) any { return f.ApplyBatch([]*raft.Log{l})[0] }

// ApplyBatch applies entries in order.
func (f *FSM) ApplyBatch(logs []*raft.Log) []any {
	out := make([]any, len(logs))
	t := f.Tree()
	for i, l := range logs {
		if l.Type != raft.LogCommand {
			continue
		}
		if err := f.Err(); err != nil {
			out[i] = err
			continue
		}
		ops, err := DecodeBatch(l.Data)
		if err != nil {
			err = &ApplyError{Index: l.Index, Err: err}
			f.err.CompareAndSwap(nil, &err)
			out[i] = err
			continue
		}
		var each func(int, Result)
		if f.OnEntry != nil {
			each = f.OnEntry(l)
		}
		res := make([]Result, len(ops))
		for j := range ops {
			res[j] = Apply(t, &ops[j])
			if each != nil {
				each(j, res[j])
			}
		}
		out[i] = res
		f.applied.Store(l.Index)
	}
	return out
}

// ApplyError is the error that stops the FSM: the entry at Index could not
// be decoded.
type ApplyError struct {
	Index uint64
	Err   error
}

func (e *ApplyError) Error() string {
	return fmt.Sprintf("fsm: cannot apply log entry %d: %v", e.Index, e.Err)
}

func (e *ApplyError) Unwrap() error { return e.Err }

// Snapshot marks the tree's state of this instant (tree.Freeze: a
// copy-on-write view, so applying goes on) and returns a snapshot that
// writes it (Persist runs on raft's snapshot goroutine).
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	write, release, err := f.Tree().Freeze()
	if err != nil {
		return nil, err
	}
	return &snapshot{write: write, release: release}, nil
}

// Restore replaces the tree with one read from a snapshot.
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	t, err := tree.ReadSnapshot(rc, f.opts)
	if err != nil {
		return err
	}
	if old := f.tree.Swap(t); old != nil {
		old.Close()
	}
	return nil
}

type snapshot struct {
	write   func(io.Writer) (int64, error)
	release func()
}

func (s *snapshot) Persist(sink raft.SnapshotSink) error {
	if _, err := s.write(sink); err != nil {
		sink.Cancel()
		return err
	}
	return sink.Close()
}

func (s *snapshot) Release() { s.release() }
