package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fsmeta/fsmeta/core/fsm"
)

// docs/names.md is the one table of the operations' names in every language. TestNamesTable holds the sources to
// it: every function of include/fsmeta.h is in it (in the C column, or as a deprecated name pointing to the row of
// its replacement), every C name in it is a function of the header, the C and Go names of core/fsm/optable.go are
// those of the operation's row, and every Go, C++, Java and Python name in it is defined in that language's
// sources. So a new function without its row, or a rename that forgets the table, fails here.

const namesPath = "docs/names.md"

// namesRow is one row of the table: a column's cell is a list of names (backquoted), none for "-".
type namesRow struct {
	line       int
	op         string // the operation: a backquoted optable name, or a description
	opIsName   bool
	cols       map[string][]string // "Go", "C", "C++", "Java", "Python"
	deprecated map[string][]string // language -> old names
}

var (
	reTick     = regexp.MustCompile("`([^`]+)`")
	reDeprName = regexp.MustCompile("(Go|C\\+\\+|C|Java|Python) `([^`]+)`")
)

var namesCols = []string{"operation", "Go (sdk)", "C", "C++ (fsmeta.hpp)", "Java", "Python", "deprecated names"}
var namesLang = []string{"", "Go", "C", "C++", "Java", "Python", ""}

func readNamesTable(t *testing.T, root string) []*namesRow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, namesPath))
	if err != nil {
		t.Fatal(err)
	}
	var rows []*namesRow
	inTable := false
	for i, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(l, "|") {
			if inTable {
				break // the one table ends
			}
			continue
		}
		cells := strings.Split(strings.Trim(strings.TrimSpace(l), "|"), "|")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		if !inTable {
			if strings.Join(cells, "|") != strings.Join(namesCols, "|") {
				t.Fatalf("%s:%d: the table's header is %q, want %q", namesPath, i+1, cells, namesCols)
			}
			inTable = true
			continue
		}
		if strings.HasPrefix(cells[0], "---") {
			continue
		}
		if len(cells) != len(namesCols) {
			t.Fatalf("%s:%d: %d cells, want %d", namesPath, i+1, len(cells), len(namesCols))
		}
		r := &namesRow{line: i + 1, op: cells[0], cols: map[string][]string{}, deprecated: map[string][]string{}}
		if m := reTick.FindStringSubmatch(cells[0]); m != nil && m[0] == cells[0] {
			r.op, r.opIsName = m[1], true
		}
		for j := 1; j <= 5; j++ {
			c := cells[j]
			if c == "-" {
				continue
			}
			for _, part := range strings.Split(c, ",") {
				part = strings.TrimSpace(part)
				m := reTick.FindStringSubmatch(part)
				if m == nil || m[0] != part {
					t.Fatalf("%s:%d: %s cell %q: want backquoted names separated by commas, or -", namesPath, i+1, namesCols[j], c)
				}
				r.cols[namesLang[j]] = append(r.cols[namesLang[j]], m[1])
			}
		}
		if c := cells[6]; c != "" {
			for _, part := range strings.Split(c, ",") {
				part = strings.TrimSpace(part)
				m := reDeprName.FindStringSubmatch(part)
				if m == nil || m[0] != part {
					t.Fatalf("%s:%d: deprecated name %q: want LANGUAGE `name`", namesPath, i+1, part)
				}
				r.deprecated[m[1]] = append(r.deprecated[m[1]], m[2])
			}
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no table", namesPath)
	}
	return rows
}

// sources reads the files of a language, joined.
func sources(t *testing.T, root string, globs ...string) string {
	t.Helper()
	var b strings.Builder
	for _, g := range globs {
		files, err := filepath.Glob(filepath.Join(root, g))
		if err != nil || len(files) == 0 {
			t.Fatalf("no files %s", g)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			s, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(s)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// defined reports whether name (NAME, or TYPE.NAME / TYPE::NAME: a member of TYPE) is defined in src, written in
// language lang.
func defined(lang, src, name string) bool {
	typ, n := "", name
	if i := strings.LastIndexAny(name, ".:"); i >= 0 {
		typ, n = strings.TrimRight(name[:i], ":"), name[i+1:]
	}
	q := regexp.QuoteMeta
	var re string
	switch lang {
	case "Go":
		if typ == "" {
			re = `(?m)^func ` + q(n) + `\(`
		} else {
			re = `(?m)^func \(\w+ \*?` + q(typ) + `\) ` + q(n) + `\(`
		}
	case "C++":
		re = `\b` + q(n) + `\(`
		if typ != "" && !regexp.MustCompile(`\b(class|struct) `+q(typ)+`\b`).MatchString(src) {
			return false
		}
	case "Java":
		re = `(?m)^\s+public (static )?(final )?(synchronized )?[\w<>\[\], ]+ ` + q(n) + `\(`
		if typ != "" && !regexp.MustCompile(`\b(class|interface) `+q(typ)+`\b`).MatchString(src) {
			return false
		}
	case "Python":
		re = `(?m)^\s*def ` + q(n) + `\(`
	default:
		return false
	}
	return regexp.MustCompile(re).MatchString(src)
}

func TestNamesTable(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(root, headerPath))
	if err != nil {
		t.Fatal(err)
	}
	h, err := Parse(headerPath, string(src))
	if err != nil {
		t.Fatal(err)
	}
	rows := readNamesTable(t, root)

	// C: the table and the header have the same functions; a deprecated one is on the row of its replacement.
	cRow := map[string]*namesRow{}
	oldRow := map[string]*namesRow{}
	for _, r := range rows {
		for _, n := range r.cols["C"] {
			if cRow[n] != nil {
				t.Errorf("%s:%d: %s is also on line %d", namesPath, r.line, n, cRow[n].line)
			}
			cRow[n] = r
		}
		for _, n := range r.deprecated["C"] {
			oldRow[n] = r
		}
	}
	inHeader := map[string]bool{}
	for _, f := range h.Funcs {
		inHeader[f.Name] = true
		if cRow[f.Name] == nil {
			t.Errorf("%s:%d: %s is not in the C column of %s (give it its row, named by the rule there)", headerPath, f.Line, f.Name, namesPath)
		}
	}
	for _, f := range h.Deprecated {
		r := oldRow[f.Name]
		switch {
		case r == nil:
			t.Errorf("%s:%d: the deprecated %s is not a deprecated name (C `%s`) in %s", headerPath, f.Line, f.Name, f.Name, namesPath)
		case cRow[f.Replacement] != r:
			t.Errorf("%s:%d: %s is deprecated for %s, which is not on its row", namesPath, r.line, f.Name, f.Replacement)
		}
		delete(oldRow, f.Name)
	}
	for n, r := range cRow {
		if !inHeader[n] {
			t.Errorf("%s:%d: %s is not a function of %s", namesPath, r.line, n, headerPath)
		}
	}
	for n, r := range oldRow {
		t.Errorf("%s:%d: the deprecated %s is not declared FSMETA_DEPRECATED in %s", namesPath, r.line, n, headerPath)
	}

	// The operation table: each operation has its row, with its C function and its Go method.
	opRow := map[string]*namesRow{}
	for _, r := range rows {
		if r.opIsName {
			opRow[r.op] = r
		}
	}
	for _, d := range fsm.Ops() {
		r := opRow[d.Name]
		if r == nil {
			t.Errorf("operation %s (core/fsm/optable.go) has no row `%s` in %s", d.Name, d.Name, namesPath)
			continue
		}
		delete(opRow, d.Name)
		if d.C != "" && (len(r.cols["C"]) == 0 || !contains(r.cols["C"], "fsmeta_"+d.C)) {
			t.Errorf("%s:%d: operation %s is fsmeta_%s in core/fsm/optable.go, the table says %v", namesPath, r.line, d.Name, d.C, r.cols["C"])
		}
		if d.C == "" && len(r.cols["C"]) > 0 {
			t.Errorf("%s:%d: operation %s has no C function in core/fsm/optable.go, the table says %v", namesPath, r.line, d.Name, r.cols["C"])
		}
		if !contains(r.cols["Go"], "DB."+d.Method) {
			t.Errorf("%s:%d: operation %s is DB.%s in core/fsm/optable.go, the table says %v", namesPath, r.line, d.Name, d.Method, r.cols["Go"])
		}
	}
	for n, r := range opRow {
		t.Errorf("%s:%d: `%s` is not an operation of core/fsm/optable.go (describe the row in words)", namesPath, r.line, n)
	}

	// Every other language's names, current and deprecated, are defined in its sources.
	langSrc := map[string]string{
		"Go":     sources(t, root, "sdk/*.go"),
		"C++":    sources(t, root, "include/fsmeta.hpp"),
		"Java":   sources(t, root, "java/src/main/java/io/fsmeta/*.java"),
		"Python": sources(t, root, "python/fsmeta/_*.py"),
	}
	for _, r := range rows {
		for lang, s := range langSrc {
			for _, n := range append(append([]string(nil), r.cols[lang]...), r.deprecated[lang]...) {
				if !defined(lang, s, n) {
					t.Errorf("%s:%d: %s name %s is not defined in its sources", namesPath, r.line, lang, n)
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
