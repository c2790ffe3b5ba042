package main

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/fsmeta/fsmeta/internal/dump"
	"github.com/fsmeta/fsmeta/internal/workload"
)

const dumpAbout = `Writes the namespace of a source (the synthetic one of -files N, or the one
built from the listing -paths FILE, or the one in the existing data
directory -dir DIR, opened read-only: nothing in it is written, and a
directory a process has open is refused) as a dump: line-oriented JSON, one entry per line, with every
attribute, xattr and slice (the format is docs/dump-format.md). 'fsmeta load
-dump FILE' reads it back. Output goes to -o FILE, or stdout. Progress goes to
stderr when it is a terminal.`

func runDump(args []string, stdout, stderr io.Writer) error {
	src := source{cmd: "dump"}
	fs := newFlags("dump", stdout, dumpAbout)
	src.register(fs, 0, true)
	out := fs.String("o", "-", "write the dump to `FILE` ('-': stdout)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	l, err := src.one(stderr)
	if err != nil {
		return err
	}
	defer l.db.Close()

	w := stdout
	report := stderr
	var f *os.File
	if *out != "-" {
		var err error
		if f, err = os.Create(*out); err != nil {
			return err
		}
		defer f.Close()
		w, report = f, stdout
	}
	st := l.db.Stats()
	var entries atomic.Int64
	p := startProgress(stderr, "dumping", &entries, int64(st.Entries)+1, nil, 0)
	t0 := time.Now()
	err = dump.Dump(l.db, w, func(n uint64) { entries.Store(int64(n)) })
	p.Stop()
	if err == nil && f != nil {
		if err = f.Sync(); err == nil {
			err = f.Close()
		}
	}
	if err != nil {
		if f != nil {
			return fmt.Errorf("%s: %w", *out, err)
		}
		return err
	}
	el := time.Since(t0)
	name := *out
	if name == "-" {
		name = "stdout"
	}
	fmt.Fprintf(report, "dumped   %s entries (%s inodes) to %s in %.3f s: %s entries/s\n",
		commas(entries.Load()), commas(int64(st.Inodes-st.Orphans)), name, el.Seconds(), si(float64(entries.Load())/el.Seconds()))
	return nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// loadDump opens the engine and loads the dump in file ('-': stdin) into it,
// showing progress on stderr when it is a terminal.
func (s *source) loadDump(stderr io.Writer, file string) (*loaded, error) {
	if s.mode == "durable" && !s.staging {
		return s.buildDurable(stderr, func(w io.Writer) (*loaded, error) { return s.loadDump(w, file) })
	}
	var r io.Reader = os.Stdin
	var size int64
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
		r = f
	}
	db, err := s.open()
	if err != nil {
		return nil, err
	}
	// every time the load stamps is overwritten by the dump's (see source.bulk)
	s.bulkNow = time.Now().UnixNano()
	s.bulk.Store(true)
	defer s.bulk.Store(false)
	var entries, bytes atomic.Int64
	p := startProgress(stderr, "loading "+file, &entries, 0, &bytes, size)
	t0 := time.Now()
	c, err := dump.LoadCount(db, countingReader{r, &bytes}, func(n uint64) { entries.Store(int64(n)) })
	p.Stop()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	st := db.Stats()
	return &loaded{db: db, workload: "dump", stats: workload.LoadStats{
		Files: int64(st.Files), Dirs: int64(st.Dirs) - 1, Symlinks: int64(st.Symlinks), Others: int64(st.Others),
		Slices: int64(c.Slices), Lines: int64(c.Entries), Duration: time.Since(t0)}}, nil
}
