package posixdiff

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// The kernel side: a child process (this test binary, re-executed with
// envChild set) that already runs as the caller's uid, gid and groups,
// reads one Op a line on stdin (JSON), applies it under the tmpfs root and
// writes one Result a line on stdout.
//
// Paths are resolved with openat2(RESOLVE_IN_ROOT) from a descriptor of the
// root, so that ".." stops at the root and absolute symlink targets start
// there, as in fsmeta. An operation on a path resolves it whole (O_PATH, with
// O_NOFOLLOW unless the operation follows a final symlink) and acts on the
// descriptor (fstat, readlinkat "") or on /proc/self/fd/N, a magic link
// that leads to the descriptor's node itself (a symlink is not followed
// further). An operation on a name resolves the
// parent directory and calls the *at system call with the name, so the
// kernel's lookup of the name (search permission, existence) is the one a
// whole path would get.

const (
	envChild = "FSMETA_POSIXDIFF_CHILD" // the root directory of the kernel side
)

// kernel is a running child.
type kernel struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func startKernel(exe, root string, c identity) (*kernel, error) {
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"="+root)
	cmd.Stderr = os.Stderr
	if c.Uid != 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{
			Uid: c.Uid, Gid: c.Gid, Groups: c.Groups}}
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &kernel{cmd: cmd, in: in, out: bufio.NewReader(out)}, nil
}

func (k *kernel) do(op Op) (Result, error) {
	b, _ := json.Marshal(op)
	if _, err := k.in.Write(append(b, '\n')); err != nil {
		return Result{}, err
	}
	line, err := k.out.ReadBytes('\n')
	if err != nil {
		return Result{}, fmt.Errorf("kernel child: %v", err)
	}
	var r Result
	if err := json.Unmarshal(line, &r); err != nil {
		return Result{}, fmt.Errorf("kernel child said %q: %v", line, err)
	}
	return r, nil
}

func (k *kernel) close() {
	k.in.Close()
	k.cmd.Wait()
}

// childMain is the child's loop; it returns when stdin ends.
func childMain(root string) {
	rfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "posixdiff child:", err)
		os.Exit(2)
	}
	in := bufio.NewReader(os.Stdin)
	enc := json.NewEncoder(os.Stdout)
	for {
		line, err := in.ReadBytes('\n')
		if err != nil {
			return
		}
		var op Op
		if err := json.Unmarshal(line, &op); err != nil {
			fmt.Fprintln(os.Stderr, "posixdiff child:", err)
			os.Exit(2)
		}
		unix.Umask(int(op.Umask))
		enc.Encode(kexec(rfd, op))
	}
}

func errnoOf(err error) int {
	if err == nil {
		return 0
	}
	var en unix.Errno
	if errors.As(err, &en) {
		return int(en)
	}
	return -1
}

// open resolves p (relative to the root; "" is the root itself, which
// needs no search permission, unlike ".") with flags.
func open(rfd int, p string, flags int) (int, error) {
	if p == "" {
		return unix.Open(procPath(rfd), flags&^unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	}
	how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC), Resolve: unix.RESOLVE_IN_ROOT}
	for {
		fd, err := unix.Openat2(rfd, p, &how)
		if err == unix.EAGAIN || err == unix.EINTR {
			continue
		}
		return fd, err
	}
}

func procPath(fd int) string { return fmt.Sprintf("/proc/self/fd/%d", fd) }

func kstat(st *unix.Stat_t) *Stat {
	s := &Stat{Type: st.Mode & unix.S_IFMT, Perm: st.Mode & 0o7777, Uid: st.Uid, Gid: st.Gid, Nlink: uint32(st.Nlink)}
	if s.Type != unix.S_IFDIR {
		s.Size = st.Size
	}
	return s
}

func kexec(rfd int, op Op) (res Result) {
	var fds []int
	defer func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}()
	fail := func(err error) Result { return Result{Errno: errnoOf(err)} }
	parent := func(p string) (int, string, error) {
		// "dir/." as the kernel's own walk to a parent: a directory
		// (ENOTDIR) that the caller may search (EACCES)
		dir, name := splitPath(p)
		fd, err := open(rfd, join(dir, "."), unix.O_PATH|unix.O_DIRECTORY)
		if err == nil {
			fds = append(fds, fd)
		}
		return fd, name, err
	}
	whole := func(p string, follow bool) (int, error) {
		fl := unix.O_PATH
		if !follow {
			fl |= unix.O_NOFOLLOW
		}
		fd, err := open(rfd, p, fl)
		if err == nil {
			fds = append(fds, fd)
		}
		return fd, err
	}
	switch op.Kind {
	case "mkdir", "mknod", "symlink", "unlink", "rmdir":
		pfd, name, err := parent(op.Path)
		if err != nil {
			return fail(err)
		}
		switch op.Kind {
		case "mkdir":
			err = unix.Mkdirat(pfd, name, op.Mode)
		case "mknod":
			err = unix.Mknodat(pfd, name, op.Mode, 0)
		case "symlink":
			err = unix.Symlinkat(op.Target, pfd, name)
		case "unlink":
			err = unix.Unlinkat(pfd, name, 0)
		case "rmdir":
			err = unix.Unlinkat(pfd, name, unix.AT_REMOVEDIR)
		}
		return fail(err)
	case "link":
		ofd, oname, err := parent(op.Path)
		if err != nil {
			return fail(err)
		}
		var st unix.Stat_t // the kernel looks the old name up before the new parent
		if err := unix.Fstatat(ofd, oname, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return fail(err)
		}
		nfd, nname, err := parent(op.Path2)
		if err != nil {
			return fail(err)
		}
		return fail(unix.Linkat(ofd, oname, nfd, nname, 0))
	case "rename":
		ofd, oname, err := parent(op.Path)
		if err != nil {
			return fail(err)
		}
		nfd, nname, err := parent(op.Path2)
		if err != nil {
			return fail(err)
		}
		return fail(unix.Renameat2(ofd, oname, nfd, nname, uint(op.Flags)))
	case "readdir":
		fd, err := open(rfd, op.Path, unix.O_RDONLY|unix.O_DIRECTORY)
		if err != nil {
			return fail(err)
		}
		f := os.NewFile(uintptr(fd), "dir")
		names, err := f.Readdirnames(-1)
		f.Close()
		if err != nil {
			return fail(err)
		}
		sort.Strings(names)
		return Result{List: names}
	}
	// operations on what a whole path names
	fd, err := whole(op.Path, op.Follow)
	if err != nil {
		return fail(err)
	}
	pp := procPath(fd)
	switch op.Kind {
	case "stat":
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			return fail(err)
		}
		return Result{Stat: kstat(&st)}
	case "readlink":
		var st unix.Stat_t // readlinkat(fd, "") of a non-symlink is ENOENT; readlink's answer is EINVAL
		if err := unix.Fstat(fd, &st); err != nil {
			return fail(err)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFLNK {
			return Result{Errno: int(unix.EINVAL)}
		}
		buf := make([]byte, 8192)
		n, err := unix.Readlinkat(fd, "", buf)
		if err != nil {
			return fail(err)
		}
		return Result{Str: string(buf[:n])}
	case "access":
		return fail(unix.Faccessat(unix.AT_FDCWD, pp, op.Mode, 0))
	case "chmod":
		return fail(unix.Chmod(pp, op.Mode))
	case "chown":
		return fail(unix.Chown(pp, int(op.Uid), int(op.Gid)))
	case "utimes":
		ts := []unix.Timespec{{Nsec: unix.UTIME_NOW}, {Nsec: unix.UTIME_NOW}}
		if op.Time != 0 {
			ts = []unix.Timespec{unix.NsecToTimespec(op.Time), unix.NsecToTimespec(op.Time)}
		}
		return fail(unix.UtimesNanoAt(unix.AT_FDCWD, pp, ts, 0))
	case "truncate":
		return fail(unix.Truncate(pp, op.Size))
	case "chattr":
		return fail(setFlags(pp, op.Flags))
	case "getxattr":
		buf := make([]byte, 1<<16)
		n, err := unix.Getxattr(pp, op.Name, buf)
		if err != nil {
			return fail(err)
		}
		return Result{Str: string(buf[:n])}
	case "setxattr":
		return fail(unix.Setxattr(pp, op.Name, []byte(op.Value), int(op.Flags)))
	case "removexattr":
		return fail(unix.Removexattr(pp, op.Name))
	case "listxattr":
		buf := make([]byte, 1<<16)
		n, err := unix.Listxattr(pp, buf)
		if err != nil {
			return fail(err)
		}
		return Result{List: userNames(buf[:n])}
	}
	return Result{Errno: -2}
}

// userNames returns the user.* names of a listxattr buffer, sorted.
func userNames(b []byte) []string {
	var out []string
	for _, s := range strings.Split(string(b), "\x00") {
		if strings.HasPrefix(s, "user.") {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// splitPath cuts p (no leading "/") into its directory ("" for the root)
// and its last name.
func splitPath(p string) (string, string) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

// The inode flags (chattr): immutable and append-only, as tmpfs keeps them.
const (
	fsImmutableFL = 0x10
	fsAppendFL    = 0x20
)

// kflags returns the flags of path (a regular file or a directory; a
// symlink at the end is not followed) as meta's FlagImmutable|FlagAppend.
func kflags(path string) (uint32, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	v, err := unix.IoctlGetUint32(fd, unix.FS_IOC_GETFLAGS)
	var f uint32
	if v&fsImmutableFL != 0 {
		f |= 1
	}
	if v&fsAppendFL != 0 {
		f |= 2
	}
	return f, err
}

// setFlags gives path (followed) the flags f (meta's FlagImmutable|FlagAppend),
// keeping its other flags.
func setFlags(path string, f uint32) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	v, err := unix.IoctlGetUint32(fd, unix.FS_IOC_GETFLAGS)
	if err != nil {
		return err
	}
	v &^= fsImmutableFL | fsAppendFL
	if f&1 != 0 {
		v |= fsImmutableFL
	}
	if f&2 != 0 {
		v |= fsAppendFL
	}
	return unix.IoctlSetPointerInt(fd, unix.FS_IOC_SETFLAGS, int(v))
}
