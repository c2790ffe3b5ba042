package scenario

import (
	"strings"

	"github.com/fsmeta/fsmeta/core/meta"
)

// result holds what an operation returned, for the checks.
type result struct {
	attr    meta.Attr
	str     string // readlink target, xattr value
	names   []string
	entries []meta.DirEntry
	id      uint64
	slices  []meta.Slice
	statfs  meta.StatFS
}

// exec runs one repetition of an operation line. A *badScenario error is a
// mistake of the scenario; any other error is the operation's failure.
func (r *runner) exec(ln *Line, c *meta.Caller, idx int) (result, error) {
	a := args{r: r, toks: ln.Args, idx: idx}
	var res result
	var err error
	db := r.db
	switch ln.Op {
	case "lookup":
		p, name := a.parentName(0)
		if a.err == nil {
			res.attr, err = db.Lookup(c, p, name)
		}
	case "getattr":
		ino := a.target(0)
		if a.err == nil {
			res.attr, err = db.GetAttr(c, ino)
		}
	case "access":
		ino, mask := a.target(0), a.access(1)
		if a.err == nil {
			err = db.Access(c, ino, uint32(mask))
		}
	case "setattr":
		ino := a.target(0)
		mask, in := a.setattr(1)
		if a.err == nil {
			res.attr, err = db.SetAttr(c, ino, mask, in)
		}
	case "chmod":
		ino, mode := a.target(0), a.words(1, modeWords)
		if a.err == nil {
			res.attr, err = db.Chmod(c, ino, uint32(mode))
		}
	case "chown":
		ino, uid, gid := a.target(0), a.num(1), a.num(2)
		if a.err == nil {
			res.attr, err = db.Chown(c, ino, uint32(uid), uint32(gid))
		}
	case "truncate":
		ino, size := a.target(0), a.num(1)
		if a.err == nil {
			res.attr, err = db.Truncate(c, ino, size)
		}
	case "mknod":
		p, name := a.parentName(0)
		mode, rdev := a.words(1, modeWords), uint64(0)
		if len(a.toks) > 2 {
			rdev = a.num(2)
		}
		if a.err == nil {
			res.attr, err = db.Mknod(c, p, name, uint32(mode), uint32(rdev))
		}
	case "create":
		p, name := a.parentName(0)
		mode := a.words(1, modeWords)
		if a.err == nil {
			res.attr, err = db.Create(c, p, name, uint32(mode))
		}
	case "mkdir":
		p, name := a.parentName(0)
		mode := a.words(1, modeWords)
		if a.err == nil {
			res.attr, err = db.Mkdir(c, p, name, uint32(mode))
		}
	case "symlink":
		p, name := a.parentName(0)
		target := a.str(1)
		if a.err == nil {
			res.attr, err = db.Symlink(c, p, name, target)
		}
	case "readlink":
		ino := a.target(0)
		if a.err == nil {
			res.str, err = db.Readlink(c, ino)
		}
	case "link":
		ino := a.target(0)
		p, name := a.parentName(1)
		if a.err == nil {
			res.attr, err = db.Link(c, ino, p, name)
		}
	case "unlink":
		p, name := a.parentName(0)
		if a.err == nil {
			err = db.Unlink(c, p, name)
		}
	case "rmdir":
		p, name := a.parentName(0)
		if a.err == nil {
			err = db.Rmdir(c, p, name)
		}
	case "rename":
		p, name := a.parentName(0)
		np, nname := a.parentName(1)
		flags := uint64(0)
		if len(a.toks) > 2 {
			flags = a.words(2, renameWords)
		}
		if a.err == nil {
			err = db.Rename(c, p, name, np, nname, uint32(flags))
		}
	case "readdir":
		ino := a.target(0)
		plus, max := a.readdirOpts(1)
		if a.err == nil {
			res.entries, err = r.readdir(c, ino, max, plus)
		}
	case "statfs":
		res.statfs, err = db.StatFS(c)
	case "getxattr":
		ino, name := a.target(0), a.str(1)
		if a.err == nil {
			var v []byte
			v, err = db.GetXattr(c, ino, name)
			res.str = string(v)
		}
	case "setxattr":
		ino, name, value := a.target(0), a.str(1), a.str(2)
		flags := uint64(0)
		if len(a.toks) > 3 {
			flags = a.words(3, xattrWords)
		}
		if a.err == nil {
			err = db.SetXattr(c, ino, name, []byte(value), uint32(flags))
		}
	case "listxattr":
		ino := a.target(0)
		if a.err == nil {
			res.names, err = db.ListXattr(c, ino)
		}
	case "removexattr":
		ino, name := a.target(0), a.str(1)
		if a.err == nil {
			err = db.RemoveXattr(c, ino, name)
		}
	case "fallocate":
		ino, mode, off, length := a.target(0), a.words(1, fallocWords), a.num(2), a.num(3)
		if a.err == nil {
			res.attr, err = db.Fallocate(c, ino, uint32(mode), off, length)
		}
	case "open":
		ino, flags := a.target(0), a.words(1, openWords)
		if a.err == nil {
			res.attr, err = db.OpenFile(c, ino, uint32(flags))
		}
	case "close":
		ino := a.target(0)
		if a.err == nil {
			err = db.CloseFile(c, ino)
		}
	case "newslice":
		n := a.num(0)
		if a.err == nil {
			res.id, err = db.NewSliceID(c, uint32(n))
		}
	case "write":
		ino, chunk, s := a.target(0), a.num(1), a.slice(2)
		if a.err == nil {
			res.attr, err = db.WriteSlice(c, ino, uint32(chunk), s)
		}
	case "readchunk":
		ino, chunk := a.target(0), a.num(1)
		if a.err == nil {
			res.slices, err = db.ReadChunk(c, ino, uint32(chunk))
		}
	case "compact":
		ino, chunk := a.target(0), a.num(1)
		replaced, with := a.compactOpts(2)
		if a.err == nil {
			res.slices, err = db.CompactChunk(c, ino, uint32(chunk), replaced, with)
		}
	case "resolve":
		path := a.str(0)
		follow := false
		if len(a.toks) > 1 {
			if a.toks[1] != "follow" && a.toks[1] != "nofollow" {
				a.fail("resolve: the second argument is follow or nofollow, not %q", a.toks[1])
			}
			follow = a.toks[1] == "follow"
		}
		if a.err == nil {
			res.attr, err = db.Resolve(c, path, follow)
		}
	case "mkdirall":
		path, mode := a.str(0), a.words(1, modeWords)
		if a.err == nil {
			res.attr, err = db.MkdirAll(c, path, uint32(mode))
		}
	case "fsck":
		err = r.fsck()
	default:
		a.fail("operation %q not implemented by the runner", ln.Op)
	}
	if a.err != nil {
		return res, a.err
	}
	return res, err
}

// readdir lists a whole directory with the cursor, max entries per call,
// and checks what every binding's runner should check: no name twice, and
// each entry's inode, type (and attributes, with plus) as GetAttr gives them.
func (r *runner) readdir(c *meta.Caller, ino meta.Ino, max int, plus bool) ([]meta.DirEntry, error) {
	var all []meta.DirEntry
	seen := map[string]bool{}
	cursor := uint64(0)
	for {
		ents, next, err := r.db.ReadDir(c, ino, cursor, max, plus)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if seen[e.Name] {
				return nil, bad("readdir returned %q twice", e.Name)
			}
			seen[e.Name] = true
			at, err := r.db.GetAttr(nil, e.Ino)
			if err != nil {
				return nil, bad("readdir entry %q: getattr of its inode %d: %v", e.Name, e.Ino, err)
			}
			if e.Type != at.Mode&meta.S_IFMT {
				return nil, bad("readdir entry %q: type 0%o, getattr says 0%o", e.Name, e.Type, at.Mode&meta.S_IFMT)
			}
			if plus && e.Attr != at {
				return nil, bad("readdir entry %q: attributes %+v, getattr says %+v", e.Name, e.Attr, at)
			}
		}
		all = append(all, ents...)
		if next == 0 {
			return all, nil
		}
		if next == cursor {
			return nil, bad("readdir cursor did not advance (%d)", next)
		}
		cursor = next
	}
}

// args decodes the arguments of a line; the first error sticks.
type args struct {
	r    *runner
	toks []string
	idx  int
	err  error
}

func (a *args) fail(format string, v ...any) {
	if a.err == nil {
		a.err = bad(format, v...)
	}
}

func (a *args) str(i int) string {
	s, err := decode(a.toks[i], a.idx)
	if err != nil {
		a.fail("%v", err)
	}
	return s
}

// value reads an integer or a $variable.
func (a *args) value(s string) uint64 {
	if strings.HasPrefix(s, "$") {
		v, ok := a.r.vars[s[1:]]
		if !ok {
			a.fail("unknown variable %s", s)
		}
		return v
	}
	v, err := parseUint(s)
	if err != nil {
		a.fail("%q is not a number", s)
	}
	return v
}

func (a *args) num(i int) uint64 { return a.value(a.toks[i]) }

func (a *args) words(i int, table map[string]uint64) uint64 {
	v, err := parseWords(a.toks[i], table)
	if err != nil {
		a.fail("%v", err)
	}
	return v
}

func (a *args) access(i int) uint64 {
	v, err := parseAccess(a.toks[i])
	if err != nil {
		a.fail("bad access mask %q", a.toks[i])
	}
	return v
}

// base resolves the first component of a path token: "" (the root), $var
// or #N.
func (a *args) base(s string) meta.Ino {
	switch {
	case s == "":
		return meta.RootIno
	case strings.HasPrefix(s, "$"):
		return meta.Ino(a.value(s))
	case strings.HasPrefix(s, "#"):
		return meta.Ino(a.value(s[1:]))
	}
	a.fail("a target starts with /, $VAR or #INO, not %q", s)
	return 0
}

// walk resolves the components after the base, as root with Lookup.
func (a *args) walk(ino meta.Ino, comps []string, tok string) meta.Ino {
	for _, raw := range comps {
		if a.err != nil {
			return 0
		}
		name, err := decode(raw, a.idx)
		if err != nil {
			a.fail("%v", err)
			return 0
		}
		if name == "" {
			continue
		}
		at, err := a.r.db.Lookup(nil, ino, name)
		if err != nil {
			a.fail("cannot resolve %s: %v", tok, err)
			return 0
		}
		ino = at.Ino
	}
	return ino
}

// target resolves an inode: /a/b, $var, $var/a/b or #N.
func (a *args) target(i int) meta.Ino {
	tok := a.toks[i]
	parts := strings.Split(tok, "/")
	ino := a.base(parts[0])
	return a.walk(ino, parts[1:], tok)
}

// parentName resolves a parent directory and a name: the token is split at
// its last raw '/'; the name is decoded, the parent resolved as a target.
func (a *args) parentName(i int) (meta.Ino, string) {
	tok := a.toks[i]
	j := strings.LastIndexByte(tok, '/')
	if j < 0 {
		a.fail("%q: want PARENT/NAME", tok)
		return 0, ""
	}
	parts := strings.Split(tok[:j], "/")
	ino := a.base(parts[0])
	ino = a.walk(ino, parts[1:], tok)
	name, err := decode(tok[j+1:], a.idx)
	if err != nil {
		a.fail("%v", err)
	}
	return ino, name
}

func (a *args) setattr(from int) (uint32, meta.SetAttrIn) {
	var mask uint32
	var in meta.SetAttrIn
	for _, t := range a.toks[from:] {
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			a.fail("setattr: %q is not KEY=VALUE", t)
			continue
		}
		switch k {
		case "mode":
			mask |= meta.SetMode
			m, err := parseWords(v, modeWords)
			if err != nil {
				a.fail("%v", err)
			}
			in.Mode = uint32(m)
		case "uid":
			mask |= meta.SetUid
			in.Uid = uint32(a.value(v))
		case "gid":
			mask |= meta.SetGid
			in.Gid = uint32(a.value(v))
		case "size":
			mask |= meta.SetSize
			in.Size = a.value(v)
		case "atime", "mtime":
			if v == "now" {
				mask |= map[string]uint32{"atime": meta.SetAtimeNow, "mtime": meta.SetMtimeNow}[k]
				continue
			}
			n, err := parseInt(v)
			if err != nil {
				a.fail("setattr: bad time %q", v)
			}
			if k == "atime" {
				mask |= meta.SetAtime
				in.Atime = n
			} else {
				mask |= meta.SetMtime
				in.Mtime = n
			}
		case "ctime":
			n, err := parseInt(v)
			if err != nil {
				a.fail("setattr: bad time %q", v)
			}
			mask |= meta.SetCtime
			in.Ctime = n
		case "flags":
			mask |= meta.SetFlags
			f, err := parseWords(v, flagWords)
			if err != nil {
				a.fail("%v", err)
			}
			in.Flags = uint32(f)
		case "mask":
			mask |= uint32(a.value(v))
		default:
			a.fail("setattr: unknown field %q", k)
		}
	}
	return mask, in
}

func (a *args) readdirOpts(from int) (plus bool, max int) {
	max = 1000
	for _, t := range a.toks[from:] {
		switch {
		case t == "plus":
			plus = true
		case strings.HasPrefix(t, "max="):
			max = int(a.value(t[4:]))
			if max <= 0 {
				a.fail("readdir: max must be at least 1")
			}
		default:
			a.fail("readdir: unknown option %q", t)
		}
	}
	return plus, max
}

func (a *args) compactOpts(from int) ([]meta.Slice, meta.Slice) {
	var replaced []meta.Slice
	var with meta.Slice
	for _, t := range a.toks[from:] {
		k, v, _ := strings.Cut(t, "=")
		switch k {
		case "replaced":
			for _, s := range strings.Split(v, ",") {
				replaced = append(replaced, a.parseSlice(s))
			}
		case "with":
			with = a.parseSlice(v)
		default:
			a.fail("compact: unknown option %q", t)
		}
	}
	return replaced, with
}

func (a *args) slice(i int) meta.Slice { return a.parseSlice(a.toks[i]) }

// parseSlice reads ID:POS:LEN or ID:POS:LEN:OFF:SIZE (OFF 0 and SIZE LEN
// when left out).
func (a *args) parseSlice(s string) meta.Slice {
	p := strings.Split(s, ":")
	if len(p) != 3 && len(p) != 5 {
		a.fail("slice %q: want ID:POS:LEN or ID:POS:LEN:OFF:SIZE", s)
		return meta.Slice{}
	}
	sl := meta.Slice{ID: a.value(p[0]), Pos: uint32(a.value(p[1])), Len: uint32(a.value(p[2]))}
	sl.Size = sl.Len
	if len(p) == 5 {
		sl.Off, sl.Size = uint32(a.value(p[3])), uint32(a.value(p[4]))
	}
	return sl
}
