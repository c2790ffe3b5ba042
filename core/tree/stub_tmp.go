package tree

import "errors"

type Options struct {
	Capacity      uint64
	MaxInodes     uint64
	ArenaMaxBytes uint64
}

type Tree struct{}

func New(o Options) (*Tree, error) { return nil, errors.New("not yet") }
func (t *Tree) Close() error       { return nil }
func (t *Tree) Fsck() error        { return nil }
func (t *Tree) Stats() Stats       { return Stats{} }

type Stats struct {
	Inodes, Files, Dirs, Symlinks, Entries uint64
	ArenaInUse, ArenaReserved              uint64
	ArenaByPurpose                         map[string]uint64
}
