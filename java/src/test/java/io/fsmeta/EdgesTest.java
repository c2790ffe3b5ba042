package io.fsmeta;

import static org.junit.jupiter.api.Assertions.*;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Edges found by using the Java API from outside (issue #19), one test (or more) per defect. */
class EdgesTest {
    static final CallerContext ROOT = CallerContext.ROOT;

    /** Defect 1: the opens of a closed durable engine are released by the next open. */
    @Test
    void staleOpensReleasedOnOpen(@TempDir Path tmp) throws IOException {
        FsMetaOptions opts = FsMetaOptions.builder().dir(tmp.resolve("db").toString()).build();
        long orphan, kept;
        try (FsMeta fs = FsMeta.open(opts)) {
            Attr data = fs.mkdirAll(ROOT, "/data", 0755);
            orphan = fs.create(ROOT, data.ino(), "orphan", 0644).ino();
            kept = fs.create(ROOT, data.ino(), "kept", 0644).ino();
            fs.openFile(ROOT, orphan, FsMeta.O_RDONLY);
            fs.openFile(ROOT, kept, FsMeta.O_RDWR);
            fs.unlink(ROOT, data.ino(), "orphan");
            Stats st = fs.stats();
            assertEquals(1, st.orphans());
            assertEquals(2, st.openFiles());
        }
        try (FsMeta fs = FsMeta.open(opts)) {
            Stats st = fs.stats();
            assertEquals(0, st.orphans());
            assertEquals(0, st.openFiles());
            final long o = orphan;
            assertThrows(FileNotFoundException.class, () -> fs.getattr(ROOT, o));
            assertEquals(1, fs.getattr(ROOT, kept).nlink());
            IOException e = assertThrows(IOException.class, () -> fs.closeFile(ROOT, kept));
            assertEquals(Status.EBADF, FsMetaException.statusOf(e));
            fs.fsck();
        }
    }

    /** Defect 2: a NUL inside a path is refused (EINVAL), not looked up. */
    @Test
    void nulInPathIsEinval() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            fs.mkdirAll(ROOT, "/d", 0755);
            for (String p : new String[] {"/d\0x", "/missing/a\0b", "\0"}) {
                assertEquals(Status.EINVAL, FsMetaException.statusOf(
                        assertThrows(IOException.class, () -> fs.resolve(ROOT, p, false))), p);
                assertEquals(Status.EINVAL, FsMetaException.statusOf(
                        assertThrows(IOException.class, () -> fs.resolve(ROOT, p.getBytes(StandardCharsets.UTF_8), true))), p);
                assertEquals(Status.EINVAL, FsMetaException.statusOf(
                        assertThrows(IOException.class, () -> fs.getFileStatus(ROOT, p))), p);
                assertEquals(Status.EINVAL, FsMetaException.statusOf(
                        assertThrows(IOException.class, () -> fs.getFileLinkStatus(ROOT, p))), p);
                assertEquals(Status.EINVAL, FsMetaException.statusOf(
                        assertThrows(IOException.class, () -> fs.exists(ROOT, p))), p);
                assertEquals(Status.EINVAL, FsMetaException.statusOf(
                        assertThrows(IOException.class, () -> fs.mkdirs(ROOT, p, 0755))), p);
            }
            assertEquals(Status.EINVAL, FsMetaException.statusOf(
                    assertThrows(IOException.class, () -> fs.createFile(ROOT, "/d/a\0b", 0644))));
        }
    }

    /** Defect 7: the empty path names nothing (ENOENT, as stat("") on Linux), it is not the root. */
    @Test
    void emptyPathIsEnoent() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            fs.mkdirAll(ROOT, "/d", 0755);
            assertThrows(FileNotFoundException.class, () -> fs.resolve(ROOT, "", false));
            assertThrows(FileNotFoundException.class, () -> fs.resolve(ROOT, new byte[0], true));
            assertThrows(FileNotFoundException.class, () -> fs.getFileStatus(ROOT, ""));
            assertThrows(FileNotFoundException.class, () -> fs.getFileLinkStatus(ROOT, ""));
            assertThrows(FileNotFoundException.class, () -> fs.listStatus(ROOT, ""));
            assertThrows(FileNotFoundException.class, () -> fs.mkdirAll(ROOT, "", 0755));
            assertThrows(FileNotFoundException.class, () -> fs.mkdirs(ROOT, "", 0755));
            assertThrows(FileNotFoundException.class, () -> fs.createFile(ROOT, "", 0644));
            assertThrows(FileNotFoundException.class, () -> fs.rename(ROOT, "", "/e"));
            assertThrows(FileNotFoundException.class, () -> fs.rename(ROOT, "/d", ""));
            assertThrows(FileNotFoundException.class, () -> fs.setPermission(ROOT, "", 0700));
            assertFalse(fs.exists(ROOT, ""));
            assertFalse(fs.delete(ROOT, "", true));
            assertEquals(FsMeta.ROOT_INO, fs.getFileStatus(ROOT, "/").attr().ino());
            assertTrue(fs.exists(ROOT, "/d"));
        }
    }

    /**
     * Defect 3: once the database is closed, the next {@link DirStream#read()} fails with ECLOSED, whatever the
     * stream had fetched, and also after the end of the listing.
     */
    @Test
    void listingAfterCloseFails() throws IOException {
        for (int files : new int[] {0, 3, 5000}) {
            for (boolean atEnd : new boolean[] {false, true}) {
                FsMeta fs = FsMeta.openInMemory();
                for (int i = 0; i < files; i++) fs.create(ROOT, FsMeta.ROOT_INO, "f" + i, 0644);
                DirStream d = fs.openDir(ROOT, FsMeta.ROOT_INO, true);
                int n = 0;
                if (files > 0) {
                    assertNotNull(d.read());
                    n++;
                }
                if (atEnd) {
                    while (d.read() != null) n++;
                    assertEquals(files, n);
                    assertNull(d.read());
                }
                fs.close();
                for (int k = 0; k < 2; k++) {
                    IOException e = assertThrows(IOException.class, d::read, files + " files, at the end " + atEnd);
                    assertEquals(Status.ECLOSED, FsMetaException.statusOf(e));
                }
                d.close();
            }
        }
    }

    /** Defect 9: getattrInto's buffer layout has a public home, io.fsmeta.AttrLayout. */
    @Test
    void attrLayoutIsPublic() throws Exception {
        Class<?> c = AttrLayout.class;
        assertTrue(java.lang.reflect.Modifier.isPublic(c.getModifiers()));
        assertEquals("io.fsmeta", c.getPackageName());
        assertEquals(io.fsmeta.internal.Native.ATTR_LONGS, AttrLayout.LONGS);
        try (FsMeta fs = FsMeta.openInMemory()) {
            Attr f = fs.create(ROOT, FsMeta.ROOT_INO, "f", 0640);
            fs.truncate(ROOT, f.ino(), 12345);
            Attr want = fs.getattr(ROOT, f.ino());
            long[] buf = AttrLayout.newBuffer();
            assertEquals(AttrLayout.LONGS, buf.length);
            fs.getattrInto(ROOT, f.ino(), buf);
            assertEquals(want, AttrLayout.toAttr(buf));
            assertEquals(f.ino(), buf[AttrLayout.INO]);
            assertEquals(Attr.S_IFREG | 0640, (int) buf[AttrLayout.MODE]);
            assertEquals(1, buf[AttrLayout.NLINK]);
            assertEquals(0, buf[AttrLayout.UID]);
            assertEquals(0, buf[AttrLayout.GID]);
            assertEquals(0, buf[AttrLayout.RDEV]);
            assertEquals(0, buf[AttrLayout.FLAGS]);
            assertEquals(12345, buf[AttrLayout.SIZE]);
            assertEquals(want.blocks(), buf[AttrLayout.BLOCKS]);
            assertEquals(want.atimeNs(), buf[AttrLayout.ATIME_NS]);
            assertEquals(want.mtimeNs(), buf[AttrLayout.MTIME_NS]);
            assertEquals(want.ctimeNs(), buf[AttrLayout.CTIME_NS]);
            assertThrows(IllegalArgumentException.class, () -> fs.getattrInto(ROOT, f.ino(), new long[AttrLayout.LONGS - 1]));
            assertThrows(IllegalArgumentException.class, () -> AttrLayout.toAttr(new long[1]));
        }
    }
}
