package compact

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

var modes = []Compression{None, S2, Zstd}

// testDict is a dictionary sampled from random blocks (seed 99).
var testDict = func() *Dict {
	r := rand.New(rand.NewSource(99))
	var sample []byte
	for len(sample) < 32<<10 {
		if _, err := Encode(nil, genEntries(r, randShape(r)), Options{Compression: S2, Sample: &sample}); err != nil {
			panic(err)
		}
	}
	d, err := NewDict(7, sample)
	if err != nil {
		panic(err)
	}
	return d
}()

// genShape chooses the kind of block genEntries makes.
type genShape struct {
	dirs      int     // number of directories
	perDir    int     // mean entries per directory
	nameStyle int     // 0 short random, 1 numbered, 2 long shared prefixes, 3 any bytes up to 255
	links     float64 // share of links
	extras    float64 // share of entries with an Extra
	timeStyle int     // 0 all equal, 1 whole seconds, 2 independent ns, 3 huge/negative, 4 mixed
	huge      bool    // extreme values for inos, sizes, data, attrs
	flags     float64 // share of nonzero flags
}

func randShape(r *rand.Rand) genShape {
	s := genShape{
		nameStyle: r.Intn(4),
		timeStyle: r.Intn(5),
		huge:      r.Intn(4) == 0,
	}
	switch r.Intn(4) {
	case 0: // one directory
		s.dirs, s.perDir = 1, 1+r.Intn(400)
	case 1: // many small directories
		s.dirs, s.perDir = 1+r.Intn(100), 1+r.Intn(5)
	case 2:
		s.dirs, s.perDir = 1+r.Intn(10), 1+r.Intn(60)
	default: // tiny
		s.dirs, s.perDir = r.Intn(3), 1+r.Intn(3)
	}
	if r.Intn(3) == 0 {
		s.links = r.Float64() * 0.5
	}
	if r.Intn(3) == 0 {
		s.extras = r.Float64()
	}
	if r.Intn(3) == 0 {
		s.flags = r.Float64()
	}
	return s
}

func randName(r *rand.Rand, style int, i int) string {
	const alpha = "abcdefghijklmnopqrstuvwxyz0123456789._-ABC"
	switch style {
	case 0:
		b := make([]byte, 1+r.Intn(12))
		for k := range b {
			b[k] = alpha[r.Intn(len(alpha))]
		}
		return string(b)
	case 1:
		return fmt.Sprintf("img_%05d.jpg", i)
	case 2:
		pre := strings.Repeat("very-long-common-prefix-", 1+r.Intn(9))
		b := make([]byte, r.Intn(8))
		for k := range b {
			b[k] = alpha[r.Intn(4)]
		}
		nm := pre + string(b) + fmt.Sprint(r.Intn(1000))
		return nm[:min(255, len(nm))]
	default:
		b := make([]byte, 1+r.Intn(255))
		for k := range b {
			b[k] = byte(r.Intn(256))
		}
		if r.Intn(2) == 0 {
			b = b[:min(len(b), 1+r.Intn(2))] // short names: many prefixes of each other
		}
		return string(b)
	}
}

func randTime(r *rand.Rand, style int, base int64) int64 {
	switch style {
	case 0, 1:
		return (base + r.Int63n(1e6)) / 1e9 * 1e9
	case 2:
		return base + r.Int63n(1e15)
	case 3:
		switch r.Intn(5) {
		case 0:
			return math.MaxInt64 - r.Int63n(3)
		case 1:
			return math.MinInt64 + r.Int63n(3)
		case 2:
			return -r.Int63n(1e18)
		case 3:
			return -r.Int63n(10) * 1e9
		}
		return r.Int63()
	default:
		t := base + r.Int63n(1e12)
		if r.Intn(2) == 0 {
			t = t / 1e9 * 1e9
		}
		return t
	}
}

func randU64(r *rand.Rand, huge bool) uint64 {
	if huge {
		switch r.Intn(4) {
		case 0:
			return math.MaxUint64 - uint64(r.Intn(3))
		case 1:
			return 1 << 63
		case 2:
			return r.Uint64()
		}
	}
	return uint64(r.Intn(100000))
}

// genEntries returns sorted entries of shape s.
func genEntries(r *rand.Rand, s genShape) []Entry {
	var out []Entry
	dir := randU64(r, s.huge) / 2
	ino := randU64(r, s.huge)
	data := randU64(r, s.huge)
	base := int64(1.6e18) + r.Int63n(1e17)
	var dirs []uint64
	for d := 0; d < s.dirs; d++ {
		dir += 1 + uint64(r.Intn(1000))
		if s.huge && r.Intn(4) == 0 {
			dir = r.Uint64()
		}
		dirs = append(dirs, dir)
	}
	slices.Sort(dirs)
	dirs = slices.Compact(dirs)
	for _, dir := range dirs {
		n := 1 + r.Intn(2*s.perDir)
		seen := map[string]bool{}
		var names []string
		for i := 0; i < n; i++ {
			nm := randName(r, s.nameStyle, i)
			if !seen[nm] {
				seen[nm] = true
				names = append(names, nm)
			}
		}
		slices.Sort(names)
		for _, nm := range names {
			e := Entry{Dir: dir, Name: nm}
			switch r.Intn(5) {
			case 0:
				ino = randU64(r, s.huge)
			default:
				ino++
			}
			e.Ino = ino
			if r.Float64() < s.links {
				e.Link = true
				out = append(out, e)
				continue
			}
			e.Attr = uint32(r.Intn(3))
			if r.Intn(10) == 0 {
				e.Attr = uint32(r.Intn(70000))
			}
			if s.huge && r.Intn(5) == 0 {
				e.Attr = math.MaxUint32
			}
			if r.Float64() < s.flags {
				e.Flags = uint8(r.Intn(256))
			}
			e.Nlink = 1
			if r.Intn(10) == 0 {
				e.Nlink = uint32(r.Intn(5))
			}
			if s.huge && r.Intn(5) == 0 {
				e.Nlink = math.MaxUint32
			}
			e.Size = randU64(r, s.huge)
			switch r.Intn(4) {
			case 0:
			case 1, 2:
				data++
				e.Data = data
			default:
				data = randU64(r, s.huge)
				e.Data = data
			}
			e.Mtime = randTime(r, s.timeStyle, base)
			e.Ctime, e.Atime = e.Mtime, e.Mtime
			if s.timeStyle != 0 {
				switch r.Intn(5) {
				case 0:
					e.Ctime = randTime(r, s.timeStyle, base)
				case 1:
					e.Atime = randTime(r, s.timeStyle, base)
				case 2:
					e.Ctime = randTime(r, s.timeStyle, base)
					e.Atime = e.Ctime
				case 3:
					e.Ctime = randTime(r, s.timeStyle, base)
					e.Atime = randTime(r, s.timeStyle, base)
				}
			}
			if r.Float64() < s.extras {
				e.Extra = make([]byte, 1+r.Intn(300))
				r.Read(e.Extra)
			}
			out = append(out, e)
		}
	}
	return out
}

// norm is what e decodes to.
func norm(e Entry) Entry {
	if e.Link {
		return Entry{Dir: e.Dir, Name: e.Name, Ino: e.Ino, Link: true}
	}
	if len(e.Extra) == 0 {
		e.Extra = nil
	}
	return e
}

func equalEntry(a, b Entry) bool {
	a, b = norm(a), norm(b)
	return a.Dir == b.Dir && a.Name == b.Name && a.Ino == b.Ino && a.Link == b.Link && a.Attr == b.Attr &&
		a.Flags == b.Flags && a.Nlink == b.Nlink && a.Size == b.Size && a.Data == b.Data &&
		a.Atime == b.Atime && a.Mtime == b.Mtime && a.Ctime == b.Ctime && bytes.Equal(a.Extra, b.Extra)
}

func checkEqual(t testing.TB, want []Entry, blk *Block) {
	t.Helper()
	if blk.Len() != len(want) {
		t.Fatalf("decoded %d entries, want %d", blk.Len(), len(want))
	}
	for i := range want {
		if got := blk.Entry(i); !equalEntry(got, want[i]) {
			t.Fatalf("entry %d:\n got %+v\nwant %+v", i, got, norm(want[i]))
		}
	}
}

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	iters := 600
	if testing.Short() {
		iters = 100
	}
	var blk Block
	for it := 0; it < iters; it++ {
		s := randShape(r)
		ents := genEntries(r, s)
		for _, c := range modes {
			b, err := Encode(nil, ents, Options{Compression: c})
			if err != nil {
				t.Fatalf("iter %d %v: %v", it, c, err)
			}
			if err := blk.DecodeInto(b); err != nil {
				t.Fatalf("iter %d %v shape %+v: %v", it, c, s, err)
			}
			checkEqual(t, ents, &blk)
			if n, err := Count(b); err != nil || n != len(ents) {
				t.Fatalf("Count: %d, %v; want %d", n, err, len(ents))
			}
		}
		// with a dictionary
		b, err := Encode(nil, ents, Options{Compression: S2, Dict: testDict})
		if err != nil {
			t.Fatal(err)
		}
		dblk := Block{Dict: testDict}
		if err := dblk.DecodeInto(b); err != nil {
			t.Fatalf("iter %d with a dictionary: %v", it, err)
		}
		checkEqual(t, ents, &dblk)
		if it%10 == 0 {
			checkLookups(t, b, &dblk)
		}
		if n, err := Count(b); err != nil || n != len(ents) {
			t.Fatalf("Count: %d, %v; want %d", n, err, len(ents))
		}
	}
}

// TestDict: a block compressed with a dictionary is smaller, decodes only
// with that dictionary (a clear error otherwise, never a wrong answer),
// and one that the dictionary does not help is stored raw without the
// dictionary's id.
func TestDict(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	var plain, dict int
	for i := 0; i < 200; i++ {
		ents := genEntries(r, randShape(r))
		a, _ := Encode(nil, ents, Options{Compression: S2})
		b, _ := Encode(nil, ents, Options{Compression: S2, Dict: testDict})
		plain += len(a)
		dict += len(b)
		if b[1] != codecS2Dict {
			if blk, err := Decode(b); err != nil {
				t.Fatalf("block %d stored without the dictionary does not decode alone: %v", i, err)
			} else {
				checkEqual(t, ents, blk)
			}
			continue
		}
		for _, d := range []*Dict{nil, func() *Dict { x := *testDict; x.id++; return &x }()} {
			blk := Block{Dict: d}
			if err := blk.DecodeInto(b); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "dictionary 7") {
				t.Fatalf("block %d decoded with dictionary %v: %v", i, d, err)
			}
			if _, _, err := blk.Lookup(b, ents[0].Dir, ents[0].Name); err == nil {
				t.Fatalf("block %d: lookup without its dictionary", i)
			}
		}
	}
	if dict >= plain {
		t.Fatalf("%d bytes with the dictionary, %d without", dict, plain)
	}
	t.Logf("%d bytes with the dictionary, %d without", dict, plain)
	if _, err := NewDict(1, make([]byte, 10)); err == nil {
		t.Fatal("a 10-byte sample makes a dictionary")
	}
}

func TestRoundTripValuesKept(t *testing.T) {
	// A decoded entry stays valid after its block is decoded into again.
	r := rand.New(rand.NewSource(2))
	a := genEntries(r, genShape{dirs: 3, perDir: 50, nameStyle: 0, extras: 0.5, timeStyle: 2})
	b := genEntries(r, genShape{dirs: 3, perDir: 50, nameStyle: 3, extras: 0.5, timeStyle: 2})
	ba, _ := Encode(nil, a, Options{})
	bb, _ := Encode(nil, b, Options{Compression: None})
	var blk Block
	if err := blk.DecodeInto(ba); err != nil {
		t.Fatal(err)
	}
	var kept []Entry
	for i := 0; i < blk.Len(); i++ {
		kept = append(kept, blk.Entry(i))
	}
	if err := blk.DecodeInto(bb); err != nil {
		t.Fatal(err)
	}
	clear(bb) // the block must not refer to its input
	for i := range a {
		if !equalEntry(kept[i], a[i]) {
			t.Fatalf("entry %d changed: %+v", i, kept[i])
		}
	}
	checkEqual(t, b, &blk)
}

func TestEmpty(t *testing.T) {
	for _, c := range modes {
		b, err := Encode(nil, nil, Options{Compression: c})
		if err != nil {
			t.Fatal(err)
		}
		blk, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if blk.Len() != 0 {
			t.Fatal(blk.Len())
		}
		if i, ok := blk.Find(1, "x"); ok || i != 0 {
			t.Fatal(i, ok)
		}
		if lo, hi := blk.DirRange(5); lo != 0 || hi != 0 {
			t.Fatal(lo, hi)
		}
	}
}

func TestEncodeRejects(t *testing.T) {
	long := strings.Repeat("x", 256)
	bad := [][]Entry{
		{{Dir: 1, Name: ""}},
		{{Dir: 1, Name: long}},
		{{Dir: 1, Name: "b"}, {Dir: 1, Name: "a"}},
		{{Dir: 1, Name: "a"}, {Dir: 1, Name: "a"}},
		{{Dir: 2, Name: "a"}, {Dir: 1, Name: "b"}},
	}
	for i, ents := range bad {
		if b, err := Encode([]byte("keep"), ents, Options{}); err == nil || string(b) != "keep" {
			t.Errorf("case %d: err %v, dst %q", i, err, b)
		}
	}
	many := make([]Entry, MaxEntries+1)
	for i := range many {
		many[i] = Entry{Dir: uint64(i), Name: "x"}
	}
	if _, err := Encode(nil, many, Options{}); err == nil {
		t.Error("a block of more than MaxEntries entries")
	}
	if _, err := Encode(nil, many[:MaxEntries], Options{}); err != nil {
		t.Error(err)
	}
	if _, err := Encode(nil, []Entry{{Dir: 1, Name: long[:255]}}, Options{}); err != nil {
		t.Error(err)
	}
}

func TestAppendsToDst(t *testing.T) {
	ents := []Entry{{Dir: 1, Name: "a", Ino: 2, Nlink: 1}}
	for _, c := range modes {
		b, err := Encode([]byte("prefix"), ents, Options{Compression: c})
		if err != nil || !bytes.HasPrefix(b, []byte("prefix")) {
			t.Fatal(err, b)
		}
		blk, err := Decode(b[6:])
		if err != nil {
			t.Fatal(err)
		}
		checkEqual(t, ents, blk)
	}
}

func TestFindDirRange(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for it := 0; it < 200; it++ {
		ents := genEntries(r, randShape(r))
		b, err := Encode(nil, ents, Options{Compression: modes[it%len(modes)]})
		if err != nil {
			t.Fatal(err)
		}
		blk, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		// probes: every entry, neighbours of every entry, absent dirs
		type probe struct {
			dir  uint64
			name string
		}
		var probes []probe
		for _, e := range ents {
			probes = append(probes, probe{e.Dir, e.Name}, probe{e.Dir, e.Name + "\x00"}, probe{e.Dir, e.Name[:len(e.Name)-1]},
				probe{e.Dir - 1, e.Name}, probe{e.Dir + 1, e.Name})
		}
		probes = append(probes, probe{0, "a"}, probe{math.MaxUint64, "zz"})
		for _, p := range probes {
			wi := sortSearch(ents, p.dir, p.name)
			wok := wi < len(ents) && ents[wi].Dir == p.dir && ents[wi].Name == p.name
			gi, gok := blk.Find(p.dir, p.name)
			if gi != wi || gok != wok {
				t.Fatalf("Find(%d, %q) = %d, %v; want %d, %v", p.dir, p.name, gi, gok, wi, wok)
			}
			wlo, whi := sortSearch(ents, p.dir, ""), sortSearch(ents, p.dir+1, "")
			if p.dir == math.MaxUint64 {
				whi = len(ents)
			}
			if glo, ghi := blk.DirRange(p.dir); glo != wlo || ghi != whi {
				t.Fatalf("DirRange(%d) = %d, %d; want %d, %d", p.dir, glo, ghi, wlo, whi)
			}
		}
		var wantDirs []uint64
		for i, e := range ents {
			if i == 0 || e.Dir != ents[i-1].Dir {
				wantDirs = append(wantDirs, e.Dir)
			}
		}
		if got := blk.Dirs(nil); !slices.Equal(got, wantDirs) {
			t.Fatalf("Dirs %v, want %v", got, wantDirs)
		}
	}
}

// sortSearch is a linear scan: the first entry >= (dir, name).
func sortSearch(ents []Entry, dir uint64, name string) int {
	for i, e := range ents {
		if e.Dir > dir || (e.Dir == dir && e.Name >= name) {
			return i
		}
	}
	return len(ents)
}

func TestCorruptionDetected(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	shapes := []genShape{
		{dirs: 2, perDir: 20, nameStyle: 0, links: 0.1, extras: 0.2, timeStyle: 4, flags: 0.2},
		{dirs: 1, perDir: 30, nameStyle: 1, timeStyle: 1},
		{dirs: 5, perDir: 3, nameStyle: 2, timeStyle: 2, huge: true},
	}
	masks := []byte{0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF, 0x5A}
	for si, s := range shapes {
		ents := genEntries(r, s)
		for _, c := range modes {
			b, err := Encode(nil, ents, Options{Compression: c})
			if err != nil {
				t.Fatal(err)
			}
			for i := range b {
				for _, m := range masks {
					b[i] ^= m
					_, err := Decode(b)
					b[i] ^= m
					if err == nil {
						t.Fatalf("shape %d %v: byte %d ^ %#x of %d not detected", si, c, i, m, len(b))
					}
					if !errors.Is(err, ErrCorrupt) {
						t.Fatalf("error %v does not wrap ErrCorrupt", err)
					}
				}
			}
			for n := 0; n < len(b); n++ {
				if _, err := Decode(b[:n]); err == nil {
					t.Fatalf("shape %d %v: truncation to %d not detected", si, c, n)
				}
			}
			if _, err := Decode(append(b[:len(b):len(b)], 0)); err == nil {
				t.Fatalf("shape %d %v: trailing byte not detected", si, c)
			}
		}
	}
}

// fixCRC returns b with a valid checksum, so that the fuzzer reaches the
// body decoder.
func fixCRC(b []byte) []byte {
	if len(b) < 4 {
		return b
	}
	b = slices.Clone(b)
	binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], castagnoli))
	return b
}

func FuzzDecode(f *testing.F) {
	r := rand.New(rand.NewSource(5))
	for i := 0; i < 24; i++ {
		s := randShape(r)
		s.dirs, s.perDir = min(s.dirs, 4), min(s.perDir, 8)
		ents := genEntries(r, s)
		b, err := Encode(nil, ents, Options{Compression: modes[i%len(modes)]})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		if i%4 == 0 {
			b, err := Encode(nil, ents, Options{Compression: S2, Dict: testDict})
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, in := range [][]byte{b, fixCRC(b)} {
			blk := &Block{Dict: testDict}
			err := blk.DecodeInto(in)
			if err != nil {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("error %v does not wrap ErrCorrupt", err)
				}
				// point lookups must not panic either, with or
				// without the checksum
				for _, skip := range []bool{false, true} {
					s := Block{NoChecksum: skip, Dict: testDict}
					s.Lookup(in, 1, "a")
					s.LookupIno(in, 1)
					s.DecodeInto(in)
				}
				continue
			}
			checkLookupsN(t, in, blk, 64)
			ents := blk.AppendEntries(nil)
			for _, o := range []Options{{Compression: None}, {Compression: S2}, {Compression: Zstd}, {Compression: S2, Dict: testDict}} {
				re, err := Encode(nil, ents, o)
				if err != nil {
					t.Fatalf("decoded entries do not re-encode: %v", err)
				}
				blk2 := &Block{Dict: o.Dict}
				err = blk2.DecodeInto(re)
				if err != nil {
					t.Fatalf("re-encoded block does not decode: %v", err)
				}
				checkEqual(t, ents, blk2)
			}
		}
	})
}

func benchEntries(n int) []Entry {
	r := rand.New(rand.NewSource(6))
	ents := make([]Entry, 0, n)
	base := int64(1.7e18)
	for i := 0; i < n; i++ {
		m := base + r.Int63n(3e14)
		e := Entry{Dir: 1000, Name: fmt.Sprintf("%s_%04d.%s", []string{"report", "photo", "data"}[i%3], i, "txt"),
			Ino: 5000 + uint64(i), Attr: uint32(r.Intn(2)), Nlink: 1, Size: uint64(r.Intn(1 << 20)), Data: 7000 + uint64(i),
			Mtime: m, Ctime: m, Atime: m}
		if r.Intn(3) == 0 {
			e.Ctime = m + r.Int63n(1e13)
		}
		ents = append(ents, e)
	}
	slices.SortFunc(ents, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	return ents
}

func BenchmarkDecode(b *testing.B) {
	ents := benchEntries(256)
	for _, c := range modes {
		b.Run(c.String(), func(b *testing.B) {
			blk, _ := Encode(nil, ents, Options{Compression: c})
			var d Block
			b.SetBytes(int64(len(blk)))
			b.ReportAllocs()
			b.ReportMetric(float64(len(blk))/float64(len(ents)), "B/entry")
			for b.Loop() {
				if err := d.DecodeInto(blk); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncode(b *testing.B) {
	ents := benchEntries(256)
	for _, c := range modes {
		b.Run(c.String(), func(b *testing.B) {
			var dst []byte
			b.ReportAllocs()
			for b.Loop() {
				dst, _ = Encode(dst[:0], ents, Options{Compression: c})
			}
		})
	}
}

func BenchmarkFind(b *testing.B) {
	ents := benchEntries(256)
	blk, _ := Encode(nil, ents, Options{})
	d, err := Decode(blk)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e := &ents[i%len(ents)]
		if _, ok := d.Find(e.Dir, e.Name); !ok {
			b.Fatal("not found")
		}
		i += 97
	}
}

// checkLookups checks Lookup and LookupIno on block b against its decoded
// form blk, for every entry and a few absent ones.
func checkLookups(t testing.TB, b []byte, blk *Block) { checkLookupsN(t, b, blk, 0) }

// checkLookupsN is checkLookups for at most about limit entries spread over
// the block (0: all); each lookup decodes the whole block, so checking all
// of a large block is quadratic (the fuzzer finds blocks of 64k entries).
func checkLookupsN(t testing.TB, b []byte, blk *Block, limit int) {
	t.Helper()
	s := Block{Dict: blk.Dict}
	seen := map[uint64]bool{}
	stride := 1
	if limit > 0 && blk.Len() > limit {
		stride = blk.Len() / limit
	}
	for i := 0; i < blk.Len(); i += stride {
		want := blk.Entry(i)
		got, ok, err := s.Lookup(b, want.Dir, want.Name)
		if err != nil || !ok || !equalEntry(got, want) {
			t.Fatalf("Lookup(%d, %q) = %+v, %v, %v; want %+v", want.Dir, want.Name, got, ok, err, want)
		}
		for _, nm := range []string{want.Name + "\x00", want.Name[:len(want.Name)-1]} {
			_, wok := blk.Find(want.Dir, nm)
			if _, ok, err := s.Lookup(b, want.Dir, nm); err != nil || ok != wok {
				t.Fatalf("Lookup(%d, %q): %v, %v; want %v", want.Dir, nm, ok, err, wok)
			}
		}
		if _, ok, err := s.Lookup(b, want.Dir+1, want.Name); err != nil || ok != (blk.mustFind(want.Dir+1, want.Name)) {
			t.Fatalf("Lookup in the next directory: %v, %v", ok, err)
		}
		if !want.Link && !seen[want.Ino] {
			seen[want.Ino] = true
			got, ok, err := s.LookupIno(b, want.Ino)
			if err != nil || !ok || !equalEntry(got, want) {
				t.Fatalf("LookupIno(%d) = %+v, %v, %v; want %+v", want.Ino, got, ok, err, want)
			}
		}
		if s.Len() != 0 {
			t.Fatal("Lookup left entries in its block")
		}
	}
	for _, ino := range []uint64{0, 1, math.MaxUint64} {
		want := -1
		for i := 0; i < blk.Len(); i++ {
			if e := blk.Entry(i); e.Ino == ino && !e.Link {
				want = i
				break
			}
		}
		if _, ok, err := s.LookupIno(b, ino); err != nil || ok != (want >= 0) {
			t.Fatalf("LookupIno(%d): %v, %v; want %v", ino, ok, err, want >= 0)
		}
	}
}

func (blk *Block) mustFind(dir uint64, name string) bool {
	_, ok := blk.Find(dir, name)
	return ok
}

func TestLookup(t *testing.T) {
	r := rand.New(rand.NewSource(10))
	for it := 0; it < 200; it++ {
		ents := genEntries(r, randShape(r))
		b, err := Encode(nil, ents, Options{Compression: modes[it%len(modes)]})
		if err != nil {
			t.Fatal(err)
		}
		blk, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		checkLookups(t, b, blk)
	}
}

func BenchmarkLookup(b *testing.B) {
	ents := benchEntries(256)
	for _, c := range modes {
		b.Run(c.String(), func(b *testing.B) {
			blk, _ := Encode(nil, ents, Options{Compression: c})
			var s Block
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				e := &ents[i%len(ents)]
				if _, ok, err := s.Lookup(blk, e.Dir, e.Name); !ok || err != nil {
					b.Fatal(ok, err)
				}
				i += 97
			}
		})
	}
}
