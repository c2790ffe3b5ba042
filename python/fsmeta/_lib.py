"""Finding and loading libfsmeta, and the library-wide calls (hand-written; the declarations are generated in _ffi.py).

Lookup order: $FSMETA_LIBRARY (a path), then the package directory (a wheel ships libfsmeta.so.1 next to this
file), then the system (the dynamic linker's search path: ldconfig, LD_LIBRARY_PATH).

library() loads it once per process, with every function declared and the errcheck of _errors.py set; version(),
last_error(), strerror() and handle_count() are the calls that need no database.
"""

from __future__ import annotations

import ctypes.util
import os
import threading
from typing import Any, Optional

from . import _errors, _ffi

_SONAME = "libfsmeta.so.%d" % _ffi.FSMETA_VERSION_MAJOR


def find_library():
    """Return the path (or, for the system, the name) of the libfsmeta to load."""
    env = os.environ.get("FSMETA_LIBRARY")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    for name in (_SONAME, "libfsmeta.so"):
        path = os.path.join(here, name)
        if os.path.exists(path):
            return path
    return ctypes.util.find_library("fsmeta") or _SONAME


def open_library(errcheck=None):
    """Load libfsmeta (find_library) with every function declared (_ffi.load)."""
    return _ffi.load(find_library(), errcheck=errcheck)


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
            lib = _ffi.load(path or find_library(), errcheck=_errors.errcheck)
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
