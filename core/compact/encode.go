package compact

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"sync"
)

// Entry is one directory entry with its inode's attributes, as the tree
// hands it to the codec.
type Entry struct {
	Dir   uint64 // inode number of the directory holding the entry
	Name  string // 1..255 bytes
	Ino   uint64
	Link  bool   // a further hard link: only Dir, Name and Ino are meaningful
	Attr  uint32 // (mode, uid, gid) dictionary id of the tree
	Flags uint8
	Nlink uint32
	Size  uint64
	Data  uint64 // a slice id, an rdev, 0, ...: delta-coded against the previous nonzero one
	// Times in nanoseconds since the epoch.
	Atime, Mtime, Ctime int64
	Extra               []byte // opaque payload (symlink target, chunk map, xattrs); usually empty
}

// Compression selects how the raw body of a block is compressed.
type Compression uint8

const (
	// Default is the package's choice (DefaultCompression).
	Default Compression = iota
	// None stores the raw body as it is.
	None
	// S2 compresses with klauspost/compress/s2 (block format): fastest to decode.
	S2
	// Zstd compresses with klauspost/compress/zstd: smallest.
	Zstd
)

// DefaultCompression is what Default means: zstd, the smallest (on a
// synthetic namespace 28.8 bytes an entry against 31.1 for s2 and 37.9 raw;
// on a real /usr tree 9.9, 11.6 and 25.2), at about twice the decode time
// of s2 (BenchmarkWorkload). Trees that need cold lookups fast pick S2.
const DefaultCompression = Zstd

func (c Compression) String() string {
	switch c {
	case Default:
		return "default"
	case None:
		return "none"
	case S2:
		return "s2"
	case Zstd:
		return "zstd"
	}
	return fmt.Sprintf("Compression(%d)", uint8(c))
}

// Options tune Encode. The zero value is the default.
type Options struct {
	Compression Compression
	// Dict, with S2, compresses against a dictionary (the block then
	// decodes only with it).
	Dict *Dict
	// Sample, if not nil, has the block's dictionary-worthy bytes appended
	// (the columns that repeat across blocks: shapes, name prefix and
	// suffix lengths, suffixes, attributes, extras), to make a Dict of.
	Sample *[]byte
}

const (
	formatVersion = 2 // 2: bit-packed columns (blocks live only in memory: no reader of 1 is needed)

	// codec bytes
	codecNone   = 0
	codecS2     = 1
	codecZstd   = 2
	codecS2Dict = 3

	nCols = 15
)

// Column indexes.
const (
	colDirs = iota
	colShapes
	colPrefix
	colSuffixLen
	colSuffix
	colInos
	colAttrs
	colMisc
	colSizes
	colData
	colMsecs
	colCsecs
	colAsecs
	colNanos
	colExtra
)

// fixedCol reports whether column i has one byte per entry (its length is
// not in the column table).
func fixedCol(i int) bool { return i == colShapes || i == colPrefix || i == colSuffixLen }

// packedCols are the packed columns, in the order the decoder decodes them.
var packedCols = [...]int{colInos, colAttrs, colSizes, colData, colMsecs, colCsecs, colAsecs, colNanos}

// Shape byte.
const (
	shapeTime     = 0x07 // time form mask
	shapeLink     = 0x07 // the whole shape byte of a link
	shapeDataShft = 3
	shapeData     = 0x18
	shapeExtra    = 0x20
	shapeFlags    = 0x40
	shapeNlink    = 0x80
)

// Time forms.
const (
	tAllEqual = iota // c = m, a = m
	tAtime           // c = m, a stored
	tCtime           // c stored, a = m
	tCtimeAC         // c stored, a = c
	tBoth            // c and a stored
)

// Data forms.
const (
	dZero = iota
	dNext
	dDelta
)

// Limits of a block: its raw (uncompressed) body, and its entries.
const (
	MaxRawSize = 1 << 24
	MaxEntries = 1 << 16
)

// MaxNameLen is the longest name an entry may have.
const MaxNameLen = 255

// ErrCorrupt is wrapped by every error of Decode about a malformed block.
var ErrCorrupt = errors.New("compact: corrupt block")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type encoder struct {
	cols   [nCols][]byte
	vals   [nCols][]uint64 // values of the packed columns
	raw    []byte
	counts map[uint32]int32
	dict   []uint32
	index  map[uint32]uint32
}

var encoders = sync.Pool{New: func() any {
	return &encoder{counts: make(map[uint32]int32), index: make(map[uint32]uint32)}
}}

// Encode appends to dst the block of entries, which must be sorted by
// (Dir, Name) with no two equal, and returns the extended slice. The fields
// of a link entry but Dir, Name and Ino are ignored (they decode as zero).
func Encode(dst []byte, entries []Entry, opt Options) ([]byte, error) {
	if err := check(entries); err != nil {
		return dst, err
	}
	e := encoders.Get().(*encoder)
	defer encoders.Put(e)
	raw := e.body(entries)
	if len(raw) > MaxRawSize {
		return dst, fmt.Errorf("compact: raw block of %d bytes exceeds %d", len(raw), MaxRawSize)
	}
	c := opt.Compression
	if c == Default {
		c = DefaultCompression
	}
	start := len(dst)
	dst = append(dst, formatVersion, 0)
	dst = binary.AppendUvarint(dst, uint64(len(entries)))
	dst = binary.AppendUvarint(dst, uint64(len(raw)))
	if c == S2 && opt.Dict != nil {
		dst = binary.AppendUvarint(dst, uint64(opt.Dict.id))
	}
	hl := len(dst) - start // header length
	var err error
	switch c {
	case None:
		dst[start+1] = codecNone
		dst = append(dst, raw...)
	case S2:
		dst[start+1] = codecS2
		if opt.Dict != nil {
			dst[start+1] = codecS2Dict
		}
		dst = compressS2(dst, raw, opt.Dict)
	case Zstd:
		dst[start+1] = codecZstd
		dst, err = compressZstd(dst, raw)
	default:
		err = fmt.Errorf("compact: unknown compression %v", c)
	}
	if err != nil {
		return dst[:start], err
	}
	if c != None && len(dst)-start-hl >= len(raw) {
		// incompressible: store the raw body
		if dst[start+1] == codecS2Dict {
			// (without the dictionary id)
			dst = binary.AppendUvarint(dst[:start+2], uint64(len(entries)))
			dst = binary.AppendUvarint(dst, uint64(len(raw)))
			hl = len(dst) - start
		}
		dst = append(dst[:start+hl], raw...)
		dst[start+1] = codecNone
	}
	if opt.Sample != nil {
		*opt.Sample = e.sample(*opt.Sample)
	}
	sum := crc32.Checksum(dst[start:], castagnoli)
	return binary.LittleEndian.AppendUint32(dst, sum), nil
}

// check verifies the preconditions of Encode.
func check(entries []Entry) error {
	if len(entries) > MaxEntries {
		return fmt.Errorf("compact: %d entries in a block (at most %d)", len(entries), MaxEntries)
	}
	for i := range entries {
		e := &entries[i]
		if len(e.Name) == 0 || len(e.Name) > MaxNameLen {
			return fmt.Errorf("compact: entry %d: name of %d bytes", i, len(e.Name))
		}
		if i > 0 {
			p := &entries[i-1]
			if p.Dir > e.Dir || (p.Dir == e.Dir && p.Name >= e.Name) {
				return fmt.Errorf("compact: entry %d (%d, %q) does not follow (%d, %q)", i, e.Dir, e.Name, p.Dir, p.Name)
			}
		}
	}
	return nil
}

func zigzag(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }

func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// splitTime returns floor(t / 1e9) and the nanoseconds left.
func splitTime(t int64) (sec int64, ns uint32) {
	sec, r := t/1e9, t%1e9
	if r < 0 {
		sec--
		r += 1e9
	}
	return sec, uint32(r)
}

// body builds the raw body of entries in e.raw.
func (e *encoder) body(entries []Entry) []byte {
	for i := range e.cols {
		e.cols[i] = e.cols[i][:0]
	}
	e.buildDict(entries)

	// C0: directory runs.
	runs := 0
	for i := range entries {
		if i == 0 || entries[i].Dir != entries[i-1].Dir {
			runs++
		}
	}
	c := binary.AppendUvarint(e.cols[colDirs], uint64(runs))
	for i := 0; i < len(entries); {
		j := i + 1
		for j < len(entries) && entries[j].Dir == entries[i].Dir {
			j++
		}
		d := entries[i].Dir
		if i > 0 {
			d -= entries[i-1].Dir
		}
		c = binary.AppendUvarint(c, d)
		c = binary.AppendUvarint(c, uint64(j-i))
		i = j
	}
	e.cols[colDirs] = c

	// C6: the attribute dictionary.
	c = binary.AppendUvarint(e.cols[colAttrs], uint64(len(e.dict)))
	for _, a := range e.dict {
		c = binary.AppendUvarint(c, uint64(a))
	}
	e.cols[colAttrs] = c

	var (
		prevName  string
		prevIno   uint64
		prevData  uint64
		prevFlags uint8
		prevMsec  int64
	)
	cols, vals := &e.cols, &e.vals
	for i := range vals {
		vals[i] = vals[i][:0]
	}
	for i := range entries {
		en := &entries[i]
		p := commonPrefix(prevName, en.Name)
		cols[colPrefix] = append(cols[colPrefix], byte(p))
		cols[colSuffixLen] = append(cols[colSuffixLen], byte(len(en.Name)-p))
		cols[colSuffix] = append(cols[colSuffix], en.Name[p:]...)
		prevName = en.Name
		vals[colInos] = append(vals[colInos], zigzag(int64(en.Ino-prevIno)))
		prevIno = en.Ino
		if en.Link {
			cols[colShapes] = append(cols[colShapes], shapeLink)
			continue
		}
		var shape byte
		if len(e.dict) > 1 {
			vals[colAttrs] = append(vals[colAttrs], uint64(e.index[en.Attr]))
		}
		if en.Flags != prevFlags {
			shape |= shapeFlags
			cols[colMisc] = binary.AppendUvarint(cols[colMisc], uint64(en.Flags))
			prevFlags = en.Flags
		}
		if en.Nlink != 1 {
			shape |= shapeNlink
			cols[colMisc] = binary.AppendUvarint(cols[colMisc], uint64(en.Nlink))
		}
		vals[colSizes] = append(vals[colSizes], en.Size)
		switch {
		case en.Data == 0:
		case en.Data == prevData+1:
			shape |= dNext << shapeDataShft
			prevData = en.Data
		default:
			shape |= dDelta << shapeDataShft
			vals[colData] = append(vals[colData], zigzag(int64(en.Data-prevData)))
			prevData = en.Data
		}
		// times
		msec := e.putTime(colMsecs, en.Mtime, prevMsec)
		prevMsec = msec
		var tf byte
		switch {
		case en.Ctime == en.Mtime && en.Atime == en.Mtime:
			tf = tAllEqual
		case en.Ctime == en.Mtime:
			tf = tAtime
			e.putTime(colAsecs, en.Atime, msec)
		default:
			csec := e.putTime(colCsecs, en.Ctime, msec)
			switch en.Atime {
			case en.Mtime:
				tf = tCtime
			case en.Ctime:
				tf = tCtimeAC
			default:
				tf = tBoth
				e.putTime(colAsecs, en.Atime, csec)
			}
		}
		shape |= tf
		if len(en.Extra) > 0 {
			shape |= shapeExtra
			cols[colExtra] = binary.AppendUvarint(cols[colExtra], uint64(len(en.Extra)))
			cols[colExtra] = append(cols[colExtra], en.Extra...)
		}
		cols[colShapes] = append(cols[colShapes], shape)
	}
	for _, c := range packedCols {
		cols[c] = appendPacked(cols[c], vals[c])
	}

	raw := e.raw[:0]
	for i := 0; i < nCols-1; i++ {
		if !fixedCol(i) {
			raw = binary.AppendUvarint(raw, uint64(len(cols[i])))
		}
	}
	for i := range cols {
		raw = append(raw, cols[i]...)
	}
	e.raw = raw
	return raw
}

// sample appends the dictionary-worthy columns of the last body.
func (e *encoder) sample(dst []byte) []byte {
	for _, c := range [...]int{colShapes, colPrefix, colSuffixLen, colSuffix, colAttrs, colExtra} {
		dst = append(dst, e.cols[c]...)
	}
	return dst
}

// putTime adds time t to the seconds column col (and the nanoseconds
// column), its seconds coded against base; it returns t's seconds.
func (e *encoder) putTime(col int, t, base int64) int64 {
	sec, ns := splitTime(t)
	v := zigzag(sec-base) << 1
	if ns != 0 {
		v |= 1
		e.vals[colNanos] = append(e.vals[colNanos], uint64(ns))
	}
	e.vals[col] = append(e.vals[col], v)
	return sec
}

// buildDict sets e.dict to the distinct Attr values of the nodes of
// entries, most frequent first, and e.index to their positions.
func (e *encoder) buildDict(entries []Entry) {
	clear(e.counts)
	clear(e.index)
	e.dict = e.dict[:0]
	for i := range entries {
		if en := &entries[i]; !en.Link {
			n, ok := e.counts[en.Attr]
			if !ok {
				e.dict = append(e.dict, en.Attr)
			}
			e.counts[en.Attr] = n + 1
		}
	}
	slices.SortFunc(e.dict, func(a, b uint32) int {
		if ca, cb := e.counts[a], e.counts[b]; ca != cb {
			return int(cb - ca)
		}
		if a < b {
			return -1
		}
		return 1
	})
	for i, a := range e.dict {
		e.index[a] = uint32(i)
	}
}

func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i+8 <= n && a[i:i+8] == b[i:i+8] {
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}
