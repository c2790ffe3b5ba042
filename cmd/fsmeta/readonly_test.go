package main

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// treeState lists every file under dir with its size, mode and mtime.
func treeState(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := d.Info()
		fmt.Fprintf(&b, "%s %d %v %d\n", p, fi.Size(), fi.Mode(), fi.ModTime().UnixNano())
		return nil
	})
	return b.String()
}

// durableDir makes a data directory with a snapshot and log entries after it.
func durableDir(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "data")
	if code, _, errs := runCmd(t, "bench", "-mode", "durable", "-dir", dir, "-files", "300", "-ops", "50", "-phases", "create"); code != 0 {
		t.Fatalf("bench -mode durable: exit %d %q", code, errs)
	}
	return dir
}

// TestInspectReadOnly: fsck -dir and dump -dir open the data directory
// read-only: nothing in it changes, and a directory a process has open for
// writing is refused, saying so.
func TestInspectReadOnly(t *testing.T) {
	dir := durableDir(t)
	before := treeState(t, dir)
	code, out, errs := runCmd(t, "fsck", "-dir", dir)
	if code != 0 || !strings.Contains(out, "fsck: ok: ") || !strings.Contains(out, "(350 files") {
		t.Fatalf("fsck -dir: exit %d %q %q", code, out, errs)
	}
	dump := filepath.Join(t.TempDir(), "d.dump")
	if code, out, errs := runCmd(t, "dump", "-dir", dir, "-o", dump); code != 0 || !strings.Contains(out, "dumped") {
		t.Fatalf("dump -dir: exit %d %q %q", code, out, errs)
	}
	if after := treeState(t, dir); after != before {
		t.Errorf("fsck and dump changed the directory:\n%s\nnow\n%s", before, after)
	}
	db, err := fsmeta.Open(fsmeta.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"fsck", "dump"} {
		code, _, errs := runCmd(t, cmd, "-dir", dir, "-o", "-")
		if cmd == "fsck" {
			code, _, errs = runCmd(t, cmd, "-dir", dir)
		}
		if code != 1 || !strings.Contains(errs, "a process has the directory open") || strings.Count(errs, "fsmeta") != 1 {
			t.Errorf("%s -dir of a directory open for writing: exit %d %q", cmd, code, errs)
		}
	}
	db.Close()
}

// TestInspectUnwritable: fsck -dir and dump -dir work on a data directory
// the user may not write (before, they failed on LOCK: permission denied).
// As root, the binary runs as nobody (setpriv), since root may write
// anything.
func TestInspectUnwritable(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	var asUser []string
	if os.Geteuid() == 0 {
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			t.Skip("root, and no setpriv to run as another user")
		}
		asUser = []string{setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"}
	}
	base := t.TempDir()
	bin := filepath.Join(base, "fsmeta")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := durableDir(t)
	// readable and searchable by everyone, writable by no one
	for p := dir; p != "/" && p != "."; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o005 != 0o005 {
			os.Chmod(p, fi.Mode().Perm()|0o005)
		}
	}
	os.Chmod(base, 0o755)
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if d.IsDir() {
			os.Chmod(p, 0o555)
		} else {
			os.Chmod(p, 0o444)
		}
		return nil
	})
	t.Cleanup(func() {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
	})
	before := treeState(t, dir)
	for _, args := range [][]string{{"fsck", "-dir", dir}, {"dump", "-dir", dir}} {
		cmd := exec.Command(bin, args...)
		if asUser != nil {
			cmd = exec.Command(asUser[0], append(append(asUser[1:], bin), args...)...)
		}
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		if err != nil || errb.Len() > 0 && !strings.Contains(errb.String(), "dumped") {
			t.Errorf("%v on a directory it may not write: %v\nstdout %.300q\nstderr %q", args, err, out.String(), errb.String())
		}
		if args[0] == "fsck" && !strings.Contains(out.String(), "fsck: ok") || args[0] == "dump" && !strings.Contains(out.String(), `"fsmeta_dump"`) {
			t.Errorf("%v: %.300q", args, out.String())
		}
	}
	if after := treeState(t, dir); after != before {
		t.Errorf("the directory changed:\n%s\nnow\n%s", before, after)
	}
	// snapshot writes: it is refused there, with the system's reason
	cmd := exec.Command(bin, "snapshot", "-dir", dir)
	if asUser != nil {
		cmd = exec.Command(asUser[0], append(append(asUser[1:], bin), "snapshot", "-dir", dir)...)
	}
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "permission denied") {
		t.Errorf("snapshot of a directory it may not write: %v %q", err, out)
	}
}
