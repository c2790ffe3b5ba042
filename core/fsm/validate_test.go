package fsm

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/core/tree"
)

// Argument pools: the limits of every check, each side of them, and noise.
var (
	rep = strings.Repeat

	poolNames = []string{"", "a", ".", "..", "...", "a/b", "/", "a\x00", "\x00", "f1", "d", "l",
		rep("n", meta.MaxName-1), rep("n", meta.MaxName), rep("n", meta.MaxName+1), rep("n", meta.MaxPath+1),
		"user.a", "user.", "trusted.t", "security.s", "system.x", "User.a", "user.a/b", "user.\x00",
		"user." + rep("x", meta.MaxXattrName-5), "user." + rep("x", meta.MaxXattrName-4),
		rep("a/", meta.MaxPath/2), rep("a/", meta.MaxPath/2) + "b", "/a/b/c", "a//b/./..",
		"/" + rep("n", meta.MaxName+1) + "/x"}
	poolTargets = []string{"", "\x00", "a\x00b", "/a/b", "..", rep("t", meta.MaxSymlink-1),
		rep("t", meta.MaxSymlink), rep("t", meta.MaxSymlink+1), rep("t", meta.MaxSymlink) + "\x00", "x"}
	poolU32 = []uint32{0, 1, 2, 3, 4, 5, 7, 8, 0x10, 0x11, 0x12, 0x13, 0x20, 0o777, 0o7777, 0o10000,
		meta.SetAll, meta.SetAll + 1, 1 << 10, meta.O_TRUNC, meta.O_APPEND | 1, meta.O_TRUNC | 3,
		meta.S_IFREG | 0o644, meta.S_IFDIR | 0o755, meta.S_IFLNK | 0o777, meta.S_IFIFO, meta.S_IFSOCK,
		meta.S_IFCHR | 0o600, meta.S_IFBLK, 0o030000, 0o170000, 0o050000, meta.ChunkSize - 1, meta.ChunkSize,
		meta.ChunkSize + 1, math.MaxUint32 - 1, math.MaxUint32}
	poolU64 = []uint64{0, 1, 2, 3, 4, 4095, meta.ChunkSize, 1 << 32, 1<<32 + 1, meta.MaxFileSize - 1,
		meta.MaxFileSize, meta.MaxFileSize + 1, 1 << 63, math.MaxUint64 - 1, math.MaxUint64}
	poolInos = []uint64{0, 1, 2, 3, 4, 5, 6, 1 << 40, math.MaxUint64}
	poolVals = []int{0, 1, meta.MaxXattrSize - 1, meta.MaxXattrSize, meta.MaxXattrSize + 1}
)

func pick[T any](rng *rand.Rand, pool []T) T { return pool[rng.Intn(len(pool))] }

func (g *argGen) u32() uint32 {
	if g.rng.Intn(4) == 0 {
		return g.rng.Uint32() >> g.rng.Intn(32)
	}
	return pick(g.rng, poolU32)
}

func (g *argGen) u64() uint64 {
	if g.rng.Intn(4) == 0 {
		return g.rng.Uint64() >> g.rng.Intn(64)
	}
	return pick(g.rng, poolU64)
}

func (g *argGen) str(pool []string) string {
	if g.rng.Intn(8) == 0 { // random bytes, '/', NUL and '.' likely
		b := make([]byte, g.rng.Intn(300))
		for i := range b {
			b[i] = "ab./\x00\xff"[g.rng.Intn(6)]
		}
		return string(b)
	}
	return pick(g.rng, pool)
}

func (g *argGen) slice() meta.Slice {
	return meta.Slice{Pos: g.u32(), ID: g.u64(), Size: g.u32(), Off: g.u32(), Len: g.u32()}
}

type argGen struct{ rng *rand.Rand }

// op returns an operation of any code (and a few unknown ones) whose every
// field is drawn from the pools, with at most a few groups.
func (g *argGen) op() *Op {
	rng := g.rng
	o := &Op{Code: Code(rng.Intn(int(numOps) + 2)), Now: 1_700_000_000_000_000_000, Ino: pick(rng, poolInos),
		Ino2: pick(rng, poolInos), Name: g.str(poolNames), Name2: g.str(poolTargets), Mode: g.u32(), Flags: g.u32(),
		Arg: g.u64(), Arg2: g.u64(), Chunk: g.u32(), Slice: g.slice()}
	if rng.Intn(3) == 0 {
		o.Name2 = g.str(poolNames)
	}
	if rng.Intn(2) == 0 { // the flags most checks accept
		o.Flags = uint32(rng.Intn(4))
	}
	if rng.Intn(3) == 0 {
		o.Mode &= 0o177777
	}
	if rng.Intn(2) == 0 {
		o.Uid, o.Gid, o.Groups, o.Umask = 1000, 100, make([]uint32, rng.Intn(4)), 0o022
	}
	o.Attr = meta.SetAttrIn{Mode: g.u32(), Uid: g.u32(), Gid: g.u32(), Size: g.u64(), Atime: 1, Mtime: 2, Ctime: 3,
		Flags: uint32(rng.Intn(8))}
	if n := pick(rng, poolVals); rng.Intn(2) == 0 {
		o.Value = make([]byte, n)
	}
	for i := rng.Intn(3); i > 0; i-- {
		o.Slices = append(o.Slices, g.slice())
	}
	return o
}

func freshTree(t *testing.T) *tree.Tree {
	t.Helper()
	tr, err := tree.New(tree.Options{ArenaMaxBytes: 64 << 20, RootTime: 1})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// populated returns a tree holding something of every kind where the
// generator's inode numbers and names point: a file (2), a directory (3), a
// symlink (4), a fifo (5), a file with an xattr and a slice (6).
func populated(t *testing.T) *tree.Tree {
	t.Helper()
	tr := freshTree(t)
	for _, o := range []*Op{
		{Code: OpMknod, Ino: 1, Name: "f1", Mode: meta.S_IFREG | 0o644},
		{Code: OpMkdir, Ino: 1, Name: "d", Mode: 0o777},
		{Code: OpSymlink, Ino: 1, Name: "l", Name2: "/d"},
		{Code: OpMknod, Ino: 3, Name: "p", Mode: meta.S_IFIFO | 0o666},
		{Code: OpMknod, Ino: 3, Name: "a", Mode: meta.S_IFREG | 0o666},
		{Code: OpSetXattr, Ino: 6, Name: "user.a", Value: []byte("v")},
		{Code: OpWriteSlice, Ino: 6, Slice: meta.Slice{ID: 9, Size: 10, Len: 10}},
	} {
		if r := Apply(tr, o); r.Errno != 0 {
			t.Fatalf("%v: %v", o.Code, r.Errno)
		}
	}
	return tr
}

// TestValidateAgreesWithTree: whenever Validate refuses an operation,
// applying it to a tree (a fresh one, and one holding every kind of node)
// gives the same errno and changes nothing. Operations are drawn from
// pools of boundary values and random ones.
func TestValidateAgreesWithTree(t *testing.T) {
	n := 300_000
	if testing.Short() {
		n = 50_000
	}
	g := &argGen{rand.New(rand.NewSource(16))}
	trees := []*tree.Tree{freshTree(t), populated(t)}
	var sums []uint64
	for _, tr := range trees {
		s, err := tr.Checksum()
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, s)
	}
	refused := map[Code]map[meta.Errno]int{}
	accepted := map[Code]int{}
	for i := 0; i < n; i++ {
		o := g.op()
		e := Validate(o)
		if e == 0 {
			accepted[o.Code]++
			continue
		}
		if refused[o.Code] == nil {
			refused[o.Code] = map[meta.Errno]int{}
		}
		refused[o.Code][e]++
		for k, tr := range trees {
			if r := Apply(tr, o); r.Errno != e {
				t.Fatalf("op %d %v (name %d bytes, name2 %d, mode %#o, flags %#x, arg %d, arg2 %d, value %d, slice %+v, chunk %d): "+
					"Validate says %v, tree %d says %v", i, o.Code, len(o.Name), len(o.Name2), o.Mode, o.Flags, o.Arg, o.Arg2,
					len(o.Value), o.Slice, o.Chunk, e.Name(), k, r.Errno.Name())
			}
		}
	}
	for k, tr := range trees {
		if err := tr.Fsck(); err != nil {
			t.Fatal(err)
		}
		if s, _ := tr.Checksum(); s != sums[k] {
			t.Fatalf("tree %d changed under refused operations", k)
		}
	}
	// Every code with a check saw refusals, and every known code acceptances.
	for c := Code(0); c < numOps+2; c++ {
		known := c > 0 && c < numOps
		if known && len(changes[c].checks) > 0 && c != OpCompactChunk && len(refused[c]) == 0 {
			t.Errorf("%v: no operation refused", c)
		}
		if known && accepted[c] == 0 {
			t.Errorf("%v: no operation accepted", c)
		}
		if !known && refused[c][meta.ENOSYS] == 0 {
			t.Errorf("code %d: not refused with ENOSYS", c)
		}
	}
	t.Logf("refused: %v", refused)
}

// TestValidateLimits: each limit, at it and one past it, gives the tree's
// errno (and Validate's agrees with Apply on a fresh tree).
func TestValidateLimits(t *testing.T) {
	big := rep("x", 70<<20)
	name := func(n int) string { return rep("n", n) }
	xname := func(n int) string { return "user." + rep("x", n-5) }
	cases := []struct {
		what string
		op   Op
		want meta.Errno // Validate's verdict; the tree must agree when it is not 0
	}{
		{"name 255", Op{Code: OpMknod, Ino: 1, Name: name(255)}, 0},
		{"name 256", Op{Code: OpMknod, Ino: 1, Name: name(256)}, meta.ENAMETOOLONG},
		{"name 70 MiB", Op{Code: OpMknod, Ino: 1, Name: big}, meta.ENAMETOOLONG},
		{"mkdir name 256", Op{Code: OpMkdir, Ino: 1, Name: name(256)}, meta.ENAMETOOLONG},
		{"empty name", Op{Code: OpMkdir, Ino: 1}, meta.EINVAL},
		{"dot", Op{Code: OpUnlink, Ino: 1, Name: "."}, meta.EINVAL},
		{"dotdot", Op{Code: OpRmdir, Ino: 1, Name: ".."}, meta.EINVAL},
		{"slash", Op{Code: OpLink, Ino: 1, Ino2: 1, Name: "a/b"}, meta.EINVAL},
		{"nul", Op{Code: OpMknod, Ino: 1, Name: "a\x00"}, meta.EINVAL},
		{"bad type", Op{Code: OpMknod, Ino: 1, Name: name(256), Mode: meta.S_IFDIR}, meta.EINVAL},
		{"rename new name 70 MiB", Op{Code: OpRename, Ino: 1, Name: "a", Ino2: 1, Name2: big}, meta.ENAMETOOLONG},
		{"rename flags", Op{Code: OpRename, Ino: 1, Name: big, Ino2: 1, Name2: "b", Flags: 3}, meta.EINVAL},
		{"target 4095", Op{Code: OpSymlink, Ino: 1, Name: "s", Name2: rep("t", 4095)}, 0},
		{"target 4096", Op{Code: OpSymlink, Ino: 1, Name: "s", Name2: rep("t", 4096)}, meta.ENAMETOOLONG},
		{"target 65 MiB", Op{Code: OpSymlink, Ino: 1, Name: "s", Name2: rep("t", 65<<20)}, meta.ENAMETOOLONG},
		{"target empty", Op{Code: OpSymlink, Ino: 1, Name: "s"}, meta.EINVAL},
		{"target before name", Op{Code: OpSymlink, Ino: 1, Name: big, Name2: rep("t", 4096)}, meta.ENAMETOOLONG},
		{"xattr name 255", Op{Code: OpSetXattr, Ino: 1, Name: xname(255)}, 0},
		{"xattr name 256", Op{Code: OpSetXattr, Ino: 1, Name: xname(256)}, meta.ERANGE},
		{"xattr name 12 MiB", Op{Code: OpSetXattr, Ino: 1, Name: xname(12 << 20)}, meta.ERANGE},
		{"remove xattr name 256", Op{Code: OpRemoveXattr, Ino: 1, Name: xname(256)}, meta.ERANGE},
		{"xattr no namespace", Op{Code: OpSetXattr, Ino: 1, Name: "system.a"}, meta.EOPNOTSUPP},
		{"xattr value 65536", Op{Code: OpSetXattr, Ino: 1, Name: "user.a", Value: make([]byte, 65536)}, 0},
		{"xattr value 65537", Op{Code: OpSetXattr, Ino: 1, Name: "user.a", Value: make([]byte, 65537)}, meta.E2BIG},
		{"xattr value 12 MiB", Op{Code: OpSetXattr, Ino: 1, Name: "user.a", Value: make([]byte, 12<<20)}, meta.E2BIG},
		{"xattr flags", Op{Code: OpSetXattr, Ino: 1, Name: "user.a", Value: make([]byte, 12<<20), Flags: 3}, meta.EINVAL},
		{"path 4096", Op{Code: OpMkdirAll, Name: rep("a/", 2048)}, 0},
		{"path 4097", Op{Code: OpMkdirAll, Name: rep("a/", 2048) + "b"}, meta.ENAMETOOLONG},
		{"path 70 MiB", Op{Code: OpMkdirAll, Name: big}, meta.ENAMETOOLONG},
		{"setattr mask", Op{Code: OpSetAttr, Ino: 1, Mode: meta.SetAll + 1}, meta.EINVAL},
		{"setattr mode", Op{Code: OpSetAttr, Ino: 1, Mode: meta.SetMode, Attr: meta.SetAttrIn{Mode: 0o10000}}, meta.EINVAL},
		{"setattr flags", Op{Code: OpSetAttr, Ino: 1, Mode: meta.SetFlags, Attr: meta.SetAttrIn{Flags: 4}}, meta.EINVAL},
		{"open accmode 3", Op{Code: OpOpenFile, Ino: 1, Mode: 3}, meta.EINVAL},
		{"fallocate length 0", Op{Code: OpFallocate, Ino: 1}, meta.EINVAL},
		{"fallocate end", Op{Code: OpFallocate, Ino: 1, Arg: meta.MaxFileSize - 1, Arg2: 2}, meta.EFBIG},
		{"fallocate punch alone", Op{Code: OpFallocate, Ino: 1, Mode: meta.FallocPunchHole, Arg2: 1}, meta.EINVAL},
		{"new slice 0", Op{Code: OpNewSliceID}, meta.EINVAL},
		{"new slice 2^32", Op{Code: OpNewSliceID, Arg: 1 << 32}, meta.EINVAL},
		{"slice len 0", Op{Code: OpWriteSlice, Ino: 2, Slice: meta.Slice{ID: 1, Size: 1}}, meta.EINVAL},
		{"slice past chunk", Op{Code: OpWriteSlice, Ino: 2, Slice: meta.Slice{ID: 1, Size: 2, Len: 2, Pos: meta.ChunkSize - 1}}, meta.EINVAL},
		{"unknown code", Op{Code: numOps}, meta.ENOSYS},
		{"code 0", Op{}, meta.ENOSYS},
	}
	tr := freshTree(t)
	for _, c := range cases {
		o := c.op
		o.Now = 1
		if got := Validate(&o); got != c.want {
			t.Errorf("%s: Validate %v, want %v", c.what, got.Name(), c.want.Name())
		}
		if c.want != 0 {
			if r := Apply(tr, &o); r.Errno != c.want {
				t.Errorf("%s: Apply %v, want %v", c.what, r.Errno.Name(), c.want.Name())
			}
		}
	}
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
}

// TestValidateEngineLimits: the limits that are the engine's, not the
// tree's, refuse every code with EINVAL; at the limit the operation passes.
func TestValidateEngineLimits(t *testing.T) {
	for c := Code(1); c < numOps; c++ {
		o := &Op{Code: c, Uid: 1000, Groups: make([]uint32, meta.MaxGroups+1)}
		if e := Validate(o); e != meta.EINVAL {
			t.Errorf("%v with %d groups: %v", c, len(o.Groups), e.Name())
		}
		o.Groups = make([]uint32, 100_000)
		if e := Validate(o); e != meta.EINVAL {
			t.Errorf("%v with %d groups: %v", c, len(o.Groups), e.Name())
		}
	}
	ok := &Op{Code: OpMkdir, Ino: 1, Name: "d", Groups: make([]uint32, meta.MaxGroups)}
	if e := Validate(ok); e != 0 {
		t.Errorf("%d groups: %v", meta.MaxGroups, e.Name())
	}
	cc := &Op{Code: OpCompactChunk, Ino: 2, Slices: make([]meta.Slice, meta.MaxReplaced)}
	if e := Validate(cc); e != 0 {
		t.Errorf("%d slices: %v", len(cc.Slices), e.Name())
	}
	cc.Slices = make([]meta.Slice, meta.MaxReplaced+1)
	if e := Validate(cc); e != meta.EINVAL {
		t.Errorf("%d slices: %v", len(cc.Slices), e.Name())
	}
}

// TestValidatedOpsFitTheLog: an operation Validate passes can be logged: it
// encodes, decodes to itself, and even the largest of each code (the most
// groups, the longest names, values and slice lists its checks let through)
// stays well below the log store's entry limit (raft-wal: 64 MiB).
func TestValidatedOpsFitTheLog(t *testing.T) {
	g := &argGen{rand.New(rand.NewSource(17))}
	for i := 0; i < 20_000; i++ {
		o := g.op()
		if Validate(o) != 0 {
			continue
		}
		b, err := EncodeBatch([]*Op{o})
		if err != nil {
			t.Fatalf("%v: %v", o.Code, err)
		}
		if _, err := DecodeBatch(b); err != nil {
			t.Fatalf("%v: %v", o.Code, err)
		}
	}
	const logEntryMax = 64 << 20
	groups := make([]uint32, meta.MaxGroups)
	for i := range groups {
		groups[i] = math.MaxUint32 - uint32(i)
	}
	slices := make([]meta.Slice, meta.MaxReplaced)
	for i := range slices {
		slices[i] = meta.Slice{Pos: math.MaxUint32, ID: math.MaxUint64, Size: math.MaxUint32, Off: math.MaxUint32, Len: math.MaxUint32}
	}
	for c := Code(1); c < numOps; c++ {
		o := &Op{Code: c, Now: math.MinInt64, Uid: math.MaxUint32, Gid: math.MaxUint32, Groups: groups, Umask: math.MaxUint32,
			Ino: math.MaxUint64, Ino2: math.MaxUint64, Name: rep("n", meta.MaxName), Name2: rep("n", meta.MaxName),
			Mode: 0o644, Arg: 1, Arg2: 1, Slice: meta.Slice{ID: 1, Size: 1, Len: 1}}
		switch c {
		case OpFallocate, OpOpenFile:
			o.Mode = 0
		case OpSymlink:
			o.Name2 = rep("t", meta.MaxSymlink)
		case OpSetXattr:
			o.Name = "user." + rep("x", meta.MaxXattrName-5)
			o.Value = make([]byte, meta.MaxXattrSize)
		case OpRemoveXattr:
			o.Name = "user." + rep("x", meta.MaxXattrName-5)
		case OpMkdirAll:
			o.Name = rep("a/", meta.MaxPath/2)
		case OpCompactChunk:
			o.Slices = slices
		}
		if e := Validate(o); e != 0 {
			t.Fatalf("%v: the largest valid operation refused: %v", c, e.Name())
		}
		b, err := EncodeBatch([]*Op{o})
		if err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		if len(b) >= logEntryMax/2 {
			t.Errorf("%v: the largest valid operation encodes to %d bytes", c, len(b))
		}
	}
}
