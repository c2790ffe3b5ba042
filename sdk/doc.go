// Package fsmeta is the Go API of the fsmeta metadata engine: the directory
// tree, every file's attributes and the map from file ranges to data slices,
// held in memory at a few dozen bytes per file.
//
// Open an engine, then call operations by inode number, as the FUSE low-level
// API does, or by path with Resolve and MkdirAll:
//
//	db, err := fsmeta.Open(fsmeta.Options{InMemory: true})
//	if err != nil { ... }
//	defer db.Close()
//	ctx := &fsmeta.Caller{Uid: 1000, Gid: 1000, Umask: 0o022}
//	dir, err := db.Mkdir(ctx, fsmeta.RootIno, "data", 0o755)
//	f, err := db.Create(ctx, dir.Ino, "part-00000.parquet", 0o644)
//	_, err = db.Lookup(ctx, dir.Ino, "missing")
//	if errors.Is(err, fs.ErrNotExist) { ... }      // or fsmeta.ErrnoOf(err) == fsmeta.ENOENT
//
// # Callers and permissions
//
// Every operation takes a *Caller (uid, gid, supplementary groups, umask); nil
// means root. The engine enforces POSIX permission bits, sticky directories,
// setgid directories and the ownership rules of chmod and chown; uid 0
// bypasses them as on Linux.
//
// A Caller has at most meta.MaxGroups (65536) supplementary groups. Every
// call, read or change, in memory and durable mode alike, refuses one with
// more: EINVAL, the message saying "caller has N supplementary groups, at
// most 65536". (The C API's FSMETA_GROUPS_MAX is the same limit.)
//
// # Limits
//
// Arguments are checked before anything is logged, so a refused call leaves
// no trace in a durable engine's log and gives the same errno in every mode:
// names over 255 bytes ENAMETOOLONG; symlink targets over meta.MaxSymlink
// (4095) bytes ENAMETOOLONG (empty, or holding NUL: EINVAL); MkdirAll and
// Resolve paths over meta.MaxPath (4096) bytes ENAMETOOLONG; xattr names over
// meta.MaxXattrName (255) bytes ERANGE, xattr values over meta.MaxXattrSize
// (65536) bytes E2BIG; more than meta.MaxReplaced (2^20) slices replaced by
// one CompactChunk EINVAL; unknown flag or mask bits EINVAL.
//
// # Errors
//
// Failures are *Error values carrying the operation, its target and an Errno
// with Linux's number. They match the io/fs sentinels: errors.Is(err,
// fs.ErrNotExist) for ENOENT, fs.ErrExist for EEXIST, fs.ErrPermission for
// EACCES and EPERM. A closed DB returns ErrClosed.
//
// # Names
//
// Names are bytes (a Go string may hold any bytes, UTF-8 or not): 1 to 255 of
// them, without '/' or NUL, and not "." or "..". A name of more than 255 bytes
// gives ENAMETOOLONG; an empty name, '/', NUL, "." or ".." give EINVAL, except
// that Lookup accepts "." (the directory itself) and ".." (its parent).
//
// # Concurrency
//
// A DB is safe for concurrent use. Changes are serialized by one writer;
// reads run on the caller's goroutine without a hand-off (see core/tree/doc.go).
package fsmeta
