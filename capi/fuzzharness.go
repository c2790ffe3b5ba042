package main

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fsmeta.h"

static fsmeta_db *fz_forge_db(uint64_t v) { return (fsmeta_db *)(uintptr_t)v; }
static fsmeta_dir *fz_forge_dir(uint64_t v) { return (fsmeta_dir *)(uintptr_t)v; }
*/
import "C"

import (
	"encoding/binary"
	"fmt"
	"unsafe"
)

// fuzzCAPI drives the C API (the header's functions, through the C shim)
// with a call sequence decoded from data: raw name bytes (NUL, '/', any
// length), NULL pointers, forged and closed handles, random inodes, flags
// and slices. It returns "" when every call returned a documented kind of
// status and the state is sound afterwards (fsck clean, every handle
// released), else what went wrong. It lives in a non-test file because cgo
// cannot be used in _test.go files; FuzzCAPI (capi_test.go) calls it.
func fuzzCAPI(data []byte) string {
	base := uint64(C.fsmeta_handle_count())
	opts := C.fsmeta_options{}
	C.fsmeta_options_init(&opts, C.FSMETA_OPTIONS_VERSION)
	opts.in_memory = 1
	opts.arena_max_bytes = 64 << 20
	var db *C.fsmeta_db
	if rc := C.fsmeta_open(&db, &opts); rc != 0 {
		return fmt.Sprintf("open: %d", int(rc))
	}
	f := &fuzzer{data: data, db: db}
	defer f.freeAll()
	for n := 0; n < 200 && len(f.data) > 0; n++ {
		if msg := f.step(); msg != "" {
			C.fsmeta_close(db)
			return msg
		}
	}
	var rep C.fsmeta_buf
	if rc := C.fsmeta_fsck(&rep, db); rc != 0 {
		msg := C.GoStringN(rep.data, C.int(rep.len))
		C.fsmeta_buf_dispose(&rep)
		C.fsmeta_close(db)
		return fmt.Sprintf("fsck %d: %s", int(rc), msg)
	}
	C.fsmeta_buf_dispose(&rep)
	for _, d := range f.dirs {
		C.fsmeta_dir_close(d)
	}
	if rc := C.fsmeta_close(db); rc != 0 {
		return fmt.Sprintf("close: %d", int(rc))
	}
	if rc := C.fsmeta_close(db); rc != C.FSMETA_EBADHANDLE {
		return fmt.Sprintf("second close: %d", int(rc))
	}
	if got := uint64(C.fsmeta_handle_count()); got != base {
		return fmt.Sprintf("handles: %d before, %d after", base, got)
	}
	return ""
}

type fuzzer struct {
	data  []byte
	db    *C.fsmeta_db
	inos  []uint64
	dirs  []*C.fsmeta_dir
	alloc []unsafe.Pointer
}

func (f *fuzzer) byte() byte {
	if len(f.data) == 0 {
		return 0
	}
	b := f.data[0]
	f.data = f.data[1:]
	return b
}

func (f *fuzzer) u64() uint64 {
	var b [8]byte
	n := copy(b[:], f.data)
	f.data = f.data[n:]
	return binary.LittleEndian.Uint64(b[:])
}

// bytes returns C memory holding the next n bytes (n from the data), its
// length, and sometimes a NULL pointer with a non-zero length.
func (f *fuzzer) bytes() (*C.char, C.size_t) {
	n := int(f.byte())
	switch f.byte() % 16 {
	case 0:
		return nil, C.size_t(n + 1) // NULL with a length: must be -EINVAL
	case 1:
		n += 200 // long names
	}
	b := make([]byte, n)
	copy(b, f.data)
	f.data = f.data[min(n, len(f.data)):]
	p := C.malloc(C.size_t(n + 1))
	f.alloc = append(f.alloc, p)
	C.memcpy(p, unsafe.Pointer(unsafe.SliceData(append(b, 0))), C.size_t(n+1))
	return (*C.char)(p), C.size_t(n)
}

func (f *fuzzer) freeAll() {
	for _, p := range f.alloc {
		C.free(p)
	}
}

func (f *fuzzer) ino() C.uint64_t {
	b := f.byte()
	if len(f.inos) > 0 && b < 200 {
		return C.uint64_t(f.inos[int(b)%len(f.inos)])
	}
	return C.uint64_t(f.u64() % 64)
}

func (f *fuzzer) handle() *C.fsmeta_db {
	if f.byte()%32 == 0 {
		return C.fz_forge_db(C.uint64_t(f.u64()))
	}
	return f.db
}

func (f *fuzzer) ctx() *C.fsmeta_ctx {
	if f.byte()%2 == 0 {
		return nil
	}
	p := (*C.fsmeta_ctx)(C.malloc(C.size_t(unsafe.Sizeof(C.fsmeta_ctx{}))))
	f.alloc = append(f.alloc, unsafe.Pointer(p))
	*p = C.fsmeta_ctx{version: C.FSMETA_CTX_VERSION, uid: C.uint32_t(f.byte()%3) * 1000, gid: C.uint32_t(f.byte()%3) * 1000,
		umask: C.uint32_t(f.byte()) & 0o777}
	if f.byte()%8 == 0 {
		p.version = C.unsigned(f.byte()) // bad version: -EINVAL or FSMETA_EVERSION
	}
	return p
}

func (f *fuzzer) keep(rc C.int, a *C.fsmeta_attr) {
	if rc == 0 && a != nil && a.ino != 0 {
		f.inos = append(f.inos, uint64(a.ino))
	}
}

// status reports a status outside the documented kinds: 0, -errno (1..133),
// or the library's block at or below -1000.
func status(op string, rc C.int) string {
	r := int(rc)
	if r == 0 || (r < 0 && r >= -133) || r <= -1000 {
		if r == int(C.FSMETA_EINTERNAL) {
			return op + ": internal error (a panic in the library): " + C.GoString(C.fsmeta_last_error())
		}
		return ""
	}
	return fmt.Sprintf("%s: undocumented status %d", op, r)
}

func (f *fuzzer) step() string {
	var a C.fsmeta_attr
	db, c := f.handle(), f.ctx()
	switch op := f.byte() % 20; op {
	case 0:
		n, l := f.bytes()
		rc := C.fsmeta_mkdir(&a, db, c, f.ino(), n, l, C.uint32_t(f.byte())|0o700)
		f.keep(rc, &a)
		return status("mkdir", rc)
	case 1:
		n, l := f.bytes()
		rc := C.fsmeta_create(&a, db, c, f.ino(), n, l, C.uint32_t(f.u64()))
		f.keep(rc, &a)
		return status("create", rc)
	case 2:
		n, l := f.bytes()
		rc := C.fsmeta_lookup(&a, db, c, f.ino(), n, l)
		f.keep(rc, &a)
		return status("lookup", rc)
	case 3:
		n, l := f.bytes()
		return status("unlink", C.fsmeta_unlink(db, c, f.ino(), n, l))
	case 4:
		n, l := f.bytes()
		return status("rmdir", C.fsmeta_rmdir(db, c, f.ino(), n, l))
	case 5:
		n, l := f.bytes()
		m, ml := f.bytes()
		return status("rename", C.fsmeta_rename(db, c, f.ino(), n, l, f.ino(), m, ml, C.uint32_t(f.byte()%5)))
	case 6:
		n, l := f.bytes()
		t, tl := f.bytes()
		rc := C.fsmeta_symlink(&a, db, c, f.ino(), n, l, t, tl)
		f.keep(rc, &a)
		return status("symlink", rc)
	case 7:
		var buf [64]C.char
		var ln C.size_t
		return status("readlink", C.fsmeta_readlink(&buf[0], C.size_t(f.byte()%64), &ln, db, c, f.ino()))
	case 8:
		n, l := f.bytes()
		return status("link", C.fsmeta_link(&a, db, c, f.ino(), f.ino(), n, l))
	case 9:
		in := C.fsmeta_setattr_in{mode: C.uint32_t(f.u64()), uid: C.uint32_t(f.byte()), gid: C.uint32_t(f.byte()),
			size: C.uint64_t(f.u64() >> uint(f.byte()%64)), atime_ns: C.int64_t(f.u64())}
		return status("setattr", C.fsmeta_setattr(&a, db, c, f.ino(), C.uint32_t(f.u64()), &in))
	case 10:
		n, l := f.bytes()
		v, vl := f.bytes()
		return status("setxattr", C.fsmeta_setxattr(db, c, f.ino(), n, l, v, vl, C.uint32_t(f.byte()%4)))
	case 11:
		n, l := f.bytes()
		var buf [32]C.char
		var ln C.size_t
		return status("getxattr", C.fsmeta_getxattr(&buf[0], C.size_t(f.byte()%32), &ln, db, c, f.ino(), n, l))
	case 12:
		var b C.fsmeta_buf
		rc := C.fsmeta_listxattr(&b, db, c, f.ino())
		C.fsmeta_buf_dispose(&b)
		return status("listxattr", rc)
	case 13:
		s := C.fsmeta_slice{id: C.uint64_t(f.u64()), pos: C.uint32_t(f.u64()), size: C.uint32_t(f.u64()),
			off: C.uint32_t(f.byte()), len: C.uint32_t(f.u64())}
		return status("write_slice", C.fsmeta_slice_write(&a, db, c, f.ino(), C.uint32_t(f.byte()%4), &s))
	case 14:
		var b C.fsmeta_buf
		rc := C.fsmeta_chunk_read(&b, db, c, f.ino(), C.uint32_t(f.byte()%4))
		C.fsmeta_buf_dispose(&b)
		return status("read_chunk", rc)
	case 15:
		var d *C.fsmeta_dir
		rc := C.fsmeta_dir_open(&d, db, c, f.ino(), C.uint32_t(f.byte()%3))
		if rc == 0 {
			f.dirs = append(f.dirs, d)
		}
		return status("dir_open", rc)
	case 16:
		var e C.fsmeta_dirent
		var d *C.fsmeta_dir
		switch {
		case len(f.dirs) > 0 && f.byte()%4 != 0:
			d = f.dirs[int(f.byte())%len(f.dirs)]
		default:
			d = C.fz_forge_dir(C.uint64_t(f.u64()))
		}
		return status("dir_next", C.fsmeta_dir_next(&e, d))
	case 17:
		if len(f.dirs) > 0 {
			i := int(f.byte()) % len(f.dirs)
			rc := C.fsmeta_dir_close(f.dirs[i])
			if rc != 0 {
				return fmt.Sprintf("dir_close: %d", int(rc))
			}
			// closed: using it again must give FSMETA_EBADHANDLE
			var e C.fsmeta_dirent
			if rc := C.fsmeta_dir_next(&e, f.dirs[i]); rc != C.FSMETA_EBADHANDLE {
				return fmt.Sprintf("dir_next after close: %d", int(rc))
			}
			f.dirs = append(f.dirs[:i], f.dirs[i+1:]...)
		}
		return ""
	case 18:
		p, l := f.bytes()
		rc := C.fsmeta_mkdir_all(&a, db, c, p, l, C.uint32_t(f.byte())|0o700)
		f.keep(rc, &a)
		return status("mkdir_all", rc)
	default:
		rc := C.fsmeta_fallocate(&a, db, c, f.ino(), C.uint32_t(f.byte()%32), C.uint64_t(f.u64()>>uint(f.byte()%64)),
			C.uint64_t(f.u64()>>uint(30+f.byte()%34)))
		return status("fallocate", rc)
	}
}
