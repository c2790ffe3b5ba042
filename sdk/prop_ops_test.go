package fsmeta_test

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/internal/model"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// The operations of the property tests: one propOp describes a call with all
// its arguments; propRunEngine makes it through the SDK, propRunModel on the
// reference model, and the two propResults are compared by sameResult.

type propKind uint8

const (
	pLookup propKind = iota
	pGetAttr
	pSetAttr
	pAccess
	pMknod
	pCreate
	pMkdir
	pSymlink
	pReadlink
	pLink
	pUnlink
	pRmdir
	pRename
	pReadDir
	pReadDirAll // a whole listing through ReadDir cursors, batch by batch
	pDirIter    // a whole listing through OpenDir/Next
	pStatFS
	pGetXattr
	pSetXattr
	pListXattr
	pRemoveXattr
	pFallocate
	pOpen
	pRelease
	pNewSliceID
	pWriteSlice
	pReadChunk
	pCompactChunk
	pResolve
	pMkdirAll
	pNumKinds
)

var propKindNames = [pNumKinds]string{"lookup", "getattr", "setattr", "access", "mknod", "create", "mkdir",
	"symlink", "readlink", "link", "unlink", "rmdir", "rename", "readdir", "readdirall", "diriter", "statfs",
	"getxattr", "setxattr", "listxattr", "removexattr", "fallocate", "open", "release", "newsliceid",
	"writeslice", "readchunk", "compactchunk", "resolve", "mkdirall"}

func (k propKind) String() string {
	if k < pNumKinds {
		return propKindNames[k]
	}
	return fmt.Sprintf("kind%d", k)
}

// propOp is one call. Which fields matter depends on kind (see String).
type propOp struct {
	kind     propKind
	c        *meta.Caller
	ino      meta.Ino // the inode, or the (source) parent directory
	ino2     meta.Ino // newParent of link and rename
	name     string   // entry name, xattr name, symlink target is in path
	name2    string   // newName of link and rename
	mode     uint32   // mode, access mask, open flags, fallocate mode, setattr mask
	rdev     uint32
	flags    uint32 // rename, xattr flags
	in       meta.SetAttrIn
	off, len uint64
	chunk    uint32
	slice    meta.Slice
	replaced []meta.Slice
	n        uint32
	cursor   uint64
	max      int
	plus     bool
	path     string // symlink target, resolve/mkdirall path
	value    []byte
}

// propResult is what a call returned.
type propResult struct {
	errno  meta.Errno
	attr   meta.Attr
	str    string
	value  []byte
	names  []string
	ents   []meta.DirEntry
	cursor uint64 // readdir: next cursor; readdirall: number of batches
	slices []meta.Slice
	statfs meta.StatFS
	id     uint64
}

// propShort abbreviates long names in messages.
func propShort(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%q...(%d bytes)", s[:16], len(s))
	}
	return fmt.Sprintf("%q", s)
}

func propCallerString(c *meta.Caller) string {
	if c.Uid == 0 && c.Gid == 0 && len(c.Groups) == 0 {
		return fmt.Sprintf("root/%04o", c.Umask)
	}
	return fmt.Sprintf("%d:%d%v/%04o", c.Uid, c.Gid, c.Groups, c.Umask)
}

func (op *propOp) String() string {
	var a string
	switch op.kind {
	case pLookup, pUnlink, pRmdir:
		a = fmt.Sprintf("%d, %s", op.ino, propShort(op.name))
	case pGetAttr, pReadlink, pListXattr, pRelease:
		a = fmt.Sprintf("%d", op.ino)
	case pSetAttr:
		a = fmt.Sprintf("%d, mask %#x, %+v", op.ino, op.mode, op.in)
	case pAccess:
		a = fmt.Sprintf("%d, %#o", op.ino, op.mode)
	case pMknod:
		a = fmt.Sprintf("%d, %s, %#o, rdev %d", op.ino, propShort(op.name), op.mode, op.rdev)
	case pCreate, pMkdir:
		a = fmt.Sprintf("%d, %s, %#o", op.ino, propShort(op.name), op.mode)
	case pSymlink:
		a = fmt.Sprintf("%d, %s, target %s", op.ino, propShort(op.name), propShort(op.path))
	case pLink:
		a = fmt.Sprintf("ino %d, %d, %s", op.ino, op.ino2, propShort(op.name2))
	case pRename:
		a = fmt.Sprintf("%d, %s, %d, %s, flags %d", op.ino, propShort(op.name), op.ino2, propShort(op.name2), op.flags)
	case pReadDir, pReadDirAll:
		a = fmt.Sprintf("%d, cursor %#x, max %d, plus %v", op.ino, op.cursor, op.max, op.plus)
	case pDirIter:
		a = fmt.Sprintf("%d, plus %v", op.ino, op.plus)
	case pGetXattr, pRemoveXattr:
		a = fmt.Sprintf("%d, %s", op.ino, propShort(op.name))
	case pSetXattr:
		a = fmt.Sprintf("%d, %s, %d bytes, flags %d", op.ino, propShort(op.name), len(op.value), op.flags)
	case pFallocate:
		a = fmt.Sprintf("%d, mode %#x, off %d, len %d", op.ino, op.mode, op.off, op.len)
	case pOpen:
		a = fmt.Sprintf("%d, flags %#o", op.ino, op.mode)
	case pNewSliceID:
		a = fmt.Sprintf("%d", op.n)
	case pWriteSlice:
		a = fmt.Sprintf("%d, chunk %d, %+v", op.ino, op.chunk, op.slice)
	case pReadChunk:
		a = fmt.Sprintf("%d, chunk %d", op.ino, op.chunk)
	case pCompactChunk:
		a = fmt.Sprintf("%d, chunk %d, replaced %v, with %+v", op.ino, op.chunk, op.replaced, op.slice)
	case pResolve:
		a = fmt.Sprintf("%s, follow %v", propShort(op.path), op.plus)
	case pMkdirAll:
		a = fmt.Sprintf("%s, %#o", propShort(op.path), op.mode)
	}
	return fmt.Sprintf("%s(%s, %s)", op.kind, propCallerString(op.c), a)
}

// propErrno turns an SDK error into its errno (EIO for an error without one, so
// that it never compares equal to success).
func propErrno(err error) meta.Errno {
	if err == nil {
		return 0
	}
	if e := fsmeta.ErrnoOf(err); e != 0 {
		return e
	}
	return meta.EIO
}

// propRunEngine makes the call through the SDK.
func propRunEngine(db *fsmeta.DB, op *propOp) propResult {
	var r propResult
	var err error
	c := op.c
	switch op.kind {
	case pLookup:
		r.attr, err = db.Lookup(c, op.ino, op.name)
	case pGetAttr:
		r.attr, err = db.GetAttr(c, op.ino)
	case pSetAttr:
		switch op.mode { // the SDK's shorthands where the mask matches
		case meta.SetMode:
			r.attr, err = db.Chmod(c, op.ino, op.in.Mode)
		case meta.SetUid | meta.SetGid:
			r.attr, err = db.Chown(c, op.ino, op.in.Uid, op.in.Gid)
		case meta.SetSize:
			r.attr, err = db.Truncate(c, op.ino, op.in.Size)
		default:
			r.attr, err = db.SetAttr(c, op.ino, op.mode, op.in)
		}
	case pAccess:
		err = db.Access(c, op.ino, op.mode)
	case pMknod:
		r.attr, err = db.Mknod(c, op.ino, op.name, op.mode, op.rdev)
	case pCreate:
		r.attr, err = db.Create(c, op.ino, op.name, op.mode)
	case pMkdir:
		r.attr, err = db.Mkdir(c, op.ino, op.name, op.mode)
	case pSymlink:
		r.attr, err = db.Symlink(c, op.ino, op.name, op.path)
	case pReadlink:
		r.str, err = db.Readlink(c, op.ino)
	case pLink:
		r.attr, err = db.Link(c, op.ino, op.ino2, op.name2)
	case pUnlink:
		err = db.Unlink(c, op.ino, op.name)
	case pRmdir:
		err = db.Rmdir(c, op.ino, op.name)
	case pRename:
		err = db.Rename(c, op.ino, op.name, op.ino2, op.name2, op.flags)
	case pReadDir:
		r.ents, r.cursor, err = db.ReadDir(c, op.ino, op.cursor, op.max, op.plus)
	case pReadDirAll:
		cursor := op.cursor
		for {
			var ents []meta.DirEntry
			ents, cursor, err = db.ReadDir(c, op.ino, cursor, op.max, op.plus)
			r.ents = append(r.ents, ents...)
			r.cursor++
			if err != nil || cursor == 0 || r.cursor > 1<<16 {
				break
			}
		}
	case pDirIter:
		var it *fsmeta.DirIter
		if it, err = db.OpenDir(c, op.ino, op.plus); err == nil {
			for de, ok := it.Next(); ok; de, ok = it.Next() {
				r.ents = append(r.ents, de)
			}
			err = it.Err()
			it.Close()
		}
	case pStatFS:
		r.statfs, err = db.StatFS(c)
	case pGetXattr:
		r.value, err = db.GetXattr(c, op.ino, op.name)
	case pSetXattr:
		err = db.SetXattr(c, op.ino, op.name, op.value, op.flags)
	case pListXattr:
		r.names, err = db.ListXattr(c, op.ino)
	case pRemoveXattr:
		err = db.RemoveXattr(c, op.ino, op.name)
	case pFallocate:
		r.attr, err = db.Fallocate(c, op.ino, op.mode, op.off, op.len)
	case pOpen:
		r.attr, err = db.OpenFile(c, op.ino, op.mode)
	case pRelease:
		err = db.CloseFile(c, op.ino)
	case pNewSliceID:
		r.id, err = db.NewSliceID(c, op.n)
	case pWriteSlice:
		r.attr, err = db.WriteSlice(c, op.ino, op.chunk, op.slice)
	case pReadChunk:
		r.slices, err = db.ReadChunk(c, op.ino, op.chunk)
	case pCompactChunk:
		r.slices, err = db.CompactChunk(c, op.ino, op.chunk, op.replaced, op.slice)
	case pResolve:
		r.attr, err = db.Resolve(c, op.path, op.plus)
	case pMkdirAll:
		r.attr, err = db.MkdirAll(c, op.path, op.mode)
	}
	r.errno = propErrno(err)
	return r
}

// propRunModel makes the call on the model, at time now.
func propRunModel(m *model.Model, now int64, op *propOp) propResult {
	var r propResult
	c := op.c
	switch op.kind {
	case pLookup:
		r.attr, r.errno = m.Lookup(c, op.ino, op.name)
	case pGetAttr:
		r.attr, r.errno = m.GetAttr(c, op.ino)
	case pSetAttr:
		in := op.in
		r.attr, r.errno = m.SetAttr(c, now, op.ino, op.mode, &in)
	case pAccess:
		r.errno = m.Access(c, op.ino, op.mode)
	case pMknod:
		r.attr, r.errno = m.Mknod(c, now, op.ino, op.name, op.mode, op.rdev)
	case pCreate:
		r.attr, r.errno = m.Mknod(c, now, op.ino, op.name, meta.S_IFREG|op.mode&meta.ModePerm, 0)
	case pMkdir:
		r.attr, r.errno = m.Mkdir(c, now, op.ino, op.name, op.mode)
	case pSymlink:
		r.attr, r.errno = m.Symlink(c, now, op.ino, op.name, op.path)
	case pReadlink:
		r.str, r.errno = m.Readlink(c, op.ino)
	case pLink:
		r.attr, r.errno = m.Link(c, now, op.ino, op.ino2, op.name2)
	case pUnlink:
		r.errno = m.Unlink(c, now, op.ino, op.name)
	case pRmdir:
		r.errno = m.Rmdir(c, now, op.ino, op.name)
	case pRename:
		r.errno = m.Rename(c, now, op.ino, op.name, op.ino2, op.name2, op.flags)
	case pReadDir:
		r.ents, r.cursor, r.errno = m.ReadDir(c, op.ino, op.cursor, propMax(op.max), op.plus, nil)
	case pReadDirAll:
		cursor := op.cursor
		for {
			var ents []meta.DirEntry
			ents, cursor, r.errno = m.ReadDir(c, op.ino, cursor, propMax(op.max), op.plus, nil)
			r.ents = append(r.ents, ents...)
			r.cursor++
			if r.errno != 0 || cursor == 0 {
				break
			}
		}
	case pDirIter:
		r.ents, _, r.errno = m.ReadDir(c, op.ino, 0, 1<<30, op.plus, nil)
	case pStatFS:
		r.statfs, r.errno = m.StatFS(c)
	case pGetXattr:
		r.value, r.errno = m.GetXattr(c, op.ino, op.name)
	case pSetXattr:
		r.errno = m.SetXattr(c, now, op.ino, op.name, op.value, op.flags)
	case pListXattr:
		r.names, r.errno = m.ListXattr(c, op.ino)
	case pRemoveXattr:
		r.errno = m.RemoveXattr(c, now, op.ino, op.name)
	case pFallocate:
		r.attr, r.errno = m.Fallocate(c, now, op.ino, op.mode, op.off, op.len)
	case pOpen:
		r.attr, r.errno = m.Open(c, now, op.ino, op.mode)
	case pRelease:
		r.errno = m.Release(c, op.ino)
	case pNewSliceID:
		r.id, r.errno = m.NewSliceID(c, op.n)
	case pWriteSlice:
		r.attr, r.errno = m.WriteSlice(c, now, op.ino, op.chunk, op.slice)
	case pReadChunk:
		r.slices, r.errno = m.ReadChunk(c, op.ino, op.chunk)
	case pCompactChunk:
		r.slices, r.errno = m.CompactChunk(c, op.ino, op.chunk, op.replaced, op.slice)
	case pResolve:
		r.attr, r.errno = m.Resolve(c, op.path, op.plus)
	case pMkdirAll:
		r.attr, r.errno = m.MkdirAll(c, now, op.path, op.mode)
	}
	return r
}

// propMax is the SDK's default for a max of 0 or less.
func propMax(max int) int {
	if max <= 0 {
		return 1000
	}
	return max
}

// propSame compares the engine's result (got) with the model's (want) and
// describes the difference, or returns "".
func propSame(op *propOp, got, want *propResult) string {
	if got.errno != want.errno {
		return fmt.Sprintf("errno %s, model %s", propErrnoName(got.errno), propErrnoName(want.errno))
	}
	if got.errno != 0 && op.kind != pReadDirAll {
		return ""
	}
	switch op.kind {
	case pLookup, pGetAttr, pSetAttr, pMknod, pCreate, pMkdir, pSymlink, pLink, pFallocate, pOpen,
		pWriteSlice, pResolve, pMkdirAll:
		if got.attr != want.attr {
			return fmt.Sprintf("attr\n   got %+v\n model %+v", got.attr, want.attr)
		}
	case pReadlink:
		if got.str != want.str {
			return fmt.Sprintf("target %s, model %s", propShort(got.str), propShort(want.str))
		}
	case pReadDir, pReadDirAll, pDirIter:
		if d := propSameEntries(got.ents, want.ents); d != "" {
			return d
		}
		if got.cursor != want.cursor {
			return fmt.Sprintf("cursor (batches for readdirall) %#x, model %#x", got.cursor, want.cursor)
		}
	case pStatFS:
		if got.statfs != want.statfs {
			return fmt.Sprintf("statfs %+v, model %+v", got.statfs, want.statfs)
		}
	case pGetXattr:
		if !bytes.Equal(got.value, want.value) {
			return fmt.Sprintf("value %d bytes %q, model %d bytes %q", len(got.value), propClip(got.value),
				len(want.value), propClip(want.value))
		}
	case pListXattr:
		if strings.Join(got.names, "\x00") != strings.Join(want.names, "\x00") || len(got.names) != len(want.names) {
			return fmt.Sprintf("names %q, model %q", got.names, want.names)
		}
	case pNewSliceID:
		if got.id != want.id {
			return fmt.Sprintf("id %d, model %d", got.id, want.id)
		}
	case pReadChunk, pCompactChunk:
		if !propSameSlices(got.slices, want.slices) {
			return fmt.Sprintf("slices\n   got %v\n model %v", got.slices, want.slices)
		}
	}
	return ""
}

func propClip(b []byte) []byte {
	if len(b) > 16 {
		return b[:16]
	}
	return b
}

func propErrnoName(e meta.Errno) string {
	if e == 0 {
		return "OK"
	}
	return e.Name()
}

func propSameSlices(a, b []meta.Slice) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// propSameEntries compares two listings as sets (the engine's order within a run
// of equal hashes is its own); a name listed twice is a difference.
func propSameEntries(got, want []meta.DirEntry) string {
	g, w := propSortedEntries(got), propSortedEntries(want)
	for i := 1; i < len(g); i++ {
		if g[i].Name == g[i-1].Name {
			return fmt.Sprintf("entry %s listed twice", propShort(g[i].Name))
		}
	}
	for i := 0; i < len(g) || i < len(w); i++ {
		switch {
		case i >= len(g):
			return fmt.Sprintf("entry missing: %+v (got %d entries, model %d)", w[i], len(g), len(w))
		case i >= len(w):
			return fmt.Sprintf("extra entry: %+v (got %d entries, model %d)", g[i], len(g), len(w))
		case g[i] != w[i]:
			return fmt.Sprintf("entry\n   got %+v\n model %+v", g[i], w[i])
		}
	}
	return ""
}

func propSortedEntries(ents []meta.DirEntry) []meta.DirEntry {
	s := append([]meta.DirEntry{}, ents...)
	sort.Slice(s, func(i, j int) bool { return s[i].Name < s[j].Name })
	return s
}
