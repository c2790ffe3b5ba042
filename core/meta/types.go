// Package meta holds the types shared by every layer of fsmeta: inode
// numbers, attributes, caller identity, slices, flags and errnos. It has no
// behaviour of its own; core/tree implements the operations, sdk exposes them.
package meta

// Ino is an inode number. The root directory is RootIno; 0 is never a valid inode.
type Ino uint64

// RootIno is the inode number of the root directory.
const RootIno Ino = 1

// File type bits of Attr.Mode (Linux values, S_IFMT).
const (
	S_IFMT   = 0o170000
	S_IFSOCK = 0o140000
	S_IFLNK  = 0o120000
	S_IFREG  = 0o100000
	S_IFBLK  = 0o060000
	S_IFDIR  = 0o040000
	S_IFCHR  = 0o020000
	S_IFIFO  = 0o010000
	S_ISUID  = 0o4000
	S_ISGID  = 0o2000
	S_ISVTX  = 0o1000
	// ModePerm is every bit of a mode that is not the file type.
	ModePerm = 0o7777
)

// Limits.
const (
	MaxName      = 255      // longest name in bytes
	MaxSymlink   = 4095     // longest symlink target in bytes
	MaxXattrName = 255      // longest xattr name in bytes
	MaxXattrSize = 65536    // largest xattr value in bytes
	MaxXattrAll  = 1 << 20  // largest total of names+values of one inode's xattrs
	MaxLinks     = 65000    // most hard links to one file (EMLINK beyond)
	ChunkSize    = 64 << 20 // bytes covered by one chunk
	MaxFileSize  = 1 << 62  // largest file size (EFBIG beyond)
	MaxSymlinks  = 40       // symlinks followed while resolving a path (ELOOP beyond)
	MaxPath      = 4096     // longest path accepted by Resolve/MkdirAll
	MaxGroups    = 1 << 16  // most supplementary groups of a Caller (EINVAL beyond, in every mode)
	MaxReplaced  = 1 << 16  // most slices one CompactChunk replaces (EINVAL beyond, in every mode)
)

// Caller is the identity an operation runs as. Uid 0 bypasses permission
// checks as on Linux. Umask applies to the modes of created entries.
type Caller struct {
	Uid    uint32
	Gid    uint32
	Groups []uint32 // supplementary groups (Gid need not be repeated); at most MaxGroups
	Umask  uint32
}

// RootCaller is uid 0, gid 0, umask 0.
var RootCaller = &Caller{}

// InGroup reports whether gid is the caller's primary or a supplementary group.
func (c *Caller) InGroup(gid uint32) bool {
	if c.Gid == gid {
		return true
	}
	for _, g := range c.Groups {
		if g == gid {
			return true
		}
	}
	return false
}

// Attr flags (Attr.Flags), like Linux's FS_IMMUTABLE_FL and FS_APPEND_FL.
const (
	FlagImmutable = 1 // no change at all: not even by root (EPERM)
	FlagAppend    = 2 // writes only at the end; no truncate, unlink or rename (EPERM)
)

// Attr is what getattr returns. Times are nanoseconds since the Unix epoch.
type Attr struct {
	Ino   Ino
	Mode  uint32 // type | permission bits
	Nlink uint32 // directories: 2 + number of subdirectories
	Uid   uint32
	Gid   uint32
	Rdev  uint32 // device number of char/block devices (Linux encoding)
	Flags uint32 // FlagImmutable | FlagAppend
	Size  uint64 // regular files: length; symlinks: target length; directories: 4096
	Atime int64
	Mtime int64
	Ctime int64
}

// Type returns the S_IFMT bits.
func (a *Attr) Type() uint32 { return a.Mode & S_IFMT }

// IsDir reports whether the inode is a directory.
func (a *Attr) IsDir() bool { return a.Mode&S_IFMT == S_IFDIR }

// IsRegular reports whether the inode is a regular file.
func (a *Attr) IsRegular() bool { return a.Mode&S_IFMT == S_IFREG }

// IsSymlink reports whether the inode is a symbolic link.
func (a *Attr) IsSymlink() bool { return a.Mode&S_IFMT == S_IFLNK }

// Blocks is st_blocks: 512-byte units of the (4 KiB rounded) size of a regular file.
func (a *Attr) Blocks() uint64 {
	if !a.IsRegular() {
		return 0
	}
	return (a.Size + 4095) / 4096 * 8
}

// SetAttr masks (which fields of SetAttrIn a setattr changes).
const (
	SetMode     = 1 << 0
	SetUid      = 1 << 1
	SetGid      = 1 << 2
	SetSize     = 1 << 3
	SetAtime    = 1 << 4 // atime = In.Atime
	SetMtime    = 1 << 5 // mtime = In.Mtime
	SetAtimeNow = 1 << 6 // atime = the operation's time
	SetMtimeNow = 1 << 7 // mtime = the operation's time
	SetCtime    = 1 << 8 // ctime = In.Ctime (root only)
	SetFlags    = 1 << 9 // flags = In.Flags (root only)
	SetAll      = 1<<10 - 1
)

// SetAttrIn carries the new values of a setattr; only the fields named by the
// mask are read.
type SetAttrIn struct {
	Mode  uint32 // permission bits only (ModePerm); the type cannot change
	Uid   uint32
	Gid   uint32
	Size  uint64
	Atime int64
	Mtime int64
	Ctime int64
	Flags uint32
}

// Access masks (R_OK, W_OK, X_OK; F_OK is 0).
const (
	F_OK = 0
	X_OK = 1
	W_OK = 2
	R_OK = 4
)

// Open flags (Linux values).
const (
	O_RDONLY  = 0
	O_WRONLY  = 1
	O_RDWR    = 2
	O_ACCMODE = 3
	O_TRUNC   = 0o1000
	O_APPEND  = 0o2000
)

// Rename flags (Linux values).
const (
	RenameNoReplace = 1 // RENAME_NOREPLACE: fail with EEXIST if the target exists
	RenameExchange  = 2 // RENAME_EXCHANGE: swap source and target; both must exist
)

// Xattr set flags (Linux values).
const (
	XattrCreate  = 1 // fail with EEXIST if the attribute exists
	XattrReplace = 2 // fail with ENODATA if the attribute does not exist
)

// Fallocate modes (Linux values).
const (
	FallocKeepSize  = 0x01
	FallocPunchHole = 0x02 // must come with FallocKeepSize
	FallocZeroRange = 0x10
)

// Slice is a piece of file data stored elsewhere (an object), placed into a
// chunk. ID 0 is a hole (reads as zeros). The slice's bytes [Off, Off+Len)
// appear at byte Pos of the chunk. Size is the whole object's size.
// A later slice in a chunk's list covers earlier ones where they overlap.
type Slice struct {
	Pos  uint32 // position in the chunk
	ID   uint64 // slice id (0: hole)
	Size uint32 // size of the slice object
	Off  uint32 // offset of the used part inside the object
	Len  uint32 // length of the used part
}

// DirEntry is one entry of a directory listing.
type DirEntry struct {
	Name string
	Ino  Ino
	Type uint32 // S_IFMT bits
	Attr Attr   // filled only by a listing with attributes
}

// StatFS is what statfs returns.
type StatFS struct {
	TotalSpace  uint64 // bytes (the configured capacity)
	AvailSpace  uint64
	UsedSpace   uint64 // sum of regular-file sizes rounded up to 4 KiB
	Inodes      uint64 // inodes in use
	AvailInodes uint64
}
