"""fs.os and fs.os.path: the functions of the os and os.path modules, by path, on an FsMeta (hand-written).

Each function has the signature of its os namesake (without dir_fd, which has no meaning here), answers as os does
on Linux and raises what os raises: an OSError subclass chosen by errno, whose filename (and filename2 for two
paths) is the path as given (str, or bytes for a bytes path). Paths are from the root of the engine; a relative
path ("a/b") is taken from the root too. Everything is built on the inode API (_inode.py): the parent directory
is resolved (fsmeta_resolve), then the inode operation is called on the last name.
"""

from __future__ import annotations

import ctypes
import errno as _errno
import math
import operator
import os
import posixpath
import stat as _stat
from typing import TYPE_CHECKING, Any, AnyStr, Callable, Generic, Iterator, List, Optional, Tuple

from . import _ffi
from ._args import I64_MAX
from ._args import data as _data
from ._args import name as _name
from ._args import u32 as _u32
from ._errors import FsMetaError
from ._values import Attr, DirEntry, PathLike, _attr

if TYPE_CHECKING:
    from ._db import FsMeta

_ROOT = _ffi.FSMETA_ROOT_INO
_DOTS = (b".", b"..")
_fsdecode = os.fsdecode


def _error(code: int, filename: Any = None, filename2: Any = None) -> OSError:
    """OSError(code, strerror, filename[, None, filename2]): Python picks the subclass by errno, as os does."""
    if filename2 is None:
        return OSError(code, os.strerror(code), filename)
    return OSError(code, os.strerror(code), filename, None, filename2)


def _as_given(path: Any) -> Any:
    """The filename an os error carries: the path as given, after os.fspath (str or bytes)."""
    try:
        return os.fspath(path)
    except TypeError:
        return path


def _named(e: OSError, path: Any, path2: Any = None) -> OSError:
    """e with the path(s) as given as its filename(s), as os reports them."""
    e.filename = _as_given(path)
    if path2 is not None:
        e.filename2 = _as_given(path2)
    return e


def _to_ns(t: Any) -> int:
    """A time in seconds (int or float) as nanoseconds, rounded down as os.utime rounds."""
    if isinstance(t, float):
        if math.isnan(t) or math.isinf(t):
            raise ValueError("Invalid value %s (type float)" % t)
        frac, whole = math.modf(t)
        ns = math.floor(frac * 1e9)
        if ns >= 1000000000:
            ns -= 1000000000
            whole += 1
        elif ns < 0:
            ns += 1000000000
            whole -= 1
        return int(whole) * 1000000000 + ns
    if isinstance(t, int):
        return t * 1000000000
    return operator.index(t) * 1000000000  # TypeError: 'str' object cannot be interpreted as an integer


def try_resolve(fs: Any, path: PathLike, follow: bool) -> Optional[Attr]:
    """fs.resolve(path, follow), or None for any failure of the path (os.path's predicates); a closed engine
    (FsMetaError) still raises."""
    try:
        return fs.resolve(path, follow)  # type: ignore[no-any-return]
    except FsMetaError:
        raise
    except (OSError, ValueError):
        return None


def resolve_named(fs: Any, path: PathLike, follow: bool) -> Attr:
    """fs.resolve(path, follow), its errors naming the path as given (as os.stat's)."""
    try:
        return fs.resolve(path, follow)  # type: ignore[no-any-return]
    except OSError as e:
        raise _named(e, path)


class _Entry:
    """The last name of a path: its parent directory's inode number and the name (see OsAPI._entry)."""

    __slots__ = ("parent", "name", "slash", "root", "dot")

    def __init__(self, parent: int, name: bytes, slash: bool, root: bool) -> None:
        self.parent = parent
        self.name = name
        self.slash = slash  # the path ended with "/"
        self.root = root  # the path names the root ("/", "//")
        self.dot = name in _DOTS


class ScandirEntry(DirEntry[AnyStr]):
    """One entry of fs.os.scandir / FsMeta.scandir, like os.DirEntry.

    name, path, inode(), is_dir(), is_file() and is_symlink() come from the listing (no call); so does stat() of
    a non-symlink (and of a symlink with follow_symlinks=False), as the listing carries every entry's attributes.
    Only a symlink followed (is_dir(), is_file() or stat() with follow_symlinks=True) costs one call, and its
    answer is cached, as os.DirEntry caches. As os.DirEntry: is_dir()/is_file() are False for a dangling
    symlink and raise other errors (OSError ELOOP for a loop); stat() raises them all.
    """

    __slots__ = ("_followed",)

    def __init__(self, fs: "FsMeta", raw_name: bytes, name: Any, path: Any, ino: int, type_: int,
                 attr: Optional[Attr]) -> None:
        super().__init__(fs, raw_name, name, path, ino, type_, attr)
        self._followed: Optional[Attr] = None

    def _follow(self) -> Attr:
        if self._followed is None:
            self._followed = self._fs.os.stat(self.path)
        return self._followed

    def _followed_type(self) -> int:
        try:
            return self._follow().type
        except FileNotFoundError:
            return 0

    def stat(self, *, follow_symlinks: bool = True) -> Attr:
        """The entry's attributes: the listing's, or the target's for a symlink followed (one call, cached)."""
        if self.type == _stat.S_IFLNK and follow_symlinks:
            return self._follow()
        if self._attr is None:
            self._attr = self._fs.getattr(self._ino)
        return self._attr

    def is_junction(self) -> bool:
        """False: there are no junctions (os.DirEntry.is_junction, Python 3.12)."""
        return False


class ScandirIterator(Generic[AnyStr]):
    """What fs.os.scandir returns, like os.scandir's iterator: iterate it for ScandirEntry objects, and close it
    (or use it in a ``with`` block) to end the listing early. It closes itself at the end and when collected."""

    __slots__ = ("_gen",)

    def __init__(self, gen: Iterator["ScandirEntry[AnyStr]"]) -> None:
        self._gen: Iterator["ScandirEntry[AnyStr]"] = gen

    def __iter__(self) -> "ScandirIterator[AnyStr]":
        return self

    def __next__(self) -> "ScandirEntry[AnyStr]":
        return next(self._gen)

    def close(self) -> None:
        """End the listing (idempotent)."""
        close = getattr(self._gen, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> "ScandirIterator[AnyStr]":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class OsPathAPI:
    """fs.os.path: the os.path functions that ask the file system (exists, lexists, isdir, isfile, islink,
    getsize, getatime, getmtime, getctime, samefile), on the engine; and posixpath's pure ones (join, split,
    dirname, basename, splitext, normpath, isabs, commonpath), which do not.

    As os.path: the predicates answer False for any failure (a missing path, ENOTDIR, ELOOP, a NUL) instead of
    raising; the get* functions raise as os.stat. A closed engine is not a failure of the path: it raises
    FsMetaError (FSMETA_ECLOSED) everywhere.
    """

    __slots__ = ("_fs",)

    sep = "/"
    join = staticmethod(posixpath.join)
    split = staticmethod(posixpath.split)
    dirname = staticmethod(posixpath.dirname)
    basename = staticmethod(posixpath.basename)
    splitext = staticmethod(posixpath.splitext)
    normpath = staticmethod(posixpath.normpath)
    isabs = staticmethod(posixpath.isabs)
    commonpath = staticmethod(posixpath.commonpath)

    def __init__(self, fs: "FsMeta") -> None:
        self._fs = fs

    def _try(self, path: PathLike, follow: bool) -> Optional[Attr]:
        return try_resolve(self._fs, path, follow)

    def exists(self, path: PathLike) -> bool:
        """Like os.path.exists: whether path names something, following symlinks (False for a dangling one)."""
        return self._try(path, True) is not None

    def lexists(self, path: PathLike) -> bool:
        """Like os.path.lexists: whether path names something, a dangling symlink included."""
        return self._try(path, False) is not None

    def isdir(self, path: PathLike) -> bool:
        """Like os.path.isdir: whether path is a directory, following symlinks."""
        a = self._try(path, True)
        return a is not None and a.type == _stat.S_IFDIR

    def isfile(self, path: PathLike) -> bool:
        """Like os.path.isfile: whether path is a regular file, following symlinks."""
        a = self._try(path, True)
        return a is not None and a.type == _stat.S_IFREG

    def islink(self, path: PathLike) -> bool:
        """Like os.path.islink: whether path is a symbolic link (not followed)."""
        a = self._try(path, False)
        return a is not None and a.type == _stat.S_IFLNK

    def getsize(self, path: PathLike) -> int:
        """Like os.path.getsize: st_size of path (following symlinks); raises as os.stat."""
        return self._fs.os.stat(path).st_size

    def getatime(self, path: PathLike) -> float:
        """Like os.path.getatime: st_atime of path, in seconds."""
        return self._fs.os.stat(path).st_atime

    def getmtime(self, path: PathLike) -> float:
        """Like os.path.getmtime: st_mtime of path, in seconds."""
        return self._fs.os.stat(path).st_mtime

    def getctime(self, path: PathLike) -> float:
        """Like os.path.getctime: st_ctime of path, in seconds."""
        return self._fs.os.stat(path).st_ctime

    def samefile(self, path1: PathLike, path2: PathLike) -> bool:
        """Like os.path.samefile: whether both paths name the same inode (following symlinks)."""
        return self._fs.os.stat(path1).st_ino == self._fs.os.stat(path2).st_ino

    def __repr__(self) -> str:
        return "<fsmeta os.path of %r>" % (self._fs,)


class OsAPI:
    """fs.os: the functions of the os module, by path, on the engine (see the module docstring of _oslike).

    stat, lstat, access, chmod, chown, lchown, utime, truncate, mkdir, makedirs, symlink, readlink, link,
    rename, replace, remove, unlink, rmdir, removedirs, listdir, scandir, walk, getxattr, setxattr, listxattr,
    removexattr; os.path's functions as fs.os.path; the constants F_OK, R_OK, W_OK, X_OK, XATTR_CREATE,
    XATTR_REPLACE and sep. They run as the caller of fs (fs.as_caller(...).os for another identity).

    Two differences from Linux's os, both because the engine allows more: chmod(..., follow_symlinks=False) on a
    symlink changes the link's mode (os on Linux raises NotImplementedError; BSD's lchmod does this), and
    nothing needs a current directory: relative paths are from the root.
    """

    __slots__ = ("_fs",)

    sep = "/"
    curdir = "."
    pardir = ".."
    F_OK = os.F_OK
    R_OK = os.R_OK
    W_OK = os.W_OK
    X_OK = os.X_OK
    XATTR_CREATE = _ffi.FSMETA_XATTR_CREATE
    XATTR_REPLACE = _ffi.FSMETA_XATTR_REPLACE

    def __init__(self, fs: "FsMeta") -> None:
        self._fs = fs

    @property
    def path(self) -> OsPathAPI:
        """os.path's functions on the same engine (see OsPathAPI)."""
        return OsPathAPI(self._fs)

    def __repr__(self) -> str:
        return "<fsmeta os of %r>" % (self._fs,)

    # -- resolving

    def _entry(self, path: Any, fn: str, param: str = "path") -> _Entry:
        """The parent directory and last name of path (the parent resolved, following symlinks).

        The empty path is FileNotFoundError; a parent that is not a directory NotADirectoryError; "/" gives the
        root (root=True) and "a/." or "a/.." a dot name, each operation answering for those as Linux does.
        """
        p = _name(path, fn, param)
        if not p:
            raise _error(_errno.ENOENT, _as_given(path))
        if b"\0" in p:
            raise _error(_errno.EINVAL, _as_given(path))
        stripped = p.rstrip(b"/")
        slash = len(stripped) != len(p)
        if not stripped:
            return _Entry(_ROOT, b"", True, True)
        head, _, last = stripped.rpartition(b"/")
        if not head:
            return _Entry(_ROOT, last, slash, False)
        try:
            parent = self._fs.resolve(head, True)
        except OSError as e:
            raise _named(e, path)
        if parent.type != _stat.S_IFDIR:
            raise _error(_errno.ENOTDIR, _as_given(path))
        return _Entry(parent.ino, last, slash, False)

    def _lookup(self, ent: _Entry) -> Optional[Attr]:
        """The attributes of the entry (not following it), None if it does not exist."""
        try:
            return self._fs.lookup(ent.parent, ent.name)
        except FileNotFoundError:
            return None

    def _resolve(self, path: PathLike, follow: bool) -> Attr:
        return resolve_named(self._fs, path, follow)

    # -- attributes

    def stat(self, path: PathLike, *, follow_symlinks: bool = True) -> Attr:
        """Like os.stat: the attributes of path (an Attr, with os.stat_result's names), following a final
        symlink unless follow_symlinks=False."""
        return self._resolve(path, follow_symlinks)

    def lstat(self, path: PathLike) -> Attr:
        """Like os.lstat: stat without following a final symlink."""
        return self._resolve(path, False)

    def access(self, path: PathLike, mode: int, *, follow_symlinks: bool = True) -> bool:
        """Like os.access: whether the caller may access path with mode (F_OK, or R_OK | W_OK | X_OK).

        False for any failure (a missing path, a bad mode); the permission rules are POSIX's, for fs's caller
        (root passes R and W always and X when any execute bit is set).
        """
        try:
            mode = operator.index(mode)
        except TypeError:
            raise TypeError("access() argument 'mode' must be an int, not %s" % type(mode).__name__) from None
        try:
            a = self._fs.resolve(path, follow_symlinks)
            if not 0 <= mode <= 0xFFFFFFFF:
                return False
            self._fs.access(a.ino, mode)
        except FsMetaError:
            raise
        except OSError:
            return False
        return True

    def chmod(self, path: PathLike, mode: int, *, follow_symlinks: bool = True) -> None:
        """Like os.chmod: set the permission bits (07777) of path, following a final symlink unless
        follow_symlinks=False (which changes a symlink's own mode: see the class docstring)."""
        mode = _u32(mode, "chmod", "mode")
        a = self._resolve(path, follow_symlinks)
        try:
            self._fs.chmod(a.ino, mode)
        except OSError as e:
            raise _named(e, path)

    def chown(self, path: PathLike, uid: int, gid: int, *, follow_symlinks: bool = True) -> None:
        """Like os.chown: set the owner and group of path; -1 (or 2**32-1) leaves one unchanged."""
        u = self._id(uid, "chown", "uid")
        g = self._id(gid, "chown", "gid")
        a = self._resolve(path, follow_symlinks)
        try:
            self._fs.setattr(a.ino, uid=u, gid=g)
        except OSError as e:
            raise _named(e, path)

    def lchown(self, path: PathLike, uid: int, gid: int) -> None:
        """Like os.lchown: chown without following a final symlink."""
        self.chown(path, uid, gid, follow_symlinks=False)

    @staticmethod
    def _id(v: Any, fn: str, param: str) -> Optional[int]:
        try:
            i = operator.index(v)
        except TypeError:
            raise TypeError("%s() argument '%s' must be an int, not %s" % (fn, param, type(v).__name__)) from None
        if i == -1 or i == 0xFFFFFFFF:
            return None
        if not 0 <= i < 0xFFFFFFFF:
            raise OverflowError("%s() argument '%s' is %d, outside -1 .. 2**32-2" % (fn, param, i))
        return i

    def utime(self, path: PathLike, times: Optional[Tuple[float, float]] = None, *,
              ns: Optional[Tuple[int, int]] = None, follow_symlinks: bool = True) -> None:
        """Like os.utime: set the access and modification times of path.

        times=(atime, mtime) in seconds (int or float), or ns=(atime_ns, mtime_ns) in nanoseconds, or neither:
        now. Both: ValueError. A final symlink is followed unless follow_symlinks=False.
        """
        if times is not None and ns is not None:
            raise ValueError("utime: you may specify either 'times' or 'ns' but not both")
        kw: dict = {}
        if times is not None:
            if not isinstance(times, tuple) or len(times) != 2:
                raise TypeError("utime: 'times' must be either a tuple of two ints or None")
            kw = {"atime_ns": _to_ns(times[0]), "mtime_ns": _to_ns(times[1])}
        elif ns is not None:
            if not isinstance(ns, tuple) or len(ns) != 2:
                raise TypeError("utime: 'ns' must be a tuple of two ints")
            kw = {"atime_ns": operator.index(ns[0]), "mtime_ns": operator.index(ns[1])}
        else:
            kw = {"atime_now": True, "mtime_now": True}
        a = self._resolve(path, follow_symlinks)
        try:
            self._fs.setattr(a.ino, **kw)
        except OSError as e:
            raise _named(e, path)

    def truncate(self, path: PathLike, length: int) -> None:
        """Like os.truncate: set the size of the regular file path (a final symlink followed).

        A negative length is OSError EINVAL, one over 2**63-1 OverflowError (os's off_t); a directory
        IsADirectoryError.
        """
        try:
            n = operator.index(length)
        except TypeError:
            raise TypeError("truncate() argument 'length' must be an int, not %s"
                            % type(length).__name__) from None
        if n > I64_MAX:
            raise OverflowError("truncate() argument 'length' is %d, over 2**63-1" % n)
        a = self._resolve(path, True)
        if n < 0:
            raise _error(_errno.EINVAL, _as_given(path))
        try:
            self._fs.truncate(a.ino, n)
        except OSError as e:
            raise _named(e, path)

    # -- creating and removing

    def mkdir(self, path: PathLike, mode: int = 0o777) -> None:
        """Like os.mkdir: create the directory path (its parent must exist; the caller's umask applies).

        FileExistsError if path exists (whatever it is, a dangling symlink too), FileNotFoundError if the
        parent does not.
        """
        mode = _u32(mode, "mkdir", "mode")
        ent = self._entry(path, "mkdir")
        if ent.root or ent.dot:
            raise _error(_errno.EEXIST, _as_given(path))
        try:
            self._fs.mkdir(ent.parent, ent.name, mode)
        except OSError as e:
            raise _named(e, path)

    def makedirs(self, name: PathLike, mode: int = 0o777, exist_ok: bool = False) -> None:
        """Like os.makedirs: create name and its missing parents (see FsMeta.makedirs)."""
        self._fs.makedirs(name, mode, exist_ok)

    def symlink(self, src: PathLike, dst: PathLike, target_is_directory: bool = False) -> None:
        """Like os.symlink: create the symbolic link dst whose target is src (src is stored as given, not
        looked up). Errors name both (filename src, filename2 dst), as os's do."""
        target = _name(src, "symlink", "src")
        try:
            ent = self._entry(dst, "symlink", "dst")
        except OSError as e:
            raise _named(e, src, dst)
        if not target:
            raise _error(_errno.ENOENT, _as_given(src), _as_given(dst))
        if ent.root or ent.dot:
            raise _error(_errno.EEXIST, _as_given(src), _as_given(dst))
        if ent.slash:
            code = _errno.EEXIST if self._lookup(ent) is not None else _errno.ENOENT
            raise _error(code, _as_given(src), _as_given(dst))
        try:
            self._fs.symlink(ent.parent, ent.name, target)
        except OSError as e:
            raise _named(e, src, dst)

    def readlink(self, path: PathLike) -> Any:
        """Like os.readlink: the target of symlink path, str (bytes if path is bytes). OSError EINVAL if path is
        not a symlink."""
        a = self._resolve(path, False)
        try:
            target = self._fs.readlink(a.ino)
        except OSError as e:
            raise _named(e, path)
        return target if isinstance(_as_given(path), bytes) else _fsdecode(target)

    def link(self, src: PathLike, dst: PathLike, *, follow_symlinks: bool = True) -> None:
        """Like os.link: make dst a new name (a hard link) of the inode src names. A final symlink of src is
        followed (as os.link does on Linux) unless follow_symlinks=False, which links the symlink itself.
        A directory is PermissionError (EPERM)."""
        try:
            a = self._fs.resolve(src, follow_symlinks)
        except OSError as e:
            raise _named(e, src, dst)
        try:
            ent = self._entry(dst, "link", "dst")
        except OSError as e:
            raise _named(e, src, dst)
        if ent.root or ent.dot:
            raise _error(_errno.EEXIST, _as_given(src), _as_given(dst))
        if ent.slash:
            code = _errno.EEXIST if self._lookup(ent) is not None else _errno.ENOENT
            raise _error(code, _as_given(src), _as_given(dst))
        try:
            self._fs.link(a.ino, ent.parent, ent.name)
        except OSError as e:
            raise _named(e, src, dst)

    def rename(self, src: PathLike, dst: PathLike) -> None:
        """Like os.rename: move src to dst, replacing dst if it exists and is compatible (a file for a file, an
        empty directory for a directory)."""
        try:
            s = self._entry(src, "rename", "src")
            d = self._entry(dst, "rename", "dst")
        except OSError as e:
            raise _named(e, src, dst)
        if s.root or s.dot or d.root or d.dot:
            raise _error(_errno.EBUSY, _as_given(src), _as_given(dst))
        if s.slash or d.slash:
            a = self._lookup(s)
            if a is None:
                raise _error(_errno.ENOENT, _as_given(src), _as_given(dst))
            if a.type != _stat.S_IFDIR:
                raise _error(_errno.ENOTDIR, _as_given(src), _as_given(dst))
        try:
            self._fs.renameat(s.parent, s.name, d.parent, d.name)
        except OSError as e:
            raise _named(e, src, dst)

    def replace(self, src: PathLike, dst: PathLike) -> None:
        """Like os.replace: rename (which replaces dst on POSIX)."""
        self.rename(src, dst)

    def remove(self, path: PathLike) -> None:
        """Like os.remove: remove a non-directory (IsADirectoryError for a directory). A symlink is removed,
        not followed."""
        ent = self._entry(path, "remove")
        if ent.root or ent.dot:
            raise _error(_errno.EISDIR, _as_given(path))
        if ent.slash:
            a = self._lookup(ent)
            if a is not None:
                raise _error(_errno.EISDIR if a.type == _stat.S_IFDIR else _errno.ENOTDIR, _as_given(path))
        try:
            self._fs.unlink(ent.parent, ent.name)
        except OSError as e:
            raise _named(e, path)

    unlink = remove

    def rmdir(self, path: PathLike) -> None:
        """Like os.rmdir: remove the empty directory path (OSError ENOTEMPTY if it is not empty, EBUSY for the
        root)."""
        ent = self._entry(path, "rmdir")
        if ent.root:
            raise _error(_errno.EBUSY, _as_given(path))
        if ent.dot:
            raise _error(_errno.EINVAL if ent.name == b"." else _errno.ENOTEMPTY, _as_given(path))
        try:
            self._fs.rmdir(ent.parent, ent.name)
        except OSError as e:
            raise _named(e, path)

    def removedirs(self, name: PathLike) -> None:
        """Like os.removedirs: rmdir(name), then each parent directory up the path until one cannot be removed
        (not empty, ...), which ends the walk silently. Only the first rmdir raises."""
        self.rmdir(name)
        n: Any = os.fspath(name)
        head, tail = posixpath.split(n)
        if not tail:
            head, tail = posixpath.split(head)
        while head and tail:
            try:
                self.rmdir(head)
            except OSError:
                break
            head, tail = posixpath.split(head)

    # -- directories

    def listdir(self, path: PathLike = "/") -> List[Any]:
        """Like os.listdir: the names in directory path (str, or bytes for a bytes path), in the engine's
        order ("." and ".." not listed)."""
        return self._fs.listdir(path)

    def scandir(self, path: PathLike = "/") -> ScandirIterator[Any]:
        """Like os.scandir: an iterator (and context manager) of ScandirEntry objects for directory path.

        Each entry's path is path joined with its name (bytes when path is bytes). The listing carries every
        entry's type and attributes, so is_dir(), is_file(), is_symlink() and stat() need no further call (but
        for a symlink followed: one, cached). Errors of path (missing, not a directory) are raised here, as
        os.scandir raises them.
        """
        return ScandirIterator(self._scan(path, True))

    def _scan(self, path: PathLike, plus: bool) -> Iterator[Any]:
        p: Any = _as_given(path)
        a = self._resolve(path, True)
        if a.type != _stat.S_IFDIR:
            raise _error(_errno.ENOTDIR, p)
        return self._listing(a.ino, p, plus)

    def _listing(self, ino: int, prefix: Any, plus: bool) -> Iterator[Any]:
        fs = self._fs
        lib = fs._lib
        want_bytes = isinstance(prefix, bytes)
        if want_bytes:
            sep: Any = b"/"
        else:
            sep = "/"
            prefix = str(prefix)
        pre = prefix if prefix.endswith(sep) else prefix + sep
        d = ctypes.POINTER(_ffi.fsmeta_dir)()
        lib.fsmeta_dir_open(ctypes.byref(d), fs._db(), fs._ctx, ino, _ffi.FSMETA_DIR_PLUS if plus else 0)
        try:
            ent = _ffi.fsmeta_dirent()
            nxt = lib.fsmeta_dir_next
            ref = ctypes.byref(ent)
            while nxt(ref, d) == 0:
                raw = ent.name
                name = raw if want_bytes else _fsdecode(raw)
                yield ScandirEntry(fs, raw, name, pre + name, ent.ino, ent.type, _attr(ent.attr) if plus else None)
        finally:
            lib.fsmeta_dir_close(d)

    def walk(self, top: PathLike = "/", topdown: bool = True, onerror: Optional[Callable[[OSError], Any]] = None,
             followlinks: bool = False) -> Iterator[Tuple[Any, List[Any], List[Any]]]:
        """Like os.walk (see FsMeta.walk)."""
        return self._fs.walk(top, topdown, onerror, followlinks)

    # -- extended attributes

    def getxattr(self, path: PathLike, attribute: Any, *, follow_symlinks: bool = True) -> bytes:
        """Like os.getxattr: the value of extended attribute attribute (str or bytes) of path.
        OSError ENODATA if path has none of that name."""
        attribute = _name(attribute, "getxattr", "attribute")
        a = self._resolve(path, follow_symlinks)
        try:
            return self._fs.getxattr(a.ino, attribute)
        except OSError as e:
            raise _named(e, path)

    def setxattr(self, path: PathLike, attribute: Any, value: Any, flags: int = 0, *,
                 follow_symlinks: bool = True) -> None:
        """Like os.setxattr: set extended attribute attribute of path to value (bytes-like); flags 0,
        XATTR_CREATE (FileExistsError if it exists) or XATTR_REPLACE (OSError ENODATA if it does not)."""
        attribute = _name(attribute, "setxattr", "attribute")
        value = _data(value, "setxattr", "value")
        flags = _u32(flags, "setxattr", "flags")
        a = self._resolve(path, follow_symlinks)
        try:
            self._fs.setxattr(a.ino, attribute, value, flags)
        except OSError as e:
            raise _named(e, path)

    def listxattr(self, path: Optional[PathLike] = None, *, follow_symlinks: bool = True) -> List[str]:
        """Like os.listxattr: the names (str) of path's extended attributes; path None is the root."""
        p: PathLike = "/" if path is None else path
        a = self._resolve(p, follow_symlinks)
        try:
            return self._fs.listxattr(a.ino)
        except OSError as e:
            raise _named(e, p)

    def removexattr(self, path: PathLike, attribute: Any, *, follow_symlinks: bool = True) -> None:
        """Like os.removexattr: remove extended attribute attribute of path (OSError ENODATA if it has none)."""
        attribute = _name(attribute, "removexattr", "attribute")
        a = self._resolve(path, follow_symlinks)
        try:
            self._fs.removexattr(a.ino, attribute)
        except OSError as e:
            raise _named(e, path)
