package dump

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// Version is the format version this package writes and reads.
const Version = 1

// Counts are the informational totals of a header line (the engine's
// statistics when the dump began; nothing checks them on load).
type Counts struct {
	Inodes    uint64 `json:"inodes"`
	Files     uint64 `json:"files"`
	Dirs      uint64 `json:"dirs"`
	Symlinks  uint64 `json:"symlinks"`
	Others    uint64 `json:"others"`
	Entries   uint64 `json:"entries"`
	Links     uint64 `json:"links"`
	NextSlice uint64 `json:"next_slice"`
}

// Record is one line of a dump, as decoded. Which kind it is follows from
// the fields set: FsmetaDump (header), End (trailer), Link (extra hard link)
// or Ino (an inode). See doc.go for every field.
type Record struct {
	// header
	FsmetaDump *int    `json:"fsmeta_dump,omitempty"`
	Created    string  `json:"created,omitempty"`
	Counts     *Counts `json:"counts,omitempty"`

	// trailer
	End     bool    `json:"end,omitempty"`
	Entries *uint64 `json:"entries,omitempty"`

	// inode or link
	Ino     uint64 `json:"ino,omitempty"`
	Link    uint64 `json:"link,omitempty"`
	Parent  uint64 `json:"parent,omitempty"`
	Name    string `json:"name,omitempty"`
	NameB64 string `json:"name_b64,omitempty"`

	// inode
	Type      string              `json:"type,omitempty"`
	Mode      uint32              `json:"mode,omitempty"`
	Nlink     uint32              `json:"nlink,omitempty"`
	Uid       uint32              `json:"uid,omitempty"`
	Gid       uint32              `json:"gid,omitempty"`
	Size      uint64              `json:"size,omitempty"`
	Atime     int64               `json:"atime,omitempty"`
	Mtime     int64               `json:"mtime,omitempty"`
	Ctime     int64               `json:"ctime,omitempty"`
	Flags     uint32              `json:"flags,omitempty"`
	Rdev      uint32              `json:"rdev,omitempty"`
	Target    string              `json:"target,omitempty"`
	TargetB64 string              `json:"target_b64,omitempty"`
	Xattrs    map[string]string   `json:"xattrs,omitempty"`
	XattrsB64 map[string]string   `json:"xattrs_b64,omitempty"`
	Chunks    map[string][]Slice5 `json:"chunks,omitempty"`
}

// Slice5 is a slice as written in a dump: [pos, id, size, off, len].
type Slice5 [5]uint64

// Kind is the kind of a line.
type Kind int

const (
	KindHeader Kind = iota + 1
	KindInode
	KindLink
	KindEnd
)

// Line is a decoded and checked line, with its byte strings decoded.
type Line struct {
	Kind   Kind
	Rec    Record
	Name   string            // the entry name (bytes), for inode and link lines
	Target string            // the symlink target (bytes)
	Xattrs map[string][]byte // name -> value
	Chunks []Chunk           // sorted by index
}

// Chunk is one chunk of a regular file: its index and its slices in write
// order.
type Chunk struct {
	Index  uint32
	Slices []fsmeta.Slice
}

var typeModes = map[string]uint32{
	"f": fsmeta.S_IFREG, "d": fsmeta.S_IFDIR, "l": fsmeta.S_IFLNK, "p": fsmeta.S_IFIFO,
	"s": fsmeta.S_IFSOCK, "c": fsmeta.S_IFCHR, "b": fsmeta.S_IFBLK,
}

// TypeLetter returns the letter of a type (S_IFMT bits), "" if unknown.
func TypeLetter(mode uint32) string {
	for k, v := range typeModes {
		if v == mode&fsmeta.S_IFMT {
			return k
		}
	}
	return ""
}

// TypeMode returns the S_IFMT bits of a type letter, 0 if unknown.
func TypeMode(letter string) uint32 { return typeModes[letter] }

// putBytes stores s in *plain if it is valid UTF-8, else base64 in *b64.
func putBytes(s string, plain, b64 *string) {
	if utf8.ValidString(s) {
		*plain = s
	} else {
		*b64 = base64.StdEncoding.EncodeToString([]byte(s))
	}
}

func getBytes(field, plain, b64 string) (string, error) {
	if b64 == "" {
		return plain, nil
	}
	if plain != "" {
		return "", fmt.Errorf("both %q and %q are set", field, field+"_b64")
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", fmt.Errorf("%q: bad base64: %v", field+"_b64", err)
	}
	return string(b), nil
}

// DecodeLine decodes and checks one line (without its newline). It never
// panics, whatever the input; the error says what is wrong (without the line
// number, which the caller adds).
func DecodeLine(b []byte) (*Line, error) {
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("empty line")
	}
	var l Line
	r := &l.Rec
	if !fastDecode(b, r) {
		*r = Record{}
		if err := decodeJSON(b, r); err != nil {
			return nil, err
		}
	}
	kinds := 0
	if r.FsmetaDump != nil {
		l.Kind = KindHeader
		kinds++
	}
	if r.End {
		l.Kind = KindEnd
		kinds++
	}
	if r.Link != 0 {
		l.Kind = KindLink
		kinds++
	}
	if r.Ino != 0 {
		l.Kind = KindInode
		kinds++
	}
	if kinds != 1 {
		return nil, errors.New("not a line of a dump: want exactly one of \"fsmeta_dump\", \"ino\", \"link\", \"end\"")
	}
	headerSet := r.Created != "" || r.Counts != nil
	inodeSet := r.Type != "" || r.Mode != 0 || r.Nlink != 0 || r.Uid != 0 || r.Gid != 0 || r.Size != 0 ||
		r.Atime != 0 || r.Mtime != 0 || r.Ctime != 0 || r.Flags != 0 || r.Rdev != 0 || r.Target != "" ||
		r.TargetB64 != "" || r.Xattrs != nil || r.XattrsB64 != nil || r.Chunks != nil
	entrySet := r.Parent != 0 || r.Name != "" || r.NameB64 != ""
	switch l.Kind {
	case KindHeader:
		if *r.FsmetaDump != Version {
			return nil, fmt.Errorf("dump format version %d: this fsmeta reads version %d", *r.FsmetaDump, Version)
		}
		if inodeSet || entrySet || r.Entries != nil {
			return nil, errors.New("a header line holds only \"fsmeta_dump\", \"created\" and \"counts\"")
		}
		return &l, nil
	case KindEnd:
		if r.Entries == nil {
			return nil, errors.New("trailer line without \"entries\"")
		}
		if inodeSet || entrySet || headerSet {
			return nil, errors.New("a trailer line holds only \"end\" and \"entries\"")
		}
		return &l, nil
	}
	if headerSet || r.Entries != nil {
		return nil, errors.New("\"created\", \"counts\" and \"entries\" belong to header and trailer lines")
	}
	name, err := getBytes("name", r.Name, r.NameB64)
	if err != nil {
		return nil, err
	}
	l.Name = name
	if r.Parent != 0 || name != "" {
		if err := checkName(name); err != nil {
			return nil, err
		}
		if r.Parent == 0 {
			return nil, errors.New("a named entry needs \"parent\"")
		}
	}
	if l.Kind == KindLink {
		if inodeSet {
			return nil, errors.New("a link line holds only \"link\", \"parent\" and \"name\"")
		}
		if r.Parent == 0 {
			return nil, errors.New("a link line needs \"parent\" and \"name\"")
		}
		return &l, nil
	}
	typ := TypeMode(r.Type)
	if typ == 0 {
		return nil, fmt.Errorf("\"type\" %q: want one of f, d, l, p, s, c, b", r.Type)
	}
	if r.Mode&^0o7777 != 0 {
		return nil, fmt.Errorf("\"mode\" %#o: only permission bits (07777) belong there", r.Mode)
	}
	if r.Flags&^(fsmeta.FlagImmutable|fsmeta.FlagAppend) != 0 {
		return nil, fmt.Errorf("\"flags\" %#x: unknown bits", r.Flags)
	}
	if r.Rdev != 0 && typ != fsmeta.S_IFCHR && typ != fsmeta.S_IFBLK {
		return nil, errors.New("\"rdev\" is for devices (c, b)")
	}
	if r.Size > fsmeta.MaxFileSize {
		return nil, fmt.Errorf("\"size\" %d: over the largest file size", r.Size)
	}
	target, err := getBytes("target", r.Target, r.TargetB64)
	if err != nil {
		return nil, err
	}
	l.Target = target
	if (target != "") != (typ == fsmeta.S_IFLNK) {
		return nil, errors.New("a symlink (and only a symlink) has a \"target\"")
	}
	if len(target) > fsmeta.MaxSymlink || strings.IndexByte(target, 0) >= 0 {
		return nil, errors.New("\"target\": too long or holds NUL")
	}
	if len(r.Xattrs)+len(r.XattrsB64) > 0 {
		l.Xattrs = make(map[string][]byte, len(r.Xattrs)+len(r.XattrsB64))
	}
	for k, v := range r.Xattrs {
		val, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("xattr %q: bad base64 value: %v", k, err)
		}
		l.Xattrs[k] = val
	}
	for k, v := range r.XattrsB64 {
		kb, err := base64.StdEncoding.DecodeString(k)
		if err != nil {
			return nil, fmt.Errorf("\"xattrs_b64\" name %q: bad base64: %v", k, err)
		}
		val, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("\"xattrs_b64\" %q: bad base64 value: %v", k, err)
		}
		if _, dup := l.Xattrs[string(kb)]; dup {
			return nil, fmt.Errorf("xattr %q given twice", kb)
		}
		l.Xattrs[string(kb)] = val
	}
	for k := range l.Xattrs {
		if k == "" || len(k) > 255 {
			return nil, fmt.Errorf("xattr name %q: empty or over 255 bytes", k)
		}
	}
	if len(r.Chunks) > 0 && typ != fsmeta.S_IFREG {
		return nil, errors.New("only a regular file has \"chunks\"")
	}
	for k, ss := range r.Chunks {
		idx, err := strconv.ParseUint(k, 10, 32)
		if err != nil || strconv.FormatUint(idx, 10) != k {
			return nil, fmt.Errorf("chunk index %q: want a decimal number below 2^32", k)
		}
		c := Chunk{Index: uint32(idx), Slices: make([]fsmeta.Slice, 0, len(ss))}
		for i, s := range ss {
			pos, id, size, off, ln := s[0], s[1], s[2], s[3], s[4]
			switch {
			case pos > fsmeta.ChunkSize || size > 1<<32-1 || off > 1<<32-1 || ln == 0 || ln > fsmeta.ChunkSize:
				return nil, fmt.Errorf("chunk %s slice %d: a field is out of range", k, i)
			case pos+ln > fsmeta.ChunkSize:
				return nil, fmt.Errorf("chunk %s slice %d: pos+len %d is past the chunk size", k, i, pos+ln)
			case off+ln > size:
				return nil, fmt.Errorf("chunk %s slice %d: off+len %d is past the slice size %d", k, i, off+ln, size)
			case id == 1<<64-1:
				return nil, fmt.Errorf("chunk %s slice %d: bad id", k, i)
			case uint64(c.Index)*fsmeta.ChunkSize+pos+ln > r.Size:
				return nil, fmt.Errorf("chunk %s slice %d: ends past the file size %d", k, i, r.Size)
			}
			c.Slices = append(c.Slices, fsmeta.Slice{Pos: uint32(pos), ID: id, Size: uint32(size), Off: uint32(off), Len: uint32(ln)})
		}
		l.Chunks = append(l.Chunks, c)
	}
	sortChunks(l.Chunks)
	return &l, nil
}

// decodeJSON decodes a line with encoding/json, strictly: unknown fields and
// trailing data are errors.
func decodeJSON(b []byte, r *Record) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(r); err != nil {
		return fmt.Errorf("bad JSON: %v", err)
	}
	if dec.More() {
		return errors.New("bad JSON: more than one value on the line")
	}
	return nil
}

func sortChunks(cs []Chunk) {
	slices.SortFunc(cs, func(a, b Chunk) int { return cmp.Compare(a.Index, b.Index) })
}

func checkName(n string) error {
	switch {
	case n == "":
		return errors.New("empty name")
	case len(n) > fsmeta.MaxName:
		return fmt.Errorf("name of %d bytes: over %d", len(n), fsmeta.MaxName)
	case n == "." || n == "..":
		return fmt.Errorf("name %q", n)
	case strings.ContainsAny(n, "/\x00"):
		return fmt.Errorf("name %q holds '/' or NUL", n)
	}
	return nil
}
