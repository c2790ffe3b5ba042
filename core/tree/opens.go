package tree

import (
	"slices"

	"github.com/fsmeta/fsmeta/core/meta"
)

// OpenFile is an inode with a nonzero open count (OpenFiles).
type OpenFile struct {
	Ino   meta.Ino
	Count uint32
}

// OpenFiles returns every inode that is open and its open count, by inode
// number: what a durable engine releases when it opens a state whose openers
// are gone (sdk, releaseStaleOpens).
func (t *Tree) OpenFiles() []OpenFile {
	s, ok := t.rlock()
	if !ok {
		return nil
	}
	defer t.mu.runlock(s)
	out := make([]OpenFile, 0, len(t.opens))
	for ino, n := range t.opens {
		out = append(out, OpenFile{ino, n})
	}
	slices.SortFunc(out, func(a, b OpenFile) int {
		if a.Ino < b.Ino {
			return -1
		}
		if a.Ino > b.Ino {
			return 1
		}
		return 0
	})
	return out
}
