"""DirStream.tell/seek and readdir(cursor=) (fsmeta_dir_tell/seek), FsMeta.snapshot (fsmeta_snapshot) and
fsmeta.open(snapshot_threshold=) (options version 2), with their failures."""

import errno
import gc

import pytest

import fsmeta

ROOT = fsmeta.ROOT_INO


def _names(it):
    return [e.name for e in it]


@pytest.fixture
def big(fs):
    d = fs.mkdir(ROOT, "d").ino
    for i in range(300):
        fs.create(d, "f%d" % i)
    return d


def test_readdir_is_a_dirstream(fs, big):
    it = fs.readdir(big)
    assert isinstance(it, fsmeta.DirStream)
    assert iter(it) is it
    assert it.ino == big and not it.plus and not it.closed
    assert fsmeta.DirStream.START == 0 and fsmeta.DirStream.END == 2**64 - 1
    assert len(_names(it)) == 300
    assert it.tell() == fsmeta.DirStream.END
    with pytest.raises(StopIteration):
        next(it)  # an ended listing stays ended
    it.close()
    assert it.closed and "closed" in repr(it)


def test_tell_seek_resume(fs, big):
    base = fsmeta.handle_count()
    with fs.readdir(big) as it:
        assert it.tell() == 0  # not opened yet: where it starts
        everything = _names(it)
        it.seek(fsmeta.DirStream.START)  # after the end: reopened from there
        assert _names(it) == everything
    assert fsmeta.handle_count() == base
    with fs.readdir(big, plus=True) as it:
        first = [next(it).name for _ in range(100)]
        cursor = it.tell()
        assert 0 < cursor < 2**64 - 1
        assert it.tell() == cursor  # tell does not move
        assert fsmeta.handle_count() == base + 1
    assert fsmeta.handle_count() == base
    assert first == everything[:100]
    fs.create(big, "late")  # changes in between do not spoil the cursor
    fs.unlink(big, first[0])
    rest = _names(fs.readdir(big, cursor=cursor))
    for n in everything[100:]:
        assert n in rest
    assert not set(rest) & set(first)
    assert len(set(rest)) == len(rest)
    # seek on an open listing, both ways; to the end
    it = fs.readdir(big)
    next(it)
    it.seek(cursor)
    assert _names(it) == rest
    it.seek(0)
    assert len(_names(it)) == 300
    it.seek(fsmeta.DirStream.END)
    assert _names(it) == []
    assert it.tell() == fsmeta.DirStream.END
    # the cursor of the first entry resumes as 0 does
    it = fs.readdir(big)
    next(it)
    it.seek(0)
    head = it.tell()
    assert _names(fs.readdir(big, cursor=head)) == _names(fs.readdir(big))
    del it
    gc.collect()
    assert fsmeta.handle_count() == base


def test_seek_before_the_first_next(fs, big):
    all_names = _names(fs.readdir(big))
    it = fs.readdir(big)
    for _ in range(10):
        next(it)
    c = it.tell()
    it.close()
    it = fs.readdir(big)
    it.seek(c)  # not opened yet: remembered
    assert it.tell() == c
    assert _names(it) == all_names[10:]


def test_closed_listing(fs, big):
    it = fs.readdir(big)
    next(it)
    it.close()
    it.close()  # idempotent
    with pytest.raises(ValueError, match="closed"):
        it.seek(0)
    with pytest.raises(ValueError, match="closed"):
        it.tell()
    with pytest.raises(StopIteration):
        next(it)
    with fs.readdir(big) as it:
        pass
    with pytest.raises(ValueError):
        it.seek(0)


def test_seek_after_the_database_closed():
    fs = fsmeta.open()
    fs.create(ROOT, "f")
    it = fs.readdir(ROOT)
    assert next(it).name == "f"
    fs.close()
    it.seek(0)  # the iterator is still a handle; its listing stays closed
    with pytest.raises(fsmeta.FsMetaError) as e:
        next(it)
    assert e.value.status == fsmeta.FSMETA_ECLOSED
    it.close()


def test_cursor_arguments(fs, big):
    it = fs.readdir(big)
    for bad in (-1, 2**64, 2**200, -(2**63)):
        with pytest.raises(OverflowError, match="cursor"):
            fs.readdir(big, cursor=bad)
        with pytest.raises(OverflowError, match="seek.*cursor"):
            it.seek(bad)
    for bad in ("0", 1.0, None, b"x"):
        with pytest.raises(TypeError, match="cursor"):
            fs.readdir(big, cursor=bad)
        with pytest.raises(TypeError, match="seek.*cursor"):
            it.seek(bad)
    it.seek(2**64 - 1)  # the whole range is cursors
    assert _names(it) == []
    it.seek(2**63)
    assert len(_names(it)) <= 300
    it.close()


def test_readdir_errors_stay_lazy(fs):
    f = fs.create(ROOT, "f").ino
    it = fs.readdir(f, cursor=5)
    assert it.tell() == 5
    with pytest.raises(NotADirectoryError):
        next(it)
    with pytest.raises(NotADirectoryError):
        next(it)  # tried again: nothing was opened
    it.close()


def test_snapshot_in_memory_is_einval(fs):
    with pytest.raises(OSError) as e:
        fs.snapshot()
    assert e.value.errno == errno.EINVAL
    fs.close()
    with pytest.raises(fsmeta.FsMetaError) as e:
        fs.snapshot()
    assert e.value.status == fsmeta.FSMETA_ECLOSED


def test_snapshot_durable(tmp_path):
    d = tmp_path / "db"
    with fsmeta.open(d, snapshot_threshold=50) as fs:
        for i in range(200):  # past the threshold
            fs.create(ROOT, "f%d" % i)
        fs.snapshot()
        fs.mkdir(ROOT, "after")
        fs.snapshot()
        fs.snapshot()  # nothing new: still fine
        fs.as_caller(1000, 1000).snapshot()  # no permission is needed
    with fsmeta.open(d) as fs:
        assert len(fs.listdir("/")) == 201
        assert fs.isdir("/after")
        fs.fsck()


def test_snapshot_threshold_argument(tmp_path):
    for bad in (-1, 2**64):
        with pytest.raises(OverflowError, match="snapshot_threshold"):
            fsmeta.open(snapshot_threshold=bad)
    with pytest.raises(TypeError, match="snapshot_threshold"):
        fsmeta.open(snapshot_threshold="1")
    with fsmeta.open(snapshot_threshold=2**64 - 1) as fs:  # in memory: no log, nothing to do
        fs.create(ROOT, "f")
    with fsmeta.open(tmp_path / "db", snapshot_threshold=1) as fs:
        for i in range(20):
            fs.create(ROOT, "f%d" % i)
    with fsmeta.open(tmp_path / "db") as fs:
        assert len(fs.listdir("/")) == 20
