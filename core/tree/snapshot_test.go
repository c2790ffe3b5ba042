package tree

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fsmeta/fsmeta/core/meta"
)

// richTree builds a tree with every kind of state a snapshot must carry:
// every file type, hard links (one whose first name is gone), an unlinked
// open file, xattrs on files and directories, compact and multi-chunk data,
// immutable and append-only flags, setgid and sticky directories, many
// (mode, uid, gid) triples, a big directory, non-UTF-8 names.
func richTree(t testing.TB, n int) *Tree {
	tr, err := New(Options{ArenaMaxBytes: 1 << 30, RootTime: 5})
	if err != nil {
		t.Fatal(err)
	}
	c := &meta.Caller{Uid: 1000, Gid: 100, Umask: 0o022}
	now := int64(1_700_000_000_000_000_000)
	tick := func() int64 { now += 1_000_003; return now }
	must := func(e meta.Errno) {
		t.Helper()
		if e != 0 {
			t.Fatal(e)
		}
	}
	d, e := tr.Mkdir(meta.RootCaller, tick(), meta.RootIno, "data", 0o1777|meta.S_ISGID)
	must(e)
	_, e = tr.SetAttr(meta.RootCaller, tick(), d.Ino, meta.SetMode|meta.SetGid, &meta.SetAttrIn{Mode: 0o3777, Gid: 100})
	must(e)
	big, e := tr.Mkdir(meta.RootCaller, tick(), d.Ino, "big", 0o777)
	must(e)
	rng := rand.New(rand.NewSource(1))
	var files []meta.Ino
	for i := 0; i < n; i++ {
		a, e := tr.Mknod(&meta.Caller{Uid: uint32(1000 + i%7), Gid: uint32(i % 5)}, tick(), big.Ino, "part-"+strconv.Itoa(i)+".parquet", uint32(0o600+i%64), 0)
		must(e)
		files = append(files, a.Ino)
		switch i % 5 {
		case 0:
			_, e = tr.WriteSlice(meta.RootCaller, tick(), a.Ino, 0, meta.Slice{ID: uint64(i + 1), Size: 4096, Len: 4096})
		case 1:
			_, e = tr.WriteSlice(meta.RootCaller, tick(), a.Ino, uint32(rng.Intn(3)), meta.Slice{ID: uint64(i + 1), Size: 100, Off: 10, Len: 50, Pos: 7})
		case 2:
			_, e = tr.Fallocate(meta.RootCaller, tick(), a.Ino, meta.FallocZeroRange, 10, 3*meta.ChunkSize)
		}
		must(e)
	}
	sub, e := tr.Mkdir(meta.RootCaller, tick(), d.Ino, "sub\xff\xfe", 0o750)
	must(e)
	for _, m := range []uint32{meta.S_IFIFO | 0o644, meta.S_IFSOCK | 0o600, meta.S_IFCHR | 0o600, meta.S_IFBLK | 0o640} {
		_, e := tr.Mknod(meta.RootCaller, tick(), sub.Ino, "dev"+strconv.Itoa(int(m>>12)), m, 0x0801)
		must(e)
	}
	_, e = tr.Symlink(meta.RootCaller, tick(), sub.Ino, "link", "../big/part-1.parquet")
	must(e)
	_, e = tr.Link(meta.RootCaller, tick(), files[0], sub.Ino, "hard")
	must(e)
	_, e = tr.Link(meta.RootCaller, tick(), files[1], sub.Ino, "hard2")
	must(e)
	must(tr.Unlink(meta.RootCaller, tick(), big.Ino, "part-1.parquet")) // files[1]: detached, one link left
	_, e = tr.Open(meta.RootCaller, tick(), files[2], meta.O_RDWR)
	must(e)
	must(tr.Unlink(meta.RootCaller, tick(), big.Ino, "part-2.parquet")) // files[2]: unlinked and open
	must(tr.SetXattr(meta.RootCaller, tick(), files[3], "user.k", []byte{0, 1, 2}, 0))
	must(tr.SetXattr(meta.RootCaller, tick(), d.Ino, "trusted.x", bytes.Repeat([]byte("v"), 1000), 0))
	_, e = tr.SetAttr(meta.RootCaller, tick(), files[4], meta.SetFlags, &meta.SetAttrIn{Flags: meta.FlagImmutable})
	must(e)
	_, e = tr.SetAttr(meta.RootCaller, tick(), files[5], meta.SetFlags|meta.SetCtime, &meta.SetAttrIn{Flags: meta.FlagAppend, Ctime: -5})
	must(e)
	_, e = tr.NewSliceID(c, 1000)
	must(e)
	if err := tr.Fsck(); err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestSnapshotRoundTrip(t *testing.T) {
	tr := richTree(t, 5000)
	defer tr.Close()
	var buf bytes.Buffer
	if _, err := tr.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	snap := append([]byte{}, buf.Bytes()...)
	back, err := ReadSnapshot(bytes.NewReader(snap), Options{ArenaMaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if err := back.Fsck(); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if _, err := back.WriteSnapshot(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(snap, again.Bytes()) {
		t.Fatalf("restored state differs (%d vs %d bytes)", len(snap), again.Len())
	}
	a, _ := tr.Checksum()
	b, _ := back.Checksum()
	if a != b {
		t.Fatal("checksums differ")
	}
	// The restored tree goes on as the original: same results, same state.
	for _, x := range []*Tree{tr, back} {
		if _, e := x.Mknod(meta.RootCaller, 9, meta.RootIno, "after", 0o644, 0); e != 0 {
			t.Fatal(e)
		}
		if e := x.Release(meta.RootCaller, 4+2); e != 0 && e != meta.EBADF {
			t.Fatal(e)
		}
	}
	a, _ = tr.Checksum()
	b, _ = back.Checksum()
	if a != b {
		t.Fatal("states diverge after the same operations")
	}
}

// TestSnapshotCorrupt flips bytes and truncates: every damaged snapshot must
// be refused with a SnapshotError, never a panic or a wrong tree.
func TestSnapshotCorrupt(t *testing.T) {
	tr := richTree(t, 300)
	defer tr.Close()
	var buf bytes.Buffer
	if _, err := tr.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	snap := buf.Bytes()
	check := func(what string, b []byte) {
		t.Helper()
		back, err := ReadSnapshot(bytes.NewReader(b), Options{ArenaMaxBytes: 256 << 20})
		var se *SnapshotError
		if err == nil {
			back.Close()
			t.Fatalf("%s: accepted", what)
		}
		if !errors.As(err, &se) {
			t.Fatalf("%s: %v is not a SnapshotError", what, err)
		}
	}
	step := 1
	if testing.Short() {
		step = 97
	}
	for n := 0; n < len(snap); n += step {
		check("truncated at "+strconv.Itoa(n), snap[:n])
	}
	rng := rand.New(rand.NewSource(3))
	for i := 0; i < 300; i++ {
		b := append([]byte{}, snap...)
		b[rng.Intn(len(b))] ^= byte(1 + rng.Intn(255))
		check("flipped", b)
	}
}

func FuzzSnapshotRead(f *testing.F) {
	tr := richTree(f, 20)
	var buf bytes.Buffer
	tr.WriteSnapshot(&buf)
	tr.Close()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		back, err := ReadSnapshot(bytes.NewReader(b), Options{ArenaMaxBytes: 64 << 20})
		if err == nil {
			if err := back.Fsck(); err != nil {
				t.Fatalf("accepted a snapshot that fails fsck: %v", err)
			}
			back.Close()
		}
	})
}

func BenchmarkSnapshotRestore(b *testing.B) {
	tr := richTree(b, 200000)
	var buf bytes.Buffer
	tr.WriteSnapshot(&buf)
	entries := tr.Stats().Inodes
	tr.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		back, err := ReadSnapshot(bytes.NewReader(buf.Bytes()), Options{})
		if err != nil {
			b.Fatal(err)
		}
		back.Close()
	}
	b.ReportMetric(float64(entries)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mentries/s")
}

// BenchmarkSnapshotRestoreFile restores the snapshot in the file named by
// $FSMETA_SNAP (e.g. the state.bin of a data directory that
// `fsmeta bench -mode durable -files 10000000` exported), read into memory
// first: the restore's own speed on a big, realistic namespace.
func BenchmarkSnapshotRestoreFile(b *testing.B) {
	path := os.Getenv("FSMETA_SNAP")
	if path == "" {
		b.Skip("FSMETA_SNAP names no snapshot file")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var entries uint64
	var ru0, ru1 syscall.Rusage
	var sys, usr time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		syscall.Getrusage(0, &ru0)
		back, err := ReadSnapshot(bytes.NewReader(data), Options{})
		syscall.Getrusage(0, &ru1)
		sys += time.Duration(ru1.Stime.Nano() - ru0.Stime.Nano())
		usr += time.Duration(ru1.Utime.Nano() - ru0.Utime.Nano())
		if err != nil {
			b.Fatal(err)
		}
		entries = back.Stats().Inodes
		b.StopTimer()
		back.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(entries)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mentries/s")
	b.ReportMetric(sys.Seconds()/float64(b.N), "sys-s/op")
	b.ReportMetric(usr.Seconds()/float64(b.N), "user-s/op")
}

// errAtEOF reads b, then fails with err where io.EOF would come.
type errAtEOF struct {
	r   *bytes.Reader
	err error
}

func (e *errAtEOF) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		err = e.err
	}
	return n, err
}

// TestSnapshotEnd: a restore reads its source to the end: data after the
// end section, or an error in place of EOF (a source that checks the whole
// stream, as the raft store's reader does), fails it.
func TestSnapshotEnd(t *testing.T) {
	tr := richTree(t, 100)
	defer tr.Close()
	var buf bytes.Buffer
	if _, err := tr.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	snap := buf.Bytes()
	var se *SnapshotError
	if back, err := ReadSnapshot(bytes.NewReader(append(append([]byte{}, snap...), 0)), Options{ArenaMaxBytes: 64 << 20}); !errors.As(err, &se) {
		if back != nil {
			back.Close()
		}
		t.Fatalf("data after the end section: %v", err)
	}
	bad := errors.New("CRC mismatch")
	if back, err := ReadSnapshot(&errAtEOF{bytes.NewReader(snap), bad}, Options{ArenaMaxBytes: 64 << 20}); !errors.As(err, &se) || !strings.Contains(err.Error(), bad.Error()) {
		if back != nil {
			back.Close()
		}
		t.Fatalf("an error at the end of the source: %v", err)
	}
	back, err := ReadSnapshot(&errAtEOF{bytes.NewReader(snap), io.EOF}, Options{ArenaMaxBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	back.Close()
}

// snapshotBytes returns the snapshot tr writes now.
func snapshotBytes(t testing.TB, tr *Tree) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := tr.WriteSnapshot(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
