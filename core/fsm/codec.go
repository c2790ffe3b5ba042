package fsm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"sync"
)

// Log entry format (version 3):
//
//	+---------+------------------------------+----------------------------------------+
//	| version | CRC-32C (LE) of the version  | msgpack array of operations, each a    |
//	| u8 = 3  | byte and the body            | typed record (record.go) (body)        |
//	+---------+------------------------------+----------------------------------------+
//
// Versions written before, still read: 2, the same header (its CRC covers
// the body only) over positional operations (each a msgpack array of Op's
// 19 fields in declaration order, opcodec.go); 1, positional operations
// without a checksum. Writers write version 3 only. The checksum is checked
// before the body is decoded, so a damaged entry is refused as damaged
// (ErrChecksum) rather than decoded into different operations; a flipped
// version byte fails it too. A reader refuses versions it does not know
// rather than misread them. Within a version any msgpack form of a value is
// valid (the library's fixed-width forms, EncodeBatch's compact ones).
// docs/log-format.md has the table of every operation's record.
const (
	CodecVersion   = 3
	codecVersionV2 = 2 // positional, checksummed: read, no longer written
	codecVersionV1 = 1 // positional, no checksum: read, no longer written
	entryHeaderLen = 5 // version and CRC
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrChecksum is the error of an entry whose checksum does not match its
// bytes: it was damaged after it was written.
var ErrChecksum = errors.New("fsm: log entry checksum mismatch (the entry is damaged)")

// VersionError is the error of an entry written by an unknown codec.
type VersionError struct{ Version byte }

func (e *VersionError) Error() string {
	return fmt.Sprintf("fsm: log entry of codec version %d; this build reads versions %d to %d",
		e.Version, codecVersionV1, CodecVersion)
}

// EntryBody checks an entry's version and checksum and returns its body
// (the msgpack array of ops), sharing b's memory.
func EntryBody(b []byte) ([]byte, error) {
	body, _, err := entryBody(b)
	return body, err
}

func entryBody(b []byte) ([]byte, byte, error) {
	if len(b) == 0 {
		return nil, 0, fmt.Errorf("fsm: empty log entry")
	}
	switch v := b[0]; v {
	case codecVersionV1:
		return b[1:], v, nil
	case codecVersionV2, CodecVersion:
		if len(b) < entryHeaderLen {
			return nil, v, fmt.Errorf("fsm: log entry of %d bytes, shorter than its header", len(b))
		}
		body := b[entryHeaderLen:]
		got := crc32.Checksum(body, castagnoli)
		if v == CodecVersion {
			got = crc32.Update(crc32.Checksum(b[:1], castagnoli), castagnoli, body)
		}
		if want := binary.LittleEndian.Uint32(b[1:]); got != want {
			return nil, v, fmt.Errorf("%w: CRC-32C %08x, the entry says %08x", ErrChecksum, got, want)
		}
		return body, v, nil
	}
	return nil, b[0], &VersionError{b[0]}
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
		b = AppendRecord(b, o)
	}
	crc := crc32.Update(crc32.Checksum(b[:1], castagnoli), castagnoli, b[entryHeaderLen:])
	binary.LittleEndian.PutUint32(b[1:], crc)
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
	b, version, err := entryBody(entry)
	if err != nil {
		return nil, err
	}
	r := reader{b: b}
	n := r.arrayLen(math.MaxInt32, minOpBytes(version))
	if r.err != nil {
		return nil, fmt.Errorf("fsm: log entry: %w", r.err)
	}
	ops := make([]Op, n)
	for i := range ops {
		if version == CodecVersion {
			r.readRecord(&ops[i], n-i)
		} else {
			r.readOp(&ops[i], n-i)
		}
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

// minOpBytes is the fewest bytes an operation takes in a version's entries.
func minOpBytes(version byte) int {
	if version == CodecVersion {
		return minRecordBytes
	}
	return minOpFieldsBytes
}

// encodeV2 writes ops as a version 2 entry (positional operations), as
// fsmeta wrote before typed records: tests use it to check that such
// entries still read.
func encodeV2(ops []*Op) ([]byte, error) {
	for i, o := range ops {
		if err := checkOp(o); err != nil {
			return nil, fmt.Errorf("fsm: encoding operation %d: %w", i, err)
		}
	}
	b := []byte{codecVersionV2, 0, 0, 0, 0}
	b = appendArrayLen(b, len(ops))
	for _, o := range ops {
		b = appendOp(b, o)
	}
	binary.LittleEndian.PutUint32(b[1:], crc32.Checksum(b[entryHeaderLen:], castagnoli))
	return b, nil
}
