package tree

import (
	"bytes"
	"math/rand"
	"strconv"
	"testing"
	"time"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/meta"
)

// packTree makes a tree of 300 small directories (groups), one of 600
// entries (a handle of several blocks) and one of 3,000 (runs, with
// MaxDir 1024), with data maps; it returns the directories' inodes.
func packTree(t *testing.T) (*Tree, []meta.Ino) {
	tr, err := New(Options{ArenaMaxBytes: 1 << 30, RootTime: 5})
	if err != nil {
		t.Fatal(err)
	}
	now := int64(1_700_000_000_000_000_000)
	var dirs []meta.Ino
	for d := 0; d < 302; d++ {
		a, e := tr.Mkdir(meta.RootCaller, now, meta.RootIno, "d"+strconv.Itoa(d), 0o755)
		if e != 0 {
			t.Fatal(e)
		}
		dirs = append(dirs, a.Ino)
		n := 1 + d%6
		switch d {
		case 300:
			n = 600
		case 301:
			n = 3000
		}
		for i := 0; i < n; i++ {
			f, e := tr.Mknod(meta.RootCaller, now+int64(i)*7919, a.Ino, packName(d, i), meta.S_IFREG|0o644, 0)
			if e != 0 {
				t.Fatal(e)
			}
			if i%4 == 0 {
				for k := uint32(0); k < 3; k++ {
					tr.WriteSlice(meta.RootCaller, now, f.Ino, 0, meta.Slice{ID: uint64(i*3) + uint64(k) + 1, Pos: k * 100, Size: 100, Len: 100})
				}
			}
		}
	}
	return tr, dirs
}

// packName is file i's name in directory d: random-looking, so that
// blocks take room.
func packName(d, i int) string {
	h := uint64(d)<<32 | uint64(i)
	h = (h ^ h>>31) * 0x9e3779b97f4a7c15
	return "file-" + strconv.Itoa(i) + "-" + strconv.FormatUint(h, 36) + ".dat"
}

// TestColdPacks: blocks go into packs back to back; thaws leave packs
// sparse, and compaction steps move their blocks into the current pack
// and free them, until the packs hold little more than the blocks. fsck
// checks every block's header and every pack's count after every step,
// and the tree ends equal to a twin that never went cold.
func TestColdPacks(t *testing.T) {
	tr, dirs := packTree(t)
	defer tr.Close()
	twin, _ := packTree(t)
	defer twin.Close()
	compactAll := func() {
		for i := 0; ; i++ {
			st := tr.CompactStep(CompactOptions{All: true, Budget: 400, MaxDir: 1024})
			if err := tr.Fsck(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if st.Done && len(tr.sparsePacks) == 0 {
				return
			}
			if i > 10000 {
				t.Fatal("compaction does not end")
			}
		}
	}
	compactAll()
	s := tr.Stats()
	packs, live := tr.packStats()
	t.Logf("%d cold entries, %d bytes exact, %d packs with %d live bytes, arena cold %d", s.ColdEntries, s.ColdBytes, packs, live,
		s.Arena.ByPurpose[arena.PCold])
	if packs < 2 || s.Arena.ByPurpose[arena.PCold] > s.ColdBytes*11/10+packSize {
		t.Fatalf("%d packs, cold arena %d for %d bytes", packs, s.Arena.ByPurpose[arena.PCold], s.ColdBytes)
	}
	// thaw most of everything: setattrs in random directories (and in
	// many runs of the two large ones)
	rng := rand.New(rand.NewSource(2))
	now := int64(1_800_000_000_000_000_000)
	totalMoved := 0
	for round := 0; round < 3; round++ {
		for _, x := range []*Tree{tr, twin} {
			r := rand.New(rand.NewSource(int64(round)))
			for k := 0; k < 1500; k++ {
				di := r.Intn(len(dirs))
				d := dirs[di]
				name := packName(di, 0)
				if di >= 300 {
					name = packName(di, r.Intn(600))
				}
				a, e := x.Lookup(meta.RootCaller, d, name)
				if e != 0 {
					t.Fatal(e)
				}
				if _, e := x.SetAttr(meta.RootCaller, now, a.Ino, meta.SetMode, &meta.SetAttrIn{Mode: 0o600}); e != 0 {
					t.Fatal(e)
				}
			}
		}
		if err := tr.Fsck(); err != nil {
			t.Fatal(err)
		}
		sparse := len(tr.sparsePacks)
		moved := 0
		for i := 0; ; i++ {
			st := tr.CompactStep(CompactOptions{Budget: 50 + rng.Intn(400), MaxDir: 1024})
			moved += st.Moved
			if err := tr.Fsck(); err != nil {
				t.Fatalf("round %d step %d: %v", round, i, err)
			}
			if st.Done && len(tr.sparsePacks) == 0 {
				break
			}
		}
		totalMoved += moved
		compactAll()
		packs, live := tr.packStats()
		s := tr.Stats()
		t.Logf("round %d: %d sparse packs, %d bytes moved; now %d packs, %d live, arena cold %d for %d exact", round, sparse, moved,
			packs, live, s.Arena.ByPurpose[arena.PCold], s.ColdBytes)
		if s.Arena.ByPurpose[arena.PCold] > s.ColdBytes*2+2*packSize {
			t.Fatalf("round %d: packs not compacted", round)
		}
	}
	if totalMoved == 0 {
		t.Fatal("no pack was left sparse: the test thaws too little")
	}
	if !bytes.Equal(snapBytes(t, tr), snapBytes(t, twin)) {
		t.Fatal("the tree differs from its twin")
	}
}

// lockedPackTree returns an empty tree, write-locked, with one cold row
// allocated for blocks to name.
func lockedPackTree(t *testing.T) (*Tree, arena.Ref) {
	tr, err := New(Options{ArenaMaxBytes: 1 << 28})
	if err != nil {
		t.Fatal(err)
	}
	tr.mu.lock()
	row, err := tr.a.Alloc(coldRow, arena.PCold)
	if err != nil {
		t.Fatal(err)
	}
	return tr, row
}

// TestPackEmptiedWhileCurrent: a pack whose blocks are all freed while it
// is the current one is freed when the next pack replaces it (it once sat
// in the queue of sparse packs with nothing to move, and movePacks looped
// on it).
func TestPackEmptiedWhileCurrent(t *testing.T) {
	tr, row := lockedPackTree(t)
	defer tr.Close()
	defer tr.mu.unlock()
	var refs []arena.Ref
	for len(refs) == 0 || tr.packUsed+packSpan(4000) <= packSize {
		r, err := tr.allocBlock(4000, row)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	first := tr.pack
	for _, r := range refs {
		tr.freeBlock(r, 4000)
	}
	if tr.packs[first] == nil || tr.packs[first].live != 0 {
		t.Fatal("the current pack should stay, empty")
	}
	if _, err := tr.allocBlock(4000, row); err != nil { // does not fit: a new pack
		t.Fatal(err)
	}
	if tr.pack == first || tr.packs[first] != nil {
		t.Fatalf("the emptied pack was kept (%d packs)", len(tr.packs))
	}
	done := make(chan struct{})
	go func() {
		tr.movePacks(1 << 20)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("movePacks does not return")
	}
}

// TestPackPinnedHandle: a handle in a pack is never moved; a sparse pack
// gives up its blocks to the current pack and stays for its handle, and is
// freed with it.
func TestPackPinnedHandle(t *testing.T) {
	tr, row := lockedPackTree(t)
	defer tr.Close()
	defer tr.mu.unlock()
	hr, err := tr.allocHandle(1000)
	if err != nil {
		t.Fatal(err)
	}
	first, pi := tr.packOf(hr)
	if pi == nil {
		t.Fatal("a handle of 1,000 bytes is not in a pack")
	}
	if small, err := tr.allocHandle(packMinHandle); err != nil {
		t.Fatal(err)
	} else if _, pi := tr.packOf(small); pi != nil {
		t.Fatal("a small handle went into a pack")
	}
	var refs []arena.Ref
	for tr.pack == first {
		r, err := tr.allocBlock(3000, row)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	kept := refs[0] // a block of the first pack
	for _, r := range refs[1 : len(refs)-1] {
		tr.freeBlock(r, 3000)
	}
	tr.row(row).ref = kept
	tr.row(row).n = 3000
	if len(tr.sparsePacks) != 1 {
		t.Fatalf("%d sparse packs, want 1", len(tr.sparsePacks))
	}
	moved, left := tr.movePacks(1 << 20)
	if moved != packSpan(3000) || left {
		t.Fatalf("moved %d bytes (left %v), want one block", moved, left)
	}
	if tr.packs[first] == nil || tr.packs[first].live != int32(packSpan(1000)) {
		t.Fatal("the pack of the handle went, or holds more than the handle")
	}
	if _, pi := tr.packOf(tr.row(row).ref); pi == nil || tr.row(row).ref == kept {
		t.Fatal("the block was not moved into the current pack")
	}
	tr.freeHandle(hr, 1000)
	if tr.packs[first] != nil {
		t.Fatal("the pack was kept after its handle went")
	}
}
