package io.fsmeta;

import io.fsmeta.internal.Native;
import java.util.Arrays;

/**
 * The identity an operation runs as: uid, gid, supplementary groups and umask. Immutable and thread-safe; build one
 * per user and reuse it. {@link #ROOT} is uid 0 (which bypasses permission checks, as on Linux) with umask 0.
 * Ids are unsigned 32-bit values carried in {@code int}.
 */
public final class CallerContext {
    /** Root: uid 0, gid 0, no groups, umask 0 (the C API's NULL ctx). */
    public static final CallerContext ROOT = new CallerContext(0, 0, 0, new int[0], true);

    private final int uid;
    private final int gid;
    private final int umask;
    private final int[] groups;
    /** The ctx array handed to the natives: {uid, gid, umask, groups...}, or null for ROOT. Never modified. */
    final int[] raw;

    private CallerContext(int uid, int gid, int umask, int[] groups, boolean root) {
        this.uid = uid;
        this.gid = gid;
        this.umask = umask;
        this.groups = groups;
        if (root) {
            this.raw = null;
        } else {
            int[] r = new int[Native.CTX_GROUPS + groups.length];
            r[Native.CTX_UID] = uid;
            r[Native.CTX_GID] = gid;
            r[Native.CTX_UMASK] = umask;
            System.arraycopy(groups, 0, r, Native.CTX_GROUPS, groups.length);
            this.raw = r;
        }
    }

    /** A caller with no supplementary groups. */
    public static CallerContext of(int uid, int gid, int umask) {
        return of(uid, gid, umask, new int[0]);
    }

    /**
     * A caller. umask must be within 0777. At most {@code FSMETA_GROUPS_MAX} (65536) supplementary groups: the
     * engine refuses a caller with more in every call and every mode (status EINVAL in the C API and the other
     * SDKs), so this refuses to build one, with an {@link IllegalArgumentException} that says so.
     */
    public static CallerContext of(int uid, int gid, int umask, int... groups) {
        if ((umask & ~0777) != 0) throw new IllegalArgumentException("umask beyond 0777: " + Integer.toOctalString(umask));
        if (groups.length > Native.FSMETA_GROUPS_MAX) {
            throw new IllegalArgumentException("caller has " + groups.length + " supplementary groups, at most "
                    + Native.FSMETA_GROUPS_MAX + " (FSMETA_GROUPS_MAX; EINVAL)");
        }
        return new CallerContext(uid, gid, umask, groups.clone(), false);
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    public int umask() {
        return umask;
    }

    /** A copy of the supplementary groups. */
    public int[] groups() {
        return groups.clone();
    }

    /** The same caller with another umask. */
    public CallerContext withUmask(int umask) {
        return of(uid, gid, umask, groups);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CallerContext)) return false;
        CallerContext c = (CallerContext) o;
        return uid == c.uid && gid == c.gid && umask == c.umask && Arrays.equals(groups, c.groups)
                && (raw == null) == (c.raw == null);
    }

    @Override
    public int hashCode() {
        return ((uid * 31 + gid) * 31 + umask) * 31 + Arrays.hashCode(groups);
    }

    @Override
    public String toString() {
        if (raw == null) return "CallerContext[root]";
        return "CallerContext[uid=" + Integer.toUnsignedString(uid) + ", gid=" + Integer.toUnsignedString(gid)
                + ", groups=" + Arrays.toString(groups) + ", umask=0" + Integer.toOctalString(umask) + "]";
    }
}
