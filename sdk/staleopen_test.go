package fsmeta_test

import (
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// TestStaleOpensReleased: the opens of a durable engine that was closed (or
// crashed: the state replayed is the same) are released by the next open,
// as logged changes: an unlinked file that was open is gone, a linked one is
// no longer open, whether the state comes from the log or from a snapshot
// (issue #19 defect 1).
func TestStaleOpensReleased(t *testing.T) {
	for _, snap := range []bool{false, true} {
		name := "log"
		if snap {
			name = "snapshot"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			db := openDir(t, dir)
			d, err := db.MkdirAll(nil, "/data", 0o755)
			if err != nil {
				t.Fatal(err)
			}
			orphan, err := db.Create(nil, d.Ino, "orphan", 0o644)
			if err != nil {
				t.Fatal(err)
			}
			kept, err := db.Create(nil, d.Ino, "kept", 0o644)
			if err != nil {
				t.Fatal(err)
			}
			for _, ino := range []meta.Ino{orphan.Ino, orphan.Ino, kept.Ino} {
				if _, err := db.OpenFile(nil, ino, meta.O_RDONLY); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Unlink(nil, d.Ino, "orphan"); err != nil {
				t.Fatal(err)
			}
			if s := db.Stats(); s.Orphans != 1 || s.OpenFiles != 2 {
				t.Fatalf("before close: %d orphans, %d open files; want 1, 2", s.Orphans, s.OpenFiles)
			}
			if snap {
				if err := db.Snapshot(); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}

			db = openDir(t, dir)
			if s := db.Stats(); s.Orphans != 0 || s.OpenFiles != 0 {
				t.Fatalf("after reopening: %d orphans, %d open files; want 0, 0", s.Orphans, s.OpenFiles)
			}
			if _, err := db.GetAttr(nil, orphan.Ino); fsmeta.ErrnoOf(err) != meta.ENOENT {
				t.Fatalf("getattr of the released orphan: %v, want ENOENT", err)
			}
			if a, err := db.GetAttr(nil, kept.Ino); err != nil || a.Nlink != 1 {
				t.Fatalf("getattr of the file that stays: %+v, %v", a, err)
			}
			if err := db.CloseFile(nil, kept.Ino); fsmeta.ErrnoOf(err) != meta.EBADF {
				t.Fatalf("release of a file released at open: %v, want EBADF", err)
			}
			want := sum(t, db)
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			// The releases are in the log: replaying it gives the same state
			// (and the next open has nothing left to release).
			db = openDir(t, dir)
			defer db.Close()
			if got := sum(t, db); got != want {
				t.Fatalf("state after a second reopen differs: %x, want %x", got, want)
			}
			if s := db.Stats(); s.Orphans != 0 || s.OpenFiles != 0 {
				t.Fatalf("after the second reopen: %d orphans, %d open files", s.Orphans, s.OpenFiles)
			}
		})
	}
}

// TestStaleOpensManyReleased: many opens of many files are released in few
// log entries, and the engine is usable afterwards.
func TestStaleOpensManyReleased(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	const files, opens = 300, 20
	for i := 0; i < files; i++ {
		a, err := db.Create(nil, meta.RootIno, "f"+string(rune('a'+i%26))+string(rune('a'+i/26)), 0o644)
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < opens; j++ {
			if _, err := db.OpenFile(nil, a.Ino, meta.O_RDONLY); err != nil {
				t.Fatal(err)
			}
		}
		if i%2 == 0 {
			if err := db.Unlink(nil, meta.RootIno, "f"+string(rune('a'+i%26))+string(rune('a'+i/26))); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openDir(t, dir)
	defer db.Close()
	if s := db.Stats(); s.Orphans != 0 || s.OpenFiles != 0 || s.Files != files/2 {
		t.Fatalf("after reopening: %d orphans, %d open files, %d files; want 0, 0, %d", s.Orphans, s.OpenFiles, s.Files, files/2)
	}
	sum(t, db)
	if _, err := db.Create(nil, meta.RootIno, "after", 0o644); err != nil {
		t.Fatal(err)
	}
}
