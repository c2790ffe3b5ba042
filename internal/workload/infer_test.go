package workload

import (
	"math/rand"
	"slices"
	"strings"
	"testing"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// A plain `find .` listing: directories without a trailing '/'.
var plainFind = []string{".", "./src", "./src/main.go", "./src/util", "./src/util/a.go", "./src/util/b.go",
	"./src-old", "./src-old/x.c", "./docs", "./docs/README", "./empty.txt", "./deep", "./deep/er", "./deep/er/est.bin"}

var plainDirs = []string{"src", "src/util", "src-old", "docs", "deep", "deep/er"}
var plainFiles = []string{"src/main.go", "src/util/a.go", "src/util/b.go", "src-old/x.c", "docs/README", "empty.txt", "deep/er/est.bin"}

// TestListingInfersDirs: a bare path with entries under it is a directory,
// whatever the order of the listing: find's (a directory right before its
// entries), find -depth's (right after them), sorted (the entries of "src"
// come after "src-old"'s), shuffled.
func TestListingInfersDirs(t *testing.T) {
	depth := []string{}
	// find -depth: a directory after its entries
	var post func(dir string)
	post = func(dir string) {
		for _, p := range plainFind[1:] {
			p = strings.TrimPrefix(p, "./")
			if d, _ := splitPath(p); d == dir {
				post(p)
			}
		}
		if dir != "" {
			depth = append(depth, "./"+dir)
		}
	}
	post("")
	sorted := slices.Clone(plainFind)
	slices.Sort(sorted)
	shuffled := slices.Clone(plainFind)
	rand.New(rand.NewSource(5)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for name, lines := range map[string][]string{"find": plainFind, "find -depth": depth, "sorted": sorted, "shuffled": shuffled,
		"find -printf %P": func() []string {
			var out []string
			for _, p := range plainFind[1:] {
				out = append(out, strings.TrimPrefix(p, "./"))
			}
			return out
		}()} {
		t.Run(name, func(t *testing.T) {
			db := openDB(t)
			var bad []string
			ns, st, err := LoadListing(db, strings.NewReader(strings.Join(lines, "\n")+"\n"), ListingOptions{Seed: 9,
				OnError: func(le *LineError) bool { bad = append(bad, le.Error()); return true }})
			if err != nil || len(bad) > 0 {
				t.Fatalf("%v %v", err, bad)
			}
			if st.Files != int64(len(plainFiles)) || st.Dirs != int64(len(plainDirs)) || st.BadLines != 0 {
				t.Errorf("stats %+v", st)
			}
			for _, d := range plainDirs {
				if a, err := db.Resolve(nil, "/"+d, false); err != nil || !a.IsDir() {
					t.Errorf("%s: %v %v, want a directory", d, a, err)
				}
			}
			for _, f := range plainFiles {
				if a, err := db.Resolve(nil, "/"+f, false); err != nil || !a.IsRegular() {
					t.Errorf("%s: %v %v, want a file", f, a, err)
				}
			}
			if s := db.Stats(); s.Files != uint64(len(plainFiles)) || s.Dirs != uint64(len(plainDirs))+1 {
				t.Errorf("engine counts %+v", s)
			}
			if err := db.Fsck(); err != nil {
				t.Fatal(err)
			}
			// every sampled file is a file that exists
			r := NewRand(1)
			for range 50 {
				tg, ok := ns.RandomFile(&r)
				if !ok {
					t.Fatal("no file")
				}
				if a, err := db.GetAttr(nil, tg.Ino); err != nil || !a.IsRegular() || !slices.Contains(plainFiles, tg.Path) {
					t.Fatalf("sampled %+v: %v %v", tg, a, err)
				}
			}
		})
	}
}

// TestListingFileWithEntries: a path the listing says is a file (an
// attributed line of type f) stays a file; an entry under it is refused.
func TestListingFileWithEntries(t *testing.T) {
	db := openDB(t)
	var bad []*LineError
	_, st, err := LoadListing(db, strings.NewReader("f\t644\t0\t0\t3\t1\t2\t3\ta\na-b\na/c\n"), ListingOptions{
		OnError: func(le *LineError) bool { bad = append(bad, le); return true }})
	if err != nil || st.BadLines != 1 || len(bad) != 1 || bad[0].Line != 3 || !strings.Contains(bad[0].Error(), "not a directory") {
		t.Fatalf("%v %+v %v", err, st, bad)
	}
	if a, err := db.Resolve(nil, "/a", false); err != nil || !a.IsRegular() || a.Size != 3 {
		t.Errorf("a: %+v %v", a, err)
	}
	if _, err := db.Resolve(nil, "/a-b", false); err != nil {
		t.Error(err)
	}
	_ = fsmeta.RootIno
}
