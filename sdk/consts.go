package fsmeta

import "github.com/fsmeta/fsmeta/core/meta"

// Constants of the API (Linux values), so that users need not import
// core/meta.
const (
	S_IFMT   = meta.S_IFMT
	S_IFSOCK = meta.S_IFSOCK
	S_IFLNK  = meta.S_IFLNK
	S_IFREG  = meta.S_IFREG
	S_IFBLK  = meta.S_IFBLK
	S_IFDIR  = meta.S_IFDIR
	S_IFCHR  = meta.S_IFCHR
	S_IFIFO  = meta.S_IFIFO
	S_ISUID  = meta.S_ISUID
	S_ISGID  = meta.S_ISGID
	S_ISVTX  = meta.S_ISVTX

	SetMode     = meta.SetMode
	SetUid      = meta.SetUid
	SetGid      = meta.SetGid
	SetSize     = meta.SetSize
	SetAtime    = meta.SetAtime
	SetMtime    = meta.SetMtime
	SetAtimeNow = meta.SetAtimeNow
	SetMtimeNow = meta.SetMtimeNow
	SetCtime    = meta.SetCtime
	SetFlags    = meta.SetFlags

	F_OK = meta.F_OK
	X_OK = meta.X_OK
	W_OK = meta.W_OK
	R_OK = meta.R_OK

	O_RDONLY = meta.O_RDONLY
	O_WRONLY = meta.O_WRONLY
	O_RDWR   = meta.O_RDWR
	O_TRUNC  = meta.O_TRUNC
	O_APPEND = meta.O_APPEND

	RenameNoReplace = meta.RenameNoReplace
	RenameExchange  = meta.RenameExchange
	XattrCreate     = meta.XattrCreate
	XattrReplace    = meta.XattrReplace
	FallocKeepSize  = meta.FallocKeepSize
	FallocPunchHole = meta.FallocPunchHole
	FallocZeroRange = meta.FallocZeroRange

	FlagImmutable = meta.FlagImmutable
	FlagAppend    = meta.FlagAppend

	MaxName     = meta.MaxName
	MaxSymlink  = meta.MaxSymlink
	ChunkSize   = meta.ChunkSize
	MaxFileSize = meta.MaxFileSize
)
