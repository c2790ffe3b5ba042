package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDirNotCreated: the commands that work on a data directory (snapshot,
// check, fsck -dir, dump -dir) never create one. A -dir that does not
// exist, is empty, is a file or holds something else is refused with a
// message naming it, and nothing is left behind.
func TestDirNotCreated(t *testing.T) {
	base := t.TempDir()
	missing := filepath.Join(base, "nonexistent", "dir")
	empty := filepath.Join(base, "brandnew")
	other := filepath.Join(base, "other")
	regfile := filepath.Join(base, "regfile")
	for _, d := range []string{empty, other} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(regfile, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{{"snapshot"}, {"check"}, {"fsck"}, {"dump"}} {
		for dir, want := range map[string]string{missing: "does not exist", empty: "not an fsmeta data directory",
			other: "not an fsmeta data directory", regfile: "is not a directory"} {
			args := append(append([]string{}, cmd...), "-dir", dir)
			code, out, errs := runCmd(t, args...)
			if code != 1 || !strings.Contains(errs, want) || !strings.Contains(errs, dir) {
				t.Errorf("%v: exit %d, stderr %q; want exit 1 and %q", args, code, errs, want)
			}
			if strings.Contains(out, "snapshot of") || strings.Contains(out, "ok") {
				t.Errorf("%v reports success: %q", args, out)
			}
			// the message: once "fsmeta", no -mode the user did not give, no mkdir
			line := strings.TrimSpace(errs)
			if !strings.HasPrefix(line, "fsmeta "+cmd[0]+": "+dir+" ") || strings.Contains(line, "fsmeta: ") ||
				strings.Contains(line, "-mode durable:") || strings.Contains(line, "mkdir") || strings.Contains(line, "\n") {
				t.Errorf("%v: the message is not one clean line: %q", args, errs)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(base, "nonexistent")); !os.IsNotExist(err) {
		t.Errorf("a missing -dir was created: %v", err)
	}
	for _, d := range []string{empty, other} {
		ents, _ := os.ReadDir(d)
		if len(ents) > map[string]int{empty: 0, other: 1}[d] {
			t.Errorf("%s: files left behind: %v", d, ents)
		}
	}
}

// TestDurableBuildNeedsFreshDir: bench and load -mode durable build a new
// data directory: into a -dir that does not exist or is empty, never into
// one that holds anything (a data directory included).
func TestDurableBuildNeedsFreshDir(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "new", "data")
	if code, _, errs := runCmd(t, "load", "-mode", "durable", "-dir", dir, "-files", "300"); code != 0 {
		t.Fatalf("load -mode durable into a new -dir: exit %d %q", code, errs)
	}
	if code, out, errs := runCmd(t, "fsck", "-dir", dir); code != 0 || !strings.Contains(out, "300 files") {
		t.Fatalf("fsck -dir after a durable load: exit %d %q %q", code, out, errs)
	}
	for _, args := range [][]string{
		{"bench", "-mode", "durable", "-dir", dir, "-files", "10", "-phases", "none"},
		{"load", "-mode", "durable", "-dir", dir, "-files", "10"},
	} {
		code, _, errs := runCmd(t, args...)
		if code != 1 || !strings.Contains(errs, "is a data directory already") {
			t.Errorf("%v: exit %d %q", args, code, errs)
		}
	}
	other := filepath.Join(base, "other")
	os.Mkdir(other, 0o755)
	os.WriteFile(filepath.Join(other, "f"), nil, 0o644)
	if code, _, errs := runCmd(t, "bench", "-mode", "durable", "-dir", other, "-files", "10", "-phases", "none"); code != 1 || !strings.Contains(errs, "is not empty") {
		t.Errorf("bench into a non-empty directory: exit %d %q", code, errs)
	}
	if ents, _ := os.ReadDir(other); len(ents) != 1 {
		t.Errorf("files left in %s: %v", other, ents)
	}
	// a dump loads into a new data directory too
	dump := filepath.Join(base, "ns.dump")
	if code, _, errs := runCmd(t, "dump", "-dir", dir, "-o", dump); code != 0 {
		t.Fatalf("dump -dir: exit %d %q", code, errs)
	}
	dir2 := filepath.Join(base, "second")
	if code, out, errs := runCmd(t, "load", "-mode", "durable", "-dir", dir2, "-dump", dump); code != 0 || !strings.Contains(out, "300 files") {
		t.Fatalf("load -dump -mode durable: exit %d %q %q", code, out, errs)
	}
	if code, out, errs := runCmd(t, "fsck", "-dir", dir2); code != 0 || !strings.Contains(out, "300 files") {
		t.Fatalf("fsck -dir after load -dump: exit %d %q %q", code, out, errs)
	}
}
