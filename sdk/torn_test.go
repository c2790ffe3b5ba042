package fsmeta_test

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// TestTornTail zeroes the log's last segment from byte offsets inside its
// last entries on (what a crash in the middle of a write leaves in a
// preallocated segment): the directory must open, fsck clean, with every
// change but the torn ones (raft-wal drops an incomplete tail frame).
func TestTornTail(t *testing.T) {
	base := t.TempDir()
	db := openDir(t, base)
	d, _ := db.Mkdir(nil, fsmeta.RootIno, "d", 0o755)
	for i := 0; i < 50; i++ {
		if _, err := db.Create(nil, d.Ino, strconv.Itoa(i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	segs, _ := filepath.Glob(filepath.Join(base, "wal", "*.wal"))
	sort.Strings(segs)
	if len(segs) == 0 {
		t.Fatal("no wal segment")
	}
	last := segs[len(segs)-1]
	orig, err := os.ReadFile(last)
	if err != nil {
		t.Fatal(err)
	}
	// find the end of the written data (segments are preallocated: trailing zeros)
	end := len(orig)
	for end > 0 && orig[end-1] == 0 {
		end--
	}
	t.Logf("segment %s: %d bytes written of %d", filepath.Base(last), end, len(orig))
	step := 7
	if testing.Short() {
		step = 49
	}
	for cut := end - 1; cut > end-200 && cut > 0; cut -= step {
		dir := t.TempDir()
		copyTree(t, base, dir)
		b := append([]byte{}, orig...)
		for i := cut; i < end; i++ {
			b[i] = 0
		}
		if err := os.WriteFile(filepath.Join(dir, "wal", filepath.Base(last)), b, 0o644); err != nil {
			t.Fatal(err)
		}
		db, err := fsmeta.Open(fsmeta.Options{Dir: dir, ArenaMaxBytes: 64 << 20})
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if err := db.Fsck(); err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		ents, _, _ := db.ReadDir(nil, d.Ino, 0, 1000, false)
		if len(ents) < 45 {
			t.Fatalf("cut at %d: only %d entries survive", cut, len(ents))
		}
		db.Close()
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if info.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, info.Mode())
	})
}

// TestCorruptSnapshot flips a byte in the newest snapshot: the directory must
// refuse to open, saying which snapshot is bad, rather than serve a wrong tree.
func TestCorruptSnapshot(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	work(t, db, 3, 300)
	if err := db.Snapshot(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	states, _ := filepath.Glob(filepath.Join(dir, "snapshots", "*", "state.bin"))
	if len(states) != 1 {
		t.Fatalf("snapshots: %v", states)
	}
	b, err := os.ReadFile(states[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x55
	os.WriteFile(states[0], b, 0o644)
	db, err = fsmeta.Open(fsmeta.Options{Dir: dir, ArenaMaxBytes: 64 << 20})
	if err == nil {
		db.Close()
		t.Fatal("opened a directory whose only snapshot is corrupt")
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "snapshot") {
		t.Fatalf("the error does not say the snapshot is bad: %v", err)
	}
}

// TestFullDisk runs the durable engine on a small tmpfs until the log cannot
// grow: the failing change gets ENOSPC with a message naming the directory,
// reads go on, and the directory reopens with every acknowledged change,
// fsck clean. It needs to mount a tmpfs (root, as in CI here).
func TestFullDisk(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=80m"); err != nil {
		t.Skipf("cannot mount a tmpfs to fill (needs root): %v", err)
	}
	defer syscall.Unmount(mnt, 0)
	dir := filepath.Join(mnt, "db")
	db := openDir(t, dir)
	v := bytes.Repeat([]byte("x"), 60000)
	acked := 0
	var err error
	for i := 0; i < 5000 && err == nil; i++ {
		var a fsmeta.Attr
		if a, err = db.Create(nil, fsmeta.RootIno, "f"+strconv.Itoa(i), 0o644); err == nil {
			if err = db.SetXattr(nil, a.Ino, "user.big", v, 0); err == nil {
				acked++
			}
		}
	}
	if fsmeta.ErrnoOf(err) != fsmeta.ENOSPC || !strings.Contains(err.Error(), dir) {
		t.Fatalf("a change on a full disk: %v", err)
	}
	t.Log(err)
	if _, err := db.GetAttr(nil, fsmeta.RootIno); err != nil {
		t.Fatalf("reads after the disk filled: %v", err)
	}
	if err := db.Fsck(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = openDir(t, dir)
	defer db.Close()
	if err := db.Fsck(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < acked; i++ {
		a, err := db.Lookup(nil, fsmeta.RootIno, "f"+strconv.Itoa(i))
		if err != nil {
			t.Fatalf("acknowledged f%d lost: %v", i, err)
		}
		if _, err := db.GetXattr(nil, a.Ino, "user.big"); err != nil {
			t.Fatalf("acknowledged xattr of f%d lost: %v", i, err)
		}
	}
}

// TestReadOnlyDir opens a data directory on a read-only file system: a clear
// error naming it, not a half-opened engine.
func TestReadOnlyDir(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", syscall.MS_RDONLY, "size=1m"); err != nil {
		t.Skipf("cannot mount a read-only tmpfs (needs root): %v", err)
	}
	defer syscall.Unmount(mnt, 0)
	dir := filepath.Join(mnt, "db")
	db, err := fsmeta.Open(fsmeta.Options{Dir: dir})
	if err == nil {
		db.Close()
		t.Fatal("opened a data directory on a read-only file system")
	}
	if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "read-only") || fsmeta.ErrnoOf(err) != 30 {
		t.Fatalf("unclear error, or not EROFS: %v", err)
	}
	t.Log(err)
}
