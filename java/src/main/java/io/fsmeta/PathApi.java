package io.fsmeta;

import static io.fsmeta.FsMeta.c;
import static io.fsmeta.FsMeta.utf8;

import io.fsmeta.internal.Native;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

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

    /**
     * A {@link java.nio.file.Path} as the engine's path string: its name elements joined with '/', after a '/' when
     * it has a root (so whatever the Path's file system writes as separator). A relative Path is, as a relative
     * String, from the engine's root; the empty Path is the empty path (FileNotFoundException).
     */
    static String str(java.nio.file.Path p) {
        Objects.requireNonNull(p, "path");
        StringBuilder b = new StringBuilder();
        if (p.getRoot() != null) b.append('/');
        for (int i = 0; i < p.getNameCount(); i++) {
            if (i > 0) b.append('/');
            b.append(p.getName(i));
        }
        return b.toString();
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

    /** The status of a directory to list, a missing one reported as op (Hadoop's message). */
    private static FileStatus listed(FsMeta fs, CallerContext ctx, String path, String op) throws IOException {
        try {
            return getFileStatus(fs, ctx, path);
        } catch (FileNotFoundException e) {
            FileNotFoundException f = new FileNotFoundException(op + " " + path + ": no such file or directory");
            f.initCause(e.getCause());
            throw f;
        }
    }

    /** An iterator of one element (the status of a path that is not a directory). */
    private static final class One<E> implements RemoteIterator<E> {
        private E e;

        One(E e) {
            this.e = e;
        }

        @Override
        public boolean hasNext() {
            return e != null;
        }

        @Override
        public E next() {
            if (e == null) throw new NoSuchElementException();
            E r = e;
            e = null;
            return r;
        }

        @Override
        public void close() {
            e = null;
        }
    }

    static RemoteIterator<FileStatus> listStatusIterator(FsMeta fs, CallerContext ctx, String path)
            throws IOException {
        FileStatus self = listed(fs, ctx, path, "listStatusIterator");
        if (!self.isDirectory()) return new One<>(self);
        return new Walk(fs, ctx, self, path, false, false);
    }

    static RemoteIterator<FileStatus> listFiles(FsMeta fs, CallerContext ctx, String path, boolean recursive)
            throws IOException {
        FileStatus self = listed(fs, ctx, path, "listFiles");
        if (!self.isDirectory()) return new One<>(self);
        return new Walk(fs, ctx, self, path, true, recursive);
    }

    /**
     * A listing read as it goes: one {@link DirStream} open at a time. listStatusIterator: every entry of one
     * directory. listFiles: the entries that are neither directories nor symlinks (Hadoop's isFile), and with
     * recursive those of every subdirectory, which are remembered (parent inode, name, path) while their directory
     * is read and listed after it, each found again by lookup (so with the caller's search permission checked, and a
     * subdirectory removed or replaced meanwhile skipped).
     */
    private static final class Walk implements RemoteIterator<FileStatus> {
        private static final class Dir {
            final long parent;
            final byte[] name;
            final String path;

            Dir(long parent, byte[] name, String path) {
                this.parent = parent;
                this.name = name;
                this.path = path;
            }
        }

        private final FsMeta fs;
        private final CallerContext ctx;
        private final boolean filesOnly;
        private final boolean recursive;
        private final String op;
        private final Deque<Dir> pending = new ArrayDeque<>();
        private DirStream cur;
        private String curPath;
        private long curIno;
        private FileStatus next;
        private boolean done;

        Walk(FsMeta fs, CallerContext ctx, FileStatus dir, String path, boolean filesOnly, boolean recursive)
                throws IOException {
            this.fs = fs;
            this.ctx = ctx;
            this.filesOnly = filesOnly;
            this.recursive = recursive;
            this.op = filesOnly ? "listFiles" : "listStatusIterator";
            this.cur = fs.openDir(ctx, dir.attr().ino(), true, op, path);
            this.curPath = path;
            this.curIno = dir.attr().ino();
        }

        @Override
        public boolean hasNext() throws IOException {
            if (next != null) return true;
            if (done) return false;
            try {
                next = advance();
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
            if (next == null) close();
            return next != null;
        }

        private FileStatus advance() throws IOException {
            for (;;) {
                if (cur == null) {
                    Dir d = pending.poll();
                    if (d == null) return null;
                    long[] a = new long[Native.ATTR_LONGS];
                    int st = Native.fsmeta_lookup(a, fs.h(), c(ctx), d.parent, d.name);
                    Reference.reachabilityFence(fs);
                    if (st == Native.FSMETA_ENOENT) continue; // removed since it was listed
                    if (st != 0) throw fs.fail(st, op, d.path);
                    Attr attr = Attr.fromLongs(a, 0);
                    if (!attr.isDirectory()) continue; // replaced by a non-directory since
                    try {
                        cur = fs.openDir(ctx, attr.ino(), true, op, d.path);
                    } catch (FileNotFoundException e) {
                        continue;
                    }
                    curPath = d.path;
                    curIno = attr.ino();
                }
                DirEntry e = cur.read();
                if (e == null) {
                    cur.close();
                    cur = null;
                    continue;
                }
                String p = join(curPath, e.name());
                Attr attr = e.attr();
                if (filesOnly) {
                    if (attr.isDirectory()) {
                        if (recursive) pending.push(new Dir(curIno, e.nameBytes(), p));
                        continue;
                    }
                    if (attr.isSymbolicLink()) continue;
                }
                return new FileStatus(p, attr);
            }
        }

        @Override
        public FileStatus next() throws IOException {
            if (!hasNext()) throw new NoSuchElementException();
            FileStatus r = next;
            next = null;
            return r;
        }

        @Override
        public void close() {
            done = true;
            pending.clear();
            if (cur != null) {
                cur.close();
                cur = null;
            }
        }
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

    /**
     * Renames src to exactly dst (never into it), replacing an existing dst only with OVERWRITE: one
     * {@code fsmeta_rename}, flags 0 (rename(2): atomic replacement, the engine's type and emptiness checks) or
     * RENAME_NOREPLACE. The same path as source and destination is FileAlreadyExistsException (Hadoop's answer).
     */
    static void rename(FsMeta fs, CallerContext ctx, String src, String dst, RenameOption... options)
            throws IOException {
        boolean overwrite = false;
        for (RenameOption o : Objects.requireNonNull(options, "options")) {
            if (Objects.requireNonNull(o, "option") == RenameOption.OVERWRITE) overwrite = true;
        }
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        notEmpty(src, "rename");
        notEmpty(dst, "rename");
        Split s = new Split(src);
        if (s.isRoot()) throw new FsMetaException(Native.FSMETA_EBUSY, "rename", src, "the root").toIOException();
        Split d = new Split(dst);
        if (d.isRoot()) {
            throw new FsMetaException(overwrite ? Native.FSMETA_EBUSY : Native.FSMETA_EEXIST, "rename", dst,
                    "the root").toIOException();
        }
        long srcParent = parentIno(fs, ctx, s, "rename", src);
        long dstParent = parentIno(fs, ctx, d, "rename", dst);
        byte[] srcName = utf8(s.name);
        byte[] dstName = utf8(d.name);
        if (srcParent == dstParent && s.name.equals(d.name)) {
            int st = Native.fsmeta_lookup(null, fs.h(), c(ctx), srcParent, srcName);
            Reference.reachabilityFence(fs);
            if (st != 0) throw fs.fail(st, "rename", src);
            throw new FsMetaException(Native.FSMETA_EEXIST, "rename", dst, "the source and destination are the same")
                    .toIOException();
        }
        int st = Native.fsmeta_rename(fs.h(), c(ctx), srcParent, srcName, dstParent, dstName,
                overwrite ? 0 : Native.FSMETA_RENAME_NOREPLACE);
        Reference.reachabilityFence(fs);
        if (st != 0) throw fs.fail(st, "rename", src + " -> " + dst);
    }

    static void createSymlink(FsMeta fs, CallerContext ctx, String target, String link, boolean createParent)
            throws IOException {
        byte[] t = utf8(Objects.requireNonNull(target, "target"));
        Objects.requireNonNull(link, "link");
        notEmpty(link, "createSymlink");
        Split s = new Split(link);
        if (s.isRoot()) throw new FsMetaException(Native.FSMETA_EEXIST, "createSymlink", link, "the root").toIOException();
        if (createParent) {
            int st = Native.fsmeta_mkdir_all(null, fs.h(), c(ctx), utf8(s.parent), 0777);
            Reference.reachabilityFence(fs);
            if (st != 0) throw fs.fail(st, "createSymlink", link);
        }
        long parent = parentIno(fs, ctx, s, "createSymlink", link);
        int st = Native.fsmeta_symlink(null, fs.h(), c(ctx), parent, utf8(s.name), t);
        Reference.reachabilityFence(fs);
        if (st != 0) throw fs.fail(st, "createSymlink", link);
    }

    static String getLinkTarget(FsMeta fs, CallerContext ctx, String path) throws IOException {
        long ino = pathIno(fs, ctx, path, false, "getLinkTarget");
        byte[] buf = new byte[Native.FSMETA_SYMLINK_MAX + 1];
        long[] len = new long[1];
        int st = Native.fsmeta_readlink(buf, len, fs.h(), c(ctx), ino);
        Reference.reachabilityFence(fs);
        if (st == Native.FSMETA_EINVAL) {
            throw new FsMetaException(st, "getLinkTarget", path, "not a symbolic link").toIOException();
        }
        if (st != 0) throw fs.fail(st, "getLinkTarget", path);
        return new String(buf, 0, (int) len[0], StandardCharsets.UTF_8);
    }

    static boolean truncate(FsMeta fs, CallerContext ctx, String path, long newLength) throws IOException {
        Objects.requireNonNull(path, "path");
        if (newLength < 0) throw new IllegalArgumentException("truncate " + path + ": negative length " + newLength);
        long[] a = new long[Native.ATTR_LONGS];
        int st = Native.fsmeta_resolve(a, fs.h(), c(ctx), utf8(path), Native.FSMETA_RESOLVE_FOLLOW);
        Reference.reachabilityFence(fs);
        if (st != 0) throw fs.fail(st, "truncate", path);
        Attr attr = Attr.fromLongs(a, 0);
        if (attr.isDirectory()) {
            throw new FsMetaException(Native.FSMETA_EISDIR, "truncate", path, "a directory").toIOException();
        }
        if (newLength > attr.size()) {
            throw new IllegalArgumentException("truncate " + path + ": cannot truncate to a larger size ("
                    + newLength + " > " + attr.size() + ")");
        }
        setattrPath(fs, ctx, attr.ino(), SetAttr.builder().size(newLength).build(), "truncate", path);
        return true;
    }

    static void access(FsMeta fs, CallerContext ctx, String path, int mode) throws IOException {
        long ino = pathIno(fs, ctx, path, true, "access");
        int st = Native.fsmeta_access(fs.h(), c(ctx), ino, mode);
        Reference.reachabilityFence(fs);
        if (st != 0) throw fs.fail(st, "access", path);
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
