package fsm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"sync"
)

// Log entry format (version 2, written since entries carry a checksum):
//
//	+---------+---------------------+-------------------------------------------+
//	| version | CRC-32C (LE) of the | msgpack array of ops, each a msgpack array |
//	| u8 = 2  | body that follows   | of Op's fields in declaration order (body) |
//	+---------+---------------------+-------------------------------------------+
//
// Version 1, written before, is the same without the checksum: the version
// byte then the body. Readers accept both (logs written before keep
// replaying); writers write version 2 only. The checksum is checked before
// the body is decoded, so a damaged entry is refused as damaged (ErrChecksum)
// rather than decoded into different operations. The version byte changes
// when the encoding does; a reader refuses versions it does not know rather
// than misread them. Within a version any msgpack form of a value is valid:
// entries written by the library-based encoder (fixed-width uint8/uint32)
// and by EncodeBatch (compact integers) read the same, with DecodeBatch or
// with the library and Op.DecodeMsgpack.
const (
	CodecVersion   = 2
	codecVersionV1 = 1 // no checksum: read, never written
	entryHeaderLen = 5 // version and CRC of version 2
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrChecksum is the error of an entry whose checksum does not match its
// bytes: it was damaged after it was written.
var ErrChecksum = errors.New("fsm: log entry checksum mismatch (the entry is damaged)")

// VersionError is the error of an entry written by an unknown codec.
type VersionError struct{ Version byte }

func (e *VersionError) Error() string {
	return fmt.Sprintf("fsm: log entry of codec version %d; this build reads versions %d and %d",
		e.Version, codecVersionV1, CodecVersion)
}

// EntryBody checks an entry's version and checksum and returns its body
// (the msgpack array of ops), sharing b's memory.
func EntryBody(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("fsm: empty log entry")
	}
	switch b[0] {
	case codecVersionV1:
		return b[1:], nil
	case CodecVersion:
		if len(b) < entryHeaderLen {
			return nil, fmt.Errorf("fsm: log entry of %d bytes, shorter than its header", len(b))
		}
		body := b[entryHeaderLen:]
		if got, want := crc32.Checksum(body, castagnoli), binary.LittleEndian.Uint32(b[1:]); got != want {
			return nil, fmt.Errorf("%w: CRC-32C %08x, the entry says %08x", ErrChecksum, got, want)
		}
		return body, nil
	}
	return nil, &VersionError{b[0]}
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
	b := append((*bp)[:0], CodecVersion, 0, 0, 0, 0)
	b = appendArrayLen(b, len(ops))
	for _, o := range ops {
		b = appendOp(b, o)
	}
	binary.LittleEndian.PutUint32(b[1:], crc32.Checksum(b[entryHeaderLen:], castagnoli))
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
func DecodeBatch(entry []byte) ([]Op, error) {
	b, err := EntryBody(entry)
	if err != nil {
		return nil, err
	}
	r := reader{b: b}
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
