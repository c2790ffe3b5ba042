// Package dump writes a namespace as a dump and reads it back, through the
// SDK only: a documented, streaming, line-oriented JSON format (version 1;
// docs/dump-format.md is the same text with examples). Dump then Load gives
// an equal state: Describe of both is the same.
//
// # Lines
//
// One JSON object per line, each ended by '\n' (the last one's may be
// missing). Zero fields are left out (a missing field reads as zero);
// unknown fields are an error.
//
//  1. Header (line 1): {"fsmeta_dump":1,"created":RFC3339,"counts":{...}}.
//     The version must be 1. created and counts (inodes, files, dirs,
//     symlinks, others, entries, links, next_slice: the engine's statistics
//     when the dump began) are informational.
//  2. The root (line 2): an inode line of type "d" without parent or name.
//  3. In breadth-first order from the root, the entries of each directory
//     together (its block), directories in the order of their lines:
//     inode lines, for the first name of an inode met,
//     {"ino":N,"parent":P,"name":"..","type":"f","mode":420,"nlink":1,
//     "uid":U,"gid":G,"size":S,"atime":ns,"mtime":ns,"ctime":ns,"flags":F,
//     "rdev":R,"target":"..","xattrs":{"user.a":"<base64>"},
//     "chunks":{"0":[[pos,id,size,off,len],...]}};
//     and link lines, for every further name of an inode with several,
//     {"link":N,"parent":P,"name":".."}.
//  4. Trailer: {"end":true,"entries":N}, N the number of lines between header
//     and trailer. Without it the dump is truncated.
//
// Inode fields: ino is the dumped engine's number (a key inside the dump);
// parent the ino of the directory holding the name; type one of f d l p s c
// b; mode the permission bits 07777 (setuid, setgid, sticky included); times
// in ns since the epoch; flags 1 immutable, 2 append-only; rdev for devices;
// size for regular files; target for symlinks; xattrs maps names to base64
// values; chunks maps a decimal chunk index (64 MiB each) to the chunk's
// slices in write order, as ReadChunk shows them (clipped to the size).
//
// Names are bytes. A name, symlink target or xattr name that is valid UTF-8 is
// a JSON string; any other is written base64 in name_b64, target_b64, or as
// a key of xattrs_b64 (base64 name -> base64 value). All base64 is standard
// with padding.
//
// # What is not in a dump
//
// Inode numbers (the load makes new ones), unlinked files kept by an open
// (not reachable), open counts. Slice ids are kept: the engine raises its
// slice counter past every id the load writes. A dump of an engine that
// changes meanwhile is not a point-in-time image.
//
// # Load
//
// Load needs an engine whose root holds no entries (ErrNotEmpty otherwise).
// Per line, as root: make the node (Mkdir, Create, Symlink, Mknod; Link for
// a link line), set its xattrs, write its slices (WriteSlice, ids kept), then
// one SetAttr with mode, uid, gid, size, times (ctime by SetCtime) and flags
// together. A directory's SetAttr waits until its block is complete, an
// inode with several names' until its last link line (or both until the
// trailer). A bad line stops the load with a *LineError naming the line; a
// line is applied whole or not at all (a node it made is removed again).
//
// # Memory
//
// Dump: 8 bytes per directory queued and a map entry per inode with several
// names not all written. Load: a map entry (old ino -> new ino and the
// waiting attributes, about 100 bytes of Go heap) per directory whose block
// has not ended and per inode with links still to come; nothing for the
// other inodes once their line is done. A regular file's chunks are listed
// (DB.ChunkIndexes) and only those holding slices are read, so a sparse file
// of 2^62 bytes dumps as fast as a small one.
package dump
