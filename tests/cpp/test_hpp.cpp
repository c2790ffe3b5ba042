// test_hpp.cpp - GoogleTest suite of the C++ wrapper fsmeta.hpp.
#include <fsmeta.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

static_assert(!std::is_copy_constructible_v<fsmeta::db>, "db is move-only");
static_assert(std::is_nothrow_move_constructible_v<fsmeta::db>, "db moves without throwing");
static_assert(!std::is_copy_constructible_v<fsmeta::dir_stream>, "dir_stream is move-only");

class Hpp : public ::testing::Test {
protected:
    void TearDown() override
    {
        db.close();
        EXPECT_EQ(fsmeta_handle_count(), handles0_) << "a handle was leaked";
    }
    std::uint64_t handles0_ = fsmeta_handle_count(); // before db opens (members initialize in order)
    fsmeta::db db = fsmeta::db::open_in_memory();
};

TEST_F(Hpp, CreateLookupGetattr)
{
    fsmeta::attr d = db.mkdir(fsmeta::root_ino, "dir", 0755);
    EXPECT_TRUE(d.is_dir());
    EXPECT_EQ(d.perm(), 0755u);
    fsmeta::attr f = db.create(d.ino, "file", 0640);
    EXPECT_TRUE(f.is_regular());
    EXPECT_EQ(db.lookup(d.ino, "file").ino, f.ino);
    EXPECT_EQ(db.getattr(f.ino).mode, FSMETA_S_IFREG | 0640u);
    // string_view names need no NUL and may hold any byte but '/' and NUL.
    std::string buf = "name-with-tail";
    db.create(d.ino, std::string_view(buf).substr(0, 4), 0644);
    EXPECT_NO_THROW(db.lookup(d.ino, "name"));
    EXPECT_EQ(db.getattr(fsmeta::root_ino).nlink, 3u);
}

TEST_F(Hpp, ExceptionsCarryStatusAndDetail)
{
    db.mkdir(fsmeta::root_ino, "x", 0755);
    try {
        db.mkdir(fsmeta::root_ino, "x", 0755);
        FAIL() << "no exception";
    } catch (const fsmeta::error &e) {
        EXPECT_EQ(e.status(), FSMETA_EEXIST);
        EXPECT_EQ(e.code(), std::errc::file_exists);
        EXPECT_NE(std::string(e.what()).find("mkdir"), std::string::npos) << e.what();
    }
    EXPECT_THROW(db.lookup(fsmeta::root_ino, "nope"), fsmeta::error);
    EXPECT_THROW(db.mkdir(fsmeta::root_ino, "a/b", 0755), std::system_error);
    EXPECT_THROW(db.mkdir(fsmeta::root_ino, std::string(256, 'n'), 0755), fsmeta::error);
    EXPECT_THROW(db.mkdir(fsmeta::root_ino, std::string("a\0b", 3), 0755), fsmeta::error);
}

TEST_F(Hpp, ErrorCodes)
{
    std::error_code ec;
    db.lookup(fsmeta::root_ino, "nope", ec);
    EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
    EXPECT_EQ(ec.category(), fsmeta::category());
    EXPECT_EQ(ec.value(), -FSMETA_ENOENT);
    EXPECT_EQ(ec.message(), "no such file or directory");
    db.mkdir(fsmeta::root_ino, "d", 0755, ec);
    EXPECT_FALSE(ec);
    db.rmdir(fsmeta::root_ino, "d", ec);
    EXPECT_FALSE(ec);
    db.rmdir(fsmeta::root_ino, "d", ec);
    EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
    // The library's own codes compare with fsmeta::errc.
    fsmeta::session bad(reinterpret_cast<fsmeta_db *>(0xdead));
    bad.getattr(1, ec);
    EXPECT_EQ(ec, fsmeta::errc::bad_handle);
    EXPECT_THROW(bad.getattr(1), fsmeta::error);
    EXPECT_EQ(fsmeta::make_error_code(fsmeta::errc::closed).message(), "database closed");
}

TEST_F(Hpp, RangeForOverDirectories)
{
    fsmeta::attr d = db.mkdir(fsmeta::root_ino, "d", 0755);
    std::set<std::string> want;
    for (int i = 0; i < 1200; i++) {
        std::string n = "e" + std::to_string(i);
        if (i % 3 == 0)
            db.mkdir(d.ino, n, 0755);
        else
            db.create(d.ino, n, 0644);
        want.insert(n);
    }
    std::set<std::string> got;
    for (const fsmeta::dirent &e : db.readdir(d.ino)) {
        EXPECT_TRUE(got.insert(std::string(e.name)).second) << "duplicate " << e.name;
        EXPECT_EQ(e.attr.ino, 0u);
    }
    EXPECT_EQ(got, want);
    int dirs = 0;
    for (const auto &e : db.readdir(d.ino, true)) {
        EXPECT_EQ(e.attr.ino, e.ino);
        dirs += e.attr.is_dir();
    }
    EXPECT_EQ(dirs, 400);
    // Explicit next(), moves, and errors.
    fsmeta::dir_stream s = db.readdir(fsmeta::root_ino);
    fsmeta::dir_stream t = std::move(s);
    EXPECT_EQ(s.handle(), nullptr);
    fsmeta::dirent e;
    ASSERT_TRUE(t.next(e));
    EXPECT_EQ(e.name, "d");
    EXPECT_FALSE(t.next(e));
    EXPECT_THROW(db.readdir(9999), fsmeta::error);
    std::error_code ec;
    fsmeta::dir_stream none = db.readdir(9999, false, ec);
    EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
    EXPECT_EQ(none.handle(), nullptr);
}

TEST_F(Hpp, CallersAndPermissions)
{
    fsmeta::attr pub = db.mkdir(fsmeta::root_ino, "pub", 0777);
    fsmeta::attr priv = db.mkdir(fsmeta::root_ino, "priv", 0700);
    fsmeta::session alice = db.as(fsmeta::caller{1000, 1000, 022, {5, 6}});
    fsmeta::attr f = alice.create(pub.ino, "f", 0666);
    EXPECT_EQ(f.uid, 1000u);
    EXPECT_EQ(f.perm(), 0644u);
    EXPECT_THROW(alice.create(priv.ino, "f", 0644), fsmeta::error);
    std::error_code ec;
    alice.access(priv.ino, FSMETA_R_OK, ec);
    EXPECT_EQ(ec, std::errc::permission_denied);
    alice.access(pub.ino, FSMETA_W_OK, ec);
    EXPECT_FALSE(ec);
    EXPECT_THROW(alice.chmod(priv.ino, 0777), fsmeta::error);
    EXPECT_EQ(alice.chmod(f.ino, 0600).perm(), 0600u);
    // A session copied to other threads: each call builds its own context.
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; t++)
        ts.emplace_back([alice, &pub, t] {
            for (int i = 0; i < 200; i++)
                alice.create(pub.ino, "t" + std::to_string(t) + "-" + std::to_string(i), 0644);
        });
    for (auto &t : ts)
        t.join();
    int n = 0;
    for (const auto &e : db.readdir(pub.ino)) {
        (void)e;
        n++;
    }
    EXPECT_EQ(n, 801);
}

TEST_F(Hpp, LinksRenameRemove)
{
    fsmeta::attr a = db.mkdir(fsmeta::root_ino, "a", 0755);
    fsmeta::attr f = db.create(a.ino, "f", 0644);
    EXPECT_EQ(db.link(f.ino, fsmeta::root_ino, "f2").nlink, 2u);
    db.symlink(a.ino, "ln", "f");
    EXPECT_EQ(db.readlink(db.lookup(a.ino, "ln").ino), "f");
    db.rename(a.ino, "f", fsmeta::root_ino, "g");
    EXPECT_EQ(db.lookup(fsmeta::root_ino, "g").ino, f.ino);
    std::error_code ec;
    db.rename(fsmeta::root_ino, "g", fsmeta::root_ino, "f2", FSMETA_RENAME_NOREPLACE, ec);
    EXPECT_EQ(ec, std::errc::file_exists);
    db.unlink(fsmeta::root_ino, "g");
    db.unlink(fsmeta::root_ino, "f2");
    db.unlink(a.ino, "ln");
    db.rmdir(fsmeta::root_ino, "a");
    EXPECT_THROW(db.getattr(f.ino), fsmeta::error);
    EXPECT_EQ(db.mknod(fsmeta::root_ino, "fifo", FSMETA_S_IFIFO | 0644, 0).type(), static_cast<std::uint32_t>(FSMETA_S_IFIFO));
}

TEST_F(Hpp, Xattrs)
{
    fsmeta::attr f = db.create(fsmeta::root_ino, "f", 0644);
    db.setxattr(f.ino, "user.small", "v");
    std::string big(5000, 'x'); // larger than the wrapper's first buffer
    db.setxattr(f.ino, "user.big", big);
    db.setxattr(f.ino, "user.bin", std::string("a\0b", 3));
    EXPECT_EQ(db.getxattr(f.ino, "user.small"), "v");
    EXPECT_EQ(db.getxattr(f.ino, "user.big"), big);
    EXPECT_EQ(db.getxattr(f.ino, "user.bin"), std::string("a\0b", 3));
    EXPECT_EQ(db.listxattr(f.ino), (std::vector<std::string>{"user.big", "user.bin", "user.small"}));
    db.removexattr(f.ino, "user.big");
    std::error_code ec;
    db.getxattr(f.ino, "user.big", ec);
    EXPECT_EQ(ec, std::errc::no_message_available);
    EXPECT_THROW(db.setxattr(f.ino, "user.small", "w", FSMETA_XATTR_CREATE), fsmeta::error);
}

TEST_F(Hpp, FilesAndSlices)
{
    fsmeta::attr f = db.create(fsmeta::root_ino, "f", 0644);
    EXPECT_EQ(db.truncate(f.ino, 12345).size, 12345u);
    EXPECT_EQ(db.fallocate(f.ino, 0, 0, 20000).size, 20000u);
    db.open_file(f.ino, FSMETA_O_RDWR);
    db.unlink(fsmeta::root_ino, "f");
    EXPECT_EQ(db.getattr(f.ino).nlink, 0u);
    db.close_file(f.ino);
    EXPECT_THROW(db.getattr(f.ino), fsmeta::error);

    fsmeta::attr g = db.create(fsmeta::root_ino, "g", 0644);
    std::uint64_t id = db.new_slice_id(2);
    fsmeta_slice s1{id, 0, 8192, 0, 8192};
    fsmeta_slice s2{id + 1, 0, 8192, 0, 8192};
    db.write_slice(g.ino, 0, s1);
    EXPECT_EQ(db.write_slice(g.ino, 0, s2).size, 8192u);
    std::vector<fsmeta_slice> ss = db.read_chunk(g.ino, 0);
    ASSERT_EQ(ss.size(), 2u);
    EXPECT_EQ(ss[0].id, id);
    std::vector<fsmeta_slice> dropped = db.compact_chunk(g.ino, 0);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].id, id);
    EXPECT_EQ(db.read_chunk(g.ino, 0).size(), 1u);
    EXPECT_TRUE(db.read_chunk(g.ino, 3).empty());
    std::error_code ec;
    db.compact_chunk(g.ino, 0, {s1}, s2, ec);
    EXPECT_EQ(ec, std::errc::resource_unavailable_try_again);
}

// release_file is the name of release 1.0 for close_file (docs/names.md): [[deprecated]], still working.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
TEST_F(Hpp, DeprecatedNames)
{
    fsmeta::attr f = db.create(fsmeta::root_ino, "rel", 0644);
    db.open_file(f.ino, FSMETA_O_RDONLY);
    db.release_file(f.ino);
    std::error_code ec;
    db.release_file(f.ino, ec);
    EXPECT_EQ(ec, std::errc::bad_file_descriptor);
}
#pragma GCC diagnostic pop

TEST_F(Hpp, PathsStatsFsck)
{
    fsmeta::attr c = db.mkdir_all("/a/b/c", 0755);
    EXPECT_EQ(db.resolve("/a/b/c").ino, c.ino);
    db.symlink(fsmeta::root_ino, "link", "/a/b");
    EXPECT_TRUE(db.resolve("/link").is_symlink());
    EXPECT_TRUE(db.resolve("/link", true).is_dir());
    EXPECT_EQ(db.resolve("/link/c").ino, c.ino);
    std::error_code ec;
    db.resolve("/a/x", false, ec);
    EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
    fsmeta_statfs_info s = db.statfs();
    EXPECT_EQ(s.inodes, 5u);
    fsmeta_stats_info st = db.stats();
    EXPECT_EQ(st.dirs, 4u);
    EXPECT_EQ(st.symlinks, 1u);
    EXPECT_EQ(db.fsck(), "");
}

// Issue #19 defects 2 and 7: a NUL inside a path is EINVAL, the empty path ENOENT (not the root).
TEST_F(Hpp, PathNulAndEmpty)
{
    db.mkdir_all("/x", 0755);
    using namespace std::string_view_literals;
    std::error_code ec;
    db.resolve("/x\0y"sv, false, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument);
    db.resolve("/missing/a\0b"sv, true, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument);
    db.mkdir_all("/x/a\0b"sv, 0755, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument);
    db.resolve("", false, ec);
    EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
    db.mkdir_all("", 0755, ec);
    EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
    EXPECT_THROW(db.resolve(""), fsmeta::error);
    EXPECT_EQ(db.resolve("/").ino, fsmeta::root_ino);
}

// Issue #19 defect 8: a stream without a listing iterates as empty (it used to throw bad_handle).
TEST_F(Hpp, EmptyStreamsIterateAsEmpty)
{
    int n = 0;
    fsmeta::dir_stream none;
    for (const fsmeta::dirent &e : none) {
        (void)e;
        n++;
    }
    EXPECT_EQ(n, 0);
    fsmeta::dirent ent;
    EXPECT_FALSE(none.next(ent));
    std::error_code ec = std::make_error_code(std::errc::io_error);
    EXPECT_FALSE(none.next(ent, ec));
    EXPECT_FALSE(ec);

    fsmeta::dir_stream failed = db.readdir(12345, false, ec); // no such inode
    EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
    EXPECT_EQ(failed.handle(), nullptr);
    for (const fsmeta::dirent &e : failed) {
        (void)e;
        n++;
    }
    EXPECT_EQ(n, 0);

    db.create(fsmeta::root_ino, "f", 0644);
    fsmeta::dir_stream d = db.readdir(fsmeta::root_ino);
    fsmeta::dir_stream moved = std::move(d);
    for (const fsmeta::dirent &e : d) { // moved from
        (void)e;
        n++;
    }
    EXPECT_EQ(n, 0);
    for (const fsmeta::dirent &e : moved) {
        EXPECT_EQ(e.name, "f");
        n++;
    }
    EXPECT_EQ(n, 1);
    moved.close();
    EXPECT_FALSE(moved.next(ent));
}

TEST(HppDb, OpenCloseMove)
{
    std::uint64_t h0 = fsmeta_handle_count();
    {
        fsmeta::db a = fsmeta::db::open_in_memory();
        fsmeta::db b = std::move(a);
        EXPECT_FALSE(a);
        EXPECT_TRUE(b);
        b.mkdir(fsmeta::root_ino, "x", 0755);
        a = std::move(b);
        EXPECT_TRUE(a);
        EXPECT_EQ(fsmeta_handle_count(), h0 + 1);
        a.close();
        a.close(); // idempotent
        EXPECT_THROW(a.getattr(1), fsmeta::error);
    }
    EXPECT_EQ(fsmeta_handle_count(), h0);
    fsmeta::options o; // neither in_memory nor dir
    try {
        fsmeta::db::open(o);
        FAIL();
    } catch (const fsmeta::error &e) {
        EXPECT_EQ(e.code(), std::errc::invalid_argument);
    }
    EXPECT_EQ(fsmeta::version_number(), static_cast<unsigned>(FSMETA_VERSION_NUMBER));
}

TEST(HppDb, IteratorOutlivesDb)
{
    fsmeta::db db = fsmeta::db::open_in_memory();
    for (int i = 0; i < 1500; i++)
        db.create(fsmeta::root_ino, "f" + std::to_string(i), 0644);
    fsmeta::dir_stream s = db.readdir(fsmeta::root_ino);
    fsmeta::dirent e;
    ASSERT_TRUE(s.next(e));
    db.close();
    std::error_code ec;
    while (s.next(e, ec)) {
    }
    EXPECT_EQ(ec, fsmeta::errc::closed);
}

// Issue #19, what users reached for: the operations by path.
TEST_F(Hpp, PathOperations)
{
    fsmeta::attr d = db.mkdir_all("/d/sub", 0755);
    fsmeta::attr f = db.create(db.resolve("/d").ino, "f", 0644);
    fsmeta::attr l = db.symlink_path("/d/l", "f");
    EXPECT_TRUE(l.is_symlink());
    EXPECT_EQ(db.readlink_path("/d/l"), "f");
    EXPECT_EQ(db.chmod_path("/d/l", 0600).ino, f.ino); // follows
    EXPECT_EQ(db.resolve("/d/f").perm(), 0600u);
    fsmeta::attr own = db.chown_path("/d/l", 7, 8, false); // the link itself
    EXPECT_EQ(own.ino, l.ino);
    EXPECT_EQ(own.uid, 7u);
    EXPECT_EQ(db.resolve("/d/f").uid, 0u);
    fsmeta_setattr_in in{};
    in.mtime_ns = 5;
    EXPECT_EQ(db.setattr_path("/d/f", true, FSMETA_SET_MTIME, in).mtime_ns, 5);
    EXPECT_EQ(db.truncate_path("/d/l", 100).size, 100u);
    db.setxattr_path("/d/l", true, "user.big", std::string(1000, 'v'));
    db.setxattr_path("/d/f", false, "user.a", "1", FSMETA_XATTR_CREATE);
    EXPECT_EQ(db.getxattr_path("/d/l", true, "user.big"), std::string(1000, 'v')); // past the first buffer
    EXPECT_EQ(db.listxattr_path("/d/f", false), (std::vector<std::string>{"user.a", "user.big"}));
    EXPECT_TRUE(db.listxattr_path("/d/l", false).empty());
    db.removexattr_path("/d/l", true, "user.big");
    EXPECT_EQ(db.listxattr_path("/d/f", true), (std::vector<std::string>{"user.a"}));
    EXPECT_EQ(db.link_path("/d/f", "/d/sub/g").nlink, 2u);
    db.rename_path("/d/sub/g", "/d/h");
    db.rename_path("/d/h", "/d/f", FSMETA_RENAME_EXCHANGE); // the same inode: nothing changes
    db.unlink_path("/d/h");
    db.unlink_path("/d/l");
    db.rmdir_path("/d/sub/");
    EXPECT_EQ(db.resolve("/d/f").nlink, 1u);
    (void)d;
    EXPECT_EQ(db.fsck(), "");
}

TEST_F(Hpp, PathOperationErrors)
{
    db.mkdir_all("/d/sub", 0755);
    db.create(db.resolve("/d").ino, "f", 0644);
    using namespace std::string_view_literals;
    std::error_code ec;
    // the path: NUL, empty, too long, missing, through a file
    db.unlink_path("/d/f\0x"sv, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument);
    db.rmdir_path("", ec);
    EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
    db.rename_path("/d/f", std::string(FSMETA_PATH_MAX + 1, 'a'), 0, ec);
    EXPECT_EQ(ec, std::errc::filename_too_long);
    db.symlink_path("/nope/l", "t", ec);
    EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
    db.link_path("/d/f", "/d/f/x", ec);
    EXPECT_EQ(ec, std::errc::not_a_directory);
    EXPECT_EQ(db.readlink_path("/d/f", ec), "");
    EXPECT_EQ(ec, std::errc::invalid_argument); // not a symlink
    // Linux's answers for the root, "." and ".."
    db.unlink_path("/", ec);
    EXPECT_EQ(ec, std::errc::is_a_directory);
    db.rmdir_path("/", ec);
    EXPECT_EQ(ec, std::errc::device_or_resource_busy);
    db.rmdir_path("/d/sub/..", ec);
    EXPECT_EQ(ec, std::errc::directory_not_empty);
    db.rename_path("/d/.", "/e", 0, ec);
    EXPECT_EQ(ec, std::errc::device_or_resource_busy);
    db.symlink_path("/d/..", "t", ec);
    EXPECT_EQ(ec, std::errc::file_exists);
    db.unlink_path("/d/f/", ec);
    EXPECT_EQ(ec, std::errc::not_a_directory);
    // arguments before the path
    fsmeta_setattr_in in{};
    fsmeta::attr a = db.setattr_path("", true, 0x8000, in, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument);
    EXPECT_EQ(a.ino, 0u); // nothing written
    db.setxattr_path("", true, "", "v", 0, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument);
    db.rename_path("", "", FSMETA_RENAME_EXCHANGE | FSMETA_RENAME_NOREPLACE, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument);
    EXPECT_EQ(db.getxattr_path("", false, "", ec), "");
    EXPECT_EQ(ec, std::errc::invalid_argument);
    EXPECT_TRUE(db.listxattr_path("/missing", true, ec).empty());
    EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
    db.removexattr_path("/d/f", true, "user.none", ec);
    EXPECT_EQ(ec, std::errc::no_message_available); // ENODATA
    db.truncate_path("/d/sub", 1, ec);
    EXPECT_EQ(ec, std::errc::is_a_directory);
    // another caller
    db.chmod_path("/d", 0700);
    auto alice = db.as(fsmeta::caller{1000, 1000, 022, {}});
    alice.unlink_path("/d/f", ec);
    EXPECT_EQ(ec, std::errc::permission_denied);
    alice.chown_path("/d", 1000, 1000, true, ec);
    EXPECT_EQ(ec, std::errc::operation_not_permitted);
    // the throwing forms throw fsmeta::error with the status
    try {
        db.unlink_path("/d/sub");
        FAIL();
    } catch (const fsmeta::error &e) {
        EXPECT_EQ(e.code(), std::errc::is_a_directory);
    }
    EXPECT_THROW(db.rmdir_path("/d"), fsmeta::error);
    EXPECT_THROW(db.rename_path("/x", "/y"), fsmeta::error);
    EXPECT_THROW(db.symlink_path("/d/f", "t"), fsmeta::error);
    EXPECT_THROW(db.link_path("/d/sub", "/d/s2"), fsmeta::error);
    EXPECT_THROW(db.readlink_path(""), fsmeta::error);
    EXPECT_THROW(db.truncate_path("/d", 0), fsmeta::error);
    EXPECT_THROW(db.getxattr_path("/d/f", true, "user.none"), fsmeta::error);
    EXPECT_THROW(db.setxattr_path("/d/f", true, "nonamespace", "v"), fsmeta::error);
    EXPECT_THROW(db.listxattr_path("", true), fsmeta::error);
    EXPECT_THROW(db.removexattr_path("/d/f", true, "user.none"), fsmeta::error);
    EXPECT_THROW(db.snapshot(), fsmeta::error); // in memory: no log
    db.snapshot(ec);
    EXPECT_EQ(ec, std::errc::invalid_argument);
    EXPECT_EQ(db.fsck(), "");
}

TEST_F(Hpp, DirPath)
{
    fsmeta::attr leaf = db.mkdir_all("/a/b/c", 0755);
    EXPECT_EQ(db.dir_path(leaf.ino), "/a/b/c");
    EXPECT_EQ(db.dir_path(fsmeta::root_ino), "/");
    db.rename_path("/a/b", "/b");
    EXPECT_EQ(db.dir_path(leaf.ino), "/b/c");
    fsmeta::attr f = db.create(leaf.ino, "f", 0644);
    std::error_code ec;
    EXPECT_EQ(db.dir_path(f.ino, ec), "");
    EXPECT_EQ(ec, std::errc::not_a_directory);
    EXPECT_THROW(db.dir_path(999999), fsmeta::error);
}

// Issue #19, what users reached for: a listing resumed from a cursor (tell, seek), on another stream too.
TEST_F(Hpp, DirCursor)
{
    fsmeta::attr d = db.mkdir(fsmeta::root_ino, "big", 0755);
    for (int i = 0; i < 1200; i++)
        db.create(d.ino, "f" + std::to_string(i), 0644);
    std::multiset<std::string> seen;
    fsmeta::dir_stream s = db.readdir(d.ino);
    std::uint64_t start = s.tell();
    fsmeta::dirent e;
    for (int i = 0; i < 600 && s.next(e); i++)
        seen.insert(std::string(e.name));
    std::uint64_t cur = s.tell();
    s.close();
    fsmeta::dir_stream t = db.readdir(d.ino, true);
    t.seek(cur);
    for (const fsmeta::dirent &x : t) {
        EXPECT_EQ(x.attr.ino, x.ino);
        seen.insert(std::string(x.name));
    }
    EXPECT_EQ(seen.size(), 1200u);
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 1200u); // each once
    EXPECT_EQ(t.tell(), UINT64_MAX);
    t.seek(start);
    ASSERT_TRUE(t.next(e));
    fsmeta::dir_stream u = db.readdir(d.ino);
    fsmeta::dirent first;
    ASSERT_TRUE(u.next(first));
    EXPECT_EQ(e.name, first.name);
    // a stream without a listing: tell answers 0, seek does nothing, no error
    fsmeta::dir_stream none;
    std::error_code ec = std::make_error_code(std::errc::io_error);
    EXPECT_EQ(none.tell(ec), 0u);
    EXPECT_FALSE(ec);
    none.seek(5, ec);
    EXPECT_FALSE(ec);
    EXPECT_FALSE(none.next(e));
}

TEST(HppDb, SnapshotDurable)
{
    char dir[] = "/tmp/fsmeta-hpp-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    fsmeta::options o;
    o.dir = dir;
    o.snapshot_threshold = 32;
    {
        fsmeta::db db = fsmeta::db::open(o);
        db.mkdir_all("/a/b", 0755);
        db.snapshot();
        db.snapshot(); // nothing new: no failure
        db.symlink_path("/a/l", "b");
    }
    {
        fsmeta::db db = fsmeta::db::open(o);
        EXPECT_TRUE(db.resolve("/a/l", true).is_dir());
        EXPECT_EQ(db.fsck(), "");
        db.close();
        EXPECT_THROW(db.snapshot(), fsmeta::error);
    }
    std::string cmd = std::string("rm -rf '") + dir + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
}

} // namespace
