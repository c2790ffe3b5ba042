package fsmeta_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fsmeta/fsmeta/core/meta"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// dirState lists every file under dir with its size, mode and mtime.
func dirState(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out[p] = fmt.Sprintf("%d %v %d", fi.Size(), fi.Mode(), fi.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameState(t *testing.T, what string, a, b map[string]string) {
	t.Helper()
	for p, s := range a {
		if b[p] != s {
			t.Errorf("%s: %s changed: %q, now %q", what, p, s, b[p])
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			t.Errorf("%s: %s appeared", what, p)
		}
	}
}

func openRO(dir string) (*fsmeta.DB, error) {
	return fsmeta.Open(fsmeta.Options{Dir: dir, ReadOnly: true, ArenaMaxBytes: 256 << 20, CompactAfter: -1})
}

// TestReadOnlyOpen: a read-only open gives the state an open for writing
// gives (from a snapshot and the log after it, files left open released),
// writes nothing in the directory, refuses changes with EROFS, shares the
// directory with other read-only opens and never with an open for writing.
func TestReadOnlyOpen(t *testing.T) {
	for _, snap := range []bool{false, true} {
		t.Run(fmt.Sprintf("snapshot=%v", snap), func(t *testing.T) {
			dir := t.TempDir()
			db := openDir(t, dir)
			d, err := db.MkdirAll(nil, "/data/x", 0o755)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 50 {
				if _, err := db.Create(nil, d.Ino, fmt.Sprintf("f%d", i), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if snap {
				if err := db.Snapshot(); err != nil {
					t.Fatal(err)
				}
			}
			orphan, err := db.Create(nil, d.Ino, "orphan", 0o644)
			if err == nil {
				_, err = db.OpenFile(nil, orphan.Ino, meta.O_RDONLY)
			}
			if err == nil {
				err = db.Unlink(nil, d.Ino, "orphan")
			}
			if err != nil {
				t.Fatal(err)
			}
			// while it is open for writing, a read-only open is refused
			if _, err := openRO(dir); !errors.Is(err, fsmeta.ErrLocked) || fsmeta.ErrnoOf(err) != meta.EBUSY {
				t.Fatalf("read-only open of a directory open for writing: %v", err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			before := dirState(t, dir)

			ro, err := openRO(dir)
			if err != nil {
				t.Fatal(err)
			}
			ro2, err := openRO(dir) // read-only opens share the directory
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fsmeta.Open(fsmeta.Options{Dir: dir}); !errors.Is(err, fsmeta.ErrLocked) {
				t.Fatalf("open for writing while a read-only open holds the directory: %v", err)
			}
			if s := ro.Stats(); s.Files != 50 || s.Orphans != 0 || s.OpenFiles != 0 {
				t.Errorf("read-only state: %d files, %d orphans, %d open; want 50, 0, 0", s.Files, s.Orphans, s.OpenFiles)
			}
			roSum := sum(t, ro)
			if sum(t, ro2) != roSum {
				t.Error("two read-only opens differ")
			}
			if _, err := ro.Create(nil, d.Ino, "new", 0o644); fsmeta.ErrnoOf(err) != meta.EROFS {
				t.Errorf("create in a read-only engine: %v", err)
			}
			if err := ro.Snapshot(); fsmeta.ErrnoOf(err) != meta.EROFS {
				t.Errorf("snapshot of a read-only engine: %v", err)
			}
			if _, err := ro.Resolve(nil, "/data/x/f7", false); err != nil {
				t.Error(err)
			}
			ro.Close()
			ro2.Close()
			sameState(t, "read-only open", before, dirState(t, dir))

			// an open for writing gives the same state
			db = openDir(t, dir)
			if got := sum(t, db); got != roSum {
				t.Errorf("open for writing: checksum %x, read-only open %x", got, roSum)
			}
			db.Close()
		})
	}
}

// TestReadOnlyCreatesNothing: a read-only open of a directory that does
// not exist, or that is no data directory, fails and creates nothing.
func TestReadOnlyCreatesNothing(t *testing.T) {
	base := t.TempDir()
	missing := filepath.Join(base, "missing")
	if _, err := openRO(missing); fsmeta.ErrnoOf(err) != meta.ENOENT {
		t.Errorf("read-only open of a missing directory: %v", err)
	}
	empty := filepath.Join(base, "empty")
	os.Mkdir(empty, 0o755)
	if _, err := openRO(empty); err == nil {
		t.Error("read-only open of an empty directory succeeded")
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Error("the missing directory was created")
	}
	if ents, _ := os.ReadDir(empty); len(ents) != 0 {
		t.Errorf("files appeared in the empty directory: %v", ents)
	}
}

// TestReadOnlyExport: a directory written by Export and never opened (no
// LOCK, no log) opens read-only as it is.
func TestReadOnlyExport(t *testing.T) {
	mem, err := fsmeta.Open(fsmeta.Options{InMemory: true, ArenaMaxBytes: 256 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mem.MkdirAll(nil, "/a/b/c", 0o755); err != nil {
		t.Fatal(err)
	}
	want := sum(t, mem)
	dir := filepath.Join(t.TempDir(), "exp")
	if err := mem.Export(dir); err != nil {
		t.Fatal(err)
	}
	mem.Close()
	before := dirState(t, dir)
	ro, err := openRO(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := sum(t, ro); got != want {
		t.Errorf("checksum %x, want %x", got, want)
	}
	ro.Close()
	sameState(t, "read-only open of an export", before, dirState(t, dir))
}

// TestReadOnlyTornTail: a torn last batch (a crash during a write) is not
// read and is left where it is (an open for writing sets it aside).
func TestReadOnlyTornTail(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	for i := range 20 {
		if _, err := db.Mkdir(nil, fsmeta.RootIno, fmt.Sprintf("d%d", i), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	want := sum(t, db)
	db.Close()
	segs, _ := filepath.Glob(filepath.Join(dir, "wal", "*.wal"))
	seg := segs[len(segs)-1]
	b, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	end := len(b)
	for end > 0 && b[end-1] == 0 {
		end--
	}
	// an entry frame with no commit after it: a torn batch
	copy(b[(end+7)&^7:], []byte{1, 0, 0, 0, 16, 0, 0, 0, 0xF5, 1, 2, 3, 4, 5, 6, 7})
	if err := os.WriteFile(seg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	before := dirState(t, dir)
	time.Sleep(10 * time.Millisecond)
	ro, err := openRO(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := sum(t, ro); got != want {
		t.Errorf("checksum %x, want %x", got, want)
	}
	ro.Close()
	sameState(t, "read-only open of a torn tail", before, dirState(t, dir))
}
