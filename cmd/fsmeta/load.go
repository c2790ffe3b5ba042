package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// loadReport is the JSON object of `fsmeta load -json`.
type loadReport struct {
	Version           int         `json:"version"`
	Mode              string      `json:"mode"`
	Workload          string      `json:"workload"`
	Paths             string      `json:"paths,omitempty"`
	Dump              string      `json:"dump,omitempty"`
	Lines             int64       `json:"lines"`
	BadLines          int64       `json:"bad_lines"`
	Entries           int64       `json:"entries"`
	Files             int64       `json:"files"`
	Dirs              int64       `json:"dirs"`
	Symlinks          int64       `json:"symlinks"`
	Others            int64       `json:"others"`
	Slices            int64       `json:"slices"`
	LoadSeconds       float64     `json:"load_seconds"`
	LoadEntriesPerSec float64     `json:"load_entries_per_sec"`
	Memory            memReport   `json:"memory"`
	GC                gcReport    `json:"gc"`
	Fsck              *fsckReport `json:"fsck,omitempty"`
}

const loadAbout = `Builds a namespace from the listing -paths FILE (what plain 'find' prints, and/or
lines of find DIR -printf '%y\t%m\t%U\t%G\t%s\t%A@\t%T@\t%C@\t%P\n', in any
order; the format is docs/listing-format.md), reports counts, time and memory,
and runs fsck. A bare path with entries under it is a directory. Lines that
cannot be loaded are reported with their numbers; -on-error says whether the
load goes on, and the load fails when most lines were bad (unless -on-error
skip-all).

With -dump FILE it loads a dump written by 'fsmeta dump' instead (the format
is docs/dump-format.md) into an empty engine: every inode, name, attribute,
xattr and slice comes back (inode numbers differ). A truncated dump, or a line
that is malformed or cannot be applied, stops the load with an error naming
the line (-on-error does not apply).

With -mode durable -dir DIR either goes into a new data directory DIR, which
must not exist or be empty: the namespace is built in memory, exported as
DIR's first snapshot, and DIR opened and checked.`

func runLoad(args []string, stdout, stderr io.Writer) error {
	src := source{cmd: "load"}
	fs := newFlags("load", stdout, loadAbout)
	src.register(fs, 0, true)
	asJSON := fs.Bool("json", false, "print one JSON object on stdout")
	fsck := fs.Bool("fsck", true, "run fsck after loading")
	dumpFile := fs.String("dump", "", "load the dump in `FILE` ('-' for stdin), written by 'fsmeta dump', instead of a listing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := src.validate(); err != nil {
		return err
	}
	if *dumpFile != "" && (src.paths != "" || src.files != 0) {
		return usagef("-dump FILE goes without -paths and -files")
	}
	if src.paths == "" && src.files == 0 && *dumpFile == "" {
		return usagef("-paths FILE or -dump FILE is required (or -files N for a synthetic namespace)")
	}
	gcw := startGCWatch()
	var l *loaded
	var err error
	if *dumpFile != "" {
		l, err = src.loadDump(stderr, *dumpFile)
	} else {
		l, err = src.build(stderr)
	}
	if err != nil {
		gcw.report(0)
		return err
	}
	defer l.db.Close()
	st := l.db.Stats()
	rep := loadReport{Version: 1, Mode: src.mode, Workload: l.workload, Paths: src.paths, Dump: *dumpFile, Lines: l.stats.Lines, BadLines: l.stats.BadLines,
		Entries: int64(st.Inodes), Files: int64(st.Files), Dirs: int64(st.Dirs), Symlinks: int64(st.Symlinks), Others: int64(st.Others),
		Slices: l.stats.Slices, LoadSeconds: l.stats.Duration.Seconds()}
	if s := l.stats.Duration.Seconds(); s > 0 {
		rep.LoadEntriesPerSec = round2(float64(l.stats.Entries()) / s)
	}
	mem, forced := l.measure(rep.Entries)
	rep.Memory = mem
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
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		what := "synthetic namespace"
		if l.workload == "dump" {
			what = fmt.Sprintf("%s: dump of %s entries", *dumpFile, commas(rep.Lines))
		}
		if l.workload == "paths" {
			what = fmt.Sprintf("%s: %s lines", src.paths, commas(rep.Lines))
			if rep.BadLines > 0 {
				what += fmt.Sprintf(" (%s bad, skipped)", commas(rep.BadLines))
			}
		}
		fmt.Fprintf(stdout, "loaded   %s\n", what)
		fmt.Fprintf(stdout, "entries  %s: %s files, %s dirs (root included), %s symlinks, %s others; %s slices\n",
			commas(rep.Entries), commas(rep.Files), commas(rep.Dirs), commas(rep.Symlinks), commas(rep.Others), commas(rep.Slices))
		fmt.Fprintf(stdout, "time     %.3f s: %s entries/s\n", rep.LoadSeconds, si(rep.LoadEntriesPerSec))
		m := &rep.Memory
		fmt.Fprintf(stdout, "memory   RSS %s; arena %s; Go heap %s%s\n", perEntry(m.RSSBytes, m.BytesPerEntryRSS, rep.Entries),
			perEntry(m.ArenaBytes, m.BytesPerEntryArena, rep.Entries), bytesIEC(m.GoHeapBytes), perEntryNote(rep.Entries))
		fmt.Fprintf(stdout, "gc       forced GC %s; max pause %s\n", dur(rep.GC.ForcedGCNs), dur(rep.GC.MaxPauseNs))
		if rep.Fsck != nil {
			if rep.Fsck.OK {
				fmt.Fprintf(stdout, "fsck     ok (%.3f s)\n", rep.Fsck.Seconds)
			} else {
				fmt.Fprintf(stdout, "fsck     FAILED: %s\n", rep.Fsck.Error)
			}
		}
	}
	if rep.Fsck != nil && !rep.Fsck.OK {
		return fmt.Errorf("fsck failed: %s", rep.Fsck.Error)
	}
	return nil
}

const fsckAbout = `Checks every invariant of a namespace (docs/architecture.md invariant 7): the one built
from the listing -paths FILE, or the synthetic one of -files N (-seed), or
the one in the data directory -dir DIR (which must exist: it is never
created). -dir DIR is opened read-only: nothing in it is written (a directory
you may only read is checked as well), and a directory that a process has
open is refused; the state checked is the one an open would restore (its
newest usable snapshot and the log after it).`

func runFsck(args []string, stdout, stderr io.Writer) error {
	src := source{cmd: "fsck"}
	fs := newFlags("fsck", stdout, fsckAbout)
	src.register(fs, 0, true)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	l, err := src.one(stderr)
	if err != nil {
		return err
	}
	defer l.db.Close()
	st := l.db.Stats()
	p := startTimer(stderr, fmt.Sprintf("checking %s inodes", commas(int64(st.Inodes))))
	t0 := time.Now()
	err = l.db.Fsck()
	el := time.Since(t0)
	p.Stop()
	if err != nil {
		return fmt.Errorf("FAILED after %.3f s:\n%v", el.Seconds(), err)
	}
	opened := ""
	if l.restore > 0 {
		opened = fmt.Sprintf(" (opening %s took %.3f s)", src.dir, l.restore.Seconds())
	}
	fmt.Fprintf(stdout, "fsck: ok: %s inodes (%s files, %s dirs, %s symlinks, %s others) checked in %.3f s%s\n",
		commas(int64(st.Inodes)), commas(int64(st.Files)), commas(int64(st.Dirs)), commas(int64(st.Symlinks)), commas(int64(st.Others)), el.Seconds(), opened)
	return nil
}
