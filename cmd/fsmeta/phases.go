package main

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/fsmeta/fsmeta/internal/workload"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// The timed phases, mdtest-like. Each runs -ops operations over random
// targets, split over -threads goroutines (ops/T each, the remainder to the
// first ones), all started together. Targets are chosen before the clock
// starts: random existing files and directories of the loaded namespace
// (uniform over files, uniform over directories), or what earlier phases
// created. Everything runs as root, so permission checks pass (they still
// run).
//
// Throughput is ops / wall time of the phase (from the start signal to the
// last goroutine's end). Latency: an op is timed with two time.Now calls
// (the monotonic clock, ~20-40 ns on Linux through the vDSO); for the fast
// read phases (lookup, resolve, getattr, read_chunk) only one op in 16 is
// timed, so the clock's cost does not weigh on their throughput; every op of
// the other phases is timed. -sample N times one op in N in every phase.
// Percentiles are exact over the timed ops (nearest rank).

type phaseDef struct {
	name  string
	every int // latency: time one op in every
	about string
	extra bool // not run unless named in -phases
}

var phaseDefs = []phaseDef{
	{"create", 1, "create an empty file in a random directory", false},
	{"mkdir", 1, "make a directory in a random directory", false},
	{"lookup", 16, "look up a random file's name in its directory (one component)", false},
	{"resolve", 16, "resolve a random file's whole path from the root", false},
	{"getattr", 16, "get a random file's attributes by inode", false},
	{"readdir", 1, "list a random directory entirely (names and types)", false},
	{"readdir_plus", 1, "list a random directory entirely with attributes", true},
	{"setattr", 1, "chmod and set mtime of a random file", false},
	{"rename", 1, "rename a created file: half within its directory, half into another random directory", false},
	{"unlink", 1, "remove a created file", false},
	{"rmdir", 1, "remove a directory made by mkdir", false},
	{"write_slice", 1, "write a 4 KiB slice into chunk 0 of a random file", false},
	{"read_chunk", 16, "read the slice list of chunk 0 of a random file", false},
	{"snapshot", 1, "create files from every thread while a snapshot is taken (durable only): the snapshot's time and the longest create during it", true},
}

func phaseIndex(name string) int {
	for i, p := range phaseDefs {
		if p.name == name {
			return i
		}
	}
	return -1
}

// phaseResult is one element of the report's "phases".
type phaseResult struct {
	Op        string  `json:"op"`
	Threads   int     `json:"threads"`
	Ops       int64   `json:"ops"`
	OpsPerSec float64 `json:"ops_per_sec"`
	P50Ns     int64   `json:"p50_ns"`
	P99Ns     int64   `json:"p99_ns"`
	P999Ns    int64   `json:"p999_ns"`
	// more
	Seconds       float64 `json:"seconds"`
	MeanNs        int64   `json:"mean_ns"`
	MaxNs         int64   `json:"max_ns"`
	SampleEvery   int     `json:"latency_sample_every"`
	Samples       int     `json:"latency_samples"`
	Entries       int64   `json:"entries,omitempty"`
	EntriesPerSec float64 `json:"entries_per_sec,omitempty"`
	Errors        int64   `json:"errors"`
	FirstError    string  `json:"first_error,omitempty"`
	About         string  `json:"about"`
	// the snapshot phase
	SnapshotSeconds float64 `json:"snapshot_seconds,omitempty"`
	SnapshotOps     int64   `json:"ops_during_snapshot,omitempty"`
	SnapshotP99Ns   int64   `json:"p99_ns_during_snapshot,omitempty"`
	SnapshotMaxNs   int64   `json:"max_ns_during_snapshot,omitempty"`
}

// ref is an entry the bench made.
type ref struct {
	parent fsmeta.Ino
	name   string
	ino    fsmeta.Ino
}

type bench struct {
	db      *fsmeta.DB
	ns      workload.Namespace
	threads int
	ops     int
	seed    uint64
	sample  int // -sample: 0 = each phase's default
	stderr  io.Writer

	files [][]ref // per thread: files the bench created, still there
	dirs  [][]ref // per thread: empty directories the bench made
	gen   int     // batches of names made so far
}

// share is thread t's number of ops.
func (b *bench) share(t int) int {
	n := b.ops / b.threads
	if t < b.ops%b.threads {
		n++
	}
	return n
}

// at maps op i of thread t to an index of a pool of n targets.
func (b *bench) at(t, i, n int) int { return (t*(b.ops/b.threads+1) + i) % n }

type opFunc func(t, i int) (entries int, err error)

// run times a phase.
func (b *bench) run(def phaseDef, op opFunc) phaseResult {
	every := def.every
	if b.sample > 0 {
		every = b.sample
	}
	type acc struct {
		lat     []int64
		errs    int64
		first   error
		entries int64
	}
	accs := make([]acc, b.threads)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	runtime.GC() // the garbage of the preparation is not the phase's
	for t := 0; t < b.threads; t++ {
		n := b.share(t)
		accs[t].lat = make([]int64, 0, n/every+1)
		ready.Add(1)
		done.Add(1)
		go func(t, n int) {
			defer done.Done()
			a := &accs[t]
			ready.Done()
			<-start
			next := 0
			for i := 0; i < n; i++ {
				var k int
				var err error
				if i == next {
					t0 := time.Now()
					k, err = op(t, i)
					a.lat = append(a.lat, int64(time.Since(t0)))
					next += every
				} else {
					k, err = op(t, i)
				}
				a.entries += int64(k)
				if err != nil {
					a.errs++
					if a.first == nil {
						a.first = err
					}
				}
			}
		}(t, n)
	}
	ready.Wait()
	t0 := time.Now()
	close(start)
	done.Wait()
	el := time.Since(t0)

	r := phaseResult{Op: def.name, Threads: b.threads, Ops: int64(b.ops), Seconds: el.Seconds(), SampleEvery: every, About: def.about}
	var lat []int64
	for i := range accs {
		a := &accs[i]
		lat = append(lat, a.lat...)
		r.Errors += a.errs
		r.Entries += a.entries
		if a.first != nil && r.FirstError == "" {
			r.FirstError = a.first.Error()
		}
	}
	if el > 0 {
		r.OpsPerSec = round2(float64(r.Ops) / el.Seconds())
		if r.Entries > 0 {
			r.EntriesPerSec = round2(float64(r.Entries) / el.Seconds())
		}
	}
	slices.Sort(lat)
	r.Samples = len(lat)
	if len(lat) > 0 {
		var sum int64
		for _, x := range lat {
			sum += x
		}
		r.MeanNs = sum / int64(len(lat))
		r.MaxNs = lat[len(lat)-1]
		r.P50Ns, r.P99Ns, r.P999Ns = pct(lat, 0.50), pct(lat, 0.99), pct(lat, 0.999)
	}
	if r.Errors > 0 {
		fmt.Fprintf(b.stderr, "fsmeta bench: phase %s: %d of %d ops failed; first: %s\n", def.name, r.Errors, r.Ops, r.FirstError)
	}
	return r
}

// pct is the nearest-rank percentile of sorted xs.
func pct(xs []int64, p float64) int64 {
	k := int(float64(len(xs))*p+0.999999999) - 1
	return xs[min(max(k, 0), len(xs)-1)]
}

const poolMax = 1 << 18 // at most this many distinct random targets per phase

func (b *bench) rand(phase string, t int) workload.Rand {
	return workload.NewRandKey(b.seed, uint64(1000+phaseIndex(phase)), uint64(t))
}

// filePool returns random files of the namespace (with their inode when ino).
func (b *bench) filePool(phase string, ino bool) ([]workload.Target, error) {
	r := b.rand(phase, -1)
	n := max(min(b.ops, poolMax), 1)
	pool := make([]workload.Target, 0, n)
	for len(pool) < n {
		tg, ok := b.ns.RandomFile(&r)
		if !ok {
			return nil, errors.New("the namespace has no regular files")
		}
		if ino && tg.Ino == 0 {
			a, err := b.db.Lookup(nil, tg.Parent, tg.Name)
			if err != nil {
				return nil, fmt.Errorf("target %s: %w", tg.Path, err)
			}
			tg.Ino = a.Ino
		}
		pool = append(pool, tg)
	}
	return pool, nil
}

// dirPool returns n random directories of the namespace (at most poolMax).
// Per-thread pools hold a thread's share only: 64 pools of poolMax paths
// would be a heap of a few GB that the collector scans during the phase.
func (b *bench) dirPool(phase string, t, n int) []workload.Target {
	r := b.rand(phase, t)
	n = max(min(n, poolMax), 1)
	pool := make([]workload.Target, n)
	for i := range pool {
		pool[i] = b.ns.RandomDir(&r)
	}
	return pool
}

// names makes thread t's n unique names for a batch.
func (b *bench) names(t, n int, suffix string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("~bench%d-%d-%d%s", b.gen, t, i, suffix)
	}
	return out
}

// makeEntries creates n files (or directories) per thread in random
// directories, untimed, for phases that need something to remove.
func (b *bench) ensure(list [][]ref, dirs bool) error {
	b.gen++
	dp := b.dirPool("fixture", 0, b.ops)
	for t := range list {
		need := b.share(t) - len(list[t])
		if need <= 0 {
			continue
		}
		names := b.names(t, need, ".f")
		for i, nm := range names {
			p := dp[(t*7919+i)%len(dp)].Ino
			var a fsmeta.Attr
			var err error
			if dirs {
				a, err = b.db.Mkdir(nil, p, nm, 0o755)
			} else {
				a, err = b.db.Create(nil, p, nm, 0o644)
			}
			if err != nil {
				return fmt.Errorf("preparing: %w", err)
			}
			list[t] = append(list[t], ref{p, nm, a.Ino})
		}
	}
	return nil
}

// runPhase prepares and runs one phase.
func (b *bench) runPhase(name string) (phaseResult, error) {
	def := phaseDefs[phaseIndex(name)]
	T := b.threads
	if b.files == nil {
		b.files, b.dirs = make([][]ref, T), make([][]ref, T)
	}
	db := b.db
	switch name {
	case "snapshot":
		return b.snapshotPhase(def)
	case "create", "mkdir":
		b.gen++
		pools := make([][]workload.Target, T)
		names := make([][]string, T)
		made := make([][]ref, T)
		for t := 0; t < T; t++ {
			pools[t] = b.dirPool(name, t, b.share(t))
			names[t] = b.names(t, b.share(t), map[string]string{"create": ".c", "mkdir": ".d"}[name])
			made[t] = make([]ref, b.share(t))
		}
		isDir := name == "mkdir"
		r := b.run(def, func(t, i int) (int, error) {
			p := pools[t][i%len(pools[t])].Ino
			var a fsmeta.Attr
			var err error
			if isDir {
				a, err = db.Mkdir(nil, p, names[t][i], 0o755)
			} else {
				a, err = db.Create(nil, p, names[t][i], 0o644)
			}
			if err == nil {
				made[t][i] = ref{p, names[t][i], a.Ino}
			}
			return 0, err
		})
		for t := range made {
			for _, m := range made[t] {
				if m.ino == 0 {
					continue
				}
				if isDir {
					b.dirs[t] = append(b.dirs[t], m)
				} else {
					b.files[t] = append(b.files[t], m)
				}
			}
		}
		return r, nil
	case "lookup", "resolve", "getattr", "setattr", "write_slice", "read_chunk":
		pool, err := b.filePool(name, name != "lookup" && name != "resolve")
		if err != nil {
			return phaseResult{}, err
		}
		var op opFunc
		switch name {
		case "lookup":
			op = func(t, i int) (int, error) {
				tg := &pool[b.at(t, i, len(pool))]
				_, err := db.Lookup(nil, tg.Parent, tg.Name)
				return 0, err
			}
		case "resolve":
			op = func(t, i int) (int, error) {
				// Target paths are relative to the root ("" is the root itself)
				_, err := db.Resolve(nil, "/"+pool[b.at(t, i, len(pool))].Path, true)
				return 0, err
			}
		case "getattr":
			op = func(t, i int) (int, error) {
				_, err := db.GetAttr(nil, pool[b.at(t, i, len(pool))].Ino)
				return 0, err
			}
		case "setattr":
			const when = 1717200000_123456789
			op = func(t, i int) (int, error) {
				_, err := db.SetAttr(nil, pool[b.at(t, i, len(pool))].Ino, fsmeta.SetMode|fsmeta.SetMtime,
					fsmeta.SetAttrIn{Mode: 0o644 &^ (uint32(i&1) << 2), Mtime: when + int64(i)})
				return 0, err
			}
		case "write_slice":
			first := make([]uint64, T)
			for t := 0; t < T; t++ {
				if n := b.share(t); n > 0 {
					id, err := db.NewSliceID(nil, uint32(n))
					if err != nil {
						return phaseResult{}, err
					}
					first[t] = id
				}
			}
			op = func(t, i int) (int, error) {
				pos := uint32((uint64(i)*0x9e3779b97f4a7c15)>>54) * 4096 // one of the first 1024 4 KiB blocks
				_, err := db.WriteSlice(nil, pool[b.at(t, i, len(pool))].Ino, 0,
					fsmeta.Slice{Pos: pos, ID: first[t] + uint64(i), Size: 4096, Len: 4096})
				return 0, err
			}
		case "read_chunk":
			op = func(t, i int) (int, error) {
				_, err := db.ReadChunk(nil, pool[b.at(t, i, len(pool))].Ino, 0)
				return 0, err
			}
		}
		return b.run(def, op), nil
	case "readdir", "readdir_plus":
		pool := b.dirPool(name, 0, b.ops)
		plus := name == "readdir_plus"
		return b.run(def, func(t, i int) (int, error) {
			it, err := db.OpenDir(nil, pool[b.at(t, i, len(pool))].Ino, plus)
			if err != nil {
				return 0, err
			}
			n := 0
			for {
				if _, ok := it.Next(); !ok {
					break
				}
				n++
			}
			err = it.Err()
			it.Close()
			return n, err
		}), nil
	case "rename":
		if err := b.ensure(b.files, false); err != nil {
			return phaseResult{}, err
		}
		b.gen++
		dst := make([][]ref, T)
		for t := 0; t < T; t++ {
			pool := b.dirPool(name, t, b.share(t))
			names := b.names(t, b.share(t), ".r")
			dst[t] = make([]ref, b.share(t))
			for i := range dst[t] {
				p := b.files[t][i].parent
				if i%2 == 1 {
					p = pool[i%len(pool)].Ino
				}
				dst[t][i] = ref{p, names[i], b.files[t][i].ino}
			}
		}
		r := b.run(def, func(t, i int) (int, error) {
			s, d := &b.files[t][i], &dst[t][i]
			err := db.Rename(nil, s.parent, s.name, d.parent, d.name, 0)
			if err == nil {
				*s = *d
			}
			return 0, err
		})
		return r, nil
	case "unlink", "rmdir":
		list := b.files
		if name == "rmdir" {
			list = b.dirs
		}
		if err := b.ensure(list, name == "rmdir"); err != nil {
			return phaseResult{}, err
		}
		isDir := name == "rmdir"
		r := b.run(def, func(t, i int) (int, error) {
			e := &list[t][i]
			if isDir {
				return 0, db.Rmdir(nil, e.parent, e.name)
			}
			return 0, db.Unlink(nil, e.parent, e.name)
		})
		for t := range list {
			list[t] = list[t][b.share(t):]
		}
		return r, nil
	}
	return phaseResult{}, fmt.Errorf("unknown phase %q", name)
}
