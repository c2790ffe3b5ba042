package fsmeta

import (
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"

	"github.com/hashicorp/raft"
	wal "github.com/hashicorp/raft-wal"

	"github.com/fsmeta/fsmeta/core/fsm"
	"github.com/fsmeta/fsmeta/core/meta"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// DamageError is the error of a data directory whose files are damaged: it
// names the file, where in it, what is wrong and what to do. Open returns
// it (errno EIO) rather than open a state that differs from the one
// acknowledged; `fsmeta check -dir D` reports every such damage and what a
// repair would lose.
type DamageError struct {
	File   string // the damaged file
	Where  string // "entry 1234", "offset 4096", ... (may be empty)
	Reason string
	Advice string
}

func (e *DamageError) Error() string {
	s := "fsmeta: " + e.File + " is damaged"
	if e.Where != "" {
		s += " at " + e.Where
	}
	s += ": " + e.Reason
	if e.Advice != "" {
		s += "; " + e.Advice
	}
	return s
}

func (e *DamageError) Unwrap() error { return meta.EIO }

// checkAdvice is what a refusal of a damaged directory tells its user.
func checkAdvice(dir string) string {
	return fmt.Sprintf("nothing was changed; `fsmeta check -dir %s` reports what a repair would lose, and `fsmeta check -dir %s -repair` does it (docs/durability.md)", dir, dir)
}

// checkedLog is raft's log store: raft-wal with every record checked. A
// record that fails its checksum, cannot be decoded, or is not the entry
// asked for is refused with a DamageError naming its segment file, instead
// of being handed to raft (which panics on a log error, or would apply a
// different entry). Command entries are also checked with fsmeta's own
// entry checksum (core/fsm/codec.go).
//
// It also keeps the log back to the snapshot before the newest: when the
// newest snapshot turns out to be damaged, the one before it and the log
// after it still give the whole state (raft falls back to it on its own).
type checkedLog struct {
	*wal.WAL
	dir   string // the data directory
	snaps raft.SnapshotStore
	from  atomic.Uint64 // records from this index on are sealed (walcodec.go); 0: none written yet
}

// newCheckedLog reads where sealed records start; a log written before
// records were sealed is sealed from its next record on.
func newCheckedLog(w *wal.WAL, dir string, snaps raft.SnapshotStore) (*checkedLog, error) {
	c := &checkedLog{WAL: w, dir: dir, snaps: snaps}
	from, err := w.GetUint64(sealedFromKey)
	if err != nil {
		return nil, err
	}
	if from == 0 {
		last, err := w.LastIndex()
		if err != nil {
			return nil, err
		}
		if last != 0 {
			from = last + 1
			if err := w.SetUint64(sealedFromKey, from); err != nil {
				return nil, err
			}
		}
	}
	c.from.Store(from)
	return c, nil
}

func (c *checkedLog) StoreLog(l *raft.Log) error { return c.StoreLogs([]*raft.Log{l}) }

func (c *checkedLog) StoreLogs(logs []*raft.Log) error {
	if len(logs) == 0 {
		return nil
	}
	if c.from.Load() == 0 {
		if err := c.WAL.SetUint64(sealedFromKey, logs[0].Index); err != nil {
			return err
		}
		c.from.Store(logs[0].Index)
	}
	sealed := make([]*raft.Log, len(logs))
	for i, l := range logs {
		sealed[i] = seal(l)
	}
	return c.WAL.StoreLogs(sealed)
}

func (c *checkedLog) GetLog(index uint64, l *raft.Log) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = c.damaged(index, fmt.Sprintf("%v: %v", errRecord, p))
		}
	}()
	if err := c.WAL.GetLog(index, l); err != nil {
		if errors.Is(err, raft.ErrLogNotFound) {
			return err
		}
		return c.damaged(index, err.Error())
	}
	if from := c.from.Load(); from != 0 && index >= from {
		if err := unseal(l); err != nil {
			return c.damaged(index, err.Error())
		}
	}
	if l.Index != index {
		return c.damaged(index, fmt.Sprintf("the record found there is entry %d", l.Index))
	}
	if l.Type == raft.LogCommand {
		if _, err := fsm.EntryBody(l.Data); err != nil {
			return c.damaged(index, err.Error())
		}
	}
	return nil
}

func (c *checkedLog) damaged(index uint64, reason string) error {
	return &DamageError{File: segmentFile(filepath.Join(c.dir, "wal"), index), Where: fmt.Sprintf("entry %d", index),
		Reason: reason, Advice: checkAdvice(c.dir)}
}

// DeleteRange deletes a prefix of the log (raft's compaction after a
// snapshot), but never past the snapshot before the newest.
func (c *checkedLog) DeleteRange(min, max uint64) error {
	if first, _ := c.WAL.FirstIndex(); min <= first {
		if max = c.keepFrom(max); max < min {
			return nil
		}
	}
	return c.WAL.DeleteRange(min, max)
}

// keepFrom lowers the end of a prefix deletion so that the log still holds
// the entry after the snapshot before the newest.
func (c *checkedLog) keepFrom(max uint64) uint64 {
	if c.snaps == nil {
		return max
	}
	list, err := c.snaps.List()
	switch {
	case err != nil:
		return 0
	case len(list) < 2:
		// One snapshot (or none): the log from its beginning is the only
		// stand-in for it.
		return 0
	}
	return min(max, list[1].Index)
}

// segmentFile names the segment of dir that holds index (or would: the one
// with the highest base index not above it), or dir itself if none.
func segmentFile(dir string, index uint64) string {
	segs := listSegments(dir)
	best := dir
	for _, s := range segs {
		if s.base <= index {
			best = filepath.Join(dir, s.name)
		}
	}
	return best
}

type segFile struct {
	name     string
	base, id uint64
}

// listSegments lists dir's segment files (raft-wal's naming:
// %020d-%016x.wal, base index then id) in order of base index.
func listSegments(dir string) []segFile {
	ents, _ := os.ReadDir(dir)
	var out []segFile
	for _, e := range ents {
		var s segFile
		if n, err := fmt.Sscanf(e.Name(), "%020d-%016x.wal", &s.base, &s.id); err == nil && n == 2 {
			s.name = e.Name()
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].base < out[j].base || out[i].base == out[j].base && out[i].id < out[j].id
	})
	return out
}
