package main

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// ttyBuffer stands for a terminal: the status lines are drawn on it (from
// the progress goroutine too, hence the lock).
type ttyBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (t *ttyBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.b.Write(p)
}

func (t *ttyBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.b.String()
}

// runTTY runs a command line with stderr on a (pretend) terminal whose
// status line is drawn at once and redrawn every millisecond.
func runTTY(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	oldTerm, oldEvery := isTerminal, progressEvery
	isTerminal = func(w io.Writer) bool { _, ok := w.(*ttyBuffer); return ok }
	progressEvery, drawAtStart = time.Millisecond, true
	defer func() { isTerminal, progressEvery, drawAtStart = oldTerm, oldEvery, false }()
	var out bytes.Buffer
	var errb ttyBuffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestProgress: long work shows a status line on a terminal (drawn over
// itself with \r, erased at the end) and ends with a summary line; nothing
// of the kind goes to a file or a pipe.
func TestProgress(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for _, tc := range []struct {
		args    []string
		status  []string // on stderr
		summary string   // on stdout
	}{
		{[]string{"load", "-files", "20000"}, []string{"loading: ", "/s, ", "checking (fsck) ... "}, "fsck     ok"},
		{[]string{"bench", "-files", "20000", "-compact", "-phases", "none", "-fsck"}, []string{"loading: ", "compacting: ", "checking (fsck) ... "}, "cold     "},
		{[]string{"load", "-files", "20000", "-mode", "durable", "-dir", dir}, []string{"loading: ", "exporting to " + dir + " ... ", "opening " + dir + " ... "}, "fsck     ok"},
		{[]string{"fsck", "-dir", dir}, []string{"opening " + dir + " (restoring its snapshot, replaying its log) ... ", "checking "}, "fsck: ok: "},
		{[]string{"dump", "-dir", dir, "-o", filepath.Join(t.TempDir(), "d")}, []string{"opening " + dir, "dumping: "}, "dumped   "},
		{[]string{"snapshot", "-dir", dir}, []string{"opening " + dir, "writing a snapshot of "}, "snapshot of "},
	} {
		code, out, errs := runTTY(t, tc.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d %q %q", tc.args, code, out, errs)
		}
		for _, s := range tc.status {
			if !strings.Contains(errs, s) || !strings.Contains(errs, "\r\x1b[K"+tc.status[0]) {
				t.Errorf("%v: no status line %q on the terminal: %q", tc.args, s, errs[:min(len(errs), 300)])
			}
		}
		if !strings.HasSuffix(strings.TrimRight(errs, "\n"), "\r\x1b[K") && !strings.HasSuffix(errs, "\n") {
			t.Errorf("%v: the status line is left on the terminal: %q", tc.args, errs[max(0, len(errs)-100):])
		}
		if !strings.Contains(out, tc.summary) {
			t.Errorf("%v: no summary %q: %q", tc.args, tc.summary, out)
		}
		// not a terminal: no status line
		code, _, errs = runCmd(t, tc.args...)
		if tc.args[1] == "-files" && tc.args[len(tc.args)-1] == dir {
			continue // the directory exists now
		}
		if code != 0 || strings.Contains(errs, "\r") {
			t.Errorf("%v without a terminal: exit %d, stderr %q", tc.args, code, errs)
		}
	}
}
