"""A Python runner of the shared scenario files (testdata/*.scn; the format: testdata/README.md).

run_file(path) returns the failures as "FILE:LINE: message" strings (empty: the file passes). It drives the
Python API (fsmeta.FsMeta), as root through the object from fsmeta.open() and as other callers through
as_caller() views. Times: the engine's clock is set before every operation line with fsmeta_set_test_time
(T0 + n seconds); when the library has no such hook the time checks that use `now` or an integer are skipped, as
the README allows. The root directory is stamped at open, with the real clock, before the hook can act: checks of
its times against `now` values are skipped too.
"""

from __future__ import annotations

import os
import re
import stat
from typing import Any, Dict, List, Optional, Tuple

import fsmeta

T0 = 1_700_000_000_000_000_000
SEC = 1_000_000_000

MODE_WORDS = {"reg": 0o100000, "dir": 0o040000, "lnk": 0o120000, "fifo": 0o010000, "sock": 0o140000,
              "chr": 0o020000, "blk": 0o060000, "suid": 0o4000, "sgid": 0o2000, "sticky": 0o1000}
TYPE_WORDS = {k: v for k, v in MODE_WORDS.items() if k in ("reg", "dir", "lnk", "fifo", "sock", "chr", "blk")}
NODE_FLAGS = {"none": 0, "immutable": 1, "append": 2}
OPEN_FLAGS = {"rdonly": 0, "wronly": 1, "rdwr": 2, "trunc": 0o1000, "append": 0o2000}
RENAME_FLAGS = {"none": 0, "noreplace": 1, "exchange": 2}
XATTR_FLAGS = {"none": 0, "create": 1, "replace": 2}
FALLOC_MODES = {"none": 0, "keepsize": 0x01, "punchhole": 0x02, "zerorange": 0x10}
TYPE_NAMES = {v: k for k, v in TYPE_WORDS.items()}

ATTR_KEYS = ("ino", "mode", "perm", "type", "nlink", "uid", "gid", "rdev", "flags", "size", "blocks", "atime",
             "mtime", "ctime")
TIME_KEYS = ("atime", "mtime", "ctime")
KIND_KEYS = {
    "none": (),
    "attr": ATTR_KEYS,
    "readlink": ("target",),
    "xattr": ("value", "len"),
    "list": ("names", "count"),
    "readdir": ("names", "entries", "count"),
    "id": ("id",),
    "slices": ("slices", "count"),
    "dropped": ("dropped", "count"),
    "statfs": ("total", "avail", "used", "inodes", "availinodes"),
}
OP_KIND = {
    "lookup": "attr", "getattr": "attr", "access": "none", "setattr": "attr", "chmod": "attr", "chown": "attr",
    "truncate": "attr", "mknod": "attr", "create": "attr", "mkdir": "attr", "symlink": "attr",
    "readlink": "readlink", "link": "attr", "unlink": "none", "rmdir": "none", "rename": "none",
    "readdir": "readdir", "statfs": "statfs", "getxattr": "xattr", "setxattr": "none", "listxattr": "list",
    "removexattr": "none", "fallocate": "attr", "open": "attr", "close": "none", "newslice": "id",
    "write": "attr", "readchunk": "slices", "compact": "dropped", "resolve": "attr", "mkdirall": "attr",
    "fsck": "none",
}
CHECK_RE = re.compile(r"^([a-z]+)(!=|<=|>=|=|<|>)(.*)$")


class ScenarioError(Exception):
    """A failure of a line (of the file itself or of the engine's result)."""


def parse_int(s: str) -> int:
    """C strtoull(s, NULL, 0), with an optional leading '-': 0x hex, a leading 0 octal, else decimal."""
    neg = s.startswith("-")
    t = s[1:] if neg else s
    if not t:
        raise ScenarioError("bad number %r" % s)
    try:
        if t[:2].lower() == "0x":
            v = int(t[2:], 16)
        elif len(t) > 1 and t[0] == "0":
            v = int(t[1:], 8)
        else:
            v = int(t, 10)
    except ValueError:
        raise ScenarioError("bad number %r" % s) from None
    return -v if neg else v


def decode(tok: str) -> bytes:
    """Decode the escapes of a string token (\\xHH, \\\\, \\e, \\{TEXT*N}); \\i was substituted before."""
    raw = tok.encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c != 0x5C:  # backslash
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(raw):
            raise ScenarioError("dangling backslash in %r" % tok)
        e = raw[i + 1]
        if e == ord("x"):
            h = raw[i + 2:i + 4]
            if len(h) != 2 or not re.fullmatch(rb"[0-9a-fA-F]{2}", h):
                raise ScenarioError("bad \\x escape in %r" % tok)
            out.append(int(h, 16))
            i += 4
        elif e == 0x5C:
            out.append(0x5C)
            i += 2
        elif e == ord("e"):
            i += 2
        elif e == ord("{"):
            end = raw.find(b"}", i + 2)
            if end < 0:
                raise ScenarioError("unterminated \\{ in %r" % tok)
            inner = raw[i + 2:end]
            star = inner.rfind(b"*")
            if star < 0:
                raise ScenarioError("\\{ without * in %r" % tok)
            text = decode(inner[:star].decode("utf-8"))
            out += text * parse_int(inner[star + 1:].decode())
            i = end + 1
        else:
            raise ScenarioError("unknown escape \\%s in %r" % (chr(e), tok))
    return bytes(out)


def decode_list(value: str) -> List[bytes]:
    if value == "":
        return []
    return [decode(x) for x in value.split(",")]


class Runner:
    def __init__(self, path: str) -> None:
        self.path = path
        self.name = os.path.basename(path)
        self.failures: List[str] = []
        self.users: Dict[str, fsmeta.Caller] = {"root": fsmeta.Caller()}
        self.current = fsmeta.Caller()
        self.options: Dict[str, int] = {}
        self.fs: Optional[fsmeta.FsMeta] = None
        self.views: Dict[fsmeta.Caller, fsmeta.FsMeta] = {}
        self.vars: Dict[str, int] = {}
        self.opno = 0
        self.clock = True

    # -- engine

    def engine(self) -> fsmeta.FsMeta:
        if self.fs is None:
            self.fs = fsmeta.open(umask=0, capacity=self.options.get("capacity", 0),
                                  max_inodes=self.options.get("maxinodes", 0))
            try:
                self.fs.set_test_time(T0)
            except AttributeError:
                self.clock = False
        return self.fs

    def as_(self, caller: fsmeta.Caller) -> fsmeta.FsMeta:
        fs = self.engine()
        if caller == fsmeta.Caller():
            return fs
        v = self.views.get(caller)
        if v is None:
            v = self.views[caller] = fs.as_caller(caller.uid, caller.gid, caller.groups, caller.umask)
        return v

    # -- values

    def sub_vars(self, s: str) -> int:
        if s.startswith("$"):
            if s[1:] not in self.vars:
                raise ScenarioError("unbound variable %s" % s)
            return self.vars[s[1:]]
        return parse_int(s)

    def words(self, s: str, table: Dict[str, int]) -> int:
        v = 0
        for part in s.split("|"):
            if part in table:
                v |= table[part]
            else:
                v |= parse_int(part)
        return v

    def access_mask(self, s: str) -> int:
        if s == "f":
            return 0
        if re.fullmatch(r"[rwx]+", s):
            return sum({"r": 4, "w": 2, "x": 1}[c] for c in set(s))
        return self.sub_vars(s)

    def slice(self, s: str) -> fsmeta.Slice:
        f = [self.sub_vars(x) for x in s.split(":")]
        if len(f) == 3:
            return fsmeta.Slice(f[0], f[1], f[2], 0, f[2])
        if len(f) == 5:
            return fsmeta.Slice(f[0], f[1], f[4], f[3], f[2])
        raise ScenarioError("bad slice %r" % s)

    def target(self, tok: str) -> int:
        parts = tok.split("/")
        first = parts[0]
        if first == "":
            ino = fsmeta.ROOT_INO
        elif first.startswith("$"):
            ino = self.sub_vars(first)
        elif first.startswith("#"):
            ino = parse_int(first[1:])
        else:
            raise ScenarioError("bad target %r" % tok)
        root = self.engine()
        for comp in parts[1:]:
            name = decode(comp)
            if not name:
                continue
            try:
                ino = root.lookup(ino, name).ino
            except OSError as e:
                raise ScenarioError("target %s: lookup %r: %s" % (tok, name, e)) from None
        return ino

    def parent_name(self, tok: str) -> Tuple[int, bytes]:
        head, sep, tail = tok.rpartition("/")
        if not sep:
            return fsmeta.ROOT_INO, decode(tok)
        parent = self.target(head) if head else fsmeta.ROOT_INO
        return parent, decode(tail)

    # -- running

    def fail(self, lineno: int, msg: str) -> None:
        self.failures.append("%s:%d: %s" % (self.name, lineno, msg))

    def run(self) -> List[str]:
        with open(self.path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        for lineno, line in enumerate(lines, 1):
            toks = line.rstrip("\r").split()
            if not toks or toks[0].startswith("#"):
                continue
            try:
                self.line(lineno, toks)
            except ScenarioError as e:
                self.fail(lineno, str(e))
        if self.fs is not None:
            try:
                self.fs.fsck()
            except OSError as e:
                self.fail(len(lines), "fsck after the file: %s" % e)
            self.fs.close()
        return self.failures

    def caller_from(self, toks: List[str]) -> fsmeta.Caller:
        kv: Dict[str, str] = {}
        for t in toks:
            k, sep, v = t.partition("=")
            if not sep or k not in ("uid", "gid", "groups", "umask"):
                raise ScenarioError("bad caller field %r" % t)
            kv[k] = v
        groups = tuple(parse_int(g) for g in kv["groups"].split(",") if g) if "groups" in kv else ()
        return fsmeta.Caller(parse_int(kv.get("uid", "0")), parse_int(kv.get("gid", "0")), groups,
                             parse_int(kv.get("umask", "0")))

    def line(self, lineno: int, toks: List[str]) -> None:
        kw = toks[0]
        if kw == "user":
            self.users[toks[1]] = self.caller_from(toks[2:])
            return
        if kw == "as":
            if len(toks) == 2 and "=" not in toks[1]:
                if toks[1] not in self.users:
                    raise ScenarioError("unknown user %s" % toks[1])
                self.current = self.users[toks[1]]
            else:
                self.current = self.caller_from(toks[1:])
            return
        if kw == "option":
            if self.fs is not None:
                raise ScenarioError("option after the first operation")
            for t in toks[1:]:
                k, _, v = t.partition("=")
                if k not in ("maxinodes", "capacity"):
                    raise ScenarioError("unknown option %s" % k)
                self.options[k] = parse_int(v)
            return
        caller = self.current
        i = 0
        if toks[0].startswith("@"):
            if toks[0][1:] not in self.users:
                raise ScenarioError("unknown user %s" % toks[0])
            caller = self.users[toks[0][1:]]
            i = 1
        repeat = None
        if toks[i] == "repeat":
            repeat = parse_int(toks[i + 1])
            i += 2
        op = toks[i]
        if op not in OP_KIND:
            raise ScenarioError("unknown operation %r" % op)
        try:
            arrow = toks.index("=>", i)
        except ValueError:
            raise ScenarioError("no =>") from None
        args = toks[i + 1:arrow]
        if arrow + 1 >= len(toks):
            raise ScenarioError("nothing after =>")
        expect = toks[arrow + 1]
        checks = toks[arrow + 2:]
        if expect != "ok" and checks:
            raise ScenarioError("checks after an errno")
        self.opno += 1
        fs = self.engine()
        if self.clock:
            fs.set_test_time(T0 + self.opno * SEC)
        for rep in range(repeat if repeat is not None else 1):
            if repeat is not None:
                a = [re.sub(r"(?<!\\)\\i", str(rep), t) for t in args]
                c = [re.sub(r"(?<!\\)\\i", str(rep), t) for t in checks]
            else:
                a, c = args, checks
            self.one(lineno, caller, op, a, expect, c, rep if repeat is not None else None)

    def one(self, lineno: int, caller: fsmeta.Caller, op: str, args: List[str], expect: str, checks: List[str],
            rep: Optional[int]) -> None:
        where = "" if rep is None else " (repetition %d)" % rep
        call = self.prepare(op, args, caller)
        try:
            result = call()
            got = "ok"
        except fsmeta.FsMetaError as e:
            raise ScenarioError("%s%s: library failure: %s" % (op, where, e)) from None
        except OSError as e:
            got = fsmeta.status_name(-e.errno) if e.errno else "EUNKNOWN"
            result = None
            err = e
        if got != expect:
            detail = (": %s" % err) if got != "ok" else ""
            raise ScenarioError("%s %s%s: got %s, want %s%s" % (op, " ".join(args), where, got, expect, detail))
        if got == "ok":
            for chk in checks:
                self.check(OP_KIND[op], result, chk, op, where)

    # -- operations

    def prepare(self, op: str, a: List[str], caller: fsmeta.Caller) -> Any:
        fs = self.as_(caller)

        def need(lo: int, hi: Optional[int] = None) -> None:
            hi = lo if hi is None else hi
            if not lo <= len(a) <= hi:
                raise ScenarioError("%s: %d arguments, want %d..%d" % (op, len(a), lo, hi))

        if op == "lookup":
            need(1)
            p, n = self.parent_name(a[0])
            return lambda: fs.lookup(p, n)
        if op == "getattr":
            need(1)
            t = self.target(a[0])
            return lambda: fs.getattr(t)
        if op == "access":
            need(2)
            t, m = self.target(a[0]), self.access_mask(a[1])
            return lambda: fs.access(t, m)
        if op == "setattr":
            t = self.target(a[0])
            kw: Dict[str, Any] = {}
            mask = 0
            for item in a[1:]:
                k, _, v = item.partition("=")
                if k == "mode":
                    kw["mode"] = self.words(v, MODE_WORDS)
                elif k in ("uid", "gid", "size"):
                    kw[k] = self.sub_vars(v)
                elif k in ("atime", "mtime"):
                    if v == "now":
                        kw[k + "_now"] = True
                    else:
                        kw[k + "_ns"] = self.sub_vars(v)
                elif k == "ctime":
                    kw["ctime_ns"] = self.sub_vars(v)
                elif k == "flags":
                    kw["flags"] = self.words(v, NODE_FLAGS)
                elif k == "mask":
                    mask |= self.sub_vars(v)
                else:
                    raise ScenarioError("unknown setattr key %r" % k)
            return lambda: fs.setattr(t, mask=mask, **kw)
        if op == "chmod":
            need(2)
            t, m = self.target(a[0]), self.words(a[1], MODE_WORDS)
            return lambda: fs.setattr(t, mode=m)
        if op == "chown":
            need(3)
            t, u, g = self.target(a[0]), self.sub_vars(a[1]), self.sub_vars(a[2])
            return lambda: fs.setattr(t, uid=u, gid=g)
        if op == "truncate":
            need(2)
            t, sz = self.target(a[0]), self.sub_vars(a[1])
            return lambda: fs.setattr(t, size=sz)
        if op == "mknod":
            need(2, 3)
            p, n = self.parent_name(a[0])
            m = self.words(a[1], MODE_WORDS)
            rdev = self.sub_vars(a[2]) if len(a) > 2 else 0
            return lambda: fs.mknod(p, n, m, rdev)
        if op in ("create", "mkdir"):
            need(2)
            p, n = self.parent_name(a[0])
            m = self.words(a[1], MODE_WORDS)
            if op == "create":
                return lambda: fs.create(p, n, stat.S_IFREG | (m & 0o7777))
            return lambda: fs.mkdir(p, n, m)
        if op == "symlink":
            need(2)
            p, n = self.parent_name(a[0])
            tg = decode(a[1])
            return lambda: fs.symlink(p, n, tg)
        if op == "readlink":
            need(1)
            t = self.target(a[0])
            return lambda: fs.readlink(t)
        if op == "link":
            need(2)
            t = self.target(a[0])
            p, n = self.parent_name(a[1])
            return lambda: fs.link(t, p, n)
        if op in ("unlink", "rmdir"):
            need(1)
            p, n = self.parent_name(a[0])
            return (lambda: fs.unlink(p, n)) if op == "unlink" else (lambda: fs.rmdir(p, n))
        if op == "rename":
            need(2, 3)
            p, n = self.parent_name(a[0])
            p2, n2 = self.parent_name(a[1])
            fl = self.words(a[2], RENAME_FLAGS) if len(a) > 2 else 0
            return lambda: fs.renameat(p, n, p2, n2, fl)
        if op == "readdir":
            need(1, 3)
            t = self.target(a[0])
            plus = False
            for x in a[1:]:
                if x == "plus":
                    plus = True
                elif x.startswith("max="):
                    parse_int(x[4:])  # the C API batches by itself: max has no counterpart
                else:
                    raise ScenarioError("bad readdir argument %r" % x)
            return lambda: self.readdir(fs, t, plus)
        if op == "statfs":
            need(0)
            return fs.statfs
        if op == "getxattr":
            need(2)
            t, n = self.target(a[0]), decode(a[1])
            return lambda: fs.getxattr(t, n)
        if op == "setxattr":
            need(3, 4)
            t, n, v = self.target(a[0]), decode(a[1]), decode(a[2])
            fl = self.words(a[3], XATTR_FLAGS) if len(a) > 3 else 0
            return lambda: fs.setxattr(t, n, v, fl)
        if op == "listxattr":
            need(1)
            t = self.target(a[0])
            return lambda: fs.listxattr_bytes(t)
        if op == "removexattr":
            need(2)
            t, n = self.target(a[0]), decode(a[1])
            return lambda: fs.removexattr(t, n)
        if op == "fallocate":
            need(4)
            t, m = self.target(a[0]), self.words(a[1], FALLOC_MODES)
            off, ln = self.sub_vars(a[2]), self.sub_vars(a[3])
            return lambda: fs.fallocate(t, m, off, ln)
        if op == "open":
            need(2)
            t, fl = self.target(a[0]), self.words(a[1], OPEN_FLAGS)
            return lambda: fs.open_file(t, fl)
        if op == "close":
            need(1)
            t = self.target(a[0])
            return lambda: fs.close_file(t)
        if op == "newslice":
            need(1)
            n = self.sub_vars(a[0])
            return lambda: fs.new_slice_id(n)
        if op == "write":
            need(3)
            t, ch, s = self.target(a[0]), self.sub_vars(a[1]), self.slice(a[2])
            return lambda: fs.write_slice(t, ch, s)
        if op == "readchunk":
            need(2)
            t, ch = self.target(a[0]), self.sub_vars(a[1])
            return lambda: fs.read_chunk(t, ch)
        if op == "compact":
            need(2, 4)
            t, ch = self.target(a[0]), self.sub_vars(a[1])
            replaced: List[fsmeta.Slice] = []
            with_ = None
            for x in a[2:]:
                if x.startswith("replaced="):
                    replaced = [self.slice(s) for s in x[len("replaced="):].split(",") if s]
                elif x.startswith("with="):
                    with_ = self.slice(x[len("with="):])
                else:
                    raise ScenarioError("bad compact argument %r" % x)
            if replaced and with_ is None:
                with_ = fsmeta.Slice(0, 0, 0, 0, 0)
            return lambda: fs.compact_chunk(t, ch, replaced, with_)
        if op == "resolve":
            need(1, 2)
            path = decode(a[0])
            if len(a) > 1 and a[1] not in ("follow", "nofollow"):
                raise ScenarioError("bad resolve flag %r" % a[1])
            follow = len(a) > 1 and a[1] == "follow"
            return lambda: fs.resolve(path, follow)
        if op == "mkdirall":
            need(2)
            path, m = decode(a[0]), self.words(a[1], MODE_WORDS)
            return lambda: fs.mkdir_all(path, m)
        if op == "fsck":
            need(0)
            return self.engine().fsck
        raise ScenarioError("unknown operation %r" % op)  # pragma: no cover

    def readdir(self, fs: fsmeta.FsMeta, ino: int, plus: bool) -> List[Tuple[bytes, int, Optional[fsmeta.Attr]]]:
        out = []
        for e in fs.readdir(ino, plus):
            out.append((e.raw_name, e.type, e._attr if plus else None, e.inode()))
        names = [x[0] for x in out]
        if len(set(names)) != len(names):
            raise ScenarioError("readdir: a name came twice: %r" % names)
        root = self.engine()
        for name, typ, attr, eino in out:
            try:
                got = root.getattr(eino)
            except OSError as e:
                raise ScenarioError("readdir: entry %r: getattr %d: %s" % (name, eino, e)) from None
            if got.type != typ:
                raise ScenarioError("readdir: entry %r: type 0o%o, getattr says 0o%o" % (name, typ, got.type))
            if plus and attr != got:
                raise ScenarioError("readdir plus: entry %r: %r != getattr %r" % (name, attr, got))
        return [(n, t, a) for n, t, a, _ in out]

    # -- checks

    def check(self, kind: str, result: Any, chk: str, op: str, where: str) -> None:
        if chk.startswith("$"):
            if kind == "attr":
                self.vars[chk[1:]] = result.ino
            elif kind == "id":
                self.vars[chk[1:]] = result
            else:
                raise ScenarioError("%s: cannot bind a %s result" % (op, kind))
            return
        m = CHECK_RE.match(chk)
        if not m:
            raise ScenarioError("bad check %r" % chk)
        key, cmp, value = m.groups()
        if key not in KIND_KEYS[kind]:
            raise ScenarioError("%s: unknown check key %r for a %s result" % (op, key, kind))
        if kind == "attr":
            got: Any = self.attr_field(result, key)
            want: Any = self.attr_value(result, key, value)
            if want is None:
                return  # a time check without a clock
        elif kind == "readlink":
            got, want = result, decode(value)
        elif kind == "xattr":
            got, want = (result, decode(value)) if key == "value" else (len(result), self.sub_vars(value))
        elif kind == "list":
            got, want = (result, decode_list(value)) if key == "names" else (len(result), self.sub_vars(value))
        elif kind == "readdir":
            if key == "names":
                got, want = sorted(n for n, _, _ in result), sorted(decode_list(value))
            elif key == "entries":
                got = sorted((n, t) for n, t, _ in result)
                want = []
                for item in value.split(",") if value else []:
                    nm, _, tw = item.rpartition(":")
                    want.append((decode(nm), TYPE_WORDS[tw] if tw in TYPE_WORDS else parse_int(tw)))
                want.sort()
            else:
                got, want = len(result), self.sub_vars(value)
        elif kind == "id":
            got, want = result, self.sub_vars(value)
        elif kind in ("slices", "dropped"):
            if key == "count":
                got, want = len(result), self.sub_vars(value)
            else:
                want = [self.slice(s) for s in value.split(",")] if value else []
                got = list(result)
                if kind == "dropped":
                    got, want = sorted(got), sorted(want)
        elif kind == "statfs":
            field = {"total": "total_space", "avail": "avail_space", "used": "used_space", "inodes": "inodes",
                     "availinodes": "avail_inodes"}[key]
            got, want = getattr(result, field), self.sub_vars(value)
        else:  # pragma: no cover
            raise ScenarioError("no checks for %s" % kind)
        ok = {"=": got == want, "!=": got != want}.get(cmp)
        if ok is None:
            if not isinstance(got, int) or not isinstance(want, int):
                raise ScenarioError("%s: %s%s on a non-number" % (op, key, cmp))
            ok = {"<": got < want, ">": got > want, "<=": got <= want, ">=": got >= want}[cmp]
        if not ok:
            raise ScenarioError("%s%s: check %s failed: got %r" % (op, where, chk, _show(got)))

    def attr_field(self, a: fsmeta.Attr, key: str) -> int:
        return {"ino": a.ino, "mode": a.mode, "perm": a.mode & 0o7777, "type": a.mode & 0o170000,
                "nlink": a.nlink, "uid": a.uid, "gid": a.gid, "rdev": a.rdev, "flags": a.flags, "size": a.size,
                "blocks": a.blocks, "atime": a.atime_ns, "mtime": a.mtime_ns, "ctime": a.ctime_ns}[key]

    def attr_value(self, a: fsmeta.Attr, key: str, value: str) -> Optional[int]:
        if key in TIME_KEYS:
            if value in TIME_KEYS:
                return self.attr_field(a, value)
            if not self.clock or (a.ino == fsmeta.ROOT_INO and self.stamped_at_open(a, key)):
                return None
            if value == "now":
                return T0 + self.opno * SEC
            if value.startswith("now-"):
                return T0 + (self.opno - parse_int(value[4:])) * SEC
            return self.sub_vars(value)
        if key in ("mode", "perm"):
            return self.words(value, MODE_WORDS)
        if key == "type":
            return TYPE_WORDS[value] if value in TYPE_WORDS else parse_int(value)
        if key == "flags":
            return self.words(value, NODE_FLAGS)
        return self.sub_vars(value)

    def stamped_at_open(self, a: fsmeta.Attr, key: str) -> bool:
        # The root's times from the engine's creation come from the real clock (the hook is set just after).
        return self.attr_field(a, key) < T0 or self.attr_field(a, key) > T0 + 10**6 * SEC


def _show(v: Any) -> Any:
    if isinstance(v, int) and v > 0o777 and v < 0o1000000:
        return "%d (0o%o)" % (v, v)
    return v


def run_file(path: str) -> List[str]:
    """Run one scenario file; returns its failures ("FILE:LINE: message")."""
    return Runner(path).run()
