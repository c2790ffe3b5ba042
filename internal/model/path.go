package model

import (
	"strings"

	"github.com/fsmeta/fsmeta/core/meta"
)

// Path helpers: Resolve and MkdirAll.

// Resolve walks path from the root and returns the attributes of its end.
func (m *Model) Resolve(c *meta.Caller, path string, followLast bool) (meta.Attr, meta.Errno) {
	if e := pathArg(path); e != 0 {
		return meta.Attr{}, e
	}
	links := 0
	n, e := m.walk(c, m.nodes[meta.RootIno], path, followLast, &links)
	if e != 0 {
		return meta.Attr{}, e
	}
	return m.attrOf(n), 0
}

// MkdirAll creates the missing directories of path and returns the last one.
// The components are walked as Resolve walks them; a missing one is made as
// Mkdir makes it; a symlink is resolved as Resolve resolves it (nothing is
// made inside its target); an existing non-directory is ENOTDIR, or EEXIST
// when it is the last component (also a symlink there that does not resolve,
// whatever the reason). It applies entirely or not at all: on
// failure every directory it made is gone again, their parents' times and the
// inode counter are back where they were.
func (m *Model) MkdirAll(c *meta.Caller, now int64, path string, mode uint32) (meta.Attr, meta.Errno) {
	if e := pathArg(path); e != 0 {
		return meta.Attr{}, e
	}
	var undo []func()
	n, e := m.mkdirAll(c, now, path, mode, &undo)
	if e != 0 {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
		return meta.Attr{}, e
	}
	return m.attrOf(n), 0
}

// mkdirAll does the work of MkdirAll, adding to undo what reverts each
// directory it makes.
func (m *Model) mkdirAll(c *meta.Caller, now int64, path string, mode uint32, undo *[]func()) (*Node, meta.Errno) {
	comps := splitPath(path)
	cur := m.nodes[meta.RootIno]
	links := 0
	for len(comps) > 0 {
		name := comps[0]
		comps = comps[1:]
		if name == slashEnd {
			continue // cur is a directory
		}
		if e := may(c, cur, meta.X_OK); e != 0 {
			return nil, e
		}
		if name == "." {
			continue
		}
		if name == ".." {
			cur = m.nodes[cur.Parent]
			continue
		}
		if len(name) > meta.MaxName {
			return nil, meta.ENAMETOOLONG
		}
		ino, ok := cur.Entries[name]
		if !ok {
			parent, mtime, ctime := cur, cur.Mtime, cur.Ctime
			a, e := m.Mkdir(c, now, cur.Ino, name, mode)
			if e != 0 {
				return nil, e
			}
			ino = a.Ino
			*undo = append(*undo, func() {
				delete(m.nodes, a.Ino)
				delEntry(parent, name)
				parent.Mtime, parent.Ctime = mtime, ctime
				m.nextIno--
			})
		}
		next, last := m.nodes[ino], len(comps) == 0 || comps[0] == slashEnd
		if next.isSymlink() {
			var e meta.Errno
			if next, e = m.walk(c, cur, next.Target, true, &links); e != 0 {
				if last {
					return nil, meta.EEXIST // something is there (mkdir -p's answer)
				}
				return nil, e
			}
		}
		if !next.isDir() {
			if last {
				return nil, meta.EEXIST
			}
			return nil, meta.ENOTDIR
		}
		cur = next
	}
	return cur, 0
}

// walk resolves path from directory start (from the root if path is
// absolute), counting the symlinks it follows in links. As in Linux: an
// empty component ("//") is nothing; every other component needs the node
// before it to be a directory (ENOTDIR) the caller may search (EACCES), "."
// included, so "file/." is ENOTDIR; a path ending in "/" after a name ends in
// a directory (a symlink there is followed) but needs no search permission
// on it.
func (m *Model) walk(c *meta.Caller, start *Node, path string, followLast bool, links *int) (*Node, meta.Errno) {
	comps := splitPath(path)
	cur := start
	if strings.HasPrefix(path, "/") {
		cur = m.nodes[meta.RootIno]
	}
	for len(comps) > 0 {
		name := comps[0]
		comps = comps[1:]
		if !cur.isDir() {
			return nil, meta.ENOTDIR
		}
		if name == slashEnd {
			continue
		}
		if e := may(c, cur, meta.X_OK); e != 0 {
			return nil, e
		}
		if name == "." {
			continue
		}
		if name == ".." {
			cur = m.nodes[cur.Parent]
			continue
		}
		if len(name) > meta.MaxName {
			return nil, meta.ENAMETOOLONG
		}
		ino, ok := cur.Entries[name]
		if !ok {
			return nil, meta.ENOENT
		}
		next := m.nodes[ino]
		if next.isSymlink() && (followLast || len(comps) > 0) {
			*links++
			if *links > meta.MaxSymlinks {
				return nil, meta.ELOOP
			}
			if strings.HasPrefix(next.Target, "/") {
				cur = m.nodes[meta.RootIno]
			}
			comps = append(splitPath(next.Target), comps...)
			continue
		}
		cur = next
	}
	return cur, 0
}

// slashEnd is the component splitPath gives a final "/" after a name.
const slashEnd = "/"

// splitPath returns the components of path without the empty ones, and
// slashEnd at the end when path ends in "/" after a name.
func splitPath(path string) []string {
	var out []string
	for _, s := range strings.Split(path, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	if len(out) > 0 && strings.HasSuffix(path, "/") {
		out = append(out, slashEnd)
	}
	return out
}
