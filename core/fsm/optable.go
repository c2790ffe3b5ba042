package fsm

import (
	"fmt"

	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/core/tree"
)

// The one description of the operations. Every operation of the engine is
// declared here once: its name, its parameters (each with the Op field that
// carries it in a log entry and its type), its result, whether it changes
// the state (and so goes through the log), and the errors it may return.
// Driven by it: the dispatch in Apply (Desc.apply), the check of which
// fields an operation may set before it is logged (EncodeBatch refuses
// others), argument validation (validate.go: Desc.checks), and the table of
// the log encoding in docs/log-format.md (FormatTable; a test keeps the file
// up to date).
//
// Changes (logged) have codes below numOps, part of the log format: never
// reuse one. Reads are described too (Code 0: never logged), so that a
// protocol carrying every operation has their shapes.

// Field names a field of Op.
type Field uint8

const (
	FIno Field = iota + 1
	FIno2
	FName
	FName2
	FMode
	FFlags
	FArg
	FArg2
	FChunk
	FAttr
	FSlice
	FSlices
	FValue
)

var fieldNames = [...]string{"", "Ino", "Ino2", "Name", "Name2", "Mode", "Flags", "Arg", "Arg2", "Chunk", "Attr",
	"Slice", "Slices", "Value"}

func (f Field) String() string { return fieldNames[f] }

// Type is a parameter's type: how it is checked and encoded.
type Type uint8

const (
	TIno     Type = iota + 1 // inode number, u64
	TName                    // a directory entry name: 1..255 bytes, no '/' or NUL, not . or ..
	TTarget                  // a symlink target: 1..4095 bytes, no NUL
	TPath                    // a path: at most 4096 bytes
	TXName                   // an xattr name: 1..255 bytes with a namespace prefix
	TBytes                   // a byte string (xattr value: at most 65536)
	TU32                     // mode, mask, flags
	TU64                     // offset, length, count
	TSetAttr                 // the values of a setattr (meta.SetAttrIn)
	TSlice                   // one slice (meta.Slice)
	TSlices                  // a list of slices
)

var typeNames = [...]string{"", "ino", "name", "target", "path", "xattr name", "bytes", "u32", "u64", "setattr",
	"slice", "slices"}

func (t Type) String() string { return typeNames[t] }

// Param is one parameter of an operation.
type Param struct {
	Name  string // its name in the API
	Field Field  // the Op field that carries it (changes only)
	Type  Type
}

// ResultKind is what an operation answers besides its errno.
type ResultKind uint8

const (
	RNone    ResultKind = iota
	RAttr               // the attributes of the inode changed or made
	RID                 // a number (the first new slice id)
	RSlices             // a list of slices
	RBytes              // a byte string (readlink, getxattr)
	RNames              // a list of names (listxattr)
	REntries            // directory entries and a cursor (readdir)
	RStatFS             // file-system figures
	RChunks             // chunk indexes
)

var resultNames = [...]string{"none", "attr", "id", "slices", "bytes", "names", "entries", "statfs", "chunks"}

func (r ResultKind) String() string { return resultNames[r] }

// Desc describes one operation.
type Desc struct {
	Code    Code // the log's code; for a read, its code on the wire (from readBase)
	Name    string
	Params  []Param
	Result  ResultKind
	Changes bool
	Errors  []meta.Errno
	// API names the operation in the SDKs: the Go method of sdk.DB, and the
	// C function fsmeta_<C> (empty: no C function of its own). cmd/fsmeta-gen
	// generates the C API's export for an operation whose parameters all
	// have simple types, and checks the header's prototype against this.
	Method, C string
	CByHand   bool                                             // the C export is written by hand (it converts more than the types say)
	checks    []argCheck                                       // arguments' checks, in the tree's order (validate.go)
	apply     func(t *tree.Tree, c *meta.Caller, o *Op) Result // changes only
	read      func(t *tree.Tree, c *meta.Caller, o *Op) Reply  // reads only
}

func p(name string, f Field, t Type) Param { return Param{name, f, t} }

// Common error sets.
var (
	eEntry  = []meta.Errno{meta.ENOENT, meta.ENOTDIR, meta.EACCES, meta.EPERM, meta.ENAMETOOLONG, meta.EINVAL, meta.ENOSPC}
	eCreate = append([]meta.Errno{meta.EEXIST, meta.EMLINK}, eEntry...)
	eInode  = []meta.Errno{meta.ENOENT, meta.EACCES, meta.EPERM, meta.EINVAL}
)

// Changes, indexed by code.
var changes = [numOps]Desc{
	OpSetAttr: {Name: "setattr", Method: "SetAttr", C: "setattr", checks: []argCheck{setAttrArgs}, Params: []Param{p("ino", FIno, TIno), p("mask", FMode, TU32), p("values", FAttr, TSetAttr)},
		Result: RAttr, Errors: append([]meta.Errno{meta.EFBIG, meta.EISDIR}, eInode...),
		apply: func(t *tree.Tree, c *meta.Caller, o *Op) (r Result) {
			r.Attr, r.Errno = t.SetAttr(c, o.Now, meta.Ino(o.Ino), o.Mode, &o.Attr)
			return
		}},
	OpMknod: {Name: "mknod", Method: "Mknod", C: "mknod", checks: []argCheck{mknodType, entryName}, Params: []Param{p("parent", FIno, TIno), p("name", FName, TName), p("mode", FMode, TU32), p("rdev", FFlags, TU32)},
		Result: RAttr, Errors: eCreate,
		apply: func(t *tree.Tree, c *meta.Caller, o *Op) (r Result) {
			r.Attr, r.Errno = t.Mknod(c, o.Now, meta.Ino(o.Ino), o.Name, o.Mode, o.Flags)
			return
		}},
	OpMkdir: {Name: "mkdir", Method: "Mkdir", C: "mkdir", checks: []argCheck{entryName}, Params: []Param{p("parent", FIno, TIno), p("name", FName, TName), p("mode", FMode, TU32)},
		Result: RAttr, Errors: eCreate,
		apply: func(t *tree.Tree, c *meta.Caller, o *Op) (r Result) {
			r.Attr, r.Errno = t.Mkdir(c, o.Now, meta.Ino(o.Ino), o.Name, o.Mode)
			return
		}},
	OpSymlink: {Name: "symlink", Method: "Symlink", C: "symlink", checks: []argCheck{symlinkTarget, entryName}, Params: []Param{p("parent", FIno, TIno), p("name", FName, TName), p("target", FName2, TTarget)},
		Result: RAttr, Errors: eCreate,
		apply: func(t *tree.Tree, c *meta.Caller, o *Op) (r Result) {
			r.Attr, r.Errno = t.Symlink(c, o.Now, meta.Ino(o.Ino), o.Name, o.Name2)
			return
		}},
	OpLink: {Name: "link", Method: "Link", C: "link", checks: []argCheck{entryName}, Params: []Param{p("ino", FIno, TIno), p("new_parent", FIno2, TIno), p("new_name", FName, TName)},
		Result: RAttr, Errors: append([]meta.Errno{meta.EEXIST, meta.EMLINK}, eEntry...),
		apply: func(t *tree.Tree, c *meta.Caller, o *Op) (r Result) {
			r.Attr, r.Errno = t.Link(c, o.Now, meta.Ino(o.Ino), meta.Ino(o.Ino2), o.Name)
			return
		}},
	OpUnlink: {Name: "unlink", Method: "Unlink", C: "unlink", checks: []argCheck{entryName}, Params: []Param{p("parent", FIno, TIno), p("name", FName, TName)},
		Errors: append([]meta.Errno{meta.EISDIR}, eEntry...),
		apply: func(t *tree.Tree, c *meta.Caller, o *Op) (r Result) {
			r.Errno = t.Unlink(c, o.Now, meta.Ino(o.Ino), o.Name)
			return
		}},
	OpRmdir: {Name: "rmdir", Method: "Rmdir", C: "rmdir", checks: []argCheck{entryName}, Params: []Param{p("parent", FIno, TIno), p("name", FName, TName)},
		Errors: append([]meta.Errno{meta.ENOTEMPTY, meta.EBUSY}, eEntry...),
		apply: func(t *tree.Tree, c *meta.Caller, o *Op) (r Result) {
			r.Errno = t.Rmdir(c, o.Now, meta.Ino(o.Ino), o.Name)
			return
		}},
	OpRename: {Name: "rename", Method: "Rename", C: "rename", checks: []argCheck{renameFlags, entryName, entryName2}, Params: []Param{p("parent", FIno, TIno), p("name", FName, TName), p("new_parent", FIno2, TIno),
		p("new_name", FName2, TName), p("flags", FFlags, TU32)},
		Errors: append([]meta.Errno{meta.EEXIST, meta.ENOTEMPTY, meta.EISDIR, meta.EXDEV, meta.EBUSY}, eEntry...),
		apply: func(t *tree.Tree, c *meta.Caller, o *Op) (r Result) {
			r.Errno = t.Rename(c, o.Now, meta.Ino(o.Ino), o.Name, meta.Ino(o.Ino2), o.Name2, o.Flags)
			return
		}},
	OpSetXattr: {Name: "setxattr", Method: "SetXattr", C: "setxattr", checks: []argCheck{xattrName, xattrFlags, xattrSize}, Params: []Param{p("ino", FIno, TIno), p("name", FName, TXName), p("value", FValue, TBytes), p("flags", FFlags, TU32)},
		Errors: append([]meta.Errno{meta.EEXIST, meta.ENODATA, meta.E2BIG, meta.ERANGE, meta.EOPNOTSUPP}, eInode...),
		apply: func(t *tree.Tree, c *meta.Caller, o *Op) (r Result) {
			r.Errno = t.SetXattr(c, o.Now, meta.Ino(o.Ino), o.Name, o.Value, o.Flags)
			return
		}},
	OpRemoveXattr: {Name: "removexattr", Method: "RemoveXattr", C: "removexattr", checks: []argCheck{xattrName}, Params: []Param{p("ino", FIno, TIno), p("name", FName, TXName)},
		Errors: append([]meta.Errno{meta.ENODATA, meta.ERANGE, meta.EOPNOTSUPP}, eInode...),
		apply: func(t *tree.Tree, c *meta.Caller, o *Op) (r Result) {
			r.Errno = t.RemoveXattr(c, o.Now, meta.Ino(o.Ino), o.Name)
			return
		}},
	OpFallocate: {Name: "fallocate", Method: "Fallocate", C: "fallocate", checks: []argCheck{fallocArgs}, Params: []Param{p("ino", FIno, TIno), p("mode", FMode, TU32), p("offset", FArg, TU64), p("length", FArg2, TU64)},
		Result: RAttr, Errors: append([]meta.Errno{meta.EFBIG, meta.EISDIR, meta.EOPNOTSUPP}, eInode...),
		apply: func(t *tree.Tree, c *meta.Caller, o *Op) (r Result) {
			r.Attr, r.Errno = t.Fallocate(c, o.Now, meta.Ino(o.Ino), o.Mode, o.Arg, o.Arg2)
			return
		}},
	OpOpenFile: {Name: "open", Method: "OpenFile", C: "file_open", checks: []argCheck{openFlags}, Params: []Param{p("ino", FIno, TIno), p("flags", FMode, TU32)},
		Result: RAttr, Errors: append([]meta.Errno{meta.EISDIR}, eInode...),
		apply: func(t *tree.Tree, c *meta.Caller, o *Op) (r Result) {
			r.Attr, r.Errno = t.Open(c, o.Now, meta.Ino(o.Ino), o.Mode)
			return
		}},
	OpCloseFile: {Name: "release", Method: "CloseFile", C: "file_close", Params: []Param{p("ino", FIno, TIno)},
		Errors: []meta.Errno{meta.ENOENT, meta.EBADF},
		apply: func(t *tree.Tree, c *meta.Caller, o *Op) (r Result) {
			r.Errno = t.Release(c, meta.Ino(o.Ino))
			return
		}},
	OpNewSliceID: {Name: "newslice", Method: "NewSliceID", C: "slice_id_new", checks: []argCheck{sliceCount}, Params: []Param{p("count", FArg, TU32)},
		Result: RID, Errors: []meta.Errno{meta.EINVAL, meta.ENOSPC},
		apply: func(t *tree.Tree, c *meta.Caller, o *Op) (r Result) {
			r.ID, r.Errno = t.NewSliceID(c, uint32(o.Arg))
			return
		}},
	OpWriteSlice: {Name: "write", Method: "WriteSlice", C: "slice_write", checks: []argCheck{writeSlice}, Params: []Param{p("ino", FIno, TIno), p("chunk", FChunk, TU32), p("slice", FSlice, TSlice)},
		Result: RAttr, Errors: append([]meta.Errno{meta.EFBIG, meta.EISDIR, meta.ENOSPC}, eInode...),
		apply: func(t *tree.Tree, c *meta.Caller, o *Op) (r Result) {
			r.Attr, r.Errno = t.WriteSlice(c, o.Now, meta.Ino(o.Ino), o.Chunk, o.Slice)
			return
		}},
	OpCompactChunk: {Name: "compact", Method: "CompactChunk", C: "chunk_compact", checks: []argCheck{replacedCount}, Params: []Param{p("ino", FIno, TIno), p("chunk", FChunk, TU32), p("replaced", FSlices, TSlices),
		p("with", FSlice, TSlice)},
		Result: RSlices, Errors: append([]meta.Errno{meta.EAGAIN, meta.EISDIR, meta.ENOSPC}, eInode...),
		apply: func(t *tree.Tree, c *meta.Caller, o *Op) (r Result) {
			r.Slices, r.Errno = t.CompactChunk(c, meta.Ino(o.Ino), o.Chunk, o.Slices, o.Slice)
			return
		}},
	OpMkdirAll: {Name: "mkdirall", Method: "MkdirAll", C: "mkdir_all", checks: []argCheck{pathLen}, Params: []Param{p("path", FName, TPath), p("mode", FMode, TU32)},
		Result: RAttr, Errors: append([]meta.Errno{meta.EEXIST, meta.ELOOP}, eEntry...),
		apply: func(t *tree.Tree, c *meta.Caller, o *Op) (r Result) {
			r.Attr, r.Errno = t.MkdirAll(c, o.Now, o.Name, o.Mode)
			return
		}},
}

// reads: the operations that read the state (never logged). Their codes,
// from readBase up, name them in a request on the wire (never in the log:
// the log's reader refuses them); their parameters travel in the Op fields
// listed here, as a change's do.
var reads = []Desc{
	{Name: "lookup", Method: "Lookup", C: "lookup", Params: []Param{p("parent", FIno, TIno), p("name", FName, TName)}, Result: RAttr, Errors: eEntry,
		read: func(t *tree.Tree, c *meta.Caller, o *Op) (r Reply) {
			r.Attr, r.Errno = t.Lookup(c, meta.Ino(o.Ino), o.Name)
			return
		}},
	{Name: "getattr", Method: "GetAttr", C: "getattr", Params: []Param{p("ino", FIno, TIno)}, Result: RAttr, Errors: []meta.Errno{meta.ENOENT},
		read: func(t *tree.Tree, c *meta.Caller, o *Op) (r Reply) {
			r.Attr, r.Errno = t.GetAttr(c, meta.Ino(o.Ino))
			return
		}},
	{Name: "access", Method: "Access", C: "access", Params: []Param{p("ino", FIno, TIno), p("mask", FMode, TU32)}, Errors: eInode,
		read: func(t *tree.Tree, c *meta.Caller, o *Op) (r Reply) {
			r.Errno = t.Access(c, meta.Ino(o.Ino), o.Mode)
			return
		}},
	{Name: "readlink", Method: "Readlink", C: "readlink", Params: []Param{p("ino", FIno, TIno)}, Result: RBytes, Errors: eInode,
		read: func(t *tree.Tree, c *meta.Caller, o *Op) (r Reply) {
			s, e := t.Readlink(c, meta.Ino(o.Ino))
			return Reply{Errno: e, Bytes: []byte(s)}
		}},
	{Name: "readdir", Method: "ReadDir", C: "dir_open", Params: []Param{p("ino", FIno, TIno), p("cursor", FArg, TU64), p("limit", FArg2, TU64),
		p("plus", FFlags, TU32)}, Result: REntries, Errors: append([]meta.Errno{meta.ENOTDIR}, eInode...),
		read: func(t *tree.Tree, c *meta.Caller, o *Op) (r Reply) {
			limit := int(min(o.Arg2, MaxReadDir))
			if limit == 0 {
				limit = MaxReadDir
			}
			r.Entries, r.Cursor, r.Errno = t.ReadDir(c, meta.Ino(o.Ino), o.Arg, limit, o.Flags != 0, nil)
			return
		}},
	{Name: "statfs", Method: "StatFS", C: "statfs", Result: RStatFS,
		read: func(t *tree.Tree, c *meta.Caller, o *Op) (r Reply) {
			r.StatFS, r.Errno = t.StatFS(c)
			return
		}},
	{Name: "getxattr", Method: "GetXattr", C: "getxattr", Params: []Param{p("ino", FIno, TIno), p("name", FName, TXName)}, Result: RBytes,
		Errors: append([]meta.Errno{meta.ENODATA, meta.ERANGE, meta.EOPNOTSUPP}, eInode...),
		read: func(t *tree.Tree, c *meta.Caller, o *Op) (r Reply) {
			r.Bytes, r.Errno = t.GetXattr(c, meta.Ino(o.Ino), o.Name)
			return
		}},
	{Name: "listxattr", Method: "ListXattr", C: "listxattr", Params: []Param{p("ino", FIno, TIno)}, Result: RNames, Errors: eInode,
		read: func(t *tree.Tree, c *meta.Caller, o *Op) (r Reply) {
			r.Names, r.Errno = t.ListXattr(c, meta.Ino(o.Ino))
			return
		}},
	{Name: "read_chunk", Method: "ReadChunk", C: "chunk_read", Params: []Param{p("ino", FIno, TIno), p("chunk", FChunk, TU32)}, Result: RSlices, Errors: append([]meta.Errno{meta.EISDIR}, eInode...),
		read: func(t *tree.Tree, c *meta.Caller, o *Op) (r Reply) {
			r.Slices, r.Errno = t.ReadChunk(c, meta.Ino(o.Ino), o.Chunk)
			return
		}},
	{Name: "chunk_indexes", Method: "ChunkIndexes", C: "", Params: []Param{p("ino", FIno, TIno)}, Result: RChunks, Errors: append([]meta.Errno{meta.EISDIR}, eInode...),
		read: func(t *tree.Tree, c *meta.Caller, o *Op) (r Reply) {
			r.Chunks, r.Errno = t.ChunkIndexes(c, meta.Ino(o.Ino))
			return
		}},
	{Name: "resolve", Method: "Resolve", C: "resolve", CByHand: true, Params: []Param{p("path", FName, TPath), p("flags", FFlags, TU32)}, Result: RAttr,
		Errors: append([]meta.Errno{meta.ELOOP}, eEntry...),
		read: func(t *tree.Tree, c *meta.Caller, o *Op) (r Reply) {
			r.Attr, r.Errno = t.Resolve(c, o.Name, o.Flags&ResolveFollow != 0)
			return
		}},
}

// readBase is the wire code of the first read; reads' codes follow in the
// order of reads. Part of the wire protocol: never reuse or reorder one.
const readBase Code = 128

// MaxReadDir is the most entries one readdir request returns (a limit of
// 0 asks for this many).
const MaxReadDir = 4096

// ResolveFollow is resolve's flag that follows a symlink in the last
// component (FSMETA_RESOLVE_FOLLOW).
const ResolveFollow = 0x1

func init() {
	for c := Code(1); c < numOps; c++ {
		d := &changes[c]
		d.Code, d.Changes = c, true
		if d.Name == "" || d.apply == nil {
			panic("fsm: the table of operations lacks " + c.String())
		}
	}
	for i := range reads {
		d := &reads[i]
		d.Code = readBase + Code(i)
		if d.read == nil || d.Code < readBase {
			panic("fsm: read " + d.Name + " has no function, or too many reads")
		}
	}
}

// descOf returns the description of a change's or a read's code, or nil.
func descOf(c Code) *Desc {
	switch {
	case c > 0 && c < numOps:
		return &changes[c]
	case c >= readBase && int(c-readBase) < len(reads):
		return &reads[c-readBase]
	}
	return nil
}

// WireDesc returns the description of the operation a request's code
// names (a change or a read), or nil.
func WireDesc(c Code) *Desc { return descOf(c) }

// Ops returns the description of every operation: the changes in code
// order, then the reads.
func Ops() []Desc {
	out := append([]Desc(nil), changes[1:]...)
	return append(out, reads...)
}

// DescOf returns the description of a change's code, or nil.
func DescOf(c Code) *Desc {
	if c == 0 || c >= numOps {
		return nil
	}
	return &changes[c]
}

// usedFields is, per code, the set of fields its parameters use.
var usedFields = func() (m [numOps]uint32) {
	for c := Code(1); c < numOps; c++ {
		for _, p := range changes[c].Params {
			m[c] |= 1 << p.Field
		}
	}
	return
}()

// setFields is the set of o's parameter fields that are not zero.
func (o *Op) setFields() uint32 {
	var m uint32
	set := func(f Field, nz bool) {
		if nz {
			m |= 1 << f
		}
	}
	set(FIno, o.Ino != 0)
	set(FIno2, o.Ino2 != 0)
	set(FName, o.Name != "")
	set(FName2, o.Name2 != "")
	set(FMode, o.Mode != 0)
	set(FFlags, o.Flags != 0)
	set(FArg, o.Arg != 0)
	set(FArg2, o.Arg2 != 0)
	set(FChunk, o.Chunk != 0)
	set(FAttr, o.Attr != (meta.SetAttrIn{}))
	set(FSlice, o.Slice != (meta.Slice{}))
	set(FSlices, len(o.Slices) != 0)
	set(FValue, o.Value != nil)
	return m
}

// strayField returns a field o sets that its operation does not use, or 0.
func (o *Op) strayField() Field {
	return o.stray(usedFields[o.Code])
}

// strayFieldOf is strayField for an operation described by d (a change or a read).
func (o *Op) strayFieldOf(d *Desc) Field {
	var used uint32
	for _, p := range d.Params {
		used |= 1 << p.Field
	}
	return o.stray(used)
}

func (o *Op) stray(used uint32) Field {
	stray := o.setFields() &^ used
	for f := FIno; f <= FValue; f++ {
		if stray&(1<<f) != 0 {
			return f
		}
	}
	return 0
}

// CheckFields refuses an operation that sets a field its description does
// not list (a proposer's mistake: the field would be logged and ignored, or
// mean something else).
func CheckFields(o *Op) error {
	if o.Code == 0 || o.Code >= numOps {
		return fmt.Errorf("fsm: unknown operation code %d", o.Code)
	}
	if f := o.strayField(); f != 0 {
		return fmt.Errorf("fsm: operation %s sets %s, which it does not use", o.Code, f)
	}
	return nil
}
