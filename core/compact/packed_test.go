package compact

import (
	"fmt"
	"math/rand"
	"testing"
)

// TestPackedRoundTrip packs columns of every bit length (and the edge
// values: escapes, all ones, 2^64-1) and checks that they decode to the
// same values, that the body is as short as the width says, and that a
// short or padded column is refused.
func TestPackedRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for iter := 0; iter < 20000; iter++ {
		n := 1 + r.Intn(70)
		vals := make([]uint64, n)
		l := r.Intn(65) // typical bit length of the column
		for i := range vals {
			switch r.Intn(10) {
			case 0:
				vals[i] = r.Uint64() // an outlier
			case 1:
				if l > 0 {
					vals[i] = 1<<uint(l) - 1 // all ones: the escape of width l
				}
			case 2:
				vals[i] = 0
			default:
				if l > 0 {
					vals[i] = r.Uint64() >> uint(64-l)
				}
			}
		}
		col := appendPacked(nil, vals)
		got, ok := decodePacked(make([]uint64, 0, n), col, n)
		if !ok {
			t.Fatalf("iter %d: %d values of about %d bits: refused", iter, n, l)
		}
		for i := range vals {
			if got[i] != vals[i] {
				t.Fatalf("iter %d: value %d = %#x, want %#x (width %d)", iter, i, got[i], vals[i], col[0])
			}
		}
		if _, ok := decodePacked(make([]uint64, 0, n), col[:len(col)-1], n); ok {
			t.Fatalf("iter %d: a column cut short decodes", iter)
		}
		if _, ok := decodePacked(make([]uint64, 0, n), append(col, 0), n); ok && col[0] != 0 {
			t.Fatalf("iter %d: a column with a byte too many decodes", iter)
		}
		// no width makes the column shorter than the one chosen
		for w := 1; w <= 64; w++ {
			cost := 1 + packedLen(n, w)
			for _, v := range vals {
				if w < 64 && v >= escape(w) {
					cost += uvarintLen(v)
				}
			}
			if cost < len(col) {
				t.Fatalf("iter %d: column of %d bytes at width %d, %d at width %d", iter, len(col), col[0], cost, w)
			}
		}
	}
}

// TestPackedPadding: bits past the last value must be zero.
func TestPackedPadding(t *testing.T) {
	col := appendPacked(nil, []uint64{1, 0, 1}) // 3 values of 1 bit
	if _, ok := decodePacked(make([]uint64, 0, 3), col, 3); !ok {
		t.Fatal("refused")
	}
	col[len(col)-1] |= 0x80
	if _, ok := decodePacked(make([]uint64, 0, 3), col, 3); ok {
		t.Fatal("a set padding bit decodes")
	}
}

func BenchmarkDecodePacked(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, w := range []int{5, 13, 30} {
		vals := make([]uint64, 28)
		for i := range vals {
			vals[i] = r.Uint64() >> uint(64-w)
		}
		col := appendPacked(nil, vals)
		out := make([]uint64, 0, len(vals))
		b.Run(fmt.Sprint(w), func(b *testing.B) {
			for b.Loop() {
				decodePacked(out, col, len(vals))
			}
		})
	}
}
