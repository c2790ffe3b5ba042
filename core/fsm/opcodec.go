package fsm

import (
	"fmt"
	"math"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/fsmeta/fsmeta/core/meta"
)

// Op's msgpack form: an array of its fields in declaration order, SetAttrIn
// and Slice as arrays of theirs, written by hand (reflection cost ~4 µs an
// op). A reader skips fields past the ones it knows, so fields are only
// ever added at the end.
//
// EncodeMsgpack/DecodeMsgpack (the library's interfaces) are the
// reference; EncodeBatch/DecodeBatch use appendOp/readOp below, the same
// form over a byte slice. A field added to one is added to all four.

const opFields = 19

var _ msgpack.CustomEncoder = (*Op)(nil)
var _ msgpack.CustomDecoder = (*Op)(nil)

func (o *Op) EncodeMsgpack(e *msgpack.Encoder) error {
	try := func(err error) {
		if err != nil {
			panic(encErr{err})
		}
	}
	return catchEnc(func() {
		try(e.EncodeArrayLen(opFields))
		try(e.EncodeUint8(uint8(o.Code)))
		try(e.EncodeInt(o.Now))
		try(e.EncodeUint32(o.Uid))
		try(e.EncodeUint32(o.Gid))
		try(e.EncodeArrayLen(len(o.Groups)))
		for _, g := range o.Groups {
			try(e.EncodeUint32(g))
		}
		try(e.EncodeUint32(o.Umask))
		try(e.EncodeUint(o.Ino))
		try(e.EncodeUint(o.Ino2))
		try(e.EncodeString(o.Name))
		try(e.EncodeString(o.Name2))
		try(e.EncodeUint32(o.Mode))
		try(e.EncodeUint32(o.Flags))
		try(e.EncodeUint(o.Arg))
		try(e.EncodeUint(o.Arg2))
		try(e.EncodeUint32(o.Chunk))
		a := &o.Attr
		try(e.EncodeArrayLen(8))
		try(e.EncodeUint32(a.Mode))
		try(e.EncodeUint32(a.Uid))
		try(e.EncodeUint32(a.Gid))
		try(e.EncodeUint(a.Size))
		try(e.EncodeInt(a.Atime))
		try(e.EncodeInt(a.Mtime))
		try(e.EncodeInt(a.Ctime))
		try(e.EncodeUint32(a.Flags))
		try(encodeSlice(e, &o.Slice))
		try(e.EncodeArrayLen(len(o.Slices)))
		for i := range o.Slices {
			try(encodeSlice(e, &o.Slices[i]))
		}
		try(e.EncodeBytes(o.Value))
	})
}

func encodeSlice(e *msgpack.Encoder, s *meta.Slice) error {
	for _, err := range []error{e.EncodeArrayLen(5), e.EncodeUint32(s.Pos), e.EncodeUint(s.ID), e.EncodeUint32(s.Size),
		e.EncodeUint32(s.Off), e.EncodeUint32(s.Len)} {
		if err != nil {
			return err
		}
	}
	return nil
}

type encErr struct{ err error }

func catchEnc(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(encErr); ok {
				err = e.err
				return
			}
			panic(r)
		}
	}()
	f()
	return nil
}

func (o *Op) DecodeMsgpack(d *msgpack.Decoder) error {
	return catchEnc(func() {
		n := decLen(d, 1<<20)
		if n < opFields {
			panic(encErr{fmt.Errorf("operation with %d fields, want %d", n, opFields)})
		}
		o.Code = Code(decUint(d, 255))
		o.Now = decInt(d)
		o.Uid = uint32(decUint(d, 1<<32-1))
		o.Gid = uint32(decUint(d, 1<<32-1))
		ng := decLen(d, 1<<16)
		o.Groups = nil
		if ng > 0 {
			o.Groups = make([]uint32, ng)
			for i := range o.Groups {
				o.Groups[i] = uint32(decUint(d, 1<<32-1))
			}
		}
		o.Umask = uint32(decUint(d, 1<<32-1))
		o.Ino = decUint(d, 1<<64-1)
		o.Ino2 = decUint(d, 1<<64-1)
		o.Name = decString(d)
		o.Name2 = decString(d)
		o.Mode = uint32(decUint(d, 1<<32-1))
		o.Flags = uint32(decUint(d, 1<<32-1))
		o.Arg = decUint(d, 1<<64-1)
		o.Arg2 = decUint(d, 1<<64-1)
		o.Chunk = uint32(decUint(d, 1<<32-1))
		if k := decLen(d, 64); k < 8 {
			panic(encErr{fmt.Errorf("setattr values with %d fields", k)})
		} else {
			a := &o.Attr
			a.Mode = uint32(decUint(d, 1<<32-1))
			a.Uid = uint32(decUint(d, 1<<32-1))
			a.Gid = uint32(decUint(d, 1<<32-1))
			a.Size = decUint(d, 1<<64-1)
			a.Atime = decInt(d)
			a.Mtime = decInt(d)
			a.Ctime = decInt(d)
			a.Flags = uint32(decUint(d, 1<<32-1))
			skip(d, k-8)
		}
		decodeSlice(d, &o.Slice)
		ns := decLen(d, 1<<20)
		o.Slices = nil
		if ns > 0 {
			o.Slices = make([]meta.Slice, ns)
			for i := range o.Slices {
				decodeSlice(d, &o.Slices[i])
			}
		}
		b, err := d.DecodeBytes()
		if err != nil {
			panic(encErr{err})
		}
		o.Value = b
		skip(d, n-opFields)
	})
}

func decodeSlice(d *msgpack.Decoder, s *meta.Slice) {
	k := decLen(d, 64)
	if k < 5 {
		panic(encErr{fmt.Errorf("slice with %d fields", k)})
	}
	s.Pos = uint32(decUint(d, 1<<32-1))
	s.ID = decUint(d, 1<<64-1)
	s.Size = uint32(decUint(d, 1<<32-1))
	s.Off = uint32(decUint(d, 1<<32-1))
	s.Len = uint32(decUint(d, 1<<32-1))
	skip(d, k-5)
}

func decLen(d *msgpack.Decoder, max int) int {
	n, err := d.DecodeArrayLen()
	if err != nil {
		panic(encErr{err})
	}
	if n < 0 || n > max {
		panic(encErr{fmt.Errorf("array of %d", n)})
	}
	return n
}

func decUint(d *msgpack.Decoder, max uint64) uint64 {
	v, err := d.DecodeUint64()
	if err != nil {
		panic(encErr{err})
	}
	if v > max {
		panic(encErr{fmt.Errorf("value %d out of range", v)})
	}
	return v
}

func decInt(d *msgpack.Decoder) int64 {
	v, err := d.DecodeInt64()
	if err != nil {
		panic(encErr{err})
	}
	return v
}

func decString(d *msgpack.Decoder) string {
	s, err := d.DecodeString()
	if err != nil {
		panic(encErr{err})
	}
	return s
}

func skip(d *msgpack.Decoder, n int) {
	for ; n > 0; n-- {
		if err := d.Skip(); err != nil {
			panic(encErr{err})
		}
	}
}

// The fast path: the same form, written and read by hand over a byte slice
// (wire.go). appendOp writes the compact integer forms; readOp reads those
// and whatever the library writes. Keep these two and the two above in
// step: a field added to one is added to all four.

// Limits of the arrays in an op, as the reference decoder applies them.
const (
	maxOpFields      = 1 << 20
	maxGroups        = 1 << 16
	maxSlices        = 1 << 20
	maxSubFields     = 64 // SetAttrIn, Slice
	minOpFieldsBytes = 35 // positional: array16 header, 15 scalars, SetAttrIn (9), Slice (6), Slices, Value
	minRecordBytes   = 7  // a typed record: array header, code, now, uid, gid, groups, umask
	minSliceBytes    = 6  // array header and five values
)

// appendOp writes the code as a fixint: numOps must stay at most 128.
const _ = 127 - (numOps - 1)

// checkOp refuses what appendOp cannot write or a reader would refuse.
func checkOp(o *Op) error {
	switch {
	case o == nil:
		return fmt.Errorf("nil operation")
	case o.Code == 0 || o.Code >= numOps:
		return fmt.Errorf("unknown code %d", o.Code)
	case len(o.Groups) > maxGroups:
		return fmt.Errorf("%d groups, at most %d", len(o.Groups), maxGroups)
	case len(o.Slices) > maxSlices:
		return fmt.Errorf("%d slices, at most %d", len(o.Slices), maxSlices)
	case uint64(len(o.Name)) > math.MaxUint32 || uint64(len(o.Name2)) > math.MaxUint32 ||
		uint64(len(o.Value)) > math.MaxUint32:
		return fmt.Errorf("name or value over 4 GiB")
	}
	return nil
}

// The compact encodings of runs of zero fields, the common case (most ops
// use few fields), written and read in one step: a zero SetAttrIn, a zero
// Slice, and the fields after Mode (Flags, Arg, Arg2, Chunk, Attr, Slice,
// Slices, Value) all zero (Slices empty, Value nil).
const (
	zeroAttr  = "\x98\x00\x00\x00\x00\x00\x00\x00\x00"
	zeroSlice = "\x95\x00\x00\x00\x00\x00"
	zeroTail  = "\x00\x00\x00\x00" + zeroAttr + zeroSlice + "\x90\xc0"
)

// zeroTail tells whether o's fields after Mode encode as zeroTail.
func (o *Op) zeroTail() bool {
	a, s := &o.Attr, &o.Slice
	return uint64(o.Flags|o.Chunk|a.Mode|a.Uid|a.Gid|a.Flags|s.Pos|s.Size|s.Off|s.Len)|o.Arg|o.Arg2|a.Size|
		uint64(a.Atime|a.Mtime|a.Ctime)|s.ID == 0 && len(o.Slices) == 0 && o.Value == nil
}

// appendOp appends o's msgpack form; o has passed checkOp.
func appendOp(b []byte, o *Op) []byte {
	b = append(b, mpArray16, 0, opFields, byte(o.Code)) // a fixint: checkOp saw it below numOps
	b = appendNums(b, 1<<0, uint64(o.Now), uint64(o.Uid), uint64(o.Gid))
	b = appendArrayLen(b, len(o.Groups))
	for _, g := range o.Groups {
		b = appendUint(b, uint64(g))
	}
	b = appendNums(b, 0, uint64(o.Umask), o.Ino, o.Ino2)
	b = appendStr(b, o.Name)
	b = appendStr(b, o.Name2)
	b = appendUint(b, uint64(o.Mode))
	if o.zeroTail() {
		return append(b, zeroTail...)
	}
	b = appendNums(b, 0, uint64(o.Flags), o.Arg, o.Arg2, uint64(o.Chunk))
	if a := &o.Attr; *a == (meta.SetAttrIn{}) {
		b = append(b, zeroAttr...)
	} else {
		b = append(b, mpFixArray|8)
		b = appendNums(b, 1<<4|1<<5|1<<6, uint64(a.Mode), uint64(a.Uid), uint64(a.Gid), a.Size,
			uint64(a.Atime), uint64(a.Mtime), uint64(a.Ctime), uint64(a.Flags))
	}
	b = appendSlice(b, &o.Slice)
	b = appendArrayLen(b, len(o.Slices))
	for i := range o.Slices {
		b = appendSlice(b, &o.Slices[i])
	}
	return appendBin(b, o.Value)
}

func appendSlice(b []byte, s *meta.Slice) []byte {
	if *s == (meta.Slice{}) {
		return append(b, zeroSlice...)
	}
	b = append(b, mpFixArray|5)
	return appendNums(b, 0, uint64(s.Pos), s.ID, uint64(s.Size), uint64(s.Off), uint64(s.Len))
}

// readOp reads one op into o (which must be zero) with the reference
// decoder's checks, except the code's (DecodeBatch's); the error is in
// r.err. opsLeft, the number of ops left to read with this one, sizes the
// allocations the entry's ops share (strings, groups).
func (r *reader) readOp(o *Op, opsLeft int) {
	n := r.arrayLen(maxOpFields, 1)
	if n < opFields {
		if r.err == nil {
			r.fail(fmt.Errorf("operation with %d fields, want %d", n, opFields))
		}
		return
	}
	var v [8]uint64
	r.nums(v[:4])
	if v[0] > math.MaxUint8 || v[2]|v[3] > math.MaxUint32 {
		r.outOfRange(math.MaxUint8, v[0])
		r.outOfRange(math.MaxUint32, v[2], v[3])
	}
	o.Code, o.Now, o.Uid, o.Gid = Code(v[0]), int64(v[1]), uint32(v[2]), uint32(v[3])
	if ng := r.arrayLen(maxGroups, 1); ng > 0 {
		o.Groups = r.carveGroups(ng, opsLeft)
		r.u32s(o.Groups)
	}
	r.nums(v[:3])
	if v[0] > math.MaxUint32 {
		r.outOfRange(math.MaxUint32, v[0])
	}
	o.Umask, o.Ino, o.Ino2 = uint32(v[0]), v[1], v[2]
	o.Name = r.str(opsLeft)
	o.Name2 = r.str(opsLeft)
	r.nums(v[:1])
	if v[0] > math.MaxUint32 {
		r.outOfRange(math.MaxUint32, v[0])
	}
	o.Mode = uint32(v[0])
	if r.zeros(zeroTail) {
		r.skip(n - opFields)
		return
	}
	r.nums(v[:4])
	if v[0]|v[3] > math.MaxUint32 {
		r.outOfRange(math.MaxUint32, v[0], v[3])
	}
	o.Flags, o.Arg, o.Arg2, o.Chunk = uint32(v[0]), v[1], v[2], uint32(v[3])
	if !r.zeros(zeroAttr) && !r.readSetAttr(&o.Attr) {
		return
	}
	r.readSlice(&o.Slice)
	if ns := r.arrayLen(maxSlices, minSliceBytes); ns > 0 {
		o.Slices = make([]meta.Slice, ns)
		for i := range o.Slices {
			r.readSlice(&o.Slices[i])
		}
	}
	o.Value = r.bytes()
	r.skip(n - opFields)
}

// carveGroups returns room for n groups (n at most r.left(), as arrayLen
// checked) from the reader's slab, the ops of an entry sharing a few
// allocations; each op's slice is capped so an append cannot reach another
// op's groups.
func (r *reader) carveGroups(n, opsLeft int) []uint32 {
	if cap(r.groups)-len(r.groups) < n {
		size := max(n, min(n*opsLeft, r.left())) // every group takes a byte
		r.groups = make([]uint32, 0, size)
	}
	l := len(r.groups)
	r.groups = r.groups[:l+n]
	return r.groups[l : l+n : l+n]
}

// readSetAttr reads setattr values (an array of at least 8); it reports
// whether the array was long enough (the error is in r.err).
func (r *reader) readSetAttr(a *meta.SetAttrIn) bool {
	k := r.arrayLen(maxSubFields, 1)
	if k < 8 {
		if r.err == nil {
			r.fail(fmt.Errorf("setattr values with %d fields", k))
		}
		return false
	}
	var v [8]uint64
	r.nums(v[:])
	if v[0]|v[1]|v[2]|v[7] > math.MaxUint32 {
		r.outOfRange(math.MaxUint32, v[0], v[1], v[2], v[7])
	}
	*a = meta.SetAttrIn{Mode: uint32(v[0]), Uid: uint32(v[1]), Gid: uint32(v[2]), Size: v[3],
		Atime: int64(v[4]), Mtime: int64(v[5]), Ctime: int64(v[6]), Flags: uint32(v[7])}
	r.skip(k - 8)
	return true
}

func (r *reader) readSlice(s *meta.Slice) {
	if r.zeros(zeroSlice) {
		return
	}
	k := r.arrayLen(maxSubFields, 1)
	if k < 5 {
		if r.err == nil {
			r.fail(fmt.Errorf("slice with %d fields", k))
		}
		return
	}
	var v [5]uint64
	r.nums(v[:])
	if v[0]|v[2]|v[3]|v[4] > math.MaxUint32 {
		r.outOfRange(math.MaxUint32, v[0], v[2], v[3], v[4])
	}
	*s = meta.Slice{Pos: uint32(v[0]), ID: v[1], Size: uint32(v[2]), Off: uint32(v[3]), Len: uint32(v[4])}
	r.skip(k - 5)
}
