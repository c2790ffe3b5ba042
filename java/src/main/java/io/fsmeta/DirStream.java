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
 *
 * <p>A listing can be resumed: {@link #tell()} is the cursor of the entry the next {@code read()} returns, and
 * {@link #seek(long)} continues from a cursor, on this stream or on another listing of the same directory (FUSE's
 * and NFS's readdir offsets and cookies). A cursor is a hash of the next name, so it stays valid whatever changes
 * in the directory; {@link #START} and {@link #END} are the two ends.
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
    private DirEntry pending; // read ahead by the iterator's hasNext(); dropped by seek

    /** The cursor of the start of a listing (0). */
    public static final long START = 0L;

    /** The cursor of the end of a listing, after the last entry (UINT64_MAX, -1 as a Java long). */
    public static final long END = -1L;

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

    /**
     * The cursor of the entry the next {@link #read()} returns ({@code fsmeta_dir_tell}), to resume the listing
     * there later with {@link #seek(long)} ({@link #END} after the last entry; before the first read, the cursor
     * of the first entry, which resumes as {@link #START} does).
     * A cursor is an unsigned 64-bit value carried in a long (compare them with {@link Long#compareUnsigned}); half
     * of them are negative longs. With an {@link #iterator()}, whose {@code hasNext()} reads one entry ahead, tell
     * after {@code next()} (before {@code hasNext()}).
     *
     * @throws IllegalStateException after {@link #close()}
     * @throws IOException the library refused the call (a status of {@link FsMetaException})
     */
    public synchronized long tell() throws IOException {
        if (!open.get()) throw new IllegalStateException("DirStream is closed");
        long[] out = new long[1];
        int st = Native.fsmeta_dir_tell(out, handle);
        Reference.reachabilityFence(this);
        if (st != 0) {
            String detail = FsMeta.lastError();
            if (!open.get()) throw new IllegalStateException("DirStream is closed");
            throw new FsMetaException(st, "telldir", null, detail).toIOException();
        }
        return out[0];
    }

    /**
     * Makes the next {@link #read()} continue from cursor ({@code fsmeta_dir_seek}): {@link #START}, a value of
     * {@link #tell()} (of this stream or of another listing of the same directory), or {@link #END}. Every entry
     * that exists throughout is returned exactly once from there. Any long is a cursor (an unsigned 64-bit value):
     * none is refused. The entries the stream had fetched are dropped, and the next {@code read()} asks the engine
     * again (read permission is checked again); a failure that had stopped the listing is cleared, except ECLOSED
     * (a listing of a closed database stays closed). An {@link #iterator()} in progress continues from there too.
     *
     * @throws IllegalStateException after {@link #close()}
     * @throws IOException the library refused the call (a status of {@link FsMetaException})
     */
    public synchronized void seek(long cursor) throws IOException {
        if (!open.get()) throw new IllegalStateException("DirStream is closed");
        int st = Native.fsmeta_dir_seek(handle, cursor);
        Reference.reachabilityFence(this);
        pending = null;
        if (st != 0) {
            String detail = FsMeta.lastError();
            if (!open.get()) throw new IllegalStateException("DirStream is closed");
            throw new FsMetaException(st, "seekdir", null, detail).toIOException();
        }
    }

    /** The remaining entries, once. */
    @Override
    public synchronized Iterator<DirEntry> iterator() {
        if (iterated) throw new IllegalStateException("DirStream can be iterated only once");
        iterated = true;
        return new Iterator<DirEntry>() {
            @Override
            public boolean hasNext() {
                synchronized (DirStream.this) {
                    if (pending == null) {
                        try {
                            pending = read();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                    return pending != null;
                }
            }

            @Override
            public DirEntry next() {
                synchronized (DirStream.this) {
                    if (!hasNext()) throw new NoSuchElementException();
                    DirEntry e = pending;
                    pending = null;
                    return e;
                }
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
