"""The Pythonic layer of fsmeta: FsMeta, Attr, DirEntry, the path API (hand-written, on the generated _ffi)."""

from __future__ import annotations

import ctypes
import os
import stat as _stat
import struct
import threading
import weakref
from operator import itemgetter
from typing import (
    Any,
    AnyStr,
    Callable,
    Generic,
    Iterable,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from . import _errors, _ffi, _lib
from ._errors import FsMetaError

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
Name = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

_fsencode = os.fsencode
_fsdecode = os.fsdecode
_byref = ctypes.byref
_c_attr = _ffi.fsmeta_attr
_tuple_new = tuple.__new__
_ROOT = _ffi.FSMETA_ROOT_INO

# ---- Loading ------------------------------------------------------------------------------------------------

_LIB: Any = None
_LIB_LOCK = threading.Lock()


def library(path: Optional[str] = None) -> Any:
    """The loaded libfsmeta (a ctypes.CDLL with every function declared and errcheck set), loaded on first use.

    path: load this file instead of the lookup ($FSMETA_LIBRARY, the package directory, the system); only
    honoured by the first call. The library cannot be unloaded.
    """
    global _LIB
    lib = _LIB
    if lib is not None:
        return lib
    with _LIB_LOCK:
        if _LIB is None:
            lib = _ffi.load(path or _lib.find_library(), errcheck=_errors.errcheck)
            _errors.bind(lib)
            _LIB = lib
        return _LIB


def version() -> str:
    """The loaded library's version string ("1.0.0")."""
    return library().fsmeta_version_string().decode()


def last_error() -> str:
    """The detail of the last failure on the calling thread ("" if none)."""
    return library().fsmeta_last_error().decode("utf-8", "replace")


def strerror(status: int) -> str:
    """The library's fixed description of a status code."""
    return library().fsmeta_strerror(status).decode("utf-8", "replace")


def handle_count() -> int:
    """The number of live handles (databases and directory iterators) in the process: 0 when all are closed."""
    return int(library().fsmeta_handle_count())


# ---- Values -------------------------------------------------------------------------------------------------

_ATTR_STRUCT = struct.Struct("=QIIIIIIQQqqq")
assert _ATTR_STRUCT.size == ctypes.sizeof(_ffi.fsmeta_attr)
_unpack_attr = _ATTR_STRUCT.unpack_from


class Attr(tuple):  # type: ignore[type-arg]
    """The attributes of an inode, with the field names of os.stat_result.

    A tuple in the order of the C struct fsmeta_attr: (ino, mode, nlink, uid, gid, rdev, flags, size, blocks,
    atime_ns, mtime_ns, ctime_ns). Besides these names it has os.stat_result's: st_mode, st_ino, st_dev (0),
    st_nlink, st_uid, st_gid, st_size, st_rdev, st_blocks, st_blksize (4096), st_flags, st_atime/st_mtime/st_ctime
    (float seconds) and st_atime_ns/st_mtime_ns/st_ctime_ns, so stat.S_ISDIR(a.st_mode) and friends work.
    """

    __slots__ = ()

    ino: int = property(itemgetter(0))  # type: ignore[assignment]
    mode: int = property(itemgetter(1))  # type: ignore[assignment]
    nlink: int = property(itemgetter(2))  # type: ignore[assignment]
    uid: int = property(itemgetter(3))  # type: ignore[assignment]
    gid: int = property(itemgetter(4))  # type: ignore[assignment]
    rdev: int = property(itemgetter(5))  # type: ignore[assignment]
    flags: int = property(itemgetter(6))  # type: ignore[assignment]
    size: int = property(itemgetter(7))  # type: ignore[assignment]
    blocks: int = property(itemgetter(8))  # type: ignore[assignment]
    atime_ns: int = property(itemgetter(9))  # type: ignore[assignment]
    mtime_ns: int = property(itemgetter(10))  # type: ignore[assignment]
    ctime_ns: int = property(itemgetter(11))  # type: ignore[assignment]

    st_ino: int = property(itemgetter(0))  # type: ignore[assignment]
    st_mode: int = property(itemgetter(1))  # type: ignore[assignment]
    st_nlink: int = property(itemgetter(2))  # type: ignore[assignment]
    st_uid: int = property(itemgetter(3))  # type: ignore[assignment]
    st_gid: int = property(itemgetter(4))  # type: ignore[assignment]
    st_rdev: int = property(itemgetter(5))  # type: ignore[assignment]
    st_flags: int = property(itemgetter(6))  # type: ignore[assignment]
    st_size: int = property(itemgetter(7))  # type: ignore[assignment]
    st_blocks: int = property(itemgetter(8))  # type: ignore[assignment]
    st_atime_ns: int = property(itemgetter(9))  # type: ignore[assignment]
    st_mtime_ns: int = property(itemgetter(10))  # type: ignore[assignment]
    st_ctime_ns: int = property(itemgetter(11))  # type: ignore[assignment]

    def __new__(cls, values: Iterable[int]) -> "Attr":
        v = tuple(values)
        if len(v) != 12:
            raise ValueError("Attr takes 12 values, got %d" % len(v))
        return _tuple_new(cls, v)

    @property
    def st_dev(self) -> int:
        """0: an fsmeta database is one device."""
        return 0

    @property
    def st_blksize(self) -> int:
        """4096, the block size that st_blocks counts in 512-byte units of."""
        return 4096

    @property
    def st_atime(self) -> float:
        """Access time in seconds (float), as os.stat_result."""
        return self[9] / 1e9

    @property
    def st_mtime(self) -> float:
        """Modification time in seconds (float)."""
        return self[10] / 1e9

    @property
    def st_ctime(self) -> float:
        """Change time in seconds (float)."""
        return self[11] / 1e9

    @property
    def type(self) -> int:
        """The file type bits (mode & S_IFMT)."""
        return self[1] & 0o170000

    @property
    def perm(self) -> int:
        """The permission bits (mode & 07777)."""
        return self[1] & 0o7777

    def __repr__(self) -> str:
        return (
            "fsmeta.Attr(st_ino=%d, st_mode=0o%o, st_nlink=%d, st_uid=%d, st_gid=%d, st_rdev=%d, flags=%d, "
            "st_size=%d, st_blocks=%d, st_atime_ns=%d, st_mtime_ns=%d, st_ctime_ns=%d)" % tuple(self)
        )


def _attr(a: Any) -> Attr:
    return _tuple_new(Attr, _unpack_attr(a))  # type: ignore[no-any-return]


class Slice(NamedTuple):
    """A piece of file data stored elsewhere: the object's bytes [off, off+len) at byte pos of the chunk.

    id 0 is a hole. Field order is the C struct fsmeta_slice's.
    """

    id: int
    pos: int
    size: int
    off: int
    len: int


class StatFS(NamedTuple):
    """Capacity and usage (fsmeta_statfs), in bytes and inodes."""

    total_space: int
    avail_space: int
    used_space: int
    inodes: int
    avail_inodes: int


class Stats(NamedTuple):
    """Counts and memory figures of the engine (fsmeta_stats)."""

    inodes: int
    files: int
    dirs: int
    symlinks: int
    others: int
    entries: int
    links: int
    orphans: int
    open_files: int
    next_ino: int
    next_slice: int
    attr_dict: int
    arena_reserved: int
    arena_committed: int
    arena_slabs: int
    arena_in_use: int


class DirEntry(Generic[AnyStr]):
    """One entry of a listing, like os.DirEntry: name, path, inode(), is_dir(), is_file(), is_symlink(), stat().

    name is str (decoded with os.fsdecode) unless the listing was asked with a bytes path; raw_name is always
    the bytes. type is the file type bits (S_IFDIR, ...). With readdir(..., plus=True) stat() needs no call.
    """

    __slots__ = ("name", "path", "raw_name", "type", "_ino", "_attr", "_fs")

    name: AnyStr
    path: AnyStr
    raw_name: bytes
    type: int

    def __init__(self, fs: "FsMeta", raw_name: bytes, name: AnyStr, path: AnyStr, ino: int, type_: int,
                 attr: Optional[Attr]) -> None:
        self._fs = fs
        self.raw_name = raw_name
        self.name = name
        self.path = path
        self._ino = ino
        self.type = type_
        self._attr = attr

    def inode(self) -> int:
        """The entry's inode number."""
        return self._ino

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        """Whether it is a directory (following a symlink by default, as os.DirEntry)."""
        if self.type == _stat.S_IFLNK and follow_symlinks:
            return self._followed_type() == _stat.S_IFDIR
        return self.type == _stat.S_IFDIR

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        """Whether it is a regular file (following a symlink by default)."""
        if self.type == _stat.S_IFLNK and follow_symlinks:
            return self._followed_type() == _stat.S_IFREG
        return self.type == _stat.S_IFREG

    def is_symlink(self) -> bool:
        """Whether it is a symbolic link."""
        return self.type == _stat.S_IFLNK

    def stat(self, *, follow_symlinks: bool = True) -> Attr:
        """The entry's attributes (those of the listing with plus=True, else a getattr; a symlink is followed
        by default, which needs the entry's path)."""
        if self.type == _stat.S_IFLNK and follow_symlinks:
            return self._fs.stat(self.path)
        if self._attr is None:
            self._attr = self._fs.getattr(self._ino)
        return self._attr

    def _followed_type(self) -> int:
        try:
            return self._fs.stat(self.path).type
        except OSError:
            return 0

    def __fspath__(self) -> AnyStr:
        return self.path

    def __repr__(self) -> str:
        return "<fsmeta.DirEntry %r ino=%d type=0o%o>" % (self.name, self._ino, self.type)


class Caller(NamedTuple):
    """The identity operations run as: uid, gid, supplementary groups, umask. Root is Caller(0, 0).

    At most ``FSMETA_GROUPS_MAX`` (65536) supplementary groups: every call of a caller with more, read or change,
    in memory and durable mode alike, raises ``OSError`` with errno ``EINVAL`` ("caller has N supplementary
    groups, at most 65536"); the groups are never truncated.
    """

    uid: int = 0
    gid: int = 0
    groups: Tuple[int, ...] = ()
    umask: int = 0


# ---- The database -------------------------------------------------------------------------------------------

_HANDLES: "weakref.WeakSet[_Handle]" = weakref.WeakSet()


class _Handle:
    """The fsmeta_db pointer shared by an FsMeta and its as_caller() views; db is None once closed."""

    __slots__ = ("db", "lock", "forked", "__weakref__")

    def __init__(self, db: Any) -> None:
        self.db = db
        self.lock = threading.Lock()
        self.forked = False


def _after_fork_in_child() -> None:
    # The Go runtime does not survive fork(): no handle may be used (or closed) in the child.
    for h in list(_HANDLES):
        h.db = None
        h.forked = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _closed(h: _Handle) -> FsMetaError:
    if h.forked:
        msg = "fsmeta: the library cannot be used in a forked child (use multiprocessing's spawn start method)"
    else:
        msg = "fsmeta: the database is closed (use after close)"
    return FsMetaError(-_ffi.FSMETA_ECLOSED, msg)


def open(  # noqa: A001 - the module's entry point, like io.open
    dir: Optional[PathLike] = None,
    *,
    capacity: int = 0,
    max_inodes: int = 0,
    arena_max_bytes: int = 0,
    library_path: Optional[str] = None,
) -> "FsMeta":
    """Open a database: in memory when dir is None (nothing survives close), else the durable engine in dir.

    capacity: bytes statfs reports as the total (0: 1 PiB); max_inodes: the inode limit (0: 2^40);
    arena_max_bytes: the most memory the namespace may use (0: 32 GiB). library_path: see library().
    Returns an FsMeta (a context manager: close() on exit).
    """
    lib = library(library_path)
    opts = _ffi.fsmeta_options(*_ffi.FSMETA_OPTIONS_INIT)
    dir_b = None
    if dir is None:
        opts.in_memory = 1
    else:
        dir_b = _fsencode(dir)
        opts.dir = dir_b
    opts.capacity = capacity
    opts.max_inodes = max_inodes
    opts.arena_max_bytes = arena_max_bytes
    db = ctypes.POINTER(_ffi.fsmeta_db)()
    lib.fsmeta_open(_byref(db), _byref(opts))
    h = _Handle(db)
    _HANDLES.add(h)
    return FsMeta(_owner=True, _handle=h, _lib=lib)


def _name_bytes(name: Name) -> bytes:
    return _fsencode(name)


class FsMeta:
    """An open fsmeta database (from fsmeta.open()).

    Two kinds of methods:

    - inode operations, one per C function, taking inode numbers and names: lookup, getattr, setattr, access,
      mknod, create, mkdir, symlink, readlink, link, unlink, rmdir, renameat, readdir, statfs, getxattr,
      setxattr, listxattr, removexattr, fallocate, open_file, release_file, new_slice_id, write_slice,
      read_chunk, compact_chunk, resolve, mkdir_all, fsck, stats;
    - a path API in the manner of os: stat, lstat, exists, listdir, scandir, walk, makedirs, touch, rename,
      remove, rmtree. Paths are from the root ("/a/b" or "a/b").

    Names and paths are str (encoded with os.fsencode: the file-system encoding with surrogateescape) or bytes.
    Failures raise OSError subclasses (FileNotFoundError, ...) or FsMetaError. Operations run as the caller of
    the object: root for fsmeta.open(), another identity for a view made by as_caller(). Every method may be
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
        return FsMeta(_owner=False, _handle=self._h, _lib=self._lib,
                      _caller=Caller(uid, gid, tuple(groups), umask))

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

    def _db(self) -> Any:
        db = self._h.db
        if db is None:
            raise _closed(self._h)
        return db

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
                yield DirEntry(self, raw, name, path, ent.ino, ent.type, _attr(ent.attr) if plus else None)
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

    # -- the path API, in the manner of os

    def stat(self, path: PathLike, *, follow_symlinks: bool = True) -> Attr:
        """Like os.stat: the attributes of path, following a final symlink unless follow_symlinks=False."""
        return self.resolve(path, follow_symlinks)

    def lstat(self, path: PathLike) -> Attr:
        """Like os.lstat (a final symlink is not followed)."""
        return self.resolve(path, False)

    def exists(self, path: PathLike) -> bool:
        """Like os.path.exists (follows symlinks; False for a dangling one)."""
        try:
            self.resolve(path, True)
        except (FileNotFoundError, NotADirectoryError):
            return False
        return True

    def listdir(self, path: PathLike = "/") -> List[Any]:
        """Like os.listdir: the names in directory path, str (or bytes when path is bytes). Order: the engine's."""
        want_bytes = isinstance(path, bytes)
        ino = self.resolve(path, True).ino
        return [e.name for e in self._listing(ino, False, None, want_bytes)]

    def scandir(self, path: PathLike = "/", plus: bool = False) -> Iterator[DirEntry[Any]]:
        """Like os.scandir: DirEntry objects whose path is path joined with the name (bytes if path is)."""
        want_bytes = isinstance(path, bytes)
        p: Any = os.fspath(path)
        ino = self.resolve(p, True).ino
        return self._listing(ino, plus, p, want_bytes)

    def walk(self, top: PathLike = "/", topdown: bool = True, onerror: Optional[Callable[[OSError], Any]] = None,
             followlinks: bool = False) -> Iterator[Tuple[Any, List[Any], List[Any]]]:
        """Like os.walk: (dirpath, dirnames, filenames) for every directory of the tree at top.

        Symlinks to directories are listed in dirnames (as os.walk does) but not walked into unless followlinks.
        With topdown, dirnames may be edited in place to prune the walk.
        """
        top = os.fspath(top)
        stack: List[Any] = [top]
        want_bytes = isinstance(top, bytes)
        while stack:
            item = stack.pop()
            if isinstance(item, tuple):
                yield item
                continue
            dirpath = item
            dirs: List[Any] = []
            files: List[Any] = []
            walk_into: List[Any] = []
            try:
                entries = list(self.scandir(dirpath))
            except OSError as err:
                if onerror is not None:
                    onerror(err)
                continue
            for ent in entries:
                is_dir = ent.is_dir()
                (dirs if is_dir else files).append(ent.name)
                if not topdown and is_dir and (followlinks or not ent.is_symlink()):
                    walk_into.append(ent.path)
            if topdown:
                yield dirpath, dirs, files
                sep = b"/" if want_bytes else "/"
                for name in reversed(dirs):
                    path = dirpath + name if dirpath.endswith(sep) else dirpath + sep + name
                    if followlinks or self.lstat(path).type == _stat.S_IFDIR:
                        stack.append(path)
            else:
                stack.append((dirpath, dirs, files))
                for p in reversed(walk_into):
                    stack.append(p)

    def makedirs(self, path: PathLike, mode: int = 0o777, exist_ok: bool = False) -> Attr:
        """Like os.makedirs: create path and its missing parents; FileExistsError if it exists and not exist_ok.

        Returns the attributes of the (last) directory.
        """
        if not exist_ok:
            try:
                self.resolve(path, False)
            except (FileNotFoundError, NotADirectoryError):
                pass
            else:
                raise FileExistsError(17, "File exists", os.fsdecode(path))
        return self.mkdir_all(path, mode)

    def touch(self, path: PathLike, mode: int = 0o666, exist_ok: bool = True) -> Attr:
        """Create an empty regular file at path (like pathlib.Path.touch, without changing times if it exists)."""
        parent, name = self._split(path)
        try:
            return self.create(parent, name, mode)
        except FileExistsError:
            if not exist_ok:
                raise
            return self.lookup(parent, name)

    def rename(self, src: PathLike, dst: PathLike) -> None:
        """Like os.rename: move src to dst, replacing a dst of a compatible type."""
        p1, n1 = self._split(src)
        p2, n2 = self._split(dst)
        try:
            self.renameat(p1, n1, p2, n2)
        except OSError as e:
            e.filename, e.filename2 = os.fsdecode(src), os.fsdecode(dst)
            raise

    def remove(self, path: PathLike) -> None:
        """Like os.remove: remove a non-directory (IsADirectoryError for a directory)."""
        parent, name = self._split(path)
        try:
            self.unlink(parent, name)
        except OSError as e:
            e.filename = os.fsdecode(path)
            raise

    def removedir(self, path: PathLike) -> None:
        """Like os.rmdir: remove an empty directory."""
        parent, name = self._split(path)
        try:
            self.rmdir(parent, name)
        except OSError as e:
            e.filename = os.fsdecode(path)
            raise

    def rmtree(self, path: PathLike) -> None:
        """Like shutil.rmtree: remove path and everything below it (symlinks are removed, not followed).

        On the root ("/") it removes the contents and leaves the root.
        """
        top = self.lstat(path)
        if top.type != _stat.S_IFDIR:
            raise NotADirectoryError(20, "Not a directory", os.fsdecode(path))
        self._rmtree_ino(top.ino)
        if top.ino != _ROOT:
            self.removedir(path)

    def _rmtree_ino(self, ino: int) -> None:
        for e in list(self.readdir(ino)):
            if e.type == _stat.S_IFDIR:
                self._rmtree_ino(e.inode())
                self.rmdir(ino, e.raw_name)
            else:
                self.unlink(ino, e.raw_name)

    def _split(self, path: PathLike) -> Tuple[int, bytes]:
        p = _fsencode(path).rstrip(b"/")
        if not p:
            raise PermissionError(1, "Operation not permitted (the root)", os.fsdecode(path))
        head, _, name = p.rpartition(b"/")
        if not head:
            return _ROOT, name
        try:
            parent = self.resolve(head, True)
        except OSError as e:
            e.filename = os.fsdecode(path)
            raise
        if parent.type != _stat.S_IFDIR:
            raise NotADirectoryError(20, "Not a directory", os.fsdecode(path))
        return parent.ino, name
