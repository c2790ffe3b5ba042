package fsm

import (
	"bytes"
	"errors"
	"math/rand"
	"strconv"
	"testing"

	"github.com/hashicorp/raft"

	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/core/tree"
)

// randomOps makes n operations of every kind against a small namespace:
// the inode numbers they name are guesses (the tree hands out 2, 3, ...),
// so most hit, some fail: both kinds must replay identically.
func randomOps(seed int64, n int) []*Op {
	rng := rand.New(rand.NewSource(seed))
	now := int64(1_700_000_000_000_000_000)
	name := func() string { return "n" + strconv.Itoa(rng.Intn(12)) }
	ino := func() uint64 { return uint64(1 + rng.Intn(40)) }
	var ops []*Op
	for i := 0; i < n; i++ {
		now += int64(rng.Intn(1e9))
		o := &Op{Code: Code(1 + rng.Intn(int(numOps)-1)), Now: now, Ino: ino(), Ino2: ino(), Name: name(), Name2: name()}
		if rng.Intn(4) == 0 {
			o.Uid, o.Gid, o.Groups, o.Umask = 1000, 100, []uint32{5}, 0o022
		}
		switch o.Code {
		case OpMknod:
			o.Mode = []uint32{meta.S_IFREG, meta.S_IFIFO, meta.S_IFCHR}[rng.Intn(3)] | 0o644
			o.Flags = 0x801
		case OpMkdir, OpMkdirAll:
			o.Mode = 0o777
			if o.Code == OpMkdirAll {
				o.Name = "/" + name() + "/" + name()
			}
		case OpSetAttr:
			o.Mode = uint32(rng.Intn(1 << 10))
			o.Attr = meta.SetAttrIn{Mode: 0o755, Uid: 7, Size: uint64(rng.Intn(1 << 20)), Atime: 5, Mtime: 6, Ctime: 7}
		case OpRename:
			o.Flags = uint32(rng.Intn(3))
		case OpSetXattr, OpRemoveXattr:
			o.Name = "user." + name()
			o.Value = []byte(name())
		case OpFallocate:
			o.Mode = uint32(rng.Intn(4))
			o.Arg, o.Arg2 = uint64(rng.Intn(1<<27)), uint64(1+rng.Intn(1<<26))
		case OpOpenFile:
			o.Mode = uint32(rng.Intn(3))
		case OpNewSliceID:
			o.Arg = uint64(1 + rng.Intn(5))
		case OpWriteSlice, OpCompactChunk:
			o.Chunk = uint32(rng.Intn(2))
			o.Slice = meta.Slice{ID: uint64(1 + rng.Intn(100)), Size: 4096, Off: 0, Len: uint32(1 + rng.Intn(4096)), Pos: uint32(rng.Intn(1 << 20))}
		}
		ops = append(ops, o)
	}
	return ops
}

func newTree(t testing.TB) *tree.Tree {
	tr, err := tree.New(tree.Options{ArenaMaxBytes: 256 << 20, RootTime: 1})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// replay encodes ops into log entries of the given batch sizes, applies them
// through the FSM, and returns the results and the state's checksum.
func replay(t *testing.T, ops []*Op, batch func() int) ([]Result, uint64) {
	f := New(newTree(t), tree.Options{})
	defer f.Tree().Close()
	var res []Result
	var logs []*raft.Log
	for i := 0; i < len(ops); {
		n := min(batch(), len(ops)-i)
		data, err := EncodeBatch(ops[i : i+n])
		if err != nil {
			t.Fatal(err)
		}
		logs = append(logs, &raft.Log{Index: uint64(len(logs) + 1), Type: raft.LogCommand, Data: data})
		i += n
	}
	for i := 0; i < len(logs); {
		k := min(1+i%3, len(logs)-i) // raft hands batches of logs too
		for _, out := range f.ApplyBatch(logs[i : i+k]) {
			rs, ok := out.([]Result)
			if !ok {
				t.Fatalf("entry failed: %v", out)
			}
			res = append(res, rs...)
		}
		i += k
	}
	if err := f.Tree().Fsck(); err != nil {
		t.Fatal(err)
	}
	sum, err := f.Tree().Checksum()
	if err != nil {
		t.Fatal(err)
	}
	return res, sum
}

// TestDeterminism: the same operations, cut into log entries differently,
// give the same results and the same state.
func TestDeterminism(t *testing.T) {
	for seed := int64(0); seed < 20; seed++ {
		ops := randomOps(seed, 3000)
		rng := rand.New(rand.NewSource(seed))
		r1, s1 := replay(t, ops, func() int { return 1 })
		r2, s2 := replay(t, ops, func() int { return 1 + rng.Intn(64) })
		if s1 != s2 {
			t.Fatalf("seed %d: state checksums differ", seed)
		}
		for i := range r1 {
			if r1[i].Errno != r2[i].Errno || r1[i].Attr != r2[i].Attr || r1[i].ID != r2[i].ID {
				t.Fatalf("seed %d op %d (%v): %+v vs %+v", seed, i, ops[i].Code, r1[i], r2[i])
			}
		}
		ok := 0
		for _, r := range r1 {
			if r.Errno == 0 {
				ok++
			}
		}
		if ok < len(r1)/5 {
			t.Fatalf("seed %d: only %d of %d operations succeeded: the generator misses", seed, ok, len(r1))
		}
	}
}

func TestCodec(t *testing.T) {
	ops := randomOps(1, 200)
	b, err := EncodeBatch(ops)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeBatch(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ops {
		b1, _ := EncodeBatch([]*Op{ops[i]})
		b2, _ := EncodeBatch([]*Op{&back[i]})
		if !bytes.Equal(b1, b2) {
			t.Fatalf("op %d changed in a round trip: %+v vs %+v", i, *ops[i], back[i])
		}
	}
	bad := append([]byte{}, b...)
	bad[0] = 9
	var ve *VersionError
	if _, err := DecodeBatch(bad); !errors.As(err, &ve) || ve.Version != 9 {
		t.Fatalf("unknown version: %v", err)
	}
	for n := 0; n < len(b); n += 7 {
		if _, err := DecodeBatch(b[:n]); err == nil {
			t.Fatalf("truncated at %d: accepted", n)
		}
	}
}

// TestStopsOnCorruption: an entry that cannot be decoded stops the FSM:
// it and every later entry fail, nothing more is applied.
func TestStopsOnCorruption(t *testing.T) {
	f := New(newTree(t), tree.Options{})
	defer f.Tree().Close()
	good, _ := EncodeBatch([]*Op{{Code: OpMkdir, Now: 1, Ino: 1, Name: "a", Mode: 0o755}})
	good2, _ := EncodeBatch([]*Op{{Code: OpMkdir, Now: 1, Ino: 1, Name: "b", Mode: 0o755}})
	out := f.ApplyBatch([]*raft.Log{
		{Index: 1, Type: raft.LogCommand, Data: good},
		{Index: 2, Type: raft.LogCommand, Data: []byte{1, 0xc1}},
		{Index: 3, Type: raft.LogCommand, Data: good2},
	})
	if _, ok := out[0].([]Result); !ok {
		t.Fatal(out[0])
	}
	if _, ok := out[1].(error); !ok || f.Err() == nil {
		t.Fatal("corrupt entry applied")
	}
	if _, ok := out[2].(error); !ok {
		t.Fatal("entry after a corrupt one applied")
	}
	if f.Applied() != 1 {
		t.Fatal(f.Applied())
	}
}

// TestSnapshotRestore: the FSM's snapshot restores to an equal state.
func TestSnapshotRestore(t *testing.T) {
	f := New(newTree(t), tree.Options{})
	defer f.Tree().Close()
	data, _ := EncodeBatch(randomOps(5, 2000))
	f.Apply(&raft.Log{Index: 1, Type: raft.LogCommand, Data: data})
	snap, err := f.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	if err := snap.Persist(sink); err != nil {
		t.Fatal(err)
	}
	snap.Release()
	g := New(newTree(t), tree.Options{})
	if err := g.Restore(sink); err != nil {
		t.Fatal(err)
	}
	defer g.Tree().Close()
	a, _ := f.Tree().Checksum()
	b, _ := g.Tree().Checksum()
	if a != b {
		t.Fatal("restored state differs")
	}
}

type memSink struct{ bytes.Buffer }

func (s *memSink) ID() string    { return "mem" }
func (s *memSink) Cancel() error { return nil }
func (s *memSink) Close() error  { return nil }

func FuzzDecodeBatch(f *testing.F) {
	b, _ := EncodeBatch(randomOps(2, 20))
	f.Add(b)
	f.Add([]byte{1, 0x91, 0x90})
	f.Fuzz(func(t *testing.T, b []byte) {
		ops, err := DecodeBatch(b)
		if err != nil {
			return
		}
		tr := newTree(t)
		defer tr.Close()
		for i := range ops {
			Apply(tr, &ops[i])
		}
		if err := tr.Fsck(); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkEncodeDecode(b *testing.B) {
	ops := randomOps(3, 64)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		data, _ := EncodeBatch(ops)
		if _, err := DecodeBatch(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(ops))/b.Elapsed().Seconds()/1e6, "Mops/s")
}
