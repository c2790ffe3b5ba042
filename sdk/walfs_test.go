package fsmeta

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestDatasyncFS: a segment is created zero-filled, a spare is filled in
// the background and renamed into place by the next create, and close
// stops a fill under way (its file is removed at the next open).
func TestDatasyncFS(t *testing.T) {
	dir := t.TempDir()
	const size = 8 << 20
	fs := newDatasyncFS(dir)
	wf, err := fs.Create(dir, "00000000000000000001-0000000000000001.wal", size)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wf.WriteAt([]byte("entry"), 0); err != nil {
		t.Fatal(err)
	}
	if err := wf.Sync(); err != nil {
		t.Fatal(err)
	}
	wf.Close()
	b, _ := os.ReadFile(filepath.Join(dir, "00000000000000000001-0000000000000001.wal"))
	if len(b) != size || !bytes.Equal(b[5:], make([]byte, size-5)) {
		t.Fatalf("segment of %d bytes, not zero-filled", len(b))
	}
	spare := filepath.Join(dir, spareName)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if fi, err := os.Stat(spare); err == nil && fi.Size() == size {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no spare segment was made")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := fs.Create(dir, "00000000000000000001-0000000000000001.wal", size); err == nil {
		t.Fatal("create over an existing segment succeeded")
	}
	wf, err = fs.Create(dir, "00000000000000000100-0000000000000002.wal", size)
	if err != nil {
		t.Fatal(err)
	}
	wf.Close()
	fs.close()
	if _, err := os.Stat(filepath.Join(dir, spareTmp)); err == nil {
		newDatasyncFS(dir)
		if _, err := os.Stat(filepath.Join(dir, spareTmp)); err == nil {
			t.Fatal("an unfinished spare survives the next open")
		}
	}
	fi, err := os.Stat(filepath.Join(dir, "00000000000000000100-0000000000000002.wal"))
	if err != nil || fi.Size() != size {
		t.Fatalf("segment made from the spare: %v %v", fi, err)
	}
	// after close nothing more is filled
	if _, err := fs.Create(dir, "00000000000000000200-0000000000000003.wal", size); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if _, err := os.Stat(filepath.Join(dir, spareTmp)); err == nil {
		t.Fatal("a spare is being filled after close")
	}
}
