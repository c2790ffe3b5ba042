package workload

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

func openDB(t *testing.T) *fsmeta.DB {
	t.Helper()
	db, err := fsmeta.Open(fsmeta.Options{InMemory: true, ArenaMaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestLoadSynth(t *testing.T) {
	db := openDB(t)
	s := NewSynth(11, 5000)
	var prog atomic.Int64
	ns, st, err := LoadSynth(db, s, &prog)
	if err != nil {
		t.Fatal(err)
	}
	if st.Files != 5000 || st.Dirs != int64(s.NumDirs()-1) || prog.Load() != st.Entries() {
		t.Fatalf("stats %+v, progress %d", st, prog.Load())
	}
	if err := db.Fsck(); err != nil {
		t.Fatal(err)
	}
	stats := db.Stats()
	if stats.Files != 5000 || stats.Dirs != uint64(s.NumDirs()) {
		t.Fatalf("engine counts %+v", stats)
	}
	ns.Release() // the shape is dropped, then rebuilt the same
	if ns.S.dirs != nil {
		t.Fatal("Release kept the shape")
	}
	ns.Restore()
	s = ns.S
	r := NewRand(1)
	for k := 0; k < 200; k++ {
		i, j := s.RandomFile(&r)
		want := s.File(i, j)
		a, err := db.Resolve(nil, s.FilePath(i, j), false)
		if err != nil {
			t.Fatal(err)
		}
		if a.Mode != want.Mode || a.Uid != want.Uid || a.Gid != want.Gid || a.Size != want.Size ||
			a.Atime != want.Atime || a.Mtime != want.Mtime || a.Ctime != want.Ctime {
			t.Fatalf("%s: got %+v want %+v", s.FilePath(i, j), a, want)
		}
		tg, ok := ns.RandomFile(&r)
		if !ok {
			t.Fatal("no file")
		}
		b, err := db.Lookup(nil, tg.Parent, tg.Name)
		if err != nil {
			t.Fatal(err)
		}
		c, err := db.Resolve(nil, "/"+tg.Path, false)
		if err != nil || c.Ino != b.Ino {
			t.Fatalf("target %+v: %v %v", tg, c, err)
		}
		d := ns.RandomDir(&r)
		e, err := db.Resolve(nil, "/"+d.Path, false)
		if err != nil || e.Ino != d.Ino || !e.IsDir() {
			t.Fatalf("dir target %+v: %+v %v", d, e, err)
		}
	}
	for i := 0; i < s.NumDirs(); i += 7 {
		want := s.DirAttrs(i)
		a, err := db.GetAttr(nil, ns.Ino[i])
		if err != nil {
			t.Fatal(err)
		}
		if a.Mode != want.Mode || a.Uid != want.Uid || a.Mtime != want.Mtime || a.Ctime != want.Ctime || a.Atime != want.Atime {
			t.Fatalf("dir %s: got %+v want %+v", s.DirPath(i), a, want)
		}
	}
	// a large file has its chunks
	for i := 0; i < s.NumDirs(); i++ {
		found := false
		s.ForEachFile(i, func(j int, f *File) bool {
			if f.Size > 2*meta.ChunkSize {
				a, _ := db.Lookup(nil, ns.Ino[i], f.Name)
				sl, err := db.ReadChunk(nil, a.Ino, 1)
				if err != nil || len(sl) == 0 {
					t.Fatalf("chunk 1 of %s: %v %v", f.Name, sl, err)
				}
				found = true
				return false
			}
			return true
		})
		if found {
			break
		}
	}
}

func TestLoadListing(t *testing.T) {
	db := openDB(t)
	listing := strings.Join([]string{
		"a/b/c.txt", // a bare path: a and a/b are implied
		"f\t640\t1000\t100\t5\t1684059332.1234567890\t1684059331.0000000010\t1684059330.9999999990\ta/b/d.bin",
		"d\t700\t1000\t1000\t4096\t1.000000001\t2.000000002\t3.000000003\ta/b", // after its children
		"l\t777\t1000\t1000\t11\t10\t20\t30\ta/link",
		"p\t600\t0\t0\t0\t10\t20\t30\ta/fifo",
		"f\t644\t0\t0\t200000000\t10\t20\t30\tbig/file.dat", // 3 chunks
		"not\ta valid\tline",                   // a bare path with tabs, valid
		"f\t644\tx\t0\t0\t10\t20\t30\tbad/uid", // malformed: line 8
		"a/b/c.txt",                            // listed twice: line 9
		"d\t755\t0\t0\t4096\t5\t6\t7\tz/y/x",
		"z/y/x/file",
		"d\t1777\t0\t0\t4096\t5\t6\t7\t", // the root
		"",
	}, "\n")
	var bad []int
	var prog, read atomic.Int64
	ns, st, err := LoadListing(db, strings.NewReader(listing), ListingOptions{Seed: 3, Progress: &prog, BytesRead: &read,
		OnError: func(le *LineError) bool { bad = append(bad, le.Line); return true }})
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 2 || bad[0] != 8 || bad[1] != 9 || st.BadLines != 2 {
		t.Fatalf("bad lines %v (%+v)", bad, st)
	}
	if st.Files != 5 || st.Dirs != 6 || st.Symlinks != 1 || st.Others != 1 || prog.Load() != st.Entries() || read.Load() != int64(len(listing)) {
		t.Fatalf("stats %+v progress %d read %d", st, prog.Load(), read.Load())
	}
	if err := db.Fsck(); err != nil {
		t.Fatal(err)
	}
	get := func(p string) fsmeta.Attr {
		t.Helper()
		a, err := db.Resolve(nil, "/"+p, false)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return a
	}
	if a := get("a/b/d.bin"); a.Mode != meta.S_IFREG|0o640 || a.Uid != 1000 || a.Gid != 100 || a.Size != 5 ||
		a.Atime != 1684059332123456789 || a.Mtime != 1684059331000000001 || a.Ctime != 1684059330999999999 {
		t.Errorf("d.bin: %+v", a)
	}
	if a := get("a/b"); a.Mode != meta.S_IFDIR|0o700 || a.Atime != 1000000001 || a.Mtime != 2000000002 || a.Ctime != 3000000003 {
		t.Errorf("a/b (listed after its children): %+v", a)
	}
	if a := get("a/link"); !a.IsSymlink() || a.Size != 11 || a.Mtime != 20e9 {
		t.Errorf("link: %+v", a)
	}
	if a := get("a/fifo"); a.Type() != meta.S_IFIFO || a.Mode&0o7777 != 0o600 {
		t.Errorf("fifo: %+v", a)
	}
	if a := get(""); a.Mode != meta.S_IFDIR|0o1777 || a.Ctime != 7e9 {
		t.Errorf("root: %+v", a)
	}
	big := get("big/file.dat")
	if big.Size != 200000000 {
		t.Errorf("big: %+v", big)
	}
	if sl, err := db.ReadChunk(nil, big.Ino, 2); err != nil || len(sl) != 1 {
		t.Errorf("big chunk 2: %v %v", sl, err)
	}
	want := SynthFile(3, "a/b", "c.txt")
	if a := get("a/b/c.txt"); a.Mtime != want.Mtime || a.Size != want.Size || a.Mode != want.Mode {
		t.Errorf("c.txt: %+v want %+v", a, want)
	}
	get("not\ta valid\tline")
	if a := get("z/y"); a.Mode&0o7777 != SynthDirAttrs(3, "z/y").Mode&0o7777 || a.Mtime != SynthDirAttrs(3, "z/y").Mtime {
		t.Errorf("implied dir z/y: %+v", a)
	}
	r := NewRand(1)
	for k := 0; k < 50; k++ {
		f, ok := ns.RandomFile(&r)
		if !ok {
			t.Fatal("no file")
		}
		if a := get(f.Path); a.Ino != f.Ino || !a.IsRegular() {
			t.Fatalf("sample %+v", f)
		}
		d := ns.RandomDir(&r)
		if a := get(d.Path); a.Ino != d.Ino || !a.IsDir() {
			t.Fatalf("sample %+v", d)
		}
	}

	// -on-error=stop: the first bad line ends the load
	db2 := openDB(t)
	_, _, err = LoadListing(db2, strings.NewReader(listing), ListingOptions{})
	if le, ok := err.(*LineError); !ok || le.Line != 8 {
		t.Fatalf("stop: %v", err)
	}
}
