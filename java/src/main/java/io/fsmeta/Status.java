package io.fsmeta;

import io.fsmeta.internal.Native;

/**
 * Every status code of the C API ({@code FSMETA_*} in fsmeta.h), with the exception it becomes in Java.
 *
 * <p>This enum is the one mapping table of the SDK: {@link #exceptionKind()} says which JDK exception a failure
 * with this status is thrown as, and {@link FsMetaException#toIOException} applies it. See {@link FsMetaException}
 * for the hierarchy.
 */
public enum Status {
    OK(Native.FSMETA_OK, Kind.NONE),
    EPERM(Native.FSMETA_EPERM, Kind.ACCESS_DENIED),
    ENOENT(Native.FSMETA_ENOENT, Kind.NOT_FOUND),
    EIO(Native.FSMETA_EIO, Kind.OTHER),
    E2BIG(Native.FSMETA_E2BIG, Kind.OTHER),
    EBADF(Native.FSMETA_EBADF, Kind.OTHER),
    EAGAIN(Native.FSMETA_EAGAIN, Kind.OTHER),
    ENOMEM(Native.FSMETA_ENOMEM, Kind.OTHER),
    EACCES(Native.FSMETA_EACCES, Kind.ACCESS_DENIED),
    EBUSY(Native.FSMETA_EBUSY, Kind.OTHER),
    EEXIST(Native.FSMETA_EEXIST, Kind.ALREADY_EXISTS),
    EXDEV(Native.FSMETA_EXDEV, Kind.OTHER),
    ENODEV(Native.FSMETA_ENODEV, Kind.OTHER),
    ENOTDIR(Native.FSMETA_ENOTDIR, Kind.NOT_DIRECTORY),
    EISDIR(Native.FSMETA_EISDIR, Kind.OTHER),
    EINVAL(Native.FSMETA_EINVAL, Kind.OTHER),
    EMFILE(Native.FSMETA_EMFILE, Kind.OTHER),
    EFBIG(Native.FSMETA_EFBIG, Kind.OTHER),
    ENOSPC(Native.FSMETA_ENOSPC, Kind.OTHER),
    EROFS(Native.FSMETA_EROFS, Kind.OTHER),
    EMLINK(Native.FSMETA_EMLINK, Kind.OTHER),
    ERANGE(Native.FSMETA_ERANGE, Kind.OTHER),
    ENAMETOOLONG(Native.FSMETA_ENAMETOOLONG, Kind.OTHER),
    ENOSYS(Native.FSMETA_ENOSYS, Kind.OTHER),
    ENOTEMPTY(Native.FSMETA_ENOTEMPTY, Kind.DIRECTORY_NOT_EMPTY),
    ELOOP(Native.FSMETA_ELOOP, Kind.OTHER),
    ENODATA(Native.FSMETA_ENODATA, Kind.OTHER),
    EOVERFLOW(Native.FSMETA_EOVERFLOW, Kind.OTHER),
    EOPNOTSUPP(Native.FSMETA_EOPNOTSUPP, Kind.OTHER),
    EDQUOT(Native.FSMETA_EDQUOT, Kind.OTHER),
    EBADHANDLE(Native.FSMETA_EBADHANDLE, Kind.OTHER),
    EINTERNAL(Native.FSMETA_EINTERNAL, Kind.OTHER),
    ITEROVER(Native.FSMETA_ITEROVER, Kind.NONE),
    ECLOSED(Native.FSMETA_ECLOSED, Kind.OTHER),
    ETOOSMALL(Native.FSMETA_ETOOSMALL, Kind.OTHER),
    EVERSION(Native.FSMETA_EVERSION, Kind.OTHER),
    ENOTLEADER(Native.FSMETA_ENOTLEADER, Kind.OTHER),
    ECORRUPT(Native.FSMETA_ECORRUPT, Kind.OTHER),
    /** A negative value this SDK does not know (a newer library). */
    UNKNOWN(Integer.MIN_VALUE, Kind.OTHER);

    /** Which exception a status is thrown as. */
    public enum Kind {
        /** Not a failure (OK, ITEROVER): never thrown. */
        NONE,
        /** {@link java.io.FileNotFoundException}. */
        NOT_FOUND,
        /** {@link java.nio.file.FileAlreadyExistsException}. */
        ALREADY_EXISTS,
        /** {@link java.nio.file.DirectoryNotEmptyException}. */
        DIRECTORY_NOT_EMPTY,
        /** {@link java.nio.file.AccessDeniedException} (EACCES and EPERM, as Hadoop's AccessControlException). */
        ACCESS_DENIED,
        /** {@link java.nio.file.NotDirectoryException}. */
        NOT_DIRECTORY,
        /** {@link FsMetaException} itself. */
        OTHER
    }

    private final int code;
    private final Kind kind;

    Status(int code, Kind kind) {
        this.code = code;
        this.kind = kind;
    }

    /** The C status code (0 or negative). */
    public int code() {
        return code;
    }

    /** The exception this status is thrown as. */
    public Kind exceptionKind() {
        return kind;
    }

    /** The POSIX errno (positive) of codes -1..-999, else 0. */
    public int errno() {
        return code < 0 && code > -1000 ? -code : 0;
    }

    private static final Status[] POSIX = new Status[1000];
    private static final Status[] OWN = new Status[1000];

    static {
        for (Status s : values()) {
            if (s == UNKNOWN) continue;
            if (s.code <= 0 && s.code > -1000) POSIX[-s.code] = s;
            else if (s.code <= -1000 && s.code > -2000) OWN[-s.code - 1000] = s;
        }
    }

    /** The constant of a C status code; {@link #UNKNOWN} for a code this SDK does not know. */
    public static Status of(int code) {
        Status s = null;
        if (code <= 0 && code > -1000) s = POSIX[-code];
        else if (code <= -1000 && code > -2000) s = OWN[-code - 1000];
        return s != null ? s : UNKNOWN;
    }
}
