package fsmeta_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// Table tests: every errno path of every operation of docs/semantics.md, one
// table per operation, each row on a fresh namespace (tblSetup) and checked
// with Fsck afterwards; then rename's corner cases, hard links, files
// unlinked while open, a directory of a million entries, and names.

type tblIno = fsmeta.Ino

var (
	tblAlice = &fsmeta.Caller{Uid: 1000, Gid: 1000, Groups: []uint32{2000}, Umask: 0o022}
	tblBob   = &fsmeta.Caller{Uid: 1001, Gid: 1001, Umask: 0o022}
	tblCarol = &fsmeta.Caller{Uid: 1002, Gid: 1002, Groups: []uint32{1000}, Umask: 0o022}
)

const tblT0 = int64(1_700_000_000_000_000_000)

// tblDB opens an in-memory DB whose clock advances 1 s per change, and
// checks it with Fsck when the test ends.
func tblDB(t testing.TB, opts fsmeta.Options) *fsmeta.DB {
	t.Helper()
	now := tblT0
	opts.InMemory = true
	opts.Clock = func() int64 { now += 1e9; return now }
	db, err := fsmeta.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Fsck(); err != nil {
			t.Errorf("fsck: %v", err)
		}
		db.Close()
	})
	return db
}

// tblEnv is the namespace every table row starts from (root unless noted):
//
//	/d 0777: f (alice's, 0644), sub/ (0777), p (fifo), l (symlink), imf (immutable),
//	         apf (append-only), zero (0000), big (16 xattrs), open (nlink 0, open)
//	/ro 0755: r          /priv 0700: x          /full 0777: x
//	/imm 0777, immutable: i          /app 0777, append-only: a, ad/
//	/tmp 01777: a (alice's), ad/ (alice's)          /sg 02777 gid 3000
type tblEnv struct {
	t                                        *testing.T
	db                                       *fsmeta.DB
	d, f, sub, p, l, imf, apf, zero, unl     tblIno
	ro, r, priv, full, imm, app, tmp, ta, sg tblIno
}

func tblSetup(t *testing.T) *tblEnv {
	t.Helper()
	// a small arena: with -race the arena is a Go slice of this size
	e := &tblEnv{t: t, db: tblDB(t, fsmeta.Options{ArenaMaxBytes: 64 << 20})}
	root := meta.RootIno
	e.d = e.mkdir(nil, root, "d", 0o777)
	e.f = e.ino(e.db.Create(tblAlice, e.d, "f", 0o644))
	e.sub = e.mkdir(nil, e.d, "sub", 0o777)
	e.p = e.ino(e.db.Mknod(nil, e.d, "p", meta.S_IFIFO|0o644, 0))
	e.l = e.ino(e.db.Symlink(nil, e.d, "l", "target"))
	e.imf = e.ino(e.db.Create(nil, e.d, "imf", 0o666))
	e.apf = e.ino(e.db.Create(nil, e.d, "apf", 0o666))
	e.zero = e.ino(e.db.Create(nil, e.d, "zero", 0))
	e.unl = e.ino(e.db.Create(nil, e.d, "unl", 0o666))
	e.ok(e.db.SetXattr(nil, e.imf, "user.a", []byte("v"), 0))
	e.ok(e.db.SetXattr(nil, e.apf, "user.a", []byte("v"), 0))
	e.ino(e.db.WriteSlice(nil, e.apf, 0, meta.Slice{ID: 1, Len: 100, Size: 100}))
	e.ro = e.mkdir(nil, root, "ro", 0o755)
	e.r = e.ino(e.db.Create(nil, e.ro, "r", 0o644))
	e.priv = e.mkdir(nil, root, "priv", 0o700)
	e.ino(e.db.Create(nil, e.priv, "x", 0o644))
	e.full = e.mkdir(nil, root, "full", 0o777)
	e.ino(e.db.Create(nil, e.full, "x", 0o644))
	e.imm = e.mkdir(nil, root, "imm", 0o777)
	e.ino(e.db.Create(nil, e.imm, "i", 0o644))
	e.app = e.mkdir(nil, root, "app", 0o777)
	e.ino(e.db.Create(nil, e.app, "a", 0o644))
	e.mkdir(nil, e.app, "ad", 0o777)
	e.tmp = e.mkdir(nil, root, "tmp", 0o777)
	e.ino(e.db.Chmod(nil, e.tmp, meta.S_ISVTX|0o777))
	e.ta = e.ino(e.db.Create(tblAlice, e.tmp, "a", 0o644))
	e.mkdir(tblAlice, e.tmp, "ad", 0o777)
	e.sg = e.mkdir(nil, root, "sg", 0o777)
	e.ino(e.db.SetAttr(nil, e.sg, meta.SetMode|meta.SetGid, fsmeta.SetAttrIn{Mode: meta.S_ISGID | 0o777, Gid: 3000}))
	e.flags(e.imf, meta.FlagImmutable)
	e.flags(e.apf, meta.FlagAppend)
	e.flags(e.imm, meta.FlagImmutable)
	e.flags(e.app, meta.FlagAppend)
	// an unlinked file still open
	e.ino(e.db.Open(nil, e.unl, meta.O_RDWR))
	e.ok(e.db.Unlink(nil, e.d, "unl"))
	return e
}

func (e *tblEnv) ino(at fsmeta.Attr, err error) tblIno {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
	return at.Ino
}

func (e *tblEnv) ok(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *tblEnv) mkdir(c *fsmeta.Caller, parent tblIno, name string, mode uint32) tblIno {
	e.t.Helper()
	return e.ino(e.db.Mkdir(c, parent, name, mode))
}

func (e *tblEnv) flags(ino tblIno, f uint32) {
	e.t.Helper()
	e.ino(e.db.SetAttr(nil, ino, meta.SetFlags, fsmeta.SetAttrIn{Flags: f}))
}

func (e *tblEnv) look(parent tblIno, name string) tblIno {
	e.t.Helper()
	return e.ino(e.db.Lookup(nil, parent, name))
}

func (e *tblEnv) attr(ino tblIno) fsmeta.Attr {
	e.t.Helper()
	a, err := e.db.GetAttr(nil, ino)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// tblRow is one errno path: op runs on a fresh tblEnv and must fail with
// want (0: succeed).
type tblRow struct {
	name string
	want meta.Errno
	op   func(e *tblEnv) error
}

func tblRun(t *testing.T, rows []tblRow) {
	t.Helper()
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			e := tblSetup(t)
			err := r.op(e)
			if err != nil && fsmeta.ErrnoOf(err) == 0 {
				t.Fatalf("error without an errno: %v", err)
			}
			if got := fsmeta.ErrnoOf(err); got != r.want {
				t.Errorf("got %s (%v), want %s", got.Name(), err, r.want.Name())
			}
		})
	}
}

// tblErr discards an operation's first result.
func tblErr[T any](_ T, err error) error { return err }

var (
	tblLong255  = strings.Repeat("n", 255)
	tblLong256  = strings.Repeat("n", 256)
	tblBadNames = []struct {
		name, s string
		want    meta.Errno
	}{
		{"empty", "", meta.EINVAL},
		{"256 bytes", tblLong256, meta.ENAMETOOLONG},
		{"slash", "a/b", meta.EINVAL},
		{"only slash", "/", meta.EINVAL},
		{"NUL", "a\x00b", meta.EINVAL},
		{"dot", ".", meta.EINVAL},
		{"dotdot", "..", meta.EINVAL},
	}
)

// tblNameRows turns every bad name into a row of op (called with a parent
// that does not exist: the name check comes first).
func tblNameRows(op func(e *tblEnv, parent tblIno, name string) error) []tblRow {
	var rows []tblRow
	for _, b := range tblBadNames {
		rows = append(rows, tblRow{"name " + b.name, b.want, func(e *tblEnv) error { return op(e, 999, b.s) }})
	}
	return rows
}

func TestTableLookup(t *testing.T) {
	rows := []tblRow{
		{"ok", 0, func(e *tblEnv) error { return tblErr(e.db.Lookup(nil, e.d, "f")) }},
		{"dot", 0, func(e *tblEnv) error { return tblErr(e.db.Lookup(tblAlice, e.d, ".")) }},
		{"dotdot", 0, func(e *tblEnv) error { return tblErr(e.db.Lookup(tblAlice, e.d, "..")) }},
		{"name empty", meta.EINVAL, func(e *tblEnv) error { return tblErr(e.db.Lookup(nil, 999, "")) }},
		{"name 256", meta.ENAMETOOLONG, func(e *tblEnv) error { return tblErr(e.db.Lookup(nil, 999, tblLong256)) }},
		{"name slash", meta.EINVAL, func(e *tblEnv) error { return tblErr(e.db.Lookup(nil, 999, "a/b")) }},
		{"name NUL", meta.EINVAL, func(e *tblEnv) error { return tblErr(e.db.Lookup(nil, 999, "a\x00")) }},
		{"parent missing", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.Lookup(nil, 999, "x")) }},
		{"parent 0", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.Lookup(nil, 0, "x")) }},
		{"parent missing dot", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.Lookup(nil, 999, ".")) }},
		{"parent file", meta.ENOTDIR, func(e *tblEnv) error { return tblErr(e.db.Lookup(nil, e.f, "x")) }},
		{"parent file dot", meta.ENOTDIR, func(e *tblEnv) error { return tblErr(e.db.Lookup(nil, e.f, ".")) }},
		{"parent symlink", meta.ENOTDIR, func(e *tblEnv) error { return tblErr(e.db.Lookup(nil, e.l, "x")) }},
		{"no search permission", meta.EACCES, func(e *tblEnv) error { return tblErr(e.db.Lookup(tblAlice, e.priv, "x")) }},
		{"EACCES before ENOENT", meta.EACCES, func(e *tblEnv) error { return tblErr(e.db.Lookup(tblAlice, e.priv, "missing")) }},
		{"EACCES for dotdot", meta.EACCES, func(e *tblEnv) error { return tblErr(e.db.Lookup(tblAlice, e.priv, "..")) }},
		{"missing", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.Lookup(nil, e.d, "missing")) }},
		{"missing 255", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.Lookup(nil, e.d, tblLong255)) }},
		{"unlinked name", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.Lookup(nil, e.d, "unl")) }},
	}
	tblRun(t, rows)
	t.Run("values", func(t *testing.T) {
		e := tblSetup(t)
		if got := e.look(e.d, "."); got != e.d {
			t.Errorf(". = %d", got)
		}
		if got := e.look(e.d, ".."); got != meta.RootIno {
			t.Errorf(".. = %d", got)
		}
		if got := e.look(meta.RootIno, ".."); got != meta.RootIno {
			t.Errorf("root .. = %d", got)
		}
		if got := e.look(e.d, "f"); got != e.f {
			t.Errorf("f = %d", got)
		}
	})
}

func TestTableGetAttr(t *testing.T) {
	tblRun(t, []tblRow{
		{"ok", 0, func(e *tblEnv) error { return tblErr(e.db.GetAttr(tblBob, e.priv)) }},
		{"open unlinked", 0, func(e *tblEnv) error { return tblErr(e.db.GetAttr(nil, e.unl)) }},
		{"missing", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.GetAttr(nil, 999)) }},
		{"zero", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.GetAttr(nil, 0)) }},
		{"max", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.GetAttr(nil, 1<<64-1)) }},
	})
}

func TestTableAccess(t *testing.T) {
	acc := func(c *fsmeta.Caller, ino func(e *tblEnv) tblIno, mask uint32) func(e *tblEnv) error {
		return func(e *tblEnv) error { return e.db.Access(c, ino(e), mask) }
	}
	f := func(e *tblEnv) tblIno { return e.f }
	zero := func(e *tblEnv) tblIno { return e.zero }
	priv := func(e *tblEnv) tblIno { return e.priv }
	tblRun(t, []tblRow{
		{"mask 8", meta.EINVAL, acc(nil, f, 8)},
		{"mask 8 missing inode", meta.EINVAL, func(e *tblEnv) error { return e.db.Access(nil, 999, 8) }},
		{"missing", meta.ENOENT, func(e *tblEnv) error { return e.db.Access(nil, 999, meta.R_OK) }},
		{"missing F_OK", meta.ENOENT, func(e *tblEnv) error { return e.db.Access(nil, 999, 0) }},
		{"F_OK anyone", 0, acc(tblBob, priv, 0)},
		{"owner rw", 0, acc(tblAlice, f, meta.R_OK|meta.W_OK)},
		{"owner x", meta.EACCES, acc(tblAlice, f, meta.X_OK)},
		{"other w", meta.EACCES, acc(tblBob, f, meta.W_OK)},
		{"other r", 0, acc(tblBob, f, meta.R_OK)},
		{"group r", 0, acc(tblCarol, f, meta.R_OK)},
		{"private dir", meta.EACCES, acc(tblAlice, priv, meta.R_OK)},
		{"root rw on 0000", 0, acc(nil, zero, meta.R_OK|meta.W_OK)},
		{"root x on 0000 file", meta.EACCES, acc(nil, zero, meta.X_OK)},
		{"root x on dir", 0, acc(nil, priv, meta.R_OK|meta.W_OK|meta.X_OK)},
		{"root x on 0001 file", 0, func(e *tblEnv) error {
			e.ino(e.db.Chmod(nil, e.zero, 0o001))
			return e.db.Access(nil, e.zero, 7)
		}},
		{"owner class decides alone", meta.EACCES, func(e *tblEnv) error {
			e.ino(e.db.Chmod(tblAlice, e.f, 0o077))
			return e.db.Access(tblAlice, e.f, meta.R_OK)
		}},
	})
}

func TestTableSetAttr(t *testing.T) {
	set := func(c *fsmeta.Caller, ino func(e *tblEnv) tblIno, mask uint32, in fsmeta.SetAttrIn) func(e *tblEnv) error {
		return func(e *tblEnv) error { return tblErr(e.db.SetAttr(c, ino(e), mask, in)) }
	}
	f := func(e *tblEnv) tblIno { return e.f }
	imf := func(e *tblEnv) tblIno { return e.imf }
	apf := func(e *tblEnv) tblIno { return e.apf }
	d := func(e *tblEnv) tblIno { return e.d }
	p := func(e *tblEnv) tblIno { return e.p }
	l := func(e *tblEnv) tblIno { return e.l }
	none := fsmeta.SetAttrIn{}
	tblRun(t, []tblRow{
		{"mask beyond SetAll", meta.EINVAL, set(nil, f, meta.SetAll+1, none)},
		{"mask beyond SetAll missing", meta.EINVAL, func(e *tblEnv) error { return tblErr(e.db.SetAttr(nil, 999, 1<<31, none)) }},
		{"mode type bits", meta.EINVAL, set(nil, f, meta.SetMode, fsmeta.SetAttrIn{Mode: meta.S_IFREG | 0o644})},
		{"mode type bits missing", meta.EINVAL, func(e *tblEnv) error { return tblErr(e.db.Chmod(nil, 999, 0o10000)) }},
		{"missing", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.Chmod(nil, 999, 0o644)) }},
		{"mask 0", 0, set(tblBob, f, 0, none)},
		// 1.
		{"flags by owner", meta.EPERM, set(tblAlice, f, meta.SetFlags, none)},
		{"ctime by owner", meta.EPERM, set(tblAlice, f, meta.SetCtime, none)},
		{"flags by root", 0, set(nil, f, meta.SetFlags, fsmeta.SetAttrIn{Flags: meta.FlagAppend})},
		{"immutable mode by root", meta.EPERM, set(nil, imf, meta.SetMode, fsmeta.SetAttrIn{Mode: 0o600})},
		{"immutable atime by root", meta.EPERM, set(nil, imf, meta.SetAtimeNow, none)},
		{"immutable size", meta.EPERM, set(nil, imf, meta.SetSize, none)},
		{"immutable flags and mode", meta.EPERM, set(nil, imf, meta.SetFlags|meta.SetMode, fsmeta.SetAttrIn{Mode: 0o600})},
		{"immutable flags by root", 0, set(nil, imf, meta.SetFlags, none)},
		{"immutable flags by non-root", meta.EPERM, set(tblAlice, imf, meta.SetFlags, none)},
		{"append mode", meta.EPERM, set(nil, apf, meta.SetMode, fsmeta.SetAttrIn{Mode: 0o600})},
		{"append uid", meta.EPERM, set(nil, apf, meta.SetUid, none)},
		{"append gid", meta.EPERM, set(nil, apf, meta.SetGid, none)},
		{"append mtime", meta.EPERM, set(nil, apf, meta.SetMtime, none)},
		{"append mtime now (Linux's utimes(NULL))", 0, set(nil, apf, meta.SetMtimeNow, none)},
		{"append ctime", meta.EPERM, set(nil, apf, meta.SetCtime, none)},
		{"append atime", meta.EPERM, set(nil, apf, meta.SetAtime, none)},
		{"append atime now", 0, set(nil, apf, meta.SetAtimeNow, none)},
		// 2.
		{"uid by owner", meta.EPERM, set(tblAlice, f, meta.SetUid, fsmeta.SetAttrIn{Uid: 1001})},
		{"uid by other", meta.EPERM, set(tblBob, f, meta.SetUid, fsmeta.SetAttrIn{Uid: 1001})},
		{"same uid by owner", 0, set(tblAlice, f, meta.SetUid, fsmeta.SetAttrIn{Uid: 1000})},
		{"uid by root", 0, set(nil, f, meta.SetUid, fsmeta.SetAttrIn{Uid: 5})},
		// 3.
		{"gid not a group of the caller", meta.EPERM, set(tblAlice, f, meta.SetGid, fsmeta.SetAttrIn{Gid: 3000})},
		{"gid by non-owner", meta.EPERM, set(tblCarol, f, meta.SetGid, fsmeta.SetAttrIn{Gid: 1002})},
		{"gid to a supplementary group", 0, set(tblAlice, f, meta.SetGid, fsmeta.SetAttrIn{Gid: 2000})},
		{"chown same uid other gid", 0, set(tblAlice, f, meta.SetUid|meta.SetGid, fsmeta.SetAttrIn{Uid: 1000, Gid: 2000})},
		// 4.
		{"mode by non-owner", meta.EPERM, set(tblBob, f, meta.SetMode, fsmeta.SetAttrIn{Mode: 0o777})},
		{"mode by group member", meta.EPERM, set(tblCarol, f, meta.SetMode, fsmeta.SetAttrIn{Mode: 0o777})},
		{"mode by owner", 0, set(tblAlice, f, meta.SetMode, fsmeta.SetAttrIn{Mode: 0o600})},
		{"uid checked before mode", meta.EPERM, set(tblAlice, f, meta.SetUid|meta.SetMode, fsmeta.SetAttrIn{Uid: 7})},
		// 5.
		{"size of a directory", meta.EISDIR, set(nil, d, meta.SetSize, none)},
		{"size of a fifo", meta.EINVAL, set(nil, p, meta.SetSize, none)},
		{"size of a symlink", meta.EINVAL, set(nil, l, meta.SetSize, none)},
		{"size over 2^62", meta.EFBIG, set(nil, f, meta.SetSize, fsmeta.SetAttrIn{Size: 1<<62 + 1})},
		{"size 2^62", 0, set(nil, f, meta.SetSize, fsmeta.SetAttrIn{Size: 1 << 62})},
		{"size without write permission", meta.EACCES, set(tblBob, f, meta.SetSize, none)},
		{"size: mode rule first", meta.EPERM, set(tblBob, f, meta.SetSize|meta.SetMode, none)},
		{"size: directory before EACCES", meta.EISDIR, func(e *tblEnv) error { return tblErr(e.db.Truncate(tblAlice, e.priv, 0)) }},
		{"append shrink", meta.EPERM, set(nil, apf, meta.SetSize, fsmeta.SetAttrIn{Size: 50})},
		{"append grow (Linux)", meta.EPERM, set(nil, apf, meta.SetSize, fsmeta.SetAttrIn{Size: 500})},
		{"append same size (Linux)", meta.EPERM, set(nil, apf, meta.SetSize, fsmeta.SetAttrIn{Size: 100})},
		// 6.
		{"atime value by non-owner", meta.EPERM, set(tblBob, f, meta.SetAtime, none)},
		{"mtime value by non-owner", meta.EPERM, set(tblBob, f, meta.SetMtime, none)},
		{"atime now without write", meta.EACCES, set(tblBob, f, meta.SetAtimeNow, none)},
		{"mtime now without write", meta.EACCES, set(tblBob, f, meta.SetMtimeNow, none)},
		{"times by owner", 0, set(tblAlice, f, meta.SetAtime|meta.SetMtime, none)},
		{"times now with write", 0, func(e *tblEnv) error {
			e.ino(e.db.Chmod(nil, e.f, 0o666))
			return tblErr(e.db.SetAttr(tblBob, e.f, meta.SetAtimeNow|meta.SetMtimeNow, none))
		}},
		{"time value with write", meta.EPERM, func(e *tblEnv) error {
			e.ino(e.db.Chmod(nil, e.f, 0o666))
			return tblErr(e.db.SetAttr(tblBob, e.f, meta.SetMtime, none))
		}},
	})
}

// TestTableSetAttrEffects checks the order in which SetAttr applies its
// changes (docs/semantics.md).
func TestTableSetAttrEffects(t *testing.T) {
	e := tblSetup(t)
	check := func(what string, at fsmeta.Attr, err error, mode, uid, gid uint32) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if at.Mode != meta.S_IFREG|mode || at.Uid != uid || at.Gid != gid {
			t.Errorf("%s: mode 0%o uid %d gid %d, want 0%o %d %d", what, at.Mode, at.Uid, at.Gid, meta.S_IFREG|mode, uid, gid)
		}
	}
	at, err := e.db.Chmod(nil, e.f, 0o6755)
	check("root chmod", at, err, 0o6755, 1000, 1000)
	at, err = e.db.Chown(tblAlice, e.f, 1000, 2000)
	check("chown by owner clears suid and sgid (group x)", at, err, 0o755, 1000, 2000)
	e.ino(e.db.Chmod(nil, e.f, 0o6745))
	at, err = e.db.Chown(tblAlice, e.f, 1000, 1000)
	check("sgid kept without group x", at, err, 0o2745, 1000, 1000)
	e.ino(e.db.Chmod(nil, e.f, 0o6755))
	at, err = e.db.Chown(nil, e.f, 1000, 3000)
	check("root chown clears them too (Linux; sgid with group x)", at, err, 0o755, 1000, 3000)
	e.ino(e.db.Chmod(nil, e.f, 0o6755))
	at, err = e.db.Chmod(tblAlice, e.f, 0o2755)
	check("chmod outside the group drops sgid", at, err, 0o755, 1000, 3000)
	at, err = e.db.SetAttr(tblAlice, e.f, meta.SetGid|meta.SetMode, fsmeta.SetAttrIn{Gid: 2000, Mode: 0o6755})
	check("clearing before this call's mode", at, err, 0o6755, 1000, 2000)
	// times
	before := e.attr(e.f)
	at, err = e.db.SetAttr(nil, e.f, 0, fsmeta.SetAttrIn{})
	if err != nil || at != before {
		t.Errorf("mask 0 changed %+v to %+v (%v)", before, at, err)
	}
	at, err = e.db.SetAttr(nil, e.f, meta.SetAtime|meta.SetAtimeNow|meta.SetMtime, fsmeta.SetAttrIn{Atime: 5, Mtime: 6})
	if err != nil || at.Atime == 5 || at.Atime != at.Ctime || at.Mtime != 6 {
		t.Errorf("SetAtimeNow should win: %+v %v", at, err)
	}
	at, err = e.db.SetAttr(nil, e.f, meta.SetSize|meta.SetCtime, fsmeta.SetAttrIn{Size: 10, Ctime: 42})
	if err != nil || at.Ctime != 42 || at.Mtime <= tblT0 || at.Size != 10 {
		t.Errorf("size sets mtime, SetCtime sets ctime: %+v %v", at, err)
	}
	m := at.Mtime
	at, err = e.db.SetAttr(nil, e.f, meta.SetSize|meta.SetMtime, fsmeta.SetAttrIn{Size: 10, Mtime: 7})
	if err != nil || at.Mtime != 7 {
		t.Errorf("explicit mtime wins over the size's: %+v %v (was %d)", at, err, m)
	}
}

func TestTableMknod(t *testing.T) {
	mk := func(c *fsmeta.Caller, parent func(e *tblEnv) tblIno, name string, mode uint32) func(e *tblEnv) error {
		return func(e *tblEnv) error { return tblErr(e.db.Mknod(c, parent(e), name, mode, 0)) }
	}
	d := func(e *tblEnv) tblIno { return e.d }
	rows := []tblRow{
		{"fifo", 0, mk(nil, d, "x", meta.S_IFIFO|0o644)},
		{"sock", 0, mk(nil, d, "x", meta.S_IFSOCK|0o644)},
		{"chr", 0, mk(nil, d, "x", meta.S_IFCHR|0o644)},
		{"blk", 0, mk(nil, d, "x", meta.S_IFBLK|0o644)},
		{"type 0", 0, mk(nil, d, "x", 0o644)},
		{"dir type", meta.EINVAL, mk(nil, d, "x", meta.S_IFDIR|0o755)},
		{"symlink type", meta.EINVAL, mk(nil, d, "x", meta.S_IFLNK|0o777)},
		{"unknown type", meta.EINVAL, mk(nil, d, "x", 0o170644)},
		{"unknown type 030000", meta.EINVAL, mk(nil, d, "x", 0o30644)},
		{"type before parent", meta.EINVAL, func(e *tblEnv) error { return tblErr(e.db.Mknod(nil, 999, "", meta.S_IFDIR, 0)) }},
	}
	rows = append(rows, tblNameRows(func(e *tblEnv, p tblIno, n string) error { return tblErr(e.db.Mknod(nil, p, n, meta.S_IFIFO, 0)) })...)
	rows = append(rows, tblCreateRows(func(e *tblEnv, c *fsmeta.Caller, p tblIno, n string) error {
		return tblErr(e.db.Mknod(c, p, n, meta.S_IFIFO|0o644, 0))
	})...)
	tblRun(t, rows)
}

// tblCreateRows are the errno paths shared by every creation after the name
// check: dirOf, permission, immutable parent, EEXIST.
func tblCreateRows(op func(e *tblEnv, c *fsmeta.Caller, parent tblIno, name string) error) []tblRow {
	return []tblRow{
		{"parent missing", meta.ENOENT, func(e *tblEnv) error { return op(e, nil, 999, "x") }},
		{"parent 0", meta.ENOENT, func(e *tblEnv) error { return op(e, nil, 0, "x") }},
		{"parent file", meta.ENOTDIR, func(e *tblEnv) error { return op(e, nil, e.f, "x") }},
		{"parent symlink", meta.ENOTDIR, func(e *tblEnv) error { return op(e, nil, e.l, "x") }},
		{"no write permission", meta.EACCES, func(e *tblEnv) error { return op(e, tblAlice, e.ro, "x") }},
		{"no search permission", meta.EACCES, func(e *tblEnv) error {
			e.ino(e.db.Chmod(nil, e.d, 0o776))
			return op(e, tblAlice, e.d, "x")
		}},
		{"EEXIST before EACCES", meta.EEXIST, func(e *tblEnv) error { return op(e, tblAlice, e.ro, "r") }},
		{"EPERM before EACCES", meta.EPERM, func(e *tblEnv) error {
			x := e.mkdir(nil, meta.RootIno, "immro", 0o755)
			e.flags(x, meta.FlagImmutable)
			return op(e, tblAlice, x, "x")
		}},
		{"parent immutable", meta.EPERM, func(e *tblEnv) error { return op(e, nil, e.imm, "x") }},
		{"parent immutable, name exists", meta.EEXIST, func(e *tblEnv) error { return op(e, nil, e.imm, "i") }},
		{"parent append-only", 0, func(e *tblEnv) error { return op(e, nil, e.app, "x") }},
		{"exists", meta.EEXIST, func(e *tblEnv) error { return op(e, nil, e.d, "f") }},
		{"exists as dir", meta.EEXIST, func(e *tblEnv) error { return op(e, nil, e.d, "sub") }},
		{"exists as symlink", meta.EEXIST, func(e *tblEnv) error { return op(e, nil, e.d, "l") }},
		{"unlinked name is free", 0, func(e *tblEnv) error { return op(e, nil, e.d, "unl") }},
		{"by alice", 0, func(e *tblEnv) error { return op(e, tblAlice, e.d, tblLong255) }},
	}
}

func TestTableCreate(t *testing.T) {
	rows := tblNameRows(func(e *tblEnv, p tblIno, n string) error { return tblErr(e.db.Create(nil, p, n, 0o644)) })
	rows = append(rows, tblCreateRows(func(e *tblEnv, c *fsmeta.Caller, p tblIno, n string) error {
		return tblErr(e.db.Create(c, p, n, 0o644))
	})...)
	tblRun(t, rows)
}

func TestTableMkdir(t *testing.T) {
	rows := tblNameRows(func(e *tblEnv, p tblIno, n string) error { return tblErr(e.db.Mkdir(nil, p, n, 0o755)) })
	rows = append(rows, tblCreateRows(func(e *tblEnv, c *fsmeta.Caller, p tblIno, n string) error {
		return tblErr(e.db.Mkdir(c, p, n, 0o755))
	})...)
	tblRun(t, rows)
}

func TestTableSymlink(t *testing.T) {
	rows := []tblRow{
		{"target empty", meta.EINVAL, func(e *tblEnv) error { return tblErr(e.db.Symlink(nil, 999, "", "")) }},
		{"target NUL", meta.EINVAL, func(e *tblEnv) error { return tblErr(e.db.Symlink(nil, e.d, "x", "a\x00")) }},
		{"target 4096", meta.ENAMETOOLONG, func(e *tblEnv) error { return tblErr(e.db.Symlink(nil, 999, "", strings.Repeat("t", 4096))) }},
		{"target 4095", 0, func(e *tblEnv) error { return tblErr(e.db.Symlink(nil, e.d, "x", strings.Repeat("t", 4095))) }},
	}
	rows = append(rows, tblNameRows(func(e *tblEnv, p tblIno, n string) error { return tblErr(e.db.Symlink(nil, p, n, "t")) })...)
	rows = append(rows, tblCreateRows(func(e *tblEnv, c *fsmeta.Caller, p tblIno, n string) error {
		return tblErr(e.db.Symlink(c, p, n, "t"))
	})...)
	tblRun(t, rows)
}

// TestTableCreateAttrs checks the attributes of new nodes.
func TestTableCreateAttrs(t *testing.T) {
	e := tblSetup(t)
	for _, tc := range []struct {
		name   string
		c      *fsmeta.Caller
		parent tblIno
		mk     func(c *fsmeta.Caller, parent tblIno, name string) (fsmeta.Attr, error)
		mode   uint32
		gid    uint32
		nlink  uint32
		size   uint64
	}{
		{"file umask", tblAlice, e.d, func(c *fsmeta.Caller, p tblIno, n string) (fsmeta.Attr, error) { return e.db.Create(c, p, n, 0o666) }, meta.S_IFREG | 0o644, 1000, 1, 0},
		{"dir umask", tblAlice, e.d, func(c *fsmeta.Caller, p tblIno, n string) (fsmeta.Attr, error) { return e.db.Mkdir(c, p, n, 0o777) }, meta.S_IFDIR | 0o755, 1000, 2, 4096},
		{"symlink 0777", tblAlice, e.d, func(c *fsmeta.Caller, p tblIno, n string) (fsmeta.Attr, error) { return e.db.Symlink(c, p, n, "abc") }, meta.S_IFLNK | 0o777, 1000, 1, 3},
		{"setgid dir: file", tblAlice, e.sg, func(c *fsmeta.Caller, p tblIno, n string) (fsmeta.Attr, error) { return e.db.Create(c, p, n, 0o2755) }, meta.S_IFREG | 0o755, 3000, 1, 0},
		{"setgid dir: dir", tblAlice, e.sg, func(c *fsmeta.Caller, p tblIno, n string) (fsmeta.Attr, error) { return e.db.Mkdir(c, p, n, 0o755) }, meta.S_IFDIR | meta.S_ISGID | 0o755, 3000, 2, 4096},
		{"setgid dir: root keeps sgid", nil, e.sg, func(c *fsmeta.Caller, p tblIno, n string) (fsmeta.Attr, error) { return e.db.Create(c, p, n, 0o2755) }, meta.S_IFREG | 0o2755, 3000, 1, 0},
		{"fifo", tblBob, e.d, func(c *fsmeta.Caller, p tblIno, n string) (fsmeta.Attr, error) {
			return e.db.Mknod(c, p, n, meta.S_IFIFO|0o666, 9)
		}, meta.S_IFIFO | 0o644, 1001, 1, 0},
	} {
		pa := e.attr(tc.parent)
		at, err := tc.mk(tc.c, tc.parent, tc.name)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		uid := uint32(0)
		if tc.c != nil {
			uid = tc.c.Uid
		}
		if at.Ino <= pa.Ino || at.Mode != tc.mode || at.Gid != tc.gid || at.Uid != uid || at.Nlink != tc.nlink || at.Size != tc.size ||
			at.Rdev != 0 || at.Atime != at.Mtime || at.Mtime != at.Ctime || at.Ctime <= tblT0 {
			t.Errorf("%s: %+v", tc.name, at)
		}
		pb := e.attr(tc.parent)
		wantNlink := pa.Nlink
		if at.IsDir() {
			wantNlink++
		}
		if pb.Mtime != at.Ctime || pb.Ctime != at.Ctime || pb.Nlink != wantNlink {
			t.Errorf("%s: parent %+v after %+v", tc.name, pb, pa)
		}
	}
	at, err := e.db.Mknod(nil, e.d, "chr", meta.S_IFCHR|0o600, 0x0801)
	if err != nil || at.Rdev != 0x0801 || at.Type() != meta.S_IFCHR {
		t.Errorf("chr: %+v %v", at, err)
	}
	// inode numbers are never reused
	f1, _ := e.db.Create(nil, e.d, "gone", 0o644)
	e.ok(e.db.Unlink(nil, e.d, "gone"))
	f2, _ := e.db.Create(nil, e.d, "gone", 0o644)
	if f2.Ino <= f1.Ino {
		t.Errorf("inode %d reused as %d", f1.Ino, f2.Ino)
	}
}

func TestTableENOSPC(t *testing.T) {
	db := tblDB(t, fsmeta.Options{MaxInodes: 3})
	d, err := db.Mkdir(nil, meta.RootIno, "d", 0o777)
	if err != nil {
		t.Fatal(err)
	}
	f, err := db.Create(nil, d.Ino, "f", 0o644)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		err  error
		want meta.Errno
	}{
		{"create", tblErr(db.Create(nil, d.Ino, "x", 0o644)), meta.ENOSPC},
		{"mkdir", tblErr(db.Mkdir(nil, d.Ino, "x", 0o755)), meta.ENOSPC},
		{"mknod", tblErr(db.Mknod(nil, d.Ino, "x", meta.S_IFIFO, 0)), meta.ENOSPC},
		{"symlink", tblErr(db.Symlink(nil, d.Ino, "x", "t")), meta.ENOSPC},
		{"mkdirall", tblErr(db.MkdirAll(nil, "/d/x/y", 0o755)), meta.ENOSPC},
		{"EEXIST first", tblErr(db.Create(nil, d.Ino, "f", 0o644)), meta.EEXIST},
		{"link needs no inode", tblErr(db.Link(nil, f.Ino, d.Ino, "l")), 0},
	} {
		if got := fsmeta.ErrnoOf(tc.err); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got.Name(), tc.want.Name())
		}
	}
	if s, err := db.StatFS(nil); err != nil || s.Inodes != 3 {
		t.Errorf("statfs %+v %v", s, err)
	}
	if err := db.Unlink(nil, d.Ino, "f"); err != nil {
		t.Fatal(err)
	}
	if err := db.Unlink(nil, d.Ino, "l"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Create(nil, d.Ino, "x", 0o644); err != nil {
		t.Errorf("create after a removal: %v", err)
	}
}

func TestTableReadlink(t *testing.T) {
	tblRun(t, []tblRow{
		{"ok", 0, func(e *tblEnv) error {
			s, err := e.db.Readlink(tblBob, e.l)
			if s != "target" {
				return fmt.Errorf("target %q", s)
			}
			return err
		}},
		{"missing", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.Readlink(nil, 999)) }},
		{"file", meta.EINVAL, func(e *tblEnv) error { return tblErr(e.db.Readlink(nil, e.f)) }},
		{"dir", meta.EINVAL, func(e *tblEnv) error { return tblErr(e.db.Readlink(nil, e.d)) }},
		{"fifo", meta.EINVAL, func(e *tblEnv) error { return tblErr(e.db.Readlink(nil, e.p)) }},
	})
}

func TestTableLink(t *testing.T) {
	rows := tblNameRows(func(e *tblEnv, p tblIno, n string) error { return tblErr(e.db.Link(nil, 999, p, n)) })
	rows = append(rows, []tblRow{
		{"ok", 0, func(e *tblEnv) error { return tblErr(e.db.Link(tblAlice, e.f, e.sub, "x")) }},
		{"inode missing", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.Link(nil, 999, 998, "x")) }},
		{"inode missing, parent fine", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.Link(nil, 999, e.d, "x")) }},
		{"parent missing", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.Link(nil, e.f, 999, "x")) }},
		{"parent file", meta.ENOTDIR, func(e *tblEnv) error { return tblErr(e.db.Link(nil, e.f, e.f, "x")) }},
		{"dir, parent missing", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.Link(nil, e.sub, 999, "x")) }},
		{"dir", meta.EPERM, func(e *tblEnv) error { return tblErr(e.db.Link(nil, e.sub, e.d, "x")) }},
		{"root dir", meta.EPERM, func(e *tblEnv) error { return tblErr(e.db.Link(nil, meta.RootIno, e.d, "x")) }},
		{"EACCES before dir", meta.EACCES, func(e *tblEnv) error { return tblErr(e.db.Link(tblAlice, e.sub, e.ro, "x")) }},
		{"no permission", meta.EACCES, func(e *tblEnv) error { return tblErr(e.db.Link(tblAlice, e.f, e.ro, "x")) }},
		{"EEXIST before EACCES", meta.EEXIST, func(e *tblEnv) error { return tblErr(e.db.Link(tblAlice, e.f, e.ro, "r")) }},
		{"parent immutable", meta.EPERM, func(e *tblEnv) error { return tblErr(e.db.Link(nil, e.f, e.imm, "x")) }},
		{"node immutable", meta.EPERM, func(e *tblEnv) error { return tblErr(e.db.Link(nil, e.imf, e.d, "x")) }},
		{"node append-only", meta.EPERM, func(e *tblEnv) error { return tblErr(e.db.Link(nil, e.apf, e.d, "x")) }},
		{"EEXIST before EPERM", meta.EEXIST, func(e *tblEnv) error { return tblErr(e.db.Link(nil, e.imf, e.d, "f")) }},
		{"parent append-only", 0, func(e *tblEnv) error { return tblErr(e.db.Link(nil, e.f, e.app, "x")) }},
		{"exists", meta.EEXIST, func(e *tblEnv) error { return tblErr(e.db.Link(nil, e.f, e.d, "p")) }},
		{"itself", meta.EEXIST, func(e *tblEnv) error { return tblErr(e.db.Link(nil, e.f, e.d, "f")) }},
		{"unlinked open inode", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.Link(nil, e.unl, e.d, "back")) }},
		{"fifo", 0, func(e *tblEnv) error { return tblErr(e.db.Link(nil, e.p, e.d, "x")) }},
		{"symlink", 0, func(e *tblEnv) error { return tblErr(e.db.Link(nil, e.l, e.d, "x")) }},
		{"EMLINK", meta.EMLINK, func(e *tblEnv) error {
			for i := 1; i < meta.MaxLinks; i++ {
				if _, err := e.db.Link(nil, e.f, e.sub, fmt.Sprint(i)); err != nil {
					return fmt.Errorf("link %d: %w", i, err)
				}
			}
			if at := e.attr(e.f); at.Nlink != meta.MaxLinks {
				return fmt.Errorf("nlink %d", at.Nlink)
			}
			return tblErr(e.db.Link(nil, e.f, e.d, "one-more"))
		}},
	}...)
	tblRun(t, rows)
}

func TestTableUnlink(t *testing.T) {
	rows := tblNameRows(func(e *tblEnv, p tblIno, n string) error { return e.db.Unlink(nil, p, n) })
	rows = append(rows, []tblRow{
		{"ok", 0, func(e *tblEnv) error { return e.db.Unlink(tblAlice, e.d, "f") }},
		{"parent missing", meta.ENOENT, func(e *tblEnv) error { return e.db.Unlink(nil, 999, "x") }},
		{"parent file", meta.ENOTDIR, func(e *tblEnv) error { return e.db.Unlink(nil, e.f, "x") }},
		{"no permission", meta.EACCES, func(e *tblEnv) error { return e.db.Unlink(tblAlice, e.ro, "r") }},
		{"ENOENT before EACCES", meta.ENOENT, func(e *tblEnv) error { return e.db.Unlink(tblAlice, e.ro, "missing") }},
		{"parent immutable", meta.EPERM, func(e *tblEnv) error { return e.db.Unlink(nil, e.imm, "i") }},
		{"parent append-only", meta.EPERM, func(e *tblEnv) error { return e.db.Unlink(nil, e.app, "a") }},
		{"ENOENT before EPERM", meta.ENOENT, func(e *tblEnv) error { return e.db.Unlink(nil, e.imm, "missing") }},
		{"missing", meta.ENOENT, func(e *tblEnv) error { return e.db.Unlink(nil, e.d, "missing") }},
		{"directory", meta.EISDIR, func(e *tblEnv) error { return e.db.Unlink(nil, e.d, "sub") }},
		{"sticky before EISDIR", meta.EPERM, func(e *tblEnv) error { return e.db.Unlink(tblBob, e.tmp, "ad") }},
		{"sticky", meta.EPERM, func(e *tblEnv) error { return e.db.Unlink(tblBob, e.tmp, "a") }},
		{"sticky: owner of the entry", 0, func(e *tblEnv) error { return e.db.Unlink(tblAlice, e.tmp, "a") }},
		{"sticky: owner of the dir", 0, func(e *tblEnv) error {
			e.ino(e.db.Chown(nil, e.tmp, 1001, 1001))
			return e.db.Unlink(tblBob, e.tmp, "a")
		}},
		{"sticky: root", 0, func(e *tblEnv) error { return e.db.Unlink(nil, e.tmp, "a") }},
		{"node immutable", meta.EPERM, func(e *tblEnv) error { return e.db.Unlink(nil, e.d, "imf") }},
		{"node append-only", meta.EPERM, func(e *tblEnv) error { return e.db.Unlink(nil, e.d, "apf") }},
		{"symlink", 0, func(e *tblEnv) error { return e.db.Unlink(nil, e.d, "l") }},
		{"fifo", 0, func(e *tblEnv) error { return e.db.Unlink(nil, e.d, "p") }},
	}...)
	tblRun(t, rows)
}

func TestTableRmdir(t *testing.T) {
	rows := tblNameRows(func(e *tblEnv, p tblIno, n string) error { return e.db.Rmdir(nil, p, n) })
	rows = append(rows, []tblRow{
		{"ok", 0, func(e *tblEnv) error { return e.db.Rmdir(nil, e.d, "sub") }},
		{"dot of an existing dir", meta.EINVAL, func(e *tblEnv) error { return e.db.Rmdir(nil, e.sub, ".") }},
		{"dotdot of an existing dir", meta.EINVAL, func(e *tblEnv) error { return e.db.Rmdir(nil, e.sub, "..") }},
		{"parent missing", meta.ENOENT, func(e *tblEnv) error { return e.db.Rmdir(nil, 999, "x") }},
		{"parent file", meta.ENOTDIR, func(e *tblEnv) error { return e.db.Rmdir(nil, e.f, "x") }},
		{"no permission", meta.EACCES, func(e *tblEnv) error {
			e.mkdir(nil, e.ro, "rd", 0o777)
			return e.db.Rmdir(tblAlice, e.ro, "rd")
		}},
		{"ENOENT before EACCES", meta.ENOENT, func(e *tblEnv) error { return e.db.Rmdir(tblAlice, e.ro, "missing") }},
		{"ENOENT before parent immutable", meta.ENOENT, func(e *tblEnv) error { return e.db.Rmdir(nil, e.imm, "missing") }},
		{"parent append-only", meta.EPERM, func(e *tblEnv) error { return e.db.Rmdir(nil, e.app, "ad") }},
		{"missing", meta.ENOENT, func(e *tblEnv) error { return e.db.Rmdir(nil, e.d, "missing") }},
		{"file", meta.ENOTDIR, func(e *tblEnv) error { return e.db.Rmdir(nil, e.d, "f") }},
		{"symlink", meta.ENOTDIR, func(e *tblEnv) error { return e.db.Rmdir(nil, e.d, "l") }},
		{"sticky before ENOTDIR", meta.EPERM, func(e *tblEnv) error { return e.db.Rmdir(tblBob, e.tmp, "a") }},
		{"sticky", meta.EPERM, func(e *tblEnv) error { return e.db.Rmdir(tblBob, e.tmp, "ad") }},
		{"sticky: owner", 0, func(e *tblEnv) error { return e.db.Rmdir(tblAlice, e.tmp, "ad") }},
		{"node immutable", meta.EPERM, func(e *tblEnv) error {
			e.flags(e.sub, meta.FlagImmutable)
			return e.db.Rmdir(nil, e.d, "sub")
		}},
		{"node append-only", meta.EPERM, func(e *tblEnv) error {
			e.flags(e.sub, meta.FlagAppend)
			return e.db.Rmdir(nil, e.d, "sub")
		}},
		{"not empty", meta.ENOTEMPTY, func(e *tblEnv) error { return e.db.Rmdir(nil, meta.RootIno, "full") }},
		{"sticky before ENOTEMPTY", meta.EPERM, func(e *tblEnv) error {
			e.ino(e.db.Create(tblAlice, e.look(e.tmp, "ad"), "x", 0o644))
			return e.db.Rmdir(tblBob, e.tmp, "ad")
		}},
		{"open directory", 0, func(e *tblEnv) error {
			e.ino(e.db.Open(nil, e.sub, meta.O_RDONLY))
			if err := e.db.Rmdir(nil, e.d, "sub"); err != nil {
				return err
			}
			if _, err := e.db.GetAttr(nil, e.sub); fsmeta.ErrnoOf(err) != meta.ENOENT {
				return fmt.Errorf("removed open directory: getattr %v", err)
			}
			return nil
		}},
	}...)
	tblRun(t, rows)
}

func TestTableReadDir(t *testing.T) {
	rd := func(c *fsmeta.Caller, ino func(e *tblEnv) tblIno) func(e *tblEnv) error {
		return func(e *tblEnv) error { return tblErr(tblErr2(e.db.ReadDir(c, ino(e), 0, 10, true))) }
	}
	tblRun(t, []tblRow{
		{"ok", 0, rd(tblAlice, func(e *tblEnv) tblIno { return e.d })},
		{"missing", meta.ENOENT, rd(nil, func(e *tblEnv) tblIno { return 999 })},
		{"file", meta.ENOTDIR, rd(nil, func(e *tblEnv) tblIno { return e.f })},
		{"symlink", meta.ENOTDIR, rd(nil, func(e *tblEnv) tblIno { return e.l })},
		{"no read permission", meta.EACCES, rd(tblAlice, func(e *tblEnv) tblIno { return e.priv })},
		{"read without search", 0, func(e *tblEnv) error {
			e.ino(e.db.Chmod(nil, e.priv, 0o744))
			return tblErr(tblErr2(e.db.ReadDir(tblAlice, e.priv, 0, 10, false)))
		}},
		{"search without read", meta.EACCES, func(e *tblEnv) error {
			e.ino(e.db.Chmod(nil, e.priv, 0o711))
			return tblErr(tblErr2(e.db.ReadDir(tblAlice, e.priv, 0, 10, false)))
		}},
		{"OpenDir checks too", meta.EACCES, func(e *tblEnv) error { return tblErr(e.db.OpenDir(tblAlice, e.priv, false)) }},
	})
}

func tblErr2[T, U any](x T, _ U, err error) (T, error) { return x, err }

func TestTableStatFS(t *testing.T) {
	e := tblSetup(t)
	s, err := e.db.StatFS(tblBob)
	if err != nil {
		t.Fatal(err)
	}
	st := e.db.Stats()
	if s.Inodes != st.Inodes || s.TotalSpace != 1<<50 || s.UsedSpace != 4096 {
		t.Errorf("statfs %+v, stats %+v", s, st)
	}
	e.ino(e.db.Truncate(nil, e.f, 4097))
	if s, _ := e.db.StatFS(nil); s.UsedSpace != 4096+8192 {
		t.Errorf("used %d", s.UsedSpace)
	}
}

func TestTableXattr(t *testing.T) {
	get := func(c *fsmeta.Caller, ino func(e *tblEnv) tblIno, name string) func(e *tblEnv) error {
		return func(e *tblEnv) error { return tblErr(e.db.GetXattr(c, ino(e), name)) }
	}
	set := func(c *fsmeta.Caller, ino func(e *tblEnv) tblIno, name string, size int, flags uint32) func(e *tblEnv) error {
		return func(e *tblEnv) error { return e.db.SetXattr(c, ino(e), name, make([]byte, size), flags) }
	}
	rm := func(c *fsmeta.Caller, ino func(e *tblEnv) tblIno, name string) func(e *tblEnv) error {
		return func(e *tblEnv) error { return e.db.RemoveXattr(c, ino(e), name) }
	}
	list := func(c *fsmeta.Caller, ino func(e *tblEnv) tblIno) func(e *tblEnv) error {
		return func(e *tblEnv) error { return tblErr(e.db.ListXattr(c, ino(e))) }
	}
	f := func(e *tblEnv) tblIno { return e.f }
	missing := func(e *tblEnv) tblIno { return 999 }
	d := func(e *tblEnv) tblIno { return e.d }
	l := func(e *tblEnv) tblIno { return e.l }
	p := func(e *tblEnv) tblIno { return e.p }
	imf := func(e *tblEnv) tblIno { return e.imf }
	apf := func(e *tblEnv) tblIno { return e.apf }
	withA := func(op func(e *tblEnv) error) func(e *tblEnv) error {
		return func(e *tblEnv) error {
			e.ok(e.db.SetXattr(nil, e.f, "user.a", []byte("v"), 0))
			e.ok(e.db.SetXattr(nil, e.f, "trusted.t", []byte("v"), 0))
			return op(e)
		}
	}
	long := "user." + strings.Repeat("n", 251)
	tblRun(t, []tblRow{
		{"get: empty name", meta.EINVAL, get(nil, missing, "")},
		{"set: empty name", meta.EINVAL, set(nil, missing, "", 1, 0)},
		{"remove: empty name", meta.EINVAL, rm(nil, missing, "")},
		{"get: 256 bytes", meta.ERANGE, get(nil, missing, long)},
		{"set: 256 bytes", meta.ERANGE, set(nil, missing, long, 1, 0)},
		{"remove: 256 bytes", meta.ERANGE, rm(nil, missing, long)},
		{"set: 255 bytes", 0, set(nil, f, long[:255], 1, 0)},
		{"get: no prefix", meta.EOPNOTSUPP, get(nil, missing, "foo")},
		{"set: unknown prefix", meta.EOPNOTSUPP, set(nil, missing, "os2.x", 1, 0)},
		{"remove: unknown prefix", meta.EOPNOTSUPP, rm(nil, missing, "xfs.x")},
		{"get: system.", meta.EOPNOTSUPP, get(nil, f, "system.posix_acl_access")},
		{"set: system.", meta.EOPNOTSUPP, set(nil, f, "system.x", 1, 0)},
		{"remove: system.", meta.EOPNOTSUPP, rm(nil, f, "system.x")},
		{"set: flags 4", meta.EINVAL, set(nil, missing, "user.a", 1, 4)},
		{"set: both flags", meta.EINVAL, set(nil, missing, "user.a", 1, meta.XattrCreate|meta.XattrReplace)},
		{"set: value 65537", meta.E2BIG, set(nil, missing, "user.a", 65537, 0)},
		{"set: value 65536", 0, set(nil, f, "user.a", 65536, 0)},
		{"get: missing inode", meta.ENOENT, get(nil, missing, "user.a")},
		{"set: missing inode", meta.ENOENT, set(nil, missing, "user.a", 1, 0)},
		{"remove: missing inode", meta.ENOENT, rm(nil, missing, "user.a")},
		{"list: missing inode", meta.ENOENT, list(nil, missing)},
		{"get: user. without read", meta.EACCES, withA(get(tblBob, func(e *tblEnv) tblIno {
			e.ino(e.db.Chmod(nil, e.f, 0o640))
			return e.f
		}, "user.a"))},
		{"list: without read (Linux needs none)", 0, list(tblAlice, func(e *tblEnv) tblIno { return e.priv })},
		{"set: user. without write", meta.EACCES, set(tblBob, f, "user.a", 1, 0)},
		{"remove: user. without write", meta.EACCES, withA(rm(tblBob, f, "user.a"))},
		{"EACCES before ENODATA", meta.EACCES, rm(tblBob, f, "user.missing")},
		{"set: user. on a directory", 0, set(tblAlice, func(e *tblEnv) tblIno { return e.mkdir(tblAlice, e.d, "ad", 0o755) }, "user.a", 1, 0)},
		{"set: user. on a symlink", meta.EPERM, set(nil, l, "user.a", 1, 0)},
		{"set: user. on a fifo", meta.EPERM, set(nil, p, "user.a", 1, 0)},
		{"remove: user. on a symlink", meta.EPERM, rm(nil, l, "user.a")},
		{"get: user. on a symlink", meta.ENODATA, get(nil, l, "user.a")},
		{"get: trusted. by non-root", meta.ENODATA, withA(get(tblAlice, f, "trusted.t"))},
		{"get: security. by non-root", meta.ENODATA, get(tblAlice, f, "security.s")},
		{"set: trusted. by non-root", meta.EPERM, set(tblAlice, f, "trusted.t", 1, 0)},
		{"set: security. by non-root", meta.EPERM, set(tblAlice, f, "security.s", 1, 0)},
		{"remove: trusted. by non-root", meta.EPERM, withA(rm(tblAlice, f, "trusted.t"))},
		{"get: trusted. by root", 0, withA(get(nil, f, "trusted.t"))},
		{"set: trusted. on a symlink by root", 0, set(nil, l, "trusted.t", 1, 0)},
		{"set: immutable", meta.EPERM, set(nil, imf, "user.a", 1, 0)},
		{"set: immutable, create", meta.EPERM, set(nil, imf, "user.a", 1, meta.XattrCreate)},
		{"remove: immutable", meta.EPERM, rm(nil, imf, "user.a")},
		{"remove: immutable, missing", meta.EPERM, rm(nil, imf, "user.missing")},
		{"set: append-only", meta.EPERM, set(nil, apf, "user.b", 1, 0)},
		{"remove: append-only", meta.EPERM, rm(nil, apf, "user.a")},
		{"get: immutable", 0, get(tblBob, imf, "user.a")},
		{"set: create, exists", meta.EEXIST, withA(set(nil, f, "user.a", 1, meta.XattrCreate))},
		{"set: create", 0, set(nil, f, "user.a", 1, meta.XattrCreate)},
		{"set: replace, missing", meta.ENODATA, set(nil, f, "user.a", 1, meta.XattrReplace)},
		{"set: replace", 0, withA(set(nil, f, "user.a", 1, meta.XattrReplace))},
		{"remove: missing", meta.ENODATA, rm(nil, f, "user.a")},
		{"get: missing", meta.ENODATA, get(nil, f, "user.a")},
		{"get: on a directory", meta.ENODATA, get(nil, d, "user.a")},
		{"set: total over 1 MiB", meta.ENOSPC, func(e *tblEnv) error {
			for i := 0; i < 15; i++ {
				e.ok(e.db.SetXattr(nil, e.f, fmt.Sprintf("user.v%02d", i), make([]byte, 65536), 0))
			}
			// 15*(65536+8) = 983160 bytes; this one brings it to 1048576 + 1
			e.ok(e.db.SetXattr(nil, e.f, "user.w", make([]byte, 1048576-983160-6), 0))
			return e.db.SetXattr(nil, e.f, "user.x", nil, 0)
		}},
	})
	t.Run("effects", func(t *testing.T) {
		e := tblSetup(t)
		c0 := e.attr(e.f).Ctime
		e.ok(e.db.SetXattr(nil, e.f, "user.b", []byte{0, 0xff}, 0))
		e.ok(e.db.SetXattr(nil, e.f, "user.a", nil, 0))
		e.ok(e.db.SetXattr(nil, e.f, "trusted.t", []byte("t"), 0))
		e.ok(e.db.SetXattr(nil, e.f, "security.s", []byte("s"), 0))
		if at := e.attr(e.f); at.Ctime <= c0 || at.Mtime >= at.Ctime {
			t.Errorf("set: ctime %d (was %d), mtime %d", at.Ctime, c0, at.Mtime)
		}
		if v, err := e.db.GetXattr(tblBob, e.f, "user.b"); err != nil || string(v) != "\x00\xff" {
			t.Errorf("get %q %v", v, err)
		}
		if v, err := e.db.GetXattr(tblBob, e.f, "user.a"); err != nil || len(v) != 0 {
			t.Errorf("get empty %q %v", v, err)
		}
		names, err := e.db.ListXattr(nil, e.f)
		if err != nil || strings.Join(names, ",") != "security.s,trusted.t,user.a,user.b" {
			t.Errorf("root list %q %v", names, err)
		}
		names, err = e.db.ListXattr(tblBob, e.f)
		if err != nil || strings.Join(names, ",") != "user.a,user.b" {
			t.Errorf("bob list %q %v", names, err)
		}
		c1 := e.attr(e.f).Ctime
		e.ok(e.db.RemoveXattr(nil, e.f, "user.a"))
		if at := e.attr(e.f); at.Ctime <= c1 {
			t.Errorf("remove: ctime %d (was %d)", at.Ctime, c1)
		}
	})
}

func TestTableFallocate(t *testing.T) {
	fa := func(c *fsmeta.Caller, ino func(e *tblEnv) tblIno, mode uint32, off, n uint64) func(e *tblEnv) error {
		return func(e *tblEnv) error { return tblErr(e.db.Fallocate(c, ino(e), mode, off, n)) }
	}
	f := func(e *tblEnv) tblIno { return e.f }
	missing := func(e *tblEnv) tblIno { return 999 }
	const keep, punch, zero = meta.FallocKeepSize, meta.FallocPunchHole, meta.FallocZeroRange
	tblRun(t, []tblRow{
		{"unknown mode bit", meta.EINVAL, fa(nil, missing, 4, 0, 1)},
		{"punch without keepsize", meta.EINVAL, fa(nil, missing, punch, 0, 1)},
		{"punch with zero range", meta.EINVAL, fa(nil, missing, keep|punch|zero, 0, 1)},
		{"length 0", meta.EINVAL, fa(nil, missing, 0, 0, 0)},
		{"end over 2^62", meta.EFBIG, fa(nil, missing, 0, 1<<62, 1)},
		{"end overflows", meta.EFBIG, fa(nil, f, 0, 1<<64-1, 2)},
		{"end 2^62", 0, fa(nil, f, 0, 1<<62-1, 1)},
		{"missing", meta.ENOENT, fa(nil, missing, 0, 0, 1)},
		{"directory", meta.EISDIR, fa(nil, func(e *tblEnv) tblIno { return e.d }, 0, 0, 1)},
		{"fifo", meta.EINVAL, fa(nil, func(e *tblEnv) tblIno { return e.p }, 0, 0, 1)},
		{"symlink", meta.EINVAL, fa(nil, func(e *tblEnv) tblIno { return e.l }, 0, 0, 1)},
		{"no write permission", meta.EACCES, fa(tblBob, f, 0, 0, 1)},
		{"immutable", meta.EPERM, fa(nil, func(e *tblEnv) tblIno { return e.imf }, 0, 0, 1)},
		{"append-only punch", meta.EPERM, fa(nil, func(e *tblEnv) tblIno { return e.apf }, keep|punch, 0, 1)},
		{"append-only zero", meta.EPERM, fa(nil, func(e *tblEnv) tblIno { return e.apf }, zero, 0, 1)},
		{"append-only reserve", 0, fa(nil, func(e *tblEnv) tblIno { return e.apf }, 0, 0, 1000)},
	})
	t.Run("effects", func(t *testing.T) {
		e := tblSetup(t)
		at, err := e.db.Fallocate(nil, e.f, 0, 100, 900)
		if err != nil || at.Size != 1000 || at.Mtime != at.Ctime {
			t.Fatalf("reserve: %+v %v", at, err)
		}
		at2, _ := e.db.Fallocate(nil, e.f, meta.FallocKeepSize, 0, 5000)
		if at2.Size != 1000 || at2.Mtime != at.Mtime {
			t.Errorf("keepsize: %+v", at2)
		}
		e.ino(e.db.WriteSlice(nil, e.f, 0, meta.Slice{ID: 9, Len: 1000, Size: 1000}))
		at, err = e.db.Fallocate(nil, e.f, keep|punch, 900, 500)
		if err != nil || at.Size != 1000 {
			t.Fatalf("punch: %+v %v", at, err)
		}
		ss, _ := e.db.ReadChunk(nil, e.f, 0)
		if len(ss) != 2 || ss[1].ID != 0 || ss[1].Pos != 900 || ss[1].Len != 100 {
			t.Errorf("punch: slices %+v", ss)
		}
		at, err = e.db.Fallocate(nil, e.f, zero, 900, 500)
		if err != nil || at.Size != 1400 {
			t.Errorf("zero range: %+v %v", at, err)
		}
	})
}

func TestTableOpen(t *testing.T) {
	open := func(c *fsmeta.Caller, ino func(e *tblEnv) tblIno, flags uint32) func(e *tblEnv) error {
		return func(e *tblEnv) error { return tblErr(e.db.Open(c, ino(e), flags)) }
	}
	f := func(e *tblEnv) tblIno { return e.f }
	d := func(e *tblEnv) tblIno { return e.d }
	imf := func(e *tblEnv) tblIno { return e.imf }
	apf := func(e *tblEnv) tblIno { return e.apf }
	tblRun(t, []tblRow{
		{"accmode 3", meta.EINVAL, open(nil, func(e *tblEnv) tblIno { return 999 }, 3)},
		{"missing", meta.ENOENT, open(nil, func(e *tblEnv) tblIno { return 999 }, meta.O_RDONLY)},
		{"dir write", meta.EISDIR, open(nil, d, meta.O_WRONLY)},
		{"dir rdwr", meta.EISDIR, open(nil, d, meta.O_RDWR)},
		{"dir trunc", meta.EISDIR, open(nil, d, meta.O_RDONLY|meta.O_TRUNC)},
		{"EISDIR before EACCES", meta.EISDIR, open(tblAlice, func(e *tblEnv) tblIno { return e.priv }, meta.O_WRONLY)},
		{"dir read", 0, open(nil, d, meta.O_RDONLY)},
		{"dir without read", meta.EACCES, open(tblAlice, func(e *tblEnv) tblIno { return e.priv }, meta.O_RDONLY)},
		{"read", 0, open(tblBob, f, meta.O_RDONLY)},
		{"write without permission", meta.EACCES, open(tblBob, f, meta.O_WRONLY)},
		{"rdwr without permission", meta.EACCES, open(tblBob, f, meta.O_RDWR)},
		{"trunc without permission", meta.EACCES, open(tblBob, f, meta.O_RDONLY|meta.O_TRUNC)},
		{"read without permission", meta.EACCES, open(tblAlice, func(e *tblEnv) tblIno { return e.zero }, meta.O_RDONLY)},
		{"root needs no permission", 0, open(nil, func(e *tblEnv) tblIno { return e.zero }, meta.O_RDWR|meta.O_TRUNC)},
		{"immutable read", 0, open(nil, imf, meta.O_RDONLY)},
		{"immutable write", meta.EPERM, open(nil, imf, meta.O_WRONLY)},
		{"immutable append", meta.EPERM, open(nil, imf, meta.O_WRONLY|meta.O_APPEND)},
		{"immutable trunc", meta.EPERM, open(nil, imf, meta.O_RDONLY|meta.O_TRUNC)},
		{"append-only write", meta.EPERM, open(nil, apf, meta.O_WRONLY)},
		{"append-only rdwr", meta.EPERM, open(nil, apf, meta.O_RDWR)},
		{"append-only trunc", meta.EPERM, open(nil, apf, meta.O_WRONLY|meta.O_APPEND|meta.O_TRUNC)},
		{"append-only append", 0, open(nil, apf, meta.O_WRONLY|meta.O_APPEND)},
		{"append-only read", 0, open(nil, apf, meta.O_RDONLY)},
		{"open unlinked", 0, open(nil, func(e *tblEnv) tblIno { return e.unl }, meta.O_RDONLY)},
	})
	t.Run("trunc", func(t *testing.T) {
		e := tblSetup(t)
		e.ino(e.db.WriteSlice(nil, e.f, 0, meta.Slice{ID: 5, Len: 10, Size: 10}))
		at, err := e.db.Open(nil, e.f, meta.O_WRONLY|meta.O_TRUNC)
		if err != nil || at.Size != 0 || at.Mtime != at.Ctime {
			t.Errorf("O_TRUNC: %+v %v", at, err)
		}
		if ss, _ := e.db.ReadChunk(nil, e.f, 0); len(ss) != 0 {
			t.Errorf("slices after O_TRUNC: %+v", ss)
		}
	})
}

func TestTableRelease(t *testing.T) {
	tblRun(t, []tblRow{
		{"missing", meta.ENOENT, func(e *tblEnv) error { return e.db.CloseFile(nil, 999) }},
		{"not open", meta.EBADF, func(e *tblEnv) error { return e.db.CloseFile(nil, e.f) }},
		{"closed twice", meta.EBADF, func(e *tblEnv) error {
			e.ino(e.db.Open(nil, e.f, meta.O_RDONLY))
			e.ok(e.db.CloseFile(nil, e.f))
			return e.db.CloseFile(nil, e.f)
		}},
		{"last close of an unlinked file", meta.ENOENT, func(e *tblEnv) error {
			e.ok(e.db.CloseFile(nil, e.unl))
			return e.db.CloseFile(nil, e.unl)
		}},
	})
}

func TestTableSlices(t *testing.T) {
	write := func(ino func(e *tblEnv) tblIno, chunk uint32, s meta.Slice) func(e *tblEnv) error {
		return func(e *tblEnv) error { return tblErr(e.db.WriteSlice(nil, ino(e), chunk, s)) }
	}
	f := func(e *tblEnv) tblIno { return e.f }
	missing := func(e *tblEnv) tblIno { return 999 }
	s := func(id uint64, pos, n uint32) meta.Slice { return meta.Slice{ID: id, Pos: pos, Len: n, Size: n} }
	tblRun(t, []tblRow{
		{"newslice 0", meta.EINVAL, func(e *tblEnv) error { return tblErr(e.db.NewSliceID(nil, 0)) }},
		{"newslice", 0, func(e *tblEnv) error { return tblErr(e.db.NewSliceID(tblBob, 5)) }},
		{"write: len 0", meta.EINVAL, write(missing, 0, meta.Slice{ID: 1})},
		{"write: off+len > size", meta.EINVAL, write(missing, 0, meta.Slice{ID: 1, Off: 1, Len: 10, Size: 10})},
		{"write: pos+len > chunk", meta.EINVAL, write(missing, 0, s(1, meta.ChunkSize-1, 2))},
		{"write: missing", meta.ENOENT, write(missing, 0, s(1, 0, 1))},
		{"write: directory", meta.EISDIR, write(func(e *tblEnv) tblIno { return e.d }, 0, s(1, 0, 1))},
		{"write: fifo", meta.EINVAL, write(func(e *tblEnv) tblIno { return e.p }, 0, s(1, 0, 1))},
		{"write: symlink", meta.EINVAL, write(func(e *tblEnv) tblIno { return e.l }, 0, s(1, 0, 1))},
		{"write: immutable", meta.EPERM, write(func(e *tblEnv) tblIno { return e.imf }, 0, s(1, 0, 1))},
		{"write: append-only", 0, write(func(e *tblEnv) tblIno { return e.apf }, 0, s(1, 100, 1))},
		{"write: last chunk", 0, write(f, 1<<32-1, s(1, meta.ChunkSize-1, 1))},
		{"read: missing", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.ReadChunk(nil, 999, 0)) }},
		{"read: directory", meta.EISDIR, func(e *tblEnv) error { return tblErr(e.db.ReadChunk(nil, e.d, 0)) }},
		{"read: fifo", meta.EINVAL, func(e *tblEnv) error { return tblErr(e.db.ReadChunk(nil, e.p, 0)) }},
		{"compact: missing", meta.ENOENT, func(e *tblEnv) error { return tblErr(e.db.CompactChunk(nil, 999, 0, nil, meta.Slice{})) }},
		{"compact: directory", meta.EISDIR, func(e *tblEnv) error { return tblErr(e.db.CompactChunk(nil, e.d, 0, nil, meta.Slice{})) }},
		{"compact: symlink", meta.EINVAL, func(e *tblEnv) error { return tblErr(e.db.CompactChunk(nil, e.l, 0, nil, meta.Slice{})) }},
		{"compact: changed", meta.EAGAIN, func(e *tblEnv) error {
			return tblErr(e.db.CompactChunk(nil, e.apf, 0, []meta.Slice{s(2, 0, 100)}, s(3, 0, 100)))
		}},
		{"compact: longer than the chunk", meta.EAGAIN, func(e *tblEnv) error {
			return tblErr(e.db.CompactChunk(nil, e.apf, 0, []meta.Slice{s(1, 0, 100), s(2, 0, 1)}, s(3, 0, 100)))
		}},
		{"compact: bad with", meta.EINVAL, func(e *tblEnv) error {
			return tblErr(e.db.CompactChunk(nil, e.apf, 0, []meta.Slice{s(1, 0, 100)}, meta.Slice{ID: 3}))
		}},
		{"compact: ok", 0, func(e *tblEnv) error {
			return tblErr(e.db.CompactChunk(nil, e.apf, 0, []meta.Slice{s(1, 0, 100)}, s(3, 0, 100)))
		}},
	})
	t.Run("effects", func(t *testing.T) {
		e := tblSetup(t)
		id, err := e.db.NewSliceID(nil, 10)
		if err != nil || id == 0 {
			t.Fatal(id, err)
		}
		id2, _ := e.db.NewSliceID(nil, 1)
		if id2 != id+10 {
			t.Errorf("ids %d then %d", id, id2)
		}
		e.ino(e.db.WriteSlice(nil, e.f, 0, s(id2+100, 0, 100)))
		if id3, _ := e.db.NewSliceID(nil, 1); id3 != id2+101 {
			t.Errorf("counter not moved past a written id: %d", id3)
		}
		e.ino(e.db.WriteSlice(nil, e.f, 0, s(7, 0, 100)))
		e.ino(e.db.WriteSlice(nil, e.f, 0, s(8, 50, 10)))
		at := e.attr(e.f)
		dropped, err := e.db.CompactChunk(nil, e.f, 0, nil, meta.Slice{})
		if err != nil || len(dropped) != 1 || dropped[0].ID != id2+100 {
			t.Errorf("compact: dropped %+v %v", dropped, err)
		}
		if at2 := e.attr(e.f); at2 != at {
			t.Errorf("compact changed attributes: %+v -> %+v", at, at2)
		}
		e.ino(e.db.Truncate(nil, e.f, 55))
		e.ino(e.db.Truncate(nil, e.f, 200))
		ss, _ := e.db.ReadChunk(nil, e.f, 0)
		if len(ss) != 2 || ss[0] != (meta.Slice{ID: 7, Len: 55, Size: 100}) || ss[1] != (meta.Slice{ID: 8, Pos: 50, Len: 5, Size: 10}) {
			t.Errorf("after truncate 55 and growing: %+v", ss)
		}
	})
}

func TestTableResolve(t *testing.T) {
	res := func(c *fsmeta.Caller, path string, follow bool) func(e *tblEnv) error {
		return func(e *tblEnv) error { return tblErr(e.db.Resolve(c, path, follow)) }
	}
	loop := func(n int) func(e *tblEnv) error {
		return func(e *tblEnv) error {
			// l0 -> l1 -> ... -> l(n-1) -> f
			for i := 0; i < n; i++ {
				target := fmt.Sprintf("l%d", i+1)
				if i == n-1 {
					target = "f"
				}
				e.ino(e.db.Symlink(nil, e.d, fmt.Sprintf("l%d", i), target))
			}
			return tblErr(e.db.Resolve(nil, "/d/l0", true))
		}
	}
	tblRun(t, []tblRow{
		{"ok", 0, res(tblAlice, "/d/f", false)},
		{"path 4096", 0, res(nil, strings.Repeat("/", 4096), false)},
		{"path 4097", meta.ENAMETOOLONG, res(nil, strings.Repeat("/", 4097), false)},
		{"not a directory", meta.ENOTDIR, res(nil, "/d/f/x", false)},
		{"dotdot under a file", meta.ENOTDIR, res(nil, "/d/f/..", false)},
		{"no search", meta.EACCES, res(tblAlice, "/priv/x", false)},
		{"no search dotdot", meta.EACCES, res(tblAlice, "/priv/..", false)},
		{"component 256", meta.ENAMETOOLONG, res(nil, "/d/"+tblLong256, false)},
		{"missing", meta.ENOENT, res(nil, "/d/missing", false)},
		{"dangling", meta.ENOENT, res(nil, "/d/l", true)},
		{"dangling, not followed", 0, res(nil, "/d/l", false)},
		{"self loop", meta.ELOOP, func(e *tblEnv) error {
			e.ino(e.db.Symlink(nil, e.d, "self", "self"))
			return tblErr(e.db.Resolve(nil, "/d/self/x", false))
		}},
		{"40 links", 0, loop(40)},
		{"41 links", meta.ELOOP, loop(41)},
	})
}

func TestTableMkdirAll(t *testing.T) {
	mk := func(c *fsmeta.Caller, path string) func(e *tblEnv) error {
		return func(e *tblEnv) error { return tblErr(e.db.MkdirAll(c, path, 0o755)) }
	}
	tblRun(t, []tblRow{
		{"ok", 0, mk(tblAlice, "/d/a/b/c")},
		{"existing", 0, mk(tblAlice, "/d/sub")},
		{"path 4097", meta.ENAMETOOLONG, mk(nil, strings.Repeat("/", 4097))},
		{"component 256", meta.ENAMETOOLONG, mk(nil, "/d/"+tblLong256+"/x")},
		{"NUL in a component", meta.EINVAL, mk(nil, "/d/a\x00b")},
		{"file on the way", meta.ENOTDIR, mk(nil, "/d/f/x")},
		{"file at the end", meta.EEXIST, mk(nil, "/d/f")},
		{"symlink to a file at the end", meta.EEXIST, func(e *tblEnv) error {
			e.ino(e.db.Symlink(nil, e.d, "lf", "f"))
			return tblErr(e.db.MkdirAll(nil, "/d/lf", 0o755))
		}},
		// the contract does not say; Linux's mkdir -p (mkdir on the dangling link) says EEXIST
		{"dangling symlink at the end", meta.EEXIST, mk(nil, "/d/l")},
		{"no permission", meta.EACCES, mk(tblAlice, "/ro/x")},
		{"no search", meta.EACCES, mk(tblAlice, "/priv/x/y")},
		{"immutable", meta.EPERM, mk(nil, "/imm/x")},
		{"loop", meta.ELOOP, func(e *tblEnv) error {
			e.ino(e.db.Symlink(nil, e.d, "self", "self"))
			return tblErr(e.db.MkdirAll(nil, "/d/self/x", 0o755))
		}},
	})
	// an operation applies entirely or not at all (docs/architecture.md invariant 4)
	t.Run("atomic", func(t *testing.T) {
		e := tblSetup(t)
		before := e.attr(e.d)
		_, err := e.db.MkdirAll(nil, "/d/n1/n2/"+tblLong256, 0o755)
		if fsmeta.ErrnoOf(err) != meta.ENAMETOOLONG {
			t.Errorf("got %v", err)
		}
		if _, err := e.db.Lookup(nil, e.d, "n1"); fsmeta.ErrnoOf(err) != meta.ENOENT {
			t.Errorf("a failed mkdirall left /d/n1 behind (lookup: %v)", err)
		}
		if after := e.attr(e.d); after != before {
			t.Errorf("a failed mkdirall changed /d: %+v -> %+v", before, after)
		}
	})
}

// TestTableClosed: every operation on a closed DB returns ErrClosed.
func TestTableClosed(t *testing.T) {
	db, err := fsmeta.Open(fsmeta.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	s := meta.Slice{ID: 1, Len: 1, Size: 1}
	for name, err := range map[string]error{
		"lookup": tblErr(db.Lookup(nil, 1, "x")), "getattr": tblErr(db.GetAttr(nil, 1)), "access": db.Access(nil, 1, 0),
		"setattr": tblErr(db.Chmod(nil, 1, 0o755)), "mknod": tblErr(db.Mknod(nil, 1, "x", 0, 0)), "mkdir": tblErr(db.Mkdir(nil, 1, "x", 0)),
		"symlink": tblErr(db.Symlink(nil, 1, "x", "t")), "readlink": tblErr(db.Readlink(nil, 1)), "link": tblErr(db.Link(nil, 1, 1, "x")),
		"unlink": db.Unlink(nil, 1, "x"), "rmdir": db.Rmdir(nil, 1, "x"), "rename": db.Rename(nil, 1, "x", 1, "y", 0),
		"readdir": tblErr(tblErr2(db.ReadDir(nil, 1, 0, 1, false))), "statfs": tblErr(db.StatFS(nil)),
		"getxattr": tblErr(db.GetXattr(nil, 1, "user.a")), "setxattr": db.SetXattr(nil, 1, "user.a", nil, 0),
		"listxattr": tblErr(db.ListXattr(nil, 1)), "removexattr": db.RemoveXattr(nil, 1, "user.a"),
		"fallocate": tblErr(db.Fallocate(nil, 1, 0, 0, 1)), "open": tblErr(db.Open(nil, 1, 0)), "close": db.CloseFile(nil, 1),
		"newslice": tblErr(db.NewSliceID(nil, 1)), "write": tblErr(db.WriteSlice(nil, 2, 0, s)), "read": tblErr(db.ReadChunk(nil, 2, 0)),
		"compact": tblErr(db.CompactChunk(nil, 2, 0, nil, s)), "resolve": tblErr(db.Resolve(nil, "/", false)),
		"mkdirall": tblErr(db.MkdirAll(nil, "/x", 0o755)), "fsck": db.Fsck(), "opendir": tblErr(db.OpenDir(nil, 1, false)),
	} {
		if !errors.Is(err, fsmeta.ErrClosed) {
			t.Errorf("%s after Close: %v", name, err)
		}
	}
}

// TestTableErrors checks the error values: *Error with the errno, and the
// io/fs sentinels.
func TestTableErrors(t *testing.T) {
	e := tblSetup(t)
	_, err := e.db.Lookup(nil, e.d, "missing")
	var fe *fsmeta.Error
	if !errors.As(err, &fe) || fe.Errno != meta.ENOENT || fe.Name != "missing" || fe.Ino != e.d {
		t.Errorf("lookup error %#v", err)
	}
	for _, tc := range []struct {
		err    error
		target error
	}{
		{err, fsmeta.ErrNotExist},
		{tblErr(e.db.Create(nil, e.d, "f", 0)), fsmeta.ErrExist},
		{e.db.Rmdir(nil, meta.RootIno, "full"), fsmeta.ErrExist},
		{tblErr(e.db.Create(tblAlice, e.ro, "x", 0)), fsmeta.ErrPermission},
		{e.db.Unlink(nil, e.d, "imf"), fsmeta.ErrPermission},
		{tblErr(e.db.Create(nil, e.d, "", 0)), fsmeta.ErrInvalid},
	} {
		if !errors.Is(tc.err, tc.target) {
			t.Errorf("%v is not %v", tc.err, tc.target)
		}
	}
}

// ---------------------------------------------------------------------------
// Rename: every rule of the contract, one by one.

func TestTableRename(t *testing.T) {
	ren := func(c *fsmeta.Caller, p func(e *tblEnv) tblIno, n string, np func(e *tblEnv) tblIno, nn string, flags uint32) func(e *tblEnv) error {
		return func(e *tblEnv) error { return e.db.Rename(c, p(e), n, np(e), nn, flags) }
	}
	d := func(e *tblEnv) tblIno { return e.d }
	root := func(e *tblEnv) tblIno { return meta.RootIno }
	missing := func(e *tblEnv) tblIno { return 999 }
	sub := func(e *tblEnv) tblIno { return e.sub }
	tmp := func(e *tblEnv) tblIno { return e.tmp }
	const nr, ex = meta.RenameNoReplace, meta.RenameExchange
	rows := []tblRow{
		{"ok", 0, ren(tblAlice, d, "f", sub, "g", 0)},
		// 1. flags
		{"flags 4", meta.EINVAL, ren(nil, missing, "", missing, "", 4)},
		{"both flags", meta.EINVAL, ren(nil, d, "f", d, "g", nr|ex)},
		// 2. names
		{"source name empty", meta.EINVAL, ren(nil, missing, "", missing, "y", 0)},
		{"target name empty", meta.EINVAL, ren(nil, missing, "x", missing, "", 0)},
		{"source name 256", meta.ENAMETOOLONG, ren(nil, missing, tblLong256, missing, "y", 0)},
		{"target name 256", meta.ENAMETOOLONG, ren(nil, missing, "x", missing, tblLong256, 0)},
		{"source dot", meta.EINVAL, ren(nil, d, ".", d, "y", 0)},
		{"source dotdot", meta.EINVAL, ren(nil, d, "..", d, "y", 0)},
		{"target dot", meta.EINVAL, ren(nil, d, "f", d, ".", 0)},
		{"target slash", meta.EINVAL, ren(nil, d, "f", d, "a/b", 0)},
		{"target NUL", meta.EINVAL, ren(nil, d, "f", d, "a\x00", 0)},
		// 3. dirOf both
		{"parent missing", meta.ENOENT, ren(nil, missing, "x", d, "y", 0)},
		{"parent file", meta.ENOTDIR, ren(nil, func(e *tblEnv) tblIno { return e.f }, "x", d, "y", 0)},
		{"new parent missing", meta.ENOENT, ren(nil, d, "f", missing, "y", 0)},
		{"new parent file", meta.ENOTDIR, ren(nil, d, "f", func(e *tblEnv) tblIno { return e.f }, "y", 0)},
		{"new parent checked before the source", meta.ENOTDIR, ren(nil, d, "missing", func(e *tblEnv) tblIno { return e.f }, "y", 0)},
		// 4. permissions on both parents
		{"parent not writable", meta.EACCES, ren(tblAlice, func(e *tblEnv) tblIno { return e.ro }, "r", d, "y", 0)},
		{"new parent not writable", meta.EACCES, ren(tblAlice, d, "f", func(e *tblEnv) tblIno { return e.ro }, "y", 0)},
		{"ENOENT before EACCES", meta.ENOENT, ren(tblAlice, func(e *tblEnv) tblIno { return e.ro }, "missing", d, "y", 0)},
		// 5. flags of the parents
		{"parent immutable", meta.EPERM, ren(nil, func(e *tblEnv) tblIno { return e.imm }, "i", d, "y", 0)},
		{"new parent immutable", meta.EPERM, ren(nil, d, "f", func(e *tblEnv) tblIno { return e.imm }, "y", 0)},
		{"parent append-only", meta.EPERM, ren(nil, func(e *tblEnv) tblIno { return e.app }, "a", d, "y", 0)},
		{"parent append-only, same dir", meta.EPERM, ren(nil, func(e *tblEnv) tblIno { return e.app }, "a", func(e *tblEnv) tblIno { return e.app }, "b", 0)},
		{"ENOENT before EPERM", meta.ENOENT, ren(nil, func(e *tblEnv) tblIno { return e.imm }, "missing", d, "y", 0)},
		{"new parent append-only, new name", 0, ren(nil, d, "f", func(e *tblEnv) tblIno { return e.app }, "y", 0)},
		// 6. source
		{"source missing", meta.ENOENT, ren(nil, d, "missing", d, "y", 0)},
		{"source missing, exchange", meta.ENOENT, ren(nil, d, "missing", d, "f", ex)},
		{"unlinked name", meta.ENOENT, ren(nil, d, "unl", d, "y", 0)},
		// 7. sticky, flags of the source
		{"sticky source", meta.EPERM, ren(tblBob, tmp, "a", tmp, "b", 0)},
		{"sticky source, owner", 0, ren(tblAlice, tmp, "a", tmp, "b", 0)},
		{"source immutable", meta.EPERM, ren(nil, d, "imf", d, "y", 0)},
		{"source append-only", meta.EPERM, ren(nil, d, "apf", d, "y", 0)},
		{"source immutable, onto itself (no check applies)", 0, ren(nil, d, "imf", d, "imf", 0)},
		// 8. NOREPLACE, EXCHANGE
		{"noreplace, target exists", meta.EEXIST, ren(nil, d, "f", d, "p", nr)},
		{"noreplace, onto itself", meta.EEXIST, ren(nil, d, "f", d, "f", nr)},
		{"noreplace, target free", 0, ren(nil, d, "f", d, "y", nr)},
		{"exchange, target missing", meta.ENOENT, ren(nil, d, "f", d, "y", ex)},
		{"noreplace before subtree", meta.EEXIST, func(e *tblEnv) error {
			e.mkdir(nil, e.sub, "x", 0o777)
			return e.db.Rename(nil, e.d, "sub", e.sub, "x", nr)
		}},
		{"exchange missing before subtree", meta.ENOENT, ren(nil, d, "sub", sub, "x", ex)},
		// 9. same inode
		{"onto itself", 0, ren(nil, d, "f", d, "f", 0)},
		{"onto itself, exchange", 0, ren(nil, d, "f", d, "f", ex)},
		{"dir onto itself", 0, ren(nil, d, "sub", d, "sub", 0)},
		{"onto another link", 0, func(e *tblEnv) error {
			e.ino(e.db.Link(nil, e.f, e.sub, "hl"))
			if err := e.db.Rename(nil, e.d, "f", e.sub, "hl", 0); err != nil {
				return err
			}
			if e.look(e.d, "f") != e.f || e.look(e.sub, "hl") != e.f || e.attr(e.f).Nlink != 2 {
				return errors.New("a name went away")
			}
			return nil
		}},
		// 10. subtree
		{"dir into itself", meta.EINVAL, ren(nil, d, "sub", sub, "x", 0)},
		{"dir into its subtree", meta.EINVAL, func(e *tblEnv) error {
			deep := e.mkdir(nil, e.sub, "deep", 0o777)
			return e.db.Rename(nil, e.d, "sub", deep, "x", 0)
		}},
		{"dir into itself, target exists", meta.EINVAL, func(e *tblEnv) error {
			e.ino(e.db.Create(nil, e.sub, "x", 0o644))
			return e.db.Rename(nil, e.d, "sub", e.sub, "x", 0)
		}},
		{"root-level dir into itself", meta.EINVAL, ren(nil, root, "d", sub, "x", 0)},
		{"subtree before permission on the dir", meta.EINVAL, func(e *tblEnv) error {
			deep := e.mkdir(nil, e.sub, "deep", 0o777)
			e.ino(e.db.Chmod(nil, e.sub, 0o755))
			return e.db.Rename(tblAlice, e.d, "sub", deep, "x", 0)
		}},
		{"exchange: target an ancestor of the source", meta.EINVAL, func(e *tblEnv) error {
			e.ino(e.db.Create(nil, e.sub, "x", 0o644))
			return e.db.Rename(nil, e.sub, "x", meta.RootIno, "d", ex)
		}},
		{"exchange: source an ancestor of the target", meta.EINVAL, func(e *tblEnv) error {
			e.ino(e.db.Create(nil, e.sub, "x", 0o644))
			return e.db.Rename(nil, meta.RootIno, "d", e.sub, "x", ex)
		}},
		{"dir onto its parent", meta.ENOTEMPTY, ren(nil, d, "sub", root, "d", 0)},
		{"dir exchanged with its parent", meta.EINVAL, ren(nil, d, "sub", root, "d", ex)},
		{"file into a subdirectory", 0, ren(nil, d, "f", sub, "f", 0)},
		// 11. existing target
		{"sticky target", meta.EPERM, func(e *tblEnv) error {
			e.ino(e.db.Create(tblBob, e.tmp, "b", 0o644))
			return e.db.Rename(tblBob, e.tmp, "b", e.tmp, "a", 0)
		}},
		{"sticky target, exchange", meta.EPERM, func(e *tblEnv) error {
			e.ino(e.db.Create(tblBob, e.tmp, "b", 0o644))
			return e.db.Rename(tblBob, e.tmp, "b", e.tmp, "a", ex)
		}},
		{"target immutable", meta.EPERM, ren(nil, d, "f", d, "imf", 0)},
		{"target append-only", meta.EPERM, ren(nil, d, "f", d, "apf", 0)},
		{"target immutable dir", meta.EPERM, func(e *tblEnv) error {
			e.flags(e.sub, meta.FlagImmutable)
			e.mkdir(nil, e.d, "x", 0o777)
			return e.db.Rename(nil, e.d, "x", e.d, "sub", 0)
		}},
		{"new parent append-only, target exists", meta.EPERM, ren(nil, d, "f", func(e *tblEnv) tblIno { return e.app }, "a", 0)},
		{"new parent append-only, exchange", meta.EPERM, ren(nil, d, "f", func(e *tblEnv) tblIno { return e.app }, "a", ex)},
		{"dir onto file", meta.ENOTDIR, ren(nil, d, "sub", d, "f", 0)},
		{"dir onto symlink", meta.ENOTDIR, ren(nil, d, "sub", d, "l", 0)},
		{"file onto dir", meta.EISDIR, ren(nil, d, "f", d, "sub", 0)},
		{"fifo onto dir", meta.EISDIR, ren(nil, d, "p", d, "sub", 0)},
		{"file onto non-empty dir", meta.EISDIR, ren(nil, d, "f", root, "full", 0)},
		{"dir onto non-empty dir", meta.ENOTEMPTY, ren(nil, d, "sub", root, "full", 0)},
		{"dir onto empty dir", 0, ren(nil, root, "full", d, "sub", 0)},
		{"flags before types", meta.EPERM, ren(nil, d, "sub", d, "imf", 0)},
		{"exchange dir and file", 0, ren(nil, d, "sub", d, "f", ex)},
		{"exchange dir and non-empty dir", 0, ren(nil, d, "sub", root, "full", ex)},
		// 12. a directory changing parent needs write permission on itself
		{"dir to a new parent without write on it", meta.EACCES, func(e *tblEnv) error {
			e.ino(e.db.Chmod(nil, e.sub, 0o755))
			return e.db.Rename(tblAlice, e.d, "sub", e.tmp, "sub", 0)
		}},
		{"dir in the same parent without write on it", 0, func(e *tblEnv) error {
			e.ino(e.db.Chmod(nil, e.sub, 0o755))
			return e.db.Rename(tblAlice, e.d, "sub", e.d, "sub2", 0)
		}},
		{"exchange across parents, target dir not writable", meta.EACCES, func(e *tblEnv) error {
			pub := e.mkdir(nil, meta.RootIno, "pub", 0o777)
			e.mkdir(nil, pub, "x", 0o755)
			return e.db.Rename(tblAlice, e.d, "sub", pub, "x", ex)
		}},
		{"exchange across parents, file and writable dir", 0, func(e *tblEnv) error {
			return e.db.Rename(tblAlice, e.d, "sub", e.tmp, "a", ex)
		}},
		{"EACCES before ENOTEMPTY", meta.EACCES, func(e *tblEnv) error {
			pub := e.mkdir(nil, meta.RootIno, "pub", 0o777)
			ne := e.mkdir(nil, pub, "ne", 0o777)
			e.ino(e.db.Create(nil, ne, "c", 0o644))
			e.ino(e.db.Chmod(nil, e.sub, 0o755))
			return e.db.Rename(tblAlice, e.d, "sub", pub, "ne", 0)
		}},
	}
	tblRun(t, rows)
}

// TestTableRenameEffects checks what a rename changes.
func TestTableRenameEffects(t *testing.T) {
	t.Run("file to another parent", func(t *testing.T) {
		e := tblSetup(t)
		before := e.attr(e.f)
		e.ok(e.db.Rename(nil, e.d, "f", e.sub, "g", 0))
		at, d, s := e.attr(e.f), e.attr(e.d), e.attr(e.sub)
		if at.Ctime <= before.Ctime || at.Mtime != before.Mtime || d.Mtime != at.Ctime || d.Ctime != at.Ctime ||
			s.Mtime != at.Ctime || s.Ctime != at.Ctime || at.Nlink != 1 {
			t.Errorf("times: file %+v, parents %+v %+v", at, d, s)
		}
		if _, err := e.db.Lookup(nil, e.d, "f"); fsmeta.ErrnoOf(err) != meta.ENOENT {
			t.Errorf("old name: %v", err)
		}
		if e.look(e.sub, "g") != e.f {
			t.Error("new name")
		}
	})
	t.Run("dir to another parent", func(t *testing.T) {
		e := tblSetup(t)
		rootN, dN := e.attr(meta.RootIno).Nlink, e.attr(e.d).Nlink
		e.ok(e.db.Rename(nil, e.d, "sub", meta.RootIno, "moved", 0))
		if e.attr(meta.RootIno).Nlink != rootN+1 || e.attr(e.d).Nlink != dN-1 {
			t.Errorf("nlink root %d d %d", e.attr(meta.RootIno).Nlink, e.attr(e.d).Nlink)
		}
		if e.look(e.sub, "..") != meta.RootIno {
			t.Error(".. not moved")
		}
	})
	t.Run("replace a file", func(t *testing.T) {
		e := tblSetup(t)
		victim := e.ino(e.db.Create(nil, e.d, "victim", 0o644))
		e.ok(e.db.Rename(nil, e.d, "f", e.d, "victim", 0))
		if _, err := e.db.GetAttr(nil, victim); fsmeta.ErrnoOf(err) != meta.ENOENT {
			t.Errorf("replaced file lives: %v", err)
		}
		if e.look(e.d, "victim") != e.f {
			t.Error("target name")
		}
	})
	t.Run("replace a linked file", func(t *testing.T) {
		e := tblSetup(t)
		victim := e.ino(e.db.Create(nil, e.d, "victim", 0o644))
		e.ino(e.db.Link(nil, victim, e.sub, "other"))
		e.ok(e.db.Rename(nil, e.d, "f", e.d, "victim", 0))
		at := e.attr(victim)
		if at.Nlink != 1 || at.Ctime != e.attr(e.d).Mtime {
			t.Errorf("replaced linked file %+v", at)
		}
	})
	t.Run("replace an open file", func(t *testing.T) {
		e := tblSetup(t)
		victim := e.ino(e.db.Create(nil, e.d, "victim", 0o644))
		e.ino(e.db.WriteSlice(nil, victim, 0, meta.Slice{ID: 3, Len: 10, Size: 10}))
		e.ino(e.db.Open(nil, victim, meta.O_RDONLY))
		e.ok(e.db.Rename(nil, e.d, "f", e.d, "victim", 0))
		if at := e.attr(victim); at.Nlink != 0 || at.Size != 10 {
			t.Errorf("open replaced file %+v", at)
		}
		e.ok(e.db.CloseFile(nil, victim))
		if _, err := e.db.GetAttr(nil, victim); fsmeta.ErrnoOf(err) != meta.ENOENT {
			t.Errorf("after close: %v", err)
		}
	})
	t.Run("replace an empty dir", func(t *testing.T) {
		e := tblSetup(t)
		victim := e.mkdir(nil, meta.RootIno, "victim", 0o777)
		rootN, dN := e.attr(meta.RootIno).Nlink, e.attr(e.d).Nlink
		e.ok(e.db.Rename(nil, e.d, "sub", meta.RootIno, "victim", 0))
		if _, err := e.db.GetAttr(nil, victim); fsmeta.ErrnoOf(err) != meta.ENOENT {
			t.Errorf("replaced dir lives: %v", err)
		}
		if e.attr(meta.RootIno).Nlink != rootN || e.attr(e.d).Nlink != dN-1 {
			t.Errorf("nlink root %d (was %d) d %d (was %d)", e.attr(meta.RootIno).Nlink, rootN, e.attr(e.d).Nlink, dN)
		}
	})
	t.Run("exchange", func(t *testing.T) {
		e := tblSetup(t)
		rootN, dN := e.attr(meta.RootIno).Nlink, e.attr(e.d).Nlink
		full := e.look(meta.RootIno, "full")
		e.ok(e.db.Rename(nil, e.d, "f", meta.RootIno, "full", meta.RenameExchange))
		if e.look(e.d, "f") != full || e.look(meta.RootIno, "full") != e.f || e.look(full, "..") != e.d {
			t.Error("names not swapped")
		}
		if e.attr(meta.RootIno).Nlink != rootN-1 || e.attr(e.d).Nlink != dN+1 {
			t.Errorf("nlink root %d (was %d) d %d (was %d)", e.attr(meta.RootIno).Nlink, rootN, e.attr(e.d).Nlink, dN)
		}
		if e.attr(e.f).Ctime != e.attr(full).Ctime || e.attr(e.d).Mtime != e.attr(e.f).Ctime {
			t.Error("times")
		}
	})
	t.Run("onto itself changes nothing", func(t *testing.T) {
		e := tblSetup(t)
		before, bd := e.attr(e.f), e.attr(e.d)
		e.ok(e.db.Rename(nil, e.d, "f", e.d, "f", 0))
		e.ok(e.db.Rename(nil, e.d, "f", e.d, "f", meta.RenameExchange))
		if e.attr(e.f) != before || e.attr(e.d) != bd {
			t.Error("changed")
		}
	})
}

// ---------------------------------------------------------------------------
// Hard links and files unlinked while open.

func TestTableHardLinks(t *testing.T) {
	e := tblSetup(t)
	e.ino(e.db.WriteSlice(nil, e.f, 0, meta.Slice{ID: 1, Len: 10, Size: 10}))
	var names []string
	for i := 0; i < 10; i++ {
		parent := e.d
		if i%2 == 1 {
			parent = e.sub
		}
		name := fmt.Sprintf("h%d", i)
		at, err := e.db.Link(nil, e.f, parent, name)
		if err != nil || at.Nlink != uint32(i+2) || at.Ino != e.f {
			t.Fatalf("link %d: %+v %v", i, at, err)
		}
		names = append(names, name)
	}
	for i, n := range names {
		parent := e.d
		if i%2 == 1 {
			parent = e.sub
		}
		at, _ := e.db.Lookup(nil, parent, n)
		if at.Ino != e.f || at.Nlink != 11 || at.Size != 10 {
			t.Errorf("%s: %+v", n, at)
		}
	}
	// a change through one name shows through all
	e.ino(e.db.Chmod(nil, e.look(e.sub, "h1"), 0o600))
	if e.attr(e.look(e.d, "h0")).Mode != meta.S_IFREG|0o600 {
		t.Error("mode not shared")
	}
	// remove all names but one, in turns
	e.ok(e.db.Unlink(nil, e.d, "f"))
	for i, n := range names[:9] {
		parent := e.d
		if i%2 == 1 {
			parent = e.sub
		}
		e.ok(e.db.Unlink(nil, parent, n))
		if at := e.attr(e.f); at.Nlink != uint32(9-i) {
			t.Errorf("after unlinking %s: nlink %d", n, at.Nlink)
		}
	}
	if ss, _ := e.db.ReadChunk(nil, e.f, 0); len(ss) != 1 {
		t.Errorf("slices %+v", ss)
	}
	e.ok(e.db.Unlink(nil, e.sub, "h9"))
	if _, err := e.db.GetAttr(nil, e.f); fsmeta.ErrnoOf(err) != meta.ENOENT {
		t.Errorf("last link gone: %v", err)
	}
}

func TestTableOpenUnlinked(t *testing.T) {
	e := tblSetup(t)
	f := e.ino(e.db.Create(nil, e.d, "o", 0o644))
	e.ino(e.db.WriteSlice(nil, f, 0, meta.Slice{ID: 41, Len: 4096, Size: 4096}))
	e.ino(e.db.WriteSlice(nil, f, 1, meta.Slice{ID: 42, Len: 10, Size: 10}))
	e.ok(e.db.SetXattr(nil, f, "user.k", []byte("v"), 0))
	e.ino(e.db.Link(nil, f, e.sub, "o2"))
	for i := 0; i < 3; i++ {
		e.ino(e.db.Open(nil, f, meta.O_RDONLY))
	}
	st := e.db.Stats()
	used := func() uint64 { s, _ := e.db.StatFS(nil); return s.UsedSpace }
	u0 := used()
	e.ok(e.db.Unlink(nil, e.d, "o"))
	e.ok(e.db.Unlink(nil, e.sub, "o2"))
	check := func(stage string) {
		t.Helper()
		at, err := e.db.GetAttr(nil, f)
		if err != nil || at.Nlink != 0 || at.Size != meta.ChunkSize+10 {
			t.Fatalf("%s: getattr %+v %v", stage, at, err)
		}
		if ss, err := e.db.ReadChunk(nil, f, 0); err != nil || len(ss) != 1 || ss[0].ID != 41 {
			t.Errorf("%s: chunk 0 %+v %v", stage, ss, err)
		}
		if ss, err := e.db.ReadChunk(nil, f, 1); err != nil || len(ss) != 1 || ss[0].ID != 42 {
			t.Errorf("%s: chunk 1 %+v %v", stage, ss, err)
		}
		if v, err := e.db.GetXattr(nil, f, "user.k"); err != nil || string(v) != "v" {
			t.Errorf("%s: xattr %q %v", stage, v, err)
		}
		if used() != u0 {
			t.Errorf("%s: used %d, was %d", stage, used(), u0)
		}
		if s := e.db.Stats(); s.Inodes != st.Inodes || s.Orphans != st.Orphans+1 {
			t.Errorf("%s: stats %+v, were %+v", stage, s, st)
		}
	}
	check("unlinked")
	if _, err := e.db.Lookup(nil, e.d, "o"); fsmeta.ErrnoOf(err) != meta.ENOENT {
		t.Errorf("name still there: %v", err)
	}
	if _, err := e.db.Link(nil, f, e.d, "back"); fsmeta.ErrnoOf(err) != meta.ENOENT {
		t.Errorf("link to an unlinked inode: %v", err)
	}
	// writes still work on it
	if at, err := e.db.SetAttr(nil, f, meta.SetAtimeNow, fsmeta.SetAttrIn{}); err != nil || at.Nlink != 0 {
		t.Errorf("setattr: %+v %v", at, err)
	}
	e.ok(e.db.CloseFile(nil, f))
	check("after 1 close")
	e.ok(e.db.CloseFile(nil, f))
	check("after 2 closes")
	e.ok(e.db.CloseFile(nil, f))
	for name, err := range map[string]error{
		"getattr": tblErr(e.db.GetAttr(nil, f)), "readchunk": tblErr(e.db.ReadChunk(nil, f, 0)),
		"getxattr": tblErr(e.db.GetXattr(nil, f, "user.k")), "open": tblErr(e.db.Open(nil, f, 0)),
		"close": e.db.CloseFile(nil, f), "write": tblErr(e.db.WriteSlice(nil, f, 0, meta.Slice{ID: 1, Len: 1, Size: 1})),
	} {
		if fsmeta.ErrnoOf(err) != meta.ENOENT {
			t.Errorf("%s after the last close: %v", name, err)
		}
	}
	if used() != u0-(meta.ChunkSize+4096) {
		t.Errorf("used %d after the last close, was %d", used(), u0)
	}
	if s := e.db.Stats(); s.Inodes != st.Inodes-1 || s.Orphans != st.Orphans {
		t.Errorf("stats %+v, were %+v", s, st)
	}
}

// ---------------------------------------------------------------------------
// A directory of a million entries, listed with the cursor while it changes.

func TestTableBigDir(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 50_000
	}
	db := tblDB(t, fsmeta.Options{})
	dir, err := db.Mkdir(nil, meta.RootIno, "big", 0o777)
	if err != nil {
		t.Fatal(err)
	}
	name := func(prefix byte, i int) string { return fmt.Sprintf("%c%07d", prefix, i) }
	inos := make([]tblIno, n)
	for i := 0; i < n; i++ {
		at, err := db.Create(nil, dir.Ino, name('f', i), 0o644)
		if err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
		inos[i] = at.Ino
	}
	if at, _ := db.GetAttr(nil, dir.Ino); at.Nlink != 2 {
		t.Errorf("dir nlink %d", at.Nlink)
	}
	for i := 0; i < n; i += 1000 {
		at, err := db.Lookup(nil, dir.Ino, name('f', i))
		if err != nil || at.Ino != inos[i] || !at.IsRegular() {
			t.Fatalf("lookup %d: %+v %v", i, at, err)
		}
	}
	if _, err := db.Lookup(nil, dir.Ino, name('f', n)); fsmeta.ErrnoOf(err) != meta.ENOENT {
		t.Errorf("lookup past the end: %v", err)
	}
	// List in batches of 1000; between batches delete 50 random original
	// entries and add 50 new ones. Every original entry never deleted must
	// come exactly once; no entry may come twice.
	rng := rand.New(rand.NewPCG(1, 2))
	seen := make([]uint8, n)
	deleted := make([]bool, n)
	var added []int
	seenAdded := map[int]int{}
	cursor, batches, nextNew := uint64(0), 0, 0
	for {
		ents, next, err := db.ReadDir(nil, dir.Ino, cursor, 1000, batches%7 == 0)
		if err != nil {
			t.Fatalf("readdir at %d: %v", cursor, err)
		}
		batches++
		for _, e := range ents {
			i, err := strconv.Atoi(e.Name[1:])
			if err != nil {
				t.Fatalf("unexpected name %q", e.Name)
			}
			switch e.Name[0] {
			case 'f':
				seen[i]++
				if e.Ino != inos[i] || e.Type != meta.S_IFREG {
					t.Fatalf("entry %q: %+v", e.Name, e)
				}
			case 'g':
				seenAdded[i]++
			}
		}
		if next == 0 {
			break
		}
		if next == cursor {
			t.Fatalf("cursor stuck at %d", cursor)
		}
		cursor = next
		for k := 0; k < 50; k++ {
			i := rng.IntN(n)
			if !deleted[i] {
				if err := db.Unlink(nil, dir.Ino, name('f', i)); err != nil {
					t.Fatal(err)
				}
				deleted[i] = true
			}
			if _, err := db.Create(nil, dir.Ino, name('g', nextNew), 0o644); err != nil {
				t.Fatal(err)
			}
			added = append(added, nextNew)
			nextNew++
		}
	}
	if batches < n/1000 {
		t.Errorf("%d batches for %d entries", batches, n)
	}
	missed, dup, ndel := 0, 0, 0
	for i := 0; i < n; i++ {
		if deleted[i] {
			ndel++
		}
		switch {
		case seen[i] > 1:
			dup++
		case seen[i] == 0 && !deleted[i]:
			missed++
		}
	}
	for i, c := range seenAdded {
		if c > 1 {
			t.Errorf("added entry %d listed %d times", i, c)
		}
	}
	if missed != 0 || dup != 0 {
		t.Errorf("%d untouched entries missed, %d listed twice (%d deleted, %d added)", missed, dup, ndel, len(added))
	}
	// a final listing sees exactly what is there
	count := 0
	it, err := db.OpenDir(nil, dir.Ino, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, ok := it.Next(); ok; _, ok = it.Next() {
		count++
	}
	if it.Err() != nil || count != n-ndel+len(added) {
		t.Errorf("final listing: %d entries, want %d (%v)", count, n-ndel+len(added), it.Err())
	}
	it.Close()
}

// ---------------------------------------------------------------------------
// Names.

func TestTableNames(t *testing.T) {
	type op struct {
		name string
		do   func(e *tblEnv, name string) error
	}
	ops := []op{
		{"create", func(e *tblEnv, n string) error { return tblErr(e.db.Create(nil, e.d, n, 0o644)) }},
		{"mkdir", func(e *tblEnv, n string) error { return tblErr(e.db.Mkdir(nil, e.d, n, 0o755)) }},
		{"mknod", func(e *tblEnv, n string) error { return tblErr(e.db.Mknod(nil, e.d, n, meta.S_IFIFO|0o644, 0)) }},
		{"symlink", func(e *tblEnv, n string) error { return tblErr(e.db.Symlink(nil, e.d, n, "t")) }},
		{"link", func(e *tblEnv, n string) error { return tblErr(e.db.Link(nil, e.f, e.d, n)) }},
		{"rename to", func(e *tblEnv, n string) error { return e.db.Rename(nil, e.d, "f", e.d, n, 0) }},
	}
	good := []string{
		tblLong255, "\xff", "\xff\xfe", "\xc3\x28", "\xed\xa0\x80", "\xc0\xaf", "\x01\x7f", "\n", " ", "\\", "é",
		"e\u0301", "日本語", "...", ".x", "..x", "-", "#", "=>", strings.Repeat("é", 127) + "x",
	}
	for _, o := range ops {
		for _, b := range tblBadNames {
			t.Run(o.name+"/"+b.name, func(t *testing.T) {
				e := tblSetup(t)
				if got := fsmeta.ErrnoOf(o.do(e, b.s)); got != b.want {
					t.Errorf("got %s, want %s", got.Name(), b.want.Name())
				}
			})
		}
		t.Run(o.name+"/good", func(t *testing.T) {
			e := tblSetup(t)
			for i, n := range good {
				if i > 0 && o.name == "rename to" {
					e.ino(e.db.Create(nil, e.d, "f", 0o644))
				}
				if err := o.do(e, n); err != nil {
					t.Errorf("%q: %v", n, err)
					continue
				}
				if _, err := e.db.Lookup(nil, e.d, n); err != nil {
					t.Errorf("lookup %q: %v", n, err)
				}
			}
			ents, _, err := e.db.ReadDir(nil, e.d, 0, 100000, false)
			if err != nil {
				t.Fatal(err)
			}
			listed := map[string]bool{}
			for _, d := range ents {
				listed[d.Name] = true
			}
			for _, n := range good {
				if !listed[n] {
					t.Errorf("%q not listed", n)
				}
			}
		})
	}
	// the names removed by unlink, rmdir and rename's source
	for _, b := range tblBadNames {
		t.Run("remove/"+b.name, func(t *testing.T) {
			e := tblSetup(t)
			for what, err := range map[string]error{
				"unlink": e.db.Unlink(nil, e.d, b.s), "rmdir": e.db.Rmdir(nil, e.d, b.s),
				"rename from": e.db.Rename(nil, e.d, b.s, e.d, "x", 0),
			} {
				if got := fsmeta.ErrnoOf(err); got != b.want {
					t.Errorf("%s: got %s, want %s", what, got.Name(), b.want.Name())
				}
			}
		})
	}
	t.Run("not normalized", func(t *testing.T) {
		e := tblSetup(t)
		e.ino(e.db.Create(nil, e.d, "é", 0o644))
		if _, err := e.db.Lookup(nil, e.d, "e\u0301"); fsmeta.ErrnoOf(err) != meta.ENOENT {
			t.Errorf("decomposed form found: %v", err)
		}
		if _, err := e.db.Lookup(nil, e.d, "É"); fsmeta.ErrnoOf(err) != meta.ENOENT {
			t.Errorf("upper case found: %v", err)
		}
		if _, err := e.db.Lookup(nil, e.d, "F"); fsmeta.ErrnoOf(err) != meta.ENOENT {
			t.Errorf("F found: %v", err)
		}
	})
}
