package fsm

import (
	"fmt"
	"math"
	"sync"
)

// Log entry format:
//
//	+---------+-------------------------------------------+
//	| version | msgpack array of ops, each a msgpack array |
//	| u8 = 1  | of Op's fields in declaration order        |
//	+---------+-------------------------------------------+
//
// The version byte changes when the encoding does; a reader refuses versions
// it does not know rather than misread them. Within version 1 any msgpack
// form of a value is valid: entries written by the library-based encoder
// (fixed-width uint8/uint32) and by EncodeBatch (compact integers) read
// the same, with DecodeBatch or with the library and Op.DecodeMsgpack.
const CodecVersion = 1

// VersionError is the error of an entry written by an unknown codec.
type VersionError struct{ Version byte }

func (e *VersionError) Error() string {
	return fmt.Sprintf("fsm: log entry of codec version %d; this build reads version %d", e.Version, CodecVersion)
}

// EncodeBatch encodes ops as one log entry. It refuses an op that
// DecodeBatch would refuse (nil, unknown code, arrays over the limits), so
// a bad op fails its proposer instead of stopping every replica's FSM.
func EncodeBatch(ops []*Op) ([]byte, error) {
	for i, o := range ops {
		if err := checkOp(o); err != nil {
			return nil, fmt.Errorf("fsm: encoding operation %d: %w", i, err)
		}
	}
	bp := encBufs.Get().(*[]byte)
	b := append((*bp)[:0], CodecVersion)
	b = appendArrayLen(b, len(ops))
	for _, o := range ops {
		b = appendOp(b, o)
	}
	out := append([]byte(nil), b...) // the entry is raft's: exact size, not the pool's
	if cap(b) <= maxPooledBuf {
		*bp = b[:0]
		encBufs.Put(bp)
	}
	return out, nil
}

// encBufs holds EncodeBatch's scratch buffers.
var encBufs = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

const maxPooledBuf = 1 << 20

// DecodeBatch decodes a log entry written by EncodeBatch (or by the
// library-based encoder before it: any msgpack form of the same values).
// The ops returned share no memory with b.
func DecodeBatch(b []byte) ([]Op, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("fsm: empty log entry")
	}
	if b[0] != CodecVersion {
		return nil, &VersionError{b[0]}
	}
	r := reader{b: b, off: 1}
	n := r.arrayLen(math.MaxInt32, minOpBytes)
	if r.err != nil {
		return nil, fmt.Errorf("fsm: log entry: %w", r.err)
	}
	ops := make([]Op, n)
	for i := range ops {
		r.readOp(&ops[i], n-i)
		if r.err != nil {
			return nil, fmt.Errorf("fsm: log entry, operation %d: %w", i, r.err)
		}
		if ops[i].Code == 0 || ops[i].Code >= numOps {
			return nil, fmt.Errorf("fsm: log entry, operation %d: unknown code %d", i, ops[i].Code)
		}
	}
	if r.off < len(b) {
		return nil, fmt.Errorf("fsm: log entry: %d bytes after the last operation", len(b)-r.off)
	}
	return ops, nil
}
