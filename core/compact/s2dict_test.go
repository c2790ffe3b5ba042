package compact

import (
	"bytes"
	"math/rand"
	"testing"
)

// s2DictSeeds are s2 blocks compressed against testDict.
func s2DictSeeds() [][]byte {
	r := rand.New(rand.NewSource(11))
	var out [][]byte
	for i := 0; i < 40; i++ {
		ents := genEntries(r, randShape(r))
		var raw []byte
		e := encoders.Get().(*encoder)
		raw = append(raw, e.body(ents)...)
		encoders.Put(e)
		if i%5 == 0 {
			raw = bytes.Repeat(raw[:min(len(raw), 7)], 300) // long repeats
		}
		out = append(out, testDict.s2.EncodeBetter(nil, raw))
	}
	return out
}

// TestS2DictDecoder: the decoder gives what klauspost/compress's does, on
// blocks of every shape, and refuses every block cut short.
func TestS2DictDecoder(t *testing.T) {
	for i, src := range s2DictSeeds() {
		want, err := testDict.s2.Decode(nil, src)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := decodeS2Dict(nil, src, testDict.data, testDict.repeat)
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("block %d: decoded %v, %d bytes, want %d", i, ok, len(got), len(want))
		}
		// a reused buffer with garbage in it
		buf := bytes.Repeat([]byte{0xAA}, len(want)+dictSlack)
		if got, ok := decodeS2Dict(buf, src, testDict.data, testDict.repeat); !ok || !bytes.Equal(got, want) {
			t.Fatalf("block %d: into a used buffer: %v", i, ok)
		}
		for cut := 1; cut < len(src); cut += 1 + len(src)/50 {
			if _, ok := decodeS2Dict(nil, src[:cut], testDict.data, testDict.repeat); ok {
				if _, err := testDict.s2.Decode(nil, src[:cut]); err != nil {
					t.Fatalf("block %d cut at %d: decodes, the library refuses it", i, cut)
				}
			}
		}
	}
}

// FuzzS2Dict: on any input the decoder agrees with klauspost/compress's
// (same bytes, or both refuse), and never panics.
func FuzzS2Dict(f *testing.F) {
	for _, s := range s2DictSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		got, ok := decodeS2Dict(nil, src, testDict.data, testDict.repeat)
		want, err := testDict.s2.Decode(nil, src)
		if ok != (err == nil) {
			if err == nil && len(want) > MaxRawSize {
				return // beyond a block's limit
			}
			t.Fatalf("decoder says %v, library %v", ok, err)
		}
		if ok && !bytes.Equal(got, want) {
			t.Fatalf("decoded %x, library %x", got, want)
		}
	})
}

func BenchmarkS2Dict(b *testing.B) {
	seeds := s2DictSeeds()
	buf := make([]byte, 0, 1<<20)
	b.Run("library", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			testDict.s2.Decode(buf, seeds[i%len(seeds)])
		}
	})
	b.Run("own", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			decodeS2Dict(buf, seeds[i%len(seeds)], testDict.data, testDict.repeat)
		}
	})
}
