package workload

import "github.com/fsmeta/fsmeta/core/meta"

// Piece is one slice write that makes up a file: Len bytes at byte Pos of
// chunk Chunk (the slice object is exactly Len bytes, used from offset 0).
type Piece struct {
	Chunk uint32
	Pos   uint32
	Len   uint32
}

// Pieces appends to dst the slice writes that produce a file of size bytes,
// the way a client would have written it: a file of one chunk written at
// once is one slice over the whole file (the engine's compact form); an
// appended file (logs) is 2-4 consecutive slices; a large file one slice per
// 64 MiB chunk, and for one in ten of them a last chunk written in two
// slices. h chooses among the variations.
func Pieces(dst []Piece, size uint64, appended bool, h uint64) []Piece {
	if size == 0 {
		return dst
	}
	const cs = meta.ChunkSize
	if size <= cs {
		n := uint64(1)
		if appended {
			n = 2 + h%3
		}
		n = min(n, size)
		start := uint64(0)
		for k := uint64(1); k <= n; k++ {
			end := size
			if k < n {
				end = size * k / n
				end -= (h >> (8 * k)) % (end - start + 1) / 2 // uneven appends
			}
			if end > start {
				dst = append(dst, Piece{Pos: uint32(start), Len: uint32(end - start)})
			}
			start = max(start, end)
		}
		return dst
	}
	chunks := (size + cs - 1) / cs
	for c := uint64(0); c < chunks; c++ {
		l := min(size-c*cs, cs)
		if c == chunks-1 && h%10 == 0 && l > 1 {
			dst = append(dst, Piece{Chunk: uint32(c), Len: uint32(l / 2)}, Piece{Chunk: uint32(c), Pos: uint32(l / 2), Len: uint32(l - l/2)})
			continue
		}
		dst = append(dst, Piece{Chunk: uint32(c), Len: uint32(l)})
	}
	return dst
}
