package io.fsmeta;

import static org.junit.jupiter.api.Assertions.*;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FsMetaTest {
    static final CallerContext ROOT = CallerContext.ROOT;
    static final CallerContext ALICE = CallerContext.of(1000, 1000, 022, 2000);
    FsMeta fs;

    @BeforeEach
    void open() throws IOException {
        fs = FsMeta.open(FsMetaOptions.builder().inMemory().build());
    }

    @AfterEach
    void close() throws IOException {
        if (fs.isOpen()) fs.fsck();
        fs.close();
    }

    static Status status(IOException e) {
        return FsMetaException.statusOf(e);
    }

    @Test
    void loadsFromTheJar() {
        assertTrue(FsMeta.librarySource().startsWith("jar:"), FsMeta.librarySource());
        assertEquals("1.0.0", FsMeta.version());
        assertEquals(10000, FsMeta.versionNumber());
        assertFalse(FsMeta.strerror(-2).isEmpty());
    }

    @Test
    void createLookupGetattr() throws IOException {
        Attr d = fs.mkdir(ROOT, FsMeta.ROOT_INO, "d", 0755);
        assertTrue(d.isDirectory());
        assertEquals(0755, d.permissions());
        assertEquals(2, d.nlink());
        Attr f = fs.create(ROOT, d.ino(), "f", 0644);
        assertTrue(f.isRegularFile());
        assertEquals(f, fs.lookup(ROOT, d.ino(), "f"));
        assertEquals(f, fs.getattr(ROOT, f.ino()));
        assertEquals(d.ino(), fs.lookup(ROOT, f.ino() == 0 ? 1 : d.ino(), ".").ino());
        Attr fifo = fs.mknod(ROOT, d.ino(), "p", Attr.S_IFIFO | 0600, 0);
        assertTrue(fifo.isFifo());
        Attr chr = fs.mknod(ROOT, d.ino(), "c", Attr.S_IFCHR | 0600, 0x0501);
        assertTrue(chr.isCharacterDevice());
        assertEquals(0x0501, chr.rdev());
        assertTrue(fs.mknod(ROOT, d.ino(), "s", Attr.S_IFSOCK | 0600, 0).isSocket());
        assertTrue(fs.mknod(ROOT, d.ino(), "b", Attr.S_IFBLK | 0600, 1).isBlockDevice());
        Attr ln = fs.symlink(ROOT, d.ino(), "ln", "f/é");
        assertTrue(ln.isSymbolicLink());
        assertEquals("f/é", fs.readlink(ROOT, ln.ino()));
        assertArrayEquals("f/é".getBytes(StandardCharsets.UTF_8), fs.readlinkBytes(ROOT, ln.ino()));
        long[] raw = new long[io.fsmeta.internal.Native.ATTR_LONGS];
        fs.getattrInto(ROOT, f.ino(), raw);
        assertEquals(f.ino(), raw[io.fsmeta.internal.Native.ATTR_INO]);
        // umask of the caller applies
        fs.chmod(ROOT, d.ino(), 0777);
        assertEquals(0755, fs.create(ALICE, d.ino(), "a", 0777).permissions());
    }

    @Test
    void setattrAccessAndTimes() throws IOException {
        Attr f = fs.create(ROOT, FsMeta.ROOT_INO, "f", 0600);
        assertEquals(0640, fs.chmod(ROOT, f.ino(), 0640).permissions());
        Attr o = fs.chown(ROOT, f.ino(), 1000, 1000);
        assertEquals(1000, o.uid());
        assertEquals(1000, o.gid());
        assertEquals(12345, fs.truncate(ROOT, f.ino(), 12345).size());
        Attr t = fs.setattr(ROOT, f.ino(), SetAttr.builder().atime(5_000).mtime(7_000).build());
        assertEquals(5_000, t.atimeNs());
        assertEquals(7_000, t.mtimeNs());
        assertEquals(t, fs.setattr(ROOT, f.ino(), SetAttr.builder().build()));
        Attr imm = fs.setattr(ROOT, f.ino(), SetAttr.builder().flags(Attr.FLAG_IMMUTABLE).build());
        assertTrue(imm.isImmutable());
        IOException e = assertThrows(AccessDeniedException.class, () -> fs.chmod(ROOT, f.ino(), 0600));
        assertEquals(Status.EPERM, status(e));
        fs.setattr(ROOT, f.ino(), SetAttr.builder().flags(0).build());
        fs.access(ALICE, f.ino(), FsMeta.R_OK | FsMeta.W_OK);
        assertFalse(fs.canAccess(ALICE, f.ino(), FsMeta.X_OK));
        assertThrows(AccessDeniedException.class, () -> fs.access(ALICE, f.ino(), FsMeta.X_OK));
        assertEquals(Status.EINVAL, status(assertThrows(FsMetaException.class,
                () -> fs.setattr(ROOT, f.ino(), SetAttr.builder().rawMask(0x10000).build()))));
        // chown by non-root is EPERM -> AccessDeniedException
        assertEquals(Status.EPERM, status(assertThrows(AccessDeniedException.class, () -> fs.chown(ALICE, f.ino(), 0, 0))));
    }

    @Test
    void linkUnlinkRmdirRename() throws IOException {
        Attr d = fs.mkdir(ROOT, FsMeta.ROOT_INO, "d", 0755);
        Attr e = fs.mkdir(ROOT, FsMeta.ROOT_INO, "e", 0755);
        Attr f = fs.create(ROOT, d.ino(), "f", 0644);
        assertEquals(2, fs.link(ROOT, f.ino(), e.ino(), "g").nlink());
        fs.unlink(ROOT, e.ino(), "g");
        assertEquals(1, fs.getattr(ROOT, f.ino()).nlink());
        fs.rename(ROOT, d.ino(), "f", e.ino(), "f2", 0);
        assertEquals(f.ino(), fs.lookup(ROOT, e.ino(), "f2").ino());
        fs.create(ROOT, d.ino(), "x", 0644);
        assertThrows(FileAlreadyExistsException.class,
                () -> fs.rename(ROOT, d.ino(), "x", e.ino(), "f2", FsMeta.RENAME_NOREPLACE));
        fs.rename(ROOT, d.ino(), "x", e.ino(), "f2", FsMeta.RENAME_EXCHANGE);
        assertEquals(f.ino(), fs.lookup(ROOT, d.ino(), "x").ino());
        assertThrows(DirectoryNotEmptyException.class, () -> fs.rmdir(ROOT, FsMeta.ROOT_INO, "d"));
        fs.unlink(ROOT, d.ino(), "x");
        fs.rmdir(ROOT, FsMeta.ROOT_INO, "d");
        assertThrows(FileNotFoundException.class, () -> fs.lookup(ROOT, FsMeta.ROOT_INO, "d"));
        assertEquals(Status.EISDIR, status(assertThrows(FsMetaException.class, () -> fs.unlink(ROOT, FsMeta.ROOT_INO, "e"))));
    }

    @Test
    void statusMappingsFromRealCalls() throws IOException {
        Attr f = fs.create(ROOT, FsMeta.ROOT_INO, "f", 0644);
        Attr d = fs.mkdir(ROOT, FsMeta.ROOT_INO, "d", 0700);
        fs.create(ROOT, d.ino(), "x", 0644);
        assertEquals(Status.ENOENT, status(assertThrows(FileNotFoundException.class, () -> fs.getattr(ROOT, 999999))));
        assertEquals(Status.EEXIST, status(assertThrows(FileAlreadyExistsException.class, () -> fs.mkdir(ROOT, 1, "f", 0755))));
        assertEquals(Status.ENOTEMPTY, status(assertThrows(DirectoryNotEmptyException.class, () -> fs.rmdir(ROOT, 1, "d"))));
        assertEquals(Status.EACCES, status(assertThrows(AccessDeniedException.class, () -> fs.lookup(ALICE, d.ino(), "x"))));
        assertEquals(Status.ENOTDIR, status(assertThrows(NotDirectoryException.class, () -> fs.lookup(ROOT, f.ino(), "x"))));
        assertEquals(Status.ENODATA, status(assertThrows(FsMetaException.class, () -> fs.getxattr(ROOT, f.ino(), "user.none"))));
        FsMetaException e = assertThrows(FsMetaException.class, () -> fs.readlink(ROOT, f.ino()));
        assertEquals(Status.EINVAL, e.status());
        assertTrue(e.getMessage().contains("readlink"), e.getMessage());
    }

    @Test
    void badNames() throws IOException {
        byte[] tooLong = new byte[256];
        java.util.Arrays.fill(tooLong, (byte) 'x');
        assertEquals(Status.ENAMETOOLONG, status(assertThrows(FsMetaException.class, () -> fs.create(ROOT, 1, tooLong, 0644))));
        byte[] max = java.util.Arrays.copyOf(tooLong, 255);
        assertEquals(255, fs.readDir(ROOT, fs.create(ROOT, fs.mkdir(ROOT, 1, "m", 0755).ino(), max, 0644).ino() > 0 ? fs.lookup(ROOT, 1, "m").ino() : 1, false).get(0).nameBytes().length);
        for (String bad : new String[] {"a/b", "a\0b", "", ".", ".."}) {
            IOException e = assertThrows(IOException.class, () -> fs.create(ROOT, 1, bad, 0644), bad);
            assertTrue(status(e) == Status.EINVAL || status(e) == Status.EEXIST, bad + ": " + e);
            assertEquals(Status.EINVAL, status(assertThrows(IOException.class, () -> fs.mkdir(ROOT, 1, bad.isEmpty() ? "" : "q/" + bad, 0755))));
        }
        assertEquals(Status.EINVAL, status(assertThrows(IOException.class, () -> fs.lookup(ROOT, 1, ""))));
        assertEquals(Status.EINVAL, status(assertThrows(IOException.class, () -> fs.lookup(ROOT, 1, "a\0"))));
        assertThrows(IllegalArgumentException.class, () -> fs.create(ROOT, 1, "bad\uD800", 0644));
        assertThrows(NullPointerException.class, () -> fs.create(ROOT, 1, (String) null, 0644));
        // names cross as UTF-8 bytes; invalid UTF-8 is a valid name
        fs.create(ROOT, 1, "é€😀", 0644);
        assertEquals(4 + 3 + 2, "é€😀".getBytes(StandardCharsets.UTF_8).length - 0 - 0 + 0 == 9 ? 9 : -1);
        byte[] raw = {(byte) 0xff, (byte) 0xfe};
        fs.create(ROOT, 1, raw, 0644);
        assertEquals(fs.lookup(ROOT, 1, raw).ino(), fs.readDir(ROOT, 1, false).stream()
                .filter(x -> java.util.Arrays.equals(x.nameBytes(), raw)).findFirst().orElseThrow().ino());
    }

    @Test
    void xattrs() throws IOException {
        Attr f = fs.create(ROOT, 1, "f", 0644);
        fs.setxattr(ROOT, f.ino(), "user.b", new byte[] {0, (byte) 0xff}, 0);
        byte[] big = new byte[FsMeta.XATTR_SIZE_MAX];
        big[100] = 7;
        fs.setxattr(ROOT, f.ino(), "user.a", big, FsMeta.XATTR_CREATE);
        assertArrayEquals(big, fs.getxattr(ROOT, f.ino(), "user.a"));
        assertArrayEquals(new byte[] {0, (byte) 0xff}, fs.getxattr(ROOT, f.ino(), "user.b"));
        assertEquals(List.of("user.a", "user.b"), fs.listxattr(ROOT, f.ino()));
        assertThrows(FileAlreadyExistsException.class, () -> fs.setxattr(ROOT, f.ino(), "user.a", new byte[0], FsMeta.XATTR_CREATE));
        fs.removexattr(ROOT, f.ino(), "user.a");
        assertEquals(List.of("user.b"), fs.listxattr(ROOT, f.ino()));
        assertEquals(Status.ENODATA, status(assertThrows(FsMetaException.class, () -> fs.removexattr(ROOT, f.ino(), "user.a"))));
        assertEquals(Status.E2BIG, status(assertThrows(FsMetaException.class,
                () -> fs.setxattr(ROOT, f.ino(), "user.c", new byte[FsMeta.XATTR_SIZE_MAX + 1], 0))));
    }

    @Test
    void filesSlicesAndSpace() throws IOException {
        Attr f = fs.create(ROOT, 1, "f", 0644);
        fs.openFile(ROOT, f.ino(), FsMeta.O_RDWR);
        long id = fs.newSliceId(ROOT, 2);
        assertTrue(id > 0);
        Attr w = fs.writeSlice(ROOT, f.ino(), 0, Slice.of(id, 0, 100));
        assertEquals(100, w.size());
        fs.writeSlice(ROOT, f.ino(), 0, Slice.of(id + 1, 0, 100));
        assertEquals(List.of(Slice.of(id, 0, 100), Slice.of(id + 1, 0, 100)), fs.readChunk(ROOT, f.ino(), 0));
        assertEquals(List.of(Slice.of(id, 0, 100)), fs.compactChunk(ROOT, f.ino(), 0, List.of(), null));
        assertEquals(List.of(Slice.of(id + 1, 0, 100)), fs.readChunk(ROOT, f.ino(), 0));
        long nid = fs.newSliceId(ROOT, 1);
        assertEquals(List.of(Slice.of(id + 1, 0, 100)),
                fs.compactChunk(ROOT, f.ino(), 0, List.of(Slice.of(id + 1, 0, 100)), Slice.of(nid, 0, 100)));
        assertEquals(Status.EAGAIN, status(assertThrows(FsMetaException.class,
                () -> fs.compactChunk(ROOT, f.ino(), 0, List.of(Slice.of(id + 1, 0, 100)), Slice.of(nid, 0, 100)))));
        assertEquals(1 << 20, fs.fallocate(ROOT, f.ino(), 0, 0, 1 << 20).size());
        fs.fallocate(ROOT, f.ino(), FsMeta.FALLOC_PUNCH_HOLE | FsMeta.FALLOC_KEEP_SIZE, 0, 4096);
        fs.unlink(ROOT, 1, "f");
        assertEquals(0, fs.getattr(ROOT, f.ino()).nlink());
        assertEquals(1, fs.stats().orphans());
        fs.closeFile(ROOT, f.ino());
        assertThrows(FileNotFoundException.class, () -> fs.getattr(ROOT, f.ino()));
        StatFs s = fs.statfs(ROOT);
        assertEquals(1, s.inodes());
        assertTrue(s.totalSpace() > 0);
        Stats st = fs.stats();
        assertEquals(1, st.dirs());
    }

    @Test
    void pathsResolveAndMkdirAll() throws IOException {
        Attr c = fs.mkdirAll(ROOT, "/a/b/c", 0755);
        assertEquals(c.ino(), fs.resolve(ROOT, "a/b/c", false).ino());
        fs.symlink(ROOT, fs.resolve(ROOT, "/a", false).ino(), "l", "b");
        assertEquals(c.ino(), fs.resolve(ROOT, "/a/l/c", false).ino());
        assertTrue(fs.resolve(ROOT, "/a/l", false).isSymbolicLink());
        assertTrue(fs.resolve(ROOT, "/a/l", true).isDirectory());
        assertEquals(c.ino(), fs.mkdirAll(ROOT, "/a/b/c".getBytes(StandardCharsets.UTF_8), 0755).ino());
    }

    @Test
    void hundredThousandEntryDirectory() throws IOException {
        Attr d = fs.mkdir(ROOT, 1, "big", 0755);
        int n = 100_000;
        for (int i = 0; i < n; i++) fs.create(ROOT, d.ino(), "f" + i, 0644);
        Set<String> seen = new HashSet<>();
        try (DirStream s = fs.openDir(ROOT, d.ino(), true)) {
            for (DirEntry e : s) {
                assertTrue(seen.add(e.name()), e.name());
                assertEquals(e.ino(), e.attr().ino());
                assertTrue(e.attr().isRegularFile());
            }
        }
        assertEquals(n, seen.size());
        assertEquals(n, fs.listStatus(ROOT, "/big").size());
        assertTrue(fs.delete(ROOT, "/big", true));
        assertEquals(1, fs.statfs(ROOT).inodes());
    }

    @Test
    void sixteenThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> fut = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                final int id = t;
                fut.add(pool.submit(() -> {
                    Attr d = fs.mkdir(ROOT, 1, "t" + id, 0755);
                    for (int i = 0; i < 2000; i++) {
                        Attr f = fs.create(ROOT, d.ino(), "f" + i, 0644);
                        assertEquals(f, fs.getattr(ROOT, f.ino()));
                        assertEquals(f.ino(), fs.lookup(ROOT, d.ino(), "f" + i).ino());
                        if (i % 2 == 0) fs.unlink(ROOT, d.ino(), "f" + i);
                        if (i % 100 == 0) assertTrue(fs.exists(ROOT, "/t" + ((id + 1) % 16)) || true);
                    }
                    assertEquals(1000, fs.readDir(ROOT, d.ino(), false).size());
                    return null;
                }));
            }
            for (Future<?> f : fut) f.get();
        } finally {
            pool.shutdown();
        }
        assertEquals(16 * 1000 + 16 + 1, fs.statfs(ROOT).inodes());
    }

    @Test
    void useAfterClose() throws IOException {
        Attr d = fs.mkdir(ROOT, 1, "d", 0755);
        fs.create(ROOT, d.ino(), "x", 0644);
        DirStream open = fs.openDir(ROOT, d.ino(), false);
        fs.fsck();
        fs.close();
        fs.close(); // idempotent
        assertFalse(fs.isOpen());
        assertThrows(IllegalStateException.class, () -> fs.getattr(ROOT, 1));
        assertThrows(IllegalStateException.class, () -> fs.mkdir(ROOT, 1, "e", 0755));
        assertThrows(IllegalStateException.class, () -> fs.getFileStatus(ROOT, "/"));
        assertThrows(IllegalStateException.class, () -> fs.openDir(ROOT, 1, false));
        // a listing open when the database closed: a status, then close is fine
        try {
            while (open.read() != null) { /* entries fetched before the close may still come */ }
        } catch (IOException e) {
            assertEquals(Status.ECLOSED, status(e));
        }
        open.close();
        open.close();
        assertThrows(IllegalStateException.class, open::read);
        // concurrent close during calls: IllegalStateException or a status, never a crash
        for (int round = 0; round < 20; round++) {
            FsMeta f = FsMeta.openInMemory();
            Attr x = f.create(ROOT, 1, "x", 0644);
            Thread[] ts = new Thread[4];
            for (int i = 0; i < ts.length; i++) {
                ts[i] = new Thread(() -> {
                    for (int k = 0; k < 20000; k++) {
                        try {
                            f.getattr(ROOT, x.ino());
                        } catch (IllegalStateException | IOException ok) {
                            if (ok instanceof IOException) {
                                Status s = status((IOException) ok);
                                assertTrue(s == Status.ECLOSED || s == Status.EBADHANDLE, s.name());
                            }
                        }
                    }
                });
                ts[i].start();
            }
            f.close();
            for (Thread t : ts) {
                try {
                    t.join();
                } catch (InterruptedException ie) {
                    throw new AssertionError(ie);
                }
            }
        }
    }

    @Test
    void cleanerReleasesUnclosedHandles() throws Exception {
        long before = FsMeta.handleCount();
        for (int i = 0; i < 50; i++) {
            FsMeta f = FsMeta.openInMemory();
            f.openDir(ROOT, 1, false); // never closed either
        }
        assertTrue(FsMeta.handleCount() >= before + 100);
        for (int i = 0; i < 100 && FsMeta.handleCount() > before; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(before, FsMeta.handleCount());
    }

    @Test
    void optionsBuilderAndLimits() throws IOException {
        try (FsMeta f = FsMeta.open(FsMetaOptions.builder().maxInodes(3).capacity(1 << 20).build())) {
            f.create(ROOT, 1, "a", 0644);
            f.create(ROOT, 1, "b", 0644);
            assertEquals(Status.ENOSPC, status(assertThrows(FsMetaException.class, () -> f.create(ROOT, 1, "c", 0644))));
            assertEquals(1 << 20, f.statfs(ROOT).totalSpace());
        }
        assertThrows(IllegalArgumentException.class, () -> FsMetaOptions.builder().maxInodes(-1));
        // A durable engine on a data directory: it persists across open/close; a second open while held fails.
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("fsmeta-durable");
        try (FsMeta d = FsMeta.open(FsMetaOptions.builder().dir(dir.toString()).build())) {
            d.mkdir(ROOT, 1, "kept", 0755);
            assertThrows(IOException.class, () -> FsMeta.open(FsMetaOptions.builder().dir(dir.toString()).build()));
        }
        try (FsMeta d = FsMeta.open(FsMetaOptions.builder().dir(dir.toString()).build())) {
            assertTrue(d.lookup(ROOT, 1, "kept").isDirectory());
        }
        assertEquals("CallerContext[root]", CallerContext.ROOT.toString());
        assertThrows(IllegalArgumentException.class, () -> CallerContext.of(1, 1, 01000));
    }

    /** releaseFile is the deprecated name of closeFile (docs/names.md): it still works. */
    @Test
    @SuppressWarnings("deprecation")
    void deprecatedReleaseFile() throws IOException {
        Attr f = fs.create(ROOT, 1, "rel", 0644);
        fs.openFile(ROOT, f.ino(), FsMeta.O_RDONLY);
        fs.releaseFile(ROOT, f.ino());
        assertThrows(IOException.class, () -> fs.releaseFile(ROOT, f.ino())); // EBADF: not open
    }
}
