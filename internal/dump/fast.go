package dump

import "unicode/utf8"

// fastDecode decodes the common inode, link and trailer lines (exactly as
// Dump writes them: no whitespace, no escapes, lowercase keys, each once)
// several times faster than encoding/json. It returns false for anything
// else, and the caller decodes the line with encoding/json, whose result is
// the reference: whenever fastDecode returns true, r is what encoding/json
// would give (FuzzLoadLine checks this).
func fastDecode(b []byte, r *Record) bool {
	p := fastParser{b: b}
	if !p.lit('{') || p.peek('}') {
		return false
	}
	var seen uint32
	for {
		key, ok := p.str()
		if !ok || !p.lit(':') {
			return false
		}
		bit, ok := fastKeys[string(key)]
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		switch string(key) {
		case "ino":
			ok = p.u64(&r.Ino, 1<<64-1)
		case "link":
			ok = p.u64(&r.Link, 1<<64-1)
		case "parent":
			ok = p.u64(&r.Parent, 1<<64-1)
		case "size":
			ok = p.u64(&r.Size, 1<<64-1)
		case "entries":
			var n uint64
			if ok = p.u64(&n, 1<<64-1); ok {
				r.Entries = &n
			}
		case "mode":
			ok = p.u32(&r.Mode)
		case "nlink":
			ok = p.u32(&r.Nlink)
		case "uid":
			ok = p.u32(&r.Uid)
		case "gid":
			ok = p.u32(&r.Gid)
		case "flags":
			ok = p.u32(&r.Flags)
		case "rdev":
			ok = p.u32(&r.Rdev)
		case "atime":
			ok = p.i64(&r.Atime)
		case "mtime":
			ok = p.i64(&r.Mtime)
		case "ctime":
			ok = p.i64(&r.Ctime)
		case "name":
			r.Name, ok = p.sval()
		case "name_b64":
			r.NameB64, ok = p.sval()
		case "type":
			r.Type, ok = p.sval()
		case "target":
			r.Target, ok = p.sval()
		case "target_b64":
			r.TargetB64, ok = p.sval()
		case "end":
			switch {
			case p.word("true"):
				r.End = true
			case p.word("false"):
				r.End = false
			default:
				ok = false
			}
		case "xattrs":
			r.Xattrs, ok = p.xattrs()
		case "chunks":
			r.Chunks, ok = p.chunks()
		}
		if !ok {
			return false
		}
		if p.lit('}') {
			return p.i == len(p.b)
		}
		if !p.lit(',') {
			return false
		}
	}
}

var fastKeys = func() map[string]uint32 {
	m := map[string]uint32{}
	for i, k := range []string{"ino", "link", "parent", "size", "entries", "mode", "nlink", "uid", "gid", "flags",
		"rdev", "atime", "mtime", "ctime", "name", "name_b64", "type", "target", "target_b64", "end", "xattrs", "chunks"} {
		m[k] = 1 << i
	}
	return m
}()

type fastParser struct {
	b []byte
	i int
}

func (p *fastParser) peek(c byte) bool { return p.i < len(p.b) && p.b[p.i] == c }

func (p *fastParser) lit(c byte) bool {
	if p.peek(c) {
		p.i++
		return true
	}
	return false
}

func (p *fastParser) word(w string) bool {
	if len(p.b)-p.i >= len(w) && string(p.b[p.i:p.i+len(w)]) == w {
		p.i += len(w)
		return true
	}
	return false
}

// str reads a string without escapes or control characters, valid UTF-8.
func (p *fastParser) str() ([]byte, bool) {
	if !p.lit('"') {
		return nil, false
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			return s, utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, false
		}
		p.i++
	}
	return nil, false
}

func (p *fastParser) sval() (string, bool) {
	s, ok := p.str()
	return string(s), ok
}

// digits reads a JSON integer without sign: 0 or [1-9][0-9]*, at most max.
func (p *fastParser) digits(v *uint64, max uint64) bool {
	start := p.i
	var n uint64
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		d := uint64(p.b[p.i] - '0')
		if n > (max-d)/10 {
			return false
		}
		n = n*10 + d
		p.i++
	}
	switch {
	case p.i == start, p.b[start] == '0' && p.i > start+1:
		return false
	case p.i < len(p.b) && (p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E'):
		return false
	}
	*v = n
	return true
}

func (p *fastParser) u64(v *uint64, max uint64) bool { return p.digits(v, max) }

func (p *fastParser) u32(v *uint32) bool {
	var n uint64
	if !p.digits(&n, 1<<32-1) {
		return false
	}
	*v = uint32(n)
	return true
}

func (p *fastParser) i64(v *int64) bool {
	neg := p.lit('-')
	var n uint64
	if !p.digits(&n, 1<<63-1) || neg && n == 0 {
		return false
	}
	*v = int64(n)
	if neg {
		*v = -*v
	}
	return true
}

func (p *fastParser) xattrs() (map[string]string, bool) {
	if !p.lit('{') {
		return nil, false
	}
	m := map[string]string{}
	if p.lit('}') {
		return m, true
	}
	for {
		k, ok := p.str()
		if !ok || !p.lit(':') {
			return nil, false
		}
		if _, dup := m[string(k)]; dup {
			return nil, false
		}
		v, ok := p.sval()
		if !ok {
			return nil, false
		}
		m[string(k)] = v
		if p.lit('}') {
			return m, true
		}
		if !p.lit(',') {
			return nil, false
		}
	}
}

func (p *fastParser) chunks() (map[string][]Slice5, bool) {
	if !p.lit('{') {
		return nil, false
	}
	m := map[string][]Slice5{}
	if p.lit('}') {
		return m, true
	}
	for {
		k, ok := p.str()
		if !ok || !p.lit(':') || !p.lit('[') {
			return nil, false
		}
		if _, dup := m[string(k)]; dup {
			return nil, false
		}
		ss := []Slice5{}
		if !p.lit(']') {
			for {
				var s Slice5
				if !p.lit('[') {
					return nil, false
				}
				for j := range s {
					if j > 0 && !p.lit(',') || !p.digits(&s[j], 1<<64-1) {
						return nil, false
					}
				}
				if !p.lit(']') {
					return nil, false
				}
				ss = append(ss, s)
				if p.lit(']') {
					break
				}
				if !p.lit(',') {
					return nil, false
				}
			}
		}
		m[string(k)] = ss
		if p.lit('}') {
			return m, true
		}
		if !p.lit(',') {
			return nil, false
		}
	}
}
