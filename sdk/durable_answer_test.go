package fsmeta

import (
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
)

// TestDurableAnswers: callers are answered by the FSM as it applies their
// entry (onEntry), each with its own operation's result. Pairs of callers
// race to create the same names in one directory, so that entries mix
// successes and EEXIST: for each name exactly one caller wins, and the
// inode it was told is the one the name holds. No entry stays registered.
func TestDurableAnswers(t *testing.T) {
	db, err := Open(Options{Dir: t.TempDir(), ArenaMaxBytes: 256 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir, err := db.Mkdir(nil, RootIno, "d", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	const callers, per = 32, 60
	won := make([]map[string]Ino, callers)
	var wg sync.WaitGroup
	for g := 0; g < callers; g++ {
		won[g] = map[string]Ino{}
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < per; i++ {
				name := strconv.Itoa(g/2) + "-" + strconv.Itoa(i)
				a, err := db.Create(nil, dir.Ino, name, 0o644)
				switch {
				case err == nil:
					won[g][name] = a.Ino
				case !errors.Is(err, meta.EEXIST):
					t.Error(err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	for g := 0; g < callers; g += 2 {
		for i := 0; i < per; i++ {
			name := strconv.Itoa(g/2) + "-" + strconv.Itoa(i)
			a, inA := won[g][name]
			b, inB := won[g+1][name]
			if inA == inB {
				t.Fatalf("%s: created by %v and %v of the two callers", name, inA, inB)
			}
			if inB {
				a = b
			}
			got, err := db.Lookup(nil, dir.Ino, name)
			if err != nil || got.Ino != a {
				t.Fatalf("%s: caller was told inode %d, the name holds %d (%v)", name, a, got.Ino, err)
			}
		}
	}
	db.d.local.Lock()
	left := len(db.d.entries)
	db.d.local.Unlock()
	if left != 0 {
		t.Fatalf("%d entries still registered after every caller was answered", left)
	}
	if err := db.Fsck(); err != nil {
		t.Fatal(err)
	}
}
