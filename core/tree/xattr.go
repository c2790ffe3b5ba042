package tree

import (
	"encoding/binary"
	"sort"
	"strings"

	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/meta"
)

// Extended attributes of an inode live in one arena blob, found through the
// integer map Tree.xattrs (most inodes have none; fXattr marks those that do):
//
//	0 total u32  bytes of the blob
//	4 entries, sorted by name: namelen u8, vallen u32, name, value

type xattr struct {
	name, value []byte
}

func (t *Tree) xattrList(ino meta.Ino) []xattr {
	r, ok := t.xattrs[ino]
	if !ok {
		return nil
	}
	n := binary.LittleEndian.Uint32(t.a.Bytes(r, 4))
	b := t.a.Bytes(r, int(n))[4:]
	var out []xattr
	for len(b) > 0 {
		nl, vl := int(b[0]), int(binary.LittleEndian.Uint32(b[1:5]))
		out = append(out, xattr{b[5 : 5+nl], b[5+nl : 5+nl+vl]})
		b = b[5+nl+vl:]
	}
	return out
}

func (t *Tree) freeXattrs(ino meta.Ino) {
	if r, ok := t.xattrs[ino]; ok {
		n := binary.LittleEndian.Uint32(t.a.Bytes(r, 4))
		t.a.Free(r, int(n), arena.PXattr)
		delete(t.xattrs, ino)
	}
}

// storeXattrs replaces ino's blob with list (copied); ENOSPC changes nothing.
func (t *Tree) storeXattrs(h *nodeHdr, list []xattr) meta.Errno {
	ino := meta.Ino(h.inum())
	if len(list) == 0 {
		t.freeXattrs(ino)
		h.flags &^= fXattr
		return 0
	}
	n := 4
	for _, x := range list {
		n += 5 + len(x.name) + len(x.value)
	}
	r, err := t.a.Alloc(n, arena.PXattr)
	if err != nil {
		return meta.ENOSPC
	}
	b := t.a.Bytes(r, n)
	binary.LittleEndian.PutUint32(b, uint32(n))
	p := 4
	for _, x := range list {
		b[p] = byte(len(x.name))
		binary.LittleEndian.PutUint32(b[p+1:], uint32(len(x.value)))
		p += 5
		p += copy(b[p:], x.name)
		p += copy(b[p:], x.value)
	}
	t.freeXattrs(ino)
	t.xattrs[ino] = r
	h.flags |= fXattr
	return 0
}

// xattrNS checks an xattr name and returns its namespace prefix.
func xattrNS(name string) (string, meta.Errno) {
	switch {
	case name == "":
		return "", meta.EINVAL
	case len(name) > meta.MaxXattrName:
		return "", meta.ERANGE
	}
	for _, ns := range []string{"user.", "trusted.", "security."} {
		if strings.HasPrefix(name, ns) {
			return ns, 0
		}
	}
	return "", meta.EOPNOTSUPP
}

func (t *Tree) GetXattr(c *meta.Caller, ino meta.Ino, name string) ([]byte, meta.Errno) {
	ns, e := xattrNS(name)
	if e != 0 {
		return nil, e
	}
	s, ok := t.rlock()
	if !ok {
		return nil, meta.EClosed
	}
	defer t.mu.runlock(s)
	h := t.getNode(ino)
	if h == nil {
		return nil, meta.ENOENT
	}
	if ns == "user." {
		if m := t.mode(h) & meta.S_IFMT; m != meta.S_IFREG && m != meta.S_IFDIR {
			return nil, meta.ENODATA // only files and directories have user.* (Linux)
		}
		if e := t.may(c, h, meta.R_OK); e != 0 {
			return nil, e
		}
	} else if c.Uid != 0 {
		return nil, meta.ENODATA
	}
	for _, x := range t.xattrList(ino) {
		if string(x.name) == name {
			return append([]byte{}, x.value...), 0
		}
	}
	return nil, meta.ENODATA
}

func (t *Tree) ListXattr(c *meta.Caller, ino meta.Ino) ([]string, meta.Errno) {
	s, ok := t.rlock()
	if !ok {
		return nil, meta.EClosed
	}
	defer t.mu.runlock(s)
	if t.getNode(ino) == nil {
		return nil, meta.ENOENT
	}
	var out []string // no permission needed (Linux)
	for _, x := range t.xattrList(ino) {
		if c.Uid == 0 || strings.HasPrefix(string(x.name), "user.") {
			out = append(out, string(x.name))
		}
	}
	return out, 0
}

// checkXattrWrite applies the permission rules of set and remove, in Linux's
// order: an immutable or append-only node; then for user.* a node that is
// neither a file nor a directory, a sticky directory the caller neither owns
// nor is root for (EPERM), write permission (EACCES); other namespaces are
// root's.
func (t *Tree) checkXattrWrite(c *meta.Caller, h *nodeHdr, ns string) meta.Errno {
	if pinned(h) {
		return meta.EPERM
	}
	if ns != "user." {
		if c.Uid != 0 {
			return meta.EPERM
		}
		return 0
	}
	tr := t.triple(h)
	switch uint32(tr.mode) & meta.S_IFMT {
	case meta.S_IFREG:
	case meta.S_IFDIR:
		if tr.mode&meta.S_ISVTX != 0 && c.Uid != 0 && c.Uid != tr.uid {
			return meta.EPERM
		}
	default:
		return meta.EPERM
	}
	return t.may(c, h, meta.W_OK)
}

func (t *Tree) SetXattr(c *meta.Caller, now int64, ino meta.Ino, name string, value []byte, flags uint32) meta.Errno {
	ns, e := xattrNS(name)
	if e != 0 {
		return e
	}
	if flags&^(meta.XattrCreate|meta.XattrReplace) != 0 || flags == meta.XattrCreate|meta.XattrReplace {
		return meta.EINVAL
	}
	if len(value) > meta.MaxXattrSize {
		return meta.E2BIG
	}
	if !t.wlock() {
		return meta.EClosed
	}
	defer t.wunlock()
	h := t.getNode(ino)
	if h == nil {
		return meta.ENOENT
	}
	if e := t.checkXattrWrite(c, h, ns); e != 0 {
		return e
	}
	list := t.xattrList(ino)
	i := sort.Search(len(list), func(i int) bool { return string(list[i].name) >= name })
	exists := i < len(list) && string(list[i].name) == name
	switch {
	case exists && flags&meta.XattrCreate != 0:
		return meta.EEXIST
	case !exists && flags&meta.XattrReplace != 0:
		return meta.ENODATA
	}
	nx := xattr{[]byte(name), value}
	if exists {
		list[i] = nx
	} else {
		list = append(list[:i], append([]xattr{nx}, list[i:]...)...)
	}
	total := 0
	for _, x := range list {
		total += len(x.name) + len(x.value)
	}
	if total > meta.MaxXattrAll {
		return meta.ENOSPC
	}
	if e := t.storeXattrs(h, list); e != 0 {
		return e
	}
	h.ctime = now
	return 0
}

func (t *Tree) RemoveXattr(c *meta.Caller, now int64, ino meta.Ino, name string) meta.Errno {
	ns, e := xattrNS(name)
	if e != 0 {
		return e
	}
	if !t.wlock() {
		return meta.EClosed
	}
	defer t.wunlock()
	h := t.getNode(ino)
	if h == nil {
		return meta.ENOENT
	}
	if e := t.checkXattrWrite(c, h, ns); e != 0 {
		return e
	}
	list := t.xattrList(ino)
	for i := range list {
		if string(list[i].name) == name {
			if e := t.storeXattrs(h, append(list[:i:i], list[i+1:]...)); e != 0 {
				return e
			}
			h.ctime = now
			return 0
		}
	}
	return meta.ENODATA
}
