/*
 * fsmeta.h - the C API of libfsmeta, an in-memory file-system metadata engine.
 *
 * This is the one stable interface of the library: the Java and Python bindings are generated from it, and the
 * C++ wrapper (fsmeta.hpp) is written on it. Link with -lfsmeta (pkg-config fsmeta, or CMake
 * find_package(fsmeta) and the target fsmeta::fsmeta).
 *
 * CONVENTIONS
 *
 *  - Every name starts with fsmeta_ (functions, types) or FSMETA_ (macros). Functions read fsmeta_<object>_<verb>;
 *    the object is left out for the main handle (fsmeta_mkdir, fsmeta_dir_next), and an operation that Linux has
 *    keeps Linux's name (fsmeta_getattr, fsmeta_statfs). docs/names.md is the table of every operation's name in
 *    C, C++, Go, Java and Python; a test holds this header to it.
 *  - Deprecated names: the functions of the section DEPRECATED NAMES at the end are the names of earlier releases,
 *    kept (exported, with the same behaviour) until the soname changes; new code uses the name each one points to.
 *    They are marked FSMETA_DEPRECATED, so GCC and Clang warn where they are used.
 *  - A function that can fail returns int: 0 on success, or a negative status code (see STATUS CODES). Nothing is
 *    written to an out-parameter on failure unless its documentation says so.
 *  - Out-parameters come first (attr_out, db_out, buf_out, ...), then the handle, then the caller context, then the
 *    inputs. An attr_out may be NULL when the caller does not want the attributes; other out-parameters are
 *    required (NULL gives -EINVAL, and the operation is not performed).
 *  - Handles (fsmeta_db, fsmeta_dir) are opaque: the library never dereferences them, it looks them up in a table
 *    with a generation number. A handle that is unknown, closed, of the other kind or forged gives
 *    FSMETA_EBADHANDLE, never a crash. Closing NULL is a no-op that returns 0.
 *  - Names (of entries and extended attributes) are bytes, passed as a pointer and a length (name, name_len); they
 *    need no NUL terminator. An entry name is 1 to FSMETA_NAME_MAX bytes, without '/' or NUL, and is not "." or
 *    ".." (fsmeta_lookup accepts those two). A name with an embedded NUL is rejected with -EINVAL instead of being
 *    cut short; a name longer than FSMETA_NAME_MAX gives -ENAMETOOLONG. A pointer may be NULL only when its length
 *    is 0. Paths (fsmeta_resolve, fsmeta_mkdir_all, fsmeta_path_*), symlink targets and xattr values are passed the same way.
 *    Host file-system paths (fsmeta_options.dir) are NUL-terminated C strings.
 *  - Inode numbers are uint64_t; the root directory is FSMETA_ROOT_INO. Times are nanoseconds since the Unix epoch.
 *  - Mode bits, access masks, open, rename, xattr and fallocate flags have Linux's values (FSMETA_S_IFDIR ==
 *    S_IFDIR, FSMETA_O_TRUNC == O_TRUNC, ...) on every platform.
 *
 * CALLER CONTEXT
 *
 *  Every operation runs as the identity in a fsmeta_ctx (uid, gid, supplementary groups, umask); the engine
 *  enforces POSIX permission bits, sticky directories and the ownership rules, and uid 0 bypasses them as on Linux.
 *  A NULL ctx means root (uid 0, gid 0, no groups, umask 0). The library copies what it needs during the call.
 *
 * MEMORY
 *
 *  Results of bounded size (fsmeta_readlink, fsmeta_getxattr) go into a buffer of the caller (buf, buf_size); the
 *  length is reported in *len_out, and a buffer that is too small gives FSMETA_ETOOSMALL with the needed length in
 *  *len_out. Results of unbounded size (lists) come in a library-owned fsmeta_buf that the caller releases with
 *  fsmeta_buf_dispose. The library frees what it allocates; the caller frees nothing else.
 *
 * THREADS
 *
 *  Every function may be called from any thread. A fsmeta_db is safe for concurrent use by any number of threads.
 *  A fsmeta_dir may be used by several threads (calls are serialized), but it is meant for one. fsmeta_last_error
 *  is per thread.
 *
 * HOST PROCESS
 *
 *  The library contains the Go runtime, which starts threads when the library is loaded. Consequences:
 *  the library cannot be unloaded (dlclose is not supported); signal handlers installed after loading it must use
 *  SA_ONSTACK; do not call the library in the child of a fork() (fork followed by exec is fine). 64-bit platforms
 *  only.
 */
#ifndef FSMETA_H
#define FSMETA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versions ------------------------------------------------------------------------------------------------ */

/* The version of this header. The soname follows the major version (libfsmeta.so.1). */
#define FSMETA_VERSION_MAJOR 1
#define FSMETA_VERSION_MINOR 0
#define FSMETA_VERSION_PATCH 0
/* MAJOR * 10000 + MINOR * 100 + PATCH. */
#define FSMETA_VERSION_NUMBER 10000
#define FSMETA_VERSION_STRING "1.0.0"

/*
 * fsmeta_version_number - the version of the loaded library, as FSMETA_VERSION_NUMBER.
 *
 * Compare it with FSMETA_VERSION_NUMBER to detect a library older than the header it was compiled with.
 * Thread-safe; cannot fail.
 */
unsigned fsmeta_version_number(void);

/*
 * fsmeta_version_string - the version of the loaded library, as "MAJOR.MINOR.PATCH".
 *
 * Returns a static string owned by the library (never NULL, never to be freed). Thread-safe; cannot fail.
 */
const char *fsmeta_version_string(void);

/* ---- Status codes -------------------------------------------------------------------------------------------- */

/*
 * Every function that can fail returns 0 or one of these. All values are stable: they never change meaning in a
 * release with the same major version. New codes may be added; treat an unknown negative value as an error.
 *
 * -1 .. -999: POSIX failures, -errno with Linux's numbers on every platform (on Linux, FSMETA_ENOENT == -ENOENT).
 */
#define FSMETA_OK 0
#define FSMETA_EPERM (-1)
#define FSMETA_ENOENT (-2)
#define FSMETA_EIO (-5)
#define FSMETA_E2BIG (-7)
#define FSMETA_EBADF (-9)
#define FSMETA_EAGAIN (-11)
#define FSMETA_ENOMEM (-12)
#define FSMETA_EACCES (-13)
#define FSMETA_EBUSY (-16)
#define FSMETA_EEXIST (-17)
#define FSMETA_EXDEV (-18)
#define FSMETA_ENODEV (-19)
#define FSMETA_ENOTDIR (-20)
#define FSMETA_EISDIR (-21)
#define FSMETA_EINVAL (-22)
#define FSMETA_EMFILE (-24)
#define FSMETA_EFBIG (-27)
#define FSMETA_ENOSPC (-28)
#define FSMETA_EROFS (-30)
#define FSMETA_EMLINK (-31)
#define FSMETA_ERANGE (-34)
#define FSMETA_ENAMETOOLONG (-36)
#define FSMETA_ENOSYS (-38)
#define FSMETA_ENOTEMPTY (-39)
#define FSMETA_ELOOP (-40)
#define FSMETA_ENODATA (-61)
#define FSMETA_EOVERFLOW (-75)
#define FSMETA_EOPNOTSUPP (-95)
#define FSMETA_EDQUOT (-122)

/*
 * -1000 .. -1999: the library's own codes.
 *
 * FSMETA_EBADHANDLE  the handle is NULL where one is required, unknown, closed, of the other kind, or forged.
 * FSMETA_EINTERNAL   an internal failure (a bug, caught and contained); fsmeta_last_error() has the detail.
 * FSMETA_ITEROVER    not an error: fsmeta_dir_next has no more entries.
 * FSMETA_ECLOSED     the database was closed (by another thread, or under an iterator that is still open).
 * FSMETA_ETOOSMALL   a caller's buffer is too small; the needed length was stored in *len_out.
 * FSMETA_EVERSION    a struct's version field is not one this library knows (0, or newer than the library).
 * FSMETA_ENOTLEADER  reserved for client mode: the node is not the Raft leader.
 * FSMETA_ECORRUPT    fsmeta_fsck found the state inconsistent; the report says what.
 */
#define FSMETA_EBADHANDLE (-1000)
#define FSMETA_EINTERNAL (-1001)
#define FSMETA_ITEROVER (-1002)
#define FSMETA_ECLOSED (-1003)
#define FSMETA_ETOOSMALL (-1004)
#define FSMETA_EVERSION (-1005)
#define FSMETA_ENOTLEADER (-1006)
#define FSMETA_ECORRUPT (-1007)

/*
 * fsmeta_strerror - a fixed description of a status code.
 *
 * status: 0, or any value a function of this library returned (other values give "unknown status").
 * Returns a static string owned by the library (never NULL, never to be freed). Thread-safe.
 */
const char *fsmeta_strerror(int status);

/*
 * fsmeta_last_error - the detail of the last failure on the calling thread.
 *
 * Every call that returns a negative status other than FSMETA_ITEROVER records a message on the calling thread
 * (for example: fsmeta: mkdir 1/"data": file exists (EEXIST)). Successful calls leave it alone.
 * Returns a string owned by the library, valid until the next call into the library on this thread; "" if no call
 * on this thread has failed. Never NULL. Thread-safe (each thread has its own).
 */
const char *fsmeta_last_error(void);

/* ---- Constants (Linux values) -------------------------------------------------------------------------------- */

#define FSMETA_ROOT_INO 1

/* Limits. */
#define FSMETA_NAME_MAX 255
#define FSMETA_SYMLINK_MAX 4095
#define FSMETA_PATH_MAX 4096
#define FSMETA_XATTR_NAME_MAX 255
#define FSMETA_XATTR_SIZE_MAX 65536
#define FSMETA_XATTR_LIST_MAX 1048576
#define FSMETA_LINK_MAX 65000
#define FSMETA_CHUNK_SIZE 67108864
#define FSMETA_MAX_FILE_SIZE 4611686018427387904
#define FSMETA_SYMLINK_FOLLOW_MAX 40
#define FSMETA_GROUPS_MAX 65536
#define FSMETA_REPLACED_MAX 65536

/* File type and mode bits (fsmeta_attr.mode). */
#define FSMETA_S_IFMT 0170000
#define FSMETA_S_IFSOCK 0140000
#define FSMETA_S_IFLNK 0120000
#define FSMETA_S_IFREG 0100000
#define FSMETA_S_IFBLK 0060000
#define FSMETA_S_IFDIR 0040000
#define FSMETA_S_IFCHR 0020000
#define FSMETA_S_IFIFO 0010000
#define FSMETA_S_ISUID 04000
#define FSMETA_S_ISGID 02000
#define FSMETA_S_ISVTX 01000

/* Attribute flags (fsmeta_attr.flags), like Linux's FS_IMMUTABLE_FL and FS_APPEND_FL. */
#define FSMETA_FLAG_IMMUTABLE 0x1
#define FSMETA_FLAG_APPEND 0x2

/* fsmeta_setattr masks: which fields of fsmeta_setattr_in to apply. */
#define FSMETA_SET_MODE 0x1
#define FSMETA_SET_UID 0x2
#define FSMETA_SET_GID 0x4
#define FSMETA_SET_SIZE 0x8
#define FSMETA_SET_ATIME 0x10
#define FSMETA_SET_MTIME 0x20
#define FSMETA_SET_ATIME_NOW 0x40
#define FSMETA_SET_MTIME_NOW 0x80
#define FSMETA_SET_CTIME 0x100
#define FSMETA_SET_FLAGS 0x200
#define FSMETA_SET_ALL 0x3ff

/* fsmeta_access masks. */
#define FSMETA_F_OK 0
#define FSMETA_X_OK 1
#define FSMETA_W_OK 2
#define FSMETA_R_OK 4

/* fsmeta_file_open flags. */
#define FSMETA_O_RDONLY 0
#define FSMETA_O_WRONLY 1
#define FSMETA_O_RDWR 2
#define FSMETA_O_ACCMODE 3
#define FSMETA_O_TRUNC 01000
#define FSMETA_O_APPEND 02000

/* fsmeta_rename flags. */
#define FSMETA_RENAME_NOREPLACE 0x1
#define FSMETA_RENAME_EXCHANGE 0x2

/* fsmeta_setxattr flags. */
#define FSMETA_XATTR_CREATE 0x1
#define FSMETA_XATTR_REPLACE 0x2

/* fsmeta_fallocate modes. */
#define FSMETA_FALLOC_KEEP_SIZE 0x1
#define FSMETA_FALLOC_PUNCH_HOLE 0x2
#define FSMETA_FALLOC_ZERO_RANGE 0x10

/* fsmeta_dir_open flags. */
#define FSMETA_DIR_PLUS 0x1

/* fsmeta_resolve flags. */
#define FSMETA_RESOLVE_FOLLOW 0x1

/* ---- Types --------------------------------------------------------------------------------------------------- */

/* An open database. Opaque; from fsmeta_open, released by fsmeta_close. */
typedef struct fsmeta_db fsmeta_db;

/* A directory listing in progress. Opaque; from fsmeta_dir_open, released by fsmeta_dir_close. */
typedef struct fsmeta_dir fsmeta_dir;

/*
 * fsmeta_options - how fsmeta_open opens a database.
 *
 * Initialize with FSMETA_OPTIONS_INIT or fsmeta_options_init(), then set fields. Fields are only ever added at the
 * end, with a new FSMETA_OPTIONS_VERSION; the library reads only the fields of the version the caller set.
 */
typedef struct fsmeta_options {
    unsigned version;           /* FSMETA_OPTIONS_VERSION */
    int in_memory;              /* nonzero: no log, nothing survives fsmeta_close (tests, benchmarks) */
    const char *dir;            /* data directory of the durable engine (NUL-terminated); NULL with in_memory */
    uint64_t capacity;          /* bytes fsmeta_statfs reports as the total (0: 1 PiB) */
    uint64_t max_inodes;        /* inode limit; creates beyond it fail with -ENOSPC (0: 2^40) */
    uint64_t arena_max_bytes;   /* most memory the namespace may use; beyond it changes fail with -ENOSPC (0: 32 GiB) */
    uint64_t snapshot_threshold; /* version 2: log entries after which the durable engine snapshots (0: 200,000) */
} fsmeta_options;

/* Version 1 ends before snapshot_threshold (a program built with it keeps working: the field is not read). */
#define FSMETA_OPTIONS_VERSION 2
#define FSMETA_OPTIONS_INIT {FSMETA_OPTIONS_VERSION, 0, NULL, 0, 0, 0, 0}

/*
 * fsmeta_ctx - the identity an operation runs as. NULL in place of a ctx means root.
 *
 * Initialize with FSMETA_CTX_INIT (root, umask 0), then set fields. groups points to ngroups supplementary group
 * ids (at most FSMETA_GROUPS_MAX, 65536; gid need not be repeated); it may be NULL when ngroups is 0. The library
 * copies the groups during the call (fsmeta_dir_open keeps a copy for the iterator's life). A ctx with more groups
 * is refused by every function that takes one, reads and changes alike, in memory and durable mode: -EINVAL, and
 * fsmeta_last_error says how many groups it had (the groups are never truncated).
 */
typedef struct fsmeta_ctx {
    unsigned version;           /* FSMETA_CTX_VERSION */
    uint32_t uid;
    uint32_t gid;
    uint32_t umask;             /* applied to the modes of created entries */
    const uint32_t *groups;
    size_t ngroups;
} fsmeta_ctx;

#define FSMETA_CTX_VERSION 1
#define FSMETA_CTX_INIT {FSMETA_CTX_VERSION, 0, 0, 0, NULL, 0}

/* fsmeta_attr - the attributes of an inode (what stat returns). */
typedef struct fsmeta_attr {
    uint64_t ino;
    uint32_t mode;              /* file type (FSMETA_S_IFMT bits) | permission bits */
    uint32_t nlink;             /* directories: 2 + number of subdirectories; 0 for an unlinked file still open */
    uint32_t uid;
    uint32_t gid;
    uint32_t rdev;              /* device number of character and block devices (Linux encoding) */
    uint32_t flags;             /* FSMETA_FLAG_IMMUTABLE | FSMETA_FLAG_APPEND */
    uint64_t size;              /* regular files: length; symlinks: target length; directories: 4096 */
    uint64_t blocks;            /* st_blocks: 512-byte units of a regular file's size rounded up to 4 KiB */
    int64_t atime_ns;
    int64_t mtime_ns;
    int64_t ctime_ns;
} fsmeta_attr;

/* fsmeta_setattr_in - new values for fsmeta_setattr; only the fields named by the mask are read. */
typedef struct fsmeta_setattr_in {
    uint32_t mode;              /* permission bits only (07777); the type cannot change */
    uint32_t uid;
    uint32_t gid;
    uint32_t flags;             /* FSMETA_FLAG_* */
    uint64_t size;
    int64_t atime_ns;
    int64_t mtime_ns;
    int64_t ctime_ns;
} fsmeta_setattr_in;

/* fsmeta_statfs_info - capacity and usage (fsmeta_statfs). */
typedef struct fsmeta_statfs_info {
    uint64_t total_space;       /* bytes: the configured capacity */
    uint64_t avail_space;
    uint64_t used_space;        /* sum of regular-file sizes, each rounded up to 4 KiB */
    uint64_t inodes;            /* inodes in use */
    uint64_t avail_inodes;
} fsmeta_statfs_info;

/*
 * fsmeta_stats_info - counts and memory figures of the engine (fsmeta_stats).
 *
 * The caller sets version (FSMETA_STATS_INFO_INIT); the library fills the fields of that version. Fields are only
 * ever added at the end.
 */
typedef struct fsmeta_stats_info {
    unsigned version;           /* FSMETA_STATS_VERSION */
    uint64_t inodes;            /* live inodes, including unlinked open files */
    uint64_t files;             /* regular files */
    uint64_t dirs;              /* directories, including the root */
    uint64_t symlinks;
    uint64_t others;            /* fifos, sockets, devices */
    uint64_t entries;           /* directory entries (names) */
    uint64_t links;             /* entries that are extra hard links */
    uint64_t orphans;           /* unlinked inodes kept by opens */
    uint64_t open_files;        /* inodes with a nonzero open count */
    uint64_t next_ino;          /* the next inode number */
    uint64_t next_slice;        /* the next slice id */
    uint64_t attr_dict;         /* distinct (mode, uid, gid) triples */
    uint64_t arena_reserved;    /* bytes of address space reserved */
    uint64_t arena_committed;   /* bytes of address space made usable */
    uint64_t arena_slabs;       /* bytes of slabs in use */
    uint64_t arena_in_use;      /* bytes of live objects */
} fsmeta_stats_info;

#define FSMETA_STATS_VERSION 1
#define FSMETA_STATS_INFO_INIT {FSMETA_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/*
 * fsmeta_slice - a piece of file data stored elsewhere (an object), placed in a chunk of FSMETA_CHUNK_SIZE bytes.
 * The object's bytes [off, off + len) appear at byte pos of the chunk; size is the whole object's size. id 0 is a
 * hole (reads as zeros). In a chunk's list a later slice covers earlier ones where they overlap.
 */
typedef struct fsmeta_slice {
    uint64_t id;
    uint32_t pos;
    uint32_t size;
    uint32_t off;
    uint32_t len;
} fsmeta_slice;

/*
 * fsmeta_dirent - one entry of a directory listing (fsmeta_dir_next). Caller-owned: the name is copied in.
 * name holds name_len bytes and a terminating NUL. attr is filled only by a listing opened with FSMETA_DIR_PLUS
 * (else zeroed).
 */
typedef struct fsmeta_dirent {
    uint64_t ino;
    uint32_t type;              /* FSMETA_S_IFMT bits */
    uint32_t name_len;
    fsmeta_attr attr;
    char name[256];             /* FSMETA_NAME_MAX + 1 */
} fsmeta_dirent;

/*
 * fsmeta_buf - a library-owned result of unbounded size. Start from FSMETA_BUF_INIT (or zero it); after a call
 * that fills it, release it with fsmeta_buf_dispose. The function that fills it says what data holds. data is
 * NULL when len is 0. A call that fails leaves it zeroed. Do not pass a buffer that still holds a result: it would
 * be overwritten, not freed.
 */
typedef struct fsmeta_buf {
    char *data;
    size_t len;                 /* bytes at data */
    size_t count;               /* number of items (names, slices) at data */
} fsmeta_buf;

#define FSMETA_BUF_INIT {NULL, 0, 0}

/*
 * fsmeta_buf_dispose - free the memory of a fsmeta_buf and zero it.
 *
 * buf: NULL, a zeroed buffer, or one filled by the library. Disposing twice is harmless (the first call zeroes it).
 * Thread-safe for distinct buffers.
 */
void fsmeta_buf_dispose(fsmeta_buf *buf);

/* ---- Opening and closing ------------------------------------------------------------------------------------- */

/*
 * fsmeta_options_init - set opts to the defaults of a version.
 *
 * opts: the struct to initialize (the fields of that version zeroed, then version set).
 * version: FSMETA_OPTIONS_VERSION, or an older version (1) for a struct of that version's size.
 * Returns 0; -EINVAL (opts NULL); FSMETA_EVERSION (unknown version). Thread-safe.
 */
int fsmeta_options_init(fsmeta_options *opts, unsigned version);

/*
 * fsmeta_open - open a database.
 *
 * db_out: receives the handle (unchanged on failure). Release it with fsmeta_close.
 * opts: the options (required). With in_memory the engine keeps everything in memory; otherwise dir names the
 *       data directory.
 * Returns 0; -EINVAL (db_out or opts NULL, neither in_memory nor dir set); FSMETA_EVERSION (opts->version);
 * -EMFILE (the handle table is full); -ENOSYS (a durable engine in a build without one); FSMETA_EINTERNAL (the
 * engine could not start: see fsmeta_last_error). Thread-safe.
 */
int fsmeta_open(fsmeta_db **db_out, const fsmeta_options *opts);

/*
 * fsmeta_close - close a database and release its memory.
 *
 * db: a handle from fsmeta_open, or NULL (a no-op). Afterwards the handle is invalid (FSMETA_EBADHANDLE); calls
 * already running on other threads finish or fail with FSMETA_ECLOSED. Directory iterators opened on it stay valid
 * handles (their fsmeta_dir_next returns FSMETA_ECLOSED) until fsmeta_dir_close.
 * Returns 0; FSMETA_EBADHANDLE (already closed, unknown). Thread-safe.
 */
int fsmeta_close(fsmeta_db *db);

/*
 * fsmeta_handle_count - the number of live handles (databases and directory iterators) in the process.
 *
 * For leak checks: after every handle is closed it returns 0. Thread-safe; cannot fail.
 * The process-wide handle table holds up to 16,777,215 handles (fewer when the environment variable
 * FSMETA_MAX_HANDLES is set to a smaller number when the library loads); beyond, opens fail with -EMFILE.
 */
uint64_t fsmeta_handle_count(void);

/*
 * fsmeta_set_test_time - fix the time stamped on later changes (for tests).
 *
 * db: the database. now_ns: nanoseconds since the Unix epoch, stamped on every later change instead of the
 * clock's time; 0 returns to the clock. Meant for test suites that check times, such as the shared scenario files
 * (testdata/README.md), which set it before every line.
 * Returns 0; FSMETA_EBADHANDLE. Thread-safe.
 */
int fsmeta_set_test_time(fsmeta_db *db, int64_t now_ns);

/* ---- Attributes ---------------------------------------------------------------------------------------------- */

/*
 * fsmeta_lookup - find a name in a directory.
 *
 * attr_out: receives the entry's attributes (may be NULL: existence check).
 * db, ctx: the database and the caller (ctx NULL: root).
 * parent: the directory; name, name_len: the name ("." is parent itself, ".." its parent; the root's parent is
 *         the root).
 * Needs search (x) permission on parent.
 * Returns 0; -ENOENT (parent or name missing); -ENOTDIR (parent not a directory); -EACCES; -ENAMETOOLONG;
 * -EINVAL (empty name, '/' or NUL in it, NULL name with a length, bad ctx); FSMETA_EVERSION (ctx->version);
 * FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_lookup(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *name, size_t name_len);

/*
 * fsmeta_getattr - the attributes of an inode. No permission is needed.
 *
 * attr_out: receives the attributes (may be NULL: existence check).
 * Returns 0; -ENOENT; -EINVAL (bad ctx); FSMETA_EVERSION; FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 * An unlinked file that is still open answers, with nlink 0.
 */
int fsmeta_getattr(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino);

/*
 * fsmeta_setattr - change the attributes named by mask (FSMETA_SET_*) to the values in in; ctime becomes now (or
 * in->ctime_ns with FSMETA_SET_CTIME). A mask of 0 changes nothing.
 *
 * attr_out: receives the new attributes (may be NULL).
 * ino: the inode; mask: FSMETA_SET_* bits; in: the values (may be NULL only when mask is 0).
 * Linux's rules: chmod by the owner or root; chown of the uid by root; the owner may change the gid to one of their
 * groups; chown by non-root clears set-uid/set-gid of non-directories; size needs write permission and a regular
 * file; explicit times need ownership, "now" times ownership or write permission; FSMETA_SET_CTIME and
 * FSMETA_SET_FLAGS are root only; an immutable inode refuses every change but to flags.
 * Returns 0; -ENOENT; -EPERM; -EACCES; -EISDIR (size of a directory); -EINVAL (unknown mask bits, mode bits beyond
 * 07777, size of a non-regular file, in NULL with a mask, bad ctx); -EFBIG (size beyond FSMETA_MAX_FILE_SIZE);
 * FSMETA_EVERSION; FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_setattr(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t mask, const fsmeta_setattr_in *in);

/*
 * fsmeta_access - check whether the caller may access ino with mask (FSMETA_R_OK | FSMETA_W_OK | FSMETA_X_OK, or
 * FSMETA_F_OK). Root passes read and write always, execute when any x bit is set or ino is a directory.
 *
 * Returns 0 (allowed); -EACCES (denied); -ENOENT; -EINVAL (mask bits beyond 7, bad ctx); FSMETA_EVERSION;
 * FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_access(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t mask);

/* ---- Creating and removing ----------------------------------------------------------------------------------- */

/*
 * fsmeta_mknod - create a node of any type but directory and symlink.
 *
 * attr_out: receives the new node's attributes (may be NULL).
 * parent, name, name_len: where to create it.
 * mode: type (FSMETA_S_IFREG, _IFIFO, _IFSOCK, _IFCHR, _IFBLK; 0 means regular) | permission bits; the caller's
 *       umask is applied. rdev: the device number, kept for character and block devices.
 * Needs write and search permission on parent. A set-gid parent gives its gid to the new node.
 * Returns 0; -ENOENT; -ENOTDIR; -EACCES; -EEXIST; -EINVAL (bad name, directory/symlink/unknown type, bad ctx);
 * -ENAMETOOLONG; -ENOSPC (inode or memory limit); -EPERM (parent immutable); FSMETA_EVERSION; FSMETA_EBADHANDLE;
 * FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_mknod(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *name, size_t name_len, uint32_t mode, uint32_t rdev);

/*
 * fsmeta_create - create an empty regular file (fsmeta_mknod with FSMETA_S_IFREG; the type bits of mode are
 * ignored). Same parameters and returns as fsmeta_mknod. Thread-safe.
 */
int fsmeta_create(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *name, size_t name_len, uint32_t mode);

/*
 * fsmeta_mkdir - create a directory (the type bits of mode are ignored; the umask applies). A set-gid parent
 * passes on its gid and S_ISGID. Same returns as fsmeta_mknod. Thread-safe.
 */
int fsmeta_mkdir(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *name, size_t name_len, uint32_t mode);

/*
 * fsmeta_symlink - create a symbolic link to target (mode 0777).
 *
 * target, target_len: 1 to FSMETA_SYMLINK_MAX bytes without NUL.
 * Returns as fsmeta_mknod, plus -EINVAL (empty target or NUL in it) and -ENAMETOOLONG (target too long).
 * Thread-safe.
 */
int fsmeta_symlink(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *name, size_t name_len, const char *target, size_t target_len);

/*
 * fsmeta_readlink - the target of a symbolic link, into the caller's buffer.
 *
 * buf, buf_size: the caller's buffer (buf may be NULL when buf_size is 0). On success it holds the target's
 *                *len_out bytes, followed by a NUL if there is room (FSMETA_SYMLINK_MAX + 1 bytes always suffice).
 * len_out: receives the target's length in bytes, also when the buffer is too small (required).
 * Returns 0; FSMETA_ETOOSMALL (buf_size < *len_out; buf untouched); -ENOENT; -EINVAL (not a symlink, len_out NULL,
 * bad ctx); FSMETA_EVERSION; FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_readlink(char *buf, size_t buf_size, size_t *len_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino);

/*
 * fsmeta_link - add the name new_name in new_parent for the existing inode ino (a hard link).
 *
 * attr_out: receives ino's attributes (nlink + 1, ctime now; may be NULL).
 * Returns 0; -ENOENT; -ENOTDIR; -EACCES; -EEXIST; -EPERM (ino is a directory, or immutable/append-only); -EMLINK
 * (FSMETA_LINK_MAX links); -EINVAL; -ENAMETOOLONG; FSMETA_EVERSION; FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_link(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint64_t new_parent, const char *new_name, size_t new_name_len);

/*
 * fsmeta_unlink - remove a name that is not a directory. The inode goes with its last link, unless it is open:
 * then it lives until the last fsmeta_file_close.
 *
 * In a sticky directory only the owner of the entry or of the directory, or root, may remove it.
 * Returns 0; -ENOENT; -ENOTDIR; -EACCES; -EPERM (sticky, immutable, append-only); -EISDIR; -EINVAL;
 * -ENAMETOOLONG; FSMETA_EVERSION; FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_unlink(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *name, size_t name_len);

/*
 * fsmeta_rmdir - remove an empty directory.
 *
 * Returns 0; -ENOENT; -ENOTDIR (name is not a directory); -ENOTEMPTY; -EACCES; -EPERM (sticky, immutable);
 * -EINVAL ("." or "..", bad name); -ENAMETOOLONG; FSMETA_EVERSION; FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_rmdir(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *name, size_t name_len);

/*
 * fsmeta_rename - move parent/name to new_parent/new_name.
 *
 * flags: 0 (replace the target if it exists), FSMETA_RENAME_NOREPLACE (fail if it exists) or
 *        FSMETA_RENAME_EXCHANGE (swap the two; both must exist).
 * POSIX rules: a directory onto a non-directory is -ENOTDIR, a non-directory onto a directory -EISDIR, onto a
 * non-empty directory -ENOTEMPTY; a directory into its own subtree -EINVAL; renaming onto the same inode succeeds
 * and changes nothing.
 * Returns 0; -ENOENT; -ENOTDIR; -EISDIR; -ENOTEMPTY; -EEXIST; -EACCES; -EPERM; -EINVAL (flags, names, subtree);
 * -ENAMETOOLONG; FSMETA_EVERSION; FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_rename(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *name, size_t name_len, uint64_t new_parent, const char *new_name, size_t new_name_len, uint32_t flags);

/* ---- Directories --------------------------------------------------------------------------------------------- */

/*
 * fsmeta_dir_open - start a listing of directory ino. Read permission is checked now.
 *
 * dir_out: receives the iterator handle (unchanged on failure). Release it with fsmeta_dir_close.
 * flags: 0, or FSMETA_DIR_PLUS to have every entry's attributes.
 * "." and ".." are not listed. Entries come in a stable order (by a hash of the name); every entry that exists
 * during the whole listing is returned exactly once, whatever else changes meanwhile.
 * Returns 0; -ENOENT; -ENOTDIR; -EACCES; -EINVAL (unknown flags, dir_out NULL, bad ctx); -EMFILE (handle table
 * full); FSMETA_EVERSION; FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_dir_open(fsmeta_dir **dir_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t flags);

/*
 * fsmeta_dir_next - the next entry of a listing.
 *
 * ent_out: receives the entry (required; unchanged when the call does not return 0).
 * Returns 0 (an entry); FSMETA_ITEROVER (no more entries; further calls return it again); -ENOENT, -EACCES
 * (the directory went away or changed permission between batches); -EINVAL (ent_out NULL); FSMETA_ECLOSED (the
 * database was closed: every call after fsmeta_close returns it, whatever the iterator had fetched, also after
 * FSMETA_ITEROVER); FSMETA_EBADHANDLE (unknown or closed iterator). Thread-safe (calls on one iterator are
 * serialized).
 */
int fsmeta_dir_next(fsmeta_dirent *ent_out, fsmeta_dir *dir);

/*
 * fsmeta_dir_close - end a listing and release the iterator.
 *
 * dir: a handle from fsmeta_dir_open, or NULL (a no-op). Afterwards the handle is invalid.
 * Returns 0; FSMETA_EBADHANDLE (already closed, unknown). Thread-safe.
 */
int fsmeta_dir_close(fsmeta_dir *dir);

/*
 * fsmeta_dir_tell - the cursor of the entry the next fsmeta_dir_next returns, to resume the listing there later
 * (FUSE's and NFS's readdir offsets and cookies).
 *
 * cursor_out: receives the cursor (required; unchanged on failure). A cursor is a 64-bit hash of the next name,
 *             so it stays valid whatever changes in the directory: fsmeta_dir_seek to it, on this iterator or on
 *             another listing of the same directory, returns every entry that exists throughout exactly once from
 *             there. 0 is the start; UINT64_MAX the end (after the last entry). Two names of one hash (xxhash64:
 *             practically never) are resumed together, so the first of them may come again.
 * Returns 0; -EINVAL (cursor_out NULL); FSMETA_EBADHANDLE (unknown or closed iterator). Thread-safe.
 */
int fsmeta_dir_tell(uint64_t *cursor_out, fsmeta_dir *dir);

/*
 * fsmeta_dir_seek - make the next fsmeta_dir_next continue from cursor: 0 (the start), a value of fsmeta_dir_tell,
 * or UINT64_MAX (the end). The entries the iterator had fetched are dropped, the next fsmeta_dir_next reads from
 * the engine (read permission is checked again), and a failure that had stopped the listing is cleared (but
 * FSMETA_ECLOSED: a listing of a closed database stays closed).
 * Returns 0; FSMETA_EBADHANDLE (unknown or closed iterator). Thread-safe.
 */
int fsmeta_dir_seek(fsmeta_dir *dir, uint64_t cursor);

/*
 * fsmeta_dir_path - the path from the root of directory ino ("/" for the root), as fsmeta_resolve takes it back.
 *
 * buf_out: receives the path in data (NUL-terminated; len bytes without the NUL; count 0) (required; zeroed on
 *          failure; release with fsmeta_buf_dispose). The path may be longer than FSMETA_PATH_MAX.
 * A directory has one name and keeps its parent, so this costs one step per level. Other inodes are -ENOTDIR: the
 * engine keeps no link from a file to the directories that name it (a hard link names only the inode), so its
 * names could only be found by a scan of the whole namespace; find a file through its directory instead. No
 * permission is needed (as fsmeta_getattr).
 * Returns 0; -ENOENT; -ENOTDIR; -ENOMEM; -EINVAL (buf_out NULL, bad ctx); FSMETA_EVERSION; FSMETA_EBADHANDLE;
 * FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_dir_path(fsmeta_buf *buf_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino);

/* ---- File system --------------------------------------------------------------------------------------------- */

/*
 * fsmeta_statfs - capacity and usage.
 *
 * out: receives the figures (required).
 * Returns 0; -EINVAL (out NULL, bad ctx); FSMETA_EVERSION; FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_statfs(fsmeta_statfs_info *out, fsmeta_db *db, const fsmeta_ctx *ctx);

/* ---- Extended attributes ------------------------------------------------------------------------------------- */

/*
 * fsmeta_getxattr - the value of an extended attribute, into the caller's buffer.
 *
 * buf, buf_size: the caller's buffer (buf may be NULL when buf_size is 0). On success it holds *len_out bytes,
 *                followed by a NUL if there is room (FSMETA_XATTR_SIZE_MAX bytes always suffice for the value).
 * len_out: receives the value's length, also when the buffer is too small (required).
 * name, name_len: "user.*" (needs read permission), "trusted.*" and "security.*" (root only; others get -ENODATA);
 *                 "system.*" is not supported.
 * Returns 0; FSMETA_ETOOSMALL (buf_size < *len_out; buf untouched); -ENOENT; -ENODATA (no such attribute);
 * -EACCES; -EOPNOTSUPP (namespace); -ERANGE (name longer than FSMETA_XATTR_NAME_MAX); -EINVAL (empty name,
 * len_out NULL, bad ctx); FSMETA_EVERSION; FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_getxattr(char *buf, size_t buf_size, size_t *len_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, const char *name, size_t name_len);

/*
 * fsmeta_setxattr - set an extended attribute.
 *
 * value, value_len: the value (at most FSMETA_XATTR_SIZE_MAX bytes; any bytes; value may be NULL when value_len
 *                   is 0).
 * flags: 0, FSMETA_XATTR_CREATE (-EEXIST if it exists) or FSMETA_XATTR_REPLACE (-ENODATA if it does not).
 * "user.*" needs write permission and a regular file or directory; "trusted.*" and "security.*" need root.
 * Returns 0; -ENOENT; -EEXIST; -ENODATA; -EACCES; -EPERM; -EOPNOTSUPP; -ERANGE (name too long); -E2BIG (value
 * too long); -ENOSPC (all of the inode's names and values beyond FSMETA_XATTR_LIST_MAX); -EINVAL (empty name,
 * flags, bad ctx); FSMETA_EVERSION; FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_setxattr(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, const char *name, size_t name_len, const char *value, size_t value_len, uint32_t flags);

/*
 * fsmeta_listxattr - the names of ino's extended attributes the caller may see, sorted.
 *
 * buf_out: receives the names, each followed by a NUL (as Linux's listxattr), in data/len; count is the number of
 *          names (required; release with fsmeta_buf_dispose).
 * Returns 0; -ENOENT; -EACCES; -ENOMEM; -EINVAL (buf_out NULL, bad ctx); FSMETA_EVERSION; FSMETA_EBADHANDLE;
 * FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_listxattr(fsmeta_buf *buf_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino);

/*
 * fsmeta_removexattr - remove an extended attribute.
 *
 * Returns 0; -ENOENT; -ENODATA (no such attribute); -EACCES; -EPERM; -EOPNOTSUPP; -ERANGE; -EINVAL;
 * FSMETA_EVERSION; FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_removexattr(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, const char *name, size_t name_len);

/* ---- Files and their data ------------------------------------------------------------------------------------ */

/*
 * fsmeta_fallocate - reserve (mode 0: the size grows to offset + length), punch a hole
 * (FSMETA_FALLOC_PUNCH_HOLE | FSMETA_FALLOC_KEEP_SIZE) or zero a range (FSMETA_FALLOC_ZERO_RANGE) of a regular
 * file. Needs write permission.
 *
 * attr_out: receives the new attributes (may be NULL).
 * Returns 0; -ENOENT; -EACCES; -EISDIR; -EINVAL (bad mode, length 0, not a regular file); -EFBIG; -EPERM;
 * FSMETA_EVERSION; FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_fallocate(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t mode, uint64_t offset, uint64_t length);

/*
 * fsmeta_file_open - check the access flags ask for and count an open of ino. A file whose last name is removed
 * while open keeps its inode and slices until the last fsmeta_file_close. Opens do not outlive the engine: when a
 * durable engine is opened, every open left by the engine that had the directory before (closed or crashed) is
 * released, as logged changes, and an unlinked file among them is gone.
 *
 * attr_out: receives the attributes (after FSMETA_O_TRUNC; may be NULL).
 * flags: FSMETA_O_RDONLY, _WRONLY or _RDWR, with FSMETA_O_TRUNC (truncate to 0) and FSMETA_O_APPEND.
 * Returns 0; -ENOENT; -EACCES; -EISDIR (write access to a directory); -EPERM (immutable, append-only); -EINVAL
 * (access mode 3, bad ctx); FSMETA_EVERSION; FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_file_open(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t flags);

/*
 * fsmeta_file_close - end one fsmeta_file_open of ino.
 *
 * Returns 0; -ENOENT; -EBADF (ino is not open); -EINVAL (bad ctx); FSMETA_EVERSION; FSMETA_EBADHANDLE;
 * FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_file_close(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino);

/*
 * fsmeta_slice_id_new - reserve n (>= 1) consecutive slice ids.
 *
 * id_out: receives the first of them (required).
 * Returns 0; -EINVAL (n is 0, id_out NULL, bad ctx); FSMETA_EVERSION; FSMETA_EBADHANDLE; FSMETA_ECLOSED.
 * Thread-safe.
 */
int fsmeta_slice_id_new(uint64_t *id_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint32_t n);

/*
 * fsmeta_slice_write - place a slice in chunk number chunk of regular file ino (a later slice covers earlier
 * ones), grow the size to cover it, and set mtime and ctime. Needs no permission (the caller opened the file for
 * writing).
 *
 * attr_out: receives the new attributes (may be NULL).
 * slice: the slice (required): len > 0, off + len <= size, pos + len <= FSMETA_CHUNK_SIZE.
 * Returns 0; -ENOENT; -EISDIR; -EINVAL (bad slice, slice NULL, not a regular file, bad ctx); -EFBIG; -EPERM
 * (immutable); FSMETA_EVERSION; FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_slice_write(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t chunk, const fsmeta_slice *slice);

/*
 * fsmeta_chunk_read - the slices of chunk number chunk of regular file ino, in write order (later ones cover
 * earlier ones), clipped to the file size. No slices is a hole.
 *
 * buf_out: receives an array of count fsmeta_slice at data (required; release with fsmeta_buf_dispose).
 * Returns 0; -ENOENT; -EISDIR; -EINVAL (not a regular file, buf_out NULL, bad ctx); -ENOMEM; FSMETA_EVERSION;
 * FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_chunk_read(fsmeta_buf *buf_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t chunk);

/*
 * fsmeta_chunk_compact - rewrite a chunk's slice list.
 *
 * dropped_out: receives the slices no longer referenced, an array of count fsmeta_slice at data (may be NULL;
 *              else release with fsmeta_buf_dispose).
 * replaced, replaced_count: with replaced_count 0, drop every slice that later slices cover entirely (replaced may
 *              be NULL, with is ignored and may be NULL). Otherwise, if the chunk's list still begins with exactly
 *              these slices, they are replaced by with (a new slice holding their visible bytes).
 * Returns 0; -EAGAIN (the chunk changed: read it again); -ENOENT; -EISDIR; -EINVAL (not a regular file, bad with,
 * with NULL, more than FSMETA_REPLACED_MAX replaced slices, bad ctx); -ENOMEM; FSMETA_EVERSION; FSMETA_EBADHANDLE;
 * FSMETA_ECLOSED. Times are not changed.
 * Thread-safe.
 */
int fsmeta_chunk_compact(fsmeta_buf *dropped_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t chunk, const fsmeta_slice *replaced, size_t replaced_count, const fsmeta_slice *with);

/* ---- Paths --------------------------------------------------------------------------------------------------- */

/*
 * fsmeta_resolve - walk a path from the root ("/a/b/c" or "a/b/c"; empty components and "." are skipped, ".."
 * goes up) and return the attributes of its end. Symlinks in the middle are followed (-ELOOP after
 * FSMETA_SYMLINK_FOLLOW_MAX); the last component too with FSMETA_RESOLVE_FOLLOW. The empty path (path_len 0) names
 * nothing: -ENOENT, as stat("") on Linux ("/" is the root). A NUL anywhere in the path_len bytes is -EINVAL.
 *
 * attr_out: receives the attributes (may be NULL).
 * path, path_len: the path (at most FSMETA_PATH_MAX bytes). flags: 0 or FSMETA_RESOLVE_FOLLOW.
 * Needs search permission on every directory walked.
 * Returns 0; -ENOENT; -ENOTDIR; -EACCES; -ELOOP; -ENAMETOOLONG (path or a component too long); -EINVAL (unknown
 * flags, NUL in path, bad ctx); FSMETA_EVERSION; FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_resolve(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, const char *path, size_t path_len, uint32_t flags);

/*
 * fsmeta_mkdir_all - create every missing directory of a path (mkdir -p) with mode.
 *
 * attr_out: receives the last directory's attributes (an existing one is fine; may be NULL).
 * Returns 0; -ENOTDIR (a non-directory in the way); -EEXIST (the last component exists and is not a directory);
 * -ENOENT (the empty path); -EINVAL (NUL in path); the returns of fsmeta_resolve and fsmeta_mkdir. Thread-safe.
 */
int fsmeta_mkdir_all(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, const char *path, size_t path_len, uint32_t mode);

/*
 * Operations by path. Each takes a path as fsmeta_resolve does (from the root; at most FSMETA_PATH_MAX bytes; a NUL
 * in it is -EINVAL, the empty path -ENOENT, as on Linux), checked with the other arguments before anything is
 * looked up, and does what the inode function of the same name does with what the path names; its returns are
 * that function's and fsmeta_resolve's. The walk and the change are two steps, as on Linux: a directory of the
 * path renamed meanwhile is where the change happens.
 *
 * The functions that remove or make a name (unlink, rmdir, rename, symlink, link's new_path) walk the path's
 * directory, following symlinks, and act on its last component, which is not followed; a last component that
 * is the root, "." or ".." gets Linux's answer: -EISDIR (unlink), -EBUSY, -EINVAL, -ENOTEMPTY (rmdir of the
 * root, ".", ".."), -EBUSY (rename), -EEXIST (symlink, link). The others act on the inode the path names; the
 * last component is followed when resolve_flags is FSMETA_RESOLVE_FOLLOW (chmod, truncate, getxattr), not with
 * 0 (lchown, lgetxattr); other resolve_flags bits are -EINVAL.
 */

/*
 * fsmeta_path_unlink - remove the name path, which is not a directory (unlink(2)).
 *
 * With a trailing "/": -EISDIR for a directory, -ENOTDIR for anything else (nothing is removed).
 * Returns 0; those of fsmeta_unlink and fsmeta_resolve; -EISDIR (the root, ".", ".."). Thread-safe.
 */
int fsmeta_path_unlink(fsmeta_db *db, const fsmeta_ctx *ctx, const char *path, size_t path_len);

/*
 * fsmeta_path_rmdir - remove the empty directory path (rmdir(2)).
 *
 * Returns 0; those of fsmeta_rmdir and fsmeta_resolve; -EBUSY (the root); -EINVAL ("." last); -ENOTEMPTY (".."
 * last). Thread-safe.
 */
int fsmeta_path_rmdir(fsmeta_db *db, const fsmeta_ctx *ctx, const char *path, size_t path_len);

/*
 * fsmeta_path_rename - move path to new_path (rename(2); flags as fsmeta_rename's).
 *
 * A trailing "/" on either path needs the entry moved (with FSMETA_RENAME_EXCHANGE both) to be a directory.
 * Returns 0; those of fsmeta_rename and fsmeta_resolve; -EBUSY (the root, "." or ".." as either last component);
 * -ENOTDIR (a trailing "/" on a non-directory). Thread-safe.
 */
int fsmeta_path_rename(fsmeta_db *db, const fsmeta_ctx *ctx, const char *path, size_t path_len, const char *new_path, size_t new_path_len, uint32_t flags);

/*
 * fsmeta_path_symlink - create the symbolic link path to target (symlink(2), arguments in fsmeta_symlink's order).
 *
 * attr_out: receives the new link's attributes (may be NULL).
 * Returns 0; those of fsmeta_symlink and fsmeta_resolve; -EEXIST (the root, ".", "..", or an existing name with
 * a trailing "/"); -ENOENT (a missing name with a trailing "/"). Thread-safe.
 */
int fsmeta_path_symlink(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, const char *path, size_t path_len, const char *target, size_t target_len);

/*
 * fsmeta_path_link - add new_path as a name of what path names (link(2): a final symlink of path is not followed).
 *
 * attr_out: receives the inode's attributes (nlink + 1; may be NULL).
 * Returns 0; those of fsmeta_link and fsmeta_resolve; -EEXIST (new_path the root, ".", "..", or an existing name
 * with a trailing "/"); -ENOENT (a missing name with a trailing "/"). Thread-safe.
 */
int fsmeta_path_link(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, const char *path, size_t path_len, const char *new_path, size_t new_path_len);

/*
 * fsmeta_path_readlink - the target of the symbolic link path (readlink(2): the last component is not followed),
 * into the caller's buffer as fsmeta_readlink.
 *
 * Returns 0; FSMETA_ETOOSMALL (*len_out set; buf untouched); those of fsmeta_readlink and fsmeta_resolve.
 * Thread-safe.
 */
int fsmeta_path_readlink(char *buf, size_t buf_size, size_t *len_out, fsmeta_db *db, const fsmeta_ctx *ctx, const char *path, size_t path_len);

/*
 * fsmeta_path_setattr - fsmeta_setattr on what path names: chmod(2), chown(2) and utimensat(2) with
 * FSMETA_RESOLVE_FOLLOW; lchown(2) and utimensat(AT_SYMLINK_NOFOLLOW) with 0.
 *
 * attr_out: receives the new attributes (may be NULL). mask, in: as fsmeta_setattr (in may be NULL when mask is 0).
 * Returns 0; those of fsmeta_setattr and fsmeta_resolve. Thread-safe.
 */
int fsmeta_path_setattr(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, const char *path, size_t path_len, uint32_t resolve_flags, uint32_t mask, const fsmeta_setattr_in *in);

/*
 * fsmeta_path_truncate - set the size of the regular file path names (truncate(2): symlinks are followed).
 *
 * attr_out: receives the new attributes (may be NULL).
 * Returns 0; those of fsmeta_setattr with FSMETA_SET_SIZE and of fsmeta_resolve. Thread-safe.
 */
int fsmeta_path_truncate(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, const char *path, size_t path_len, uint64_t size);

/*
 * fsmeta_path_getxattr - fsmeta_getxattr on what path names (getxattr(2) with FSMETA_RESOLVE_FOLLOW, lgetxattr(2)
 * with 0), into the caller's buffer.
 *
 * Returns 0; FSMETA_ETOOSMALL (*len_out set; buf untouched); those of fsmeta_getxattr and fsmeta_resolve.
 * Thread-safe.
 */
int fsmeta_path_getxattr(char *buf, size_t buf_size, size_t *len_out, fsmeta_db *db, const fsmeta_ctx *ctx, const char *path, size_t path_len, uint32_t resolve_flags, const char *name, size_t name_len);

/*
 * fsmeta_path_setxattr - fsmeta_setxattr on what path names (setxattr(2) with FSMETA_RESOLVE_FOLLOW, lsetxattr(2)
 * with 0). flags: as fsmeta_setxattr's (FSMETA_XATTR_CREATE, FSMETA_XATTR_REPLACE).
 *
 * Returns 0; those of fsmeta_setxattr and fsmeta_resolve. Thread-safe.
 */
int fsmeta_path_setxattr(fsmeta_db *db, const fsmeta_ctx *ctx, const char *path, size_t path_len, uint32_t resolve_flags, const char *name, size_t name_len, const char *value, size_t value_len, uint32_t flags);

/*
 * fsmeta_path_listxattr - fsmeta_listxattr on what path names (listxattr(2) with FSMETA_RESOLVE_FOLLOW,
 * llistxattr(2) with 0).
 *
 * buf_out: receives the names as fsmeta_listxattr's (required; zeroed on failure; release with fsmeta_buf_dispose).
 * Returns 0; those of fsmeta_listxattr and fsmeta_resolve. Thread-safe.
 */
int fsmeta_path_listxattr(fsmeta_buf *buf_out, fsmeta_db *db, const fsmeta_ctx *ctx, const char *path, size_t path_len, uint32_t resolve_flags);

/*
 * fsmeta_path_removexattr - fsmeta_removexattr on what path names (removexattr(2) with FSMETA_RESOLVE_FOLLOW,
 * lremovexattr(2) with 0).
 *
 * Returns 0; those of fsmeta_removexattr and fsmeta_resolve. Thread-safe.
 */
int fsmeta_path_removexattr(fsmeta_db *db, const fsmeta_ctx *ctx, const char *path, size_t path_len, uint32_t resolve_flags, const char *name, size_t name_len);

/* ---- Checking and statistics --------------------------------------------------------------------------------- */

/*
 * fsmeta_fsck - check every invariant of the engine's state.
 *
 * report_out: receives, when problems are found, a text report in data (NUL-terminated; len bytes without the
 *             NUL; count unused, 0) (may be NULL; else release with fsmeta_buf_dispose). Zeroed when the state is
 *             sound.
 * Returns 0 (sound); FSMETA_ECORRUPT (problems found; fsmeta_last_error has the report too); -ENOMEM;
 * FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe; it holds off changes while it runs.
 */
int fsmeta_fsck(fsmeta_buf *report_out, fsmeta_db *db);

/*
 * fsmeta_snapshot - take a snapshot of a durable engine now and truncate its log (the engine also takes one by
 * itself every fsmeta_options.snapshot_threshold log entries). Changes go on while it is written.
 *
 * Returns 0; -EINVAL (an in-memory engine: it has no log); -EROFS (opened read-only); -EIO and FSMETA_EINTERNAL
 * (the snapshot could not be written: see fsmeta_last_error); FSMETA_EBADHANDLE; FSMETA_ECLOSED. Thread-safe.
 */
int fsmeta_snapshot(fsmeta_db *db);

/*
 * fsmeta_stats - counts and memory figures.
 *
 * out: receives the figures (required); the caller sets out->version (FSMETA_STATS_INFO_INIT).
 * Returns 0; -EINVAL (out NULL); FSMETA_EVERSION (out->version); FSMETA_EBADHANDLE. Thread-safe. (A database
 * closed by another thread during the call reports zeros.)
 */
int fsmeta_stats(fsmeta_stats_info *out, fsmeta_db *db);

/* ---- DEPRECATED NAMES ------------------------------------------------------------------------------------------
 *
 * The names of release 1.0 that broke the fsmeta_<object>_<verb> rule. They stay exported from libfsmeta.so.1 with
 * the same arguments and behaviour (each calls its new name) until the soname changes; the bindings (Java, Python)
 * are not generated for them. Use the new names.
 */

#if defined(__GNUC__) || defined(__clang__)
#define FSMETA_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define FSMETA_DEPRECATED(msg)
#endif

/* fsmeta_file_release - deprecated: fsmeta_file_close. */
int fsmeta_file_release(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino) FSMETA_DEPRECATED("use fsmeta_file_close");

/* fsmeta_new_slice_id - deprecated: fsmeta_slice_id_new. */
int fsmeta_new_slice_id(uint64_t *id_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint32_t n) FSMETA_DEPRECATED("use fsmeta_slice_id_new");

/* fsmeta_write_slice - deprecated: fsmeta_slice_write. */
int fsmeta_write_slice(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t chunk, const fsmeta_slice *slice) FSMETA_DEPRECATED("use fsmeta_slice_write");

/* fsmeta_read_chunk - deprecated: fsmeta_chunk_read. */
int fsmeta_read_chunk(fsmeta_buf *buf_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t chunk) FSMETA_DEPRECATED("use fsmeta_chunk_read");

/* fsmeta_compact_chunk - deprecated: fsmeta_chunk_compact. */
int fsmeta_compact_chunk(fsmeta_buf *dropped_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t chunk, const fsmeta_slice *replaced, size_t replaced_count, const fsmeta_slice *with) FSMETA_DEPRECATED("use fsmeta_chunk_compact");

#ifdef __cplusplus
}
#endif

#endif /* FSMETA_H */
