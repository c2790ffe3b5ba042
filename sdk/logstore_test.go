package fsmeta

import (
	"testing"

	"github.com/hashicorp/raft"
)

type listedSnaps struct {
	raft.SnapshotStore
	metas []*raft.SnapshotMeta
}

func (l listedSnaps) List() ([]*raft.SnapshotMeta, error) { return l.metas, nil }

// TestKeepFrom: log compaction never deletes the entries after the snapshot
// before the newest, nor any while there is only one snapshot.
func TestKeepFrom(t *testing.T) {
	for _, c := range []struct {
		idx       []uint64 // snapshots, newest first
		max, want uint64
	}{
		{nil, 100, 0},
		{[]uint64{90}, 80, 0},
		{[]uint64{90, 40}, 80, 40},
		{[]uint64{90, 40}, 30, 30},
		{[]uint64{200, 150}, 190, 150},
	} {
		var metas []*raft.SnapshotMeta
		for _, i := range c.idx {
			metas = append(metas, &raft.SnapshotMeta{Index: i})
		}
		l := &checkedLog{snaps: listedSnaps{metas: metas}}
		if got := l.keepFrom(c.max); got != c.want {
			t.Errorf("snapshots %v, delete to %d: deleted to %d, want %d", c.idx, c.max, got, c.want)
		}
	}
}
