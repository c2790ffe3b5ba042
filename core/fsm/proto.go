package fsm

import (
	"errors"
	"fmt"
	"math"

	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/core/tree"
)

// The wire form of the operations, for a protocol that carries every one of
// them (the replicated service's): driven by the same description as the
// log, so there is no second codec to keep in step.
//
// A request is a typed record (record.go): a change's record is what the log
// holds, a read's has the read's code (from readBase: never logged).
// AppendRequest and ReadRequest write and read one.
//
// A reply is a msgpack array [errno, value...] whose values are those of the
// operation's result kind (docs/log-format.md); a failed operation's reply
// is [errno] alone. AppendReply and ReadReply write and read one. A reader
// skips values after the ones it knows, so a later version may add some.

// ErrUnknownOp is the error of a request whose operation code this build
// does not know (ReadRequest wraps it): a server answers ENOSYS.
var ErrUnknownOp = errors.New("unknown operation")

// Reply is what an operation answers on the wire: its errno and the value of
// its result kind (the other fields stay zero).
type Reply struct {
	Errno   meta.Errno
	Attr    meta.Attr       // RAttr
	ID      uint64          // RID
	Slices  []meta.Slice    // RSlices
	Bytes   []byte          // RBytes
	Names   []string        // RNames
	Entries []meta.DirEntry // REntries, with Cursor
	Cursor  uint64          // REntries: where the next listing starts (0: the end)
	StatFS  meta.StatFS     // RStatFS
	Chunks  []uint32        // RChunks
}

// ReplyOf returns the reply of a change that was applied with result r.
func ReplyOf(r *Result) Reply {
	return Reply{Errno: r.Errno, Attr: r.Attr, ID: r.ID, Slices: r.Slices}
}

// Read runs the read o names (o.Code a read's code) against t.
func Read(t *tree.Tree, o *Op) Reply {
	d := descOf(o.Code)
	if d == nil || d.read == nil {
		return Reply{Errno: meta.ENOSYS}
	}
	if e := validateRead(d, o); e != 0 {
		return Reply{Errno: e}
	}
	return d.read(t, o.Caller(), o)
}

// validateRead refuses what the tree leaves to its callers to check (the
// tree checks the rest of a read's arguments itself).
func validateRead(_ *Desc, o *Op) meta.Errno {
	if len(o.Groups) > meta.MaxGroups {
		return meta.EINVAL
	}
	return 0
}

// AppendRequest appends o's request: its typed record (a change or a read).
// It fails on an unknown code or a field the operation does not use.
func AppendRequest(b []byte, o *Op) ([]byte, error) {
	d := descOf(o.Code)
	if d == nil {
		return b, fmt.Errorf("fsm: unknown operation code %d", o.Code)
	}
	if f := o.strayFieldOf(d); f != 0 {
		return b, fmt.Errorf("fsm: operation %s sets %s, which it does not use", o.Code, f)
	}
	return appendRecord(b, o, d), nil
}

// ReadRequest reads one request from the front of b: a change's or a read's
// record. It returns the op and the bytes after it.
func ReadRequest(b []byte) (Op, []byte, error) {
	var o Op
	r := reader{b: b}
	r.readRecordOf(&o, 1, true)
	if r.err != nil {
		return Op{}, nil, fmt.Errorf("fsm: request: %w", r.err)
	}
	return o, b[r.off:], nil
}

// attrFields is the number of values of an Attr on the wire.
const attrFields = 11

// AppendReply appends r as the reply of an operation whose result is of
// kind k.
func AppendReply(b []byte, k ResultKind, r *Reply) []byte {
	if r.Errno != 0 || k == RNone {
		b = append(b, mpFixArray|1)
		return appendUint(b, uint64(r.Errno))
	}
	n := 2
	if k == REntries {
		n = 3
	}
	b = append(b, mpFixArray|byte(n), 0)
	switch k {
	case RAttr:
		b = appendAttr(b, &r.Attr)
	case RID:
		b = appendUint(b, r.ID)
	case RSlices:
		b = appendArrayLen(b, len(r.Slices))
		for i := range r.Slices {
			b = appendSlice(b, &r.Slices[i])
		}
	case RBytes:
		if r.Bytes == nil { // present but empty: not nil on the other side
			b = append(b, mpBin8, 0)
		} else {
			b = appendBin(b, r.Bytes)
		}
	case RNames:
		b = appendArrayLen(b, len(r.Names))
		for _, s := range r.Names {
			b = appendStr(b, s)
		}
	case REntries:
		b = appendArrayLen(b, len(r.Entries))
		for i := range r.Entries {
			e := &r.Entries[i]
			if e.Attr.Ino != 0 {
				b = append(b, mpFixArray|4)
			} else {
				b = append(b, mpFixArray|3)
			}
			b = appendStr(b, e.Name)
			b = appendNums(b, 0, uint64(e.Ino), uint64(e.Type))
			if e.Attr.Ino != 0 {
				b = appendAttr(b, &e.Attr)
			}
		}
		b = appendUint(b, r.Cursor)
	case RStatFS:
		s := &r.StatFS
		b = append(b, mpFixArray|5)
		b = appendNums(b, 0, s.TotalSpace, s.AvailSpace, s.UsedSpace, s.Inodes, s.AvailInodes)
	case RChunks:
		b = appendArrayLen(b, len(r.Chunks))
		for _, c := range r.Chunks {
			b = appendUint(b, uint64(c))
		}
	default:
		panic("fsm: unknown result kind")
	}
	return b
}

func appendAttr(b []byte, a *meta.Attr) []byte {
	b = append(b, mpFixArray|attrFields)
	return appendNums(b, 1<<8|1<<9|1<<10, uint64(a.Ino), uint64(a.Mode), uint64(a.Nlink), uint64(a.Uid), uint64(a.Gid),
		uint64(a.Rdev), uint64(a.Flags), a.Size, uint64(a.Atime), uint64(a.Mtime), uint64(a.Ctime))
}

// Bounds of what a reply may hold (a reader allocates no more).
const (
	maxReplyNames   = 1 << 20
	maxReplyChunks  = 1 << 26
	maxReplyEntries = 1 << 20
)

// ReadReply reads a reply of kind k from the front of b; it returns the
// reply and the bytes after it.
func ReadReply(b []byte, k ResultKind) (Reply, []byte, error) {
	var out Reply
	r := reader{b: b}
	n := r.arrayLen(maxOpFields, 1)
	if r.err == nil && n < 1 {
		r.fail(fmt.Errorf("reply with no errno"))
	}
	e := r.u64()
	if e > math.MaxUint16 && r.err == nil {
		r.outOfRange(math.MaxUint16, e)
	}
	out.Errno = meta.Errno(e)
	n--
	if r.err == nil && out.Errno == 0 && k != RNone {
		want := 1
		if k == REntries {
			want = 2
		}
		if n < want {
			r.fail(fmt.Errorf("%s reply with %d values, want %d", k, n, want))
		}
		n -= want
		r.readValue(&out, k)
	}
	if n > 0 {
		r.skip(n)
	}
	if r.err != nil {
		return Reply{}, nil, fmt.Errorf("fsm: %s reply: %w", k, r.err)
	}
	return out, b[r.off:], nil
}

func (r *reader) readValue(out *Reply, k ResultKind) {
	switch k {
	case RAttr:
		r.readAttr(&out.Attr)
	case RID:
		out.ID = r.u64()
	case RSlices:
		if ns := r.arrayLen(maxSlices, minSliceBytes); ns > 0 {
			out.Slices = make([]meta.Slice, ns)
			for i := range out.Slices {
				r.readSlice(&out.Slices[i])
			}
		}
	case RBytes:
		out.Bytes = r.bytes()
	case RNames:
		if nn := r.arrayLen(maxReplyNames, 1); nn > 0 {
			out.Names = make([]string, nn)
			for i := range out.Names {
				out.Names[i] = r.str(nn - i)
			}
		}
	case REntries:
		if ne := r.arrayLen(maxReplyEntries, 4); ne > 0 {
			out.Entries = make([]meta.DirEntry, ne)
			for i := range out.Entries {
				e := &out.Entries[i]
				m := r.arrayLen(maxOpFields, 1)
				if m < 3 {
					if r.err == nil {
						r.fail(fmt.Errorf("directory entry with %d values", m))
					}
					return
				}
				e.Name = r.str(ne - i)
				e.Ino = meta.Ino(r.u64())
				e.Type = r.u32()
				if m > 3 {
					r.readAttr(&e.Attr)
					r.skip(m - 4)
				}
			}
		}
		out.Cursor = r.u64()
	case RStatFS:
		m := r.arrayLen(maxOpFields, 1)
		if m < 5 && r.err == nil {
			r.fail(fmt.Errorf("statfs with %d values", m))
			return
		}
		var v [5]uint64
		r.nums(v[:])
		s := &out.StatFS
		s.TotalSpace, s.AvailSpace, s.UsedSpace, s.Inodes, s.AvailInodes = v[0], v[1], v[2], v[3], v[4]
		r.skip(m - 5)
	case RChunks:
		if nc := r.arrayLen(maxReplyChunks, 1); nc > 0 {
			out.Chunks = make([]uint32, nc)
			r.u32s(out.Chunks)
		}
	}
}

func (r *reader) readAttr(a *meta.Attr) {
	m := r.arrayLen(maxOpFields, 1)
	if m < attrFields {
		if r.err == nil {
			r.fail(fmt.Errorf("attributes with %d values, want %d", m, attrFields))
		}
		return
	}
	var v [attrFields]uint64
	r.nums(v[:])
	if v[1]|v[2]|v[3]|v[4]|v[5]|v[6] > math.MaxUint32 {
		r.outOfRange(math.MaxUint32, v[1], v[2], v[3], v[4], v[5], v[6])
	}
	*a = meta.Attr{Ino: meta.Ino(v[0]), Mode: uint32(v[1]), Nlink: uint32(v[2]), Uid: uint32(v[3]), Gid: uint32(v[4]),
		Rdev: uint32(v[5]), Flags: uint32(v[6]), Size: v[7], Atime: int64(v[8]), Mtime: int64(v[9]), Ctime: int64(v[10])}
	r.skip(m - attrFields)
}
