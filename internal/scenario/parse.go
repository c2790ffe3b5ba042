package scenario

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// File is a parsed scenario file.
type File struct {
	Name    string  // file name, for messages
	Lines   []*Line // directives and operations, in order
	Options map[string]uint64
}

// Line is one directive or operation line.
type Line struct {
	Num    int    // 1-based line number
	Text   string // the line as written
	Kind   string // "user", "as", "option" or "op"
	Caller string // "@NAME" prefix of an operation line (empty: the current caller)
	Repeat int    // repetitions (1 unless "repeat N")
	Op     string // operation keyword, or the directive's keyword
	Args   []string
	Want   string // "ok" or an errno name
	Checks []Check
}

// Check is one expectation after "=> ok": Key Cmp Val, or a binding ($Bind).
type Check struct {
	Key  string
	Cmp  string // "=", "!=", "<", ">", "<=", ">="
	Val  string // raw text
	Bind string // variable name for a "$name" token
}

type kind int

const (
	kNone kind = iota
	kAttr
	kReadlink
	kReaddir
	kXattr
	kList
	kSlice
	kSlices
	kDropped
	kStatfs
)

// checkKeys lists the check keys each result kind accepts.
var checkKeys = map[kind]string{
	kNone:     "",
	kAttr:     "ino mode perm type nlink uid gid rdev flags size atime mtime ctime blocks",
	kReadlink: "target",
	kReaddir:  "names count entries",
	kXattr:    "value len",
	kList:     "names count",
	kSlice:    "id",
	kSlices:   "slices count",
	kDropped:  "dropped count",
	kStatfs:   "total avail used inodes availinodes",
}

type opSpec struct {
	min, max int
	kind     kind
}

// ops lists every operation keyword: its argument counts and result kind.
var ops = map[string]opSpec{
	"lookup":      {1, 1, kAttr},
	"getattr":     {1, 1, kAttr},
	"access":      {2, 2, kNone},
	"setattr":     {1, 12, kAttr},
	"chmod":       {2, 2, kAttr},
	"chown":       {3, 3, kAttr},
	"truncate":    {2, 2, kAttr},
	"mknod":       {2, 3, kAttr},
	"create":      {2, 2, kAttr},
	"mkdir":       {2, 2, kAttr},
	"symlink":     {2, 2, kAttr},
	"readlink":    {1, 1, kReadlink},
	"link":        {2, 2, kAttr},
	"unlink":      {1, 1, kNone},
	"rmdir":       {1, 1, kNone},
	"rename":      {2, 3, kNone},
	"readdir":     {1, 3, kReaddir},
	"statfs":      {0, 0, kStatfs},
	"getxattr":    {2, 2, kXattr},
	"setxattr":    {3, 4, kNone},
	"listxattr":   {1, 1, kList},
	"removexattr": {2, 2, kNone},
	"fallocate":   {4, 4, kAttr},
	"open":        {2, 2, kAttr},
	"close":       {1, 1, kNone},
	"newslice":    {1, 1, kSlice},
	"write":       {3, 3, kAttr},
	"readchunk":   {2, 2, kSlices},
	"compact":     {2, 4, kDropped},
	"resolve":     {1, 2, kAttr},
	"mkdirall":    {2, 2, kAttr},
	"fsck":        {0, 0, kNone},
}

// ParseFile reads and parses a scenario file.
func ParseFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(filepath.Base(path), f)
}

// Parse parses a scenario from r; name is used in messages.
func Parse(name string, r io.Reader) (*File, error) {
	file := &File{Name: name, Options: map[string]uint64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	num := 0
	sawOp := false
	for sc.Scan() {
		num++
		text := strings.TrimRight(sc.Text(), "\r")
		toks := fields(text)
		if len(toks) == 0 || strings.HasPrefix(toks[0], "#") {
			continue
		}
		ln, err := parseLine(num, text, toks)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, num, err)
		}
		switch ln.Kind {
		case "option":
			if sawOp {
				return nil, fmt.Errorf("%s:%d: option after the first operation", name, num)
			}
			for _, a := range ln.Args {
				k, v, _ := strings.Cut(a, "=")
				n, err := parseUint(v)
				if err != nil || (k != "maxinodes" && k != "capacity") {
					return nil, fmt.Errorf("%s:%d: bad option %q", name, num, a)
				}
				file.Options[k] = n
			}
			continue
		case "op":
			sawOp = true
		}
		file.Lines = append(file.Lines, ln)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return file, nil
}

func parseLine(num int, text string, toks []string) (*Line, error) {
	ln := &Line{Num: num, Text: text, Repeat: 1}
	switch toks[0] {
	case "user":
		if len(toks) < 3 {
			return nil, fmt.Errorf("user NAME uid=N gid=N [groups=N,...] [umask=N]")
		}
		if _, err := parseCaller(toks[2:]); err != nil {
			return nil, err
		}
		ln.Kind, ln.Op, ln.Args = "user", "user", toks[1:]
		return ln, nil
	case "as":
		if len(toks) < 2 {
			return nil, fmt.Errorf("as NAME, or as uid=N gid=N ...")
		}
		if strings.Contains(toks[1], "=") {
			if _, err := parseCaller(toks[1:]); err != nil {
				return nil, err
			}
		} else if len(toks) != 2 {
			return nil, fmt.Errorf("as NAME takes nothing more")
		}
		ln.Kind, ln.Op, ln.Args = "as", "as", toks[1:]
		return ln, nil
	case "option":
		ln.Kind, ln.Op, ln.Args = "option", "option", toks[1:]
		return ln, nil
	}
	ln.Kind = "op"
	if strings.HasPrefix(toks[0], "@") {
		ln.Caller = toks[0][1:]
		toks = toks[1:]
	}
	if len(toks) >= 2 && toks[0] == "repeat" {
		n, err := parseUint(toks[1])
		if err != nil || n == 0 || n > 1<<20 {
			return nil, fmt.Errorf("repeat: bad count %q", toks[1])
		}
		ln.Repeat = int(n)
		toks = toks[2:]
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("no operation")
	}
	ln.Op = toks[0]
	spec, ok := ops[ln.Op]
	if !ok {
		return nil, fmt.Errorf("unknown operation %q", ln.Op)
	}
	arrow := -1
	for i, t := range toks {
		if t == "=>" {
			arrow = i
			break
		}
	}
	if arrow < 0 || arrow+1 >= len(toks) {
		return nil, fmt.Errorf("missing \"=> ok\" or \"=> ERRNO\"")
	}
	ln.Args = toks[1:arrow]
	if len(ln.Args) < spec.min || len(ln.Args) > spec.max {
		return nil, fmt.Errorf("%s takes %d to %d arguments, not %d", ln.Op, spec.min, spec.max, len(ln.Args))
	}
	for _, a := range ln.Args {
		if _, err := decode(a, 0); err != nil {
			return nil, err
		}
	}
	ln.Want = toks[arrow+1]
	if ln.Want != "ok" {
		if !isErrnoName(ln.Want) {
			return nil, fmt.Errorf("expected result %q is neither ok nor an errno name", ln.Want)
		}
		if len(toks) > arrow+2 {
			return nil, fmt.Errorf("checks only follow \"=> ok\"")
		}
		return ln, nil
	}
	for _, t := range toks[arrow+2:] {
		c, err := parseCheck(t)
		if err != nil {
			return nil, err
		}
		if c.Bind != "" {
			if spec.kind != kAttr && spec.kind != kSlice {
				return nil, fmt.Errorf("%s binds no value to $%s", ln.Op, c.Bind)
			}
		} else if !hasWord(checkKeys[spec.kind], c.Key) {
			return nil, fmt.Errorf("%s: unknown check %q (known: %s)", ln.Op, c.Key, checkKeys[spec.kind])
		}
		ln.Checks = append(ln.Checks, c)
	}
	return ln, nil
}

func hasWord(list, w string) bool {
	for _, x := range strings.Fields(list) {
		if x == w {
			return true
		}
	}
	return false
}

func parseCheck(t string) (Check, error) {
	if strings.HasPrefix(t, "$") {
		if len(t) == 1 || strings.ContainsAny(t[1:], "$=<>!/") {
			return Check{}, fmt.Errorf("bad binding %q", t)
		}
		return Check{Bind: t[1:]}, nil
	}
	i := 0
	for i < len(t) && (t[i] >= 'a' && t[i] <= 'z' || t[i] == '_') {
		i++
	}
	key, rest := t[:i], t[i:]
	for _, op := range []string{"!=", "<=", ">=", "=", "<", ">"} {
		if strings.HasPrefix(rest, op) && key != "" {
			return Check{Key: key, Cmp: op, Val: rest[len(op):]}, nil
		}
	}
	return Check{}, fmt.Errorf("bad check %q (want KEY=VALUE, KEY<VALUE, ... or $NAME)", t)
}
