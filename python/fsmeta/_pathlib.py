"""fsmeta.Path: a pathlib-like path bound to an engine (hand-written), made by FsMeta.path().

The pure part (joining with /, parent, name, parts, suffix, with_name, ...) is pathlib.PurePosixPath's; the
operations that ask the file system (stat, exists, is_dir, mkdir, touch, unlink, rename, iterdir, ...) go to the
engine through fs.os (_oslike.py) and answer and raise as pathlib's do on Linux.
"""

from __future__ import annotations

import errno as _errno
import os
import pathlib
import stat as _stat
from typing import TYPE_CHECKING, Any, Callable, Iterator, List, Optional, Tuple

from ._errors import FsMetaError

if TYPE_CHECKING:
    from ._db import FsMeta
    from ._values import Attr


class Path:
    """A path on an fsmeta engine, in the manner of pathlib.Path: fs.path("/a") / "b".

    Pure operations (those of pathlib.PurePosixPath): ``/`` and joinpath, parent, parents, name, stem, suffix,
    suffixes, parts, anchor, root, is_absolute(), with_name(), with_stem(), with_suffix(), relative_to(),
    is_relative_to(), match(), as_posix(), str(); equality, hashing and ordering (between paths of the same
    engine).

    Operations on the engine: stat(), lstat(), exists(), is_dir(), is_file(), is_symlink(), samefile(),
    iterdir(), walk(), mkdir(), touch(), unlink(), rmdir(), rename(), replace(), symlink_to(), hardlink_to(),
    readlink() / read_link(), chmod(), lchmod(), and the extras of this engine: getxattr(), setxattr(),
    listxattr(), removexattr(). They raise what pathlib raises (OSError subclasses whose filename is str(path)).

    A relative path ("a/b") is taken from the root, as everywhere in fsmeta. A Path is not os.PathLike (it has
    no __fspath__): it names a file of the engine, not of the host, so it cannot be handed to open() or os by
    mistake; pass str(p) to the engine's own path functions (fs.stat(str(p)), ...). The engine holds no file
    data, so there is no open(), read_text() or write_bytes().
    """

    __slots__ = ("_fs", "_pure")

    def __init__(self, fs: "FsMeta", *segments: Any) -> None:
        self._fs = fs
        self._pure = pathlib.PurePosixPath(*(_segment(s) for s in segments))

    def _new(self, pure: Any) -> "Path":
        p = Path.__new__(Path)
        p._fs = self._fs
        p._pure = pure if isinstance(pure, pathlib.PurePosixPath) else pathlib.PurePosixPath(pure)
        return p

    @property
    def fs(self) -> "FsMeta":
        """The engine this path is bound to."""
        return self._fs

    # -- pure

    def __str__(self) -> str:
        return str(self._pure)

    def __bytes__(self) -> bytes:
        return bytes(self._pure)

    def __repr__(self) -> str:
        return "fsmeta.Path(%r)" % str(self._pure)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Path):
            return NotImplemented
        return self._fs is other._fs and self._pure == other._pure

    def __hash__(self) -> int:
        return hash(self._pure)

    def _cmp(self, other: object) -> Any:
        if not isinstance(other, Path) or other._fs is not self._fs:
            return NotImplemented
        return other._pure

    def __lt__(self, other: object) -> bool:
        o = self._cmp(other)
        return NotImplemented if o is NotImplemented else self._pure < o  # type: ignore[no-any-return]

    def __le__(self, other: object) -> bool:
        o = self._cmp(other)
        return NotImplemented if o is NotImplemented else self._pure <= o  # type: ignore[no-any-return]

    def __gt__(self, other: object) -> bool:
        o = self._cmp(other)
        return NotImplemented if o is NotImplemented else self._pure > o  # type: ignore[no-any-return]

    def __ge__(self, other: object) -> bool:
        o = self._cmp(other)
        return NotImplemented if o is NotImplemented else self._pure >= o  # type: ignore[no-any-return]

    def __truediv__(self, key: Any) -> "Path":
        try:
            return self._new(self._pure / _segment(key))
        except TypeError:
            return NotImplemented

    def __rtruediv__(self, key: Any) -> "Path":
        try:
            return self._new(_segment(key) / self._pure)
        except TypeError:
            return NotImplemented

    def joinpath(self, *segments: Any) -> "Path":
        """self / segments[0] / segments[1] ..."""
        return self._new(self._pure.joinpath(*(_segment(s) for s in segments)))

    @property
    def parent(self) -> "Path":
        """The directory that holds this path ("/" for "/")."""
        return self._new(self._pure.parent)

    @property
    def parents(self) -> Tuple["Path", ...]:
        """The ancestors, nearest first."""
        return tuple(self._new(p) for p in self._pure.parents)

    @property
    def name(self) -> str:
        """The last component ("" for "/")."""
        return self._pure.name

    @property
    def stem(self) -> str:
        """name without its suffix."""
        return self._pure.stem

    @property
    def suffix(self) -> str:
        """The extension of name (".txt"), or ""."""
        return self._pure.suffix

    @property
    def suffixes(self) -> List[str]:
        """All the extensions of name."""
        return self._pure.suffixes

    @property
    def parts(self) -> Tuple[str, ...]:
        """The components: ("/", "a", "b") for "/a/b"."""
        return self._pure.parts

    @property
    def anchor(self) -> str:
        """"/" for an absolute path, else ""."""
        return self._pure.anchor

    @property
    def root(self) -> str:
        """"/" for an absolute path, else ""."""
        return self._pure.root

    def is_absolute(self) -> bool:
        """Whether the path starts at "/" (a relative one is taken from the root all the same)."""
        return self._pure.is_absolute()

    def absolute(self) -> "Path":
        """The path from the root ("/" joined with a relative path)."""
        return self if self._pure.is_absolute() else self._new(pathlib.PurePosixPath("/") / self._pure)

    def as_posix(self) -> str:
        """str(self)."""
        return self._pure.as_posix()

    def with_name(self, name: str) -> "Path":
        """This path with its name replaced."""
        return self._new(self._pure.with_name(name))

    def with_stem(self, stem: str) -> "Path":
        """This path with its stem replaced."""
        return self._new(self._pure.with_name(stem + self._pure.suffix))

    def with_suffix(self, suffix: str) -> "Path":
        """This path with its suffix replaced (or removed with "")."""
        return self._new(self._pure.with_suffix(suffix))

    def relative_to(self, other: Any) -> "Path":
        """This path relative to other (ValueError if it is not below it)."""
        return self._new(self._pure.relative_to(_segment(other)))

    def is_relative_to(self, other: Any) -> bool:
        """Whether this path is other or below it."""
        try:
            self._pure.relative_to(_segment(other))
        except ValueError:
            return False
        return True

    def match(self, pattern: str) -> bool:
        """Like pathlib's match: glob-style pattern against the path from the right."""
        return self._pure.match(pattern)

    # -- asking the engine

    def stat(self, *, follow_symlinks: bool = True) -> "Attr":
        """Like Path.stat: the attributes (fsmeta.Attr, with os.stat_result's names)."""
        return self._fs.os.stat(str(self), follow_symlinks=follow_symlinks)

    def lstat(self) -> "Attr":
        """Like Path.lstat: stat without following a final symlink."""
        return self._fs.os.lstat(str(self))

    def exists(self, *, follow_symlinks: bool = True) -> bool:
        """Like Path.exists: False for any failure (follow_symlinks=False: True for a dangling symlink)."""
        if follow_symlinks:
            return self._fs.os.path.exists(str(self))
        return self._fs.os.path.lexists(str(self))

    def is_dir(self) -> bool:
        """Like Path.is_dir (follows symlinks; False for any failure)."""
        return self._fs.os.path.isdir(str(self))

    def is_file(self) -> bool:
        """Like Path.is_file (follows symlinks; False for any failure)."""
        return self._fs.os.path.isfile(str(self))

    def is_symlink(self) -> bool:
        """Like Path.is_symlink (False for any failure)."""
        return self._fs.os.path.islink(str(self))

    def is_mount(self) -> bool:
        """True for the root only: an engine is one file system."""
        try:
            return self.stat().st_ino == self._fs.os.stat("/").st_ino
        except FsMetaError:
            raise
        except (OSError, ValueError):
            return False

    def samefile(self, other_path: Any) -> bool:
        """Like Path.samefile: whether other_path (a Path or str on the same engine) names the same inode."""
        other = other_path if isinstance(other_path, Path) else self._new(_segment(other_path))
        return self.stat().st_ino == other._fs.os.stat(str(other)).st_ino

    def iterdir(self) -> Iterator["Path"]:
        """Like Path.iterdir: the paths of the entries of this directory (not "." and ".."), in the engine's
        order. NotADirectoryError / FileNotFoundError are raised at the call, as pathlib does."""
        names = self._fs.os.listdir(str(self))
        return (self._new(self._pure / n) for n in names)

    def walk(self, top_down: bool = True, on_error: Optional[Callable[[OSError], Any]] = None,
             follow_symlinks: bool = False) -> Iterator[Tuple["Path", List[str], List[str]]]:
        """Like Path.walk (Python 3.12): (dirpath as a Path, dirnames, filenames) for every directory below."""
        for d, dirs, files in self._fs.os.walk(str(self), top_down, on_error, follow_symlinks):
            yield self._new(d), dirs, files

    def mkdir(self, mode: int = 0o777, parents: bool = False, exist_ok: bool = False) -> None:
        """Like Path.mkdir: create this directory. parents=True creates missing parents (with the default
        mode); exist_ok=True accepts an existing directory (FileExistsError still if it is not one)."""
        try:
            self._fs.os.mkdir(str(self), mode)
        except FileNotFoundError:
            if not parents or self.parent == self:
                raise
            self.parent.mkdir(parents=True, exist_ok=True)
            self.mkdir(mode, parents=False, exist_ok=exist_ok)
        except OSError:
            if not exist_ok or not self.is_dir():
                raise

    def touch(self, mode: int = 0o666, exist_ok: bool = True) -> None:
        """Like Path.touch: create an empty regular file, or, if it exists and exist_ok, set its times to now
        (FileExistsError if not exist_ok). As open(O_CREAT) does, a dangling symlink gets its target created."""
        self._touch(mode, exist_ok, 0)

    def _touch(self, mode: int, exist_ok: bool, depth: int) -> None:
        s = str(self)
        first: Optional[OSError] = None
        if exist_ok:
            try:
                self._fs.os.utime(s)
                return
            except FsMetaError:
                raise
            except OSError as e:
                first = e
        if self._pure.name in ("", ".", ".."):
            raise OSError(_errno.EISDIR, os.strerror(_errno.EISDIR), s)
        try:
            parent = self._fs.os.stat(str(self._pure.parent))
        except OSError as e:
            e.filename = s
            raise
        if parent.type != _stat.S_IFDIR:
            raise OSError(_errno.ENOTDIR, os.strerror(_errno.ENOTDIR), s)
        try:
            self._fs.create(parent.ino, self._pure.name, mode)
        except FileExistsError as e:
            if not exist_ok:
                e.filename = s
                raise
            if first is not None and first.errno != _errno.ENOENT:
                raise first from None  # as open(O_WRONLY) would fail: EACCES, ...
            if not self._fs.os.path.islink(s):
                return  # made meanwhile
            if depth >= 40:
                raise OSError(_errno.ELOOP, os.strerror(_errno.ELOOP), s) from None
            target = self.parent / self._fs.os.readlink(s)  # a dangling symlink: create its target
            target._touch(mode, exist_ok, depth + 1)
        except OSError as e:
            e.filename = s
            raise

    def unlink(self, missing_ok: bool = False) -> None:
        """Like Path.unlink: remove this file or symlink (IsADirectoryError for a directory);
        missing_ok=True ignores a missing one."""
        try:
            self._fs.os.unlink(str(self))
        except FileNotFoundError:
            if not missing_ok:
                raise

    def rmdir(self) -> None:
        """Like Path.rmdir: remove this empty directory."""
        self._fs.os.rmdir(str(self))

    def rename(self, target: Any) -> "Path":
        """Like Path.rename: move to target (a Path or str; relative is from the root) and return the new
        Path. An existing target of a compatible type is replaced, as on POSIX."""
        t = self._new(_segment(target))
        self._fs.os.rename(str(self), str(t))
        return t

    def replace(self, target: Any) -> "Path":
        """Like Path.replace (the same as rename here)."""
        return self.rename(target)

    def symlink_to(self, target: Any, target_is_directory: bool = False) -> None:
        """Like Path.symlink_to: make this path a symbolic link to target (stored as given)."""
        self._fs.os.symlink(str(target) if isinstance(target, Path) else _segment(target), str(self))

    def hardlink_to(self, target: Any) -> None:
        """Like Path.hardlink_to: make this path a hard link to the inode target names."""
        t = target if isinstance(target, Path) else self._new(_segment(target))
        self._fs.os.link(str(t), str(self))

    def readlink(self) -> "Path":
        """Like Path.readlink: the target of this symlink, as a Path (OSError EINVAL if it is not one)."""
        return self._new(self._fs.os.readlink(str(self)))

    read_link = readlink

    def chmod(self, mode: int, *, follow_symlinks: bool = True) -> None:
        """Like Path.chmod: set the permission bits (follow_symlinks=False: the symlink's own)."""
        self._fs.os.chmod(str(self), mode, follow_symlinks=follow_symlinks)

    def lchmod(self, mode: int) -> None:
        """Like Path.lchmod: chmod without following a final symlink."""
        self.chmod(mode, follow_symlinks=False)

    def getxattr(self, attribute: Any, *, follow_symlinks: bool = True) -> bytes:
        """os.getxattr of this path (not in pathlib)."""
        return self._fs.os.getxattr(str(self), attribute, follow_symlinks=follow_symlinks)

    def setxattr(self, attribute: Any, value: Any, flags: int = 0, *, follow_symlinks: bool = True) -> None:
        """os.setxattr of this path (not in pathlib)."""
        self._fs.os.setxattr(str(self), attribute, value, flags, follow_symlinks=follow_symlinks)

    def listxattr(self, *, follow_symlinks: bool = True) -> List[str]:
        """os.listxattr of this path (not in pathlib)."""
        return self._fs.os.listxattr(str(self), follow_symlinks=follow_symlinks)

    def removexattr(self, attribute: Any, *, follow_symlinks: bool = True) -> None:
        """os.removexattr of this path (not in pathlib)."""
        self._fs.os.removexattr(str(self), attribute, follow_symlinks=follow_symlinks)


def _segment(s: Any) -> Any:
    """A segment for PurePosixPath: an fsmeta.Path as its pure path; str and os.PathLike[str] as they are
    (bytes is TypeError, as in pathlib)."""
    if isinstance(s, Path):
        return s._pure
    return s
