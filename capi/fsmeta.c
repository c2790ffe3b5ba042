/*
 * fsmeta.c - the C side of libfsmeta: implements the prototypes of include/fsmeta.h, so the compiler checks the
 * header against the code (the Go exports it calls are declared in the generated _cgo_export.h, which is never
 * shipped). The functions that need no Go (versions, status texts, the per-thread error, buffers, options) are
 * plain C; the rest pass handles as integers to the Go exports, which do the work (exports.go). The forwarders
 * that only pass their arguments on are generated from the header (fsmeta_fwd.c, by cmd/fsmeta-gen).
 */
#include <pthread.h>
#include <stddef.h>
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
    /* only the fields of that version: a program built with an older header passes a smaller struct */
    memset(opts, 0, version == 1 ? offsetof(fsmeta_options, snapshot_threshold) : sizeof *opts);
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

int fsmeta_close(fsmeta_db *db)
{
    if (db == NULL)
        return 0;
    return fsmetago_close(H(db));
}

/* ---- handles written back (the other forwarders are generated: fsmeta_fwd.c) ---- */

int fsmeta_dir_open(fsmeta_dir **dir_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t flags)
{
    uint64_t h = 0;
    int rc = fsmetago_dir_open(dir_out ? &h : NULL, H(db), CTX(ctx), ino, flags);
    if (rc == 0)
        *dir_out = (fsmeta_dir *)(uintptr_t)h;
    return rc;
}

int fsmeta_dir_close(fsmeta_dir *dir)
{
    if (dir == NULL)
        return 0;
    return fsmetago_dir_close(H(dir));
}

/* ---- deprecated names (include/fsmeta.h, DEPRECATED NAMES): exported until the soname changes ---- */

int fsmeta_file_release(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino)
{
    return fsmeta_file_close(db, ctx, ino);
}

int fsmeta_new_slice_id(uint64_t *id_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint32_t n)
{
    return fsmeta_slice_id_new(id_out, db, ctx, n);
}

int fsmeta_write_slice(fsmeta_attr *attr_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t chunk, const fsmeta_slice *slice)
{
    return fsmeta_slice_write(attr_out, db, ctx, ino, chunk, slice);
}

int fsmeta_read_chunk(fsmeta_buf *buf_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t chunk)
{
    return fsmeta_chunk_read(buf_out, db, ctx, ino, chunk);
}

int fsmeta_compact_chunk(fsmeta_buf *dropped_out, fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t ino, uint32_t chunk, const fsmeta_slice *replaced, size_t replaced_count, const fsmeta_slice *with)
{
    return fsmeta_chunk_compact(dropped_out, db, ctx, ino, chunk, replaced, replaced_count, with);
}
