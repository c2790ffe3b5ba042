package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// benchReport is the JSON object of `fsmeta bench -json` (docs/bench.md:
// the first fields are fixed; the rest are extra).
type benchReport struct {
	Version     int           `json:"version"`
	Mode        string        `json:"mode"`
	Workload    string        `json:"workload"`
	Entries     int64         `json:"entries"`
	Files       int64         `json:"files"`
	Dirs        int64         `json:"dirs"`
	LoadSeconds float64       `json:"load_seconds"`
	Memory      memReport     `json:"memory"`
	GC          gcReport      `json:"gc"`
	Phases      []phaseResult `json:"phases"`
	// more
	Symlinks          int64       `json:"symlinks"`
	Others            int64       `json:"others"`
	Slices            int64       `json:"slices"`
	LoadEntriesPerSec float64     `json:"load_entries_per_sec"`
	Seed              uint64      `json:"seed"`
	Paths             string      `json:"paths,omitempty"`
	Lines             int64       `json:"lines,omitempty"`
	BadLines          int64       `json:"bad_lines,omitempty"`
	Threads           int         `json:"threads"`
	OpsPerPhase       int         `json:"ops_per_phase"`
	Fsck              *fsckReport `json:"fsck,omitempty"`
	FsmetaVersion     string      `json:"fsmeta_version"`
	GoVersion         string      `json:"go_version"`
	NumCPU            int         `json:"num_cpu"`
	GOMAXPROCS        int         `json:"gomaxprocs"`
	// ClockNs is the median cost of timing an empty op (two clock reads):
	// every latency includes about this much.
	ClockNs int64 `json:"clock_overhead_ns"`
	// durable mode into a fresh -dir: the namespace is built in memory,
	// exported (written as the directory's first snapshot) and opened
	// (restored from it)
	ExportSeconds  float64 `json:"export_seconds,omitempty"`
	RestoreSeconds float64 `json:"restore_seconds,omitempty"`
	SnapshotBytes  int64   `json:"snapshot_bytes,omitempty"`
	// -compact: time to compact every directory after the load
	CompactSeconds float64 `json:"compact_seconds,omitempty"`
	// -idle: the process's CPU use (percent of one core) while idle
	IdleSeconds    float64 `json:"idle_seconds,omitempty"`
	IdleCPUPercent float64 `json:"idle_cpu_percent,omitempty"`
	// with -compact-after: the background compactor's steps and passes
	// during the idle time, its longest step (the most a request waited
	// for it), and memory measured again after the idle time
	IdleCompactSteps  int64      `json:"idle_compact_steps,omitempty"`
	IdleCompactPasses int64      `json:"idle_compact_passes,omitempty"`
	IdleLongestStepMs float64    `json:"idle_longest_step_ms,omitempty"`
	IdleSlowSteps     int64      `json:"idle_slow_steps,omitempty"` // steps over 5 ms
	MemoryAfterIdle   *memReport `json:"memory_after_idle,omitempty"`
}

type fsckReport struct {
	OK      bool    `json:"ok"`
	Seconds float64 `json:"seconds"`
	Error   string  `json:"error,omitempty"`
}

const benchAbout = `Builds a namespace (synthetic, about -files N files deterministic from -seed; or
from the listing -paths FILE), measures memory after a forced GC, then runs the
timed phases, each over -ops random targets split over -threads goroutines.

Phases (in this order; -phases picks some): create, mkdir, lookup, resolve,
getattr, readdir, setattr, rename, unlink, rmdir, write_slice, read_chunk,
and readdir_plus (only when named). -phases none only loads and measures.
Latency: one op in 16 is timed for lookup, resolve, getattr and read_chunk,
every op for the others (-sample N: one in N everywhere); throughput is
ops / wall time. Output: text, or one JSON object with -json (docs/bench.md
describes both, and what the figures mean).
Progress goes to stderr when it is a terminal.

With -mode durable -dir DIR the namespace goes into a new data directory DIR,
which must not exist or be empty (bench never runs on a directory that holds
anything): it is built in memory, exported as DIR's first snapshot and
opened; the phases then go through DIR's log.`

func runBench(args []string, stdout, stderr io.Writer) error {
	src := source{cmd: "bench"}
	fs := newFlags("bench", stdout, benchAbout)
	src.register(fs, 1_000_000, true)
	threads := fs.Int("threads", 1, "concurrent callers `T` in the timed phases")
	ops := fs.Int("ops", 100_000, "operations per timed phase (`N`)")
	asJSON := fs.Bool("json", false, "print one JSON object on stdout")
	phases := fs.String("phases", "all", "comma-separated `list` of phases to run (all, none, or names)")
	compact := fs.Bool("compact", false, "compact every directory after loading (up to 2^20 entries: what DB.Compact with MaxDir 1<<20 does; the background compactor freezes directories over 1024 entries a run of ~32 entries at a time), before memory is measured")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to `FILE`")
	memprofile := fs.String("memprofile", "", "write a heap profile at the end to `FILE`")
	fs.DurationVar(&src.compactAfter, "compact-after", 0, "run the engine's background compactor: directories unchanged for `D` go cold, also during the phases (default 0: off, the phases see the form the load and -compact left)")
	idle := fs.Duration("idle", 0, "after loading (and -compact), stay idle for `D` and report the CPU the engine's background work (the compactor) used meanwhile")
	sample := fs.Int("sample", 0, "time one op in `N` in every phase (0: 16 for lookup/resolve/getattr/read_chunk, 1 for the rest)")
	fsck := fs.Bool("fsck", false, "run fsck after the phases (and fail if it fails)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := src.validate(); err != nil {
		return err
	}
	if *threads < 1 {
		return usagef("-threads %d: want T >= 1", *threads)
	}
	if *ops < 0 || *ops > 1<<31 {
		return usagef("-ops %d: want 0 <= N <= 2^31", *ops)
	}
	if *sample < 0 {
		return usagef("-sample %d: want N >= 0", *sample)
	}
	list, err := parsePhases(*phases)
	if err != nil {
		return err
	}
	if slices.Contains(list, "snapshot") && src.mode != "durable" {
		return usagef("-phases snapshot needs -mode durable")
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	gcw := startGCWatch()

	l, err := src.build(stderr)
	if err != nil {
		gcw.report(0)
		return err
	}
	defer l.db.Close()
	st := l.db.Stats()
	rep := benchReport{Version: 1, Mode: src.mode, Workload: l.workload,
		Entries: int64(st.Inodes), Files: int64(st.Files), Dirs: int64(st.Dirs), Symlinks: int64(st.Symlinks), Others: int64(st.Others),
		Slices: l.stats.Slices, LoadSeconds: l.stats.Duration.Seconds(), Seed: src.seed, Paths: src.paths,
		Lines: l.stats.Lines, BadLines: l.stats.BadLines, Threads: *threads, OpsPerPhase: *ops,
		FsmetaVersion: versionString(), GoVersion: runtime.Version(), NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		Phases: []phaseResult{}}
	rep.ExportSeconds, rep.RestoreSeconds = round2(l.export.Seconds()), round2(l.restore.Seconds())
	if l.export > 0 {
		rep.SnapshotBytes = snapshotBytes(src.dir)
	}
	if s := l.stats.Duration.Seconds(); s > 0 {
		rep.LoadEntriesPerSec = round2(float64(l.stats.Entries()) / s)
	}
	if *compact {
		var done atomic.Int64
		p := startProgress(stderr, "compacting", &done, rep.Entries, nil, 0)
		t0 := time.Now()
		_, err := l.db.Compact(fsmeta.CompactOptions{All: true, Budget: 10000, MaxDir: 1 << 20, MaxStep: -1}, func(s fsmeta.CompactStats) { done.Store(int64(s.Entries)) })
		p.Stop()
		if err != nil {
			return err
		}
		rep.CompactSeconds = round2(time.Since(t0).Seconds())
	}
	mem, forced := l.measure(rep.Entries)
	rep.Memory = mem
	if *idle > 0 {
		fmt.Fprintf(stderr, "idle for %v\n", *idle)
		c0 := processCPU()
		time.Sleep(*idle)
		rep.IdleCPUPercent = round2(100 * (processCPU() - c0).Seconds() / idle.Seconds())
		rep.IdleSeconds = round2(idle.Seconds())
		if cs := l.db.CompactorStats(); cs.Steps > 0 {
			rep.IdleCompactSteps, rep.IdleCompactPasses = cs.Steps, cs.Passes
			rep.IdleLongestStepMs = round2(float64(cs.LongestStep) / 1e6)
			rep.IdleSlowSteps = cs.SlowSteps
			m, _ := l.measure(rep.Entries)
			rep.MemoryAfterIdle = &m
		}
	}

	rep.ClockNs = clockOverhead()
	b := &bench{db: l.db, ns: l.ns, threads: *threads, ops: *ops, seed: src.seed, sample: *sample, stderr: stderr}
	for _, p := range list {
		r, err := b.runPhase(p)
		if err != nil {
			return fmt.Errorf("phase %s: %w", p, err)
		}
		rep.Phases = append(rep.Phases, r)
	}
	rep.GC = gcw.report(forced)
	if *fsck {
		p := startTimer(stderr, "checking (fsck)")
		t0 := time.Now()
		err := l.db.Fsck()
		p.Stop()
		rep.Fsck = &fsckReport{OK: err == nil, Seconds: time.Since(t0).Seconds()}
		if err != nil {
			rep.Fsck.Error = err.Error()
		}
	}
	if *memprofile != "" {
		if err := writeHeapProfile(*memprofile); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printBench(stdout, &rep)
	}
	if rep.Fsck != nil && !rep.Fsck.OK {
		return fmt.Errorf("fsck failed after the phases: %s", rep.Fsck.Error)
	}
	return nil
}

// clockOverhead is the median time measured around nothing.
func clockOverhead() int64 {
	xs := make([]int64, 10001)
	for i := range xs {
		t0 := time.Now()
		xs[i] = int64(time.Since(t0))
	}
	slices.Sort(xs)
	return xs[len(xs)/2]
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// parsePhases turns -phases into the phases to run, in the canonical order.
func parsePhases(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "none" || s == "" {
		return nil, nil
	}
	want := map[string]bool{}
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		switch {
		case p == "all":
			for _, d := range phaseDefs {
				if !d.extra {
					want[d.name] = true
				}
			}
		case phaseIndex(p) >= 0:
			want[p] = true
		default:
			names := make([]string, len(phaseDefs))
			for i, d := range phaseDefs {
				names[i] = d.name
			}
			return nil, usagef("-phases: unknown phase %q (phases: %s, all, none)", p, strings.Join(names, ", "))
		}
	}
	var out []string
	for _, d := range phaseDefs {
		if want[d.name] {
			out = append(out, d.name)
		}
	}
	return out, nil
}

// processCPU returns the CPU time (user + system) the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func printBench(w io.Writer, r *benchReport) {
	src := "synthetic namespace (seed " + fmt.Sprint(r.Seed) + ")"
	if r.Workload == "paths" {
		src = "namespace from " + r.Paths
	}
	fmt.Fprintf(w, "fsmeta bench: %s mode, %s; %s, %d CPUs\n", r.Mode, src, r.GoVersion, r.NumCPU)
	fmt.Fprintf(w, "load     %s entries (%s files, %s dirs", commas(r.Entries), commas(r.Files), commas(r.Dirs))
	if r.Symlinks > 0 || r.Others > 0 {
		fmt.Fprintf(w, ", %s symlinks, %s others", commas(r.Symlinks), commas(r.Others))
	}
	fmt.Fprintf(w, "), %s slices in %.2f s: %s entries/s\n", commas(r.Slices), r.LoadSeconds, si(r.LoadEntriesPerSec))
	if r.BadLines > 0 {
		fmt.Fprintf(w, "         %s lines, %s bad (skipped)\n", commas(r.Lines), commas(r.BadLines))
	}
	m := &r.Memory
	fmt.Fprintf(w, "memory   RSS %s; arena %s (in use %s); Go heap %s%s\n", perEntry(m.RSSBytes, m.BytesPerEntryRSS, r.Entries),
		perEntry(m.ArenaBytes, m.BytesPerEntryArena, r.Entries), bytesIEC(m.ArenaInUseBytes), bytesIEC(m.GoHeapBytes), perEntryNote(r.Entries))
	if r.IdleSeconds > 0 {
		fmt.Fprintf(w, "idle     %.0f s: %.2f%% of a core (background compaction)\n", r.IdleSeconds, r.IdleCPUPercent)
		if a := r.MemoryAfterIdle; a != nil {
			fmt.Fprintf(w, "         compactor: %d steps (%d over 5 ms), %d passes, longest step %.2f ms; then RSS %s, %s entries cold\n",
				r.IdleCompactSteps, r.IdleSlowSteps, r.IdleCompactPasses, r.IdleLongestStepMs, perEntry(a.RSSBytes, a.BytesPerEntryRSS, r.Entries), commas(int64(a.CompressedEntries)))
		}
	}
	if m.CompressedDirs > 0 {
		fmt.Fprintf(w, "cold     %s directories, %s entries compressed", commas(int64(m.CompressedDirs)), commas(int64(m.CompressedEntries)))
		if r.CompactSeconds > 0 {
			fmt.Fprintf(w, " in %.2f s", r.CompactSeconds)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "gc       forced GC %s; max pause %s over %d GCs\n", dur(r.GC.ForcedGCNs), dur(r.GC.MaxPauseNs), r.GC.NumGC)
	if r.ExportSeconds > 0 {
		fmt.Fprintf(w, "durable  exported in %.2f s (snapshot %s), restored in %.2f s\n", r.ExportSeconds, bytesIEC(uint64(r.SnapshotBytes)), r.RestoreSeconds)
	}
	fmt.Fprintf(w, "clock    timing an op costs about %s (included in every latency)\n", dur(r.ClockNs))
	if len(r.Phases) > 0 {
		fmt.Fprintf(w, "\n%-13s %7s %9s %10s %9s %9s %9s %7s\n", "phase", "threads", "ops", "ops/s", "p50", "p99", "p99.9", "timed")
		for _, p := range r.Phases {
			fmt.Fprintf(w, "%-13s %7d %9d %10s %9s %9s %9s %7s", p.Op, p.Threads, p.Ops, si(p.OpsPerSec),
				dur(p.P50Ns), dur(p.P99Ns), dur(p.P999Ns), fmt.Sprintf("1/%d", p.SampleEvery))
			if p.Entries > 0 {
				fmt.Fprintf(w, "  %s entries, %s entries/s", commas(p.Entries), si(p.EntriesPerSec))
			}
			if p.Errors > 0 {
				fmt.Fprintf(w, "  %d ERRORS", p.Errors)
			}
			if p.SnapshotSeconds > 0 {
				fmt.Fprintf(w, "  snapshot %.2f s; %d creates during it: p99 %s, longest %s", p.SnapshotSeconds, p.SnapshotOps, dur(p.SnapshotP99Ns), dur(p.SnapshotMaxNs))
			}
			fmt.Fprintln(w)
		}
	}
	if r.Fsck != nil {
		if r.Fsck.OK {
			fmt.Fprintf(w, "fsck     ok (%.2f s)\n", r.Fsck.Seconds)
		} else {
			fmt.Fprintf(w, "fsck     FAILED: %s\n", r.Fsck.Error)
		}
	}
}

// snapshotBytes is the size of the newest snapshot in a data directory.
func snapshotBytes(dir string) int64 {
	var n int64
	ms, _ := filepath.Glob(filepath.Join(dir, "snapshots", "*", "state.bin"))
	for _, m := range ms {
		if fi, err := os.Stat(m); err == nil && fi.Size() > n {
			n = fi.Size()
		}
	}
	return n
}
