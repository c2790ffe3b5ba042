/*
 * fsmeta.c - the C side of libfsmeta: implements the prototypes of include/fsmeta.h, so the compiler checks the
 * header against the code (the Go exports it calls are declared in the generated _cgo_export.h, which is never
 * shipped). The functions that need no Go (versions, status texts, the per-thread error, buffers, options) are
 * plain C; the rest pass handles as integers to the Go exports, which do the work (exports.go).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fsmeta.h"
#include "shim.h"
#include "_cgo_export.h"

_Static_assert(sizeof(void *) == 8, "libfsmeta needs a 64-bit platform: handles are 64-bit values");
_Static_assert(sizeof(fsmeta_attr) == 72, "fsmeta_attr layout");
_Static_assert(sizeof(fsmeta_slice) == 24, "fsmeta_slice layout");

#define H(p) ((uint64_t)(uintptr_t)(p))
#define CTX(c) ((fsmeta_ctx *)(c))
#define STR(s) ((char *)(s))

/* ---- per-thread error detail ----
 *
 * Each thread's text lives in a heap buffer found through a pthread key (freed when the thread ends), not in a
 * __thread array: a library loaded with dlopen (ctypes, System.load) gets only a small surplus of static TLS,
 * and a Go c-shared library uses the initial-exec model, so a 4 KiB __thread array makes dlopen fail with
 * "cannot allocate memory in static TLS block". */

#define ERR_SIZE 4096

static pthread_key_t err_key;
static pthread_once_t err_once = PTHREAD_ONCE_INIT;
static int err_key_ok;

static void err_key_init(void)
{
    err_key_ok = pthread_key_create(&err_key, free) == 0;
}

static char *err_buf(int create)
{
    pthread_once(&err_once, err_key_init);
    if (!err_key_ok)
        return NULL;
    char *b = pthread_getspecific(err_key);
    if (b == NULL && create) {
        b = calloc(1, ERR_SIZE);
        if (b != NULL && pthread_setspecific(err_key, b) != 0) {
            free(b);
            b = NULL;
        }
    }
    return b;
}

void fsmetac_set_error(const char *msg, size_t len)
{
    char *b = err_buf(1);
    if (b == NULL)
        return;
    if (len >= ERR_SIZE)
        len = ERR_SIZE - 1;
    if (len > 0)
        memcpy(b, msg, len);
    b[len] = '\0';
}

void *fsmetac_malloc(size_t n)
{
    return malloc(n ? n : 1);
}

const char *fsmeta_last_error(void)
{
    const char *b = err_buf(0);
    return b != NULL ? b : "";
}

/* ---- versions, status texts, buffers, options ---- */

unsigned fsmeta_version_number(void)
{
    return FSMETA_VERSION_NUMBER;
}

const char *fsmeta_version_string(void)
{
    return FSMETA_VERSION_STRING;
}

const char *fsmeta_strerror(int status)
{
    switch (status) {
    case FSMETA_OK: return "success";
    case FSMETA_EPERM: return "operation not permitted";
    case FSMETA_ENOENT: return "no such file or directory";
    case FSMETA_EIO: return "input/output error";
    case FSMETA_E2BIG: return "argument list too long";
    case FSMETA_EBADF: return "bad file descriptor";
    case FSMETA_EAGAIN: return "resource temporarily unavailable";
    case FSMETA_ENOMEM: return "cannot allocate memory";
    case FSMETA_EACCES: return "permission denied";
    case FSMETA_EBUSY: return "device or resource busy";
    case FSMETA_EEXIST: return "file exists";
    case FSMETA_EXDEV: return "invalid cross-device link";
    case FSMETA_ENODEV: return "no such device";
    case FSMETA_ENOTDIR: return "not a directory";
    case FSMETA_EISDIR: return "is a directory";
    case FSMETA_EINVAL: return "invalid argument";
    case FSMETA_EMFILE: return "too many open files";
    case FSMETA_EFBIG: return "file too large";
    case FSMETA_ENOSPC: return "no space left on device";
    case FSMETA_EROFS: return "read-only file system";
    case FSMETA_EMLINK: return "too many links";
    case FSMETA_ERANGE: return "numerical result out of range";
    case FSMETA_ENAMETOOLONG: return "file name too long";
    case FSMETA_ENOSYS: return "function not implemented";
    case FSMETA_ENOTEMPTY: return "directory not empty";
    case FSMETA_ELOOP: return "too many levels of symbolic links";
    case FSMETA_ENODATA: return "no data available";
    case FSMETA_EOVERFLOW: return "value too large for defined data type";
    case FSMETA_EOPNOTSUPP: return "operation not supported";
    case FSMETA_EDQUOT: return "disk quota exceeded";
    case FSMETA_EBADHANDLE: return "bad handle (unknown, closed or forged)";
    case FSMETA_EINTERNAL: return "internal error";
    case FSMETA_ITEROVER: return "no more entries";
    case FSMETA_ECLOSED: return "database closed";
    case FSMETA_ETOOSMALL: return "buffer too small";
    case FSMETA_EVERSION: return "unsupported struct version";
    case FSMETA_ENOTLEADER: return "not the leader";
    case FSMETA_ECORRUPT: return "inconsistent state";
    default: return "unknown status";
    }
}

void fsmeta_buf_dispose(fsmeta_buf *buf)
{
    if (buf == NULL)
        return;
    free(buf->data);
    buf->data = NULL;
    buf->len = 0;
    buf->count = 0;
}

int fsmeta_options_init(fsmeta_options *opts, unsigned version)
{
    if (opts == NULL) {
        fsmetac_set_error("fsmeta_options_init: opts is NULL", 33);
        return FSMETA_EINVAL;
    }
    if (version < 1 || version > FSMETA_OPTIONS_VERSION) {
        static const char msg[] = "fsmeta_options_init: unknown version";
        fsmetac_set_error(msg, sizeof msg - 1);
        return FSMETA_EVERSION;
    }
    memset(opts, 0, sizeof *opts);
    opts->version = version;
    return 0;
}

/* ---- opening and closing ---- */

int fsmeta_open(fsmeta_db **db_out, const fsmeta_options *opts)
{
    uint64_t h = 0;
    int rc = fsmetago_open(db_out ? &h : NULL, (fsmeta_options *)opts);
    if (rc == 0)
        *db_out = (fsmeta_db *)(uintptr_t)h;
    return rc;
}

int fsmeta_set_test_time(fsmeta_db *db, int64_t now_ns)
{
    return fsmetago_set_test_time(H(db), now_ns);
}

int fsmeta_close(fsmeta_db *db)
{
    if (db == NULL)
        return 0;
    return fsmetago_close(H(db));
}

uint64_t fsmeta_handle_count(void)
{
    return fsmetago_handle_count();
}

/* ---- attributes ---- */

int fsmeta_lookup(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *name, size_t name_len)
{
    return fsmetago_lookup(attr_out, H(db), CTX(ctx), parent, STR(name), name_len);
}

int fsmeta_getattr(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino)
{
    return fsmetago_getattr(attr_out, H(db), CTX(ctx), ino);
}

int fsmeta_setattr(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t mask, const fsmeta_setattr_in *in)
{
    return fsmetago_setattr(attr_out, H(db), CTX(ctx), ino, mask, (fsmeta_setattr_in *)in);
}

int fsmeta_access(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t mask)
{
    return fsmetago_access(H(db), CTX(ctx), ino, mask);
}

/* ---- creating and removing ---- */

int fsmeta_mknod(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *name, size_t name_len, uint32_t mode, uint32_t rdev)
{
    return fsmetago_mknod(attr_out, H(db), CTX(ctx), parent, STR(name), name_len, mode, rdev);
}

int fsmeta_create(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *name, size_t name_len, uint32_t mode)
{
    return fsmetago_create(attr_out, H(db), CTX(ctx), parent, STR(name), name_len, mode);
}

int fsmeta_mkdir(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *name, size_t name_len, uint32_t mode)
{
    return fsmetago_mkdir(attr_out, H(db), CTX(ctx), parent, STR(name), name_len, mode);
}

int fsmeta_symlink(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *name, size_t name_len, const char *target, size_t target_len)
{
    return fsmetago_symlink(attr_out, H(db), CTX(ctx), parent, STR(name), name_len, STR(target), target_len);
}

int fsmeta_readlink(char *buf, size_t buf_size, size_t *len_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino)
{
    return fsmetago_readlink(buf, buf_size, len_out, H(db), CTX(ctx), ino);
}

int fsmeta_link(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint64_t new_parent, const char *new_name, size_t new_name_len)
{
    return fsmetago_link(attr_out, H(db), CTX(ctx), ino, new_parent, STR(new_name), new_name_len);
}

int fsmeta_unlink(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *name, size_t name_len)
{
    return fsmetago_unlink(H(db), CTX(ctx), parent, STR(name), name_len);
}

int fsmeta_rmdir(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *name, size_t name_len)
{
    return fsmetago_rmdir(H(db), CTX(ctx), parent, STR(name), name_len);
}

int fsmeta_rename(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t parent, const char *name, size_t name_len, uint64_t new_parent, const char *new_name, size_t new_name_len, uint32_t flags)
{
    return fsmetago_rename(H(db), CTX(ctx), parent, STR(name), name_len, new_parent, STR(new_name), new_name_len, flags);
}

/* ---- directories ---- */

int fsmeta_dir_open(fsmeta_dir **dir_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t flags)
{
    uint64_t h = 0;
    int rc = fsmetago_dir_open(dir_out ? &h : NULL, H(db), CTX(ctx), ino, flags);
    if (rc == 0)
        *dir_out = (fsmeta_dir *)(uintptr_t)h;
    return rc;
}

int fsmeta_dir_next(fsmeta_dirent *ent_out, fsmeta_dir *dir)
{
    return fsmetago_dir_next(ent_out, H(dir));
}

int fsmeta_dir_close(fsmeta_dir *dir)
{
    if (dir == NULL)
        return 0;
    return fsmetago_dir_close(H(dir));
}

/* ---- file system ---- */

int fsmeta_statfs(fsmeta_statfs_info *out, fsmeta_db *db, const fsmeta_ctx *ctx)
{
    return fsmetago_statfs(out, H(db), CTX(ctx));
}

/* ---- extended attributes ---- */

int fsmeta_getxattr(char *buf, size_t buf_size, size_t *len_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, const char *name, size_t name_len)
{
    return fsmetago_getxattr(buf, buf_size, len_out, H(db), CTX(ctx), ino, STR(name), name_len);
}

int fsmeta_setxattr(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, const char *name, size_t name_len, const char *value, size_t value_len, uint32_t flags)
{
    return fsmetago_setxattr(H(db), CTX(ctx), ino, STR(name), name_len, STR(value), value_len, flags);
}

int fsmeta_listxattr(fsmeta_buf *buf_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino)
{
    return fsmetago_listxattr(buf_out, H(db), CTX(ctx), ino);
}

int fsmeta_removexattr(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, const char *name, size_t name_len)
{
    return fsmetago_removexattr(H(db), CTX(ctx), ino, STR(name), name_len);
}

/* ---- files and their data ---- */

int fsmeta_fallocate(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t mode, uint64_t offset, uint64_t length)
{
    return fsmetago_fallocate(attr_out, H(db), CTX(ctx), ino, mode, offset, length);
}

int fsmeta_file_open(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t flags)
{
    return fsmetago_file_open(attr_out, H(db), CTX(ctx), ino, flags);
}

int fsmeta_file_release(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino)
{
    return fsmetago_file_release(H(db), CTX(ctx), ino);
}

int fsmeta_new_slice_id(uint64_t *id_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint32_t n)
{
    return fsmetago_new_slice_id(id_out, H(db), CTX(ctx), n);
}

int fsmeta_write_slice(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t chunk, const fsmeta_slice *slice)
{
    return fsmetago_write_slice(attr_out, H(db), CTX(ctx), ino, chunk, (fsmeta_slice *)slice);
}

int fsmeta_read_chunk(fsmeta_buf *buf_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t chunk)
{
    return fsmetago_read_chunk(buf_out, H(db), CTX(ctx), ino, chunk);
}

int fsmeta_compact_chunk(fsmeta_buf *dropped_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t chunk, const fsmeta_slice *replaced, size_t replaced_count, const fsmeta_slice *with)
{
    return fsmetago_compact_chunk(dropped_out, H(db), CTX(ctx), ino, chunk, (fsmeta_slice *)replaced, replaced_count, (fsmeta_slice *)with);
}

/* ---- paths ---- */

int fsmeta_resolve(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, const char *path, size_t path_len, uint32_t flags)
{
    return fsmetago_resolve(attr_out, H(db), CTX(ctx), STR(path), path_len, flags);
}

int fsmeta_mkdir_all(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, const char *path, size_t path_len, uint32_t mode)
{
    return fsmetago_mkdir_all(attr_out, H(db), CTX(ctx), STR(path), path_len, mode);
}

/* ---- checking and statistics ---- */

int fsmeta_fsck(fsmeta_buf *report_out, fsmeta_db *db)
{
    return fsmetago_fsck(report_out, H(db));
}

int fsmeta_stats(fsmeta_stats_info *out, fsmeta_db *db)
{
    return fsmetago_stats(out, H(db));
}
