package fsmeta

import (
	"encoding/json"
	"fmt"
	"hash/crc64"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/raft"

	"github.com/fsmeta/fsmeta/core/fsm"
)

// Snapshots, checked at open. raft's file snapshot store keeps the newest
// two; raft restores the newest that it can and replays the log after it.
// What can go wrong, and what is done:
//
//   - a snapshot being written when the process died leaves
//     snapshots/<id>.tmp: removed (it is never complete);
//   - a snapshot's meta.json is damaged (it has no checksum of its own: it is
//     checked against the directory's name, term-index-ms, and its state
//     file's size), or its state.bin fails its CRC or its sections'
//     checksums: the snapshot before it is used instead, with the log after
//     it, which is kept back to that snapshot (checkedLog.DeleteRange);
//     the damaged snapshot is moved to snapshots.damaged/ and reported;
//   - when no usable snapshot and log give the whole state, the open is
//     refused, naming each damaged snapshot and what is missing.
type snapInfo struct {
	id    string
	meta  raft.SnapshotMeta
	index uint64
	err   error // why its metadata is refused, or nil
}

// removeUnfinished removes snapshots that were being written (*.tmp).
func removeUnfinished(snapDir string, report func(string)) error {
	ents, err := os.ReadDir(snapDir)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("fsmeta: %w", err)
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			if err := os.RemoveAll(filepath.Join(snapDir, e.Name())); err != nil {
				return fmt.Errorf("fsmeta: removing an unfinished snapshot: %w", err)
			}
			report(fmt.Sprintf("fsmeta: removed the unfinished snapshot %s (a snapshot being written when the process stopped)", filepath.Join(snapDir, e.Name())))
		}
	}
	return nil
}

// listSnapshots reads every snapshot's metadata in snapDir, newest first
// (by index); those whose metadata is damaged carry err.
func listSnapshots(snapDir string) []snapInfo {
	ents, _ := os.ReadDir(snapDir)
	var out []snapInfo
	for _, e := range ents {
		if !e.IsDir() || strings.HasSuffix(e.Name(), ".tmp") {
			continue
		}
		s := snapInfo{id: e.Name()}
		s.meta, s.err = readSnapMeta(filepath.Join(snapDir, e.Name()))
		var term, ms uint64
		if n, err := fmt.Sscanf(s.id, "%d-%d-%d", &term, &s.index, &ms); n != 3 || err != nil {
			s.err = fmt.Errorf("the directory's name is not term-index-time")
		} else if s.err == nil && (s.meta.ID != s.id || s.meta.Term != term || s.meta.Index != s.index) {
			s.err = fmt.Errorf("meta.json names snapshot %q (term %d, index %d), not the directory's", s.meta.ID, s.meta.Term, s.meta.Index)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].index > out[j].index })
	return out
}

func readSnapMeta(dir string) (raft.SnapshotMeta, error) {
	var m struct {
		raft.SnapshotMeta
		CRC []byte
	}
	b, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		return m.SnapshotMeta, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m.SnapshotMeta, fmt.Errorf("meta.json: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, "state.bin"))
	switch {
	case err != nil:
		return m.SnapshotMeta, err
	case len(m.CRC) != crc64.Size:
		return m.SnapshotMeta, fmt.Errorf("meta.json: a CRC of %d bytes", len(m.CRC))
	case m.Size != fi.Size():
		return m.SnapshotMeta, fmt.Errorf("meta.json says %d bytes, state.bin has %d", m.Size, fi.Size())
	case m.Version < raft.SnapshotVersionMin || m.Version > raft.SnapshotVersionMax:
		return m.SnapshotMeta, fmt.Errorf("meta.json: snapshot version %d", m.Version)
	case m.ConfigurationIndex == 0 || m.ConfigurationIndex > m.Index:
		return m.SnapshotMeta, fmt.Errorf("meta.json: the configuration's entry %d is not in 1..%d", m.ConfigurationIndex, m.Index)
	case !voter(m.Configuration, durableID):
		return m.SnapshotMeta, fmt.Errorf("meta.json: this node (%s) is not a voter of the configuration it holds (%v)", durableID, m.Configuration.Servers)
	}
	return m.SnapshotMeta, nil
}

// snapPlan decides, before raft opens, which snapshots raft may restore:
// only those the log continues from (first..last is the log's range, 0..0
// when it is empty; with an empty log, only the newest). It refuses when
// no allowed snapshot and the log reach the newest state any snapshot
// holds, or the state when the log starts after entry 1.
func snapPlan(dir string, snaps []snapInfo, first, last uint64) (allowed map[string]bool, damaged []snapInfo, err error) {
	allowed = map[string]bool{}
	var valid []snapInfo
	top := uint64(0) // the newest entry any snapshot holds
	for _, s := range snaps {
		top = max(top, s.index)
		if s.err != nil {
			damaged = append(damaged, s)
		} else {
			valid = append(valid, s)
		}
	}
	for _, s := range valid {
		if last == 0 && s.index == top || last != 0 && first <= s.index+1 && s.index <= last {
			allowed[s.id] = true
		}
		if last == 0 {
			break
		}
	}
	var why string
	switch {
	case last == 0 && len(snaps) > 0 && len(allowed) == 0:
		why = "the log is empty, and no other snapshot holds the state"
	case last != 0 && last < top:
		why = fmt.Sprintf("the log ends at entry %d, before the newest snapshot (entry %d): the log lost its end", last, top)
	case last != 0 && len(allowed) == 0 && first > 1 && len(valid) > 0:
		why = fmt.Sprintf("the log starts at entry %d, but the newest usable snapshot %s ends at entry %d: entries %d to %d are missing",
			first, valid[0].id, valid[0].index, valid[0].index+1, first-1)
	case last != 0 && len(allowed) == 0 && first > 1:
		why = fmt.Sprintf("no snapshot is usable and the log starts at entry %d: the state before it is lost", first)
	default:
		return allowed, damaged, nil
	}
	file := filepath.Join(dir, "wal")
	if len(damaged) > 0 {
		file = filepath.Join(dir, "snapshots", damaged[0].id)
		var parts []string
		for _, d := range damaged {
			parts = append(parts, fmt.Sprintf("snapshot %s: %v", d.id, d.err))
		}
		why = strings.Join(parts, "; ") + "; " + why
	}
	return nil, damaged, &DamageError{File: file, Reason: why, Advice: checkAdvice(dir)}
}

// checkedSnaps is the snapshot store raft opens with: it lists only the
// snapshots snapPlan allows and remembers which failed to restore.
type checkedSnaps struct {
	raft.SnapshotStore
	mu      sync.Mutex
	allowed map[string]bool // nil: all
	failed  map[string]error
	opened  string // the snapshot opened last (raft restores one at a time)
}

func (c *checkedSnaps) List() ([]*raft.SnapshotMeta, error) {
	list, err := c.SnapshotStore.List()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil || c.allowed == nil {
		return list, err
	}
	out := list[:0]
	for _, m := range list {
		if c.allowed[m.ID] {
			out = append(out, m)
		}
	}
	return out, nil
}

func (c *checkedSnaps) Open(id string) (*raft.SnapshotMeta, io.ReadCloser, error) {
	m, rc, err := c.SnapshotStore.Open(id)
	if err != nil {
		c.fail(id, err)
		return nil, nil, err
	}
	c.mu.Lock()
	c.opened = id
	c.mu.Unlock()
	return m, rc, nil
}

func (c *checkedSnaps) fail(id string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failed == nil {
		c.failed = map[string]error{}
	}
	c.failed[id] = err
}

// openDone stops filtering (snapshots taken from now on are all listed)
// and returns the snapshots that failed to restore.
func (c *checkedSnaps) openDone() map[string]error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.allowed = nil
	f := c.failed
	c.failed = nil
	return f
}

// trackingFSM is the FSM raft opens with: it tells checkedSnaps which
// snapshot failed to restore, and why.
type trackingFSM struct {
	*fsm.FSM
	snaps *checkedSnaps
}

func (t *trackingFSM) Restore(rc io.ReadCloser) error {
	err := t.FSM.Restore(rc)
	if err != nil {
		t.snaps.mu.Lock()
		id := t.snaps.opened
		t.snaps.mu.Unlock()
		t.snaps.fail(id, err)
	}
	return err
}

// setAside moves a damaged snapshot to DIR/snapshots.damaged/, where raft
// no longer sees it and its owner can still look at it.
func setAside(dir, id string) (string, error) {
	to := filepath.Join(dir, "snapshots.damaged")
	if err := os.MkdirAll(to, 0o755); err != nil {
		return "", err
	}
	dst := filepath.Join(to, id)
	os.RemoveAll(dst)
	if err := os.Rename(filepath.Join(dir, "snapshots", id), dst); err != nil {
		return "", err
	}
	return dst, syncDir(filepath.Join(dir, "snapshots"))
}

func syncDir(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// voter tells whether id votes in conf.
func voter(conf raft.Configuration, id raft.ServerID) bool {
	for _, s := range conf.Servers {
		if s.ID == id && s.Suffrage == raft.Voter {
			return true
		}
	}
	return false
}
