package dump

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/fsmeta/fsmeta/internal/workload"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

func open(t testing.TB) *fsmeta.DB {
	t.Helper()
	db, err := fsmeta.Open(fsmeta.Options{InMemory: true, ArenaMaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func must[T any](v T, err error) func(t testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func ok(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// richDB builds a namespace with every kind of thing a dump must carry.
func richDB(t testing.TB) *fsmeta.DB {
	db := open(t)
	db.SetTestTime(1_600_000_000_123_456_789)
	R := fsmeta.RootIno
	a := must(db.Mkdir(nil, R, "a", 0o1777))(t)     // sticky
	g := must(db.Mkdir(nil, a.Ino, "g", 0o2775))(t) // setgid
	must(db.Chown(nil, g.Ino, 1000, 50))(t)
	sub := must(db.Mkdir(nil, g.Ino, "sub", 0o755))(t)
	must(db.Mkdir(nil, R, "empty", 0o500))(t)
	imm := must(db.Mkdir(nil, R, "imm", 0o755))(t)
	deep := R
	for i := range 12 {
		deep = must(db.Mkdir(nil, deep, fmt.Sprintf("d%d", i), 0o755))(t).Ino
	}
	must(db.Create(nil, deep, "leaf", 0o644))(t)

	// multi-chunk, non-compact file, size past its last slice (a hole)
	f1 := must(db.Create(nil, a.Ino, "f1", 0o644))(t)
	id := must(db.NewSliceID(nil, 10))(t)
	for _, w := range []struct {
		c uint32
		s fsmeta.Slice
	}{
		{0, fsmeta.Slice{Pos: 0, ID: id, Size: 1 << 20, Off: 0, Len: 1 << 20}},
		{0, fsmeta.Slice{Pos: 4096, ID: id + 1, Size: 8192, Off: 100, Len: 5000}},
		{2, fsmeta.Slice{Pos: 7, ID: id + 2, Size: 1000, Off: 10, Len: 900}},
		{3, fsmeta.Slice{Pos: 0, ID: 0, Size: 4096, Off: 0, Len: 4096}}, // a hole slice
	} {
		must(db.WriteSlice(nil, f1.Ino, w.c, w.s))(t)
	}
	must(db.Truncate(nil, f1.Ino, 3*fsmeta.ChunkSize+10_000_000))(t)
	// compact: one slice covering the whole file
	c := must(db.Create(nil, R, "compact", 0o600))(t)
	must(db.WriteSlice(nil, c.Ino, 0, fsmeta.Slice{ID: id + 3, Size: 12345, Len: 12345}))(t)
	// a slice id far above the counter (the load must raise the counter)
	nc := must(db.Create(nil, g.Ino, "noncompact", 0o640))(t)
	must(db.WriteSlice(nil, nc.Ino, 0, fsmeta.Slice{Pos: 100, ID: 1 << 40, Size: 500, Off: 3, Len: 400}))(t)
	// truncated slice (clipped by the size)
	tr := must(db.Create(nil, R, "clipped", 0o644))(t)
	must(db.WriteSlice(nil, tr.Ino, 0, fsmeta.Slice{ID: id + 4, Size: 9000, Len: 9000}))(t)
	must(db.Truncate(nil, tr.Ino, 5000))(t)

	// hard links: f1 has three names, one in a directory listed later
	must(db.Link(nil, f1.Ino, g.Ino, "link2"))(t)
	must(db.Link(nil, f1.Ino, sub.Ino, "link3"))(t)
	fifo := must(db.Mknod(nil, R, "fifo", fsmeta.S_IFIFO|0o620, 0))(t)
	must(db.Link(nil, fifo.Ino, a.Ino, "fifo2"))(t)
	must(db.Mknod(nil, R, "sock", fsmeta.S_IFSOCK|0o755, 0))(t)
	must(db.Mknod(nil, R, "chr", fsmeta.S_IFCHR|0o666, 0x0501))(t)
	must(db.Mknod(nil, a.Ino, "blk", fsmeta.S_IFBLK|0o660, 0x0803))(t)
	must(db.Symlink(nil, R, "sym", "a/f1"))(t)
	must(db.Symlink(nil, a.Ino, "bad\xff\xfesym", "/x/\xc3\x28/y"))(t)
	bin := must(db.Create(nil, a.Ino, "\x80name\xff", 0o4755))(t) // suid, non-UTF-8 name
	must(db.Chmod(nil, bin.Ino, 0o6755))(t)
	must(db.Create(nil, R, "ünïcödé ☃ \"q\" <&>", 0o644))(t)
	must(db.Create(nil, R, strings.Repeat("x", 255), 0o644))(t)

	// xattrs, binary values, trusted on a symlink, non-UTF-8 names
	ok(t, db.SetXattr(nil, f1.Ino, "user.bin", []byte{0, 1, 2, 255, 254, '\n'}, 0))
	ok(t, db.SetXattr(nil, f1.Ino, "user.empty", nil, 0))
	ok(t, db.SetXattr(nil, f1.Ino, "trusted.\xffodd", []byte("v"), 0))
	ok(t, db.SetXattr(nil, R, "user.root", []byte("root's"), 0))
	ok(t, db.SetXattr(nil, g.Ino, "security.selinux", []byte("system_u:object_r\x00"), 0))
	sym := must(db.Lookup(nil, R, "sym"))(t)
	ok(t, db.SetXattr(nil, sym.Ino, "trusted.sym", bytes.Repeat([]byte{0xAB}, 70000/2), 0))

	// flags: an immutable file, an append-only one with a link, an immutable directory with entries
	fi := must(db.Create(nil, imm.Ino, "inside", 0o644))(t)
	must(db.WriteSlice(nil, fi.Ino, 0, fsmeta.Slice{ID: id + 5, Size: 10, Len: 10}))(t)
	ap := must(db.Create(nil, R, "append", 0o644))(t)
	must(db.Link(nil, ap.Ino, imm.Ino, "append-link"))(t)
	must(db.Mkdir(nil, imm.Ino, "subdir", 0o755))(t)

	// an unlinked but open file: not in the dump
	gone := must(db.Create(nil, R, "gone", 0o644))(t)
	must(db.OpenFile(nil, gone.Ino, fsmeta.O_RDWR))(t)
	ok(t, db.Unlink(nil, R, "gone"))

	// times with nanoseconds on everything, then the flags
	k := int64(0)
	var walk func(dir fsmeta.Ino)
	walk = func(dir fsmeta.Ino) {
		ents, _, err := db.ReadDir(nil, dir, 0, 10000, true)
		ok(t, err)
		for _, e := range ents {
			k++
			must(db.SetAttr(nil, e.Ino, fsmeta.SetAtime|fsmeta.SetMtime|fsmeta.SetCtime|fsmeta.SetUid,
				fsmeta.SetAttrIn{Atime: 1_500_000_000_000_000_001 + k*7, Mtime: 1_400_000_000_000_000_003 + k*11,
					Ctime: 1_450_000_000_000_000_009 + k*13, Uid: uint32(k % 3 * 500)}))(t)
			if e.Attr.IsDir() {
				walk(e.Ino)
			}
		}
	}
	walk(R)
	must(db.SetAttr(nil, R, fsmeta.SetMode|fsmeta.SetGid|fsmeta.SetAtime|fsmeta.SetMtime|fsmeta.SetCtime,
		fsmeta.SetAttrIn{Mode: 0o1755, Gid: 7, Atime: 123456789, Mtime: 987654321, Ctime: 555555555}))(t)
	for _, f := range []struct {
		ino   fsmeta.Ino
		flags uint32
	}{{fi.Ino, fsmeta.FlagImmutable}, {ap.Ino, fsmeta.FlagAppend}, {imm.Ino, fsmeta.FlagImmutable},
		{nc.Ino, fsmeta.FlagImmutable | fsmeta.FlagAppend}} {
		must(db.SetAttr(nil, f.ino, fsmeta.SetFlags|fsmeta.SetCtime, fsmeta.SetAttrIn{Flags: f.flags, Ctime: 1_700_000_000_000_000_077}))(t)
	}
	ok(t, db.Fsck())
	return db
}

func roundTrip(t *testing.T, src *fsmeta.DB) (*fsmeta.DB, []byte) {
	t.Helper()
	var buf bytes.Buffer
	var dumped uint64
	ok(t, Dump(src, &buf, func(n uint64) { dumped = n }))
	dst := open(t)
	var loaded uint64
	if err := Load(dst, bytes.NewReader(buf.Bytes()), func(n uint64) { loaded = n }); err != nil {
		t.Fatalf("load: %v\n%s", err, buf.Bytes())
	}
	if dumped != loaded || dumped == 0 {
		t.Fatalf("progress: dumped %d, loaded %d", dumped, loaded)
	}
	if err := dst.Fsck(); err != nil {
		t.Fatalf("fsck after load: %v", err)
	}
	want, err := Describe(src)
	ok(t, err)
	got, err := Describe(dst)
	ok(t, err)
	if a, b := strings.Join(want, "\n"), strings.Join(got, "\n"); a != b {
		for i := 0; i < len(want) || i < len(got); i++ {
			var w, g string
			if i < len(want) {
				w = want[i]
			}
			if i < len(got) {
				g = got[i]
			}
			if w != g {
				t.Fatalf("states differ at line %d:\nwant %s\ngot  %s", i, w, g)
			}
		}
	}
	return dst, buf.Bytes()
}

func TestRoundTripRich(t *testing.T) {
	src := richDB(t)
	dst, dump := roundTrip(t, src)
	ss, ds := src.Stats(), dst.Stats()
	if ss.Inodes-ss.Orphans != ds.Inodes || ss.Entries != ds.Entries || ss.Links != ds.Links || ds.Orphans != 0 {
		t.Fatalf("stats: src %+v\ndst %+v", ss, ds)
	}
	// the slice counter is above every loaded id
	id, err := dst.NewSliceID(nil, 1)
	ok(t, err)
	if id <= 1<<40 {
		t.Fatalf("NewSliceID after load = %d, want > 2^40", id)
	}
	// the comparison sees a change of one attribute
	before, err := Describe(dst)
	ok(t, err)
	sym, err := dst.Resolve(nil, "/sym", false)
	ok(t, err)
	must(dst.SetAttr(nil, sym.Ino, fsmeta.SetCtime, fsmeta.SetAttrIn{Ctime: sym.Ctime + 1}))(t)
	after, err := Describe(dst)
	ok(t, err)
	if strings.Join(before, "\n") == strings.Join(after, "\n") {
		t.Fatal("Describe does not see a ctime change")
	}
	must(dst.SetAttr(nil, sym.Ino, fsmeta.SetCtime, fsmeta.SetAttrIn{Ctime: sym.Ctime}))(t)
	// a dump of the loaded state is the same but for inode numbers and the date
	dst2, dump2 := roundTrip(t, dst)
	_ = dst2
	if n1, n2 := bytes.Count(dump, []byte("\n")), bytes.Count(dump2, []byte("\n")); n1 != n2 {
		t.Fatalf("second dump has %d lines, first %d", n2, n1)
	}
	for _, s := range []string{`"name_b64":`, `"target_b64":`, `"xattrs_b64":`, `"link":`, `"chunks":{"0":[[0,`, `"flags":3`} {
		if !bytes.Contains(dump, []byte(s)) {
			t.Errorf("dump lacks %s:\n%s", s, dump)
		}
	}
}

func TestEmpty(t *testing.T) {
	db := open(t)
	_, dump := roundTrip(t, db)
	if n := bytes.Count(dump, []byte("\n")); n != 3 {
		t.Fatalf("dump of an empty db: %d lines:\n%s", n, dump)
	}
}

func TestLoadNotEmpty(t *testing.T) {
	var buf bytes.Buffer
	ok(t, Dump(richDB(t), &buf, nil))
	db := open(t)
	must(db.Create(nil, fsmeta.RootIno, "x", 0o644))(t)
	if err := Load(db, &buf, nil); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("load into a non-empty db: %v", err)
	}
}

func TestTruncated(t *testing.T) {
	var buf bytes.Buffer
	ok(t, Dump(richDB(t), &buf, nil))
	d := buf.Bytes()
	// cut at every line end and in the middle of every line
	var cuts []int
	for i, c := range d {
		if c == '\n' && i+1 < len(d) {
			cuts = append(cuts, i+1)
		}
	}
	prev := 0
	for _, c := range append(cuts[:len(cuts):len(cuts)], len(d)) {
		cuts = append(cuts, (prev+c)/2, c-1)
		prev = c
	}
	cuts = append(cuts, 0)
	for _, n := range cuts {
		if n == len(d) || n == len(d)-1 {
			continue // the whole dump (with or without its last newline)
		}
		err := Load(open(t), bytes.NewReader(d[:n]), nil)
		if err == nil {
			t.Fatalf("a dump cut at byte %d of %d loaded without error", n, len(d))
		}
		if !strings.Contains(err.Error(), "line ") {
			t.Fatalf("cut at %d: error without a line number: %v", n, err)
		}
		if n == 0 && !errors.Is(err, ErrTruncated) {
			t.Fatalf("cut at %d: %v", n, err)
		}
	}
	// cut exactly at a line end: says truncated, with the line number of what is missing
	lines := bytes.Count(d, []byte("\n"))
	err := Load(open(t), bytes.NewReader(d[:cuts[lines-2]]), nil)
	if !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), fmt.Sprintf("line %d:", lines)) {
		t.Fatalf("cut before the trailer: %v", err)
	}
	// without the final newline it loads
	ok(t, Load(open(t), bytes.NewReader(d[:len(d)-1]), nil))
}

func TestCorruptLine(t *testing.T) {
	var buf bytes.Buffer
	ok(t, Dump(richDB(t), &buf, nil))
	lines := strings.SplitAfter(buf.String(), "\n")
	lines = lines[:len(lines)-1] // the empty string after the last newline
	cases := []struct {
		line int // 1-based
		with string
		want string
	}{
		{1, `{"fsmeta_dump":2}` + "\n", "version 2"},
		{1, `{"ino":1}` + "\n", "not an fsmeta dump"},
		{5, `{"ino":5,"parent":1,"name":"x","type":"q"}` + "\n", `"type"`},
		{5, `{"ino":5,"parent":1,"name":"x","type":"f","bogus":1}` + "\n", "bogus"},
		{6, "{\"ino\":5,\"parent\":1,\"name\":\"x\",\"type\":\"f\",\"mode\":\n", "bad JSON"},
		{6, `{"ino":5,"parent":1,"name":"a/b","type":"f"}` + "\n", "'/'"},
		{6, `{"ino":5,"parent":1,"name_b64":"!!","type":"f"}` + "\n", "base64"},
		{6, `{"ino":5,"parent":1,"name":"x","type":"f","mode":65535}` + "\n", "mode"},
		{6, `{"ino":5,"parent":999999,"name":"x","type":"f"}` + "\n", "parent 999999"},
		{6, `{"link":999999,"parent":1,"name":"x"}` + "\n", "link to inode 999999"},
		{6, `{"ino":5,"parent":1,"name":"x","type":"f","size":10,"chunks":{"0":[[0,1,5,0,6]]}}` + "\n", "off+len"},
		{len(lines), `{"end":true,"entries":1}` + "\n", "trailer counts 1"},
		{len(lines), "garbage\n", "bad JSON"},
	}
	for _, c := range cases {
		l := append([]string(nil), lines...)
		l[c.line-1] = c.with
		db := open(t)
		err := Load(db, strings.NewReader(strings.Join(l, "")), nil)
		var le *LineError
		if !errors.As(err, &le) || le.Line != int64(c.line) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("line %d = %q: error %v, want line %d and %q", c.line, c.with, err, c.line, c.want)
			continue
		}
		ok(t, db.Fsck())
	}
	// a line that fails in the engine leaves nothing of itself: a name that exists already
	l := append([]string(nil), lines[:4]...)
	dup := strings.Replace(lines[3], `"ino":`, `"ino":77`, 1)
	l = append(l, dup, `{"end":true,"entries":4}`+"\n")
	db := open(t)
	err := Load(db, strings.NewReader(strings.Join(l, "")), nil)
	var le *LineError
	if !errors.As(err, &le) || le.Line != 5 || fsmeta.ErrnoOf(err) != fsmeta.EEXIST {
		t.Fatalf("duplicate name: %v", err)
	}
	ok(t, db.Fsck())
}

func TestSynthetic20k(t *testing.T) {
	n := int64(20_000)
	if testing.Short() {
		n = 2000
	}
	src := open(t)
	syn := workload.NewSynth(7, n)
	_, _, err := workload.LoadSynth(src, syn, nil)
	ok(t, err)
	dst, _ := roundTrip(t, src)
	if s, d := src.Stats(), dst.Stats(); s.Inodes != d.Inodes || s.Files < uint64(n) {
		t.Fatalf("inodes: %d -> %d (files %d)", s.Inodes, d.Inodes, s.Files)
	}
}

func FuzzLoadLine(f *testing.F) {
	var buf bytes.Buffer
	if err := Dump(richDB(f), &buf, nil); err != nil {
		f.Fatal(err)
	}
	for _, l := range strings.Split(buf.String(), "\n") {
		if len(l) < 2000 { // long seeds make the fuzzer's minimizing crawl
			f.Add([]byte(l))
		}
	}
	f.Add([]byte(`{"ino":1,"chunks":{"4294967295":[[0,0,0,0,0]]}}`))
	f.Add([]byte(`{"fsmeta_dump":1,"ino":3}`))
	f.Add([]byte(`{"ino":3,"INO":4,"mtime":-0,"chunks":{},"xattrs":{"a":"b","a":"c"}}`))
	f.Add([]byte(`{"ino":3,"chunks":{"1":[],"2":[[1,2,3,4,5],[1,2,3,4]]},"end":false,"entries":18446744073709551615}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		// the fast decoder agrees with encoding/json whenever it decodes
		var fast, slow Record
		if fastDecode(b, &fast) {
			if err := decodeJSON(b, &slow); err != nil {
				t.Fatalf("fast decoder took %q, encoding/json says %v", b, err)
			}
			if !reflect.DeepEqual(fast, slow) {
				t.Fatalf("decoders differ on %q:\nfast %+v\njson %+v", b, fast, slow)
			}
		}
		l, err := DecodeLine(b)
		if err != nil {
			if l != nil {
				t.Fatal("a line and an error")
			}
			return
		}
		// what decodes encodes again to a line that decodes the same
		var out bytes.Buffer
		enc, err := marshalLine(&l.Rec)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(enc)
		l2, err := DecodeLine(out.Bytes())
		if err != nil {
			t.Fatalf("re-encoded line %s does not decode: %v", enc, err)
		}
		if l2.Kind != l.Kind || l2.Name != l.Name || l2.Target != l.Target || len(l2.Xattrs) != len(l.Xattrs) ||
			fmt.Sprint(l2.Chunks) != fmt.Sprint(l.Chunks) {
			t.Fatalf("round trip changed the line:\n%+v\n%+v", l, l2)
		}
	})
}

// The fast decoder takes every line Dump writes but the header and lines
// with non-UTF-8 xattr names or JSON escapes, and agrees with encoding/json on them.
func TestFastDecoder(t *testing.T) {
	var buf bytes.Buffer
	ok(t, Dump(richDB(t), &buf, nil))
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	for i, l := range lines[1:] {
		var fast, slow Record
		if !fastDecode([]byte(l), &fast) {
			if !strings.Contains(l, `"xattrs_b64"`) && !strings.Contains(l, `\`) {
				t.Errorf("line %d: the fast decoder refuses %.200s", i+2, l)
			}
			continue
		}
		ok(t, decodeJSON([]byte(l), &slow))
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("line %d: decoders differ:\nfast %+v\njson %+v", i+2, fast, slow)
		}
	}
}
