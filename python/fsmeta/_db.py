"""The database object (hand-written): fsmeta.open() and FsMeta's lifetime (as_caller views, close, the context
manager, collection). Its operations are inherited: the inode API from _inode.py, the path API from _paths.py."""

from __future__ import annotations

import ctypes
import os as _os
from typing import Any, Optional, Sequence

from . import _ffi
from ._args import name as _name
from ._args import u32 as _u32
from ._args import u64 as _u64
from ._handle import _HANDLES, _Handle
from ._lib import library
from ._paths import _PathAPI
from ._values import Caller, PathLike

_byref = ctypes.byref


def open(  # noqa: A001 - the module's entry point, like io.open
    dir: Optional[PathLike] = None,
    *,
    capacity: int = 0,
    max_inodes: int = 0,
    arena_max_bytes: int = 0,
    snapshot_threshold: int = 0,
    library_path: Optional[str] = None,
    umask: Optional[int] = None,
) -> "FsMeta":
    """Open a database: in memory when dir is None (nothing survives close), else the durable engine in dir.

    capacity: bytes statfs reports as the total (0: 1 PiB); max_inodes: the inode limit (0: 2^40);
    arena_max_bytes: the most memory the namespace may use (0: 32 GiB); snapshot_threshold: the log entries after
    which the durable engine takes a snapshot by itself and truncates its log (0: 200,000; fs.snapshot() takes one
    now; an in-memory engine has no log and ignores it). Each is an int in 0 .. 2**64-1 (OverflowError outside,
    TypeError for a non-int). library_path: see library().
    The returned object's operations run as root with umask (default: this process's umask, read now, so that
    makedirs and touch make the modes os.makedirs and open would; 0 applies no mask).
    Returns an FsMeta (a context manager: close() on exit).
    """
    if umask is None:
        umask = _os.umask(0)
        _os.umask(umask)
    umask = _u32(umask, "open", "umask")
    capacity = _u64(capacity, "open", "capacity")
    max_inodes = _u64(max_inodes, "open", "max_inodes")
    arena_max_bytes = _u64(arena_max_bytes, "open", "arena_max_bytes")
    snapshot_threshold = _u64(snapshot_threshold, "open", "snapshot_threshold")
    dir_b = None if dir is None else _name(dir, "open", "dir")
    if dir_b is not None and b"\0" in dir_b:
        raise ValueError("open() argument 'dir' holds a NUL byte")
    lib = library(library_path)
    opts = _ffi.fsmeta_options(*_ffi.FSMETA_OPTIONS_INIT)
    if dir_b is None:
        opts.in_memory = 1
    else:
        opts.dir = dir_b
    opts.capacity = capacity
    opts.max_inodes = max_inodes
    opts.arena_max_bytes = arena_max_bytes
    opts.snapshot_threshold = snapshot_threshold
    db = ctypes.POINTER(_ffi.fsmeta_db)()
    lib.fsmeta_open(_byref(db), _byref(opts))
    h = _Handle(db)
    _HANDLES.add(h)
    return FsMeta(_owner=True, _handle=h, _lib=lib, _caller=Caller(0, 0, (), umask) if umask else None)



class FsMeta(_PathAPI):
    """An open fsmeta database (from fsmeta.open()).

    Two kinds of methods:

    - inode operations, one per C function, taking inode numbers and names: lookup, getattr, setattr, access,
      mknod, create, mkdir, symlink, readlink, link, unlink, rmdir, renameat, readdir, statfs, getxattr,
      setxattr, listxattr, removexattr, fallocate, open_file, close_file, new_slice_id, write_slice,
      read_chunk, compact_chunk, resolve, mkdir_all, fsck, stats, snapshot (readdir returns a DirStream, whose
      tell() and seek() resume a listing);
    - a path API in the manner of os: stat, lstat, exists, lexists, isdir, isfile, islink, getsize, listdir,
      scandir, walk, makedirs, touch, utime, rename, replace, remove, removedir, removedirs, rmtree; every os
      function by path as ``fs.os`` (mkdir, symlink, readlink, link, chmod, chown, truncate, access, the xattr
      functions, ...: FsMeta's own names take inode numbers) and os.path's as ``fs.os.path``; a pathlib-like
      ``fs.path("/a") / "b"`` (fsmeta.Path). Paths are from the root ("/a/b" or "a/b").

    Names and paths are str (encoded with os.fsencode: the file-system encoding with surrogateescape) or bytes.
    Inode numbers, sizes and offsets are ints in 0 .. 2**64-1, modes, flags, ids and chunk numbers in 0 .. 2**32-1;
    an int outside its range raises OverflowError (it is never wrapped), an argument of the wrong type TypeError,
    both naming the method and the parameter. The empty path names nothing (FileNotFoundError, as os.stat("")).
    Failures raise OSError subclasses (FileNotFoundError, ...) or FsMetaError. Operations run as the caller of
    the object: root with the process's umask for fsmeta.open(), another identity for a view made by as_caller(). Every method may be
    called from any thread; calls release the GIL.

    close() (or leaving a ``with`` block) closes the database; later calls raise FsMetaError (FSMETA_ECLOSED).
    Closing twice is harmless, and a forgotten FsMeta is closed when collected.
    """

    __slots__ = ("_h", "_lib", "_ctx", "_groups", "_owner", "caller", "__weakref__")

    def __init__(self, *, _owner: bool, _handle: _Handle, _lib: Any, _caller: Optional[Caller] = None) -> None:
        self._owner = _owner
        self._h = _handle
        self._lib = _lib
        self.caller: Caller = _caller or Caller()
        self._groups: Any = None
        self._ctx: Any = None  # NULL: root
        if _caller is not None:
            ctx = _ffi.fsmeta_ctx(*_ffi.FSMETA_CTX_INIT)
            ctx.uid, ctx.gid, ctx.umask = _caller.uid, _caller.gid, _caller.umask
            if _caller.groups:
                self._groups = (ctypes.c_uint32 * len(_caller.groups))(*_caller.groups)
                ctx.groups = self._groups
                ctx.ngroups = len(_caller.groups)
            self._ctx = ctx

    # -- lifetime

    def as_caller(self, uid: int = 0, gid: int = 0, groups: Sequence[int] = (), umask: int = 0) -> "FsMeta":
        """A view of the same database whose operations run as this identity (POSIX permission checks apply;
        uid 0 bypasses them). The view does not own the database: its close() does nothing, and it fails like
        its owner once the owner is closed."""
        fn = "as_caller"
        uid, gid, umask = _u32(uid, fn, "uid"), _u32(gid, fn, "gid"), _u32(umask, fn, "umask")
        try:
            gs = tuple(groups)
        except TypeError:
            raise TypeError("as_caller() argument 'groups' must be a sequence of int, not %s"
                            % type(groups).__name__) from None
        gs = tuple(_u32(g, fn, "groups[%d]" % i) for i, g in enumerate(gs))
        return FsMeta(_owner=False, _handle=self._h, _lib=self._lib, _caller=Caller(uid, gid, gs, umask))

    @property
    def closed(self) -> bool:
        """Whether the database is closed."""
        return self._h.db is None

    def close(self) -> None:
        """Close the database (if this object owns it) and release its memory. Idempotent; thread-safe.

        Calls running on other threads finish or fail with FsMetaError; listings still open fail on their next
        entry.
        """
        h = self._h
        if not self._owner or h.db is None:
            return
        with h.lock:
            db, h.db = h.db, None
            if db is not None:
                self._lib.fsmeta_close(db)

    def __enter__(self) -> "FsMeta":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        # Guarded: it may run at interpreter exit, twice, after a failed __init__, or in a forked child.
        try:
            h = self._h
            if self._owner and h.db is not None and not h.forked:
                self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return "<fsmeta.FsMeta %s uid=%d gid=%d>" % (state, self.caller.uid, self.caller.gid)
