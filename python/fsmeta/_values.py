"""The value types of the API: Attr (an inode's attributes), Slice, StatFS, Stats, DirEntry (one entry of a
listing) and Caller (the identity operations run as), and the argument types PathLike and Name (hand-written)."""

from __future__ import annotations

import ctypes
import os
import stat as _stat
import struct
from operator import itemgetter
from typing import TYPE_CHECKING, Any, AnyStr, Generic, Iterable, NamedTuple, Optional, Tuple, Union

from . import _ffi

if TYPE_CHECKING:
    from ._db import FsMeta

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
Name = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

_tuple_new = tuple.__new__

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
