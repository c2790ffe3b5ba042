package io.fsmeta.internal;

import java.nio.charset.StandardCharsets;

/**
 * The generated JNI layer (Native.java + fsmeta_jni.c) called directly: every argument kind once and the null/short
 * array rules (a short or missing required array is EINVAL without calling the library).
 */
class NativeGlueTest {
    private static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what + ": " + new String(Native.fsmeta_last_error(), StandardCharsets.UTF_8));
    }

    private static void eq(long want, long got, String what) {
        check(want == got, what + ": want " + want + ", got " + got);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @org.junit.jupiter.api.Test
    void everyArgumentKind() throws Exception {
        io.fsmeta.FsMeta.versionNumber(); // loads the natives (from target/classes/META-INF/native)

        eq(Native.FSMETA_VERSION_NUMBER, Native.fsmeta_version_number(), "version");
        check(new String(Native.fsmeta_version_string(), StandardCharsets.UTF_8).equals(Native.FSMETA_VERSION_STRING), "version string");

        long[] opts = new long[Native.OPTIONS_LONGS];
        eq(0, Native.fsmeta_options_init(opts, Native.FSMETA_OPTIONS_VERSION), "options_init");
        eq(Native.FSMETA_OPTIONS_VERSION, opts[Native.OPTIONS_VERSION], "options version");
        opts[Native.OPTIONS_IN_MEMORY] = 1;
        long[] h = new long[1];
        eq(Native.FSMETA_EINVAL, Native.fsmeta_open(null, opts, null), "open null out");
        eq(Native.FSMETA_EINVAL, Native.fsmeta_open(new long[0], opts, null), "open short out");
        eq(Native.FSMETA_EINVAL, Native.fsmeta_open(h, null, null), "open null opts");
        eq(Native.FSMETA_EINVAL, Native.fsmeta_open(h, opts, new byte[] {'a', 0}), "open NUL in dir");
        eq(0, Native.fsmeta_open(h, opts, null), "open");
        long db = h[0];
        try {
            long[] attr = new long[Native.ATTR_LONGS];
            eq(0, Native.fsmeta_mkdir(attr, db, null, Native.FSMETA_ROOT_INO, b("data"), 0755), "mkdir");
            long ino = attr[Native.ATTR_INO];
            eq(Native.FSMETA_S_IFDIR | 0755, attr[Native.ATTR_MODE], "mode");
            eq(Native.FSMETA_EEXIST, Native.fsmeta_mkdir(null, db, null, Native.FSMETA_ROOT_INO, b("data"), 0755), "mkdir again");
            eq(Native.FSMETA_EINVAL, Native.fsmeta_mkdir(null, db, null, Native.FSMETA_ROOT_INO, null, 0755), "mkdir null name");
            eq(Native.FSMETA_EINVAL, Native.fsmeta_getattr(new long[3], db, null, ino), "getattr short attr");
            eq(Native.FSMETA_EBADHANDLE, Native.fsmeta_getattr(attr, 12345, null, ino), "getattr forged handle");
            long[] got = new long[Native.ATTR_LONGS];
            eq(0, Native.fsmeta_lookup(got, db, null, Native.FSMETA_ROOT_INO, b("data")), "lookup");
            eq(ino, got[Native.ATTR_INO], "lookup ino");
            eq(0, Native.fsmeta_getattr(null, db, null, ino), "getattr existence check");

            // ctx: uid 1000 (groups 1000, 27) may not create in the root directory; a short ctx is refused
            int[] user = {1000, 1000, 022, 1000, 27};
            eq(Native.FSMETA_EACCES, Native.fsmeta_mkdir(null, db, user, Native.FSMETA_ROOT_INO, b("x"), 0755), "mkdir as user");
            eq(Native.FSMETA_EINVAL, Native.fsmeta_mkdir(null, db, new int[2], Native.FSMETA_ROOT_INO, b("x"), 0755), "short ctx");
            int[] many = new int[3 + 100]; // beyond the glue's stack groups
            many[0] = 1000;
            eq(Native.FSMETA_EACCES, Native.fsmeta_mkdir(null, db, many, Native.FSMETA_ROOT_INO, b("x"), 0755), "mkdir as user, 100 groups");

            // symlink + readlink into a caller buffer (size query first)
            eq(0, Native.fsmeta_symlink(null, db, null, ino, b("ln"), b("target/é")), "symlink");
            long[] ln = new long[Native.ATTR_LONGS];
            eq(0, Native.fsmeta_lookup(ln, db, null, ino, b("ln")), "lookup ln");
            long[] len = new long[1];
            eq(Native.FSMETA_ETOOSMALL, Native.fsmeta_readlink(null, len, db, null, ln[Native.ATTR_INO]), "readlink size");
            byte[] buf = new byte[(int) len[0]];
            eq(0, Native.fsmeta_readlink(buf, len, db, null, ln[Native.ATTR_INO]), "readlink");
            check(new String(buf, StandardCharsets.UTF_8).equals("target/é"), "readlink target");
            eq(Native.FSMETA_EINVAL, Native.fsmeta_readlink(buf, null, db, null, ln[Native.ATTR_INO]), "readlink null len");

            // library-owned buffer
            eq(0, Native.fsmeta_setxattr(db, null, ino, b("user.k"), b("v"), 0), "setxattr");
            byte[][] out = new byte[1][];
            eq(0, Native.fsmeta_listxattr(out, db, null, ino), "listxattr");
            check(new String(out[0], StandardCharsets.UTF_8).equals("user.k\0"), "listxattr names");
            eq(Native.FSMETA_EINVAL, Native.fsmeta_listxattr(null, db, null, ino), "listxattr null");

            // directory iterator
            long[] d = new long[1];
            eq(0, Native.fsmeta_dir_open(d, db, null, Native.FSMETA_ROOT_INO, Native.FSMETA_DIR_PLUS), "dir_open");
            long[] ent = new long[Native.DIRENT_LONGS];
            byte[] name = new byte[Native.DIRENT_NAME_SIZE];
            eq(Native.FSMETA_EINVAL, Native.fsmeta_dir_next(ent, null, d[0]), "dir_next null name");
            eq(0, Native.fsmeta_dir_next(ent, name, d[0]), "dir_next");
            check(new String(name, 0, (int) ent[Native.DIRENT_NAME_LEN], StandardCharsets.UTF_8).equals("data"), "dirent name");
            eq(ino, ent[Native.DIRENT_ATTR + Native.ATTR_INO], "dirent attr ino");
            eq(Native.FSMETA_ITEROVER, Native.fsmeta_dir_next(ent, name, d[0]), "dir_next end");
            eq(0, Native.fsmeta_dir_close(d[0]), "dir_close");

            // a regular file's slices: a struct in, a struct array in, a fsmeta_buf of structs out
            long[] f = new long[Native.ATTR_LONGS];
            eq(0, Native.fsmeta_create(f, db, null, ino, b("f"), 0644), "create");
            long[] id = new long[1];
            eq(0, Native.fsmeta_slice_id_new(id, db, null, 1), "new_slice_id");
            long[] slice = {id[0], 0, 100, 0, 100};
            eq(0, Native.fsmeta_slice_write(f, db, null, f[Native.ATTR_INO], 0, slice), "write_slice");
            eq(100, f[Native.ATTR_SIZE], "size after write_slice");
            eq(Native.FSMETA_EINVAL, Native.fsmeta_slice_write(null, db, null, f[Native.ATTR_INO], 0, new long[4]), "short slice");
            eq(0, Native.fsmeta_chunk_read(out, db, null, f[Native.ATTR_INO], 0), "read_chunk");
            eq(Native.SLICE_SIZEOF, out[0].length, "one slice");
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(out[0]).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            eq(id[0], bb.getLong(Native.SLICE_OFF_ID), "slice id");
            eq(100, bb.getInt(Native.SLICE_OFF_LEN), "slice len");
            eq(Native.FSMETA_EINVAL, Native.fsmeta_chunk_compact(out, db, null, f[Native.ATTR_INO], 0, new long[7], slice), "compact ragged");
            eq(0, Native.fsmeta_chunk_compact(out, db, null, f[Native.ATTR_INO], 0, null, null), "compact");

            long[] stats = new long[Native.STATS_INFO_LONGS];
            eq(0, Native.fsmeta_stats(stats, db), "stats");
            eq(Native.FSMETA_STATS_VERSION, stats[Native.STATS_INFO_VERSION], "stats version");
            eq(2, stats[Native.STATS_INFO_DIRS], "stats dirs");

        } finally {
            eq(0, Native.fsmeta_close(db), "close");
        }
        eq(Native.FSMETA_EBADHANDLE, Native.fsmeta_close(db), "close again");
    }
}
