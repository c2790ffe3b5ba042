package io.fsmeta;

import io.fsmeta.internal.Native;

/**
 * The attributes of an inode (what stat returns). Immutable. 32-bit fields (mode, nlink, uid, gid, rdev, flags) are
 * unsigned values carried in {@code int}; times are nanoseconds since the Unix epoch.
 *
 * @param ino the inode number
 * @param mode file type ({@code S_IFMT} bits) | permission bits
 * @param nlink links (directories: 2 + subdirectories; 0 for an unlinked file still open)
 * @param uid owner
 * @param gid group
 * @param rdev device number of character and block devices
 * @param flags {@link #FLAG_IMMUTABLE} | {@link #FLAG_APPEND}
 * @param size regular files: length; symlinks: target length; directories: 4096
 * @param blocks 512-byte units
 * @param atimeNs access time
 * @param mtimeNs modification time
 * @param ctimeNs change time
 */
public record Attr(long ino, int mode, int nlink, int uid, int gid, int rdev, int flags, long size, long blocks,
        long atimeNs, long mtimeNs, long ctimeNs) {
    public static final int S_IFMT = Native.FSMETA_S_IFMT;
    public static final int S_IFSOCK = Native.FSMETA_S_IFSOCK;
    public static final int S_IFLNK = Native.FSMETA_S_IFLNK;
    public static final int S_IFREG = Native.FSMETA_S_IFREG;
    public static final int S_IFBLK = Native.FSMETA_S_IFBLK;
    public static final int S_IFDIR = Native.FSMETA_S_IFDIR;
    public static final int S_IFCHR = Native.FSMETA_S_IFCHR;
    public static final int S_IFIFO = Native.FSMETA_S_IFIFO;
    public static final int S_ISUID = Native.FSMETA_S_ISUID;
    public static final int S_ISGID = Native.FSMETA_S_ISGID;
    public static final int S_ISVTX = Native.FSMETA_S_ISVTX;
    public static final int FLAG_IMMUTABLE = Native.FSMETA_FLAG_IMMUTABLE;
    public static final int FLAG_APPEND = Native.FSMETA_FLAG_APPEND;

    /** From the natives' long[ATTR_LONGS] layout, starting at index off. */
    static Attr fromLongs(long[] a, int off) {
        return new Attr(a[off + Native.ATTR_INO], (int) a[off + Native.ATTR_MODE], (int) a[off + Native.ATTR_NLINK],
                (int) a[off + Native.ATTR_UID], (int) a[off + Native.ATTR_GID], (int) a[off + Native.ATTR_RDEV],
                (int) a[off + Native.ATTR_FLAGS], a[off + Native.ATTR_SIZE], a[off + Native.ATTR_BLOCKS],
                a[off + Native.ATTR_ATIME_NS], a[off + Native.ATTR_MTIME_NS], a[off + Native.ATTR_CTIME_NS]);
    }

    /** The type bits ({@code mode & S_IFMT}). */
    public int type() {
        return mode & S_IFMT;
    }

    /** The permission bits ({@code mode & 07777}, with set-uid, set-gid and sticky). */
    public int permissions() {
        return mode & 07777;
    }

    public boolean isDirectory() {
        return type() == S_IFDIR;
    }

    public boolean isRegularFile() {
        return type() == S_IFREG;
    }

    public boolean isSymbolicLink() {
        return type() == S_IFLNK;
    }

    public boolean isFifo() {
        return type() == S_IFIFO;
    }

    public boolean isSocket() {
        return type() == S_IFSOCK;
    }

    public boolean isCharacterDevice() {
        return type() == S_IFCHR;
    }

    public boolean isBlockDevice() {
        return type() == S_IFBLK;
    }

    /** Neither a regular file, a directory nor a symlink. */
    public boolean isOther() {
        return !isRegularFile() && !isDirectory() && !isSymbolicLink();
    }

    public boolean isImmutable() {
        return (flags & FLAG_IMMUTABLE) != 0;
    }

    public boolean isAppendOnly() {
        return (flags & FLAG_APPEND) != 0;
    }

    public boolean isSticky() {
        return (mode & S_ISVTX) != 0;
    }

    /** uid as an unsigned value. */
    public long uidUnsigned() {
        return Integer.toUnsignedLong(uid);
    }

    /** gid as an unsigned value. */
    public long gidUnsigned() {
        return Integer.toUnsignedLong(gid);
    }

    /** Modification time in milliseconds (Hadoop's FileStatus unit). */
    public long mtimeMillis() {
        return Math.floorDiv(mtimeNs, 1_000_000L);
    }

    /** Access time in milliseconds. */
    public long atimeMillis() {
        return Math.floorDiv(atimeNs, 1_000_000L);
    }

    @Override
    public String toString() {
        return "Attr[ino=" + ino + ", mode=0" + Integer.toOctalString(mode) + ", nlink=" + Integer.toUnsignedString(nlink)
                + ", uid=" + Integer.toUnsignedString(uid) + ", gid=" + Integer.toUnsignedString(gid) + ", rdev=" + rdev
                + ", flags=" + flags + ", size=" + size + ", blocks=" + blocks + ", atime=" + atimeNs + ", mtime="
                + mtimeNs + ", ctime=" + ctimeNs + "]";
    }
}
