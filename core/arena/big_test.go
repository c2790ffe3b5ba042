//go:build !race && !fsmeta_heaparena

package arena

import "testing"

// TestBeyond4GiB: objects past the arena's first 4 GiB get refs to where
// they are (a 32-bit byte offset overflowed there and handed out refs into
// live objects at the start). Only address space is used: the large
// objects are never touched.
func TestBeyond4GiB(t *testing.T) {
	a, err := New(8 << 30)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	first, err := a.Alloc(64, PNode)
	if err != nil {
		t.Fatal(err)
	}
	copy(a.Bytes(first, 64), "first object")
	for i := 0; i < 17; i++ { // 17 x 256 MiB: past 4 GiB
		if _, err := a.Alloc(256<<20, POther); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []int{64, 1000, 100 << 10} {
		r, err := a.Alloc(n, PChunks)
		if err != nil {
			t.Fatal(err)
		}
		if off := uint64(r) << refShift; off < 4<<30 {
			t.Fatalf("object of %d bytes allocated past 4 GiB has offset %#x", n, off)
		}
		b := a.Bytes(r, n)
		for i := range b {
			b[i] = 0xAB
		}
	}
	if got := string(a.Bytes(first, 12)); got != "first object" {
		t.Fatalf("first object overwritten: %q", got)
	}
}
