package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestBadFlagOnce: a bad flag or value prints the error once, with the
// synopsis and where the flags are, not the whole flag list; exit 2.
func TestBadFlagOnce(t *testing.T) {
	for _, args := range [][]string{{"bench", "-nosuchflag"}, {"load", "-threads", "3"}, {"fsck", "-files", "x"},
		{"bench", "-threads", "0"}, {"demo", "extra"}, {"version", "-x"}, {"snapshot"}} {
		code, out, errs := runCmd(t, args...)
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		if code != 2 || out != "" || len(lines) != 3 || !strings.HasPrefix(lines[0], "fsmeta "+args[0]+": ") ||
			!strings.HasPrefix(lines[1], "Usage: fsmeta "+args[0]) || strings.Count(errs, "fsmeta help "+args[0]) != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr:\n%s", args, code, out, errs)
		}
	}
}

// TestHelpEverywhere: every command prints its help with -h (on stdout,
// exit 0), as 'fsmeta help NAME' does.
func TestHelpEverywhere(t *testing.T) {
	for name := range commands {
		code, out, errs := runCmd(t, name, "-h")
		if code != 0 || !strings.HasPrefix(out, "Usage: fsmeta "+name) || errs != "" {
			t.Errorf("%s -h: exit %d %q %q", name, code, out, errs)
		}
		code, out2, _ := runCmd(t, "help", name)
		if code != 0 || out2 != out {
			t.Errorf("help %s: exit %d, differs from -h:\n%s\n%s", name, code, out2, out)
		}
	}
}

// TestHelpCitesDocs: every document the help texts cite is in the
// repository.
func TestHelpCitesDocs(t *testing.T) {
	_, all, _ := runCmd(t, "help")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		_, out, _ := runCmd(t, "help", name)
		all += out
	}
	cited := regexp.MustCompile(`[\w./-]+\.md`).FindAllString(all, -1)
	if len(cited) == 0 {
		t.Fatal("no document cited")
	}
	for _, doc := range cited {
		if !strings.HasPrefix(doc, "docs/") {
			t.Errorf("the help cites %s, not a document in docs/", doc)
		}
		if _, err := os.Stat(filepath.Join("..", "..", doc)); err != nil {
			t.Errorf("the help cites %s: %v", doc, err)
		}
	}
}

// TestTinyLoadPerEntry: a load too small for a per-entry memory figure to
// mean anything says n/a instead of a quotient dominated by the process.
func TestTinyLoadPerEntry(t *testing.T) {
	code, out, errs := runCmd(t, "load", "-paths", writeListing(t))
	if code != 0 || !strings.Contains(out, "B/entry n/a under 100,000 entries") || strings.Contains(out, "= ") {
		t.Errorf("tiny load: exit %d %q %q", code, out, errs)
	}
	code, out, errs = runCmd(t, "bench", "-files", "100", "-phases", "none")
	if code != 0 || !strings.Contains(out, "B/entry n/a") || strings.Contains(out, "B/entry;") {
		t.Errorf("tiny bench: exit %d %q %q", code, out, errs)
	}
	if perEntry(100<<20, 104.5, 1_000_000) != "100.0 MiB = 104.5 B/entry" {
		t.Error(perEntry(100<<20, 104.5, 1_000_000))
	}
}
