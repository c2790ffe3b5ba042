package workload

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// A listing describes a namespace one entry per line, in one of two forms,
// mixed freely (docs/listing-format.md):
//
//   - a bare path ("a/b/c.txt"), as plain `find` prints it: every prefix of
//     it is a directory; a path ending in '/' is a directory; so is a path
//     that has entries under it in the listing (LoadListing infers it); any
//     other is a regular file. ".", "/" and "./" are the root. Attributes
//     are synthesized (deterministically from the seed and the path).
//   - an attributed line, as `find DIR -printf
//     '%y\t%m\t%U\t%G\t%s\t%A@\t%T@\t%C@\t%P\n'` prints it: type letter,
//     octal permission bits, uid, gid, size, atime, mtime, ctime (seconds
//     with an optional fraction, kept to the nanosecond; digits beyond the
//     ninth are dropped), then the path (which may hold tabs). An empty path
//     with type d is the root itself.
//
// A line is taken as attributed when its text before the first tab is one
// character; any other line is a bare path. Paths are relative to the root:
// a leading "/" or "./" is dropped, empty and "." components are skipped; ".."
// components, NUL bytes and components over 255 bytes make the line
// malformed. Blank lines are skipped. A trailing '\r' is dropped.

// Entry is one parsed line of a listing.
type Entry struct {
	Line       int    // 1-based line number
	Path       string // cleaned: no leading or trailing '/', "" for the root
	Type       byte   // 'f', 'd', 'l', 'p', 's', 'c' or 'b'
	Attributed bool   // the attributes below come from the line
	Perm       uint32 // permission bits (07777)
	Uid, Gid   uint32
	Size       uint64
	Atime      int64 // ns since the epoch
	Mtime      int64
	Ctime      int64
}

// LineError is a malformed line.
type LineError struct {
	Line int
	Text string // the line (up to 200 bytes)
	Err  error
}

func (e *LineError) Error() string {
	return fmt.Sprintf("line %d: %v: %q", e.Line, e.Err, e.Text)
}

func (e *LineError) Unwrap() error { return e.Err }

func lineErr(n int, text string, format string, args ...any) *LineError {
	if len(text) > 200 {
		text = text[:200] + "..."
	}
	return &LineError{Line: n, Text: text, Err: fmt.Errorf(format, args...)}
}

// ParseLine parses one line (without its newline) numbered n. A blank line
// returns an Entry with Type 0 and no error.
func ParseLine(n int, line string) (Entry, error) {
	line = strings.TrimSuffix(line, "\r")
	if strings.TrimSpace(line) == "" {
		return Entry{Line: n}, nil
	}
	if len(line) >= 2 && line[1] == '\t' && line[0] != '\t' { // the text before the first tab is one character
		return parseAttributed(n, line)
	}
	e := Entry{Line: n, Type: 'f'}
	if strings.HasSuffix(line, "/") {
		e.Type = 'd'
	}
	p, err := cleanPath(line)
	if err != nil {
		return Entry{}, lineErr(n, line, "%v", err)
	}
	if p == "" {
		return Entry{Line: n}, nil // ".", "/" or "./": the root, nothing to do
	}
	e.Path = p
	return e, nil
}

func parseAttributed(n int, line string) (Entry, error) {
	var f [9]string
	rest := line
	for i := 0; i < 8; i++ {
		t := strings.IndexByte(rest, '\t')
		if t < 0 {
			return Entry{}, lineErr(n, line, "attributed line with %d fields, want 9 (type, mode, uid, gid, size, atime, mtime, ctime, path)", i+1)
		}
		f[i], rest = rest[:t], rest[t+1:]
	}
	f[8] = rest
	e := Entry{Line: n, Attributed: true}
	switch ty := f[0][0]; ty {
	case 'f', 'd', 'l', 'p', 's', 'c', 'b':
		e.Type = ty
	default:
		return Entry{}, lineErr(n, line, "unknown type %q (want one of f d l p s c b)", f[0])
	}
	m, err := strconv.ParseUint(f[1], 8, 32)
	if err != nil || m > 0o7777 {
		return Entry{}, lineErr(n, line, "bad mode %q (want octal permission bits, at most 7777)", f[1])
	}
	e.Perm = uint32(m)
	u, err := strconv.ParseUint(f[2], 10, 32)
	if err != nil {
		return Entry{}, lineErr(n, line, "bad uid %q", f[2])
	}
	g, err := strconv.ParseUint(f[3], 10, 32)
	if err != nil {
		return Entry{}, lineErr(n, line, "bad gid %q", f[3])
	}
	e.Uid, e.Gid = uint32(u), uint32(g)
	sz, err := strconv.ParseUint(f[4], 10, 64)
	if err != nil || sz > 1<<62 {
		return Entry{}, lineErr(n, line, "bad size %q", f[4])
	}
	e.Size = sz
	for i, dst := range []*int64{&e.Atime, &e.Mtime, &e.Ctime} {
		t, err := ParseTime(f[5+i])
		if err != nil {
			return Entry{}, lineErr(n, line, "bad %s %q: %v", [3]string{"atime", "mtime", "ctime"}[i], f[5+i], err)
		}
		*dst = t
	}
	p, err := cleanPath(f[8])
	if err != nil {
		return Entry{}, lineErr(n, line, "%v", err)
	}
	if p == "" && e.Type != 'd' {
		return Entry{}, lineErr(n, line, "empty path (only the root directory may have one)")
	}
	e.Path = p
	return e, nil
}

// ParseTime parses seconds since the epoch with an optional fraction
// ("1684059332.1234567890", "-12.5", "1684059332") into nanoseconds. Digits
// beyond the ninth of the fraction are dropped (find prints ten).
func ParseTime(s string) (int64, error) {
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	ip, fp, dot := strings.Cut(s, ".")
	if ip == "" || (dot && fp == "") {
		return 0, errors.New("want seconds[.fraction]")
	}
	sec, err := strconv.ParseUint(ip, 10, 64)
	if err != nil || sec > 9_000_000_000 {
		return 0, errors.New("want seconds[.fraction] within the year 2255")
	}
	var ns int64
	for i := 0; i < len(fp); i++ {
		c := fp[i]
		if c < '0' || c > '9' {
			return 0, errors.New("bad fraction")
		}
		if i < 9 {
			ns = ns*10 + int64(c-'0')
		}
	}
	for i := len(fp); i < 9; i++ {
		ns *= 10
	}
	t := int64(sec)*1e9 + ns
	if neg {
		t = -t
	}
	return t, nil
}

// FormatTime formats ns as find's %T@ does (ten fraction digits).
func FormatTime(ns int64) string {
	sign := ""
	if ns < 0 {
		sign, ns = "-", -ns
	}
	return fmt.Sprintf("%s%d.%09d0", sign, ns/1e9, ns%1e9)
}

// cleanPath returns p relative to the root with no empty or "." components.
func cleanPath(p string) (string, error) {
	// one scan: check every component; most paths are clean already
	clean := p != "" && p[0] != '/'
	from := 0
	for i := 0; i <= len(p); i++ {
		if i < len(p) {
			if c := p[i]; c != '/' {
				if c == 0 {
					return "", errors.New("NUL byte in path")
				}
				continue
			}
		}
		switch c := p[from:i]; {
		case len(c) == 0 || c == ".":
			clean = false
		case c == "..":
			return "", errors.New("\"..\" in path")
		case len(c) > 255:
			return "", fmt.Errorf("path component of %d bytes (at most 255)", len(c))
		}
		from = i + 1
	}
	if clean {
		return p, nil
	}
	parts := make([]string, 0, 8)
	for _, c := range strings.Split(p, "/") {
		if c != "" && c != "." {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, "/"), nil
}

// Reader reads a listing line by line.
type Reader struct {
	br    *bufio.Reader
	line  int
	bytes int64
	long  []byte
}

// MaxLine is the longest line a Reader accepts (longer ones are malformed).
const MaxLine = 64 << 10

// NewReader returns a Reader over r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 1<<20)}
}

// Bytes returns the number of bytes consumed so far.
func (r *Reader) Bytes() int64 { return r.bytes }

// Next returns the next entry. Blank lines are skipped. A malformed line
// returns a *LineError, after which Next may be called again; the end of the
// input returns io.EOF, a read error that error.
func (r *Reader) Next() (Entry, error) {
	for {
		b, err := r.br.ReadSlice('\n')
		r.bytes += int64(len(b))
		if err == bufio.ErrBufferFull {
			// a long line: gather it, up to MaxLine
			r.long = append(r.long[:0], b...)
			for err == bufio.ErrBufferFull {
				b, err = r.br.ReadSlice('\n')
				r.bytes += int64(len(b))
				if len(r.long) < MaxLine+1 {
					r.long = append(r.long, b...)
				}
			}
			b = r.long
		}
		if len(b) == 0 && err != nil {
			if err == io.EOF {
				return Entry{}, io.EOF
			}
			return Entry{}, err
		}
		if err != nil && err != io.EOF {
			return Entry{}, err
		}
		r.line++
		if b[len(b)-1] == '\n' {
			b = b[:len(b)-1]
		}
		if len(b) > MaxLine {
			return Entry{}, lineErr(r.line, string(b[:200]), "line of %d bytes or more (at most %d)", len(b), MaxLine)
		}
		e, perr := ParseLine(r.line, string(b))
		if perr != nil {
			return Entry{}, perr
		}
		if e.Type == 0 {
			continue // blank
		}
		return e, nil
	}
}
