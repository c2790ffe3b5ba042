package tree

import (
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
)

// Regressions of issue #24: behaviour that differed from the Linux kernel.
// Each test fails on the engine before the fix.

func linuxTree(t *testing.T) *Tree {
	t.Helper()
	tr, err := New(Options{ArenaMaxBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := tr.Fsck(); err != nil {
			t.Errorf("fsck: %v", err)
		}
		tr.Close()
	})
	return tr
}

func want(t *testing.T, what string, got, want meta.Errno) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

func mustAttr(t *testing.T) func(meta.Attr, meta.Errno) meta.Attr {
	return func(a meta.Attr, e meta.Errno) meta.Attr {
		t.Helper()
		if e != 0 {
			t.Fatal(e)
		}
		return a
	}
}

var (
	alice = &meta.Caller{Uid: 1000, Gid: 1000, Umask: 0o22}
	bob   = &meta.Caller{Uid: 1001, Gid: 1001, Umask: 0o22}
)

// Defect 1: "file/." and "file/" are ENOTDIR, also through a symlink; "dir/."
// needs search permission on dir, "dir/" does not.
func TestLinuxDotAfterFile(t *testing.T) {
	tr := linuxTree(t)
	root := meta.RootCaller
	f := mustAttr(t)(tr.Mknod(root, 1, meta.RootIno, "f", 0o644, 0))
	d := mustAttr(t)(tr.Mkdir(root, 1, meta.RootIno, "d", 0o700))
	mustAttr(t)(tr.Symlink(root, 1, meta.RootIno, "lf", "f/."))
	mustAttr(t)(tr.Symlink(root, 1, meta.RootIno, "ld", "d"))
	for _, p := range []string{"/f/.", "/f/", "/f//", "/f/./", "/lf", "/./f/."} {
		_, e := tr.Resolve(root, p, true)
		want(t, "resolve "+p, e, meta.ENOTDIR)
	}
	_, e := tr.Resolve(root, "/lf", false) // the link itself
	want(t, "resolve /lf nofollow", e, 0)
	if a, _ := tr.Resolve(root, "/f", true); a.Ino != f.Ino {
		t.Fatalf("/f: %v", a.Ino)
	}
	// a symlink followed by "/" or "." is followed
	if a := mustAttr(t)(tr.Resolve(root, "/ld/", false)); a.Ino != d.Ino {
		t.Fatalf("/ld/: %v", a.Ino)
	}
	if a := mustAttr(t)(tr.Resolve(root, "/ld/.", false)); a.Ino != d.Ino {
		t.Fatalf("/ld/.: %v", a.Ino)
	}
	_, e = tr.Resolve(alice, "/d/.", true)
	want(t, "alice /d/.", e, meta.EACCES)
	_, e = tr.Resolve(alice, "/d/", true)
	want(t, "alice /d/", e, 0)
	_, e = tr.MkdirAll(root, 2, "/f/.", 0o755)
	want(t, "mkdirall /f/.", e, meta.ENOTDIR)
	_, e = tr.MkdirAll(root, 2, "/f/", 0o755)
	want(t, "mkdirall /f/", e, meta.EEXIST)
	_, e = tr.MkdirAll(root, 2, "/d/./x/", 0o755)
	want(t, "mkdirall /d/./x/", e, 0)
}

// Defect 2: only the owner (or root) may chown, even to the current ids; a
// non-owner cannot strip another user's set-id bits that way.
func TestLinuxChownNotOwner(t *testing.T) {
	tr := linuxTree(t)
	root := meta.RootCaller
	d := mustAttr(t)(tr.Mkdir(root, 1, meta.RootIno, "e", 0o300))
	mustAttr(t)(tr.SetAttr(root, 1, d.Ino, meta.SetGid, &meta.SetAttrIn{Gid: 1001}))
	_, e := tr.SetAttr(alice, 2, d.Ino, meta.SetGid, &meta.SetAttrIn{Gid: 1001})
	want(t, "chgrp to the current gid by a non-owner", e, meta.EPERM)
	_, e = tr.SetAttr(alice, 2, d.Ino, meta.SetUid, &meta.SetAttrIn{Uid: 0})
	want(t, "chown to the current uid by a non-owner", e, meta.EPERM)
	f := mustAttr(t)(tr.Mknod(root, 1, meta.RootIno, "s", 0o6755, 0))
	_, e = tr.SetAttr(alice, 2, f.Ino, meta.SetGid, &meta.SetAttrIn{Gid: 0})
	want(t, "chgrp of root's setuid file", e, meta.EPERM)
	if a := mustAttr(t)(tr.GetAttr(root, f.Ino)); a.Mode != meta.S_IFREG|0o6755 {
		t.Fatalf("mode %o", a.Mode)
	}
	// the owner may give the current ids; root's chown clears S_ISUID (and
	// S_ISGID with group-x) as Linux does
	g := mustAttr(t)(tr.Mknod(root, 1, meta.RootIno, "g", 0o644, 0))
	mustAttr(t)(tr.SetAttr(root, 1, g.Ino, meta.SetUid|meta.SetGid, &meta.SetAttrIn{Uid: 1000, Gid: 1000}))
	mustAttr(t)(tr.SetAttr(alice, 2, g.Ino, meta.SetUid|meta.SetGid, &meta.SetAttrIn{Uid: 1000, Gid: 1000}))
	if a := mustAttr(t)(tr.SetAttr(root, 2, f.Ino, meta.SetUid, &meta.SetAttrIn{Uid: 0})); a.Mode != meta.S_IFREG|0o755 {
		t.Fatalf("root chown: mode %o", a.Mode)
	}
}

// Defect 3: user.* xattrs of a sticky directory are the owner's (and root's).
func TestLinuxStickyDirXattr(t *testing.T) {
	tr := linuxTree(t)
	root := meta.RootCaller
	a := mustAttr(t)(tr.Mkdir(root, 1, meta.RootIno, "a", 0o777))
	e := mustAttr(t)(tr.Mkdir(root, 1, a.Ino, "e", 0o777))
	mustAttr(t)(tr.SetAttr(root, 1, e.Ino, meta.SetMode, &meta.SetAttrIn{Mode: 0o1777}))
	want(t, "setxattr root's sticky dir", tr.SetXattr(alice, 2, e.Ino, "user.a", nil, 0), meta.EPERM)
	want(t, "setxattr by root", tr.SetXattr(root, 2, e.Ino, "user.a", nil, 0), 0)
	want(t, "removexattr root's sticky dir", tr.RemoveXattr(alice, 2, e.Ino, "user.a"), meta.EPERM)
	_, err := tr.GetXattr(alice, e.Ino, "user.a")
	want(t, "getxattr", err, 0)
	ae := mustAttr(t)(tr.Mkdir(alice, 1, a.Ino, "ae", 0o777))
	mustAttr(t)(tr.SetAttr(alice, 1, ae.Ino, meta.SetMode, &meta.SetAttrIn{Mode: 0o1777}))
	want(t, "owner of the sticky dir", tr.SetXattr(alice, 2, ae.Ino, "user.a", nil, 0), 0)
	want(t, "not the owner", tr.SetXattr(bob, 2, ae.Ino, "user.b", nil, 0), meta.EPERM)
	// user.* of something neither a file nor a directory: ENODATA to read
	p := mustAttr(t)(tr.Mknod(root, 1, a.Ino, "p", meta.S_IFIFO|0o600, 0))
	_, err = tr.GetXattr(alice, p.Ino, "user.a")
	want(t, "getxattr of a fifo", err, meta.ENODATA)
}

// Defect 4: a truncation by non-root clears S_ISUID and S_ISGID (with
// group-x), as O_TRUNC, a write and fallocate do; root's keeps them.
func TestLinuxTruncateKillsSuid(t *testing.T) {
	tr := linuxTree(t)
	root := meta.RootCaller
	f := mustAttr(t)(tr.Mknod(root, 1, meta.RootIno, "f", 0o2777, 0))
	mustAttr(t)(tr.SetAttr(root, 1, f.Ino, meta.SetMode, &meta.SetAttrIn{Mode: 0o2775}))
	if a := mustAttr(t)(tr.SetAttr(root, 2, f.Ino, meta.SetSize, &meta.SetAttrIn{Size: 5})); a.Mode != meta.S_IFREG|0o2775 {
		t.Fatalf("root truncate: %o", a.Mode)
	}
	g := &meta.Caller{Uid: 1000, Gid: 0}
	if a := mustAttr(t)(tr.SetAttr(g, 3, f.Ino, meta.SetSize, &meta.SetAttrIn{Size: 0})); a.Mode != meta.S_IFREG|0o775 {
		t.Fatalf("truncate: %o", a.Mode)
	}
	mustAttr(t)(tr.SetAttr(root, 4, f.Ino, meta.SetMode, &meta.SetAttrIn{Mode: 0o6777}))
	if a := mustAttr(t)(tr.SetAttr(g, 5, f.Ino, meta.SetSize, &meta.SetAttrIn{Size: 0})); a.Mode != meta.S_IFREG|0o777 {
		t.Fatalf("truncate to the same size: %o", a.Mode)
	}
	mustAttr(t)(tr.SetAttr(root, 6, f.Ino, meta.SetMode, &meta.SetAttrIn{Mode: 0o6767}))
	a := mustAttr(t)(tr.Open(alice, 7, f.Ino, meta.O_WRONLY|meta.O_TRUNC))
	if a.Mode != meta.S_IFREG|0o2767 { // S_ISGID without group-x, alice outside gid 0: cleared too
		if a.Mode != meta.S_IFREG|0o767 {
			t.Fatalf("O_TRUNC: %o", a.Mode)
		}
	} else {
		t.Fatalf("O_TRUNC kept S_ISGID for a caller outside the group: %o", a.Mode)
	}
	want(t, "release", tr.Release(alice, f.Ino), 0)
	// a write or an allocation by non-root clears them too (Linux's write,
	// fallocate); root's keeps them
	mustAttr(t)(tr.SetAttr(root, 7, f.Ino, meta.SetMode, &meta.SetAttrIn{Mode: 0o6777}))
	if w := mustAttr(t)(tr.WriteSlice(root, 7, f.Ino, 0, meta.Slice{ID: 1, Size: 1, Len: 1})); w.Mode != meta.S_IFREG|0o6777 {
		t.Fatalf("root's write: %o", w.Mode)
	}
	if w := mustAttr(t)(tr.WriteSlice(g, 7, f.Ino, 0, meta.Slice{ID: 1, Size: 1, Len: 1})); w.Mode != meta.S_IFREG|0o777 {
		t.Fatalf("write: %o", w.Mode)
	}
	mustAttr(t)(tr.SetAttr(root, 7, f.Ino, meta.SetMode, &meta.SetAttrIn{Mode: 0o6777}))
	if w := mustAttr(t)(tr.Fallocate(g, 7, f.Ino, 0, 0, 10)); w.Mode != meta.S_IFREG|0o777 {
		t.Fatalf("fallocate: %o", w.Mode)
	}
	mustAttr(t)(tr.SetAttr(root, 7, f.Ino, meta.SetSize, &meta.SetAttrIn{Size: 0}))
	// the same size with nothing to clear: nothing changes, not even ctime
	b := mustAttr(t)(tr.SetAttr(root, 8, f.Ino, meta.SetSize, &meta.SetAttrIn{Size: 0}))
	if b.Ctime != a.Ctime || b.Mtime != a.Mtime {
		t.Fatalf("same size changed times: %+v vs %+v", b, a)
	}
}

// Defect 5: renaming an entry onto itself succeeds whatever the permissions.
func TestLinuxRenameOntoItself(t *testing.T) {
	tr := linuxTree(t)
	root := meta.RootCaller
	ro := mustAttr(t)(tr.Mkdir(root, 1, meta.RootIno, "ro", 0o755))
	mustAttr(t)(tr.Mknod(root, 1, ro.Ino, "f", 0o644, 0))
	st := mustAttr(t)(tr.Mkdir(root, 1, meta.RootIno, "st", 0o777))
	mustAttr(t)(tr.SetAttr(root, 1, st.Ino, meta.SetMode, &meta.SetAttrIn{Mode: 0o1777}))
	mustAttr(t)(tr.Mknod(root, 1, st.Ino, "g", 0o644, 0))
	for _, fl := range []uint32{0, meta.RenameExchange} {
		want(t, "ro", tr.Rename(alice, 2, ro.Ino, "f", ro.Ino, "f", fl), 0)
		want(t, "sticky", tr.Rename(alice, 2, st.Ino, "g", st.Ino, "g", fl), 0)
	}
	// NOREPLACE: the target exists (Linux's answer, before the same-entry rule)
	want(t, "noreplace", tr.Rename(alice, 2, ro.Ino, "f", ro.Ino, "f", meta.RenameNoReplace), meta.EEXIST)
	want(t, "moved elsewhere still needs permission", tr.Rename(alice, 2, ro.Ino, "f", ro.Ino, "g", 0), meta.EACCES)
}

// Linux's order of checks: the name's existence before write permission.
func TestLinuxOrderOfChecks(t *testing.T) {
	tr := linuxTree(t)
	root := meta.RootCaller
	ro := mustAttr(t)(tr.Mkdir(root, 1, meta.RootIno, "ro", 0o755))
	f := mustAttr(t)(tr.Mknod(root, 1, ro.Ino, "f", 0o644, 0))
	sub := mustAttr(t)(tr.Mkdir(root, 1, ro.Ino, "sub", 0o755))
	_, e := tr.Mkdir(alice, 2, ro.Ino, "f", 0o755)
	want(t, "mkdir existing", e, meta.EEXIST)
	_, e = tr.Symlink(alice, 2, ro.Ino, "f", "x")
	want(t, "symlink existing", e, meta.EEXIST)
	_, e = tr.Link(alice, 2, f.Ino, ro.Ino, "f")
	want(t, "link existing", e, meta.EEXIST)
	_, e = tr.Link(alice, 2, sub.Ino, ro.Ino, "f")
	want(t, "link dir onto existing", e, meta.EEXIST)
	want(t, "unlink missing", tr.Unlink(alice, 2, ro.Ino, "x"), meta.ENOENT)
	want(t, "rmdir missing", tr.Rmdir(alice, 2, ro.Ino, "x"), meta.ENOENT)
	want(t, "rename missing", tr.Rename(alice, 2, ro.Ino, "x", ro.Ino, "y", 0), meta.ENOENT)
	want(t, "rename noreplace", tr.Rename(alice, 2, ro.Ino, "f", ro.Ino, "sub", meta.RenameNoReplace), meta.EEXIST)
	want(t, "rename exchange missing", tr.Rename(alice, 2, ro.Ino, "f", ro.Ino, "y", meta.RenameExchange), meta.ENOENT)
	// the target holds the source's parent: ENOTEMPTY before anything else
	inner := mustAttr(t)(tr.Mkdir(root, 1, sub.Ino, "in", 0o777))
	mustAttr(t)(tr.Mknod(root, 1, inner.Ino, "x", 0o644, 0))
	want(t, "rename onto an ancestor", tr.Rename(alice, 2, inner.Ino, "x", ro.Ino, "sub", 0), meta.ENOTEMPTY)
	want(t, "exchange with an ancestor", tr.Rename(alice, 2, inner.Ino, "x", ro.Ino, "sub", meta.RenameExchange), meta.EINVAL)
	// mkdir keeps no set-id bit of its mode; a file asking S_ISGID with
	// group-x in a setgid directory of another group loses it, else keeps it
	d := mustAttr(t)(tr.Mkdir(root, 3, meta.RootIno, "d", 0o6777))
	if d.Mode != meta.S_IFDIR|0o777 {
		t.Fatalf("mkdir: %o", d.Mode)
	}
	mustAttr(t)(tr.SetAttr(root, 3, d.Ino, meta.SetMode, &meta.SetAttrIn{Mode: 0o2777}))
	c := &meta.Caller{Uid: 1000, Gid: 1000}
	if a := mustAttr(t)(tr.Mknod(c, 4, d.Ino, "x", 0o2755, 0)); a.Mode != meta.S_IFREG|0o755 || a.Gid != 0 {
		t.Fatalf("x: %o %d", a.Mode, a.Gid)
	}
	if a := mustAttr(t)(tr.Mknod(c, 4, d.Ino, "y", 0o2745, 0)); a.Mode != meta.S_IFREG|0o2745 {
		t.Fatalf("y: %o", a.Mode)
	}
	_, e = tr.Mknod(c, 4, d.Ino, "dev", meta.S_IFCHR|0o600, 1)
	want(t, "mknod a device as non-root", e, meta.EPERM)
}

// Flags as Linux has them (found by internal/posixdiff): write access to an
// immutable node is EPERM for everyone; an append-only file refuses every
// truncation and explicit times but takes times set to "now"; a truncation
// looks at the type before the flags.
func TestLinuxFlags(t *testing.T) {
	tr := linuxTree(t)
	root := meta.RootCaller
	f := mustAttr(t)(tr.Mknod(root, 1, meta.RootIno, "f", 0o666, 0))
	d := mustAttr(t)(tr.Mkdir(root, 1, meta.RootIno, "d", 0o777))
	mustAttr(t)(tr.SetAttr(root, 1, f.Ino, meta.SetFlags, &meta.SetAttrIn{Flags: meta.FlagImmutable}))
	mustAttr(t)(tr.SetAttr(root, 1, d.Ino, meta.SetFlags, &meta.SetAttrIn{Flags: meta.FlagImmutable}))
	want(t, "access w, root", tr.Access(root, f.Ino, meta.W_OK), meta.EPERM)
	want(t, "access w, alice", tr.Access(alice, f.Ino, meta.W_OK|meta.R_OK), meta.EPERM)
	want(t, "access r", tr.Access(alice, f.Ino, meta.R_OK), 0)
	_, e := tr.SetAttr(alice, 2, d.Ino, meta.SetSize, &meta.SetAttrIn{})
	want(t, "truncate an immutable directory", e, meta.EISDIR)
	mustAttr(t)(tr.SetAttr(root, 3, f.Ino, meta.SetFlags, &meta.SetAttrIn{Flags: meta.FlagAppend}))
	for _, size := range []uint64{0, 1, 100} {
		_, e = tr.SetAttr(root, 4, f.Ino, meta.SetSize, &meta.SetAttrIn{Size: size})
		want(t, "truncate an append-only file", e, meta.EPERM)
	}
	_, e = tr.SetAttr(root, 4, f.Ino, meta.SetAtime, &meta.SetAttrIn{Atime: 5})
	want(t, "explicit atime on an append-only file", e, meta.EPERM)
	a := mustAttr(t)(tr.SetAttr(alice, 5, f.Ino, meta.SetAtimeNow|meta.SetMtimeNow, &meta.SetAttrIn{}))
	if a.Mtime != 5 || a.Atime != 5 {
		t.Fatalf("times now on an append-only file: %+v", a)
	}
}
