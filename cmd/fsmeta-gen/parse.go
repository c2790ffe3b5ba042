package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Header is what fsmeta-gen understands of fsmeta.h.
type Header struct {
	Consts  []*Const
	Handles []string // opaque types: fsmeta_db, fsmeta_dir
	Structs []*Struct
	Funcs   []*Func
	// Deprecated are the prototypes marked FSMETA_DEPRECATED("use fsmeta_x"): old names kept for the ABI. No
	// binding is generated for them; Replacement names the function each points to.
	Deprecated []*Func

	consts  map[string]*Const
	structs map[string]*Struct
	handles map[string]bool
	funcs   map[string]bool
}

// ConstKind says what a #define holds.
type ConstKind int

const (
	ConstInt ConstKind = iota
	ConstString
	ConstInit // {v, ...}: the initializer of a struct
)

// Const is a #define FSMETA_X value.
type Const struct {
	Name   string
	Kind   ConstKind
	Text   string // as written in the header
	Int    int64  // ConstInt
	Str    string // ConstString
	Struct string // ConstInit: the struct it initializes
	Elems  []Elem // ConstInit
	Line   int
}

// Elem is one value of an initializer: an integer literal, NULL, or a constant's name.
type Elem struct {
	Null  bool
	Const string // name of an integer constant, or ""
	Int   int64
	Text  string
}

// Type is a C type of the grammar: [const] Base followed by Ptr stars.
type Type struct {
	Const bool
	Base  string // a scalar, char, void, a struct or a handle name
	Ptr   int
}

func (t Type) String() string {
	s := t.Base
	if t.Const {
		s = "const " + s
	}
	if t.Ptr > 0 {
		s += " " + strings.Repeat("*", t.Ptr)
	}
	return s
}

// Field is a struct member.
type Field struct {
	Type    Type
	Name    string
	Array   int // > 0: char Name[Array]
	Comment string
}

// Struct is a typedef struct with a body.
type Struct struct {
	Name   string
	Fields []*Field
	Init   *Const // FSMETA_<NAME>_INIT, or nil
	Line   int
}

// Param is a function parameter.
type Param struct {
	Type Type
	Name string
}

// Func is a prototype.
type Func struct {
	Name    string
	Ret     Type
	Params  []*Param
	Proto   string // the line as written
	Summary string // from the comment above: "fsmeta_x - summary"
	Line    int
	// Replacement is, for a deprecated prototype, the name its FSMETA_DEPRECATED("use fsmeta_x") message gives.
	Replacement string
}

var scalarTypes = map[string]bool{"int": true, "unsigned": true, "uint32_t": true, "int64_t": true, "uint64_t": true, "size_t": true}

// ParseError names the line of the header it is about.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

type srcLine struct {
	n       int
	code    string // comments removed, trimmed
	comment string // text of the comments that end on this line (joined), trimmed
	raw     string
}

// stripComments splits src into lines with the comments removed. Block comments may span lines; a comment's text
// is attached to the line where it starts. String literals are skipped so that "/*" inside one is not a comment.
func stripComments(src string) ([]srcLine, error) {
	rawLines := strings.Split(src, "\n")
	lines := make([]srcLine, len(rawLines))
	var code, comment strings.Builder
	inBlock, blockStart := false, 0
	var blockText strings.Builder
	for i, raw := range rawLines {
		code.Reset()
		comment.Reset()
		for j := 0; j < len(raw); j++ {
			c := raw[j]
			if inBlock {
				if c == '*' && j+1 < len(raw) && raw[j+1] == '/' {
					inBlock = false
					j++
					lines[blockStart].comment = strings.TrimSpace(lines[blockStart].comment + "\n" + blockText.String())
					blockText.Reset()
					code.WriteByte(' ')
					continue
				}
				blockText.WriteByte(c)
				continue
			}
			switch {
			case c == '/' && j+1 < len(raw) && raw[j+1] == '*':
				inBlock, blockStart = true, i
				j++
			case c == '/' && j+1 < len(raw) && raw[j+1] == '/':
				comment.WriteString(raw[j+2:])
				j = len(raw)
			case c == '"':
				k := strings.IndexByte(raw[j+1:], '"')
				if k < 0 {
					return nil, &ParseError{Line: i + 1, Msg: "unterminated string literal"}
				}
				code.WriteString(raw[j : j+k+2])
				j += k + 1
			default:
				code.WriteByte(c)
			}
		}
		if inBlock {
			blockText.WriteByte('\n')
		}
		lines[i].n = i + 1
		lines[i].raw = raw
		lines[i].code = strings.TrimSpace(code.String())
		if comment.Len() > 0 {
			lines[i].comment = strings.TrimSpace(lines[i].comment + "\n" + comment.String())
		}
	}
	if inBlock {
		return nil, &ParseError{Line: blockStart + 1, Msg: "unterminated comment"}
	}
	return lines, nil
}

var (
	reDefine    = regexp.MustCompile(`^#define\s+(FSMETA_[A-Z0-9_]+)\s+(.+)$`)
	reInt       = regexp.MustCompile(`^(0x[0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*|\(-[1-9][0-9]*\))$`)
	reString    = regexp.MustCompile(`^"[^"\\]*"$`)
	reInitList  = regexp.MustCompile(`^\{(.*)\}$`)
	reConstName = regexp.MustCompile(`^FSMETA_[A-Z0-9_]+$`)
	reOpaque    = regexp.MustCompile(`^typedef\s+struct\s+(fsmeta_[a-z0-9_]+)\s+(fsmeta_[a-z0-9_]+)\s*;$`)
	reStructBeg = regexp.MustCompile(`^typedef\s+struct\s+(fsmeta_[a-z0-9_]+)\s*\{$`)
	reStructEnd = regexp.MustCompile(`^\}\s*(fsmeta_[a-z0-9_]+)\s*;$`)
	reField     = regexp.MustCompile(`^(.+?)\s*\b([a-z_][a-z0-9_]*)\s*(\[\s*([0-9]+)\s*\])?\s*;$`)
	reFunc      = regexp.MustCompile(`^(.+?)\b(fsmeta_[a-z0-9_]+)\s*\((.*)\)\s*;$`)
	reParam     = regexp.MustCompile(`^(.+?)\b([a-z_][a-z0-9_]*)$`)
	reIdent     = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	reSummary   = regexp.MustCompile(`^\*?\s*(fsmeta_[a-z0-9_]+)\s+-\s+(.*)$`)
	reDepr      = regexp.MustCompile(`^(.*\))\s+FSMETA_DEPRECATED\("use (fsmeta_[a-z0-9_]+)"\)\s*;$`)
)

// deprecatedBlock is the one conditional the grammar allows: the definition of FSMETA_DEPRECATED(msg), verbatim.
var deprecatedBlock = []string{
	"#if defined(__GNUC__) || defined(__clang__)",
	"#define FSMETA_DEPRECATED(msg) __attribute__((deprecated(msg)))",
	"#else",
	"#define FSMETA_DEPRECATED(msg)",
	"#endif",
}

// Parse reads a header in the grammar of doc.go. file names it in errors.
func Parse(file, src string) (*Header, error) {
	lines, err := stripComments(src)
	if err != nil {
		err.(*ParseError).File = file
		return nil, err
	}
	h := &Header{consts: map[string]*Const{}, structs: map[string]*Struct{}, handles: map[string]bool{}, funcs: map[string]bool{}}
	p := &parser{h: h, file: file}
	if err := p.run(lines); err != nil {
		return nil, err
	}
	return h, nil
}

type parser struct {
	h         *Header
	file      string
	deprBlock bool // the FSMETA_DEPRECATED block was seen
}

func (p *parser) errf(line int, format string, args ...any) error {
	return &ParseError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) run(lines []srcLine) error {
	var code []srcLine
	summaries := map[string]string{} // function name -> summary, from the last comment before it
	lastSummary, lastSummaryName := "", ""
	for _, l := range lines {
		if l.comment != "" && l.code == "" {
			first := strings.TrimSpace(strings.SplitN(strings.TrimLeft(l.comment, "* \n"), "\n", 2)[0])
			if m := reSummary.FindStringSubmatch(first); m != nil {
				lastSummaryName, lastSummary = m[1], m[2]
			} else {
				lastSummaryName, lastSummary = "", ""
			}
		}
		if l.code == "" {
			continue
		}
		if lastSummaryName != "" {
			summaries[lastSummaryName] = lastSummary
			lastSummaryName = ""
		}
		code = append(code, l)
	}
	if len(code) < 3 || code[0].code != "#ifndef FSMETA_H" || code[1].code != "#define FSMETA_H" {
		n := 1
		if len(code) > 0 {
			n = code[0].n
		}
		return p.errf(n, "the header must start with the include guard #ifndef FSMETA_H / #define FSMETA_H")
	}
	if last := code[len(code)-1]; last.code != "#endif" {
		return p.errf(last.n, "the header must end with the #endif of its include guard, not %q", last.code)
	}
	body := code[2 : len(code)-1]
	for i := 0; i < len(body); i++ {
		l := body[i]
		c := l.code
		switch {
		case c == "#include <stddef.h>" || c == "#include <stdint.h>":
		case c == deprecatedBlock[0]:
			for k, want := range deprecatedBlock {
				if i+k >= len(body) || body[i+k].code != want {
					return p.errf(l.n, "the FSMETA_DEPRECATED block must be exactly: %s", strings.Join(deprecatedBlock, " / "))
				}
			}
			if p.deprBlock {
				return p.errf(l.n, "FSMETA_DEPRECATED is defined twice")
			}
			p.deprBlock = true
			i += len(deprecatedBlock) - 1
		case reDepr.MatchString(c):
			if !p.deprBlock {
				return p.errf(l.n, "FSMETA_DEPRECATED is used before its definition block")
			}
			m := reDepr.FindStringSubmatch(c)
			dl := l
			dl.code = m[1] + ";"
			f, err := p.function(dl)
			if err != nil {
				return err
			}
			// function appended it to Funcs: move it to Deprecated.
			p.h.Funcs = p.h.Funcs[:len(p.h.Funcs)-1]
			f.Replacement = m[2]
			f.Summary = summaries[f.Name]
			p.h.Deprecated = append(p.h.Deprecated, f)
		case c == "#ifdef __cplusplus":
			if i+2 >= len(body) || (body[i+1].code != `extern "C" {` && body[i+1].code != "}") || body[i+2].code != "#endif" {
				return p.errf(l.n, `#ifdef __cplusplus must enclose exactly one line, extern "C" { or }, then #endif`)
			}
			i += 2
		case strings.HasPrefix(c, "#define"):
			if err := p.define(l); err != nil {
				return err
			}
		case strings.HasPrefix(c, "#"):
			return p.errf(l.n, "unknown preprocessor line %q (the grammar allows the include guard, two #includes, the __cplusplus block and #define FSMETA_*)", c)
		case reOpaque.MatchString(c):
			m := reOpaque.FindStringSubmatch(c)
			if m[1] != m[2] {
				return p.errf(l.n, "typedef struct %s names it %s: both names must be the same", m[1], m[2])
			}
			if err := p.declare(l.n, m[1]); err != nil {
				return err
			}
			p.h.handles[m[1]] = true
			p.h.Handles = append(p.h.Handles, m[1])
		case reStructBeg.MatchString(c):
			n, err := p.structBody(body[i:])
			if err != nil {
				return err
			}
			i += n - 1
		case strings.HasPrefix(c, "typedef"):
			return p.errf(l.n, "unknown typedef %q (only typedef struct fsmeta_x fsmeta_x; and typedef struct fsmeta_x { ... } fsmeta_x;)", c)
		case reFunc.MatchString(c):
			f, err := p.function(l)
			if err != nil {
				return err
			}
			f.Summary = summaries[f.Name]
		default:
			return p.errf(l.n, "unknown construct %q (prototypes must be on one line; see cmd/fsmeta-gen/doc.go)", c)
		}
	}
	for _, f := range p.h.Deprecated {
		if !p.h.funcs[f.Replacement] {
			return p.errf(f.Line, "%s: its replacement %s is not a function of the header", f.Name, f.Replacement)
		}
		if f.Replacement == f.Name {
			return p.errf(f.Line, "%s is deprecated in favour of itself", f.Name)
		}
	}
	return nil
}

func (p *parser) declare(line int, name string) error {
	if p.h.structs[name] != nil || p.h.handles[name] || p.h.funcs[name] || p.h.consts[name] != nil {
		return p.errf(line, "%s is declared twice", name)
	}
	return nil
}

func parseInt(s string) (int64, bool) {
	if !reInt.MatchString(s) {
		return 0, false
	}
	neg := false
	if strings.HasPrefix(s, "(") {
		s, neg = s[2:len(s)-1], true
	}
	var v uint64
	var err error
	switch {
	case strings.HasPrefix(s, "0x"):
		v, err = strconv.ParseUint(s[2:], 16, 63)
	case len(s) > 1 && s[0] == '0':
		v, err = strconv.ParseUint(s[1:], 8, 63)
	default:
		v, err = strconv.ParseUint(s, 10, 63)
	}
	if err != nil {
		return 0, false
	}
	if neg {
		return -int64(v), true
	}
	return int64(v), true
}

func (p *parser) define(l srcLine) error {
	m := reDefine.FindStringSubmatch(l.code)
	if m == nil {
		return p.errf(l.n, "unknown #define %q (want #define FSMETA_NAME VALUE)", l.code)
	}
	name, val := m[1], strings.TrimSpace(m[2])
	if err := p.declare(l.n, name); err != nil {
		return err
	}
	c := &Const{Name: name, Text: val, Line: l.n}
	switch {
	case reInt.MatchString(val):
		v, ok := parseInt(val)
		if !ok {
			return p.errf(l.n, "%s: integer %s out of range", name, val)
		}
		c.Kind, c.Int = ConstInt, v
	case reString.MatchString(val):
		c.Kind, c.Str = ConstString, val[1:len(val)-1]
	case reInitList.MatchString(val):
		if err := p.initializer(l.n, c); err != nil {
			return err
		}
	default:
		return p.errf(l.n, "%s: unknown value %q (an integer, a string or a struct initializer)", name, val)
	}
	p.h.consts[name] = c
	p.h.Consts = append(p.h.Consts, c)
	return nil
}

func (p *parser) initializer(line int, c *Const) error {
	if !strings.HasSuffix(c.Name, "_INIT") {
		return p.errf(line, "%s: an initializer's name must be FSMETA_<STRUCT>_INIT", c.Name)
	}
	sname := "fsmeta_" + strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(c.Name, "FSMETA_"), "_INIT"))
	s := p.h.structs[sname]
	if s == nil {
		return p.errf(line, "%s: no struct %s declared above it", c.Name, sname)
	}
	if s.Init != nil {
		return p.errf(line, "%s: %s has two initializers", c.Name, sname)
	}
	inner := reInitList.FindStringSubmatch(c.Text)[1]
	parts := strings.Split(inner, ",")
	if len(parts) != len(s.Fields) {
		return p.errf(line, "%s: %d values for the %d fields of %s", c.Name, len(parts), len(s.Fields), sname)
	}
	for i, part := range parts {
		part = strings.TrimSpace(part)
		f := s.Fields[i]
		e := Elem{Text: part}
		switch {
		case part == "NULL":
			if f.Type.Ptr == 0 {
				return p.errf(line, "%s: NULL for %s.%s, which is not a pointer", c.Name, sname, f.Name)
			}
			e.Null = true
		case reConstName.MatchString(part):
			k := p.h.consts[part]
			if k == nil || k.Kind != ConstInt {
				return p.errf(line, "%s: %s is not an integer constant declared above", c.Name, part)
			}
			e.Const, e.Int = part, k.Int
		default:
			v, ok := parseInt(part)
			if !ok {
				return p.errf(line, "%s: unknown value %q", c.Name, part)
			}
			e.Int = v
		}
		if !e.Null && (f.Type.Ptr > 0 || f.Array > 0 || !scalarTypes[f.Type.Base]) {
			return p.errf(line, "%s: %s.%s needs NULL or nothing, not %s", c.Name, sname, f.Name, part)
		}
		c.Elems = append(c.Elems, e)
	}
	c.Kind, c.Struct = ConstInit, sname
	s.Init = c
	return nil
}

// parseType reads "[const] base [*|**]" as written in a field or a parameter.
func (p *parser) parseType(line int, s string) (Type, error) {
	var t Type
	s = strings.TrimSpace(s)
	t.Ptr = strings.Count(s, "*")
	if t.Ptr > 0 && strings.TrimRight(s, "* ") != strings.TrimSpace(strings.ReplaceAll(s, "*", "")) {
		return t, p.errf(line, "unknown type %q", s)
	}
	words := strings.Fields(strings.ReplaceAll(s, "*", " "))
	if len(words) > 0 && words[0] == "const" {
		t.Const = true
		words = words[1:]
	}
	if len(words) != 1 {
		return t, p.errf(line, "unknown type %q (one of the grammar's scalars, char, void or a fsmeta_ type)", s)
	}
	t.Base = words[0]
	switch {
	case scalarTypes[t.Base]:
		if t.Ptr > 1 {
			return t, p.errf(line, "unsupported type %q", s)
		}
	case t.Base == "char":
		if t.Ptr != 1 {
			return t, p.errf(line, "char is only allowed as char * (or an array field): %q", s)
		}
	case t.Base == "void":
		if t.Ptr != 0 || t.Const {
			return t, p.errf(line, "void is only allowed as a return type or (void): %q", s)
		}
	case p.h.handles[t.Base]:
		if t.Ptr < 1 || t.Ptr > 2 || t.Const {
			return t, p.errf(line, "handle type %s must be used as %s * or %s **: %q", t.Base, t.Base, t.Base, s)
		}
	case p.h.structs[t.Base] != nil:
		if t.Ptr > 1 {
			return t, p.errf(line, "unsupported type %q", s)
		}
	default:
		return t, p.errf(line, "unknown type %q (not a scalar of the grammar, nor a fsmeta_ type declared above)", s)
	}
	return t, nil
}

func (p *parser) structBody(lines []srcLine) (int, error) {
	name := reStructBeg.FindStringSubmatch(lines[0].code)[1]
	if err := p.declare(lines[0].n, name); err != nil {
		return 0, err
	}
	s := &Struct{Name: name, Line: lines[0].n}
	seen := map[string]bool{}
	for i := 1; i < len(lines); i++ {
		l := lines[i]
		if m := reStructEnd.FindStringSubmatch(l.code); m != nil {
			if m[1] != name {
				return 0, p.errf(l.n, "struct %s closed as %s", name, m[1])
			}
			if len(s.Fields) == 0 {
				return 0, p.errf(l.n, "struct %s has no fields", name)
			}
			p.h.structs[name] = s
			p.h.Structs = append(p.h.Structs, s)
			return i + 1, nil
		}
		m := reField.FindStringSubmatch(l.code)
		if m == nil || strings.ContainsAny(m[1], "(){},;[]") {
			return 0, p.errf(l.n, "unknown construct in struct %s: %q (want one field per line: TYPE name; or char name[N];)", name, l.code)
		}
		f := &Field{Name: m[2], Comment: strings.Join(strings.Fields(l.comment), " ")}
		if seen[f.Name] {
			return 0, p.errf(l.n, "field %s.%s declared twice", name, f.Name)
		}
		seen[f.Name] = true
		if m[3] != "" {
			if strings.TrimSpace(m[1]) != "char" {
				return 0, p.errf(l.n, "only char arrays are supported: %q", l.code)
			}
			n, err := strconv.Atoi(m[4])
			if err != nil || n < 1 || n > 1<<20 {
				return 0, p.errf(l.n, "bad array size in %q", l.code)
			}
			f.Type, f.Array = Type{Base: "char"}, n
		} else {
			t, err := p.parseType(l.n, m[1])
			if err != nil {
				return 0, err
			}
			switch {
			case t.Base == "void" || p.h.handles[t.Base]:
				return 0, p.errf(l.n, "unsupported field type %q", m[1])
			case t.Ptr == 1 && t.Base == "char":
			case t.Ptr == 1 && t.Const && t.Base == "uint32_t":
			case t.Ptr == 0 && (scalarTypes[t.Base] || p.h.structs[t.Base] != nil):
			default:
				return 0, p.errf(l.n, "unsupported field type %q (scalars, const char *, char *, const uint32_t *, structs by value)", m[1])
			}
			if t.Ptr == 0 && t.Const {
				return 0, p.errf(l.n, "const field %q", l.code)
			}
			f.Type = t
		}
		s.Fields = append(s.Fields, f)
	}
	return 0, p.errf(lines[0].n, "struct %s is not closed", name)
}

func (p *parser) function(l srcLine) (*Func, error) {
	m := reFunc.FindStringSubmatch(l.code)
	f := &Func{Name: m[2], Proto: l.code, Line: l.n}
	if err := p.declare(l.n, f.Name); err != nil {
		return nil, err
	}
	ret, err := p.parseType(l.n, m[1])
	if err != nil {
		return nil, err
	}
	switch ret.String() {
	case "int", "unsigned", "uint64_t", "const char *", "void":
	default:
		return nil, p.errf(l.n, "%s: unsupported return type %q (int, unsigned, uint64_t, const char *, void)", f.Name, ret)
	}
	f.Ret = ret
	args := strings.TrimSpace(m[3])
	if args == "" {
		return nil, p.errf(l.n, "%s: write (void) for no parameters", f.Name)
	}
	if args != "void" {
		seen := map[string]bool{}
		for _, a := range strings.Split(args, ",") {
			a = strings.TrimSpace(a)
			pm := reParam.FindStringSubmatch(a)
			if pm == nil || strings.ContainsAny(a, "()[]{}") || !reIdent.MatchString(pm[2]) || strings.TrimSpace(pm[1]) == "" || strings.TrimSpace(pm[1]) == "const" {
				return nil, p.errf(l.n, "%s: unknown parameter %q (want TYPE name)", f.Name, a)
			}
			t, err := p.parseType(l.n, pm[1])
			if err != nil {
				return nil, err
			}
			if t.Base == "void" {
				return nil, p.errf(l.n, "%s: void parameter %q", f.Name, a)
			}
			if t.Ptr == 0 && t.Const {
				return nil, p.errf(l.n, "%s: const scalar parameter %q", f.Name, a)
			}
			if seen[pm[2]] {
				return nil, p.errf(l.n, "%s: parameter %s twice", f.Name, pm[2])
			}
			seen[pm[2]] = true
			f.Params = append(f.Params, &Param{Type: t, Name: pm[2]})
		}
	}
	p.h.funcs[f.Name] = true
	p.h.Funcs = append(p.h.Funcs, f)
	return f, nil
}
