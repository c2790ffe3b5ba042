package fsmeta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash"
	"hash/crc64"
	"io"
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

// Open opens snapshot id for a restore without raft's first pass.
// FileSnapshotStore.Open reads the whole state file to check its CRC before
// it hands the file over, and the restore then reads it again: a second
// full read and CRC-64 on the restore's path (~0.5 s for 10M files). Here
// the same CRC is computed as the restore reads the file (on the restore's
// reading goroutine, alongside the decoding: tree.ReadSnapshot), and a read
// that reaches the end of a file whose CRC does not match fails instead of
// returning io.EOF. tree.ReadSnapshot reads to EOF and fails on such an
// error, so a restore still accepts only a snapshot whose CRC matches; the
// snapshot format's own per-section checksums are checked before a section
// is decoded, so nothing is built from a damaged section either. When the
// metadata cannot be read, raft's Open does it all (and reports the error).
func (s *smoothStore) Open(id string) (*raft.SnapshotMeta, io.ReadCloser, error) {
	var meta struct {
		raft.SnapshotMeta
		CRC []byte
	}
	dir := filepath.Join(s.dir, id)
	b, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil || json.Unmarshal(b, &meta) != nil || len(meta.CRC) != crc64.Size {
		return s.FileSnapshotStore.Open(id)
	}
	f, err := os.Open(filepath.Join(dir, "state.bin"))
	if err != nil {
		return nil, nil, err
	}
	return &meta.SnapshotMeta, &crcFile{f: f, h: crc64.New(crc64.MakeTable(crc64.ECMA)), want: meta.CRC, id: id}, nil
}

// crcFile reads a snapshot's state file, checking its CRC at the end.
type crcFile struct {
	f    *os.File
	h    hash.Hash64
	want []byte
	id   string
	n    int64
}

func (c *crcFile) Read(p []byte) (int, error) {
	n, err := c.f.Read(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	if err == io.EOF {
		if got := c.h.Sum(nil); !bytes.Equal(got, c.want) {
			return n, fmt.Errorf("snapshot %s: CRC mismatch (%d bytes read: CRC %x, its metadata says %x)", c.id, c.n, got, c.want)
		}
	}
	return n, err
}

func (c *crcFile) Close() error { return c.f.Close() }
