// Package tree is fsmeta's namespace: the inode table, node and link
// records, per-directory hash indexes, chunks and slices, extended
// attributes, and every POSIX metadata operation (docs/semantics.md), all in
// arena memory (core/arena) addressed by 32-bit refs. The garbage collector
// sees a handful of objects whatever the number of files.
//
// # Layout
//
// A directory entry is a node record (56 bytes + name: every attribute of
// the inode, with its first name inline) or, for each further hard link, a
// link record (14 bytes + name). Mode, uid and gid go through a dictionary
// (4 bytes for the three), directories keep their subdirectory count in the
// size field, and the compact small-file form keeps a one-slice file's slice
// id in the node itself. The inode table is an array of refs in 128 KiB
// pages. A directory's index is a power-of-two array of 4-byte chain heads,
// ordered by a 64-bit hash of the name, resized incrementally (dir.go).
//
// # Concurrency (docs/architecture.md invariant 1)
//
// Changes are serialized by one write lock: exactly one goroutine changes
// the tree at a time (the Raft FSM's apply loop in durable mode; the
// caller's goroutine in memory mode). Reads run on the caller's goroutine
// under a read lock, with no hand-off to another thread.
//
// The read lock is a sharded reader-writer lock (lock.go): a reader bumps
// one of 4 x GOMAXPROCS counters (at least 8), each 128 bytes from the next
// and from the writer flag, picked at random, then checks that no writer is
// in; the writer raises its flag and waits for the counters to drain.
//
// Measured on the 2-core machine (fsmeta bench -files 2000000 -threads 2
// -ops 1000000, two runs each, the same binary but for the lock):
//
//	                      lookup        resolve       getattr (ops/s, 2 threads)
//	sync.RWMutex          2.23M 2.18M   1.07M 0.98M   5.83M 5.30M
//	sharded (chosen)      2.09M 2.67M   0.95M 1.00M   5.22M 6.00M
//	single thread, either 1.33-1.42M                  3.00-3.09M
//
// On two cores the two are equal within noise: an operation costs several
// DRAM misses, so one shared reader counter is not yet the bottleneck, and
// both scale reads by 1.7-1.9x. The sharded lock is kept for the machines
// fsmeta is meant for (tens of cores), where every reader of a
// sync.RWMutex writes the same cache line; its single-reader cost is the
// same here (BenchmarkLock* in lock_test.go: ~21 ns with a getattr inside,
// for both). Re-measure when a many-core machine is at hand. Epoch-based
// optimistic reads were rejected: a reader racing a writer could follow a
// freed ref into unmapped memory.
//
// # Determinism (invariant 2)
//
// Nothing here reads the clock or draws random numbers that reach the
// state: times and the caller come with each operation; inode numbers and
// slice ids come from counters; the name hash is xxhash64 without a seed,
// so the same operations give the same state and the same listing order.
// (A seeded hash against hash flooding needs the seed in the state: it
// arrives with snapshots.)
//
// # Caveats
//
//   - Records never move except on rename to a name of another size class;
//     only the inode table and chains point at them.
//   - Arena exhaustion gives ENOSPC before any change, except in Fallocate
//     over many chunks (the hole may be partly written). MkdirAll undoes
//     the directories it made when a later step fails.
//   - Inode numbers are never reused; inode-table pages whose inodes are all
//     gone are freed.
package tree
