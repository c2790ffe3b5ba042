package arena

import (
	"math/rand"
	"testing"
)

func TestClassOf(t *testing.T) {
	for n := 1; n <= MaxSmall; n++ {
		ci := classOf(n)
		if classSizes[ci] < uint32(n) || (ci > 0 && classSizes[ci-1] >= uint32(n)) {
			t.Fatalf("classOf(%d) = %d (size %d)", n, ci, classSizes[ci])
		}
	}
}

// TestRandom allocates and frees at random against a model of live objects,
// checking contents are kept, memory comes back zeroed, and the accounting
// matches the live set.
func TestRandom(t *testing.T) {
	a, err := New(256 << 20)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	type obj struct {
		r    Ref
		n    int
		p    Purpose
		fill byte
	}
	rng := rand.New(rand.NewSource(1))
	var live []obj
	iters := 200000
	if testing.Short() {
		iters = 20000
	}
	for i := 0; i < iters; i++ {
		if len(live) > 0 && rng.Intn(100) < 45 {
			k := rng.Intn(len(live))
			o := live[k]
			b := a.Bytes(o.r, o.n)
			for j := range b {
				if b[j] != o.fill {
					t.Fatalf("object %d (%d bytes) byte %d = %d, want %d", o.r, o.n, j, b[j], o.fill)
				}
			}
			a.Free(o.r, o.n, o.p)
			live[k] = live[len(live)-1]
			live = live[:len(live)-1]
			continue
		}
		n := 1 + rng.Intn(300)
		if rng.Intn(1000) == 0 {
			n = MaxSmall + rng.Intn(3*SlabSize)
		} else if rng.Intn(50) == 0 {
			n = 256 + rng.Intn(MaxSmall-256)
		}
		p := Purpose(rng.Intn(int(NumPurposes)))
		r, err := a.Alloc(n, p)
		if err != nil {
			t.Fatal(err)
		}
		b := a.Bytes(r, n)
		for j := range b {
			if b[j] != 0 {
				t.Fatalf("fresh object of %d bytes not zeroed at %d", n, j)
			}
		}
		fill := byte(rng.Intn(255) + 1)
		for j := range b {
			b[j] = fill
		}
		live = append(live, obj{r, n, p, fill})
	}
	var want [NumPurposes]uint64
	for _, o := range live {
		want[o.p] += ClassSize(o.n)
	}
	if got := a.Stats().ByPurpose; got != want {
		t.Fatalf("accounting %v, want %v", got, want)
	}
	for _, o := range live {
		a.Free(o.r, o.n, o.p)
	}
	st := a.Stats()
	if st.InUse != 0 {
		t.Fatalf("in use %d after freeing everything", st.InUse)
	}
}

func TestFull(t *testing.T) {
	a, err := New(growStep)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for {
		if _, err := a.Alloc(200<<10, POther); err != nil {
			if err != ErrFull {
				t.Fatal(err)
			}
			break
		}
	}
}

func BenchmarkAllocFree(b *testing.B) {
	a, _ := New(1 << 30)
	defer a.Close()
	refs := make([]Ref, 1024)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		k := i & 1023
		if refs[k] != 0 {
			a.Free(refs[k], 88, PNode)
		}
		refs[k], _ = a.Alloc(88, PNode)
	}
}

// TestSetHugePages: huge pages off and on again over a committed arena,
// with memory allocated, written and freed in between, keep every object's
// bytes; the arena grows either way.
func TestSetHugePages(t *testing.T) {
	a, err := New(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var refs []Ref
	fill := func(k int) {
		for i := 0; i < k; i++ {
			r, err := a.Alloc(1000, POther)
			if err != nil {
				t.Fatal(err)
			}
			b := a.Bytes(r, 1000)
			for j := range b {
				b[j] = byte(len(refs))
			}
			refs = append(refs, r)
		}
	}
	// drop frees the first k objects and renumbers the rest (each object's
	// bytes hold its index in refs)
	drop := func(k int) {
		for _, r := range refs[:k] {
			a.Free(r, 1000, POther)
		}
		refs = refs[k:]
		for i, r := range refs {
			b := a.Bytes(r, 1000)
			for j := range b {
				b[j] = byte(i)
			}
		}
	}
	check := func() {
		for i, r := range refs {
			for _, c := range a.Bytes(r, 1000) {
				if c != byte(i) {
					t.Fatalf("object %d changed", i)
				}
			}
		}
	}
	fill(20000)
	a.SetHugePages(false)
	a.SetHugePages(false) // again: nothing to do
	check()
	fill(20000) // committed without huge pages
	drop(10000)
	a.SetHugePages(true)
	fill(20000)
	check()
	drop(15000) // free slabs for the next switch to discard
	a.SetHugePages(false)
	check()
	fill(5000)
	check()
}
