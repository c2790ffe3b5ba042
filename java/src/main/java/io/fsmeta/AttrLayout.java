package io.fsmeta;

import io.fsmeta.internal.Native;

/**
 * The layout of the {@code long[]} that {@link FsMeta#getattrInto} fills, for hot loops that read attributes
 * without allocating: a buffer of {@link #LONGS} longs, and the index of each field of {@code fsmeta_attr} in it.
 * Unsigned 32-bit fields (mode, nlink, uid, gid, rdev, flags) are stored zero-extended; {@link #toAttr} makes the
 * {@link Attr} the buffer holds.
 *
 * <pre>{@code
 * long[] buf = AttrLayout.newBuffer();
 * fs.getattrInto(ctx, ino, buf);
 * long size = buf[AttrLayout.SIZE];
 * boolean dir = ((int) buf[AttrLayout.MODE] & Attr.S_IFMT) == Attr.S_IFDIR;
 * }</pre>
 *
 * <p>The values are those of the generated {@code io.fsmeta.internal.Native.ATTR_*}, which this class publishes: the
 * internal package is not part of the API and may change.
 */
public final class AttrLayout {
    private AttrLayout() {}

    /** The number of longs a buffer needs. */
    public static final int LONGS = Native.ATTR_LONGS;
    /** Inode number. */
    public static final int INO = Native.ATTR_INO;
    /** File type and permission bits. */
    public static final int MODE = Native.ATTR_MODE;
    /** Link count. */
    public static final int NLINK = Native.ATTR_NLINK;
    /** Owner. */
    public static final int UID = Native.ATTR_UID;
    /** Group. */
    public static final int GID = Native.ATTR_GID;
    /** Device number (character and block devices). */
    public static final int RDEV = Native.ATTR_RDEV;
    /** {@link Attr#FLAG_IMMUTABLE}, {@link Attr#FLAG_APPEND}. */
    public static final int FLAGS = Native.ATTR_FLAGS;
    /** Size in bytes. */
    public static final int SIZE = Native.ATTR_SIZE;
    /** 512-byte blocks. */
    public static final int BLOCKS = Native.ATTR_BLOCKS;
    /** Access time, ns since the epoch. */
    public static final int ATIME_NS = Native.ATTR_ATIME_NS;
    /** Modification time, ns since the epoch. */
    public static final int MTIME_NS = Native.ATTR_MTIME_NS;
    /** Change time, ns since the epoch. */
    public static final int CTIME_NS = Native.ATTR_CTIME_NS;

    /** A new buffer for {@link FsMeta#getattrInto}: {@code new long[LONGS]}. */
    public static long[] newBuffer() {
        return new long[LONGS];
    }

    /**
     * The attributes a buffer filled by {@link FsMeta#getattrInto} holds.
     *
     * @throws IllegalArgumentException the buffer is shorter than {@link #LONGS}
     */
    public static Attr toAttr(long[] buf) {
        if (buf.length < LONGS) throw new IllegalArgumentException("buffer of " + buf.length + " longs, shorter than AttrLayout.LONGS (" + LONGS + ")");
        return Attr.fromLongs(buf, 0);
    }
}
