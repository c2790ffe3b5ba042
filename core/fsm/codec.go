package fsm

import (
	"bytes"
	"fmt"

	"github.com/vmihailenco/msgpack/v5"
)

// Log entry format:
//
//	+---------+-------------------------------------------+
//	| version | msgpack array of ops, each a msgpack array |
//	| u8 = 1  | of Op's fields in declaration order        |
//	+---------+-------------------------------------------+
//
// The version byte changes when the encoding does; a reader refuses versions
// it does not know rather than misread them.
const CodecVersion = 1

// VersionError is the error of an entry written by an unknown codec.
type VersionError struct{ Version byte }

func (e *VersionError) Error() string {
	return fmt.Sprintf("fsm: log entry of codec version %d; this build reads version %d", e.Version, CodecVersion)
}

// EncodeBatch encodes ops as one log entry.
func EncodeBatch(ops []*Op) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte(CodecVersion)
	enc := msgpack.GetEncoder()
	defer msgpack.PutEncoder(enc)
	enc.Reset(&buf)
	enc.UseArrayEncodedStructs(true)
	if err := enc.EncodeArrayLen(len(ops)); err != nil {
		return nil, err
	}
	for _, o := range ops {
		if err := enc.Encode(o); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// DecodeBatch decodes a log entry written by EncodeBatch.
func DecodeBatch(b []byte) ([]Op, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("fsm: empty log entry")
	}
	if b[0] != CodecVersion {
		return nil, &VersionError{b[0]}
	}
	dec := msgpack.GetDecoder()
	defer msgpack.PutDecoder(dec)
	rd := bytes.NewReader(b[1:]) // a ByteScanner: the decoder reads it directly, no buffering
	dec.Reset(rd)
	n, err := dec.DecodeArrayLen()
	if err != nil {
		return nil, fmt.Errorf("fsm: log entry: %w", err)
	}
	if n < 0 || n > len(b) {
		return nil, fmt.Errorf("fsm: log entry: %d operations in %d bytes", n, len(b))
	}
	ops := make([]Op, n)
	for i := range ops {
		if err := dec.Decode(&ops[i]); err != nil {
			return nil, fmt.Errorf("fsm: log entry, operation %d: %w", i, err)
		}
		if ops[i].Code == 0 || ops[i].Code >= numOps {
			return nil, fmt.Errorf("fsm: log entry, operation %d: unknown code %d", i, ops[i].Code)
		}
	}
	if rd.Len() > 0 {
		return nil, fmt.Errorf("fsm: log entry: %d bytes after the last operation", rd.Len())
	}
	return ops, nil
}
