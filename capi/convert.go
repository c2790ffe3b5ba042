package main

/*
#include <stddef.h>
#include <stdint.h>
#include "fsmeta.h"
#include "shim.h"
*/
import "C"

import (
	"unsafe"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// maxArg bounds every (pointer, length) argument: longer is a caller bug.
const maxArg = 1 << 30

// goString copies n bytes at p into a Go string. p may be NULL only when n is 0.
func goString(p *C.char, n C.size_t, what string) (string, error) {
	if n == 0 {
		return "", nil
	}
	if p == nil {
		return "", errf(C.FSMETA_EINVAL, "%s is NULL but %s_len is %d", what, what, uint64(n))
	}
	if n > maxArg {
		return "", errf(C.FSMETA_EINVAL, "%s_len %d is too large", what, uint64(n))
	}
	return string(unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))), nil
}

// goBytes copies n bytes at p into a Go slice. p may be NULL only when n is 0.
func goBytes(p *C.char, n C.size_t, what string) ([]byte, error) {
	if n == 0 {
		return nil, nil
	}
	if p == nil {
		return nil, errf(C.FSMETA_EINVAL, "%s is NULL but %s_len is %d", what, what, uint64(n))
	}
	if n > maxArg {
		return nil, errf(C.FSMETA_EINVAL, "%s_len %d is too large", what, uint64(n))
	}
	return append([]byte(nil), unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))...), nil
}

// goCaller converts a fsmeta_ctx (NULL: root) into c and returns it (nil: root).
// The groups are copied: the caller may free them after the call.
func goCaller(ctx *C.fsmeta_ctx, c *fsmeta.Caller) (*fsmeta.Caller, error) {
	if ctx == nil {
		return nil, nil
	}
	if ctx.version < 1 || ctx.version > C.FSMETA_CTX_VERSION {
		return nil, errf(C.FSMETA_EVERSION, "fsmeta_ctx.version is %d (this library knows 1 to %d; use FSMETA_CTX_INIT)",
			uint(ctx.version), C.FSMETA_CTX_VERSION)
	}
	*c = fsmeta.Caller{Uid: uint32(ctx.uid), Gid: uint32(ctx.gid), Umask: uint32(ctx.umask)}
	if n := ctx.ngroups; n > 0 {
		if ctx.groups == nil {
			return nil, errf(C.FSMETA_EINVAL, "fsmeta_ctx.groups is NULL but ngroups is %d", uint64(n))
		}
		if n > C.FSMETA_GROUPS_MAX {
			return nil, errf(C.FSMETA_EINVAL, "caller has %d supplementary groups (fsmeta_ctx.ngroups), at most %d (FSMETA_GROUPS_MAX)",
				uint64(n), C.FSMETA_GROUPS_MAX)
		}
		c.Groups = append([]uint32(nil), unsafe.Slice((*uint32)(unsafe.Pointer(ctx.groups)), int(n))...)
	}
	return c, nil
}

func putAttr(out *C.fsmeta_attr, a *fsmeta.Attr) {
	if out == nil {
		return
	}
	*out = C.fsmeta_attr{
		ino: C.uint64_t(a.Ino), mode: C.uint32_t(a.Mode), nlink: C.uint32_t(a.Nlink),
		uid: C.uint32_t(a.Uid), gid: C.uint32_t(a.Gid), rdev: C.uint32_t(a.Rdev), flags: C.uint32_t(a.Flags),
		size: C.uint64_t(a.Size), blocks: C.uint64_t(a.Blocks()),
		atime_ns: C.int64_t(a.Atime), mtime_ns: C.int64_t(a.Mtime), ctime_ns: C.int64_t(a.Ctime),
	}
}

func goSlice(s *C.fsmeta_slice) fsmeta.Slice {
	return fsmeta.Slice{ID: uint64(s.id), Pos: uint32(s.pos), Size: uint32(s.size), Off: uint32(s.off), Len: uint32(s.len)}
}

func putSlice(out *C.fsmeta_slice, s *fsmeta.Slice) {
	*out = C.fsmeta_slice{id: C.uint64_t(s.ID), pos: C.uint32_t(s.Pos), size: C.uint32_t(s.Size),
		off: C.uint32_t(s.Off), len: C.uint32_t(s.Len)}
}

// cAlloc allocates n bytes of C memory, released by fsmeta_buf_dispose.
func cAlloc(n int) (unsafe.Pointer, error) {
	p := C.fsmetac_malloc(C.size_t(n))
	if p == nil {
		return nil, errf(C.FSMETA_ENOMEM, "out of memory (%d bytes)", n)
	}
	return p, nil
}

// putSlices fills out with a C array of ss (out NULL: nothing).
func putSlices(out *C.fsmeta_buf, ss []fsmeta.Slice) error {
	if out == nil {
		return nil
	}
	*out = C.fsmeta_buf{}
	if len(ss) == 0 {
		return nil
	}
	size := len(ss) * int(unsafe.Sizeof(C.fsmeta_slice{}))
	p, err := cAlloc(size)
	if err != nil {
		return err
	}
	arr := unsafe.Slice((*C.fsmeta_slice)(p), len(ss))
	for i := range ss {
		putSlice(&arr[i], &ss[i])
	}
	*out = C.fsmeta_buf{data: (*C.char)(p), len: C.size_t(size), count: C.size_t(len(ss))}
	return nil
}

// putNames fills out with names, each followed by a NUL.
func putNames(out *C.fsmeta_buf, names []string) error {
	*out = C.fsmeta_buf{}
	if len(names) == 0 {
		return nil
	}
	size := 0
	for _, n := range names {
		size += len(n) + 1
	}
	p, err := cAlloc(size)
	if err != nil {
		return err
	}
	b := unsafe.Slice((*byte)(p), size)
	i := 0
	for _, n := range names {
		i += copy(b[i:], n)
		b[i] = 0
		i++
	}
	*out = C.fsmeta_buf{data: (*C.char)(p), len: C.size_t(size), count: C.size_t(len(names))}
	return nil
}

// putText fills out with s and a terminating NUL (len excludes it).
func putText(out *C.fsmeta_buf, s string) error {
	*out = C.fsmeta_buf{}
	p, err := cAlloc(len(s) + 1)
	if err != nil {
		return err
	}
	b := unsafe.Slice((*byte)(p), len(s)+1)
	copy(b, s)
	b[len(s)] = 0
	*out = C.fsmeta_buf{data: (*C.char)(p), len: C.size_t(len(s))}
	return nil
}

// checkBuf checks a caller's buffer argument (buf, size): buf may be NULL
// only when size is 0. Called before the engine is asked anything.
func checkBuf(buf *C.char, size C.size_t) error {
	if buf == nil && size > 0 {
		return errf(C.FSMETA_EINVAL, "buf is NULL but buf_size is %d", uint64(size))
	}
	return nil
}

// putBytes copies v into the caller's buffer (buf, size, checked by
// checkBuf) and reports its length in *lenOut; FSMETA_ETOOSMALL when it does
// not fit (*lenOut is written then too, as the header says). A NUL follows
// the bytes when there is room.
func putBytes(buf *C.char, size C.size_t, lenOut *C.size_t, v string) error {
	if err := checkBuf(buf, size); err != nil {
		return err
	}
	*lenOut = C.size_t(len(v))
	if uint64(size) < uint64(len(v)) {
		return errf(C.FSMETA_ETOOSMALL, "buffer of %d bytes is too small: %d needed", uint64(size), len(v))
	}
	if size == 0 {
		return nil
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(min(uint64(size), uint64(len(v))+1)))
	copy(b, v)
	if len(b) > len(v) {
		b[len(v)] = 0
	}
	return nil
}
