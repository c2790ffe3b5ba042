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
    EXPECT_RC(fsmeta_file_release(db, NULL, kept.ino), FSMETA_EBADF);
    EXPECT_RC(fsmeta_file_release(db, NULL, orphan.ino), FSMETA_ENOENT);
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

int main(void)
{
    uint64_t handles0 = fsmeta_handle_count();
    test_stale_opens_released();
    test_path_nul_and_empty();
    test_listing_after_close();
    CHECK(fsmeta_handle_count() == handles0);
    return check_report("test_edges");
}
