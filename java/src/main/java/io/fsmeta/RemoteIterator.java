package io.fsmeta;

import java.io.Closeable;
import java.io.IOException;
import java.util.NoSuchElementException;

/**
 * An iterator whose steps may fail with an IOException, as Hadoop's {@code RemoteIterator}: what
 * {@link FsMeta#listStatusIterator} and {@link FsMeta#listFiles} return. It reads the directory as it goes (one
 * directory listing open at a time), so it holds a native listing until it is exhausted, fails or is closed: read it
 * to the end, or close it (try-with-resources); one never closed is released when it becomes unreachable.
 *
 * <pre>{@code
 * try (RemoteIterator<FileStatus> it = fs.listFiles(ctx, "/warehouse", true)) {
 *     while (it.hasNext()) System.out.println(it.next().path());
 * }
 * }</pre>
 *
 * <p>An iterator is meant for one thread. After the end, a failure or {@link #close()}, {@link #hasNext()} answers
 * false.
 *
 * @param <E> the element type
 */
public interface RemoteIterator<E> extends Closeable {
    /**
     * Whether there is a next element (reads ahead if needed).
     *
     * @throws IOException reading the directory failed (it went away, the caller lost permission, the database was
     *     closed: ECLOSED); the iterator is closed then
     */
    boolean hasNext() throws IOException;

    /**
     * The next element.
     *
     * @throws NoSuchElementException there is none
     * @throws IOException as {@link #hasNext()}
     */
    E next() throws IOException;

    /** Releases the listing; idempotent. */
    @Override
    void close();
}
