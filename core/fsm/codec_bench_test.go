package fsm

import (
	"fmt"
	"testing"
)

// createBatch is a typical group-commit entry: n file creates in one
// directory by one caller.
func createBatch(n int) []*Op {
	ops := make([]*Op, n)
	for i := range ops {
		ops[i] = &Op{Code: OpMknod, Now: 1_700_000_000_123_456_789 + int64(i)*1000, Uid: 1000, Gid: 1000,
			Groups: []uint32{1000, 27}, Umask: 0o022, Ino: 1_234_567, Name: fmt.Sprintf("file-%015d", 1_000_000+i),
			Mode: 0o100644}
	}
	return ops
}

// benchEncode times enc on a 56-op create batch.
func benchEncode(b *testing.B, enc func([]*Op) ([]byte, error)) {
	ops := createBatch(56)
	data, err := enc(ops)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := enc(ops); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "bytes/entry")
}

// benchDecode times dec on a 56-op create batch written by enc.
func benchDecode(b *testing.B, enc func([]*Op) ([]byte, error), dec func([]byte) ([]Op, error)) {
	data, err := enc(createBatch(56))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := dec(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "bytes/entry")
}

func BenchmarkEncodeBatch(b *testing.B) { benchEncode(b, EncodeBatch) }
func BenchmarkDecodeBatch(b *testing.B) { benchDecode(b, EncodeBatch, DecodeBatch) }

// The library-based codec this package used before (codec_test.go), for
// comparison in the same run.
func BenchmarkLibEncodeBatch(b *testing.B) { benchEncode(b, libEncodeBatch) }
func BenchmarkLibDecodeBatch(b *testing.B) { benchDecode(b, libEncodeBatch, libDecodeBatch) }

// BenchmarkDecodeOldEntry: DecodeBatch on an entry the library wrote
// (fixed-width integers).
func BenchmarkDecodeOldEntry(b *testing.B) { benchDecode(b, libEncodeBatch, DecodeBatch) }
