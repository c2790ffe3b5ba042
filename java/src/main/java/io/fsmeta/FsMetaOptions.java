package io.fsmeta;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How {@link FsMeta#open(FsMetaOptions)} opens a database. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * try (FsMeta fs = FsMeta.open(FsMetaOptions.builder().inMemory().maxInodes(1_000_000).build())) { ... }
 * }</pre>
 */
public final class FsMetaOptions {
    private final boolean inMemory;
    private final String dir;
    private final long capacity;
    private final long maxInodes;
    private final long arenaMaxBytes;
    private final long snapshotThreshold;

    private FsMetaOptions(Builder b) {
        this.inMemory = b.inMemory;
        this.dir = b.dir;
        this.capacity = b.capacity;
        this.maxInodes = b.maxInodes;
        this.arenaMaxBytes = b.arenaMaxBytes;
        this.snapshotThreshold = b.snapshotThreshold;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An in-memory database with the defaults. */
    public static FsMetaOptions inMemoryDefaults() {
        return builder().inMemory().build();
    }

    public boolean inMemory() {
        return inMemory;
    }

    /** The data directory of a durable engine, or null. */
    public String dir() {
        return dir;
    }

    /** Bytes statfs reports as the total (0: the library's default, 1 PiB). */
    public long capacity() {
        return capacity;
    }

    /** The inode limit (0: the library's default, 2^40). */
    public long maxInodes() {
        return maxInodes;
    }

    /** The most memory the namespace may use (0: the library's default, 32 GiB). */
    public long arenaMaxBytes() {
        return arenaMaxBytes;
    }

    /**
     * The log entries after which the durable engine takes a snapshot by itself (0: the library's default,
     * 200,000). An in-memory engine has no log and ignores it.
     */
    public long snapshotThreshold() {
        return snapshotThreshold;
    }

    @Override
    public String toString() {
        return "FsMetaOptions[inMemory=" + inMemory + ", dir=" + dir + ", capacity=" + capacity + ", maxInodes="
                + maxInodes + ", arenaMaxBytes=" + arenaMaxBytes + ", snapshotThreshold=" + snapshotThreshold + "]";
    }

    /** Builder of {@link FsMetaOptions}. In-memory by default. */
    public static final class Builder {
        private boolean inMemory = true;
        private String dir;
        private long capacity;
        private long maxInodes;
        private long arenaMaxBytes;
        private long snapshotThreshold;

        private Builder() {}

        /** Keep everything in memory; nothing survives close (the default). */
        public Builder inMemory() {
            this.inMemory = true;
            this.dir = null;
            return this;
        }

        /** Use the durable engine with this data directory. */
        public Builder dir(String dir) {
            if (dir == null || dir.isEmpty()) throw new IllegalArgumentException("empty dir");
            if (dir.indexOf('\0') >= 0) throw new IllegalArgumentException("NUL in dir");
            this.dir = dir;
            this.inMemory = false;
            return this;
        }

        /**
         * Use the durable engine with this data directory, a host path ({@link #dir(String)} of its string): a
         * relative one is relative to the process's working directory, as the String form's.
         *
         * @throws IllegalArgumentException the Path is empty, or not of the default file system (the engine opens
         *     the directory with the operating system)
         */
        public Builder dir(Path dir) {
            Objects.requireNonNull(dir, "dir");
            if (dir.getFileSystem() != FileSystems.getDefault()) {
                throw new IllegalArgumentException("not a path of the default file system: " + dir.toUri());
            }
            return dir(dir.toString());
        }

        public Builder capacity(long bytes) {
            this.capacity = nonNegative(bytes, "capacity");
            return this;
        }

        public Builder maxInodes(long n) {
            this.maxInodes = nonNegative(n, "maxInodes");
            return this;
        }

        public Builder arenaMaxBytes(long bytes) {
            this.arenaMaxBytes = nonNegative(bytes, "arenaMaxBytes");
            return this;
        }

        /**
         * Log entries after which the durable engine takes a snapshot by itself and truncates its log (0: the
         * library's default, 200,000); {@link FsMeta#snapshot()} takes one now. Ignored by an in-memory engine.
         *
         * @throws IllegalArgumentException n &lt; 0
         */
        public Builder snapshotThreshold(long n) {
            this.snapshotThreshold = nonNegative(n, "snapshotThreshold");
            return this;
        }

        private static long nonNegative(long v, String what) {
            if (v < 0) throw new IllegalArgumentException(what + " < 0: " + v);
            return v;
        }

        public FsMetaOptions build() {
            return new FsMetaOptions(this);
        }
    }
}
