package tree

import (
	"bytes"
	"math/rand"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
)

// churn changes t at random until stop is closed: creates (growing and
// resizing a big directory), unlinks, renames, xattrs, slices, directories.
func churn(t *Tree, seed int64, stop <-chan struct{}, ops *atomic.Int64) {
	rng := rand.New(rand.NewSource(seed))
	now := int64(1_800_000_000_000_000_000)
	big, _ := t.Resolve(meta.RootCaller, "/data/big", true)
	sub, _ := t.Resolve(meta.RootCaller, "/data/sub\xff\xfe", true)
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		now += 1000
		name := "part-" + strconv.Itoa(rng.Intn(300_000)) + ".parquet"
		switch rng.Intn(8) {
		case 0, 1:
			t.Mknod(meta.RootCaller, now, big.Ino, "new-"+strconv.Itoa(i), 0o644, 0)
		case 2:
			t.Unlink(meta.RootCaller, now, big.Ino, name)
		case 3:
			t.Rename(meta.RootCaller, now, big.Ino, name, sub.Ino, "moved-"+strconv.Itoa(i), 0)
		case 4:
			if a, e := t.Lookup(meta.RootCaller, big.Ino, name); e == 0 {
				t.SetXattr(meta.RootCaller, now, a.Ino, "user.x"+strconv.Itoa(i%3), bytes.Repeat([]byte{byte(i)}, rng.Intn(300)), 0)
			}
		case 5:
			if a, e := t.Lookup(meta.RootCaller, big.Ino, name); e == 0 {
				t.WriteSlice(meta.RootCaller, now, a.Ino, uint32(rng.Intn(4)), meta.Slice{ID: uint64(i + 1), Size: 1 << 20, Len: 1 << 20})
			}
		case 6:
			t.Mkdir(meta.RootCaller, now, sub.Ino, "d"+strconv.Itoa(i%50), 0o755)
		case 7:
			t.Rmdir(meta.RootCaller, now, sub.Ino, "d"+strconv.Itoa(rng.Intn(50)))
		}
		ops.Add(1)
	}
}

// TestFreezeUnderChanges: a snapshot written while changes go on (and while
// readers read) is byte for byte the state at Freeze.
func TestFreezeUnderChanges(t *testing.T) {
	n := 200_000
	if testing.Short() {
		n = 20_000
	}
	tr := richTree(t, n)
	defer tr.Close()
	var want bytes.Buffer
	if _, err := tr.WriteSnapshot(&want); err != nil {
		t.Fatal(err)
	}
	write, release, err := tr.Freeze()
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	stop := make(chan struct{})
	var ops, reads atomic.Int64
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); churn(tr, 1, stop, &ops) }()
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			tr.GetAttr(meta.RootCaller, meta.Ino(2+i%n))
			reads.Add(1)
		}
	}()
	for ops.Load() < 2000 { // changes before the copy starts
	}
	var got bytes.Buffer
	if _, err := write(&got); err != nil {
		t.Fatal(err)
	}
	for ops.Load() < 4000 {
	}
	close(stop)
	wg.Wait()
	release()
	t.Logf("%d changes and %d reads during the snapshot", ops.Load(), reads.Load())
	if !bytes.Equal(want.Bytes(), got.Bytes()) {
		t.Fatalf("snapshot written under changes differs from the state at Freeze (%d vs %d bytes)", got.Len(), want.Len())
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	// The written snapshot restores to the frozen state.
	back, err := ReadSnapshot(bytes.NewReader(got.Bytes()), Options{ArenaMaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if err := back.Fsck(); err != nil {
		t.Fatal(err)
	}
	if _, err := write(&got); err == nil {
		t.Fatal("a second write succeeded")
	}
}

// TestFreezeRelease: a snapshot released unwritten, a second Freeze while
// one is open, and Close during an open snapshot.
func TestFreezeRelease(t *testing.T) {
	tr := richTree(t, 1000)
	_, release, err := tr.Freeze()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tr.Freeze(); err == nil {
		t.Fatal("a second Freeze while one is open succeeded")
	}
	if _, e := tr.Mknod(meta.RootCaller, 1, meta.RootIno, "x", 0o644, 0); e != 0 {
		t.Fatal(e)
	}
	release()
	release()
	write, release, err := tr.Freeze()
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if _, e := tr.Mknod(meta.RootCaller, 1, meta.RootIno, "y", 0o644, 0); e != 0 {
		t.Fatal(e)
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	tr.Close()
	if _, err := write(new(bytes.Buffer)); err == nil {
		t.Fatal("writing a snapshot of a closed tree succeeded")
	}
}

// TestFreezeColdUnderCompaction: a snapshot of a tree of hot and cold
// directories, written while changes thaw directories and compaction
// freezes them again (moving records, freeing blocks), equals the state at
// Freeze.
func TestFreezeColdUnderCompaction(t *testing.T) {
	n := 50_000
	if testing.Short() {
		n = 10_000
	}
	tr := richTree(t, n)
	defer tr.Close()
	tr.Compact(CompactOptions{All: true}, nil)
	big, _ := tr.Resolve(meta.RootCaller, "/data/big", true)
	if _, e := tr.Mknod(meta.RootCaller, 7, big.Ino, "thaws-big", 0o644, 0); e != 0 { // a hot big directory beside cold ones
		t.Fatal(e)
	}
	var want bytes.Buffer
	if _, err := tr.WriteSnapshot(&want); err != nil {
		t.Fatal(err)
	}
	write, release, err := tr.Freeze()
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	stop := make(chan struct{})
	var ops, steps atomic.Int64
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); churn(tr, 2, stop, &ops) }()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			tr.CompactStep(CompactOptions{All: true, Budget: 500, MaxDir: 1 << 20})
			steps.Add(1)
		}
	}()
	for ops.Load() < 1000 {
	}
	var got bytes.Buffer
	if _, err := write(&got); err != nil {
		t.Fatal(err)
	}
	for ops.Load() < 2000 {
	}
	close(stop)
	wg.Wait()
	release()
	t.Logf("%d changes and %d compaction steps during the snapshot", ops.Load(), steps.Load())
	if !bytes.Equal(want.Bytes(), got.Bytes()) {
		t.Fatalf("snapshot written under changes and compaction differs from the state at Freeze (%d vs %d bytes)", got.Len(), want.Len())
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
}
