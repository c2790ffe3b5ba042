package io.fsmeta;

import static org.junit.jupiter.api.Assertions.*;

import java.io.FileNotFoundException;
import java.io.IOException;
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
            IOException e = assertThrows(IOException.class, () -> fs.releaseFile(ROOT, kept));
            assertEquals(Status.EBADF, FsMetaException.statusOf(e));
            fs.fsck();
        }
    }
}
