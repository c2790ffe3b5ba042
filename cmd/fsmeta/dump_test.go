package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDumpLoad(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ns.dump")
	code, out, errs := runCmd(t, "dump", "-files", "2000", "-o", p)
	if code != 0 || !strings.Contains(out, "dumped") {
		t.Fatalf("dump: exit %d: %s %s", code, out, errs)
	}
	code, out, errs = runCmd(t, "load", "-dump", p, "-json")
	if code != 0 {
		t.Fatalf("load -dump: exit %d: %s", code, errs)
	}
	var r loadReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Workload != "dump" || r.Files != 2000 || r.Slices == 0 || r.Fsck == nil || !r.Fsck.OK || r.Lines != r.Entries {
		t.Errorf("report %+v", r)
	}
	// a truncated dump: an error naming the line
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCmd(t, "load", "-dump", p)
	if code != 1 || !strings.Contains(errs, "line ") || !strings.Contains(errs, "truncated") {
		t.Errorf("truncated dump: exit %d, %q", code, errs)
	}
	// usage errors
	if code, _, _ := runCmd(t, "load", "-dump", p, "-files", "3"); code != 2 {
		t.Errorf("load -dump -files: exit %d", code)
	}
	if code, _, _ := runCmd(t, "dump"); code != 2 {
		t.Errorf("dump without a source: exit %d", code)
	}
}
