// fsmeta.hpp - header-only C++17 wrapper of the fsmeta C API (fsmeta.h).
//
//   auto db = fsmeta::db::open_in_memory();              // closes itself
//   auto dir = db.mkdir(fsmeta::root_ino, "data", 0755);  // throws fsmeta::error on failure
//   std::error_code ec;
//   db.lookup(dir.ino, "missing", ec);                     // or: an error_code instead of an exception
//   if (ec == std::errc::no_such_file_or_directory) { ... }
//   for (const fsmeta::dirent& e : db.readdir(dir.ino)) std::cout << e.name << '\n';
//   auto alice = db.as(fsmeta::caller{1000, 1000, 022, {}}); // calls as uid 1000
//
// Every operation comes twice: one that throws fsmeta::error (a std::system_error carrying the status and the
// library's detail message), and one taking a std::error_code& last that does not throw for fsmeta failures.
// Error codes are in fsmeta::category(): value = -status; POSIX ones compare equal to std::errc values (Linux
// numbers), the library's own to fsmeta::errc. Names and paths are std::string_view (bytes; no NUL needed).
// Thread-safety is the C API's: a db may be shared between threads; a dir_stream belongs to one.
#ifndef FSMETA_HPP
#define FSMETA_HPP

#include <fsmeta.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace fsmeta {

using ino_t = std::uint64_t;
inline constexpr ino_t root_ino = FSMETA_ROOT_INO;

// ---- errors ------------------------------------------------------------------------------------------------------

// The library's own status codes, as error code values (-status).
enum class errc {
    bad_handle = -FSMETA_EBADHANDLE,
    internal = -FSMETA_EINTERNAL,
    iter_over = -FSMETA_ITEROVER,
    closed = -FSMETA_ECLOSED,
    too_small = -FSMETA_ETOOSMALL,
    version = -FSMETA_EVERSION,
    not_leader = -FSMETA_ENOTLEADER,
    corrupt = -FSMETA_ECORRUPT,
};

namespace detail {
class category_impl final : public std::error_category {
public:
    const char *name() const noexcept override { return "fsmeta"; }
    std::string message(int ev) const override { return fsmeta_strerror(-ev); }
    // POSIX codes (1..999, Linux numbers) are equivalent to std::errc.
    std::error_condition default_error_condition(int ev) const noexcept override
    {
        if (ev > 0 && ev < 1000)
            return std::error_condition(ev, std::generic_category());
        return std::error_condition(ev, *this);
    }
};
} // namespace detail

inline const std::error_category &category() noexcept
{
    static const detail::category_impl c;
    return c;
}

// The error_code of a status returned by the C API (0: no error).
inline std::error_code make_error_code(int status) noexcept
{
    return std::error_code(-status, category());
}

inline std::error_code make_error_code(errc e) noexcept { return std::error_code(static_cast<int>(e), category()); }

// error is thrown by the throwing overloads. what() holds fsmeta_last_error() of the failed call.
class error : public std::system_error {
public:
    error(int status, const std::string &detail) : std::system_error(make_error_code(status), detail), status_(status) {}
    // The C status code (negative).
    int status() const noexcept { return status_; }

private:
    int status_;
};

namespace detail {
// check turns a C status into an exception (ec NULL) or into *ec.
inline void check(int status, std::error_code *ec)
{
    if (ec != nullptr) {
        *ec = status < 0 ? make_error_code(status) : std::error_code();
        return;
    }
    if (status < 0)
        throw error(status, fsmeta_last_error());
}

// buf owns a fsmeta_buf.
struct buf {
    fsmeta_buf b = FSMETA_BUF_INIT;
    buf() = default;
    buf(const buf &) = delete;
    buf &operator=(const buf &) = delete;
    ~buf() { fsmeta_buf_dispose(&b); }
};

inline std::vector<fsmeta_slice> slices_of(const fsmeta_buf &b)
{
    const auto *p = reinterpret_cast<const fsmeta_slice *>(b.data);
    return std::vector<fsmeta_slice>(p, p + b.count);
}
} // namespace detail

// ---- values ------------------------------------------------------------------------------------------------------

// attr is fsmeta_attr with helpers.
struct attr : fsmeta_attr {
    attr() noexcept : fsmeta_attr{} {}
    attr(const fsmeta_attr &a) noexcept : fsmeta_attr(a) {}
    std::uint32_t type() const noexcept { return mode & FSMETA_S_IFMT; }
    std::uint32_t perm() const noexcept { return mode & 07777; }
    bool is_dir() const noexcept { return type() == FSMETA_S_IFDIR; }
    bool is_regular() const noexcept { return type() == FSMETA_S_IFREG; }
    bool is_symlink() const noexcept { return type() == FSMETA_S_IFLNK; }
};

// caller is the identity operations run as (fsmeta_ctx). The default is root.
struct caller {
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::uint32_t umask = 0;
    std::vector<std::uint32_t> groups;
};

// options for db::open.
struct options {
    bool in_memory = false;
    std::string dir;                   // data directory of the durable engine
    std::uint64_t capacity = 0;        // 0: library default
    std::uint64_t max_inodes = 0;
    std::uint64_t arena_max_bytes = 0;
    std::uint64_t snapshot_threshold = 0; // log entries between the durable engine's snapshots (0: library default)
};

// dirent is one entry of a listing; name points into the stream and is valid until the stream moves on.
struct dirent {
    ino_t ino = 0;
    std::uint32_t type = 0;
    std::string_view name;
    fsmeta::attr attr; // filled by listings with attributes (readdir(ino, true))
};

// ---- directory listings -------------------------------------------------------------------------------------------

// dir_stream is an open listing (fsmeta_dir): move-only, closed by its destructor, iterable once with range-for.
// The range-for iterators throw fsmeta::error when the listing fails midway. A stream without a listing (default-
// constructed, moved from, closed, or returned by the non-throwing readdir after a failure) is empty: next returns
// false and a range-for runs no iteration.
class dir_stream {
public:
    dir_stream() = default;
    explicit dir_stream(fsmeta_dir *d) noexcept : d_(d) {}
    dir_stream(dir_stream &&o) noexcept : d_(std::exchange(o.d_, nullptr)), ent_(o.ent_), cur_() { fix(); }
    dir_stream &operator=(dir_stream &&o) noexcept
    {
        if (this != &o) {
            close();
            d_ = std::exchange(o.d_, nullptr);
            ent_ = o.ent_;
            fix();
        }
        return *this;
    }
    dir_stream(const dir_stream &) = delete;
    dir_stream &operator=(const dir_stream &) = delete;
    ~dir_stream() { close(); }

    void close() noexcept
    {
        fsmeta_dir_close(d_);
        d_ = nullptr;
    }
    fsmeta_dir *handle() const noexcept { return d_; }

    // next moves to the next entry: true with the entry, false at the end (throws on failure).
    bool next(dirent &out) { return next_(out, nullptr); }
    // next without exceptions: false at the end or on failure (ec set).
    bool next(dirent &out, std::error_code &ec) { return next_(out, &ec); }

    // tell is the cursor of the entry next returns next (fsmeta_dir_tell): seek to it, on this stream or another
    // listing of the same directory, resumes there. 0 is the start, UINT64_MAX the end. A stream without a listing
    // (see above) answers 0 (tell) and ignores seek.
    std::uint64_t tell() const { return tell_(nullptr); }
    std::uint64_t tell(std::error_code &ec) const noexcept { return tell_(&ec); }
    // seek makes next continue from a cursor of tell (fsmeta_dir_seek).
    void seek(std::uint64_t cursor) { seek_(cursor, nullptr); }
    void seek(std::uint64_t cursor, std::error_code &ec) noexcept { seek_(cursor, &ec); }

    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = dirent;
        using difference_type = std::ptrdiff_t;
        using pointer = const dirent *;
        using reference = const dirent &;

        iterator() = default;
        explicit iterator(dir_stream *s) : s_(s) { ++*this; }
        reference operator*() const { return s_->cur_; }
        pointer operator->() const { return &s_->cur_; }
        iterator &operator++()
        {
            if (!s_->next(s_->cur_))
                s_ = nullptr;
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator &a, const iterator &b) noexcept { return a.s_ == b.s_; }
        friend bool operator!=(const iterator &a, const iterator &b) noexcept { return a.s_ != b.s_; }

    private:
        dir_stream *s_ = nullptr;
    };

    iterator begin() { return iterator(this); }
    iterator end() { return iterator(); }

private:
    bool next_(dirent &out, std::error_code *ec)
    {
        if (d_ == nullptr) { // default-constructed, moved from, closed, or from a readdir that failed: empty
            if (ec != nullptr)
                ec->clear();
            return false;
        }
        int rc = fsmeta_dir_next(&ent_, d_);
        if (rc == FSMETA_ITEROVER) {
            if (ec != nullptr)
                ec->clear();
            return false;
        }
        detail::check(rc, ec);
        if (rc < 0)
            return false;
        out.ino = ent_.ino;
        out.type = ent_.type;
        out.name = std::string_view(ent_.name, ent_.name_len);
        out.attr = ent_.attr;
        return true;
    }
    std::uint64_t tell_(std::error_code *ec) const
    {
        std::uint64_t c = 0;
        detail::check(d_ == nullptr ? 0 : fsmeta_dir_tell(&c, d_), ec);
        return c;
    }
    void seek_(std::uint64_t cursor, std::error_code *ec)
    {
        detail::check(d_ == nullptr ? 0 : fsmeta_dir_seek(d_, cursor), ec);
    }
    void fix() noexcept { cur_.name = std::string_view(ent_.name, ent_.name_len); }

    fsmeta_dir *d_ = nullptr;
    fsmeta_dirent ent_{};
    dirent cur_;
};

// ---- operations -------------------------------------------------------------------------------------------------

// session runs operations on a database as one caller. It does not own the database: see db.
class session {
public:
    session() = default;
    session(fsmeta_db *d, caller c) : db_(d), caller_(std::move(c)), root_(false) {}
    explicit session(fsmeta_db *d) noexcept : db_(d) {}

    fsmeta_db *handle() const noexcept { return db_; }
    // as returns a session on the same database running as c.
    session as(caller c) const { return session(db_, std::move(c)); }

    attr lookup(ino_t parent, std::string_view name) const { return lookup_(parent, name, nullptr); }
    attr lookup(ino_t parent, std::string_view name, std::error_code &ec) const noexcept { return lookup_(parent, name, &ec); }

    attr getattr(ino_t ino) const { return getattr_(ino, nullptr); }
    attr getattr(ino_t ino, std::error_code &ec) const noexcept { return getattr_(ino, &ec); }

    attr setattr(ino_t ino, std::uint32_t mask, const fsmeta_setattr_in &in) const { return setattr_(ino, mask, in, nullptr); }
    attr setattr(ino_t ino, std::uint32_t mask, const fsmeta_setattr_in &in, std::error_code &ec) const noexcept { return setattr_(ino, mask, in, &ec); }

    attr chmod(ino_t ino, std::uint32_t mode) const { return setattr(ino, FSMETA_SET_MODE, with_mode(mode)); }
    attr chmod(ino_t ino, std::uint32_t mode, std::error_code &ec) const noexcept { return setattr(ino, FSMETA_SET_MODE, with_mode(mode), ec); }
    attr chown(ino_t ino, std::uint32_t uid, std::uint32_t gid) const { return setattr(ino, FSMETA_SET_UID | FSMETA_SET_GID, with_owner(uid, gid)); }
    attr chown(ino_t ino, std::uint32_t uid, std::uint32_t gid, std::error_code &ec) const noexcept { return setattr(ino, FSMETA_SET_UID | FSMETA_SET_GID, with_owner(uid, gid), ec); }
    attr truncate(ino_t ino, std::uint64_t size) const { return setattr(ino, FSMETA_SET_SIZE, with_size(size)); }
    attr truncate(ino_t ino, std::uint64_t size, std::error_code &ec) const noexcept { return setattr(ino, FSMETA_SET_SIZE, with_size(size), ec); }

    void access(ino_t ino, std::uint32_t mask) const { detail::check(fsmeta_access(db_, ctx(), ino, mask), nullptr); }
    void access(ino_t ino, std::uint32_t mask, std::error_code &ec) const noexcept { ctx_call(ec, fsmeta_access(db_, ctx(), ino, mask)); }

    attr mknod(ino_t parent, std::string_view name, std::uint32_t mode, std::uint32_t rdev) const { return mknod_(parent, name, mode, rdev, nullptr); }
    attr mknod(ino_t parent, std::string_view name, std::uint32_t mode, std::uint32_t rdev, std::error_code &ec) const noexcept { return mknod_(parent, name, mode, rdev, &ec); }

    attr create(ino_t parent, std::string_view name, std::uint32_t mode) const { return create_(parent, name, mode, nullptr); }
    attr create(ino_t parent, std::string_view name, std::uint32_t mode, std::error_code &ec) const noexcept { return create_(parent, name, mode, &ec); }

    attr mkdir(ino_t parent, std::string_view name, std::uint32_t mode) const { return mkdir_(parent, name, mode, nullptr); }
    attr mkdir(ino_t parent, std::string_view name, std::uint32_t mode, std::error_code &ec) const noexcept { return mkdir_(parent, name, mode, &ec); }

    attr symlink(ino_t parent, std::string_view name, std::string_view target) const { return symlink_(parent, name, target, nullptr); }
    attr symlink(ino_t parent, std::string_view name, std::string_view target, std::error_code &ec) const noexcept { return symlink_(parent, name, target, &ec); }

    std::string readlink(ino_t ino) const { return readlink_(ino, nullptr); }
    std::string readlink(ino_t ino, std::error_code &ec) const { return readlink_(ino, &ec); }

    attr link(ino_t ino, ino_t new_parent, std::string_view new_name) const { return link_(ino, new_parent, new_name, nullptr); }
    attr link(ino_t ino, ino_t new_parent, std::string_view new_name, std::error_code &ec) const noexcept { return link_(ino, new_parent, new_name, &ec); }

    void unlink(ino_t parent, std::string_view name) const { detail::check(fsmeta_unlink(db_, ctx(), parent, name.data(), name.size()), nullptr); }
    void unlink(ino_t parent, std::string_view name, std::error_code &ec) const noexcept { ctx_call(ec, fsmeta_unlink(db_, ctx(), parent, name.data(), name.size())); }

    void rmdir(ino_t parent, std::string_view name) const { detail::check(fsmeta_rmdir(db_, ctx(), parent, name.data(), name.size()), nullptr); }
    void rmdir(ino_t parent, std::string_view name, std::error_code &ec) const noexcept { ctx_call(ec, fsmeta_rmdir(db_, ctx(), parent, name.data(), name.size())); }

    void rename(ino_t parent, std::string_view name, ino_t new_parent, std::string_view new_name, std::uint32_t flags = 0) const
    {
        detail::check(rename_(parent, name, new_parent, new_name, flags), nullptr);
    }
    void rename(ino_t parent, std::string_view name, ino_t new_parent, std::string_view new_name, std::uint32_t flags, std::error_code &ec) const noexcept
    {
        ctx_call(ec, rename_(parent, name, new_parent, new_name, flags));
    }

    // readdir opens a listing of directory ino (plus: with attributes).
    dir_stream readdir(ino_t ino, bool plus = false) const { return readdir_(ino, plus, nullptr); }
    dir_stream readdir(ino_t ino, bool plus, std::error_code &ec) const noexcept { return readdir_(ino, plus, &ec); }

    fsmeta_statfs_info statfs() const { return statfs_(nullptr); }
    fsmeta_statfs_info statfs(std::error_code &ec) const noexcept { return statfs_(&ec); }

    std::string getxattr(ino_t ino, std::string_view name) const { return getxattr_(ino, name, nullptr); }
    std::string getxattr(ino_t ino, std::string_view name, std::error_code &ec) const { return getxattr_(ino, name, &ec); }

    void setxattr(ino_t ino, std::string_view name, std::string_view value, std::uint32_t flags = 0) const
    {
        detail::check(fsmeta_setxattr(db_, ctx(), ino, name.data(), name.size(), value.data(), value.size(), flags), nullptr);
    }
    void setxattr(ino_t ino, std::string_view name, std::string_view value, std::uint32_t flags, std::error_code &ec) const noexcept
    {
        ctx_call(ec, fsmeta_setxattr(db_, ctx(), ino, name.data(), name.size(), value.data(), value.size(), flags));
    }

    std::vector<std::string> listxattr(ino_t ino) const { return listxattr_(ino, nullptr); }
    std::vector<std::string> listxattr(ino_t ino, std::error_code &ec) const { return listxattr_(ino, &ec); }

    void removexattr(ino_t ino, std::string_view name) const { detail::check(fsmeta_removexattr(db_, ctx(), ino, name.data(), name.size()), nullptr); }
    void removexattr(ino_t ino, std::string_view name, std::error_code &ec) const noexcept { ctx_call(ec, fsmeta_removexattr(db_, ctx(), ino, name.data(), name.size())); }

    attr fallocate(ino_t ino, std::uint32_t mode, std::uint64_t offset, std::uint64_t length) const { return fallocate_(ino, mode, offset, length, nullptr); }
    attr fallocate(ino_t ino, std::uint32_t mode, std::uint64_t offset, std::uint64_t length, std::error_code &ec) const noexcept { return fallocate_(ino, mode, offset, length, &ec); }

    // open_file / close_file count the opens of a file (fsmeta_file_open / fsmeta_file_close).
    attr open_file(ino_t ino, std::uint32_t flags) const { return open_file_(ino, flags, nullptr); }
    attr open_file(ino_t ino, std::uint32_t flags, std::error_code &ec) const noexcept { return open_file_(ino, flags, &ec); }
    void close_file(ino_t ino) const { detail::check(fsmeta_file_close(db_, ctx(), ino), nullptr); }
    void close_file(ino_t ino, std::error_code &ec) const noexcept { ctx_call(ec, fsmeta_file_close(db_, ctx(), ino)); }
    // release_file is the name of release 1.0 (docs/names.md).
    [[deprecated("use close_file")]] void release_file(ino_t ino) const { close_file(ino); }
    [[deprecated("use close_file")]] void release_file(ino_t ino, std::error_code &ec) const noexcept { close_file(ino, ec); }

    std::uint64_t new_slice_id(std::uint32_t n = 1) const { return new_slice_id_(n, nullptr); }
    std::uint64_t new_slice_id(std::uint32_t n, std::error_code &ec) const noexcept { return new_slice_id_(n, &ec); }

    attr write_slice(ino_t ino, std::uint32_t chunk, const fsmeta_slice &s) const { return write_slice_(ino, chunk, s, nullptr); }
    attr write_slice(ino_t ino, std::uint32_t chunk, const fsmeta_slice &s, std::error_code &ec) const noexcept { return write_slice_(ino, chunk, s, &ec); }

    std::vector<fsmeta_slice> read_chunk(ino_t ino, std::uint32_t chunk) const { return read_chunk_(ino, chunk, nullptr); }
    std::vector<fsmeta_slice> read_chunk(ino_t ino, std::uint32_t chunk, std::error_code &ec) const { return read_chunk_(ino, chunk, &ec); }

    // compact_chunk returns the slices no longer referenced (replaced empty: drop covered slices).
    std::vector<fsmeta_slice> compact_chunk(ino_t ino, std::uint32_t chunk, const std::vector<fsmeta_slice> &replaced = {}, const fsmeta_slice &with = {}) const
    {
        return compact_chunk_(ino, chunk, replaced, with, nullptr);
    }
    std::vector<fsmeta_slice> compact_chunk(ino_t ino, std::uint32_t chunk, const std::vector<fsmeta_slice> &replaced, const fsmeta_slice &with, std::error_code &ec) const
    {
        return compact_chunk_(ino, chunk, replaced, with, &ec);
    }

    // resolve walks a path from the root (fsmeta_resolve): the empty path names nothing (ENOENT; "/" is the root),
    // a NUL in it is EINVAL (a std::string_view may hold one).
    attr resolve(std::string_view path, bool follow_last = false) const { return resolve_(path, follow_last, nullptr); }
    attr resolve(std::string_view path, bool follow_last, std::error_code &ec) const noexcept { return resolve_(path, follow_last, &ec); }

    attr mkdir_all(std::string_view path, std::uint32_t mode) const { return mkdir_all_(path, mode, nullptr); }
    attr mkdir_all(std::string_view path, std::uint32_t mode, std::error_code &ec) const noexcept { return mkdir_all_(path, mode, &ec); }

    // The operations by path (fsmeta_path_*): the path as resolve takes it; the ones on an existing inode follow a
    // final symlink when follow is true (chmod, truncate, getxattr) and not when false (lchown, lgetxattr).
    void unlink_path(std::string_view path) const { detail::check(fsmeta_path_unlink(db_, ctx(), path.data(), path.size()), nullptr); }
    void unlink_path(std::string_view path, std::error_code &ec) const noexcept { ctx_call(ec, fsmeta_path_unlink(db_, ctx(), path.data(), path.size())); }
    void rmdir_path(std::string_view path) const { detail::check(fsmeta_path_rmdir(db_, ctx(), path.data(), path.size()), nullptr); }
    void rmdir_path(std::string_view path, std::error_code &ec) const noexcept { ctx_call(ec, fsmeta_path_rmdir(db_, ctx(), path.data(), path.size())); }
    void rename_path(std::string_view path, std::string_view new_path, std::uint32_t flags = 0) const
    {
        detail::check(fsmeta_path_rename(db_, ctx(), path.data(), path.size(), new_path.data(), new_path.size(), flags), nullptr);
    }
    void rename_path(std::string_view path, std::string_view new_path, std::uint32_t flags, std::error_code &ec) const noexcept
    {
        ctx_call(ec, fsmeta_path_rename(db_, ctx(), path.data(), path.size(), new_path.data(), new_path.size(), flags));
    }
    attr symlink_path(std::string_view path, std::string_view target) const { return symlink_path_(path, target, nullptr); }
    attr symlink_path(std::string_view path, std::string_view target, std::error_code &ec) const noexcept { return symlink_path_(path, target, &ec); }
    attr link_path(std::string_view path, std::string_view new_path) const { return link_path_(path, new_path, nullptr); }
    attr link_path(std::string_view path, std::string_view new_path, std::error_code &ec) const noexcept { return link_path_(path, new_path, &ec); }
    std::string readlink_path(std::string_view path) const { return readlink_path_(path, nullptr); }
    std::string readlink_path(std::string_view path, std::error_code &ec) const { return readlink_path_(path, &ec); }
    attr setattr_path(std::string_view path, bool follow, std::uint32_t mask, const fsmeta_setattr_in &in) const { return setattr_path_(path, follow, mask, in, nullptr); }
    attr setattr_path(std::string_view path, bool follow, std::uint32_t mask, const fsmeta_setattr_in &in, std::error_code &ec) const noexcept
    {
        return setattr_path_(path, follow, mask, in, &ec);
    }
    attr chmod_path(std::string_view path, std::uint32_t mode, bool follow = true) const { return setattr_path(path, follow, FSMETA_SET_MODE, with_mode(mode)); }
    attr chmod_path(std::string_view path, std::uint32_t mode, bool follow, std::error_code &ec) const noexcept
    {
        return setattr_path(path, follow, FSMETA_SET_MODE, with_mode(mode), ec);
    }
    attr chown_path(std::string_view path, std::uint32_t uid, std::uint32_t gid, bool follow = true) const
    {
        return setattr_path(path, follow, FSMETA_SET_UID | FSMETA_SET_GID, with_owner(uid, gid));
    }
    attr chown_path(std::string_view path, std::uint32_t uid, std::uint32_t gid, bool follow, std::error_code &ec) const noexcept
    {
        return setattr_path(path, follow, FSMETA_SET_UID | FSMETA_SET_GID, with_owner(uid, gid), ec);
    }
    attr truncate_path(std::string_view path, std::uint64_t size) const { return truncate_path_(path, size, nullptr); }
    attr truncate_path(std::string_view path, std::uint64_t size, std::error_code &ec) const noexcept { return truncate_path_(path, size, &ec); }
    std::string getxattr_path(std::string_view path, bool follow, std::string_view name) const { return getxattr_path_(path, follow, name, nullptr); }
    std::string getxattr_path(std::string_view path, bool follow, std::string_view name, std::error_code &ec) const { return getxattr_path_(path, follow, name, &ec); }
    void setxattr_path(std::string_view path, bool follow, std::string_view name, std::string_view value, std::uint32_t flags = 0) const
    {
        detail::check(setxattr_path_(path, follow, name, value, flags), nullptr);
    }
    void setxattr_path(std::string_view path, bool follow, std::string_view name, std::string_view value, std::uint32_t flags, std::error_code &ec) const noexcept
    {
        ctx_call(ec, setxattr_path_(path, follow, name, value, flags));
    }
    std::vector<std::string> listxattr_path(std::string_view path, bool follow) const { return listxattr_path_(path, follow, nullptr); }
    std::vector<std::string> listxattr_path(std::string_view path, bool follow, std::error_code &ec) const { return listxattr_path_(path, follow, &ec); }
    void removexattr_path(std::string_view path, bool follow, std::string_view name) const
    {
        detail::check(fsmeta_path_removexattr(db_, ctx(), path.data(), path.size(), follow ? FSMETA_RESOLVE_FOLLOW : 0, name.data(), name.size()), nullptr);
    }
    void removexattr_path(std::string_view path, bool follow, std::string_view name, std::error_code &ec) const noexcept
    {
        ctx_call(ec, fsmeta_path_removexattr(db_, ctx(), path.data(), path.size(), follow ? FSMETA_RESOLVE_FOLLOW : 0, name.data(), name.size()));
    }

    // dir_path is the path from the root of directory ino (fsmeta_dir_path; ENOTDIR for other inodes).
    std::string dir_path(ino_t ino) const { return dir_path_(ino, nullptr); }
    std::string dir_path(ino_t ino, std::error_code &ec) const { return dir_path_(ino, &ec); }

    // snapshot takes a snapshot of a durable engine now and truncates its log (fsmeta_snapshot; EINVAL in memory).
    void snapshot() const { detail::check(fsmeta_snapshot(db_), nullptr); }
    void snapshot(std::error_code &ec) const noexcept { ctx_call(ec, fsmeta_snapshot(db_)); }

    // fsck returns "" when the state is sound, else the report (other failures throw).
    std::string fsck() const
    {
        detail::buf b;
        int rc = fsmeta_fsck(&b.b, db_);
        if (rc == FSMETA_ECORRUPT)
            return std::string(b.b.data, b.b.len);
        detail::check(rc, nullptr);
        return std::string();
    }

    fsmeta_stats_info stats() const
    {
        fsmeta_stats_info s = FSMETA_STATS_INFO_INIT;
        detail::check(fsmeta_stats(&s, db_), nullptr);
        return s;
    }

protected:
    fsmeta_db *db_ = nullptr;

private:
    // ctx_holder carries the caller as a fsmeta_ctx for the length of one call (a temporary: thread-safe).
    struct ctx_holder {
        fsmeta_ctx c;
        bool root;
        operator const fsmeta_ctx *() const noexcept { return root ? nullptr : &c; }
    };
    ctx_holder ctx() const noexcept
    {
        ctx_holder h{fsmeta_ctx FSMETA_CTX_INIT, root_};
        h.c.uid = caller_.uid;
        h.c.gid = caller_.gid;
        h.c.umask = caller_.umask;
        h.c.groups = caller_.groups.data();
        h.c.ngroups = caller_.groups.size();
        return h;
    }
    static void ctx_call(std::error_code &ec, int rc) noexcept { ec = rc < 0 ? make_error_code(rc) : std::error_code(); }
    static fsmeta_setattr_in with_mode(std::uint32_t mode) noexcept
    {
        fsmeta_setattr_in in{};
        in.mode = mode;
        return in;
    }
    static fsmeta_setattr_in with_owner(std::uint32_t uid, std::uint32_t gid) noexcept
    {
        fsmeta_setattr_in in{};
        in.uid = uid;
        in.gid = gid;
        return in;
    }
    static fsmeta_setattr_in with_size(std::uint64_t size) noexcept
    {
        fsmeta_setattr_in in{};
        in.size = size;
        return in;
    }

    attr lookup_(ino_t parent, std::string_view name, std::error_code *ec) const
    {
        attr a;
        detail::check(fsmeta_lookup(&a, db_, ctx(), parent, name.data(), name.size()), ec);
        return a;
    }
    attr getattr_(ino_t ino, std::error_code *ec) const
    {
        attr a;
        detail::check(fsmeta_getattr(&a, db_, ctx(), ino), ec);
        return a;
    }
    attr setattr_(ino_t ino, std::uint32_t mask, const fsmeta_setattr_in &in, std::error_code *ec) const
    {
        attr a;
        detail::check(fsmeta_setattr(&a, db_, ctx(), ino, mask, &in), ec);
        return a;
    }
    attr mknod_(ino_t parent, std::string_view name, std::uint32_t mode, std::uint32_t rdev, std::error_code *ec) const
    {
        attr a;
        detail::check(fsmeta_mknod(&a, db_, ctx(), parent, name.data(), name.size(), mode, rdev), ec);
        return a;
    }
    attr create_(ino_t parent, std::string_view name, std::uint32_t mode, std::error_code *ec) const
    {
        attr a;
        detail::check(fsmeta_create(&a, db_, ctx(), parent, name.data(), name.size(), mode), ec);
        return a;
    }
    attr mkdir_(ino_t parent, std::string_view name, std::uint32_t mode, std::error_code *ec) const
    {
        attr a;
        detail::check(fsmeta_mkdir(&a, db_, ctx(), parent, name.data(), name.size(), mode), ec);
        return a;
    }
    attr symlink_(ino_t parent, std::string_view name, std::string_view target, std::error_code *ec) const
    {
        attr a;
        detail::check(fsmeta_symlink(&a, db_, ctx(), parent, name.data(), name.size(), target.data(), target.size()), ec);
        return a;
    }
    std::string readlink_(ino_t ino, std::error_code *ec) const
    {
        std::string s(FSMETA_SYMLINK_MAX + 1, '\0');
        std::size_t n = 0;
        int rc = fsmeta_readlink(s.data(), s.size(), &n, db_, ctx(), ino);
        detail::check(rc, ec);
        s.resize(rc < 0 ? 0 : n);
        return s;
    }
    attr link_(ino_t ino, ino_t new_parent, std::string_view new_name, std::error_code *ec) const
    {
        attr a;
        detail::check(fsmeta_link(&a, db_, ctx(), ino, new_parent, new_name.data(), new_name.size()), ec);
        return a;
    }
    int rename_(ino_t parent, std::string_view name, ino_t new_parent, std::string_view new_name, std::uint32_t flags) const noexcept
    {
        return fsmeta_rename(db_, ctx(), parent, name.data(), name.size(), new_parent, new_name.data(), new_name.size(), flags);
    }
    dir_stream readdir_(ino_t ino, bool plus, std::error_code *ec) const
    {
        fsmeta_dir *d = nullptr;
        int rc = fsmeta_dir_open(&d, db_, ctx(), ino, plus ? FSMETA_DIR_PLUS : 0);
        detail::check(rc, ec);
        return dir_stream(rc < 0 ? nullptr : d);
    }
    fsmeta_statfs_info statfs_(std::error_code *ec) const
    {
        fsmeta_statfs_info s{};
        detail::check(fsmeta_statfs(&s, db_, ctx()), ec);
        return s;
    }
    std::string getxattr_(ino_t ino, std::string_view name, std::error_code *ec) const
    {
        std::string v(256, '\0');
        for (;;) {
            std::size_t n = 0;
            int rc = fsmeta_getxattr(v.data(), v.size(), &n, db_, ctx(), ino, name.data(), name.size());
            if (rc == FSMETA_ETOOSMALL) {
                v.resize(n);
                continue; // the value grew meanwhile: try again with the size reported
            }
            detail::check(rc, ec);
            v.resize(rc < 0 ? 0 : n);
            return v;
        }
    }
    std::vector<std::string> listxattr_(ino_t ino, std::error_code *ec) const
    {
        detail::buf b;
        std::vector<std::string> names;
        int rc = fsmeta_listxattr(&b.b, db_, ctx(), ino);
        detail::check(rc, ec);
        for (std::size_t i = 0; rc == 0 && i < b.b.len;) {
            std::string_view s(b.b.data + i);
            names.emplace_back(s);
            i += s.size() + 1;
        }
        return names;
    }
    attr fallocate_(ino_t ino, std::uint32_t mode, std::uint64_t offset, std::uint64_t length, std::error_code *ec) const
    {
        attr a;
        detail::check(fsmeta_fallocate(&a, db_, ctx(), ino, mode, offset, length), ec);
        return a;
    }
    attr open_file_(ino_t ino, std::uint32_t flags, std::error_code *ec) const
    {
        attr a;
        detail::check(fsmeta_file_open(&a, db_, ctx(), ino, flags), ec);
        return a;
    }
    std::uint64_t new_slice_id_(std::uint32_t n, std::error_code *ec) const
    {
        std::uint64_t id = 0;
        detail::check(fsmeta_slice_id_new(&id, db_, ctx(), n), ec);
        return id;
    }
    attr write_slice_(ino_t ino, std::uint32_t chunk, const fsmeta_slice &s, std::error_code *ec) const
    {
        attr a;
        detail::check(fsmeta_slice_write(&a, db_, ctx(), ino, chunk, &s), ec);
        return a;
    }
    std::vector<fsmeta_slice> read_chunk_(ino_t ino, std::uint32_t chunk, std::error_code *ec) const
    {
        detail::buf b;
        int rc = fsmeta_chunk_read(&b.b, db_, ctx(), ino, chunk);
        detail::check(rc, ec);
        return rc < 0 ? std::vector<fsmeta_slice>() : detail::slices_of(b.b);
    }
    std::vector<fsmeta_slice> compact_chunk_(ino_t ino, std::uint32_t chunk, const std::vector<fsmeta_slice> &replaced, const fsmeta_slice &with, std::error_code *ec) const
    {
        detail::buf b;
        int rc = fsmeta_chunk_compact(&b.b, db_, ctx(), ino, chunk, replaced.data(), replaced.size(), &with);
        detail::check(rc, ec);
        return rc < 0 ? std::vector<fsmeta_slice>() : detail::slices_of(b.b);
    }
    attr resolve_(std::string_view path, bool follow_last, std::error_code *ec) const
    {
        attr a;
        detail::check(fsmeta_resolve(&a, db_, ctx(), path.data(), path.size(), follow_last ? FSMETA_RESOLVE_FOLLOW : 0), ec);
        return a;
    }
    attr mkdir_all_(std::string_view path, std::uint32_t mode, std::error_code *ec) const
    {
        attr a;
        detail::check(fsmeta_mkdir_all(&a, db_, ctx(), path.data(), path.size(), mode), ec);
        return a;
    }
    std::string dir_path_(ino_t ino, std::error_code *ec) const
    {
        detail::buf b;
        int rc = fsmeta_dir_path(&b.b, db_, ctx(), ino);
        detail::check(rc, ec);
        return rc < 0 ? std::string() : std::string(b.b.data, b.b.len);
    }
    attr symlink_path_(std::string_view path, std::string_view target, std::error_code *ec) const
    {
        attr a;
        detail::check(fsmeta_path_symlink(&a, db_, ctx(), path.data(), path.size(), target.data(), target.size()), ec);
        return a;
    }
    attr link_path_(std::string_view path, std::string_view new_path, std::error_code *ec) const
    {
        attr a;
        detail::check(fsmeta_path_link(&a, db_, ctx(), path.data(), path.size(), new_path.data(), new_path.size()), ec);
        return a;
    }
    std::string readlink_path_(std::string_view path, std::error_code *ec) const
    {
        std::string s(FSMETA_SYMLINK_MAX + 1, '\0');
        std::size_t n = 0;
        int rc = fsmeta_path_readlink(s.data(), s.size(), &n, db_, ctx(), path.data(), path.size());
        detail::check(rc, ec);
        s.resize(rc < 0 ? 0 : n);
        return s;
    }
    attr setattr_path_(std::string_view path, bool follow, std::uint32_t mask, const fsmeta_setattr_in &in, std::error_code *ec) const
    {
        attr a;
        detail::check(fsmeta_path_setattr(&a, db_, ctx(), path.data(), path.size(), follow ? FSMETA_RESOLVE_FOLLOW : 0, mask, &in), ec);
        return a;
    }
    attr truncate_path_(std::string_view path, std::uint64_t size, std::error_code *ec) const
    {
        attr a;
        detail::check(fsmeta_path_truncate(&a, db_, ctx(), path.data(), path.size(), size), ec);
        return a;
    }
    std::string getxattr_path_(std::string_view path, bool follow, std::string_view name, std::error_code *ec) const
    {
        std::string v(256, '\0');
        for (;;) {
            std::size_t n = 0;
            int rc = fsmeta_path_getxattr(v.data(), v.size(), &n, db_, ctx(), path.data(), path.size(), follow ? FSMETA_RESOLVE_FOLLOW : 0,
                                          name.data(), name.size());
            if (rc == FSMETA_ETOOSMALL) {
                v.resize(n);
                continue; // the value grew meanwhile: try again with the size reported
            }
            detail::check(rc, ec);
            v.resize(rc < 0 ? 0 : n);
            return v;
        }
    }
    int setxattr_path_(std::string_view path, bool follow, std::string_view name, std::string_view value, std::uint32_t flags) const noexcept
    {
        return fsmeta_path_setxattr(db_, ctx(), path.data(), path.size(), follow ? FSMETA_RESOLVE_FOLLOW : 0, name.data(), name.size(),
                                    value.data(), value.size(), flags);
    }
    std::vector<std::string> listxattr_path_(std::string_view path, bool follow, std::error_code *ec) const
    {
        detail::buf b;
        std::vector<std::string> names;
        int rc = fsmeta_path_listxattr(&b.b, db_, ctx(), path.data(), path.size(), follow ? FSMETA_RESOLVE_FOLLOW : 0);
        detail::check(rc, ec);
        for (std::size_t i = 0; rc == 0 && i < b.b.len;) {
            std::string_view s(b.b.data + i);
            names.emplace_back(s);
            i += s.size() + 1;
        }
        return names;
    }

    caller caller_;
    bool root_ = true;
};

// db owns an open database (fsmeta_db): move-only, closed by its destructor or close(). Its operations run as
// root; as() gives a session running as another caller (valid while the db is open).
class db : public session {
public:
    db() = default;
    explicit db(fsmeta_db *d) noexcept : session(d) {}
    db(db &&o) noexcept : session(std::exchange(o.db_, nullptr)) {}
    db &operator=(db &&o) noexcept
    {
        if (this != &o) {
            close();
            db_ = std::exchange(o.db_, nullptr);
        }
        return *this;
    }
    db(const db &) = delete;
    db &operator=(const db &) = delete;
    ~db() { close(); }

    static db open(const options &o)
    {
        fsmeta_options co = FSMETA_OPTIONS_INIT;
        co.in_memory = o.in_memory ? 1 : 0;
        co.dir = o.dir.empty() ? nullptr : o.dir.c_str();
        co.capacity = o.capacity;
        co.max_inodes = o.max_inodes;
        co.arena_max_bytes = o.arena_max_bytes;
        co.snapshot_threshold = o.snapshot_threshold;
        fsmeta_db *d = nullptr;
        detail::check(fsmeta_open(&d, &co), nullptr);
        return db(d);
    }
    static db open_in_memory()
    {
        options o;
        o.in_memory = true;
        return open(o);
    }

    // close releases the database (a no-op when already closed).
    void close() noexcept
    {
        fsmeta_close(db_);
        db_ = nullptr;
    }
    explicit operator bool() const noexcept { return db_ != nullptr; }
};

// version_number is the loaded library's FSMETA_VERSION_NUMBER.
inline unsigned version_number() noexcept { return fsmeta_version_number(); }

} // namespace fsmeta

namespace std {
template <>
struct is_error_code_enum<fsmeta::errc> : true_type {};
} // namespace std

#endif // FSMETA_HPP
