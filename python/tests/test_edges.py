"""Edges found by using the Python API from outside (issue #19), one test (or more) per defect."""

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
