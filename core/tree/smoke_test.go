package tree

import (
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
)

func TestSmoke(t *testing.T) {
	tr, err := New(Options{ArenaMaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	c := &meta.Caller{Uid: 1000, Gid: 1000, Umask: 0o22}
	d, e := tr.Mkdir(meta.RootCaller, 1, meta.RootIno, "data", 0o777)
	if e != 0 {
		t.Fatal(e)
	}
	for i := 0; i < 1000; i++ {
		if _, e := tr.Mknod(c, 2, d.Ino, string(rune('a'+i%26))+string(rune('0'+i/26)), 0o644, 0); e != 0 {
			t.Fatal(i, e)
		}
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	ents, next, e := tr.ReadDir(c, d.Ino, 0, 400, false, nil)
	t.Log(len(ents), next, e)
	a, e := tr.Lookup(c, d.Ino, "a0")
	t.Log(a, e)
	if _, e := tr.Link(c, 3, a.Ino, meta.RootIno, "x"); e != meta.EACCES {
		t.Fatal(e)
	}
	if _, e := tr.Link(meta.RootCaller, 3, a.Ino, meta.RootIno, "x"); e != 0 {
		t.Fatal(e)
	}
	if e := tr.Unlink(c, 4, d.Ino, "a0"); e != 0 {
		t.Fatal(e)
	}
	if e := tr.Rename(meta.RootCaller, 5, meta.RootIno, "x", d.Ino, "a-very-long-name-for-the-record-to-move", 0); e != 0 {
		t.Fatal(e)
	}
	s, e := tr.WriteSlice(c, 6, a.Ino, 0, meta.Slice{ID: 5, Size: 100, Len: 100})
	t.Log(s, e)
	tr.NewSliceID(c, 10)
	tr.WriteSlice(c, 6, a.Ino, 0, meta.Slice{ID: 6, Size: 100, Len: 50, Pos: 70})
	sl, e := tr.ReadChunk(c, a.Ino, 0)
	t.Log(sl, e)
	for i := 0; i < 1000; i++ {
		n := string(rune('a'+i%26)) + string(rune('0'+i/26))
		if i == 0 {
			continue
		}
		if e := tr.Unlink(c, 4, d.Ino, n); e != 0 {
			t.Fatal(i, e)
		}
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", tr.Stats())
}
