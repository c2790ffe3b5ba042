"""fsmeta from Python: build a tree, walk it like os.walk, print a stat-like line, time 100k getattrs.

Run: python3 examples/python/example.py [getattr-count]
(with the fsmeta wheel installed, or PYTHONPATH=python FSMETA_LIBRARY=build/c/lib/libfsmeta.so.1).
"""

import stat
import sys
import time

import fsmeta


def main(count: int = 100_000) -> None:
    with fsmeta.open() as fs:
        # build a tree with the path API
        fs.makedirs("/home/alice/src", mode=0o755)
        fs.makedirs("/var/log")
        for name in ("main.go", "README.md"):
            fs.touch("/home/alice/src/" + name, mode=0o644)
        log = fs.touch("/var/log/syslog", mode=0o640)
        fs.truncate(log.ino, 12345)
        fs.symlink(fs.stat("/home/alice").ino, "code", "src")
        fs.setxattr(log.ino, "user.origin", b"example")

        # walk it like os.walk
        for dirpath, dirnames, filenames in fs.walk("/"):
            print("%-18s dirs=%s files=%s" % (dirpath, sorted(dirnames), sorted(filenames)))

        # a stat-like line (Attr has os.stat_result's field names)
        st = fs.stat("/var/log/syslog")
        print("%s %d %d %d %8d %s ino=%d /var/log/syslog" % (
            stat.filemode(st.st_mode), st.st_nlink, st.st_uid, st.st_gid, st.st_size,
            time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(st.st_mtime)), st.st_ino))

        # errors are the usual OSError subclasses
        try:
            fs.stat("/home/bob")
        except FileNotFoundError as e:
            print("FileNotFoundError:", e)

        # time getattr from one thread
        getattr_ = fs.getattr
        ino = st.st_ino
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            for _ in range(count):
                getattr_(ino)
            best = min(best, time.perf_counter() - t0)
        print("getattr from Python: %d calls, %.0f ns/call, %.0f calls/s (best of 3)"
              % (count, best / count * 1e9, count / best))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
