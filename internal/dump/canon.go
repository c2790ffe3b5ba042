package dump

import (
	"fmt"
	"sort"
	"strings"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// Describe walks db through the SDK (as root) and returns a canonical
// description of its namespace: one line per path, sorted, holding every
// attribute but the inode number (ctime included), the symlink target, the
// xattrs and the slices; the names of one inode are tied together by its
// first path. Two databases with equal descriptions hold equal namespaces.
// For tests and checks of a dump and load; it holds the whole description in
// memory.
func Describe(db *fsmeta.DB) ([]string, error) {
	type node struct {
		path string
		ino  fsmeta.Ino
		desc string
	}
	var nodes []node
	first := map[fsmeta.Ino]string{}
	var walk func(dir fsmeta.Ino, path string) error
	walk = func(dir fsmeta.Ino, path string) error {
		it, err := db.OpenDir(nil, dir, true)
		if err != nil {
			return err
		}
		defer it.Close()
		for {
			e, ok := it.Next()
			if !ok {
				break
			}
			p := path + "/" + e.Name
			d, err := describeInode(db, e.Attr)
			if err != nil {
				return fmt.Errorf("%q: %w", p, err)
			}
			nodes = append(nodes, node{p, e.Ino, d})
			if f, ok := first[e.Ino]; !ok || p < f {
				first[e.Ino] = p
			}
			if e.Attr.IsDir() {
				if err := walk(e.Ino, p); err != nil {
					return err
				}
			}
		}
		return it.Err()
	}
	root, err := db.GetAttr(nil, fsmeta.RootIno)
	if err != nil {
		return nil, err
	}
	d, err := describeInode(db, root)
	if err != nil {
		return nil, err
	}
	nodes = append(nodes, node{"", fsmeta.RootIno, d})
	if err := walk(fsmeta.RootIno, ""); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		s := fmt.Sprintf("%q %s", n.path, n.desc)
		if f := first[n.ino]; f != n.path {
			s += fmt.Sprintf(" same-inode-as=%q", f)
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out, nil
}

func describeInode(db *fsmeta.DB, a fsmeta.Attr) (string, error) {
	r, err := InodeRecord(db, 0, "", a)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "type=%s mode=%#o nlink=%d uid=%d gid=%d size=%d atime=%d mtime=%d ctime=%d flags=%d rdev=%d",
		r.Type, r.Mode, a.Nlink, r.Uid, r.Gid, a.Size, r.Atime, r.Mtime, r.Ctime, r.Flags, r.Rdev)
	if r.Target != "" || r.TargetB64 != "" {
		fmt.Fprintf(&b, " target=%q/%q", r.Target, r.TargetB64)
	}
	xs, err := db.ListXattr(nil, a.Ino)
	if err != nil {
		return "", err
	}
	sort.Strings(xs)
	for _, x := range xs {
		v, err := db.GetXattr(nil, a.Ino, x)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, " xattr[%q]=%x", x, v)
	}
	keys := make([]string, 0, len(r.Chunks))
	for k := range r.Chunks {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " chunk%s=%v", k, r.Chunks[k])
	}
	return b.String(), nil
}
