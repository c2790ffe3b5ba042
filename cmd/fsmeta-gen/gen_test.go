package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedFilesAreFresh fails when a committed generated file differs from what fsmeta-gen writes from
// include/fsmeta.h (run ./build.sh gen, or go run ./cmd/fsmeta-gen).
func TestGeneratedFilesAreFresh(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if err := run(root, true); err != nil {
		t.Fatal(err)
	}
}

func TestGeneratedFilesStartWithTheMarker(t *testing.T) {
	files, err := generate("../..")
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		first, _, _ := bytes.Cut(b, []byte("\n"))
		if !strings.HasSuffix(string(first), generated) {
			t.Errorf("%s starts with %q", name, first)
		}
	}
}

// TestCheckReportsStale runs the check against a copy of the tree with one generated file changed and one missing.
func TestCheckReportsStale(t *testing.T) {
	dir := t.TempDir()
	files, err := generate("../..")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../" + headerPath)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(headerPath, src)
	write("go.mod", []byte("module x\n"))
	for _, name := range []string{exportsPath, shimPath} {
		b, err := os.ReadFile("../../" + name)
		if err != nil {
			t.Fatal(err)
		}
		write(name, b)
	}
	if err := run(dir, false); err != nil {
		t.Fatal(err)
	}
	if err := run(dir, true); err != nil {
		t.Fatalf("fresh output reported stale: %v", err)
	}
	write(javaPath, append(files[javaPath], '\n'))
	if err := os.Remove(filepath.Join(dir, pyPath)); err != nil {
		t.Fatal(err)
	}
	err = run(dir, true)
	if err == nil || !strings.Contains(err.Error(), javaPath) || !strings.Contains(err.Error(), pyPath) || strings.Contains(err.Error(), jniPath) {
		t.Fatalf("check: %v; want %s and %s listed, not %s", err, javaPath, pyPath, jniPath)
	}
}

// TestEveryFunctionIsBound checks that each prototype appears in all three outputs (fsmeta_buf_dispose only in
// Python: the JNI glue disposes buffers itself) and is registered once.
func TestEveryFunctionIsBound(t *testing.T) {
	src, err := os.ReadFile("../../" + headerPath)
	if err != nil {
		t.Fatal(err)
	}
	h, err := Parse(headerPath, string(src))
	if err != nil {
		t.Fatal(err)
	}
	files, err := generate("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range h.Funcs {
		if !strings.Contains(string(files[pyPath]), "    lib."+f.Name+".argtypes = ") {
			t.Errorf("%s: not declared in %s", f.Name, pyPath)
		}
		if f.Name == "fsmeta_buf_dispose" {
			continue
		}
		if !strings.Contains(string(files[javaPath]), " "+f.Name+"(") {
			t.Errorf("%s: no native in %s", f.Name, javaPath)
		}
		if n := strings.Count(string(files[jniPath]), "{\""+f.Name+"\", "); n != 1 {
			t.Errorf("%s: registered %d times in %s", f.Name, n, jniPath)
		}
	}
}

// TestForwarders: every Go export has a C definition, generated or by hand,
// and none is both.
func TestForwarders(t *testing.T) {
	files, err := generate("../..")
	if err != nil {
		t.Fatal(err)
	}
	fwd := string(files[fwdPath])
	exports, _ := os.ReadFile("../../" + exportsPath)
	shim, _ := os.ReadFile("../../" + shimPath)
	defined := map[string]bool{}
	for _, m := range definedRE.FindAllStringSubmatch(string(shim), -1) {
		defined[m[1]] = true
	}
	for _, m := range exportRE.FindAllStringSubmatch(string(exports), -1) {
		gen := strings.Contains(fwd, " fsmeta_"+m[1]+"(")
		if gen == defined[m[1]] {
			t.Errorf("fsmeta_%s: generated %v, by hand %v", m[1], gen, defined[m[1]])
		}
	}
}

// TestHeaderHeldToTheTable: a prototype whose types differ from what its
// operation's description implies fails generation, for the generated
// exports and the hand-written ones alike.
func TestHeaderHeldToTheTable(t *testing.T) {
	src, err := os.ReadFile("../../" + headerPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ from, to string }{
		{"const fsmeta_ctx *ctx, uint64_t ino, uint32_t mask, const fsmeta_setattr_in *in)", "const fsmeta_ctx *ctx, uint64_t ino, uint64_t mask, const fsmeta_setattr_in *in)"},
		{"int fsmeta_slice_id_new(uint64_t *id_out,", "int fsmeta_slice_id_new(uint32_t *id_out,"},
		{"uint32_t chunk, const fsmeta_slice *replaced, size_t replaced_count,", "uint32_t chunk, const fsmeta_slice *replaced, uint32_t replaced_count,"},
		{"int fsmeta_unlink(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *name, size_t name_len);",
			"int fsmeta_unlink(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *nm, size_t nm_len);"},
	} {
		if !strings.Contains(string(src), c.from) {
			t.Fatalf("the header no longer has %q", c.from)
		}
		h, err := Parse(headerPath, strings.Replace(string(src), c.from, c.to, 1))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := genExports(h); err == nil {
			t.Errorf("a header with %q passed", c.to)
		} else {
			t.Log(err)
		}
	}
}
