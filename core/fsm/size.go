package fsm

// MaxEntryBytes is the largest log entry the engine proposes: below
// raft-wal's limit on a record (64 MiB, segment.MaxEntrySize), with room for
// the record's own framing. A record over that limit is written but never
// read back, which would make the log unreadable: batches are cut so that
// the sum of their operations' SizeBound stays within it, and an operation
// that alone exceeds it is refused before it is logged.
const MaxEntryBytes = 60 << 20

// SizeBound is an upper bound of o's encoded size in a log entry (every
// integer at its widest msgpack form).
func SizeBound(o *Op) int {
	const fixed = 256 // header, scalars, SetAttrIn, Slice, array headers
	return fixed + len(o.Name) + len(o.Name2) + len(o.Value) + 15 + 9*len(o.Groups) + 64*len(o.Slices)
}

// batchOverhead bounds an entry's bytes beside its operations.
const batchOverhead = entryHeaderLen + 5
