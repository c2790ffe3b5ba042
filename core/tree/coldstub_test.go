package tree

import (
	"bytes"
	"math/rand"
	"strconv"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
)

func TestInterleave(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 100000; i++ {
		n, s := uint64(r.Int63n(cntMask+1)), uint64(r.Int63n(cntMask+1))
		if i%3 == 0 {
			n, s = uint64(r.Intn(100)), uint64(r.Intn(10))
		}
		size := n | s<<cntBits
		if got := deinterleave(interleave(size)); got != size {
			t.Fatalf("%d entries, %d subdirs: got back %#x", n, s, got)
		}
	}
	if v := interleave(13 | 2<<cntBits); v >= 1<<8 {
		t.Fatalf("13 entries, 2 subdirs interleave to %d", v)
	}
}

// stubTree makes /a/bN/cM/files: directories nested three deep, most of
// them small, with a few attributes of their own.
func stubTree(t *testing.T) *Tree {
	tr, err := New(Options{ArenaMaxBytes: 1 << 30, RootTime: 5})
	if err != nil {
		t.Fatal(err)
	}
	now := int64(1_700_000_000_123_456_789)
	a, e := tr.Mkdir(meta.RootCaller, now, meta.RootIno, "a", 0o755)
	if e != 0 {
		t.Fatal(e)
	}
	for b := 0; b < 40; b++ {
		bd, e := tr.Mkdir(meta.RootCaller, now+int64(b)*1001, a.Ino, "b"+strconv.Itoa(b), 0o750)
		if e != 0 {
			t.Fatal(e)
		}
		for c := 0; c < 1+b%5; c++ {
			cd, e := tr.Mkdir(meta.RootCaller, now+int64(c)*77, bd.Ino, "c"+strconv.Itoa(c), 0o700)
			if e != 0 {
				t.Fatal(e)
			}
			for f := 0; f < 1+(b+c)%7; f++ {
				if _, e := tr.Mknod(meta.RootCaller, now+int64(f), cd.Ino, "f"+strconv.Itoa(f), meta.S_IFREG|0o644, 0); e != 0 {
					t.Fatal(e)
				}
			}
		}
	}
	return tr
}

// TestColdStubs: a cold subdirectory of a cold directory keeps no record,
// only a stub; every read answers as from the hot form, and every change
// makes the record again (or thaws the parent), with fsck clean after each
// step and the tree equal to a twin that never went cold.
func TestColdStubs(t *testing.T) {
	tr, twin := stubTree(t), stubTree(t)
	defer tr.Close()
	defer twin.Close()
	want := snapBytes(t, tr)
	tr.Compact(CompactOptions{All: true}, nil)
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	s := tr.Stats()
	t.Logf("%d cold dirs, %d stubs, arena %v", s.ColdDirs, s.ColdStubs, s.Arena.ByPurpose)
	if s.ColdStubs < 100 {
		t.Fatalf("%d stubs for %d cold directories", s.ColdStubs, s.ColdDirs)
	}
	if !bytes.Equal(snapBytes(t, tr), want) {
		t.Fatal("the snapshot changed with compaction")
	}
	// reads through stubs: every path, lookups by inode (".", ".." too),
	// getattr, listings with attributes
	same := func(what string, x, y any) {
		t.Helper()
		if x != y {
			t.Fatalf("%s: %+v, hot %+v", what, x, y)
		}
	}
	for b := 0; b < 40; b++ {
		for c := 0; c < 1+b%5; c++ {
			p := "/a/b" + strconv.Itoa(b) + "/c" + strconv.Itoa(c)
			x, e1 := tr.Resolve(meta.RootCaller, p, true)
			y, e2 := twin.Resolve(meta.RootCaller, p, true)
			same(p, x, y)
			same(p, e1, e2)
			for _, name := range []string{".", "..", "f0", "nope"} {
				x, e1 := tr.Lookup(meta.RootCaller, x.Ino, name)
				y, e2 := twin.Lookup(meta.RootCaller, y.Ino, name)
				same(p+"/"+name, x, y)
				same(p+"/"+name, e1, e2)
			}
			x2, _ := tr.GetAttr(meta.RootCaller, x.Ino)
			y2, _ := twin.GetAttr(meta.RootCaller, y.Ino)
			same("getattr "+p, x2, y2)
			l1, _, e1 := tr.ReadDir(meta.RootCaller, x.Ino, 0, 100, true, nil)
			l2, _, e2 := twin.ReadDir(meta.RootCaller, y.Ino, 0, 100, true, nil)
			same("readdir "+p, e1, e2)
			same("readdir "+p, len(l1), len(l2))
			for i := range l1 {
				same("readdir+ "+p, l1[i], l2[i])
			}
		}
		p := "/a/b" + strconv.Itoa(b)
		x, _ := tr.Resolve(meta.RootCaller, p, true)
		l1, _, _ := tr.ReadDir(meta.RootCaller, x.Ino, 0, 100, true, nil)
		y, _ := twin.Resolve(meta.RootCaller, p, true)
		l2, _, _ := twin.ReadDir(meta.RootCaller, y.Ino, 0, 100, true, nil)
		if len(l1) != len(l2) {
			t.Fatalf("readdir %s: %d entries, hot %d", p, len(l1), len(l2))
		}
		for i := range l1 {
			same("readdir+ "+p, l1[i], l2[i])
		}
	}
	// a non-owner may not look up in a 0700 directory through its stub
	other := &meta.Caller{Uid: 1000, Gid: 1000}
	c0, _ := tr.Resolve(meta.RootCaller, "/a/b0/c0", true)
	if _, e := tr.Lookup(other, c0.Ino, "f0"); e != meta.EACCES {
		t.Fatalf("lookup by another user in a 0700 stub directory: %v", e)
	}
	if _, _, e := tr.ReadDir(other, c0.Ino, 0, 10, false, nil); e != meta.EACCES {
		t.Fatalf("listing by another user of a 0700 stub directory: %v", e)
	}
	// changes: setattr of a stub directory (its record made again, its
	// parent's entry stale), a file created in another (made again, then
	// thawed), a rename of a third out of its parent (the parent thaws),
	// then a listing of a parent with a record made again
	now := int64(1_800_000_000_000_000_000)
	step := func(what string, f func(x *Tree) meta.Errno) {
		t.Helper()
		for _, x := range []*Tree{tr, twin} {
			if e := f(x); e != 0 {
				t.Fatalf("%s: %v", what, e)
			}
		}
		if err := tr.Fsck(); err != nil {
			t.Fatalf("after %s: %v", what, err)
		}
		if !bytes.Equal(snapBytes(t, tr), snapBytes(t, twin)) {
			t.Fatalf("after %s: the tree differs from its twin", what)
		}
	}
	ino := func(x *Tree, p string) meta.Ino {
		a, e := x.Resolve(meta.RootCaller, p, true)
		if e != 0 {
			t.Fatalf("%s: %v", p, e)
		}
		return a.Ino
	}
	step("chmod /a/b3/c1", func(x *Tree) meta.Errno {
		_, e := x.SetAttr(meta.RootCaller, now, ino(x, "/a/b3/c1"), meta.SetMode, &meta.SetAttrIn{Mode: 0o711})
		return e
	})
	if a, _ := tr.Lookup(meta.RootCaller, ino(tr, "/a/b3"), "c1"); a.Mode&0o777 != 0o711 {
		t.Fatalf("lookup after chmod: mode %o", a.Mode)
	}
	step("create in /a/b4/c2", func(x *Tree) meta.Errno {
		_, e := x.Mknod(meta.RootCaller, now, ino(x, "/a/b4/c2"), "new", meta.S_IFREG|0o600, 0)
		return e
	})
	step("rename /a/b9/c3 to /a/b1/moved", func(x *Tree) meta.Errno {
		return x.Rename(meta.RootCaller, now, ino(x, "/a/b9"), "c3", ino(x, "/a/b1"), "moved", 0)
	})
	step("create in /a/b3", func(x *Tree) meta.Errno {
		_, e := x.Mkdir(meta.RootCaller, now, ino(x, "/a/b3"), "c9", 0o755)
		return e
	})
	// compact again: the directories made again go back into blocks
	tr.Compact(CompactOptions{All: true}, nil)
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(snapBytes(t, tr), snapBytes(t, twin)) {
		t.Fatal("after compacting again: the tree differs from its twin")
	}
	step("chmod /a/b3 (its stub subdirectories' parent)", func(x *Tree) meta.Errno {
		_, e := x.SetAttr(meta.RootCaller, now, ino(x, "/a/b3"), meta.SetMode, &meta.SetAttrIn{Mode: 0o755})
		return e
	})
	step("rmdir /a/b3/c9", func(x *Tree) meta.Errno {
		return x.Rmdir(meta.RootCaller, now, ino(x, "/a/b3"), "c9")
	})
	t.Logf("at the end: %d stubs", tr.Stats().ColdStubs)
}

// TestColdWideAttrNotStub: a block holds a wide attribute id as 0xFFFF;
// when the dictionary's id 0xFFFF is a directory's, a file with a wide id
// is still a file's entry (it once read as a stub directory's, and its
// directory could not thaw).
func TestColdWideAttrNotStub(t *testing.T) {
	tr, err := New(Options{ArenaMaxBytes: 1 << 30, RootTime: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	now := int64(1_700_000_000_000_000_000)
	d, e := tr.Mkdir(meta.RootCaller, now, meta.RootIno, "d", 0o755)
	if e != 0 {
		t.Fatal(e)
	}
	// ids 0..0xFFFF and beyond: a directory chowned again and again
	churn, e := tr.Mkdir(meta.RootCaller, now, meta.RootIno, "churn", 0o755)
	if e != 0 {
		t.Fatal(e)
	}
	for uid := uint32(1); len(tr.attrs) <= wideAttr+2; uid++ {
		if _, e := tr.SetAttr(meta.RootCaller, now, churn.Ino, meta.SetUid, &meta.SetAttrIn{Uid: uid}); e != 0 {
			t.Fatal(e)
		}
	}
	if !isDir(uint32(tr.attrs[wideAttr].mode)) {
		t.Fatal("id 0xFFFF is not a directory's")
	}
	f, e := tr.Mknod(meta.RootCaller, now, d.Ino, "f", meta.S_IFREG|0o644, 0)
	if e != 0 {
		t.Fatal(e)
	}
	if _, e := tr.SetAttr(meta.RootCaller, now, f.Ino, meta.SetUid, &meta.SetAttrIn{Uid: 1 << 30}); e != 0 {
		t.Fatal(e)
	}
	if _, e := tr.Mknod(meta.RootCaller, now, d.Ino, "g", meta.S_IFREG|0o644, 0); e != 0 {
		t.Fatal(e)
	}
	tr.Compact(CompactOptions{All: true}, nil)
	if tr.Stats().ColdDirs == 0 {
		t.Fatal("nothing went cold")
	}
	if a, e := tr.Lookup(meta.RootCaller, d.Ino, "f"); e != 0 || a.Uid != 1<<30 || a.Mode&meta.S_IFMT != meta.S_IFREG {
		t.Fatalf("lookup of the wide-id file: %+v %v", a, e)
	}
	if _, e := tr.Mknod(meta.RootCaller, now, d.Ino, "h", meta.S_IFREG|0o644, 0); e != 0 {
		t.Fatalf("a create in its directory (a thaw): %v", e)
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
}
