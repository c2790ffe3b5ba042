package fsmeta

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/fsmeta/fsmeta/core/meta"
)

// The types of the API, shared with the engine.
type (
	Ino       = meta.Ino
	Attr      = meta.Attr
	Caller    = meta.Caller
	SetAttrIn = meta.SetAttrIn
	Slice     = meta.Slice
	DirEntry  = meta.DirEntry
	StatFS    = meta.StatFS
	Errno     = meta.Errno
)

// RootIno is the root directory's inode number.
const RootIno = meta.RootIno

// Errnos (Linux values).
const (
	EPERM        = meta.EPERM
	ENOENT       = meta.ENOENT
	EIO          = meta.EIO
	EACCES       = meta.EACCES
	EEXIST       = meta.EEXIST
	EXDEV        = meta.EXDEV
	ENOTDIR      = meta.ENOTDIR
	EISDIR       = meta.EISDIR
	EINVAL       = meta.EINVAL
	EFBIG        = meta.EFBIG
	ENOSPC       = meta.ENOSPC
	EMLINK       = meta.EMLINK
	ERANGE       = meta.ERANGE
	ENAMETOOLONG = meta.ENAMETOOLONG
	ENOTEMPTY    = meta.ENOTEMPTY
	ELOOP        = meta.ELOOP
	ENODATA      = meta.ENODATA
	EOPNOTSUPP   = meta.EOPNOTSUPP
	EDQUOT       = meta.EDQUOT
)

// Sentinels for errors.Is.
var (
	ErrNotExist   = fs.ErrNotExist
	ErrExist      = fs.ErrExist
	ErrPermission = fs.ErrPermission
	ErrInvalid    = fs.ErrInvalid
	// ErrClosed is returned by every operation on a closed DB or iterator.
	ErrClosed = errors.New("fsmeta: closed")
)

// Error is the error of a failed operation.
type Error struct {
	Op    string // "mkdir", "lookup", ...
	Ino   Ino    // the inode (or parent directory) the operation was about
	Name  string // the name inside Ino, when the operation had one
	Errno Errno
	// Detail, when set, says what was wrong ("caller has 100000
	// supplementary groups, at most 65536").
	Detail string
}

func (e *Error) Error() string {
	what := e.Errno.Error()
	if e.Detail != "" {
		what += ": " + e.Detail
	}
	if n := len(e.Name); n > meta.MaxPath {
		// a name or path refused for its length: its start and its size
		return fmt.Sprintf("fsmeta: %s %d/%q... (%d bytes): %s (%s)", e.Op, e.Ino, e.Name[:64], n, what, e.Errno.Name())
	}
	if e.Name != "" {
		return fmt.Sprintf("fsmeta: %s %d/%q: %s (%s)", e.Op, e.Ino, e.Name, what, e.Errno.Name())
	}
	return fmt.Sprintf("fsmeta: %s %d: %s (%s)", e.Op, e.Ino, what, e.Errno.Name())
}

// Unwrap returns the Errno, so errors.Is(err, fs.ErrNotExist) works.
func (e *Error) Unwrap() error { return e.Errno }

// ErrnoOf returns the Errno inside err, or 0 when err is nil or holds none.
func ErrnoOf(err error) Errno {
	var e Errno
	if errors.As(err, &e) {
		return e
	}
	return 0
}

func wrap(op string, ino Ino, name string, e Errno) error {
	if e == 0 {
		return nil
	}
	return &Error{Op: op, Ino: ino, Name: name, Errno: e}
}
