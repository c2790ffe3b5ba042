package compact

import (
	"encoding/binary"
	"math/bits"
)

// Packed columns (see the package documentation for the format).

// escape returns the escape value of width w (1..7).
func escape(w int) uint64 { return 1<<(8*w) - 1 }

// appendPacked appends vals as a packed column, the width chosen to make it
// shortest.
func appendPacked(dst []byte, vals []uint64) []byte {
	if len(vals) == 0 {
		return dst
	}
	// hist[k]: values of k significant bytes; vlen[k]: their uvarint bytes
	var hist [9]int
	var vlen [9]int
	for _, v := range vals {
		k := (bits.Len64(v) + 7) / 8
		hist[k]++
		vlen[k] += uvarintLen(v)
	}
	best, bestCost := 8, 8*len(vals)
	if hist[0] == len(vals) {
		best, bestCost = 0, 0
	}
	for w := 1; w < 8; w++ {
		cost := w * len(vals)
		// (a value of w bytes may equal the escape: rare, not counted)
		for k := w + 1; k <= 8; k++ {
			cost += vlen[k]
		}
		if cost < bestCost {
			best, bestCost = w, cost
		}
	}
	w := best
	dst = binary.AppendUvarint(dst, uint64(len(vals)))
	dst = append(dst, byte(w))
	if w == 0 {
		return dst
	}
	if w == 8 {
		for _, v := range vals {
			dst = binary.LittleEndian.AppendUint64(dst, v)
		}
		return dst
	}
	esc := escape(w)
	for _, v := range vals {
		x := min(v, esc)
		for k := 0; k < w; k++ {
			dst = append(dst, byte(x>>(8*k)))
		}
	}
	for _, v := range vals {
		if v >= esc {
			dst = binary.AppendUvarint(dst, v)
		}
	}
	return dst
}

func uvarintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

// decodePacked decodes the packed column b, which must hold at most max
// values, appending them to dst. It returns the extended dst.
func decodePacked(dst []uint64, b []byte, max int) ([]uint64, bool) {
	if len(b) == 0 {
		return dst, true
	}
	cnt, k := binary.Uvarint(b)
	if k <= 0 || cnt == 0 || cnt > uint64(max) || k >= len(b) {
		return dst, false
	}
	n := int(cnt)
	w := int(b[k])
	b = b[k+1:]
	if w > 8 || w*n > len(b) {
		return dst, false
	}
	at := len(dst)
	if cap(dst)-at < n {
		return dst, false // the caller sizes dst
	}
	out := dst[at : at+n]
	body, exc := b[:w*n], b[w*n:]
	switch w {
	case 0:
		clear(out)
	case 1:
		for i, c := range body[:n] {
			out[i] = uint64(c)
		}
	case 2:
		for i := range out {
			out[i] = uint64(binary.LittleEndian.Uint16(body[2*i:]))
		}
	case 3:
		for i := range out {
			p := body[3*i : 3*i+3]
			out[i] = uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16
		}
	case 4:
		for i := range out {
			out[i] = uint64(binary.LittleEndian.Uint32(body[4*i:]))
		}
	case 8:
		for i := range out {
			out[i] = binary.LittleEndian.Uint64(body[8*i:])
		}
	default:
		for i := range out {
			var v uint64
			for j := w - 1; j >= 0; j-- {
				v = v<<8 | uint64(body[w*i+j])
			}
			out[i] = v
		}
	}
	if w == 0 || w == 8 {
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
