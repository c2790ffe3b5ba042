package io.fsmeta;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DirStream.tell/seek (fsmeta_dir_tell/seek), FsMeta.snapshot and FsMetaOptions' snapshotThreshold. */
class CursorSnapshotTest {
    static final CallerContext ROOT = CallerContext.ROOT;

    static List<String> names(DirStream d) throws IOException {
        List<String> out = new ArrayList<>();
        for (DirEntry e; (e = d.read()) != null; ) out.add(e.name());
        return out;
    }

    @Test
    void tellAndSeekResumeAListing() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            long dir = fs.mkdir(ROOT, FsMeta.ROOT_INO, "d", 0755).ino();
            for (int i = 0; i < 300; i++) fs.create(ROOT, dir, "f" + i, 0644);
            List<String> all;
            try (DirStream d = fs.openDir(ROOT, dir, false)) {
                long head = d.tell(); // the cursor of the first entry
                all = names(d);
                assertEquals(300, all.size());
                assertEquals(DirStream.END, d.tell());
                assertNull(d.read());
                d.seek(DirStream.START);
                assertEquals(all, names(d));
                d.seek(head);
                assertEquals(all, names(d));
            }
            // stop after 100 entries, resume on another listing from the cursor
            long cursor;
            List<String> first = new ArrayList<>();
            try (DirStream d = fs.openDir(ROOT, dir, true)) {
                for (int i = 0; i < 100; i++) first.add(d.read().name());
                cursor = d.tell();
                assertNotEquals(DirStream.START, cursor);
                assertNotEquals(DirStream.END, cursor);
                assertEquals(cursor, d.tell()); // tell does not move
            }
            fs.create(ROOT, dir, "late", 0644); // changes in between do not spoil the cursor
            fs.unlink(ROOT, dir, first.get(0));
            try (DirStream d = fs.openDir(ROOT, dir, false)) {
                d.seek(cursor);
                List<String> rest = names(d);
                Set<String> seen = new HashSet<>(first);
                for (String n : all.subList(100, 300)) assertTrue(rest.contains(n), n);
                for (String n : rest) assertTrue(seen.add(n), "twice: " + n);
                d.seek(DirStream.END);
                assertNull(d.read());
                assertEquals(DirStream.END, d.tell());
            }
            // any long is a cursor (unsigned): a negative one seeks, it is not refused
            try (DirStream d = fs.openDir(ROOT, dir, false)) {
                d.seek(Long.MIN_VALUE);
                assertTrue(names(d).size() <= 300);
                d.seek(Long.MAX_VALUE);
                names(d);
            }
        }
    }

    @Test
    void seekWithTheIterator() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            for (int i = 0; i < 10; i++) fs.create(ROOT, FsMeta.ROOT_INO, "f" + i, 0644);
            try (DirStream d = fs.openDir(ROOT, FsMeta.ROOT_INO, false)) {
                Iterator<DirEntry> it = d.iterator();
                String first = it.next().name();
                assertTrue(it.hasNext()); // read one ahead: seek drops it
                d.seek(DirStream.START);
                assertEquals(first, it.next().name());
                int n = 1;
                while (it.hasNext()) {
                    it.next();
                    n++;
                }
                assertEquals(10, n);
            }
        }
    }

    @Test
    void tellAndSeekOnAClosedStream() throws IOException {
        try (FsMeta fs = FsMeta.openInMemory()) {
            fs.create(ROOT, FsMeta.ROOT_INO, "f", 0644);
            DirStream d = fs.openDir(ROOT, FsMeta.ROOT_INO, false);
            d.close();
            assertThrows(IllegalStateException.class, d::tell);
            assertThrows(IllegalStateException.class, () -> d.seek(0));
            assertThrows(IllegalStateException.class, d::read);
        }
    }

    @Test
    void seekAfterTheDatabaseClosed() throws IOException {
        FsMeta fs = FsMeta.openInMemory();
        fs.create(ROOT, FsMeta.ROOT_INO, "f", 0644);
        try (DirStream d = fs.openDir(ROOT, FsMeta.ROOT_INO, false)) {
            fs.close();
            d.seek(DirStream.START); // the iterator is still a handle
            FsMetaException e = assertThrows(FsMetaException.class, d::read); // but its listing stays closed
            assertEquals(Status.ECLOSED, e.status());
        }
    }

    @Test
    void snapshotOfAnInMemoryEngineIsEinval() throws IOException {
        FsMeta fs = FsMeta.openInMemory();
        FsMetaException e = assertThrows(FsMetaException.class, fs::snapshot);
        assertEquals(Status.EINVAL, e.status());
        fs.close();
        assertThrows(IllegalStateException.class, fs::snapshot);
    }

    @Test
    void snapshotOfADurableEngine(@TempDir Path tmp) throws IOException {
        FsMetaOptions opts = FsMetaOptions.builder().dir(tmp.resolve("db")).snapshotThreshold(50).build();
        assertEquals(50, opts.snapshotThreshold());
        assertTrue(opts.toString().contains("snapshotThreshold=50"), opts.toString());
        try (FsMeta fs = FsMeta.open(opts)) {
            for (int i = 0; i < 200; i++) fs.create(ROOT, FsMeta.ROOT_INO, "f" + i, 0644); // past the threshold
            fs.snapshot();
            fs.mkdir(ROOT, FsMeta.ROOT_INO, "after", 0755);
            fs.snapshot();
            fs.snapshot(); // nothing new: still fine
        }
        try (FsMeta fs = FsMeta.open(FsMetaOptions.builder().dir(tmp.resolve("db")).build())) {
            assertEquals(201, fs.readDir(ROOT, FsMeta.ROOT_INO, false).size());
            assertTrue(fs.lookup(ROOT, FsMeta.ROOT_INO, "after").isDirectory());
            fs.fsck();
        }
    }

    @Test
    void snapshotThresholdArgument() {
        FsMetaOptions.Builder b = FsMetaOptions.builder();
        assertEquals(0, b.build().snapshotThreshold());
        assertThrows(IllegalArgumentException.class, () -> b.snapshotThreshold(-1));
        assertThrows(IllegalArgumentException.class, () -> b.snapshotThreshold(Long.MIN_VALUE));
        assertEquals(Long.MAX_VALUE, b.snapshotThreshold(Long.MAX_VALUE).build().snapshotThreshold());
    }

    @Test
    void inMemoryEngineTakesTheThreshold() throws IOException {
        try (FsMeta fs = FsMeta.open(FsMetaOptions.builder().inMemory().snapshotThreshold(1).build())) {
            for (int i = 0; i < 10; i++) fs.create(ROOT, FsMeta.ROOT_INO, "f" + i, 0644);
            assertEquals(10, fs.readDir(ROOT, FsMeta.ROOT_INO, false).size());
        }
    }
}
