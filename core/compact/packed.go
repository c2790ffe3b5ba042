package compact

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// littleEndian is whether the machine stores integers least significant
// byte first (the packed decoder then loads values directly).
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// Packed columns (see the package documentation for the format): n values
// of one bit width w, packed least significant bit first, with the values
// too wide for w escaped to uvarints after them.

// escape returns the escape value of width w (1..63).
func escape(w int) uint64 { return 1<<w - 1 }

// appendPacked appends vals as a packed column, the width chosen to make it
// shortest.
func appendPacked(dst []byte, vals []uint64) []byte {
	if len(vals) == 0 {
		return dst
	}
	// cnt[l], vlen[l]: values of bit length l and their uvarint bytes;
	// ones[l]: values equal to escape(l) (they escape at width l too).
	var cnt, vlen, ones [65]int
	for _, v := range vals {
		l := bits.Len64(v)
		cnt[l]++
		vlen[l] += uvarintLen(v)
		if l > 0 && l < 64 && v == escape(l) {
			ones[l]++
		}
	}
	n := len(vals)
	best, bestCost := 64, 8*n
	if cnt[0] == n {
		best, bestCost = 0, 0
	}
	wider := 0 // uvarint bytes of the values longer than w
	for l := 64; l > 0; l-- {
		wider += vlen[l]
	}
	for w := 1; w < 64; w++ {
		wider -= vlen[w]
		cost := (n*w+7)/8 + wider + ones[w]*uvarintLen(escape(w))
		if cost < bestCost {
			best, bestCost = w, cost
		}
	}
	w := best
	dst = append(dst, byte(w))
	if w == 0 {
		return dst
	}
	esc := ^uint64(0)
	if w < 64 {
		esc = escape(w)
	}
	var acc uint64 // bits not yet written, nb of them
	nb := 0
	for _, v := range vals {
		x := min(v, esc)
		acc |= x << nb
		if nb+w >= 64 {
			dst = binary.LittleEndian.AppendUint64(dst, acc)
			used := 64 - nb // bits of x written
			acc, nb = 0, w-used
			if used < 64 {
				acc = x >> used
			}
		} else {
			nb += w
		}
	}
	for ; nb > 0; nb -= 8 {
		dst = append(dst, byte(acc))
		acc >>= 8
	}
	if w < 64 {
		for _, v := range vals {
			if v >= esc {
				dst = binary.AppendUvarint(dst, v)
			}
		}
	}
	return dst
}

func uvarintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

// packedLen returns the bytes of the packed body of n values of width w.
func packedLen(n, w int) int { return (n*w + 7) / 8 }

// decodePacked decodes the packed column b of n values (the block's
// shapes say how many), appending them to dst, whose capacity the caller
// makes room for. It returns the extended dst.
func decodePacked(dst []uint64, b []byte, n int) ([]uint64, bool) {
	if n == 0 || len(b) == 0 {
		return dst, n == 0 && len(b) == 0
	}
	w := int(b[0])
	b = b[1:]
	if w > 64 || packedLen(n, w) > len(b) {
		return dst, false
	}
	at := len(dst)
	if cap(dst)-at < n {
		return dst, false
	}
	out := dst[at : at+n]
	body, exc := b[:packedLen(n, w)], b[packedLen(n, w):]
	switch {
	case w == 0:
		clear(out)
	case w == 8:
		for i, c := range body[:n] {
			out[i] = uint64(c)
		}
	case w <= 56:
		// One unaligned 8-byte load per value while 8 bytes remain (fast
		// values), then the tail from a padded copy.
		mask := uint64(1)<<w - 1
		uw := uint(w)
		fast := 0
		if len(body) >= 8 {
			fast = min(n, ((len(body)-8)*8+7)/w+1)
		}
		o := uint(0) // bit offset of value i
		if littleEndian {
			base := unsafe.Pointer(unsafe.SliceData(body))
			for i := range out[:fast] {
				out[i] = *(*uint64)(unsafe.Add(base, o>>3)) >> (o & 7) & mask
				o += uw
			}
		} else {
			for i := range out[:fast] {
				out[i] = binary.LittleEndian.Uint64(body[o>>3:]) >> (o & 7) & mask
				o += uw
			}
		}
		if fast < n {
			var tail [16]byte
			start := o >> 3
			copy(tail[:], body[start:])
			for i := fast; i < n; i++ {
				r := o - start*8 // < 64: the tail holds at most 8 bytes of values
				out[i] = binary.LittleEndian.Uint64(tail[r>>3&7:]) >> (r & 7) & mask
				o += uw
			}
		}
	default:
		// Wide values: a 128-bit window.
		var mask uint64 = ^uint64(0)
		if w < 64 {
			mask = 1<<w - 1
		}
		pad := make([]byte, len(body)+16)
		copy(pad, body)
		for i, o := 0, 0; i < n; i, o = i+1, o+w {
			lo := binary.LittleEndian.Uint64(pad[o/8:])
			hi := binary.LittleEndian.Uint64(pad[o/8+8:])
			s := uint(o % 8)
			v := lo >> s
			if s > 0 {
				v |= hi << (64 - s)
			}
			out[i] = v & mask
		}
	}
	// The bits past the last value must be zero (one encoding per column).
	if r := n * w % 8; r != 0 && body[len(body)-1]>>r != 0 {
		return dst, false
	}
	if w == 0 || w == 64 {
		return dst[:at+n], len(exc) == 0
	}
	esc := escape(w)
	for i, v := range out {
		if v != esc {
			continue
		}
		x, k := binary.Uvarint(exc)
		if k <= 0 || x < esc {
			return dst, false
		}
		out[i] = x
		exc = exc[k:]
	}
	if len(exc) > 0 {
		return dst, false
	}
	return dst[:at+n], true
}
