package main

/*
#include <stdint.h>
#include <stdlib.h>
#include "fsmeta.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"strings"
	"unsafe"
)

// limitsCAPI checks the C API's limits on an engine in memory (dir "") or
// durable in dir: a ctx of FSMETA_GROUPS_MAX groups works and every group
// counts (the last one grants access); a ctx of FSMETA_GROUPS_MAX+1 or
// 100,000 groups is refused by reads and changes with -EINVAL and a message
// (never truncated to the limit); replaced_count over FSMETA_REPLACED_MAX
// is -EINVAL; and a durable directory opens again afterwards with what was
// made. It returns "" or what went wrong. It lives in a non-test file
// because cgo cannot be used in _test.go files (limits_test.go calls it).
func limitsCAPI(dir string) (msg string) {
	runtime.LockOSThread() // fsmeta_last_error is the calling thread's
	defer runtime.UnlockOSThread()
	var frees []unsafe.Pointer
	defer func() {
		for _, p := range frees {
			C.free(p)
		}
	}()
	cmem := func(n uintptr) unsafe.Pointer {
		p := C.calloc(1, C.size_t(n))
		frees = append(frees, p)
		return p
	}
	cstr := func(s string) (*C.char, C.size_t) {
		p := (*C.char)(cmem(uintptr(len(s) + 1)))
		copy(unsafe.Slice((*byte)(unsafe.Pointer(p)), len(s)), s)
		return p, C.size_t(len(s))
	}
	open := func() (*C.fsmeta_db, string) {
		opts := (*C.fsmeta_options)(cmem(unsafe.Sizeof(C.fsmeta_options{})))
		C.fsmeta_options_init(opts, C.FSMETA_OPTIONS_VERSION)
		opts.arena_max_bytes = 64 << 20
		if dir == "" {
			opts.in_memory = 1
		} else {
			opts.dir, _ = cstr(dir)
		}
		var db *C.fsmeta_db
		if rc := C.fsmeta_open(&db, opts); rc != 0 {
			return nil, fmt.Sprintf("open: %d: %s", int(rc), C.GoString(C.fsmeta_last_error()))
		}
		return db, ""
	}
	// ctx returns a caller (uid 1000, gid 1000) with n groups, the last 4242.
	ctx := func(n int) *C.fsmeta_ctx {
		c := (*C.fsmeta_ctx)(cmem(unsafe.Sizeof(C.fsmeta_ctx{})))
		*c = C.fsmeta_ctx{version: C.FSMETA_CTX_VERSION, uid: 1000, gid: 1000, umask: 0o022}
		gs := unsafe.Slice((*C.uint32_t)(cmem(uintptr(n)*4)), n)
		for i := range gs {
			gs[i] = C.uint32_t(100_000 + i)
		}
		gs[n-1] = 4242
		c.groups, c.ngroups = &gs[0], C.size_t(n)
		return c
	}

	db, msg := open()
	if db == nil {
		return msg
	}
	defer func() {
		if db != nil {
			C.fsmeta_close(db)
		}
	}()
	var g, x C.fsmeta_attr
	gn, gl := cstr("g")
	xn, xl := cstr("x")
	if rc := C.fsmeta_mkdir(&g, db, nil, C.FSMETA_ROOT_INO, gn, gl, 0o770); rc != 0 {
		return fmt.Sprintf("mkdir g: %d", int(rc))
	}
	in := (*C.fsmeta_setattr_in)(cmem(unsafe.Sizeof(C.fsmeta_setattr_in{})))
	in.gid = 4242
	if rc := C.fsmeta_setattr(nil, db, nil, g.ino, C.FSMETA_SET_GID, in); rc != 0 {
		return fmt.Sprintf("setattr g: %d", int(rc))
	}
	max := ctx(C.FSMETA_GROUPS_MAX)
	if rc := C.fsmeta_create(&x, db, max, g.ino, xn, xl, 0o644); rc != 0 {
		return fmt.Sprintf("create with FSMETA_GROUPS_MAX groups: %d: %s", int(rc), C.GoString(C.fsmeta_last_error()))
	}
	short := ctx(C.FSMETA_GROUPS_MAX)
	short.ngroups-- // without 4242
	if rc := C.fsmeta_lookup(nil, db, short, g.ino, xn, xl); rc != C.FSMETA_EACCES {
		return fmt.Sprintf("lookup without the group: %d, want -EACCES", int(rc))
	}
	for _, n := range []int{C.FSMETA_GROUPS_MAX + 1, 100_000} {
		c := ctx(n)
		want := fmt.Sprintf("caller has %d supplementary groups", n)
		yn, yl := cstr("y")
		for what, call := range map[string]func() C.int{
			"getattr": func() C.int { return C.fsmeta_getattr(nil, db, c, x.ino) },
			"lookup":  func() C.int { return C.fsmeta_lookup(nil, db, c, g.ino, xn, xl) },
			"create":  func() C.int { return C.fsmeta_create(nil, db, c, g.ino, yn, yl, 0o644) },
			"mkdir":   func() C.int { return C.fsmeta_mkdir(nil, db, c, g.ino, yn, yl, 0o755) },
		} {
			if rc := call(); rc != C.FSMETA_EINVAL {
				return fmt.Sprintf("%s with %d groups: %d, want -EINVAL", what, n, int(rc))
			}
			if e := C.GoString(C.fsmeta_last_error()); !strings.Contains(e, want) {
				return fmt.Sprintf("%s with %d groups: the message %q does not say %q", what, n, e, want)
			}
		}
	}
	with := (*C.fsmeta_slice)(cmem(unsafe.Sizeof(C.fsmeta_slice{})))
	*with = C.fsmeta_slice{id: 1, size: 1, len: 1}
	replaced := (*C.fsmeta_slice)(cmem(unsafe.Sizeof(C.fsmeta_slice{}) * (C.FSMETA_REPLACED_MAX + 1)))
	if rc := C.fsmeta_chunk_compact(nil, db, nil, x.ino, 0, replaced, C.FSMETA_REPLACED_MAX, with); rc != C.FSMETA_EAGAIN {
		return fmt.Sprintf("compact_chunk of FSMETA_REPLACED_MAX slices: %d, want -EAGAIN", int(rc))
	}
	if rc := C.fsmeta_chunk_compact(nil, db, nil, x.ino, 0, replaced, C.FSMETA_REPLACED_MAX+1, with); rc != C.FSMETA_EINVAL {
		return fmt.Sprintf("compact_chunk of FSMETA_REPLACED_MAX+1 slices: %d, want -EINVAL", int(rc))
	}
	if rc := C.fsmeta_fsck(nil, db); rc != 0 {
		return fmt.Sprintf("fsck: %d", int(rc))
	}
	if dir == "" {
		return ""
	}
	C.fsmeta_close(db)
	if db, msg = open(); db == nil {
		return "reopen: " + msg
	}
	if rc := C.fsmeta_lookup(nil, db, max, g.ino, xn, xl); rc != 0 {
		return fmt.Sprintf("lookup of g/x after reopening: %d", int(rc))
	}
	if rc := C.fsmeta_fsck(nil, db); rc != 0 {
		return fmt.Sprintf("fsck after reopening: %d", int(rc))
	}
	return ""
}
