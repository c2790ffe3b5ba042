"""Status codes to Python exceptions: the errcheck of the raw layer (hand-written).

POSIX statuses (-1 .. -999, -errno with Linux's numbers) raise ``OSError(errno, message, name)``: Python's
OSError constructor then picks the subclass by itself (FileNotFoundError for ENOENT, FileExistsError, ...).
The library's own statuses (-1000 .. -1999) raise :class:`FsMetaError`, a subclass of OSError whose ``errno`` is
the positive code (``-status``) and ``status`` the library's (negative) code.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, Optional, Tuple

from . import _ffi

__all__ = ["FsMetaError", "status_name", "make_error", "errcheck"]

#: The names of the library's own status codes, by value.
_OWN_NAMES: Dict[int, str] = {
    _ffi.FSMETA_EBADHANDLE: "EBADHANDLE",
    _ffi.FSMETA_EINTERNAL: "EINTERNAL",
    _ffi.FSMETA_ITEROVER: "ITEROVER",
    _ffi.FSMETA_ECLOSED: "ECLOSED",
    _ffi.FSMETA_ETOOSMALL: "ETOOSMALL",
    _ffi.FSMETA_EVERSION: "EVERSION",
    _ffi.FSMETA_ENOTLEADER: "ENOTLEADER",
    _ffi.FSMETA_ECORRUPT: "ECORRUPT",
}


class FsMetaError(OSError):
    """A failure with one of the library's own status codes (FSMETA_EBADHANDLE, FSMETA_ECLOSED, ...).

    ``errno`` is the positive code (1000 .. 1999), ``status`` the library's negative one, ``name`` its name
    without the ``FSMETA_`` prefix (``"ECLOSED"``). Using an FsMeta object after close() raises this with
    status FSMETA_ECLOSED.
    """

    @property
    def status(self) -> int:
        """The library's status code (negative), e.g. fsmeta.FSMETA_ECLOSED."""
        return -int(self.errno or 0)

    @property
    def name(self) -> str:
        """The status code's name, e.g. "ECLOSED"."""
        return _OWN_NAMES.get(self.status, "E%d" % (self.errno or 0))


def status_name(status: int) -> str:
    """The name of a status code: "OK", a POSIX name ("ENOENT") or the library's ("ECLOSED")."""
    if status == 0:
        return "OK"
    if status in _OWN_NAMES:
        return _OWN_NAMES[status]
    if status in _POSIX_NAMES:
        return _POSIX_NAMES[status]
    import errno as _errno

    return _errno.errorcode.get(-status, "E%d" % -status)


#: The header's POSIX status names (EOPNOTSUPP, not Python's ENOTSUP alias), by value.
_POSIX_NAMES: Dict[int, str] = {
    v: k[len("FSMETA_"):]
    for k, v in vars(_ffi).items()
    if k.startswith("FSMETA_E") and isinstance(v, int) and -1000 < v < 0
}


# For each function taking names: the positions (in the C argument list) of the name arguments, reported as the
# exception's filename (and filename2 for rename). Generated from the header's parameter names.
_NAME_ARGS: Dict[str, Tuple[int, ...]] = _ffi.NAME_ARGS

_last_error: Optional[Callable[[], bytes]] = None  # lib.fsmeta_last_error, set by bind()


def bind(lib: Any) -> None:
    """Remember the loaded library's fsmeta_last_error (for the messages)."""
    global _last_error
    _last_error = lib.fsmeta_last_error


def make_error(status: int, message: Optional[str] = None, filename: Any = None, filename2: Any = None) -> OSError:
    """The exception for a negative status: an OSError subclass chosen by errno, or FsMetaError."""
    if message is None:
        message = _message(status)
    if -1000 < status < 0:
        return OSError(-status, message, filename, None, filename2)
    return FsMetaError(-status, message, filename, None, filename2)


def _message(status: int) -> str:
    text = b""
    if _last_error is not None:
        try:
            text = _last_error() or b""
        except Exception:  # pragma: no cover - never expected
            text = b""
    if text:
        return text.decode("utf-8", "replace")
    return "fsmeta: %s" % status_name(status)


def _name(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return os.fsdecode(bytes(value))
    return value


def errcheck(result: int, func: Any, args: Tuple[Any, ...]) -> int:
    """ctypes errcheck of every status-returning function.

    Returns the status when it is 0 or positive, FSMETA_ITEROVER (end of a listing) or FSMETA_ETOOSMALL (the
    caller retries with a bigger buffer); raises otherwise (see the module docstring). The message is the
    library's per-thread fsmeta_last_error(), read at once on the calling thread.
    """
    if result >= 0 or result == _ffi.FSMETA_ITEROVER or result == _ffi.FSMETA_ETOOSMALL:
        return result
    where = _NAME_ARGS.get(getattr(func, "__name__", ""), ())
    filename = _name(args[where[0]]) if where else None
    filename2 = _name(args[where[1]]) if len(where) > 1 else None
    raise make_error(result, None, filename, filename2)
