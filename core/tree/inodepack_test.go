package tree

import (
	"bytes"
	"math/rand"
	"slices"
	"testing"
	"unsafe"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/meta"
)

// packPattern makes a page's slots the way a cold tree leaves them: runs of
// one row (groups), runs of rows of one handle in any order (large
// directories), hot records and empty slots scattered, by mix.
func packPattern(r *rand.Rand, mix int) []arena.Ref {
	vals := make([]arena.Ref, pageSlots)
	for i := 0; i < pageSlots; {
		n := 1 + r.Intn(200)
		switch k := r.Intn(4 + mix); {
		case k == 0: // a group's row
			v := arena.Ref(r.Uint32())
			for j := i; j < i+n && j < pageSlots; j++ {
				vals[j] = v
			}
		case k == 1: // a large directory's rows
			base, rows := arena.Ref(r.Uint32()>>1), 1+r.Intn(400)
			for j := i; j < i+n && j < pageSlots; j++ {
				vals[j] = base + arena.Ref(3*r.Intn(rows))
			}
		case k == 2: // deleted inodes
		case k == 3: // hot records
			for j := i; j < i+n && j < pageSlots; j++ {
				vals[j] = arena.Ref(r.Uint32())
			}
		default: // a group with a few hot records and holes in it
			v := arena.Ref(r.Uint32())
			for j := i; j < i+n && j < pageSlots; j++ {
				switch r.Intn(12) {
				case 0:
					vals[j] = arena.Ref(r.Uint32())
				case 1:
					vals[j] = 0
				default:
					vals[j] = v
				}
			}
		}
		i += n
	}
	return vals
}

// roundTrip packs vals into memory of a tree's arena and reads it back
// by slot and whole.
func roundTrip(t *testing.T, tr *Tree, vals []arena.Ref) int {
	pk := packPage(vals)
	n := pk.size()
	r, err := tr.a.Alloc(n, arena.PInodeTable)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.a.Free(r, n, arena.PInodeTable)
	pk.write(tr.a.Ptr(r))
	got := make([]arena.Ref, pageSlots)
	tr.unpackInto(r, got)
	if !slices.Equal(got, vals) {
		for i := range got {
			if got[i] != vals[i] {
				t.Fatalf("slot %d: unpacked %d, want %d", i, got[i], vals[i])
			}
		}
	}
	for i := uint32(0); i < pageSlots; i += 1 + uint32(i%7) {
		if v := tr.packedGet(r, i); v != vals[i] {
			t.Fatalf("slot %d: got %d, want %d", i, v, vals[i])
		}
	}
	return n
}

// TestPackPageRoundTrip: packing is lossless whatever the values, and
// small for the patterns of a cold tree.
func TestPackPageRoundTrip(t *testing.T) {
	tr, err := New(Options{ArenaMaxBytes: 1 << 28})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 200; i++ {
		roundTrip(t, tr, packPattern(r, i%5))
	}
	// edge cases: all zero, all equal, one handle's rows, all distinct
	same := make([]arena.Ref, pageSlots)
	if n := roundTrip(t, tr, same); n > packHdr+64 {
		t.Errorf("an empty page packs into %d bytes", n)
	}
	for i := range same {
		same[i] = 777
	}
	roundTrip(t, tr, same)
	rows := make([]arena.Ref, pageSlots)
	for i := range rows {
		rows[i] = 1000 + arena.Ref(3*r.Intn(256))
	}
	if n := roundTrip(t, tr, rows); n > packHdr+pageSlots+256 {
		t.Errorf("one handle's rows pack into %d bytes", n)
	}
	for i := range rows {
		rows[i] = arena.Ref(r.Uint32())
	}
	roundTrip(t, tr, rows)
	for i := range rows {
		rows[i] = 3 + arena.Ref(3*r.Intn(60000)) // wide indexes
	}
	roundTrip(t, tr, rows)
}

// FuzzPackPage: any slot values round-trip.
func FuzzPackPage(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0}, int64(1))
	f.Add([]byte{1, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0}, int64(2))
	tr, err := New(Options{ArenaMaxBytes: 1 << 28})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pattern []byte, seed int64) {
		if len(pattern) < 4 {
			return
		}
		// the pattern repeats with offsets drawn from seed
		r := rand.New(rand.NewSource(seed))
		vals := make([]arena.Ref, pageSlots)
		src := unsafe.Slice((*uint32)(unsafe.Pointer(&pattern[0])), len(pattern)/4)
		add := arena.Ref(0)
		for i := range vals {
			if i%len(src) == 0 && r.Intn(3) == 0 {
				add = arena.Ref(3 * r.Intn(100))
			}
			vals[i] = arena.Ref(src[i%len(src)]) + add
		}
		roundTrip(t, tr, vals)
	})
}

// TestPackedInodePages: with all directories cold, a pass packs the full
// pages of the inode table; reads through them answer as before, changes
// unpack what they touch, fsck passes throughout, and a snapshot is the
// same.
func TestPackedInodePages(t *testing.T) {
	// ~50k inodes: the first page full of large directories' files, the
	// next ones of small directories
	tr, dirs := smallDirsTreeAfter(t, 3, 5000)
	defer tr.Close()
	want := snapshotBytes(t, tr)
	before := tr.Stats().Arena.ByPurpose[arena.PInodeTable]
	testPackLog = func(p, n int) { t.Logf("page %d packs into %d bytes", p, n) }
	defer func() { testPackLog = nil }()
	tr.Compact(CompactOptions{All: true}, nil)
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	packed := 0
	for _, pg := range tr.pages {
		if pg.packed != 0 {
			packed++
		}
	}
	after := tr.Stats().Arena.ByPurpose[arena.PInodeTable]
	t.Logf("%d pages packed; inode table %d -> %d bytes", packed, before, after)
	if packed == 0 {
		t.Fatal("no page packed")
	}
	if got := snapshotBytes(t, tr); !bytes.Equal(got, want) {
		t.Fatal("snapshot differs after packing")
	}
	// reads by inode through packed pages
	for _, d := range dirs[:2000] {
		l, _, e := tr.ReadDir(meta.RootCaller, d, 0, 100, true, nil)
		if e != 0 {
			t.Fatal(e)
		}
		for _, de := range l {
			if a, e := tr.GetAttr(meta.RootCaller, de.Ino); e != 0 || a != de.Attr {
				t.Fatalf("getattr %d: %v", de.Ino, e)
			}
		}
	}
	// changes unpack; fsck after each kind
	if _, e := tr.Mknod(meta.RootCaller, 3, dirs[5], "new", 0o644, 0); e != 0 {
		t.Fatal(e)
	}
	if e := tr.Unlink(meta.RootCaller, 4, dirs[7], "f0"); e != 0 {
		t.Fatal(e)
	}
	if e := tr.Rename(meta.RootCaller, 5, dirs[9], "f0", dirs[10], "a-much-longer-name-than-before", 0); e != 0 {
		t.Fatal(e)
	}
	if _, e := tr.SetAttr(meta.RootCaller, 6, dirs[11], meta.SetMode, &meta.SetAttrIn{Mode: 0o700}); e != 0 {
		t.Fatal(e)
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	// pack again, then change everything back to hot
	tr.Compact(CompactOptions{All: true}, nil)
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if _, e := tr.Mknod(meta.RootCaller, 7, d, "x", 0o644, 0); e != 0 {
			t.Fatal(e)
		}
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
}
