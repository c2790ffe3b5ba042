package io.fsmeta;

import static org.junit.jupiter.api.Assertions.*;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The path API's forms added for issue 19: java.nio.file.Path overloads, rename with OVERWRITE, listStatusIterator
 * and listFiles (read as they go), createSymlink, getLinkTarget, truncate and access by path, with their errors.
 */
class PathFormsTest {
    static final CallerContext ROOT = CallerContext.ROOT;
    static final CallerContext BOB = CallerContext.of(2000, 2000, 022);

    static Status status(Executable e) {
        IOException x = assertThrows(IOException.class, e);
        return FsMetaException.statusOf(x);
    }

    static <E> List<E> drain(RemoteIterator<E> it) throws IOException {
        List<E> out = new ArrayList<>();
        try (it) {
            while (it.hasNext()) out.add(it.next());
        }
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
        return out;
    }

    static Set<String> paths(List<FileStatus> l) {
        Set<String> out = new HashSet<>();
        for (FileStatus s : l) assertTrue(out.add(s.path()), "listed twice: " + s.path());
        return out;
    }

    // ---- java.nio.file.Path wherever a String path is ----

    @Test
    void nioPathOverloads() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            Path dir = Path.of("/user/alice");
            assertTrue(fs.mkdirs(ROOT, dir, 0755));
            Path f = dir.resolve("part-0");
            assertEquals("/user/alice/part-0", fs.createFile(ROOT, f, 0644).path());
            assertTrue(fs.exists(ROOT, f));
            assertTrue(fs.getFileStatus(ROOT, f).isFile());
            assertEquals(fs.getFileStatus(ROOT, f).attr().ino(), fs.resolve(ROOT, f, true).ino());
            assertEquals(Set.of("/user/alice/part-0"), paths(fs.listStatus(ROOT, dir)));
            // a relative Path is from the root, as a relative String; "." and ".." components are the engine's
            assertTrue(fs.exists(ROOT, Path.of("user/alice/part-0")));
            assertTrue(fs.exists(ROOT, Path.of("/user/./alice/../alice/part-0")));
            assertEquals(fs.resolve(ROOT, "/user", true).ino(), fs.mkdirAll(ROOT, Path.of("/user"), 0755).ino());
            // the empty Path names nothing; a null Path is a programming error
            assertThrows(FileNotFoundException.class, () -> fs.getFileStatus(ROOT, Path.of("")));
            assertFalse(fs.exists(ROOT, Path.of("")));
            assertThrows(NullPointerException.class, () -> fs.getFileStatus(ROOT, (Path) null));
            assertThrows(FileNotFoundException.class, () -> fs.getFileStatus(ROOT, dir.resolve("none")));
            // attributes and xattrs
            fs.setPermission(ROOT, f, 0600);
            fs.setOwner(ROOT, f, 1000, 1000);
            fs.setTimes(ROOT, f, 1_700_000_000_000L, -1);
            FileStatus st = fs.getFileLinkStatus(ROOT, f);
            assertEquals(0600, st.permission());
            assertEquals(1000, st.owner());
            assertEquals(1_700_000_000_000L, st.modificationTime());
            fs.setXAttr(ROOT, f, "user.k", new byte[] {7}, 0);
            assertEquals(List.of("user.k"), fs.listXAttrs(ROOT, f));
            assertArrayEquals(new byte[] {7}, fs.getXAttr(ROOT, f, "user.k"));
            assertEquals(Set.of("user.k"), fs.getXAttrs(ROOT, f).keySet());
            fs.removeXAttr(ROOT, f, "user.k");
            assertEquals(Status.ENODATA, status(() -> fs.removeXAttr(ROOT, f, "user.k")));
            // rename and delete
            assertTrue(fs.rename(ROOT, f, Path.of("/user/p0")));
            assertThrows(FileNotFoundException.class, () -> fs.rename(ROOT, f, Path.of("/user/p1")));
            assertTrue(fs.delete(ROOT, Path.of("/user/p0"), false));
            assertFalse(fs.delete(ROOT, Path.of("/user/p0"), false));
            assertThrows(DirectoryNotEmptyException.class, () -> fs.delete(ROOT, Path.of("/user"), false));
            assertTrue(fs.delete(ROOT, Path.of("/user"), true));
            fs.fsck();
        }
    }

    @Test
    void pathOfAnotherFileSystem(@TempDir Path tmp) throws IOException {
        // a Path names the engine's file by its name elements, whatever file system it comes from
        try (FileSystem zip = FileSystems.newFileSystem(tmp.resolve("x.zip"), Map.of("create", "true"));
                FsMeta fs = FsMeta.openInMemory()) {
            fs.mkdirs(ROOT, zip.getPath("/z", "y"), 0755);
            assertTrue(fs.getFileStatus(ROOT, "/z/y").isDirectory());
            assertTrue(fs.exists(ROOT, zip.getPath("z/y")));
            // but a durable engine's data directory is the host's
            assertThrows(IllegalArgumentException.class, () -> FsMetaOptions.builder().dir(zip.getPath("/db")));
        }
    }

    @Test
    void durableDirAsPath(@TempDir Path tmp) throws IOException {
        Path db = tmp.resolve("db");
        try (FsMeta fs = FsMeta.open(FsMetaOptions.builder().dir(db).build())) {
            fs.createFile(ROOT, Path.of("/kept"), 0644);
        }
        FsMetaOptions opts = FsMetaOptions.builder().dir(db).build();
        assertEquals(db.toString(), opts.dir());
        assertFalse(opts.inMemory());
        try (FsMeta fs = FsMeta.open(opts)) {
            assertTrue(fs.exists(ROOT, Path.of("/kept")));
        }
        assertThrows(IllegalArgumentException.class, () -> FsMetaOptions.builder().dir(Path.of("")));
        assertThrows(NullPointerException.class, () -> FsMetaOptions.builder().dir((Path) null));
    }

    // ---- rename that replaces ----

    @Test
    void renameOverwriteReplacesAtomically() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            fs.mkdirs(ROOT, "/d", 0755);
            long src = fs.createFile(ROOT, "/d/new", 0644).attr().ino();
            fs.createFile(ROOT, "/d/old", 0644);
            // without OVERWRITE (none given, or NONE) an existing target is refused, and both stay
            assertThrows(FileAlreadyExistsException.class, () -> fs.rename(ROOT, "/d/new", "/d/old", new RenameOption[0]));
            assertThrows(FileAlreadyExistsException.class, () -> fs.rename(ROOT, "/d/new", "/d/old", RenameOption.NONE));
            // the three-argument form is Hadoop's rename: it still refuses
            assertThrows(FileAlreadyExistsException.class, () -> fs.rename(ROOT, "/d/new", "/d/old"));
            assertTrue(fs.exists(ROOT, "/d/new"));
            fs.rename(ROOT, "/d/new", "/d/old", RenameOption.OVERWRITE);
            assertFalse(fs.exists(ROOT, "/d/new"));
            assertEquals(src, fs.getFileStatus(ROOT, "/d/old").attr().ino());
            // to a new name, with or without the option
            fs.rename(ROOT, "/d/old", "/d/x", RenameOption.OVERWRITE);
            fs.rename(ROOT, "/d/x", "/d/y");
            assertEquals(src, fs.getFileStatus(ROOT, "/d/y").attr().ino());
            // a symlink target is replaced, not followed
            fs.createFile(ROOT, "/d/kept", 0644);
            fs.createSymlink(ROOT, "/d/kept", "/d/link", false);
            fs.rename(ROOT, "/d/y", "/d/link", RenameOption.OVERWRITE);
            assertTrue(fs.getFileLinkStatus(ROOT, "/d/link").isFile());
            assertTrue(fs.exists(ROOT, "/d/kept"));
            // an existing directory is the target, not a place to move into
            fs.mkdirs(ROOT, "/a/src/sub", 0755);
            fs.mkdirs(ROOT, "/a/empty", 0755);
            assertThrows(FileAlreadyExistsException.class, () -> fs.rename(ROOT, "/a/src", "/a/empty", RenameOption.NONE));
            fs.rename(ROOT, "/a/src", "/a/empty", RenameOption.OVERWRITE);
            assertTrue(fs.exists(ROOT, "/a/empty/sub"));
            assertFalse(fs.exists(ROOT, "/a/src"));
            assertFalse(fs.exists(ROOT, "/a/empty/src"));
            fs.fsck();
        }
    }

    @Test
    void renameOverwriteErrors() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            fs.mkdirs(ROOT, "/d/full/x", 0755);
            fs.mkdirs(ROOT, "/d/dir", 0755);
            fs.mkdirs(ROOT, "/d/empty", 0755);
            fs.createFile(ROOT, "/d/f", 0644);
            fs.createFile(ROOT, "/d/g", 0644);
            RenameOption o = RenameOption.OVERWRITE;
            assertThrows(DirectoryNotEmptyException.class, () -> fs.rename(ROOT, "/d/dir", "/d/full", o));
            assertEquals(Status.EISDIR, status(() -> fs.rename(ROOT, "/d/f", "/d/empty", o)));
            assertThrows(NotDirectoryException.class, () -> fs.rename(ROOT, "/d/dir", "/d/f", o));
            // the same path: Hadoop's FileAlreadyExistsException (a missing one: not found)
            assertThrows(FileAlreadyExistsException.class, () -> fs.rename(ROOT, "/d/f", "/d/f", o));
            assertThrows(FileAlreadyExistsException.class, () -> fs.rename(ROOT, "/d/f", "/d//f/", o));
            assertThrows(FileNotFoundException.class, () -> fs.rename(ROOT, "/d/none", "/d/none", o));
            // missing source, missing destination parent, parent not a directory
            assertThrows(FileNotFoundException.class, () -> fs.rename(ROOT, "/d/none", "/d/z", o));
            assertThrows(FileNotFoundException.class, () -> fs.rename(ROOT, "/d/f", "/none/z", o));
            assertThrows(NotDirectoryException.class, () -> fs.rename(ROOT, "/d/f", "/d/g/z", o));
            assertThrows(NotDirectoryException.class, () -> fs.rename(ROOT, "/d/g/z", "/d/h", o));
            // the root, into itself, the empty path
            assertEquals(Status.EBUSY, status(() -> fs.rename(ROOT, "/", "/d/r", o)));
            assertEquals(Status.EBUSY, status(() -> fs.rename(ROOT, "/d/f", "/", o)));
            assertThrows(FileAlreadyExistsException.class, () -> fs.rename(ROOT, "/d/f", "/", RenameOption.NONE));
            assertEquals(Status.EINVAL, status(() -> fs.rename(ROOT, "/d", "/d/dir/d", o)));
            assertThrows(FileNotFoundException.class, () -> fs.rename(ROOT, "", "/d/z", o));
            assertThrows(FileNotFoundException.class, () -> fs.rename(ROOT, "/d/f", "", o));
            // permissions: bob may not write /d
            assertThrows(AccessDeniedException.class, () -> fs.rename(BOB, "/d/f", "/d/g", o));
            // arguments
            assertThrows(NullPointerException.class, () -> fs.rename(ROOT, "/d/f", "/d/g", (RenameOption[]) null));
            assertThrows(NullPointerException.class, () -> fs.rename(ROOT, "/d/f", "/d/g", (RenameOption) null));
            assertThrows(NullPointerException.class, () -> fs.rename(ROOT, (String) null, "/d/g", o));
            // nothing moved by any of these
            assertTrue(fs.exists(ROOT, "/d/f") && fs.exists(ROOT, "/d/g") && fs.exists(ROOT, "/d/full/x"));
            // two hard links of one file: nothing is done, both stay (rename(2))
            fs.link(ROOT, fs.resolve(ROOT, "/d/f", false).ino(), fs.resolve(ROOT, "/d", true).ino(), "f2");
            fs.rename(ROOT, "/d/f", "/d/f2", o);
            assertTrue(fs.exists(ROOT, "/d/f") && fs.exists(ROOT, "/d/f2"));
            assertThrows(FileAlreadyExistsException.class, () -> fs.rename(ROOT, "/d/f", "/d/f2", RenameOption.NONE));
            assertTrue(fs.delete(ROOT, "/d/f2", false));
            // Path form
            fs.rename(ROOT, Path.of("/d/f"), Path.of("/d/g"), o);
            assertFalse(fs.exists(ROOT, "/d/f"));
            assertTrue(fs.rename(ROOT, Path.of("/d/g"), Path.of("/d/dir"))); // Hadoop's: into the directory
            assertTrue(fs.exists(ROOT, "/d/dir/g"));
            fs.createFile(ROOT, "/d/h", 0644);
            assertThrows(FileAlreadyExistsException.class, () -> fs.rename(ROOT, Path.of("/d/dir/g"), Path.of("/d/h")));
            assertThrows(FileAlreadyExistsException.class, () -> fs.rename(ROOT, Path.of("/d/dir/g"), Path.of("/d/h"), RenameOption.NONE));
            fs.fsck();
        }
    }

    // ---- listings read as they go ----

    @Test
    void listStatusIteratorPagesThroughTheCursor() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            long dir = fs.mkdirs(ROOT, "/big", 0755) ? fs.resolve(ROOT, "/big", true).ino() : 0;
            int n = 3000; // several pages of the native cursor
            Set<String> want = new HashSet<>();
            for (int i = 0; i < n; i++) {
                fs.create(ROOT, dir, "f" + i, 0644);
                want.add("/big/f" + i);
            }
            long before = FsMeta.handleCount();
            RemoteIterator<FileStatus> it = fs.listStatusIterator(ROOT, "/big");
            assertEquals(before + 1, FsMeta.handleCount()); // one native listing, open as it goes
            List<FileStatus> got = drain(it);
            assertEquals(before, FsMeta.handleCount()); // released at the end
            assertEquals(want, paths(got));
            for (FileStatus s : got) assertTrue(s.isFile());

            // an entry that exists during the whole iteration is returned exactly once, also while the directory
            // changes under the iterator; entries created meanwhile may or may not be
            Set<String> seen = new HashSet<>();
            try (RemoteIterator<FileStatus> it2 = fs.listStatusIterator(ROOT, Path.of("/big"))) {
                for (int i = 0; it2.hasNext(); i++) {
                    assertTrue(seen.add(it2.next().path()));
                    if (i < 500) fs.create(ROOT, dir, "g" + i, 0644);
                }
            }
            assertTrue(seen.containsAll(want));

            // closed early: released, then empty
            RemoteIterator<FileStatus> it3 = fs.listStatusIterator(ROOT, "/big");
            assertTrue(it3.hasNext());
            it3.next();
            it3.close();
            it3.close();
            assertEquals(before, FsMeta.handleCount());
            assertFalse(it3.hasNext());
        }
    }

    @Test
    void listStatusIteratorCases() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            fs.mkdirs(ROOT, "/d/sub", 0755);
            fs.createFile(ROOT, "/d/f", 0644);
            fs.createSymlink(ROOT, "/d", "/d/l", false);
            List<FileStatus> l = drain(fs.listStatusIterator(ROOT, "/d"));
            assertEquals(Set.of("/d/sub", "/d/f", "/d/l"), paths(l));
            for (FileStatus s : l) {
                if (s.name().equals("l")) assertTrue(s.isSymlink()); // the entry's own status
            }
            // a symlink given is followed; the paths are under the path given
            assertEquals(Set.of("/d/l/sub", "/d/l/f", "/d/l/l"), paths(drain(fs.listStatusIterator(ROOT, "/d/l"))));
            // an empty directory; a file is its own status; the root
            assertEquals(List.of(), drain(fs.listStatusIterator(ROOT, "/d/sub")));
            List<FileStatus> one = drain(fs.listStatusIterator(ROOT, "/d/f"));
            assertEquals(1, one.size());
            assertEquals("/d/f", one.get(0).path());
            assertEquals(Set.of("/d"), paths(drain(fs.listStatusIterator(ROOT, "/"))));
            // errors at the call
            long before = FsMeta.handleCount();
            FileNotFoundException nf = assertThrows(FileNotFoundException.class, () -> fs.listStatusIterator(ROOT, "/none"));
            assertTrue(nf.getMessage().contains("listStatusIterator /none"), nf.getMessage());
            assertThrows(FileNotFoundException.class, () -> fs.listStatusIterator(ROOT, ""));
            assertThrows(NotDirectoryException.class, () -> fs.listStatusIterator(ROOT, "/d/f/x"));
            fs.setPermission(ROOT, "/d/sub", 0700);
            assertThrows(AccessDeniedException.class, () -> fs.listStatusIterator(BOB, "/d/sub"));
            fs.setPermission(ROOT, "/d", 0700);
            assertThrows(AccessDeniedException.class, () -> fs.listStatusIterator(BOB, "/d/sub"));
            assertThrows(NullPointerException.class, () -> fs.listStatusIterator(ROOT, (String) null));
            assertEquals(before, FsMeta.handleCount());
        }
    }

    /** /t: a, fifo, link -> d1, d1/{b, d2/{c, d3/}}, e/ (empty). */
    static void tree(FsMeta fs) throws IOException {
        fs.mkdirs(ROOT, "/t/d1/d2/d3", 0755);
        fs.mkdirs(ROOT, "/t/e", 0755);
        fs.createFile(ROOT, "/t/a", 0644);
        fs.createFile(ROOT, "/t/d1/b", 0644);
        fs.createFile(ROOT, "/t/d1/d2/c", 0644);
        fs.mknod(ROOT, fs.resolve(ROOT, "/t", true).ino(), "fifo", Attr.S_IFIFO | 0644, 0);
        fs.createSymlink(ROOT, "/t/d1", "/t/link", false);
    }

    @Test
    void listFiles() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            tree(fs);
            long before = FsMeta.handleCount();
            // files only (Hadoop's isFile: not directories, not symlinks); symlinks never followed
            assertEquals(Set.of("/t/a", "/t/fifo"), paths(drain(fs.listFiles(ROOT, "/t", false))));
            assertEquals(Set.of("/t/a", "/t/fifo", "/t/d1/b", "/t/d1/d2/c"), paths(drain(fs.listFiles(ROOT, "/t", true))));
            assertEquals(Set.of("/t/a", "/t/fifo", "/t/d1/b", "/t/d1/d2/c"),
                    paths(drain(fs.listFiles(ROOT, Path.of("/t"), true))));
            // the path given is followed when a symlink
            assertEquals(Set.of("/t/link/b", "/t/link/d2/c"), paths(drain(fs.listFiles(ROOT, "/t/link", true))));
            // a file: itself; an empty directory: nothing
            List<FileStatus> one = drain(fs.listFiles(ROOT, "/t/d1/b", true));
            assertEquals(1, one.size());
            assertEquals("/t/d1/b", one.get(0).path());
            assertEquals(List.of(), drain(fs.listFiles(ROOT, "/t/e", true)));
            assertEquals(List.of(), drain(fs.listFiles(ROOT, "/t/d1/d2/d3", false)));
            // errors at the call
            assertThrows(FileNotFoundException.class, () -> fs.listFiles(ROOT, "/none", true));
            assertThrows(NotDirectoryException.class, () -> fs.listFiles(ROOT, "/t/a/x", true));
            assertEquals(before, FsMeta.handleCount());

            // a subdirectory the caller may not read fails the walk when reached, and releases it
            fs.setPermission(ROOT, "/t/d1/d2", 0700);
            RemoteIterator<FileStatus> it = fs.listFiles(BOB, "/t", true);
            Set<String> got = new HashSet<>();
            AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> {
                while (it.hasNext()) got.add(it.next().path());
            });
            assertTrue(e.getMessage().contains("/t/d1/d2"), e.getMessage());
            assertTrue(got.containsAll(Set.of("/t/a", "/t/fifo")));
            assertFalse(it.hasNext());
            assertEquals(before, FsMeta.handleCount());
            // nor search: the same
            fs.setPermission(ROOT, "/t/d1/d2", 0744);
            fs.setPermission(ROOT, "/t/d1", 0744);
            assertThrows(AccessDeniedException.class, () -> drain(fs.listFiles(BOB, "/t", true)));
            // not recursive: subdirectories are not opened
            assertEquals(Set.of("/t/a", "/t/fifo"), paths(drain(fs.listFiles(BOB, "/t", false))));
            assertEquals(before, FsMeta.handleCount());
        }
    }

    @Test
    void listFilesWhileTheTreeChanges() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            tree(fs);
            // a subdirectory removed (or replaced by a file) before it is listed is skipped, not an error
            try (RemoteIterator<FileStatus> it = fs.listFiles(ROOT, "/t", true)) {
                assertTrue(it.hasNext());
                Set<String> got = new HashSet<>();
                got.add(it.next().path());
                assertTrue(fs.delete(ROOT, "/t/d1", true));
                fs.createFile(ROOT, "/t/d1", 0644); // the name now a file
                while (it.hasNext()) got.add(it.next().path());
                assertFalse(got.contains("/t/d1/b"));
                assertFalse(got.contains("/t/d1/d2/c"));
                assertTrue(got.containsAll(Set.of("/t/a", "/t/fifo")));
            }
        }
    }

    @Test
    void listFilesLargeTree() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            Set<String> want = new HashSet<>();
            for (int d = 0; d < 40; d++) {
                String dir = "/w/" + (d % 4) + "/" + d;
                long ino = fs.mkdirAll(ROOT, dir, 0755).ino();
                for (int f = 0; f < 60; f++) {
                    fs.create(ROOT, ino, "p" + f, 0644);
                    want.add(dir + "/p" + f);
                }
            }
            long before = FsMeta.handleCount();
            try (RemoteIterator<FileStatus> it = fs.listFiles(ROOT, "/w", true)) {
                Set<String> got = new HashSet<>();
                while (it.hasNext()) {
                    assertTrue(got.add(it.next().path()));
                    assertTrue(FsMeta.handleCount() <= before + 1); // one listing open at a time
                }
                assertEquals(want, got);
            }
            assertEquals(before, FsMeta.handleCount());
        }
    }

    // ---- symlinks by path ----

    @Test
    void createSymlinkAndGetLinkTarget() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            fs.mkdirs(ROOT, "/data/2026", 0755);
            fs.createSymlink(ROOT, "/data/2026", "/latest", false);
            assertTrue(fs.getFileLinkStatus(ROOT, "/latest").isSymlink());
            assertTrue(fs.getFileStatus(ROOT, "/latest").isDirectory());
            assertEquals("/data/2026", fs.getLinkTarget(ROOT, "/latest"));
            // a relative target, a dangling one, stored as given
            fs.createSymlink(ROOT, "2026", "/data/cur", false);
            assertEquals("2026", fs.getLinkTarget(ROOT, "/data/cur"));
            assertTrue(fs.getFileStatus(ROOT, "/data/cur").isDirectory());
            fs.createSymlink(ROOT, "/nowhere", "/dangling", false);
            assertEquals("/nowhere", fs.getLinkTarget(ROOT, "/dangling"));
            assertFalse(fs.exists(ROOT, "/dangling"));
            // symlinks before the last component are followed, the last one is read
            fs.createSymlink(ROOT, "/data", "/d", false);
            assertEquals("2026", fs.getLinkTarget(ROOT, "/d/cur"));
            // createParent
            assertThrows(FileNotFoundException.class, () -> fs.createSymlink(ROOT, "/x", "/a/b/l", false));
            fs.createSymlink(ROOT, "/x", "/a/b/l", true);
            assertTrue(fs.getFileStatus(ROOT, "/a/b").isDirectory());
            assertEquals("/x", fs.getLinkTarget(ROOT, "/a/b/l"));
            // Path forms: the target Path's string, relative stays relative; getLinkTarget gives a Path
            fs.createSymlink(ROOT, Path.of("../data/2026"), Path.of("/a/rel"), false);
            assertEquals("../data/2026", fs.getLinkTarget(ROOT, "/a/rel"));
            assertEquals(Path.of("../data/2026"), fs.getLinkTarget(ROOT, Path.of("/a/rel")));
            assertTrue(fs.getFileStatus(ROOT, Path.of("/a/rel")).isDirectory());
            fs.fsck();
        }
    }

    @Test
    void createSymlinkErrors() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            fs.mkdirs(ROOT, "/d", 0755);
            fs.createFile(ROOT, "/d/f", 0644);
            fs.createSymlink(ROOT, "/d/f", "/d/l", false);
            // the link exists, whatever it is
            assertThrows(FileAlreadyExistsException.class, () -> fs.createSymlink(ROOT, "/y", "/d/f", false));
            assertThrows(FileAlreadyExistsException.class, () -> fs.createSymlink(ROOT, "/y", "/d/l", false));
            assertThrows(FileAlreadyExistsException.class, () -> fs.createSymlink(ROOT, "/y", "/d", true));
            assertThrows(FileAlreadyExistsException.class, () -> fs.createSymlink(ROOT, "/y", "/", false));
            // the parent missing, or not a directory (Hadoop's ParentNotDirectoryException)
            assertThrows(FileNotFoundException.class, () -> fs.createSymlink(ROOT, "/y", "/none/l", false));
            assertThrows(NotDirectoryException.class, () -> fs.createSymlink(ROOT, "/y", "/d/f/l", false));
            assertThrows(NotDirectoryException.class, () -> fs.createSymlink(ROOT, "/y", "/d/f/x/l", true));
            // permission to write the parent
            assertThrows(AccessDeniedException.class, () -> fs.createSymlink(BOB, "/y", "/d/bob", false));
            assertThrows(AccessDeniedException.class, () -> fs.createSymlink(BOB, "/y", "/d/new/bob", true));
            assertFalse(fs.exists(ROOT, "/d/new"));
            // bad targets and links
            assertEquals(Status.ENAMETOOLONG, status(() -> fs.createSymlink(ROOT, "x".repeat(FsMeta.SYMLINK_MAX + 1), "/d/long", false)));
            assertEquals(Status.ENAMETOOLONG, status(() -> fs.createSymlink(ROOT, "/y", "/d/" + "n".repeat(FsMeta.NAME_MAX + 1), false)));
            assertEquals(Status.EINVAL, status(() -> fs.createSymlink(ROOT, "", "/d/empty", false)));
            assertEquals(Status.EINVAL, status(() -> fs.createSymlink(ROOT, "a\0b", "/d/nul", false)));
            assertThrows(FileNotFoundException.class, () -> fs.createSymlink(ROOT, "/y", "", false));
            assertThrows(NullPointerException.class, () -> fs.createSymlink(ROOT, (String) null, "/d/n", false));
            assertThrows(NullPointerException.class, () -> fs.createSymlink(ROOT, "/y", (String) null, false));
            assertEquals(Set.of("/d/f", "/d/l"), paths(fs.listStatus(ROOT, "/d")));
            fs.fsck();
        }
    }

    @Test
    void getLinkTargetErrors() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            fs.mkdirs(ROOT, "/d", 0700);
            fs.createFile(ROOT, "/d/f", 0644);
            fs.createSymlink(ROOT, "f", "/d/l", false);
            FsMetaException notLink = assertThrows(FsMetaException.class, () -> fs.getLinkTarget(ROOT, "/d/f"));
            assertEquals(Status.EINVAL, notLink.status());
            assertTrue(notLink.getMessage().contains("not a symbolic link"), notLink.getMessage());
            assertEquals(Status.EINVAL, status(() -> fs.getLinkTarget(ROOT, "/d")));
            assertThrows(FileNotFoundException.class, () -> fs.getLinkTarget(ROOT, "/d/none"));
            assertThrows(FileNotFoundException.class, () -> fs.getLinkTarget(ROOT, ""));
            assertThrows(NotDirectoryException.class, () -> fs.getLinkTarget(ROOT, "/d/f/x"));
            assertThrows(AccessDeniedException.class, () -> fs.getLinkTarget(BOB, "/d/l"));
            assertThrows(FileNotFoundException.class, () -> fs.getLinkTarget(ROOT, Path.of("/d/none")));
            assertEquals("f", fs.getLinkTarget(ROOT, "/d/l"));
        }
    }

    // ---- truncate and access by path ----

    @Test
    void truncate() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            fs.mkdirs(ROOT, "/d", 0777);
            long ino = fs.createFile(ROOT, "/d/f", 0644).attr().ino();
            long id = fs.newSliceId(ROOT, 1);
            fs.writeSlice(ROOT, ino, 0, Slice.of(id, 0, 4096));
            assertEquals(4096, fs.getFileStatus(ROOT, "/d/f").length());
            assertTrue(fs.truncate(ROOT, "/d/f", 1000));
            assertEquals(1000, fs.getFileStatus(ROOT, "/d/f").length());
            assertTrue(fs.truncate(ROOT, "/d/f", 1000)); // the same length
            // through a symlink, and the Path form
            fs.createSymlink(ROOT, "/d/f", "/d/l", false);
            assertTrue(fs.truncate(ROOT, Path.of("/d/l"), 10));
            assertEquals(10, fs.getFileStatus(ROOT, "/d/f").length());
            assertTrue(fs.getFileLinkStatus(ROOT, "/d/l").isSymlink());
            // never longer (Hadoop), never negative: argument errors, nothing changed
            IllegalArgumentException longer = assertThrows(IllegalArgumentException.class, () -> fs.truncate(ROOT, "/d/f", 11));
            assertTrue(longer.getMessage().contains("larger"), longer.getMessage());
            assertThrows(IllegalArgumentException.class, () -> fs.truncate(ROOT, "/d/f", -1));
            assertEquals(10, fs.getFileStatus(ROOT, "/d/f").length());
            // the inode form still extends (truncate(2))
            assertEquals(5000, fs.truncate(ROOT, ino, 5000).size());
            // errors
            assertEquals(Status.EISDIR, status(() -> fs.truncate(ROOT, "/d", 0)));
            assertThrows(FileNotFoundException.class, () -> fs.truncate(ROOT, "/d/none", 0));
            assertThrows(FileNotFoundException.class, () -> fs.truncate(ROOT, "", 0));
            assertThrows(FileNotFoundException.class, () -> fs.truncate(ROOT, "/d/dangling-none", 0));
            assertThrows(NotDirectoryException.class, () -> fs.truncate(ROOT, "/d/f/x", 0));
            assertThrows(AccessDeniedException.class, () -> fs.truncate(BOB, "/d/f", 0)); // 0644, root's
            assertThrows(NullPointerException.class, () -> fs.truncate(ROOT, (String) null, 0));
            fs.mknod(ROOT, fs.resolve(ROOT, "/d", true).ino(), "fifo", Attr.S_IFIFO | 0666, 0);
            assertEquals(Status.EINVAL, status(() -> fs.truncate(ROOT, "/d/fifo", 0)));
            assertEquals(5000, fs.getFileStatus(ROOT, "/d/f").length());
            fs.fsck();
        }
    }

    @Test
    void access() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            fs.mkdirs(ROOT, "/d/private", 0755);
            fs.setPermission(ROOT, "/d/private", 0700);
            fs.createFile(ROOT, "/d/private/secret", 0644);
            fs.createFile(ROOT, "/d/f", 0644);
            fs.createSymlink(ROOT, "/d/f", "/d/l", false);
            fs.access(ROOT, "/d/f", FsMeta.R_OK | FsMeta.W_OK);
            fs.access(BOB, "/d/f", FsMeta.R_OK);
            fs.access(BOB, "/d/f", FsMeta.F_OK);
            fs.access(BOB, Path.of("/d/l"), FsMeta.R_OK);
            fs.access(BOB, "/d", FsMeta.R_OK | FsMeta.X_OK);
            // denied: Hadoop's AccessControlException is AccessDeniedException here
            AccessDeniedException w = assertThrows(AccessDeniedException.class, () -> fs.access(BOB, "/d/f", FsMeta.W_OK));
            assertEquals("/d/f", w.getFile());
            assertThrows(AccessDeniedException.class, () -> fs.access(BOB, "/d/l", FsMeta.W_OK)); // the target's mode
            assertThrows(AccessDeniedException.class, () -> fs.access(BOB, "/d/f", FsMeta.X_OK));
            assertThrows(AccessDeniedException.class, () -> fs.access(BOB, "/d/private", FsMeta.R_OK));
            // a directory on the way the caller may not search: denied too, also for F_OK
            assertThrows(AccessDeniedException.class, () -> fs.access(BOB, "/d/private/secret", FsMeta.F_OK));
            // missing, bad mask, bad path
            assertThrows(FileNotFoundException.class, () -> fs.access(ROOT, "/d/none", FsMeta.F_OK));
            assertThrows(FileNotFoundException.class, () -> fs.access(ROOT, Path.of("/d/none"), FsMeta.R_OK));
            assertThrows(FileNotFoundException.class, () -> fs.access(ROOT, "", FsMeta.F_OK));
            assertThrows(NotDirectoryException.class, () -> fs.access(ROOT, "/d/f/x", FsMeta.F_OK));
            assertEquals(Status.EINVAL, status(() -> fs.access(ROOT, "/d/f", 8)));
            assertThrows(NullPointerException.class, () -> fs.access(ROOT, (String) null, FsMeta.F_OK));
        }
    }

    @Test
    void closedEngine() throws IOException {
        FsMeta fs = FsMeta.openInMemory();
        fs.mkdirs(ROOT, "/d", 0755);
        fs.close();
        assertThrows(IllegalStateException.class, () -> fs.listStatusIterator(ROOT, "/d"));
        assertThrows(IllegalStateException.class, () -> fs.listFiles(ROOT, "/d", true));
        assertThrows(IllegalStateException.class, () -> fs.createSymlink(ROOT, "/d", "/l", false));
        assertThrows(IllegalStateException.class, () -> fs.getLinkTarget(ROOT, "/l"));
        assertThrows(IllegalStateException.class, () -> fs.truncate(ROOT, "/d", 0));
        assertThrows(IllegalStateException.class, () -> fs.access(ROOT, "/d", FsMeta.F_OK));
        assertThrows(IllegalStateException.class, () -> fs.rename(ROOT, "/d", "/e", RenameOption.OVERWRITE));
        assertThrows(IllegalStateException.class, () -> fs.getFileStatus(ROOT, Path.of("/d")));
    }
}
