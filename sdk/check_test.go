package fsmeta_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// names lists directory d's names.
func names(t *testing.T, db *fsmeta.DB, d fsmeta.Ino) []string {
	t.Helper()
	ents, _, err := db.ReadDir(nil, d, 0, 100000, false)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name)
	}
	sort.Strings(out)
	return out
}

// needleDir builds a directory where /d holds before-0..before-19, then
// needle-file, then after-0..after-19, each created alone (one log entry
// each).
func needleDir(t *testing.T) (string, fsmeta.Ino) {
	dir := t.TempDir()
	db := openDir(t, dir)
	d, err := db.Mkdir(nil, fsmeta.RootIno, "d", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(name string) {
		if _, err := db.Create(nil, d.Ino, name, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 20; i++ {
		mk("before-" + strconv.Itoa(i))
	}
	mk("needle-file")
	for i := 0; i < 20; i++ {
		mk("after-" + strconv.Itoa(i))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, d.Ino
}

func flipIn(t *testing.T, path string, needle string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte(needle))
	if i < 0 {
		t.Fatalf("%q not in %s", needle, path)
	}
	b[i+2] ^= 0x04 // "needle" -> "neadle"
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func lastSegment(t *testing.T, dir string) string {
	segs, _ := filepath.Glob(filepath.Join(dir, "wal", "*.wal"))
	sort.Strings(segs)
	if len(segs) == 0 {
		t.Fatal("no segment")
	}
	return segs[len(segs)-1]
}

// TestDamagedEntryRefused (issue 16, defect 3): a flipped bit inside a
// logged create is refused at open, naming the segment, with EIO; check
// reports it and what a repair loses; the repair cuts the log before it and
// the directory opens with every change before the damaged one.
func TestDamagedEntryRefused(t *testing.T) {
	dir, d := needleDir(t)
	seg := lastSegment(t, dir)
	flipIn(t, seg, "needle-file")
	_, err := fsmeta.Open(fsmeta.Options{Dir: dir, ArenaMaxBytes: 64 << 20})
	if err == nil {
		t.Fatal("opened a directory with a damaged log entry")
	}
	var de *fsmeta.DamageError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), filepath.Base(seg)) || !errors.Is(err, meta.EIO) {
		t.Fatalf("the error does not name the segment (or is not EIO): %v", err)
	}
	t.Log(err)
	r, err := fsmeta.Check(dir, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() || !r.Findings[0].Fatal {
		t.Fatalf("check found nothing fatal:\n%s", r)
	}
	t.Logf("check:\n%s", r)
	if r, err = fsmeta.Check(dir, true, nil); err != nil || !r.OK() || len(r.Repaired) == 0 {
		t.Fatalf("repair: %v\n%s", err, r)
	}
	t.Logf("repair:\n%s", r)
	db := openDir(t, dir)
	defer db.Close()
	got := names(t, db, d)
	if len(got) != 20 || got[0] != "before-0" {
		t.Fatalf("after the repair: %v", got)
	}
	if err := db.Fsck(); err != nil {
		t.Fatal(err)
	}
}

// TestCheckClean: a sound directory checks clean, and says what Open uses.
func TestCheckClean(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	work(t, db, 5, 200)
	if err := db.Snapshot(); err != nil {
		t.Fatal(err)
	}
	work(t, db, 6, 100)
	db.Close()
	r, err := fsmeta.Check(dir, false, nil)
	if err != nil || !r.OK() || len(r.Snapshots) != 1 || r.OpenWouldUse == "" {
		t.Fatalf("%v\n%s", err, r)
	}
	t.Logf("\n%s", r)
	// A directory in use is not checked.
	db = openDir(t, dir)
	defer db.Close()
	if _, err := fsmeta.Check(dir, false, nil); !errors.Is(err, fsmeta.ErrLocked) {
		t.Fatalf("checked a directory in use: %v", err)
	}
}

// TestDamagedSnapshotFallback (issue 16, defect 2): the newest snapshot is
// damaged; the one before it and the log (kept back to it) give the whole
// state; the damaged one is moved aside. Without the older snapshot the
// open is refused, naming the damaged one, never a panic.
func TestDamagedSnapshotFallback(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	d, _ := db.Mkdir(nil, fsmeta.RootIno, "d", 0o755)
	for i := 0; i < 30; i++ {
		if i == 10 || i == 20 {
			if err := db.Snapshot(); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Create(nil, d.Ino, "f"+strconv.Itoa(i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	ids, _ := filepath.Glob(filepath.Join(dir, "snapshots", "*", "state.bin"))
	sort.Slice(ids, func(i, j int) bool { return snapIndexOf(ids[i]) < snapIndexOf(ids[j]) })
	if len(ids) != 2 {
		t.Fatalf("snapshots: %v", ids)
	}
	noOlder := t.TempDir()
	copyTree(t, dir, noOlder)
	damage := func(path string) {
		b, _ := os.ReadFile(path)
		b[len(b)/2] ^= 0x10
		os.WriteFile(path, b, 0o644)
	}
	damage(ids[1])
	db = openDir(t, dir)
	if got := names(t, db, d.Ino); len(got) != 30 {
		t.Fatalf("after the fallback: %d names", len(got))
	}
	if err := db.Fsck(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(filepath.Join(dir, "snapshots.damaged", filepath.Base(filepath.Dir(ids[1])))); err != nil {
		t.Fatalf("the damaged snapshot was not moved aside: %v", err)
	}
	// Without the older snapshot, the log alone still begins at entry 1
	// (the log is kept back to the older snapshot, here none): so remove
	// the log's beginning as compaction would, by dropping the older
	// snapshot and damaging the newest.
	os.RemoveAll(filepath.Dir(strings.Replace(ids[0], dir, noOlder, 1)))
	newest := strings.Replace(ids[1], dir, noOlder, 1)
	damage(newest)
	db2, err := fsmeta.Open(fsmeta.Options{Dir: noOlder, ArenaMaxBytes: 64 << 20})
	if err == nil {
		// The log reaches back to entry 1: the whole state without snapshots.
		defer db2.Close()
		if got := names(t, db2, d.Ino); len(got) != 30 {
			t.Fatalf("from the log alone: %d names", len(got))
		}
		return
	}
	if !strings.Contains(err.Error(), filepath.Base(filepath.Dir(newest))) {
		t.Fatalf("the refusal does not name the snapshot: %v", err)
	}
}

func snapIndexOf(path string) uint64 {
	parts := strings.Split(filepath.Base(filepath.Dir(path)), "-")
	n, _ := strconv.ParseUint(parts[1], 10, 64)
	return n
}

// TestUnfinishedSnapshotRemoved (issue 16, defect 7).
func TestUnfinishedSnapshotRemoved(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	work(t, db, 1, 50)
	db.Close()
	tmp := filepath.Join(dir, "snapshots", "3-99-123.tmp")
	os.MkdirAll(tmp, 0o755)
	os.WriteFile(filepath.Join(tmp, "state.bin"), make([]byte, 1<<20), 0o644)
	db = openDir(t, dir)
	defer db.Close()
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("%s is still there: %v", tmp, err)
	}
}

// TestLegacyDirectory: a directory written before records and entries
// carried checksums (testdata/durable-v1) opens with its whole state,
// takes new changes (sealed from then on), reopens, and checks clean.
func TestLegacyDirectory(t *testing.T) {
	dir := t.TempDir()
	copyFixture(t, "durable-v1", dir)
	want := []string{"link"}
	for i := 0; i < 40; i++ {
		want = append(want, "before-"+strconv.Itoa(i/10)+strconv.Itoa(i%10))
	}
	sort.Strings(want)
	for round := 0; round < 2; round++ {
		db := openDir(t, dir)
		a, err := db.Lookup(nil, fsmeta.RootIno, "legacy")
		if err != nil {
			t.Fatal(err)
		}
		if got := names(t, db, a.Ino); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("round %d: %v", round, got)
		}
		if err := db.Fsck(); err != nil {
			t.Fatal(err)
		}
		name := "new-" + strconv.Itoa(round)
		if _, err := db.Create(nil, a.Ino, name, 0o644); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
		sort.Strings(want)
		db.Close()
	}
	r, err := fsmeta.Check(dir, false, nil)
	if err != nil || !r.OK() {
		t.Fatalf("%v\n%s", err, r)
	}
}

// TestLogCutBeforeSnapshot (issue 16, defect 4): a log that lost its end
// (before the newest snapshot's entry) is refused at once with the real
// reason, not after a timeout as "node is not the leader"; a snapshot whose
// meta.json names another entry is not believed.
func TestLogCutBeforeSnapshot(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	work(t, db, 7, 300)
	if err := db.Snapshot(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	metas, _ := filepath.Glob(filepath.Join(dir, "snapshots", "*", "meta.json"))
	if len(metas) != 1 {
		t.Fatalf("snapshots: %v", metas)
	}
	flipped := t.TempDir()
	copyTree(t, dir, flipped)
	zeroed := t.TempDir()
	copyTree(t, dir, zeroed)
	seg := lastSegment(t, dir)
	if err := os.Truncate(seg, 4096); err != nil {
		t.Fatal(err)
	}
	_, err := fsmeta.Open(fsmeta.Options{Dir: dir, ArenaMaxBytes: 64 << 20})
	if err == nil || !strings.Contains(err.Error(), filepath.Base(seg)) || !strings.Contains(err.Error(), "cut") {
		t.Fatalf("a segment cut short: %v", err)
	}
	t.Log(err)
	// The same end lost with the segment's length kept (zeros): the log
	// ends before the snapshot.
	zseg := strings.Replace(seg, dir, zeroed, 1)
	b, _ := os.ReadFile(zseg)
	clear(b[4096:])
	os.WriteFile(zseg, b, 0o644)
	_, err = fsmeta.Open(fsmeta.Options{Dir: zeroed, ArenaMaxBytes: 64 << 20})
	if err == nil || !strings.Contains(err.Error(), "the log ends at entry") {
		t.Fatalf("a log that ends before the snapshot: %v", err)
	}
	t.Log(err)
	// meta.json: the snapshot's index, one digit changed (a single bit).
	mj := strings.Replace(metas[0], dir, flipped, 1)
	b, _ = os.ReadFile(mj)
	id := filepath.Base(filepath.Dir(mj))
	idx := strings.Split(id, "-")[1]
	i := bytes.Index(b, []byte(`"Index":`+idx))
	if i < 0 {
		t.Fatalf("no index in %s", b)
	}
	b[i+len(`"Index":`)] ^= 1
	os.WriteFile(mj, b, 0o644)
	db, err = fsmeta.Open(fsmeta.Options{Dir: flipped, ArenaMaxBytes: 64 << 20})
	if err != nil {
		// The log reaches back to entry 1: it alone gives the state.
		t.Fatalf("the log alone could stand in for the snapshot: %v", err)
	}
	defer db.Close()
	if err := db.Fsck(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(flipped, "snapshots.damaged", id)); err != nil {
		t.Fatalf("the snapshot with a damaged meta.json was not set aside: %v", err)
	}
}

// TestFormatFixtures: directories written by earlier formats replay to the
// states they were written with (testdata/durable-v*/README.md).
func TestFormatFixtures(t *testing.T) {
	dir := t.TempDir()
	copyFixture(t, "durable-v2", dir)
	db := openDir(t, dir)
	defer db.Close()
	a, err := db.Lookup(nil, fsmeta.RootIno, "v2")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 0; i < 40; i++ {
		if i != 2 && i != 3 {
			want = append(want, "f-"+strconv.Itoa(i/10)+strconv.Itoa(i%10))
		}
	}
	want = append(want, "link", "renamed")
	sort.Strings(want)
	if got := names(t, db, a.Ino); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%v", got)
	}
	f5, err := db.Lookup(nil, a.Ino, "f-05")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := db.GetXattr(nil, f5.Ino, "user.k"); err != nil || string(v) != "v" {
		t.Fatalf("xattr: %q %v", v, err)
	}
	if err := db.Fsck(); err != nil {
		t.Fatal(err)
	}
}

// copyFixture copies testdata/name into dir, giving its segments back the
// length they had (they are kept cut to their written part, the rest being
// zeros).
func copyFixture(t *testing.T, name, dir string) {
	t.Helper()
	copyTree(t, filepath.Join("..", "testdata", name), dir)
	os.Remove(filepath.Join(dir, "README.md"))
	segs, _ := filepath.Glob(filepath.Join(dir, "wal", "*.wal"))
	for _, s := range segs {
		if err := os.Truncate(s, 64<<20); err != nil {
			t.Fatal(err)
		}
	}
}
