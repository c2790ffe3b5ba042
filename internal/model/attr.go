package model

import (
	"sort"
	"strings"

	. "github.com/fsmeta/fsmeta/core/meta"
)

// SetAttr changes the attributes named by mask.
func (m *Model) SetAttr(c *Caller, now int64, ino Ino, mask uint32, in *SetAttrIn) (Attr, Errno) {
	if mask&^SetAll != 0 {
		return Attr{}, EINVAL
	}
	if mask&SetMode != 0 && in.Mode&^ModePerm != 0 {
		return Attr{}, EINVAL
	}
	// Not in the contract's list, but an argument check like the two above:
	// flags the engine does not know are rejected (docs/architecture.md invariant 6).
	if mask&SetFlags != 0 && in.Flags&^(FlagImmutable|FlagAppend) != 0 {
		return Attr{}, EINVAL
	}
	n, e := m.node(ino)
	if e != 0 {
		return Attr{}, e
	}
	if e := setAttrChecks(c, n, mask, in); e != 0 {
		return Attr{}, e
	}
	if mask == 0 {
		return m.attrOf(n), 0
	}
	setAttrApply(c, now, n, mask, in)
	return m.attrOf(n), 0
}

// setAttrChecks are steps 1 to 6 of SetAttr.
func setAttrChecks(c *Caller, n *Node, mask uint32, in *SetAttrIn) Errno {
	root, owner := c.Uid == 0, c.Uid == n.Uid
	// 1. root-only fields and flags
	if mask&(SetFlags|SetCtime) != 0 && !root {
		return EPERM
	}
	if immutable(n) && mask&^SetFlags != 0 {
		return EPERM
	}
	if appendOnly(n) && mask&(SetMode|SetUid|SetGid|SetMtime|SetMtimeNow|SetCtime) != 0 {
		return EPERM
	}
	// 2. uid
	if mask&SetUid != 0 && in.Uid != n.Uid && !root {
		return EPERM
	}
	// 3. gid
	if mask&SetGid != 0 && in.Gid != n.Gid && !root && (!owner || !c.InGroup(in.Gid)) {
		return EPERM
	}
	// 4. mode
	if mask&SetMode != 0 && !root && !owner {
		return EPERM
	}
	// 5. size
	if mask&SetSize != 0 {
		switch {
		case n.isDir():
			return EISDIR
		case !n.isRegular():
			return EINVAL
		case in.Size > MaxFileSize:
			return EFBIG
		}
		if e := may(c, n, W_OK); e != 0 {
			return e
		}
		if appendOnly(n) && in.Size < n.Size {
			return EPERM
		}
	}
	// 6. times
	if mask&(SetAtime|SetMtime) != 0 && !root && !owner {
		return EPERM
	}
	if mask&(SetAtimeNow|SetMtimeNow) != 0 && !root && !owner {
		if e := may(c, n, W_OK); e != 0 {
			return e
		}
	}
	return 0
}

// setAttrApply applies a checked SetAttr in the contract's order.
func setAttrApply(c *Caller, now int64, n *Node, mask uint32, in *SetAttrIn) {
	if mask&SetUid != 0 {
		n.Uid = in.Uid
	}
	if mask&SetGid != 0 {
		n.Gid = in.Gid
	}
	if mask&(SetUid|SetGid) != 0 && c.Uid != 0 && !n.isDir() {
		n.Mode &^= S_ISUID
		if n.Mode&0o010 != 0 {
			n.Mode &^= S_ISGID
		}
	}
	if mask&SetMode != 0 {
		mode := in.Mode
		if c.Uid != 0 && !c.InGroup(n.Gid) {
			mode &^= S_ISGID
		}
		n.Mode = n.Mode&S_IFMT | mode
	}
	if mask&SetSize != 0 {
		truncate(n, in.Size)
		if mask&SetMtime == 0 {
			n.Mtime = now
		}
	}
	switch {
	case mask&SetAtimeNow != 0:
		n.Atime = now
	case mask&SetAtime != 0:
		n.Atime = in.Atime
	}
	switch {
	case mask&SetMtimeNow != 0:
		n.Mtime = now
	case mask&SetMtime != 0:
		n.Mtime = in.Mtime
	}
	if mask&SetFlags != 0 {
		n.Flags = in.Flags
	}
	if mask&SetCtime != 0 {
		n.Ctime = in.Ctime
	} else {
		n.Ctime = now
	}
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
func xattrName(name string) (xattrNS, Errno) {
	switch {
	case name == "":
		return 0, EINVAL
	case len(name) > MaxXattrName:
		return 0, ERANGE
	case strings.HasPrefix(name, "user."):
		return nsUser, 0
	case strings.HasPrefix(name, "trusted."), strings.HasPrefix(name, "security."):
		return nsTrusted, 0
	}
	return 0, EOPNOTSUPP // system. and unknown prefixes
}

// xattrChange is the namespace, permission and flag check of set and remove.
func xattrChange(c *Caller, n *Node, ns xattrNS) Errno {
	switch ns {
	case nsUser:
		if e := may(c, n, W_OK); e != 0 {
			return e
		}
		if !n.isRegular() && !n.isDir() {
			return EPERM
		}
	case nsTrusted:
		if c.Uid != 0 {
			return EPERM
		}
	}
	if immutableOrAppend(n) {
		return EPERM
	}
	return 0
}

// GetXattr returns the value of an extended attribute.
func (m *Model) GetXattr(c *Caller, ino Ino, name string) ([]byte, Errno) {
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
		if e := may(c, n, R_OK); e != 0 {
			return nil, e
		}
	case nsTrusted:
		if c.Uid != 0 {
			return nil, ENODATA
		}
	}
	v, ok := n.Xattrs[name]
	if !ok {
		return nil, ENODATA
	}
	return append([]byte{}, v...), 0
}

// SetXattr sets an extended attribute.
func (m *Model) SetXattr(c *Caller, now int64, ino Ino, name string, value []byte, flags uint32) Errno {
	ns, e := xattrName(name)
	if e != 0 {
		return e
	}
	if flags&^(XattrCreate|XattrReplace) != 0 || flags == XattrCreate|XattrReplace {
		return EINVAL
	}
	if len(value) > MaxXattrSize {
		return E2BIG
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
	case flags&XattrCreate != 0 && exists:
		return EEXIST
	case flags&XattrReplace != 0 && !exists:
		return ENODATA
	}
	total := len(name) + len(value)
	for k, v := range n.Xattrs {
		if k != name {
			total += len(k) + len(v)
		}
	}
	if total > MaxXattrAll {
		return ENOSPC
	}
	if n.Xattrs == nil {
		n.Xattrs = map[string][]byte{}
	}
	n.Xattrs[name] = append([]byte{}, value...)
	n.Ctime = now
	return 0
}

// ListXattr returns the names the caller may see, sorted.
func (m *Model) ListXattr(c *Caller, ino Ino) ([]string, Errno) {
	n, e := m.node(ino)
	if e != 0 {
		return nil, e
	}
	if e := may(c, n, R_OK); e != 0 {
		return nil, e
	}
	var names []string
	for k := range n.Xattrs {
		if ns, _ := xattrName(k); ns == nsUser || c.Uid == 0 {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return names, 0
}

// RemoveXattr removes an extended attribute.
func (m *Model) RemoveXattr(c *Caller, now int64, ino Ino, name string) Errno {
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
		return ENODATA
	}
	delete(n.Xattrs, name)
	n.Ctime = now
	return 0
}
