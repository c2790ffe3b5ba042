package meta

import (
	"io/fs"
	"strconv"
)

// Errno is a POSIX error number with its Linux value, on every platform.
// Operations of the engine fail with an Errno and nothing else; the SDK wraps
// it in an *fsmeta.Error that names the operation.
type Errno int32

// The errnos the engine returns. Values are Linux's (asm-generic/errno-base.h
// and errno.h); they are part of the C ABI and never change.
const (
	EPERM        Errno = 1
	ENOENT       Errno = 2
	EIO          Errno = 5
	E2BIG        Errno = 7
	EBADF        Errno = 9
	EAGAIN       Errno = 11
	ENOMEM       Errno = 12
	EACCES       Errno = 13
	EBUSY        Errno = 16
	EEXIST       Errno = 17
	EXDEV        Errno = 18
	ENODEV       Errno = 19
	ENOTDIR      Errno = 20
	EISDIR       Errno = 21
	EINVAL       Errno = 22
	EFBIG        Errno = 27
	ENOSPC       Errno = 28
	EROFS        Errno = 30
	EMLINK       Errno = 31
	ERANGE       Errno = 34
	ENAMETOOLONG Errno = 36
	ENOSYS       Errno = 38
	ENOTEMPTY    Errno = 39
	ELOOP        Errno = 40
	ENODATA      Errno = 61
	EOVERFLOW    Errno = 75
	EOPNOTSUPP   Errno = 95
	EDQUOT       Errno = 122
)

var errnoNames = map[Errno]string{
	EPERM: "EPERM", ENOENT: "ENOENT", EIO: "EIO", E2BIG: "E2BIG", EBADF: "EBADF",
	EAGAIN: "EAGAIN", ENOMEM: "ENOMEM", EACCES: "EACCES", EBUSY: "EBUSY", EEXIST: "EEXIST",
	EXDEV: "EXDEV", ENODEV: "ENODEV", ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", EINVAL: "EINVAL",
	EFBIG: "EFBIG", ENOSPC: "ENOSPC", EROFS: "EROFS", EMLINK: "EMLINK", ERANGE: "ERANGE",
	ENAMETOOLONG: "ENAMETOOLONG", ENOSYS: "ENOSYS", ENOTEMPTY: "ENOTEMPTY", ELOOP: "ELOOP",
	ENODATA: "ENODATA", EOVERFLOW: "EOVERFLOW", EOPNOTSUPP: "EOPNOTSUPP", EDQUOT: "EDQUOT",
}

var errnoText = map[Errno]string{
	EPERM: "operation not permitted", ENOENT: "no such file or directory", EIO: "input/output error",
	E2BIG: "argument list too long", EBADF: "bad file descriptor", EAGAIN: "resource temporarily unavailable",
	ENOMEM: "cannot allocate memory", EACCES: "permission denied", EBUSY: "device or resource busy",
	EEXIST: "file exists", EXDEV: "invalid cross-device link", ENODEV: "no such device",
	ENOTDIR: "not a directory", EISDIR: "is a directory", EINVAL: "invalid argument",
	EFBIG: "file too large", ENOSPC: "no space left on device", EROFS: "read-only file system",
	EMLINK: "too many links", ERANGE: "numerical result out of range", ENAMETOOLONG: "file name too long",
	ENOSYS: "function not implemented", ENOTEMPTY: "directory not empty",
	ELOOP: "too many levels of symbolic links", ENODATA: "no data available",
	EOVERFLOW: "value too large for defined data type", EOPNOTSUPP: "operation not supported",
	EDQUOT: "disk quota exceeded",
}

// Name returns the symbolic name ("ENOENT"), or "E<n>" for an unknown value.
func (e Errno) Name() string {
	if s, ok := errnoNames[e]; ok {
		return s
	}
	return "E" + strconv.Itoa(int(e))
}

// ErrnoByName maps a symbolic name ("ENOENT") back to its value.
func ErrnoByName(name string) (Errno, bool) {
	for e, n := range errnoNames {
		if n == name {
			return e, true
		}
	}
	return 0, false
}

func (e Errno) Error() string {
	if s, ok := errnoText[e]; ok {
		return s
	}
	return "errno " + strconv.Itoa(int(e))
}

// Is lets errors.Is match an Errno against the io/fs sentinels.
func (e Errno) Is(target error) bool {
	switch target {
	case fs.ErrNotExist:
		return e == ENOENT
	case fs.ErrExist:
		return e == EEXIST || e == ENOTEMPTY
	case fs.ErrPermission:
		return e == EACCES || e == EPERM
	case fs.ErrInvalid:
		return e == EINVAL
	}
	return false
}

// EClosed is not a POSIX errno: the tree returns it for any operation after
// Close. The SDK turns it into ErrClosed; it never reaches a caller as an Errno.
const EClosed Errno = 10000
