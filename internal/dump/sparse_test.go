package dump

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// sparseDB holds files of 2^62 bytes (2^36 chunks, the chunk index's 32 bits
// passed): one without slices, one with slices in chunks 0, 7 and the last
// index a chunk can have, 2^32-1, in a directory of its own and among
// others, so that compaction puts them into every kind of cold block.
func sparseDB(t *testing.T) (*fsmeta.DB, []fsmeta.Ino) {
	db := open(t)
	R := fsmeta.RootIno
	var files []fsmeta.Ino
	id := must(db.NewSliceID(nil, 100))(t)
	for _, d := range []struct {
		name  string
		extra int
	}{{"alone", 0}, {"crowd", 50}} {
		dir := must(db.Mkdir(nil, R, d.name, 0o755))(t)
		empty := must(db.Create(nil, dir.Ino, "huge-empty", 0o644))(t)
		must(db.Truncate(nil, empty.Ino, 1<<62))(t)
		f := must(db.Create(nil, dir.Ino, "huge", 0o644))(t)
		for _, w := range []struct {
			c        uint32
			pos, len uint32
		}{{1<<32 - 1, fsmeta.ChunkSize - 4096, 4096}, {0, 0, 1 << 20}, {7, 100, 200}, {7, 150, 10}} {
			id++
			must(db.WriteSlice(nil, f.Ino, w.c, fsmeta.Slice{Pos: w.pos, ID: id, Size: w.len, Len: w.len}))(t)
		}
		must(db.Truncate(nil, f.Ino, 1<<62))(t)
		files = append(files, empty.Ino, f.Ino)
		for i := range d.extra {
			must(db.Create(nil, dir.Ino, fmt.Sprint("other", i), 0o644))(t)
		}
	}
	ok(t, db.Fsck())
	return db, files
}

// TestDumpSparseHuge: a file of 2^62 bytes dumps at once (only the chunks
// that hold slices are read, chunk 2^32-1 included) and loads back equal;
// the same once its directory is cold.
func TestDumpSparseHuge(t *testing.T) {
	for _, mode := range []string{"hot", "cold", "runs"} {
		t.Run(mode, func(t *testing.T) {
			src, files := sparseDB(t)
			switch mode {
			case "cold":
				must(src.Compact(fsmeta.CompactOptions{All: true}, nil))(t)
			case "runs":
				must(src.Compact(fsmeta.CompactOptions{All: true, MaxDir: 2, RunEntries: 3}, nil))(t)
			}
			if mode != "hot" && src.Stats().ColdEntries == 0 {
				t.Fatal("nothing cold")
			}
			ok(t, src.Fsck())
			for i, ino := range files {
				want := []uint32{0, 7, 1<<32 - 1}
				if i%2 == 0 {
					want = nil
				}
				got, err := src.ChunkIndexes(nil, ino)
				if err != nil || !slices.Equal(got, want) {
					t.Fatalf("ChunkIndexes(%d) = %v %v, want %v", ino, got, err, want)
				}
			}
			t0 := time.Now()
			dst, dump := roundTrip(t, src) // Describe of both equal, fsck of the loaded one
			if el := time.Since(t0); el > 10*time.Second {
				t.Fatalf("dump and load took %v", el)
			}
			ok(t, src.Fsck())
			for _, s := range []string{`"size":4611686018427387904`, `"4294967295":[[67104768,`, `"7":[[100,`} {
				if !bytes.Contains(dump, []byte(s)) {
					t.Fatalf("dump lacks %s:\n%s", s, dump)
				}
			}
			// the loaded file reads the same at the far chunk
			a := must(dst.Resolve(nil, "/crowd/huge", true))(t)
			ss := must(dst.ReadChunk(nil, a.Ino, 1<<32-1))(t)
			if a.Size != 1<<62 || len(ss) != 1 || ss[0].Pos != fsmeta.ChunkSize-4096 || ss[0].Len != 4096 {
				t.Fatalf("loaded: size %d, chunk 2^32-1 %v", a.Size, ss)
			}
		})
	}
}
