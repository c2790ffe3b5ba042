package model

import (
	"strings"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
)

var (
	root  = meta.RootCaller
	alice = &meta.Caller{Uid: 1000, Gid: 1000, Groups: []uint32{100}, Umask: 0o022}
	bob   = &meta.Caller{Uid: 1001, Gid: 1001, Umask: 0o022}
)

// must(op(...))(t) fails the test on an errno and returns the value.
func must[T any](v T, e meta.Errno) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if e != 0 {
			t.Fatalf("unexpected %s", e.Name())
		}
		return v
	}
}

func wantErr(t *testing.T, got, want meta.Errno) {
	t.Helper()
	if got != want {
		t.Fatalf("errno %s, want %s", got.Name(), want.Name())
	}
}

func check(t *testing.T, m *Model) {
	t.Helper()
	if err := m.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestCreateAndLookup(t *testing.T) {
	m := New(Options{})
	d := must(m.Mkdir(root, 10, meta.RootIno, "d", 0o777))(t)
	if d.Ino != 2 || d.Mode != meta.S_IFDIR|0o777 || d.Nlink != 2 || d.Size != 4096 || d.Ctime != 10 {
		t.Fatalf("mkdir: %+v", d)
	}
	r := must(m.GetAttr(root, meta.RootIno))(t)
	if r.Nlink != 3 || r.Mtime != 10 || r.Ctime != 10 || r.Atime != 0 {
		t.Fatalf("root: %+v", r)
	}
	f := must(m.Mknod(alice, 11, d.Ino, "f", 0o666|meta.S_ISGID, 0))(t)
	if f.Mode != meta.S_IFREG|0o644|meta.S_ISGID || f.Uid != 1000 || f.Gid != 1000 || f.Nlink != 1 {
		t.Fatalf("mknod: %+v", f)
	}
	if a := must(m.Lookup(bob, d.Ino, "f"))(t); a != f {
		t.Fatalf("lookup %+v != %+v", a, f)
	}
	if a := must(m.Lookup(bob, d.Ino, ".."))(t); a.Ino != meta.RootIno {
		t.Fatalf("lookup ..: %+v", a)
	}
	if a := must(m.Lookup(bob, meta.RootIno, ".."))(t); a.Ino != meta.RootIno {
		t.Fatalf("lookup root ..: %+v", a)
	}
	_, e := m.Lookup(bob, d.Ino, "f")
	wantErr(t, e, 0)
	_, e = m.Mknod(bob, 12, d.Ino, "f", 0o644, 0)
	wantErr(t, e, meta.EEXIST)
	_, e = m.Mknod(bob, 12, meta.RootIno, "g", 0o644, 0)
	wantErr(t, e, meta.EACCES)
	_, e = m.Mknod(bob, 12, d.Ino, "x", meta.S_IFDIR|0o644, 0)
	wantErr(t, e, meta.EINVAL)
	_, e = m.Mknod(bob, 12, f.Ino, "x", 0o644, 0)
	wantErr(t, e, meta.ENOTDIR)
	_, e = m.Mknod(bob, 12, 99, "x", 0o644, 0)
	wantErr(t, e, meta.ENOENT)
	_, e = m.Mknod(bob, 12, 99, strings.Repeat("x", 256), 0o644, 0)
	wantErr(t, e, meta.ENAMETOOLONG)
	for _, bad := range []string{"", "a/b", "a\x00", ".", ".."} {
		_, e = m.Mkdir(bob, 12, d.Ino, bad, 0o755)
		wantErr(t, e, meta.EINVAL)
	}
	check(t, m)
}

func TestSetgidDirectory(t *testing.T) {
	m := New(Options{})
	d := must(m.Mkdir(root, 1, meta.RootIno, "d", 0o777|meta.S_ISGID))(t)
	if d.Mode != meta.S_IFDIR|0o777 { // mkdir keeps no set-id bit of its mode (Linux)
		t.Fatalf("d: %+v", d)
	}
	must(m.SetAttr(root, 2, d.Ino, meta.SetGid|meta.SetMode, &meta.SetAttrIn{Gid: 500, Mode: 0o2777}))(t)
	sub := must(m.Mkdir(alice, 3, d.Ino, "sub", 0o755))(t)
	if sub.Gid != 500 || sub.Mode != meta.S_IFDIR|meta.S_ISGID|0o755 {
		t.Fatalf("sub: %+v", sub)
	}
	f := must(m.Mknod(alice, 4, d.Ino, "f", 0o2755, 0))(t)
	if f.Gid != 500 || f.Mode != meta.S_IFREG|0o755 {
		t.Fatalf("f: %+v", f)
	}
}

func TestUnlinkOpen(t *testing.T) {
	m := New(Options{})
	f := must(m.Mknod(root, 1, meta.RootIno, "f", 0o644, 0))(t)
	id := must(m.NewSliceID(root, 2))(t)
	must(m.WriteSlice(root, 2, f.Ino, 1, meta.Slice{Pos: 10, ID: id, Size: 100, Len: 50}))(t)
	must(m.Open(root, 3, f.Ino, meta.O_RDONLY))(t)
	wantErr(t, m.Unlink(root, 4, meta.RootIno, "f"), 0)
	a := must(m.GetAttr(root, f.Ino))(t)
	if a.Nlink != 0 || a.Ctime != 4 || a.Size != meta.ChunkSize+60 {
		t.Fatalf("orphan: %+v", a)
	}
	_, e := m.Link(root, 5, f.Ino, meta.RootIno, "g")
	wantErr(t, e, meta.ENOENT)
	check(t, m)
	wantErr(t, m.Release(root, f.Ino), 0)
	wantErr(t, m.Release(root, f.Ino), meta.ENOENT)
	check(t, m)
}

func TestRename(t *testing.T) {
	m := New(Options{})
	a := must(m.Mkdir(root, 1, meta.RootIno, "a", 0o755))(t)
	b := must(m.Mkdir(root, 1, a.Ino, "b", 0o755))(t)
	f := must(m.Mknod(root, 1, meta.RootIno, "f", 0o644, 0))(t)
	wantErr(t, m.Rename(root, 2, meta.RootIno, "a", b.Ino, "x", 0), meta.EINVAL)
	wantErr(t, m.Rename(root, 2, meta.RootIno, "a", a.Ino, "x", 0), meta.EINVAL)
	wantErr(t, m.Rename(root, 2, meta.RootIno, "f", meta.RootIno, "a", 0), meta.EISDIR)
	wantErr(t, m.Rename(root, 2, meta.RootIno, "a", meta.RootIno, "f", 0), meta.ENOTDIR)
	wantErr(t, m.Rename(root, 2, meta.RootIno, "f", meta.RootIno, "f", meta.RenameNoReplace), meta.EEXIST)
	wantErr(t, m.Rename(root, 2, meta.RootIno, "f", meta.RootIno, "f", 0), 0)
	wantErr(t, m.Rename(root, 2, meta.RootIno, "f", meta.RootIno, "g", meta.RenameExchange), meta.ENOENT)
	wantErr(t, m.Rename(root, 2, meta.RootIno, "f", meta.RootIno, "g", 3), meta.EINVAL)
	wantErr(t, m.Rename(root, 3, a.Ino, "b", meta.RootIno, "b", 0), 0)
	if got := must(m.GetAttr(root, a.Ino))(t); got.Nlink != 2 || got.Mtime != 3 {
		t.Fatalf("a: %+v", got)
	}
	if got := must(m.Lookup(root, b.Ino, ".."))(t); got.Ino != meta.RootIno {
		t.Fatalf("b/..: %+v", got)
	}
	wantErr(t, m.Rename(root, 4, meta.RootIno, "f", meta.RootIno, "b", meta.RenameExchange), 0)
	if got := must(m.Lookup(root, meta.RootIno, "f"))(t); got.Ino != b.Ino || got.Ctime != 4 {
		t.Fatalf("exchange: %+v", got)
	}
	if got := must(m.Lookup(root, meta.RootIno, "b"))(t); got.Ino != f.Ino || got.Ctime != 4 {
		t.Fatalf("exchange: %+v", got)
	}
	wantErr(t, m.Rename(root, 5, meta.RootIno, "b", meta.RootIno, "a", 0), meta.EISDIR) // "b" is now the file
	check(t, m)
}

func TestReadDirCursor(t *testing.T) {
	m := New(Options{})
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		must(m.Mknod(root, 1, meta.RootIno, n, 0o644, 0))(t)
	}
	seen := map[string]bool{}
	var cursor uint64
	for {
		ents, next, e := m.ReadDir(root, meta.RootIno, cursor, 2, false, nil)
		wantErr(t, e, 0)
		for _, de := range ents {
			if seen[de.Name] || NameHash(de.Name) < cursor {
				t.Fatalf("entry %q again or before the cursor", de.Name)
			}
			seen[de.Name] = true
		}
		if next == 0 {
			break
		}
		if len(ents) != 2 {
			t.Fatalf("batch of %d", len(ents))
		}
		cursor = next
	}
	if len(seen) != 7 {
		t.Fatalf("saw %d entries", len(seen))
	}
}

func TestResolveAndMkdirAll(t *testing.T) {
	m := New(Options{})
	d := must(m.MkdirAll(root, 1, "/a/b/c", 0o755))(t)
	if got := must(m.Resolve(root, "a/./b//c/", true))(t); got.Ino != d.Ino {
		t.Fatalf("resolve: %+v", got)
	}
	must(m.Symlink(root, 2, meta.RootIno, "l", "a/b"))(t)
	if got := must(m.Resolve(root, "l/c", false))(t); got.Ino != d.Ino {
		t.Fatalf("resolve via link: %+v", got)
	}
	if got := must(m.Resolve(root, "l", false))(t); !got.IsSymlink() {
		t.Fatalf("resolve link: %+v", got)
	}
	must(m.Symlink(root, 2, meta.RootIno, "loop", "/loop"))(t)
	_, e := m.Resolve(root, "loop", true)
	wantErr(t, e, meta.ELOOP)
	_, e = m.Resolve(root, "/a/../a/b/c/../../x", false)
	wantErr(t, e, meta.ENOENT)
	must(m.MkdirAll(root, 3, "l/c/d", 0o755))(t)
	// A failing MkdirAll leaves nothing behind.
	next := m.NextIno()
	_, e = m.MkdirAll(alice, 4, "/a/x/y", 0o755)
	wantErr(t, e, meta.EACCES)
	must(m.SetAttr(root, 5, meta.RootIno, meta.SetMode, &meta.SetAttrIn{Mode: 0o777}))(t)
	_, e = m.MkdirAll(alice, 6, "/p/q/r", 0o600)
	wantErr(t, e, meta.EACCES)
	if m.NextIno() != next {
		t.Fatalf("next ino %d, want %d", m.NextIno(), next)
	}
	if _, e := m.Lookup(root, meta.RootIno, "p"); e != meta.ENOENT {
		t.Fatalf("p left behind")
	}
	check(t, m)
}

func TestSetAttrRules(t *testing.T) {
	m := New(Options{})
	must(m.SetAttr(root, 1, meta.RootIno, meta.SetMode, &meta.SetAttrIn{Mode: 0o777}))(t)
	f := must(m.Mknod(alice, 2, meta.RootIno, "f", 0o6775, 0))(t)
	if f.Mode != meta.S_IFREG|0o6755 {
		t.Fatalf("mode %o", f.Mode)
	}
	_, e := m.SetAttr(bob, 3, f.Ino, meta.SetMode, &meta.SetAttrIn{Mode: 0o777})
	wantErr(t, e, meta.EPERM)
	_, e = m.SetAttr(alice, 3, f.Ino, meta.SetUid, &meta.SetAttrIn{Uid: 1001})
	wantErr(t, e, meta.EPERM)
	_, e = m.SetAttr(alice, 3, f.Ino, meta.SetGid, &meta.SetAttrIn{Gid: 1001})
	wantErr(t, e, meta.EPERM)
	a := must(m.SetAttr(alice, 3, f.Ino, meta.SetGid, &meta.SetAttrIn{Gid: 100}))(t)
	if a.Gid != 100 || a.Mode != meta.S_IFREG|0o755 || a.Ctime != 3 {
		t.Fatalf("chgrp: %+v", a)
	}
	a = must(m.SetAttr(alice, 4, f.Ino, meta.SetSize, &meta.SetAttrIn{Size: 5}))(t)
	if a.Size != 5 || a.Mtime != 4 {
		t.Fatalf("truncate: %+v", a)
	}
	_, e = m.SetAttr(bob, 5, f.Ino, meta.SetAtimeNow, &meta.SetAttrIn{})
	wantErr(t, e, meta.EACCES)
	_, e = m.SetAttr(bob, 5, f.Ino, meta.SetAtime, &meta.SetAttrIn{})
	wantErr(t, e, meta.EPERM)
	must(m.SetAttr(root, 6, f.Ino, meta.SetFlags, &meta.SetAttrIn{Flags: meta.FlagAppend}))(t)
	_, e = m.SetAttr(alice, 7, f.Ino, meta.SetSize, &meta.SetAttrIn{Size: 1})
	wantErr(t, e, meta.EPERM)
	_, e = m.SetAttr(alice, 7, f.Ino, meta.SetSize|meta.SetAtimeNow, &meta.SetAttrIn{Size: 10})
	wantErr(t, e, meta.EPERM) // any truncation of an append-only file (Linux)
	must(m.SetAttr(alice, 7, f.Ino, meta.SetAtimeNow|meta.SetMtimeNow, &meta.SetAttrIn{}))(t)
	wantErr(t, m.Unlink(root, 8, meta.RootIno, "f"), meta.EPERM)
	before := must(m.GetAttr(root, f.Ino))(t)
	if a := must(m.SetAttr(root, 9, f.Ino, 0, &meta.SetAttrIn{}))(t); a != before {
		t.Fatalf("mask 0 changed %+v to %+v", before, a)
	}
}

func TestXattrs(t *testing.T) {
	m := New(Options{})
	f := must(m.Mknod(root, 1, meta.RootIno, "f", 0o644, 0))(t)
	wantErr(t, m.SetXattr(root, 2, f.Ino, "user.a", []byte("1"), meta.XattrReplace), meta.ENODATA)
	wantErr(t, m.SetXattr(root, 2, f.Ino, "user.a", []byte("1"), meta.XattrCreate), 0)
	wantErr(t, m.SetXattr(root, 2, f.Ino, "user.a", []byte("1"), meta.XattrCreate), meta.EEXIST)
	wantErr(t, m.SetXattr(root, 2, f.Ino, "trusted.t", nil, 0), 0)
	wantErr(t, m.SetXattr(alice, 2, f.Ino, "user.b", nil, 0), meta.EACCES)
	wantErr(t, m.SetXattr(root, 2, f.Ino, "system.x", nil, 0), meta.EOPNOTSUPP)
	wantErr(t, m.SetXattr(root, 2, f.Ino, "bad", nil, 0), meta.EOPNOTSUPP)
	wantErr(t, m.SetXattr(root, 2, f.Ino, "user."+strings.Repeat("x", 251), nil, 0), meta.ERANGE)
	wantErr(t, m.SetXattr(root, 2, f.Ino, "user.big", make([]byte, meta.MaxXattrSize+1), 0), meta.E2BIG)
	if l := must(m.ListXattr(alice, f.Ino))(t); len(l) != 1 || l[0] != "user.a" {
		t.Fatalf("list: %q", l)
	}
	if l := must(m.ListXattr(root, f.Ino))(t); len(l) != 2 {
		t.Fatalf("root list: %q", l)
	}
	_, e := m.GetXattr(alice, f.Ino, "trusted.t")
	wantErr(t, e, meta.ENODATA)
	for i := 0; i < 15; i++ {
		wantErr(t, m.SetXattr(root, 3, f.Ino, "user.v"+string(rune('a'+i)), make([]byte, meta.MaxXattrSize), 0), 0)
	}
	wantErr(t, m.SetXattr(root, 3, f.Ino, "user.vz", make([]byte, meta.MaxXattrSize), 0), meta.ENOSPC)
	wantErr(t, m.RemoveXattr(root, 4, f.Ino, "user.zz"), meta.ENODATA)
	wantErr(t, m.RemoveXattr(root, 4, f.Ino, "user.a"), 0)
	if a := must(m.GetAttr(root, f.Ino))(t); a.Ctime != 4 {
		t.Fatalf("ctime %d", a.Ctime)
	}
}

func TestSlices(t *testing.T) {
	m := New(Options{})
	f := must(m.Mknod(root, 1, meta.RootIno, "f", 0o644, 0))(t)
	id := must(m.NewSliceID(root, 3))(t)
	must(m.WriteSlice(root, 2, f.Ino, 0, meta.Slice{Pos: 0, ID: id, Size: 100, Len: 100}))(t)
	must(m.WriteSlice(root, 2, f.Ino, 0, meta.Slice{Pos: 50, ID: id + 1, Size: 100, Len: 100}))(t)
	must(m.WriteSlice(root, 2, f.Ino, 0, meta.Slice{Pos: 0, ID: id + 2, Size: 60, Len: 60}))(t)
	dropped := must(m.CompactChunk(root, f.Ino, 0, nil, meta.Slice{}))(t)
	if len(dropped) != 1 || dropped[0].ID != id {
		t.Fatalf("dropped %v", dropped)
	}
	must(m.SetAttr(root, 3, f.Ino, meta.SetSize, &meta.SetAttrIn{Size: 70}))(t)
	l := must(m.ReadChunk(root, f.Ino, 0))(t)
	if len(l) != 2 || l[0].Len != 20 || l[1].Len != 60 {
		t.Fatalf("after truncate: %v", l)
	}
	_, e := m.CompactChunk(root, f.Ino, 0, l[:1], meta.Slice{ID: 9, Size: 10, Len: 10})
	wantErr(t, e, 0)
	_, e = m.CompactChunk(root, f.Ino, 0, l[:1], meta.Slice{ID: 9, Size: 10, Len: 10})
	wantErr(t, e, meta.EAGAIN)
	a := must(m.Fallocate(root, 4, f.Ino, meta.FallocPunchHole|meta.FallocKeepSize, 65, 100))(t)
	if a.Size != 70 || a.Mtime != 4 {
		t.Fatalf("punch: %+v", a)
	}
	l = must(m.ReadChunk(root, f.Ino, 0))(t)
	if last := l[len(l)-1]; last.ID != 0 || last.Pos != 65 || last.Len != 5 {
		t.Fatalf("hole: %v", l)
	}
	a = must(m.Fallocate(root, 5, f.Ino, meta.FallocZeroRange, meta.ChunkSize-10, 20))(t)
	if a.Size != meta.ChunkSize+10 {
		t.Fatalf("zero range: %+v", a)
	}
	if l := must(m.ReadChunk(root, f.Ino, 1))(t); len(l) != 1 || l[0].Len != 10 {
		t.Fatalf("chunk 1: %v", l)
	}
	s, _ := m.StatFS(root)
	if s.UsedSpace != align4k(meta.ChunkSize+10) || s.Inodes != 2 {
		t.Fatalf("statfs %+v", s)
	}
	check(t, m)
}
