package model

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/fsmeta/fsmeta/core/meta"
)

// State is a canonical dump of a namespace: every inode in inode order with
// its attributes, entries, xattrs, chunks and open count. The property tests
// build one from the model (Dump) and one from the engine (by walking it) and
// compare them.
type State struct {
	NextIno   meta.Ino
	NextSlice uint64
	Inodes    []InodeState // sorted by Attr.Ino
}

// InodeState is one inode of a State.
type InodeState struct {
	Attr    meta.Attr
	Target  string       // symlinks
	Entries []Entry      // directories, sorted by name
	Xattrs  []Xattr      // sorted by name
	Chunks  []ChunkState // regular files, non-empty chunks sorted by index
	Opens   uint32
}

// Entry is one directory entry.
type Entry struct {
	Name string
	Ino  meta.Ino
}

// Xattr is one extended attribute.
type Xattr struct {
	Name  string
	Value []byte
}

// ChunkState is the slice list of one chunk, clipped to the file size.
type ChunkState struct {
	Index  uint32
	Slices []meta.Slice
}

// Dump returns the canonical state.
func (m *Model) Dump() State {
	s := State{NextIno: m.nextIno, NextSlice: m.nextSlice}
	for _, ino := range m.Inos() {
		n := m.nodes[ino]
		is := InodeState{Attr: m.attrOf(n), Target: n.Target, Opens: n.Opens}
		for _, name := range m.Names(ino) {
			is.Entries = append(is.Entries, Entry{name, n.Entries[name]})
		}
		for _, k := range sortedKeys(n.Xattrs) {
			is.Xattrs = append(is.Xattrs, Xattr{k, append([]byte{}, n.Xattrs[k]...)})
		}
		for _, idx := range m.ChunkIndexes(ino) {
			if l := clipList(n.Chunks[idx], idx, n.Size); len(l) > 0 {
				is.Chunks = append(is.Chunks, ChunkState{idx, l})
			}
		}
		s.Inodes = append(s.Inodes, is)
	}
	return s
}

// Inos returns the live inode numbers, sorted.
func (m *Model) Inos() []meta.Ino {
	inos := make([]meta.Ino, 0, len(m.nodes))
	for ino := range m.nodes {
		inos = append(inos, ino)
	}
	slices.Sort(inos)
	return inos
}

// Names returns the entry names of directory ino, sorted (nil if it is not
// one). The caller must not change the slice.
func (m *Model) Names(ino meta.Ino) []string {
	n := m.nodes[ino]
	if n == nil || !n.isDir() {
		return nil
	}
	return views(n).names
}

// ChunkIndexes returns the indexes of the non-empty chunks of ino, sorted.
func (m *Model) ChunkIndexes(ino meta.Ino) []uint32 {
	n := m.nodes[ino]
	if n == nil {
		return nil
	}
	idx := make([]uint32, 0, len(n.Chunks))
	for i, l := range n.Chunks {
		if len(l) > 0 {
			idx = append(idx, i)
		}
	}
	sort.Slice(idx, func(i, j int) bool { return idx[i] < idx[j] })
	return idx
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// String prints the state one inode per line group, for diffs.
func (s *State) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "next ino %d, next slice %d\n", s.NextIno, s.NextSlice)
	for i := range s.Inodes {
		b.WriteString(s.Inodes[i].String())
	}
	return b.String()
}

// String prints one inode.
func (is *InodeState) String() string {
	var b strings.Builder
	a := is.Attr
	fmt.Fprintf(&b, "ino %d mode %o nlink %d uid %d gid %d rdev %d flags %d size %d atime %d mtime %d ctime %d opens %d",
		a.Ino, a.Mode, a.Nlink, a.Uid, a.Gid, a.Rdev, a.Flags, a.Size, a.Atime, a.Mtime, a.Ctime, is.Opens)
	if is.Target != "" {
		fmt.Fprintf(&b, " target %q", is.Target)
	}
	b.WriteByte('\n')
	for _, e := range is.Entries {
		fmt.Fprintf(&b, "  entry %q -> %d\n", e.Name, e.Ino)
	}
	for _, x := range is.Xattrs {
		fmt.Fprintf(&b, "  xattr %q = %s\n", x.Name, shortBytes(x.Value))
	}
	for _, c := range is.Chunks {
		fmt.Fprintf(&b, "  chunk %d: %v\n", c.Index, c.Slices)
	}
	return b.String()
}

// shortBytes prints a value, abbreviating long ones.
func shortBytes(v []byte) string {
	if len(v) <= 32 {
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%q...(%d bytes)", v[:32], len(v))
}

// Diff returns a description of the first differences between two states
// (empty when they are equal), a the expected one.
func Diff(want, got *State) string {
	var b strings.Builder
	if want.NextIno != got.NextIno || want.NextSlice != got.NextSlice {
		fmt.Fprintf(&b, "counters: want next ino %d slice %d, got %d %d\n",
			want.NextIno, want.NextSlice, got.NextIno, got.NextSlice)
	}
	i, j, k := 0, 0, 0
	for (i < len(want.Inodes) || j < len(got.Inodes)) && k < 20 {
		switch {
		case j >= len(got.Inodes) || i < len(want.Inodes) && want.Inodes[i].Attr.Ino < got.Inodes[j].Attr.Ino:
			fmt.Fprintf(&b, "missing:\n%s", want.Inodes[i].String())
			i++
			k++
		case i >= len(want.Inodes) || got.Inodes[j].Attr.Ino < want.Inodes[i].Attr.Ino:
			fmt.Fprintf(&b, "extra:\n%s", got.Inodes[j].String())
			j++
			k++
		default:
			if !reflect.DeepEqual(normal(want.Inodes[i]), normal(got.Inodes[j])) {
				fmt.Fprintf(&b, "want:\n%sgot:\n%s", want.Inodes[i].String(), got.Inodes[j].String())
				k++
			}
			i++
			j++
		}
	}
	return b.String()
}

// normal makes empty lists nil, so that DeepEqual compares contents only.
func normal(is InodeState) InodeState {
	if len(is.Entries) == 0 {
		is.Entries = nil
	}
	if len(is.Xattrs) == 0 {
		is.Xattrs = nil
	}
	for i := range is.Xattrs {
		if len(is.Xattrs[i].Value) == 0 {
			is.Xattrs[i].Value = nil
		}
	}
	if len(is.Chunks) == 0 {
		is.Chunks = nil
	}
	return is
}

// Clone returns a deep copy.
func (m *Model) Clone() *Model {
	c := &Model{opts: m.opts, nodes: make(map[meta.Ino]*Node, len(m.nodes)), nextIno: m.nextIno, nextSlice: m.nextSlice}
	for ino, n := range m.nodes {
		cn := *n
		cn.views = nil // rebuilt on demand
		if n.Entries != nil {
			cn.Entries = make(map[string]meta.Ino, len(n.Entries))
			for k, v := range n.Entries {
				cn.Entries[k] = v
			}
		}
		if n.Chunks != nil {
			cn.Chunks = make(map[uint32][]meta.Slice, len(n.Chunks))
			for k, v := range n.Chunks {
				cn.Chunks[k] = append([]meta.Slice{}, v...)
			}
		}
		if n.Xattrs != nil {
			cn.Xattrs = make(map[string][]byte, len(n.Xattrs))
			for k, v := range n.Xattrs {
				cn.Xattrs[k] = v // values are never changed in place
			}
		}
		c.nodes[ino] = &cn
	}
	return c
}

// Check verifies the model's own invariants (a bug in the model, not in the
// engine, if it fails): entries point to live nodes, link counts match,
// directories have one name and a right parent, every node is reachable or
// open, inode numbers are below the counter.
func (m *Model) Check() error {
	links := map[meta.Ino]uint32{}
	for ino, n := range m.nodes {
		if ino >= m.nextIno || n.Ino != ino {
			return fmt.Errorf("model: inode %d (%d) beyond next %d", ino, n.Ino, m.nextIno)
		}
		for name, child := range n.Entries {
			if checkName(name) != 0 {
				return fmt.Errorf("model: bad name %q in %d", name, ino)
			}
			cn := m.nodes[child]
			if cn == nil {
				return fmt.Errorf("model: %d/%q -> %d: no such inode", ino, name, child)
			}
			if cn.isDir() && cn.Parent != ino {
				return fmt.Errorf("model: directory %d in %d has parent %d", child, ino, cn.Parent)
			}
			links[child]++
		}
		for idx, l := range n.Chunks {
			for _, s := range l {
				if uint64(idx)*meta.ChunkSize+uint64(s.Pos) >= n.Size {
					return fmt.Errorf("model: slice %v of %d chunk %d beyond size %d", s, ino, idx, n.Size)
				}
			}
		}
	}
	for ino, n := range m.nodes {
		switch {
		case ino == meta.RootIno:
			if links[ino] != 0 || !n.isDir() {
				return fmt.Errorf("model: root has %d names", links[ino])
			}
		case n.isDir():
			if links[ino] != 1 {
				return fmt.Errorf("model: directory %d has %d names", ino, links[ino])
			}
		default:
			if links[ino] != n.Nlink || n.Nlink == 0 && n.Opens == 0 {
				return fmt.Errorf("model: inode %d has %d names, nlink %d, opens %d", ino, links[ino], n.Nlink, n.Opens)
			}
		}
	}
	return nil
}
