package io.fsmeta;

import static org.junit.jupiter.api.Assertions.*;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** FsMeta.link(ctx, path, newPath): the path form of link (fsmeta_path_link). */
class PathLinkTest {
    static final CallerContext ROOT = CallerContext.ROOT;
    static final CallerContext ALICE = CallerContext.of(1000, 1000, 022);

    static Status status(IOException e) {
        return FsMetaException.statusOf(e);
    }

    @Test
    void linkByPath() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            fs.mkdirs(ROOT, "/a/b", 0755);
            long ino = fs.createFile(ROOT, "/a/b/f", 0644).attr().ino();
            FileStatus st = fs.link(ROOT, "/a/b/f", "/a/g");
            assertEquals("/a/g", st.path());
            assertEquals(ino, st.attr().ino());
            assertEquals(2, st.attr().nlink());
            assertEquals(ino, fs.getFileStatus(ROOT, "/a/g").attr().ino());
            FileStatus p = fs.link(ROOT, Path.of("/a/g"), Path.of("a/h")); // relative: from the root too
            assertEquals(3, p.attr().nlink());
            // a final symlink is linked itself, not followed
            fs.createSymlink(ROOT, "/a/b/f", "/a/s", false);
            FileStatus l = fs.link(ROOT, "/a/s", "/a/s2");
            assertTrue(l.isSymlink());
            assertEquals("/a/b/f", fs.getLinkTarget(ROOT, "/a/s2"));
            // symlinks on the way are followed
            fs.createSymlink(ROOT, "/a/b", "/sb", false);
            assertEquals(ino, fs.link(ROOT, "/sb/f", "/sb/f2").attr().ino());
            assertEquals(ino, fs.getFileStatus(ROOT, "/a/b/f2").attr().ino());
            fs.fsck();
        }
    }

    @Test
    void linkByPathFailures() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            fs.mkdirs(ROOT, "/d", 0755);
            fs.createFile(ROOT, "/f", 0644);
            assertThrows(FileNotFoundException.class, () -> fs.link(ROOT, "/missing", "/x"));
            assertThrows(FileNotFoundException.class, () -> fs.link(ROOT, "/f", "/missing/x"));
            assertThrows(FileNotFoundException.class, () -> fs.link(ROOT, "", "/x"));
            assertThrows(FileAlreadyExistsException.class, () -> fs.link(ROOT, "/f", "/d"));
            assertThrows(NotDirectoryException.class, () -> fs.link(ROOT, "/f", "/f/x"));
            assertEquals(Status.EPERM, status(assertThrows(AccessDeniedException.class, () -> fs.link(ROOT, "/d", "/d2"))));
            assertEquals(Status.EACCES, status(assertThrows(AccessDeniedException.class, () -> fs.link(ALICE, "/f", "/g"))));
            assertThrows(NullPointerException.class, () -> fs.link(ROOT, (String) null, "/x"));
            assertThrows(NullPointerException.class, () -> fs.link(ROOT, "/f", (String) null));
            assertThrows(IllegalArgumentException.class, () -> fs.link(ROOT, "/f", "/bad\uD800"));
            fs.close();
            assertThrows(IllegalStateException.class, () -> fs.link(ROOT, "/f", "/g"));
        }
    }
}
