package compact

import (
	"encoding/binary"
)

// A decoder of s2 blocks compressed against a dictionary, written for cold
// lookups: klauspost/compress decodes such blocks in Go with a copy() call
// per literal and match (about 1.5 µs for a block of 30 entries, against
// 0.1 µs for its assembly decoder of blocks without a dictionary). This one
// copies in 8-byte words into a buffer with slack, and falls back to exact
// copies near the ends of its input. FuzzS2Dict checks it against the
// library's decoder.
//
// The format (klauspost/compress/s2's block format, with a dictionary): a
// uvarint decoded length, then elements, each starting with a tag byte
// whose low two bits say its kind:
//
//	0 literal: length-1 in the tag's upper 6 bits when < 60; 60..63: it
//	  follows in 1..4 bytes (little-endian); then the bytes
//	1 copy, 1-byte offset: length-4 in bits 2-4, offset bits 8-10 in bits
//	  5-7 and bits 0-7 in the next byte; offset 0 repeats the last offset,
//	  its length then extended by length codes 5, 6, 7 (1, 2, 3 more bytes:
//	  +4, +256, +65536)
//	2 copy, 2-byte offset: length-1 in the tag's upper 6 bits
//	3 copy, 4-byte offset: the same
//
// A copy whose offset reaches before the block's start (d < offset) copies
// from the dictionary (position len(dict)-offset+d), and must lie in it;
// such copies are allowed only in the first MaxDictSrcOffset bytes. The
// "last offset" starts as len(dict) - the dictionary's repeat position.

// dictSlack is the bytes after a dictionary's and an output buffer's ends
// that the word copies may write or read.
const dictSlack = 16

const maxDictSrcOffset = 65535

// decodeS2Dict decodes src (an s2 block compressed against dict, whose
// repeat position is repeat) into buf, reused when its capacity is at least
// the decoded length plus dictSlack. dict must have dictSlack bytes of
// capacity past its length.
func decodeS2Dict(buf, src, dict []byte, repeat int) ([]byte, bool) {
	n, k := binary.Uvarint(src)
	if k <= 0 || k > 5 || n > MaxRawSize { // (the library's bound on the length's bytes)
		return buf, false
	}
	src = src[k:]
	if cap(buf) < int(n)+dictSlack {
		buf = make([]byte, int(n)+dictSlack)
	}
	dst := buf[:n]
	full := buf[:cap(buf)] // dst and its slack
	d, s := 0, 0
	offset := len(dict) - repeat
	for s < len(src) {
		tag := src[s]
		var length int
		switch tag & 3 {
		case 0:
			x := int(tag >> 2)
			switch {
			case x < 60:
				s++
			case s+int(x-59) >= len(src):
				return buf, false
			case x == 60:
				x = int(src[s+1])
				s += 2
			case x == 61:
				x = int(src[s+1]) | int(src[s+2])<<8
				s += 3
			case x == 62:
				x = int(src[s+1]) | int(src[s+2])<<8 | int(src[s+3])<<16
				s += 4
			default:
				x = int(uint32(src[s+1]) | uint32(src[s+2])<<8 | uint32(src[s+3])<<16 | uint32(src[s+4])<<24)
				s += 5
			}
			length = x + 1
			if length <= 0 || length > len(dst)-d || length > len(src)-s {
				return buf, false
			}
			if length <= 16 && s+16 <= len(src) {
				// two words; the slack takes what is past the literal
				copy(full[d:d+16], src[s:s+16])
			} else {
				copy(dst[d:], src[s:s+length])
			}
			d += length
			s += length
			continue
		case 1:
			if s+2 > len(src) {
				return buf, false
			}
			length = int(tag>>2) & 7
			off := int(tag&0xe0)<<3 | int(src[s+1])
			s += 2
			if off != 0 {
				offset = off
				length += 4
				break
			}
			// a repeat of the last offset
			switch length {
			case 5:
				if s+1 > len(src) {
					return buf, false
				}
				length = int(src[s]) + 4
				s++
			case 6:
				if s+2 > len(src) {
					return buf, false
				}
				length = int(src[s]) | int(src[s+1])<<8 + 1<<8
				s += 2
			case 7:
				if s+3 > len(src) {
					return buf, false
				}
				length = int(src[s]) | int(src[s+1])<<8 | int(src[s+2])<<16 + 1<<16
				s += 3
			}
			length += 4
		case 2:
			if s+3 > len(src) {
				return buf, false
			}
			offset = int(src[s+1]) | int(src[s+2])<<8
			length = 1 + int(tag>>2)
			s += 3
		default:
			if s+5 > len(src) {
				return buf, false
			}
			offset = int(binary.LittleEndian.Uint32(src[s+1:]))
			length = 1 + int(tag>>2)
			s += 5
		}
		if offset <= 0 || length > len(dst)-d {
			return buf, false
		}
		if d < offset {
			// from the dictionary
			at := len(dict) - offset + d
			if d > maxDictSrcOffset || at < 0 || at+length > len(dict) {
				return buf, false
			}
			if length <= 16 {
				copy(full[d:d+16], dict[at:at+16:at+16])
			} else {
				copy(dst[d:d+length], dict[at:])
			}
			d += length
			continue
		}
		from := d - offset
		switch {
		case offset >= 8 && d+length+8 <= len(full):
			// word by word: each word's source is written before it is read
			for i := 0; i < length; i += 8 {
				binary.LittleEndian.PutUint64(full[d+i:], binary.LittleEndian.Uint64(full[from+i:]))
			}
		case offset >= length:
			copy(dst[d:d+length], dst[from:])
		default:
			// overlapping, forwards
			a := dst[d : d+length]
			b := dst[from : from+length]
			for i := range a {
				a[i] = b[i]
			}
		}
		d += length
	}
	if d != len(dst) {
		return buf, false
	}
	return dst, true
}
