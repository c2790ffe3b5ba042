package tree

import (
	"bytes"
	"slices"
	"strconv"
	"testing"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/compact"
	"github.com/fsmeta/fsmeta/core/meta"
)

// The tree's tests make the blocks' dictionary after a few blocks (the
// default waits for 64 KiB of samples), so that most of their blocks use it.
func init() { dictSample = compact.MinDictSize }

// TestColdRoundTrip: compacting every directory keeps the state (snapshot
// bytes, fsck), reads answer the same from the cold form, and changes thaw
// what they touch.
func TestColdRoundTrip(t *testing.T) {
	tr := richTree(t, 3000)
	defer tr.Close()
	var want bytes.Buffer
	if _, err := tr.WriteSnapshot(&want); err != nil {
		t.Fatal(err)
	}
	big, _ := tr.Resolve(meta.RootCaller, "/data/big", true)
	hotList, _, e := tr.ReadDir(meta.RootCaller, big.Ino, 0, 1<<20, true, nil)
	if e != 0 {
		t.Fatal(e)
	}
	// data maps and symlink targets, read hot, to compare with the cold reads
	type chunkKey struct {
		ino   meta.Ino
		chunk uint32
	}
	hotChunks := map[chunkKey][]meta.Slice{}
	for _, de := range hotList {
		for k := uint32(0); k < 3; k++ {
			sl, e := tr.ReadChunk(meta.RootCaller, de.Ino, k)
			if e != 0 {
				t.Fatal(e)
			}
			hotChunks[chunkKey{de.Ino, k}] = sl
		}
	}
	link, _ := tr.Resolve(meta.RootCaller, "/data/sub\xff\xfe/link", false)
	hotTarget, _ := tr.Readlink(meta.RootCaller, link.Ino)
	blobs := tr.Stats().Arena.ByPurpose[arena.PChunks]
	st := tr.Compact(CompactOptions{All: true}, nil)
	if st.Dirs == 0 || tr.Stats().ColdEntries == 0 {
		t.Fatalf("nothing compacted: %+v", st)
	}
	if tr.Stats().ColdDict == 0 {
		t.Fatal("no dictionary made")
	}
	t.Logf("compacted %d dirs, %d entries; arena %+v", st.Dirs, st.Entries, tr.Stats().Arena.ByPurpose)
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if _, err := tr.WriteSnapshot(&got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want.Bytes(), got.Bytes()) {
		t.Fatal("the cold form's snapshot differs from the hot form's")
	}
	// the data maps and the target went into the blocks (the detached
	// file's map stays: it is in no directory)
	by := tr.Stats().Arena.ByPurpose
	if by[arena.PSymlink] != 0 || by[arena.PChunks]*10 > blobs {
		t.Errorf("after compaction: symlinks %d bytes, chunks %d bytes (%d before)", by[arena.PSymlink], by[arena.PChunks], blobs)
	}
	for k, want := range hotChunks {
		got, e := tr.ReadChunk(meta.RootCaller, k.ino, k.chunk)
		if e != 0 || !slices.Equal(got, want) {
			t.Fatalf("cold read_chunk %v: %v %v, want %v", k, e, got, want)
		}
	}
	if got, e := tr.Readlink(meta.RootCaller, link.Ino); e != 0 || got != hotTarget || got == "" {
		t.Fatalf("cold readlink: %v %q, want %q", e, got, hotTarget)
	}
	coldList, _, e := tr.ReadDir(meta.RootCaller, big.Ino, 0, 1<<20, true, nil)
	if e != 0 || len(coldList) != len(hotList) {
		t.Fatalf("cold listing: %v, %d entries, hot %d", e, len(coldList), len(hotList))
	}
	for i := range hotList {
		if hotList[i] != coldList[i] {
			t.Fatalf("entry %d: hot %+v cold %+v", i, hotList[i], coldList[i])
		}
	}
	// paged listing over the cold form gives the same sequence
	var paged []meta.DirEntry
	cur := uint64(0)
	for {
		var next uint64
		paged, next, e = tr.ReadDir(meta.RootCaller, big.Ino, cur, 7, false, paged)
		if e != 0 {
			t.Fatal(e)
		}
		if next == 0 {
			break
		}
		cur = next
	}
	if len(paged) != len(hotList) {
		t.Fatalf("paged cold listing: %d entries, want %d", len(paged), len(hotList))
	}
	for _, de := range hotList[:50] {
		a, e := tr.Lookup(meta.RootCaller, big.Ino, de.Name)
		if e != 0 || a != de.Attr {
			t.Fatalf("cold lookup %q: %v %+v, want %+v", de.Name, e, a, de.Attr)
		}
		g, e := tr.GetAttr(meta.RootCaller, de.Ino)
		if e != 0 || g != de.Attr {
			t.Fatalf("cold getattr %d: %v", de.Ino, e)
		}
	}
	if a, e := tr.Resolve(meta.RootCaller, "/data/big/"+hotList[3].Name, true); e != 0 || a.Ino != hotList[3].Ino {
		t.Fatalf("resolve through cold dirs: %v", e)
	}
	// a change thaws the directory it touches
	if _, e := tr.Mknod(meta.RootCaller, 99, big.Ino, "new-after-cold", 0o644, 0); e != 0 {
		t.Fatal(e)
	}
	if e := tr.Unlink(meta.RootCaller, 100, big.Ino, hotList[0].Name); e != 0 {
		t.Fatal(e)
	}
	if _, e := tr.SetAttr(meta.RootCaller, 101, hotList[5].Ino, meta.SetMode, &meta.SetAttrIn{Mode: 0o600}); e != 0 {
		t.Fatal(e)
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	// compact again, restore from the snapshot: equal states
	tr.Compact(CompactOptions{All: true}, nil)
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	var s2 bytes.Buffer
	tr.WriteSnapshot(&s2)
	back, err := ReadSnapshot(bytes.NewReader(s2.Bytes()), Options{ArenaMaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	a, _ := tr.Checksum()
	b, _ := back.Checksum()
	if a != b {
		t.Fatal("restore of a mostly cold tree differs")
	}
}

// FuzzExtraBytes: a malformed Extra (only a corrupt block can hold one,
// and its checksum catches that first) gives false, never a panic, and a
// data map that decodes has the size its counts say.
func FuzzExtraBytes(f *testing.F) {
	f.Add(uint64(7), []byte{extraDataMap, 0, 1, sliceAtZero | sliceSize, 10, 10})
	f.Add(uint64(100), []byte{extraDataMap, 2, 3, 1, 0, 2, 1, sliceAtZero, 5, sliceAtEnd | sliceID, 5, 4, sliceAtZero | sliceOff, 3, 5})
	f.Add(uint64(0), []byte{extraSymlink, 'a', '/', 'b'})
	f.Fuzz(func(t *testing.T, data uint64, x []byte) {
		b, p, ok := extraBytes(x, data)
		if !ok {
			return
		}
		switch p {
		case arena.PSymlink:
			if len(b) != len(x)-1 {
				t.Fatalf("target of %d bytes from %d", len(b), len(x))
			}
		case arena.PChunks:
			nc := int(b[0]) | int(b[1])<<8 | int(b[2])<<16 | int(b[3])<<24
			ns := int(b[4]) | int(b[5])<<8 | int(b[6])<<16 | int(b[7])<<24
			if len(b) != blobSize(nc, ns) || ns == 0 || nc > ns {
				t.Fatalf("data map of %d bytes for %d chunks, %d slices", len(b), nc, ns)
			}
		default:
			t.Fatalf("purpose %v", p)
		}
	})
}

// TestCompactIdlePasses: an idle engine's passes cost nothing (a pass after
// one that found nothing changed is skipped), and a change makes the next
// passes run again until the changed directory is cold.
func TestCompactIdlePasses(t *testing.T) {
	tr := richTree(t, 300)
	defer tr.Close()
	pass := func() CompactStats {
		var total CompactStats
		for {
			st := tr.CompactStep(CompactOptions{})
			total.Dirs += st.Dirs
			total.Entries += st.Entries
			if st.Done {
				return total
			}
		}
	}
	// changes before the first pass are not tracked: it freezes everything
	if st := pass(); st.Dirs == 0 {
		t.Fatal("the first pass froze nothing")
	}
	cold := tr.Stats().ColdDirs
	for i := 0; i < 3; i++ {
		pass()
	}
	if !tr.passDone || tr.passDirty || tr.passBusy {
		t.Fatalf("idle: done %v dirty %v busy %v", tr.passDone, tr.passDirty, tr.passBusy)
	}
	if st := tr.CompactStep(CompactOptions{}); !st.Done || st.Dirs != 0 || tr.compactCursor != 0 {
		t.Fatalf("an idle pass did work: %+v cursor %d", st, tr.compactCursor)
	}
	big, _ := tr.Resolve(meta.RootCaller, "/data/big", true)
	if _, e := tr.Mknod(meta.RootCaller, 1, big.Ino, "after-idle", 0o644, 0); e != 0 {
		t.Fatal(e)
	}
	if tr.Stats().ColdDirs >= cold {
		t.Fatal("the change did not thaw /data/big")
	}
	pass() // /data/big is recent: skipped, the pass is marked busy
	pass() // now it freezes
	if got := tr.Stats().ColdDirs; got != cold {
		t.Fatalf("cold dirs %d after the change and two passes, want %d", got, cold)
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
}

// smallDirsTree makes a tree of many small directories, nested (so a
// group may hold a directory and its parent), with hard links across
// them, symlinks and files with data maps.
func smallDirsTree(t testing.TB, n int) (*Tree, []meta.Ino) { return smallDirsTreeAfter(t, 0, n) }

// smallDirsTreeAfter is smallDirsTree after bigs directories of 8,000
// files each (the largest the compactor freezes by default).
func smallDirsTreeAfter(t testing.TB, bigs, n int) (*Tree, []meta.Ino) {
	tr, err := New(Options{ArenaMaxBytes: 1 << 30, RootTime: 5})
	if err != nil {
		t.Fatal(err)
	}
	now := int64(1_700_000_000_000_000_000)
	tick := func() int64 { now += 1_000_003; return now }
	must := func(e meta.Errno) {
		t.Helper()
		if e != 0 {
			t.Fatal(e)
		}
	}
	for b := 0; b < bigs; b++ {
		big, e := tr.Mkdir(meta.RootCaller, tick(), meta.RootIno, "big"+strconv.Itoa(b), 0o755)
		must(e)
		for i := 0; i < 8000; i++ {
			_, e := tr.Mknod(meta.RootCaller, tick(), big.Ino, "f"+strconv.Itoa(i), 0o644, 0)
			must(e)
		}
	}
	top, e := tr.Mkdir(meta.RootCaller, tick(), meta.RootIno, "top", 0o755)
	must(e)
	var dirs []meta.Ino
	parent := top.Ino
	for i := 0; i < n; i++ {
		if i%5 == 0 {
			parent = top.Ino
		}
		d, e := tr.Mkdir(meta.RootCaller, tick(), parent, "d"+strconv.Itoa(i), 0o755)
		must(e)
		dirs = append(dirs, d.Ino)
		for k := 0; k < 1+i%7; k++ {
			f, e := tr.Mknod(meta.RootCaller, tick(), d.Ino, "f"+strconv.Itoa(k), 0o644, 0)
			must(e)
			if k == 1 {
				_, e = tr.WriteSlice(meta.RootCaller, tick(), f.Ino, 1, meta.Slice{ID: uint64(i*10 + k + 1), Size: 100, Len: 100})
				must(e)
			}
			if k == 2 && i > 0 {
				_, e = tr.Link(meta.RootCaller, tick(), f.Ino, dirs[i-1], "link"+strconv.Itoa(i))
				must(e)
			}
		}
		if i%3 == 0 {
			_, e = tr.Symlink(meta.RootCaller, tick(), d.Ino, "sym", "../d"+strconv.Itoa(i))
			must(e)
		}
		parent = d.Ino // the next one nests in this one
	}
	return tr, dirs
}

// TestColdGroups: small directories share blocks; reads answer from them
// as from the hot form; a change thaws one member and leaves the others
// cold; the block goes when its last member thaws.
func TestColdGroups(t *testing.T) {
	tr, dirs := smallDirsTree(t, 400)
	defer tr.Close()
	want := snapshotBytes(t, tr)
	hot := map[meta.Ino][]meta.DirEntry{}
	for _, d := range dirs {
		l, _, e := tr.ReadDir(meta.RootCaller, d, 0, 1<<20, true, nil)
		if e != 0 {
			t.Fatal(e)
		}
		hot[d] = l
	}
	st := tr.Compact(CompactOptions{All: true}, nil)
	s := tr.Stats()
	if s.ColdGroups == 0 || s.ColdDirs < uint64(len(dirs)) {
		t.Fatalf("compacted %+v: %d groups, %d cold dirs", st, s.ColdGroups, s.ColdDirs)
	}
	t.Logf("%d dirs cold in %d groups; %d bytes of blocks for %d entries", s.ColdDirs, s.ColdGroups, s.ColdBytes, s.ColdEntries)
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, snapshotBytes(t, tr)) {
		t.Fatal("the grouped form's snapshot differs from the hot form's")
	}
	check := func() {
		t.Helper()
		for _, d := range dirs {
			l, _, e := tr.ReadDir(meta.RootCaller, d, 0, 1<<20, true, nil)
			if e != 0 || !slices.Equal(l, hot[d]) {
				t.Fatalf("dir %d: listing %v %v, want %v", d, e, l, hot[d])
			}
			for _, de := range l {
				a, e := tr.Lookup(meta.RootCaller, d, de.Name)
				if e != 0 || a != de.Attr {
					t.Fatalf("lookup %d/%q: %v %+v, want %+v", d, de.Name, e, a, de.Attr)
				}
				if g, e := tr.GetAttr(meta.RootCaller, de.Ino); e != 0 || g != de.Attr {
					t.Fatalf("getattr %d: %v %+v, want %+v", de.Ino, e, g, de.Attr)
				}
			}
			if _, e := tr.Lookup(meta.RootCaller, d, "absent"); e != meta.ENOENT {
				t.Fatalf("lookup of an absent name in %d: %v", d, e)
			}
		}
	}
	check()
	// thaw members one by one through different changes; the rest stay
	// cold and answer the same
	groups := s.ColdGroups
	for i, d := range dirs {
		switch i % 3 {
		case 0: // a new entry
			if _, e := tr.Mknod(meta.RootCaller, 7, d, "new", 0o644, 0); e != 0 {
				t.Fatal(e)
			}
			if e := tr.Unlink(meta.RootCaller, 8, d, "new"); e != 0 {
				t.Fatal(e)
			}
		case 1: // a change of a cold inode, found by its inode number
			if _, e := tr.SetAttr(meta.RootCaller, 9, hot[d][0].Ino, meta.SetMtime, &meta.SetAttrIn{Mtime: hot[d][0].Attr.Mtime}); e != 0 {
				t.Fatal(e)
			}
		case 2:
			continue
		}
		if i%50 == 0 {
			if err := tr.Fsck(); err != nil {
				t.Fatalf("after thawing %d members: %v", i, err)
			}
		}
	}
	// SetAttr changed the ctime: take the new attributes as expected
	for _, d := range dirs {
		l, _, _ := tr.ReadDir(meta.RootCaller, d, 0, 1<<20, true, nil)
		hot[d] = l
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	if g := tr.Stats().ColdGroups; g == 0 || g > groups {
		t.Fatalf("%d groups after thawing two thirds of the members (%d before)", g, groups)
	}
	check()
	// compact again (new groups beside the old), then thaw everything
	tr.Compact(CompactOptions{All: true}, nil)
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	check()
	for _, d := range dirs {
		if _, e := tr.Mknod(meta.RootCaller, 10, d, "x", 0o644, 0); e != 0 {
			t.Fatal(e)
		}
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	if s := tr.Stats(); s.ColdGroups != 0 {
		// the top directory and the root may stay cold alone
		t.Fatalf("%d groups left after every small directory thawed", s.ColdGroups)
	}
}
