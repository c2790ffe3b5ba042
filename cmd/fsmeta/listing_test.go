package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// makeTree makes a small tree of directories and files under a new directory.
func makeTree(t *testing.T) (root string, files, dirs int) {
	root = t.TempDir()
	for i := range 6 {
		for j := range 4 {
			d := filepath.Join(root, fmt.Sprintf("d%d", i), fmt.Sprintf("sub%d", j))
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
			for k := range 25 {
				if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("f%02d.txt", k)), []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
				files++
			}
		}
	}
	return root, files, 6 + 6*4
}

// TestLoadPlainFind: what plain `find .` prints (directories without a
// trailing '/') loads every line: a path with entries under it is a
// directory.
func TestLoadPlainFind(t *testing.T) {
	root, files, dirs := makeTree(t)
	var lines []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, p)
		if rel != "." {
			rel = "./" + rel
		}
		lines = append(lines, rel) // what `cd root && find .` prints
		return err
	})
	listings := map[string]string{"walk": strings.Join(lines, "\n") + "\n"}
	if find, err := exec.LookPath("find"); err == nil {
		cmd := exec.Command(find, ".")
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		listings["find"] = string(out)
	}
	for name, text := range listings {
		p := filepath.Join(t.TempDir(), "listing.txt")
		os.WriteFile(p, []byte(text), 0o644)
		code, out, errs := runCmd(t, "load", "-paths", p, "-json")
		if code != 0 {
			t.Fatalf("%s: exit %d %q", name, code, errs)
		}
		var r loadReport
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		if r.BadLines != 0 || r.Files != int64(files) || r.Dirs != int64(dirs)+1 || r.Lines != int64(files+dirs+1) || !r.Fsck.OK {
			t.Errorf("%s: %+v, want %d files, %d dirs, no bad line", name, r, files, dirs)
		}
	}
}

// TestLoadMostlyBad: a file that is mostly not a listing fails (exit 1,
// saying so) unless -on-error skip-all; -on-error stop stops at the first.
func TestLoadMostlyBad(t *testing.T) {
	var b strings.Builder
	b.WriteString("a/ok.txt\n")
	for i := range 30 {
		fmt.Fprintf(&b, "f\t999\t0\t0\t0\t0\t0\t0\tbad%d\n", i) // mode 999 is not octal
	}
	p := filepath.Join(t.TempDir(), "junk.txt")
	os.WriteFile(p, []byte(b.String()), 0o644)
	code, _, errs := runCmd(t, "load", "-paths", p)
	if code != 1 || !strings.Contains(errs, "most lines (30 of 31)") || !strings.Contains(errs, "docs/listing-format.md") ||
		!strings.Contains(errs, "further bad lines are counted") {
		t.Errorf("mostly bad: exit %d %q", code, errs)
	}
	code, out, errs := runCmd(t, "load", "-paths", p, "-on-error", "skip-all")
	if code != 0 || !strings.Contains(out, "30 bad") {
		t.Errorf("-on-error skip-all: exit %d %q %q", code, out, errs)
	}
	if code, _, errs := runCmd(t, "bench", "-paths", p, "-phases", "none"); code != 1 || !strings.Contains(errs, "most lines") {
		t.Errorf("bench: exit %d %q", code, errs)
	}
	if code, _, errs := runCmd(t, "load", "-paths", p, "-on-error", "stop"); code != 1 || !strings.Contains(errs, "stopped at line 2") {
		t.Errorf("-on-error stop: exit %d %q", code, errs)
	}
}
