package model

import (
	"sort"
	"strings"

	"github.com/fsmeta/fsmeta/core/meta"
)

// SetAttr changes the attributes named by mask.
func (m *Model) SetAttr(c *meta.Caller, now int64, ino meta.Ino, mask uint32, in *meta.SetAttrIn) (meta.Attr, meta.Errno) {
	if mask&^meta.SetAll != 0 {
		return meta.Attr{}, meta.EINVAL
	}
	if mask&meta.SetMode != 0 && in.Mode&^meta.ModePerm != 0 {
		return meta.Attr{}, meta.EINVAL
	}
	// Not in the contract's list, but an argument check like the two above:
	// flags the engine does not know are rejected (docs/architecture.md invariant 6).
	if mask&meta.SetFlags != 0 && in.Flags&^(meta.FlagImmutable|meta.FlagAppend) != 0 {
		return meta.Attr{}, meta.EINVAL
	}
	n, e := m.node(ino)
	if e != 0 {
		return meta.Attr{}, e
	}
	if e := setAttrChecks(c, n, mask, in); e != 0 {
		return meta.Attr{}, e
	}
	if mask == 0 {
		return m.attrOf(n), 0
	}
	if mask == meta.SetSize && in.Size == n.Size && suidKill(c, n, false) == 0 {
		return m.attrOf(n), 0 // truncation to the same size changes nothing (Linux)
	}
	setAttrApply(c, now, n, mask, in)
	return m.attrOf(n), 0
}

// setAttrChecks are steps 1 to 6 of SetAttr.
func setAttrChecks(c *meta.Caller, n *Node, mask uint32, in *meta.SetAttrIn) meta.Errno {
	root, owner := c.Uid == 0, c.Uid == n.Uid
	// 0. a size needs a regular file, checked first as Linux's truncate does
	if mask&meta.SetSize != 0 {
		switch {
		case n.isDir():
			return meta.EISDIR
		case !n.isRegular():
			return meta.EINVAL
		}
	}
	// 1. root-only fields and flags
	if mask&(meta.SetFlags|meta.SetCtime) != 0 && !root {
		return meta.EPERM
	}
	if immutable(n) && mask&^meta.SetFlags != 0 {
		return meta.EPERM
	}
	if appendOnly(n) && mask&(meta.SetMode|meta.SetUid|meta.SetGid|meta.SetAtime|meta.SetMtime|meta.SetCtime) != 0 {
		return meta.EPERM
	}
	// 2. uid: only root changes it; the owner may "change" it to itself
	if mask&meta.SetUid != 0 && !root && !(owner && in.Uid == n.Uid) {
		return meta.EPERM
	}
	// 3. gid: root, or the owner to the same gid or one of their groups
	if mask&meta.SetGid != 0 && !root && !(owner && (in.Gid == n.Gid || c.InGroup(in.Gid))) {
		return meta.EPERM
	}
	// 4. mode
	if mask&meta.SetMode != 0 && !root && !owner {
		return meta.EPERM
	}
	// 5. size
	if mask&meta.SetSize != 0 {
		if in.Size > meta.MaxFileSize {
			return meta.EFBIG
		}
		if e := may(c, n, meta.W_OK); e != 0 {
			return e
		}
		if appendOnly(n) {
			return meta.EPERM
		}
	}
	// 6. times
	if mask&(meta.SetAtime|meta.SetMtime) != 0 && !root && !owner {
		return meta.EPERM
	}
	if mask&(meta.SetAtimeNow|meta.SetMtimeNow) != 0 && !root && !owner {
		if e := may(c, n, meta.W_OK); e != 0 {
			return e
		}
	}
	return 0
}

// setAttrApply applies a checked SetAttr in the contract's order.
func setAttrApply(c *meta.Caller, now int64, n *Node, mask uint32, in *meta.SetAttrIn) {
	oldSize := n.Size
	if mask&(meta.SetUid|meta.SetGid) != 0 && !n.isDir() {
		n.Mode &^= suidKill(c, n, true)
	}
	if mask&meta.SetSize != 0 {
		n.Mode &^= suidKill(c, n, false)
	}
	if mask&meta.SetUid != 0 {
		n.Uid = in.Uid
	}
	if mask&meta.SetGid != 0 {
		n.Gid = in.Gid
	}
	if mask&meta.SetMode != 0 {
		mode := in.Mode
		if c.Uid != 0 && !c.InGroup(n.Gid) {
			mode &^= meta.S_ISGID
		}
		n.Mode = n.Mode&meta.S_IFMT | mode
	}
	if mask&meta.SetSize != 0 {
		truncate(n, in.Size)
		if mask&meta.SetMtime == 0 && in.Size != oldSize {
			n.Mtime = now
		}
	}
	switch {
	case mask&meta.SetAtimeNow != 0:
		n.Atime = now
	case mask&meta.SetAtime != 0:
		n.Atime = in.Atime
	}
	switch {
	case mask&meta.SetMtimeNow != 0:
		n.Mtime = now
	case mask&meta.SetMtime != 0:
		n.Mtime = in.Mtime
	}
	if mask&meta.SetFlags != 0 {
		n.Flags = in.Flags
	}
	if mask&meta.SetCtime != 0 {
		n.Ctime = in.Ctime
	} else {
		n.Ctime = now
	}
}

// suidKill returns the set-id bits Linux drops from n on a chown (by any
// caller: S_ISUID; S_ISGID too when group-exec is set or when a non-root
// caller is not in n's group) or on a truncation (the same, but only for a
// regular file and a non-root caller).
func suidKill(c *meta.Caller, n *Node, chown bool) uint32 {
	if !chown && (c.Uid == 0 || !n.isRegular()) {
		return 0
	}
	var kill uint32
	if n.Mode&meta.S_ISUID != 0 {
		kill |= meta.S_ISUID
	}
	if n.Mode&meta.S_ISGID != 0 && (n.Mode&0o010 != 0 || c.Uid != 0 && !c.InGroup(n.Gid)) {
		kill |= meta.S_ISGID
	}
	return kill
}

// truncate sets the size of regular file n: shrinking drops or clips the
// slices beyond it, growing leaves a hole.
func truncate(n *Node, size uint64) {
	n.Size = size
	clipChunks(n)
}

// ---- extended attributes ----

type xattrNS int

const (
	nsUser xattrNS = iota
	nsTrusted
)

// xattrName checks an xattr name and returns its namespace.
func xattrName(name string) (xattrNS, meta.Errno) {
	switch {
	case name == "":
		return 0, meta.EINVAL
	case len(name) > meta.MaxXattrName:
		return 0, meta.ERANGE
	case strings.HasPrefix(name, "user."):
		return nsUser, 0
	case strings.HasPrefix(name, "trusted."), strings.HasPrefix(name, "security."):
		return nsTrusted, 0
	}
	return 0, meta.EOPNOTSUPP // system. and unknown prefixes
}

// xattrChange is the flag, namespace and permission check of set and
// remove, in Linux's order: immutable or append-only (EPERM); for user.*: not
// a regular file or directory (EPERM), a sticky directory that the caller
// neither owns nor is root for (EPERM), then write permission (EACCES);
// trusted.* and security.* are root's (EPERM).
func xattrChange(c *meta.Caller, n *Node, ns xattrNS) meta.Errno {
	if immutableOrAppend(n) {
		return meta.EPERM
	}
	switch ns {
	case nsUser:
		if !n.isRegular() && !n.isDir() {
			return meta.EPERM
		}
		if n.isDir() && n.Mode&meta.S_ISVTX != 0 && c.Uid != 0 && c.Uid != n.Uid {
			return meta.EPERM
		}
		return may(c, n, meta.W_OK)
	case nsTrusted:
		if c.Uid != 0 {
			return meta.EPERM
		}
	}
	return 0
}

// GetXattr returns the value of an extended attribute.
func (m *Model) GetXattr(c *meta.Caller, ino meta.Ino, name string) ([]byte, meta.Errno) {
	ns, e := xattrName(name)
	if e != 0 {
		return nil, e
	}
	n, e := m.node(ino)
	if e != 0 {
		return nil, e
	}
	switch ns {
	case nsUser:
		if !n.isRegular() && !n.isDir() {
			return nil, meta.ENODATA // user.* only on files and directories
		}
		if e := may(c, n, meta.R_OK); e != 0 {
			return nil, e
		}
	case nsTrusted:
		if c.Uid != 0 {
			return nil, meta.ENODATA
		}
	}
	v, ok := n.Xattrs[name]
	if !ok {
		return nil, meta.ENODATA
	}
	return append([]byte{}, v...), 0
}

// SetXattr sets an extended attribute.
func (m *Model) SetXattr(c *meta.Caller, now int64, ino meta.Ino, name string, value []byte, flags uint32) meta.Errno {
	ns, e := xattrName(name)
	if e != 0 {
		return e
	}
	if flags&^(meta.XattrCreate|meta.XattrReplace) != 0 || flags == meta.XattrCreate|meta.XattrReplace {
		return meta.EINVAL
	}
	if len(value) > meta.MaxXattrSize {
		return meta.E2BIG
	}
	n, e := m.node(ino)
	if e != 0 {
		return e
	}
	if e := xattrChange(c, n, ns); e != 0 {
		return e
	}
	_, exists := n.Xattrs[name]
	switch {
	case flags&meta.XattrCreate != 0 && exists:
		return meta.EEXIST
	case flags&meta.XattrReplace != 0 && !exists:
		return meta.ENODATA
	}
	total := len(name) + len(value)
	for k, v := range n.Xattrs {
		if k != name {
			total += len(k) + len(v)
		}
	}
	if total > meta.MaxXattrAll {
		return meta.ENOSPC
	}
	if n.Xattrs == nil {
		n.Xattrs = map[string][]byte{}
	}
	n.Xattrs[name] = append([]byte{}, value...)
	n.Ctime = now
	return 0
}

// ListXattr returns the names the caller may see, sorted.
func (m *Model) ListXattr(c *meta.Caller, ino meta.Ino) ([]string, meta.Errno) {
	n, e := m.node(ino)
	if e != 0 {
		return nil, e
	}
	var names []string // no permission needed (Linux)
	for k := range n.Xattrs {
		if ns, _ := xattrName(k); ns == nsUser || c.Uid == 0 {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return names, 0
}

// RemoveXattr removes an extended attribute.
func (m *Model) RemoveXattr(c *meta.Caller, now int64, ino meta.Ino, name string) meta.Errno {
	ns, e := xattrName(name)
	if e != 0 {
		return e
	}
	n, e := m.node(ino)
	if e != 0 {
		return e
	}
	if e := xattrChange(c, n, ns); e != 0 {
		return e
	}
	if _, ok := n.Xattrs[name]; !ok {
		return meta.ENODATA
	}
	delete(n.Xattrs, name)
	n.Ctime = now
	return 0
}
