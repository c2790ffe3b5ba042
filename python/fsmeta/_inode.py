"""The inode API of FsMeta (hand-written): one method per C function, taking inode numbers and names, as the FUSE
low-level API does. The path API (_paths.py) is built on it."""

from __future__ import annotations

import ctypes
import os
import threading
import warnings
from typing import TYPE_CHECKING, Any, Iterator, List, Optional, Sequence, cast

from . import _ffi
from ._args import data as _data
from ._args import i64 as _i64
from ._args import name as _name
from ._args import slice_fields as _slice_fields
from ._args import u32 as _u32
from ._args import u64 as _u64
from ._handle import _Bound, _closed
from ._values import Attr, DirEntry, Name, PathLike, Slice, StatFS, Stats, _attr, _tuple_new, _unpack_attr

if TYPE_CHECKING:
    from ._db import FsMeta

_fsdecode = os.fsdecode
_byref = ctypes.byref
_c_attr = _ffi.fsmeta_attr
_ROOT = _ffi.FSMETA_ROOT_INO
_U64_MAX = (1 << 64) - 1


class _InodeAPI(_Bound):
    """Operations by inode number (FsMeta inherits them; see its docstring)."""

    __slots__ = ()

    # -- attributes

    def getattr(self, ino: int) -> Attr:
        """The attributes of inode ino (no permission needed). FileNotFoundError if it does not exist."""
        if ino.__class__ is not int or not 0 <= ino <= _U64_MAX:
            ino = _u64(ino, "getattr", "ino")
        db = self._h.db
        if db is None:
            raise _closed(self._h)
        a = _c_attr()
        self._lib.fsmeta_getattr(a, db, self._ctx, ino)
        return _tuple_new(Attr, _unpack_attr(a))  # type: ignore[no-any-return]

    def lookup(self, parent: int, name: Name) -> Attr:
        """The attributes of the entry name in directory parent ("." and ".." allowed)."""
        parent = _u64(parent, "lookup", "parent")
        n = _name(name, "lookup", "name")
        db = self._db()
        a = _c_attr()
        self._lib.fsmeta_lookup(a, db, self._ctx, parent, n, len(n))
        return _attr(a)

    def setattr(
        self,
        ino: int,
        *,
        mode: Optional[int] = None,
        uid: Optional[int] = None,
        gid: Optional[int] = None,
        size: Optional[int] = None,
        atime_ns: Optional[int] = None,
        mtime_ns: Optional[int] = None,
        atime_now: bool = False,
        mtime_now: bool = False,
        ctime_ns: Optional[int] = None,
        flags: Optional[int] = None,
        mask: int = 0,
    ) -> Attr:
        """Change the given attributes of ino (chmod, chown, truncate, utimes, flags); returns the new ones.

        Each keyword given adds its FSMETA_SET_* bit; mask ORs raw bits in. No keyword: nothing changes.
        """
        fn = "setattr"
        ino = _u64(ino, fn, "ino")
        mask = _u32(mask, fn, "mask")
        inp = _ffi.fsmeta_setattr_in()
        if mode is not None:
            mask |= _ffi.FSMETA_SET_MODE
            inp.mode = _u32(mode, fn, "mode")
        if uid is not None:
            mask |= _ffi.FSMETA_SET_UID
            inp.uid = _u32(uid, fn, "uid")
        if gid is not None:
            mask |= _ffi.FSMETA_SET_GID
            inp.gid = _u32(gid, fn, "gid")
        if size is not None:
            mask |= _ffi.FSMETA_SET_SIZE
            inp.size = _u64(size, fn, "size")
        if atime_ns is not None:
            mask |= _ffi.FSMETA_SET_ATIME
            inp.atime_ns = _i64(atime_ns, fn, "atime_ns")
        if mtime_ns is not None:
            mask |= _ffi.FSMETA_SET_MTIME
            inp.mtime_ns = _i64(mtime_ns, fn, "mtime_ns")
        if atime_now:
            mask |= _ffi.FSMETA_SET_ATIME_NOW
        if mtime_now:
            mask |= _ffi.FSMETA_SET_MTIME_NOW
        if ctime_ns is not None:
            mask |= _ffi.FSMETA_SET_CTIME
            inp.ctime_ns = _i64(ctime_ns, fn, "ctime_ns")
        if flags is not None:
            mask |= _ffi.FSMETA_SET_FLAGS
            inp.flags = _u32(flags, fn, "flags")
        db = self._db()
        a = _c_attr()
        self._lib.fsmeta_setattr(a, db, self._ctx, ino, mask, inp)
        return _attr(a)

    def chmod(self, ino: int, mode: int) -> Attr:
        """setattr(ino, mode=mode)."""
        return self.setattr(ino, mode=_u32(mode, "chmod", "mode"))

    def chown(self, ino: int, uid: int, gid: int) -> Attr:
        """setattr(ino, uid=uid, gid=gid)."""
        return self.setattr(ino, uid=_u32(uid, "chown", "uid"), gid=_u32(gid, "chown", "gid"))

    def truncate(self, ino: int, size: int) -> Attr:
        """setattr(ino, size=size)."""
        return self.setattr(ino, size=_u64(size, "truncate", "size"))

    def access(self, ino: int, mask: int = _ffi.FSMETA_F_OK) -> None:
        """Check that the caller may access ino with mask (os.R_OK | os.W_OK | os.X_OK, or os.F_OK).

        Returns None when allowed; raises PermissionError when denied (FileNotFoundError, ...). See may() for a
        boolean.
        """
        ino = _u64(ino, "access", "ino")
        mask = _u32(mask, "access", "mask")
        self._lib.fsmeta_access(self._db(), self._ctx, ino, mask)

    def may(self, ino: int, mask: int = _ffi.FSMETA_F_OK) -> bool:
        """Like os.access: True when allowed, False when denied (other failures still raise)."""
        try:
            self.access(ino, mask)
        except PermissionError:
            return False
        return True

    # -- creating and removing

    def mknod(self, parent: int, name: Name, mode: int, rdev: int = 0) -> Attr:
        """Create a node (regular file, fifo, socket, device: the type bits of mode; 0 is regular)."""
        parent = _u64(parent, "mknod", "parent")
        n = _name(name, "mknod", "name")
        mode = _u32(mode, "mknod", "mode")
        rdev = _u32(rdev, "mknod", "rdev")
        db = self._db()
        a = _c_attr()
        self._lib.fsmeta_mknod(a, db, self._ctx, parent, n, len(n), mode, rdev)
        return _attr(a)

    def create(self, parent: int, name: Name, mode: int = 0o666) -> Attr:
        """Create an empty regular file (the caller's umask applies)."""
        parent = _u64(parent, "create", "parent")
        n = _name(name, "create", "name")
        mode = _u32(mode, "create", "mode")
        db = self._db()
        a = _c_attr()
        self._lib.fsmeta_create(a, db, self._ctx, parent, n, len(n), mode)
        return _attr(a)

    def mkdir(self, parent: int, name: Name, mode: int = 0o777) -> Attr:
        """Create a directory (the caller's umask applies)."""
        parent = _u64(parent, "mkdir", "parent")
        n = _name(name, "mkdir", "name")
        mode = _u32(mode, "mkdir", "mode")
        db = self._db()
        a = _c_attr()
        self._lib.fsmeta_mkdir(a, db, self._ctx, parent, n, len(n), mode)
        return _attr(a)

    def symlink(self, parent: int, name: Name, target: Name) -> Attr:
        """Create a symbolic link name in parent pointing to target."""
        parent = _u64(parent, "symlink", "parent")
        n = _name(name, "symlink", "name")
        t = _name(target, "symlink", "target")
        db = self._db()
        a = _c_attr()
        self._lib.fsmeta_symlink(a, db, self._ctx, parent, n, len(n), t, len(t))
        return _attr(a)

    def readlink(self, ino: int) -> bytes:
        """The target of symlink ino, as bytes (os.fsdecode it for a str)."""
        ino = _u64(ino, "readlink", "ino")
        db = self._db()
        buf = ctypes.create_string_buffer(_ffi.FSMETA_SYMLINK_MAX + 1)
        n = ctypes.c_size_t()
        self._lib.fsmeta_readlink(buf, len(buf), _byref(n), db, self._ctx, ino)
        return buf.raw[: n.value]

    def link(self, ino: int, new_parent: int, new_name: Name) -> Attr:
        """Add the hard link new_parent/new_name to inode ino; returns ino's attributes."""
        ino = _u64(ino, "link", "ino")
        new_parent = _u64(new_parent, "link", "new_parent")
        n = _name(new_name, "link", "new_name")
        db = self._db()
        a = _c_attr()
        self._lib.fsmeta_link(a, db, self._ctx, ino, new_parent, n, len(n))
        return _attr(a)

    def unlink(self, parent: int, name: Name) -> None:
        """Remove a name that is not a directory."""
        parent = _u64(parent, "unlink", "parent")
        n = _name(name, "unlink", "name")
        self._lib.fsmeta_unlink(self._db(), self._ctx, parent, n, len(n))

    def rmdir(self, parent: int, name: Name) -> None:
        """Remove an empty directory."""
        parent = _u64(parent, "rmdir", "parent")
        n = _name(name, "rmdir", "name")
        self._lib.fsmeta_rmdir(self._db(), self._ctx, parent, n, len(n))

    def renameat(self, parent: int, name: Name, new_parent: int, new_name: Name, flags: int = 0) -> None:
        """Move parent/name to new_parent/new_name (flags: 0, RENAME_NOREPLACE or RENAME_EXCHANGE)."""
        fn = "renameat"
        parent = _u64(parent, fn, "parent")
        n = _name(name, fn, "name")
        new_parent = _u64(new_parent, fn, "new_parent")
        nn = _name(new_name, fn, "new_name")
        flags = _u32(flags, fn, "flags")
        self._lib.fsmeta_rename(self._db(), self._ctx, parent, n, len(n), new_parent, nn, len(nn), flags)

    # -- directories

    def readdir(self, ino: int = _ROOT, plus: bool = False, cursor: int = 0) -> "DirStream":
        """The entries of directory ino ("." and ".." not listed), as a DirStream: an iterator of DirEntry.

        plus=True also fetches every entry's attributes (DirEntry.stat() then needs no call). cursor (0 .. 2**64-1)
        starts the listing there: 0 (DirStream.START) from the beginning, a value of DirStream.tell() (of this
        or another listing of the same directory) to resume it. The iterator handle is opened at the first
        next() (where errors such as NotADirectoryError are raised) and closed at the end of the listing, by
        close() (or a ``with`` block), or when the DirStream is collected.
        """
        fn = "readdir"
        return DirStream(cast("FsMeta", self), _u64(ino, fn, "ino"), bool(plus), _u64(cursor, fn, "cursor"))

    def _listing(self, ino: int, plus: bool, prefix: Any, want_bytes: bool) -> Iterator[Any]:
        lib = self._lib
        db = self._db()
        fs = cast("FsMeta", self)  # the entries' owner: this class is only ever FsMeta's base
        d = ctypes.POINTER(_ffi.fsmeta_dir)()
        lib.fsmeta_dir_open(_byref(d), db, self._ctx, ino, _ffi.FSMETA_DIR_PLUS if plus else 0)
        try:
            ent = _ffi.fsmeta_dirent()
            nxt = lib.fsmeta_dir_next
            ref = _byref(ent)
            while nxt(ref, d) == 0:
                raw = ent.name
                name = raw if want_bytes else _fsdecode(raw)
                if prefix is None:
                    path = name
                elif prefix.endswith(b"/" if want_bytes else "/"):
                    path = prefix + name
                else:
                    path = prefix + (b"/" if want_bytes else "/") + name
                yield DirEntry(fs, raw, name, path, ent.ino, ent.type, _attr(ent.attr) if plus else None)
        finally:
            lib.fsmeta_dir_close(d)

    # -- file system

    def statfs(self) -> StatFS:
        """Capacity and usage."""
        out = _ffi.fsmeta_statfs_info()
        self._lib.fsmeta_statfs(_byref(out), self._db(), self._ctx)
        return StatFS(out.total_space, out.avail_space, out.used_space, out.inodes, out.avail_inodes)

    def stats(self) -> Stats:
        """Counts and memory figures of the engine."""
        out = _ffi.fsmeta_stats_info(*_ffi.FSMETA_STATS_INFO_INIT)
        self._lib.fsmeta_stats(_byref(out), self._db())
        return Stats(*(getattr(out, f) for f in Stats._fields))

    def fsck(self) -> None:
        """Check every invariant of the engine's state; raises FsMetaError (FSMETA_ECORRUPT) with the report."""
        buf = _ffi.fsmeta_buf()
        self._lib.fsmeta_fsck(_byref(buf), self._db())
        self._lib.fsmeta_buf_dispose(_byref(buf))

    def snapshot(self) -> None:
        """Take a snapshot of a durable engine now and truncate its log (the engine also takes one by itself every
        snapshot_threshold log entries: see fsmeta.open). Changes go on while it is written. An in-memory engine
        has no log: OSError EINVAL; a snapshot that could not be written is OSError EIO or FsMetaError
        (FSMETA_EINTERNAL), with the reason."""
        self._lib.fsmeta_snapshot(self._db())

    def set_test_time(self, now_ns: int) -> None:
        """Fix the time stamped on later changes (tests); 0 returns to the clock."""
        now_ns = _i64(now_ns, "set_test_time", "now_ns")
        self._lib.fsmeta_set_test_time(self._db(), now_ns)

    # -- extended attributes

    def getxattr(self, ino: int, name: Name) -> bytes:
        """The value of extended attribute name of ino (OSError ENODATA if it has none)."""
        ino = _u64(ino, "getxattr", "ino")
        n = _name(name, "getxattr", "name")
        db = self._db()
        size = 256
        ln = ctypes.c_size_t()
        while True:
            buf = ctypes.create_string_buffer(size)
            rc = self._lib.fsmeta_getxattr(buf, size, _byref(ln), db, self._ctx, ino, n, len(n))
            if rc != _ffi.FSMETA_ETOOSMALL:
                return buf.raw[: ln.value]
            size = ln.value + 1

    def setxattr(self, ino: int, name: Name, value: bytes, flags: int = 0) -> None:
        """Set extended attribute name of ino to value (flags: 0, XATTR_CREATE or XATTR_REPLACE)."""
        ino = _u64(ino, "setxattr", "ino")
        n = _name(name, "setxattr", "name")
        v = _data(value, "setxattr", "value")
        flags = _u32(flags, "setxattr", "flags")
        self._lib.fsmeta_setxattr(self._db(), self._ctx, ino, n, len(n), v, len(v), flags)

    def listxattr(self, ino: int) -> List[str]:
        """The names of ino's extended attributes the caller may see, sorted (str, os.fsdecode)."""
        return [_fsdecode(n) for n in self.listxattr_bytes(ino)]

    def listxattr_bytes(self, ino: int) -> List[bytes]:
        """listxattr with the names as bytes."""
        ino = _u64(ino, "listxattr", "ino")
        buf = _ffi.fsmeta_buf()
        self._lib.fsmeta_listxattr(_byref(buf), self._db(), self._ctx, ino)
        try:
            data = ctypes.string_at(buf.data, buf.len) if buf.len else b""
        finally:
            self._lib.fsmeta_buf_dispose(_byref(buf))
        return data.split(b"\0")[:-1] if data else []

    def removexattr(self, ino: int, name: Name) -> None:
        """Remove extended attribute name of ino."""
        ino = _u64(ino, "removexattr", "ino")
        n = _name(name, "removexattr", "name")
        self._lib.fsmeta_removexattr(self._db(), self._ctx, ino, n, len(n))

    # -- files and their data

    def fallocate(self, ino: int, mode: int, offset: int, length: int) -> Attr:
        """Reserve (mode 0), punch a hole or zero a range of regular file ino; returns the new attributes."""
        fn = "fallocate"
        ino, mode = _u64(ino, fn, "ino"), _u32(mode, fn, "mode")
        offset, length = _u64(offset, fn, "offset"), _u64(length, fn, "length")
        a = _c_attr()
        self._lib.fsmeta_fallocate(a, self._db(), self._ctx, ino, mode, offset, length)
        return _attr(a)

    def open_file(self, ino: int, flags: int = _ffi.FSMETA_O_RDONLY) -> Attr:
        """Check access for flags (O_RDONLY/O_WRONLY/O_RDWR, O_TRUNC, O_APPEND) and count an open of ino."""
        ino, flags = _u64(ino, "open_file", "ino"), _u32(flags, "open_file", "flags")
        a = _c_attr()
        self._lib.fsmeta_file_open(a, self._db(), self._ctx, ino, flags)
        return _attr(a)

    def close_file(self, ino: int) -> None:
        """End one open_file of ino."""
        ino = _u64(ino, "close_file", "ino")
        self._lib.fsmeta_file_close(self._db(), self._ctx, ino)

    def release_file(self, ino: int) -> None:
        """Deprecated name of close_file (release 1.0; docs/names.md): warns DeprecationWarning, then closes."""
        warnings.warn("release_file is deprecated: use close_file", DeprecationWarning, stacklevel=2)
        self.close_file(ino)

    def new_slice_id(self, n: int = 1) -> int:
        """Reserve n consecutive slice ids; returns the first."""
        n = _u32(n, "new_slice_id", "n")
        out = ctypes.c_uint64()
        self._lib.fsmeta_slice_id_new(_byref(out), self._db(), self._ctx, n)
        return out.value

    def write_slice(self, ino: int, chunk: int, s: Slice) -> Attr:
        """Place slice s in chunk number chunk of regular file ino; returns the new attributes."""
        fn = "write_slice"
        ino, chunk = _u64(ino, fn, "ino"), _u32(chunk, fn, "chunk")
        cs = _ffi.fsmeta_slice(*_slice_fields(s, fn, "s"))
        a = _c_attr()
        self._lib.fsmeta_slice_write(a, self._db(), self._ctx, ino, chunk, _byref(cs))
        return _attr(a)

    def read_chunk(self, ino: int, chunk: int) -> List[Slice]:
        """The slices of chunk number chunk of ino, in write order, clipped to the file size."""
        ino, chunk = _u64(ino, "read_chunk", "ino"), _u32(chunk, "read_chunk", "chunk")
        buf = _ffi.fsmeta_buf()
        self._lib.fsmeta_chunk_read(_byref(buf), self._db(), self._ctx, ino, chunk)
        return self._slices(buf)

    def compact_chunk(self, ino: int, chunk: int, replaced: Sequence[Slice] = (),
                      with_: Optional[Slice] = None) -> List[Slice]:
        """Rewrite a chunk's slice list; returns the slices dropped.

        replaced empty: drop the slices later ones cover entirely. Else, if the list still begins with exactly
        replaced, they become with_ (BlockingIOError, EAGAIN, when the chunk changed meanwhile).
        """
        fn = "compact_chunk"
        ino, chunk = _u64(ino, fn, "ino"), _u32(chunk, fn, "chunk")
        try:
            replaced = list(replaced)
        except TypeError:
            raise TypeError("compact_chunk() argument 'replaced' must be a sequence of Slice, not %s"
                            % type(replaced).__name__) from None
        cs = [_ffi.fsmeta_slice(*_slice_fields(s, fn, "replaced[%d]" % i)) for i, s in enumerate(replaced)]
        w = _byref(_ffi.fsmeta_slice(*_slice_fields(with_, fn, "with_"))) if with_ is not None else None
        buf = _ffi.fsmeta_buf()
        arr = (_ffi.fsmeta_slice * len(cs))(*cs) if cs else None
        self._lib.fsmeta_chunk_compact(_byref(buf), self._db(), self._ctx, ino, chunk, arr, len(replaced), w)
        return self._slices(buf)

    def _slices(self, buf: Any) -> List[Slice]:
        try:
            if not buf.count:
                return []
            arr = ctypes.cast(buf.data, ctypes.POINTER(_ffi.fsmeta_slice))
            return [Slice(s.id, s.pos, s.size, s.off, s.len) for s in arr[: buf.count]]
        finally:
            self._lib.fsmeta_buf_dispose(_byref(buf))

    # -- paths (engine level)

    def resolve(self, path: PathLike, follow: bool = False) -> Attr:
        """Walk a path from the root (symlinks in the middle followed; the last one too with follow=True).

        The empty path names nothing (FileNotFoundError, as os.stat("")); a NUL in path is OSError EINVAL.
        """
        p = _name(path, "resolve", "path")
        db = self._db()
        a = _c_attr()
        self._lib.fsmeta_resolve(a, db, self._ctx, p, len(p), _ffi.FSMETA_RESOLVE_FOLLOW if follow else 0)
        return _attr(a)

    def mkdir_all(self, path: PathLike, mode: int = 0o777) -> Attr:
        """Create every missing directory of path (mkdir -p); returns the last directory's attributes."""
        p = _name(path, "mkdir_all", "path")
        mode = _u32(mode, "mkdir_all", "mode")
        db = self._db()
        a = _c_attr()
        self._lib.fsmeta_mkdir_all(a, db, self._ctx, p, len(p), mode)
        return _attr(a)


class DirStream:
    """A directory listing in progress (FsMeta.readdir): iterate it for DirEntry objects, in the engine's order;
    every entry that exists during the whole listing comes exactly once.

    A listing can be resumed (FUSE's readdir offsets, NFS cookies): tell() is the cursor of the entry the next
    next() returns, seek(cursor) continues from a cursor, and fs.readdir(ino, cursor=c) starts a new listing
    there. A cursor is an int in 0 .. 2**64-1, a hash of the next name, so it stays valid whatever changes in the
    directory: from it, every entry that exists throughout comes exactly once. START (0) is the beginning, END
    (2**64-1) is after the last entry.

    The native iterator is opened at the first next() and closed at the end of the listing, by close() (or leaving
    a ``with`` block) and when the DirStream is collected. After close(), next() raises StopIteration (as a closed
    generator) and tell() and seek() raise ValueError (as a closed file's methods). Calls are serialized; a
    DirStream is meant for one thread.
    """

    __slots__ = ("_fs", "_ino", "_plus", "_d", "_cursor", "_state", "_lock", "_ent", "__weakref__")

    START = 0
    END = _U64_MAX

    _NEW, _OPEN, _ENDED, _CLOSED = range(4)

    def __init__(self, fs: "FsMeta", ino: int, plus: bool, cursor: int) -> None:
        self._fs = fs
        self._ino = ino
        self._plus = plus
        self._d: Any = None
        self._cursor = cursor  # where the native iterator starts when it is (re)opened
        self._state = DirStream._NEW
        self._lock = threading.Lock()
        self._ent = _ffi.fsmeta_dirent()

    @property
    def ino(self) -> int:
        """The directory listed."""
        return self._ino

    @property
    def plus(self) -> bool:
        """Whether entries carry their attributes."""
        return self._plus

    @property
    def closed(self) -> bool:
        """Whether close() was called."""
        return self._state == DirStream._CLOSED

    def _open(self) -> Any:
        fs = self._fs
        lib = fs._lib
        d = ctypes.POINTER(_ffi.fsmeta_dir)()
        lib.fsmeta_dir_open(_byref(d), fs._db(), fs._ctx, self._ino, _ffi.FSMETA_DIR_PLUS if self._plus else 0)
        try:
            if self._cursor:
                lib.fsmeta_dir_seek(d, self._cursor)
        except BaseException:
            lib.fsmeta_dir_close(d)
            raise
        self._d = d
        self._state = DirStream._OPEN
        return d

    def _release(self) -> None:
        d, self._d = self._d, None
        if d is not None and not self._fs._h.forked:  # nothing of the library may run in a forked child
            self._fs._lib.fsmeta_dir_close(d)

    def __iter__(self) -> "DirStream":
        return self

    def __next__(self) -> "DirEntry[str]":
        with self._lock:
            state = self._state
            if state == DirStream._OPEN:
                d = self._d
            elif state == DirStream._NEW:
                d = self._open()
            else:
                raise StopIteration
            ent = self._ent
            if self._fs._lib.fsmeta_dir_next(_byref(ent), d) != 0:  # FSMETA_ITEROVER (failures raise)
                self._release()
                self._state = DirStream._ENDED
                self._cursor = _U64_MAX
                raise StopIteration
            raw = ent.name
            name = _fsdecode(raw)
            return DirEntry(self._fs, raw, name, name, ent.ino, ent.type, _attr(ent.attr) if self._plus else None)

    def tell(self) -> int:
        """The cursor of the entry the next next() returns (an int in 0 .. 2**64-1; END after the last entry),
        to resume the listing there with seek() or readdir(ino, cursor=...). Before the first next() it is the
        cursor the listing starts from. ValueError after close()."""
        with self._lock:
            state = self._state
            if state == DirStream._CLOSED:
                raise ValueError("tell() on a closed DirStream")
            if state != DirStream._OPEN:
                return self._cursor
            out = ctypes.c_uint64()
            self._fs._lib.fsmeta_dir_tell(_byref(out), self._d)
            return out.value

    def seek(self, cursor: int) -> None:
        """Make the next next() continue from cursor: START (0), a value of tell() (of this listing or another one
        of the same directory), or END. Entries fetched before are dropped and the next next() asks the engine
        again (read permission is checked again); a listing that had ended or failed goes on from there (but one
        of a closed database keeps failing with FSMETA_ECLOSED). cursor outside 0 .. 2**64-1 is OverflowError, a
        non-int TypeError; ValueError after close()."""
        cursor = _u64(cursor, "seek", "cursor")
        with self._lock:
            state = self._state
            if state == DirStream._CLOSED:
                raise ValueError("seek() on a closed DirStream")
            if state == DirStream._OPEN:
                self._fs._lib.fsmeta_dir_seek(self._d, cursor)
            else:  # not open yet, or ended (its iterator released): reopened there at the next next()
                self._cursor = cursor
                self._state = DirStream._NEW

    def close(self) -> None:
        """End the listing and release the iterator (idempotent)."""
        with self._lock:
            self._state = DirStream._CLOSED
            self._release()

    def __enter__(self) -> "DirStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            if self._d is not None:
                self._release()
        except Exception:  # noqa: S110 - a finalizer must not raise
            pass

    def __repr__(self) -> str:
        state = ("new", "open", "ended", "closed")[self._state]
        return "<fsmeta.DirStream of inode %d (%s)>" % (self._ino, state)
