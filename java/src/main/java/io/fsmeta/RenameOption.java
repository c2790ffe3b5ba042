package io.fsmeta;

/**
 * The options of {@link FsMeta#rename(CallerContext, String, String, RenameOption...)}, as Hadoop's
 * {@code Options.Rename}.
 */
public enum RenameOption {
    /** No option: an existing destination is refused (FileAlreadyExistsException). */
    NONE,
    /**
     * Replace an existing destination: a file (or symlink) by a file, symlink or special file, an empty directory by
     * a directory, atomically ({@code rename(2)}). A non-empty directory is never replaced
     * (DirectoryNotEmptyException), and a directory never replaces a non-directory nor the other way round
     * (NotDirectoryException, or FsMetaException EISDIR).
     */
    OVERWRITE
}
