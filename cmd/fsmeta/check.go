package main

import (
	"fmt"
	"io"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

const checkAbout = `Check a durable data directory without opening the engine: the log's
metadata store, every frame of the newest log segment, every log record's
checksum, every log entry's decoding, every snapshot (its metadata, its CRC,
its contents) and that the snapshots and the log fit together. Each problem
is reported with the file, whether Open refuses the directory or handles it
by itself, and what a repair would lose. With -repair, repairs what can be
repaired, losing the least: a damaged log is cut before the damage, damaged
snapshots are moved to snapshots.damaged/, a log that no usable snapshot
continues is dropped. Nothing is repaired without -repair. The directory
must not be open in another process. Exit status: 0 when the directory is
sound (or was repaired), 1 otherwise.`

func runCheck(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", stdout, checkAbout)
	dir := fs.String("dir", "", "data `DIR`ectory of the durable engine (it must exist: it is never created)")
	repair := fs.Bool("repair", false, "repair what can be repaired (see above for what that loses)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" || fs.NArg() > 0 {
		return usagef("check needs -dir DIR and nothing else")
	}
	if err := needDataDir(*dir); err != nil {
		return err
	}
	r, err := fsmeta.Check(*dir, *repair, stderr)
	if r != nil {
		fmt.Fprint(stdout, r.String())
	}
	if err != nil {
		return err
	}
	if !r.OK() {
		return fmt.Errorf("%s has %d problems; `fsmeta check -dir %s -repair` repairs them", *dir, len(r.Findings), *dir)
	}
	return nil
}
