package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/fsmeta/fsmeta/internal/workload"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

func purposeName(i int) string { return fsmeta.ArenaPurposeName(i) }

// source says where a namespace comes from and which engine holds it: the
// flags that bench, load and fsck share.
type source struct {
	cmd      string // the command, for messages
	files    int64
	paths    string
	seed     uint64
	mode     string
	dir      string
	onError  string
	arenaMax uint64
	maxShown int // bad lines printed before going quiet
	// compactAfter is the engine's background compactor (Options.CompactAfter);
	// 0 here turns it off: a load or a benchmark decides what is cold
	compactAfter time.Duration

	// While loading, the engine's clock is frozen: every time a load
	// stamps is then overwritten by an explicit SetAttr, and reading the
	// clock for every change is a sixth of a load's time on some machines.
	bulk    atomic.Bool
	bulkNow int64
	// staging: a durable load into a fresh directory builds in memory
	// first, then exports (buildDurable).
	staging bool
	// readOnly: open -dir read-only (fsck, dump: nothing is written)
	readOnly bool
}

// clock is the engine's clock: frozen while loading, time.Now otherwise.
func (s *source) clock() int64 {
	if s.bulk.Load() {
		return s.bulkNow
	}
	return time.Now().UnixNano()
}

func (s *source) register(fs *flag.FlagSet, defFiles int64, withFiles bool) {
	if withFiles {
		fs.Int64Var(&s.files, "files", defFiles, "build a synthetic namespace of `N` files (deterministic from -seed); ignored with -paths")
	}
	fs.StringVar(&s.paths, "paths", "", "build the namespace from the listing in `FILE` ('-' for stdin): plain find output (bare paths) and/or find -printf lines (docs/listing-format.md)")
	fs.Uint64Var(&s.seed, "seed", 1, "seed of the synthetic namespace and of synthesized attributes")
	fs.StringVar(&s.mode, "mode", "memory", "engine `mode`: memory (no log) or durable (Raft log in -dir)")
	fs.StringVar(&s.dir, "dir", "", "data `DIR`ectory of the durable engine: bench and load (-mode durable) build a new one there, so DIR must not exist or be empty; fsck and dump read an existing one, read-only, never creating it")
	fs.StringVar(&s.onError, "on-error", "skip", "`action` on a listing line that cannot be loaded: stop (the load); skip (the line), but fail at the end when most lines were bad (the file is probably not a listing); skip-all (however many); every bad line is reported with its number")
	fs.Uint64Var(&s.arenaMax, "arena-max", 0, "most `bytes` the namespace may use (0: the engine's default, 32 GiB)")
	s.maxShown = 20
}

func (s *source) validate() error {
	switch s.mode {
	case "memory":
		if s.dir != "" {
			return usagef("-dir is for -mode durable")
		}
	case "durable":
		if s.dir == "" {
			return usagef("-mode durable needs -dir DIR")
		}
	default:
		return usagef("-mode %q: want memory or durable", s.mode)
	}
	switch s.onError {
	case "stop", "skip", "skip-all":
	default:
		return usagef("-on-error %q: want stop, skip or skip-all", s.onError)
	}
	if s.files < 0 {
		return usagef("-files %d: want N >= 0", s.files)
	}
	return nil
}

// open opens the engine the flags ask for.
func (s *source) open() (*fsmeta.DB, error) {
	if s.mode == "durable" && !s.staging {
		return fsmeta.Open(fsmeta.Options{Dir: s.dir, ReadOnly: s.readOnly, ArenaMaxBytes: s.arenaMax, Clock: s.clock, CompactAfter: s.compactAfterOpt()})
	}
	return fsmeta.Open(fsmeta.Options{InMemory: true, ArenaMaxBytes: s.arenaMax, Clock: s.clock, CompactAfter: s.compactAfterOpt()})
}

func (s *source) compactAfterOpt() time.Duration {
	if s.compactAfter <= 0 {
		return -1
	}
	return s.compactAfter
}

// loaded is a namespace built into an engine.
type loaded struct {
	db       *fsmeta.DB
	ns       workload.Namespace
	workload string // "synthetic" or "paths"
	stats    workload.LoadStats
	// a durable load into a fresh directory: time to export the
	// namespace built in memory (its snapshot) and to open the directory
	// (restore)
	export, restore time.Duration
}

// buildDurable builds a new data directory (-dir must not exist or be
// empty: datadir.go) the fast way: the namespace is built in memory by
// build, exported as the directory's first snapshot (DB.Export), and the
// directory opened (restoring it), instead of one log write per change.
func (s *source) buildDurable(stderr io.Writer, build func(io.Writer) (*loaded, error)) (*loaded, error) {
	if err := needFreshDir(s.cmd, s.dir); err != nil {
		return nil, err
	}
	s.staging = true
	l, err := build(stderr)
	s.staging = false
	if err != nil {
		return nil, err
	}
	mem := l.db
	p := startTimer(stderr, "exporting to "+s.dir)
	t0 := time.Now()
	err = mem.Export(s.dir)
	l.export = time.Since(t0)
	p.Stop()
	mem.Close()
	if err != nil {
		return nil, err
	}
	p = startTimer(stderr, "opening "+s.dir)
	t0 = time.Now()
	l.db, err = s.open()
	l.restore = time.Since(t0)
	p.Stop()
	if err != nil {
		return nil, err
	}
	if isTerminal(stderr) {
		fmt.Fprintf(stderr, "%s: exported in %.2f s, opened in %.2f s\n", s.dir, l.export.Seconds(), l.restore.Seconds())
	}
	return l, nil
}

// measure measures memory (measureMemory) without the bench's own
// bookkeeping of a synthetic namespace where it can be rebuilt afterwards.
func (l *loaded) measure(entries int64) (memReport, time.Duration) {
	if r, ok := l.ns.(interface {
		Release()
		Restore()
	}); ok {
		r.Release()
		defer r.Restore()
	}
	return measureMemory(l.db, entries)
}

// build opens the engine and builds the namespace into it, showing progress
// on stderr when it is a terminal and reporting bad listing lines there.
func (s *source) build(stderr io.Writer) (*loaded, error) {
	if s.mode == "durable" && !s.staging {
		return s.buildDurable(stderr, s.build)
	}
	db, err := s.open()
	if err != nil {
		return nil, err
	}
	l := &loaded{db: db}
	s.bulkNow = time.Now().UnixNano()
	s.bulk.Store(true)
	defer s.bulk.Store(false)
	var entries atomic.Int64
	if s.paths == "" {
		l.workload = "synthetic"
		syn := workload.NewSynth(s.seed, s.files)
		p := startProgress(stderr, "loading", &entries, s.files+int64(syn.NumDirs()-1), nil, 0)
		ns, st, err := workload.LoadSynth(db, syn, &entries)
		p.Stop()
		if err != nil {
			db.Close()
			return nil, err
		}
		l.ns, l.stats = ns, st
		return l, nil
	}
	l.workload = "paths"
	var r io.Reader = os.Stdin
	var size int64
	if s.paths != "-" {
		f, err := os.Open(s.paths)
		if err != nil {
			db.Close()
			return nil, err
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
		r = f
	}
	var bytes atomic.Int64
	shown := 0
	clear := ""
	if isTerminal(stderr) {
		clear = "\r\x1b[K" // over the progress line
	}
	o := workload.ListingOptions{Seed: s.seed, Progress: &entries, BytesRead: &bytes,
		OnError: func(le *workload.LineError) bool {
			if shown < s.maxShown {
				fmt.Fprintf(stderr, "%s%s: %v\n", clear, s.paths, le)
			} else if shown == s.maxShown {
				fmt.Fprintf(stderr, "%s%s: further bad lines are counted, not shown\n", clear, s.paths)
			}
			shown++
			return s.onError != "stop"
		}}
	p := startProgress(stderr, "loading "+s.paths, &entries, 0, &bytes, size)
	ns, st, err := workload.LoadListing(db, r, o)
	p.Stop()
	if err != nil {
		db.Close()
		var le *workload.LineError
		if errors.As(err, &le) {
			return nil, fmt.Errorf("%s: stopped at line %d (-on-error stop)", s.paths, le.Line)
		}
		return nil, fmt.Errorf("%s: %w", s.paths, err)
	}
	if st.BadLines > 0 {
		fmt.Fprintf(stderr, "%s: %s of %s lines bad, skipped\n", s.paths, commas(st.BadLines), commas(st.Lines))
	}
	if st.BadLines*2 > st.Lines && s.onError != "skip-all" {
		db.Close()
		return nil, fmt.Errorf("%s: most lines (%s of %s) could not be loaded: is it a listing (docs/listing-format.md)? -on-error skip-all loads the rest anyway",
			s.paths, commas(st.BadLines), commas(st.Lines))
	}
	l.ns, l.stats = ns, st
	return l, nil
}

// one opens the single namespace that fsck and dump work on: exactly one of
// -paths, -files (built in memory) or -dir (the data directory, as it is,
// opened read-only: nothing in it is written, and a directory a process has
// open is refused).
func (s *source) one(stderr io.Writer) (*loaded, error) {
	n := 0
	for _, set := range []bool{s.paths != "", s.files > 0, s.dir != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, usagef("give exactly one of -paths FILE, -files N, -dir DIR")
	}
	if s.dir != "" {
		s.mode = "durable"
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	if s.dir != "" {
		if err := needDataDir(s.dir); err != nil {
			return nil, err
		}
		p := startTimer(stderr, "opening "+s.dir+" (restoring its snapshot, replaying its log)")
		t0 := time.Now()
		s.readOnly = true
		db, err := s.open()
		p.Stop()
		if err != nil {
			return nil, err
		}
		return &loaded{db: db, restore: time.Since(t0)}, nil
	}
	return s.build(stderr)
}
