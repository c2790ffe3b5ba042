package tree

import (
	"math/rand"
	"strconv"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
)

// TestDirResize grows a directory through many incremental resizes, shrinks
// it again, and checks lookups, the index (fsck) and a listing that runs
// across resizes while entries come and go.
func TestDirResize(t *testing.T) {
	tr, err := New(Options{ArenaMaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	n := 200000
	if testing.Short() {
		n = 20000
	}
	live := map[string]bool{}
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < n; i++ {
		name := "f" + strconv.Itoa(i)
		if _, e := tr.Mknod(meta.RootCaller, 1, meta.RootIno, name, 0o644, 0); e != 0 {
			t.Fatal(e)
		}
		live[name] = true
		if i%25000 == 0 {
			if err := tr.Fsck(); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A listing in batches of 1000 while entries are removed and added: every
	// entry present throughout must come exactly once.
	stable := map[string]bool{}
	for k := range live {
		stable[k] = true
	}
	seen := map[string]int{}
	var cursor uint64
	added := 0
	for {
		ents, next, e := tr.ReadDir(meta.RootCaller, meta.RootIno, cursor, 1000, false, nil)
		if e != 0 {
			t.Fatal(e)
		}
		for _, de := range ents {
			seen[de.Name]++
		}
		for j := 0; j < 300; j++ { // churn: remove 300, add 100
			name := "f" + strconv.Itoa(rng.Intn(n))
			if live[name] {
				if e := tr.Unlink(meta.RootCaller, 2, meta.RootIno, name); e != 0 {
					t.Fatal(e)
				}
				delete(live, name)
				delete(stable, name)
			}
			if j%3 == 0 {
				nn := "g" + strconv.Itoa(added)
				added++
				if _, e := tr.Mknod(meta.RootCaller, 2, meta.RootIno, nn, 0o644, 0); e != 0 {
					t.Fatal(e)
				}
				live[nn] = true
			}
		}
		if next == 0 {
			break
		}
		cursor = next
	}
	for k := range stable {
		if seen[k] != 1 {
			t.Fatalf("%s listed %d times", k, seen[k])
		}
	}
	for k, c := range seen {
		if c != 1 {
			t.Fatalf("%s listed %d times", k, c)
		}
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	for k := range live { // shrink to nothing
		if e := tr.Unlink(meta.RootCaller, 3, meta.RootIno, k); e != 0 {
			t.Fatal(k, e)
		}
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	if _, e := tr.Lookup(meta.RootCaller, meta.RootIno, "f1"); e != meta.ENOENT {
		t.Fatal(e)
	}
}
