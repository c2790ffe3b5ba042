package fsmeta_test

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// TestBackgroundCompactor: the engine's own compactor (a short
// CompactAfter) runs while writers change a large directory (frozen by
// runs) and small ones and readers read them; directories go cold and
// thaw under that traffic. Everything stays consistent (fsck), and the
// durable state reopens equal.
func TestBackgroundCompactor(t *testing.T) {
	dir := t.TempDir()
	opts := fsmeta.Options{Dir: dir, ArenaMaxBytes: 256 << 20, CompactAfter: 20 * time.Millisecond}
	db, err := fsmeta.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	big, err := db.Mkdir(nil, fsmeta.RootIno, "big", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	n := 3000
	if testing.Short() {
		n = 1500
	}
	inos := make([]fsmeta.Ino, n)
	for i := range inos {
		a, err := db.Create(nil, big.Ino, "f"+strconv.Itoa(i), 0o644)
		if err != nil {
			t.Fatal(err)
		}
		inos[i] = a.Ino
	}
	var small []fsmeta.Ino
	for i := 0; i < 50; i++ {
		d, err := db.Mkdir(nil, fsmeta.RootIno, "s"+strconv.Itoa(i), 0o755)
		if err != nil {
			t.Fatal(err)
		}
		small = append(small, d.Ino)
		for k := 0; k < 1+i%5; k++ {
			if _, err := db.Create(nil, d.Ino, "x"+strconv.Itoa(k), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// let the compactor make them cold
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := db.Stats()
		if st.ColdRuns > 0 && st.ColdEntries >= uint64(n) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not cold after 10 s: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	fail := func(err error) {
		t.Error(err)
		stop.Store(true)
	}
	// writers: a few changes now and then, so most stays cold between them
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				k := (i*7919 + w*31) % n
				switch i % 4 {
				case 0:
					if _, err := db.SetAttr(nil, inos[k], fsmeta.SetMode, fsmeta.SetAttrIn{Mode: 0o600 | uint32(i&7)}); err != nil {
						fail(err)
					}
				case 1:
					name := "w" + strconv.Itoa(w) + "-" + strconv.Itoa(i)
					if _, err := db.Create(nil, big.Ino, name, 0o644); err != nil {
						fail(err)
					}
				case 2:
					d := small[i%len(small)]
					if _, err := db.Create(nil, d, "y"+strconv.Itoa(w)+"-"+strconv.Itoa(i), 0o644); err != nil {
						fail(err)
					}
				case 3:
					name := "w" + strconv.Itoa(w) + "-" + strconv.Itoa(i-2)
					if err := db.Unlink(nil, big.Ino, name); err != nil {
						fail(err)
					}
				}
				time.Sleep(time.Millisecond)
			}
		}(w)
	}
	// readers
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				k := (i*104729 + r) % n
				if _, err := db.Lookup(nil, big.Ino, "f"+strconv.Itoa(k)); err != nil {
					fail(err)
				}
				if _, err := db.GetAttr(nil, inos[k]); err != nil {
					fail(err)
				}
				if i%200 == 0 {
					it, err := db.OpenDir(nil, big.Ino, false)
					if err != nil {
						fail(err)
						continue
					}
					seen := 0
					for {
						if _, ok := it.Next(); !ok {
							break
						}
						seen++
					}
					if err := it.Err(); err != nil {
						fail(err)
					}
					it.Close()
					if seen < n {
						fail(errors.New("listing of the large directory lost entries: " + strconv.Itoa(seen)))
					}
				}
			}
		}(r)
	}
	run := 2 * time.Second
	if testing.Short() {
		run = 500 * time.Millisecond
	}
	time.Sleep(run)
	stop.Store(true)
	wg.Wait()
	cs := db.CompactorStats()
	if cs.Steps == 0 || cs.Passes == 0 {
		t.Fatalf("the compactor did not run: %+v", cs)
	}
	t.Logf("compactor: %+v; %+v", cs, db.Stats())
	before := sum(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = fsmeta.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if sum(t, db) != before {
		t.Fatal("state differs after reopening")
	}
}
