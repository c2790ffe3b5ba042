"""The path API against os on a real temporary directory: the same tree, the same answers and the same errors."""

import errno
import os
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
