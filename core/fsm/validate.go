package fsm

import (
	"strings"

	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/core/tree"
)

// Validate returns the errno that applying o to any tree gives because of
// its arguments alone (names, lengths, flags, masks: what needs no state),
// or 0 when only the state can decide. Proposers call it before an
// operation is logged, so that nothing the tree refuses on its arguments
// reaches the log (an oversized name or value would make an entry the log
// store cannot read back).
//
// Its verdict is the tree's: each operation's checks (its description's,
// optable.go; the functions below) are the ones the tree makes, in the
// tree's order (validate_test.go compares them). Two limits are the
// engine's rather than the tree's, so that every mode refuses the same
// callers and no logged operation exceeds what the entry codec reads back:
// more than meta.MaxGroups supplementary groups, and more than
// meta.MaxReplaced slices replaced by one CompactChunk, are EINVAL.
func Validate(o *Op) meta.Errno {
	if len(o.Groups) > meta.MaxGroups {
		return meta.EINVAL
	}
	if o.Code == 0 || o.Code >= numOps {
		return meta.ENOSYS // Apply's answer to an unknown code
	}
	for _, check := range changes[o.Code].checks {
		if e := check(o); e != 0 {
			return e
		}
	}
	return 0
}

// The entry codec reads back at most maxGroups groups and maxSlices slices
// an op (opcodec.go): the engine's limits must not exceed them.
const (
	_ = uint(maxGroups - meta.MaxGroups)
	_ = uint(maxSlices - meta.MaxReplaced)
)

type argCheck func(o *Op) meta.Errno

func entryName(o *Op) meta.Errno  { return tree.CheckName(o.Name) }
func entryName2(o *Op) meta.Errno { return tree.CheckName(o.Name2) }

func setAttrArgs(o *Op) meta.Errno {
	mask, in := o.Mode, &o.Attr
	if mask&^meta.SetAll != 0 || (mask&meta.SetMode != 0 && in.Mode&^meta.ModePerm != 0) ||
		(mask&meta.SetFlags != 0 && in.Flags&^(meta.FlagImmutable|meta.FlagAppend) != 0) {
		return meta.EINVAL
	}
	return 0
}

func mknodType(o *Op) meta.Errno {
	switch o.Mode & meta.S_IFMT {
	case 0, meta.S_IFREG, meta.S_IFIFO, meta.S_IFSOCK, meta.S_IFCHR, meta.S_IFBLK:
		return 0
	}
	return meta.EINVAL
}

func symlinkTarget(o *Op) meta.Errno {
	switch t := o.Name2; {
	case len(t) == 0 || strings.IndexByte(t, 0) >= 0:
		return meta.EINVAL
	case len(t) > meta.MaxSymlink:
		return meta.ENAMETOOLONG
	}
	return 0
}

func renameFlags(o *Op) meta.Errno {
	const both = meta.RenameNoReplace | meta.RenameExchange
	if o.Flags&^both != 0 || o.Flags == both {
		return meta.EINVAL
	}
	return 0
}

func xattrName(o *Op) meta.Errno { return tree.CheckXattrName(o.Name) }

func xattrFlags(o *Op) meta.Errno {
	const both = meta.XattrCreate | meta.XattrReplace
	if o.Flags&^both != 0 || o.Flags == both {
		return meta.EINVAL
	}
	return 0
}

func xattrSize(o *Op) meta.Errno {
	if len(o.Value) > meta.MaxXattrSize {
		return meta.E2BIG
	}
	return 0
}

func fallocArgs(o *Op) meta.Errno {
	mode, off, length := o.Mode, o.Arg, o.Arg2
	switch {
	case mode&^(meta.FallocKeepSize|meta.FallocPunchHole|meta.FallocZeroRange) != 0,
		mode&meta.FallocPunchHole != 0 && mode&meta.FallocKeepSize == 0,
		mode&meta.FallocPunchHole != 0 && mode&meta.FallocZeroRange != 0,
		length == 0:
		return meta.EINVAL
	case off > meta.MaxFileSize || length > meta.MaxFileSize-off:
		return meta.EFBIG
	}
	return 0
}

func openFlags(o *Op) meta.Errno {
	if o.Mode&meta.O_ACCMODE == 3 {
		return meta.EINVAL
	}
	return 0
}

func sliceCount(o *Op) meta.Errno {
	if uint32(o.Arg) == 0 { // Apply passes the count as a uint32
		return meta.EINVAL
	}
	return 0
}

func writeSlice(o *Op) meta.Errno {
	if e := tree.CheckSlice(o.Slice); e != 0 {
		return e
	}
	if uint64(o.Chunk)*meta.ChunkSize+uint64(o.Slice.Pos)+uint64(o.Slice.Len) > meta.MaxFileSize {
		return meta.EFBIG
	}
	return 0
}

func replacedCount(o *Op) meta.Errno {
	if len(o.Slices) > meta.MaxReplaced {
		return meta.EINVAL
	}
	return 0
}

func pathLen(o *Op) meta.Errno {
	if len(o.Name) > meta.MaxPath {
		return meta.ENAMETOOLONG
	}
	return 0
}
