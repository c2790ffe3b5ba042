package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// runCmd runs a command line in process and returns its status and output.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// hasFields checks that m holds every field of want with a value of its JSON type.
func hasFields(t *testing.T, where string, m map[string]any, want map[string]string) {
	t.Helper()
	for f, typ := range want {
		v, ok := m[f]
		if !ok {
			t.Errorf("%s: no field %q (have %v)", where, f, keys(m))
			continue
		}
		got := ""
		switch v.(type) {
		case float64:
			got = "number"
		case string:
			got = "string"
		case map[string]any:
			got = "object"
		case []any:
			got = "array"
		}
		if got != typ {
			t.Errorf("%s: field %q is %T, want a %s", where, f, v, typ)
		}
	}
}

func TestBenchJSON(t *testing.T) {
	code, out, errs := runCmd(t, "bench", "-files", "2000", "-ops", "200", "-json", "-fsck")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	hasFields(t, "report", m, map[string]string{"version": "number", "mode": "string", "workload": "string",
		"entries": "number", "files": "number", "dirs": "number", "load_seconds": "number",
		"memory": "object", "gc": "object", "phases": "array"})
	if m["version"] != 1.0 || m["mode"] != "memory" || m["workload"] != "synthetic" || m["files"] != 2000.0 {
		t.Errorf("report: %v %v %v %v", m["version"], m["mode"], m["workload"], m["files"])
	}
	if e, d := m["entries"].(float64), m["dirs"].(float64); e != 2000+d || d < 2 {
		t.Errorf("entries %v dirs %v", e, d)
	}
	mem := m["memory"].(map[string]any)
	hasFields(t, "memory", mem, map[string]string{"rss_bytes": "number", "arena_bytes": "number", "go_heap_bytes": "number",
		"bytes_per_entry_rss": "number", "bytes_per_entry_arena": "number", "compressed_dirs": "number", "compressed_entries": "number"})
	if mem["rss_bytes"].(float64) <= 0 || mem["arena_bytes"].(float64) <= 0 || mem["bytes_per_entry_rss"].(float64) <= 0 {
		t.Errorf("memory: %v", mem)
	}
	gc := m["gc"].(map[string]any)
	hasFields(t, "gc", gc, map[string]string{"max_pause_ns": "number", "forced_gc_ns": "number"})
	if gc["forced_gc_ns"].(float64) <= 0 {
		t.Errorf("gc: %v", gc)
	}
	var ops []string
	for _, p := range m["phases"].([]any) {
		ph := p.(map[string]any)
		hasFields(t, "phase", ph, map[string]string{"op": "string", "threads": "number", "ops": "number",
			"ops_per_sec": "number", "p50_ns": "number", "p99_ns": "number", "p999_ns": "number"})
		ops = append(ops, ph["op"].(string))
		if ph["ops"] != 200.0 || ph["threads"] != 1.0 || ph["ops_per_sec"].(float64) <= 0 || ph["errors"] != 0.0 {
			t.Errorf("phase %v", ph)
		}
		if ph["p50_ns"].(float64) <= 0 || ph["p99_ns"].(float64) < ph["p50_ns"].(float64) || ph["p999_ns"].(float64) < ph["p99_ns"].(float64) {
			t.Errorf("phase %s latencies %v %v %v", ph["op"], ph["p50_ns"], ph["p99_ns"], ph["p999_ns"])
		}
		if ph["op"] == "readdir" && ph["entries"].(float64) <= 0 {
			t.Errorf("readdir counted no entries: %v", ph)
		}
	}
	want := []string{"create", "mkdir", "lookup", "resolve", "getattr", "readdir", "setattr", "rename", "unlink", "rmdir", "write_slice", "read_chunk"}
	if !reflect.DeepEqual(ops, want) {
		t.Errorf("phases %v, want %v", ops, want)
	}
	if f, ok := m["fsck"].(map[string]any); !ok || f["ok"] != true {
		t.Errorf("fsck: %v", m["fsck"])
	}
}

// TestBenchCompact: -compact makes the loaded namespace cold before memory
// is measured; every phase then works on cold directories (reads from
// blocks, changes thaw) and fsck passes at the end.
func TestBenchCompact(t *testing.T) {
	code, out, errs := runCmd(t, "bench", "-files", "3000", "-ops", "300", "-compact", "-json", "-fsck")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var m struct {
		Entries int64 `json:"entries"`
		Memory  struct {
			Dirs    int64 `json:"compressed_dirs"`
			Entries int64 `json:"compressed_entries"`
		} `json:"memory"`
		CompactSeconds *float64 `json:"compact_seconds"`
		Phases         []struct {
			Op     string `json:"op"`
			Errors int64  `json:"errors"`
		} `json:"phases"`
		Fsck struct {
			OK bool `json:"ok"`
		} `json:"fsck"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	// every entry but the root sits in a directory, and every non-empty
	// directory freezes
	if m.Memory.Entries != m.Entries-1 || m.Memory.Dirs < 2 {
		t.Errorf("compressed %d dirs, %d entries of %d", m.Memory.Dirs, m.Memory.Entries, m.Entries)
	}
	if len(m.Phases) != 12 || !m.Fsck.OK {
		t.Errorf("phases %v fsck %v", m.Phases, m.Fsck.OK)
	}
	for _, p := range m.Phases {
		if p.Errors != 0 {
			t.Errorf("phase %s: %d errors", p.Op, p.Errors)
		}
	}
}

func TestBenchThreadsAndPhases(t *testing.T) {
	code, out, errs := runCmd(t, "bench", "-files", "1000", "-ops", "101", "-threads", "3", "-phases", "unlink,lookup,create,rmdir,rename", "-json", "-fsck")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r benchReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, p := range r.Phases {
		ops = append(ops, p.Op)
		if p.Ops != 101 || p.Threads != 3 || p.Errors != 0 {
			t.Errorf("%+v", p)
		}
	}
	if strings.Join(ops, ",") != "create,lookup,rename,unlink,rmdir" {
		t.Errorf("phases run: %v", ops)
	}
	if r.Fsck == nil || !r.Fsck.OK {
		t.Errorf("fsck %+v", r.Fsck)
	}
	// -phases none: load and measure only
	code, out, _ = runCmd(t, "bench", "-files", "500", "-phases", "none", "-json")
	if code != 0 || !strings.Contains(out, `"phases": []`) {
		t.Errorf("-phases none: %d %s", code, out)
	}
}

func TestBenchText(t *testing.T) {
	code, out, errs := runCmd(t, "bench", "-files", "1000", "-ops", "50", "-phases", "getattr,readdir")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, s := range []string{"load", "1,000 files", "memory", "B/entry", "getattr", "readdir", "entries/s", "p99"} {
		if !strings.Contains(out, s) {
			t.Errorf("text output lacks %q:\n%s", s, out)
		}
	}
}

func TestBenchDeterministic(t *testing.T) {
	get := func(seed string) benchReport {
		code, out, errs := runCmd(t, "bench", "-files", "3000", "-seed", seed, "-phases", "none", "-json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var r benchReport
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b, c := get("5"), get("5"), get("6")
	if a.Dirs != b.Dirs || a.Slices != b.Slices || a.Memory.ArenaInUseBytes != b.Memory.ArenaInUseBytes {
		t.Errorf("same seed, different namespaces: %+v %+v", a, b)
	}
	if a.Slices == c.Slices && a.Memory.ArenaInUseBytes == c.Memory.ArenaInUseBytes {
		t.Errorf("seeds 5 and 6 give the same namespace")
	}
}

func TestBenchFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"bench", "-mode", "durable", "-files", "10"}, 2, "-dir"},
		{[]string{"bench", "-mode", "disk"}, 2, "memory or durable"},
		{[]string{"bench", "-phases", "create,frobnicate"}, 2, "frobnicate"},
		{[]string{"bench", "-threads", "0"}, 2, "-threads"},
		{[]string{"bench", "-on-error", "maybe"}, 2, "stop, skip or skip-all"},
		{[]string{"bench", "-nosuchflag"}, 2, "nosuchflag"},
		{[]string{"bench", "-paths", "/nonexistent/listing"}, 1, "no such file"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{}, 2, "Usage"},
	} {
		for i, a := range tc.args {
			if a == "DIR" {
				tc.args[i] = t.TempDir()
			}
		}
		code, _, errs := runCmd(t, tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.msg) {
			t.Errorf("%v: exit %d, want %d; stderr %q should mention %q", tc.args, code, tc.code, errs, tc.msg)
		}
	}
}

const listing = "a/b/c.txt\n" +
	"f\t640\t1000\t100\t5\t1684059332.1234567890\t1684059331.0000000010\t1684059330.9999999990\ta/b/d.bin\n" +
	"d\t700\t1000\t1000\t4096\t1.000000001\t2.000000002\t3.000000003\ta/b\n" +
	"l\t777\t1000\t1000\t11\t10\t20\t30\ta/link\n" +
	"f\t644\tnobody\t0\t0\t10\t20\t30\tbad/uid\n" +
	"x/y/z.parquet\n"

func writeListing(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "listing.txt")
	if err := os.WriteFile(p, []byte(listing), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoad(t *testing.T) {
	p := writeListing(t)
	code, out, errs := runCmd(t, "load", "-paths", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "line 5:") || !strings.Contains(errs, "bad uid") {
		t.Errorf("the bad line is not reported with its number: %q", errs)
	}
	for _, s := range []string{"6 lines", "1 bad", "3 files", "fsck     ok", "B/entry"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	code, out, errs = runCmd(t, "load", "-paths", p, "-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r loadReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	// root, a, a/b, x, x/y; a/b/c.txt, a/b/d.bin, x/y/z.parquet; a/link
	if r.Files != 3 || r.Dirs != 5 || r.Symlinks != 1 || r.Entries != 9 || r.BadLines != 1 || r.Lines != 6 || r.Fsck == nil || !r.Fsck.OK {
		t.Errorf("report %+v", r)
	}
	// -on-error stop: the load stops at the bad line
	code, _, errs = runCmd(t, "load", "-paths", p, "-on-error", "stop")
	if code != 1 || !strings.Contains(errs, "line 5") {
		t.Errorf("stop: exit %d, %q", code, errs)
	}
	// no source
	if code, _, _ := runCmd(t, "load"); code != 2 {
		t.Errorf("load without -paths: exit %d", code)
	}
}

func TestBenchPaths(t *testing.T) {
	p := writeListing(t)
	code, out, errs := runCmd(t, "bench", "-paths", p, "-ops", "20", "-json", "-fsck")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r benchReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Workload != "paths" || r.Files != 3 || len(r.Phases) != 12 {
		t.Errorf("%+v", r)
	}
	for _, ph := range r.Phases {
		if ph.Errors != 0 {
			t.Errorf("phase %s: %d errors: %s", ph.Op, ph.Errors, ph.FirstError)
		}
	}
}

func TestFsck(t *testing.T) {
	code, out, errs := runCmd(t, "fsck", "-files", "1500")
	if code != 0 || !strings.Contains(out, "fsck: ok") || !strings.Contains(out, "1,500 files") {
		t.Errorf("fsck -files: %d %q %q", code, out, errs)
	}
	code, out, errs = runCmd(t, "fsck", "-paths", writeListing(t))
	if code != 0 || !strings.Contains(out, "fsck: ok") {
		t.Errorf("fsck -paths: %d %q %q", code, out, errs)
	}
	if code, _, _ := runCmd(t, "fsck"); code != 2 {
		t.Errorf("fsck without a source: exit %d", code)
	}
	// an empty directory is no data directory (see TestDirNotCreated)
	code, out, errs = runCmd(t, "fsck", "-dir", t.TempDir())
	if code != 1 || !strings.Contains(errs, "not an fsmeta data directory") {
		t.Errorf("fsck -dir of an empty directory: exit %d %q %q", code, out, errs)
	}
}

// TestBenchDurable runs a small bench through the Raft log and reopens the
// directory it leaves.
func TestBenchDurable(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCmd(t, "bench", "-mode", "durable", "-dir", dir, "-files", "200", "-ops", "300",
		"-threads", "8", "-phases", "create,getattr,unlink,snapshot", "-json")
	if code != 0 || !strings.Contains(out, `"mode": "durable"`) && !strings.Contains(out, `"mode":"durable"`) {
		t.Fatalf("bench -mode durable: exit %d %q %q", code, out, errs)
	}
	// a fresh directory is loaded by export + restore; the snapshot phase
	// reports the snapshot and the creates during it
	for _, want := range []string{`"export_seconds"`, `"restore_seconds"`, `"snapshot_seconds"`, `"max_ns_during_snapshot"`} {
		if !strings.Contains(out, want) {
			t.Fatalf("bench -mode durable: no %s in %s", want, out)
		}
	}
	code, _, errs = runCmd(t, "bench", "-files", "200", "-phases", "snapshot")
	if code != 2 || !strings.Contains(errs, "-mode durable") {
		t.Fatalf("snapshot phase in memory mode: exit %d %q", code, errs)
	}
	code, out, errs = runCmd(t, "fsck", "-dir", dir)
	if code != 0 || !strings.Contains(out, "fsck: ok") {
		t.Fatalf("fsck -dir after a durable bench: exit %d %q %q", code, out, errs)
	}
	code, out, errs = runCmd(t, "snapshot", "-dir", dir)
	if code != 0 || !strings.Contains(out, "snapshot of") {
		t.Fatalf("snapshot -dir: exit %d %q %q", code, out, errs)
	}
	code, out, errs = runCmd(t, "fsck", "-dir", dir)
	if code != 0 || !strings.Contains(out, "fsck: ok") {
		t.Fatalf("fsck -dir after a snapshot: exit %d %q %q", code, out, errs)
	}
}

func TestDemo(t *testing.T) {
	code, out, errs := runCmd(t, "demo")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	for _, s := range []string{"/home/alice/photos/IMG_20230514_101532.jpg", "drwxrwxrwt", "-> photos/", "EACCES", "EPERM", "fsck: ok"} {
		if !strings.Contains(out, s) {
			t.Errorf("demo output lacks %q", s)
		}
	}
	_, again, _ := runCmd(t, "demo")
	if again != out {
		t.Error("the demo's output differs between runs")
	}
}

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := runCmd(t, "version")
	if code != 0 || !strings.HasPrefix(out, "fsmeta ") {
		t.Errorf("version: %d %q", code, out)
	}
	code, out, _ = runCmd(t, "help")
	if code != 0 || !strings.Contains(out, "bench") || !strings.Contains(out, "demo") {
		t.Errorf("help: %d %q", code, out)
	}
	code, out, _ = runCmd(t, "help", "bench")
	if code != 0 || !strings.Contains(out, "-files") || !strings.Contains(out, "-threads") || !strings.Contains(out, "-on-error") {
		t.Errorf("help bench: %d %q", code, out)
	}
	if code, _, _ := runCmd(t, "bench", "-h"); code != 0 {
		t.Errorf("bench -h: exit %d", code)
	}
	if code, _, _ := runCmd(t, "help", "nope"); code != 2 {
		t.Errorf("help nope: exit %d", code)
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[uint32]string{0o40755: "drwxr-xr-x", 0o41777: "drwxrwxrwt", 0o100644: "-rw-r--r--",
		0o104755: "-rwsr-xr-x", 0o102644: "-rw-r-Sr--", 0o120777: "lrwxrwxrwx", 0o10600: "prw-------"} {
		if got := modeString(m); got != want {
			t.Errorf("modeString(%o) = %s, want %s", m, got, want)
		}
	}
	if commas(1234567) != "1,234,567" || commas(12) != "12" || commas(-1000) != "-1,000" {
		t.Error("commas")
	}
}

// TestCheck: fsmeta check on a sound directory exits 0 and says OK; with a
// damaged log record it exits 1 naming the segment and what a repair loses;
// check -repair repairs it, and the directory opens.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	if code, out, errs := runCmd(t, "bench", "-mode", "durable", "-dir", dir, "-files", "100", "-ops", "200",
		"-threads", "1", "-phases", "create"); code != 0 {
		t.Fatalf("bench: exit %d %q %q", code, out, errs)
	}
	code, out, errs := runCmd(t, "check", "-dir", dir)
	if code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("check of a sound directory: exit %d %q %q", code, out, errs)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "wal", "*.wal"))
	sort.Strings(segs)
	seg := segs[len(segs)-1]
	b, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	end := len(b)
	for end > 0 && b[end-1] == 0 {
		end--
	}
	b[end/2] ^= 0x20 // inside the written part, not in its last batch
	if err := os.WriteFile(seg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runCmd(t, "check", "-dir", dir)
	if code != 1 || !strings.Contains(out, filepath.Base(seg)) || !strings.Contains(out, "a repair would lose") {
		t.Fatalf("check of a damaged directory: exit %d %q %q", code, out, errs)
	}
	code, out, errs = runCmd(t, "check", "-dir", dir, "-repair")
	if code != 0 || !strings.Contains(out, "REPAIRED") || !strings.Contains(out, "OK") {
		t.Fatalf("check -repair: exit %d %q %q", code, out, errs)
	}
	if code, out, errs = runCmd(t, "fsck", "-dir", dir); code != 0 {
		t.Fatalf("fsck after the repair: exit %d %q %q", code, out, errs)
	}
}
