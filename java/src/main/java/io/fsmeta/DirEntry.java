package io.fsmeta;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One entry of a directory listing: name (bytes as stored; {@link #name()} decodes them as UTF-8), inode, type, and
 * with a {@linkplain FsMeta#openDir(CallerContext, long, boolean) plus} listing the attributes (else null).
 */
public final class DirEntry {
    private final byte[] name;
    private final long ino;
    private final int type;
    private final Attr attr;

    DirEntry(byte[] name, long ino, int type, Attr attr) {
        this.name = name;
        this.ino = ino;
        this.type = type;
        this.attr = attr;
    }

    /** The name decoded as UTF-8 (invalid bytes become U+FFFD; use {@link #nameBytes()} for the exact name). */
    public String name() {
        return new String(name, StandardCharsets.UTF_8);
    }

    /** A copy of the name's bytes. */
    public byte[] nameBytes() {
        return name.clone();
    }

    public long ino() {
        return ino;
    }

    /** The type bits ({@link Attr#S_IFMT}). */
    public int type() {
        return type;
    }

    public boolean isDirectory() {
        return type == Attr.S_IFDIR;
    }

    /** The attributes (plus listings), else null. */
    public Attr attr() {
        return attr;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DirEntry)) return false;
        DirEntry e = (DirEntry) o;
        return ino == e.ino && type == e.type && Arrays.equals(name, e.name) && java.util.Objects.equals(attr, e.attr);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(name) * 31 + Long.hashCode(ino);
    }

    @Override
    public String toString() {
        return "DirEntry[" + name() + ", ino=" + ino + ", type=0" + Integer.toOctalString(type) + "]";
    }
}
