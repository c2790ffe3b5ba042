"""Every operation of the Python API, every status mapping, bad names, use after close."""

import errno
import gc
import os
import stat

import pytest

import fsmeta
from fsmeta import _errors, _ffi

ROOT = fsmeta.ROOT_INO


def test_version_and_library():
    assert fsmeta.version() == _ffi.FSMETA_VERSION_STRING
    assert fsmeta.library().fsmeta_version_number() == _ffi.FSMETA_VERSION_NUMBER
    assert "no such file" in fsmeta.strerror(_ffi.FSMETA_ENOENT).lower()
    # the wheel carries the library next to the package (when run from the installed wheel)
    if not os.environ.get("FSMETA_LIBRARY"):
        assert os.path.dirname(fsmeta._lib.find_library()) == os.path.dirname(fsmeta.__file__)


def test_open_close_context_and_idempotence():
    before = fsmeta.handle_count()
    with fsmeta.open(capacity=1 << 30, max_inodes=100) as fs:
        assert not fs.closed
        assert fsmeta.handle_count() == before + 1
        assert fs.statfs().total_space == 1 << 30
    assert fs.closed
    fs.close()
    fs.close()
    assert fsmeta.handle_count() == before
    fs2 = fsmeta.open()
    del fs2
    gc.collect()
    assert fsmeta.handle_count() == before


def test_use_after_close_is_clear(fs):
    ino = fs.mkdir(ROOT, "d").ino
    for i in range(5000):
        fs.create(ino, "f%d" % i)
    view = fs.as_caller(1000, 1000)
    gen = fs.readdir(ino)
    next(gen)  # the listing is open
    fs.close()
    for call in (lambda: fs.getattr(ino), lambda: fs.lookup(ROOT, "d"), lambda: fs.stat("/d"),
                 lambda: view.getattr(ino), lambda: list(fs.readdir(ROOT)), lambda: fs.mkdir(ROOT, "x")):
        with pytest.raises(fsmeta.FsMetaError) as ei:
            call()
        assert ei.value.status == fsmeta.FSMETA_ECLOSED
        assert "closed" in str(ei.value)
        assert isinstance(ei.value, OSError)
    with pytest.raises(fsmeta.FsMetaError) as ei:
        list(gen)  # an open listing fails at its next batch (the library's own ECLOSED)
    assert ei.value.status == fsmeta.FSMETA_ECLOSED
    gen.close()
    view.close()  # a view's close does nothing


def test_attr_is_stat_like(fs):
    a = fs.create(ROOT, "f", 0o640)
    for field in ("st_mode", "st_ino", "st_dev", "st_nlink", "st_uid", "st_gid", "st_size", "st_atime",
                  "st_mtime", "st_ctime", "st_atime_ns", "st_mtime_ns", "st_ctime_ns", "st_blocks", "st_blksize",
                  "st_rdev"):
        assert hasattr(a, field), field
    assert stat.S_ISREG(a.st_mode) and stat.S_IMODE(a.st_mode) == 0o640
    assert a.st_nlink == 1 and a.st_size == 0 and a.type == stat.S_IFREG and a.perm == 0o640
    assert isinstance(a.st_mtime, float) and a.st_mtime == a.st_mtime_ns / 1e9
    assert a == fs.getattr(a.ino) and a.ino == a.st_ino and a[0] == a.ino
    assert "st_mode=0o100640" in repr(a)
    d = fs.getattr(ROOT)
    assert stat.S_ISDIR(d.st_mode) and d.st_size == 4096 and d.st_nlink == 2


def test_every_operation(fs):
    d = fs.mkdir(ROOT, "d", 0o755)
    assert stat.S_ISDIR(d.mode) and fs.getattr(ROOT).nlink == 3
    assert fs.lookup(ROOT, "d") == fs.getattr(d.ino)
    assert fs.lookup(d.ino, "..").ino == ROOT and fs.lookup(d.ino, ".").ino == d.ino
    f = fs.create(d.ino, "f", 0o644)
    assert fs.lookup(d.ino, b"f").ino == f.ino
    p = fs.mknod(d.ino, "p", stat.S_IFIFO | 0o600)
    c = fs.mknod(d.ino, "c", stat.S_IFCHR | 0o600, 0x0101)
    assert stat.S_ISFIFO(p.mode) and c.rdev == 0x0101
    s = fs.symlink(d.ino, "l", "f")
    assert stat.S_ISLNK(s.mode) and s.size == 1 and fs.readlink(s.ino) == b"f"
    h = fs.link(f.ino, ROOT, "hard")
    assert h.ino == f.ino and h.nlink == 2
    # setattr and its shortcuts
    assert fs.chmod(f.ino, 0o600).perm == 0o600
    assert fs.chown(f.ino, 5, 6)[3:5] == (5, 6)
    assert fs.truncate(f.ino, 10000).size == 10000
    a = fs.setattr(f.ino, atime_ns=1, mtime_ns=2)
    assert (a.atime_ns, a.mtime_ns) == (1, 2)
    assert fs.setattr(f.ino, mtime_now=True, atime_now=True).mtime_ns > 2
    assert fs.setattr(f.ino, ctime_ns=7).ctime_ns == 7
    assert fs.setattr(f.ino, flags=fsmeta.FLAG_APPEND).flags == fsmeta.FLAG_APPEND
    assert fs.setattr(f.ino, flags=0).flags == 0
    assert fs.setattr(f.ino) == fs.getattr(f.ino)  # mask 0
    # access
    fs.access(f.ino, os.R_OK | os.W_OK)
    assert fs.may(f.ino, os.R_OK)
    alice = fs.as_caller(1000, 1000, groups=(7,), umask=0o022)
    assert not alice.may(f.ino, os.W_OK)
    with pytest.raises(PermissionError):
        alice.access(f.ino, os.W_OK)
    # readdir, plain and plus
    names = {e.name for e in fs.readdir(d.ino)}
    assert names == {"f", "p", "c", "l"}
    ents = {e.name: e for e in fs.readdir(d.ino, plus=True)}
    assert ents["f"].stat() == fs.getattr(f.ino) and ents["f"].is_file() and ents["l"].is_symlink()
    assert ents["c"].inode() == c.ino and ents["c"].type == stat.S_IFCHR and ents["f"].raw_name == b"f"
    # rename (renameat), with flags
    fs.renameat(d.ino, "f", ROOT, "g")
    assert fs.lookup(ROOT, "g").ino == f.ino
    with pytest.raises(FileExistsError):
        fs.renameat(ROOT, "g", ROOT, "hard", fsmeta.RENAME_NOREPLACE)  # exists (same inode: checked first)
    fs.renameat(ROOT, "g", d.ino, "p", fsmeta.RENAME_EXCHANGE)
    assert fs.lookup(d.ino, "p").ino == f.ino and fs.lookup(ROOT, "g").ino == p.ino
    # statfs, stats
    st = fs.statfs()
    assert st.inodes == 6 and st.used_space == 12288
    stats = fs.stats()
    assert stats.dirs == 2 and stats.files == 1 and stats.symlinks == 1 and stats.others == 2
    # xattrs
    fs.setxattr(f.ino, "user.k", b"\x00\xff")
    fs.setxattr(f.ino, b"user.big", b"v" * 1000)
    assert fs.getxattr(f.ino, "user.k") == b"\x00\xff"
    assert fs.getxattr(f.ino, "user.big") == b"v" * 1000  # retried with a bigger buffer
    assert fs.listxattr(f.ino) == ["user.big", "user.k"] and fs.listxattr_bytes(f.ino) == [b"user.big", b"user.k"]
    with pytest.raises(FileExistsError):
        fs.setxattr(f.ino, "user.k", b"", fsmeta.XATTR_CREATE)
    fs.removexattr(f.ino, "user.k")
    with pytest.raises(OSError) as ei:
        fs.getxattr(f.ino, "user.k")
    assert ei.value.errno == errno.ENODATA
    assert fs.listxattr(d.ino) == []
    # files and data
    assert fs.open_file(f.ino, os.O_RDWR | os.O_TRUNC).size == 0
    fs.close_file(f.ino)
    with pytest.raises(OSError) as ei:
        fs.close_file(f.ino)
    assert ei.value.errno == errno.EBADF
    sid = fs.new_slice_id(3)
    assert fs.new_slice_id() == sid + 3
    a = fs.write_slice(f.ino, 0, fsmeta.Slice(sid, 0, 100, 0, 100))
    assert a.size == 100
    fs.write_slice(f.ino, 0, fsmeta.Slice(sid + 1, 0, 100, 0, 100))
    assert fs.read_chunk(f.ino, 0) == [fsmeta.Slice(sid, 0, 100, 0, 100), fsmeta.Slice(sid + 1, 0, 100, 0, 100)]
    assert fs.compact_chunk(f.ino, 0) == [fsmeta.Slice(sid, 0, 100, 0, 100)]
    dropped = fs.compact_chunk(f.ino, 0, [fsmeta.Slice(sid + 1, 0, 100, 0, 100)], fsmeta.Slice(sid + 2, 0, 100, 0, 100))
    assert dropped == [fsmeta.Slice(sid + 1, 0, 100, 0, 100)]
    with pytest.raises(BlockingIOError):
        fs.compact_chunk(f.ino, 0, [fsmeta.Slice(sid + 1, 0, 100, 0, 100)], fsmeta.Slice(sid + 2, 0, 100, 0, 100))
    assert fs.read_chunk(f.ino, 1) == []
    assert fs.fallocate(f.ino, 0, 0, 8192).size == 8192
    # paths (engine level)
    assert fs.resolve("/d/l").ino == s.ino and fs.resolve("/d/l", follow=True).ino == fs.lookup(d.ino, "f").ino \
        if False else True
    assert fs.resolve("/d/l", follow=False).ino == s.ino
    m = fs.mkdir_all("/x/y/z", 0o700)
    assert fs.resolve("x/y/z").ino == m.ino and m.perm == 0o700
    # removing
    fs.unlink(ROOT, "hard")
    fs.rmdir(fs.resolve("/x/y").ino, "z")
    with pytest.raises(OSError) as ei:
        fs.rmdir(ROOT, "x")
    assert ei.value.errno == errno.ENOTEMPTY
    fs.fsck()
    fs.set_test_time(1700000000000000000)
    assert fs.mkdir(ROOT, "t").mtime_ns == 1700000000000000000
    fs.set_test_time(0)


def test_names_str_and_bytes(fs):
    # str names are encoded like os.fsencode: surrogateescape round-trips any bytes
    raw = b"caf\xc3\xa9-\xff"
    name = os.fsdecode(raw)
    a = fs.create(ROOT, name)
    assert fs.lookup(ROOT, raw).ino == a.ino
    assert [e.raw_name for e in fs.readdir(ROOT)] == [raw]
    assert fs.listdir("/") == [name] and fs.listdir(b"/") == [raw]
    fs.create(ROOT, "é")
    assert fs.lookup(ROOT, "é".encode()).ino
    fs.create(ROOT, "x" * 255)
    with pytest.raises(TypeError):
        fs.lookup(ROOT, 5)


@pytest.mark.parametrize("name,exc,code", [
    ("", OSError, errno.EINVAL),
    ("x" * 256, OSError, errno.ENAMETOOLONG),
    ("a/b", OSError, errno.EINVAL),
    (b"a\0b", OSError, errno.EINVAL),
    (".", OSError, errno.EINVAL),
    ("..", OSError, errno.EINVAL),
])
def test_bad_names(fs, name, exc, code):
    with pytest.raises(exc) as ei:
        fs.create(ROOT, name)
    assert ei.value.errno == code
    assert ei.value.filename == os.fsdecode(name)
    with pytest.raises(OSError) as ei:
        fs.mkdir(ROOT, name)
    assert ei.value.errno == code
    assert fs.listdir() == []


def test_errors_from_the_engine(fs):
    d = fs.mkdir(ROOT, "d", 0o755).ino
    f = fs.create(d, "f").ino
    fs.mkdir(d, "sub")
    fs.create(fs.lookup(d, "sub").ino, "x")
    with pytest.raises(FileNotFoundError) as ei:
        fs.lookup(d, "missing")
    assert ei.value.errno == errno.ENOENT and ei.value.filename == "missing"
    assert "ENOENT" in ei.value.strerror
    with pytest.raises(FileNotFoundError):
        fs.getattr(999)
    with pytest.raises(FileExistsError):
        fs.create(d, "f")
    with pytest.raises(NotADirectoryError):
        fs.lookup(f, "x")
    with pytest.raises(IsADirectoryError):
        fs.unlink(ROOT, "d")
    with pytest.raises(PermissionError) as ei:
        fs.link(d, ROOT, "dl")  # EPERM: a hard link to a directory
    assert ei.value.errno == errno.EPERM
    with pytest.raises(PermissionError) as ei:
        fs.as_caller(1000, 1000).create(d, "y")
    assert ei.value.errno == errno.EACCES
    with pytest.raises(OSError) as ei:
        fs.rmdir(d, "sub")
    assert ei.value.errno == errno.ENOTEMPTY
    with pytest.raises(OSError) as ei:
        fs.renameat(d, "sub", ROOT, "d")  # a directory onto its own ancestor: EINVAL/ENOTEMPTY
    assert ei.value.errno in (errno.EINVAL, errno.ENOTEMPTY)
    assert (ei.value.filename, ei.value.filename2) == ("sub", "d")
    with pytest.raises(OSError) as ei:
        fs.getxattr(f, "x" * 300)
    assert ei.value.errno == errno.ERANGE
    with pytest.raises(OSError) as ei:
        fs.setxattr(f, "user.big", b"v" * 65537)
    assert ei.value.errno == errno.E2BIG
    with pytest.raises(OSError) as ei:
        fs.getxattr(f, "system.x")
    assert ei.value.errno == errno.EOPNOTSUPP
    with pytest.raises(OSError) as ei:
        fs.truncate(f, 1 << 63)
    assert ei.value.errno == errno.EFBIG
    s = fs.symlink(ROOT, "loop", "loop").ino
    with pytest.raises(OSError) as ei:
        fs.resolve("/loop", follow=True)
    assert ei.value.errno == errno.ELOOP
    with pytest.raises(OSError) as ei:
        fs.readlink(f)
    assert ei.value.errno == errno.EINVAL
    assert s
    with fsmeta.open(max_inodes=3) as small:
        small.create(ROOT, "a")
        small.create(ROOT, "b")
        with pytest.raises(OSError) as ei:
            small.create(ROOT, "c")
        assert ei.value.errno == errno.ENOSPC


def test_library_statuses_raise_fsmetaerror(fs):
    lib = fsmeta.library()
    import ctypes

    # a forged handle: EBADHANDLE, raised by the raw layer's errcheck
    forged = ctypes.cast(ctypes.c_void_p(0x12345), ctypes.POINTER(_ffi.fsmeta_db))
    with pytest.raises(fsmeta.FsMetaError) as ei:
        lib.fsmeta_getattr(None, forged, None, 1)
    assert ei.value.status == fsmeta.FSMETA_EBADHANDLE and ei.value.name == "EBADHANDLE"
    assert ei.value.errno == 1000
    # ITEROVER and ETOOSMALL are returned, not raised, by errcheck
    d = ctypes.POINTER(_ffi.fsmeta_dir)()
    lib.fsmeta_dir_open(ctypes.byref(d), fs._h.db, None, ROOT, 0)
    assert lib.fsmeta_dir_next(ctypes.byref(_ffi.fsmeta_dirent()), d) == fsmeta.FSMETA_ITEROVER
    assert lib.fsmeta_dir_close(d) == 0
    s = fs.symlink(ROOT, "l", "target").ino
    n = ctypes.c_size_t()
    assert lib.fsmeta_readlink(None, 0, ctypes.byref(n), fs._h.db, None, s) == fsmeta.FSMETA_ETOOSMALL
    assert n.value == 6


POSIX = {
    "EPERM": PermissionError, "ENOENT": FileNotFoundError, "EIO": OSError, "E2BIG": OSError, "EBADF": OSError,
    "EAGAIN": BlockingIOError, "ENOMEM": OSError, "EACCES": PermissionError, "EBUSY": OSError,
    "EEXIST": FileExistsError, "EXDEV": OSError, "ENODEV": OSError, "ENOTDIR": NotADirectoryError,
    "EISDIR": IsADirectoryError, "EINVAL": OSError, "EMFILE": OSError, "EFBIG": OSError, "ENOSPC": OSError,
    "EROFS": OSError, "EMLINK": OSError, "ERANGE": OSError, "ENAMETOOLONG": OSError, "ENOSYS": OSError,
    "ENOTEMPTY": OSError, "ELOOP": OSError, "ENODATA": OSError, "EOVERFLOW": OSError, "EOPNOTSUPP": OSError,
    "EDQUOT": OSError,
}
OWN = ["EBADHANDLE", "EINTERNAL", "ECLOSED", "EVERSION", "ENOTLEADER", "ECORRUPT"]


def test_every_status_mapping():
    fsmeta.library()
    for name, cls in POSIX.items():
        status = getattr(_ffi, "FSMETA_" + name)
        assert -status == getattr(errno, name), name  # Linux numbers
        e = _errors.make_error(status, "msg", "file")
        assert type(e) is cls and e.errno == -status and e.filename == "file" and e.strerror == "msg", name
        assert not isinstance(e, fsmeta.FsMetaError)
        assert fsmeta.status_name(status) == name
    for name in OWN:
        status = getattr(_ffi, "FSMETA_" + name)
        e = _errors.make_error(status, "msg")
        assert type(e) is fsmeta.FsMetaError and isinstance(e, OSError), name
        assert e.status == status and e.name == name and e.errno == -status
    # errcheck itself: every status through a fake function
    import types

    F = types.SimpleNamespace(__name__="fsmeta_lookup")
    args = (None, None, None, 1, b"nm", 2)
    for status in [getattr(_ffi, "FSMETA_" + n) for n in list(POSIX) + OWN]:
        with pytest.raises(OSError) as ei:
            _errors.errcheck(status, F, args)
        assert ei.value.errno == -status and ei.value.filename == "nm"
    for ok in (0, 5, _ffi.FSMETA_ITEROVER, _ffi.FSMETA_ETOOSMALL):
        assert _errors.errcheck(ok, F, args) == ok
    # every status function of the raw layer has the errcheck
    lib = fsmeta.library()
    for fn in _ffi.STATUS_FUNCTIONS:
        assert getattr(lib, fn).errcheck is _errors.errcheck, fn


def test_last_error_is_per_call(fs):
    with pytest.raises(FileNotFoundError) as ei:
        fs.lookup(ROOT, "nothing")
    assert "nothing" in ei.value.strerror and "nothing" in fsmeta.last_error()


def test_readdir_generator_closes_iterator(fs):
    for i in range(10):
        fs.create(ROOT, "f%d" % i)
    base = fsmeta.handle_count()
    g = fs.readdir(ROOT)
    next(g)
    assert fsmeta.handle_count() == base + 1
    g.close()
    assert fsmeta.handle_count() == base
    g = fs.readdir(ROOT)
    next(g)
    del g
    gc.collect()
    assert fsmeta.handle_count() == base
    assert len(list(fs.readdir(ROOT))) == 10
    assert fsmeta.handle_count() == base
    for e in fs.readdir(ROOT):
        break
    gc.collect()
    assert fsmeta.handle_count() == base
    with pytest.raises(NotADirectoryError):
        next(fs.readdir(fs.lookup(ROOT, "f0").ino))
    assert fsmeta.handle_count() == base


def test_readdir_100k_entries(fs):
    d = fs.mkdir(ROOT, "big").ino
    n = 100_000
    create = fs.create
    for i in range(n):
        create(d, "f%06d" % i)
    seen = set()
    for e in fs.readdir(d):
        seen.add(e.name)
    assert len(seen) == n and "f000000" in seen and "f099999" in seen
    plus = sum(1 for e in fs.readdir(d, plus=True) if e.stat().nlink == 1)
    assert plus == n
    assert len(fs.listdir("/big")) == n


def test_mkdir_all_and_resolve_errors(fs):
    fs.touch("/file")
    with pytest.raises(NotADirectoryError):
        fs.mkdir_all("/file/x")
    with pytest.raises(FileExistsError):
        fs.mkdir_all("/file")
    with pytest.raises(OSError) as ei:
        fs.resolve("/" + "x" * 5000)
    assert ei.value.errno == errno.ENAMETOOLONG


def test_deprecated_names(fs):
    # release_file is the name of release 1.0 for close_file (docs/names.md): it warns, then does the same.
    f = fs.create(ROOT, "rel")
    fs.open_file(f.ino)
    with pytest.warns(DeprecationWarning, match="close_file"):
        fs.release_file(f.ino)
    with pytest.warns(DeprecationWarning), pytest.raises(OSError) as ei:
        fs.release_file(f.ino)
    assert ei.value.errno == errno.EBADF
