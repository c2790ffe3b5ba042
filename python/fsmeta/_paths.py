"""The path API of FsMeta, in the manner of os, os.path and pathlib (hand-written): stat, lstat, exists, lexists,
isdir, isfile, islink, getsize, listdir, scandir, walk, makedirs, touch, utime, rename, replace, remove, removedir,
removedirs, rmtree on FsMeta itself; every os function by path as fs.os (mkdir, symlink, readlink, link, chmod,
chown, truncate, access, the xattr functions, ...: _oslike.py, since FsMeta's own mkdir, chmod, ... take inode
numbers) and os.path's as fs.os.path; a pathlib-like Path from fs.path() (_pathlib.py). Paths are from the root;
every call is built on the inode API (_inode.py), mostly on resolve."""

from __future__ import annotations

import os
import stat as _stat
from typing import Any, Callable, Iterator, List, Optional, Tuple

from . import _ffi, _walk
from ._args import name as _name
from ._inode import _InodeAPI
from ._oslike import OsAPI, ScandirIterator, resolve_named, try_resolve
from ._pathlib import Path
from ._values import Attr, PathLike

_ROOT = _ffi.FSMETA_ROOT_INO


class _PathAPI(_InodeAPI):
    """Operations by path (FsMeta inherits them; see its docstring)."""

    __slots__ = ()

    @property
    def os(self) -> OsAPI:
        """The os module's functions by path on this engine: fs.os.mkdir("/a"), fs.os.symlink("a", "/l"),
        fs.os.path.isdir("/a"), ... (see fsmeta.OsAPI). They run as this object's caller."""
        return OsAPI(self)  # type: ignore[arg-type]  # this class is only ever FsMeta's base

    def path(self, *segments: Any) -> Path:
        """A pathlib-like Path bound to this engine: fs.path("/a") / "b", .exists(), .mkdir(parents=True), ...
        (see fsmeta.Path). No segment: the root."""
        return Path(self, *(segments or ("/",)))  # type: ignore[arg-type]

    def stat(self, path: PathLike, *, follow_symlinks: bool = True) -> Attr:
        """Like os.stat: the attributes of path, following a final symlink unless follow_symlinks=False."""
        return resolve_named(self, path, follow_symlinks)

    def lstat(self, path: PathLike) -> Attr:
        """Like os.lstat (a final symlink is not followed)."""
        return resolve_named(self, path, False)

    def exists(self, path: PathLike) -> bool:
        """Like os.path.exists (follows symlinks; False for a dangling one, a loop, a NUL: any failure)."""
        return try_resolve(self, path, True) is not None

    def lexists(self, path: PathLike) -> bool:
        """Like os.path.lexists (True for a dangling symlink)."""
        return try_resolve(self, path, False) is not None

    def isdir(self, path: PathLike) -> bool:
        """Like os.path.isdir (follows symlinks; False for any failure)."""
        a = try_resolve(self, path, True)
        return a is not None and a.type == _stat.S_IFDIR

    def isfile(self, path: PathLike) -> bool:
        """Like os.path.isfile (follows symlinks; False for any failure)."""
        a = try_resolve(self, path, True)
        return a is not None and a.type == _stat.S_IFREG

    def islink(self, path: PathLike) -> bool:
        """Like os.path.islink (False for any failure)."""
        a = try_resolve(self, path, False)
        return a is not None and a.type == _stat.S_IFLNK

    def getsize(self, path: PathLike) -> int:
        """Like os.path.getsize: st_size, following symlinks; raises as os.stat."""
        return resolve_named(self, path, True).st_size

    def listdir(self, path: PathLike = "/") -> List[Any]:
        """Like os.listdir: the names in directory path, str (or bytes when path is bytes). Order: the engine's."""
        want_bytes = isinstance(path, bytes)
        ino = resolve_named(self, path, True).ino
        try:
            return [e.name for e in self._listing(ino, False, None, want_bytes)]
        except OSError as e:
            if e.filename is None:
                e.filename = os.fspath(path)
            raise

    def scandir(self, path: PathLike = "/", plus: bool = True) -> ScandirIterator[Any]:
        """Like os.scandir: an iterator (and context manager) of entries (fsmeta.ScandirEntry, a DirEntry) whose
        path is path joined with the name (bytes if path is).

        The listing carries every entry's attributes (plus=False leaves them out: stat() then makes one call per
        entry), so is_dir(), is_file(), is_symlink() and stat() need no call of their own, but for a symlink
        followed (one call, cached).
        """
        return ScandirIterator(self.os._scan(path, plus))

    def walk(self, top: PathLike = "/", topdown: bool = True, onerror: Optional[Callable[[OSError], Any]] = None,
             followlinks: bool = False) -> Iterator[Tuple[Any, List[Any], List[Any]]]:
        """Like os.walk: (dirpath, dirnames, filenames) for every directory of the tree at top.

        Symlinks to directories are listed in dirnames (as os.walk does) but not walked into unless followlinks.
        With topdown, dirnames may be edited in place to prune the walk.
        """
        return _walk.walk(self, top, topdown, onerror, followlinks)

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
        parent, name = self._split(path, "touch")
        try:
            return self.create(parent, name, mode)
        except FileExistsError:
            if not exist_ok:
                raise
            return self.lookup(parent, name)

    def utime(self, path: PathLike, times: Optional[Tuple[float, float]] = None, *,
              ns: Optional[Tuple[int, int]] = None, follow_symlinks: bool = True) -> None:
        """Like os.utime: set atime and mtime of path, times=(atime, mtime) in seconds or ns=(atime_ns,
        mtime_ns), or now when neither is given."""
        self.os.utime(path, times, ns=ns, follow_symlinks=follow_symlinks)

    def rename(self, src: PathLike, dst: PathLike) -> None:
        """Like os.rename: move src to dst, replacing a dst of a compatible type."""
        self.os.rename(src, dst)

    def replace(self, src: PathLike, dst: PathLike) -> None:
        """Like os.replace (the same as rename on POSIX)."""
        self.os.rename(src, dst)

    def remove(self, path: PathLike) -> None:
        """Like os.remove: remove a non-directory (IsADirectoryError for a directory)."""
        self.os.remove(path)

    def removedir(self, path: PathLike) -> None:
        """Like os.rmdir: remove an empty directory (fs.rmdir is the inode form; fs.os.rmdir the same as this)."""
        self.os.rmdir(path)

    def removedirs(self, name: PathLike) -> None:
        """Like os.removedirs: remove directory name, then its parents up the path while they are empty."""
        self.os.removedirs(name)

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

    def _split(self, path: PathLike, fn: str = "path", param: str = "path") -> Tuple[int, bytes]:
        p = _name(path, fn, param)
        if not p:  # the empty path names nothing (os.stat(""), os.remove(""): FileNotFoundError), not the root
            raise FileNotFoundError(2, "No such file or directory", os.fsdecode(path))
        p = p.rstrip(b"/")
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
