package compact

import "encoding/binary"

// RawBody returns the raw body of a block encoded with None (tests only).
func RawBody(b []byte) []byte {
	_, _, _, payload, err := header(b, true, nil)
	if err != nil || b[1] != codecNone {
		return nil
	}
	return payload
}

// ColumnSizes returns the sizes of the columns of a block encoded with
// None (tests only).
func ColumnSizes(b []byte) (sizes [nCols]int) {
	raw := RawBody(b)
	n, _ := Count(b)
	total := 0
	pos := 0
	for i := 0; i < nCols-1; i++ {
		l, k := uint64(n), 0
		if !fixedCol(i) {
			l, k = binary.Uvarint(raw[pos:])
		}
		pos += k
		sizes[i] = int(l)
		total += int(l)
	}
	sizes[nCols-1] = len(raw) - pos - total
	return sizes
}

// ColumnNames names the columns (tests only).
var ColumnNames = [nCols]string{"dirs", "shapes", "prefix", "suffixlen", "suffix", "inos", "attrs", "misc", "sizes", "data", "msecs", "csecs", "asecs", "nanos", "extra"}

// S2DictDecoders decodes src (an s2 block compressed against d) with
// klauspost/compress's decoder and with this package's (tests only).
func S2DictDecoders(d *Dict) (lib, own func(buf, src []byte) []byte, enc func(raw []byte) []byte) {
	lib = func(buf, src []byte) []byte { out, _ := d.s2.Decode(buf, src); return out }
	own = func(buf, src []byte) []byte { out, _ := decodeS2Dict(buf, src, d.data, d.repeat); return out }
	enc = func(raw []byte) []byte { return d.s2.EncodeBetter(nil, raw) }
	return
}
