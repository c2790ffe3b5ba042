"""fsmeta.Path (fs.path()) against pathlib: the pure operations against PurePosixPath, the operations on the
engine against pathlib.Path on a real temporary directory (the same answers, the same trees, the same errors)."""

import errno
import os
import pathlib
import stat

import pytest

import fsmeta


@pytest.mark.parametrize("p", ["/", "/a", "/a/b.tar.gz", "a/b", "/a/b/", "//a//b", "/a/./b", "a", ".", "/a/.hidden"])
def test_pure_like_purepath(fs, p):
    ours, theirs = fs.path(p), pathlib.PurePosixPath(p)
    assert str(ours) == str(theirs) and bytes(ours) == bytes(theirs) and ours.as_posix() == theirs.as_posix()
    assert ours.parts == theirs.parts and ours.name == theirs.name and ours.stem == theirs.stem
    assert ours.suffix == theirs.suffix and ours.suffixes == theirs.suffixes
    assert ours.anchor == theirs.anchor and ours.root == theirs.root and ours.is_absolute() == theirs.is_absolute()
    assert str(ours.parent) == str(theirs.parent)
    assert [str(x) for x in ours.parents] == [str(x) for x in theirs.parents]
    assert str(ours / "c" / "d") == str(theirs / "c" / "d") and str(ours.joinpath("c", "d")) == str(theirs / "c/d")
    assert str("/x" / ours) == str("/x" / theirs)
    assert str(ours / "/abs") == "/abs"
    if theirs.name:
        assert str(ours.with_name("n.txt")) == str(theirs.with_name("n.txt"))
        assert str(ours.with_suffix(".x")) == str(theirs.with_suffix(".x"))
        assert str(ours.with_stem("s")) == str(theirs.with_name("s" + theirs.suffix))
    else:
        with pytest.raises(ValueError):
            ours.with_name("n")
    assert ours.match("*") == theirs.match("*") and ours.match("/a/*") == theirs.match("/a/*")
    assert ours.is_relative_to("/") == (theirs.parts[:1] == ("/",))
    assert str(ours.absolute()) == str(pathlib.PurePosixPath("/") / theirs)
    assert isinstance(ours.parent, fsmeta.Path) and ours.parent.fs is fs
    assert repr(ours) == "fsmeta.Path(%r)" % str(theirs)


def test_pure_errors_equality_and_no_fspath(fs):
    a = fs.path("/a/b")
    assert a == fs.path("/a", "b") == fs.path("/") / "a" / "b" == fs.path("/a") / fs.path("b")
    assert hash(a) == hash(fs.path("/a/b")) and len({a, fs.path("/a/b"), fs.path("/a")}) == 2
    assert a != "/a/b" and a != pathlib.PurePosixPath("/a/b")
    with fsmeta.open() as other:
        assert a != other.path("/a/b")
        with pytest.raises(TypeError):
            a < other.path("/a/c")  # noqa: B015
    assert sorted([fs.path("/b"), fs.path("/a/c"), fs.path("/a")]) == [fs.path("/a"), fs.path("/a/c"), fs.path("/b")]
    assert fs.path("/a") <= fs.path("/a") and fs.path("/b") > fs.path("/a") >= fs.path("/a")
    assert str(a.relative_to("/a")) == "b" and not a.is_relative_to("/c")
    with pytest.raises(ValueError):
        a.relative_to("/c")
    assert fs.path() == fs.path("/") and fs.path(pathlib.PurePosixPath("/x")) == fs.path("/x")
    for bad in (b"/a", 5, None):
        with pytest.raises(TypeError):
            fs.path(bad)
        with pytest.raises(TypeError):
            a / bad
    with pytest.raises(TypeError):
        os.fspath(a)  # a file of the engine, never of the host: not os.PathLike


def build(root):
    """The same tree through both APIs (root a pathlib.Path or an fsmeta.Path)."""
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b").mkdir(parents=True, exist_ok=True)
    (root / "d").mkdir(mode=0o750)
    (root / "f").touch()
    (root / "a" / "g").touch(mode=0o600)
    (root / "lnk").symlink_to("f")
    (root / "a" / "lnk-dir").symlink_to("b", target_is_directory=True)
    (root / "dangling").symlink_to("nowhere")
    (root / "loop").symlink_to("loop")
    (root / "a" / "hard").hardlink_to(root / "f")
    (root / "a" / "g").chmod(0o640)
    (root / "lnk").chmod(0o604)


def shape(root, top):
    """Every path below top: (relative path, type, mode unless a symlink, nlink unless a dir, target)."""
    out = []
    for d, dirs, files in os.walk(top) if isinstance(top, str) else top.fs.walk(str(top)):
        for n in dirs + files:
            p = root / os.path.relpath(os.path.join(d, n), str(top))
            st = p.lstat()
            kind = stat.S_IFMT(st.st_mode)
            out.append((str(p.relative_to(root)), kind, None if kind == stat.S_IFLNK else stat.S_IMODE(st.st_mode),
                        None if kind == stat.S_IFDIR else st.st_nlink,
                        str(p.readlink()) if kind == stat.S_IFLNK else None))
    return sorted(out)


@pytest.fixture
def trees(tmp_path, fs):
    old = os.umask(0)
    try:
        real = tmp_path / "root"
        real.mkdir()
        ours = fs.path("/")
        build(real)
        build(ours)
        yield real, ours
    finally:
        os.umask(old)


def outcome(real, call, p):
    try:
        r = call(p)
        if hasattr(r, "__next__"):  # iterdir: lazy in some Pythons, eager in others
            r = sorted(x.name for x in r)
    except Exception as e:  # noqa: BLE001 - the comparison is the point
        name = getattr(e, "filename", None)
        if isinstance(p, pathlib.Path) and name is not None:
            name = "/" + os.path.relpath(name, str(real)) if name != str(real) else "/"
        return ("raise", type(e), getattr(e, "errno", None), name)
    if isinstance(r, pathlib.Path) and r.is_absolute():
        return ("ok", "/" + os.path.relpath(str(r), str(real)))
    if isinstance(r, (pathlib.PurePath, fsmeta.Path)):
        return ("ok", str(r))
    if isinstance(r, os.stat_result) or isinstance(r, fsmeta.Attr):
        return ("ok", stat.S_IFMT(r.st_mode))
    return ("ok", r)


def test_operations_like_pathlib(trees):
    real, ours = trees
    assert shape(real, str(real)) == shape(ours, ours)
    rels = ["f", "a", "a/b", "a/g", "lnk", "a/lnk-dir", "dangling", "loop", "missing", "f/x", "a/lnk-dir/c"]
    calls = {
        "exists": lambda p: p.exists(), "is_dir": lambda p: p.is_dir(), "is_file": lambda p: p.is_file(),
        "is_symlink": lambda p: p.is_symlink(), "stat": lambda p: p.stat(), "lstat": lambda p: p.lstat(),
        "stat-nofollow": lambda p: p.stat(follow_symlinks=False), "readlink": lambda p: p.readlink(),
        "iterdir": lambda p: p.iterdir(), "samefile": lambda p: p.samefile(p.parent / "f"),
    }
    for r in rels:
        for name, call in calls.items():
            want = outcome(real, call, real / r)
            got = outcome(real, call, ours / r)
            assert want == got, (name, r)
    assert (ours / "a").is_mount() is False and ours.is_mount() is True
    assert sorted(str(p) for p in (ours / "a").iterdir()) == sorted("/a/" + n for n in os.listdir(real / "a"))
    assert [(str(d), sorted(ds), sorted(fs_)) for d, ds, fs_ in (ours / "a").walk()][0] == \
        ("/a", sorted(x for x in os.listdir(real / "a") if (real / "a" / x).is_dir()),
         sorted(x for x in os.listdir(real / "a") if not (real / "a" / x).is_dir()))


def test_changes_and_errors_like_pathlib(trees):
    real, ours = trees
    steps = [
        lambda r: (r / "n" / "o" / "p").mkdir(parents=True),
        lambda r: (r / "n").mkdir(),                         # FileExistsError
        lambda r: (r / "n").mkdir(exist_ok=True),
        lambda r: (r / "f").mkdir(exist_ok=True),            # FileExistsError: not a directory
        lambda r: (r / "x" / "y").mkdir(),                   # FileNotFoundError
        lambda r: (r / "f" / "y").mkdir(parents=True),       # NotADirectoryError
        lambda r: (r / "f").touch(exist_ok=False),           # FileExistsError
        lambda r: (r / "n" / "t").touch(),
        lambda r: (r / "n" / "t").touch(),                   # exists: times only
        lambda r: (r / "x" / "t").touch(),                   # FileNotFoundError
        lambda r: (r / "dangling").touch(exist_ok=False),    # FileExistsError
        lambda r: (r / "loop").touch(),                      # OSError ELOOP
        lambda r: (r / "f" / "t").touch(),                   # NotADirectoryError
        lambda r: (r / "dangling").touch(),                  # creates its target, /nowhere
        lambda r: (r / "n" / "t").rename(r / "n" / "u"),     # returns the new path
        lambda r: (r / "n" / "u").replace(r / "a" / "g"),
        lambda r: (r / "missing").rename(r / "z"),           # FileNotFoundError
        lambda r: (r / "a").rename(r / "f"),                 # NotADirectoryError
        lambda r: (r / "n" / "o").rmdir(),                   # OSError ENOTEMPTY
        lambda r: (r / "n" / "o" / "p").rmdir(),
        lambda r: (r / "f").rmdir(),                         # NotADirectoryError
        lambda r: (r / "a").unlink(),                        # IsADirectoryError
        lambda r: (r / "missing").unlink(),                  # FileNotFoundError
        lambda r: (r / "missing").unlink(missing_ok=True),
        lambda r: (r / "dangling").unlink(),
        lambda r: (r / "lnk").symlink_to("x"),               # FileExistsError
        lambda r: (r / "hl").hardlink_to(r / "a"),           # PermissionError
        lambda r: (r / "hl").hardlink_to(r / "missing"),     # FileNotFoundError
        lambda r: (r / "f").readlink(),                      # OSError EINVAL
        lambda r: (r / "missing").chmod(0o600),              # FileNotFoundError
        lambda r: (r / "missing").stat(),                    # FileNotFoundError
        lambda r: (r / "loop").stat(),                       # OSError ELOOP
        lambda r: (r / "f").iterdir(),                       # NotADirectoryError
        lambda r: (r / "a" / "b" / "c").touch(mode=0o640),
        lambda r: (r / "a" / "b" / "c").chmod(0o604),
    ]
    for i, step in enumerate(steps):
        want = outcome(real, step, real)
        got = outcome(real, step, ours)
        if want[0] == "raise" and want[3] is not None:
            want = want[:3] + ("/" + os.path.relpath(want[3], "/") if want[3].startswith("/") else want[3],)
        assert want[:3] == got[:3], (i, want, got)
        assert shape(real, str(real)) == shape(ours, ours), i
    assert (ours / "a" / "b").rename("/a/b2") == ours / "a" / "b2"
    assert (ours / "a" / "b2").replace(ours / "a" / "b3") == ours / "a" / "b3"
    assert (ours / "lnk").read_link() == ours.fs.path("f")


def test_errors_carry_the_path(fs):
    p = fs.path("/missing/x")
    for call in (p.stat, p.lstat, p.mkdir, p.rmdir, p.unlink, p.readlink, lambda: p.chmod(0o600), p.touch,
                 lambda: p.rename("/y"), p.iterdir):
        with pytest.raises(FileNotFoundError) as e:
            call()
        assert e.value.filename == "/missing/x", call
        assert e.value.errno == errno.ENOENT
    with pytest.raises(FileNotFoundError) as e:
        p.symlink_to("t")
    assert (e.value.filename, e.value.filename2) == ("t", "/missing/x")  # os.symlink(target, path)


def test_touch_sets_times_and_xattrs(fs):
    p = fs.path("/f")
    fs.set_test_time(10**18)
    p.touch()
    fs.set_test_time(2 * 10**18)
    p.touch()
    assert p.stat().st_mtime_ns == p.stat().st_atime_ns == 2 * 10**18
    p.setxattr("user.a", b"1")
    assert p.getxattr("user.a") == b"1" and p.listxattr() == ["user.a"]
    p.removexattr("user.a")
    assert p.listxattr() == []
    fs.path("/l").symlink_to(p)
    fs.path("/l").lchmod(0o700)
    assert stat.S_IMODE(fs.path("/l").lstat().st_mode) == 0o700 and stat.S_IMODE(p.stat().st_mode) != 0o700
    u = fs.as_caller(1000, 1000).path("/f")
    with pytest.raises(PermissionError) as e:
        u.chmod(0o600)
    assert e.value.filename == "/f"
    with pytest.raises(PermissionError):
        fs.as_caller(1000, 1000).path("/g").touch()
    p.chmod(0o644)
    with pytest.raises(PermissionError) as e:  # not the owner, no write permission: as open(O_WRONLY)
        u.touch()
    assert e.value.filename == "/f" and e.value.errno == errno.EACCES
    fs.close()
    with pytest.raises(fsmeta.FsMetaError):
        p.exists()
    with pytest.raises(fsmeta.FsMetaError):
        p.touch()
