// Package arena is fsmeta's manual memory: the memory of the namespace lives
// here, outside the Go heap, so the garbage collector neither scans it nor
// counts it when pacing (docs/architecture.md invariant 3).
//
// An Arena is one contiguous range of address space reserved at New (mmap'd
// PROT_NONE with MAP_NORESERVE, made read-write in 64 MiB steps as it is
// used). Objects are addressed by a Ref: a 32-bit offset in 8-byte units from
// the start of the range, so a Ref is 4 bytes and the arena is at most 32 GiB.
// Ref 0 is nil.
//
// The range is cut into 256 KiB slabs. A slab serves one size class (8 to
// 128 KiB) in one zone; larger objects take a run of whole slabs. Zones
// separate objects of different lifetimes (directory records, cold blocks,
// the rest), so that what is freed in bulk empties whole slabs. Each slab
// keeps its own free list and count of live objects: freed space is reused
// first by the same class, and a slab that empties goes back to the pool of
// free slabs and its pages to the operating system (madvise MADV_DONTNEED);
// each class keeps one empty slab until Trim.
//
// Accounting: bytes in use per Purpose (the rounded size of every live
// object), bytes committed, bytes reserved. fsck recomputes the in-use bytes
// from the live objects of the tree and compares.
//
// Caveats:
//   - An Arena is not safe for concurrent Alloc/Free: the tree's single
//     writer calls them. Reading object memory through Ptr/Bytes is safe
//     from any goroutine as long as the object is not freed meanwhile (the
//     tree's read lock guarantees that).
//   - Nothing checks a Ref: a freed or forged Ref reads garbage or faults.
//     Refs come only from the tree's own structures.
//   - Built with -race (or the tag fsmeta_heaparena), the range is a Go byte
//     slice instead of mmap'd memory, so the race detector sees every access.
//     Its default size is then 1 GiB.
package arena
