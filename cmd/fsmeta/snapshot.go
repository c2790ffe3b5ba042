package main

import (
	"fmt"
	"io"
	"time"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

const snapshotAbout = `Take a snapshot of a durable data directory now: the whole state is written
to DIR/snapshots (a versioned, checksummed file), then the log before it is
truncated. The engine also takes snapshots by itself as the log grows.`

func runSnapshot(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("snapshot", stdout, snapshotAbout)
	dir := fs.String("dir", "", "data `DIR`ectory of the durable engine (it must exist: it is never created)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" || fs.NArg() > 0 {
		return usagef("snapshot needs -dir DIR and nothing else")
	}
	if err := needDataDir(*dir); err != nil {
		return err
	}
	p := startTimer(stderr, "opening "+*dir+" (restoring its snapshot, replaying its log)")
	t0 := time.Now()
	db, err := fsmeta.Open(fsmeta.Options{Dir: *dir})
	p.Stop()
	if err != nil {
		return err
	}
	opened := time.Since(t0)
	st := db.Stats()
	p = startTimer(stderr, fmt.Sprintf("writing a snapshot of %s inodes", commas(int64(st.Inodes))))
	t1 := time.Now()
	err = db.Snapshot()
	p.Stop()
	if err != nil {
		db.Close()
		return err
	}
	took := time.Since(t1)
	if err := db.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "snapshot of %s: %d inodes in %v (open and replay took %v)\n", *dir, st.Inodes,
		took.Round(time.Millisecond), opened.Round(time.Millisecond))
	return nil
}
