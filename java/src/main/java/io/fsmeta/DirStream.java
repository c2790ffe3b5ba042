package io.fsmeta;

import io.fsmeta.internal.Native;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A directory listing in progress ({@link FsMeta#openDir}). Every entry that exists during the whole listing is
 * returned exactly once, in the engine's order; "." and ".." are not listed.
 *
 * <p>Read it with {@link #read()} (checked exceptions; null at the end) or as an {@link Iterable} (once; failures
 * arrive as {@link UncheckedIOException} with the IOException as cause). Always close it (try-with-resources); an
 * unclosed stream is released by a {@link Cleaner} when it becomes unreachable. Calls are serialized; a stream is
 * meant for one thread. After {@link #close()}, {@code read()} throws {@link IllegalStateException}. If the
 * database is closed under an open stream, the next {@code read()} fails with status ECLOSED, whatever entries
 * were fetched before and also after the end of the listing.
 */
public final class DirStream implements Iterable<DirEntry>, AutoCloseable {
    private final FsMeta db;
    private final long handle;
    private final boolean plus;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final Cleaner.Cleanable cleanable;
    private final long[] ent = new long[Native.DIRENT_LONGS];
    private final byte[] name = new byte[Native.DIRENT_NAME_SIZE];
    private boolean iterated;

    private static final class Release implements Runnable {
        private final long handle;

        Release(long handle) {
            this.handle = handle;
        }

        @Override
        public void run() {
            Native.fsmeta_dir_close(handle);
        }
    }

    DirStream(FsMeta db, long handle, boolean plus) {
        this.db = db;
        this.handle = handle;
        this.plus = plus;
        this.cleanable = FsMeta.CLEANER.register(this, new Release(handle));
    }

    /** Whether entries carry their attributes. */
    public boolean isPlus() {
        return plus;
    }

    /**
     * The next entry, or null at the end of the listing.
     *
     * @throws IllegalStateException after {@link #close()}
     * @throws IOException the directory went away or changed permission, or the database was closed (ECLOSED)
     */
    public synchronized DirEntry read() throws IOException {
        if (!open.get()) throw new IllegalStateException("DirStream is closed");
        // Always asks the library, also after the end: once the database is closed, the next read fails with
        // ECLOSED whatever came before (fsmeta_dir_next).
        int st = Native.fsmeta_dir_next(ent, name, handle);
        Reference.reachabilityFence(this);
        if (st == Native.FSMETA_ITEROVER) return null;
        if (st != 0) {
            String detail = FsMeta.lastError();
            if (!open.get()) throw new IllegalStateException("DirStream is closed");
            throw new FsMetaException(st, "readdir", null, detail).toIOException();
        }
        int len = (int) ent[Native.DIRENT_NAME_LEN];
        Attr attr = plus ? Attr.fromLongs(ent, Native.DIRENT_ATTR) : null;
        return new DirEntry(Arrays.copyOf(name, len), ent[Native.DIRENT_INO], (int) ent[Native.DIRENT_TYPE], attr);
    }

    /** The remaining entries, once. */
    @Override
    public synchronized Iterator<DirEntry> iterator() {
        if (iterated) throw new IllegalStateException("DirStream can be iterated only once");
        iterated = true;
        return new Iterator<DirEntry>() {
            private DirEntry next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    try {
                        next = read();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return next != null;
            }

            @Override
            public DirEntry next() {
                if (!hasNext()) throw new NoSuchElementException();
                DirEntry e = next;
                next = null;
                return e;
            }
        };
    }

    /** Ends the listing and releases the iterator. Idempotent and thread-safe. */
    @Override
    public void close() {
        if (open.compareAndSet(true, false)) {
            cleanable.clean();
        }
        Reference.reachabilityFence(db);
    }
}
