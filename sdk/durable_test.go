package fsmeta_test

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

func openDir(t *testing.T, dir string) *fsmeta.DB {
	t.Helper()
	db, err := fsmeta.Open(fsmeta.Options{Dir: dir, ArenaMaxBytes: 256 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func sum(t *testing.T, db *fsmeta.DB) uint64 {
	t.Helper()
	if err := db.Fsck(); err != nil {
		t.Fatal(err)
	}
	s, err := db.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// work does a mix of changes: files with slices and xattrs, renames,
// removals, hard links.
func work(t *testing.T, db *fsmeta.DB, seed int64, n int) {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	d, err := db.MkdirAll(nil, "/w/"+strconv.FormatInt(seed, 10), 0o755)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		name := "f" + strconv.Itoa(rng.Intn(n/2+1))
		switch rng.Intn(6) {
		case 0, 1, 2:
			a, err := db.Create(nil, d.Ino, name, 0o644)
			if err == nil {
				id, _ := db.NewSliceID(nil, 1)
				db.WriteSlice(nil, a.Ino, 0, fsmeta.Slice{ID: id, Size: 100, Len: 100})
				db.SetXattr(nil, a.Ino, "user.i", []byte(name), 0)
			}
		case 3:
			db.Rename(nil, d.Ino, name, d.Ino, name+"r", 0)
		case 4:
			db.Unlink(nil, d.Ino, name)
		case 5:
			if a, err := db.Lookup(nil, d.Ino, name); err == nil {
				db.Link(nil, a.Ino, d.Ino, name+"l")
			}
		}
	}
}

func TestDurableRestart(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	work(t, db, 1, 2000)
	before := sum(t, db)
	if _, err := fsmeta.Open(fsmeta.Options{Dir: dir}); !errors.Is(err, fsmeta.ErrLocked) || fsmeta.ErrnoOf(err) != 16 {
		t.Fatalf("second open of a held directory: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openDir(t, dir) // log only
	if after := sum(t, db); after != before {
		t.Fatal("state after restart (log replay) differs")
	}
	if err := db.Snapshot(); err != nil {
		t.Fatal(err)
	}
	work(t, db, 2, 1000)
	before = sum(t, db)
	db.Close()
	db = openDir(t, dir) // snapshot + log tail
	defer db.Close()
	if after := sum(t, db); after != before {
		t.Fatal("state after restart (snapshot + tail) differs")
	}
}

// TestDurableConcurrent: 64 writers group-committed; everything acknowledged
// is there after a restart.
func TestDurableConcurrent(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	per := 200
	if testing.Short() {
		per = 30
	}
	var wg sync.WaitGroup
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			d, err := db.MkdirAll(nil, "/c/"+strconv.Itoa(g), 0o755)
			if err != nil {
				t.Error(err)
				return
			}
			for i := 0; i < per; i++ {
				if _, err := db.Create(nil, d.Ino, strconv.Itoa(i), 0o644); err != nil {
					t.Error(err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	before := sum(t, db)
	db.Close()
	db = openDir(t, dir)
	defer db.Close()
	if sum(t, db) != before {
		t.Fatal("state differs after restart")
	}
	if st := db.Stats(); st.Files != uint64(64*per) {
		t.Fatalf("%d files, want %d", st.Files, 64*per)
	}
}

// The crash test: a child process writes through the durable SDK and prints
// every acknowledged change; it is killed with SIGKILL at a random moment;
// the directory is reopened and every acknowledged change must be there,
// fsck clean. -crash.kills sets the number of kills (CI: 50).
func TestCrash(t *testing.T) {
	if os.Getenv("FSMETA_CRASH_CHILD") != "" {
		crashChild(os.Getenv("FSMETA_CRASH_CHILD"))
		return
	}
	kills := *crashKills
	if testing.Short() {
		kills = 5
	}
	dir := t.TempDir()
	acked := map[string]bool{}
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for k := 0; k < kills; k++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrash$")
		cmd.Env = append(os.Environ(), "FSMETA_CRASH_CHILD="+dir, "FSMETA_CRASH_SEED="+strconv.Itoa(k))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Wait until the child is writing, then kill it at a random moment.
		first, ok := <-lines
		if !ok {
			cmd.Wait()
			t.Fatalf("kill %d: the writer printed nothing", k)
		}
		record(acked, first)
		time.Sleep(time.Duration(rng.Intn(150)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		for l := range lines {
			record(acked, l)
		}
		cmd.Wait()
		db, err := fsmeta.Open(fsmeta.Options{Dir: dir, ArenaMaxBytes: 256 << 20})
		if err != nil {
			t.Fatalf("kill %d: reopen: %v", k, err)
		}
		if err := db.Fsck(); err != nil {
			t.Fatalf("kill %d: %v", k, err)
		}
		for path := range acked {
			if _, err := db.Resolve(nil, path, false); err != nil {
				t.Fatalf("kill %d: acknowledged %s is lost: %v", k, path, err)
			}
		}
		db.Close()
	}
	t.Logf("%d kills, %d acknowledged creates all present", kills, len(acked))
}

func record(acked map[string]bool, line string) {
	if p, ok := strings.CutPrefix(line, "ack "); ok {
		acked[p] = true
	}
}

// crashChild writes until killed: concurrent creates, each printed once
// acknowledged.
func crashChild(dir string) {
	db, err := fsmeta.Open(fsmeta.Options{Dir: dir, ArenaMaxBytes: 256 << 20, SnapshotThreshold: 500})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	seed := os.Getenv("FSMETA_CRASH_SEED")
	var mu sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(w, "start")
	w.Flush()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			d, err := db.MkdirAll(nil, fmt.Sprintf("/k%s/g%d", seed, g), 0o755)
			if err != nil {
				return
			}
			for i := 0; ; i++ {
				name := strconv.Itoa(i)
				if _, err := db.Create(nil, d.Ino, name, 0o644); err != nil {
					return
				}
				mu.Lock()
				fmt.Fprintf(w, "ack /k%s/g%d/%s\n", seed, g, name)
				w.Flush()
				mu.Unlock()
			}
		}(g)
	}
	wg.Wait()
}

var restartFiles = flag.Int("restart.files", 200_000, "files in TestRestartLarge (the issue's figure: 1000000)")

// TestRestartLarge: a large state restarts equal through both paths (the
// whole log; a snapshot and the log after it), with the restart times.
func TestRestartLarge(t *testing.T) {
	n := *restartFiles
	if testing.Short() {
		n = 10_000
	}
	dir := t.TempDir()
	db, err := fsmeta.Open(fsmeta.Options{Dir: dir, SnapshotThreshold: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	fill := func(prefix string, n int) {
		var wg sync.WaitGroup
		for g := 0; g < 64; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				d, err := db.MkdirAll(nil, fmt.Sprintf("/%s/%02d", prefix, g), 0o755)
				if err != nil {
					t.Error(err)
					return
				}
				for i := g; i < n; i += 64 {
					if _, err := db.Create(nil, d.Ino, "part-"+strconv.Itoa(i)+".parquet", 0o644); err != nil {
						t.Error(err)
						return
					}
				}
			}(g)
		}
		wg.Wait()
	}
	t0 := time.Now()
	fill("a", n)
	t.Logf("%d creates through the log in %v", n, time.Since(t0))
	before := sum(t, db)
	db.Close()
	t0 = time.Now()
	db, err = fsmeta.Open(fsmeta.Options{Dir: dir, SnapshotThreshold: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("restart replaying the whole log: %v", time.Since(t0))
	if sum(t, db) != before {
		t.Fatal("state differs after a restart from the log")
	}
	t0 = time.Now()
	if err := db.Snapshot(); err != nil {
		t.Fatal(err)
	}
	t.Logf("snapshot: %v", time.Since(t0))
	fill("b", n/10)
	before = sum(t, db)
	db.Close()
	t0 = time.Now()
	db, err = fsmeta.Open(fsmeta.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t.Logf("restart from the snapshot and the log after it: %v", time.Since(t0))
	if sum(t, db) != before {
		t.Fatal("state differs after a restart from snapshot + tail")
	}
}
