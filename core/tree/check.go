package tree

import "github.com/fsmeta/fsmeta/core/meta"

// The argument checks of the operations that need no state, for callers
// that refuse bad arguments before an operation is logged (fsm.Validate):
// the very functions the operations call, so the two cannot disagree.

// CheckName is the check of a name an operation creates, removes or
// renames: EINVAL (empty, '/', NUL, "." or ".."), ENAMETOOLONG (over MaxName).
func CheckName(name string) meta.Errno { return checkName(name) }

// CheckXattrName is the check of an xattr name: EINVAL (empty), ERANGE (over
// MaxXattrName), EOPNOTSUPP (no user., trusted. or security. prefix).
func CheckXattrName(name string) meta.Errno {
	_, e := xattrNS(name)
	return e
}

// CheckSlice is the check of a slice written into a chunk (EINVAL).
func CheckSlice(s meta.Slice) meta.Errno { return checkSlice(s) }
