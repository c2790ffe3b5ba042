package arena

import (
	"bytes"
	"math/rand"
	"testing"
)

// TestView: a view filled while objects change, are freed and allocated
// (small and large, slabs emptied and reused) holds every object as it was
// at BeginView.
func TestView(t *testing.T) {
	a, err := New(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	rng := rand.New(rand.NewSource(1))
	type obj struct {
		r    Ref
		n    int
		want []byte
	}
	var objs []obj
	for i := 0; i < 20000; i++ {
		n := 1 + rng.Intn(600)
		if i%1000 == 0 {
			n = MaxSmall + 1 + rng.Intn(3*SlabSize)
		}
		r, err := a.Alloc(n, POther)
		if err != nil {
			t.Fatal(err)
		}
		b := a.Bytes(r, n)
		rng.Read(b)
		objs = append(objs, obj{r, n, append([]byte(nil), b...)})
	}
	v, err := a.BeginView()
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, err := a.BeginView(); err == nil {
		t.Fatal("a second view while one is filling")
	}
	// change half the objects, free a quarter, allocate more
	for i := range objs {
		o := &objs[i]
		switch i % 4 {
		case 0:
			rng.Read(a.Bytes(o.r, o.n))
		case 1:
			a.Free(o.r, o.n, POther)
		}
		if i%3 == 0 {
			r, _ := a.Alloc(1+rng.Intn(600), POther)
			a.Bytes(r, 1)[0] = 0xFF
		}
		if i == len(objs)/2 {
			if err := v.Fill(nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if v.Touched() == 0 {
		t.Fatal("no slab was preserved by a change")
	}
	a.ClearView()
	va := v.Arena()
	for i, o := range objs {
		if got := va.Bytes(o.r, o.n); !bytes.Equal(got, o.want) {
			t.Fatalf("object %d (%d bytes at %d) differs in the view", i, o.n, o.r)
		}
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	// after the view, the arena has no copy-on-write left
	if a.cowOn || a.cow.Load() != nil {
		t.Fatal("copy-on-write still on")
	}
	if _, err := a.BeginView(); err != nil {
		t.Fatal(err)
	}
}
