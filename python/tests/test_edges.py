"""Edges found by using the Python API from outside (issue #19), one test (or more) per defect."""

import ctypes
import errno

import pytest

import fsmeta

ROOT = fsmeta.ROOT_INO


def test_stale_opens_released_on_open(tmp_path):
    """Defect 1: the opens of a closed durable engine are released by the next open."""
    d = str(tmp_path / "db")
    with fsmeta.open(d) as fs:
        data = fs.makedirs("/data")
        orphan = fs.create(data.ino, "orphan")
        kept = fs.create(data.ino, "kept")
        fs.open_file(orphan.ino)
        fs.open_file(orphan.ino)
        fs.open_file(kept.ino, fsmeta.FSMETA_O_RDWR)
        fs.unlink(data.ino, "orphan")
        st = fs.stats()
        assert (st.orphans, st.open_files) == (1, 2)
    with fsmeta.open(d) as fs:
        st = fs.stats()
        assert (st.orphans, st.open_files) == (0, 0)
        try:
            fs.getattr(orphan.ino)
        except FileNotFoundError:
            pass
        else:
            raise AssertionError("the unlinked file that was open survived the restart")
        assert fs.getattr(kept.ino).nlink == 1
        try:
            fs.close_file(kept.ino)
        except OSError as e:
            assert e.errno == 9  # EBADF: released at open
        else:
            raise AssertionError("the file is still open after the restart")
        fs.fsck()


def test_nul_in_path_is_einval(fs):
    """Defect 2: a NUL inside a path is refused (EINVAL), not looked up."""
    fs.makedirs("/d")
    for p in ("/d\0x", "/missing/a\0b", b"/d\0", "\0"):
        for call in (fs.stat, fs.lstat, fs.resolve, fs.listdir, fs.makedirs, fs.os.mkdir, fs.os.readlink,
                     fs.os.remove, fs.os.rmdir, fs.os.listxattr):
            with pytest.raises(OSError) as e:
                call(p)
            assert e.value.errno == errno.EINVAL, (call.__name__, p, e.value)
        # the predicates answer False for it, as os.path.exists("a\0b") does
        for pred in (fs.exists, fs.lexists, fs.isdir, fs.isfile, fs.islink):
            assert pred(p) is False, (pred.__name__, p)
    with pytest.raises(OSError) as e:
        fs.touch("/d\0x/f")
    assert e.value.errno == errno.EINVAL
    with pytest.raises(OSError) as e:
        fs.touch("/d/a\0b")
    assert e.value.errno == errno.EINVAL


def test_empty_path_is_enoent(fs):
    """Defect 7: the empty path names nothing, as in os (os.stat("") raises FileNotFoundError)."""
    fs.makedirs("/d")
    for call in (fs.stat, fs.lstat, fs.resolve, fs.listdir, fs.makedirs, fs.remove, fs.removedir, fs.rmtree,
                 fs.touch, fs.mkdir_all):
        for p in ("", b""):
            with pytest.raises(FileNotFoundError):
                call(p)
    assert fs.exists("") is False
    assert fs.exists(b"") is False
    with pytest.raises(FileNotFoundError):
        fs.rename("", "/e")
    with pytest.raises(FileNotFoundError):
        fs.rename("/d", "")
    assert fs.stat("/").ino == ROOT
    assert fs.exists("/d")


@pytest.mark.parametrize("files", [0, 3, 5000])
@pytest.mark.parametrize("at_end", [False, True])
def test_listing_after_close_raises(files, at_end):
    """Defect 3: once the database is closed, a listing in progress raises the closed error on its next entry,
    whatever it had fetched (and after the last entry too)."""
    fs = fsmeta.open()
    for i in range(files):
        fs.create(ROOT, "f%d" % i)
    it = fs.readdir(ROOT, plus=True)
    # every entry (not past the end: a generator that ended stays ended), or the first one of a batch
    for _ in range(files if at_end else min(files, 1)):
        next(it)
    fs.close()
    with pytest.raises(fsmeta.FsMetaError) as e:
        next(it)
    assert e.value.status == fsmeta.FSMETA_ECLOSED


# -- defect 5: ints outside their C type's range raise, never wrap


@pytest.mark.parametrize("bad", [2**64 + 1, 2**64, -1, -(2**63), 2**200])
def test_inode_numbers_out_of_range(fs, bad):
    fs.mkdir(ROOT, "tree")
    calls = {
        "getattr": lambda: fs.getattr(bad),
        "lookup": lambda: fs.lookup(bad, "tree"),
        "setattr": lambda: fs.setattr(bad, mode=0o755),
        "chmod": lambda: fs.chmod(bad, 0o755),
        "access": lambda: fs.access(bad),
        "mknod": lambda: fs.mknod(bad, "x", 0o644),
        "create": lambda: fs.create(bad, "x"),
        "mkdir": lambda: fs.mkdir(bad, "x"),
        "symlink": lambda: fs.symlink(bad, "x", "t"),
        "readlink": lambda: fs.readlink(bad),
        "link": lambda: fs.link(bad, ROOT, "x"),
        "link new_parent": lambda: fs.link(ROOT, bad, "x"),
        "unlink": lambda: fs.unlink(bad, "tree"),
        "rmdir": lambda: fs.rmdir(bad, "tree"),
        "renameat": lambda: fs.renameat(bad, "tree", ROOT, "t2"),
        "renameat new_parent": lambda: fs.renameat(ROOT, "tree", bad, "t2"),
        "readdir": lambda: fs.readdir(bad),
        "getxattr": lambda: fs.getxattr(bad, "user.x"),
        "setxattr": lambda: fs.setxattr(bad, "user.x", b"v"),
        "listxattr": lambda: fs.listxattr(bad),
        "removexattr": lambda: fs.removexattr(bad, "user.x"),
        "fallocate": lambda: fs.fallocate(bad, 0, 0, 1),
        "open_file": lambda: fs.open_file(bad),
        "close_file": lambda: fs.close_file(bad),
        "write_slice": lambda: fs.write_slice(bad, 0, fsmeta.Slice(1, 0, 1, 0, 1)),
        "read_chunk": lambda: fs.read_chunk(bad, 0),
        "compact_chunk": lambda: fs.compact_chunk(bad, 0),
    }
    for what, call in calls.items():
        with pytest.raises(OverflowError) as e:
            call()
        assert str(bad) in str(e.value), what
    # nothing changed, nothing was looked up in the root by a wrapped number
    assert sorted(fs.listdir("/")) == ["tree"]
    fs.fsck()


def test_other_ints_out_of_range(fs):
    f = fs.create(ROOT, "f")
    for call in (lambda: fs.setattr(f.ino, mode=2**32), lambda: fs.setattr(f.ino, size=2**64),
                 lambda: fs.setattr(f.ino, size=-1), lambda: fs.setattr(f.ino, mtime_ns=2**63),
                 lambda: fs.setattr(f.ino, uid=-1), lambda: fs.access(f.ino, 2**32 + 4),
                 lambda: fs.create(ROOT, "g", 2**32 + 0o644), lambda: fs.mknod(ROOT, "g", 0o644, -1),
                 lambda: fs.renameat(ROOT, "f", ROOT, "g", 2**32 + 1), lambda: fs.setxattr(f.ino, "user.x", b"", -1),
                 lambda: fs.fallocate(f.ino, 0, -1, 10), lambda: fs.fallocate(f.ino, 0, 0, 2**64),
                 lambda: fs.open_file(f.ino, 2**32), lambda: fs.new_slice_id(2**32 + 1),
                 lambda: fs.write_slice(f.ino, 2**32, fsmeta.Slice(1, 0, 1, 0, 1)),
                 lambda: fs.write_slice(f.ino, 0, fsmeta.Slice(2**64, 0, 1, 0, 1)),
                 lambda: fs.write_slice(f.ino, 0, fsmeta.Slice(1, 0, 2**32 + 1, 0, 1)),
                 lambda: fs.read_chunk(f.ino, -1), lambda: fs.mkdir_all("/a", -1),
                 lambda: fs.set_test_time(2**63), lambda: fs.as_caller(uid=2**32),
                 lambda: fs.as_caller(groups=[1, -1]), lambda: fsmeta.open(capacity=-1)):
        with pytest.raises(OverflowError):
            call()
    assert fs.getattr(f.ino).mode & 0o7777 == 0o666 and fs.getattr(f.ino).size == 0
    assert fs.listdir("/") == ["f"]


def test_int_like_values_are_accepted(fs):
    class Index:
        def __index__(self):
            return ROOT

    assert fs.getattr(Index()).ino == ROOT
    assert fs.getattr(True).ino == ROOT  # bool is an int, as os.* takes it
    assert fs.lookup(Index(), ".").ino == ROOT


# -- defect 6: a wrong argument type raises TypeError naming the Python parameter


@pytest.mark.parametrize("bad", ["1", None, 1.0, b"1", [1]])
def test_wrong_types_name_the_parameter(fs, bad):
    f = fs.create(ROOT, "f")
    cases = [
        ("getattr", "ino", lambda: fs.getattr(bad)),
        ("lookup", "parent", lambda: fs.lookup(bad, "f")),
        ("setattr", "ino", lambda: fs.setattr(bad, mode=0o644)),
        ("chmod", "mode", lambda: fs.chmod(f.ino, bad)),
        ("chown", "gid", lambda: fs.chown(f.ino, 0, bad)),
        ("truncate", "size", lambda: fs.truncate(f.ino, bad)),
        ("access", "mask", lambda: fs.access(f.ino, bad)),
        ("create", "mode", lambda: fs.create(ROOT, "g", bad)),
        ("link", "new_parent", lambda: fs.link(f.ino, bad, "g")),
        ("renameat", "flags", lambda: fs.renameat(ROOT, "f", ROOT, "g", bad)),
        ("readdir", "ino", lambda: fs.readdir(bad)),
        ("fallocate", "offset", lambda: fs.fallocate(f.ino, 0, bad, 1)),
        ("new_slice_id", "n", lambda: fs.new_slice_id(bad)),
        ("read_chunk", "chunk", lambda: fs.read_chunk(f.ino, bad)),
        ("set_test_time", "now_ns", lambda: fs.set_test_time(bad)),
        ("as_caller", "uid", lambda: fs.as_caller(uid=bad)),
    ]
    if bad is not None:  # None is "not given" for setattr's keywords
        cases += [("setattr", "mode", lambda: fs.setattr(f.ino, mode=bad)),
                  ("setattr", "size", lambda: fs.setattr(f.ino, size=bad))]
    if not isinstance(bad, (str, bytes)):
        cases += [
            ("lookup", "name", lambda: fs.lookup(ROOT, bad)),
            ("create", "name", lambda: fs.create(ROOT, bad)),
            ("symlink", "target", lambda: fs.symlink(ROOT, "s", bad)),
            ("renameat", "new_name", lambda: fs.renameat(ROOT, "f", ROOT, bad)),
            ("getxattr", "name", lambda: fs.getxattr(f.ino, bad)),
            ("resolve", "path", lambda: fs.resolve(bad)),
            ("mkdir_all", "path", lambda: fs.mkdir_all(bad)),
            ("touch", "path", lambda: fs.touch(bad)),
            ("rename", "dst", lambda: fs.rename("/f", bad)),
        ]
    if not isinstance(bad, bytes):
        cases.append(("setxattr", "value", lambda: fs.setxattr(f.ino, "user.x", bad)))
    for fn, param, call in cases:
        with pytest.raises(TypeError) as e:
            call()
        msg = str(e.value)
        assert fn + "()" in msg and "'" + param + "'" in msg, (fn, param, msg)
        assert not isinstance(e.value, ctypes.ArgumentError)
    with pytest.raises(TypeError, match="setxattr.*'value'"):
        fs.setxattr(f.ino, "user.x", 5)  # not 5 NUL bytes
    with pytest.raises(TypeError, match="write_slice.*'s'"):
        fs.write_slice(f.ino, 0, bad)
    assert fs.listdir("/") == ["f"]
    assert fs.listxattr(f.ino) == []


def test_default_caller_has_the_process_umask():
    """fsmeta.open() runs as root with this process's umask, so makedirs and touch make what os.makedirs and
    open() would (#20); umask=0 (or an explicit one) overrides it."""
    import os
    old = os.umask(0o027)
    try:
        with fsmeta.open() as fs:
            assert fs.makedirs("/a/b").st_mode & 0o7777 == 0o750
            assert fs.touch("/a/b/f").st_mode & 0o7777 == 0o640
        with fsmeta.open(umask=0) as fs:
            assert fs.makedirs("/a").st_mode & 0o7777 == 0o777
        with fsmeta.open(umask=0o077) as fs:
            assert fs.makedirs("/a").st_mode & 0o7777 == 0o700
        with pytest.raises(OverflowError):
            fsmeta.open(umask=-1)
    finally:
        os.umask(old)
