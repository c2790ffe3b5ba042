package tree

import (
	"fmt"
	"slices"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
)

// chunkFiles makes, in dir, one file of each data-map form and returns
// every file's expected chunk indexes.
func chunkFiles(t *testing.T, tr *Tree, dir meta.Ino, id *uint64) map[meta.Ino][]uint32 {
	t.Helper()
	want := map[meta.Ino][]uint32{}
	mk := func(name string) meta.Ino {
		a, e := tr.Mknod(meta.RootCaller, 1, dir, name, meta.S_IFREG|0o644, 0)
		if e != 0 {
			t.Fatal(name, e)
		}
		return a.Ino
	}
	write := func(ino meta.Ino, chunk uint32, pos, n uint32) {
		*id++
		if _, e := tr.WriteSlice(meta.RootCaller, 2, ino, chunk, meta.Slice{Pos: pos, ID: *id, Size: n, Len: n}); e != 0 {
			t.Fatal(ino, chunk, e)
		}
	}
	size := func(ino meta.Ino, s uint64) {
		if _, e := tr.SetAttr(meta.RootCaller, 3, ino, meta.SetSize, &meta.SetAttrIn{Size: s}); e != 0 {
			t.Fatal(ino, s, e)
		}
	}
	want[mk("empty")] = nil
	f := mk("huge-sparse") // 2^62 bytes, no slices
	size(f, meta.MaxFileSize)
	want[f] = nil
	f = mk("compact") // one slice covering the file: the compact form
	write(f, 0, 0, 5000)
	want[f] = []uint32{0}
	f = mk("chunk0") // a blob of chunk 0 alone (no stored directory)
	write(f, 0, 0, 5000)
	write(f, 0, 100, 50)
	want[f] = []uint32{0}
	f = mk("chunk7") // one chunk, not chunk 0
	write(f, 7, 10, 20)
	want[f] = []uint32{7}
	f = mk("far") // chunks up to the last index, size 2^62
	write(f, maxChunkIndex, meta.ChunkSize-10, 10)
	write(f, 5, 0, 1000)
	write(f, 0, 0, 1<<20)
	write(f, 5, 10, 10)
	size(f, meta.MaxFileSize)
	want[f] = []uint32{0, 5, maxChunkIndex}
	f = mk("cut") // chunks beyond a truncation are gone
	write(f, 0, 0, 100)
	write(f, 3, 0, 100)
	write(f, 9, 0, 100)
	size(f, 3*meta.ChunkSize+50)
	want[f] = []uint32{0, 3}
	return want
}

func checkChunkIndexes(t *testing.T, tr *Tree, want map[meta.Ino][]uint32, form string) {
	t.Helper()
	for ino, w := range want {
		got, e := tr.ChunkIndexes(meta.RootCaller, ino)
		if e != 0 || !slices.Equal(got, w) {
			t.Fatalf("%s: ChunkIndexes(%d) = %v %v, want %v", form, ino, got, e, w)
		}
		// every listed chunk reads slices, the others none
		for _, k := range []uint32{0, 1, 3, 5, 7, 9, maxChunkIndex - 1, maxChunkIndex} {
			ss, e := tr.ReadChunk(meta.RootCaller, ino, k)
			if e != 0 || (len(ss) > 0) != slices.Contains(w, k) {
				t.Fatalf("%s: ReadChunk(%d, %d) = %v %v; listed %v", form, ino, k, ss, e, w)
			}
		}
	}
}

// TestChunkIndexes: the existing chunks of a file, in order, for every form
// of its data map: hot (empty, compact, blob with and without a stored
// directory), and cold (a directory frozen whole, small directories packed
// into a group block, a large one frozen a run at a time).
func TestChunkIndexes(t *testing.T) {
	for _, mode := range []string{"hot", "cold", "runs"} {
		t.Run(mode, func(t *testing.T) {
			tr, err := New(Options{ArenaMaxBytes: 1 << 30})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			var id uint64 = 100
			want := map[meta.Ino][]uint32{}
			for _, d := range []struct {
				name  string
				extra int
			}{{"small", 0}, {"big", 60}} {
				dir, e := tr.Mkdir(meta.RootCaller, 1, meta.RootIno, d.name, 0o755)
				if e != 0 {
					t.Fatal(e)
				}
				for k, v := range chunkFiles(t, tr, dir.Ino, &id) {
					want[k] = v
				}
				for i := range d.extra {
					if _, e := tr.Mknod(meta.RootCaller, 1, dir.Ino, fmt.Sprint("filler", i), meta.S_IFREG|0o644, 0); e != 0 {
						t.Fatal(e)
					}
				}
			}
			checkChunkIndexes(t, tr, want, "hot")
			switch mode {
			case "cold":
				tr.Compact(CompactOptions{All: true}, nil)
			case "runs":
				tr.Compact(CompactOptions{All: true, MaxDir: 2, RunEntries: 3}, nil)
			}
			forms := map[string]int{}
			if mode != "hot" {
				for ino := range want {
					r := tr.nodeRef(ino)
					if h := tr.node(r); h.attr() != coldMark {
						t.Fatalf("%s: inode %d is not cold", mode, ino)
					}
					switch b := tr.row(r); {
					case b.rows == 0:
						forms["run"]++
					case b.grp > 0:
						forms["group"]++
					default:
						forms["whole"]++
					}
				}
			}
			// the forms of cold blocks the files are in
			wantForms := map[string]map[string]int{"hot": {}, "cold": {"group": 7, "whole": 7}, "runs": {"run": 14}}[mode]
			if fmt.Sprint(forms) != fmt.Sprint(wantForms) {
				t.Fatalf("%s: files in blocks %v, want %v", mode, forms, wantForms)
			}
			if err := tr.Fsck(); err != nil {
				t.Fatal(err)
			}
			checkChunkIndexes(t, tr, want, mode)
			if _, e := tr.ChunkIndexes(meta.RootCaller, meta.RootIno); e != meta.EISDIR {
				t.Fatalf("ChunkIndexes(root) = %v, want EISDIR", e)
			}
			if _, e := tr.ChunkIndexes(meta.RootCaller, 1<<40); e != meta.ENOENT {
				t.Fatalf("ChunkIndexes(missing) = %v, want ENOENT", e)
			}
		})
	}
}

// A file's size reaches 2^62 (2^36 chunks) while a chunk index is 32 bits:
// truncation and holes compare chunk indexes in 64 bits, so a size or an
// offset past 2^58 bytes never wraps onto a low chunk.
func TestChunkIndexPast32Bits(t *testing.T) {
	tr, err := New(Options{ArenaMaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	a, e := tr.Mknod(meta.RootCaller, 1, meta.RootIno, "f", meta.S_IFREG|0o644, 0)
	if e != 0 {
		t.Fatal(e)
	}
	f := a.Ino
	for i, c := range []uint32{0, 3, 5, maxChunkIndex} {
		if _, e := tr.WriteSlice(meta.RootCaller, 2, f, c, meta.Slice{Pos: 0, ID: uint64(10 + i), Size: 1000, Len: 1000}); e != 0 {
			t.Fatal(e)
		}
	}
	chunks := func() map[uint32][]meta.Slice {
		out := map[uint32][]meta.Slice{}
		idx, e := tr.ChunkIndexes(meta.RootCaller, f)
		if e != 0 {
			t.Fatal(e)
		}
		for _, k := range idx {
			ss, e := tr.ReadChunk(meta.RootCaller, f, k)
			if e != 0 {
				t.Fatal(e)
			}
			out[k] = ss
		}
		return out
	}
	full := chunks()
	if len(full) != 4 {
		t.Fatalf("chunks %v", full)
	}
	same := func(what string) {
		t.Helper()
		if got := chunks(); fmt.Sprint(got) != fmt.Sprint(full) {
			t.Fatalf("%s: chunks %v, want %v", what, got, full)
		}
		if err := tr.Fsck(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	setSize := func(s uint64) {
		t.Helper()
		if _, e := tr.SetAttr(meta.RootCaller, 3, f, meta.SetSize, &meta.SetAttrIn{Size: s}); e != 0 {
			t.Fatal(e)
		}
	}
	setSize(meta.MaxFileSize)
	same("size 2^62")
	// index 2^32 exactly, at a chunk boundary (wrapped: 0, dropping all)
	setSize(1 << 58)
	same("size 2^58")
	setSize(meta.MaxFileSize)
	// index 2^35+5 inside the chunk (wrapped: 5, clipping chunk 5 to 10 bytes)
	setSize(1<<61 + 5*meta.ChunkSize + 10)
	same("size 2^61+5 chunks+10")
	setSize(meta.MaxFileSize)

	punch := func(off, n uint64) {
		t.Helper()
		if _, e := tr.Fallocate(meta.RootCaller, 4, f, meta.FallocPunchHole|meta.FallocKeepSize, off, n); e != 0 {
			t.Fatal(e)
		}
	}
	// a whole chunk 2^32+3 (wrapped: chunk 3 dropped)
	punch((1<<32+3)*meta.ChunkSize, meta.ChunkSize)
	same("hole over chunk 2^32+3")
	// part of chunk 2^32+5 (wrapped: a hole slice in chunk 5)
	punch((1<<32+5)*meta.ChunkSize+100, 10)
	same("hole inside chunk 2^32+5")
	// from 2^32 chunks to the end of the file
	punch(1<<58, meta.MaxFileSize-1<<58)
	same("hole from 2^58 to 2^62")
	// across the last storable chunk into the next: a hole slice in the
	// last one only
	punch(uint64(maxChunkIndex)*meta.ChunkSize+500, meta.ChunkSize)
	ss, e := tr.ReadChunk(meta.RootCaller, f, maxChunkIndex)
	if e != 0 || len(ss) != 2 || ss[1] != (meta.Slice{Pos: 500, Size: meta.ChunkSize - 500, Len: meta.ChunkSize - 500}) {
		t.Fatalf("chunk 2^32-1 after a hole from 500: %v %v", ss, e)
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	// and a hole that takes a low chunk whole still does
	punch(3*meta.ChunkSize, meta.ChunkSize)
	if got := chunks(); len(got) != 3 || got[3] != nil {
		t.Fatalf("after a hole over chunk 3: %v", got)
	}
}
