// fsmeta_example.cpp - the C++ wrapper (fsmeta.hpp): build a small tree, walk it like find(1) with range-for,
// show stat(1)-like output, then time getattr calls and print the rate.
//
//   fsmeta_example_cpp [--quick] [getattr-count]     (default 1000000; --quick: 100000)
#include <fsmeta.hpp>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

namespace {

// walk prints every path under dir, like find(1).
void walk(const fsmeta::session &fs, fsmeta::ino_t dir, const std::string &path)
{
    for (const fsmeta::dirent &e : fs.readdir(dir)) {
        std::string p = path + "/" + std::string(e.name);
        std::cout << p << '\n';
        if (e.type == FSMETA_S_IFDIR)
            walk(fs, e.ino, p);
    }
}

std::string mode_string(std::uint32_t mode)
{
    static const char types[] = "?pc?d?b?-?l?s???";
    std::string s(1, types[(mode >> 12) & 15]);
    const char *rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++)
        s += (mode & (0400u >> i)) ? rwx[i] : '-';
    return s;
}

void stat_path(const fsmeta::session &fs, const std::string &path)
{
    fsmeta::attr a = fs.resolve(path);
    std::cout << "  File: " << path;
    if (a.is_symlink())
        std::cout << " -> " << fs.readlink(a.ino);
    std::printf("\n  Size: %-10" PRIu64 " Blocks: %-10" PRIu64 " %s\n", a.size, a.blocks,
                a.is_dir() ? "directory" : a.is_symlink() ? "symbolic link" : a.is_regular() ? "regular file" : "special file");
    std::printf("Inode: %-10" PRIu64 " Links: %u\nAccess: (%04o/%s)  Uid: %5u  Gid: %5u\n", a.ino, a.nlink, a.perm(),
                mode_string(a.mode).c_str(), a.uid, a.gid);
    std::fflush(stdout);
    for (const std::string &x : fs.listxattr(a.ino))
        std::cout << "Xattr: " << x << "=\"" << fs.getxattr(a.ino, x) << "\"\n";
}

} // namespace

int main(int argc, char **argv)
{
    long count = 1000000;
    for (int i = 1; i < argc; i++)
        count = std::string(argv[i]) == "--quick" ? 100000 : std::atol(argv[i]);
    if (count <= 0)
        count = 1;

    try {
        fsmeta::db db = fsmeta::db::open_in_memory();

        // Build: as root, then as alice (uid 1000, umask 022) in her home.
        fsmeta::attr home = db.mkdir_all("/home/alice", 0755);
        db.chown(home.ino, 1000, 1000);
        fsmeta::session alice = db.as(fsmeta::caller{1000, 1000, 022, {}});
        fsmeta::attr src = alice.mkdir_all("/home/alice/project/src", 0777);
        for (const char *name : {"main.cpp", "util.cpp", "util.hpp"}) {
            fsmeta::attr f = alice.create(src.ino, name, 0666);
            fsmeta_slice s{alice.new_slice_id(), 0, 1000, 0, 1000};
            alice.write_slice(f.ino, 0, s);
        }
        fsmeta::attr readme = alice.create(home.ino, "README.md", 0644);
        alice.setxattr(readme.ino, "user.mime", "text/markdown");
        alice.symlink(home.ino, "notes", "project/src/main.cpp");

        std::cout << "$ find /\n/\n";
        walk(db, fsmeta::root_ino, "");

        std::cout << "\n$ stat /home/alice/README.md /home/alice/notes\n";
        stat_path(db, "/home/alice/README.md");
        stat_path(db, "/home/alice/notes");

        // Errors: exceptions, or std::error_code.
        try {
            alice.mkdir(fsmeta::root_ino, "not-allowed", 0755);
        } catch (const fsmeta::error &e) {
            std::cout << "\nmkdir as alice in /: " << e.code().message() << " (" << e.what() << ")\n";
        }
        std::error_code ec;
        db.lookup(fsmeta::root_ino, "missing", ec);
        std::cout << "lookup /missing: " << (ec == std::errc::no_such_file_or_directory ? "ENOENT" : "?") << "\n\n";

        // Time getattr over 10,000 files.
        std::vector<fsmeta::ino_t> inos;
        for (int d = 0; d < 10; d++) {
            fsmeta::attr dir = db.mkdir_all("/bench/d" + std::to_string(d), 0755);
            for (int i = 0; i < 1000; i++)
                inos.push_back(db.create(dir.ino, "file-" + std::to_string(i), 0644).ino);
        }
        std::uint64_t sum = 0;
        auto t0 = std::chrono::steady_clock::now();
        for (long i = 0; i < count; i++) {
            fsmeta::attr a = db.getattr(inos[static_cast<std::size_t>(i) % inos.size()], ec);
            sum += a.ino;
        }
        double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("getattr: %ld calls over %zu files in %.3f s: %.0f calls/s, %.0f ns/call (checksum %" PRIu64 ")\n",
                    count, inos.size(), dt, count / dt, dt * 1e9 / count, sum);

        std::string report = db.fsck();
        std::cout << "fsck: " << (report.empty() ? "ok" : report) << '\n';
        return report.empty() ? 0 : 1;
    } catch (const fsmeta::error &e) {
        std::cerr << "fsmeta: " << e.what() << " [" << e.code() << "]\n";
        return 1;
    }
}
