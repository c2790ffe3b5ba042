package fsmeta

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft-wal/metadb"
	"github.com/hashicorp/raft-wal/types"
	"go.etcd.io/bbolt"

	"github.com/fsmeta/fsmeta/core/meta"
)

// boltSamples returns real wal-meta.db files: one from the durable engine,
// one from raft-wal's metadata store with many commits and a stable bucket
// too large to be inline (so: a freelist with pages, branch and leaf pages
// below the root, overflow pages).
func boltSamples(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}

	dir := t.TempDir()
	db, err := Open(Options{Dir: dir, ArenaMaxBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if _, err := db.Create(nil, meta.RootIno, fmt.Sprint("f", i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "wal", metadb.FileName))
	if err != nil {
		t.Fatal(err)
	}
	out["engine"] = b

	dir = t.TempDir()
	var m metadb.BoltMetaDB
	if _, err := m.Load(dir); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		st := types.PersistentState{NextSegmentID: uint64(i + 2)}
		for k := 0; k <= i%5; k++ {
			st.Segments = append(st.Segments, types.SegmentInfo{ID: uint64(i + k), BaseIndex: uint64(1000*i + k), MinIndex: uint64(1000*i + k)})
		}
		if err := m.CommitState(st); err != nil {
			t.Fatal(err)
		}
		key := fmt.Sprintf("key-%03d", i*7%40)
		if err := m.SetStable([]byte(key), bytes.Repeat([]byte{byte(i)}, 300+i*40)); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.SetStable([]byte("big"), bytes.Repeat([]byte("v"), 20000)); err != nil { // overflow pages
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if b, err = os.ReadFile(filepath.Join(dir, metadb.FileName)); err != nil {
		t.Fatal(err)
	}
	out["metadb"] = b
	return out
}

// put writes b as a wal-meta.db in a new directory and returns its path.
func put(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), metadb.FileName)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// inspect runs the check on the file at path and returns what it found.
func inspect(t *testing.T, path string) (*boltFile, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return inspectBolt(f, path, st.Size())
}

// boltOpens opens path as bbolt, then as raft-wal does, reading every key
// and value, with faults turned into panics. It returns bbolt's
// transaction id and the size its header gives, or the error bbolt or
// raft-wal gives (a changed key or value is refused so), or crash, what a
// panic or a fault said.
func boltOpens(path string) (txid uint64, size int64, err error, crash any) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() { crash = recover() }()
	db, err := bbolt.Open(path, 0o644, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		return 0, 0, err, nil
	}
	var walk func(b *bbolt.Bucket) error
	walk = func(b *bbolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				return walk(b.Bucket(k))
			}
			return nil
		})
	}
	err = db.View(func(tx *bbolt.Tx) error {
		txid, size = uint64(tx.ID()), tx.Size()
		return tx.ForEach(func(_ []byte, b *bbolt.Bucket) error { return walk(b) })
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, 0, err, nil
	}
	var m metadb.BoltMetaDB
	if _, err := m.Load(filepath.Dir(path)); err != nil {
		return txid, size, err, nil
	}
	_, err = m.GetStable([]byte("CurrentTerm"))
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return txid, size, err, nil
}

// refused checks that err is a refusal naming path.
func refused(t *testing.T, err error, path, what string) {
	t.Helper()
	var be *boltError
	if !errors.As(err, &be) || !errors.Is(err, meta.EIO) || !strings.Contains(err.Error(), path) {
		t.Fatalf("%s: %v, want a refusal naming %s", what, err, path)
	}
}

// accepted checks that a file the check passed opens without a fault or a
// panic (bbolt or raft-wal may still refuse a changed value cleanly: clean
// reports whether none did), and that the check saw the header bbolt uses.
func accepted(t *testing.T, path string, b *boltFile, what string) (clean bool) {
	t.Helper()
	txid, size, err, crash := boltOpens(path)
	if crash != nil {
		t.Fatalf("%s: passed the check, but crashes bbolt or raft-wal: %v", what, crash)
	}
	if size != 0 && (txid != b.txid || uint64(size) != b.pgid*b.ps) {
		t.Fatalf("%s: the check took txid %d, %d pages of %d bytes; bbolt txid %d, %d bytes", what, b.txid, b.pgid, b.ps, txid, size)
	}
	return err == nil
}

func mustOpen(t *testing.T, path string, b *boltFile, what string) {
	t.Helper()
	if !accepted(t, path, b, what) {
		_, _, err, _ := boltOpens(path)
		t.Fatalf("%s: passed the check, but does not open: %v", what, err)
	}
}

func TestBoltCheckIntact(t *testing.T) {
	if err := checkBoltFile(filepath.Join(t.TempDir(), "none", metadb.FileName)); err != nil {
		t.Fatalf("a missing file: %v", err)
	}
	for name, b := range boltSamples(t) {
		p := put(t, b)
		bf, err := inspect(t, p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		mustOpen(t, p, bf, name)
		if err := checkBoltFile(p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Logf("%s: %d bytes, %d pages of %d in use, txid %d, %d tree pages, %d free", name, len(b), bf.pgid, bf.ps, bf.txid, len(bf.seen), len(bf.free))
	}
	// an empty file (bbolt would make it a database without raft-wal's
	// buckets, and raft-wal would panic on it), and a fresh bbolt database
	p := put(t, nil)
	refused(t, checkBoltFile(p), p, "empty")
	db, err := bbolt.Open(p, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	err = checkBoltFile(p)
	refused(t, err, p, "no buckets")
	if !strings.Contains(err.Error(), `no bucket "wal-meta"`) {
		t.Fatal(err)
	}
}

// TestBoltCheckTruncated: a file cut below its pages in use is refused (and
// never reaches bbolt); cut above, it passes and opens.
func TestBoltCheckTruncated(t *testing.T) {
	for name, b := range boltSamples(t) {
		bf, err := inspect(t, put(t, b))
		if err != nil {
			t.Fatal(err)
		}
		inUse := int(bf.pgid * bf.ps)
		cuts := []int{9000, 0, 1, 79, 80, 4095, 4096 + 80}
		for k := range 4 {
			cuts = append(cuts, k*int(bf.ps))
		}
		for c := 512; c < len(b); c += 512 {
			cuts = append(cuts, c, c-1)
		}
		for _, c := range cuts {
			if c > len(b) {
				continue
			}
			p := put(t, b[:c])
			what := fmt.Sprintf("%s cut to %d bytes", name, c)
			got, err := inspect(t, p)
			if c < inUse {
				refused(t, err, p, what)
				if c == 9000 && !strings.Contains(err.Error(), fmt.Sprintf("its header says %d pages of %d bytes but the file has 9000 bytes", bf.pgid, bf.ps)) {
					t.Fatalf("%s: %v", what, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s (%d in use): %v", what, inUse, err)
			}
			mustOpen(t, p, got, what)
		}
	}
}

// TestBoltCheckMetaFlips: every byte of the two header pages' headers and
// metas flipped, one at a time: the file passes and opens as bbolt opens it
// (from the other meta, when the flip spoils one), or is refused.
func TestBoltCheckMetaFlips(t *testing.T) {
	for name, b := range boltSamples(t) {
		bf, err := inspect(t, put(t, b))
		if err != nil {
			t.Fatal(err)
		}
		var pass, refuse, older int
		for _, base := range []int{0, int(bf.ps)} {
			for i := base; i < base+boltPageHdr+boltMetaSize; i++ {
				for _, x := range []byte{0x01, 0x80, 0xFF} {
					m := bytes.Clone(b)
					m[i] ^= x
					p := put(t, m)
					what := fmt.Sprintf("%s byte %d ^ %#x", name, i, x)
					got, err := inspect(t, p)
					if err != nil {
						refused(t, err, p, what)
						refuse++
						continue
					}
					mustOpen(t, p, got, what)
					pass++
					if got.txid != bf.txid {
						older++
					}
				}
			}
		}
		t.Logf("%s: %d flips passed (%d of them on the older meta), %d refused", name, pass, older, refuse)
		if older == 0 {
			t.Fatalf("%s: no flip made bbolt fall back to the older meta", name)
		}
	}
}

// resign sets the checksum of the meta of the header page at off.
func resign(b []byte, off int) {
	m := b[off+boltPageHdr : off+boltPageHdr+boltMetaSize]
	h := fnv.New64a()
	h.Write(m[:boltSumOff])
	binary.NativeEndian.PutUint64(m[boltSumOff:], h.Sum64())
}

// TestBoltCheckHeaderLies: headers with a valid checksum that do not fit
// the file are refused, each with its cause; so are two spoiled headers.
func TestBoltCheckHeaderLies(t *testing.T) {
	b := boltSamples(t)["metadb"]
	bf, err := inspect(t, put(t, b))
	if err != nil {
		t.Fatal(err)
	}
	ps := int(bf.ps)
	cur := 0 // the header page bbolt takes
	if bf.txid%2 == 1 {
		cur = ps
	}
	ne := binary.NativeEndian
	for _, c := range []struct {
		what string
		set  func(m []byte) // the chosen page's meta
		want string
	}{
		{"pgid past the file", func(m []byte) { ne.PutUint64(m[40:], uint64(len(b)/ps+1)) }, "pages of"},
		{"pgid 2", func(m []byte) { ne.PutUint64(m[40:], 2) }, "fewer than a database has"},
		{"root at the high-water mark", func(m []byte) { ne.PutUint64(m[16:], bf.pgid) }, "puts the root at page"},
		{"root on a header page", func(m []byte) { ne.PutUint64(m[16:], 1) }, "puts the root at page"},
		{"freelist past the high-water mark", func(m []byte) { ne.PutUint64(m[32:], bf.pgid+5) }, "puts the freelist at page"},
		{"freelist on the root", func(m []byte) { copy(m[32:40], m[16:24]) }, "the freelist, page"},
		{"root on the freelist", func(m []byte) { copy(m[16:24], m[32:40]) }, "neither a branch nor a leaf"},
		{"page size 1000", func(m []byte) { ne.PutUint32(m[8:], 1000) }, "pages of"},
		{"page size 256", func(m []byte) { ne.PutUint32(m[8:], 256) }, "pages of"},
		{"page size 128 KiB", func(m []byte) { ne.PutUint32(m[8:], 128<<10) }, "pages of"},
		{"page size half", func(m []byte) { ne.PutUint32(m[8:], uint32(ps/2)) }, "bytes"},
	} {
		m := bytes.Clone(b)
		c.set(m[cur+boltPageHdr:])
		resign(m, cur)
		p := put(t, m)
		err := checkBoltFile(p)
		refused(t, err, p, c.what)
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.what, err, c.want)
		}
		t.Logf("%s: %v", c.what, err)
	}
	// page 0's page size is the one bbolt uses, whichever meta it takes
	for _, size := range []uint32{0, 256, 1000, 4097, 128 << 10} {
		m := bytes.Clone(b)
		ne.PutUint32(m[boltPageHdr+8:], size)
		resign(m, 0)
		p := put(t, m)
		err := checkBoltFile(p)
		refused(t, err, p, fmt.Sprint("page 0 says pages of ", size))
		if !strings.Contains(err.Error(), fmt.Sprintf("its header says pages of %d bytes (a power of two from 512 to 65536 expected)", size)) {
			t.Errorf("page size %d: %v", size, err)
		}
	}
	// both headers spoiled
	m := bytes.Clone(b)
	m[boltPageHdr] ^= 1
	m[ps+boltPageHdr+50] ^= 1
	p := put(t, m)
	err = checkBoltFile(p)
	refused(t, err, p, "both headers")
	if !strings.Contains(err.Error(), "neither header page is valid (page 0: magic") {
		t.Fatal(err)
	}
	// the freelist's page header
	fl := int(ne.Uint64(b[cur+boltPageHdr+32:]))
	for i, want := range map[int]string{0: "says it is page", 8: "has page flags", 10: "lists", 12: "spans"} {
		m := bytes.Clone(b)
		m[fl*ps+i] ^= 0xFF
		if i == 10 {
			m[fl*ps+i+1] ^= 0x7F // a count far larger than the page
		}
		p := put(t, m)
		err := checkBoltFile(p)
		refused(t, err, p, fmt.Sprint("freelist header byte ", i))
		if !strings.Contains(err.Error(), want) {
			t.Errorf("freelist header byte %d: %v, want %q", i, err, want)
		}
	}
}

// TestBoltCheckPageFlips: a byte flipped anywhere past the header pages:
// refused, or opens safely (a changed key or value bbolt cannot tell).
func TestBoltCheckPageFlips(t *testing.T) {
	for name, b := range boltSamples(t) {
		bf, err := inspect(t, put(t, b))
		if err != nil {
			t.Fatal(err)
		}
		step := 1
		if testing.Short() {
			step = 7
		}
		var pass, refuse int
		end := min(len(b), int(bf.pgid*bf.ps))
		for i := 2 * int(bf.ps); i < end; i += step {
			// the header of every page, and a sample of the rest
			if i%int(bf.ps) >= boltPageHdr+4*boltElemSize && i%61 != 0 {
				continue
			}
			m := bytes.Clone(b)
			m[i] ^= 0xFF
			p := put(t, m)
			what := fmt.Sprintf("%s byte %d (page %d offset %d) ^ 0xff", name, i, i/int(bf.ps), i%int(bf.ps))
			got, err := inspect(t, p)
			if err != nil {
				refused(t, err, p, what)
				refuse++
				continue
			}
			accepted(t, p, got, what)
			pass++
		}
		t.Logf("%s: %d flips passed, %d refused", name, pass, refuse)
	}
}

// TestOpenTruncatedWalMeta: a durable directory whose wal-meta.db is cut to
// 9000 bytes is refused with an error naming the file, not a SIGBUS. It
// opens the engine in a child process, so that a fault fails this test
// alone.
//
// needs checkBoltFile wired into openDurable1 before wal.Open
func TestOpenTruncatedWalMeta(t *testing.T) {
	if dir := os.Getenv("FSMETA_WALMETA_CHILD"); dir != "" {
		db, err := Open(Options{Dir: dir, ArenaMaxBytes: 64 << 20})
		if err == nil {
			db.Close()
			fmt.Println("OPENED")
			return
		}
		fmt.Println("ERROR:", err)
		return
	}
	dir := t.TempDir()
	db, err := Open(Options{Dir: dir, ArenaMaxBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Create(nil, meta.RootIno, "f", 0o644); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "wal", metadb.FileName)
	if err := os.Truncate(p, 9000); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestOpenTruncatedWalMeta$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FSMETA_WALMETA_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the open crashed: %v\n%.2000s", err, out)
	}
	if !bytes.Contains(out, []byte("ERROR:")) || !bytes.Contains(out, []byte(p)) {
		t.Fatalf("the open did not refuse the file by name:\n%.2000s", out)
	}
	t.Logf("%s", bytes.TrimSpace(out))
}
