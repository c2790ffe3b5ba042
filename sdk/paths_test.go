package fsmeta_test

import (
	"fmt"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// TestPathOps: the operations by path (paths.go) in memory and durable mode:
// each one's work, Linux's answers for the root, "." and ".." and a trailing
// "/", and the path refused (NUL, empty) with nothing changed.
func TestPathOps(t *testing.T) {
	for _, durable := range []bool{false, true} {
		opts := fsmeta.Options{InMemory: true}
		if durable {
			opts = fsmeta.Options{Dir: t.TempDir()}
		}
		db, err := fsmeta.Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("durable=%v: %v", durable, err)
			}
		}
		_, err = db.MkdirAll(nil, "/d/sub", 0o755)
		must(err)
		d, err := db.Resolve(nil, "/d", false)
		must(err)
		f, err := db.Create(nil, d.Ino, "f", 0o644)
		must(err)
		_, err = db.SymlinkPath(nil, "/d/l", "f")
		must(err)
		if s, err := db.ReadlinkPath(nil, "d//l"); err != nil || s != "f" {
			t.Errorf("durable=%v: ReadlinkPath = %q, %v", durable, s, err)
		}
		a, err := db.SetAttrPath(nil, "/d/l", true, meta.SetMode, fsmeta.SetAttrIn{Mode: 0o600})
		must(err)
		if a.Ino != f.Ino || a.Mode&0o7777 != 0o600 {
			t.Errorf("durable=%v: SetAttrPath followed to %d mode %o", durable, a.Ino, a.Mode)
		}
		_, err = db.TruncatePath(nil, "/d/l", 10)
		must(err)
		must(db.SetXattrPath(nil, "/d/l", true, "user.a", []byte("v"), 0))
		if v, err := db.GetXattrPath(nil, "/d/f", false, "user.a"); err != nil || string(v) != "v" {
			t.Errorf("durable=%v: GetXattrPath = %q, %v", durable, v, err)
		}
		if ns, err := db.ListXattrPath(nil, "/d/f", false); err != nil || len(ns) != 1 {
			t.Errorf("durable=%v: ListXattrPath = %q, %v", durable, ns, err)
		}
		must(db.RemoveXattrPath(nil, "/d/f", false, "user.a"))
		_, err = db.LinkPath(nil, "/d/f", "/d/sub/g")
		must(err)
		must(db.RenamePath(nil, "/d/sub/g", "/d/h", 0))
		before := sum(t, db)
		for _, tc := range []struct {
			name string
			err  error
			want meta.Errno
		}{
			{"unlink /", db.UnlinkPath(nil, "/"), meta.EISDIR},
			{"unlink dir/", db.UnlinkPath(nil, "/d/sub/"), meta.EISDIR},
			{"unlink file/", db.UnlinkPath(nil, "/d/f/"), meta.ENOTDIR},
			{"unlink NUL", db.UnlinkPath(nil, "/d/f\x00"), meta.EINVAL},
			{"unlink empty", db.UnlinkPath(nil, ""), meta.ENOENT},
			{"rmdir /", db.RmdirPath(nil, "//"), meta.EBUSY},
			{"rmdir .", db.RmdirPath(nil, "/d/sub/."), meta.EINVAL},
			{"rmdir ..", db.RmdirPath(nil, "/d/sub/.."), meta.ENOTEMPTY},
			{"rename ..", db.RenamePath(nil, "/d/f", "/d/..", 0), meta.EBUSY},
			{"rename file/", db.RenamePath(nil, "/d/f/", "/d/x", 0), meta.ENOTDIR},
			{"rename flags", db.RenamePath(nil, "", "", 3), meta.EINVAL},
			{"symlink exists/", second(db.SymlinkPath(nil, "/d/f/", "t")), meta.EEXIST},
			{"symlink new/", second(db.SymlinkPath(nil, "/d/new/", "t")), meta.ENOENT},
			{"symlink empty target", second(db.SymlinkPath(nil, "", "")), meta.EINVAL},
			{"link dir", second(db.LinkPath(nil, "/d/sub", "/d/x")), meta.EPERM},
			{"link .", second(db.LinkPath(nil, "/d/f", "/d/.")), meta.EEXIST},
			{"setattr mask", second(db.SetAttrPath(nil, "", true, 1<<20, fsmeta.SetAttrIn{})), meta.EINVAL},
			{"getxattr name", second(db.GetXattrPath(nil, "", true, "")), meta.EINVAL},
			{"setxattr flags", db.SetXattrPath(nil, "", true, "user.a", nil, 4), meta.EINVAL},
			{"removexattr namespace", db.RemoveXattrPath(nil, "", true, "x"), meta.EOPNOTSUPP},
			{"listxattr missing", second(db.ListXattrPath(nil, "/nope", true)), meta.ENOENT},
			{"truncate dir", second(db.TruncatePath(nil, "/d/sub", 1)), meta.EISDIR},
		} {
			if fsmeta.ErrnoOf(tc.err) != tc.want {
				t.Errorf("durable=%v: %s: %v, want %v", durable, tc.name, tc.err, tc.want)
			}
		}
		if after := sum(t, db); after != before {
			t.Errorf("durable=%v: refused operations changed the state", durable)
		}
		must(db.UnlinkPath(nil, "/d/h"))
		must(db.UnlinkPath(nil, "/d/l"))
		must(db.RmdirPath(nil, "/d/sub/"))
		must(db.Fsck())
		if durable {
			must(db.Snapshot())
			must(db.Snapshot()) // nothing new since the last one: no failure
		} else if fsmeta.ErrnoOf(db.Snapshot()) != meta.EINVAL {
			t.Errorf("Snapshot in memory: want EINVAL")
		}
		must(db.Close())
	}
}

func second[T any](_ T, err error) error { return err }

// TestDirIterTellSeek: a listing resumed from Tell on another iterator, across
// batches and creates, returns every entry that existed throughout once.
func TestDirIterTellSeek(t *testing.T) {
	db, err := fsmeta.Open(fsmeta.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const n = 1300
	for i := 0; i < n; i++ {
		if _, err := db.Create(nil, meta.RootIno, fmt.Sprint("f", i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]int{}
	it, err := db.OpenDir(nil, meta.RootIno, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 777; i++ {
		e, ok := it.Next()
		if !ok {
			t.Fatal(it.Err())
		}
		seen[e.Name]++
	}
	cur := it.Tell()
	it.Close()
	for i := 0; i < 20; i++ {
		if _, err := db.Create(nil, meta.RootIno, fmt.Sprint("g", i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	it2, err := db.OpenDir(nil, meta.RootIno, true)
	if err != nil {
		t.Fatal(err)
	}
	it2.Seek(cur)
	for e, ok := it2.Next(); ok; e, ok = it2.Next() {
		seen[e.Name]++
	}
	if it2.Err() != nil {
		t.Fatal(it2.Err())
	}
	for i := 0; i < n; i++ {
		if c := seen[fmt.Sprint("f", i)]; c != 1 {
			t.Errorf("f%d listed %d times", i, c)
		}
	}
	if got := it2.Tell(); got != fsmeta.DirEnd {
		t.Errorf("Tell at the end = %#x, want DirEnd", got)
	}
	it2.Seek(fsmeta.DirEnd)
	if _, ok := it2.Next(); ok || it2.Err() != nil {
		t.Errorf("Next after Seek(DirEnd): %v, %v", ok, it2.Err())
	}
	it2.Seek(0)
	if _, ok := it2.Next(); !ok {
		t.Errorf("Next after Seek(0): %v", it2.Err())
	}
}

// TestDirPath: the path of every directory of a tree, hot, cold (whole
// directories, stubs and runs of large ones) and thawed again, is the path
// it was made by; a non-directory is ENOTDIR, a missing inode ENOENT.
func TestDirPath(t *testing.T) {
	for _, opts := range []fsmeta.CompactOptions{
		{},
		{All: true, DictSample: 1},
		{All: true, MaxDir: 2, RunEntries: 1, DictSample: 1},
		{All: true, MaxDir: 3, RunEntries: 2, Budget: 3, DictSample: 1},
	} {
		db, err := fsmeta.Open(fsmeta.Options{InMemory: true, CompactAfter: -1})
		if err != nil {
			t.Fatal(err)
		}
		want := map[fsmeta.Ino]string{meta.RootIno: "/"}
		var files []fsmeta.Ino
		for i := 0; i < 6; i++ {
			for j := 0; j < 5; j++ {
				p := fmt.Sprintf("/top%d/mid%d/leaf", i, j)
				a, err := db.MkdirAll(nil, p, 0o755)
				if err != nil {
					t.Fatal(err)
				}
				want[a.Ino] = p
				for k := 0; k < 3; k++ {
					f, err := db.Create(nil, a.Ino, fmt.Sprint("f", k), 0o644)
					if err != nil {
						t.Fatal(err)
					}
					files = append(files, f.Ino)
				}
				m, err := db.Resolve(nil, fmt.Sprintf("/top%d/mid%d", i, j), false)
				if err != nil {
					t.Fatal(err)
				}
				want[m.Ino] = fmt.Sprintf("/top%d/mid%d", i, j)
			}
			top, err := db.Resolve(nil, fmt.Sprintf("/top%d", i), false)
			if err != nil {
				t.Fatal(err)
			}
			want[top.Ino] = fmt.Sprintf("/top%d", i)
		}
		if err := db.RenamePath(nil, "/top0/mid0", "/top1/moved", 0); err != nil {
			t.Fatal(err)
		}
		for ino, p := range want {
			if len(p) >= 10 && p[:10] == "/top0/mid0" {
				want[ino] = "/top1/moved" + p[10:]
			}
		}
		check := func(when string) {
			t.Helper()
			for ino, p := range want {
				if got, err := db.DirPath(nil, ino); err != nil || got != p {
					t.Errorf("%+v %s: DirPath(%d) = %q, %v; want %q", opts, when, ino, got, err, p)
				}
			}
			for _, f := range files[:5] {
				if _, err := db.DirPath(nil, f); fsmeta.ErrnoOf(err) != meta.ENOTDIR {
					t.Errorf("%+v %s: DirPath(file) = %v, want ENOTDIR", opts, when, err)
				}
			}
			if _, err := db.DirPath(nil, 1<<40); fsmeta.ErrnoOf(err) != meta.ENOENT {
				t.Errorf("%+v %s: DirPath(missing) = %v, want ENOENT", opts, when, err)
			}
		}
		check("hot")
		if opts.All {
			cs, err := db.Compact(opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			if cs.Dirs < 10 {
				t.Fatalf("%+v: only %d directories made cold", opts, cs.Dirs)
			}
			check("cold")
			if _, err := db.Mkdir(nil, want2(t, db, "/top2/mid2"), "new", 0o755); err != nil { // thaws one
				t.Fatal(err)
			}
			check("after a change")
		}
		if err := db.Fsck(); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
}

func want2(t *testing.T, db *fsmeta.DB, p string) fsmeta.Ino {
	t.Helper()
	a, err := db.Resolve(nil, p, false)
	if err != nil {
		t.Fatal(err)
	}
	return a.Ino
}
