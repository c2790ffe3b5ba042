// Package fsm is fsmeta's replicated state machine: the codec of log entries
// (batches of operations, msgpack, behind a codec version byte and a
// CRC-32C: codec.go), the one description of the operations (optable.go),
// and the
// raft.FSM that applies them to a tree on one loop and hands every
// operation's result back to whoever proposed it.
//
// An operation carries everything its application needs: the caller's
// identity and the operation's time are chosen by the proposer, so applying
// the same entries to the same snapshot always gives the same state
// (docs/architecture.md invariant 2). Apply never reads the clock.
package fsm

import (
	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/core/tree"
)

// Code names an operation. Values are part of the log format: never reuse one.
type Code uint8

const (
	OpSetAttr Code = iota + 1
	OpMknod
	OpMkdir
	OpSymlink
	OpLink
	OpUnlink
	OpRmdir
	OpRename
	OpSetXattr
	OpRemoveXattr
	OpFallocate
	OpOpenFile
	OpCloseFile
	OpNewSliceID
	OpWriteSlice
	OpCompactChunk
	OpMkdirAll
	numOps
)

// The names of release 1.0 of two codes (docs/names.md: a file is opened and closed in every API).
const (
	// Deprecated: use OpOpenFile.
	OpOpen = OpOpenFile
	// Deprecated: use OpCloseFile.
	OpRelease = OpCloseFile
)

func (c Code) String() string {
	if d := descOf(c); d != nil {
		return d.Name
	}
	return "op?"
}

// Op is one change. Which fields each Code uses, and what they mean, is
// its description (optable.go; docs/log-format.md); the others stay zero
// (CheckFields). The encoding is positional (msgpack arrays), so fields are
// only ever added at the end.
type Op struct {
	Code   Code
	Now    int64
	Uid    uint32
	Gid    uint32
	Groups []uint32
	Umask  uint32
	Ino    uint64 // target inode, or parent directory
	Ino2   uint64 // new parent (rename), new parent (link)
	Name   string // name, xattr name, path
	Name2  string // new name, symlink target
	Mode   uint32 // mode, setattr mask, open flags, fallocate mode
	Flags  uint32 // rename / xattr flags, rdev
	Arg    uint64 // fallocate offset, slice-id count
	Arg2   uint64 // fallocate length
	Chunk  uint32
	Attr   meta.SetAttrIn
	Slice  meta.Slice
	Slices []meta.Slice
	Value  []byte
}

// Result is what an operation gives back to its proposer.
type Result struct {
	Attr   meta.Attr
	Errno  meta.Errno
	ID     uint64       // NewSliceID
	Slices []meta.Slice // CompactChunk: the slices dropped
}

// Caller returns the op's caller.
func (o *Op) Caller() *meta.Caller {
	return &meta.Caller{Uid: o.Uid, Gid: o.Gid, Groups: o.Groups, Umask: o.Umask}
}

// SetCaller copies c into the op.
func (o *Op) SetCaller(c *meta.Caller) {
	o.Uid, o.Gid, o.Groups, o.Umask = c.Uid, c.Gid, c.Groups, c.Umask
}

// Apply applies one operation to t and returns its result. Unknown codes
// give ENOSYS (a newer writer's entry: the caller decides whether that is
// fatal; see FSM).
//
// A change that needs a cold directory thawed when the arena has no room
// for it ends with ENOSPC: the tree panics with the errno before it has
// changed anything (the thaw allocates everything first, and an operation
// looks its directories up before it changes them), and the write lock is
// released as the panic unwinds.
func Apply(t *tree.Tree, o *Op) (r Result) {
	defer func() {
		if p := recover(); p != nil {
			e, ok := p.(meta.Errno)
			if !ok {
				panic(p)
			}
			r = Result{Errno: e}
		}
	}()
	d := DescOf(o.Code)
	if d == nil {
		return Result{Errno: meta.ENOSYS}
	}
	return d.apply(t, o.Caller(), o)
}
