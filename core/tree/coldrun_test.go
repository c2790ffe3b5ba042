package tree

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/fsmeta/fsmeta/core/meta"
)

// runTree is richTree with subdirectories, symlinks and hard links in
// /data/big too (so that runs keep directories and hold links).
func runTree(t *testing.T) (*Tree, meta.Ino) {
	tr := richTree(t, 3000)
	big, e := tr.Resolve(meta.RootCaller, "/data/big", true)
	if e != 0 {
		t.Fatal(e)
	}
	now := int64(1_800_000_000_000_000_000)
	for i := 0; i < 40; i++ {
		now += 1000
		d, e := tr.Mkdir(meta.RootCaller, now, big.Ino, "dir-"+strconv.Itoa(i), 0o755)
		if e != 0 {
			t.Fatal(e)
		}
		if _, e := tr.Mknod(meta.RootCaller, now, d.Ino, "inner", 0o644, 0); e != 0 {
			t.Fatal(e)
		}
		if _, e := tr.Symlink(meta.RootCaller, now, big.Ino, "sym-"+strconv.Itoa(i), "part-"+strconv.Itoa(i+10)+".parquet"); e != 0 {
			t.Fatal(e)
		}
		f, _ := tr.Lookup(meta.RootCaller, big.Ino, "part-"+strconv.Itoa(i+100)+".parquet")
		if _, e := tr.Link(meta.RootCaller, now, f.Ino, big.Ino, "hard-"+strconv.Itoa(i)); e != 0 {
			t.Fatal(e)
		}
	}
	return tr, big.Ino
}

func snapBytes(t *testing.T, tr *Tree) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := tr.WriteSnapshot(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func listAll(t *testing.T, tr *Tree, dir meta.Ino, page int) []meta.DirEntry {
	t.Helper()
	var out []meta.DirEntry
	cur := uint64(0)
	for {
		var next uint64
		var e meta.Errno
		out, next, e = tr.ReadDir(meta.RootCaller, dir, cur, page, true, out)
		if e != 0 {
			t.Fatal(e)
		}
		if next == 0 {
			return out
		}
		cur = next
	}
}

// TestColdRuns: a directory larger than MaxDir freezes a run at a time, in
// bounded steps; between steps (half cold) and after, every read answers
// as the hot form does and fsck holds; changes thaw only the run they
// touch, a resize thaws them all, and a twin tree that never went cold
// ends in the same state.
func TestColdRuns(t *testing.T) {
	tr, big := runTree(t)
	defer tr.Close()
	twin, _ := runTree(t)
	defer twin.Close()
	want := snapBytes(t, tr)
	hot := listAll(t, tr, big, 1<<20)
	o := CompactOptions{All: true, Budget: 100, MaxDir: 16, RunEntries: 12}
	steps := 0
	for {
		st := tr.CompactStep(o)
		steps++
		if st.Entries > o.Budget+2*o.RunEntries {
			t.Fatalf("step %d froze %d entries, budget %d", steps, st.Entries, o.Budget)
		}
		if err := tr.Fsck(); err != nil {
			t.Fatalf("step %d: %v", steps, err)
		}
		if steps%5 == 0 || st.Done {
			got := listAll(t, tr, big, 1<<20)
			if len(got) != len(hot) {
				t.Fatalf("step %d: %d entries listed, hot %d", steps, len(got), len(hot))
			}
			for i := range hot {
				if got[i] != hot[i] {
					t.Fatalf("step %d: entry %d %+v, hot %+v", steps, i, got[i], hot[i])
				}
			}
		}
		if st.Done {
			break
		}
	}
	s := tr.Stats()
	if s.ColdRuns < 100 || s.ColdEntries < 2900 {
		t.Fatalf("after %d steps: %d runs, %d cold entries", steps, s.ColdRuns, s.ColdEntries)
	}
	t.Logf("%d steps, %d runs, %d cold entries", steps, s.ColdRuns, s.ColdEntries)
	if !bytes.Equal(snapBytes(t, tr), want) {
		t.Fatal("snapshot with cold runs differs from the hot form's")
	}
	paged := listAll(t, tr, big, 5)
	for i := range hot {
		if paged[i] != hot[i] {
			t.Fatalf("paged: entry %d %+v, hot %+v", i, paged[i], hot[i])
		}
	}
	for i, de := range hot {
		if i%7 != 0 {
			continue
		}
		a, e := tr.Lookup(meta.RootCaller, big, de.Name)
		if e != 0 || a != de.Attr {
			t.Fatalf("lookup %q: %v %+v, want %+v", de.Name, e, a, de.Attr)
		}
		g, e := tr.GetAttr(meta.RootCaller, de.Ino)
		if e != 0 || g != de.Attr {
			t.Fatalf("getattr %d: %v", de.Ino, e)
		}
	}
	if a, e := tr.Resolve(meta.RootCaller, "/data/big/dir-3/inner", true); e != 0 || a.Ino == 0 {
		t.Fatalf("resolve through a run: %v", e)
	}
	if _, e := tr.Lookup(meta.RootCaller, big, "no-such-name"); e != meta.ENOENT {
		t.Fatalf("lookup of a missing name: %v", e)
	}
	// changes: each thaws the run it touches, in both trees
	runs := tr.Stats().ColdRuns
	now := int64(1_900_000_000_000_000_000)
	ops := []func(tr *Tree) meta.Errno{
		func(tr *Tree) meta.Errno { _, e := tr.Mknod(meta.RootCaller, now, big, "new-one", 0o644, 0); return e },
		func(tr *Tree) meta.Errno { return tr.Unlink(meta.RootCaller, now+1, big, "part-700.parquet") },
		func(tr *Tree) meta.Errno {
			a, _ := tr.Lookup(meta.RootCaller, big, "part-900.parquet")
			_, e := tr.SetAttr(meta.RootCaller, now+2, a.Ino, meta.SetMode, &meta.SetAttrIn{Mode: 0o600})
			return e
		},
		func(tr *Tree) meta.Errno {
			return tr.Rename(meta.RootCaller, now+3, big, "part-1000.parquet", big, "renamed", 0)
		},
		func(tr *Tree) meta.Errno {
			return tr.Rename(meta.RootCaller, now+4, big, "dir-5", meta.RootIno, "moved-dir", 0)
		},
		func(tr *Tree) meta.Errno { return tr.Rmdir(meta.RootCaller, now+5, big, "dir-7") },
		func(tr *Tree) meta.Errno {
			a, _ := tr.Lookup(meta.RootCaller, big, "part-1200.parquet")
			_, e := tr.WriteSlice(meta.RootCaller, now+6, a.Ino, 1, meta.Slice{ID: 99, Size: 10, Len: 10})
			return e
		},
		func(tr *Tree) meta.Errno {
			a, _ := tr.Lookup(meta.RootCaller, big, "part-1300.parquet")
			_, e := tr.Link(meta.RootCaller, now+7, a.Ino, big, "part-1300-link")
			return e
		},
	}
	for i, op := range ops {
		if e := op(tr); e != 0 && e != meta.ENOTEMPTY {
			t.Fatalf("op %d: %v", i, e)
		}
		op(twin)
		if err := tr.Fsck(); err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
	}
	if r := tr.Stats().ColdRuns; r >= runs || r < runs-2*uint64(len(ops)) {
		t.Fatalf("%d runs before the changes, %d after: a change thaws its run only", runs, r)
	}
	if !bytes.Equal(snapBytes(t, tr), snapBytes(t, twin)) {
		t.Fatal("after the same changes, the tree with runs differs from the hot twin")
	}
	// refreeze, then grow the directory past a resize: the runs thaw first
	tr.Compact(o, nil)
	for i := 0; i < 3000; i++ {
		for _, x := range []*Tree{tr, twin} {
			if _, e := x.Mknod(meta.RootCaller, now+10+int64(i), big, "grow-"+strconv.Itoa(i), 0o644, 0); e != 0 {
				t.Fatal(e)
			}
		}
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(snapBytes(t, tr), snapBytes(t, twin)) {
		t.Fatal("after growing, the tree with runs differs from the hot twin")
	}
	// a restored tree is hot and equal; compacted again it is too
	back, err := ReadSnapshot(bytes.NewReader(snapBytes(t, tr)), Options{ArenaMaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	back.Compact(o, nil)
	if err := back.Fsck(); err != nil {
		t.Fatal(err)
	}
	if back.Stats().ColdRuns == 0 || !bytes.Equal(snapBytes(t, back), snapBytes(t, twin)) {
		t.Fatal("restored and compacted: no runs, or a different state")
	}
}

// BenchmarkFreezeRuns: freezing a 100k-entry directory run by run (ns/op
// is per entry), against freezing it whole.
func BenchmarkFreezeRuns(b *testing.B) {
	for _, mode := range []string{"runs", "whole"} {
		b.Run(mode, func(b *testing.B) {
			const n = 100_000
			var total time.Duration
			for i := 0; i < b.N; i += n {
				b.StopTimer()
				tr, err := New(Options{ArenaMaxBytes: 1 << 30})
				if err != nil {
					b.Fatal(err)
				}
				d, _ := tr.Mkdir(meta.RootCaller, 1, meta.RootIno, "d", 0o755)
				for k := 0; k < n; k++ {
					tr.Mknod(meta.RootCaller, int64(k)*1e9+12345, d.Ino, "file-"+strconv.Itoa(k)+".dat", 0o644, 0)
				}
				o := CompactOptions{All: true, MaxDir: 1000}
				if mode == "whole" {
					o.MaxDir = 1 << 20
					o.Budget = 1 << 20
				}
				b.StartTimer()
				t0 := time.Now()
				tr.Compact(o, nil)
				total += time.Since(t0)
				b.StopTimer()
				tr.Close()
			}
			b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "ns/entry")
		})
	}
}

// TestCompactMaxStep: a step ends once its time is up (here at once) after
// it froze something, so that a pass still ends, with everything cold.
func TestCompactMaxStep(t *testing.T) {
	tr, big := runTree(t)
	defer tr.Close()
	for i := 0; i < 300; i++ {
		d, e := tr.Mkdir(meta.RootCaller, 7, big, "m-"+strconv.Itoa(i), 0o755)
		if e != 0 {
			t.Fatal(e)
		}
		for k := 0; k < 1+i%40; k++ {
			if _, e := tr.Mknod(meta.RootCaller, 8, d.Ino, "f"+strconv.Itoa(k), 0o644, 0); e != 0 {
				t.Fatal(e)
			}
		}
	}
	total := tr.Stats().Entries
	o := CompactOptions{All: true, Budget: 1 << 20, MaxStep: time.Nanosecond}
	steps := 0
	for {
		st := tr.CompactStep(o)
		steps++
		if st.Done {
			break
		}
		if steps > 100000 {
			t.Fatal("no end")
		}
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	if s := tr.Stats(); steps < 50 || s.ColdEntries < total-5 {
		t.Fatalf("%d steps; %d of %d entries cold", steps, s.ColdEntries, total)
	}
}
