package io.fsmeta;

import static io.fsmeta.FsMeta.c;
import static io.fsmeta.FsMeta.utf8;

import io.fsmeta.internal.Native;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The path API of {@link FsMeta}, shaped for Hadoop's {@code FileSystem}: the public methods are FsMeta's (and
 * documented there), which call these. Every operation resolves its path (or its parent's) with
 * {@code fsmeta_resolve}, then works by inode, through the same native calls and error mapping as the inode API;
 * {@link Reference#reachabilityFence} keeps the FsMeta (and so its handle) alive across each native call.
 */
final class PathApi {
    private PathApi() {}

    /** A path split into its parent's path and its last component. */
    private static final class Split {
        final String parent;
        final String name;

        Split(String path) {
            String p = path;
            while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
            int i = p.lastIndexOf('/');
            this.parent = i < 0 ? "/" : (i == 0 ? "/" : p.substring(0, i));
            this.name = i < 0 ? p : p.substring(i + 1);
        }

        boolean isRoot() {
            return name.isEmpty();
        }
    }

    /**
     * The empty path names nothing (as {@code stat("")} on Linux): ENOENT, as {@code fsmeta_resolve} and
     * {@code fsmeta_mkdir_all} give, from the path operations that split their path instead.
     */
    private static void notEmpty(String path, String op) throws IOException {
        if (path.isEmpty()) throw new FsMetaException(Native.FSMETA_ENOENT, op, path, "the empty path").toIOException();
    }

    private static String join(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    /** The parent directory's inode of a path (its symlinks followed), errors reported on path. */
    private static long parentIno(FsMeta fs, CallerContext ctx, Split s, String op, String path) throws IOException {
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_resolve(a, fs.h(), c(ctx), utf8(s.parent), Native.FSMETA_RESOLVE_FOLLOW);
        Reference.reachabilityFence(fs);
        if (st != 0) throw fs.fail(st, op, path);
        return a[Native.ATTR_INO];
    }

    private static long pathIno(FsMeta fs, CallerContext ctx, String path, boolean follow, String op)
            throws IOException {
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_resolve(a, fs.h(), c(ctx), utf8(path), follow ? Native.FSMETA_RESOLVE_FOLLOW : 0);
        Reference.reachabilityFence(fs);
        if (st != 0) throw fs.fail(st, op, path);
        return a[Native.ATTR_INO];
    }

    static FileStatus getFileStatus(FsMeta fs, CallerContext ctx, String path) throws IOException {
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_resolve(a, fs.h(), c(ctx), utf8(path), Native.FSMETA_RESOLVE_FOLLOW);
        Reference.reachabilityFence(fs);
        if (st != 0) throw fs.fail(st, "getFileStatus", path);
        return new FileStatus(path, Attr.fromLongs(a, 0));
    }

    static FileStatus getFileLinkStatus(FsMeta fs, CallerContext ctx, String path) throws IOException {
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_resolve(a, fs.h(), c(ctx), utf8(path), 0);
        Reference.reachabilityFence(fs);
        if (st != 0) throw fs.fail(st, "getFileLinkStatus", path);
        return new FileStatus(path, Attr.fromLongs(a, 0));
    }

    static boolean exists(FsMeta fs, CallerContext ctx, String path) throws IOException {
        int st = Native.fsmeta_resolve(null, fs.h(), c(ctx), utf8(path), Native.FSMETA_RESOLVE_FOLLOW);
        Reference.reachabilityFence(fs);
        if (st == Native.FSMETA_ENOENT || st == Native.FSMETA_ENOTDIR) return false;
        if (st != 0) throw fs.fail(st, "exists", path);
        return true;
    }

    static List<FileStatus> listStatus(FsMeta fs, CallerContext ctx, String path) throws IOException {
        FileStatus self;
        try {
            self = getFileStatus(fs, ctx, path);
        } catch (FileNotFoundException e) {
            FileNotFoundException f = new FileNotFoundException("listStatus " + path + ": no such file or directory");
            f.initCause(e.getCause());
            throw f;
        }
        if (!self.isDirectory()) return Collections.singletonList(self);
        List<FileStatus> out = new ArrayList<>();
        try (DirStream d = fs.openDir(ctx, self.attr().ino(), true)) {
            for (DirEntry e = d.read(); e != null; e = d.read()) out.add(new FileStatus(join(path, e.name()), e.attr()));
        }
        return out;
    }

    static boolean mkdirs(FsMeta fs, CallerContext ctx, String path, int permission) throws IOException {
        fs.mkdirAll(ctx, utf8(path), permission, path);
        return true;
    }

    static FileStatus createFile(FsMeta fs, CallerContext ctx, String path, int permission) throws IOException {
        notEmpty(path, "createFile");
        Split s = new Split(path);
        if (s.isRoot()) throw new FsMetaException(Native.FSMETA_EEXIST, "createFile", path, "the root").toIOException();
        long parent = parentIno(fs, ctx, s, "createFile", path);
        byte[] name = utf8(s.name);
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_create(a, fs.h(), c(ctx), parent, name, permission);
        Reference.reachabilityFence(fs);
        if (st != 0) throw fs.fail(st, "createFile", path);
        return new FileStatus(path, Attr.fromLongs(a, 0));
    }

    static boolean rename(FsMeta fs, CallerContext ctx, String src, String dst) throws IOException {
        notEmpty(src, "rename");
        notEmpty(dst, "rename");
        Split s = new Split(src);
        if (s.isRoot()) throw new FsMetaException(Native.FSMETA_EBUSY, "rename", src, "the root").toIOException();
        long srcParent = parentIno(fs, ctx, s, "rename", src);
        long dstParent;
        String dstName;
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_resolve(a, fs.h(), c(ctx), utf8(dst), Native.FSMETA_RESOLVE_FOLLOW);
        Reference.reachabilityFence(fs);
        if (st == 0 && Attr.fromLongs(a, 0).isDirectory()) {
            dstParent = a[Native.ATTR_INO];
            dstName = s.name;
        } else {
            Split d = new Split(dst);
            if (d.isRoot()) throw new FsMetaException(Native.FSMETA_EEXIST, "rename", dst, "the root").toIOException();
            dstParent = parentIno(fs, ctx, d, "rename", dst);
            dstName = d.name;
        }
        st = Native.fsmeta_rename(fs.h(), c(ctx), srcParent, utf8(s.name), dstParent, utf8(dstName),
                Native.FSMETA_RENAME_NOREPLACE);
        Reference.reachabilityFence(fs);
        if (st != 0) throw fs.fail(st, "rename", src + " -> " + dst);
        return true;
    }

    static boolean delete(FsMeta fs, CallerContext ctx, String path, boolean recursive) throws IOException {
        Split s = new Split(path);
        if (s.isRoot()) return false; // the root, or the empty path (which names nothing)
        long parent;
        try {
            parent = parentIno(fs, ctx, s, "delete", path);
        } catch (FileNotFoundException | java.nio.file.NotDirectoryException e) {
            return false;
        }
        byte[] name = utf8(s.name);
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_lookup(a, fs.h(), c(ctx), parent, name);
        Reference.reachabilityFence(fs);
        if (st == Native.FSMETA_ENOENT) return false;
        if (st != 0) throw fs.fail(st, "delete", path);
        Attr attr = Attr.fromLongs(a, 0);
        if (!attr.isDirectory()) {
            st = Native.fsmeta_unlink(fs.h(), c(ctx), parent, name);
        } else {
            if (recursive) deleteChildren(fs, ctx, attr.ino(), path);
            st = Native.fsmeta_rmdir(fs.h(), c(ctx), parent, name);
        }
        Reference.reachabilityFence(fs);
        if (st == Native.FSMETA_ENOENT) return false;
        if (st != 0) throw fs.fail(st, "delete", path);
        return true;
    }

    private static void deleteChildren(FsMeta fs, CallerContext ctx, long dir, String path) throws IOException {
        List<DirEntry> entries = fs.readDir(ctx, dir, false);
        for (DirEntry e : entries) {
            byte[] name = e.nameBytes();
            int st;
            if (e.isDirectory()) {
                deleteChildren(fs, ctx, e.ino(), join(path, e.name()));
                st = Native.fsmeta_rmdir(fs.h(), c(ctx), dir, name);
            } else {
                st = Native.fsmeta_unlink(fs.h(), c(ctx), dir, name);
            }
            Reference.reachabilityFence(fs);
            if (st != 0 && st != Native.FSMETA_ENOENT) throw fs.fail(st, "delete", join(path, e.name()));
        }
    }

    static void setPermission(FsMeta fs, CallerContext ctx, String path, int permission) throws IOException {
        long ino = pathIno(fs, ctx, path, true, "setPermission");
        setattrPath(fs, ctx, ino, SetAttr.builder().mode(permission).build(), "setPermission", path);
    }

    static void setOwner(FsMeta fs, CallerContext ctx, String path, Integer uid, Integer gid) throws IOException {
        long ino = pathIno(fs, ctx, path, true, "setOwner");
        SetAttr.Builder b = SetAttr.builder();
        if (uid != null) b.uid(uid);
        if (gid != null) b.gid(gid);
        setattrPath(fs, ctx, ino, b.build(), "setOwner", path);
    }

    static void setTimes(FsMeta fs, CallerContext ctx, String path, long mtimeMillis, long atimeMillis)
            throws IOException {
        long ino = pathIno(fs, ctx, path, true, "setTimes");
        SetAttr.Builder b = SetAttr.builder();
        if (mtimeMillis != -1) b.mtime(Math.multiplyExact(mtimeMillis, 1_000_000L));
        if (atimeMillis != -1) b.atime(Math.multiplyExact(atimeMillis, 1_000_000L));
        setattrPath(fs, ctx, ino, b.build(), "setTimes", path);
    }

    private static void setattrPath(FsMeta fs, CallerContext ctx, long ino, SetAttr change, String op, String path)
            throws IOException {
        int st = Native.fsmeta_setattr(null, fs.h(), c(ctx), ino, change.mask, change.in);
        Reference.reachabilityFence(fs);
        if (st != 0) throw fs.fail(st, op, path);
    }

    static byte[] getXAttr(FsMeta fs, CallerContext ctx, String path, String name) throws IOException {
        return fs.getxattr(ctx, pathIno(fs, ctx, path, true, "getXAttr"), name);
    }

    static Map<String, byte[]> getXAttrs(FsMeta fs, CallerContext ctx, String path) throws IOException {
        long ino = pathIno(fs, ctx, path, true, "getXAttrs");
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (byte[] n : fs.listxattrBytes(ctx, ino)) {
            try {
                out.put(new String(n, StandardCharsets.UTF_8), fs.getxattr(ctx, ino, n));
            } catch (FsMetaException e) {
                if (e.status() != Status.ENODATA) throw e; // removed meanwhile
            }
        }
        return out;
    }

    static List<String> listXAttrs(FsMeta fs, CallerContext ctx, String path) throws IOException {
        return fs.listxattr(ctx, pathIno(fs, ctx, path, true, "listXAttrs"));
    }

    static void setXAttr(FsMeta fs, CallerContext ctx, String path, String name, byte[] value, int flags)
            throws IOException {
        fs.setxattr(ctx, pathIno(fs, ctx, path, true, "setXAttr"), name, value, flags);
    }

    static void removeXAttr(FsMeta fs, CallerContext ctx, String path, String name) throws IOException {
        fs.removexattr(ctx, pathIno(fs, ctx, path, true, "removeXAttr"), name);
    }
}
