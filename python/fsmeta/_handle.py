"""The native database handle (hand-written): one fsmeta_db pointer shared by an FsMeta and its as_caller() views,
closed once, and dead in a forked child (the Go runtime inside the library does not survive fork())."""

from __future__ import annotations

import os
import threading
import weakref
from typing import Any

from . import _ffi
from ._errors import FsMetaError

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



class _Bound:
    """What every part of FsMeta works with: the shared handle, the loaded library and the caller's fsmeta_ctx
    (None: root). Declared here for the inode and path APIs; the slots are FsMeta's (_db.py)."""

    __slots__ = ()

    _h: _Handle
    _lib: Any
    _ctx: Any

    def _db(self) -> Any:
        db = self._h.db
        if db is None:
            raise _closed(self._h)
        return db
