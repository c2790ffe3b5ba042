/*
 * fsmeta_example.c - a tour of the fsmeta C API: build a small tree, walk it like find(1), show stat(1)-like
 * output, then time getattr calls and print the rate.
 *
 *   fsmeta_example_c [--quick] [getattr-count]     (default 1000000; --quick: 100000)
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fsmeta.h>

/* die reports a failed call with the library's detail and exits. */
#define TRY(call)                                                                                                    \
    do {                                                                                                             \
        int rc_ = (call);                                                                                            \
        if (rc_ < 0) {                                                                                               \
            fprintf(stderr, "%s failed: %s (%d)\n  %s\n", #call, fsmeta_strerror(rc_), rc_, fsmeta_last_error());  \
            exit(1);                                                                                                 \
        }                                                                                                            \
    } while (0)

static uint64_t mkdirs(fsmeta_db *db, const char *path)
{
    fsmeta_attr a;
    TRY(fsmeta_mkdir_all(&a, db, NULL, path, strlen(path), 0755));
    return a.ino;
}

static uint64_t create(fsmeta_db *db, const fsmeta_ctx *ctx, uint64_t dir, const char *name, uint64_t size)
{
    fsmeta_attr a;
    TRY(fsmeta_create(&a, db, ctx, dir, name, strlen(name), 0666));
    if (size > 0) {
        /* The data lives elsewhere: record one slice of it. */
        uint64_t id;
        TRY(fsmeta_slice_id_new(&id, db, ctx, 1));
        fsmeta_slice s = {id, 0, (uint32_t)size, 0, (uint32_t)size};
        TRY(fsmeta_slice_write(NULL, db, ctx, a.ino, 0, &s));
    }
    return a.ino;
}

static void build_tree(fsmeta_db *db)
{
    fsmeta_ctx alice = FSMETA_CTX_INIT; /* files created as uid 1000 with umask 022 */
    alice.uid = 1000;
    alice.gid = 1000;
    alice.umask = 022;

    uint64_t home = mkdirs(db, "/home/alice");
    fsmeta_setattr_in own = {0, 1000, 1000, 0, 0, 0, 0, 0};
    TRY(fsmeta_setattr(NULL, db, NULL, home, FSMETA_SET_UID | FSMETA_SET_GID, &own));
    uint64_t src = mkdirs(db, "/home/alice/project/src");
    TRY(fsmeta_setattr(NULL, db, NULL, src, FSMETA_SET_UID | FSMETA_SET_GID, &own));
    create(db, &alice, src, "main.c", 4321);
    create(db, &alice, src, "util.c", 987);
    create(db, &alice, src, "util.h", 210);
    uint64_t readme = create(db, &alice, home, "README.md", 1500);
    TRY(fsmeta_setxattr(db, &alice, readme, "user.mime", 9, "text/markdown", 13, 0));
    TRY(fsmeta_symlink(NULL, db, &alice, home, "notes", 5, "project/src/main.c", 18));
    TRY(fsmeta_link(NULL, db, &alice, readme, home, "README.copy", 11));
    uint64_t data = mkdirs(db, "/data/2024");
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "part-%05d.parquet", i);
        create(db, NULL, data, name, 64u << 20);
    }
    TRY(fsmeta_mknod(NULL, db, NULL, mkdirs(db, "/dev"), "null", 4, 0020666, (1u << 8) | 3));
}

/* walk prints every path under dir, like find(1). */
static void walk(fsmeta_db *db, uint64_t dir, char *path, size_t len)
{
    fsmeta_dir *it;
    fsmeta_dirent e;
    int rc;
    TRY(fsmeta_dir_open(&it, db, NULL, dir, 0));
    while ((rc = fsmeta_dir_next(&e, it)) == 0) {
        size_t n = len + 1 + e.name_len;
        if (n >= FSMETA_PATH_MAX)
            continue;
        path[len] = '/';
        memcpy(path + len + 1, e.name, e.name_len + 1);
        printf("%s\n", path);
        if (e.type == FSMETA_S_IFDIR)
            walk(db, e.ino, path, n);
    }
    path[len] = '\0';
    if (rc != FSMETA_ITEROVER)
        TRY(rc);
    TRY(fsmeta_dir_close(it));
}

static void mode_string(uint32_t mode, char out[11])
{
    static const char types[] = "?pc?d?b?-?l?s???";
    out[0] = types[(mode >> 12) & 15];
    const char *rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++)
        out[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
    out[10] = '\0';
}

static void print_time(const char *label, int64_t ns)
{
    time_t s = (time_t)(ns / 1000000000);
    struct tm tm;
    char buf[64];
    gmtime_r(&s, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    printf("%s: %s.%09" PRId64 " +0000\n", label, buf, ns % 1000000000);
}

/* stat prints a path's attributes as stat(1) does. */
static void stat_path(fsmeta_db *db, const char *path)
{
    fsmeta_attr a;
    TRY(fsmeta_resolve(&a, db, NULL, path, strlen(path), 0));
    static const char *kinds[] = {[1] = "fifo", [2] = "character special file", [4] = "directory",
                                  [6] = "block special file", [8] = "regular file", [10] = "symbolic link",
                                  [12] = "socket"};
    char m[11];
    mode_string(a.mode, m);
    printf("  File: %s", path);
    if ((a.mode & FSMETA_S_IFMT) == FSMETA_S_IFLNK) {
        char target[FSMETA_SYMLINK_MAX + 1];
        size_t n;
        TRY(fsmeta_readlink(target, sizeof target, &n, db, NULL, a.ino));
        printf(" -> %s", target);
    }
    printf("\n  Size: %-10" PRIu64 " Blocks: %-10" PRIu64 " %s\n", a.size, a.blocks, kinds[(a.mode >> 12) & 15]);
    printf("Inode: %-10" PRIu64 " Links: %-5u", a.ino, a.nlink);
    if ((a.mode & FSMETA_S_IFMT) == FSMETA_S_IFCHR || (a.mode & FSMETA_S_IFMT) == FSMETA_S_IFBLK)
        printf(" Device type: %u,%u", a.rdev >> 8, a.rdev & 0xff);
    printf("\nAccess: (%04o/%s)  Uid: %5u  Gid: %5u\n", a.mode & 07777, m, a.uid, a.gid);
    print_time("Access", a.atime_ns);
    print_time("Modify", a.mtime_ns);
    print_time("Change", a.ctime_ns);
    fsmeta_buf names = FSMETA_BUF_INIT;
    TRY(fsmeta_listxattr(&names, db, NULL, a.ino));
    for (const char *p = names.data; p != NULL && p < names.data + names.len; p += strlen(p) + 1) {
        char v[FSMETA_XATTR_SIZE_MAX];
        size_t n;
        TRY(fsmeta_getxattr(v, sizeof v, &n, db, NULL, a.ino, p, strlen(p)));
        printf("Xattr: %s=\"%.*s\"\n", p, (int)n, v);
    }
    fsmeta_buf_dispose(&names);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* time_getattr creates files in a few directories, then calls getattr `count` times across them. */
static void time_getattr(fsmeta_db *db, long count)
{
    enum { DIRS = 10, PER_DIR = 1000 };
    static uint64_t inos[DIRS * PER_DIR];
    int n = 0;
    for (int d = 0; d < DIRS; d++) {
        char path[64];
        snprintf(path, sizeof path, "/bench/d%02d", d);
        uint64_t dir = mkdirs(db, path);
        for (int i = 0; i < PER_DIR; i++) {
            char name[32];
            snprintf(name, sizeof name, "file-%04d", i);
            inos[n++] = create(db, NULL, dir, name, 0);
        }
    }
    fsmeta_attr a;
    uint64_t sum = 0;
    double t0 = now_seconds();
    for (long i = 0; i < count; i++) {
        TRY(fsmeta_getattr(&a, db, NULL, inos[i % n]));
        sum += a.ino;
    }
    double dt = now_seconds() - t0;
    printf("getattr: %ld calls over %d files in %.3f s: %.0f calls/s, %.0f ns/call (checksum %" PRIu64 ")\n", count,
           n, dt, count / dt, dt * 1e9 / count, sum);
}

int main(int argc, char **argv)
{
    long count = 1000000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            count = 100000;
        else
            count = atol(argv[i]);
    }
    if (count <= 0)
        count = 1;
    printf("libfsmeta %s (header %s)\n", fsmeta_version_string(), FSMETA_VERSION_STRING);
    if (fsmeta_version_number() / 10000 != FSMETA_VERSION_MAJOR) {
        fprintf(stderr, "library major version mismatch\n");
        return 1;
    }

    fsmeta_options opts = FSMETA_OPTIONS_INIT;
    opts.in_memory = 1;
    fsmeta_db *db;
    TRY(fsmeta_open(&db, &opts));

    build_tree(db);
    printf("\n$ find /\n/\n");
    char path[FSMETA_PATH_MAX + 1] = "";
    walk(db, FSMETA_ROOT_INO, path, 0);

    printf("\n$ stat /home/alice/README.md /home/alice/notes /dev/null\n");
    stat_path(db, "/home/alice/README.md");
    stat_path(db, "/home/alice/notes");
    stat_path(db, "/dev/null");

    /* Errors are negative status codes, with a per-thread detail message. */
    fsmeta_attr a;
    int rc = fsmeta_lookup(&a, db, NULL, FSMETA_ROOT_INO, "missing", 7);
    printf("\nlookup /missing: %d %s (%s)\n", rc, fsmeta_strerror(rc), fsmeta_last_error());

    printf("\n");
    time_getattr(db, count);

    fsmeta_statfs_info fs;
    TRY(fsmeta_statfs(&fs, db, NULL));
    fsmeta_stats_info st = FSMETA_STATS_INFO_INIT;
    TRY(fsmeta_stats(&st, db));
    printf("statfs: %" PRIu64 " inodes, %" PRIu64 " bytes used; arena: %" PRIu64 " bytes in use (%.1f per inode)\n",
           fs.inodes, fs.used_space, st.arena_in_use, (double)st.arena_in_use / (double)st.inodes);
    fsmeta_buf report = FSMETA_BUF_INIT;
    rc = fsmeta_fsck(&report, db);
    printf("fsck: %s\n", rc == 0 ? "ok" : report.data);
    fsmeta_buf_dispose(&report);
    TRY(fsmeta_close(db));
    return rc == 0 ? 0 : 1;
}
