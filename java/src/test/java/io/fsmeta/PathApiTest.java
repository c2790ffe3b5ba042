package io.fsmeta;

import static org.junit.jupiter.api.Assertions.*;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The Hadoop-shaped path API. */
class PathApiTest {
    static final CallerContext ROOT = CallerContext.ROOT;

    @Test
    void hadoopShapedOperations() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            assertTrue(fs.mkdirs(ROOT, "/user/alice/data", 0755));
            assertTrue(fs.mkdirs(ROOT, "/user/alice/data", 0755));
            fs.createFile(ROOT, "/user/alice/data/part-0", 0644);
            fs.createFile(ROOT, "/user/alice/data/part-1", 0644);
            assertThrows(FileAlreadyExistsException.class, () -> fs.createFile(ROOT, "/user/alice/data/part-0", 0644));
            assertThrows(FileAlreadyExistsException.class, () -> fs.mkdirs(ROOT, "/user/alice/data/part-0", 0755));
            FileStatus st = fs.getFileStatus(ROOT, "/user/alice/data");
            assertTrue(st.isDirectory());
            assertEquals("data", st.name());
            assertThrows(FileNotFoundException.class, () -> fs.getFileStatus(ROOT, "/nope"));
            assertThrows(FileNotFoundException.class, () -> fs.listStatus(ROOT, "/nope"));
            Set<String> names = fs.listStatus(ROOT, "/user/alice/data").stream().map(FileStatus::path).collect(Collectors.toSet());
            assertEquals(Set.of("/user/alice/data/part-0", "/user/alice/data/part-1"), names);
            List<FileStatus> self = fs.listStatus(ROOT, "/user/alice/data/part-0");
            assertEquals(1, self.size());
            assertTrue(self.get(0).isFile());
            // rename: into an existing directory, or to a new name; never replaces
            fs.mkdirs(ROOT, "/out", 0755);
            assertTrue(fs.rename(ROOT, "/user/alice/data/part-0", "/out"));
            assertTrue(fs.exists(ROOT, "/out/part-0"));
            assertTrue(fs.rename(ROOT, "/out/part-0", "/out/p0"));
            fs.createFile(ROOT, "/out/p1", 0644);
            assertThrows(FileAlreadyExistsException.class, () -> fs.rename(ROOT, "/out/p1", "/out/p0"));
            assertThrows(FileNotFoundException.class, () -> fs.rename(ROOT, "/out/none", "/out/x"));
            // permissions, owner, times
            fs.setPermission(ROOT, "/out/p0", 0600);
            assertEquals(0600, fs.getFileStatus(ROOT, "/out/p0").permission());
            fs.setOwner(ROOT, "/out/p0", 1000, null);
            assertEquals(1000, fs.getFileStatus(ROOT, "/out/p0").owner());
            assertEquals(0, fs.getFileStatus(ROOT, "/out/p0").group());
            fs.setTimes(ROOT, "/out/p0", 1_700_000_000_123L, -1);
            assertEquals(1_700_000_000_123L, fs.getFileStatus(ROOT, "/out/p0").modificationTime());
            CallerContext bob = CallerContext.of(2000, 2000, 022);
            assertThrows(AccessDeniedException.class, () -> fs.setPermission(bob, "/out/p0", 0777));
            assertThrows(AccessDeniedException.class, () -> fs.createFile(bob, "/out/bob", 0644));
            // xattrs
            fs.setXAttr(ROOT, "/out/p0", "user.a", new byte[] {1}, 0);
            fs.setXAttr(ROOT, "/out/p0", "user.b", new byte[] {2}, 0);
            assertEquals(List.of("user.a", "user.b"), fs.listXAttrs(ROOT, "/out/p0"));
            assertArrayEquals(new byte[] {2}, fs.getXAttr(ROOT, "/out/p0", "user.b"));
            assertEquals(Set.of("user.a", "user.b"), fs.getXAttrs(ROOT, "/out/p0").keySet());
            fs.removeXAttr(ROOT, "/out/p0", "user.a");
            assertEquals(List.of("user.b"), fs.listXAttrs(ROOT, "/out/p0"));
            // delete
            assertFalse(fs.delete(ROOT, "/nope", true));
            assertFalse(fs.delete(ROOT, "/nope/deeper", false));
            assertThrows(DirectoryNotEmptyException.class, () -> fs.delete(ROOT, "/user", false));
            assertTrue(fs.delete(ROOT, "/user", true));
            assertFalse(fs.exists(ROOT, "/user"));
            assertTrue(fs.delete(ROOT, "/out/p0", false));
            assertFalse(fs.delete(ROOT, "/", true));
            fs.fsck();
        }
    }
}
