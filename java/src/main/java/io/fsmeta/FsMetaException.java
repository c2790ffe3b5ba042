package io.fsmeta;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NotDirectoryException;

/**
 * A failed fsmeta call: the C status code, the operation, and the library's detail message.
 *
 * <p><b>Hierarchy.</b> Every failure of an fsmeta operation is a checked {@link IOException}, as in
 * {@code java.nio.file} and Hadoop's {@code FileSystem}. Where the JDK has an exception for the condition, that is
 * what is thrown, with this {@code FsMetaException} as its {@linkplain Throwable#getCause() cause} (so the status is
 * never lost):
 *
 * <table>
 * <caption>status to exception</caption>
 * <tr><th>status</th><th>thrown</th></tr>
 * <tr><td>ENOENT</td><td>{@link FileNotFoundException}</td></tr>
 * <tr><td>EEXIST</td><td>{@link FileAlreadyExistsException}</td></tr>
 * <tr><td>ENOTEMPTY</td><td>{@link DirectoryNotEmptyException}</td></tr>
 * <tr><td>EACCES, EPERM</td><td>{@link AccessDeniedException}</td></tr>
 * <tr><td>ENOTDIR</td><td>{@link NotDirectoryException}</td></tr>
 * <tr><td>every other status</td><td>{@code FsMetaException} itself</td></tr>
 * </table>
 *
 * <p>The table is {@link Status#exceptionKind()}. {@link #statusOf(Throwable)} finds the status of any exception
 * thrown by this SDK. Programming errors are unchecked: a null argument is a {@link NullPointerException}, a String
 * that is not valid UTF-16 an {@link IllegalArgumentException}, and using an {@link FsMeta} or {@link DirStream}
 * after {@code close()} an {@link IllegalStateException} (a call racing with close may instead fail with status
 * ECLOSED or EBADHANDLE; it never crashes).
 */
public class FsMetaException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final String operation;
    private final String path;

    public FsMetaException(int code, String operation, String path, String detail) {
        super(message(code, operation, path, detail));
        this.code = code;
        this.operation = operation;
        this.path = path;
    }

    private static String message(int code, String operation, String path, String detail) {
        StringBuilder b = new StringBuilder();
        b.append(operation != null ? operation : "fsmeta");
        if (path != null) b.append(' ').append(path);
        b.append(": ").append(Status.of(code).name()).append(" (").append(code).append(')');
        if (detail != null && !detail.isEmpty()) b.append(": ").append(detail);
        return b.toString();
    }

    /** The C status code (negative). */
    public int code() {
        return code;
    }

    /** The status as an enum constant ({@link Status#UNKNOWN} for a code this SDK does not know). */
    public Status status() {
        return Status.of(code);
    }

    /** The operation that failed ("mkdir", "getFileStatus", ...). */
    public String operation() {
        return operation;
    }

    /** The path or inode the operation was on, when known (else null). */
    public String path() {
        return path;
    }

    /**
     * The exception to throw for this failure, by the table of {@link Status#exceptionKind()}: a JDK exception with
     * this one as its cause, or this one.
     */
    public IOException toIOException() {
        String file = path != null ? path : operation;
        IOException e;
        switch (status().exceptionKind()) {
            case NOT_FOUND:
                e = new FileNotFoundException(getMessage());
                break;
            case ALREADY_EXISTS:
                e = new FileAlreadyExistsException(file, null, getMessage());
                break;
            case DIRECTORY_NOT_EMPTY:
                e = new DirectoryNotEmptyException(file);
                break;
            case ACCESS_DENIED:
                e = new AccessDeniedException(file, null, getMessage());
                break;
            case NOT_DIRECTORY:
                e = new NotDirectoryException(file);
                break;
            default:
                return this;
        }
        e.initCause(this);
        return e;
    }

    /**
     * The status of an exception thrown by this SDK: its own, or that of the {@code FsMetaException} in its cause
     * chain; {@link Status#UNKNOWN} if there is none.
     */
    public static Status statusOf(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof FsMetaException) return ((FsMetaException) c).status();
        }
        return Status.UNKNOWN;
    }
}
