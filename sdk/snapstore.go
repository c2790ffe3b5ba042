package fsmeta

import (
	"os"
	"path/filepath"

	"github.com/hashicorp/raft"
	"golang.org/x/sys/unix"
)

// Snapshot write-behind. A snapshot of millions of files is hundreds of
// megabytes; written through the page cache and fsynced at the end, it
// puts all of them in the device's queue at once, and every log fsync made
// meanwhile waits behind them (measured: creates stalled 50-100 ms while a
// 62 MB snapshot was synced). So the snapshot's file is written back as it
// is written: every writeBehind bytes, writeback of that range starts and
// the range before it is waited for, keeping at most two ranges queued
// ahead of a log fsync. raft's FileSnapshotStore writes the file at
// DIR/snapshots/<id>.tmp/state.bin; if it cannot be opened there, the
// snapshot is written as before (only the smoothing is lost).
const writeBehind = 1 << 20

type smoothStore struct {
	*raft.FileSnapshotStore
	dir string // DIR/snapshots
}

func (s *smoothStore) Create(version raft.SnapshotVersion, index, term uint64, configuration raft.Configuration,
	configurationIndex uint64, trans raft.Transport) (raft.SnapshotSink, error) {
	sink, err := s.FileSnapshotStore.Create(version, index, term, configuration, configurationIndex, trans)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(s.dir, sink.ID()+".tmp", "state.bin"))
	if err != nil {
		return sink, nil
	}
	return &smoothSink{SnapshotSink: sink, f: f}, nil
}

type smoothSink struct {
	raft.SnapshotSink
	f                *os.File
	written, started int64 // bytes written; start of the range not yet sent to writeback
	prev             int64 // start of the range in writeback
}

func (s *smoothSink) Write(p []byte) (int, error) {
	n, err := s.SnapshotSink.Write(p)
	s.written += int64(n)
	if s.written-s.started >= writeBehind {
		fd := int(s.f.Fd())
		// start writing back [started, written), wait for [prev, started)
		unix.SyncFileRange(fd, s.started, s.written-s.started, unix.SYNC_FILE_RANGE_WRITE)
		if s.started > s.prev {
			unix.SyncFileRange(fd, s.prev, s.started-s.prev,
				unix.SYNC_FILE_RANGE_WAIT_BEFORE|unix.SYNC_FILE_RANGE_WRITE|unix.SYNC_FILE_RANGE_WAIT_AFTER)
		}
		s.prev, s.started = s.started, s.written
	}
	return n, err
}

func (s *smoothSink) Close() error {
	s.f.Close()
	return s.SnapshotSink.Close()
}

func (s *smoothSink) Cancel() error {
	s.f.Close()
	return s.SnapshotSink.Cancel()
}
