package fsmeta_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// TestExport: a namespace built in memory, exported, opens as a durable
// directory with the same state, takes changes, and restarts with them.
func TestExport(t *testing.T) {
	mem, err := fsmeta.Open(fsmeta.Options{InMemory: true, ArenaMaxBytes: 256 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	work(t, mem, 1, 3000)
	want := sum(t, mem)
	dir := filepath.Join(t.TempDir(), "data")
	if err := mem.Export(dir); err != nil {
		t.Fatal(err)
	}
	if err := mem.Export(dir); !errors.Is(err, fsmeta.EEXIST) {
		t.Fatalf("export into a non-empty directory: %v, want EEXIST", err)
	}
	db := openDir(t, dir)
	if got := sum(t, db); got != want {
		t.Fatal("the exported directory opens with a different state")
	}
	work(t, db, 2, 1000)
	after := sum(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openDir(t, dir)
	if got := sum(t, db); got != after {
		t.Fatal("changes after the export are lost on restart")
	}
	// a durable engine exports too, and a snapshot of the exported one works
	dir2 := filepath.Join(t.TempDir(), "copy")
	if err := db.Export(dir2); err != nil {
		t.Fatal(err)
	}
	if err := db.Snapshot(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db2 := openDir(t, dir2)
	defer db2.Close()
	if got := sum(t, db2); got != after {
		t.Fatal("export of a durable engine differs")
	}
	if _, err := os.Stat(filepath.Join(dir2, "LOCK")); err != nil {
		t.Fatal(err)
	}
}
