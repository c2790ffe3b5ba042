"""The inode API of FsMeta (hand-written): one method per C function, taking inode numbers and names, as the FUSE
low-level API does. The path API (_paths.py) is built on it."""

from __future__ import annotations

import ctypes
import os
from typing import TYPE_CHECKING, Any, Iterator, List, Optional, Sequence, cast

from . import _ffi
from ._handle import _Bound, _closed
from ._values import Attr, DirEntry, Name, PathLike, Slice, StatFS, Stats, _attr, _tuple_new, _unpack_attr

if TYPE_CHECKING:
    from ._db import FsMeta

_fsencode = os.fsencode
_fsdecode = os.fsdecode
_byref = ctypes.byref
_c_attr = _ffi.fsmeta_attr
_ROOT = _ffi.FSMETA_ROOT_INO


class _InodeAPI(_Bound):
    """Operations by inode number (FsMeta inherits them; see its docstring)."""

    __slots__ = ()

    # -- attributes

    def getattr(self, ino: int) -> Attr:
        """The attributes of inode ino (no permission needed). FileNotFoundError if it does not exist."""
        db = self._h.db
        if db is None:
            raise _closed(self._h)
        a = _c_attr()
        self._lib.fsmeta_getattr(a, db, self._ctx, ino)
        return _tuple_new(Attr, _unpack_attr(a))  # type: ignore[no-any-return]

    def lookup(self, parent: int, name: Name) -> Attr:
        """The attributes of the entry name in directory parent ("." and ".." allowed)."""
        db = self._db()
        n = _fsencode(name)
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
        db = self._db()
        inp = _ffi.fsmeta_setattr_in()
        if mode is not None:
            mask |= _ffi.FSMETA_SET_MODE
            inp.mode = mode
        if uid is not None:
            mask |= _ffi.FSMETA_SET_UID
            inp.uid = uid
        if gid is not None:
            mask |= _ffi.FSMETA_SET_GID
            inp.gid = gid
        if size is not None:
            mask |= _ffi.FSMETA_SET_SIZE
            inp.size = size
        if atime_ns is not None:
            mask |= _ffi.FSMETA_SET_ATIME
            inp.atime_ns = atime_ns
        if mtime_ns is not None:
            mask |= _ffi.FSMETA_SET_MTIME
            inp.mtime_ns = mtime_ns
        if atime_now:
            mask |= _ffi.FSMETA_SET_ATIME_NOW
        if mtime_now:
            mask |= _ffi.FSMETA_SET_MTIME_NOW
        if ctime_ns is not None:
            mask |= _ffi.FSMETA_SET_CTIME
            inp.ctime_ns = ctime_ns
        if flags is not None:
            mask |= _ffi.FSMETA_SET_FLAGS
            inp.flags = flags
        a = _c_attr()
        self._lib.fsmeta_setattr(a, db, self._ctx, ino, mask, inp)
        return _attr(a)

    def chmod(self, ino: int, mode: int) -> Attr:
        """setattr(ino, mode=mode)."""
        return self.setattr(ino, mode=mode)

    def chown(self, ino: int, uid: int, gid: int) -> Attr:
        """setattr(ino, uid=uid, gid=gid)."""
        return self.setattr(ino, uid=uid, gid=gid)

    def truncate(self, ino: int, size: int) -> Attr:
        """setattr(ino, size=size)."""
        return self.setattr(ino, size=size)

    def access(self, ino: int, mask: int = _ffi.FSMETA_F_OK) -> None:
        """Check that the caller may access ino with mask (os.R_OK | os.W_OK | os.X_OK, or os.F_OK).

        Returns None when allowed; raises PermissionError when denied (FileNotFoundError, ...). See may() for a
        boolean.
        """
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
        db = self._db()
        n = _fsencode(name)
        a = _c_attr()
        self._lib.fsmeta_mknod(a, db, self._ctx, parent, n, len(n), mode, rdev)
        return _attr(a)

    def create(self, parent: int, name: Name, mode: int = 0o666) -> Attr:
        """Create an empty regular file (the caller's umask applies)."""
        db = self._db()
        n = _fsencode(name)
        a = _c_attr()
        self._lib.fsmeta_create(a, db, self._ctx, parent, n, len(n), mode)
        return _attr(a)

    def mkdir(self, parent: int, name: Name, mode: int = 0o777) -> Attr:
        """Create a directory (the caller's umask applies)."""
        db = self._db()
        n = _fsencode(name)
        a = _c_attr()
        self._lib.fsmeta_mkdir(a, db, self._ctx, parent, n, len(n), mode)
        return _attr(a)

    def symlink(self, parent: int, name: Name, target: Name) -> Attr:
        """Create a symbolic link name in parent pointing to target."""
        db = self._db()
        n = _fsencode(name)
        t = _fsencode(target)
        a = _c_attr()
        self._lib.fsmeta_symlink(a, db, self._ctx, parent, n, len(n), t, len(t))
        return _attr(a)

    def readlink(self, ino: int) -> bytes:
        """The target of symlink ino, as bytes (os.fsdecode it for a str)."""
        db = self._db()
        buf = ctypes.create_string_buffer(_ffi.FSMETA_SYMLINK_MAX + 1)
        n = ctypes.c_size_t()
        self._lib.fsmeta_readlink(buf, len(buf), _byref(n), db, self._ctx, ino)
        return buf.raw[: n.value]

    def link(self, ino: int, new_parent: int, new_name: Name) -> Attr:
        """Add the hard link new_parent/new_name to inode ino; returns ino's attributes."""
        db = self._db()
        n = _fsencode(new_name)
        a = _c_attr()
        self._lib.fsmeta_link(a, db, self._ctx, ino, new_parent, n, len(n))
        return _attr(a)

    def unlink(self, parent: int, name: Name) -> None:
        """Remove a name that is not a directory."""
        n = _fsencode(name)
        self._lib.fsmeta_unlink(self._db(), self._ctx, parent, n, len(n))

    def rmdir(self, parent: int, name: Name) -> None:
        """Remove an empty directory."""
        n = _fsencode(name)
        self._lib.fsmeta_rmdir(self._db(), self._ctx, parent, n, len(n))

    def renameat(self, parent: int, name: Name, new_parent: int, new_name: Name, flags: int = 0) -> None:
        """Move parent/name to new_parent/new_name (flags: 0, RENAME_NOREPLACE or RENAME_EXCHANGE)."""
        n = _fsencode(name)
        nn = _fsencode(new_name)
        self._lib.fsmeta_rename(self._db(), self._ctx, parent, n, len(n), new_parent, nn, len(nn), flags)

    # -- directories

    def readdir(self, ino: int = _ROOT, plus: bool = False) -> Iterator[DirEntry[str]]:
        """The entries of directory ino ("." and ".." not listed), as a generator of DirEntry.

        plus=True also fetches every entry's attributes (DirEntry.stat() then needs no call). The iterator
        handle is opened at the first next() (where errors such as NotADirectoryError are raised) and closed when
        the generator ends, is closed, or is collected.
        """
        return self._listing(ino, plus, None, False)

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

    def set_test_time(self, now_ns: int) -> None:
        """Fix the time stamped on later changes (tests); 0 returns to the clock."""
        self._lib.fsmeta_set_test_time(self._db(), now_ns)

    # -- extended attributes

    def getxattr(self, ino: int, name: Name) -> bytes:
        """The value of extended attribute name of ino (OSError ENODATA if it has none)."""
        db = self._db()
        n = _fsencode(name)
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
        n = _fsencode(name)
        v = bytes(value)
        self._lib.fsmeta_setxattr(self._db(), self._ctx, ino, n, len(n), v, len(v), flags)

    def listxattr(self, ino: int) -> List[str]:
        """The names of ino's extended attributes the caller may see, sorted (str, os.fsdecode)."""
        return [_fsdecode(n) for n in self.listxattr_bytes(ino)]

    def listxattr_bytes(self, ino: int) -> List[bytes]:
        """listxattr with the names as bytes."""
        buf = _ffi.fsmeta_buf()
        self._lib.fsmeta_listxattr(_byref(buf), self._db(), self._ctx, ino)
        try:
            data = ctypes.string_at(buf.data, buf.len) if buf.len else b""
        finally:
            self._lib.fsmeta_buf_dispose(_byref(buf))
        return data.split(b"\0")[:-1] if data else []

    def removexattr(self, ino: int, name: Name) -> None:
        """Remove extended attribute name of ino."""
        n = _fsencode(name)
        self._lib.fsmeta_removexattr(self._db(), self._ctx, ino, n, len(n))

    # -- files and their data

    def fallocate(self, ino: int, mode: int, offset: int, length: int) -> Attr:
        """Reserve (mode 0), punch a hole or zero a range of regular file ino; returns the new attributes."""
        a = _c_attr()
        self._lib.fsmeta_fallocate(a, self._db(), self._ctx, ino, mode, offset, length)
        return _attr(a)

    def open_file(self, ino: int, flags: int = _ffi.FSMETA_O_RDONLY) -> Attr:
        """Check access for flags (O_RDONLY/O_WRONLY/O_RDWR, O_TRUNC, O_APPEND) and count an open of ino."""
        a = _c_attr()
        self._lib.fsmeta_file_open(a, self._db(), self._ctx, ino, flags)
        return _attr(a)

    def release_file(self, ino: int) -> None:
        """End one open_file of ino."""
        self._lib.fsmeta_file_release(self._db(), self._ctx, ino)

    def new_slice_id(self, n: int = 1) -> int:
        """Reserve n consecutive slice ids; returns the first."""
        out = ctypes.c_uint64()
        self._lib.fsmeta_new_slice_id(_byref(out), self._db(), self._ctx, n)
        return out.value

    def write_slice(self, ino: int, chunk: int, s: Slice) -> Attr:
        """Place slice s in chunk number chunk of regular file ino; returns the new attributes."""
        a = _c_attr()
        cs = _ffi.fsmeta_slice(*s)
        self._lib.fsmeta_write_slice(a, self._db(), self._ctx, ino, chunk, _byref(cs))
        return _attr(a)

    def read_chunk(self, ino: int, chunk: int) -> List[Slice]:
        """The slices of chunk number chunk of ino, in write order, clipped to the file size."""
        buf = _ffi.fsmeta_buf()
        self._lib.fsmeta_read_chunk(_byref(buf), self._db(), self._ctx, ino, chunk)
        return self._slices(buf)

    def compact_chunk(self, ino: int, chunk: int, replaced: Sequence[Slice] = (),
                      with_: Optional[Slice] = None) -> List[Slice]:
        """Rewrite a chunk's slice list; returns the slices dropped.

        replaced empty: drop the slices later ones cover entirely. Else, if the list still begins with exactly
        replaced, they become with_ (BlockingIOError, EAGAIN, when the chunk changed meanwhile).
        """
        buf = _ffi.fsmeta_buf()
        arr = (_ffi.fsmeta_slice * len(replaced))(*[_ffi.fsmeta_slice(*s) for s in replaced]) if replaced else None
        w = _byref(_ffi.fsmeta_slice(*with_)) if with_ is not None else None
        self._lib.fsmeta_compact_chunk(_byref(buf), self._db(), self._ctx, ino, chunk, arr, len(replaced), w)
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
        """Walk a path from the root (symlinks in the middle followed; the last one too with follow=True)."""
        db = self._db()
        p = _fsencode(path)
        a = _c_attr()
        self._lib.fsmeta_resolve(a, db, self._ctx, p, len(p), _ffi.FSMETA_RESOLVE_FOLLOW if follow else 0)
        return _attr(a)

    def mkdir_all(self, path: PathLike, mode: int = 0o777) -> Attr:
        """Create every missing directory of path (mkdir -p); returns the last directory's attributes."""
        db = self._db()
        p = _fsencode(path)
        a = _c_attr()
        self._lib.fsmeta_mkdir_all(a, db, self._ctx, p, len(p), mode)
        return _attr(a)
