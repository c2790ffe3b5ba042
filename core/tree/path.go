package tree

import (
	"strings"

	"github.com/fsmeta/fsmeta/core/meta"
)

// Resolve walks path from the root (see docs/semantics.md).
func (t *Tree) Resolve(c *meta.Caller, path string, followLast bool) (meta.Attr, meta.Errno) {
	if len(path) > meta.MaxPath {
		return meta.Attr{}, meta.ENAMETOOLONG
	}
	s, ok := t.rlock()
	if !ok {
		return meta.Attr{}, meta.EClosed
	}
	defer t.mu.runlock(s)
	h, e := t.walk(c, path, followLast)
	if e != 0 {
		return meta.Attr{}, e
	}
	return t.attrOf(h), 0
}

// walk resolves path; the caller holds a lock.
func (t *Tree) walk(c *meta.Caller, path string, followLast bool) (*nodeHdr, meta.Errno) {
	links := 0
	cur := t.getNode(meta.RootIno)
	var comps []string // components still to walk, in order
	comps = appendComps(comps[:0], path)
	for len(comps) > 0 {
		name := comps[0]
		comps = comps[1:]
		if !isDir(t.mode(cur)) {
			return nil, meta.ENOTDIR
		}
		if name == trailingSlash {
			continue // only that it is a directory (no search permission)
		}
		if e := t.may(c, cur, meta.X_OK); e != 0 {
			return nil, e
		}
		switch name {
		case ".":
			continue
		case "..":
			cur = t.getNode(cur.parent())
			continue
		}
		if len(name) > meta.MaxName {
			return nil, meta.ENAMETOOLONG
		}
		ent := t.lookupEnt(cur, name)
		if ent == nil {
			return nil, meta.ENOENT
		}
		next := t.nodeOfEnt(ent)
		if t.mode(next)&meta.S_IFMT == meta.S_IFLNK && (len(comps) > 0 || followLast) {
			links++
			if links > meta.MaxSymlinks {
				return nil, meta.ELOOP
			}
			target := t.symlinkTarget(next)
			rest := comps
			comps = appendComps(nil, target)
			comps = append(comps, rest...)
			if strings.HasPrefix(target, "/") {
				cur = t.getNode(meta.RootIno)
			}
			continue
		}
		cur = next
	}
	return cur, 0
}

// trailingSlash is the component appendComps adds for a path that ends in
// "/" after a name: the walk checks that it reached a directory (following a
// symlink before it), as Linux does, without needing search permission on it.
const trailingSlash = "/"

// appendComps appends the components of path: empty ones (from "//") are
// dropped; "." stays, so that the walk checks that the node before it is a
// directory it may search ("file/." is ENOTDIR, as in Linux and POSIX); a
// final "/" becomes trailingSlash.
func appendComps(out []string, path string) []string {
	n := len(out)
	for _, p := range strings.Split(path, "/") {
		if p != "" {
			out = append(out, p)
		}
	}
	if len(out) > n && strings.HasSuffix(path, "/") {
		out = append(out, trailingSlash)
	}
	return out
}

// MkdirAll creates every missing directory of path (see docs/semantics.md).
func (t *Tree) MkdirAll(c *meta.Caller, now int64, path string, mode uint32) (meta.Attr, meta.Errno) {
	if len(path) > meta.MaxPath {
		return meta.Attr{}, meta.ENAMETOOLONG
	}
	if !t.wlock() {
		return meta.Attr{}, meta.EClosed
	}
	defer t.wunlock()
	h, e := t.mkdirAll(c, now, path, mode)
	if e != 0 {
		return meta.Attr{}, e
	}
	return t.attrOf(h), 0
}

// mkdirAll does MkdirAll under the write lock. On failure it removes the
// directories it made and restores what they changed, so that the operation
// applies entirely or not at all.
func (t *Tree) mkdirAll(c *meta.Caller, now int64, path string, mode uint32) (h *nodeHdr, e meta.Errno) {
	var made []meta.Ino // directories created, in order
	type times struct {
		h    *nodeHdr
		m, c int64
	}
	var touched []times // existing directories that got an entry, as they were
	nextIno := t.nextIno
	defer func() {
		if e == 0 || len(made) == 0 {
			return
		}
		for i := len(made) - 1; i >= 0; i-- {
			d := t.getNode(made[i])
			p := t.getNode(d.parent())
			r, prev := t.find(p, string(d.name()))
			t.removeDir(p, d, r, prev)
		}
		for i := len(touched) - 1; i >= 0; i-- {
			touched[i].h.mtime, touched[i].h.ctime = touched[i].m, touched[i].c
		}
		t.nextIno = nextIno
	}()
	cur := t.getNode(meta.RootIno)
	comps := appendComps(nil, path)
	last := len(comps) - 1 // the last component but a trailing "/"
	if last >= 0 && comps[last] == trailingSlash {
		last--
	}
	for i, name := range comps {
		if name == trailingSlash {
			continue // cur is a directory
		}
		if e := t.may(c, cur, meta.X_OK); e != 0 {
			return nil, e
		}
		switch name {
		case ".":
			continue
		case "..":
			cur = t.getNode(cur.parent())
			continue
		}
		if e := checkName(name); e != 0 {
			return nil, e
		}
		r, _ := t.find(cur, name)
		if r != 0 {
			next := t.entNode(r)
			if t.mode(next)&meta.S_IFMT == meta.S_IFLNK {
				// follow it like Resolve would
				rest := strings.Join(comps[:i+1], "/")
				h, e := t.walk(c, rest, true)
				if e != 0 {
					if i == last {
						return nil, meta.EEXIST // something is there, if dangling
					}
					return nil, e
				}
				next = h
			}
			if !isDir(t.mode(next)) {
				if i == last {
					return nil, meta.EEXIST
				}
				return nil, meta.ENOTDIR
			}
			cur = next
			continue
		}
		if len(made) == 0 || meta.Ino(cur.inum()) != made[len(made)-1] {
			touched = append(touched, times{cur, cur.mtime, cur.ctime})
		}
		h, e := t.createLocked(c, now, meta.Ino(cur.inum()), name, meta.S_IFDIR|mode&meta.ModePerm, 0, "")
		if e != 0 {
			return nil, e
		}
		made = append(made, meta.Ino(h.inum()))
		cur = h
	}
	return cur, 0
}

// DirPath returns the path from the root of directory ino ("/" for the root),
// walking up its parents: a directory has one name, and its record (hot, or
// the entry a cold one's stub points to) keeps its parent, so this costs one
// step per level. A non-directory has no such link (its record sits in its
// directory's chain, which it does not name; a hard link record names only
// the inode), so its names cannot be found without a scan: ENOTDIR. No
// permission is needed (as getattr). Errors: ENOENT, ENOTDIR.
func (t *Tree) DirPath(c *meta.Caller, ino meta.Ino) (string, meta.Errno) {
	s, ok := t.rlock()
	if !ok {
		return "", meta.EClosed
	}
	defer t.mu.runlock(s)
	var names []string // from ino up
	for cur, steps := ino, 0; cur != meta.RootIno; steps++ {
		h := t.getNode(cur)
		if h == nil {
			return "", meta.ENOENT
		}
		if !isDir(t.mode(h)) {
			return "", meta.ENOTDIR
		}
		next := h.parent()
		if next == cur || next == 0 || steps > 1<<24 {
			return "", meta.EIO // a parent chain that does not reach the root: fsck's business
		}
		names = append(names, string(h.name())) // copied now: a cold node is a scratch copy
		cur = next
	}
	if len(names) == 0 {
		return "/", 0
	}
	var b strings.Builder
	for i := len(names) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(names[i])
	}
	return b.String(), 0
}
