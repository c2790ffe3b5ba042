package fsm

import (
	"fmt"
	"math"

	"github.com/fsmeta/fsmeta/core/meta"
)

// Typed records (log entry codec version 3, and the form of a request on the
// wire): each operation is written as its own record, laid out by its
// description (optable.go), not as the 19 positional fields of Op:
//
//	[code, now, uid, gid, [groups...], umask, param1, param2, ...]
//
// a msgpack array whose parameters are those of the operation's
// description, in its order, each in the form of its type (inode numbers,
// counts and flags as integers, names and paths as strings, values as bin,
// setattr values, slices and lists of slices as arrays: docs/log-format.md).
// A reader skips elements after the ones it knows, so a later version may
// add parameters at the end of an operation's list. Fields an operation
// does not use are not written (and read back zero).

// recordHeader is the number of elements before the parameters.
const recordHeader = 6

// AppendRecord appends o's typed record (o, a change, has passed checkOp).
func AppendRecord(b []byte, o *Op) []byte { return appendRecord(b, o, &changes[o.Code]) }

func appendRecord(b []byte, o *Op, d *Desc) []byte {
	b = appendArrayLen(b, recordHeader+len(d.Params))
	b = appendUint(b, uint64(o.Code))
	b = appendNums(b, 1<<0, uint64(o.Now), uint64(o.Uid), uint64(o.Gid))
	b = appendArrayLen(b, len(o.Groups))
	for _, g := range o.Groups {
		b = appendUint(b, uint64(g))
	}
	b = appendUint(b, uint64(o.Umask))
	for _, p := range d.Params {
		b = appendParam(b, o, p.Field)
	}
	return b
}

func appendParam(b []byte, o *Op, f Field) []byte {
	switch f {
	case FIno:
		return appendUint(b, o.Ino)
	case FIno2:
		return appendUint(b, o.Ino2)
	case FName:
		return appendStr(b, o.Name)
	case FName2:
		return appendStr(b, o.Name2)
	case FMode:
		return appendUint(b, uint64(o.Mode))
	case FFlags:
		return appendUint(b, uint64(o.Flags))
	case FArg:
		return appendUint(b, o.Arg)
	case FArg2:
		return appendUint(b, o.Arg2)
	case FChunk:
		return appendUint(b, uint64(o.Chunk))
	case FAttr:
		a := &o.Attr
		b = append(b, mpFixArray|8)
		return appendNums(b, 1<<4|1<<5|1<<6, uint64(a.Mode), uint64(a.Uid), uint64(a.Gid), a.Size,
			uint64(a.Atime), uint64(a.Mtime), uint64(a.Ctime), uint64(a.Flags))
	case FSlice:
		return appendSlice(b, &o.Slice)
	case FSlices:
		b = appendArrayLen(b, len(o.Slices))
		for i := range o.Slices {
			b = appendSlice(b, &o.Slices[i])
		}
		return b
	case FValue:
		return appendBin(b, o.Value)
	}
	panic("fsm: unknown field")
}

// readRecord reads one typed record of a change into o (which must be
// zero); the error is in r.err.
func (r *reader) readRecord(o *Op, opsLeft int) { r.readRecordOf(o, opsLeft, false) }

// readRecordOf reads a change's record, or with reads a read's too.
func (r *reader) readRecordOf(o *Op, opsLeft int, reads bool) {
	n := r.arrayLen(maxOpFields, 1)
	if r.err != nil {
		return
	}
	if n < recordHeader {
		r.fail(fmt.Errorf("operation record with %d elements", n))
		return
	}
	var v [4]uint64
	r.nums(v[:4])
	if v[0] > math.MaxUint8 || v[2]|v[3] > math.MaxUint32 {
		r.outOfRange(math.MaxUint8, v[0])
		r.outOfRange(math.MaxUint32, v[2], v[3])
	}
	o.Code, o.Now, o.Uid, o.Gid = Code(v[0]), int64(v[1]), uint32(v[2]), uint32(v[3])
	if r.err != nil {
		return
	}
	d := descOf(o.Code)
	if d == nil || !d.Changes && !reads {
		r.fail(fmt.Errorf("%w: code %d", ErrUnknownOp, o.Code))
		return
	}
	if ng := r.arrayLen(maxGroups, 1); ng > 0 {
		o.Groups = r.carveGroups(ng, opsLeft)
		r.u32s(o.Groups)
	}
	o.Umask = r.u32()
	params := d.Params
	if n < recordHeader+len(params) {
		if r.err == nil {
			r.fail(fmt.Errorf("%s record with %d parameters, want %d", o.Code, n-recordHeader, len(params)))
		}
		return
	}
	for _, p := range params {
		r.readParam(o, p.Field, opsLeft)
	}
	r.skip(n - recordHeader - len(params))
}

func (r *reader) u32() uint32 {
	var v [1]uint64
	r.nums(v[:])
	if v[0] > math.MaxUint32 {
		r.outOfRange(math.MaxUint32, v[0])
	}
	return uint32(v[0])
}

func (r *reader) u64() uint64 {
	var v [1]uint64
	r.nums(v[:])
	return v[0]
}

func (r *reader) readParam(o *Op, f Field, opsLeft int) {
	switch f {
	case FIno:
		o.Ino = r.u64()
	case FIno2:
		o.Ino2 = r.u64()
	case FName:
		o.Name = r.str(opsLeft)
	case FName2:
		o.Name2 = r.str(opsLeft)
	case FMode:
		o.Mode = r.u32()
	case FFlags:
		o.Flags = r.u32()
	case FArg:
		o.Arg = r.u64()
	case FArg2:
		o.Arg2 = r.u64()
	case FChunk:
		o.Chunk = r.u32()
	case FAttr:
		r.readSetAttr(&o.Attr)
	case FSlice:
		r.readSlice(&o.Slice)
	case FSlices:
		if ns := r.arrayLen(maxSlices, minSliceBytes); ns > 0 {
			o.Slices = make([]meta.Slice, ns)
			for i := range o.Slices {
				r.readSlice(&o.Slices[i])
			}
		}
	case FValue:
		o.Value = r.bytes()
	}
}

// ReadRecord reads one typed record from the front of b (the wire form of a
// request); it returns the op and the bytes after it.
func ReadRecord(b []byte) (Op, []byte, error) {
	var o Op
	r := reader{b: b}
	r.readRecord(&o, 1)
	if r.err != nil {
		return Op{}, nil, fmt.Errorf("fsm: operation record: %w", r.err)
	}
	return o, b[r.off:], nil
}

// lean returns o with only the fields its description lists (what a typed
// record carries).
func lean(o *Op) Op {
	out := Op{Code: o.Code, Now: o.Now, Uid: o.Uid, Gid: o.Gid, Groups: o.Groups, Umask: o.Umask}
	d := descOf(o.Code)
	if d == nil {
		return out
	}
	for _, p := range d.Params {
		switch p.Field {
		case FIno:
			out.Ino = o.Ino
		case FIno2:
			out.Ino2 = o.Ino2
		case FName:
			out.Name = o.Name
		case FName2:
			out.Name2 = o.Name2
		case FMode:
			out.Mode = o.Mode
		case FFlags:
			out.Flags = o.Flags
		case FArg:
			out.Arg = o.Arg
		case FArg2:
			out.Arg2 = o.Arg2
		case FChunk:
			out.Chunk = o.Chunk
		case FAttr:
			out.Attr = o.Attr
		case FSlice:
			out.Slice = o.Slice
		case FSlices:
			out.Slices = o.Slices
		case FValue:
			out.Value = o.Value
		}
	}
	return out
}
