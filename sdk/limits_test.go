package fsmeta_test

import (
	"bytes"
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// The arguments at and around every limit, made once: the largest are tens
// of MiB.
var (
	limBig     = strings.Repeat("n", 70<<20) // 70 MiB: over raft-wal's 64 MiB entry limit
	limTarget  = limBig[:65<<20]
	limXName12 = "user." + strings.Repeat("x", 12<<20)
	limValue12 = make([]byte, 12<<20)
	limPath    = strings.Repeat("a/", meta.MaxPath/2) // MaxPath bytes
)

func limName(n int) string  { return strings.Repeat("n", n) }
func limXName(n int) string { return "user." + strings.Repeat("x", n-5) }

// limGroups returns a caller (uid 1000, gid 1000) with n supplementary
// groups, the last of them 4242 (the group of /lim/g).
func limGroups(n int) *fsmeta.Caller {
	gs := make([]uint32, n)
	for i := range gs {
		gs[i] = 100_000 + uint32(i)
	}
	gs[n-1] = 4242
	return &fsmeta.Caller{Uid: 1000, Gid: 1000, Groups: gs, Umask: 0o022}
}

// limEnv is what the cases work in: /lim (0777) holding a file f, a
// symlink s, a directory sub, and g (0770, group 4242).
type limEnv struct {
	dir, f, s, sub, g fsmeta.Ino
}

func limSetup(t *testing.T, db *fsmeta.DB) limEnv {
	t.Helper()
	must := func(a fsmeta.Attr, err error) fsmeta.Ino {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a.Ino
	}
	var e limEnv
	e.dir = must(db.Mkdir(nil, fsmeta.RootIno, "lim", 0o777))
	e.f = must(db.Create(nil, e.dir, "f", 0o666))
	e.s = must(db.Symlink(nil, e.dir, "s", "f"))
	e.sub = must(db.Mkdir(nil, e.dir, "sub", 0o777))
	e.g = must(db.Mkdir(nil, e.dir, "g", 0o770))
	must(db.SetAttr(nil, e.g, meta.SetGid, fsmeta.SetAttrIn{Gid: 4242}))
	return e
}

type limCase struct {
	what string
	want fsmeta.Errno
	call func(db *fsmeta.DB, e limEnv) error
}

func errOf[T any](_ T, err error) error { return err }

// limCases: every limit at, just past and far past it, through every call
// that takes the argument. Cases that pass leave something limStateOK
// checks after a restart.
func limCases() []limCase {
	cs := []limCase{
		// names
		{"create name 255", 0, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Create(nil, e.dir, limName(255), 0o644)) }},
		{"create name 256", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Create(nil, e.dir, limName(256), 0o644)) }},
		{"create name 70 MiB", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Create(nil, e.dir, limBig, 0o644)) }},
		{"mkdir name 256", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Mkdir(nil, e.dir, limName(256), 0o755)) }},
		{"mkdir name 70 MiB", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Mkdir(nil, e.dir, limBig, 0o755)) }},
		{"mknod name 70 MiB", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error {
			return errOf(db.Mknod(nil, e.dir, limBig, meta.S_IFIFO|0o644, 0))
		}},
		{"mknod bad type, name 70 MiB", meta.EINVAL, func(db *fsmeta.DB, e limEnv) error {
			return errOf(db.Mknod(nil, e.dir, limBig, meta.S_IFDIR|0o644, 0))
		}},
		{"symlink name 70 MiB", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Symlink(nil, e.dir, limBig, "f")) }},
		{"link name 256", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Link(nil, e.f, e.dir, limName(256))) }},
		{"link name 70 MiB", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Link(nil, e.f, e.dir, limBig)) }},
		{"rename to 70 MiB", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return db.Rename(nil, e.dir, "f", e.dir, limBig, 0) }},
		{"rename from 70 MiB", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return db.Rename(nil, e.dir, limBig, e.dir, "x", 0) }},
		{"rename to 256", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return db.Rename(nil, e.dir, "f", e.dir, limName(256), 0) }},
		{"rename bad flags, 70 MiB", meta.EINVAL, func(db *fsmeta.DB, e limEnv) error { return db.Rename(nil, e.dir, "f", e.dir, limBig, 3) }},
		{"unlink 70 MiB", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return db.Unlink(nil, e.dir, limBig) }},
		{"rmdir 70 MiB", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return db.Rmdir(nil, e.dir, limBig) }},
		{"lookup 256", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Lookup(nil, e.dir, limName(256))) }},
		{"lookup 70 MiB", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Lookup(nil, e.dir, limBig)) }},
		// symlink targets
		{"target 4095", 0, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Symlink(nil, e.dir, "t4095", limName(4095))) }},
		{"target 4096", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Symlink(nil, e.dir, "t4096", limName(4096))) }},
		{"target 65 MiB", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Symlink(nil, e.dir, "t65", limTarget)) }},
		{"target empty", meta.EINVAL, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Symlink(nil, e.dir, "t0", "")) }},
		// paths
		{"mkdirall path 4096", 0, func(db *fsmeta.DB, e limEnv) error { return errOf(db.MkdirAll(nil, limPath, 0o755)) }},
		{"mkdirall path 4097", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return errOf(db.MkdirAll(nil, limPath+"b", 0o755)) }},
		{"mkdirall path 70 MiB", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return errOf(db.MkdirAll(nil, limBig, 0o755)) }},
		{"resolve path 4096", 0, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Resolve(nil, limPath, true)) }},
		{"resolve path 70 MiB", meta.ENAMETOOLONG, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Resolve(nil, limBig, true)) }},
		// xattrs
		{"xattr name 255", 0, func(db *fsmeta.DB, e limEnv) error { return db.SetXattr(nil, e.f, limXName(255), []byte("n255"), 0) }},
		{"xattr name 256", meta.ERANGE, func(db *fsmeta.DB, e limEnv) error { return db.SetXattr(nil, e.f, limXName(256), []byte("v"), 0) }},
		{"xattr name 12 MiB", meta.ERANGE, func(db *fsmeta.DB, e limEnv) error { return db.SetXattr(nil, e.f, limXName12, []byte("v"), 0) }},
		{"xattr name 12 MiB, value 12 MiB", meta.ERANGE, func(db *fsmeta.DB, e limEnv) error {
			return db.SetXattr(nil, e.f, limXName12, limValue12, 0)
		}},
		{"getxattr name 12 MiB", meta.ERANGE, func(db *fsmeta.DB, e limEnv) error { return errOf(db.GetXattr(nil, e.f, limXName12)) }},
		{"removexattr name 256", meta.ERANGE, func(db *fsmeta.DB, e limEnv) error { return db.RemoveXattr(nil, e.f, limXName(256)) }},
		{"removexattr name 12 MiB", meta.ERANGE, func(db *fsmeta.DB, e limEnv) error { return db.RemoveXattr(nil, e.f, limXName12) }},
		{"xattr value 65536", 0, func(db *fsmeta.DB, e limEnv) error {
			return db.SetXattr(nil, e.f, "user.v", bytes.Repeat([]byte{7}, meta.MaxXattrSize), 0)
		}},
		{"xattr value 65537", meta.E2BIG, func(db *fsmeta.DB, e limEnv) error {
			return db.SetXattr(nil, e.f, "user.w", make([]byte, meta.MaxXattrSize+1), 0)
		}},
		{"xattr value 12 MiB", meta.E2BIG, func(db *fsmeta.DB, e limEnv) error { return db.SetXattr(nil, e.f, "user.w", limValue12, 0) }},
		{"xattr value 12 MiB, bad flags", meta.EINVAL, func(db *fsmeta.DB, e limEnv) error {
			return db.SetXattr(nil, e.f, "user.w", limValue12, 3)
		}},
		{"8 concurrent xattr values of 12 MiB", meta.E2BIG, func(db *fsmeta.DB, e limEnv) error {
			errs := make([]error, 8)
			var wg sync.WaitGroup
			for i := range errs {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					errs[i] = db.SetXattr(nil, e.f, "user.c"+string(rune('0'+i)), limValue12, 0)
				}(i)
			}
			wg.Wait()
			for _, err := range errs[1:] {
				if fsmeta.ErrnoOf(err) != fsmeta.ErrnoOf(errs[0]) {
					return err
				}
			}
			return errs[0]
		}},
		// slices
		{"compact 2^16 slices", meta.EAGAIN, func(db *fsmeta.DB, e limEnv) error {
			return errOf(db.CompactChunk(nil, e.f, 0, make([]fsmeta.Slice, meta.MaxReplaced), fsmeta.Slice{ID: 1, Size: 1, Len: 1}))
		}},
		{"compact 2^16+1 slices", meta.EINVAL, func(db *fsmeta.DB, e limEnv) error {
			return errOf(db.CompactChunk(nil, e.f, 0, make([]fsmeta.Slice, meta.MaxReplaced+1), fsmeta.Slice{ID: 1, Size: 1, Len: 1}))
		}},
		// groups: 65536 work (the last one counts), reads and writes alike
		{"65536 groups create", 0, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Create(limGroups(65536), e.g, "by65536", 0o644)) }},
		{"65536 groups lookup", 0, func(db *fsmeta.DB, e limEnv) error { return errOf(db.Lookup(limGroups(65536), e.g, "by65536")) }},
		{"65536 groups readdir", 0, func(db *fsmeta.DB, e limEnv) error { return errOf3(db.ReadDir(limGroups(65536), e.g, 0, 0, false)) }},
		{"65535 groups without 4242", meta.EACCES, func(db *fsmeta.DB, e limEnv) error {
			c := limGroups(65536)
			c.Groups = c.Groups[:65535]
			return errOf(db.Create(c, e.g, "denied", 0o644))
		}},
	}
	for _, n := range []int{65537, 100_000} {
		cs = append(cs, limGroupCases(n)...)
	}
	return cs
}

func errOf3[A, B any](_ A, _ B, err error) error { return err }

// limGroupCases: a caller with n > MaxGroups groups is refused by every call.
func limGroupCases(n int) []limCase {
	c := limGroups(n)
	calls := map[string]func(db *fsmeta.DB, e limEnv) error{
		"lookup":       func(db *fsmeta.DB, e limEnv) error { return errOf(db.Lookup(c, e.dir, "f")) },
		"getattr":      func(db *fsmeta.DB, e limEnv) error { return errOf(db.GetAttr(c, e.f)) },
		"access":       func(db *fsmeta.DB, e limEnv) error { return db.Access(c, e.f, meta.R_OK) },
		"readlink":     func(db *fsmeta.DB, e limEnv) error { return errOf(db.Readlink(c, e.s)) },
		"readdir":      func(db *fsmeta.DB, e limEnv) error { return errOf3(db.ReadDir(c, e.dir, 0, 0, true)) },
		"opendir":      func(db *fsmeta.DB, e limEnv) error { return errOf(db.OpenDir(c, e.dir, false)) },
		"statfs":       func(db *fsmeta.DB, e limEnv) error { return errOf(db.StatFS(c)) },
		"getxattr":     func(db *fsmeta.DB, e limEnv) error { return errOf(db.GetXattr(c, e.f, "user.a")) },
		"listxattr":    func(db *fsmeta.DB, e limEnv) error { return errOf(db.ListXattr(c, e.f)) },
		"readchunk":    func(db *fsmeta.DB, e limEnv) error { return errOf(db.ReadChunk(c, e.f, 0)) },
		"chunkindexes": func(db *fsmeta.DB, e limEnv) error { return errOf(db.ChunkIndexes(c, e.f)) },
		"resolve":      func(db *fsmeta.DB, e limEnv) error { return errOf(db.Resolve(c, "/lim/f", true)) },
		"setattr":      func(db *fsmeta.DB, e limEnv) error { return errOf(db.Chmod(c, e.f, 0o600)) },
		"mknod":        func(db *fsmeta.DB, e limEnv) error { return errOf(db.Mknod(c, e.g, "x", meta.S_IFIFO|0o644, 0)) },
		"create":       func(db *fsmeta.DB, e limEnv) error { return errOf(db.Create(c, e.g, "x", 0o644)) },
		"mkdir":        func(db *fsmeta.DB, e limEnv) error { return errOf(db.Mkdir(c, e.g, "x", 0o755)) },
		"symlink":      func(db *fsmeta.DB, e limEnv) error { return errOf(db.Symlink(c, e.g, "x", "f")) },
		"link":         func(db *fsmeta.DB, e limEnv) error { return errOf(db.Link(c, e.f, e.g, "x")) },
		"unlink":       func(db *fsmeta.DB, e limEnv) error { return db.Unlink(c, e.dir, "f") },
		"rmdir":        func(db *fsmeta.DB, e limEnv) error { return db.Rmdir(c, e.dir, "sub") },
		"rename":       func(db *fsmeta.DB, e limEnv) error { return db.Rename(c, e.dir, "f", e.dir, "f2", 0) },
		"setxattr":     func(db *fsmeta.DB, e limEnv) error { return db.SetXattr(c, e.f, "user.a", []byte("v"), 0) },
		"removexattr":  func(db *fsmeta.DB, e limEnv) error { return db.RemoveXattr(c, e.f, "user.v") },
		"fallocate":    func(db *fsmeta.DB, e limEnv) error { return errOf(db.Fallocate(c, e.f, 0, 0, 4096)) },
		"open":         func(db *fsmeta.DB, e limEnv) error { return errOf(db.OpenFile(c, e.f, meta.O_RDONLY)) },
		"closefile":    func(db *fsmeta.DB, e limEnv) error { return db.CloseFile(c, e.f) },
		"newsliceid":   func(db *fsmeta.DB, e limEnv) error { return errOf(db.NewSliceID(c, 1)) },
		"writeslice": func(db *fsmeta.DB, e limEnv) error {
			return errOf(db.WriteSlice(c, e.f, 0, fsmeta.Slice{ID: 1, Size: 1, Len: 1}))
		},
		"compactchunk": func(db *fsmeta.DB, e limEnv) error { return errOf(db.CompactChunk(c, e.f, 0, nil, fsmeta.Slice{})) },
		"mkdirall":     func(db *fsmeta.DB, e limEnv) error { return errOf(db.MkdirAll(c, "/lim/g/x", 0o755)) },
	}
	var cs []limCase
	for name, call := range calls {
		cs = append(cs, limCase{name + " with " + strconv.Itoa(n) + " groups", meta.EINVAL, call})
	}
	return cs
}

// limRun runs every case on db and returns each one's errno.
func limRun(t *testing.T, db *fsmeta.DB, e limEnv) map[string]fsmeta.Errno {
	t.Helper()
	got := map[string]fsmeta.Errno{}
	for _, c := range limCases() {
		err := c.call(db, e)
		got[c.what] = fsmeta.ErrnoOf(err)
		if got[c.what] != c.want {
			t.Errorf("%s: %v, want %v", c.what, err, c.want.Name())
			continue
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fsmeta: ") {
			t.Errorf("%s: error %.200q does not name fsmeta", c.what, err)
		}
		if err != nil && len(err.Error()) > 8192 {
			t.Errorf("%s: an error of %d bytes: %.200q", c.what, len(err.Error()), err)
		}
		if c.want == meta.EINVAL && strings.Contains(c.what, "groups") && !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%s: %v is not fs.ErrInvalid", c.what, err)
		}
	}
	return got
}

// limStateOK checks what the cases that pass left behind.
func limStateOK(t *testing.T, db *fsmeta.DB, e limEnv) {
	t.Helper()
	if _, err := db.Lookup(nil, e.dir, limName(255)); err != nil {
		t.Error(err)
	}
	if a, err := db.Lookup(nil, e.dir, "t4095"); err != nil {
		t.Error(err)
	} else if s, err := db.Readlink(nil, a.Ino); err != nil || s != limName(4095) {
		t.Errorf("readlink of the 4095-byte target: %d bytes, %v", len(s), err)
	}
	if v, err := db.GetXattr(nil, e.f, limXName(255)); err != nil || string(v) != "n255" {
		t.Errorf("xattr with a 255-byte name: %q, %v", v, err)
	}
	if v, err := db.GetXattr(nil, e.f, "user.v"); err != nil || !bytes.Equal(v, bytes.Repeat([]byte{7}, meta.MaxXattrSize)) {
		t.Errorf("65536-byte xattr value: %d bytes, %v", len(v), err)
	}
	if names, err := db.ListXattr(nil, e.f); err != nil || len(names) != 2 {
		t.Errorf("xattrs of f: %q, %v (refused ones must leave nothing)", names, err)
	}
	if _, err := db.Resolve(nil, limPath, true); err != nil {
		t.Error(err)
	}
	if _, err := db.Lookup(limGroups(65536), e.g, "by65536"); err != nil {
		t.Error(err)
	}
	if _, err := db.Lookup(nil, e.g, "x"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused caller's create left something: %v", err)
	}
	ents, _, err := db.ReadDir(nil, e.dir, 0, 0, false)
	if err != nil || len(ents) != 7 { // f, s, sub, g, 255 n's, t4095, after
		t.Errorf("/lim lists %d entries, %v", len(ents), err)
	}
}

func limCheck(t *testing.T, db *fsmeta.DB) uint64 {
	t.Helper()
	if err := db.Fsck(); err != nil {
		t.Fatal(err)
	}
	s, err := db.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func limOpen(t *testing.T, opts fsmeta.Options) *fsmeta.DB {
	t.Helper()
	opts.ArenaMaxBytes = 256 << 20
	opts.CompactAfter = -1
	db, err := fsmeta.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestLimits: at and around every limit (names, symlink targets, paths,
// xattr names and values, replaced slices, supplementary groups) memory and
// durable mode give the same errno; nothing refused reaches the durable
// log: later writes work, and the directory opens again (from the log, then
// from a snapshot) with the state intact and fsck clean.
func TestLimits(t *testing.T) {
	mem := limOpen(t, fsmeta.Options{InMemory: true})
	defer mem.Close()
	me := limSetup(t, mem)
	memGot := limRun(t, mem, me)
	if _, err := mem.Create(nil, me.dir, "after", 0o644); err != nil {
		t.Fatal(err)
	}
	limStateOK(t, mem, me)
	limCheck(t, mem)

	dir := t.TempDir()
	db := limOpen(t, fsmeta.Options{Dir: dir})
	de := limSetup(t, db)
	durGot := limRun(t, db, de)
	for what, e := range memGot {
		if durGot[what] != e {
			t.Errorf("%s: %v in memory, %v durable", what, e.Name(), durGot[what].Name())
		}
	}
	if _, err := db.Create(nil, de.dir, "after", 0o644); err != nil {
		t.Fatal("a write after the refused ones:", err)
	}
	limStateOK(t, db, de)
	want := limCheck(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = limOpen(t, fsmeta.Options{Dir: dir}) // the log replayed
	if got := limCheck(t, db); got != want {
		t.Fatal("the state after a restart differs")
	}
	limStateOK(t, db, de)
	if err := db.Snapshot(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Create(nil, de.dir, limBig, 0o644); fsmeta.ErrnoOf(err) != meta.ENAMETOOLONG {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = limOpen(t, fsmeta.Options{Dir: dir}) // the snapshot and the log after it
	defer db.Close()
	if got := limCheck(t, db); got != want {
		t.Fatal("the state after a restart from the snapshot differs")
	}
}

// TestLimitsGroupsMessage: the error of a caller with too many groups says
// so, whatever the call and the mode.
func TestLimitsGroupsMessage(t *testing.T) {
	for _, opts := range []fsmeta.Options{{InMemory: true}, {Dir: t.TempDir()}} {
		db := limOpen(t, opts)
		c := limGroups(100_000)
		for _, err := range []error{
			errOf(db.GetAttr(c, fsmeta.RootIno)),
			errOf(db.Mkdir(c, fsmeta.RootIno, "d", 0o755)),
		} {
			var fe *fsmeta.Error
			if !errors.As(err, &fe) || fe.Errno != meta.EINVAL ||
				!strings.Contains(err.Error(), "caller has 100000 supplementary groups, at most 65536") {
				t.Errorf("%+v: %v", opts, err)
			}
		}
		if _, err := db.Lookup(nil, fsmeta.RootIno, "d"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%+v: the refused mkdir made d: %v", opts, err)
		}
		limCheck(t, db)
		db.Close()
	}
}
