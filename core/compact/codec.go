package compact

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// The zstd encoder and decoder are made once, on first use, and shared:
// EncodeAll and DecodeAll are safe for concurrent use. One of each keeps
// their memory low (concurrent calls take turns).
var (
	zstdOnce sync.Once
	zstdEnc  *zstd.Encoder
	zstdDec  *zstd.Decoder
	zstdErr  error
)

// ZstdLevel is the zstd level blocks are compressed at.
const zstdLevel = zstd.SpeedDefault

func initZstd() {
	zstdOnce.Do(func() {
		zstdEnc, zstdErr = zstd.NewWriter(nil,
			zstd.WithEncoderLevel(zstdLevel),
			zstd.WithEncoderConcurrency(1),
			zstd.WithEncoderCRC(false), // the block has its own checksum
			zstd.WithLowerEncoderMem(true),
			zstd.WithWindowSize(1<<20), // blocks are small; MaxRawSize fits in 16 windows
		)
		if zstdErr != nil {
			return
		}
		zstdDec, zstdErr = zstd.NewReader(nil,
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxMemory(MaxRawSize),
			zstd.WithDecodeAllCapLimit(true),
			zstd.IgnoreChecksum(true),
		)
	})
}

func compressZstd(dst, raw []byte) ([]byte, error) {
	if initZstd(); zstdErr != nil {
		return dst, fmt.Errorf("compact: zstd: %w", zstdErr)
	}
	return zstdEnc.EncodeAll(raw, dst), nil
}

func compressS2(dst, raw []byte, d *Dict) []byte {
	n := s2.MaxEncodedLen(len(raw))
	dst = grow(dst, n)
	var out []byte
	if d != nil {
		out = d.s2.EncodeBetter(dst[len(dst):len(dst)+n], raw)
	} else {
		out = s2.EncodeBetter(dst[len(dst):len(dst)+n], raw)
	}
	return dst[:len(dst)+len(out)]
}

// Dict is a dictionary for s2-compressed blocks: bytes that the blocks of
// one namespace are likely to repeat (names, their lengths, extras), which
// a block's matches may refer to as if they came just before it. A block
// compressed with one says the dictionary's id, and decodes only with it
// (Block.Dict). A Dict is immutable and safe for concurrent use.
type Dict struct {
	id     uint32
	size   int
	s2     *s2.Dict // to encode
	data   []byte   // to decode (decodeS2Dict): the bytes, with dictSlack
	repeat int      // s2's starting repeat position
}

// Dictionary sizes.
const (
	// MaxDictSize is the most of a sample a dictionary keeps (its end).
	MaxDictSize = s2.MaxDictSize
	// MinDictSize is the smallest sample NewDict takes.
	MinDictSize = 256
)

// NewDict makes dictionary id from sample (Options.Sample collects one from
// blocks being encoded): its last MaxDictSize bytes.
func NewDict(id uint32, sample []byte) (*Dict, error) {
	if len(sample) < MinDictSize {
		return nil, fmt.Errorf("compact: dictionary sample of %d bytes (at least %d)", len(sample), MinDictSize)
	}
	if len(sample) > MaxDictSize {
		sample = sample[len(sample)-MaxDictSize:]
	}
	d := s2.MakeDict(append([]byte(nil), sample...), nil)
	if d == nil {
		return nil, fmt.Errorf("compact: dictionary of %d bytes refused", len(sample))
	}
	ser := d.Bytes() // uvarint repeat, then the bytes
	rep, k := binary.Uvarint(ser)
	if k <= 0 || rep > uint64(len(ser)-k) {
		return nil, fmt.Errorf("compact: dictionary of %d bytes: bad form", len(sample))
	}
	data := append(make([]byte, 0, len(ser)-k+dictSlack), ser[k:]...)
	return &Dict{id: id, size: len(data), s2: d, data: data, repeat: int(rep)}, nil
}

// ID returns the dictionary's id.
func (d *Dict) ID() uint32 { return d.id }

// Size returns the bytes the dictionary holds.
func (d *Dict) Size() int { return d.size }

// grow makes room for n more bytes in b.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), len(b)+n)
		copy(nb, b)
		b = nb
	}
	return b
}

// decompress puts the raw body of length rawlen coded by codec in payload
// into buf (reused when large enough) and returns it.
func decompress(buf []byte, codec byte, payload []byte, rawlen int, d *Dict) ([]byte, error) {
	switch codec {
	case codecNone:
		if len(payload) != rawlen {
			return buf, fmt.Errorf("%w: raw body of %d bytes, header says %d", ErrCorrupt, len(payload), rawlen)
		}
		return payload, nil
	case codecS2Dict:
		out, ok := decodeS2Dict(buf, payload, d.data, d.repeat)
		if !ok || len(out) != rawlen {
			return buf, fmt.Errorf("%w: s2 body with a dictionary: corrupt or of %d bytes, header says %d", ErrCorrupt, len(out), rawlen)
		}
		return out, nil
	case codecS2:
		n, err := s2.DecodedLen(payload)
		if err != nil || n != rawlen {
			return buf, fmt.Errorf("%w: s2 body of %d bytes (%v), header says %d", ErrCorrupt, n, err, rawlen)
		}
		if cap(buf) < rawlen {
			buf = make([]byte, rawlen)
		}
		out, err := s2.Decode(buf[:rawlen], payload)
		if err != nil {
			return buf, fmt.Errorf("%w: s2: %v", ErrCorrupt, err)
		}
		return out, nil
	case codecZstd:
		if initZstd(); zstdErr != nil {
			return buf, fmt.Errorf("compact: zstd: %w", zstdErr)
		}
		if cap(buf) < rawlen {
			buf = make([]byte, 0, rawlen)
		}
		out, err := zstdDec.DecodeAll(payload, buf[:0:rawlen])
		if err != nil {
			return buf, fmt.Errorf("%w: zstd: %v", ErrCorrupt, err)
		}
		if len(out) != rawlen {
			return buf, fmt.Errorf("%w: zstd body of %d bytes, header says %d", ErrCorrupt, len(out), rawlen)
		}
		return out, nil
	}
	return buf, fmt.Errorf("%w: unknown codec %d", ErrCorrupt, codec)
}
