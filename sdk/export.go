package fsmeta

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"

	"github.com/fsmeta/fsmeta/core/meta"
)

// Export writes the engine's whole state as a new durable data directory
// dir: opening dir (Options.Dir) then starts from this state, as if every
// change so far had gone through its log. It is the fast way to bulk-load
// a durable engine: build the namespace in memory, Export, Open. dir must
// not exist or be empty. Changes may go on meanwhile; the export holds the
// state of the instant it started (a copy-on-write view, see
// docs/durability.md).
func (db *DB) Export(dir string) error {
	if db.closed.Load() {
		return ErrClosed
	}
	if db.remote != nil {
		return errRemote("export")
	}
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return fmt.Errorf("fsmeta: export: %s is not empty: %w", dir, meta.EEXIST)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return withErrno(fmt.Errorf("fsmeta: export: %w", err))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return withErrno(fmt.Errorf("fsmeta: export: %w", err))
	}
	write, release, err := db.tree().Freeze()
	if err != nil {
		return fmt.Errorf("fsmeta: export: %w", err)
	}
	defer release()
	logger := hclog.New(&hclog.LoggerOptions{Name: "fsmeta", Level: hclog.Error, Output: os.Stderr})
	fss, err := raft.NewFileSnapshotStoreWithLogger(dir, 2, logger)
	snaps := &smoothStore{fss, filepath.Join(dir, "snapshots")}
	if err != nil {
		return withErrno(fmt.Errorf("fsmeta: export: snapshots in %s: %w", dir, err))
	}
	// The state stands at log index 1, term 1, with the one-voter
	// configuration of the durable engine (durable.go) at that index.
	addr, trans := raft.NewInmemTransport(raft.ServerAddress(durableID))
	conf := raft.Configuration{Servers: []raft.Server{{ID: durableID, Address: addr}}}
	sink, err := snaps.Create(raft.SnapshotVersionMax, 1, 1, conf, 1, trans)
	if err != nil {
		return withErrno(fmt.Errorf("fsmeta: export: %w", err))
	}
	if _, err := write(sink); err != nil {
		sink.Cancel()
		return withErrno(fmt.Errorf("fsmeta: export to %s: %w", filepath.Join(dir, "snapshots"), err))
	}
	if err := sink.Close(); err != nil {
		return withErrno(fmt.Errorf("fsmeta: export to %s: %w", filepath.Join(dir, "snapshots"), err))
	}
	return nil
}
