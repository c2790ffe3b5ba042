package fsm

import (
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/core/tree"
)

// TestLogFormatDoc: docs/log-format.md is the table's rendering.
func TestLogFormatDoc(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "log-format.md")
	want := FormatTable()
	if os.Getenv("FSMETA_UPDATE_DOCS") == "1" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s is stale: FSMETA_UPDATE_DOCS=1 go test ./core/fsm -run LogFormatDoc", path)
	}
}

// TestTableUsesItsFields: applying an op with only the fields its
// description lists gives the same result as with every other field set
// too (the fields it does not list are not read), and CheckFields refuses
// the latter.
func TestTableUsesItsFields(t *testing.T) {
	for c := Code(1); c < numOps; c++ {
		d := DescOf(c)
		o := Op{Code: c, Now: 5, Ino: 1, Ino2: 1, Name: "a", Name2: "b", Mode: 0o644, Arg: 1, Arg2: 1, Chunk: 0,
			Value: []byte("v"), Slice: meta.Slice{ID: 1, Size: 1, Len: 1}}
		if c == OpMkdirAll {
			o.Name = "x/y"
		}
		if c == OpSetXattr || c == OpRemoveXattr {
			o.Name = "user.a"
		}
		lean := lean(&o)
		if err := CheckFields(&lean); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		full := lean
		full.Flags, full.Arg, full.Arg2, full.Ino2, full.Name2, full.Value = 7, 9, 9, 3, "zz", []byte("zz")
		for _, p := range d.Params {
			copyField(&full, &lean, p.Field)
		}
		if len(d.Params) < 5 && CheckFields(&full) == nil {
			t.Fatalf("%s: stray fields accepted", c)
		}
		t1, t2 := newTreeT(t), newTreeT(t)
		r1, r2 := Apply(t1, &lean), Apply(t2, &full)
		if r1.Errno != r2.Errno || r1.Attr.Ino != r2.Attr.Ino || r1.ID != r2.ID {
			t.Fatalf("%s: %+v vs %+v with unused fields set", c, r1, r2)
		}
	}
}

func newTreeT(t *testing.T) *tree.Tree {
	tr, err := tree.New(tree.Options{ArenaMaxBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

func copyField(dst, src *Op, f Field) {
	switch f {
	case FIno:
		dst.Ino = src.Ino
	case FIno2:
		dst.Ino2 = src.Ino2
	case FName:
		dst.Name = src.Name
	case FName2:
		dst.Name2 = src.Name2
	case FMode:
		dst.Mode = src.Mode
	case FFlags:
		dst.Flags = src.Flags
	case FArg:
		dst.Arg = src.Arg
	case FArg2:
		dst.Arg2 = src.Arg2
	case FChunk:
		dst.Chunk = src.Chunk
	case FAttr:
		dst.Attr = src.Attr
	case FSlice:
		dst.Slice = src.Slice
	case FSlices:
		dst.Slices = src.Slices
	case FValue:
		dst.Value = src.Value
	}
}

// TestDeclaredErrors: every errno a change returns is one its description
// declares (random changes over a small namespace, by root and by a user).
func TestDeclaredErrors(t *testing.T) {
	seen := map[string]bool{}
	for seed := int64(1); seed <= 20; seed++ {
		tr := newTreeT(t)
		for _, o := range randomOps(seed, 3000) {
			r := Apply(tr, o)
			if r.Errno == 0 {
				continue
			}
			d := DescOf(o.Code)
			ok := false
			for _, e := range d.Errors {
				ok = ok || e == r.Errno
			}
			if !ok && !seen[d.Name+r.Errno.Name()] {
				seen[d.Name+r.Errno.Name()] = true
				t.Errorf("%s returned %s, which its description does not declare (%+v)", d.Name, r.Errno.Name(), *o)
			}
		}
		// The reads, through the table, over the same state.
		rng := rand.New(rand.NewSource(seed))
		for i := 0; i < 2000; i++ {
			d := &reads[rng.Intn(len(reads))]
			o := Op{Code: d.Code}
			if rng.Intn(3) == 0 {
				o.Uid, o.Gid = 1000, 100
			}
			for _, p := range d.Params {
				switch p.Field {
				case FIno:
					o.Ino = uint64(1 + rng.Intn(40))
				case FName:
					o.Name = []string{"n1", "/n1/n2", "user.n3", "", "a/b", "/" + strings.Repeat("x", 300), "trusted.x", "system.y"}[rng.Intn(8)]
				case FMode, FFlags:
					o.Mode, o.Flags = uint32(rng.Intn(8)), uint32(rng.Intn(2))
				case FChunk:
					o.Chunk = uint32(rng.Intn(3))
				case FArg2:
					o.Arg2 = uint64(rng.Intn(5))
				}
			}
			r := Read(tr, &o)
			if r.Errno == 0 || slices.Contains(d.Errors, r.Errno) || seen[d.Name+r.Errno.Name()] {
				continue
			}
			seen[d.Name+r.Errno.Name()] = true
			t.Errorf("%s returned %s, which its description does not declare (%+v)", d.Name, r.Errno.Name(), o)
		}
	}
}
