package fsmeta_test

import (
	"flag"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/internal/model"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// Property tests: random sequences of every operation, run against the
// engine and the reference model (internal/model) with the same callers and
// times; every result and errno must match, the whole state must match every
// 1,000 operations and at the end of a sequence (after which every open is
// released and it is compared again), and the engine's Fsck must pass each
// time. The generator is in prop_gen_test.go, the operations and their
// comparison in prop_ops_test.go, the fuzz target in fuzz_prop_test.go.
//
//	go test -run Prop ./sdk/                                  # ~1.8M operations, ~10 s
//	go test -run Prop -propShort ./sdk/                           # ~20k (the race pass)
//	go test -run Prop ./sdk/ -prop.seeds=4000 -prop.first=5000   # ~16M, other seeds
//	go test -run Prop ./sdk/ -prop.seed=1234 -prop.ops=4000     # one seed again
//
// A mismatch reports the seed, the operation's index and the operation, both
// results and the 30 operations before it. To narrow one down, run its seed
// with -prop.check=1 (compare the state and run Fsck after every operation:
// the first operation that breaks it fails) and -prop.trace (print every
// operation and its result). -prop.cover prints how often each operation met
// each errno, to see what the generator reaches.

var (
	propSeeds   = flag.Int("prop.seeds", 0, "property tests: number of seeds (0: default)")
	propOps     = flag.Int("prop.ops", 0, "property tests: operations per seed (0: default)")
	propSeed    = flag.Uint64("prop.seed", 0, "property tests: run only this seed")
	propFirst   = flag.Uint64("prop.first", 1, "property tests: first seed")
	propCheckEv = flag.Int("prop.check", 0, "property tests: compare the whole state every N operations (0: default)")
	propTrace   = flag.Bool("prop.trace", false, "property tests: log every operation and its result (use with -prop.seed)")
	propCover   = flag.Bool("prop.cover", false, "property tests: print how often each operation met each errno")
)

// propCoverage counts results per operation kind and errno (-prop.cover).
var propCoverage struct {
	sync.Mutex
	n map[propKind]map[meta.Errno]int
}

func propCoverResult(k propKind, e meta.Errno) {
	propCoverage.Lock()
	defer propCoverage.Unlock()
	if propCoverage.n == nil {
		propCoverage.n = map[propKind]map[meta.Errno]int{}
	}
	if propCoverage.n[k] == nil {
		propCoverage.n[k] = map[meta.Errno]int{}
	}
	propCoverage.n[k][e]++
}

func propPrintCoverage(t *testing.T) {
	propCoverage.Lock()
	defer propCoverage.Unlock()
	var b strings.Builder
	for k := propKind(0); k < pNumKinds; k++ {
		fmt.Fprintf(&b, "%-13s", k)
		var es []meta.Errno
		for e := range propCoverage.n[k] {
			es = append(es, e)
		}
		sort.Slice(es, func(i, j int) bool { return es[i] < es[j] })
		for _, e := range es {
			fmt.Fprintf(&b, " %s:%d", propErrnoName(e), propCoverage.n[k][e])
		}
		b.WriteByte('\n')
	}
	t.Logf("results per operation:\n%s", b.String())
}

// propMode is a way of running the engine. The property tests run every
// sequence once per mode. afterOp, when set, runs after every operation (the
// place for a hook that, say, compacts idle directories or thaws them, so that
// every operation meets both forms); options adjusts the engine's options.
type propMode struct {
	name    string
	options func(*fsmeta.Options)
	afterOp func(db *fsmeta.DB, step int) error
	// seedsDiv runs 1/seedsDiv of the seeds in this mode (slow modes)
	seedsDiv int
}

// propModes are the modes the property tests run. Add one here when the
// engine gains a mode (e.g. directory compaction) that must be invisible.
var propModes = []propMode{
	{name: "hot"},
	// every directory compacted after every operation: each operation
	// meets the cold form (reads answer from it, changes thaw)
	{name: "cold", seedsDiv: 20, afterOp: func(db *fsmeta.DB, step int) error {
		_, err := db.Compact(fsmeta.CompactOptions{All: true, DictSample: 1}, nil)
		return err
	}},
	// compaction at random moments, in small steps: hot and cold directories
	// side by side, passes left half done
	{name: "mixed", seedsDiv: 8, afterOp: func(db *fsmeta.DB, step int) error {
		if (uint64(step)*0x9e3779b97f4a7c15)>>59 < 3 {
			db.Compact(fsmeta.CompactOptions{Budget: 1 + step%7, DictSample: 1}, nil)
		}
		return nil
	}},
	// directories of more than two entries freeze a run of one to three
	// entries at a time (cold runs), in steps left half done: hot chains
	// and cold runs side by side in one directory
	{name: "runs", seedsDiv: 8, afterOp: func(db *fsmeta.DB, step int) error {
		if (uint64(step)*0x9e3779b97f4a7c15)>>59 < 6 {
			db.Compact(fsmeta.CompactOptions{All: step%2 == 0, Budget: 1 + step%9, MaxDir: 2, RunEntries: 1 + step%3, DictSample: 1}, nil)
		}
		return nil
	}},
}

func propDefaults() (seeds, ops int) {
	seeds, ops = 400, 4000
	if testing.Short() {
		seeds, ops = 10, 2000
	}
	if *propSeeds > 0 {
		seeds = *propSeeds
	}
	if *propOps > 0 {
		ops = *propOps
	}
	return
}

func TestProp(t *testing.T) {
	seeds, ops := propDefaults()
	first := *propFirst
	if *propSeed != 0 {
		first, seeds = *propSeed, 1
	}
	start := time.Now()
	var mu sync.Mutex
	total := 0
	for _, mode := range propModes {
		t.Run(mode.name, func(t *testing.T) {
			// Seeds run on all cores: one goroutine per core pulls the next seed.
			next := make(chan uint64)
			var wg sync.WaitGroup
			for w := 0; w < runtime.GOMAXPROCS(0); w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for seed := range next {
						if t.Failed() {
							continue
						}
						r, err := newPropRun(mode, seed, newPropRand(seed))
						n := 0
						if err == nil {
							n, err = r.run(ops)
							r.close()
						}
						mu.Lock()
						total += n
						mu.Unlock()
						if err != nil {
							t.Errorf("%v\nreproduce: go test -run 'TestProp/%s' ./sdk/ -prop.seed=%d -prop.ops=%d"+
								" (add -prop.check=1 to find the first operation that breaks the state or Fsck)",
								err, mode.name, seed, ops)
						}
					}
				}()
			}
			n := seeds
			if mode.seedsDiv > 1 && *propSeed == 0 {
				n = max(1, seeds/mode.seedsDiv)
			}
			for s := uint64(0); s < uint64(n); s++ {
				next <- first + s
			}
			close(next)
			wg.Wait()
		})
	}
	if *propCover {
		propPrintCoverage(t)
	}
	t.Logf("%d operations in %d seeds x %d modes, %v", total, seeds, len(propModes), time.Since(start).Round(time.Millisecond))
}

// propRun is one sequence: an engine, a model, a generator and a clock.
type propRun struct {
	mode propMode
	seed uint64
	db   *fsmeta.DB
	m    *model.Model
	gen  *propGen
	now  int64
	step int
	hist [propHistory]propPast // the last operations, for reports (a ring)
}

// propPast is an operation made, kept for reports.
type propPast struct {
	step int
	now  int64
	op   propOp
}

// newPropRun opens an engine and a model with options drawn from src: most
// sequences run with the defaults, some with a small inode limit or capacity.
func newPropRun(mode propMode, seed uint64, src propSource) (*propRun, error) {
	r := &propRun{mode: mode, seed: seed, now: 1_000_000_000}
	r.gen = newPropGen(src)
	opts := fsmeta.Options{InMemory: true, Clock: func() int64 { return r.now }}
	switch src.intn(8) {
	case 0:
		if !r.gen.huge {
			opts.MaxInodes = uint64(20 + src.intn(60))
		}
	case 1:
		opts.Capacity = uint64(1 + src.intn(1<<20))
	}
	if mode.options != nil {
		mode.options(&opts)
	}
	db, err := fsmeta.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("seed %d: open: %v", seed, err)
	}
	r.db = db
	r.m = model.New(model.Options{Capacity: opts.Capacity, MaxInodes: opts.MaxInodes, RootTime: r.now})
	r.gen.m = r.m
	return r, nil
}

func (r *propRun) close() { r.db.Close() }

// run makes up to ops operations (fewer when a fuzz input runs out) and the
// final checks; it returns the number of operations made.
func (r *propRun) run(ops int) (int, error) {
	checkEvery := 1000
	if *propCheckEv > 0 {
		checkEvery = *propCheckEv
	}
	if err := r.prologue(); err != nil {
		return r.step, err
	}
	if r.gen.huge {
		ops *= 3
	}
	for r.step < ops && !r.gen.src.done() {
		op := r.gen.op()
		if r.gen.src.done() {
			break
		}
		if err := r.do(&op); err != nil {
			return r.step, err
		}
		if r.step%checkEvery == 0 {
			if err := r.checkState(fmt.Sprintf("after operation %d", r.step)); err != nil {
				return r.step, err
			}
		}
	}
	return r.step, r.finish()
}

// prologue opens the root up to the users most of the time, so that
// sequences do not spend themselves on EACCES.
func (r *propRun) prologue() error {
	mode := []uint32{0o1777, 0o1777, 0o777, 0o755, 0o2777}[r.gen.src.intn(5)]
	if r.gen.huge {
		mode = 0o1777
	}
	op := propOp{kind: pSetAttr, c: &meta.Caller{}, ino: meta.RootIno, mode: meta.SetMode, in: meta.SetAttrIn{Mode: mode}}
	return r.do(&op)
}

// do runs one operation on both sides and compares.
func (r *propRun) do(op *propOp) error {
	r.step++
	if r.gen.src.intn(50) == 0 {
		r.now += int64(r.gen.src.u64() >> 20)
	} else {
		r.now += 1 + int64(r.gen.src.intn(1000))
	}
	got := propRunEngine(r.db, op)
	want := propRunModel(r.m, r.now, op)
	if op.kind == pReadDir && got.errno == 0 {
		r.gen.cursors[op.ino] = got.cursor
	}
	r.remember(op)
	if *propCover {
		propCoverResult(op.kind, got.errno)
	}
	if *propTrace {
		fmt.Printf("%6d t=%d %s -> %s %+v %q %v\n", r.step, r.now, op, propErrnoName(got.errno), got.attr, got.str, got.slices)
	}
	if d := propSame(op, &got, &want); d != "" {
		return r.fail("operation %d: %s\n  %s", r.step, op, d)
	}
	if r.mode.afterOp != nil {
		if err := r.mode.afterOp(r.db, r.step); err != nil {
			return r.fail("after operation %d (%s): mode %s: %v", r.step, op, r.mode.name, err)
		}
	}
	return nil
}

const propHistory = 30

func (r *propRun) remember(op *propOp) {
	r.hist[r.step%propHistory] = propPast{r.step, r.now, *op}
}

func (r *propRun) fail(format string, args ...any) error {
	var b strings.Builder
	for i := r.step - propHistory + 1; i <= r.step; i++ {
		if p := &r.hist[(i+propHistory)%propHistory]; i > 0 && p.step == i {
			fmt.Fprintf(&b, "%6d t=%d %s\n", p.step, p.now, &p.op)
		}
	}
	return fmt.Errorf("seed %d, mode %s: %s\nlast operations:\n%s", r.seed, r.mode.name,
		fmt.Sprintf(format, args...), b.String())
}

// finish compares the whole state and runs Fsck, then releases every open
// (comparing each Release: that checks the open counts and the deletion of
// unlinked open files), and compares and checks again.
func (r *propRun) finish() error {
	if err := r.checkState("end"); err != nil {
		return err
	}
	for _, ino := range r.m.Inos() {
		n := r.m.Node(ino)
		if n == nil {
			continue
		}
		for k := n.Opens + 1; k > 0; k-- {
			op := propOp{kind: pRelease, c: &meta.Caller{}, ino: ino}
			if err := r.do(&op); err != nil {
				return err
			}
		}
	}
	return r.checkState("after releasing every open")
}

// checkState compares the engine's whole state with the model's, its Stats
// with the model's counts, and runs Fsck.
func (r *propRun) checkState(when string) error {
	if err := r.m.Check(); err != nil {
		return r.fail("%s: model: %v", when, err)
	}
	if err := r.db.Fsck(); err != nil {
		return r.fail("%s: fsck: %v", when, err)
	}
	want := r.m.Dump()
	for i := range want.Inodes {
		want.Inodes[i].Opens = 0 // the engine does not show open counts; finish checks them
	}
	got, err := propEngineState(r.db, r.m)
	if err != nil {
		return r.fail("%s: walking the engine: %v", when, err)
	}
	if d := model.Diff(&want, got); d != "" {
		return r.fail("%s: state differs:\n%s", when, d)
	}
	if d := propStats(r.db.Stats(), r.m); d != "" {
		return r.fail("%s: stats: %s", when, d)
	}
	return nil
}

// propStats compares the engine's counts with the model's.
func propStats(s fsmeta.Stats, m *model.Model) string {
	var w fsmeta.Stats
	for _, ino := range m.Inos() {
		n := m.Node(ino)
		w.Inodes++
		switch n.Mode & meta.S_IFMT {
		case meta.S_IFREG:
			w.Files++
		case meta.S_IFDIR:
			w.Dirs++
		case meta.S_IFLNK:
			w.Symlinks++
		default:
			w.Others++
		}
		w.Entries += uint64(len(n.Entries))
		if n.Nlink == 0 && n.Mode&meta.S_IFMT != meta.S_IFDIR {
			w.Orphans++
		}
		if n.Opens > 0 {
			w.OpenFiles++
		}
	}
	w.NextIno, w.NextSlice = uint64(m.NextIno()), m.NextSlice()
	g := fsmeta.Stats{Inodes: s.Inodes, Files: s.Files, Dirs: s.Dirs, Symlinks: s.Symlinks, Others: s.Others,
		Entries: s.Entries, Orphans: s.Orphans, OpenFiles: s.OpenFiles, NextIno: s.NextIno, NextSlice: s.NextSlice}
	if g != w {
		return fmt.Sprintf("\n   got %+v\n model %+v", g, w)
	}
	return ""
}

// propEngineState builds the canonical state of the engine by walking it from
// the root with ReadDir (with attributes, in small batches), GetAttr,
// Readlink, ListXattr/GetXattr and ReadChunk, then probing every other inode
// number below the counter with GetAttr (open, unlinked inodes). The model
// says which chunks to read (the engine has no call listing them).
func propEngineState(db *fsmeta.DB, m *model.Model) (*model.State, error) {
	root := &meta.Caller{}
	st := db.Stats()
	s := &model.State{NextIno: meta.Ino(st.NextIno), NextSlice: st.NextSlice}
	seen := map[meta.Ino]bool{}
	var visit func(ino meta.Ino, a meta.Attr) error
	visit = func(ino meta.Ino, a meta.Attr) error {
		if seen[ino] {
			return nil
		}
		seen[ino] = true
		is := model.InodeState{Attr: a}
		var err error
		switch a.Mode & meta.S_IFMT {
		case meta.S_IFDIR:
			if is.Entries, err = propListAll(db, ino, a); err != nil {
				return err
			}
		case meta.S_IFLNK:
			if is.Target, err = db.Readlink(root, ino); err != nil {
				return err
			}
		case meta.S_IFREG:
			if is.Chunks, err = propChunks(db, m, ino, a.Size); err != nil {
				return err
			}
		}
		names, err := db.ListXattr(root, ino)
		if err != nil {
			return err
		}
		for _, x := range names {
			v, err := db.GetXattr(root, ino, x)
			if err != nil {
				return err
			}
			is.Xattrs = append(is.Xattrs, model.Xattr{Name: x, Value: v})
		}
		s.Inodes = append(s.Inodes, is)
		for _, e := range is.Entries {
			ca, err := db.GetAttr(root, e.Ino)
			if err != nil {
				return fmt.Errorf("entry %d/%q -> %d: %v", ino, e.Name, e.Ino, err)
			}
			if err := visit(e.Ino, ca); err != nil {
				return err
			}
		}
		return nil
	}
	ra, err := db.GetAttr(root, meta.RootIno)
	if err != nil {
		return nil, err
	}
	if err := visit(meta.RootIno, ra); err != nil {
		return nil, err
	}
	top := max(meta.Ino(st.NextIno), m.NextIno())
	for ino := meta.Ino(1); ino < top; ino++ {
		if seen[ino] {
			continue
		}
		a, err := db.GetAttr(root, ino)
		if propErrno(err) == meta.ENOENT {
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := visit(ino, a); err != nil {
			return nil, err
		}
	}
	propSortInodes(s.Inodes)
	return s, nil
}

// propListAll lists directory ino through cursors in batches of 3, checking
// that every entry's attributes match GetAttr of it.
func propListAll(db *fsmeta.DB, ino meta.Ino, a meta.Attr) ([]model.Entry, error) {
	root := &meta.Caller{}
	var ents []model.Entry
	var cursor uint64
	for batches := 0; ; batches++ {
		list, next, err := db.ReadDir(root, ino, cursor, 3, true)
		if err != nil {
			return nil, err
		}
		for _, de := range list {
			ca, err := db.GetAttr(root, de.Ino)
			if err != nil || ca != de.Attr || de.Type != ca.Mode&meta.S_IFMT {
				return nil, fmt.Errorf("readdir %d: entry %+v, getattr %+v %v", ino, de, ca, err)
			}
			ents = append(ents, model.Entry{Name: de.Name, Ino: de.Ino})
		}
		if next == 0 {
			break
		}
		if next <= cursor || batches > 1<<20 {
			return nil, fmt.Errorf("readdir %d: cursor %#x after %#x", ino, next, cursor)
		}
		cursor = next
	}
	propSortEntries(ents)
	for i := 1; i < len(ents); i++ {
		if ents[i].Name == ents[i-1].Name {
			return nil, fmt.Errorf("readdir %d: %q listed twice", ino, ents[i].Name)
		}
	}
	return ents, nil
}

// propChunks reads the chunks the model has for ino, and the first and last
// of the file.
func propChunks(db *fsmeta.DB, m *model.Model, ino meta.Ino, size uint64) ([]model.ChunkState, error) {
	idx := map[uint32]bool{0: true}
	if size > 0 && (size-1)/meta.ChunkSize < 1<<32 {
		idx[uint32((size-1)/meta.ChunkSize)] = true
	}
	for _, i := range m.ChunkIndexes(ino) {
		idx[i] = true
	}
	var out []model.ChunkState
	for _, i := range propSortedChunks(idx) {
		l, err := db.ReadChunk(&meta.Caller{}, ino, i)
		if err != nil {
			return nil, err
		}
		if len(l) > 0 {
			out = append(out, model.ChunkState{Index: i, Slices: l})
		}
	}
	return out, nil
}

func propSortInodes(s []model.InodeState) {
	sort.Slice(s, func(i, j int) bool { return s[i].Attr.Ino < s[j].Attr.Ino })
}

func propSortEntries(s []model.Entry) {
	sort.Slice(s, func(i, j int) bool { return s[i].Name < s[j].Name })
}

func propSortedChunks(set map[uint32]bool) []uint32 {
	out := make([]uint32, 0, len(set))
	for i := range set {
		out = append(out, i)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// TestPropLinkLimit drives one file to meta.MaxLinks names (spread over a
// few directories), checks EMLINK on both sides, and compares the state.
func TestPropLinkLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("65,000 links")
	}
	r, err := newPropRun(propModes[0], 0, newPropRand(1))
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	root := &meta.Caller{}
	do := func(op propOp) {
		t.Helper()
		op.c = root
		if err := r.do(&op); err != nil {
			t.Fatal(err)
		}
	}
	const dirs = 50
	for d := 0; d < dirs; d++ {
		do(propOp{kind: pMkdir, ino: meta.RootIno, name: fmt.Sprintf("d%02d", d), mode: 0o755})
	}
	do(propOp{kind: pCreate, ino: meta.RootIno, name: "f", mode: 0o644})
	f, _ := r.m.Lookup(root, meta.RootIno, "f")
	for k := 1; k <= meta.MaxLinks; k++ { // the last one is EMLINK
		d, _ := r.m.Lookup(root, meta.RootIno, fmt.Sprintf("d%02d", k%dirs))
		do(propOp{kind: pLink, ino: f.Ino, ino2: d.Ino, name2: fmt.Sprintf("l%05d", k)})
	}
	if a, _ := r.m.GetAttr(root, f.Ino); a.Nlink != meta.MaxLinks {
		t.Fatalf("nlink %d", a.Nlink)
	}
	do(propOp{kind: pUnlink, ino: meta.RootIno, name: "f"})
	do(propOp{kind: pLink, ino: f.Ino, ino2: meta.RootIno, name2: "g"})
	do(propOp{kind: pLink, ino: f.Ino, ino2: meta.RootIno, name2: "h"})
	if err := r.finish(); err != nil {
		t.Fatal(err)
	}
}

var crashKills = flag.Int("crash.kills", 50, "SIGKILLs in TestCrash")
