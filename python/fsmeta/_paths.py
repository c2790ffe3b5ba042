"""The path API of FsMeta, in the manner of os (hand-written): stat, lstat, exists, listdir, scandir, walk,
makedirs, touch, rename, remove, removedir, rmtree. Paths are from the root; every call is built on the inode
API (_inode.py), mostly on resolve."""

from __future__ import annotations

import os
import stat as _stat
from typing import Any, Callable, Iterator, List, Optional, Tuple

from . import _ffi, _walk
from ._args import name as _name
from ._inode import _InodeAPI
from ._values import Attr, DirEntry, PathLike

_ROOT = _ffi.FSMETA_ROOT_INO


class _PathAPI(_InodeAPI):
    """Operations by path (FsMeta inherits them; see its docstring)."""

    __slots__ = ()

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

    def rename(self, src: PathLike, dst: PathLike) -> None:
        """Like os.rename: move src to dst, replacing a dst of a compatible type."""
        p1, n1 = self._split(src, "rename", "src")
        p2, n2 = self._split(dst, "rename", "dst")
        try:
            self.renameat(p1, n1, p2, n2)
        except OSError as e:
            e.filename, e.filename2 = os.fsdecode(src), os.fsdecode(dst)
            raise

    def remove(self, path: PathLike) -> None:
        """Like os.remove: remove a non-directory (IsADirectoryError for a directory)."""
        parent, name = self._split(path, "remove")
        try:
            self.unlink(parent, name)
        except OSError as e:
            e.filename = os.fsdecode(path)
            raise

    def removedir(self, path: PathLike) -> None:
        """Like os.rmdir: remove an empty directory."""
        parent, name = self._split(path, "removedir")
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
