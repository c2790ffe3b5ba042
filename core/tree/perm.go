package tree

import (
	"strings"

	"github.com/fsmeta/fsmeta/core/meta"
)

// checkName validates a name that an operation creates, removes or renames.
func checkName(name string) meta.Errno {
	switch {
	case len(name) == 0:
		return meta.EINVAL
	case len(name) > meta.MaxName:
		return meta.ENAMETOOLONG
	case strings.IndexByte(name, '/') >= 0 || strings.IndexByte(name, 0) >= 0:
		return meta.EINVAL
	case name == "." || name == "..":
		return meta.EINVAL
	}
	return 0
}

// may checks the permission bits mask (R_OK|W_OK|X_OK) of node h for c.
func (t *Tree) may(c *meta.Caller, h *nodeHdr, mask uint32) meta.Errno {
	tr := t.triple(h)
	mode := uint32(tr.mode)
	if c.Uid == 0 {
		if mask&meta.X_OK != 0 && !isDir(mode) && mode&0o111 == 0 {
			return meta.EACCES
		}
		return 0
	}
	var bits uint32
	switch {
	case c.Uid == tr.uid:
		bits = mode >> 6 & 7
	case c.InGroup(tr.gid):
		bits = mode >> 3 & 7
	default:
		bits = mode & 7
	}
	if bits&mask != mask {
		return meta.EACCES
	}
	return 0
}

// sticky applies the sticky-directory rule to removing or replacing h in dir.
func (t *Tree) sticky(c *meta.Caller, dir, h *nodeHdr) meta.Errno {
	dt := t.triple(dir)
	if dt.mode&meta.S_ISVTX == 0 || c.Uid == 0 || c.Uid == dt.uid || c.Uid == t.triple(h).uid {
		return 0
	}
	return meta.EPERM
}

// dirOf returns the directory ino.
func (t *Tree) dirOf(ino meta.Ino) (*nodeHdr, meta.Errno) {
	h := t.getNode(ino)
	if h == nil {
		return nil, meta.ENOENT
	}
	if !isDir(t.mode(h)) {
		return nil, meta.ENOTDIR
	}
	return h, 0
}

func immutable(h *nodeHdr) bool  { return h.flags&fImmutable != 0 }
func appendOnly(h *nodeHdr) bool { return h.flags&fAppend != 0 }
func pinned(h *nodeHdr) bool     { return h.flags&(fImmutable|fAppend) != 0 }
