package io.fsmeta;

import io.fsmeta.internal.Native;

/**
 * The changes of a {@link FsMeta#setattr} call: which fields (the mask) and their new values. Immutable; build with
 * {@link #builder()}. An empty change (mask 0) changes nothing.
 */
public final class SetAttr {
    public static final int MODE = Native.FSMETA_SET_MODE;
    public static final int UID = Native.FSMETA_SET_UID;
    public static final int GID = Native.FSMETA_SET_GID;
    public static final int SIZE = Native.FSMETA_SET_SIZE;
    public static final int ATIME = Native.FSMETA_SET_ATIME;
    public static final int MTIME = Native.FSMETA_SET_MTIME;
    public static final int ATIME_NOW = Native.FSMETA_SET_ATIME_NOW;
    public static final int MTIME_NOW = Native.FSMETA_SET_MTIME_NOW;
    public static final int CTIME = Native.FSMETA_SET_CTIME;
    public static final int FLAGS = Native.FSMETA_SET_FLAGS;

    final int mask;
    final long[] in;

    private SetAttr(int mask, long[] in) {
        this.mask = mask;
        this.in = in;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int mask() {
        return mask;
    }

    /** Builder of {@link SetAttr}. */
    public static final class Builder {
        private int mask;
        private final long[] in = new long[Native.SETATTR_IN_LONGS];

        private Builder() {}

        /** Permission bits (07777). */
        public Builder mode(int mode) {
            mask |= MODE;
            in[Native.SETATTR_IN_MODE] = Integer.toUnsignedLong(mode);
            return this;
        }

        public Builder uid(int uid) {
            mask |= UID;
            in[Native.SETATTR_IN_UID] = Integer.toUnsignedLong(uid);
            return this;
        }

        public Builder gid(int gid) {
            mask |= GID;
            in[Native.SETATTR_IN_GID] = Integer.toUnsignedLong(gid);
            return this;
        }

        public Builder size(long size) {
            mask |= SIZE;
            in[Native.SETATTR_IN_SIZE] = size;
            return this;
        }

        public Builder atime(long ns) {
            mask |= ATIME;
            in[Native.SETATTR_IN_ATIME_NS] = ns;
            return this;
        }

        public Builder mtime(long ns) {
            mask |= MTIME;
            in[Native.SETATTR_IN_MTIME_NS] = ns;
            return this;
        }

        public Builder atimeNow() {
            mask |= ATIME_NOW;
            return this;
        }

        public Builder mtimeNow() {
            mask |= MTIME_NOW;
            return this;
        }

        /** Root only. */
        public Builder ctime(long ns) {
            mask |= CTIME;
            in[Native.SETATTR_IN_CTIME_NS] = ns;
            return this;
        }

        /** {@link Attr#FLAG_IMMUTABLE} | {@link Attr#FLAG_APPEND}; root only. */
        public Builder flags(int flags) {
            mask |= FLAGS;
            in[Native.SETATTR_IN_FLAGS] = Integer.toUnsignedLong(flags);
            return this;
        }

        /** ORs raw mask bits in (for tests of unknown bits). */
        public Builder rawMask(int bits) {
            mask |= bits;
            return this;
        }

        public SetAttr build() {
            return new SetAttr(mask, in.clone());
        }
    }
}
