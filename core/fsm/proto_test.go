package fsm

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"math/rand"
	"reflect"
	"strconv"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
)

// randParams sets every parameter of o's description to a random value of
// its type.
func randParams(rng *rand.Rand, o *Op, d *Desc) {
	str := func(n int) string {
		b := make([]byte, 1+rng.Intn(n))
		for i := range b {
			b[i] = byte('a' + rng.Intn(26))
		}
		return string(b)
	}
	for _, p := range d.Params {
		switch p.Field {
		case FIno:
			o.Ino = rng.Uint64()
		case FIno2:
			o.Ino2 = rng.Uint64()
		case FName:
			o.Name = str(300)
		case FName2:
			o.Name2 = str(300)
		case FMode:
			o.Mode = rng.Uint32()
		case FFlags:
			o.Flags = rng.Uint32()
		case FArg:
			o.Arg = rng.Uint64()
		case FArg2:
			o.Arg2 = rng.Uint64()
		case FChunk:
			o.Chunk = rng.Uint32()
		case FAttr:
			o.Attr = meta.SetAttrIn{Mode: rng.Uint32(), Uid: rng.Uint32(), Gid: 1, Size: rng.Uint64(), Atime: -rng.Int63(),
				Mtime: rng.Int63(), Ctime: 3, Flags: 2}
		case FSlice:
			o.Slice = meta.Slice{Pos: rng.Uint32(), ID: rng.Uint64(), Size: 7, Off: 1, Len: rng.Uint32()}
		case FSlices:
			o.Slices = make([]meta.Slice, 1+rng.Intn(3))
			for i := range o.Slices {
				o.Slices[i] = meta.Slice{Pos: uint32(i), ID: rng.Uint64(), Len: 9}
			}
		case FValue:
			o.Value = []byte(str(100))
		}
	}
}

// TestRequestRoundTrip: every operation of the table, change or read, goes
// through AppendRequest and ReadRequest unchanged, several to one buffer.
func TestRequestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var buf []byte
	var want []Op
	for round := 0; round < 20; round++ {
		for _, d := range Ops() {
			o := Op{Code: d.Code, Now: rng.Int63() - rng.Int63(), Uid: rng.Uint32(), Gid: rng.Uint32(), Umask: 0o22}
			if round%2 == 1 {
				o.Groups = []uint32{1, rng.Uint32()}
			}
			randParams(rng, &o, &d)
			var err error
			if buf, err = AppendRequest(buf, &o); err != nil {
				t.Fatalf("%s: %v", d.Name, err)
			}
			want = append(want, o)
		}
	}
	for i, w := range want {
		got, rest, err := ReadRequest(buf)
		if err != nil {
			t.Fatalf("request %d (%s): %v", i, w.Code, err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Fatalf("request %d (%s):\n got %+v\nwant %+v", i, w.Code, got, w)
		}
		buf = rest
	}
	if len(buf) != 0 {
		t.Fatalf("%d bytes left", len(buf))
	}
}

// TestRequestRefusals: unknown codes and stray fields are refused on the way
// out; the log's reader refuses a read's record.
func TestRequestRefusals(t *testing.T) {
	if _, err := AppendRequest(nil, &Op{Code: numOps}); err == nil {
		t.Fatal("code numOps accepted")
	}
	if _, err := AppendRequest(nil, &Op{Code: readBase + Code(len(reads))}); err == nil {
		t.Fatal("a code past the reads accepted")
	}
	getattr := readBase + 1
	if d := WireDesc(getattr); d == nil || d.Name != "getattr" {
		t.Fatalf("code %d is %v, want getattr", getattr, d)
	}
	if _, err := AppendRequest(nil, &Op{Code: getattr, Ino: 1, Name: "x"}); err == nil {
		t.Fatal("getattr with a name accepted")
	}
	b, err := AppendRequest(nil, &Op{Code: getattr, Ino: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadRecord(b); err == nil {
		t.Fatal("the log's reader took a read's record")
	}
	entry := append([]byte{CodecVersion, 0, 0, 0, 0, 0x91}, b...)
	crc := crc32.Update(crc32.Checksum(entry[:1], castagnoli), castagnoli, entry[entryHeaderLen:])
	binary.LittleEndian.PutUint32(entry[1:], crc)
	if _, err := DecodeBatch(entry); err == nil {
		t.Fatal("a log entry holding a read decoded")
	}
	if _, _, err := ReadRequest(b[:len(b)-1]); err == nil {
		t.Fatal("a cut request read")
	}
}

// TestReplyRoundTrip: a reply of every result kind reads back as written,
// and a failed operation's reply carries its errno alone.
func TestReplyRoundTrip(t *testing.T) {
	attr := meta.Attr{Ino: 1 << 40, Mode: meta.S_IFDIR | 0o755, Nlink: 3, Uid: 1, Gid: 2, Rdev: 9, Flags: 1, Size: 4096,
		Atime: -5, Mtime: 1 << 62, Ctime: 7}
	cases := []struct {
		k ResultKind
		r Reply
	}{
		{RNone, Reply{}},
		{RAttr, Reply{Attr: attr}},
		{RID, Reply{ID: 1<<64 - 1}},
		{RSlices, Reply{Slices: []meta.Slice{{Pos: 1, ID: 2, Size: 3, Off: 4, Len: 5}, {ID: 9}}}},
		{RSlices, Reply{}},
		{RBytes, Reply{Bytes: []byte("value")}},
		{RBytes, Reply{Bytes: []byte{}}},
		{RNames, Reply{Names: []string{"user.a", "user.bb"}}},
		{REntries, Reply{Entries: []meta.DirEntry{{Name: "a", Ino: 5, Type: meta.S_IFREG},
			{Name: "b", Ino: 6, Type: meta.S_IFDIR, Attr: attr}}, Cursor: 77}},
		{REntries, Reply{}},
		{RStatFS, Reply{StatFS: meta.StatFS{TotalSpace: 1, AvailSpace: 2, UsedSpace: 3, Inodes: 4, AvailInodes: 5}}},
		{RChunks, Reply{Chunks: []uint32{0, 1, 1<<32 - 1}}},
		{RAttr, Reply{Errno: meta.ENOENT}},
		{REntries, Reply{Errno: meta.ENOTDIR}},
	}
	var buf []byte
	for _, c := range cases {
		buf = AppendReply(buf, c.k, &c.r)
	}
	for i, c := range cases {
		got, rest, err := ReadReply(buf, c.k)
		if err != nil {
			t.Fatalf("case %d (%s): %v", i, c.k, err)
		}
		want := c.r
		if c.k == RBytes && want.Bytes == nil && want.Errno == 0 {
			want.Bytes = []byte{}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d (%s):\n got %+v\nwant %+v", i, c.k, got, want)
		}
		buf = rest
	}
	// A later version's extra values are skipped.
	b := AppendReply(nil, RID, &Reply{ID: 5})
	b[0]++
	b = append(appendStr(b, "extra"), 0xc3)
	if r, rest, err := ReadReply(b, RID); err != nil || r.ID != 5 || len(rest) != 1 {
		t.Fatalf("extra value: %+v %q %v", r, rest, err)
	}
	if _, _, err := ReadReply([]byte{0x92, 0}, RAttr); err == nil {
		t.Fatal("a cut attr reply read")
	}
	if _, _, err := ReadReply([]byte{0x90}, RNone); err == nil {
		t.Fatal("a reply without an errno read")
	}
}

// TestReadDispatch: every read of the table, run through Read, answers what
// the tree's own method answers, for callers and targets that succeed and
// fail; a change's result converts to its reply.
func TestReadDispatch(t *testing.T) {
	tr := newTree(t)
	defer tr.Close()
	for _, o := range randomOps(5, 400) {
		Apply(tr, o)
	}
	root := &meta.Caller{}
	user := &meta.Caller{Uid: 1000, Gid: 100, Groups: []uint32{5}, Umask: 0o22}
	d, _ := tr.Mkdir(root, 1, 1, "d", 0o750)
	tr.SetXattr(root, 1, d.Ino, "user.k", []byte("v"), 0)
	f, _ := tr.Mknod(root, 1, d.Ino, "f", meta.S_IFREG|0o644, 0)
	l, _ := tr.Symlink(root, 1, d.Ino, "l", "f")
	tr.WriteSlice(root, 1, f.Ino, 3, meta.Slice{ID: 9, Size: 10, Len: 10})
	seen := map[string]bool{}
	for _, c := range []*meta.Caller{root, user} {
		for _, ino := range []meta.Ino{1, d.Ino, f.Ino, l.Ino, 999} {
			ops := []Op{
				{Code: codeOf("lookup"), Ino: uint64(ino), Name: "f"},
				{Code: codeOf("getattr"), Ino: uint64(ino)},
				{Code: codeOf("access"), Ino: uint64(ino), Mode: 4},
				{Code: codeOf("readlink"), Ino: uint64(ino)},
				{Code: codeOf("readdir"), Ino: uint64(ino), Arg2: 2, Flags: 1},
				{Code: codeOf("statfs")},
				{Code: codeOf("getxattr"), Ino: uint64(ino), Name: "user.k"},
				{Code: codeOf("listxattr"), Ino: uint64(ino)},
				{Code: codeOf("read_chunk"), Ino: uint64(ino), Chunk: 3},
				{Code: codeOf("chunk_indexes"), Ino: uint64(ino)},
				{Code: codeOf("resolve"), Name: "/d/l", Flags: ResolveFollow},
				{Code: codeOf("resolve"), Name: "/d/l"},
			}
			for _, o := range ops {
				o.SetCaller(c)
				// Through the wire: request and reply encoded and read back.
				b, err := AppendRequest(nil, &o)
				if err != nil {
					t.Fatal(err)
				}
				o2, _, err := ReadRequest(b)
				if err != nil {
					t.Fatal(err)
				}
				d := WireDesc(o2.Code)
				got := Read(tr, &o2)
				got, _, err = ReadReply(AppendReply(nil, d.Result, &got), d.Result)
				if err != nil {
					t.Fatal(err)
				}
				want := direct(tr, c, &o)
				if got.Errno != 0 {
					want = Reply{Errno: want.Errno}
				} else if d.Result == RBytes && want.Bytes == nil {
					want.Bytes = []byte{}
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s uid %d ino %d:\n got %+v\nwant %+v", d.Name, c.Uid, o.Ino, got, want)
				}
				seen[d.Name+"/"+strconv.FormatBool(got.Errno == 0)] = true
			}
		}
	}
	for _, d := range reads {
		if !seen[d.Name+"/true"] {
			t.Errorf("%s never succeeded", d.Name)
		}
	}
	// Too many groups: EINVAL, as every entry point answers.
	o := Op{Code: codeOf("getattr"), Ino: 1, Groups: make([]uint32, meta.MaxGroups+1)}
	if r := Read(tr, &o); r.Errno != meta.EINVAL {
		t.Fatalf("getattr with too many groups: %v", r.Errno)
	}
	if r := Read(tr, &Op{Code: OpMkdir}); r.Errno != meta.ENOSYS {
		t.Fatalf("Read of a change: %v", r.Errno)
	}
	res := Apply(tr, &Op{Code: OpNewSliceID, Arg: 3})
	if r := ReplyOf(&res); r.ID != res.ID || r.ID == 0 {
		t.Fatalf("ReplyOf: %+v from %+v", r, res)
	}
}

func codeOf(name string) Code {
	for _, d := range Ops() {
		if d.Name == name {
			return d.Code
		}
	}
	panic(name)
}

// direct answers a read by calling the tree's method itself.
func direct(tr treeReader, c *meta.Caller, o *Op) (r Reply) {
	ino := meta.Ino(o.Ino)
	switch o.Code {
	case codeOf("lookup"):
		r.Attr, r.Errno = tr.Lookup(c, ino, o.Name)
	case codeOf("getattr"):
		r.Attr, r.Errno = tr.GetAttr(c, ino)
	case codeOf("access"):
		r.Errno = tr.Access(c, ino, o.Mode)
	case codeOf("readlink"):
		s, e := tr.Readlink(c, ino)
		r.Bytes, r.Errno = []byte(s), e
	case codeOf("readdir"):
		r.Entries, r.Cursor, r.Errno = tr.ReadDir(c, ino, o.Arg, int(o.Arg2), o.Flags != 0, nil)
	case codeOf("statfs"):
		r.StatFS, r.Errno = tr.StatFS(c)
	case codeOf("getxattr"):
		r.Bytes, r.Errno = tr.GetXattr(c, ino, o.Name)
	case codeOf("listxattr"):
		r.Names, r.Errno = tr.ListXattr(c, ino)
	case codeOf("read_chunk"):
		r.Slices, r.Errno = tr.ReadChunk(c, ino, o.Chunk)
	case codeOf("chunk_indexes"):
		r.Chunks, r.Errno = tr.ChunkIndexes(c, ino)
	case codeOf("resolve"):
		r.Attr, r.Errno = tr.Resolve(c, o.Name, o.Flags&ResolveFollow != 0)
	}
	return
}

type treeReader interface {
	Lookup(*meta.Caller, meta.Ino, string) (meta.Attr, meta.Errno)
	GetAttr(*meta.Caller, meta.Ino) (meta.Attr, meta.Errno)
	Access(*meta.Caller, meta.Ino, uint32) meta.Errno
	Readlink(*meta.Caller, meta.Ino) (string, meta.Errno)
	ReadDir(*meta.Caller, meta.Ino, uint64, int, bool, []meta.DirEntry) ([]meta.DirEntry, uint64, meta.Errno)
	StatFS(*meta.Caller) (meta.StatFS, meta.Errno)
	GetXattr(*meta.Caller, meta.Ino, string) ([]byte, meta.Errno)
	ListXattr(*meta.Caller, meta.Ino) ([]string, meta.Errno)
	ReadChunk(*meta.Caller, meta.Ino, uint32) ([]meta.Slice, meta.Errno)
	ChunkIndexes(*meta.Caller, meta.Ino) ([]uint32, meta.Errno)
	Resolve(*meta.Caller, string, bool) (meta.Attr, meta.Errno)
}

// FuzzWire: any bytes read as a request or a reply either fail or give a
// value that writes back to bytes that read back the same.
func FuzzWire(f *testing.F) {
	rng := rand.New(rand.NewSource(2))
	for _, d := range Ops() {
		o := Op{Code: d.Code, Uid: 5, Groups: []uint32{1}}
		randParams(rng, &o, &d)
		b, _ := AppendRequest(nil, &o)
		f.Add(b, uint8(d.Result))
	}
	f.Add(AppendReply(nil, REntries, &Reply{Entries: []meta.DirEntry{{Name: "x", Ino: 2}}, Cursor: 1}), uint8(REntries))
	f.Add(AppendReply(nil, RAttr, &Reply{Attr: meta.Attr{Ino: 1}}), uint8(RAttr))
	f.Fuzz(func(t *testing.T, b []byte, kind uint8) {
		if o, _, err := ReadRequest(b); err == nil {
			out, err := AppendRequest(nil, &o)
			if err != nil {
				return // a field the operation does not use, read as zero: AppendRequest sees none set
			}
			o2, rest, err := ReadRequest(out)
			if err != nil || len(rest) != 0 || !reflect.DeepEqual(o, o2) {
				t.Fatalf("request does not round-trip: %+v -> %+v (%v)", o, o2, err)
			}
		}
		k := ResultKind(kind % uint8(len(resultNames)))
		if r, _, err := ReadReply(b, k); err == nil {
			out := AppendReply(nil, k, &r)
			r2, rest, err := ReadReply(out, k)
			if err != nil || len(rest) != 0 {
				t.Fatalf("reply does not read back: %v", err)
			}
			out2 := AppendReply(nil, k, &r2)
			if !bytes.Equal(out, out2) {
				t.Fatalf("reply does not round-trip: %+v -> %+v", r, r2)
			}
		}
	})
}
