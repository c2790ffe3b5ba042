package main

/*
#include <stddef.h>
#include <stdint.h>
#include "fsmeta.h"
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// Every export: a named result rc, `defer catch(name, &rc)` first, C types
// only, and the C name of the function it serves (fsmeta.c) in messages.
// Two rules of the header (docs/semantics.md: arguments are checked first):
// every argument is checked before the engine is asked anything (handle,
// ctx, out-pointers, buffers, strings, flags), and nothing is written to an
// out-parameter on failure, but where the header says so (FSMETA_ETOOSMALL's
// *len_out, a fsmeta_buf left zeroed).

func badHandle(fn string, h uint64) C.int {
	if h == 0 {
		setError(fn + ": the handle is NULL")
	} else {
		setError(fmt.Sprintf("%s: bad handle %#x (unknown, closed, or of the other kind)", fn, h))
	}
	return C.FSMETA_EBADHANDLE
}

// begin looks up the database of h and converts ctx into *cb.
func begin(fn string, h C.uint64_t, ctx *C.fsmeta_ctx, cb *fsmeta.Caller) (*fsmeta.DB, *fsmeta.Caller, C.int) {
	e := handles.get(uint64(h), kindDB)
	if e == nil {
		return nil, nil, badHandle(fn, uint64(h))
	}
	c, err := goCaller(ctx, cb)
	if err != nil {
		return nil, nil, fail(fn, err)
	}
	return e.db, c, 0
}

func done(fn string, err error) C.int {
	if err != nil {
		return fail(fn, err)
	}
	return 0
}

func nullArg(fn, what string) C.int {
	return fail(fn, errf(C.FSMETA_EINVAL, "%s is NULL", what))
}

// ---- open, close -------------------------------------------------------------

//export fsmetago_open
func fsmetago_open(dbOut *C.uint64_t, opts *C.fsmeta_options) (rc C.int) {
	const fn = "fsmeta_open"
	defer catch(fn, &rc)
	if dbOut == nil {
		return nullArg(fn, "db_out")
	}
	if opts == nil {
		return nullArg(fn, "opts")
	}
	if opts.version < 1 || opts.version > C.FSMETA_OPTIONS_VERSION {
		return fail(fn, errf(C.FSMETA_EVERSION, "fsmeta_options.version is %d (this library knows 1 to %d; use FSMETA_OPTIONS_INIT)",
			uint(opts.version), C.FSMETA_OPTIONS_VERSION))
	}
	o := fsmeta.Options{
		InMemory:      opts.in_memory != 0,
		Capacity:      uint64(opts.capacity),
		MaxInodes:     uint64(opts.max_inodes),
		ArenaMaxBytes: uint64(opts.arena_max_bytes),
	}
	if opts.version >= 2 { // the fields of version 2: a version 1 caller's struct ends before them
		o.SnapshotThreshold = uint64(opts.snapshot_threshold)
	}
	if opts.dir != nil {
		o.Dir = C.GoString(opts.dir)
	}
	if !o.InMemory && o.Dir == "" {
		return fail(fn, errf(C.FSMETA_EINVAL, "fsmeta_options: set in_memory or dir"))
	}
	db, err := fsmeta.Open(o)
	if err != nil {
		return fail(fn, err)
	}
	h, ok := handles.add(kindDB, &entry{db: db})
	if !ok {
		_ = db.Close()
		return fail(fn, errf(C.FSMETA_EMFILE, "too many open handles"))
	}
	*dbOut = C.uint64_t(h)
	return 0
}

//export fsmetago_close
func fsmetago_close(h C.uint64_t) (rc C.int) {
	const fn = "fsmeta_close"
	defer catch(fn, &rc)
	e := handles.remove(uint64(h), kindDB)
	if e == nil {
		return badHandle(fn, uint64(h))
	}
	return done(fn, e.db.Close())
}

//export fsmetago_set_test_time
func fsmetago_set_test_time(h C.uint64_t, now C.int64_t) (rc C.int) {
	const fn = "fsmeta_set_test_time"
	defer catch(fn, &rc)
	e := handles.get(uint64(h), kindDB)
	if e == nil {
		return badHandle(fn, uint64(h))
	}
	e.db.SetTestTime(int64(now))
	return 0
}

//export fsmetago_handle_count
func fsmetago_handle_count() C.uint64_t {
	return C.uint64_t(handles.count())
}

// ---- attributes ---------------------------------------------------------------

//export fsmetago_setattr
func fsmetago_setattr(out *C.fsmeta_attr, h C.uint64_t, ctx *C.fsmeta_ctx, ino C.uint64_t, mask C.uint32_t, in *C.fsmeta_setattr_in) (rc C.int) {
	const fn = "fsmeta_setattr"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	var v fsmeta.SetAttrIn
	if in != nil {
		v = fsmeta.SetAttrIn{Mode: uint32(in.mode), Uid: uint32(in.uid), Gid: uint32(in.gid), Flags: uint32(in.flags),
			Size: uint64(in.size), Atime: int64(in.atime_ns), Mtime: int64(in.mtime_ns), Ctime: int64(in.ctime_ns)}
	} else if mask != 0 {
		return nullArg(fn, "in")
	}
	a, err := db.SetAttr(c, fsmeta.Ino(ino), uint32(mask), v)
	if err != nil {
		return fail(fn, err)
	}
	putAttr(out, &a)
	return 0
}

// ---- creating and removing ------------------------------------------------------

// created finishes the operations that return the new inode's attributes.
func created(fn string, out *C.fsmeta_attr, a fsmeta.Attr, err error) C.int {
	if err != nil {
		return fail(fn, err)
	}
	putAttr(out, &a)
	return 0
}

//export fsmetago_create
func fsmetago_create(out *C.fsmeta_attr, h C.uint64_t, ctx *C.fsmeta_ctx, parent C.uint64_t, name *C.char, nameLen C.size_t, mode C.uint32_t) (rc C.int) {
	const fn = "fsmeta_create"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	n, err := goString(name, nameLen, "name")
	if err != nil {
		return fail(fn, err)
	}
	a, err := db.Create(c, fsmeta.Ino(parent), n, uint32(mode))
	return created(fn, out, a, err)
}

//export fsmetago_readlink
func fsmetago_readlink(buf *C.char, bufSize C.size_t, lenOut *C.size_t, h C.uint64_t, ctx *C.fsmeta_ctx, ino C.uint64_t) (rc C.int) {
	const fn = "fsmeta_readlink"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	if lenOut == nil {
		return nullArg(fn, "len_out")
	}
	if err := checkBuf(buf, bufSize); err != nil {
		return fail(fn, err)
	}
	t, err := db.Readlink(c, fsmeta.Ino(ino))
	if err != nil {
		return fail(fn, err)
	}
	return done(fn, putBytes(buf, bufSize, lenOut, t))
}

// ---- directories ---------------------------------------------------------------

// dirStream is a listing behind a fsmeta_dir handle. DirIter is not safe for
// concurrent use; mu serializes the C callers.
type dirStream struct {
	mu     sync.Mutex
	it     *fsmeta.DirIter
	closed bool
}

//export fsmetago_dir_open
func fsmetago_dir_open(dirOut *C.uint64_t, h C.uint64_t, ctx *C.fsmeta_ctx, ino C.uint64_t, flags C.uint32_t) (rc C.int) {
	const fn = "fsmeta_dir_open"
	defer catch(fn, &rc)
	cb := new(fsmeta.Caller) // the iterator keeps it
	db, c, st := begin(fn, h, ctx, cb)
	if st != 0 {
		return st
	}
	if dirOut == nil {
		return nullArg(fn, "dir_out")
	}
	if flags&^C.FSMETA_DIR_PLUS != 0 {
		return fail(fn, errf(C.FSMETA_EINVAL, "unknown flags %#x", uint32(flags)))
	}
	it, err := db.OpenDir(c, fsmeta.Ino(ino), flags&C.FSMETA_DIR_PLUS != 0)
	if err != nil {
		return fail(fn, err)
	}
	d, ok := handles.add(kindDir, &entry{dir: &dirStream{it: it}})
	if !ok {
		_ = it.Close()
		return fail(fn, errf(C.FSMETA_EMFILE, "too many open handles"))
	}
	*dirOut = C.uint64_t(d)
	return 0
}

//export fsmetago_dir_next
func fsmetago_dir_next(out *C.fsmeta_dirent, h C.uint64_t) (rc C.int) {
	const fn = "fsmeta_dir_next"
	defer catch(fn, &rc)
	e := handles.get(uint64(h), kindDir)
	if e == nil {
		return badHandle(fn, uint64(h))
	}
	if out == nil {
		return nullArg(fn, "ent_out")
	}
	d := e.dir
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return badHandle(fn, uint64(h))
	}
	de, ok := d.it.Next()
	if !ok {
		if err := d.it.Err(); err != nil {
			return fail(fn, err)
		}
		return C.FSMETA_ITEROVER
	}
	out.ino = C.uint64_t(de.Ino)
	out._type = C.uint32_t(de.Type)
	putAttr(&out.attr, &de.Attr)
	name := unsafe.Slice((*byte)(unsafe.Pointer(&out.name[0])), len(out.name))
	n := copy(name[:len(name)-1], de.Name)
	name[n] = 0
	out.name_len = C.uint32_t(n)
	return 0
}

//export fsmetago_dir_close
func fsmetago_dir_close(h C.uint64_t) (rc C.int) {
	const fn = "fsmeta_dir_close"
	defer catch(fn, &rc)
	e := handles.remove(uint64(h), kindDir)
	if e == nil {
		return badHandle(fn, uint64(h))
	}
	d := e.dir
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	return done(fn, d.it.Close())
}

//export fsmetago_dir_tell
func fsmetago_dir_tell(cursorOut *C.uint64_t, h C.uint64_t) (rc C.int) {
	const fn = "fsmeta_dir_tell"
	defer catch(fn, &rc)
	e := handles.get(uint64(h), kindDir)
	if e == nil {
		return badHandle(fn, uint64(h))
	}
	if cursorOut == nil {
		return nullArg(fn, "cursor_out")
	}
	d := e.dir
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return badHandle(fn, uint64(h))
	}
	*cursorOut = C.uint64_t(d.it.Tell())
	return 0
}

//export fsmetago_dir_seek
func fsmetago_dir_seek(h C.uint64_t, cursor C.uint64_t) (rc C.int) {
	const fn = "fsmeta_dir_seek"
	defer catch(fn, &rc)
	e := handles.get(uint64(h), kindDir)
	if e == nil {
		return badHandle(fn, uint64(h))
	}
	d := e.dir
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return badHandle(fn, uint64(h))
	}
	d.it.Seek(uint64(cursor))
	return 0
}

//export fsmetago_dir_path
func fsmetago_dir_path(out *C.fsmeta_buf, h C.uint64_t, ctx *C.fsmeta_ctx, ino C.uint64_t) (rc C.int) {
	const fn = "fsmeta_dir_path"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	if out == nil {
		return nullArg(fn, "buf_out")
	}
	*out = C.fsmeta_buf{}
	p, err := db.DirPath(c, fsmeta.Ino(ino))
	if err != nil {
		return fail(fn, err)
	}
	return done(fn, putText(out, p))
}

// ---- file system ---------------------------------------------------------------

//export fsmetago_statfs
func fsmetago_statfs(out *C.fsmeta_statfs_info, h C.uint64_t, ctx *C.fsmeta_ctx) (rc C.int) {
	const fn = "fsmeta_statfs"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	if out == nil {
		return nullArg(fn, "out")
	}
	s, err := db.StatFS(c)
	if err != nil {
		return fail(fn, err)
	}
	*out = C.fsmeta_statfs_info{total_space: C.uint64_t(s.TotalSpace), avail_space: C.uint64_t(s.AvailSpace),
		used_space: C.uint64_t(s.UsedSpace), inodes: C.uint64_t(s.Inodes), avail_inodes: C.uint64_t(s.AvailInodes)}
	return 0
}

// ---- extended attributes ---------------------------------------------------------

//export fsmetago_getxattr
func fsmetago_getxattr(buf *C.char, bufSize C.size_t, lenOut *C.size_t, h C.uint64_t, ctx *C.fsmeta_ctx, ino C.uint64_t, name *C.char, nameLen C.size_t) (rc C.int) {
	const fn = "fsmeta_getxattr"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	if lenOut == nil {
		return nullArg(fn, "len_out")
	}
	if err := checkBuf(buf, bufSize); err != nil {
		return fail(fn, err)
	}
	n, err := goString(name, nameLen, "name")
	if err != nil {
		return fail(fn, err)
	}
	v, err := db.GetXattr(c, fsmeta.Ino(ino), n)
	if err != nil {
		return fail(fn, err)
	}
	return done(fn, putBytes(buf, bufSize, lenOut, unsafe.String(unsafe.SliceData(v), len(v))))
}

//export fsmetago_listxattr
func fsmetago_listxattr(out *C.fsmeta_buf, h C.uint64_t, ctx *C.fsmeta_ctx, ino C.uint64_t) (rc C.int) {
	const fn = "fsmeta_listxattr"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	if out == nil {
		return nullArg(fn, "buf_out")
	}
	*out = C.fsmeta_buf{}
	names, err := db.ListXattr(c, fsmeta.Ino(ino))
	if err != nil {
		return fail(fn, err)
	}
	return done(fn, putNames(out, names))
}

// ---- files and their data ----------------------------------------------------------

//export fsmetago_slice_id_new
func fsmetago_slice_id_new(idOut *C.uint64_t, h C.uint64_t, ctx *C.fsmeta_ctx, n C.uint32_t) (rc C.int) {
	const fn = "fsmeta_slice_id_new"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	if idOut == nil {
		return nullArg(fn, "id_out")
	}
	id, err := db.NewSliceID(c, uint32(n))
	if err != nil {
		return fail(fn, err)
	}
	*idOut = C.uint64_t(id)
	return 0
}

//export fsmetago_slice_write
func fsmetago_slice_write(out *C.fsmeta_attr, h C.uint64_t, ctx *C.fsmeta_ctx, ino C.uint64_t, chunk C.uint32_t, slice *C.fsmeta_slice) (rc C.int) {
	const fn = "fsmeta_slice_write"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	if slice == nil {
		return nullArg(fn, "slice")
	}
	a, err := db.WriteSlice(c, fsmeta.Ino(ino), uint32(chunk), goSlice(slice))
	return created(fn, out, a, err)
}

//export fsmetago_chunk_read
func fsmetago_chunk_read(out *C.fsmeta_buf, h C.uint64_t, ctx *C.fsmeta_ctx, ino C.uint64_t, chunk C.uint32_t) (rc C.int) {
	const fn = "fsmeta_chunk_read"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	if out == nil {
		return nullArg(fn, "buf_out")
	}
	*out = C.fsmeta_buf{}
	ss, err := db.ReadChunk(c, fsmeta.Ino(ino), uint32(chunk))
	if err != nil {
		return fail(fn, err)
	}
	return done(fn, putSlices(out, ss))
}

//export fsmetago_chunk_compact
func fsmetago_chunk_compact(out *C.fsmeta_buf, h C.uint64_t, ctx *C.fsmeta_ctx, ino C.uint64_t, chunk C.uint32_t, replaced *C.fsmeta_slice, replacedCount C.size_t, with *C.fsmeta_slice) (rc C.int) {
	const fn = "fsmeta_chunk_compact"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	if out != nil {
		*out = C.fsmeta_buf{}
	}
	var rs []fsmeta.Slice
	var w fsmeta.Slice
	if replacedCount > 0 {
		if replaced == nil {
			return fail(fn, errf(C.FSMETA_EINVAL, "replaced is NULL but replaced_count is %d", uint64(replacedCount)))
		}
		if replacedCount > C.FSMETA_REPLACED_MAX {
			return fail(fn, errf(C.FSMETA_EINVAL, "replaced_count %d is over FSMETA_REPLACED_MAX (%d)",
				uint64(replacedCount), C.FSMETA_REPLACED_MAX))
		}
		if with == nil {
			return nullArg(fn, "with")
		}
		rs = make([]fsmeta.Slice, int(replacedCount))
		for i, s := range unsafe.Slice(replaced, int(replacedCount)) {
			rs[i] = goSlice(&s)
		}
		w = goSlice(with)
	}
	dropped, err := db.CompactChunk(c, fsmeta.Ino(ino), uint32(chunk), rs, w)
	if err != nil {
		return fail(fn, err)
	}
	return done(fn, putSlices(out, dropped))
}

// ---- paths -----------------------------------------------------------------------

//export fsmetago_resolve
func fsmetago_resolve(out *C.fsmeta_attr, h C.uint64_t, ctx *C.fsmeta_ctx, path *C.char, pathLen C.size_t, flags C.uint32_t) (rc C.int) {
	const fn = "fsmeta_resolve"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	if flags&^C.FSMETA_RESOLVE_FOLLOW != 0 {
		return fail(fn, errf(C.FSMETA_EINVAL, "unknown flags %#x", uint32(flags)))
	}
	p, err := goString(path, pathLen, "path")
	if err != nil {
		return fail(fn, err)
	}
	a, err := db.Resolve(c, p, flags&C.FSMETA_RESOLVE_FOLLOW != 0)
	return created(fn, out, a, err)
}

// The operations by path (sdk/paths.go): the arguments are checked here in
// the order of the parameters (handle, ctx, out-pointers and buffers,
// strings, flags), then the path by the sdk (ENAMETOOLONG, a NUL: EINVAL,
// the empty path: ENOENT) before anything is looked up.

// pathArgs converts a path and checks resolve flags (FSMETA_RESOLVE_FOLLOW).
func pathArgs(path *C.char, pathLen C.size_t, what string, flags C.uint32_t) (string, error) {
	p, err := goString(path, pathLen, what)
	if err != nil {
		return "", err
	}
	if flags&^C.FSMETA_RESOLVE_FOLLOW != 0 {
		return "", errf(C.FSMETA_EINVAL, "unknown resolve_flags %#x", uint32(flags))
	}
	return p, nil
}

//export fsmetago_path_unlink
func fsmetago_path_unlink(h C.uint64_t, ctx *C.fsmeta_ctx, path *C.char, pathLen C.size_t) (rc C.int) {
	const fn = "fsmeta_path_unlink"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	p, err := pathArgs(path, pathLen, "path", 0)
	if err != nil {
		return fail(fn, err)
	}
	return done(fn, db.UnlinkPath(c, p))
}

//export fsmetago_path_rmdir
func fsmetago_path_rmdir(h C.uint64_t, ctx *C.fsmeta_ctx, path *C.char, pathLen C.size_t) (rc C.int) {
	const fn = "fsmeta_path_rmdir"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	p, err := pathArgs(path, pathLen, "path", 0)
	if err != nil {
		return fail(fn, err)
	}
	return done(fn, db.RmdirPath(c, p))
}

//export fsmetago_path_rename
func fsmetago_path_rename(h C.uint64_t, ctx *C.fsmeta_ctx, path *C.char, pathLen C.size_t, newPath *C.char, newPathLen C.size_t, flags C.uint32_t) (rc C.int) {
	const fn = "fsmeta_path_rename"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	p, err := pathArgs(path, pathLen, "path", 0)
	if err != nil {
		return fail(fn, err)
	}
	q, err := pathArgs(newPath, newPathLen, "new_path", 0)
	if err != nil {
		return fail(fn, err)
	}
	return done(fn, db.RenamePath(c, p, q, uint32(flags)))
}

//export fsmetago_path_symlink
func fsmetago_path_symlink(out *C.fsmeta_attr, h C.uint64_t, ctx *C.fsmeta_ctx, path *C.char, pathLen C.size_t, target *C.char, targetLen C.size_t) (rc C.int) {
	const fn = "fsmeta_path_symlink"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	p, err := pathArgs(path, pathLen, "path", 0)
	if err != nil {
		return fail(fn, err)
	}
	t, err := goString(target, targetLen, "target")
	if err != nil {
		return fail(fn, err)
	}
	a, err := db.SymlinkPath(c, p, t)
	return created(fn, out, a, err)
}

//export fsmetago_path_link
func fsmetago_path_link(out *C.fsmeta_attr, h C.uint64_t, ctx *C.fsmeta_ctx, path *C.char, pathLen C.size_t, newPath *C.char, newPathLen C.size_t) (rc C.int) {
	const fn = "fsmeta_path_link"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	p, err := pathArgs(path, pathLen, "path", 0)
	if err != nil {
		return fail(fn, err)
	}
	q, err := pathArgs(newPath, newPathLen, "new_path", 0)
	if err != nil {
		return fail(fn, err)
	}
	a, err := db.LinkPath(c, p, q)
	return created(fn, out, a, err)
}

//export fsmetago_path_readlink
func fsmetago_path_readlink(buf *C.char, bufSize C.size_t, lenOut *C.size_t, h C.uint64_t, ctx *C.fsmeta_ctx, path *C.char, pathLen C.size_t) (rc C.int) {
	const fn = "fsmeta_path_readlink"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	if lenOut == nil {
		return nullArg(fn, "len_out")
	}
	if err := checkBuf(buf, bufSize); err != nil {
		return fail(fn, err)
	}
	p, err := pathArgs(path, pathLen, "path", 0)
	if err != nil {
		return fail(fn, err)
	}
	t, err := db.ReadlinkPath(c, p)
	if err != nil {
		return fail(fn, err)
	}
	return done(fn, putBytes(buf, bufSize, lenOut, t))
}

//export fsmetago_path_setattr
func fsmetago_path_setattr(out *C.fsmeta_attr, h C.uint64_t, ctx *C.fsmeta_ctx, path *C.char, pathLen C.size_t, resolveFlags C.uint32_t, mask C.uint32_t, in *C.fsmeta_setattr_in) (rc C.int) {
	const fn = "fsmeta_path_setattr"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	p, err := pathArgs(path, pathLen, "path", resolveFlags)
	if err != nil {
		return fail(fn, err)
	}
	var v fsmeta.SetAttrIn
	if in != nil {
		v = fsmeta.SetAttrIn{Mode: uint32(in.mode), Uid: uint32(in.uid), Gid: uint32(in.gid), Flags: uint32(in.flags),
			Size: uint64(in.size), Atime: int64(in.atime_ns), Mtime: int64(in.mtime_ns), Ctime: int64(in.ctime_ns)}
	} else if mask != 0 {
		return nullArg(fn, "in")
	}
	a, err := db.SetAttrPath(c, p, resolveFlags&C.FSMETA_RESOLVE_FOLLOW != 0, uint32(mask), v)
	return created(fn, out, a, err)
}

//export fsmetago_path_truncate
func fsmetago_path_truncate(out *C.fsmeta_attr, h C.uint64_t, ctx *C.fsmeta_ctx, path *C.char, pathLen C.size_t, size C.uint64_t) (rc C.int) {
	const fn = "fsmeta_path_truncate"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	p, err := pathArgs(path, pathLen, "path", 0)
	if err != nil {
		return fail(fn, err)
	}
	a, err := db.TruncatePath(c, p, uint64(size))
	return created(fn, out, a, err)
}

//export fsmetago_path_getxattr
func fsmetago_path_getxattr(buf *C.char, bufSize C.size_t, lenOut *C.size_t, h C.uint64_t, ctx *C.fsmeta_ctx, path *C.char, pathLen C.size_t, resolveFlags C.uint32_t, name *C.char, nameLen C.size_t) (rc C.int) {
	const fn = "fsmeta_path_getxattr"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	if lenOut == nil {
		return nullArg(fn, "len_out")
	}
	if err := checkBuf(buf, bufSize); err != nil {
		return fail(fn, err)
	}
	p, err := pathArgs(path, pathLen, "path", resolveFlags)
	if err != nil {
		return fail(fn, err)
	}
	n, err := goString(name, nameLen, "name")
	if err != nil {
		return fail(fn, err)
	}
	v, err := db.GetXattrPath(c, p, resolveFlags&C.FSMETA_RESOLVE_FOLLOW != 0, n)
	if err != nil {
		return fail(fn, err)
	}
	return done(fn, putBytes(buf, bufSize, lenOut, unsafe.String(unsafe.SliceData(v), len(v))))
}

//export fsmetago_path_setxattr
func fsmetago_path_setxattr(h C.uint64_t, ctx *C.fsmeta_ctx, path *C.char, pathLen C.size_t, resolveFlags C.uint32_t, name *C.char, nameLen C.size_t, value *C.char, valueLen C.size_t, flags C.uint32_t) (rc C.int) {
	const fn = "fsmeta_path_setxattr"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	p, err := pathArgs(path, pathLen, "path", resolveFlags)
	if err != nil {
		return fail(fn, err)
	}
	n, err := goString(name, nameLen, "name")
	if err != nil {
		return fail(fn, err)
	}
	v, err := goBytes(value, valueLen, "value")
	if err != nil {
		return fail(fn, err)
	}
	return done(fn, db.SetXattrPath(c, p, resolveFlags&C.FSMETA_RESOLVE_FOLLOW != 0, n, v, uint32(flags)))
}

//export fsmetago_path_listxattr
func fsmetago_path_listxattr(out *C.fsmeta_buf, h C.uint64_t, ctx *C.fsmeta_ctx, path *C.char, pathLen C.size_t, resolveFlags C.uint32_t) (rc C.int) {
	const fn = "fsmeta_path_listxattr"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	if out == nil {
		return nullArg(fn, "buf_out")
	}
	*out = C.fsmeta_buf{}
	p, err := pathArgs(path, pathLen, "path", resolveFlags)
	if err != nil {
		return fail(fn, err)
	}
	names, err := db.ListXattrPath(c, p, resolveFlags&C.FSMETA_RESOLVE_FOLLOW != 0)
	if err != nil {
		return fail(fn, err)
	}
	return done(fn, putNames(out, names))
}

//export fsmetago_path_removexattr
func fsmetago_path_removexattr(h C.uint64_t, ctx *C.fsmeta_ctx, path *C.char, pathLen C.size_t, resolveFlags C.uint32_t, name *C.char, nameLen C.size_t) (rc C.int) {
	const fn = "fsmeta_path_removexattr"
	defer catch(fn, &rc)
	var cb fsmeta.Caller
	db, c, st := begin(fn, h, ctx, &cb)
	if st != 0 {
		return st
	}
	p, err := pathArgs(path, pathLen, "path", resolveFlags)
	if err != nil {
		return fail(fn, err)
	}
	n, err := goString(name, nameLen, "name")
	if err != nil {
		return fail(fn, err)
	}
	return done(fn, db.RemoveXattrPath(c, p, resolveFlags&C.FSMETA_RESOLVE_FOLLOW != 0, n))
}

// ---- checking and statistics ----------------------------------------------------------

//export fsmetago_snapshot
func fsmetago_snapshot(h C.uint64_t) (rc C.int) {
	const fn = "fsmeta_snapshot"
	defer catch(fn, &rc)
	e := handles.get(uint64(h), kindDB)
	if e == nil {
		return badHandle(fn, uint64(h))
	}
	return done(fn, e.db.Snapshot())
}

//export fsmetago_fsck
func fsmetago_fsck(out *C.fsmeta_buf, h C.uint64_t) (rc C.int) {
	const fn = "fsmeta_fsck"
	defer catch(fn, &rc)
	e := handles.get(uint64(h), kindDB)
	if e == nil {
		return badHandle(fn, uint64(h))
	}
	if out != nil {
		*out = C.fsmeta_buf{}
	}
	err := e.db.Fsck()
	if err == nil {
		return 0
	}
	if errors.Is(err, fsmeta.ErrClosed) {
		return fail(fn, err)
	}
	if out != nil {
		if err := putText(out, err.Error()); err != nil {
			return fail(fn, err)
		}
	}
	return fail(fn, &statusErr{st: C.FSMETA_ECORRUPT, msg: err.Error()})
}

//export fsmetago_stats
func fsmetago_stats(out *C.fsmeta_stats_info, h C.uint64_t) (rc C.int) {
	const fn = "fsmeta_stats"
	defer catch(fn, &rc)
	e := handles.get(uint64(h), kindDB)
	if e == nil {
		return badHandle(fn, uint64(h))
	}
	if out == nil {
		return nullArg(fn, "out")
	}
	if out.version < 1 || out.version > C.FSMETA_STATS_VERSION {
		return fail(fn, errf(C.FSMETA_EVERSION, "fsmeta_stats_info.version is %d (this library knows 1 to %d; use FSMETA_STATS_INFO_INIT)",
			uint(out.version), C.FSMETA_STATS_VERSION))
	}
	s := e.db.Stats()
	*out = C.fsmeta_stats_info{version: out.version,
		inodes: C.uint64_t(s.Inodes), files: C.uint64_t(s.Files), dirs: C.uint64_t(s.Dirs),
		symlinks: C.uint64_t(s.Symlinks), others: C.uint64_t(s.Others), entries: C.uint64_t(s.Entries),
		links: C.uint64_t(s.Links), orphans: C.uint64_t(s.Orphans), open_files: C.uint64_t(s.OpenFiles),
		next_ino: C.uint64_t(s.NextIno), next_slice: C.uint64_t(s.NextSlice), attr_dict: C.uint64_t(s.AttrDict),
		arena_reserved: C.uint64_t(s.Arena.Reserved), arena_committed: C.uint64_t(s.Arena.Committed),
		arena_slabs: C.uint64_t(s.Arena.Slabs), arena_in_use: C.uint64_t(s.Arena.InUse)}
	return 0
}
