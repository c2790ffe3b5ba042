/*
 * test_edges.c - edges found by using the C API from outside (issue #19): the opens of a closed durable engine,
 * NUL and empty paths, listings after close, argument checks before state. Each test names the defect it holds.
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

static fsmeta_db *open_dir(const char *dir)
{
    fsmeta_options o = FSMETA_OPTIONS_INIT;
    o.dir = dir;
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

/* Defect 1: an unlinked file that was open when the durable engine closed is gone after the next open, and a
 * linked one is no longer open. */
static void test_stale_opens_released(void)
{
    char dir[] = "/tmp/fsmeta-edges-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    fsmeta_db *db = open_dir(dir);
    fsmeta_attr d, orphan, kept, a;
    EXPECT_OK(fsmeta_mkdir_all(&d, db, NULL, NAME("/data"), 0755));
    EXPECT_OK(fsmeta_create(&orphan, db, NULL, d.ino, NAME("orphan"), 0644));
    EXPECT_OK(fsmeta_create(&kept, db, NULL, d.ino, NAME("kept"), 0644));
    EXPECT_OK(fsmeta_file_open(NULL, db, NULL, orphan.ino, FSMETA_O_RDONLY));
    EXPECT_OK(fsmeta_file_open(NULL, db, NULL, kept.ino, FSMETA_O_RDWR));
    EXPECT_OK(fsmeta_unlink(db, NULL, d.ino, NAME("orphan")));
    fsmeta_stats_info st = FSMETA_STATS_INFO_INIT;
    EXPECT_OK(fsmeta_stats(&st, db));
    CHECK(st.orphans == 1 && st.open_files == 2);
    EXPECT_OK(fsmeta_close(db));

    db = open_dir(dir);
    fsmeta_stats_info st2 = FSMETA_STATS_INFO_INIT;
    EXPECT_OK(fsmeta_stats(&st2, db));
    CHECK(st2.orphans == 0 && st2.open_files == 0);
    EXPECT_RC(fsmeta_getattr(&a, db, NULL, orphan.ino), FSMETA_ENOENT);
    EXPECT_OK(fsmeta_getattr(&a, db, NULL, kept.ino));
    CHECK(a.nlink == 1);
    EXPECT_RC(fsmeta_file_close(db, NULL, kept.ino), FSMETA_EBADF);
    EXPECT_RC(fsmeta_file_close(db, NULL, orphan.ino), FSMETA_ENOENT);
    EXPECT_OK(fsmeta_fsck(NULL, db));
    EXPECT_OK(fsmeta_close(db));
    rm_rf(dir);
}

/* Defects 2 and 7: a NUL inside a path is -EINVAL (not looked up), the empty path is -ENOENT (not the root); neither
 * writes attr_out nor changes anything. */
static void test_path_nul_and_empty(void)
{
    fsmeta_db *db = open_mem();
    fsmeta_attr a;
    EXPECT_OK(fsmeta_mkdir_all(NULL, db, NULL, NAME("/x"), 0755));
    EXPECT_OK(fsmeta_mkdir(NULL, db, NULL, 1, NAME("closed"), 0700));
    fsmeta_ctx user = FSMETA_CTX_INIT;
    user.uid = 1000;
    static const struct {
        const char *p;
        size_t n;
        int want;
    } cases[] = {
        {NAME("/x\0y"), FSMETA_EINVAL},
        {NAME("x\0"), FSMETA_EINVAL},
        {NAME("\0"), FSMETA_EINVAL},
        {NAME("/missing/a\0b"), FSMETA_EINVAL},
        {NAME("/closed/a\0b"), FSMETA_EINVAL}, /* an argument: not -EACCES from the walk */
        {NAME(""), FSMETA_ENOENT},
        {NULL, 0, FSMETA_ENOENT},
    };
    fsmeta_stats_info st0 = FSMETA_STATS_INFO_INIT, st1 = FSMETA_STATS_INFO_INIT;
    EXPECT_OK(fsmeta_stats(&st0, db));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (uint32_t flags = 0; flags <= FSMETA_RESOLVE_FOLLOW; flags++) {
            memset(&a, 0x5a, sizeof a);
            EXPECT_RC(fsmeta_resolve(&a, db, NULL, cases[i].p, cases[i].n, flags), cases[i].want);
            CHECK(a.ino == 0x5a5a5a5a5a5a5a5aULL); /* nothing written on failure */
        }
        EXPECT_RC(fsmeta_resolve(&a, db, &user, cases[i].p, cases[i].n, 0), cases[i].want);
        EXPECT_RC(fsmeta_mkdir_all(&a, db, NULL, cases[i].p, cases[i].n, 0755), cases[i].want);
        EXPECT_RC(fsmeta_mkdir_all(&a, db, &user, cases[i].p, cases[i].n, 0755), cases[i].want);
        CHECK(a.ino == 0x5a5a5a5a5a5a5a5aULL);
    }
    EXPECT_OK(fsmeta_stats(&st1, db));
    CHECK(st1.inodes == st0.inodes && st1.next_ino == st0.next_ino);
    EXPECT_OK(fsmeta_resolve(&a, db, NULL, NAME("/"), 0)); /* "/" is the root */
    CHECK(a.ino == FSMETA_ROOT_INO);
    EXPECT_OK(fsmeta_fsck(NULL, db));
    EXPECT_OK(fsmeta_close(db));
}

/* Defect 3: once the database is closed, the next fsmeta_dir_next returns FSMETA_ECLOSED: in a large directory
 * whatever the iterator has fetched, in a small one also after FSMETA_ITEROVER; ent_out is untouched. */
static void test_listing_after_close(void)
{
    for (int size = 0; size < 3; size++) {
        int files = size == 0 ? 0 : size == 1 ? 3 : 5000;
        for (int at_end = 0; at_end < 2; at_end++) {
            fsmeta_db *db = open_mem();
            char name[32];
            for (int i = 0; i < files; i++) {
                int len = snprintf(name, sizeof name, "f%d", i);
                EXPECT_OK(fsmeta_create(NULL, db, NULL, 1, name, (size_t)len, 0644));
            }
            fsmeta_dir *it = NULL;
            fsmeta_dirent e;
            EXPECT_OK(fsmeta_dir_open(&it, db, NULL, 1, FSMETA_DIR_PLUS));
            if (files > 0)
                EXPECT_OK(fsmeta_dir_next(&e, it));
            if (at_end) {
                int n = files > 0 ? 1 : 0, rc;
                while ((rc = fsmeta_dir_next(&e, it)) == 0)
                    n++;
                EXPECT_RC(rc, FSMETA_ITEROVER);
                CHECK(n == files);
            }
            EXPECT_OK(fsmeta_close(db));
            memset(&e, 0x5a, sizeof e);
            EXPECT_RC(fsmeta_dir_next(&e, it), FSMETA_ECLOSED);
            EXPECT_RC(fsmeta_dir_next(&e, it), FSMETA_ECLOSED);
            CHECK(e.ino == 0x5a5a5a5a5a5a5a5aULL);
            EXPECT_OK(fsmeta_dir_close(it));
        }
    }
}

/* Defect 4: arguments are checked before any state (a bad argument gives its status whether the inode exists or
 * not, whatever the caller may do), and nothing is written to an out-parameter on failure. */
#define SENTINEL 0x5a5a5a5a5a5a5a5aULL
static void test_args_before_state(void)
{
    fsmeta_db *db = open_mem();
    fsmeta_attr a;
    uint64_t closed = 0, file = 0, link = 0;
    EXPECT_OK(fsmeta_mkdir(&a, db, NULL, 1, NAME("closed"), 0700));
    closed = a.ino;
    EXPECT_OK(fsmeta_create(&a, db, NULL, closed, NAME("f"), 0600));
    file = a.ino;
    EXPECT_OK(fsmeta_symlink(&a, db, NULL, closed, NAME("l"), NAME("target")));
    link = a.ino;
    EXPECT_OK(fsmeta_setxattr(db, NULL, file, NAME("user.present"), NAME("value"), 0));
    fsmeta_ctx user = FSMETA_CTX_INIT;
    user.uid = 1000;
    user.gid = 1000;
    fsmeta_ctx badver = FSMETA_CTX_INIT;
    badver.version = 0;
    const uint64_t missing = 999999;
    const fsmeta_ctx *ctxs[] = {NULL, &user};

    /* The case: getxattr(NULL, 16, &len): -EINVAL, attribute missing or present, *len_out untouched. */
    static const char *const xnames[] = {"user.present", "user.missing"};
    const uint64_t xinos[] = {file, missing, link};
    for (size_t c = 0; c < 2; c++)
        for (size_t i = 0; i < 3; i++)
            for (size_t n = 0; n < 2; n++) {
                size_t len = 77;
                EXPECT_RC(fsmeta_getxattr(NULL, 16, &len, db, ctxs[c], xinos[i], xnames[n], strlen(xnames[n])),
                          FSMETA_EINVAL);
                CHECK(len == 77);
            }
    size_t len = 77;
    char buf[8];
    EXPECT_RC(fsmeta_getxattr(buf, sizeof buf, &len, db, NULL, file, NAME("user.present")), 0);
    CHECK(len == 5 && memcmp(buf, "value", 5) == 0);
    len = 77;
    EXPECT_RC(fsmeta_getxattr(buf, 2, &len, db, NULL, file, NAME("user.present")), FSMETA_ETOOSMALL);
    CHECK(len == 5); /* the documented exception: the needed length */
    len = 77;
    EXPECT_RC(fsmeta_getxattr(buf, sizeof buf, &len, db, NULL, file, NAME("user.missing")), FSMETA_ENODATA);
    CHECK(len == 77);
    EXPECT_RC(fsmeta_getxattr(buf, sizeof buf, NULL, db, NULL, missing, NAME("user.present")), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_getxattr(buf, sizeof buf, &len, db, NULL, missing, NULL, 3), FSMETA_EINVAL);
    EXPECT_RC(fsmeta_getxattr(buf, sizeof buf, &len, db, &user, file, NAME("")), FSMETA_EINVAL);
    CHECK(len == 77);

    /* readlink: the same rules. */
    const uint64_t links[] = {link, file, missing};
    for (size_t c = 0; c < 2; c++)
        for (size_t i = 0; i < 3; i++) {
            len = 77;
            EXPECT_RC(fsmeta_readlink(NULL, 16, &len, db, ctxs[c], links[i]), FSMETA_EINVAL);
            CHECK(len == 77);
            EXPECT_RC(fsmeta_readlink(buf, sizeof buf, NULL, db, ctxs[c], links[i]), FSMETA_EINVAL);
        }
    len = 77;
    EXPECT_RC(fsmeta_readlink(buf, sizeof buf, &len, db, NULL, file), FSMETA_EINVAL); /* not a symlink */
    CHECK(len == 77);
    EXPECT_RC(fsmeta_readlink(buf, sizeof buf, &len, db, NULL, missing), FSMETA_ENOENT);
    CHECK(len == 77);

    /* Every other function: a bad argument on a missing inode, and as a user who may not search "closed". */
    for (size_t c = 0; c < 2; c++) {
        const fsmeta_ctx *ctx = ctxs[c];
        const uint64_t inos[] = {missing, file, closed};
        for (size_t i = 0; i < 3; i++) {
            uint64_t ino = inos[i];
            memset(&a, 0x5a, sizeof a);
            EXPECT_RC(fsmeta_lookup(&a, db, ctx, ino, NULL, 3), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_lookup(&a, db, ctx, ino, NAME("")), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_lookup(&a, db, ctx, ino, NAME("a/b")), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_getattr(&a, db, &badver, ino), FSMETA_EVERSION);
            EXPECT_RC(fsmeta_setattr(&a, db, ctx, ino, FSMETA_SET_MODE, NULL), FSMETA_EINVAL);
            fsmeta_setattr_in in;
            memset(&in, 0, sizeof in);
            EXPECT_RC(fsmeta_setattr(&a, db, ctx, ino, 0x10000, &in), FSMETA_EINVAL);
            in.mode = 010000;
            EXPECT_RC(fsmeta_setattr(&a, db, ctx, ino, FSMETA_SET_MODE, &in), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_access(db, ctx, ino, 8), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_mknod(&a, db, ctx, ino, NAME("a/b"), FSMETA_S_IFREG, 0), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_mknod(&a, db, ctx, ino, NAME("d"), FSMETA_S_IFDIR, 0), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_create(&a, db, ctx, ino, NULL, 1, 0644), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_mkdir(&a, db, ctx, ino, NAME("."), 0755), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_symlink(&a, db, ctx, ino, NAME("s"), NAME("")), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_symlink(&a, db, ctx, ino, NAME("s"), NAME("a\0b")), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_link(&a, db, ctx, file, ino, NAME("")), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_unlink(db, ctx, ino, NULL, 2), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_rmdir(db, ctx, ino, NAME("..")), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_rename(db, ctx, ino, NAME("a"), ino, NAME("b"), 4), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_rename(db, ctx, ino, NAME("a"), ino, NAME("b"), 3), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_rename(db, ctx, ino, NAME("a"), ino, NAME(""), 0), FSMETA_EINVAL);
            fsmeta_dir *dir = (fsmeta_dir *)(uintptr_t)SENTINEL;
            EXPECT_RC(fsmeta_dir_open(&dir, db, ctx, ino, 2), FSMETA_EINVAL);
            CHECK(dir == (fsmeta_dir *)(uintptr_t)SENTINEL);
            EXPECT_RC(fsmeta_dir_open(NULL, db, ctx, ino, 0), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_setxattr(db, ctx, ino, NAME("user.x"), NAME("v"), 3), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_setxattr(db, ctx, ino, NAME(""), NAME("v"), 0), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_setxattr(db, ctx, ino, NAME("user.x"), NULL, 1, 0), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_listxattr(NULL, db, ctx, ino), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_removexattr(db, ctx, ino, NAME("")), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_fallocate(&a, db, ctx, ino, 0x100, 0, 1), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_fallocate(&a, db, ctx, ino, 0, 0, 0), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_file_open(&a, db, ctx, ino, 3), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_file_close(db, &badver, ino), FSMETA_EVERSION);
            fsmeta_slice sl;
            memset(&sl, 0, sizeof sl);
            sl.id = 1;
            sl.size = 10;
            sl.len = 0; /* len 0: a bad slice */
            EXPECT_RC(fsmeta_slice_write(&a, db, ctx, ino, 0, NULL), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_slice_write(&a, db, ctx, ino, 0, &sl), FSMETA_EINVAL);
            EXPECT_RC(fsmeta_chunk_read(NULL, db, ctx, ino, 0), FSMETA_EINVAL);
            sl.len = 10;
            fsmeta_buf b = {(char *)(uintptr_t)1, 1, 1};
            EXPECT_RC(fsmeta_chunk_compact(&b, db, ctx, ino, 0, NULL, 2, &sl), FSMETA_EINVAL);
            CHECK(b.data == NULL && b.len == 0 && b.count == 0); /* a failed call leaves a fsmeta_buf zeroed */
            EXPECT_RC(fsmeta_chunk_compact(NULL, db, ctx, ino, 0, &sl, 1, NULL), FSMETA_EINVAL);
            CHECK(a.ino == SENTINEL && a.mode == 0x5a5a5a5a);
        }
        memset(&a, 0x5a, sizeof a);
        EXPECT_RC(fsmeta_resolve(&a, db, ctx, NULL, 5, 0), FSMETA_EINVAL);
        EXPECT_RC(fsmeta_resolve(&a, db, ctx, NAME("/closed/f"), 2), FSMETA_EINVAL);
        EXPECT_RC(fsmeta_mkdir_all(&a, db, ctx, NULL, 5, 0755), FSMETA_EINVAL);
        EXPECT_RC(fsmeta_mkdir_all(&a, db, ctx, NAME("/closed/x/a\0b"), 0755), FSMETA_EINVAL);
        CHECK(a.ino == SENTINEL);
        uint64_t id = SENTINEL;
        EXPECT_RC(fsmeta_slice_id_new(&id, db, ctx, 0), FSMETA_EINVAL);
        CHECK(id == SENTINEL);
        EXPECT_RC(fsmeta_slice_id_new(NULL, db, ctx, 1), FSMETA_EINVAL);
        EXPECT_RC(fsmeta_statfs(NULL, db, ctx), FSMETA_EINVAL);
    }
    fsmeta_statfs_info sf;
    memset(&sf, 0x5a, sizeof sf);
    EXPECT_RC(fsmeta_statfs(&sf, db, &badver), FSMETA_EVERSION);
    CHECK(sf.inodes == SENTINEL);
    fsmeta_stats_info st;
    memset(&st, 0x5a, sizeof st);
    st.version = 99;
    EXPECT_RC(fsmeta_stats(&st, db), FSMETA_EVERSION);
    CHECK(st.version == 99 && st.inodes == SENTINEL);
    EXPECT_RC(fsmeta_stats(NULL, db), FSMETA_EINVAL);
    fsmeta_db *db2 = (fsmeta_db *)(uintptr_t)SENTINEL;
    fsmeta_options o = FSMETA_OPTIONS_INIT;
    o.version = 0;
    EXPECT_RC(fsmeta_open(&db2, &o), FSMETA_EVERSION);
    CHECK(db2 == (fsmeta_db *)(uintptr_t)SENTINEL);
    memset(&o, 0x5a, sizeof o);
    EXPECT_RC(fsmeta_options_init(&o, 0), FSMETA_EVERSION);
    CHECK(o.capacity == SENTINEL);

    EXPECT_OK(fsmeta_fsck(NULL, db));
    EXPECT_OK(fsmeta_close(db));
}

int main(void)
{
    uint64_t handles0 = fsmeta_handle_count();
    test_stale_opens_released();
    test_path_nul_and_empty();
    test_listing_after_close();
    test_args_before_state();
    CHECK(fsmeta_handle_count() == handles0);
    return check_report("test_edges");
}
