// Package posixdiff holds the differential test of fsmeta against the Linux
// kernel (issue #24): seeded random sequences of metadata operations are
// applied to an in-memory fsmeta (through the sdk) and to a tmpfs directory
// by a child process running as the caller's uid, gid and groups; every
// result and, after every operation, the whole tree are compared. A
// divergence is shrunk to a short sequence and printed. The differences that
// remain on purpose are the table "Differences from Linux" of
// docs/semantics.md; the test filters those, and nothing else, and checks
// that its own copy of the table equals the document's.
//
// The test needs root (to mount the tmpfs and to run the kernel side as
// other users); where it may not mount, it uses a directory on /dev/shm (a
// tmpfs), and it skips, saying why, when it has neither. By default it
// compares 2,000 operations (about a second); FSMETA_LONG_TESTS=1 compares
// 60,000 (about 30 s). FSMETA_POSIXDIFF_SEED=N picks the first seed;
// FSMETA_POSIXDIFF_SHM=1 takes the /dev/shm fallback even where mounting
// works.
package posixdiff
