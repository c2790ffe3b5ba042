package io.fsmeta;

/** Counts and memory figures of the engine ({@link FsMeta#stats()}). */
public record Stats(long inodes, long files, long dirs, long symlinks, long others, long entries, long links,
        long orphans, long openFiles, long nextIno, long nextSlice, long attrDict, long arenaReserved,
        long arenaCommitted, long arenaSlabs, long arenaInUse) {}
