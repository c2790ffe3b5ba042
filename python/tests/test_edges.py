"""Edges found by using the Python API from outside (issue #19), one test (or more) per defect."""

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
            fs.release_file(kept.ino)
        except OSError as e:
            assert e.errno == 9  # EBADF: released at open
        else:
            raise AssertionError("the file is still open after the restart")
        fs.fsck()


def test_nul_in_path_is_einval(fs):
    """Defect 2: a NUL inside a path is refused (EINVAL), not looked up."""
    fs.makedirs("/d")
    for p in ("/d\0x", "/missing/a\0b", b"/d\0", "\0"):
        for call in (fs.stat, fs.lstat, fs.resolve, fs.exists, fs.listdir, fs.makedirs):
            with pytest.raises(OSError) as e:
                call(p)
            assert e.value.errno == errno.EINVAL, (call.__name__, p, e.value)
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
