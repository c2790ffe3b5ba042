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

func BenchmarkEncodeBatch(b *testing.B) {
	ops := createBatch(56)
	data, err := EncodeBatch(ops)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := EncodeBatch(ops); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "bytes/entry")
}

func BenchmarkDecodeBatch(b *testing.B) {
	data, err := EncodeBatch(createBatch(56))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := DecodeBatch(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "bytes/entry")
}

// The library-based codec this package used before (codec_test.go), for
// comparison in the same run.
func BenchmarkLibEncodeBatch(b *testing.B) {
	ops := createBatch(56)
	data, err := libEncodeBatch(ops)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := libEncodeBatch(ops); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "bytes/entry")
}

func BenchmarkLibDecodeBatch(b *testing.B) {
	data, err := libEncodeBatch(createBatch(56))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := libDecodeBatch(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "bytes/entry")
}

// BenchmarkDecodeOldEntry: DecodeBatch on an entry the library wrote
// (fixed-width integers).
func BenchmarkDecodeOldEntry(b *testing.B) {
	data, err := libEncodeBatch(createBatch(56))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := DecodeBatch(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "bytes/entry")
}
