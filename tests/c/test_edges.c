/*
 * test_edges.c - edges found by using the C API from outside (issue #19): the opens of a closed durable engine,
 * NUL and empty paths, listings after close, argument checks before state. Each test names the defect it holds.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

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

int main(void)
{
    uint64_t handles0 = fsmeta_handle_count();
    test_stale_opens_released();
    CHECK(fsmeta_handle_count() == handles0);
    return check_report("test_edges");
}
