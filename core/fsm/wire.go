package fsm

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
)

// A minimal msgpack writer and reader over byte slices: the fast path of
// EncodeBatch and DecodeBatch. The library (github.com/vmihailenco/msgpack)
// stays the reference: Op.EncodeMsgpack/DecodeMsgpack in opcodec.go.
//
// The writer uses the compact forms (positive/negative fixint, the smallest
// of uint8..64 / int8..64, fixstr/str8/16/32, bin8/16/32 with nil as nil,
// fixarray/array16/32). The reader accepts every form the library's
// DecodeUint64/DecodeInt64/DecodeString/DecodeBytes/DecodeArrayLen accept
// for those types, including nil, and skips any msgpack value, so it reads
// both what this writer writes and what the library wrote before it
// (EncodeUint32's fixed five bytes and so on).

// msgpack codes.
const (
	mpNil      = 0xc0
	mpFalse    = 0xc2
	mpTrue     = 0xc3
	mpBin8     = 0xc4
	mpBin16    = 0xc5
	mpBin32    = 0xc6
	mpExt8     = 0xc7
	mpExt16    = 0xc8
	mpExt32    = 0xc9
	mpFloat32  = 0xca
	mpFloat64  = 0xcb
	mpUint8    = 0xcc
	mpUint16   = 0xcd
	mpUint32   = 0xce
	mpUint64   = 0xcf
	mpInt8     = 0xd0
	mpInt16    = 0xd1
	mpInt32    = 0xd2
	mpInt64    = 0xd3
	mpFixExt1  = 0xd4
	mpFixExt2  = 0xd5
	mpFixExt4  = 0xd6
	mpFixExt8  = 0xd7
	mpFixExt16 = 0xd8
	mpStr8     = 0xd9
	mpStr16    = 0xda
	mpStr32    = 0xdb
	mpArray16  = 0xdc
	mpArray32  = 0xdd
	mpMap16    = 0xde
	mpMap32    = 0xdf

	mpFixMap   = 0x80 // 0x80..0x8f
	mpFixArray = 0x90 // 0x90..0x9f
	mpFixStr   = 0xa0 // 0xa0..0xbf
	mpNegFix   = 0xe0 // 0xe0..0xff
)

// ---- writer ----

func appendUint(b []byte, v uint64) []byte {
	if v < 0x80 {
		return append(b, byte(v))
	}
	return appendUintSlow(b, v)
}

func appendUintSlow(b []byte, v uint64) []byte {
	switch {
	case v <= math.MaxUint8:
		return append(b, mpUint8, byte(v))
	case v <= math.MaxUint16:
		return append(b, mpUint16, byte(v>>8), byte(v))
	case v <= math.MaxUint32:
		return append(b, mpUint32, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
	return append(b, mpUint64, byte(v>>56), byte(v>>48), byte(v>>40), byte(v>>32),
		byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// appendNums appends each of v in the smallest form that holds it (as the
// library's EncodeUint), or, for those whose bit is set in signed, holds
// int64(v) (as EncodeInt): a run of scalar fields in one call. Having made
// room for nine bytes a value, it writes a value's body with one 8-byte
// store.
func appendNums(b []byte, signed uint, v ...uint64) []byte {
	b = slices.Grow(b, 9*len(v))
	i := len(b)
	b = b[:cap(b)]
	for k, x := range v {
		if x < 0x80 {
			b[i] = byte(x)
			i++
			continue
		}
		var w uint8
		var c byte
		if signed>>k&1 != 0 && int64(x) < 0 {
			if int64(x) >= -32 {
				b[i] = byte(x)
				i++
				continue
			}
			w = intWidth[bits.Len64(^x)]
			c = mpInt8 + byte(bits.TrailingZeros8(w))
		} else {
			w = uintWidth[bits.Len64(x)]
			c = mpUint8 + byte(bits.TrailingZeros8(w))
		}
		b[i] = c
		binary.BigEndian.PutUint64(b[i+1:], x<<(64-8*w)) // x's low w bytes, then zeros past the end
		i += 1 + int(w)
	}
	return b[:i]
}

// uintWidth is the number of bytes of the smallest of uint8..64 that holds
// a value of bits.Len64 n (n > 7: smaller values are fixints); intWidth
// the same for int8..64, of a negative value x by bits.Len64(^x).
var uintWidth, intWidth = func() (u, s [65]uint8) {
	for n := range u {
		switch {
		case n <= 8:
			u[n] = 1
		case n <= 16:
			u[n] = 2
		case n <= 32:
			u[n] = 4
		default:
			u[n] = 8
		}
		switch {
		case n <= 7:
			s[n] = 1
		case n <= 15:
			s[n] = 2
		case n <= 31:
			s[n] = 4
		default:
			s[n] = 8
		}
	}
	return u, s
}()

// appendStr writes s; len(s) must not exceed math.MaxUint32 (checked by
// the caller).
func appendStr(b []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		b = append(b, mpFixStr|byte(n))
	case n <= math.MaxUint8:
		b = append(b, mpStr8, byte(n))
	case n <= math.MaxUint16:
		b = append(b, mpStr16, byte(n>>8), byte(n))
	default:
		b = append(b, mpStr32, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, s...)
}

// appendBin writes v, nil as msgpack nil (as the library's EncodeBytes
// does); len(v) must not exceed math.MaxUint32 (checked by the caller).
func appendBin(b []byte, v []byte) []byte {
	if v == nil {
		return append(b, mpNil)
	}
	n := len(v)
	switch {
	case n <= math.MaxUint8:
		b = append(b, mpBin8, byte(n))
	case n <= math.MaxUint16:
		b = append(b, mpBin16, byte(n>>8), byte(n))
	default:
		b = append(b, mpBin32, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, v...)
}

// appendArrayLen writes an array header; n must not exceed math.MaxUint32.
func appendArrayLen(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, mpFixArray|byte(n))
	case n <= math.MaxUint16:
		return append(b, mpArray16, byte(n>>8), byte(n))
	}
	return append(b, mpArray32, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// ---- reader ----

// shortError is the error of a value that claims more bytes (or elements,
// each needing at least some bytes) than the entry has left.
type shortError struct {
	what string
	need uint64 // bytes claimed
	left int    // bytes left
}

func (e *shortError) Error() string {
	return fmt.Sprintf("%s needs %d bytes, %d left", e.what, e.need, e.left)
}

// reader reads msgpack values from b. Errors are sticky: the first one is
// kept in err, and every read after it returns zero values without
// looking at b (lengths read as 0, so nothing is allocated after an
// error). Nothing it returns aliases b; what it returns for one entry may
// share allocations (strings, groups).
type reader struct {
	b      []byte
	off    int
	err    error
	groups []uint32        // slab for Op.Groups (see carveGroups)
	strs   strings.Builder // block for strings (see copyStr)
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.off = len(r.b)
}

func (r *reader) short(what string, need uint64) {
	r.fail(&shortError{what, need, len(r.b) - r.off})
}

// left is the number of unread bytes.
func (r *reader) left() int { return len(r.b) - r.off }

// nums reads len(dst) integers in any msgpack integer form, or nil (as 0),
// as the library's DecodeUint64 and DecodeInt64 do: the signed forms are
// sign extended, so the bits are the same for both (DecodeInt64's is
// int64 of DecodeUint64's). One call reads a run of scalar fields. The
// usual forms are read here; the others, and errors, by rawSlow.
func (r *reader) nums(dst []uint64) {
	b, i := r.b, r.off
	for k := range dst {
		if i < len(b) {
			c := b[i]
			if c < 0x80 {
				dst[k] = uint64(c)
				i++
				continue
			}
			if f := intForm[c]; f != 0 && len(b)-i > 8 { // read 8 bytes, keep the first w
				w := f & 0x0f
				x := binary.BigEndian.Uint64(b[i+1:])
				if f&0x10 != 0 {
					dst[k] = uint64(int64(x) >> (64 - 8*w))
				} else {
					dst[k] = x >> (64 - 8*w)
				}
				i += 1 + int(w)
				continue
			}
		}
		r.off = i
		dst[k] = r.rawSlow()
		i = r.off
	}
	r.off = i
}

// intForm describes the msgpack integer codes with a body: the body's
// width in bytes, and 0x10 for the signed ones.
var intForm = func() (f [256]uint8) {
	for i, w := range []uint8{1, 2, 4, 8} {
		f[mpUint8+i] = w
		f[mpInt8+i] = w | 0x10
	}
	return f
}()

func (r *reader) rawSlow() uint64 {
	if r.off >= len(r.b) {
		r.short("integer", 1)
		return 0
	}
	c := r.b[r.off]
	var w int
	switch {
	case c < 0x80:
		r.off++
		return uint64(c)
	case c >= mpNegFix:
		r.off++
		return uint64(int64(int8(c)))
	case c == mpNil:
		r.off++
		return 0
	case c == mpUint8 || c == mpInt8:
		w = 1
	case c == mpUint16 || c == mpInt16:
		w = 2
	case c == mpUint32 || c == mpInt32:
		w = 4
	case c == mpUint64 || c == mpInt64:
		w = 8
	default:
		r.fail(fmt.Errorf("msgpack code 0x%02x where an integer was expected", c))
		return 0
	}
	if len(r.b)-r.off-1 < w {
		r.short("integer", uint64(w+1))
		return 0
	}
	p := r.b[r.off+1 : r.off+1+w]
	r.off += 1 + w
	switch c {
	case mpUint8:
		return uint64(p[0])
	case mpInt8:
		return uint64(int64(int8(p[0])))
	case mpUint16:
		return uint64(binary.BigEndian.Uint16(p))
	case mpInt16:
		return uint64(int64(int16(binary.BigEndian.Uint16(p))))
	case mpUint32:
		return uint64(binary.BigEndian.Uint32(p))
	case mpInt32:
		return uint64(int64(int32(binary.BigEndian.Uint32(p))))
	}
	return binary.BigEndian.Uint64(p)
}

// outOfRange fails with the first of v above max.
func (r *reader) outOfRange(max uint64, v ...uint64) {
	for _, x := range v {
		if x > max {
			r.fail(fmt.Errorf("value %d out of range", x))
			return
		}
	}
}

// u32s reads len(dst) integers as nums does and refuses any above 2^32-1.
func (r *reader) u32s(dst []uint32) {
	var v [16]uint64
	for len(dst) > 0 && r.err == nil {
		k := min(len(dst), len(v))
		r.nums(v[:k])
		for j, x := range v[:k] {
			if x > math.MaxUint32 {
				r.outOfRange(math.MaxUint32, x)
			}
			dst[j] = uint32(x)
		}
		dst = dst[k:]
	}
}

// zeros skips pattern if the input has it next: the compact encoding of a
// run of zero values, which the caller has already set.
func (r *reader) zeros(pattern string) bool {
	if len(r.b)-r.off >= len(pattern) && string(r.b[r.off:r.off+len(pattern)]) == pattern {
		r.off += len(pattern)
		return true
	}
	return false
}

// strLen reads the header of a str or bin (the library reads either for
// either) and returns its length after checking the bytes are there, or
// -1 for nil.
func (r *reader) strLen() int {
	if r.off >= len(r.b) {
		r.short("string", 1)
		return 0
	}
	c := r.b[r.off]
	var n uint64
	switch {
	case c&0xe0 == mpFixStr:
		r.off++
		n = uint64(c & 0x1f)
	case c == mpNil:
		r.off++
		return -1
	case c == mpStr8 || c == mpBin8:
		n = r.len(1)
	case c == mpStr16 || c == mpBin16:
		n = r.len(2)
	case c == mpStr32 || c == mpBin32:
		n = r.len(4)
	default:
		r.fail(fmt.Errorf("msgpack code 0x%02x where a string or bytes were expected", c))
		return 0
	}
	if n > uint64(r.left()) {
		r.short("string", n)
		return 0
	}
	return int(n)
}

// len reads the big-endian length of w bytes after a code byte.
func (r *reader) len(w int) uint64 {
	if len(r.b)-r.off-1 < w {
		r.short("length", uint64(w+1))
		return 0
	}
	p := r.b[r.off+1:]
	r.off += 1 + w
	switch w {
	case 1:
		return uint64(p[0])
	case 2:
		return uint64(binary.BigEndian.Uint16(p))
	}
	return uint64(binary.BigEndian.Uint32(p))
}

// str reads a string (nil reads as ""). opsLeft, the number of ops left to
// read with this one, sizes the next block of strings (see copyStr).
func (r *reader) str(opsLeft int) string {
	b, i := r.b, r.off
	var p []byte
	if i < len(b) && b[i]&0xe0 == mpFixStr && int(b[i]&0x1f) < len(b)-i {
		n := int(b[i] & 0x1f)
		p = b[i+1 : i+1+n]
		r.off = i + 1 + n
	} else {
		n := r.strLen()
		if n <= 0 {
			return ""
		}
		p = b[r.off : r.off+n]
		r.off += n
	}
	if len(p) == 0 {
		return ""
	}
	return r.copyStr(p, opsLeft)
}

// copyStr returns a copy of p as a string. The strings of an entry share a
// few allocations: blocks of r.strs, each sized for twice this string for
// each op left, and never more than the rest of the entry.
func (r *reader) copyStr(p []byte, opsLeft int) string {
	if r.strs.Cap()-r.strs.Len() < len(p) {
		size := r.left() + len(p)
		if opsLeft <= size/(2*len(p)) {
			size = 2 * len(p) * opsLeft
		}
		r.strs.Reset() // the strings made from the old block keep it
		r.strs.Grow(size)
	}
	start := r.strs.Len()
	r.strs.Write(p)
	return r.strs.String()[start:]
}

// bytes reads bytes: nil as nil, empty as empty, a copy otherwise.
func (r *reader) bytes() []byte {
	n := r.strLen()
	switch {
	case n < 0 || r.err != nil:
		return nil
	case n == 0:
		return []byte{}
	}
	v := make([]byte, n)
	copy(v, r.b[r.off:])
	r.off += n
	return v
}

// arrayLen reads an array header of at most max elements, each needing at
// least min bytes (checked against what is left, so a caller may allocate
// the array). Nil is refused, as the reference decoder refuses it.
func (r *reader) arrayLen(max, min int) int {
	b, i := r.b, r.off
	if i < len(b) {
		n := -1
		if c := b[i]; c&0xf0 == mpFixArray {
			n = int(c & 0x0f)
			i++
		} else if c == mpArray16 && i+2 < len(b) {
			n = int(b[i+1])<<8 | int(b[i+2])
			i += 3
		}
		if n >= 0 && n <= max && n*min <= len(b)-i {
			r.off = i
			return n
		}
	}
	return r.arrayLenSlow(max, min)
}

func (r *reader) arrayLenSlow(max, min int) int {
	if r.off >= len(r.b) {
		r.short("array", 1)
		return 0
	}
	c := r.b[r.off]
	var n uint64
	switch {
	case c&0xf0 == mpFixArray:
		r.off++
		n = uint64(c & 0x0f)
	case c == mpArray16:
		n = r.len(2)
	case c == mpArray32:
		n = r.len(4)
	case c == mpNil:
		r.fail(fmt.Errorf("nil where an array was expected"))
		return 0
	default:
		r.fail(fmt.Errorf("msgpack code 0x%02x where an array was expected", c))
		return 0
	}
	if r.err != nil {
		return 0
	}
	if n > uint64(max) {
		r.fail(fmt.Errorf("array of %d", n))
		return 0
	}
	if need := n * uint64(min); need > uint64(r.left()) {
		r.short(fmt.Sprintf("array of %d", n), need)
		return 0
	}
	return int(n)
}

// skip skips n values of any type, without recursion: it counts the values
// still to skip, arrays and maps adding their elements.
func (r *reader) skip(n int) {
	pending := uint64(n)
	for ; pending > 0 && r.err == nil; pending-- {
		if pending > uint64(r.left()) { // every value takes at least a byte
			r.short("skipped values", pending)
			return
		}
		c := r.b[r.off]
		var body uint64 // bytes after the code (and the length, if any)
		var elems uint64
		switch {
		case c < 0x80 || c >= mpNegFix, c == mpNil, c == mpFalse, c == mpTrue:
			r.off++
		case c&0xf0 == mpFixMap:
			r.off++
			elems = 2 * uint64(c&0x0f)
		case c&0xf0 == mpFixArray:
			r.off++
			elems = uint64(c & 0x0f)
		case c&0xe0 == mpFixStr:
			r.off++
			body = uint64(c & 0x1f)
		default:
			switch c {
			case mpUint8, mpInt8:
				r.off, body = r.off+1, 1
			case mpUint16, mpInt16:
				r.off, body = r.off+1, 2
			case mpUint32, mpInt32, mpFloat32:
				r.off, body = r.off+1, 4
			case mpUint64, mpInt64, mpFloat64:
				r.off, body = r.off+1, 8
			case mpFixExt1:
				r.off, body = r.off+1, 1+1
			case mpFixExt2:
				r.off, body = r.off+1, 1+2
			case mpFixExt4:
				r.off, body = r.off+1, 1+4
			case mpFixExt8:
				r.off, body = r.off+1, 1+8
			case mpFixExt16:
				r.off, body = r.off+1, 1+16
			case mpStr8, mpBin8:
				body = r.len(1)
			case mpStr16, mpBin16:
				body = r.len(2)
			case mpStr32, mpBin32:
				body = r.len(4)
			case mpExt8:
				body = r.len(1) + 1 // the type byte
			case mpExt16:
				body = r.len(2) + 1
			case mpExt32:
				body = r.len(4) + 1
			case mpArray16:
				elems = r.len(2)
			case mpArray32:
				elems = r.len(4)
			case mpMap16:
				elems = 2 * r.len(2)
			case mpMap32:
				elems = 2 * r.len(4)
			default: // 0xc1, never used
				r.fail(fmt.Errorf("invalid msgpack code 0x%02x", c))
				return
			}
		}
		if r.err != nil {
			return
		}
		if body > uint64(r.left()) {
			r.short("skipped value", body)
			return
		}
		r.off += int(body)
		pending += elems // at most 2*(2^32-1) more: no overflow
	}
}
