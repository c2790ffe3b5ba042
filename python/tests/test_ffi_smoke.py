"""Smoke test of the generated ctypes declarations (python/fsmeta/_ffi.py) against a built libfsmeta.

Runs under pytest or alone (python3 python/tests/test_ffi_smoke.py [getattr-count]). The library is
$FSMETA_LIBRARY, else build/c/lib/libfsmeta.so.1 (./build.sh build). fsmeta is imported from python/ as a
namespace package: the package's __init__.py belongs to the Python API and is not needed here.
"""

import ctypes
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))

from fsmeta import _ffi  # noqa: E402


def library_path():
    return os.environ.get("FSMETA_LIBRARY") or os.path.join(ROOT, "build", "c", "lib", "libfsmeta.so.1")


def open_db(lib):
    opts = _ffi.fsmeta_options(*_ffi.FSMETA_OPTIONS_INIT)
    opts.in_memory = 1
    db = ctypes.POINTER(_ffi.fsmeta_db)()
    assert lib.fsmeta_open(ctypes.byref(db), ctypes.byref(opts)) == 0, lib.fsmeta_last_error()
    return db


def test_smoke(getattr_count=20000):
    lib = _ffi.load(library_path())
    assert lib.fsmeta_version_number() == _ffi.FSMETA_VERSION_NUMBER
    assert lib.fsmeta_version_string() == _ffi.FSMETA_VERSION_STRING.encode()
    assert lib.fsmeta_strerror(_ffi.FSMETA_ENOENT)
    db = open_db(lib)
    try:
        attr = _ffi.fsmeta_attr()
        name = b"data"
        assert lib.fsmeta_mkdir(ctypes.byref(attr), db, None, _ffi.FSMETA_ROOT_INO, name, len(name), 0o755) == 0
        assert attr.mode & _ffi.FSMETA_S_IFMT == _ffi.FSMETA_S_IFDIR
        ino = attr.ino

        # a caller ctx: uid 1000 cannot create in the root directory (0755, owned by root)
        groups = (ctypes.c_uint32 * 2)(1000, 27)
        ctx = _ffi.fsmeta_ctx(*_ffi.FSMETA_CTX_INIT)
        ctx.uid, ctx.gid, ctx.groups, ctx.ngroups = 1000, 1000, groups, 2
        assert lib.fsmeta_mkdir(None, db, ctypes.byref(ctx), _ffi.FSMETA_ROOT_INO, b"x", 1, 0o755) == _ffi.FSMETA_EACCES
        assert b"EACCES" in lib.fsmeta_last_error() or lib.fsmeta_last_error()

        # an embedded NUL is passed through (length given), and refused by the library
        assert lib.fsmeta_lookup(None, db, None, _ffi.FSMETA_ROOT_INO, b"da\0ta", 5) == _ffi.FSMETA_EINVAL

        got = _ffi.fsmeta_attr()
        assert lib.fsmeta_getattr(ctypes.byref(got), db, None, ino) == 0
        assert (got.ino, got.mode, got.nlink) == (ino, attr.mode, 2)

        # library-owned buffer: listxattr after a setxattr
        assert lib.fsmeta_setxattr(db, None, ino, b"user.k", 6, b"v", 1, 0) == 0
        buf = _ffi.fsmeta_buf(*_ffi.FSMETA_BUF_INIT)
        assert lib.fsmeta_listxattr(ctypes.byref(buf), db, None, ino) == 0
        assert ctypes.string_at(buf.data, buf.len) == b"user.k\0" and buf.count == 1
        lib.fsmeta_buf_dispose(ctypes.byref(buf))
        # caller buffer: a size query, then the value
        n = ctypes.c_size_t()
        assert lib.fsmeta_getxattr(None, 0, ctypes.byref(n), db, None, ino, b"user.k", 6) == _ffi.FSMETA_ETOOSMALL
        val = ctypes.create_string_buffer(n.value + 1)
        assert lib.fsmeta_getxattr(val, len(val), ctypes.byref(n), db, None, ino, b"user.k", 6) == 0
        assert val.raw[: n.value] == b"v"

        # iterator handle
        d = ctypes.POINTER(_ffi.fsmeta_dir)()
        assert lib.fsmeta_dir_open(ctypes.byref(d), db, None, _ffi.FSMETA_ROOT_INO, _ffi.FSMETA_DIR_PLUS) == 0
        ent = _ffi.fsmeta_dirent()
        assert lib.fsmeta_dir_next(ctypes.byref(ent), d) == 0 and ent.name == b"data" and ent.attr.ino == ino
        assert lib.fsmeta_dir_next(ctypes.byref(ent), d) == _ffi.FSMETA_ITEROVER
        assert lib.fsmeta_dir_close(d) == 0

        getattr_ = lib.fsmeta_getattr
        ref = ctypes.byref(got)
        t0 = time.perf_counter()
        for _ in range(getattr_count):
            getattr_(ref, db, None, ino)
        dt = time.perf_counter() - t0
        print("ctypes getattr: %d calls, %.0f ns/call, %.0f/s" % (getattr_count, dt / getattr_count * 1e9, getattr_count / dt))
    finally:
        assert lib.fsmeta_close(db) == 0
    assert lib.fsmeta_close(db) == _ffi.FSMETA_EBADHANDLE
    assert lib.fsmeta_handle_count() == 0


if __name__ == "__main__":
    test_smoke(int(sys.argv[1]) if len(sys.argv) > 1 else 200000)
    print("ok")
