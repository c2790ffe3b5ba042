package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Which commands may create a data directory. Only the two that build a
// namespace: bench and load with -mode durable. They always build a new
// one, so their -dir must not exist or be empty (a directory that holds
// anything is refused, a data directory included). Every other command
// (snapshot, check, fsck -dir, dump -dir) works on a data directory that
// exists and never creates one: a mistyped -dir is an error, and leaves
// nothing behind.

// isDataDir tells whether dir holds what a data directory holds: wal/ (the
// log, made by the first open) or snapshots/ (made by the first open, or by
// an export that was not opened yet).
func isDataDir(dir string) bool {
	for _, sub := range []string{"wal", "snapshots"} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err == nil && fi.IsDir() {
			return true
		}
	}
	return false
}

// needDataDir checks that dir is an existing data directory.
func needDataDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist (a data directory is made by 'fsmeta bench' or 'fsmeta load' with -mode durable -dir DIR, or by the SDK's Open)", dir)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory (-dir names a data directory)", dir)
	case !isDataDir(dir):
		return fmt.Errorf("%s is not an fsmeta data directory: it has no wal/ or snapshots/ (docs/durability.md)", dir)
	}
	return nil
}

// needFreshDir checks that dir, where bench or load builds a new data
// directory, does not exist or is empty.
func needFreshDir(cmd, dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory (-dir names the new data directory)", dir)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(ents) == 0 {
		return nil
	}
	if isDataDir(dir) {
		return fmt.Errorf("%s is a data directory already: %s -mode durable builds a new one; give a -dir that does not exist or is empty", dir, cmd)
	}
	return fmt.Errorf("%s is not empty: %s -mode durable builds a new data directory there; give a -dir that does not exist or is empty", dir, cmd)
}
