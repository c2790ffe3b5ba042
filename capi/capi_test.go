package main

import (
	"bufio"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

func TestTableAddGetRemove(t *testing.T) {
	tb := newTable(maxHandles)
	db := &entry{}
	h, ok := tb.add(kindDB, db)
	if !ok || h == 0 {
		t.Fatalf("add: %#x %v", h, ok)
	}
	if tb.get(h, kindDB) != db {
		t.Fatal("get of a live handle failed")
	}
	if tb.get(h, kindDir) != nil {
		t.Fatal("a db handle was accepted as a dir handle")
	}
	for _, forged := range []uint64{0, 1, 0xdeadbeef, h ^ 1<<40, h + 1, h | 0xff<<indexBits, ^uint64(0)} {
		if tb.get(forged, kindDB) != nil || tb.get(forged, kindDir) != nil {
			t.Fatalf("forged handle %#x accepted", forged)
		}
	}
	if tb.count() != 1 {
		t.Fatalf("count %d", tb.count())
	}
	if tb.remove(h, kindDB) != db {
		t.Fatal("remove failed")
	}
	if tb.get(h, kindDB) != nil || tb.remove(h, kindDB) != nil {
		t.Fatal("a removed handle still works")
	}
	// The slot is reused under a new generation: the old handle stays dead.
	h2, _ := tb.add(kindDB, &entry{})
	if uint32(h2) != uint32(h) || h2 == h {
		t.Fatalf("expected slot reuse with a new generation: %#x then %#x", h, h2)
	}
	if tb.get(h, kindDB) != nil {
		t.Fatal("stale handle accepted after slot reuse")
	}
	if tb.count() != 1 {
		t.Fatalf("count %d", tb.count())
	}
}

func TestTableLimit(t *testing.T) {
	tb := newTable(3)
	var hs []uint64
	for i := 0; i < 3; i++ {
		h, ok := tb.add(kindDir, &entry{})
		if !ok {
			t.Fatalf("add %d failed", i)
		}
		hs = append(hs, h)
	}
	if _, ok := tb.add(kindDir, &entry{}); ok {
		t.Fatal("add past the limit succeeded")
	}
	tb.remove(hs[1], kindDir)
	if _, ok := tb.add(kindDir, &entry{}); !ok {
		t.Fatal("add after a remove failed")
	}
}

func TestTableConcurrent(t *testing.T) {
	tb := newTable(maxHandles)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20000; i++ {
				e := &entry{}
				h, ok := tb.add(kindDB, e)
				if !ok || tb.get(h, kindDB) != e || tb.remove(h, kindDB) != e || tb.get(h, kindDB) != nil {
					t.Error("handle lifecycle broken under concurrency")
					return
				}
			}
		}()
	}
	wg.Wait()
	if tb.count() != 0 {
		t.Fatalf("count %d after all removes", tb.count())
	}
}

func TestStatusOf(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int32
	}{
		{nil, 0},
		{&fsmeta.Error{Op: "mkdir", Errno: fsmeta.EEXIST}, -17},
		{fsmeta.ENOENT, -2},
		{fsmeta.ErrClosed, -1003},
		{errors.New("something else"), -1001},
		{errf(-1004, "small"), -1004},
	} {
		if got := int32(statusOf(c.err)); got != c.want {
			t.Errorf("statusOf(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

func TestCatch(t *testing.T) {
	rc := func() (rc int32) {
		defer catch("fsmeta_test", &rc)
		var m map[string]int
		m["boom"] = 1 // panics
		return 0
	}()
	if rc != -1001 {
		t.Fatalf("a panic gave %d, want FSMETA_EINTERNAL", rc)
	}
}

// TestExportsRecover checks that every export's first statement is
// `defer catch(...)` and that its name is fsmetago_*.
func TestExportsRecover(t *testing.T) {
	fset := token.NewFileSet()
	var decls []ast.Decl
	for _, file := range []string{"exports.go", "exports_gen.go"} {
		f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		decls = append(decls, f.Decls...)
	}
	n := 0
	for _, d := range decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Doc == nil || !isExport(fd.Doc) {
			continue
		}
		n++
		name := fd.Name.Name
		if !strings.HasPrefix(name, "fsmetago_") {
			t.Errorf("%s: exports must be named fsmetago_* (hidden by the version script)", name)
		}
		if name == "fsmetago_handle_count" {
			continue // cannot fail: no status
		}
		var first ast.Stmt
		for _, s := range fd.Body.List {
			if _, isDecl := s.(*ast.DeclStmt); !isDecl { // skip `const fn = ...`
				first = s
				break
			}
		}
		ds, ok := first.(*ast.DeferStmt)
		if !ok {
			t.Errorf("%s: first statement is not `defer catch(...)`", name)
			continue
		}
		if id, ok := ds.Call.Fun.(*ast.Ident); !ok || id.Name != "catch" {
			t.Errorf("%s: first statement is not `defer catch(...)`", name)
		}
	}
	if n < 35 {
		t.Fatalf("found only %d exports", n)
	}
}

func isExport(g *ast.CommentGroup) bool {
	for _, c := range g.List {
		if strings.HasPrefix(c.Text, "//export ") {
			return true
		}
	}
	return false
}

// TestHeaderConstants checks the #defines of include/fsmeta.h against the
// Go constants they mirror.
func TestHeaderConstants(t *testing.T) {
	defs := headerDefines(t)
	want := map[string]int64{
		"FSMETA_ROOT_INO": int64(meta.RootIno), "FSMETA_NAME_MAX": meta.MaxName, "FSMETA_SYMLINK_MAX": meta.MaxSymlink,
		"FSMETA_PATH_MAX": meta.MaxPath, "FSMETA_XATTR_NAME_MAX": meta.MaxXattrName, "FSMETA_XATTR_SIZE_MAX": meta.MaxXattrSize,
		"FSMETA_XATTR_LIST_MAX": meta.MaxXattrAll, "FSMETA_LINK_MAX": meta.MaxLinks, "FSMETA_CHUNK_SIZE": meta.ChunkSize,
		"FSMETA_MAX_FILE_SIZE": meta.MaxFileSize, "FSMETA_SYMLINK_FOLLOW_MAX": meta.MaxSymlinks,
		"FSMETA_S_IFMT": meta.S_IFMT, "FSMETA_S_IFSOCK": meta.S_IFSOCK, "FSMETA_S_IFLNK": meta.S_IFLNK,
		"FSMETA_S_IFREG": meta.S_IFREG, "FSMETA_S_IFBLK": meta.S_IFBLK, "FSMETA_S_IFDIR": meta.S_IFDIR,
		"FSMETA_S_IFCHR": meta.S_IFCHR, "FSMETA_S_IFIFO": meta.S_IFIFO, "FSMETA_S_ISUID": meta.S_ISUID,
		"FSMETA_S_ISGID": meta.S_ISGID, "FSMETA_S_ISVTX": meta.S_ISVTX,
		"FSMETA_FLAG_IMMUTABLE": meta.FlagImmutable, "FSMETA_FLAG_APPEND": meta.FlagAppend,
		"FSMETA_SET_MODE": meta.SetMode, "FSMETA_SET_UID": meta.SetUid, "FSMETA_SET_GID": meta.SetGid,
		"FSMETA_SET_SIZE": meta.SetSize, "FSMETA_SET_ATIME": meta.SetAtime, "FSMETA_SET_MTIME": meta.SetMtime,
		"FSMETA_SET_ATIME_NOW": meta.SetAtimeNow, "FSMETA_SET_MTIME_NOW": meta.SetMtimeNow,
		"FSMETA_SET_CTIME": meta.SetCtime, "FSMETA_SET_FLAGS": meta.SetFlags, "FSMETA_SET_ALL": meta.SetAll,
		"FSMETA_F_OK": meta.F_OK, "FSMETA_X_OK": meta.X_OK, "FSMETA_W_OK": meta.W_OK, "FSMETA_R_OK": meta.R_OK,
		"FSMETA_O_RDONLY": meta.O_RDONLY, "FSMETA_O_WRONLY": meta.O_WRONLY, "FSMETA_O_RDWR": meta.O_RDWR,
		"FSMETA_O_ACCMODE": meta.O_ACCMODE, "FSMETA_O_TRUNC": meta.O_TRUNC, "FSMETA_O_APPEND": meta.O_APPEND,
		"FSMETA_RENAME_NOREPLACE": meta.RenameNoReplace, "FSMETA_RENAME_EXCHANGE": meta.RenameExchange,
		"FSMETA_XATTR_CREATE": meta.XattrCreate, "FSMETA_XATTR_REPLACE": meta.XattrReplace,
		"FSMETA_FALLOC_KEEP_SIZE": meta.FallocKeepSize, "FSMETA_FALLOC_PUNCH_HOLE": meta.FallocPunchHole,
		"FSMETA_FALLOC_ZERO_RANGE": meta.FallocZeroRange,
	}
	for name, v := range want {
		got, ok := defs[name]
		if !ok {
			t.Errorf("%s missing from fsmeta.h", name)
		} else if got != v {
			t.Errorf("%s = %d in fsmeta.h, %d in Go", name, got, v)
		}
	}
	// Every errno the engine knows has its status code, -errno.
	for e := meta.Errno(1); e < 200; e++ {
		name := e.Name()
		if strings.HasPrefix(name, "E") && name != "E"+strconv.Itoa(int(e)) {
			if got, ok := defs["FSMETA_"+name]; !ok || got != -int64(e) {
				t.Errorf("FSMETA_%s = %d (present %v), want %d", name, got, ok, -int64(e))
			}
		}
	}
	// The library's own codes are in their block.
	for _, n := range []string{"EBADHANDLE", "EINTERNAL", "ITEROVER", "ECLOSED", "ETOOSMALL", "EVERSION", "ENOTLEADER", "ECORRUPT"} {
		if v := defs["FSMETA_"+n]; v > -1000 || v <= -2000 {
			t.Errorf("FSMETA_%s = %d: not in the reserved block -1000..-1999", n, v)
		}
	}
	if v := defs["FSMETA_VERSION_NUMBER"]; v != defs["FSMETA_VERSION_MAJOR"]*10000+defs["FSMETA_VERSION_MINOR"]*100+defs["FSMETA_VERSION_PATCH"] {
		t.Errorf("FSMETA_VERSION_NUMBER %d does not match MAJOR/MINOR/PATCH", v)
	}
}

// headerDefines returns every `#define FSMETA_X <integer>` of the header.
func headerDefines(t *testing.T) map[string]int64 {
	f, err := os.Open("../include/fsmeta.h")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	defs := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 3 || fs[0] != "#define" {
			continue
		}
		lit := strings.TrimSuffix(strings.TrimPrefix(fs[2], "("), ")")
		if v, err := strconv.ParseInt(lit, 0, 64); err == nil {
			defs[fs[1]] = v
		}
	}
	return defs
}

// FuzzCAPI throws decoded call sequences at the C API (fuzzharness.go):
// every status must be a documented kind, nothing may panic, and the state
// must be fsck-clean with every handle released afterwards.
func FuzzCAPI(f *testing.F) {
	f.Add([]byte{0, 1, 1, 5, 0, 'a', 'b', 'c', 'd', 'e'})
	f.Add([]byte("\x01\x00\x01\x03\x00x/y\x00\x00\x02\x00\x00\x01\x00\x00"))
	f.Add([]byte{15, 0, 0, 0, 1, 0, 16, 0, 0, 1, 17, 0, 0, 0})
	f.Add([]byte{18, 0, 1, 9, 0, '/', 'a', '/', 'b', '/', '.', '.', 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if msg := fuzzCAPI(data); msg != "" {
			t.Fatal(msg)
		}
	})
}
