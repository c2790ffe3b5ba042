// Package compact is the block codec of cold (idle) directories: it
// serializes a sorted run of directory entries, each with its inode's
// attributes, into one self-checking, optionally compressed block laid out
// column by column, and decodes such a block back into entries that can be
// searched by (directory, name).
//
// Decode (or DecodeInto, which reuses a Block's memory) decodes and checks a
// whole block; Block.Lookup and Block.LookupIno find one entry by name or by
// inode number for about half the cost (they decode only up to the entry).
//
// The tree hands the codec entries sorted by (Dir, Name); one block may hold
// the entries of several small sibling directories, or a slice (in name
// order) of one large directory. The codec knows nothing of the tree: Attr
// is the tree's (mode, uid, gid) dictionary id, Data and Extra are opaque.
//
// # Block format, version 2
//
// Fixed-size integers are little-endian; uvarint is encoding/binary's
// unsigned varint; zigzag(v) is (v << 1) ^ (v >> 63), which maps small
// signed values to small unsigned ones. A block is:
//
//	field     size      meaning
//	-------   -------   -----------------------------------------------------
//	format    1         2 (this version)
//	codec     1         0 none, 1 s2 (block format), 2 zstd (one frame),
//	                    3 s2 against a dictionary (Dict); none when
//	                    compression would not shrink the body
//	count     uvarint   number of entries n (at most MaxEntries)
//	rawlen    uvarint   length of the raw body (at most MaxRawSize)
//	dict      uvarint   (codec 3 only) the dictionary's id
//	payload   ...       the raw body, or its compressed form
//	crc       4         CRC-32C (Castagnoli) of every byte before it
//
// The checksum covers the block as stored, so that a change to any byte of
// it is detected before anything is decoded (a checksum of the raw body
// could miss a change to a bit the decompressor ignores).
//
// The raw body is a table of 11 uvarints, the lengths in bytes of columns
// C0 and C4..C13 (C1, C2 and C3 have n bytes, C14 takes the rest), then the
// 15 columns one after the other.
// Every column must be consumed exactly. "Previous" below means the
// previous entry of the block, "previous node" the previous entry that is
// not a link; all "previous" values start at 0. A node is an entry that is
// not a link.
//
//	col  name      content
//	---  -------   ----------------------------------------------------------
//	C0   dirs      uvarint number of directory runs r, then r pairs
//	               (uvarint dir delta, uvarint run length >= 1): the first
//	               delta is the directory's inode number, the others are
//	               > 0 (directories strictly increase); run lengths sum to n
//	C1   shapes    n bytes, the entry's shape (below)
//	C2   prefix    n bytes: length of the prefix the name shares with the
//	               previous entry's name (any directory), always the longest
//	C3   suffixlen n bytes: length of the rest of the name (name: 1..255
//	               bytes; within a directory names strictly increase)
//	C4   suffixes  the rest of every name, concatenated
//	C5   inos      packed, n values: zigzag(Ino - previous entry's Ino)
//	               (mod 2^64)
//	C6   attrs     uvarint dictionary size k, k uvarints (the distinct Attr
//	               values of the block's nodes, most frequent first), then,
//	               only when k > 1, packed: one index < k per node
//	C7   misc      per node with shape bit 6: uvarint Flags (at most 255,
//	               not the previous node's Flags); then with bit 7: uvarint
//	               Nlink (not 1, at most 2^32-1)
//	C8   sizes     packed: Size, one per node
//	C9   data      packed: per node of data form 2, zigzag(Data - D) (mod
//	               2^64), D being the Data of the last node of data form 1
//	               or 2 (0 at first)
//	C10  msecs     packed, one per node: mtime seconds (base: the previous
//	               node's mtime seconds)
//	C11  csecs     packed, one per node of time form 2, 3 or 4: ctime
//	               seconds (base: the node's mtime seconds)
//	C12  asecs     packed, one per node of time form 1 or 4: atime seconds
//	               (base: the node's ctime seconds, which are its mtime
//	               seconds in form 1)
//	C13  nanos     packed: the nanoseconds (1..10^9-1) of every time whose
//	               seconds value has bit 0 set, in entry order and mtime,
//	               ctime, atime order
//	C14  extra     per node with shape bit 5: uvarint length >= 1, bytes
//
// A seconds value is zigzag(seconds - base) << 1 | has-nanoseconds, where a
// time t (nanoseconds) has seconds floor(t / 10^9) and nanoseconds
// t - seconds*10^9: whole-second times cost no nanoseconds.
//
// A packed column stores unsigned integers with one bit width for all, so
// that decoding has no branch per value; values too wide escape to uvarints.
// How many values it holds follows from the shapes (C5: n; C6, C8, C10:
// the nodes; C9: data form 2; C11: time forms 2-4; C12: forms 1 and 4;
// C13: the seconds values with bit 0 set):
//
//	field     size      meaning
//	-------   -------   -----------------------------------------------------
//	          0         (the whole column is empty) no values
//	width     1         w, 0..64 (0: every value is 0)
//	values    ceil(count*w/8)
//	                    value i in bits i*w .. i*w+w-1, counting from the
//	                    least significant bit of the first byte; the bits
//	                    after the last value are 0; for 1 <= w <= 63,
//	                    2^w-1 is an escape
//	escapes   ...       per escape, in order: uvarint value (>= 2^w-1)
//
// The encoder picks the width that makes the column shortest.
//
// The shape byte of an entry:
//
//	bits  meaning
//	----  ------------------------------------------------------------------
//	0-2   time form: 0 ctime = atime = mtime; 1 ctime = mtime, atime stored;
//	      2 ctime stored, atime = mtime; 3 ctime stored, atime = ctime;
//	      4 ctime and atime stored; 5, 6 invalid; 7 a link (the whole byte
//	      is then 0x07: a link has only Dir, Name and Ino)
//	3-4   data form: 0 Data = 0; 1 Data = D + 1 (D as in C9, as when
//	      slice ids run consecutively); 2 stored in C9; 3 invalid
//	5     Extra is present (C14)
//	6     Flags differs from the previous node's (C7)
//	7     Nlink is not 1 (C7)
//
// Decoding verifies the checksum, then every length and bound above, so a
// corrupt or hostile block yields an error (wrapping ErrCorrupt), never a
// panic, and a block that decodes re-encodes to the same entries.
package compact
