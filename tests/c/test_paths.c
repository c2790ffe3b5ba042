/*
 * test_paths.c - what users reached for from C (issue #19): the operations by path (fsmeta_path_*), the path of a
 * directory (fsmeta_dir_path), the resumable listing cursor (fsmeta_dir_tell, fsmeta_dir_seek), fsmeta_snapshot and fsmeta_options.snapshot_threshold. Each
 * function's work, then its failures: arguments checked before anything is looked up, and nothing written on
 * failure.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

static fsmeta_db *open_mem(void)
{
    fsmeta_options o = FSMETA_OPTIONS_INIT;
    o.in_memory = 1;
    fsmeta_db *db = NULL;
    EXPECT_OK(fsmeta_open(&db, &o));
    CHECK(db != NULL);
    return db;
}

static void rm_rf(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

/* A sentinel attr: a failed call must leave it as it is. */
static fsmeta_attr sentinel(void)
{
    fsmeta_attr a;
    memset(&a, 0xab, sizeof a);
    return a;
}

static int untouched(const fsmeta_attr *a)
{
    fsmeta_attr s = sentinel();
    return memcmp(a, &s, sizeof s) == 0;
}

static const fsmeta_ctx alice = {FSMETA_CTX_VERSION, 1000, 1000, 022, NULL, 0};

/* /d (0755), /d/f (0644, "hello" long), /d/sub/, /d/l -> f, /d/dl -> sub, /d/dangling -> nowhere */
static void make_tree(fsmeta_db *db)
{
    fsmeta_attr d, a;
    EXPECT_OK(fsmeta_mkdir_all(&d, db, NULL, NAME("/d/sub"), 0755));
    EXPECT_OK(fsmeta_resolve(&d, db, NULL, NAME("/d"), 0));
    EXPECT_OK(fsmeta_create(&a, db, NULL, d.ino, NAME("f"), 0644));
    EXPECT_OK(fsmeta_path_truncate(&a, db, NULL, NAME("/d/f"), 5));
    CHECK(a.size == 5);
    EXPECT_OK(fsmeta_path_symlink(&a, db, NULL, NAME("/d/l"), NAME("f")));
    CHECK((a.mode & FSMETA_S_IFMT) == FSMETA_S_IFLNK);
    EXPECT_OK(fsmeta_path_symlink(NULL, db, NULL, NAME("d/dl"), NAME("sub")));
    EXPECT_OK(fsmeta_path_symlink(NULL, db, NULL, NAME("//d//dangling"), NAME("/nowhere")));
}

static void test_path_work(void)
{
    fsmeta_db *db = open_mem();
    make_tree(db);
    fsmeta_attr f, a, l;
    EXPECT_OK(fsmeta_resolve(&f, db, NULL, NAME("/d/f"), 0));
    EXPECT_OK(fsmeta_resolve(&l, db, NULL, NAME("/d/l"), 0));

    /* readlink: the last component is not followed; a directory of the path is */
    char buf[64];
    size_t n = 0;
    EXPECT_OK(fsmeta_path_readlink(buf, sizeof buf, &n, db, NULL, NAME("/d/l")));
    CHECK(n == 1 && memcmp(buf, "f", 2) == 0);
    EXPECT_OK(fsmeta_path_readlink(buf, sizeof buf, &n, db, NULL, NAME("/d/dl/../dangling")));
    CHECK(n == 8 && memcmp(buf, "/nowhere", 9) == 0);
    n = 0;
    EXPECT_RC(fsmeta_path_readlink(buf, 3, &n, db, NULL, NAME("/d/dangling")), FSMETA_ETOOSMALL);
    CHECK(n == 8);

    /* setattr: with FSMETA_RESOLVE_FOLLOW the target, without it the link */
    fsmeta_setattr_in in = {0};
    in.mode = 0600;
    EXPECT_OK(fsmeta_path_setattr(&a, db, NULL, NAME("/d/l"), FSMETA_RESOLVE_FOLLOW, FSMETA_SET_MODE, &in));
    CHECK(a.ino == f.ino && (a.mode & 07777) == 0600);
    in.uid = 7;
    in.gid = 8;
    EXPECT_OK(fsmeta_path_setattr(&a, db, NULL, NAME("/d/l"), 0, FSMETA_SET_UID | FSMETA_SET_GID, &in));
    CHECK(a.ino == l.ino && a.uid == 7 && a.gid == 8);
    EXPECT_OK(fsmeta_resolve(&a, db, NULL, NAME("/d/f"), 0));
    CHECK(a.uid == 0 && a.gid == 0);
    EXPECT_OK(fsmeta_path_setattr(&a, db, NULL, NAME("/d/f"), 0, 0, NULL)); /* mask 0: in may be NULL */
    in.atime_ns = 1000;
    in.mtime_ns = 2000;
    EXPECT_OK(fsmeta_path_setattr(&a, db, NULL, NAME("/d/l"), FSMETA_RESOLVE_FOLLOW, FSMETA_SET_ATIME | FSMETA_SET_MTIME, &in));
    CHECK(a.ino == f.ino && a.atime_ns == 1000 && a.mtime_ns == 2000);

    /* truncate follows */
    EXPECT_OK(fsmeta_path_truncate(&a, db, NULL, NAME("/d/l"), 4096));
    CHECK(a.ino == f.ino && a.size == 4096);
    EXPECT_OK(fsmeta_path_truncate(NULL, db, NULL, NAME("/d/f"), 0));

    /* xattrs */
    EXPECT_OK(fsmeta_path_setxattr(db, NULL, NAME("/d/l"), FSMETA_RESOLVE_FOLLOW, NAME("user.a"), NAME("1"), 0));
    EXPECT_OK(fsmeta_path_setxattr(db, NULL, NAME("/d/f"), 0, NAME("user.b"), NAME("22"), FSMETA_XATTR_CREATE));
    EXPECT_OK(fsmeta_path_setxattr(db, NULL, NAME("/d/l"), 0, NAME("trusted.t"), NAME("on the link"), 0));
    EXPECT_OK(fsmeta_path_getxattr(buf, sizeof buf, &n, db, NULL, NAME("/d/f"), 0, NAME("user.a")));
    CHECK(n == 1 && buf[0] == '1');
    EXPECT_OK(fsmeta_path_getxattr(buf, sizeof buf, &n, db, NULL, NAME("/d/l"), 0, NAME("trusted.t")));
    CHECK(n == 11 && memcmp(buf, "on the link", 11) == 0);
    EXPECT_RC(fsmeta_path_getxattr(buf, sizeof buf, &n, db, NULL, NAME("/d/l"), FSMETA_RESOLVE_FOLLOW, NAME("trusted.t")), FSMETA_ENODATA);
    fsmeta_buf names = FSMETA_BUF_INIT;
    EXPECT_OK(fsmeta_path_listxattr(&names, db, NULL, NAME("/d/l"), FSMETA_RESOLVE_FOLLOW));
    CHECK(names.count == 2 && names.len == 14 && memcmp(names.data, "user.a\0user.b\0", 14) == 0);
    fsmeta_buf_dispose(&names);
    EXPECT_OK(fsmeta_path_listxattr(&names, db, NULL, NAME("/d/l"), 0));
    CHECK(names.count == 1 && strcmp(names.data, "trusted.t") == 0);
    fsmeta_buf_dispose(&names);
    EXPECT_OK(fsmeta_path_removexattr(db, NULL, NAME("/d/l"), FSMETA_RESOLVE_FOLLOW, NAME("user.a")));
    EXPECT_RC(fsmeta_path_removexattr(db, NULL, NAME("/d/f"), 0, NAME("user.a")), FSMETA_ENODATA);
    EXPECT_OK(fsmeta_path_removexattr(db, NULL, NAME("/d/l"), 0, NAME("trusted.t")));

    /* link: a final symlink of path is not followed */
    EXPECT_OK(fsmeta_path_link(&a, db, NULL, NAME("/d/f"), NAME("/d/sub/f2")));
    CHECK(a.ino == f.ino && a.nlink == 2);
    EXPECT_OK(fsmeta_path_link(&a, db, NULL, NAME("/d/l"), NAME("/d/sub/l2")));
    CHECK(a.ino == l.ino);

    /* rename, through a symlinked directory, and with flags */
    EXPECT_OK(fsmeta_path_rename(db, NULL, NAME("/d/dl/f2"), NAME("/d/g"), 0));
    EXPECT_OK(fsmeta_resolve(&a, db, NULL, NAME("/d/g"), 0));
    CHECK(a.ino == f.ino);
    EXPECT_RC(fsmeta_path_rename(db, NULL, NAME("/d/g"), NAME("/d/f"), FSMETA_RENAME_NOREPLACE), FSMETA_EEXIST);
    EXPECT_OK(fsmeta_path_rename(db, NULL, NAME("/d/g"), NAME("/d/l"), FSMETA_RENAME_EXCHANGE));
    EXPECT_OK(fsmeta_resolve(&a, db, NULL, NAME("/d/g"), 0));
    CHECK(a.ino == l.ino);
    EXPECT_OK(fsmeta_path_rename(db, NULL, NAME("/d/sub/"), NAME("/d/sub2/"), 0)); /* trailing "/" on directories */
    EXPECT_OK(fsmeta_path_rename(db, NULL, NAME("/d/sub2"), NAME("/d/sub"), 0));

    /* unlink and rmdir */
    EXPECT_OK(fsmeta_path_unlink(db, NULL, NAME("/d/g")));
    EXPECT_OK(fsmeta_path_unlink(db, NULL, NAME("/d/sub/l2")));
    EXPECT_OK(fsmeta_path_unlink(db, NULL, NAME("/d/dl")));
    EXPECT_RC(fsmeta_resolve(NULL, db, NULL, NAME("/d/dl"), 0), FSMETA_ENOENT);
    EXPECT_OK(fsmeta_path_rmdir(db, NULL, NAME("/d/sub/")));
    EXPECT_RC(fsmeta_resolve(NULL, db, NULL, NAME("/d/sub"), 0), FSMETA_ENOENT);
    EXPECT_OK(fsmeta_path_unlink(db, NULL, NAME("d/l")));
    EXPECT_OK(fsmeta_path_unlink(db, NULL, NAME("/d/f")));
    EXPECT_OK(fsmeta_path_unlink(db, NULL, NAME("/d/dangling")));
    EXPECT_OK(fsmeta_path_rmdir(db, NULL, NAME("/d")));
    EXPECT_OK(fsmeta_fsck(NULL, db));
    EXPECT_OK(fsmeta_close(db));
}

/* The answers of Linux for the root, ".", ".." and a trailing "/". */
static void test_path_ends(void)
{
    fsmeta_db *db = open_mem();
    make_tree(db);
    EXPECT_RC(fsmeta_path_unlink(db, NULL, NAME("/")), FSMETA_EISDIR);
    EXPECT_RC(fsmeta_path_unlink(db, NULL, NAME("/d/.")), FSMETA_EISDIR);
    EXPECT_RC(fsmeta_path_unlink(db, NULL, NAME("/d/..")), FSMETA_EISDIR);
    EXPECT_RC(fsmeta_path_unlink(db, NULL, NAME("/d/sub")), FSMETA_EISDIR);
    EXPECT_RC(fsmeta_path_unlink(db, NULL, NAME("/d/sub/")), FSMETA_EISDIR);
    EXPECT_RC(fsmeta_path_unlink(db, NULL, NAME("/d/f/")), FSMETA_ENOTDIR);
    EXPECT_RC(fsmeta_path_unlink(db, NULL, NAME("/d/dl/")), FSMETA_ENOTDIR); /* the link itself, not followed */
    EXPECT_RC(fsmeta_path_unlink(db, NULL, NAME("/d/missing/")), FSMETA_ENOENT);
    EXPECT_RC(fsmeta_path_unlink(db, NULL, NAME("/d/f/x")), FSMETA_ENOTDIR);
    EXPECT_RC(fsmeta_path_unlink(db, NULL, NAME("/d/missing/x")), FSMETA_ENOENT);

    EXPECT_RC(fsmeta_path_rmdir(db, NULL, NAME("/")), FSMETA_EBUSY);
    EXPECT_RC(fsmeta_path_rmdir(db, NULL, NAME("///")), FSMETA_EBUSY);
    EXPECT_RC(fsmeta_path_rmdir(db, NULL, NAME("/d/sub/.")), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_rmdir(db, NULL, NAME("/d/sub/..")), FSMETA_ENOTEMPTY);
    EXPECT_RC(fsmeta_path_rmdir(db, NULL, NAME("/d")), FSMETA_ENOTEMPTY);
    EXPECT_RC(fsmeta_path_rmdir(db, NULL, NAME("/d/f")), FSMETA_ENOTDIR);
    EXPECT_RC(fsmeta_path_rmdir(db, NULL, NAME("/d/dl/")), FSMETA_ENOTDIR);

    EXPECT_RC(fsmeta_path_rename(db, NULL, NAME("/"), NAME("/x"), 0), FSMETA_EBUSY);
    EXPECT_RC(fsmeta_path_rename(db, NULL, NAME("/d/f"), NAME("/"), 0), FSMETA_EBUSY);
    EXPECT_RC(fsmeta_path_rename(db, NULL, NAME("/d/sub/."), NAME("/x"), 0), FSMETA_EBUSY);
    EXPECT_RC(fsmeta_path_rename(db, NULL, NAME("/d/f"), NAME("/d/sub/.."), 0), FSMETA_EBUSY);
    EXPECT_RC(fsmeta_path_rename(db, NULL, NAME("/d/f/"), NAME("/d/g"), 0), FSMETA_ENOTDIR);
    EXPECT_RC(fsmeta_path_rename(db, NULL, NAME("/d/f"), NAME("/d/g/"), 0), FSMETA_ENOTDIR);
    EXPECT_RC(fsmeta_path_rename(db, NULL, NAME("/d/sub"), NAME("/d/f/"), FSMETA_RENAME_EXCHANGE), FSMETA_ENOTDIR);
    EXPECT_RC(fsmeta_path_rename(db, NULL, NAME("/d/missing/"), NAME("/d/g"), 0), FSMETA_ENOENT);
    EXPECT_RC(fsmeta_path_rename(db, NULL, NAME("/d"), NAME("/d/sub/d"), 0), FSMETA_EINVAL);

    EXPECT_RC(fsmeta_path_symlink(NULL, db, NULL, NAME("/"), NAME("t")), FSMETA_EEXIST);
    EXPECT_RC(fsmeta_path_symlink(NULL, db, NULL, NAME("/d/."), NAME("t")), FSMETA_EEXIST);
    EXPECT_RC(fsmeta_path_symlink(NULL, db, NULL, NAME("/d/f"), NAME("t")), FSMETA_EEXIST);
    EXPECT_RC(fsmeta_path_symlink(NULL, db, NULL, NAME("/d/f/"), NAME("t")), FSMETA_EEXIST);
    EXPECT_RC(fsmeta_path_symlink(NULL, db, NULL, NAME("/d/new/"), NAME("t")), FSMETA_ENOENT);
    EXPECT_RC(fsmeta_path_link(NULL, db, NULL, NAME("/d/f"), NAME("/d/..")), FSMETA_EEXIST);
    EXPECT_RC(fsmeta_path_link(NULL, db, NULL, NAME("/d/f"), NAME("/d/new/")), FSMETA_ENOENT);
    EXPECT_RC(fsmeta_path_link(NULL, db, NULL, NAME("/d/sub"), NAME("/d/new")), FSMETA_EPERM);
    EXPECT_RC(fsmeta_path_link(NULL, db, NULL, NAME("/d/missing"), NAME("/d/new")), FSMETA_ENOENT);
    EXPECT_RC(fsmeta_resolve(NULL, db, NULL, NAME("/d/new"), 0), FSMETA_ENOENT);

    char buf[16];
    size_t n = 99;
    EXPECT_RC(fsmeta_path_readlink(buf, sizeof buf, &n, db, NULL, NAME("/d/f")), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_readlink(buf, sizeof buf, &n, db, NULL, NAME("/d/dl/")), FSMETA_EINVAL); /* followed: a dir */
    EXPECT_RC(fsmeta_path_readlink(buf, sizeof buf, &n, db, NULL, NAME("/d/l/")), FSMETA_ENOTDIR);
    CHECK(n == 99);
    EXPECT_RC(fsmeta_path_truncate(NULL, db, NULL, NAME("/d/sub"), 1), FSMETA_EISDIR);
    EXPECT_RC(fsmeta_path_truncate(NULL, db, NULL, NAME("/d/dangling"), 1), FSMETA_ENOENT);
    EXPECT_OK(fsmeta_fsck(NULL, db));
    EXPECT_OK(fsmeta_close(db));
}

/* Every function: the handle, ctx, out-pointers, strings and flags are checked before the path, the path (NUL:
 * EINVAL, empty: ENOENT, too long: ENAMETOOLONG) before anything is looked up, and nothing is written on
 * failure. */
static void test_path_args(void)
{
    fsmeta_db *db = open_mem();
    make_tree(db);
    const fsmeta_ctx badctx = {99, 0, 0, 0, NULL, 0};
    char longp[FSMETA_PATH_MAX + 2];
    memset(longp, 'a', sizeof longp);
    longp[0] = '/';
    const char nul[] = "/d/f\0x";
    fsmeta_setattr_in in = {0};
    char buf[16] = "unchanged";
    size_t n = 99;
    fsmeta_attr a = sentinel();

#define PATH_CASES(CALL_OF_PATH)                                                                                     \
    do {                                                                                                             \
        EXPECT_RC(CALL_OF_PATH(NULL, 3), FSMETA_EINVAL);                                                             \
        EXPECT_RC(CALL_OF_PATH(nul, sizeof nul - 1), FSMETA_EINVAL);                                                 \
        EXPECT_RC(CALL_OF_PATH("", 0), FSMETA_ENOENT);                                                               \
        EXPECT_RC(CALL_OF_PATH(NULL, 0), FSMETA_ENOENT);                                                             \
        EXPECT_RC(CALL_OF_PATH(longp, sizeof longp), FSMETA_ENAMETOOLONG);                                           \
        EXPECT_RC(CALL_OF_PATH("/nope/x", 7), FSMETA_ENOENT);                                                        \
        EXPECT_RC(CALL_OF_PATH("/d/f/x", 6), FSMETA_ENOTDIR);                                                        \
    } while (0)

#define P_UNLINK(p, l) fsmeta_path_unlink(db, NULL, p, l)
#define P_RMDIR(p, l) fsmeta_path_rmdir(db, NULL, p, l)
#define P_RENAME1(p, l) fsmeta_path_rename(db, NULL, p, l, NAME("/d/x"), 0)
#define P_RENAME2(p, l) fsmeta_path_rename(db, NULL, NAME("/d/f"), p, l, 0)
#define P_SYMLINK(p, l) fsmeta_path_symlink(&a, db, NULL, p, l, NAME("t"))
#define P_LINK1(p, l) fsmeta_path_link(&a, db, NULL, p, l, NAME("/d/x"))
#define P_LINK2(p, l) fsmeta_path_link(&a, db, NULL, NAME("/d/f"), p, l)
#define P_READLINK(p, l) fsmeta_path_readlink(buf, sizeof buf, &n, db, NULL, p, l)
#define P_SETATTR(p, l) fsmeta_path_setattr(&a, db, NULL, p, l, FSMETA_RESOLVE_FOLLOW, FSMETA_SET_MODE, &in)
#define P_TRUNCATE(p, l) fsmeta_path_truncate(&a, db, NULL, p, l, 1)
#define P_GETXATTR(p, l) fsmeta_path_getxattr(buf, sizeof buf, &n, db, NULL, p, l, 0, NAME("user.a"))
#define P_SETXATTR(p, l) fsmeta_path_setxattr(db, NULL, p, l, 0, NAME("user.a"), NAME("v"), 0)
#define P_LISTXATTR(p, l) fsmeta_path_listxattr(&names, db, NULL, p, l, 0)
#define P_REMOVEXATTR(p, l) fsmeta_path_removexattr(db, NULL, p, l, 0, NAME("user.a"))

    fsmeta_buf names = {(char *)1, 1, 1}; /* a failed call zeroes it */
    PATH_CASES(P_UNLINK);
    PATH_CASES(P_RMDIR);
    PATH_CASES(P_RENAME1);
    PATH_CASES(P_RENAME2);
    PATH_CASES(P_SYMLINK);
    PATH_CASES(P_LINK1);
    PATH_CASES(P_LINK2);
    PATH_CASES(P_READLINK);
    PATH_CASES(P_SETATTR);
    PATH_CASES(P_TRUNCATE);
    PATH_CASES(P_GETXATTR);
    PATH_CASES(P_SETXATTR);
    PATH_CASES(P_LISTXATTR);
    PATH_CASES(P_REMOVEXATTR);
    CHECK(untouched(&a));
    CHECK(n == 99 && strcmp(buf, "unchanged") == 0);
    CHECK(names.data == NULL && names.len == 0 && names.count == 0);

    /* handles and ctx first */
    EXPECT_RC(fsmeta_path_unlink(NULL, NULL, NAME("/d/f")), FSMETA_EBADHANDLE);
    EXPECT_RC(fsmeta_path_rmdir((fsmeta_db *)(uintptr_t)0x1234, NULL, NAME("/d/sub")), FSMETA_EBADHANDLE);
    EXPECT_RC(fsmeta_path_rename(db, &badctx, NAME("/d/f"), NAME("/d/x"), 0), FSMETA_EVERSION);
    EXPECT_RC(fsmeta_path_symlink(&a, db, &badctx, NAME("/d/x"), NAME("t")), FSMETA_EVERSION);
    EXPECT_RC(fsmeta_path_link(&a, NULL, NULL, NAME("/d/f"), NAME("/d/x")), FSMETA_EBADHANDLE);
    EXPECT_RC(fsmeta_path_readlink(buf, sizeof buf, &n, db, &badctx, NAME("/d/l")), FSMETA_EVERSION);
    EXPECT_RC(fsmeta_path_setattr(&a, db, &badctx, NAME("/d/f"), 0, FSMETA_SET_MODE, &in), FSMETA_EVERSION);
    EXPECT_RC(fsmeta_path_truncate(&a, NULL, NULL, NAME("/d/f"), 1), FSMETA_EBADHANDLE);
    EXPECT_RC(fsmeta_path_getxattr(buf, sizeof buf, &n, NULL, NULL, NAME("/d/f"), 0, NAME("user.a")), FSMETA_EBADHANDLE);
    EXPECT_RC(fsmeta_path_setxattr(db, &badctx, NAME("/d/f"), 0, NAME("user.a"), NAME("v"), 0), FSMETA_EVERSION);
    EXPECT_RC(fsmeta_path_listxattr(&names, NULL, NULL, NAME("/d/f"), 0), FSMETA_EBADHANDLE);
    EXPECT_RC(fsmeta_path_removexattr(db, &badctx, NAME("/d/f"), 0, NAME("user.a")), FSMETA_EVERSION);

    /* out-pointers, buffers, strings, flags: EINVAL before the path is looked at (an empty path would be ENOENT) */
    EXPECT_RC(fsmeta_path_readlink(buf, sizeof buf, NULL, db, NULL, "", 0), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_readlink(NULL, 16, &n, db, NULL, "", 0), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_getxattr(buf, sizeof buf, NULL, db, NULL, "", 0, 0, NAME("user.a")), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_getxattr(NULL, 16, &n, db, NULL, NAME("/d/f"), 0, NAME("user.a")), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_getxattr(buf, sizeof buf, &n, db, NULL, "", 0, 0, NULL, 3), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_getxattr(buf, sizeof buf, &n, db, NULL, "", 0, 0, "", 0), FSMETA_EINVAL); /* empty name */
    EXPECT_RC(fsmeta_path_getxattr(buf, sizeof buf, &n, db, NULL, "", 0, 2, NAME("user.a")), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_listxattr(NULL, db, NULL, NAME("/d/f"), 0), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_listxattr(&names, db, NULL, "", 0, 0x10), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_setattr(&a, db, NULL, "", 0, 0x2, FSMETA_SET_MODE, &in), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_setattr(&a, db, NULL, "", 0, 0, FSMETA_SET_MODE, NULL), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_setattr(&a, db, NULL, "", 0, 0, 0x8000, &in), FSMETA_EINVAL);
    in.mode = 010000;
    EXPECT_RC(fsmeta_path_setattr(&a, db, NULL, "", 0, 0, FSMETA_SET_MODE, &in), FSMETA_EINVAL);
    in.mode = 0;
    EXPECT_RC(fsmeta_path_rename(db, NULL, "", 0, "", 0, FSMETA_RENAME_NOREPLACE | FSMETA_RENAME_EXCHANGE), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_rename(db, NULL, NAME("/d/f"), NULL, 2, 0), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_symlink(&a, db, NULL, "", 0, "", 0), FSMETA_EINVAL); /* empty target */
    EXPECT_RC(fsmeta_path_symlink(&a, db, NULL, "", 0, "a\0b", 3), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_symlink(&a, db, NULL, NAME("/d/x"), NULL, 1), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_setxattr(db, NULL, "", 0, 4, NAME("user.a"), NAME("v"), 0), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_setxattr(db, NULL, "", 0, 0, NAME("user.a"), NAME("v"), 0x4), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_setxattr(db, NULL, "", 0, 0, NAME("user.a"), NULL, 1, 0), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_setxattr(db, NULL, "", 0, 0, "", 0, NAME("v"), 0), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_setxattr(db, NULL, "", 0, 0, NAME("nons"), NAME("v"), 0), FSMETA_EOPNOTSUPP);
    EXPECT_RC(fsmeta_path_removexattr(db, NULL, "", 0, 0, "", 0), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_path_removexattr(db, NULL, NAME("/d/f"), 0x100, NAME("user.a")), FSMETA_EINVAL);
    CHECK(untouched(&a));
    CHECK(n == 99 && strcmp(buf, "unchanged") == 0);
    CHECK(names.data == NULL && names.len == 0 && names.count == 0);

    /* permissions: another caller */
    EXPECT_OK(fsmeta_path_setattr(NULL, db, NULL, NAME("/d"), 0, FSMETA_SET_MODE, &(fsmeta_setattr_in){.mode = 0700}));
    EXPECT_RC(fsmeta_path_unlink(db, &alice, NAME("/d/f")), FSMETA_EACCES);
    EXPECT_RC(fsmeta_path_readlink(buf, sizeof buf, &n, db, &alice, NAME("/d/l")), FSMETA_EACCES);
    EXPECT_RC(fsmeta_path_getxattr(buf, sizeof buf, &n, db, &alice, NAME("/d/f"), 0, NAME("user.a")), FSMETA_EACCES);
    EXPECT_RC(fsmeta_path_setattr(&a, db, &alice, NAME("/"), 0, FSMETA_SET_MODE, &in), FSMETA_EPERM);
    CHECK(untouched(&a));
    CHECK(n == 99);

    /* a closed database */
    EXPECT_OK(fsmeta_close(db));
    EXPECT_RC(fsmeta_path_unlink(db, NULL, NAME("/d/f")), FSMETA_EBADHANDLE);
#undef PATH_CASES
}

/* fsmeta_dir_path: a directory's path from its parent links; -ENOTDIR for other inodes (no link from a file to
 * its directories); nothing but a zeroed buffer on failure. */
static void test_dir_path(void)
{
    fsmeta_db *db = open_mem();
    make_tree(db);
    fsmeta_attr sub, f, d;
    EXPECT_OK(fsmeta_resolve(&sub, db, NULL, NAME("/d/sub"), 0));
    EXPECT_OK(fsmeta_resolve(&f, db, NULL, NAME("/d/f"), 0));
    fsmeta_buf b = FSMETA_BUF_INIT;
    EXPECT_OK(fsmeta_dir_path(&b, db, NULL, sub.ino));
    CHECK(b.len == 6 && strcmp(b.data, "/d/sub") == 0 && b.count == 0);
    fsmeta_buf_dispose(&b);
    EXPECT_OK(fsmeta_dir_path(&b, db, NULL, FSMETA_ROOT_INO));
    CHECK(b.len == 1 && strcmp(b.data, "/") == 0);
    fsmeta_buf_dispose(&b);
    /* after a rename the path follows; a caller without any permission gets it too (as getattr) */
    EXPECT_OK(fsmeta_path_setattr(NULL, db, NULL, NAME("/d"), 0, FSMETA_SET_MODE, &(fsmeta_setattr_in){.mode = 0}));
    EXPECT_OK(fsmeta_mkdir_all(&d, db, NULL, NAME("/e"), 0755));
    EXPECT_OK(fsmeta_path_rename(db, NULL, NAME("/d/sub"), NAME("/e/moved"), 0));
    EXPECT_OK(fsmeta_dir_path(&b, db, &alice, sub.ino));
    CHECK(b.data != NULL && strcmp(b.data, "/e/moved") == 0);
    fsmeta_buf_dispose(&b);
    /* it resolves back to the same directory */
    fsmeta_attr back;
    EXPECT_OK(fsmeta_dir_path(&b, db, NULL, sub.ino));
    EXPECT_OK(fsmeta_resolve(&back, db, NULL, b.data, b.len, 0));
    CHECK(back.ino == sub.ino);
    fsmeta_buf_dispose(&b);

    fsmeta_buf keep = {(char *)1, 1, 1};
    EXPECT_RC(fsmeta_dir_path(&keep, db, NULL, f.ino), FSMETA_ENOTDIR);
    CHECK(keep.data == NULL && keep.len == 0 && keep.count == 0);
    EXPECT_RC(fsmeta_dir_path(&b, db, NULL, 123456), FSMETA_ENOENT);
    EXPECT_RC(fsmeta_dir_path(&b, db, NULL, 0), FSMETA_ENOENT);
    EXPECT_RC(fsmeta_dir_path(NULL, db, NULL, sub.ino), FSMETA_EINVAL);
    const fsmeta_ctx badctx = {0, 0, 0, 0, NULL, 0};
    EXPECT_RC(fsmeta_dir_path(&b, db, &badctx, sub.ino), FSMETA_EVERSION);
    EXPECT_RC(fsmeta_dir_path(&b, NULL, NULL, sub.ino), FSMETA_EBADHANDLE);
    CHECK(b.data == NULL && b.len == 0);
    EXPECT_OK(fsmeta_path_rmdir(db, NULL, NAME("/e/moved")));
    EXPECT_RC(fsmeta_dir_path(&b, db, NULL, sub.ino), FSMETA_ENOENT);
    EXPECT_OK(fsmeta_close(db));
    EXPECT_RC(fsmeta_dir_path(&b, db, NULL, FSMETA_ROOT_INO), FSMETA_EBADHANDLE);
}

/* fsmeta_dir_tell / fsmeta_dir_seek: a listing resumed from a cursor, on the same iterator or another one, returns
 * every entry that exists throughout exactly once, across batches and changes. */
#define NFILES 1500
static void test_dir_cursor(void)
{
    fsmeta_db *db = open_mem();
    fsmeta_attr d;
    EXPECT_OK(fsmeta_mkdir_all(&d, db, NULL, NAME("/big"), 0755));
    for (int i = 0; i < NFILES; i++) {
        char name[32];
        int len = snprintf(name, sizeof name, "f%d", i);
        EXPECT_OK(fsmeta_create(NULL, db, NULL, d.ino, name, (size_t)len, 0644));
    }
    static int seen[NFILES];
    memset(seen, 0, sizeof seen);
    fsmeta_dir *it = NULL, *it2 = NULL;
    fsmeta_dirent e;
    uint64_t c0 = 1, cur = 0;
    EXPECT_OK(fsmeta_dir_open(&it, db, NULL, d.ino, 0));
    EXPECT_OK(fsmeta_dir_tell(&c0, it));
    int got = 0;
    for (; got < 700; got++) { /* past the first batch */
        EXPECT_OK(fsmeta_dir_next(&e, it));
        seen[atoi(e.name + 1)]++;
    }
    EXPECT_OK(fsmeta_dir_tell(&cur, it));
    /* changes meanwhile: new names (listed or not: they did not exist throughout) */
    for (int i = 0; i < 50; i++) {
        char name[32];
        int len = snprintf(name, sizeof name, "new%d", i);
        EXPECT_OK(fsmeta_create(NULL, db, NULL, d.ino, name, (size_t)len, 0644));
    }
    EXPECT_OK(fsmeta_dir_close(it));
    /* another iterator of the same directory, sought to the cursor */
    EXPECT_OK(fsmeta_dir_open(&it2, db, NULL, d.ino, FSMETA_DIR_PLUS));
    EXPECT_OK(fsmeta_dir_seek(it2, cur));
    int rc;
    while ((rc = fsmeta_dir_next(&e, it2)) == 0) {
        if (e.name[0] == 'f') {
            seen[atoi(e.name + 1)]++;
            CHECK(e.attr.ino == e.ino); /* FSMETA_DIR_PLUS kept */
        }
        got++;
    }
    EXPECT_RC(rc, FSMETA_ITEROVER);
    int once = 1;
    for (int i = 0; i < NFILES; i++)
        once &= seen[i] == 1;
    CHECK(once);
    uint64_t end = 0;
    EXPECT_OK(fsmeta_dir_tell(&end, it2));
    CHECK(end == UINT64_MAX);
    EXPECT_OK(fsmeta_dir_seek(it2, UINT64_MAX));
    EXPECT_RC(fsmeta_dir_next(&e, it2), FSMETA_ITEROVER);
    /* seek to the start, and to the first cursor: the same first entry */
    EXPECT_OK(fsmeta_dir_seek(it2, 0));
    fsmeta_dirent first;
    EXPECT_OK(fsmeta_dir_next(&first, it2));
    EXPECT_OK(fsmeta_dir_seek(it2, c0));
    EXPECT_OK(fsmeta_dir_next(&e, it2));
    CHECK(strcmp(e.name, first.name) == 0);
    /* tell then seek to it on the same iterator, mid-batch: no entry lost or repeated */
    uint64_t mid = 0;
    EXPECT_OK(fsmeta_dir_tell(&mid, it2));
    fsmeta_dirent second, again;
    EXPECT_OK(fsmeta_dir_next(&second, it2));
    EXPECT_OK(fsmeta_dir_seek(it2, mid));
    EXPECT_OK(fsmeta_dir_next(&again, it2));
    CHECK(strcmp(second.name, again.name) == 0);

    /* failures: nothing written */
    uint64_t keep = 42;
    EXPECT_RC(fsmeta_dir_tell(NULL, it2), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_dir_tell(&keep, NULL), FSMETA_EBADHANDLE);
    EXPECT_RC(fsmeta_dir_seek(NULL, 0), FSMETA_EBADHANDLE);
    EXPECT_RC(fsmeta_dir_tell(&keep, (fsmeta_dir *)db), FSMETA_EBADHANDLE); /* a handle of the other kind */
    EXPECT_RC(fsmeta_dir_seek((fsmeta_dir *)db, 0), FSMETA_EBADHANDLE);
    EXPECT_RC(fsmeta_dir_tell(&keep, it), FSMETA_EBADHANDLE); /* closed */
    EXPECT_RC(fsmeta_dir_seek(it, 0), FSMETA_EBADHANDLE);
    CHECK(keep == 42);
    /* a listing whose directory went away: the failure after a seek, at the next read */
    fsmeta_attr gone;
    fsmeta_dir *it3 = NULL;
    EXPECT_OK(fsmeta_mkdir(&gone, db, NULL, FSMETA_ROOT_INO, NAME("gone"), 0755));
    EXPECT_OK(fsmeta_dir_open(&it3, db, NULL, gone.ino, 0));
    EXPECT_OK(fsmeta_path_rmdir(db, NULL, NAME("/gone")));
    EXPECT_OK(fsmeta_dir_seek(it3, 0));
    EXPECT_RC(fsmeta_dir_next(&e, it3), FSMETA_ENOENT);
    EXPECT_OK(fsmeta_dir_close(it3));
    /* after fsmeta_close a seek does not reopen the listing */
    EXPECT_OK(fsmeta_close(db));
    EXPECT_OK(fsmeta_dir_seek(it2, 0));
    EXPECT_RC(fsmeta_dir_next(&e, it2), FSMETA_ECLOSED);
    EXPECT_OK(fsmeta_dir_close(it2));
}

/* fsmeta_snapshot and fsmeta_options.snapshot_threshold (options version 2; version 1 still works). */
static void test_snapshot(void)
{
    fsmeta_db *db = open_mem();
    EXPECT_RC(fsmeta_snapshot(db), FSMETA_EINVAL); /* no log in memory */
    EXPECT_RC(fsmeta_snapshot(NULL), FSMETA_EBADHANDLE);
    EXPECT_OK(fsmeta_close(db));
    EXPECT_RC(fsmeta_snapshot(db), FSMETA_EBADHANDLE);

    /* fsmeta_options_init of version 1 writes only version 1's fields */
    fsmeta_options o;
    memset(&o, 0x5a, sizeof o);
    EXPECT_OK(fsmeta_options_init(&o, 1));
    CHECK(o.version == 1 && o.in_memory == 0 && o.dir == NULL && o.arena_max_bytes == 0);
    CHECK(o.snapshot_threshold == 0x5a5a5a5a5a5a5a5aull);
    EXPECT_OK(fsmeta_options_init(&o, FSMETA_OPTIONS_VERSION));
    CHECK(o.version == 2 && o.snapshot_threshold == 0);
    EXPECT_RC(fsmeta_options_init(&o, 3), FSMETA_EVERSION);

    char dir[] = "/tmp/fsmeta-paths-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    /* version 1: snapshot_threshold is not read (here garbage, as a version-1 program's struct ends before it) */
    memset(&o, 0x5a, sizeof o);
    EXPECT_OK(fsmeta_options_init(&o, 1));
    o.dir = dir;
    EXPECT_OK(fsmeta_open(&db, &o));
    EXPECT_OK(fsmeta_mkdir_all(NULL, db, NULL, NAME("/a/b"), 0755));
    EXPECT_OK(fsmeta_snapshot(db));
    EXPECT_OK(fsmeta_snapshot(db)); /* nothing new: still no failure */
    EXPECT_OK(fsmeta_path_symlink(NULL, db, NULL, NAME("/a/l"), NAME("b")));
    EXPECT_OK(fsmeta_close(db));

    fsmeta_options o2 = FSMETA_OPTIONS_INIT;
    o2.dir = dir;
    o2.snapshot_threshold = 16;
    EXPECT_OK(fsmeta_open(&db, &o2));
    fsmeta_attr a;
    EXPECT_OK(fsmeta_resolve(&a, db, NULL, NAME("/a/l/"), 0));
    CHECK((a.mode & FSMETA_S_IFMT) == FSMETA_S_IFDIR);
    for (int i = 0; i < 100; i++) {
        char name[32];
        int len = snprintf(name, sizeof name, "/a/b/f%d", i);
        EXPECT_OK(fsmeta_path_symlink(NULL, db, NULL, name, (size_t)len, NAME("t")));
    }
    EXPECT_OK(fsmeta_snapshot(db));
    EXPECT_OK(fsmeta_close(db));
    EXPECT_OK(fsmeta_open(&db, &o2));
    EXPECT_OK(fsmeta_resolve(&a, db, NULL, NAME("/a/b/f99"), 0));
    EXPECT_OK(fsmeta_fsck(NULL, db));
    EXPECT_OK(fsmeta_close(db));
    rm_rf(dir);
}

int main(void)
{
    uint64_t handles0 = fsmeta_handle_count();
    test_path_work();
    test_path_ends();
    test_path_args();
    test_dir_path();
    test_dir_cursor();
    test_snapshot();
    CHECK(fsmeta_handle_count() == handles0);
    return check_report("test_paths");
}
