package fsm

import (
	"fmt"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/fsmeta/fsmeta/core/meta"
)

// Op's msgpack form: an array of its fields in declaration order, SetAttrIn
// and Slice as arrays of theirs, written by hand (reflection cost ~4 µs an
// op). A reader skips fields past the ones it knows, so fields are only
// ever added at the end.

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
