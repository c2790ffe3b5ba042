"""fsmeta: Python bindings of libfsmeta, an in-memory file-system metadata engine.

Two layers:

- the raw ctypes declarations, generated from include/fsmeta.h (``fsmeta._ffi``; ``fsmeta.library()`` returns
  the loaded CDLL with argtypes, restype and errcheck set on every function);
- the objects: ``fsmeta.open()`` returns an :class:`FsMeta` (a context manager; ``close()``; a guarded,
  idempotent ``__del__``) with inode operations (lookup, getattr, mkdir, readdir, ...) and a path API in the
  manner of ``os`` (stat, listdir, walk, makedirs, rename, remove, rmtree; every os function by path as
  ``fs.os``, os.path's as ``fs.os.path``) and a pathlib-like :class:`Path` (``fs.path("/a") / "b"``).
  Attributes come as :class:`Attr`, with os.stat_result's field names; listings as :class:`DirEntry`, like
  os.DirEntry (``readdir`` returns a :class:`DirStream`, whose ``tell()`` and ``seek()`` resume a listing).

Names and paths are ``str`` (encoded like os.fsencode: the file-system encoding with surrogateescape) or
``bytes``. POSIX failures raise ``OSError(errno, message, name)``, so Python gives FileNotFoundError,
FileExistsError, NotADirectoryError, IsADirectoryError, PermissionError, ... by itself; the library's own
statuses (a closed database, a bad handle, ...) raise :class:`FsMetaError`, a subclass of OSError.

Library lookup: ``$FSMETA_LIBRARY``, then the package directory (a wheel carries libfsmeta.so.1), then the
system.

Threads: every call releases the GIL (ctypes does), so Python threads run operations in parallel; an FsMeta may
be shared by any number of threads. Processes: the library contains the Go runtime, which does not survive
fork(): never use fsmeta in a child made by fork() after the library was loaded (handles are marked closed in
such a child). With multiprocessing, use the spawn start method
(``multiprocessing.get_context("spawn")``); fork followed by exec (subprocess) is fine.
"""

from ._db import FsMeta, open
from ._errors import FsMetaError, status_name
from ._ffi import (  # noqa: F401 - the constants callers pass
    FSMETA_DIR_PLUS,
    FSMETA_EBADHANDLE,
    FSMETA_ECLOSED,
    FSMETA_ECORRUPT,
    FSMETA_EINTERNAL,
    FSMETA_ENOTLEADER,
    FSMETA_ETOOSMALL,
    FSMETA_EVERSION,
    FSMETA_FALLOC_KEEP_SIZE,
    FSMETA_FALLOC_PUNCH_HOLE,
    FSMETA_FALLOC_ZERO_RANGE,
    FSMETA_FLAG_APPEND,
    FSMETA_FLAG_IMMUTABLE,
    FSMETA_ITEROVER,
    FSMETA_NAME_MAX,
    FSMETA_O_APPEND,
    FSMETA_O_RDONLY,
    FSMETA_O_RDWR,
    FSMETA_O_TRUNC,
    FSMETA_O_WRONLY,
    FSMETA_RENAME_EXCHANGE,
    FSMETA_RENAME_NOREPLACE,
    FSMETA_ROOT_INO,
    FSMETA_XATTR_CREATE,
    FSMETA_XATTR_REPLACE,
)
from ._inode import DirStream
from ._lib import handle_count, last_error, library, strerror, version
from ._oslike import OsAPI, OsPathAPI, ScandirEntry, ScandirIterator
from ._pathlib import Path
from ._values import Attr, Caller, DirEntry, Slice, StatFS, Stats

ROOT_INO = FSMETA_ROOT_INO
RENAME_NOREPLACE = FSMETA_RENAME_NOREPLACE
RENAME_EXCHANGE = FSMETA_RENAME_EXCHANGE
XATTR_CREATE = FSMETA_XATTR_CREATE
XATTR_REPLACE = FSMETA_XATTR_REPLACE
FLAG_IMMUTABLE = FSMETA_FLAG_IMMUTABLE
FLAG_APPEND = FSMETA_FLAG_APPEND

__version__ = "1.0.0"

__all__ = [
    "Attr",
    "Caller",
    "DirEntry",
    "DirStream",
    "FsMeta",
    "FsMetaError",
    "OsAPI",
    "OsPathAPI",
    "Path",
    "ScandirEntry",
    "ScandirIterator",
    "Slice",
    "StatFS",
    "Stats",
    "handle_count",
    "last_error",
    "library",
    "open",
    "status_name",
    "strerror",
    "version",
    "ROOT_INO",
    "RENAME_NOREPLACE",
    "RENAME_EXCHANGE",
    "XATTR_CREATE",
    "XATTR_REPLACE",
    "FLAG_IMMUTABLE",
    "FLAG_APPEND",
]
