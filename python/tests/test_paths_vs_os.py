"""The path API against os on a real temporary directory: the same tree, the same answers and the same errors."""

import errno
import os
import pathlib
import random
import stat

import pytest

import fsmeta


def build_both(tmp, fs):
    """The same tree on disk (under tmp) and in fs (under /)."""
    dirs = ["a", "a/b", "a/b/c", "a/empty", "d", "d/e"]
    files = ["f", "a/g", "a/b/h", "a/b/c/i", "d/e/j"]
    links = {"a/lnk-dir": "b", "lnk-file": "f", "dangling": "nowhere", "loop": "loop", "d/up": "../a"}
    for d in dirs:
        os.mkdir(os.path.join(tmp, d))
        fs.makedirs("/" + d)
    for f in files:
        open(os.path.join(tmp, f), "w").close()
        fs.touch("/" + f)
    for name, target in links.items():
        os.symlink(target, os.path.join(tmp, name))
        parent, _, base = name.rpartition("/")
        fs.symlink(fs.stat("/" + parent).ino, base, target)
    os.link(os.path.join(tmp, "f"), os.path.join(tmp, "a/hard"))
    fs.link(fs.stat("/f").ino, fs.stat("/a").ino, "hard")


@pytest.fixture
def both(tmp_path, fs):
    tmp = str(tmp_path / "root")
    os.mkdir(tmp)
    build_both(tmp, fs)
    return tmp, fs


def rel(tmp, p):
    r = os.path.relpath(p, tmp)
    return "/" if r == "." else "/" + r


def os_walk(tmp, **kw):
    return sorted((rel(tmp, d), sorted(ds), sorted(fs_)) for d, ds, fs_ in os.walk(tmp, **kw))


def fs_walk(fs, **kw):
    return sorted((d, sorted(ds), sorted(f)) for d, ds, f in fs.walk("/", **kw))


def test_walk_like_os(both):
    tmp, fs = both
    assert fs_walk(fs) == os_walk(tmp)
    assert fs_walk(fs, topdown=False) == os_walk(tmp, topdown=False)
    # bottom-up order: every directory comes after its subdirectories
    order = [d for d, _, _ in fs.walk("/", topdown=False)]
    assert order.index("/a/b/c") < order.index("/a/b") < order.index("/a") < order.index("/")
    # pruning dirnames in place, top-down
    seen = []
    for d, ds, _ in fs.walk("/"):
        seen.append(d)
        ds[:] = [x for x in ds if x != "a"]
    assert "/a" not in seen and "/d/e" in seen
    # bytes in, bytes out
    assert all(isinstance(d, bytes) for d, _, _ in fs.walk(b"/"))


def test_listdir_scandir_like_os(both):
    tmp, fs = both
    for d in ("/", "/a", "/a/b", "/a/empty", "/d"):
        assert sorted(fs.listdir(d)) == sorted(os.listdir(tmp + d))
    ours = {e.name: (e.is_dir(), e.is_file(), e.is_symlink(), e.path) for e in fs.scandir("/a")}
    theirs = {e.name: (e.is_dir(), e.is_file(), e.is_symlink(), rel(tmp, e.path)) for e in os.scandir(tmp + "/a")}
    assert ours == theirs
    assert sorted(fs.listdir(b"/a")) == sorted(os.listdir(os.fsencode(tmp + "/a")))


@pytest.mark.parametrize("path", ["f", "a", "a/b/h", "a/lnk-dir", "lnk-file", "dangling", "a/hard", "d/up"])
def test_stat_like_os(both, path):
    tmp, fs = both
    for follow in (True, False):
        try:
            want = os.stat(os.path.join(tmp, path), follow_symlinks=follow)
        except OSError as e:
            with pytest.raises(type(e)) as ei:
                fs.stat("/" + path, follow_symlinks=follow)
            assert ei.value.errno == e.errno
            continue
        got = fs.stat("/" + path, follow_symlinks=follow)
        assert stat.S_IFMT(got.st_mode) == stat.S_IFMT(want.st_mode), (path, follow)
        if not stat.S_ISDIR(want.st_mode):
            assert got.st_size == want.st_size and got.st_nlink == want.st_nlink, (path, follow)
    assert fs.exists("/" + path) == os.path.exists(os.path.join(tmp, path))


def same_error(os_call, fs_call):
    with pytest.raises(OSError) as want:
        os_call()
    with pytest.raises(OSError) as got:
        fs_call()
    assert type(got.value) is type(want.value), (got.value, want.value)
    assert got.value.errno == want.value.errno, (got.value, want.value)


def test_errors_like_os(both):
    tmp, fs = both
    t = lambda p: os.path.join(tmp, p)  # noqa: E731
    cases = [
        (lambda: os.stat(t("missing")), lambda: fs.stat("/missing")),
        (lambda: os.stat(t("f/x")), lambda: fs.stat("/f/x")),
        (lambda: os.stat(t("loop")), lambda: fs.stat("/loop")),
        (lambda: os.stat(t("dangling")), lambda: fs.stat("/dangling")),
        (lambda: os.listdir(t("f")), lambda: fs.listdir("/f")),
        (lambda: os.listdir(t("missing")), lambda: fs.listdir("/missing")),
        (lambda: os.makedirs(t("a")), lambda: fs.makedirs("/a")),
        (lambda: os.makedirs(t("f"), exist_ok=True), lambda: fs.makedirs("/f", exist_ok=True)),
        (lambda: os.makedirs(t("f/x")), lambda: fs.makedirs("/f/x")),
        (lambda: os.remove(t("a")), lambda: fs.remove("/a")),
        (lambda: os.remove(t("missing")), lambda: fs.remove("/missing")),
        (lambda: os.rmdir(t("a")), lambda: fs.removedir("/a")),
        (lambda: os.rmdir(t("f")), lambda: fs.removedir("/f")),
        (lambda: os.rename(t("a"), t("f")), lambda: fs.rename("/a", "/f")),
        (lambda: os.rename(t("f"), t("a")), lambda: fs.rename("/f", "/a")),
        (lambda: os.rename(t("d"), t("a")), lambda: fs.rename("/d", "/a")),
        (lambda: os.rename(t("a"), t("a/b/new")), lambda: fs.rename("/a", "/a/b/new")),
        (lambda: os.rename(t("missing"), t("x")), lambda: fs.rename("/missing", "/x")),
        (lambda: os.rename(t("f"), t("missing/x")), lambda: fs.rename("/f", "/missing/x")),
    ]
    for os_call, fs_call in cases:
        same_error(os_call, fs_call)
    assert fs_walk(fs) == os_walk(tmp)  # nothing changed


def test_changes_like_os(both):
    tmp, fs = both
    t = lambda p: os.path.join(tmp, p)  # noqa: E731
    steps = [
        (lambda: os.makedirs(t("n/o/p")), lambda: fs.makedirs("/n/o/p")),
        (lambda: os.makedirs(t("n/o"), exist_ok=True), lambda: fs.makedirs("/n/o", exist_ok=True)),
        (lambda: os.rename(t("f"), t("n/f2")), lambda: fs.rename("/f", "/n/f2")),
        (lambda: os.rename(t("a/b"), t("n/o/p/b")), lambda: fs.rename("/a/b", "/n/o/p/b")),
        (lambda: os.rename(t("a/g"), t("a/hard")), lambda: fs.rename("/a/g", "/a/hard")),  # replace a file
        (lambda: os.rename(t("a/empty"), t("d/e2")), lambda: fs.rename("/a/empty", "/d/e2")),
        (lambda: os.remove(t("lnk-file")), lambda: fs.remove("/lnk-file")),
        (lambda: os.remove(t("dangling")), lambda: fs.remove("/dangling")),
    ]
    for os_step, fs_step in steps:
        os_step()
        fs_step()
        assert fs_walk(fs) == os_walk(tmp)
    import shutil

    shutil.rmtree(t("n"))
    fs.rmtree("/n")
    assert fs_walk(fs) == os_walk(tmp)
    # directory link counts follow the subdirectories, as on Linux
    assert fs.stat("/d").st_nlink == 2 + sum(1 for e in fs.scandir("/d") if e.is_dir(follow_symlinks=False))
    fs.rmtree("/")
    assert fs.listdir("/") == [] and fs.stat("/").st_nlink == 2
    fs.fsck()


def test_rmtree_errors(fs):
    with pytest.raises(FileNotFoundError):
        fs.rmtree("/missing")
    fs.touch("/f")
    with pytest.raises(NotADirectoryError):
        fs.rmtree("/f")
    with pytest.raises(FileExistsError):
        fs.touch("/f", exist_ok=False)
    assert errno.EEXIST == 17


# -- the os functions by path (fs.os, fs.os.path) and the FsMeta shortcuts, against os on the same tree


@pytest.fixture
def both0(tmp_path, fs):
    """both, built and used with this process's umask 0 (the fs fixture's), so that os and fs make the same
    modes."""
    old = os.umask(0)
    try:
        tmp = str(tmp_path / "root")
        os.mkdir(tmp, stat.S_IMODE(fs.stat("/").st_mode))
        build_both(tmp, fs)
        yield tmp, fs
    finally:
        os.umask(old)


def snapshot(paths):
    """Everything comparable of a tree, from (relative path, lstat, readlink or None, xattrs) tuples."""
    out = {}
    for p, st, target, xattrs in paths:
        kind = stat.S_IFMT(st.st_mode)
        row = [kind, st.st_uid, st.st_gid, target, xattrs]
        if kind != stat.S_IFLNK:  # a Linux symlink's mode is always 0777 and its nlink 1
            row.append(stat.S_IMODE(st.st_mode))
        if kind != stat.S_IFDIR:  # a directory's size is the file system's business
            row += [st.st_size, st.st_nlink]
        out[p] = tuple(row)
    return out


def xattrs_os(p):
    try:
        names = os.listxattr(p, follow_symlinks=False)
    except OSError:
        return ()
    return tuple(sorted((n, os.getxattr(p, n, follow_symlinks=False)) for n in names if n.startswith("user.")))


def tree_os(tmp):
    rows = []
    for d, ds, fs_ in os.walk(tmp):
        for n in [None] + ds + fs_:
            p = d if n is None else os.path.join(d, n)
            st = os.lstat(p)
            target = os.readlink(p) if stat.S_ISLNK(st.st_mode) else None
            rows.append((rel(tmp, p), st, target, xattrs_os(p)))
    return snapshot(rows)


def tree_fs(fs):
    rows = []
    for d, ds, fs_ in fs.walk("/"):
        for n in [None] + ds + fs_:
            p = d if n is None else fs.os.path.join(d, n)
            st = fs.lstat(p)
            target = fs.os.readlink(p) if stat.S_ISLNK(st.st_mode) else None
            xs = tuple(sorted((n, fs.getxattr(st.ino, n)) for n in fs.listxattr(st.ino)))
            rows.append((p, st, target, xs))
    return snapshot(rows)


def user_xattrs_work(tmp):
    try:
        os.setxattr(tmp, "user.probe", b"1")
        os.removexattr(tmp, "user.probe")
    except OSError:
        return False
    return True


def fsname(tmp, name):
    """An os error's filename as fs reports it: the path from fs's root."""
    if isinstance(name, bytes):
        return os.fsencode(fsname(tmp, os.fsdecode(name)))
    if isinstance(name, str) and name.startswith(tmp):
        return "/" + name[len(tmp):].lstrip("/") if name != tmp else "/"
    return name


def same_outcome(tmp, os_call, fs_call):
    """Both return the same value, or both raise the same exception type, errno and filenames."""
    try:
        want = ("ok", os_call())
    except Exception as e:  # noqa: BLE001 - the comparison is the point
        want = ("raise", type(e), getattr(e, "errno", None), fsname(tmp, getattr(e, "filename", None)),
                fsname(tmp, getattr(e, "filename2", None)))
    try:
        got = ("ok", fs_call())
    except Exception as e:  # noqa: BLE001
        got = ("raise", type(e), getattr(e, "errno", None), getattr(e, "filename", None),
               getattr(e, "filename2", None))
    return want, got


def check_steps(tmp, fs, steps, tree=True):
    for i, (os_call, fs_call) in enumerate(steps):
        want, got = same_outcome(tmp, os_call, fs_call)
        if want[0] == "ok" and got[0] == "ok" and want[1] is None:
            assert got[1] is None, (i, got)
        else:
            assert want == got, i
        if tree:
            assert tree_fs(fs) == tree_os(tmp), i


def test_os_changes_like_os(both0):
    """mkdir, symlink, link, chmod, chown, lchown, truncate, replace, removedirs, unlink, rmdir by path: the same
    trees (types, modes, owners, sizes, link counts, symlink targets) after every step."""
    tmp, fs = both0
    t = lambda p: os.path.join(tmp, p)  # noqa: E731
    f = fs.os
    steps = [
        (lambda: os.mkdir(t("n")), lambda: f.mkdir("/n")),
        (lambda: os.mkdir(t("n/m"), 0o750), lambda: f.mkdir("/n/m", 0o750)),
        (lambda: os.mkdir(t("n/m2/")), lambda: f.mkdir("/n/m2/")),
        (lambda: os.mkdir(os.fsencode(t("n/b"))), lambda: f.mkdir(b"/n/b")),
        (lambda: os.symlink("../f", t("n/ls")), lambda: f.symlink("../f", "/n/ls")),
        (lambda: os.symlink(b"../a", os.fsencode(t("n/ld"))), lambda: f.symlink(b"../a", b"/n/ld")),
        (lambda: os.symlink("nowhere", t("n/dang"), target_is_directory=True),
         lambda: f.symlink("nowhere", "/n/dang", target_is_directory=True)),
        (lambda: os.link(t("f"), t("n/hf")), lambda: f.link("/f", "/n/hf")),
        (lambda: os.link(t("lnk-file"), t("n/hl"), follow_symlinks=False),
         lambda: f.link("/lnk-file", "/n/hl", follow_symlinks=False)),
        (lambda: os.chmod(t("f"), 0o640), lambda: f.chmod("/f", 0o640)),
        (lambda: os.chmod(t("lnk-file"), 0o604), lambda: f.chmod("/lnk-file", 0o604)),  # the target
        (lambda: os.chmod(t("a"), 0o1700), lambda: f.chmod("/a", 0o1700)),
        (lambda: os.chmod(t("a/g"), 0o755, follow_symlinks=False), lambda: f.chmod("/a/g", 0o755, follow_symlinks=False)),
        (lambda: os.chown(t("f"), 1000, 1001), lambda: f.chown("/f", 1000, 1001)),
        (lambda: os.chown(t("f"), -1, 5), lambda: f.chown("/f", -1, 5)),
        (lambda: os.chown(t("lnk-file"), 7, -1), lambda: f.chown("/lnk-file", 7, -1)),
        (lambda: os.lchown(t("dangling"), 8, 9), lambda: f.lchown("/dangling", 8, 9)),
        (lambda: os.chown(t("a/lnk-dir"), 3, 4, follow_symlinks=False),
         lambda: f.chown("/a/lnk-dir", 3, 4, follow_symlinks=False)),
        (lambda: os.chmod(t("a/g"), 0o6755), lambda: f.chmod("/a/g", 0o6755)),
        (lambda: os.chown(t("a/g"), 2, 2), lambda: f.chown("/a/g", 2, 2)),  # clears set-user/group-ID
        (lambda: os.truncate(t("f"), 100), lambda: f.truncate("/f", 100)),
        (lambda: os.truncate(t("lnk-file"), 7), lambda: f.truncate("/lnk-file", 7)),
        (lambda: os.truncate(t("f"), 0), lambda: f.truncate("/f", 0)),
        (lambda: os.replace(t("a/g"), t("a/hard")), lambda: f.replace("/a/g", "/a/hard")),
        (lambda: os.replace(t("n/m"), t("n/m2")), lambda: f.replace("/n/m", "/n/m2")),  # an empty directory
        (lambda: os.rename(t("n/m2/"), t("n/m3/")), lambda: f.rename("/n/m2/", "/n/m3/")),
        (lambda: os.mkdir(t("n/m3/x")), lambda: f.mkdir("/n/m3/x")),
        (lambda: os.mkdir(t("n/m3/x/y")), lambda: f.mkdir("/n/m3/x/y")),
        (lambda: os.removedirs(t("n/m3/x/y")), lambda: f.removedirs("/n/m3/x/y")),  # stops at n (not empty)
        (lambda: os.unlink(t("n/hl")), lambda: f.unlink("/n/hl")),
        (lambda: os.remove(t("n/ld")), lambda: f.remove("/n/ld")),
        (lambda: os.rmdir(t("n/b/")), lambda: f.rmdir("/n/b/")),
        (lambda: os.rmdir(t("a/empty")), lambda: fs.removedir("a/empty")),
    ]
    check_steps(tmp, fs, steps)
    fs.fsck()


def test_shortcuts_on_fsmeta(both0):
    """The path forms FsMeta has itself (no inode form of the same name): replace, removedirs, utime."""
    tmp, fs = both0
    t = lambda p: os.path.join(tmp, p)  # noqa: E731
    os.makedirs(t("x/y/z"))
    fs.makedirs("/x/y/z")
    steps = [
        (lambda: os.replace(t("f"), t("x/f")), lambda: fs.replace("/f", "/x/f")),
        (lambda: os.removedirs(t("x/y/z")), lambda: fs.removedirs("/x/y/z")),  # y goes, x stays (it has f)
        (lambda: os.utime(t("x/f"), ns=(5, 6)), lambda: fs.utime("/x/f", ns=(5, 6))),
    ]
    check_steps(tmp, fs, steps)
    assert fs.stat("/x/f")[9:11] == (5, 6)


def test_os_errors_like_os(both0):
    """Every new function's failures: the same exception type, errno and filename(s) (the path as given)."""
    tmp, fs = both0
    t = lambda p: os.path.join(tmp, p)  # noqa: E731
    b = lambda p: os.fsencode(t(p))  # noqa: E731
    f = fs.os
    cases = [
        # mkdir
        (lambda: os.mkdir(t("a")), lambda: f.mkdir("/a")),
        (lambda: os.mkdir(t("f")), lambda: f.mkdir("/f")),
        (lambda: os.mkdir(t("dangling")), lambda: f.mkdir("/dangling")),
        (lambda: os.mkdir(t("lnk-file/")), lambda: f.mkdir("/lnk-file/")),
        (lambda: os.mkdir(t("a/.")), lambda: f.mkdir("/a/.")),
        (lambda: os.mkdir(t("a/..")), lambda: f.mkdir("/a/..")),
        (lambda: os.mkdir(t("f/x")), lambda: f.mkdir("/f/x")),
        (lambda: os.mkdir(t("missing/x")), lambda: f.mkdir("/missing/x")),
        (lambda: os.mkdir(b("missing/x")), lambda: f.mkdir(b"/missing/x")),
        (lambda: os.mkdir(t("loop/x")), lambda: f.mkdir("/loop/x")),
        (lambda: os.mkdir(""), lambda: f.mkdir("")),
        (lambda: os.mkdir(t("n"), "x"), lambda: f.mkdir("/n", "x")),
        # symlink
        (lambda: os.symlink("x", t("f")), lambda: f.symlink("x", "/f")),
        (lambda: os.symlink("x", t("f/")), lambda: f.symlink("x", "/f/")),
        (lambda: os.symlink("x", t("new/")), lambda: f.symlink("x", "/new/")),
        (lambda: os.symlink("", t("new")), lambda: f.symlink("", "/new")),
        (lambda: os.symlink("x", t("missing/new")), lambda: f.symlink("x", "/missing/new")),
        (lambda: os.symlink("x", t("f/new")), lambda: f.symlink("x", "/f/new")),
        (lambda: os.symlink("x", t("a/.")), lambda: f.symlink("x", "/a/.")),
        (lambda: os.symlink("x", t("a/..")), lambda: f.symlink("x", "/a/..")),
        (lambda: os.symlink("x", ""), lambda: f.symlink("x", "")),
        (lambda: os.symlink(5, t("new")), lambda: f.symlink(5, "/new")),
        # readlink
        (lambda: os.readlink(t("lnk-file")), lambda: f.readlink("/lnk-file")),
        (lambda: os.readlink(b("lnk-file")), lambda: f.readlink(b"/lnk-file")),
        (lambda: os.readlink(t("f")), lambda: f.readlink("/f")),
        (lambda: os.readlink(t("a")), lambda: f.readlink("/a")),
        (lambda: os.readlink(t("a/lnk-dir/")), lambda: f.readlink("/a/lnk-dir/")),
        (lambda: os.readlink(t("missing")), lambda: f.readlink("/missing")),
        (lambda: os.readlink(t("f/x")), lambda: f.readlink("/f/x")),
        (lambda: os.readlink(""), lambda: f.readlink("")),
        # link
        (lambda: os.link(t("a"), t("x")), lambda: f.link("/a", "/x")),
        (lambda: os.link(t("f"), t("f")), lambda: f.link("/f", "/f")),
        (lambda: os.link(t("f"), t("a/hard")), lambda: f.link("/f", "/a/hard")),
        (lambda: os.link(t("missing"), t("x")), lambda: f.link("/missing", "/x")),
        (lambda: os.link(t("f"), t("missing/x")), lambda: f.link("/f", "/missing/x")),
        (lambda: os.link(t("f"), t("x/")), lambda: f.link("/f", "/x/")),
        (lambda: os.link(t("f/"), t("x")), lambda: f.link("/f/", "/x")),
        (lambda: os.link(t("f"), t("a/.")), lambda: f.link("/f", "/a/.")),
        (lambda: os.link(t("a/."), t("x")), lambda: f.link("/a/.", "/x")),
        (lambda: os.link(b("f"), b("a")), lambda: f.link(b"/f", b"/a")),
        # chmod, chown, truncate
        (lambda: os.chmod(t("missing"), 0o644), lambda: f.chmod("/missing", 0o644)),
        (lambda: os.chmod(t("f/"), 0o644), lambda: f.chmod("/f/", 0o644)),
        (lambda: os.chmod(t("dangling"), 0o644), lambda: f.chmod("/dangling", 0o644)),
        (lambda: os.chmod(t("loop"), 0o644), lambda: f.chmod("/loop", 0o644)),
        (lambda: os.chmod(t("f"), "x"), lambda: f.chmod("/f", "x")),
        (lambda: os.chown(t("missing"), 1, 1), lambda: f.chown("/missing", 1, 1)),
        (lambda: os.chown(t("dangling"), 1, 1), lambda: f.chown("/dangling", 1, 1)),
        (lambda: os.chown(t("f"), -2, 1), lambda: f.chown("/f", -2, 1)),
        (lambda: os.chown(t("f"), 1, 2**32), lambda: f.chown("/f", 1, 2**32)),
        (lambda: os.lchown(t("missing"), 1, 1), lambda: f.lchown("/missing", 1, 1)),
        (lambda: os.truncate(t("a"), 0), lambda: f.truncate("/a", 0)),
        (lambda: os.truncate(t("missing"), 0), lambda: f.truncate("/missing", 0)),
        (lambda: os.truncate(t("dangling"), 0), lambda: f.truncate("/dangling", 0)),
        (lambda: os.truncate(t("f/"), 0), lambda: f.truncate("/f/", 0)),
        (lambda: os.truncate(t("f"), -1), lambda: f.truncate("/f", -1)),
        (lambda: os.truncate(t("f"), 2**63), lambda: f.truncate("/f", 2**63)),
        (lambda: os.truncate(t("f"), "1"), lambda: f.truncate("/f", "1")),
        # rename, replace, remove, rmdir, removedirs
        (lambda: os.replace(t("missing"), t("x")), lambda: f.replace("/missing", "/x")),
        (lambda: os.replace(t("a"), t("f")), lambda: f.replace("/a", "/f")),
        (lambda: os.replace(t("f"), t("a")), lambda: f.replace("/f", "/a")),
        (lambda: os.replace(t("d"), t("a")), lambda: f.replace("/d", "/a")),
        (lambda: os.rename(t("a/."), t("x")), lambda: f.rename("/a/.", "/x")),
        (lambda: os.rename(t("f"), t("a/..")), lambda: f.rename("/f", "/a/..")),
        (lambda: os.rename(t("f/"), t("x")), lambda: f.rename("/f/", "/x")),
        (lambda: os.rename(t("f"), t("x/")), lambda: f.rename("/f", "/x/")),
        (lambda: os.rename(t("f"), t("d/")), lambda: f.rename("/f", "/d/")),
        (lambda: os.rename(t("a/lnk-dir/"), t("x")), lambda: f.rename("/a/lnk-dir/", "/x")),
        (lambda: os.rename(t("missing/"), t("x")), lambda: f.rename("/missing/", "/x")),
        (lambda: os.remove(t("f/")), lambda: f.remove("/f/")),
        (lambda: os.remove(t("a/")), lambda: f.remove("/a/")),
        (lambda: os.remove(t("lnk-file/")), lambda: f.remove("/lnk-file/")),
        (lambda: os.unlink(t("a/lnk-dir/")), lambda: f.unlink("/a/lnk-dir/")),
        (lambda: os.unlink(t("a/.")), lambda: f.unlink("/a/.")),
        (lambda: os.unlink(t("a/..")), lambda: f.unlink("/a/..")),
        (lambda: os.unlink(b("missing")), lambda: f.unlink(b"/missing")),
        (lambda: os.rmdir(t("a/.")), lambda: f.rmdir("/a/.")),
        (lambda: os.rmdir(t("a/..")), lambda: f.rmdir("/a/..")),
        (lambda: os.rmdir(t("a")), lambda: f.rmdir("/a")),
        (lambda: os.rmdir(t("f")), lambda: f.rmdir("/f")),
        (lambda: os.rmdir(t("a/lnk-dir")), lambda: f.rmdir("/a/lnk-dir")),
        (lambda: os.rmdir(t("a/lnk-dir/")), lambda: f.rmdir("/a/lnk-dir/")),
        (lambda: os.rmdir(t("missing")), lambda: f.rmdir("/missing")),
        (lambda: os.removedirs(t("missing")), lambda: f.removedirs("/missing")),
        (lambda: os.removedirs(t("a")), lambda: f.removedirs("/a")),
        (lambda: os.removedirs(t("f")), lambda: f.removedirs("/f")),
        (lambda: os.removedirs(""), lambda: f.removedirs("")),
        # listdir, scandir, stat
        (lambda: os.scandir(t("f")), lambda: f.scandir("/f")),
        (lambda: os.scandir(t("missing")), lambda: f.scandir("/missing")),
        (lambda: os.scandir(b("missing")), lambda: f.scandir(b"/missing")),
        (lambda: os.scandir(t("loop")), lambda: f.scandir("/loop")),
        (lambda: os.listdir(t("f")), lambda: f.listdir("/f")),
        (lambda: os.stat(b("missing")), lambda: f.stat(b"/missing")),
        (lambda: os.lstat(t("f/")), lambda: f.lstat("/f/")),
        (lambda: os.path.getsize(t("missing")), lambda: f.path.getsize("/missing")),
        (lambda: os.path.getsize(t("dangling")), lambda: fs.getsize("/dangling")),
        (lambda: os.path.getmtime(t("missing")), lambda: f.path.getmtime("/missing")),
    ]
    for i, (os_call, fs_call) in enumerate(cases):
        want, got = same_outcome(tmp, os_call, fs_call)
        assert want[0] == "raise" or want == got, (i, want, got)
        if want[0] == "raise":
            assert want == got, (i, want, got)
    assert tree_fs(fs) == tree_os(tmp)  # nothing changed


def test_os_errors_of_the_root(fs):
    """The root as the last name fails as Linux fails on "/" (the temporary tree has no root to try)."""
    fs.touch("/f")
    cases = [
        (lambda: fs.os.mkdir("/"), errno.EEXIST), (lambda: fs.os.rmdir("/"), errno.EBUSY),
        (lambda: fs.os.remove("/"), errno.EISDIR), (lambda: fs.os.rename("/", "/x"), errno.EBUSY),
        (lambda: fs.os.rename("/f", "//"), errno.EBUSY), (lambda: fs.os.symlink("x", "/"), errno.EEXIST),
        (lambda: fs.os.link("/f", "/"), errno.EEXIST), (lambda: fs.os.removedirs("/"), errno.EBUSY),
        (lambda: fs.os.readlink("/"), errno.EINVAL),
    ]
    for call, code in cases:
        with pytest.raises(OSError) as e:
            call()
        assert e.value.errno == code, (e.value, code)
    assert fs.os.listdir("/") == ["f"]


def test_os_reads_like_os(both0):
    """readlink, access, the os.path predicates and getsize: the same answers on every kind of path."""
    tmp, fs = both0
    t = lambda p: os.path.join(tmp, p)  # noqa: E731
    os.chmod(t("a/g"), 0o644)
    fs.os.chmod("/a/g", 0o644)
    os.chmod(t("a/b/h"), 0o010)
    fs.os.chmod("/a/b/h", 0o010)
    os.truncate(t("f"), 12)
    fs.os.truncate("/f", 12)
    paths = ["f", "a", "a/g", "a/b/h", "a/lnk-dir", "a/lnk-dir/", "a/lnk-dir/h", "lnk-file", "lnk-file/",
             "dangling", "loop", "loop/x", "d/up", "d/up/b", "missing", "f/x", "a/.", "a/..", ""]
    for p in paths:
        o, s = (t(p) if p else ""), ("/" + p if p else "")
        for name in ("exists", "lexists", "isdir", "isfile", "islink"):
            assert getattr(fs.os.path, name)(s) == getattr(os.path, name)(o), (name, p)
            assert getattr(fs, name)(s) == getattr(os.path, name)(o), (name, p)
        assert fs.os.path.exists(os.fsencode(s)) == os.path.exists(os.fsencode(o)), p
        for mode in (os.F_OK, os.R_OK, os.W_OK, os.X_OK, os.R_OK | os.W_OK | os.X_OK, 0o777, -1):
            for follow in (True, False):
                assert fs.os.access(s, mode, follow_symlinks=follow) == \
                    os.access(o, mode, follow_symlinks=follow), (p, mode, follow)
        for os_fn, fs_fn in ((os.readlink, fs.os.readlink), (os.path.getsize, fs.os.path.getsize),
                             (os.path.getsize, fs.getsize)):
            if p and os.path.isdir(o) and os_fn is os.path.getsize:
                continue  # a directory's size is the file system's business
            want, got = same_outcome(tmp, lambda: os_fn(o), lambda: fs_fn(s))
            assert want == got, (os_fn.__name__, p, want, got)
    assert fs.os.readlink(pathlib.PurePosixPath("/lnk-file")) == "f"
    assert fs.os.readlink(b"/lnk-file") == b"f"
    for bad in (None, 5, 1.5):
        with pytest.raises(TypeError):
            fs.os.path.isdir(bad)
    with pytest.raises(TypeError):
        fs.os.access("/f", "r")
    assert fs.os.path.samefile("/f", "/a/hard") and fs.os.path.samefile("/lnk-file", "/f")
    assert not fs.os.path.samefile("/f", "/a")


def test_access_as_another_caller(fs):
    """access follows POSIX permissions for a non-root caller (os.access as that user would)."""
    fs.makedirs("/d")
    fs.touch("/d/f")
    fs.os.chmod("/d/f", 0o640)
    fs.os.chown("/d/f", 1000, 100)
    for caller, want in (((1000, 1), (True, True, False)), ((2000, 100), (True, False, False)),
                         ((2000, 2000), (False, False, False))):
        u = fs.as_caller(*caller).os
        got = tuple(u.access("/d/f", m) for m in (os.R_OK, os.W_OK, os.X_OK))
        assert got == want, caller
        assert u.access("/d/f", os.F_OK)
    fs.os.chmod("/d", 0o700)
    assert not fs.as_caller(1000, 100).os.access("/d/f", os.F_OK)  # no search permission on /d


def test_os_changes_as_another_caller(fs):
    """chmod, chown, utime and truncate by a caller who may not: the errors Linux gives."""
    fs.touch("/f")
    fs.os.chmod("/f", 0o644)
    u = fs.as_caller(1000, 1000).os
    cases = [
        (lambda: u.chmod("/f", 0o600), errno.EPERM), (lambda: u.chown("/f", 1000, 1000), errno.EPERM),
        (lambda: u.utime("/f", (1, 2)), errno.EPERM), (lambda: u.utime("/f"), errno.EACCES),
        (lambda: u.truncate("/f", 0), errno.EACCES), (lambda: u.mkdir("/x"), errno.EACCES),
        (lambda: u.symlink("f", "/x"), errno.EACCES), (lambda: u.link("/f", "/x"), errno.EACCES),
        (lambda: u.remove("/f"), errno.EACCES), (lambda: u.rename("/f", "/x"), errno.EACCES),
        (lambda: u.setxattr("/f", "user.a", b"1"), errno.EACCES),
    ]
    for call, code in cases:
        with pytest.raises(OSError) as e:
            call()
        assert e.value.errno == code, (e.value, code)
        assert "/f" in (e.value.filename, e.value.filename2) or "/x" in (e.value.filename, e.value.filename2)
    fs.os.chown("/f", 1000, 1000)
    u.chmod("/f", 0o600)
    u.utime("/f", ns=(1, 2))
    u.truncate("/f", 3)
    assert fs.os.stat("/f")[1:] [:1] == (0o100600,) and fs.os.stat("/f").st_size == 3


def test_utime_like_os(both0):
    """utime: times in seconds (int, float rounded as os rounds), in nanoseconds, now; follow_symlinks; and
    os's argument errors."""
    tmp, fs = both0
    t = lambda p: os.path.join(tmp, p)  # noqa: E731
    for times, ns in [((1, 2), None), ((1.5, -2.25), None), ((1e-10, 2**33 + 0.999999999), None),
                      ((-1.3, 0.1), None), (None, (1500000001, 2**62)), (None, (-5, 0))]:
        kw = {} if ns is None else {"ns": ns}
        os.utime(t("f"), times, **kw)
        fs.os.utime("/f", times, **kw)
        want = os.stat(t("f"))
        got = fs.os.stat("/f")
        assert (got.st_atime_ns, got.st_mtime_ns) == (want.st_atime_ns, want.st_mtime_ns), (times, ns)
    os.utime(t("lnk-file"), ns=(7, 8))
    fs.os.utime("/lnk-file", ns=(7, 8))
    os.utime(t("dangling"), ns=(9, 10), follow_symlinks=False)
    fs.os.utime("/dangling", ns=(9, 10), follow_symlinks=False)
    for p, follow in (("f", False), ("lnk-file", True), ("dangling", False)):
        w, g = os.stat(t(p), follow_symlinks=follow), fs.os.stat("/" + p, follow_symlinks=follow)
        assert (g.st_atime_ns, g.st_mtime_ns) == (w.st_atime_ns, w.st_mtime_ns), p
    fs.set_test_time(123456789)
    fs.os.utime("/f")
    assert fs.os.stat("/f")[9:11] == (123456789, 123456789)
    fs.set_test_time(0)
    bad = [((1, 2), (1, 2)), ((1,), None), ([1, 2], None), (("1", 2), None), (None, [1, 2]), (None, (1.0, 2)),
           ((float("nan"), 1), None)]
    for times, ns in bad:
        kw = {} if ns is None else {"ns": ns}
        with pytest.raises(Exception) as want:
            os.utime(t("f"), times, **kw)
        with pytest.raises(Exception) as got:
            fs.os.utime("/f", times, **kw)
        assert type(got.value) is type(want.value), (times, ns, got.value, want.value)
    with pytest.raises(OverflowError):  # the engine keeps int64 nanoseconds: up to the year 2262
        fs.os.utime("/f", (2**40, 0))
    for p in ("missing", "dangling", "f/"):
        want, got = same_outcome(tmp, lambda: os.utime(t(p)), lambda: fs.utime("/" + p))
        assert want[:3] == got[:3], p  # os names no file for a dangling symlink; fs does


def test_xattrs_like_os(both0):
    """getxattr, setxattr, listxattr, removexattr by path: results and errors as os on a file system with user
    xattrs (the errors alone where the temporary directory has none)."""
    tmp, fs = both0
    t = lambda p: os.path.join(tmp, p)  # noqa: E731
    f = fs.os
    steps = [
        (lambda: os.setxattr(t("f"), "user.a", b"1"), lambda: f.setxattr("/f", "user.a", b"1")),
        (lambda: os.setxattr(t("lnk-file"), b"user.b", bytearray(b"22")),
         lambda: f.setxattr("/lnk-file", b"user.b", bytearray(b"22"))),
        (lambda: os.setxattr(t("a"), "user.c", b"", os.XATTR_CREATE),
         lambda: f.setxattr("/a", "user.c", b"", f.XATTR_CREATE)),
        (lambda: os.setxattr(t("f"), "user.a", b"3", os.XATTR_REPLACE),
         lambda: f.setxattr("/f", "user.a", b"3", f.XATTR_REPLACE)),
        (lambda: os.getxattr(t("f"), "user.a"), lambda: f.getxattr("/f", "user.a")),
        (lambda: os.getxattr(t("lnk-file"), b"user.b"), lambda: f.getxattr("/lnk-file", b"user.b")),
        (lambda: sorted(os.listxattr(t("f"))), lambda: sorted(f.listxattr("/f"))),
        (lambda: sorted(os.listxattr(os.fsencode(t("lnk-file")))), lambda: sorted(f.listxattr(b"/lnk-file"))),
        (lambda: os.removexattr(t("f"), "user.b"), lambda: f.removexattr("/f", "user.b")),
        (lambda: os.listxattr(t("f")), lambda: f.listxattr("/f")),
    ]
    errors = [
        (lambda: os.getxattr(t("f"), "user.nope"), lambda: f.getxattr("/f", "user.nope")),
        (lambda: os.getxattr(t("missing"), "user.a"), lambda: f.getxattr("/missing", "user.a")),
        (lambda: os.getxattr(t("dangling"), "user.a"), lambda: f.getxattr("/dangling", "user.a")),
        (lambda: os.setxattr(t("f"), "user.a", b"1", os.XATTR_CREATE),
         lambda: f.setxattr("/f", "user.a", b"1", f.XATTR_CREATE)),
        (lambda: os.setxattr(t("f"), "user.new", b"1", os.XATTR_REPLACE),
         lambda: f.setxattr("/f", "user.new", b"1", f.XATTR_REPLACE)),
        (lambda: os.setxattr(t("f"), "user.a", "str"), lambda: f.setxattr("/f", "user.a", "str")),
        (lambda: os.setxattr(t("f"), "nonamespace", b"1"), lambda: f.setxattr("/f", "nonamespace", b"1")),
        (lambda: os.setxattr(t("lnk-file"), "user.a", b"1", follow_symlinks=False),
         lambda: f.setxattr("/lnk-file", "user.a", b"1", follow_symlinks=False)),
        (lambda: os.setxattr(t("f/"), "user.a", b"1"), lambda: f.setxattr("/f/", "user.a", b"1")),
        (lambda: os.removexattr(t("f"), "user.nope"), lambda: f.removexattr("/f", "user.nope")),
        (lambda: os.removexattr(t("missing"), "user.a"), lambda: f.removexattr("/missing", "user.a")),
        (lambda: os.listxattr(t("missing")), lambda: f.listxattr("/missing")),
        (lambda: os.listxattr(t("loop")), lambda: f.listxattr("/loop")),
    ]
    if user_xattrs_work(tmp):
        check_steps(tmp, fs, steps + errors)
    else:
        for _, fs_call in steps:
            fs_call()
        for os_call, fs_call in errors:
            with pytest.raises(Exception):
                fs_call()
    assert f.listxattr() == f.listxattr("/")
    assert f.getxattr("/f", "user.a", follow_symlinks=False) == b"3"
    with pytest.raises(OSError) as e:
        f.getxattr("/dangling", "user.a", follow_symlinks=False)
    assert e.value.errno == errno.ENODATA and e.value.filename == "/dangling"


def test_scandir_like_os(both0):
    """scandir: the same entries, answers and errors as os.scandir; a context manager and an iterator that
    closes; bytes in, bytes out."""
    tmp, fs = both0
    t = lambda p: os.path.join(tmp, p)  # noqa: E731

    def answers(e, base):
        row = [e.name, rel(tmp, e.path) if base else e.path, e.is_symlink()]
        for follow in (True, False):
            for m in (e.is_dir, e.is_file, e.stat):
                try:
                    r = m(follow_symlinks=follow)
                    row.append(stat.S_IFMT(r.st_mode) if m == e.stat else r)
                except OSError as err:
                    row.append((type(err), err.errno))
        return tuple(row)

    for d in ("/", "/a", "/a/b", "/a/empty", "/d", "/a/lnk-dir"):
        with os.scandir(t(d.lstrip("/")) if d != "/" else tmp) as it:
            want = sorted(answers(e, True) for e in it)
        with fs.os.scandir(d) as it:
            got = sorted(answers(e, False) for e in it)
        assert [w[:1] + w[2:] for w in want] == [g[:1] + g[2:] for g in got], d
        assert sorted(w[1] for w in want) == sorted(g[1] for g in got), d
        assert sorted(e.name for e in fs.scandir(d)) == sorted(os.listdir(t(d.lstrip("/")) if d != "/" else tmp))
    names = sorted(e.name for e in fs.os.scandir(b"/a"))
    assert names == sorted(os.listdir(os.fsencode(t("a"))))
    assert all(isinstance(e.path, bytes) and e.path.startswith(b"/a/") for e in fs.os.scandir(b"/a"))
    assert {e.path for e in fs.scandir("a")} == {"a/" + n for n in fs.listdir("/a")}
    for e in fs.scandir("/a"):
        assert isinstance(e, fsmeta.DirEntry) and isinstance(e, fsmeta.ScandirEntry)
        assert e.inode() == fs.lstat(e.path).st_ino and not e.is_junction()
        assert os.fspath(e) == e.path
    it = fs.os.scandir("/")
    next(it)
    it.close()
    it.close()
    with pytest.raises(StopIteration):
        next(it)


def test_scandir_answers_from_the_listing(both0):
    """scandir's entries answer is_dir/is_file/is_symlink and stat() of a non-symlink without a call: they
    still answer once the engine is closed. A symlink followed needs one call, cached."""
    _, fs = both0
    entries = list(fs.scandir("/a"))
    link = [e for e in fs.scandir("/a") if e.name == "lnk-dir"][0]
    assert link.is_dir() and link.stat().st_nlink >= 2  # followed now: cached
    plain = list(fs.scandir("/a", plus=False))
    fs.close()
    for e in entries:
        e.is_dir(follow_symlinks=False), e.is_file(follow_symlinks=False), e.is_symlink()
        a = e.stat(follow_symlinks=False)
        assert stat.S_IFMT(a.st_mode) == e.type
        if not e.is_symlink():
            assert e.is_dir() == stat.S_ISDIR(e.stat().st_mode)
    assert link.is_dir() and stat.S_ISDIR(link.stat().st_mode)
    with pytest.raises(fsmeta.FsMetaError):
        [e for e in plain if e.name == "g"][0].stat()  # plus=False: stat() asks the (closed) engine


def test_walk_survives_a_loop(fs):
    """A symlink loop in a directory is a file to walk (as os.walk), not an error."""
    fs.makedirs("/d")
    fs.os.symlink("loop", "/d/loop")
    fs.os.symlink("..", "/d/up")
    assert list(fs.walk("/d")) == [("/d", ["up"], ["loop"])] or list(fs.walk("/d")) == [("/d", ["up"], ["loop"])]
    assert sorted(fs.walk("/d", followlinks=False)) == [("/d", ["up"], ["loop"])]


def test_os_views_and_argument_errors(fs):
    """fs.os and fs.os.path are bound to their engine and caller; wrong types name the function."""
    assert isinstance(fs.os, fsmeta.OsAPI) and isinstance(fs.os.path, fsmeta.OsPathAPI)
    assert fs.os.path.join("/a", "b") == "/a/b" and fs.os.sep == "/" and fs.os.path.split("/a/b") == ("/a", "b")
    assert fs.os.F_OK == os.F_OK and fs.os.XATTR_CREATE == os.XATTR_CREATE
    assert "fsmeta os" in repr(fs.os) and "os.path" in repr(fs.os.path)
    for call in (lambda: fs.os.mkdir(5), lambda: fs.os.rmdir(None), lambda: fs.os.symlink("x", 5),
                 lambda: fs.os.rename("/a", 1.5), lambda: fs.os.readlink(3), lambda: fs.os.chown("/", "1", 1),
                 lambda: fs.os.truncate(5, 0), lambda: fs.os.setxattr("/", "user.a", 5)):
        with pytest.raises(TypeError):
            call()
    fs.touch("/f")
    for call in (lambda: fs.os.chmod("/f", 2**32), lambda: fs.os.chmod("/f", -1),
                 lambda: fs.os.mkdir("/x", 2**32), lambda: fs.os.setxattr("/f", "user.a", b"", 2**32)):
        with pytest.raises(OverflowError):
            call()
    for call in (fs.os.mkdir, fs.os.rmdir, fs.os.remove, fs.os.readlink, fs.os.listxattr, fs.os.stat,
                 fs.os.scandir, fs.os.removedirs):
        with pytest.raises(OSError) as e:
            call("/f\0x")
        assert e.value.errno == errno.EINVAL, call
    fs.close()
    with pytest.raises(fsmeta.FsMetaError):
        fs.os.path.exists("/f")
    with pytest.raises(fsmeta.FsMetaError):
        fs.os.access("/f", os.F_OK)
    with pytest.raises(fsmeta.FsMetaError):
        fs.isdir("/")


def test_link_follows_as_documented(fs):
    """os.link follows a final symlink of src by default, as its documentation says (CPython on Linux calls
    link(2), which does not; follow_symlinks=False links the symlink itself, as both do)."""
    fs.touch("/f")
    fs.os.symlink("f", "/l")
    fs.os.link("/l", "/hard")
    assert fs.lstat("/hard").st_ino == fs.stat("/f").st_ino and fs.stat("/f").st_nlink == 2
    fs.os.link("/l", "/hard-l", follow_symlinks=False)
    assert fs.lstat("/hard-l").st_ino == fs.lstat("/l").st_ino and fs.islink("/hard-l")
    with pytest.raises(FileNotFoundError) as e:
        fs.os.symlink("nowhere", "/dang") or fs.os.link("/dang", "/x")
    assert (e.value.filename, e.value.filename2) == ("/dang", "/x")
    fs.os.chmod("/l", 0o700, follow_symlinks=False)  # the link's own mode, as BSD's lchmod
    assert fs.lstat("/l").st_mode == stat.S_IFLNK | 0o700 and stat.S_IMODE(fs.stat("/f").st_mode) != 0o700


def test_user_xattrs_are_compared(tmp_path):
    """test_xattrs_like_os compares with os only where user xattrs work: say so when they do not."""
    if not user_xattrs_work(str(tmp_path)):
        pytest.skip("no user xattrs on %s: test_xattrs_like_os checked fs's errors only" % tmp_path)


FUZZ_PATHS = ["f", "a", "a/b", "a/g", "a/lnk-dir", "lnk-file", "dangling", "loop", "d/up", "d/e", "missing", "n",
              "a/b/n2", "f/", "a/", "a/lnk-dir/", "lnk-file/", "a/.", "a/..", "d/up/b", "x", "x/", "d/up/", "a/b/c"]


@pytest.mark.parametrize("seed", range(12))
def test_random_operations_like_os(tmp_path, seed):
    """Random sequences of the path functions on names of every kind (files, directories, symlinks to both,
    dangling, a loop, trailing slashes, dot names, missing parents): after each, the same outcome and tree as
    os on a temporary directory."""
    rnd = random.Random(seed)
    old = os.umask(0)
    fs = fsmeta.open(umask=0)
    try:
        tmp = str(tmp_path / "root")
        os.mkdir(tmp, 0o755)
        build_both(tmp, fs)
        t = lambda p: os.path.join(tmp, p)  # noqa: E731
        f = fs.os
        ops = {
            "mkdir": lambda p, q: (lambda: os.mkdir(t(p)), lambda: f.mkdir("/" + p)),
            "symlink": lambda p, q: (lambda: os.symlink(q, t(p)), lambda: f.symlink(q, "/" + p)),
            "link": lambda p, q: (lambda: os.link(t(p), t(q), follow_symlinks=False),
                                  lambda: f.link("/" + p, "/" + q, follow_symlinks=False)),
            "rename": lambda p, q: (lambda: os.rename(t(p), t(q)), lambda: f.rename("/" + p, "/" + q)),
            "remove": lambda p, q: (lambda: os.remove(t(p)), lambda: f.remove("/" + p)),
            "rmdir": lambda p, q: (lambda: os.rmdir(t(p)), lambda: f.rmdir("/" + p)),
            "removedirs": lambda p, q: (lambda: os.removedirs(t(p)), lambda: f.removedirs("/" + p)),
            "chmod": lambda p, q: (lambda: os.chmod(t(p), 0o751), lambda: f.chmod("/" + p, 0o751)),
            "truncate": lambda p, q: (lambda: os.truncate(t(p), 9), lambda: f.truncate("/" + p, 9)),
            "readlink": lambda p, q: (lambda: os.readlink(t(p)), lambda: f.readlink("/" + p)),
            "scandir": lambda p, q: (lambda: sorted(e.name for e in os.scandir(t(p))),
                                     lambda: sorted(e.name for e in f.scandir("/" + p))),
        }
        for i in range(40):
            op, p, q = rnd.choice(sorted(ops)), rnd.choice(FUZZ_PATHS), rnd.choice(FUZZ_PATHS)
            src = t(p).rstrip("/")
            if op in ("link", "rename") and os.path.islink(src) and os.readlink(src).startswith(".."):
                continue  # moved elsewhere it would point out of tmp, and fs's root has no outside
            if op == "removedirs" and p.rstrip("/") in ("a/..", "d/up", "a/lnk-dir"):
                continue  # it would climb out of tmp
            want, got = same_outcome(tmp, *ops[op](p, q))
            assert want == got, (i, op, p, q)
            assert tree_fs(fs) == tree_os(tmp), (i, op, p, q)
        fs.fsck()
    finally:
        fs.close()
        os.umask(old)
