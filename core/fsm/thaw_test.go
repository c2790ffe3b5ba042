package fsm

import (
	"strconv"
	"strings"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/core/tree"
)

// TestThawOutOfMemory: a change in a cold directory when the arena has no
// room left to thaw it fails with ENOSPC (it used to crash the process),
// and the tree is intact: fsck passes and the cold directory still reads.
func TestThawOutOfMemory(t *testing.T) {
	// the directory cold whole: thawing 5,000 entries cannot fit
	t.Run("whole", func(t *testing.T) { thawOutOfMemory(t, tree.CompactOptions{All: true, MaxDir: 1 << 20}, true) })
	// cold by runs: a change thaws ~32 entries, which may still fit
	t.Run("runs", func(t *testing.T) { thawOutOfMemory(t, tree.CompactOptions{All: true}, false) })
}

func thawOutOfMemory(t *testing.T, co tree.CompactOptions, mustFail bool) {
	tr, err := tree.New(tree.Options{ArenaMaxBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	now := int64(1_700_000_000_000_000_000)
	op := func(o Op) Result {
		now += 1000
		o.Now = now
		return Apply(tr, &o)
	}
	cold := op(Op{Code: OpMkdir, Ino: uint64(meta.RootIno), Name: "cold", Mode: 0o755})
	fill := op(Op{Code: OpMkdir, Ino: uint64(meta.RootIno), Name: "fill", Mode: 0o755})
	if cold.Errno != 0 || fill.Errno != 0 {
		t.Fatal(cold.Errno, fill.Errno)
	}
	for i := 0; i < 5000; i++ {
		if r := op(Op{Code: OpMknod, Ino: uint64(cold.Attr.Ino), Name: "f" + strconv.Itoa(i), Mode: meta.S_IFREG | 0o644}); r.Errno != 0 {
			t.Fatal(r.Errno)
		}
	}
	tr.Compact(co, nil)
	if st := tr.Stats(); st.ColdEntries == 0 || (st.ColdRuns == 0) == !mustFail {
		t.Fatalf("nothing cold, or not in the expected form: %+v", st)
	}
	// fill the arena (long names: fewer records to fill it)
	long := strings.Repeat("n", 240)
	for i := 0; ; i++ {
		r := op(Op{Code: OpMknod, Ino: uint64(fill.Attr.Ino), Name: long + strconv.Itoa(i), Mode: meta.S_IFREG | 0o644})
		if r.Errno == meta.ENOSPC {
			break
		}
		if r.Errno != 0 || i > 10_000_000 {
			t.Fatalf("filling: %v after %d", r.Errno, i)
		}
	}
	r := op(Op{Code: OpMknod, Ino: uint64(cold.Attr.Ino), Name: "one-more", Mode: meta.S_IFREG | 0o644})
	if r.Errno != meta.ENOSPC && (mustFail || r.Errno != 0) {
		t.Fatalf("create in a cold directory with a full arena: %v, want ENOSPC", r.Errno)
	}
	done := r.Errno == 0
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	if _, e := tr.Lookup(meta.RootCaller, cold.Attr.Ino, "f4321"); e != 0 {
		t.Fatalf("cold lookup after the failed change: %v", e)
	}
	// the tree is still usable: room made, the change goes through
	for i := 0; i < 20000; i++ {
		if r := op(Op{Code: OpUnlink, Ino: uint64(fill.Attr.Ino), Name: long + strconv.Itoa(i)}); r.Errno != 0 {
			t.Fatal(r.Errno)
		}
	}
	if r := op(Op{Code: OpMknod, Ino: uint64(cold.Attr.Ino), Name: "one-more", Mode: meta.S_IFREG | 0o644}); r.Errno != 0 && !(done && r.Errno == meta.EEXIST) {
		t.Fatalf("after freeing room: %v", r.Errno)
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
}
