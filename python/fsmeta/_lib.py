"""Finding and loading libfsmeta (hand-written; the declarations are generated in _ffi.py).

Lookup order: $FSMETA_LIBRARY (a path), then the package directory (a wheel ships libfsmeta.so.1 next to this
file), then the system (the dynamic linker's search path: ldconfig, LD_LIBRARY_PATH).
"""

import ctypes.util
import os

from . import _ffi

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
