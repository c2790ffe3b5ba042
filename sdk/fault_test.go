package fsmeta_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fsmeta/fsmeta/internal/dump"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// Fault injection for every file of a durable data directory (issue #16):
// a small valid directory is built once, deterministically, with the
// canonical state after every operation recorded; then each file of it
// (every wal/*.wal segment, wal/wal-meta.db, the spare segment, each
// snapshot's state.bin and meta.json, LOCK) is damaged in a copy (one bit
// or one byte flipped, or the file truncated, at offsets spread over the
// file) and the copy is opened in a fresh process (TestFaultChild). Each
// case must end in one of:
//
//   - full: the directory opens, fsck passes, and the state is the one
//     written;
//   - prefix: the state without the last operation (the last batch: the
//     only one that can be unsynced when a crash tears a write), only when
//     the damage is in the newest segment and the open reported the
//     dropped part on stderr; dropping more loses batches that were
//     synced and acknowledged before it;
//   - refused: Open fails at once (not after a wait: within 9 s on a busy
//     machine; it takes ~0.1 s) with an error naming the damaged file
//     (its path, its name, or for a snapshot's files its snapshot's id),
//     and the directory's files are as they were (LOCK aside: every open
//     writes its pid there; wal-meta.db may be rewritten by bbolt as long
//     as its keys and values are the same).
//
// A panic, a crash, a hang (60 s), a refusal that names another file or
// none, or any other state fails. After an open, the child also makes one
// change, closes and reopens: the change and the state must be there (an
// open that accepts writes it cannot read back is a failure too); short
// runs skip this where the damage is in a file an open does not read
// (LOCK, the spare segment, the older snapshot).
//
// A case is named by the file, the offset and the mutation, e.g.
// "wal/00000000000000001041-0000000000000001.wal xor@198548=0x40(bit)"
// (the fixture is the same in every run of the same code; snapshots'
// directory names carry the time). TestFaultRegressions keeps the cases
// that failed, located by their role in the fixture.
//
// FSMETA_FAULT_SAVE=DIR writes the pristine directory to DIR.
// FSMETA_LONG_TESTS=1 runs many hundreds of cases per file instead of a few
// dozen; FSMETA_FAULT_REPORT=FILE writes the long run's table to FILE.

const (
	faultChildDir = "FSMETA_FAULT_CHILD_DIR"    // the child opens this directory
	faultChildOut = "FSMETA_FAULT_CHILD_OUT"    // and writes its faultResult here
	faultChildRe  = "FSMETA_FAULT_CHILD_REOPEN" // "1": and checks a change, a close and an open after it
	faultTimeout  = 60 * time.Second            // a child running longer hangs
	faultSegSize  = 64 << 20                    // raft-wal's segment size
	// A refusal must come at once, not after a wait: raft's leadership is
	// awaited for 10 s. (The refusals here take ~0.1 s; on a machine loaded
	// many times over, 5-6 s were seen.)
	faultSlowRefusal = 9 * time.Second
)

func faultLong() bool { return os.Getenv("FSMETA_LONG_TESTS") == "1" }

// faultOpts are the options every open of a fault directory uses.
func faultOpts(dir string) fsmeta.Options {
	return fsmeta.Options{Dir: dir, ArenaMaxBytes: 64 << 20}
}

// canonState is the canonical description of db's namespace (every path,
// attributes without inode numbers, targets, xattrs, slices: dump.Describe)
// and its hash.
func canonState(db *fsmeta.DB) (lines []string, hash string, err error) {
	lines, err = dump.Describe(db)
	if err != nil {
		return nil, "", err
	}
	return lines, hashLines(lines), nil
}

func hashLines(lines []string) string {
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ---- the fixture: a small data directory and every state it went through

// faultFile is one file of the pristine directory.
type faultFile struct {
	rel     string  // path relative to the data directory
	kind    string  // its row in the outcome table
	size    int64   // the file's size
	data    []byte  // its bytes up to the last non-zero one (the rest are zeros)
	frames  []int64 // segments: the offset of every frame header
	entries []int64 // segments: the offset of every entry frame
	commits []int64 // segments: the end of every commit frame (batch boundaries)
	isTail  bool    // the newest segment
	replay  int64   // segments: where the entries an open replays start (after the newest snapshot)
}

// faultFixture is a pristine data directory, kept in memory.
type faultFixture struct {
	files    []*faultFile
	states   map[string]int // state hash -> the number of operations applied
	nops     int
	full     string   // the final state's hash
	fullDump []string // the final state
	sumOnce  sync.Once
	sums     map[string]string // every file's contentSum
	boltOnce sync.Once
	bolt     string // wal-meta.db's keys and values (boltContent)
}

// fixtureSpec says what a fixture's directory holds.
type fixtureSpec struct {
	snap1, snap3 bool // take a snapshot after phase 1, after phase 3
	bigSeg       bool // fill the first segment with large xattr writes so that the log has two segments
	snapInBig    int  // take a snapshot after this many of the large writes (0: none)
	waitSpare    bool // wait for the spare segment before closing
}

type faultOp struct {
	name string
	do   func(db *fsmeta.DB) error
}

func resolve(db *fsmeta.DB, p string) (fsmeta.Ino, error) {
	a, err := db.Resolve(nil, p, false)
	return a.Ino, err
}

func inParent(db *fsmeta.DB, p string) (fsmeta.Ino, string, error) {
	ino, err := resolve(db, filepath.Dir(p))
	return ino, filepath.Base(p), err
}

func opMkdir(p string) faultOp {
	return faultOp{"mkdir " + p, func(db *fsmeta.DB) error {
		d, n, err := inParent(db, p)
		if err == nil {
			_, err = db.Mkdir(nil, d, n, 0o755)
		}
		return err
	}}
}

func opCreate(p string) faultOp {
	return faultOp{"create " + p, func(db *fsmeta.DB) error {
		d, n, err := inParent(db, p)
		if err == nil {
			_, err = db.Create(nil, d, n, 0o644)
		}
		return err
	}}
}

func opSymlink(p, target string) faultOp {
	return faultOp{"symlink " + p, func(db *fsmeta.DB) error {
		d, n, err := inParent(db, p)
		if err == nil {
			_, err = db.Symlink(nil, d, n, target)
		}
		return err
	}}
}

func opXattr(p, name string, v []byte) faultOp {
	return faultOp{"setxattr " + p + " " + name, func(db *fsmeta.DB) error {
		ino, err := resolve(db, p)
		if err == nil {
			err = db.SetXattr(nil, ino, name, v, 0)
		}
		return err
	}}
}

func opRename(from, to string) faultOp {
	return faultOp{"rename " + from + " " + to, func(db *fsmeta.DB) error {
		d1, n1, err := inParent(db, from)
		if err != nil {
			return err
		}
		d2, n2, err := inParent(db, to)
		if err == nil {
			err = db.Rename(nil, d1, n1, d2, n2, 0)
		}
		return err
	}}
}

func opLink(from, to string) faultOp {
	return faultOp{"link " + from + " " + to, func(db *fsmeta.DB) error {
		ino, err := resolve(db, from)
		if err != nil {
			return err
		}
		d, n, err := inParent(db, to)
		if err == nil {
			_, err = db.Link(nil, ino, d, n)
		}
		return err
	}}
}

func opUnlink(p string) faultOp {
	return faultOp{"unlink " + p, func(db *fsmeta.DB) error {
		d, n, err := inParent(db, p)
		if err == nil {
			err = db.Unlink(nil, d, n)
		}
		return err
	}}
}

func opRmdir(p string) faultOp {
	return faultOp{"rmdir " + p, func(db *fsmeta.DB) error {
		d, n, err := inParent(db, p)
		if err == nil {
			err = db.Rmdir(nil, d, n)
		}
		return err
	}}
}

func opChmod(p string, mode uint32) faultOp {
	return faultOp{"chmod " + p, func(db *fsmeta.DB) error {
		ino, err := resolve(db, p)
		if err == nil {
			_, err = db.Chmod(nil, ino, mode)
		}
		return err
	}}
}

// opSlice writes a slice into chunk 0 of p (a new slice id, then the write).
func opSlice(p string, size uint32) faultOp {
	return faultOp{"writeslice " + p, func(db *fsmeta.DB) error {
		ino, err := resolve(db, p)
		if err != nil {
			return err
		}
		id, err := db.NewSliceID(nil, 1)
		if err == nil {
			_, err = db.WriteSlice(nil, ino, 0, fsmeta.Slice{ID: id, Size: size, Len: size})
		}
		return err
	}}
}

// faultPhases are the operations of a fixture: phase 1, then (bigSeg) the
// large writes, then phase 3 and phase 4. Snapshots are taken between them.
func faultPhase1() []faultOp {
	return []faultOp{
		opMkdir("/a"),
		opMkdir("/a/b"),
		opCreate("/a/f1"),
		opXattr("/a/f1", "user.k", []byte("v1")),
		opSymlink("/a/l1", "../target/x"),
		opCreate("/a/b/f2"),
		opSlice("/a/b/f2", 4096),
		opRename("/a/f1", "/a/b/f1r"),
		opLink("/a/b/f1r", "/a/hard"),
		opMkdir("/c"),
		opCreate("/c/x"),
		opUnlink("/a/hard"),
	}
}

func faultPhase3() []faultOp {
	return []faultOp{
		opXattr("/c/x", "user.phase", []byte("three")),
		opRename("/a/l1", "/c/l1"),
		opCreate("/c/y"),
		opChmod("/c/y", 0o600),
		opMkdir("/a/b/deep"),
		opSymlink("/a/b/deep/s", "/c/x"),
	}
}

func faultPhase4() []faultOp {
	return []faultOp{
		opMkdir("/d"),
		opCreate("/d/y"),
		opXattr("/d/y", "user.four", []byte("4444")),
		opRename("/c/x", "/d/x2"),
		opSymlink("/d/s", "x2"),
		opUnlink("/a/b/f2"),
		opUnlink("/c/y"),
		opSlice("/d/y", 777),
		opMkdir("/d/last"),
	}
}

// bigValue is the value of the i-th large xattr write: 64 KiB, mostly
// zeros (so that copies of the segment stay sparse), numbered.
func bigValue(i int) []byte {
	v := make([]byte, 65536)
	binary.LittleEndian.PutUint64(v, uint64(i)+1)
	copy(v[len(v)-8:], "endvalue")
	return v
}

// buildFaultFixture builds the directory dir per spec and reads it into
// memory.
func buildFaultFixture(tb testing.TB, dir string, spec fixtureSpec) *faultFixture {
	tb.Helper()
	db, err := fsmeta.Open(faultOpts(dir))
	if err != nil {
		tb.Fatal(err)
	}
	fx := &faultFixture{states: map[string]int{}}
	clock := int64(1_700_000_000_000_000_000)
	record := func() {
		_, h, err := canonState(db)
		if err != nil {
			tb.Fatal(err)
		}
		fx.states[h] = fx.nops // a later prefix with the same state wins
	}
	run := func(ops []faultOp) {
		for _, op := range ops {
			clock += 1_000_000_007
			db.SetTestTime(clock)
			if err := op.do(db); err != nil {
				tb.Fatalf("building the fixture: %s: %v", op.name, err)
			}
			fx.nops++
			record()
		}
	}
	snap := func(take bool) {
		if take {
			if err := db.Snapshot(); err != nil {
				tb.Fatal(err)
			}
		}
	}
	record()
	run(faultPhase1())
	snap(spec.snap1)
	if spec.bigSeg {
		run([]faultOp{opCreate("/big")})
		// Write until an entry goes past the first segment's 64 MiB (raft-wal
		// then seals it and starts the next one, in the background: wait for
		// it, so that the same writes go into each segment in every run),
		// then a few more.
		for i, after := 0, -1; after < 3; i++ {
			run([]faultOp{opXattr("/big", "user.v", bigValue(i))})
			snap(i+1 == spec.snapInBig)
			if after >= 0 {
				after++
				continue
			}
			segs, _ := filepath.Glob(filepath.Join(dir, "wal", "*.wal"))
			if fi, err := os.Stat(segs[0]); len(segs) == 1 && (err != nil || fi.Size() <= faultSegSize) {
				continue
			}
			for deadline := time.Now().Add(10 * time.Second); len(segs) < 2; segs, _ = filepath.Glob(filepath.Join(dir, "wal", "*.wal")) {
				if time.Now().After(deadline) {
					tb.Fatalf("the log did not rotate to a second segment")
				}
				time.Sleep(time.Millisecond)
			}
			after = 0
		}
		run([]faultOp{opXattr("/big", "user.v", []byte("small again"))})
	}
	run(faultPhase3())
	snap(spec.snap3)
	run(faultPhase4())
	lines, h, err := canonState(db)
	if err != nil {
		tb.Fatal(err)
	}
	fx.full, fx.fullDump = h, lines
	if err := db.Fsck(); err != nil {
		tb.Fatal(err)
	}
	if spec.waitSpare {
		spare := filepath.Join(dir, "wal", "spare-segment.zero")
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if fi, err := os.Stat(spare); err == nil && fi.Size() == faultSegSize {
				break
			}
			if time.Now().After(deadline) {
				tb.Fatalf("no spare segment after 20s")
			}
		}
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	fx.files = readFixtureFiles(tb, dir)
	return fx
}

// readFixtureFiles reads every file of dir, newest segment marked.
func readFixtureFiles(tb testing.TB, dir string) []*faultFile {
	var files []*faultFile
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			tb.Fatal(err)
		}
		if info.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		f := &faultFile{rel: rel, size: info.Size(), data: b[:lastNonZeroByte(b)+1]}
		files = append(files, f)
		return nil
	})
	sort.Slice(files, func(i, j int) bool { return files[i].rel < files[j].rel })
	var segs []*faultFile
	var snaps []string
	for _, f := range files {
		switch {
		case strings.HasPrefix(f.rel, "wal/") && strings.HasSuffix(f.rel, ".wal"):
			segs = append(segs, f)
			f.frames, f.entries, f.commits = segmentFrames(f.data)
		case strings.HasPrefix(f.rel, "snapshots/"):
			snaps = append(snaps, filepath.Base(filepath.Dir(f.rel)))
		}
	}
	if len(segs) > 0 {
		segs[len(segs)-1].isTail = true // names sort by base index
	}
	sort.Slice(snaps, func(i, j int) bool { return faultSnapIndex(snaps[i]) > faultSnapIndex(snaps[j]) })
	var newest uint64
	if len(snaps) > 0 {
		newest = faultSnapIndex(snaps[0])
	}
	for _, f := range segs {
		base, _ := strconv.ParseUint(strings.SplitN(filepath.Base(f.rel), "-", 2)[0], 10, 64)
		f.replay = int64(len(f.data))
		if i := int64(newest) + 1 - int64(base); i <= 0 {
			f.replay = 0
		} else if i < int64(len(f.entries)) {
			f.replay = f.entries[i]
		}
	}
	for _, f := range files {
		switch {
		case f.isTail:
			f.kind = "segment (tail)"
		case strings.HasSuffix(f.rel, ".wal"):
			f.kind = "segment (sealed)"
		case strings.HasPrefix(f.rel, "snapshots/"):
			age := "older"
			if filepath.Base(filepath.Dir(f.rel)) == snaps[0] {
				age = "newest"
			}
			f.kind = fmt.Sprintf("snapshot %s (%s)", filepath.Base(f.rel), age)
		default:
			f.kind = f.rel
		}
	}
	return files
}

func faultSnapIndex(id string) uint64 {
	parts := strings.Split(id, "-")
	if len(parts) < 2 {
		return 0
	}
	n, _ := strconv.ParseUint(parts[1], 10, 64)
	return n
}

func lastNonZeroByte(b []byte) int {
	i := len(b) - 1
	for i >= 0 && b[i] == 0 {
		i--
	}
	return i
}

// segmentFrames walks a raft-wal segment's frames (a 32-byte file header;
// then frames of an 8-byte header: type, 3 reserved bytes, a u32 length,
// or for a commit frame a CRC; entry and index frames' payloads are padded
// to 8 bytes) and returns every frame header's offset and every commit
// frame's end.
func segmentFrames(b []byte) (frames, entries, commits []int64) {
	off := int64(32)
	for off+8 <= int64(len(b)) {
		typ, n := b[off], int64(binary.LittleEndian.Uint32(b[off+4:]))
		switch typ {
		case 1, 2:
			frames = append(frames, off)
			if typ == 1 {
				entries = append(entries, off)
			}
			off += 8 + (n+7)&^7
		case 3:
			frames = append(frames, off)
			off += 8
			commits = append(commits, off)
		default:
			return
		}
	}
	return
}

// materialize writes the fixture into dir, with the file of damage (if
// any) damaged, and returns the hash of every file but LOCK (dirSums).
// Zero runs of 4 KiB are left as holes: they read as the zeros they were.
func (fx *faultFixture) materialize(tb testing.TB, dir string, damage *faultCase) map[string]string {
	tb.Helper()
	sums := map[string]string{}
	for _, f := range fx.files {
		data, size := f.data, f.size
		if damage != nil && damage.file == f {
			data, size = damage.damaged()
		}
		writeSparse(tb, filepath.Join(dir, f.rel), data, size)
		if f.rel != "LOCK" {
			if damage == nil || damage.file != f {
				fx.sumOnce.Do(fx.sumPristine)
				sums[f.rel] = fx.sums[f.rel]
			} else {
				sums[f.rel] = contentSum(data, size)
			}
		}
	}
	return sums
}

func (fx *faultFixture) sumPristine() {
	fx.sums = map[string]string{}
	for _, f := range fx.files {
		fx.sums[f.rel] = contentSum(f.data, f.size)
	}
}

var castagnoliTab = crc32.MakeTable(crc32.Castagnoli)

// contentSum is the hash dirSums gives a file of these bytes followed by
// zeros up to size.
func contentSum(data []byte, size int64) string {
	c := crc32.Checksum(data[:min(int64(len(data)), size)], castagnoliTab)
	zero := make([]byte, 1<<20)
	for n := size - int64(len(data)); n > 0; n -= int64(len(zero)) {
		c = crc32.Update(c, castagnoliTab, zero[:min(n, int64(len(zero)))])
	}
	return fmt.Sprintf("%d:%08x", size, c)
}

func writeSparse(tb testing.TB, path string, data []byte, size int64) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	out, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer out.Close()
	const blk = 4096
	zero := make([]byte, blk)
	for off := 0; off < len(data); off += blk {
		end := min(off+blk, len(data))
		if bytes.Equal(data[off:end], zero[:end-off]) {
			continue
		}
		if _, err := out.WriteAt(data[off:end], int64(off)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := out.Truncate(size); err != nil {
		tb.Fatal(err)
	}
}

// ---- damage

type mutKind int

const (
	mutBit   mutKind = iota // xor one bit
	mutByte                 // xor one byte with a non-zero value
	mutTrunc                // truncate the file at the offset
)

type faultCase struct {
	file *faultFile
	off  int64
	kind mutKind
	xor  byte // mutBit, mutByte
	note string
}

func (c faultCase) String() string {
	switch c.kind {
	case mutTrunc:
		return fmt.Sprintf("%s truncate@%d%s", c.file.rel, c.off, c.note)
	case mutBit:
		return fmt.Sprintf("%s xor@%d=%#02x(bit)%s", c.file.rel, c.off, c.xor, c.note)
	}
	return fmt.Sprintf("%s xor@%d=%#02x%s", c.file.rel, c.off, c.xor, c.note)
}

// damaged returns the case's file as the damage leaves it: its bytes up
// to the last one that may be non-zero, and its size.
func (c faultCase) damaged() ([]byte, int64) {
	f := c.file
	if c.kind == mutTrunc {
		return f.data[:min(c.off, int64(len(f.data)))], c.off
	}
	b := make([]byte, max(int64(len(f.data)), c.off+1))
	copy(b, f.data)
	b[c.off] ^= c.xor
	return b, f.size
}

// faultCases lists the damage done to f: offsets spread over its written
// part (its header densely, a segment's frame headers and batch ends
// especially), a few in a segment's zero tail, and truncations.
func faultCases(f *faultFile, long bool) []faultCase {
	rng := rand.New(rand.NewSource(int64(crc32.ChecksumIEEE([]byte(f.kind)))))
	written := int64(len(f.data))
	var cases []faultCase
	seen := map[[3]int64]bool{}
	add := func(off int64, kind mutKind, xor byte, note string) {
		if off < 0 || off > f.size || (kind != mutTrunc && off >= f.size) {
			return
		}
		if kind != mutTrunc && xor == 0 {
			xor = 0xFF
		}
		k := [3]int64{off, int64(kind), int64(xor)}
		if seen[k] {
			return
		}
		seen[k] = true
		cases = append(cases, faultCase{file: f, off: off, kind: kind, xor: xor, note: note})
	}
	flip := func(off int64, i int) { // alternate a bit flip and a byte xor
		if i%2 == 0 {
			add(off, mutBit, 1<<uint(rng.Intn(8)), "")
		} else {
			add(off, mutByte, byte(1+rng.Intn(255)), "")
		}
	}
	if written == 0 { // an empty file (or zeros only): truncations and flips of its zeros
		for _, o := range []int64{0, f.size / 2, f.size - 1} {
			add(o, mutByte, 0xFF, "")
			add(o, mutTrunc, 0, "")
		}
		for i := 0; long && f.size > 0 && i < 60; i++ {
			add(rng.Int63n(f.size), mutByte, byte(1+rng.Intn(255)), "")
			if i%3 == 0 {
				add(rng.Int63n(f.size), mutTrunc, 0, "")
			}
		}
		return cases
	}
	if !long {
		spread := int64(16)
		switch {
		case f.rel == "LOCK":
			spread = 4
		case strings.Contains(f.kind, "older"):
			spread = 10
		case f.frames != nil:
			spread = 10
		}
		for i := int64(0); i < spread; i++ {
			flip(i*written/spread+rng.Int63n(max(written/spread, 1)), int(i))
		}
		for _, o := range []int64{0, 4, 8, 16} {
			flip(o, int(o))
		}
		if f.frames != nil {
			// as many again in the part an open replays
			if r := written - f.replay; r > 0 {
				for i := int64(0); i < spread/2; i++ {
					flip(f.replay+i*r/(spread/2)+rng.Int63n(max(r/(spread/2), 1)), int(i))
				}
			}
			fr := f.frames
			picks := []int{0, 1, len(fr) / 2, len(fr) - 3, len(fr) - 2, len(fr) - 1}
			for i, p := range picks {
				if p >= 0 && p < len(fr) {
					flip(fr[p]+int64(i%8), i)
				}
			}
			add(written+1, mutByte, 0x5A, " (zero tail)")
			add(written+4096+rng.Int63n(1<<20), mutByte, 0x01, " (zero tail)")
			add(f.size-1, mutByte, 0x80, " (zero tail)")
			if n := len(f.commits); n >= 2 {
				add(f.commits[n-2], mutTrunc, 0, " (a batch boundary)")
			}
			add(written, mutTrunc, 0, " (end of data)")
		}
		for _, t := range []int64{0, 1, written / 3, written / 2, written - 1} {
			add(t, mutTrunc, 0, "")
		}
		return cases
	}
	// long
	if written <= 4096 {
		for o := int64(0); o < written; o++ {
			add(o, mutBit, 1<<uint(rng.Intn(8)), "")
			if written <= 64 { // a tiny file (LOCK): every bit
				for b := 0; b < 8; b++ {
					add(o, mutBit, 1<<uint(b), "")
				}
			}
			if o%3 == 0 {
				add(o, mutByte, byte(1+rng.Intn(255)), "")
			}
			if o%4 == 0 {
				add(o, mutTrunc, 0, "")
			}
		}
		add(written, mutTrunc, 0, "")
	} else {
		for o := int64(0); o < min(written, 8192); o += 64 {
			flip(o+rng.Int63n(64), int(o/64))
		}
		for i := 0; i < 64; i++ { // the first bytes: headers
			flip(int64(i), i)
		}
		for i := 0; i < 300; i++ {
			flip(rng.Int63n(written), i)
		}
		if r := written - f.replay; f.frames != nil && r > 0 {
			for i := 0; i < 200; i++ { // the part an open replays
				flip(f.replay+rng.Int63n(r), i)
			}
		}
		for i := 0; i < 40; i++ {
			add(rng.Int63n(written), mutTrunc, 0, "")
		}
		if fr := f.frames; fr != nil {
			// frame headers: all of the last batches' and a sample of the rest
			for i, o := range fr {
				if i >= len(fr)-24 || i%max(len(fr)/120, 1) == 0 {
					flip(o+int64(rng.Intn(8)), i)
					flip(o+8+int64(rng.Intn(32)), i+1) // a record's own header
				}
			}
			for i, c := range f.commits {
				if i >= len(f.commits)-12 || i%max(len(f.commits)/20, 1) == 0 {
					add(c, mutTrunc, 0, " (a batch boundary)")
					add(c-4, mutTrunc, 0, "")
				}
			}
			for i := 0; i < 20 && f.size > written; i++ {
				add(written+rng.Int63n(f.size-written), mutByte, byte(1+rng.Intn(255)), " (zero tail)")
			}
			add(written+1, mutByte, 0x5A, " (zero tail)")
			add(f.size-1, mutByte, 0x80, " (zero tail)")
			add(written, mutTrunc, 0, " (end of data)")
		}
	}
	return cases
}

// ---- the child: open the damaged directory and say what it found

// faultResult is what a child found.
type faultResult struct {
	Err      string   // Open's error ("" when it opened)
	OpenMs   int64    // how long Open took
	Fsck     string   // fsck's error after the open
	Hash     string   // the state's hash
	Dump     []string // the state (only when it is not a recorded one: see check)
	Reopen   string   // what went wrong after one more change, a close and an open
	ReopenMs int64
}

// TestFaultChild runs only in a child started by the fault tests.
func TestFaultChild(t *testing.T) {
	dir, out := os.Getenv(faultChildDir), os.Getenv(faultChildOut)
	if dir == "" || out == "" {
		t.Skip("run by TestFaultInjection in a child process")
	}
	var r faultResult
	start := time.Now()
	db, err := fsmeta.Open(faultOpts(dir))
	r.OpenMs = time.Since(start).Milliseconds()
	if err != nil {
		r.Err = err.Error()
	} else {
		if err := db.Fsck(); err != nil {
			r.Fsck = err.Error()
		}
		lines, h, err := canonState(db)
		if err != nil {
			r.Fsck += "; the state cannot be walked: " + err.Error()
		}
		r.Hash, r.Dump = h, lines
		if os.Getenv(faultChildRe) == "1" {
			r.Reopen = changeAndReopen(db, dir, &r.ReopenMs)
		} else {
			db.Close()
		}
	}
	b, _ := json.Marshal(&r)
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// changeAndReopen makes one change in an opened directory, closes it,
// opens it again and checks the state and fsck: "" when all is well.
func changeAndReopen(db *fsmeta.DB, dir string, ms *int64) string {
	if _, err := db.Mkdir(nil, fsmeta.RootIno, "after-open", 0o700); err != nil {
		db.Close()
		return "a change after the open failed: " + err.Error()
	}
	_, want, err := canonState(db)
	if err != nil {
		db.Close()
		return err.Error()
	}
	if err := db.Close(); err != nil {
		return "close: " + err.Error()
	}
	start := time.Now()
	db, err = fsmeta.Open(faultOpts(dir))
	*ms = time.Since(start).Milliseconds()
	if err != nil {
		return "the next open failed: " + err.Error()
	}
	defer db.Close()
	if err := db.Fsck(); err != nil {
		return "fsck after the next open: " + err.Error()
	}
	if _, got, err := canonState(db); err != nil || got != want {
		return fmt.Sprintf("the next open has a different state (%v)", err)
	}
	return ""
}

// ---- the parent

type faultOutcome string

const (
	outFull    faultOutcome = "full"
	outPrefix  faultOutcome = "prefix"
	outRefused faultOutcome = "refused"
	outFail    faultOutcome = "FAIL"
)

type caseResult struct {
	c       faultCase
	outcome faultOutcome
	why     string // a failure's explanation, or the refusal
	openMs  int64
}

// runFaultCase copies the fixture into a fresh directory under root,
// damages it, opens it in a child process and classifies the outcome.
func runFaultCase(tb testing.TB, fx *faultFixture, root string, c faultCase, seq int) caseResult {
	dir := filepath.Join(root, "case"+strconv.Itoa(seq))
	defer os.RemoveAll(dir)
	t0 := time.Now()
	before := fx.materialize(tb, dir, &c)
	faultTimes.add(0, time.Since(t0))
	t0 = time.Now()
	defer func() { faultTimes.add(1, time.Since(t0)) }()
	out := dir + ".result"
	defer os.Remove(out)
	ctx, cancel := context.WithTimeout(context.Background(), faultTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestFaultChild$", "-test.count=1")
	reopen := "0"
	if faultLong() || c.file.frames != nil || strings.HasSuffix(c.file.rel, "wal-meta.db") || strings.Contains(c.file.kind, "newest") {
		reopen = "1" // short runs skip it where the damage is in a file an open does not read
	}
	cmd.Env = append(os.Environ(), faultChildDir+"="+dir, faultChildOut+"="+out, faultChildRe+"="+reopen, "FSMETA_LONG_TESTS=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	runErr := cmd.Run()
	res := caseResult{c: c}
	fail := func(format string, args ...any) caseResult {
		res.outcome, res.why = outFail, fmt.Sprintf(format, args...)
		return res
	}
	if ctx.Err() != nil {
		return fail("the child hung (killed after %v); its output:\n%s", faultTimeout, tail(stderr.String(), 3000))
	}
	b, err := os.ReadFile(out)
	if err != nil || runErr != nil {
		return fail("the child crashed (%v); its output:\n%s", runErr, tail(stderr.String(), 3000))
	}
	var r faultResult
	if err := json.Unmarshal(b, &r); err != nil {
		return fail("the child's result: %v", err)
	}
	res.openMs = r.OpenMs
	var after map[string]string
	if r.Err != "" {
		after = dirSums(tb, dir)
	}
	return classify(fx, c, dir, r, stderr.String(), before, after, res)
}

// classify decides a case's outcome from what the child found.
func classify(fx *faultFixture, c faultCase, dir string, r faultResult, stderr string, before, after map[string]string, res caseResult) caseResult {
	fail := func(format string, args ...any) caseResult {
		res.outcome, res.why = outFail, fmt.Sprintf(format, args...)
		return res
	}
	if r.Err != "" {
		res.why = r.Err
		var problems []string
		if !namesFile(r.Err, dir, c.file.rel) {
			problems = append(problems, "the refusal does not name the damaged file "+c.file.rel)
		}
		if r.OpenMs > faultSlowRefusal.Milliseconds() {
			problems = append(problems, fmt.Sprintf("the refusal took %d ms", r.OpenMs))
		}
		if d := fx.sumsDiffer(c, before, after, dir); d != "" {
			problems = append(problems, "the refused open changed the directory ("+d+")")
		}
		if len(problems) > 0 {
			return fail("%s: %s", strings.Join(problems, "; "), r.Err)
		}
		res.outcome = outRefused
		return res
	}
	if r.Fsck != "" {
		return fail("opened, but fsck fails: %s", r.Fsck)
	}
	if r.Reopen != "" {
		return fail("opened (%s state), but %s", stateName(fx, r.Hash), r.Reopen)
	}
	if r.Hash == fx.full {
		res.outcome = outFull
		return res
	}
	k, ok := fx.states[r.Hash]
	if !ok {
		return fail("a different state opened silently:\n%s", diffLines(fx.fullDump, r.Dump))
	}
	if !c.file.isTail {
		return fail("the state after %d of %d operations opened, but the damage is not in the log's tail segment", k, fx.nops)
	}
	if !strings.Contains(stderr, "incomplete batch") {
		return fail("the state after %d of %d operations opened with no report of what was dropped; stderr:\n%s", k, fx.nops, tail(stderr, 2000))
	}
	if k < fx.nops-1 {
		// Only the last batch can have been in flight at a crash (one log
		// write at a time): every batch before it was synced and
		// acknowledged. (The fixtures' last operation is one batch.)
		return fail("the state after %d of %d operations opened: %d acknowledged operations before the last batch were dropped, reported as an incomplete batch; stderr:\n%s",
			k, fx.nops, fx.nops-1-k, tail(stderr, 1000))
	}
	res.outcome, res.why = outPrefix, fmt.Sprintf("%d of %d operations", k, fx.nops)
	return res
}

func stateName(fx *faultFixture, h string) string {
	if h == fx.full {
		return "the full"
	}
	if k, ok := fx.states[h]; ok {
		return fmt.Sprintf("a %d-operation", k)
	}
	return "a different"
}

// namesFile tells whether an error names the damaged file rel of dir: its
// path, its name, or, for a snapshot's file, the snapshot.
func namesFile(msg, dir, rel string) bool {
	msg = strings.ReplaceAll(msg, dir, "$D") // the directory's own name says nothing
	if strings.Contains(msg, filepath.Join("$D", rel)) || strings.Contains(msg, filepath.Base(rel)) {
		return true
	}
	if strings.HasPrefix(rel, "snapshots/") {
		return strings.Contains(msg, filepath.Base(filepath.Dir(rel)))
	}
	return false
}

// dirSums hashes every file of dir but LOCK (every open writes its pid
// there).
func dirSums(tb testing.TB, dir string) map[string]string {
	sums := map[string]string{}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "LOCK" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		sums[rel] = contentSum(b, int64(len(b)))
		return nil
	})
	return sums
}

// sumsDiffer says which files differ between two dirSums of dir, the
// case's directory. wal-meta.db (bbolt) counts as unchanged when, not being
// the damaged file, it holds the same keys and values: raft-wal commits a
// transaction that changes nothing but bbolt's transaction id on every
// open.
func (fx *faultFixture) sumsDiffer(c faultCase, a, b map[string]string, dir string) string {
	var d []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			d = append(d, k+" removed")
		} else if w != v {
			if k == filepath.Join("wal", "wal-meta.db") {
				fx.boltOnce.Do(fx.boltPristine)
				was, err1 := fx.bolt, error(nil)
				if c.file.rel == k {
					data, size := c.damaged()
					was, err1 = boltOf(data, size)
				}
				now, err2 := boltContent(filepath.Join(dir, k))
				if err1 == nil && err2 == nil && was == now {
					continue
				}
				d = append(d, fmt.Sprintf("%s changed: before %s (%v), after %s (%v)", k, was, err1, now, err2))
				continue
			}
			d = append(d, k+" changed")
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, k+" created")
		}
	}
	sort.Strings(d)
	return strings.Join(d, ", ")
}

func (fx *faultFixture) boltPristine() {
	for _, f := range fx.files {
		if f.rel == filepath.Join("wal", "wal-meta.db") {
			var err error
			if fx.bolt, err = boltOf(f.data, f.size); err != nil {
				fx.bolt = err.Error()
			}
		}
	}
}

// boltOf is boltContent of a file of these bytes and zeros up to size.
func boltOf(data []byte, size int64) (string, error) {
	dir, err := os.MkdirTemp("", "fsmeta-bolt")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "wal-meta.db")
	b := append(append([]byte{}, data...), make([]byte, max(size-int64(len(data)), 0))...)
	if err := os.WriteFile(p, b[:size], 0o644); err != nil {
		return "", err
	}
	return boltContent(p)
}

// boltContent lists every bucket's keys and values in a bbolt file, read
// only (a fault in a damaged file is an error, not a crash).
func boltContent(path string) (s string, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("reading %s: %v", path, p)
		}
	}()
	db, err := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return "", err
	}
	defer db.Close()
	var b strings.Builder
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, bk *bolt.Bucket) error {
			return bk.ForEach(func(k, v []byte) error {
				fmt.Fprintf(&b, "%s/%s=%q;", name, k, v)
				return nil
			})
		})
	})
	return b.String(), err
}

func diffLines(want, got []string) string {
	w := map[string]bool{}
	for _, l := range want {
		w[l] = true
	}
	g := map[string]bool{}
	for _, l := range got {
		g[l] = true
	}
	var b strings.Builder
	n := 0
	for _, l := range want {
		if !g[l] && n < 10 {
			fmt.Fprintf(&b, "  - %s\n", clip(l, 300))
			n++
		}
	}
	for _, l := range got {
		if !w[l] && n < 20 {
			fmt.Fprintf(&b, "  + %s\n", clip(l, 300))
			n++
		}
	}
	return b.String()
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// faultTimes adds up where the parent's time goes (copying, the child).
var faultTimes timeAcc

type timeAcc struct {
	mu sync.Mutex
	d  [2]time.Duration
}

func (a *timeAcc) add(i int, d time.Duration) {
	a.mu.Lock()
	a.d[i] += d
	a.mu.Unlock()
}

// faultTable tallies outcomes per file kind.
type faultTable struct {
	kinds []string
	n     map[string]map[faultOutcome]int
	maxMs map[string]int64
}

func newFaultTable() *faultTable {
	return &faultTable{n: map[string]map[faultOutcome]int{}, maxMs: map[string]int64{}}
}

func (ft *faultTable) add(r caseResult) {
	k := r.c.file.kind
	if ft.n[k] == nil {
		ft.n[k] = map[faultOutcome]int{}
		ft.kinds = append(ft.kinds, k)
	}
	ft.n[k][r.outcome]++
	ft.maxMs[k] = max(ft.maxMs[k], r.openMs)
}

func (ft *faultTable) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-28s %6s %6s %6s %7s %6s %12s\n", "file", "cases", "full", "prefix", "refused", "FAIL", "max open ms")
	var tot [5]int
	kinds := append([]string{}, ft.kinds...)
	sort.Strings(kinds)
	for _, k := range kinds {
		m := ft.n[k]
		all := m[outFull] + m[outPrefix] + m[outRefused] + m[outFail]
		fmt.Fprintf(&b, "%-28s %6d %6d %6d %7d %6d %12d\n", k, all, m[outFull], m[outPrefix], m[outRefused], m[outFail], ft.maxMs[k])
		for i, v := range []int{all, m[outFull], m[outPrefix], m[outRefused], m[outFail]} {
			tot[i] += v
		}
	}
	fmt.Fprintf(&b, "%-28s %6d %6d %6d %7d %6d\n", "total", tot[0], tot[1], tot[2], tot[3], tot[4])
	return b.String()
}

// faultParallel is how many children run at once: they mostly wait on
// raft's timers.
func faultParallel() int {
	return min(max(2*runtime.GOMAXPROCS(0), 2), 8)
}

var (
	faultFixtureOnce sync.Once
	faultFixtureVal  *faultFixture
	faultFixtureErr  error
)

// theFaultFixture builds the fault test's directory once per process: phase
// 1, a snapshot, a segment's worth of large xattr writes (so that the log
// has a sealed segment and a tail) with a second snapshot after 1000 of
// them, phases 3 and 4. An open restores the second snapshot and replays
// the end of the sealed segment and the tail; with the second snapshot
// damaged, it restores the first and replays both segments whole.
func theFaultFixture(t *testing.T) *faultFixture {
	faultFixtureOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fsmeta-fault-fixture")
		if err != nil {
			faultFixtureErr = err
			return
		}
		defer os.RemoveAll(dir)
		ft := &fixtureT{}
		func() {
			defer func() {
				if p := recover(); p != nil && p != errFixture {
					panic(p)
				}
			}()
			faultFixtureVal = buildFaultFixture(ft, dir, fixtureSpec{snap1: true, bigSeg: true, snapInBig: 1000, waitSpare: true})
		}()
		if ft.err != nil {
			faultFixtureErr = ft.err
		}
	})
	if faultFixtureErr != nil {
		t.Fatal(faultFixtureErr)
	}
	return faultFixtureVal
}

// fixtureT is a testing.TB for building a fixture outside a test's own
// goroutine (sync.Once): Fatal records the error and unwinds.
type fixtureT struct {
	testing.TB
	err error
}

var errFixture = errors.New("fixture failed")

func (f *fixtureT) Helper() {}
func (f *fixtureT) Fatal(args ...any) {
	f.err = errors.New(fmt.Sprint(args...))
	panic(errFixture)
}
func (f *fixtureT) Fatalf(format string, args ...any) {
	f.err = fmt.Errorf(format, args...)
	panic(errFixture)
}

// TestFaultInjection damages every file of the fixture's directory at many
// offsets and opens each copy in a fresh process.
func TestFaultInjection(t *testing.T) {
	if os.Getenv(faultChildDir) != "" {
		t.Skip("in a child")
	}
	start := time.Now()
	fx := theFaultFixture(t)
	long := faultLong()
	t.Logf("fixture: %d operations, built in %v; files:", fx.nops, time.Since(start).Round(time.Millisecond))
	if d := os.Getenv("FSMETA_FAULT_SAVE"); d != "" {
		if ents, _ := os.ReadDir(d); len(ents) > 0 {
			t.Fatalf("FSMETA_FAULT_SAVE: %s is not empty", d)
		}
		fx.materialize(t, d, nil) // the pristine directory, to reproduce a case by hand
		t.Logf("the pristine directory is in %s", d)
	}
	var cases []faultCase
	for _, f := range fx.files {
		cs := faultCases(f, long)
		if testing.Short() && !long {
			// The short pass: every fourth case of each file; under the race
			// detector (whose children, separate processes, each take seconds
			// to replay), one of each file. The whole sweep runs in the
			// normal pass.
			step := 4
			if raceBuild {
				step = max(1, len(cs))
			}
			var some []faultCase
			for i := 0; i < len(cs); i += step {
				some = append(some, cs[i])
			}
			cs = some
		}
		t.Logf("  %-60s %-28s %9d bytes (%d written, replayed from %d), %d cases", f.rel, f.kind, f.size, len(f.data), f.replay, len(cs))
		cases = append(cases, cs...)
	}
	root := t.TempDir()
	results := make([]caseResult, len(cases))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < faultParallel(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = runFaultCase(t, fx, root, cases[i], i)
			}
		}()
	}
	for i := range cases {
		next <- i
	}
	close(next)
	wg.Wait()
	table := newFaultTable()
	failures := map[string]int{}
	for _, r := range results {
		table.add(r)
		if r.outcome == outFail {
			failures[r.c.file.kind]++
			if failures[r.c.file.kind] <= 8 || testing.Verbose() {
				t.Errorf("%s: %s", r.c, r.why)
			}
		}
	}
	for k, n := range failures {
		if n > 8 && !testing.Verbose() {
			t.Errorf("%s: %d more failures not shown", k, n-8)
		}
	}
	mode := "short"
	if long {
		mode = "long (FSMETA_LONG_TESTS=1)"
	}
	summary := fmt.Sprintf("fault injection, %s: %d damaged directories opened in a fresh process each, in %v\n%s",
		mode, len(cases), time.Since(start).Round(time.Second), table)
	t.Log("\n" + summary)
	t.Logf("time in copies %v, in children %v (%d at once)", faultTimes.d[0].Round(time.Millisecond), faultTimes.d[1].Round(time.Millisecond), faultParallel())
	if testing.Verbose() {
		for _, r := range results {
			if r.outcome == outRefused || r.outcome == outPrefix {
				t.Logf("%-8s %s: %s", r.outcome, r.c, clip(r.why, 400))
			}
		}
	}
	if p := os.Getenv("FSMETA_FAULT_REPORT"); p != "" && long {
		if err := os.WriteFile(p, []byte(summary), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// ---- cases that failed once, kept by name (issue #16). Each is located in
// the fixture by its role, not by an offset that a change of the fixture
// would move.

type faultRegression struct {
	name string
	find func(fx *faultFixture) (faultCase, error)
}

func (fx *faultFixture) fileOfKind(kind string) (*faultFile, error) {
	for _, f := range fx.files {
		if f.kind == kind {
			return f, nil
		}
	}
	return nil, fmt.Errorf("no %s in the fixture", kind)
}

// at makes a case on the file of kind at the offset where returns (from
// the file's written bytes).
func at(kind string, m mutKind, xor byte, where func(f *faultFile) (int64, error)) func(fx *faultFixture) (faultCase, error) {
	return func(fx *faultFixture) (faultCase, error) {
		f, err := fx.fileOfKind(kind)
		if err != nil {
			return faultCase{}, err
		}
		off, err := where(f)
		return faultCase{file: f, off: off, kind: m, xor: xor}, err
	}
}

func fixed(off int64) func(*faultFile) (int64, error) {
	return func(*faultFile) (int64, error) { return off, nil }
}

// after finds the n-th (from 0) occurrence of marker in the file and
// returns the offset delta bytes after its start.
func after(marker string, n int, delta int64) func(*faultFile) (int64, error) {
	return func(f *faultFile) (int64, error) {
		from := 0
		for i := 0; ; i++ {
			j := bytes.Index(f.data[from:], []byte(marker))
			if j < 0 {
				return 0, fmt.Errorf("%s: no %q #%d", f.rel, marker, n)
			}
			if i == n {
				return int64(from+j) + delta, nil
			}
			from += j + 1
		}
	}
}

// liveIndexStart is the offset of the last letter of the key "IndexStart"
// in wal-meta.db's record of the sealed segment (the one whose index
// starts at a non-zero offset).
func liveIndexStart(f *faultFile) (int64, error) {
	key := []byte(`"IndexStart":`)
	for from := 0; ; {
		j := bytes.Index(f.data[from:], key)
		if j < 0 {
			return 0, fmt.Errorf("%s: no sealed segment's IndexStart", f.rel)
		}
		p := from + j
		if v := f.data[p+len(key)]; v >= '1' && v <= '9' {
			return int64(p + len(key) - 3), nil // the t of IndexStart
		}
		from = p + 1
	}
}

// lastCommitBefore is the end of the batch before the tail's last one: a
// truncation there removes exactly one acknowledged batch.
func lastBatchStart(f *faultFile) (int64, error) {
	if len(f.commits) < 2 {
		return 0, fmt.Errorf("%s: fewer than two batches", f.rel)
	}
	return f.commits[len(f.commits)-2], nil
}

// truncInZeros is an offset in the tail's second entry's value (64 KiB,
// mostly zeros) where the bytes before it are zeros too.
func truncInZeros(f *faultFile) (int64, error) {
	if len(f.entries) < 3 {
		return 0, fmt.Errorf("%s: fewer than three entries", f.rel)
	}
	for o := f.entries[1] + 1024; o < f.entries[2]; o++ {
		if f.data[o-1] == 0 && f.data[o-512] == 0 && bytes.Count(f.data[o-512:o], []byte{0}) == 512 {
			return o + 3, nil
		}
	}
	return 0, fmt.Errorf("%s: no zeros in the second entry", f.rel)
}

// lastButOneCommit is the type byte of the commit frame that ends the
// tail's last-but-one batch.
func lastButOneCommit(f *faultFile) (int64, error) {
	if len(f.commits) < 2 {
		return 0, fmt.Errorf("%s: fewer than two batches", f.rel)
	}
	return f.commits[len(f.commits)-2] - 8, nil
}

var faultRegressions = []faultRegression{
	// The server's ID in the newest snapshot's configuration changed: raft
	// restores a configuration without this server, never becomes leader,
	// and the open fails after 10 s with "the log did not become writable
	// within 10s", naming no file.
	{"newest-meta.json/server-ID", at("snapshot meta.json (newest)", mutBit, 0x40,
		after(`"Servers":[{"Suffrage":0,"ID":"fsmeta`, 0, int64(len(`"Servers":[{"Suffrage":0,"ID":"fsmeta`))))},
	// The key "ID" of that server changed ("ID" -> "IE"): the same.
	{"newest-meta.json/server-ID-key", at("snapshot meta.json (newest)", mutByte, 0x01,
		after(`"Suffrage":0,"ID"`, 0, int64(len(`"Suffrage":0,"I`))))},
	// The key "ConfigurationIndex" changed: its value reads as 0; the same.
	{"newest-meta.json/ConfigurationIndex-key", at("snapshot meta.json (newest)", mutBit, 0x04,
		after(`"ConfigurationIndex"`, 0, int64(len(`"ConfigurationInde`))))},
	// The sealed segment's header (magic, base index, id) or the segment
	// truncated to nothing: refused, but the error names only the wal
	// directory ("D/wal is damaged: the log cannot be opened: WAL is corrupt:
	// segment header BaseIndex 9 doesn't match metadata 1").
	{"sealed-segment/magic", at("segment (sealed)", mutBit, 0x40, fixed(0))},
	{"sealed-segment/base-index", at("segment (sealed)", mutBit, 0x08, fixed(8))},
	{"sealed-segment/truncated-to-0", at("segment (sealed)", mutTrunc, 0, fixed(0))},
	// The tail segment truncated at the end of its last-but-one batch: the
	// last acknowledged operation is gone and the open says nothing.
	{"tail-segment/truncated-at-last-batch", at("segment (tail)", mutTrunc, 0, lastBatchStart)},
	// The tail segment truncated to nothing: every operation it held (20
	// acknowledged ones) is gone, silently.
	{"tail-segment/truncated-to-0", at("segment (tail)", mutTrunc, 0, fixed(0))},
	// The tail segment truncated inside the zeros of a large entry's value
	// (byte 115099 of 64 MiB: the file's size says it was cut, but its data
	// does not run to its end): it opens without 18 acknowledged operations,
	// reported as "an incomplete batch (56 bytes at offset 65648 ...) ... it
	// was never acknowledged".
	{"tail-segment/truncated-in-zeros", at("segment (tail)", mutTrunc, 0, truncInZeros)},
	// The commit frame of the tail's last-but-one batch damaged (its type
	// byte xor 0x5e), the last batch whole after it: both are dropped as
	// one incomplete batch, though the last-but-one was synced and
	// acknowledged before the last was written (completeBatch finds no
	// commit to check the last batch's CRC from).
	{"tail-segment/last-but-one-commit", at("segment (tail)", mutByte, 0x5e, lastButOneCommit)},
	// wal-meta.db's record of the sealed segment loses its IndexStart (the
	// key's last letter changed): refused, but the error blames the sealed
	// segment ("... .wal is damaged at entry N: sealed segment has no index
	// block"), not wal-meta.db.
	{"wal-meta.db/IndexStart-key", at("wal/wal-meta.db", mutByte, 0x39, liveIndexStart)},
	// wal-meta.db's record of the sealed segment names segment ID 8 instead
	// of 0 (bit 0x08 of the ID's digit): refused as "wal/...-0000000000000008.wal
	// is damaged: stat ...: no such file or directory", naming a file that
	// does not exist, not wal-meta.db, whose record is what is damaged.
	{"wal-meta.db/segment-ID", at("wal/wal-meta.db", mutBit, 0x08,
		after(`{"NextSegmentID":2,"Segments":[{"ID":`, 0, int64(len(`{"NextSegmentID":2,"Segments":[{"ID":`))))},
}

// TestFaultRegressions runs the named cases above, each in a fresh process.
func TestFaultRegressions(t *testing.T) {
	if os.Getenv(faultChildDir) != "" {
		t.Skip("in a child")
	}
	fx := theFaultFixture(t)
	for i, reg := range faultRegressions {
		t.Run(reg.name, func(t *testing.T) {
			t.Parallel()
			c, err := reg.find(fx)
			if err != nil {
				t.Fatal(err)
			}
			r := runFaultCase(t, fx, t.TempDir(), c, i)
			if r.outcome == outFail {
				t.Errorf("%s: %s", c, r.why)
				return
			}
			t.Logf("%s: %s: %s", c, r.outcome, clip(r.why, 300))
		})
	}
}
