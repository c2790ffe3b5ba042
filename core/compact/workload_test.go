package compact_test

// Bytes per entry and decode time on realistic namespaces: the synthetic
// ones of internal/workload, and (when FSMETA_COMPACT_TREE names a
// directory) a real tree walked with lstat. Entries are grouped into blocks
// the way the tree will: the entries of small sibling directories packed
// together up to blockTarget, a large directory split in blocks of about
// blockTarget in name order.

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fsmeta/fsmeta/core/compact"
	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/internal/workload"
	"github.com/klauspost/compress/zstd"
)

// blockTarget is the number of entries the tree aims a block at
// (FSMETA_COMPACT_BLOCK overrides it).
var blockTarget = func() int {
	if n, err := strconv.Atoi(os.Getenv("FSMETA_COMPACT_BLOCK")); err == nil && n > 0 {
		return n
	}
	return 256
}()

// nsDir is a directory of a namespace with its entries.
type nsDir struct {
	ino     uint64
	entries []compact.Entry // sorted by name
	subdirs []int           // indexes of its subdirectories
}

// attrIDs plays the tree's (mode, uid, gid) dictionary.
type attrIDs map[[3]uint32]uint32

func (a attrIDs) id(mode, uid, gid uint32) uint32 {
	k := [3]uint32{mode, uid, gid}
	id, ok := a[k]
	if !ok {
		id = uint32(len(a))
		a[k] = id
	}
	return id
}

func hash64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// fileData gives a file the Data and Extra the tree would: the slice id of
// a file written in one slice (the compact form, flagged), else a chunk map.
func fileData(e *compact.Entry, appended bool, sliceID *uint64, buf []workload.Piece) []workload.Piece {
	buf = workload.Pieces(buf[:0], e.Size, appended, hash64(e.Ino))
	switch len(buf) {
	case 0:
	case 1:
		e.Data, e.Flags = *sliceID, 0x04
		*sliceID++
	default:
		// the tree's data-map Extra (core/tree/coldblob.go): chunk
		// entries when the map has more than chunk 0, then per slice a
		// form byte and what it does not imply; Data is the first slice id
		nc := 0
		if last := buf[len(buf)-1].Chunk; last > 0 {
			nc = int(last) + 1
		}
		x := []byte{1}
		x = binary.AppendUvarint(x, uint64(nc))
		x = binary.AppendUvarint(x, uint64(len(buf)))
		for c := 0; c < nc; c++ {
			x = append(x, 1, 1) // chunk index and first-slice deltas (runs of one slice: close enough)
		}
		e.Data = *sliceID
		end := uint32(0)
		for _, p := range buf {
			switch p.Pos {
			case 0:
				x = append(x, 1) // at zero (size = len, the next id)
			case end:
				x = append(x, 2) // where the previous one ended
			default:
				x = append(x, 0)
				x = binary.AppendUvarint(x, uint64(p.Pos))
			}
			x = binary.AppendUvarint(x, uint64(p.Len))
			end = p.Pos + p.Len
			*sliceID++
		}
		e.Extra = x
	}
	return buf
}

// synthDirs lays out a synthetic namespace the way LoadSynth creates it:
// inode numbers in creation order (a directory, then its files), slice ids
// in write order.
func synthDirs(seed uint64, files int64) []nsDir {
	s := workload.NewSynth(seed, files)
	dirs := make([]nsDir, s.NumDirs())
	attrs := attrIDs{}
	next, slice := uint64(1), uint64(1000)
	var pieces []workload.Piece
	for i := range dirs {
		dirs[i].ino = next
		next++
		if i > 0 {
			d := s.Dir(i)
			p := &dirs[d.Parent]
			p.subdirs = append(p.subdirs, i)
			nsub := uint64(s.SubdirsIn(i))
			p.entries = append(p.entries, compact.Entry{Dir: p.ino, Name: d.Name, Ino: dirs[i].ino, Nlink: 1,
				Attr: attrs.id(d.Mode, d.Uid, d.Gid), Size: uint64(s.FilesIn(i)) + nsub | nsub<<29,
				Atime: d.Atime, Mtime: d.Mtime, Ctime: d.Ctime})
		}
		s.ForEachFile(i, func(j int, f *workload.File) bool {
			e := compact.Entry{Dir: dirs[i].ino, Name: f.Name, Ino: next, Nlink: 1, Attr: attrs.id(f.Mode, f.Uid, f.Gid),
				Size: f.Size, Atime: f.Atime, Mtime: f.Mtime, Ctime: f.Ctime}
			next++
			pieces = fileData(&e, f.Appended, &slice, pieces)
			dirs[i].entries = append(dirs[i].entries, e)
			return true
		})
	}
	for i := range dirs {
		slices.SortFunc(dirs[i].entries, func(a, b compact.Entry) int { return strings.Compare(a.Name, b.Name) })
	}
	return dirs
}

// treeDirs walks the real tree at root (no symlinks followed), numbering
// inodes in walk order as a listing load would.
func treeDirs(root string) ([]nsDir, error) {
	dirs := []nsDir{{ino: 1}}
	index := map[string]int{root: 0}
	attrs := attrIDs{}
	next, slice := uint64(2), uint64(1000)
	var pieces []workload.Piece
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == root {
			return nil
		}
		fi, err := os.Lstat(path)
		if err != nil {
			return nil
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return nil
		}
		pi, ok := index[filepath.Dir(path)]
		if !ok {
			return nil
		}
		mode := uint32(st.Mode)
		e := compact.Entry{Dir: dirs[pi].ino, Name: filepath.Base(path), Ino: next, Nlink: 1,
			Attr: attrs.id(mode, st.Uid, st.Gid), Size: uint64(st.Size),
			Atime: st.Atim.Nano(), Mtime: st.Mtim.Nano(), Ctime: st.Ctim.Nano()}
		next++
		switch mode & meta.S_IFMT {
		case meta.S_IFDIR:
			index[path] = len(dirs)
			dirs[pi].subdirs = append(dirs[pi].subdirs, len(dirs))
			dirs = append(dirs, nsDir{ino: e.Ino})
			e.Size = 0
		case meta.S_IFLNK:
			t, _ := os.Readlink(path)
			e.Extra = []byte(t)
		case meta.S_IFREG:
			pieces = fileData(&e, false, &slice, pieces)
		default:
			e.Data = st.Rdev
		}
		dirs[pi].entries = append(dirs[pi].entries, e)
		return nil
	})
	for i := range dirs {
		slices.SortFunc(dirs[i].entries, func(a, b compact.Entry) int { return strings.Compare(a.Name, b.Name) })
	}
	return dirs, err
}

// blocks groups the entries of dirs into blocks: directories taken
// breadth-first (siblings together, in inode order), the entries of small
// ones are packed together up to blockTarget, a large one is split in name
// order.
func blocks(dirs []nsDir) [][]compact.Entry {
	var out [][]compact.Entry
	var cur []compact.Entry
	flush := func() {
		if len(cur) > 0 {
			slices.SortFunc(cur, func(a, b compact.Entry) int {
				if a.Dir != b.Dir {
					return cmp.Compare(a.Dir, b.Dir)
				}
				return strings.Compare(a.Name, b.Name)
			})
			out = append(out, cur)
			cur = nil
		}
	}
	add := func(ents []compact.Entry) {
		n := len(ents)
		if n == 0 {
			return
		}
		if n > blockTarget*3/4 {
			k := (n + blockTarget - 1) / blockTarget
			for j := 0; j < k; j++ {
				out = append(out, ents[j*n/k:(j+1)*n/k])
			}
			return
		}
		if len(cur)+n > blockTarget {
			flush()
		}
		cur = append(cur, ents...)
	}
	add(dirs[0].entries)
	for i := range dirs {
		for _, c := range dirs[i].subdirs {
			add(dirs[c].entries)
		}
	}
	flush()
	return out
}

type corpus struct {
	name    string
	blocks  [][]compact.Entry
	entries int
}

var (
	corporaOnce sync.Once
	corpora     []corpus
	dictSamples [][]byte      // raw bodies of another seed, to train a dictionary
	s2Dict      *compact.Dict // an s2 dictionary sampled from the same blocks
)

func loadCorpora(tb testing.TB) []corpus {
	corporaOnce.Do(func() {
		add := func(name string, dirs []nsDir) {
			c := corpus{name: name, blocks: blocks(dirs)}
			for _, b := range c.blocks {
				c.entries += len(b)
			}
			corpora = append(corpora, c)
		}
		add("synth", synthDirs(7, 200_000))
		if root := os.Getenv("FSMETA_COMPACT_TREE"); root != "" {
			dirs, err := treeDirs(root)
			if err != nil {
				tb.Logf("walking %s: %v", root, err)
			}
			add("tree", dirs)
		}
		var sample []byte
		for _, b := range blocks(synthDirs(8, 50_000)) {
			enc, err := compact.Encode(nil, b, compact.Options{Compression: compact.None, Sample: &sample})
			if err != nil {
				panic(err)
			}
			dictSamples = append(dictSamples, slices.Clone(compact.RawBody(enc)))
		}
		var err error
		if s2Dict, err = compact.NewDict(1, sample); err != nil {
			panic(err)
		}
	})
	return corpora
}

// TestWorkloadRoundTrip round-trips every block of the corpora (with
// -short, the first 200 blocks of each: the race pass runs it too).
func TestWorkloadRoundTrip(t *testing.T) {
	var blk compact.Block
	for _, c := range loadCorpora(t) {
		blocks := c.blocks
		if testing.Short() && len(blocks) > 200 {
			blocks = blocks[:200]
		}
		for bi, ents := range blocks {
			for _, mode := range []compact.Compression{compact.None, compact.S2, compact.Zstd} {
				b, err := compact.Encode(nil, ents, compact.Options{Compression: mode})
				if err != nil {
					t.Fatalf("%s block %d: %v", c.name, bi, err)
				}
				if err := blk.DecodeInto(b); err != nil {
					t.Fatalf("%s block %d %v: %v", c.name, bi, mode, err)
				}
				if blk.Len() != len(ents) {
					t.Fatalf("%s block %d: %d entries, want %d", c.name, bi, blk.Len(), len(ents))
				}
				for i := range ents {
					e, g := ents[i], blk.Entry(i)
					if e.Name != g.Name || e.Ino != g.Ino || e.Data != g.Data || e.Mtime != g.Mtime || e.Atime != g.Atime ||
						e.Ctime != g.Ctime || e.Size != g.Size || e.Attr != g.Attr || string(e.Extra) != string(g.Extra) {
						t.Fatalf("%s block %d entry %d: got %+v want %+v", c.name, bi, i, g, e)
					}
				}
			}
		}
	}
}

// BenchmarkWorkload reports, per corpus and compression, bytes per entry
// (B/entry), the average decode and encode time of a block (µs/block) and
// the mean entries per block. zstd-dict compresses the raw bodies with a
// dictionary built from the blocks of another seed (measured directly with
// the zstd package: the block format has no dictionary mode).
func BenchmarkWorkload(b *testing.B) {
	for _, c := range loadCorpora(b) {
		for _, mode := range []string{"none", "s2", "s2-dict", "zstd", "zstd-dict"} {
			b.Run(c.name+"/"+mode, func(b *testing.B) {
				benchCorpus(b, c, mode)
			})
		}
	}
}

func benchCorpus(b *testing.B, c corpus, mode string) {
	comp := map[string]compact.Compression{"none": compact.None, "s2": compact.S2, "s2-dict": compact.S2, "zstd": compact.Zstd, "zstd-dict": compact.None}[mode]
	opt := compact.Options{Compression: comp}
	if mode == "s2-dict" {
		opt.Dict = s2Dict
	}
	enc := make([][]byte, len(c.blocks))
	total := 0
	t0 := time.Now()
	for i, ents := range c.blocks {
		var err error
		if enc[i], err = compact.Encode(nil, ents, opt); err != nil {
			b.Fatal(err)
		}
		total += len(enc[i])
	}
	encTime := time.Since(t0)
	if mode == "zstd-dict" {
		benchDict(b, c, enc)
		return
	}
	blk := compact.Block{Dict: opt.Dict}
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if err := blk.DecodeInto(enc[n%len(enc)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.StopTimer()
	decTime := b.Elapsed()
	// point lookups of random entries, each in a different block
	r := rand.New(rand.NewSource(1))
	t0 = time.Now()
	const lookups = 2000
	for k := 0; k < lookups; k++ {
		bi := r.Intn(len(enc))
		e := &c.blocks[bi][r.Intn(len(c.blocks[bi]))]
		if _, ok, err := blk.Lookup(enc[bi], e.Dir, e.Name); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
	b.ReportMetric(float64(time.Since(t0).Nanoseconds())/lookups/1e3, "lookup-µs")
	b.ReportMetric(float64(decTime.Nanoseconds())/float64(n)/1e3, "µs/block")
	b.ReportMetric(float64(encTime.Nanoseconds())/float64(len(enc))/1e3, "enc-µs/block")
	b.ReportMetric(float64(total)/float64(c.entries), "B/entry")
	b.ReportMetric(float64(c.entries)/float64(len(c.blocks)), "entries/block")
	b.ReportMetric(0, "ns/op")
	if mode == "none" {
		var cols [15]int
		for _, e := range enc {
			s := compact.ColumnSizes(e)
			for i := range cols {
				cols[i] += s[i]
			}
		}
		var parts []string
		for i, s := range cols {
			parts = append(parts, fmt.Sprintf("%s %.2f", compact.ColumnNames[i], float64(s)/float64(c.entries)))
		}
		b.Logf("%s: %d entries in %d blocks; raw B/entry by column: %s", c.name, c.entries, len(enc), strings.Join(parts, ", "))
	}
}

// benchDict measures zstd with a trained dictionary on the raw bodies of
// the None blocks enc (adding the 11-byte block framing of the codec).
func benchDict(b *testing.B, c corpus, enc [][]byte) {
	var hist []byte
	for _, s := range dictSamples {
		if len(hist)+len(s) > 64<<10 {
			break
		}
		hist = append(hist, s...)
	}
	dict, err := zstd.BuildDict(zstd.BuildDictOptions{ID: 1, Contents: dictSamples, History: hist, Offsets: [3]int{1, 4, 8}})
	if err != nil {
		b.Fatal(err)
	}
	ze, _ := zstd.NewWriter(nil, zstd.WithEncoderDict(dict), zstd.WithEncoderCRC(false), zstd.WithEncoderConcurrency(1))
	zd, _ := zstd.NewReader(nil, zstd.WithDecoderDicts(dict), zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	defer ze.Close()
	defer zd.Close()
	total := 0
	comp := make([][]byte, len(enc))
	for i, e := range enc {
		comp[i] = ze.EncodeAll(compact.RawBody(e), nil)
		total += len(comp[i]) + 11
	}
	var raw []byte
	var blk compact.Block
	b.ResetTimer()
	n := 0
	for b.Loop() {
		i := n % len(enc)
		if raw, err = zd.DecodeAll(comp[i], raw[:0]); err != nil {
			b.Fatal(err)
		}
		// plus the decode of the raw form
		if err := blk.DecodeInto(enc[i]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n)/1e3, "µs/block")
	b.ReportMetric(float64(total)/float64(c.entries), "B/entry")
	b.ReportMetric(float64(len(dict)), "dict-bytes")
	b.ReportMetric(0, "ns/op")
}
