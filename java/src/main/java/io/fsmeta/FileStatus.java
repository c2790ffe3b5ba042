package io.fsmeta;

/**
 * A path and its attributes: what the path API returns ({@link FsMeta#getFileStatus}, {@link FsMeta#listStatus}),
 * shaped after Hadoop's {@code FileStatus} (length, isDirectory, modification time in ms, permission, owner and
 * group ids).
 */
public record FileStatus(String path, Attr attr) {
    public boolean isDirectory() {
        return attr.isDirectory();
    }

    public boolean isFile() {
        return attr.isRegularFile();
    }

    public boolean isSymlink() {
        return attr.isSymbolicLink();
    }

    public long length() {
        return attr.isRegularFile() ? attr.size() : 0;
    }

    /** Permission bits (07777). */
    public int permission() {
        return attr.permissions();
    }

    public long modificationTime() {
        return attr.mtimeMillis();
    }

    public long accessTime() {
        return attr.atimeMillis();
    }

    public int owner() {
        return attr.uid();
    }

    public int group() {
        return attr.gid();
    }

    /** The last component of the path ("" for the root). */
    public String name() {
        int i = path.lastIndexOf('/');
        return i < 0 ? path : path.substring(i + 1);
    }
}
