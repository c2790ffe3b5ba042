"""Threads (8 at once on one database), the leak check (10k open/close cycles with flat RSS), fork safety."""

import gc
import os
import subprocess
import sys
import threading
import time

import fsmeta

ROOT = fsmeta.ROOT_INO


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def test_8_threads(fs):
    shared = fs.mkdir(ROOT, "shared").ino
    target = fs.create(shared, "t").ino
    errors = []
    n = 2000

    def work(k):
        try:
            me = fs.as_caller(1000 + k, 1000 + k) if k % 2 else fs
            d = fs.mkdir(ROOT, "t%d" % k, 0o777).ino
            for i in range(n):
                me.create(d, "f%d" % i)
                assert fs.getattr(target).ino == target
            assert len(list(me.readdir(d))) == n
            for i in range(0, n, 2):
                me.unlink(d, "f%d" % i)
            for i in range(200):
                try:
                    me.create(shared, "race%d" % i)
                except FileExistsError:
                    pass
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for k in range(8):
        assert len(fs.listdir("/t%d" % k)) == n // 2
    assert len(fs.listdir("/shared")) == 201
    fs.fsck()


def test_threads_getattr_throughput(fs):
    ino = fs.create(ROOT, "f").ino
    count = 20000

    def loop():
        g = fs.getattr
        for _ in range(count):
            g(ino)

    t0 = time.perf_counter()
    loop()
    one = time.perf_counter() - t0
    threads = [threading.Thread(target=loop) for _ in range(8)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eight = time.perf_counter() - t0
    print("getattr: 1 thread %.0f/s, 8 threads %.0f/s total" % (count / one, 8 * count / eight))


def test_close_while_other_threads_call():
    for _ in range(5):
        fs = fsmeta.open()
        ino = fs.mkdir(ROOT, "d").ino
        stop = threading.Event()
        seen = []

        def hammer():
            while not stop.is_set():
                try:
                    fs.getattr(ino)
                    fs.create(ino, "x%d" % threading.get_ident())
                except FileExistsError:
                    pass
                except fsmeta.FsMetaError as e:
                    seen.append(e.status)
                    return

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.02)
        fs.close()
        stop.set()
        for t in threads:
            t.join()
        assert set(seen) <= {fsmeta.FSMETA_ECLOSED, fsmeta.FSMETA_EBADHANDLE}
    assert fsmeta.handle_count() == 0


def test_leak_10k_open_close():
    base_handles = fsmeta.handle_count()

    def cycle(n):
        for i in range(n):
            with fsmeta.open() as fs:
                d = fs.mkdir(ROOT, "d").ino
                fs.create(d, "f")
                fs.setxattr(d, "user.k", b"v" * 100)
                for e in fs.readdir(d, plus=True):
                    e.stat()
                fs.listxattr(d)
            if i % 3 == 0:
                fs2 = fsmeta.open()  # closed by __del__
                del fs2

    cycle(1000)  # warm up: the Go runtime's heap, ctypes caches
    gc.collect()
    before = rss_kib()
    cycle(10000)
    gc.collect()
    after = rss_kib()
    print("RSS after 1k warm-up cycles %d KiB, after 10k more %d KiB (%+d KiB)" % (before, after, after - before))
    assert fsmeta.handle_count() == base_handles
    assert after - before < 32 * 1024, (before, after)


def test_forked_child_refuses_calls():
    # The Go runtime does not survive fork(): in the child, handles are marked closed with a clear message.
    code = r"""
import os, sys, fsmeta
fs = fsmeta.open()
fs.mkdir(fsmeta.ROOT_INO, "d")
pid = os.fork()
if pid == 0:
    try:
        fs.getattr(1)
        os._exit(1)
    except fsmeta.FsMetaError as e:
        os._exit(0 if "fork" in str(e) else 2)
_, status = os.waitpid(pid, 0)
fs.getattr(1)  # the parent is unaffected
fs.close()
sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8)
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_multiprocessing_spawn():
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        assert pool.apply(_child_job) == 4  # /, /a, /a/b, /a/b/c


def _child_job():
    with fsmeta.open() as fs:
        fs.makedirs("/a/b/c")
        return sum(1 for _ in fs.walk("/"))
