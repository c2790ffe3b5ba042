"""Argument checks of the Python API (hand-written): before a value reaches ctypes, which would wrap an int that
does not fit its C type (2**64 + 1 becoming 1, the root; -1 becoming 2**64 - 1) and report a wrong type by the
position of the C argument. Here an int outside its C type's range raises OverflowError and a wrong type raises
TypeError, both naming the method and the Python parameter."""

from __future__ import annotations

import operator
import os
from typing import Any

_fsencode = os.fsencode

U32_MAX = (1 << 32) - 1
U64_MAX = (1 << 64) - 1
I64_MIN = -(1 << 63)
I64_MAX = (1 << 63) - 1


def _int(v: Any, fn: str, param: str, lo: int, hi: int, what: str) -> int:
    try:
        i = operator.index(v)
    except TypeError:
        raise TypeError("%s() argument '%s' must be an int, not %s" % (fn, param, type(v).__name__)) from None
    if not lo <= i <= hi:
        raise OverflowError("%s() argument '%s' is %d, outside %s" % (fn, param, i, what))
    return i


def u64(v: Any, fn: str, param: str) -> int:
    """v as an int in 0 .. 2**64-1 (inode numbers, sizes, offsets, slice ids)."""
    if v.__class__ is int and 0 <= v <= U64_MAX:
        return v  # type: ignore[no-any-return]
    return _int(v, fn, param, 0, U64_MAX, "0 .. 2**64-1")


def u32(v: Any, fn: str, param: str) -> int:
    """v as an int in 0 .. 2**32-1 (modes, flags, masks, ids, chunk numbers)."""
    if v.__class__ is int and 0 <= v <= U32_MAX:
        return v  # type: ignore[no-any-return]
    return _int(v, fn, param, 0, U32_MAX, "0 .. 2**32-1")


def i64(v: Any, fn: str, param: str) -> int:
    """v as an int in -2**63 .. 2**63-1 (times in nanoseconds)."""
    if v.__class__ is int and I64_MIN <= v <= I64_MAX:
        return v  # type: ignore[no-any-return]
    return _int(v, fn, param, I64_MIN, I64_MAX, "-2**63 .. 2**63-1")


def name(v: Any, fn: str, param: str) -> bytes:
    """A name or path (str, bytes or os.PathLike) as bytes (os.fsencode)."""
    if v.__class__ is bytes:
        return v  # type: ignore[no-any-return]
    try:
        return _fsencode(v)
    except TypeError:
        raise TypeError("%s() argument '%s' must be str, bytes or os.PathLike, not %s"
                        % (fn, param, type(v).__name__)) from None


def data(v: Any, fn: str, param: str) -> bytes:
    """A value (a bytes-like object: bytes, bytearray, memoryview, ...) as bytes; never an int or a str."""
    if v.__class__ is bytes:
        return v  # type: ignore[no-any-return]
    try:
        return bytes(memoryview(v))
    except TypeError:
        raise TypeError("%s() argument '%s' must be a bytes-like object, not %s"
                        % (fn, param, type(v).__name__)) from None


def slice_fields(s: Any, fn: str, param: str) -> tuple:
    """A Slice (or any 5-sequence id, pos, size, off, len) with each field checked against its C type."""
    try:
        sid, pos, size, off, ln = s
    except (TypeError, ValueError):
        raise TypeError("%s() argument '%s' must be a Slice (id, pos, size, off, len), not %s"
                        % (fn, param, type(s).__name__)) from None
    p = param + "."
    return (u64(sid, fn, p + "id"), u32(pos, fn, p + "pos"), u32(size, fn, p + "size"), u32(off, fn, p + "off"),
            u32(ln, fn, p + "len"))
