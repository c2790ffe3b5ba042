package fsmeta

// ChunkIndexes returns, in increasing order, the indexes of the chunks of
// regular file ino that hold slices; ReadChunk of any other index returns an
// empty list (a hole). Its cost follows the chunks the file has, not its
// size: a sparse file of 2^62 bytes with one slice lists one index. Chunk
// indexes are uint32, so a file's slices lie below 2^32 chunks (2^58 bytes)
// even when its size reaches MaxFileSize. Errors: ENOENT, EISDIR, EINVAL (not
// a regular file).
func (db *DB) ChunkIndexes(c *Caller, ino Ino) ([]uint32, error) {
	c, err := callerOf("chunks", ino, "", c)
	if err != nil {
		return nil, err
	}
	idx, e := db.reads().ChunkIndexes(c, ino)
	return idx, db.wrap("chunks", ino, "", e)
}
