package io.fsmeta;

/** Capacity and usage ({@link FsMeta#statfs}), in bytes and inodes. */
public record StatFs(long totalSpace, long availSpace, long usedSpace, long inodes, long availInodes) {}
