"""FsMeta.walk, like os.walk (hand-written): a depth-first traversal over the path API, iterative (a stack, not
recursion), so a deep tree does not reach Python's recursion limit."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Iterator, List, Optional, Tuple

if TYPE_CHECKING:
    from ._paths import _PathAPI
    from ._values import PathLike


def walk(fs: "_PathAPI", top: PathLike, topdown: bool, onerror: Optional[Callable[[OSError], Any]],
         followlinks: bool) -> Iterator[Tuple[Any, List[Any], List[Any]]]:
    """The generator behind FsMeta.walk (see its docstring)."""
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
            entries = list(fs.os._scan(dirpath, False))  # the types suffice: no attributes
        except OSError as err:
            if onerror is not None:
                onerror(err)
            continue
        for ent in entries:
            try:
                is_dir = ent.is_dir()
            except OSError:  # a symlink loop, ...: as os.walk, not a directory
                is_dir = False
            (dirs if is_dir else files).append(ent.name)
            if not topdown and is_dir and (followlinks or not ent.is_symlink()):
                walk_into.append(ent.path)
        if topdown:
            yield dirpath, dirs, files
            sep = b"/" if want_bytes else "/"
            for name in reversed(dirs):
                path = dirpath + name if dirpath.endswith(sep) else dirpath + sep + name
                if followlinks or not fs.os.path.islink(path):
                    stack.append(path)
        else:
            stack.append((dirpath, dirs, files))
            for p in reversed(walk_into):
                stack.append(p)
