package io.fsmeta;

import io.fsmeta.internal.Native;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An open fsmeta database: every operation of the C API by inode, and a path API shaped for Hadoop's
 * {@code FileSystem} ({@link #getFileStatus}, {@link #listStatus}, {@link #mkdirs}, {@link #rename(CallerContext,
 * String, String)}, {@link #delete}, {@link #setPermission}, {@link #setOwner}, {@link #setTimes}, xattrs,
 * {@link #listStatusIterator}, {@link #listFiles}, {@link #createSymlink}, {@link #getLinkTarget(CallerContext,
 * String)}, {@link #truncate(CallerContext, String, long)}, {@link #access(CallerContext, String, int)}), each taking
 * its path as a String or a {@link Path}.
 *
 * <p><b>Threads.</b> An {@code FsMeta} is safe for concurrent use by any number of threads. {@link #close()} is
 * idempotent and thread-safe; afterwards every call throws {@link IllegalStateException} (a call racing with close
 * may fail with status ECLOSED or EBADHANDLE instead; never a crash). A database that is never closed is released
 * by a {@link Cleaner} when it becomes unreachable (close it anyway: the engine's memory is not Java heap).
 *
 * <p><b>Callers.</b> Every operation takes the {@link CallerContext} it runs as ({@link CallerContext#ROOT} for
 * root); the engine enforces POSIX permissions for it.
 *
 * <p><b>Names</b> cross as UTF-8 bytes: the {@code String} forms encode strictly (a String with unpaired surrogates
 * is an IllegalArgumentException), the {@code byte[]} forms pass any bytes. The engine validates names (empty, '/',
 * NUL, "." and ".." give EINVAL; more than 255 bytes ENAMETOOLONG).
 *
 * <p><b>Errors</b> are IOExceptions as described in {@link FsMetaException}.
 *
 * <p><b>Host process.</b> See the package documentation: the native library contains the Go runtime, is loaded
 * once and never unloaded, and must not be used in the child of a fork.
 */
public final class FsMeta implements AutoCloseable {
    /** The root directory's inode number. */
    public static final long ROOT_INO = Native.FSMETA_ROOT_INO;
    public static final int NAME_MAX = Native.FSMETA_NAME_MAX;
    public static final int PATH_MAX = Native.FSMETA_PATH_MAX;
    public static final int SYMLINK_MAX = Native.FSMETA_SYMLINK_MAX;
    public static final int XATTR_SIZE_MAX = Native.FSMETA_XATTR_SIZE_MAX;
    public static final int CHUNK_SIZE = Native.FSMETA_CHUNK_SIZE;

    /** Access masks ({@link #access}). */
    public static final int F_OK = Native.FSMETA_F_OK, X_OK = Native.FSMETA_X_OK, W_OK = Native.FSMETA_W_OK,
            R_OK = Native.FSMETA_R_OK;
    /** Open flags ({@link #openFile}). */
    public static final int O_RDONLY = Native.FSMETA_O_RDONLY, O_WRONLY = Native.FSMETA_O_WRONLY,
            O_RDWR = Native.FSMETA_O_RDWR, O_TRUNC = Native.FSMETA_O_TRUNC, O_APPEND = Native.FSMETA_O_APPEND;
    /** Rename flags. */
    public static final int RENAME_NOREPLACE = Native.FSMETA_RENAME_NOREPLACE,
            RENAME_EXCHANGE = Native.FSMETA_RENAME_EXCHANGE;
    /** Xattr flags. */
    public static final int XATTR_CREATE = Native.FSMETA_XATTR_CREATE, XATTR_REPLACE = Native.FSMETA_XATTR_REPLACE;
    /** Fallocate modes. */
    public static final int FALLOC_KEEP_SIZE = Native.FSMETA_FALLOC_KEEP_SIZE,
            FALLOC_PUNCH_HOLE = Native.FSMETA_FALLOC_PUNCH_HOLE, FALLOC_ZERO_RANGE = Native.FSMETA_FALLOC_ZERO_RANGE;

    static final Cleaner CLEANER;

    static {
        NativeLibrary.ensureLoaded();
        CLEANER = Cleaner.create();
    }

    private final long handle;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final Cleaner.Cleanable cleanable;

    private static final class Release implements Runnable {
        private final long handle;

        Release(long handle) {
            this.handle = handle;
        }

        @Override
        public void run() {
            Native.fsmeta_close(handle);
        }
    }

    private FsMeta(long handle) {
        this.handle = handle;
        this.cleanable = CLEANER.register(this, new Release(handle));
    }

    /** Opens a database. */
    public static FsMeta open(FsMetaOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        long[] opts = new long[Native.OPTIONS_LONGS];
        int st = Native.fsmeta_options_init(opts, Native.FSMETA_OPTIONS_VERSION);
        if (st != 0) throw error(st, "open", null);
        opts[Native.OPTIONS_IN_MEMORY] = options.inMemory() ? 1 : 0;
        opts[Native.OPTIONS_CAPACITY] = options.capacity();
        opts[Native.OPTIONS_MAX_INODES] = options.maxInodes();
        opts[Native.OPTIONS_ARENA_MAX_BYTES] = options.arenaMaxBytes();
        opts[Native.OPTIONS_SNAPSHOT_THRESHOLD] = options.snapshotThreshold();
        byte[] dir = options.dir() != null ? options.dir().getBytes(StandardCharsets.UTF_8) : null;
        long[] out = new long[1];
        st = Native.fsmeta_open(out, opts, dir);
        if (st != 0) throw error(st, "open", options.dir());
        return new FsMeta(out[0]);
    }

    /** Opens an in-memory database with the defaults. */
    public static FsMeta openInMemory() throws IOException {
        return open(FsMetaOptions.inMemoryDefaults());
    }

    /** Closes the database and releases its memory. Idempotent and thread-safe. */
    @Override
    public void close() {
        if (open.compareAndSet(true, false)) cleanable.clean();
    }

    public boolean isOpen() {
        return open.get();
    }

    /**
     * Test hook: stamps every later change with nowNs (nanoseconds since the Unix epoch) instead of the clock's
     * time; 0 returns to the clock. Meant for test suites that check times (testdata/*.scn).
     */
    public void setTestTime(long nowNs) throws IOException {
        int st = Native.fsmeta_set_test_time(h(), nowNs);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "setTestTime", null);
    }

    // ---- library ----

    /** The loaded library's version, "MAJOR.MINOR.PATCH". */
    public static String version() {
        return new String(Native.fsmeta_version_string(), StandardCharsets.UTF_8);
    }

    /** The loaded library's version number (MAJOR * 10000 + MINOR * 100 + PATCH). */
    public static int versionNumber() {
        return Native.fsmeta_version_number();
    }

    /** The library's fixed description of a status code. */
    public static String strerror(int status) {
        return new String(Native.fsmeta_strerror(status), StandardCharsets.UTF_8);
    }

    /** Live native handles (databases and listings) in the process: 0 when everything is closed. */
    public static long handleCount() {
        return Native.fsmeta_handle_count();
    }

    /** Where the native libraries were loaded from ("jar:...", "fsmeta.library.path=...", "java.library.path"). */
    public static String librarySource() {
        return NativeLibrary.source();
    }

    // ---- plumbing (also used by PathApi and DirStream) ----

    long h() {
        if (!open.get()) throw new IllegalStateException("FsMeta is closed");
        return handle;
    }

    static String lastError() {
        return new String(Native.fsmeta_last_error(), StandardCharsets.UTF_8);
    }

    private static IOException error(int st, String op, String where) {
        return new FsMetaException(st, op, where, lastError()).toIOException();
    }

    /** The exception of a failed call (reads the thread's last error first). */
    IOException fail(int st, String op, Object where) {
        String detail = lastError();
        FsMetaException e = new FsMetaException(st, op, where == null ? null : String.valueOf(where), detail);
        if ((st == Native.FSMETA_ECLOSED || st == Native.FSMETA_EBADHANDLE) && !open.get()) {
            throw new IllegalStateException("FsMeta is closed", e);
        }
        return e.toIOException();
    }

    static int[] c(CallerContext ctx) {
        return Objects.requireNonNull(ctx, "ctx").raw;
    }

    /** Strict UTF-8 (a String with unpaired surrogates is refused rather than silently changed). */
    static byte[] utf8(String s) {
        Objects.requireNonNull(s, "name");
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                try {
                    ByteBuffer b = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
                    byte[] out = new byte[b.remaining()];
                    b.get(out);
                    return out;
                } catch (CharacterCodingException e) {
                    throw new IllegalArgumentException("not valid UTF-16 (unpaired surrogate): " + s, e);
                }
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] req(byte[] b, String what) {
        return Objects.requireNonNull(b, what);
    }

    private static String where(long ino) {
        return "#" + Long.toUnsignedString(ino);
    }

    private static String where(long parent, byte[] name) {
        return "#" + Long.toUnsignedString(parent) + "/" + new String(name, StandardCharsets.UTF_8);
    }

    // ---- attributes ----

    /** Finds a name in a directory ("." and ".." allowed). Needs search permission on parent. */
    public Attr lookup(CallerContext ctx, long parent, String name) throws IOException {
        return lookup(ctx, parent, utf8(name));
    }

    public Attr lookup(CallerContext ctx, long parent, byte[] name) throws IOException {
        req(name, "name");
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_lookup(a, h(), c(ctx), parent, name);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "lookup", where(parent, name));
        return Attr.fromLongs(a, 0);
    }

    /** The attributes of an inode (no permission needed). */
    public Attr getattr(CallerContext ctx, long ino) throws IOException {
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_getattr(a, h(), c(ctx), ino);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "getattr", where(ino));
        return Attr.fromLongs(a, 0);
    }

    /**
     * getattr into a caller's {@code long[AttrLayout.LONGS]} (no allocation; for hot loops). The layout, the index of
     * each field, is {@link AttrLayout}; {@link AttrLayout#toAttr} makes the {@link Attr}.
     *
     * @throws IllegalArgumentException out is shorter than {@link AttrLayout#LONGS}
     */
    public void getattrInto(CallerContext ctx, long ino, long[] out) throws IOException {
        if (out.length < AttrLayout.LONGS) {
            throw new IllegalArgumentException("out has " + out.length + " longs, shorter than AttrLayout.LONGS (" + AttrLayout.LONGS + ")");
        }
        int st = Native.fsmeta_getattr(out, h(), c(ctx), ino);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "getattr", where(ino));
    }

    /** Changes the attributes named by the SetAttr's mask. */
    public Attr setattr(CallerContext ctx, long ino, SetAttr change) throws IOException {
        Objects.requireNonNull(change, "change");
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_setattr(a, h(), c(ctx), ino, change.mask, change.in);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "setattr", where(ino));
        return Attr.fromLongs(a, 0);
    }

    public Attr chmod(CallerContext ctx, long ino, int mode) throws IOException {
        return setattr(ctx, ino, SetAttr.builder().mode(mode).build());
    }

    public Attr chown(CallerContext ctx, long ino, int uid, int gid) throws IOException {
        return setattr(ctx, ino, SetAttr.builder().uid(uid).gid(gid).build());
    }

    public Attr truncate(CallerContext ctx, long ino, long size) throws IOException {
        return setattr(ctx, ino, SetAttr.builder().size(size).build());
    }

    /** Checks access (R_OK | W_OK | X_OK, or F_OK); throws AccessDeniedException when denied. */
    public void access(CallerContext ctx, long ino, int mask) throws IOException {
        int st = Native.fsmeta_access(h(), c(ctx), ino, mask);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "access", where(ino));
    }

    /** Whether access is allowed (false on EACCES; other failures throw). */
    public boolean canAccess(CallerContext ctx, long ino, int mask) throws IOException {
        int st = Native.fsmeta_access(h(), c(ctx), ino, mask);
        Reference.reachabilityFence(this);
        if (st == Native.FSMETA_EACCES) return false;
        if (st != 0) throw fail(st, "access", where(ino));
        return true;
    }

    // ---- creating and removing ----

    /** Creates a node (regular, fifo, socket, device; mode holds the type bits, 0 meaning regular). */
    public Attr mknod(CallerContext ctx, long parent, String name, int mode, int rdev) throws IOException {
        return mknod(ctx, parent, utf8(name), mode, rdev);
    }

    public Attr mknod(CallerContext ctx, long parent, byte[] name, int mode, int rdev) throws IOException {
        req(name, "name");
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_mknod(a, h(), c(ctx), parent, name, mode, rdev);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "mknod", where(parent, name));
        return Attr.fromLongs(a, 0);
    }

    /** Creates an empty regular file. */
    public Attr create(CallerContext ctx, long parent, String name, int mode) throws IOException {
        return create(ctx, parent, utf8(name), mode);
    }

    public Attr create(CallerContext ctx, long parent, byte[] name, int mode) throws IOException {
        req(name, "name");
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_create(a, h(), c(ctx), parent, name, mode);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "create", where(parent, name));
        return Attr.fromLongs(a, 0);
    }

    /** Creates a directory. */
    public Attr mkdir(CallerContext ctx, long parent, String name, int mode) throws IOException {
        return mkdir(ctx, parent, utf8(name), mode);
    }

    public Attr mkdir(CallerContext ctx, long parent, byte[] name, int mode) throws IOException {
        req(name, "name");
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_mkdir(a, h(), c(ctx), parent, name, mode);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "mkdir", where(parent, name));
        return Attr.fromLongs(a, 0);
    }

    /** Creates a symbolic link to target. */
    public Attr symlink(CallerContext ctx, long parent, String name, String target) throws IOException {
        return symlink(ctx, parent, utf8(name), utf8(target));
    }

    public Attr symlink(CallerContext ctx, long parent, byte[] name, byte[] target) throws IOException {
        req(name, "name");
        req(target, "target");
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_symlink(a, h(), c(ctx), parent, name, target);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "symlink", where(parent, name));
        return Attr.fromLongs(a, 0);
    }

    /** The target of a symbolic link, as bytes. */
    public byte[] readlinkBytes(CallerContext ctx, long ino) throws IOException {
        byte[] buf = new byte[Native.FSMETA_SYMLINK_MAX + 1];
        long[] len = new long[1];
        int st = Native.fsmeta_readlink(buf, len, h(), c(ctx), ino);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "readlink", where(ino));
        byte[] out = new byte[(int) len[0]];
        System.arraycopy(buf, 0, out, 0, out.length);
        return out;
    }

    /** The target of a symbolic link, decoded as UTF-8. */
    public String readlink(CallerContext ctx, long ino) throws IOException {
        return new String(readlinkBytes(ctx, ino), StandardCharsets.UTF_8);
    }

    /** Adds a hard link newParent/newName to ino. */
    public Attr link(CallerContext ctx, long ino, long newParent, String newName) throws IOException {
        return link(ctx, ino, newParent, utf8(newName));
    }

    public Attr link(CallerContext ctx, long ino, long newParent, byte[] newName) throws IOException {
        req(newName, "newName");
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_link(a, h(), c(ctx), ino, newParent, newName);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "link", where(newParent, newName));
        return Attr.fromLongs(a, 0);
    }

    /** Removes a name that is not a directory. */
    public void unlink(CallerContext ctx, long parent, String name) throws IOException {
        unlink(ctx, parent, utf8(name));
    }

    public void unlink(CallerContext ctx, long parent, byte[] name) throws IOException {
        req(name, "name");
        int st = Native.fsmeta_unlink(h(), c(ctx), parent, name);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "unlink", where(parent, name));
    }

    /** Removes an empty directory. */
    public void rmdir(CallerContext ctx, long parent, String name) throws IOException {
        rmdir(ctx, parent, utf8(name));
    }

    public void rmdir(CallerContext ctx, long parent, byte[] name) throws IOException {
        req(name, "name");
        int st = Native.fsmeta_rmdir(h(), c(ctx), parent, name);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "rmdir", where(parent, name));
    }

    /** Moves parent/name to newParent/newName (flags: 0, RENAME_NOREPLACE or RENAME_EXCHANGE). */
    public void rename(CallerContext ctx, long parent, String name, long newParent, String newName, int flags)
            throws IOException {
        rename(ctx, parent, utf8(name), newParent, utf8(newName), flags);
    }

    public void rename(CallerContext ctx, long parent, byte[] name, long newParent, byte[] newName, int flags)
            throws IOException {
        req(name, "name");
        req(newName, "newName");
        int st = Native.fsmeta_rename(h(), c(ctx), parent, name, newParent, newName, flags);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "rename", where(parent, name) + " -> " + where(newParent, newName));
    }

    // ---- directories ----

    /** Starts a listing of directory ino (plus: with every entry's attributes). Close the stream. */
    public DirStream openDir(CallerContext ctx, long ino, boolean plus) throws IOException {
        return openDir(ctx, ino, plus, "opendir", where(ino));
    }

    /** openDir, a failure reported as op on shown (the path API's listings). */
    DirStream openDir(CallerContext ctx, long ino, boolean plus, String op, String shown) throws IOException {
        long[] out = new long[1];
        int st = Native.fsmeta_dir_open(out, h(), c(ctx), ino, plus ? Native.FSMETA_DIR_PLUS : 0);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, op, shown);
        return new DirStream(this, out[0], plus);
    }

    /** The whole listing of directory ino. */
    public List<DirEntry> readDir(CallerContext ctx, long ino, boolean plus) throws IOException {
        List<DirEntry> out = new ArrayList<>();
        try (DirStream d = openDir(ctx, ino, plus)) {
            for (DirEntry e = d.read(); e != null; e = d.read()) out.add(e);
        }
        return out;
    }

    // ---- file system ----

    public StatFs statfs(CallerContext ctx) throws IOException {
        long[] o = new long[Native.STATFS_INFO_LONGS];
        int st = Native.fsmeta_statfs(o, h(), c(ctx));
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "statfs", null);
        return new StatFs(o[Native.STATFS_INFO_TOTAL_SPACE], o[Native.STATFS_INFO_AVAIL_SPACE],
                o[Native.STATFS_INFO_USED_SPACE], o[Native.STATFS_INFO_INODES], o[Native.STATFS_INFO_AVAIL_INODES]);
    }

    /** Checks every invariant; throws FsMetaException (ECORRUPT, the report as its message) on problems. */
    public void fsck() throws IOException {
        byte[][] report = new byte[1][];
        int st = Native.fsmeta_fsck(report, h());
        Reference.reachabilityFence(this);
        if (st != 0) {
            if (st == Native.FSMETA_ECORRUPT && report[0] != null) {
                throw new FsMetaException(st, "fsck", null, new String(report[0], StandardCharsets.UTF_8));
            }
            throw fail(st, "fsck", null);
        }
    }

    /**
     * Takes a snapshot of a durable engine now and truncates its log ({@code fsmeta_snapshot}); the engine also
     * takes one by itself every {@link FsMetaOptions.Builder#snapshotThreshold(long)} log entries. Changes go on
     * while it is written.
     *
     * @throws FsMetaException EINVAL for an in-memory engine (it has no log); EROFS (opened read-only); EIO or
     *     EINTERNAL (the snapshot could not be written: the message says why)
     * @throws IllegalStateException the database is closed
     */
    public void snapshot() throws IOException {
        int st = Native.fsmeta_snapshot(h());
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "snapshot", null);
    }

    public Stats stats() throws IOException {
        long[] o = new long[Native.STATS_INFO_LONGS];
        int st = Native.fsmeta_stats(o, h());
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "stats", null);
        return new Stats(o[Native.STATS_INFO_INODES], o[Native.STATS_INFO_FILES], o[Native.STATS_INFO_DIRS],
                o[Native.STATS_INFO_SYMLINKS], o[Native.STATS_INFO_OTHERS], o[Native.STATS_INFO_ENTRIES],
                o[Native.STATS_INFO_LINKS], o[Native.STATS_INFO_ORPHANS], o[Native.STATS_INFO_OPEN_FILES],
                o[Native.STATS_INFO_NEXT_INO], o[Native.STATS_INFO_NEXT_SLICE], o[Native.STATS_INFO_ATTR_DICT],
                o[Native.STATS_INFO_ARENA_RESERVED], o[Native.STATS_INFO_ARENA_COMMITTED],
                o[Native.STATS_INFO_ARENA_SLABS], o[Native.STATS_INFO_ARENA_IN_USE]);
    }

    // ---- extended attributes ----

    public byte[] getxattr(CallerContext ctx, long ino, String name) throws IOException {
        return getxattr(ctx, ino, utf8(name));
    }

    /** The value of an extended attribute; ENODATA (FsMetaException) when it does not exist. */
    public byte[] getxattr(CallerContext ctx, long ino, byte[] name) throws IOException {
        req(name, "name");
        byte[] buf = new byte[256];
        long[] len = new long[1];
        for (;;) {
            int st = Native.fsmeta_getxattr(buf, len, h(), c(ctx), ino, name);
            Reference.reachabilityFence(this);
            if (st == Native.FSMETA_ETOOSMALL) {
                buf = new byte[(int) len[0]];
                continue;
            }
            if (st != 0) throw fail(st, "getxattr", where(ino) + " " + new String(name, StandardCharsets.UTF_8));
            return buf.length == len[0] ? buf : java.util.Arrays.copyOf(buf, (int) len[0]);
        }
    }

    public void setxattr(CallerContext ctx, long ino, String name, byte[] value, int flags) throws IOException {
        setxattr(ctx, ino, utf8(name), value, flags);
    }

    /** Sets an extended attribute (flags: 0, XATTR_CREATE or XATTR_REPLACE). */
    public void setxattr(CallerContext ctx, long ino, byte[] name, byte[] value, int flags) throws IOException {
        req(name, "name");
        req(value, "value");
        int st = Native.fsmeta_setxattr(h(), c(ctx), ino, name, value, flags);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "setxattr", where(ino) + " " + new String(name, StandardCharsets.UTF_8));
    }

    /** The names of ino's extended attributes the caller may see, sorted, as bytes. */
    public List<byte[]> listxattrBytes(CallerContext ctx, long ino) throws IOException {
        byte[][] out = new byte[1][];
        int st = Native.fsmeta_listxattr(out, h(), c(ctx), ino);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "listxattr", where(ino));
        List<byte[]> names = new ArrayList<>();
        byte[] d = out[0];
        if (d != null) {
            int start = 0;
            for (int i = 0; i < d.length; i++) {
                if (d[i] == 0) {
                    names.add(java.util.Arrays.copyOfRange(d, start, i));
                    start = i + 1;
                }
            }
        }
        return names;
    }

    /** The names of ino's extended attributes the caller may see, sorted. */
    public List<String> listxattr(CallerContext ctx, long ino) throws IOException {
        List<String> out = new ArrayList<>();
        for (byte[] n : listxattrBytes(ctx, ino)) out.add(new String(n, StandardCharsets.UTF_8));
        return out;
    }

    public void removexattr(CallerContext ctx, long ino, String name) throws IOException {
        removexattr(ctx, ino, utf8(name));
    }

    public void removexattr(CallerContext ctx, long ino, byte[] name) throws IOException {
        req(name, "name");
        int st = Native.fsmeta_removexattr(h(), c(ctx), ino, name);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "removexattr", where(ino) + " " + new String(name, StandardCharsets.UTF_8));
    }

    // ---- files and their data ----

    /** Reserves, punches a hole or zeroes a range of a regular file (mode: 0 or FALLOC_*). */
    public Attr fallocate(CallerContext ctx, long ino, int mode, long offset, long length) throws IOException {
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_fallocate(a, h(), c(ctx), ino, mode, offset, length);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "fallocate", where(ino));
        return Attr.fromLongs(a, 0);
    }

    /** Checks access for flags (O_*) and counts an open of ino; pair with {@link #closeFile}. */
    public Attr openFile(CallerContext ctx, long ino, int flags) throws IOException {
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_file_open(a, h(), c(ctx), ino, flags);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "open", where(ino));
        return Attr.fromLongs(a, 0);
    }

    /** Ends one {@link #openFile} of ino. */
    public void closeFile(CallerContext ctx, long ino) throws IOException {
        int st = Native.fsmeta_file_close(h(), c(ctx), ino);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "closeFile", where(ino));
    }

    /**
     * The name of release 1.0 for {@link #closeFile} (docs/names.md).
     *
     * @deprecated use {@link #closeFile}
     */
    @Deprecated
    public void releaseFile(CallerContext ctx, long ino) throws IOException {
        closeFile(ctx, ino);
    }

    /** Reserves n consecutive slice ids; returns the first. */
    public long newSliceId(CallerContext ctx, int n) throws IOException {
        long[] id = new long[1];
        int st = Native.fsmeta_slice_id_new(id, h(), c(ctx), n);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "newSliceId", null);
        return id[0];
    }

    /** Places a slice in chunk number chunk of regular file ino. */
    public Attr writeSlice(CallerContext ctx, long ino, int chunk, Slice slice) throws IOException {
        Objects.requireNonNull(slice, "slice");
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_slice_write(a, h(), c(ctx), ino, chunk, slice.toLongs());
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "writeSlice", where(ino));
        return Attr.fromLongs(a, 0);
    }

    /** The slices of a chunk, in write order. */
    public List<Slice> readChunk(CallerContext ctx, long ino, int chunk) throws IOException {
        byte[][] out = new byte[1][];
        int st = Native.fsmeta_chunk_read(out, h(), c(ctx), ino, chunk);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "readChunk", where(ino));
        return Slice.decode(out[0]);
    }

    /**
     * Rewrites a chunk's slice list: with replaced empty, drops every slice later slices cover (with is ignored);
     * else replaces the list's leading slices, if still exactly replaced, by with (-EAGAIN otherwise). Returns the
     * slices no longer referenced.
     */
    public List<Slice> compactChunk(CallerContext ctx, long ino, int chunk, List<Slice> replaced, Slice with)
            throws IOException {
        Objects.requireNonNull(replaced, "replaced");
        byte[][] out = new byte[1][];
        long[] w = with != null ? with.toLongs() : (replaced.isEmpty() ? null : new long[Native.SLICE_LONGS]);
        int st = Native.fsmeta_chunk_compact(out, h(), c(ctx), ino, chunk, Slice.toLongs(replaced), w);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "compactChunk", where(ino));
        return Slice.decode(out[0]);
    }

    // ---- paths (engine-side) ----

    /**
     * Walks a path from the root; follow: follow a symlink at the end too. The empty path names nothing
     * (FileNotFoundException, as {@code stat("")} on Linux; "/" is the root); a NUL in the path is EINVAL.
     */
    public Attr resolve(CallerContext ctx, String path, boolean follow) throws IOException {
        return resolve(ctx, utf8(path), follow, path);
    }

    /** {@link #resolve(CallerContext, String, boolean)} of a {@link Path} (see {@link #getFileStatus(CallerContext, Path)}). */
    public Attr resolve(CallerContext ctx, Path path, boolean follow) throws IOException {
        return resolve(ctx, PathApi.str(path), follow);
    }

    public Attr resolve(CallerContext ctx, byte[] path, boolean follow) throws IOException {
        return resolve(ctx, req(path, "path"), follow, null);
    }

    private Attr resolve(CallerContext ctx, byte[] path, boolean follow, String shown) throws IOException {
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_resolve(a, h(), c(ctx), path, follow ? Native.FSMETA_RESOLVE_FOLLOW : 0);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "resolve", shown != null ? shown : new String(path, StandardCharsets.UTF_8));
        return Attr.fromLongs(a, 0);
    }

    /** Creates every missing directory of a path (mkdir -p); returns the last one's attributes. */
    public Attr mkdirAll(CallerContext ctx, String path, int mode) throws IOException {
        return mkdirAll(ctx, utf8(path), mode, path);
    }

    /** {@link #mkdirAll(CallerContext, String, int)} of a {@link Path}. */
    public Attr mkdirAll(CallerContext ctx, Path path, int mode) throws IOException {
        return mkdirAll(ctx, PathApi.str(path), mode);
    }

    public Attr mkdirAll(CallerContext ctx, byte[] path, int mode) throws IOException {
        return mkdirAll(ctx, req(path, "path"), mode, null);
    }

    Attr mkdirAll(CallerContext ctx, byte[] path, int mode, String shown) throws IOException {
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_mkdir_all(a, h(), c(ctx), path, mode);
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "mkdirs", shown != null ? shown : new String(path, StandardCharsets.UTF_8));
        return Attr.fromLongs(a, 0);
    }

    // ---- the path API (shaped for Hadoop's FileSystem; implemented in PathApi.java) ----
    //
    // Every method takes its path as a String or as a java.nio.file.Path (PathApi.str: the Path's name elements
    // joined with '/'). Errors are those of FsMetaException's table: FileNotFoundException (Hadoop's too),
    // FileAlreadyExistsException (java.nio.file's, where Hadoop has its own of the same name), NotDirectoryException
    // (a parent that is not a directory: Hadoop's ParentNotDirectoryException), AccessDeniedException (Hadoop's
    // AccessControlException), DirectoryNotEmptyException, else FsMetaException with the status.

    /**
     * The status of a path, symlinks followed (FileNotFoundException when missing).
     *
     * <p><b>Paths.</b> Every method of the path API has a String form and a {@link Path} form: a Path names the
     * engine's file whose path is its name elements joined with '/' (after a '/' if it has a root), whatever file
     * system the Path comes from: {@code Path.of("/a/b")} is "/a/b". Paths are from the engine's root; a relative one
     * too ({@code Path.of("a/b")} is "/a/b"). The empty path names nothing (FileNotFoundException). A null path is a
     * NullPointerException.
     */
    public FileStatus getFileStatus(CallerContext ctx, String path) throws IOException {
        return PathApi.getFileStatus(this, ctx, path);
    }

    /** {@link #getFileStatus(CallerContext, String)} of a {@link Path}. */
    public FileStatus getFileStatus(CallerContext ctx, Path path) throws IOException {
        return getFileStatus(ctx, PathApi.str(path));
    }

    /** The status of a path, a symlink at its end not followed. */
    public FileStatus getFileLinkStatus(CallerContext ctx, String path) throws IOException {
        return PathApi.getFileLinkStatus(this, ctx, path);
    }

    /** {@link #getFileLinkStatus(CallerContext, String)} of a {@link Path}. */
    public FileStatus getFileLinkStatus(CallerContext ctx, Path path) throws IOException {
        return getFileLinkStatus(ctx, PathApi.str(path));
    }

    /** Whether a path exists (false on ENOENT and ENOTDIR, so for the empty path; other failures throw). */
    public boolean exists(CallerContext ctx, String path) throws IOException {
        return PathApi.exists(this, ctx, path);
    }

    /** {@link #exists(CallerContext, String)} of a {@link Path}. */
    public boolean exists(CallerContext ctx, Path path) throws IOException {
        return exists(ctx, PathApi.str(path));
    }

    /**
     * The statuses of a directory's entries (any order), or the path's own status when it is not a directory (as
     * Hadoop's listStatus). FileNotFoundException when missing. The whole listing is read at once: see
     * {@link #listStatusIterator} for one read as it goes.
     */
    public List<FileStatus> listStatus(CallerContext ctx, String path) throws IOException {
        return PathApi.listStatus(this, ctx, path);
    }

    /** {@link #listStatus(CallerContext, String)} of a {@link Path}. */
    public List<FileStatus> listStatus(CallerContext ctx, Path path) throws IOException {
        return listStatus(ctx, PathApi.str(path));
    }

    /**
     * The statuses of a directory's entries, read from the engine's listing as the iterator goes (Hadoop's
     * listStatusIterator): memory for one entry at a time, whatever the directory's size. As
     * {@link #listStatus(CallerContext, String)}: any order, "." and ".." not listed, every entry that exists
     * during the whole iteration returned exactly once, a symlink's own status (not its target's), the path's own
     * status alone when it is not a directory. Each status's path is the path given, '/', the entry's name.
     *
     * <pre>{@code
     * try (RemoteIterator<FileStatus> it = fs.listStatusIterator(ctx, "/big")) {
     *     while (it.hasNext()) System.out.println(it.next().name());
     * }
     * }</pre>
     *
     * @throws java.io.FileNotFoundException the path does not exist (at the call, not at the first hasNext)
     * @throws java.nio.file.AccessDeniedException the caller may not search the path or read the directory
     * @throws java.nio.file.NotDirectoryException a component before the last is not a directory
     */
    public RemoteIterator<FileStatus> listStatusIterator(CallerContext ctx, String path) throws IOException {
        return PathApi.listStatusIterator(this, ctx, path);
    }

    /** {@link #listStatusIterator(CallerContext, String)} of a {@link Path}. */
    public RemoteIterator<FileStatus> listStatusIterator(CallerContext ctx, Path path) throws IOException {
        return listStatusIterator(ctx, PathApi.str(path));
    }

    /**
     * The statuses of the files under a path (Hadoop's listFiles): of a directory, its entries that are neither
     * directories nor symlinks (regular files, and fifos, sockets and devices: Hadoop's {@code isFile}), and with
     * recursive also those of every subdirectory, at any depth; of a path that is not a directory, its own status.
     * Directories are not returned; symlinks are neither returned nor followed (no loops), except that the path
     * given is followed.
     *
     * <p>Read as it goes, as {@link #listStatusIterator}: one directory listing open at a time; subdirectories are
     * listed after their parent (remembered by name, so memory grows with the number of subdirectories waiting,
     * not with entries). Each subdirectory is looked up again before it is listed, with the caller's permissions: a
     * subdirectory the caller may not read or search fails the iteration (AccessDeniedException from hasNext); one
     * removed meanwhile is skipped. The walk is not a snapshot: entries changed while it runs may or may not be
     * seen, and a directory moved during it may be listed twice or not at all.
     *
     * <pre>{@code
     * try (RemoteIterator<FileStatus> it = fs.listFiles(ctx, "/warehouse", true)) {
     *     long bytes = 0;
     *     while (it.hasNext()) bytes += it.next().length();
     * }
     * }</pre>
     *
     * @throws java.io.FileNotFoundException the path does not exist
     * @throws java.nio.file.AccessDeniedException the caller may not search the path or read the directory
     */
    public RemoteIterator<FileStatus> listFiles(CallerContext ctx, String path, boolean recursive)
            throws IOException {
        return PathApi.listFiles(this, ctx, path, recursive);
    }

    /** {@link #listFiles(CallerContext, String, boolean)} of a {@link Path}. */
    public RemoteIterator<FileStatus> listFiles(CallerContext ctx, Path path, boolean recursive) throws IOException {
        return listFiles(ctx, PathApi.str(path), recursive);
    }

    /**
     * Creates a directory and every missing parent (Hadoop's mkdirs): true when the directory exists afterwards.
     * A non-directory in the way gives FileAlreadyExistsException (at the end) or NotDirectoryException.
     */
    public boolean mkdirs(CallerContext ctx, String path, int permission) throws IOException {
        return PathApi.mkdirs(this, ctx, path, permission);
    }

    /** {@link #mkdirs(CallerContext, String, int)} of a {@link Path}. */
    public boolean mkdirs(CallerContext ctx, Path path, int permission) throws IOException {
        return mkdirs(ctx, PathApi.str(path), permission);
    }

    /** Creates an empty regular file at path (FileAlreadyExistsException if it exists). */
    public FileStatus createFile(CallerContext ctx, String path, int permission) throws IOException {
        return PathApi.createFile(this, ctx, path, permission);
    }

    /** {@link #createFile(CallerContext, String, int)} of a {@link Path}. */
    public FileStatus createFile(CallerContext ctx, Path path, int permission) throws IOException {
        return createFile(ctx, PathApi.str(path), permission);
    }

    /**
     * Renames src to dst (Hadoop's rename): if dst is an existing directory, src moves into it under its own name;
     * an existing target is never replaced (FileAlreadyExistsException). FileNotFoundException when src or dst's
     * parent is missing. To replace a target, see {@link #rename(CallerContext, String, String, RenameOption...)}.
     */
    public boolean rename(CallerContext ctx, String src, String dst) throws IOException {
        return PathApi.rename(this, ctx, src, dst);
    }

    /** {@link #rename(CallerContext, String, String)} of {@link Path}s. */
    public boolean rename(CallerContext ctx, Path src, Path dst) throws IOException {
        return rename(ctx, PathApi.str(src), PathApi.str(dst));
    }

    /**
     * Renames src to exactly dst, replacing an existing dst when options hold {@link RenameOption#OVERWRITE}
     * (Hadoop's {@code rename(src, dst, Options.Rename...)}, as {@code FileContext.rename}). Unlike
     * {@link #rename(CallerContext, String, String)}, an existing directory dst is not moved into: it is the
     * target. The replacement is atomic (one {@code rename(2)} in the engine: there is no moment without dst).
     * When src and dst are two hard links of one file, nothing is done and both stay, as rename(2) does.
     *
     * <pre>{@code
     * fs.createFile(ctx, "/tables/t/_tmp", 0644);
     * fs.rename(ctx, "/tables/t/_tmp", "/tables/t/_SUCCESS", RenameOption.OVERWRITE); // replaces an old _SUCCESS
     * }</pre>
     *
     * @throws java.io.FileNotFoundException src, or dst's parent, does not exist
     * @throws java.nio.file.FileAlreadyExistsException dst exists and OVERWRITE is not given; src and dst are the
     *     same path; dst is the root (without OVERWRITE; with it, FsMetaException EBUSY)
     * @throws java.nio.file.DirectoryNotEmptyException with OVERWRITE, dst is a directory that is not empty
     * @throws java.nio.file.NotDirectoryException with OVERWRITE, src is a directory and dst is not; or a parent
     *     in either path is not a directory (Hadoop's ParentNotDirectoryException)
     * @throws FsMetaException EISDIR: with OVERWRITE, dst is a directory and src is not; EINVAL: dst is inside src;
     *     EBUSY: src is the root
     * @throws java.nio.file.AccessDeniedException the caller may not write both parents (or search the paths)
     */
    public void rename(CallerContext ctx, String src, String dst, RenameOption... options) throws IOException {
        PathApi.rename(this, ctx, src, dst, options);
    }

    /** {@link #rename(CallerContext, String, String, RenameOption...)} of {@link Path}s. */
    public void rename(CallerContext ctx, Path src, Path dst, RenameOption... options) throws IOException {
        rename(ctx, PathApi.str(src), PathApi.str(dst), options);
    }

    /**
     * Deletes a path (Hadoop's delete): false when it does not exist; a non-empty directory needs recursive
     * (else DirectoryNotEmptyException). A symlink is removed, not followed. The root is never deleted (false).
     * A recursive delete is not atomic: entries created meanwhile may make it fail with DirectoryNotEmptyException.
     */
    public boolean delete(CallerContext ctx, String path, boolean recursive) throws IOException {
        return PathApi.delete(this, ctx, path, recursive);
    }

    /** {@link #delete(CallerContext, String, boolean)} of a {@link Path}. */
    public boolean delete(CallerContext ctx, Path path, boolean recursive) throws IOException {
        return delete(ctx, PathApi.str(path), recursive);
    }

    /**
     * Creates a symbolic link at link whose target is target (Hadoop's createSymlink). The target is stored as
     * given: it need not exist, and a relative target is relative to the link's directory when followed. With
     * createParent, the missing directories of link's parent are made first (mode 0777 less the caller's umask, as
     * {@link #mkdirs}).
     *
     * <pre>{@code
     * fs.createSymlink(ctx, "/warehouse/events/2026", "/latest", false);
     * fs.getLinkTarget(ctx, "/latest"); // "/warehouse/events/2026"
     * }</pre>
     *
     * @throws java.nio.file.FileAlreadyExistsException link exists (whatever it is; also the root)
     * @throws java.io.FileNotFoundException link's parent does not exist and createParent is false
     * @throws java.nio.file.NotDirectoryException link's parent, or a directory on its way, is not a directory
     *     (Hadoop's ParentNotDirectoryException)
     * @throws java.nio.file.AccessDeniedException the caller may not write link's parent (or search its path)
     * @throws FsMetaException ENAMETOOLONG: the target is longer than {@link #SYMLINK_MAX} bytes or a name than
     *     {@link #NAME_MAX}; EINVAL: the target is empty or holds a NUL
     */
    public void createSymlink(CallerContext ctx, String target, String link, boolean createParent)
            throws IOException {
        PathApi.createSymlink(this, ctx, target, link, createParent);
    }

    /**
     * {@link #createSymlink(CallerContext, String, String, boolean)} of {@link Path}s: the target is stored as the
     * Path's string as every Path is read (its name elements joined with '/', a leading '/' if it has a root), so
     * {@code Path.of("../x")} is the relative target "../x".
     */
    public void createSymlink(CallerContext ctx, Path target, Path link, boolean createParent) throws IOException {
        createSymlink(ctx, PathApi.str(target), PathApi.str(link), createParent);
    }

    /**
     * Adds newPath as a hard link to what path names ({@code link(2)}; {@code fsmeta_path_link}): a symbolic link
     * at the end of path is linked itself, not followed; symlinks before the last name of either path are
     * followed. Hadoop's FileSystem has no hard links: this is the path form of the inode {@code link}. Both
     * paths are from the root; the empty path names nothing.
     *
     * @return the status of newPath (the linked inode, its link count raised)
     * @throws java.io.FileNotFoundException path, or newPath's parent, does not exist
     * @throws java.nio.file.FileAlreadyExistsException newPath exists
     * @throws java.nio.file.NotDirectoryException a directory on the way of either path is not a directory
     * @throws java.nio.file.AccessDeniedException the caller may not write newPath's parent (or search the
     *     paths); EPERM: path is a directory
     * @throws FsMetaException ENAMETOOLONG, EMLINK, EINVAL (a NUL in a path), ...
     */
    public FileStatus link(CallerContext ctx, String path, String newPath) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(newPath, "newPath");
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_path_link(a, h(), c(ctx), utf8(path), utf8(newPath));
        Reference.reachabilityFence(this);
        if (st != 0) throw fail(st, "link", path + " -> " + newPath);
        return new FileStatus(newPath, Attr.fromLongs(a, 0));
    }

    /** {@link #link(CallerContext, String, String)} of {@link Path}s. */
    public FileStatus link(CallerContext ctx, Path path, Path newPath) throws IOException {
        return link(ctx, PathApi.str(path), PathApi.str(newPath));
    }

    /**
     * The target of the symbolic link at path (Hadoop's getLinkTarget; readlink), as stored (decoded as UTF-8; the
     * inode API's {@link #readlinkBytes} gives the bytes). A symlink at the end of path is not followed (it is the
     * one read); symlinks before it are.
     *
     * @throws java.io.FileNotFoundException path does not exist
     * @throws FsMetaException EINVAL: path is not a symbolic link (Hadoop: an IOException)
     * @throws java.nio.file.AccessDeniedException the caller may not search path's directories
     */
    public String getLinkTarget(CallerContext ctx, String path) throws IOException {
        return PathApi.getLinkTarget(this, ctx, path);
    }

    /**
     * {@link #getLinkTarget(CallerContext, String)} of a {@link Path}, the target as a Path of the default file
     * system ({@code Path.of(target)}: a relative target is a relative Path).
     */
    public Path getLinkTarget(CallerContext ctx, Path path) throws IOException {
        return Path.of(getLinkTarget(ctx, PathApi.str(path)));
    }

    /**
     * Shortens the file at path to newLength bytes (Hadoop's truncate; symlinks followed): the engine drops the
     * slices beyond it at once, so the answer is always true (Hadoop's "done, no block recovery pending"). As in
     * Hadoop, a file is never made longer: the inode API's {@link #truncate(CallerContext, long, long)} extends
     * too, as truncate(2).
     *
     * @throws IllegalArgumentException newLength is negative or larger than the file's length
     * @throws java.io.FileNotFoundException path does not exist
     * @throws FsMetaException EISDIR: path is a directory; EINVAL: not a regular file (a fifo, socket, device)
     * @throws java.nio.file.AccessDeniedException the caller may not write the file (or search its path)
     */
    public boolean truncate(CallerContext ctx, String path, long newLength) throws IOException {
        return PathApi.truncate(this, ctx, path, newLength);
    }

    /** {@link #truncate(CallerContext, String, long)} of a {@link Path}. */
    public boolean truncate(CallerContext ctx, Path path, long newLength) throws IOException {
        return truncate(ctx, PathApi.str(path), newLength);
    }

    /**
     * Checks that the caller may access path with mode, {@link #R_OK} | {@link #W_OK} | {@link #X_OK} or
     * {@link #F_OK} (Hadoop's access, its FsAction as these bits; access(2)), symlinks followed. Returns normally
     * when allowed.
     *
     * @throws java.nio.file.AccessDeniedException denied (Hadoop's AccessControlException), or the caller may not
     *     search path's directories
     * @throws java.io.FileNotFoundException path does not exist
     * @throws FsMetaException EINVAL: mode has bits beyond 7
     */
    public void access(CallerContext ctx, String path, int mode) throws IOException {
        PathApi.access(this, ctx, path, mode);
    }

    /** {@link #access(CallerContext, String, int)} of a {@link Path}. */
    public void access(CallerContext ctx, Path path, int mode) throws IOException {
        access(ctx, PathApi.str(path), mode);
    }

    /** chmod of a path (symlinks followed). */
    public void setPermission(CallerContext ctx, String path, int permission) throws IOException {
        PathApi.setPermission(this, ctx, path, permission);
    }

    /** {@link #setPermission(CallerContext, String, int)} of a {@link Path}. */
    public void setPermission(CallerContext ctx, Path path, int permission) throws IOException {
        setPermission(ctx, PathApi.str(path), permission);
    }

    /** chown of a path; a null uid or gid is left unchanged (Hadoop's null user/group). */
    public void setOwner(CallerContext ctx, String path, Integer uid, Integer gid) throws IOException {
        PathApi.setOwner(this, ctx, path, uid, gid);
    }

    /** {@link #setOwner(CallerContext, String, Integer, Integer)} of a {@link Path}. */
    public void setOwner(CallerContext ctx, Path path, Integer uid, Integer gid) throws IOException {
        setOwner(ctx, PathApi.str(path), uid, gid);
    }

    /** Sets the modification and access times in milliseconds; -1 leaves one unchanged (Hadoop's setTimes). */
    public void setTimes(CallerContext ctx, String path, long mtimeMillis, long atimeMillis) throws IOException {
        PathApi.setTimes(this, ctx, path, mtimeMillis, atimeMillis);
    }

    /** {@link #setTimes(CallerContext, String, long, long)} of a {@link Path}. */
    public void setTimes(CallerContext ctx, Path path, long mtimeMillis, long atimeMillis) throws IOException {
        setTimes(ctx, PathApi.str(path), mtimeMillis, atimeMillis);
    }

    /** The value of an xattr of a path (FsMetaException ENODATA when absent). */
    public byte[] getXAttr(CallerContext ctx, String path, String name) throws IOException {
        return PathApi.getXAttr(this, ctx, path, name);
    }

    /** {@link #getXAttr(CallerContext, String, String)} of a {@link Path}. */
    public byte[] getXAttr(CallerContext ctx, Path path, String name) throws IOException {
        return getXAttr(ctx, PathApi.str(path), name);
    }

    /** Every xattr of a path the caller may see, by name (sorted). */
    public Map<String, byte[]> getXAttrs(CallerContext ctx, String path) throws IOException {
        return PathApi.getXAttrs(this, ctx, path);
    }

    /** {@link #getXAttrs(CallerContext, String)} of a {@link Path}. */
    public Map<String, byte[]> getXAttrs(CallerContext ctx, Path path) throws IOException {
        return getXAttrs(ctx, PathApi.str(path));
    }

    /** The names of a path's xattrs the caller may see, sorted. */
    public List<String> listXAttrs(CallerContext ctx, String path) throws IOException {
        return PathApi.listXAttrs(this, ctx, path);
    }

    /** {@link #listXAttrs(CallerContext, String)} of a {@link Path}. */
    public List<String> listXAttrs(CallerContext ctx, Path path) throws IOException {
        return listXAttrs(ctx, PathApi.str(path));
    }

    /** Sets an xattr of a path (flags: 0, XATTR_CREATE or XATTR_REPLACE). */
    public void setXAttr(CallerContext ctx, String path, String name, byte[] value, int flags) throws IOException {
        PathApi.setXAttr(this, ctx, path, name, value, flags);
    }

    /** {@link #setXAttr(CallerContext, String, String, byte[], int)} of a {@link Path}. */
    public void setXAttr(CallerContext ctx, Path path, String name, byte[] value, int flags) throws IOException {
        setXAttr(ctx, PathApi.str(path), name, value, flags);
    }

    /** Removes an xattr of a path (FsMetaException ENODATA when absent). */
    public void removeXAttr(CallerContext ctx, String path, String name) throws IOException {
        PathApi.removeXAttr(this, ctx, path, name);
    }

    /** {@link #removeXAttr(CallerContext, String, String)} of a {@link Path}. */
    public void removeXAttr(CallerContext ctx, Path path, String name) throws IOException {
        removeXAttr(ctx, PathApi.str(path), name);
    }

    @Override
    public String toString() {
        return "FsMeta[" + (open.get() ? "open" : "closed") + "]";
    }
}
