package main

import (
	"fmt"
	"strings"
)

type jkind int

const (
	kHandle      jkind = iota // fsmeta_db *db -> long
	kHandleOut                // fsmeta_db **db_out -> long[]
	kCtx                      // const fsmeta_ctx *ctx -> int[]
	kBytesIn                  // const char *x, size_t x_len -> byte[]
	kCallerBuf                // char *x, size_t x_size, size_t *len_out -> byte[], long[]
	kBufOut                   // fsmeta_buf *x -> byte[][]
	kStructOut                // fsmeta_S *x -> long[] (+ byte[] per char array)
	kStructIn                 // const fsmeta_S *x -> long[] (+ byte[] per const char * field)
	kStructArrIn              // const fsmeta_S *x, size_t x_count -> long[]
	kScalarOut                // uint64_t *x -> long[]
	kInt                      // int, unsigned, uint32_t -> int
	kLong                     // int64_t, uint64_t, size_t -> long
)

// jarg is one Java parameter.
type jarg struct {
	JType string // long, int, long[], int[], byte[], byte[][]
	Name  string // Java name (camelCase); the C glue calls it j_<Name>
	Path  []string
	Size  int // char array size (kStructOut extra byte[])
}

// jparam is a group of C parameters mapped together.
type jparam struct {
	Kind   jkind
	C      []*Param
	Java   []jarg
	Struct *Struct
	Layout *structLayout
}

type jfunc struct {
	F      *Func
	Params []*jparam
	JRet   string // int, long, byte[], void
}

type jmapping struct {
	Funcs []*jfunc
	Used  map[string]bool // "get:fsmeta_x", "put:fsmeta_x": conversion functions the glue needs
}

var javaKeywords = map[string]bool{"abstract": true, "assert": true, "boolean": true, "break": true, "byte": true, "case": true,
	"catch": true, "char": true, "class": true, "const": true, "continue": true, "default": true, "do": true, "double": true,
	"else": true, "enum": true, "extends": true, "final": true, "finally": true, "float": true, "for": true, "goto": true,
	"if": true, "implements": true, "import": true, "instanceof": true, "int": true, "interface": true, "long": true,
	"native": true, "new": true, "package": true, "private": true, "protected": true, "public": true, "return": true,
	"short": true, "static": true, "strictfp": true, "super": true, "switch": true, "synchronized": true, "this": true,
	"throw": true, "throws": true, "transient": true, "try": true, "void": true, "volatile": true, "while": true,
	"true": true, "false": true, "null": true, "var": true, "record": true, "yield": true}

func camel(parts ...string) string {
	var b strings.Builder
	first := true
	for _, p := range parts {
		for _, w := range strings.Split(p, "_") {
			if w == "" {
				continue
			}
			if first {
				b.WriteString(w)
				first = false
			} else {
				b.WriteString(strings.ToUpper(w[:1]) + w[1:])
			}
		}
	}
	s := b.String()
	if javaKeywords[s] {
		s += "_"
	}
	return s
}

func isScalar(t Type, names ...string) bool {
	if t.Ptr != 0 || !scalarTypes[t.Base] {
		return false
	}
	if len(names) == 0 {
		return true
	}
	for _, n := range names {
		if t.Base == n {
			return true
		}
	}
	return false
}

// mapJNI applies the mapping rules of doc.go to every function.
func mapJNI(h *Header) (*jmapping, error) {
	if err := checkSpecial(h); err != nil {
		return nil, err
	}
	m := &jmapping{Used: map[string]bool{}}
	for _, f := range h.Funcs {
		if f.Name == "fsmeta_buf_dispose" {
			continue // the glue disposes every buffer itself
		}
		errf := func(format string, args ...any) error {
			return &ParseError{File: headerPath, Line: f.Line, Msg: f.Name + ": " + fmt.Sprintf(format, args...) + " (no rule of the JNI mapping covers it: see cmd/fsmeta-gen/doc.go)"}
		}
		jf := &jfunc{F: f}
		switch f.Ret.String() {
		case "int", "unsigned":
			jf.JRet = "int"
		case "uint64_t":
			jf.JRet = "long"
		case "const char *":
			jf.JRet = "byte[]"
		case "void":
			jf.JRet = "void"
		}
		ps := f.Params
		for i := 0; i < len(ps); i++ {
			p := ps[i]
			t := p.Type
			next := func(k int) *Param {
				if i+k < len(ps) {
					return ps[i+k]
				}
				return nil
			}
			jp := &jparam{C: []*Param{p}}
			single := func(k jkind, jt string) { jp.Kind = k; jp.Java = []jarg{{JType: jt, Name: camel(p.Name)}} }
			st := h.structs[t.Base]
			switch {
			case h.handles[t.Base] && t.Ptr == 1:
				single(kHandle, "long")
			case h.handles[t.Base] && t.Ptr == 2:
				single(kHandleOut, "long[]")
			case t.Base == ctxStruct:
				if !t.Const || t.Ptr != 1 {
					return nil, errf("%s must be const fsmeta_ctx *", p.Name)
				}
				single(kCtx, "int[]")
			case t.Base == "char" && t.Const:
				n := next(1)
				if n == nil || n.Name != p.Name+"_len" || !isScalar(n.Type, "size_t") {
					return nil, errf("const char *%s must be followed by size_t %s_len", p.Name, p.Name)
				}
				single(kBytesIn, "byte[]")
				jp.C = append(jp.C, n)
				i++
			case t.Base == "char":
				n, l := next(1), next(2)
				if n == nil || n.Name != p.Name+"_size" || !isScalar(n.Type, "size_t") || l == nil || l.Type.String() != "size_t *" || l.Name != "len_out" {
					return nil, errf("char *%s must be followed by size_t %s_size, size_t *len_out", p.Name, p.Name)
				}
				jp.Kind = kCallerBuf
				jp.C = append(jp.C, n, l)
				jp.Java = []jarg{{JType: "byte[]", Name: camel(p.Name)}, {JType: "long[]", Name: camel(l.Name)}}
				i += 2
			case st != nil && t.Base == bufStruct:
				if t.Const {
					return nil, errf("const fsmeta_buf *%s", p.Name)
				}
				single(kBufOut, "byte[][]")
			case st != nil:
				lay := layoutOf(h, st)
				jp.Struct, jp.Layout = st, lay
				if n := next(1); t.Const && n != nil && n.Name == p.Name+"_count" && isScalar(n.Type, "size_t") {
					if len(lay.Ptrs) > 0 || len(lay.Arrays) > 0 {
						return nil, errf("an array of %s, which has pointer or array fields", st.Name)
					}
					single(kStructArrIn, "long[]")
					jp.C = append(jp.C, n)
					i++
					m.Used["get:"+st.Name] = true
					break
				}
				if t.Const {
					single(kStructIn, "long[]")
					if len(lay.Arrays) > 0 {
						return nil, errf("input struct %s has a char array", st.Name)
					}
					for _, path := range lay.Ptrs {
						if fieldAt(h, st, path).Type.String() != "const char *" {
							return nil, errf("input struct %s has a pointer field %s that is not const char *", st.Name, strings.Join(path, "."))
						}
						jp.Java = append(jp.Java, jarg{JType: "byte[]", Name: camel(append([]string{p.Name}, path...)...), Path: path})
					}
					m.Used["get:"+st.Name] = true
				} else {
					single(kStructOut, "long[]")
					for _, a := range lay.Arrays {
						jp.Java = append(jp.Java, jarg{JType: "byte[]", Name: camel(append([]string{p.Name}, a.Path...)...), Path: a.Path, Size: a.Size})
					}
					m.Used["put:"+st.Name] = true
				}
			case t.Ptr == 1 && !t.Const && scalarTypes[t.Base]:
				single(kScalarOut, "long[]")
			case isScalar(t, "int", "unsigned", "uint32_t"):
				single(kInt, "int")
			case isScalar(t, "int64_t", "uint64_t", "size_t"):
				single(kLong, "long")
			default:
				return nil, errf("parameter %s %s", t, p.Name)
			}
			if f.Ret.String() != "int" && jp.Kind != kInt && jp.Kind != kLong {
				return nil, errf("a function that does not return a status may only take scalars")
			}
			jf.Params = append(jf.Params, jp)
		}
		seen := map[string]bool{}
		for _, jp := range jf.Params {
			for _, a := range jp.Java {
				if seen[a.Name] {
					return nil, errf("two Java parameters named %s", a.Name)
				}
				seen[a.Name] = true
			}
		}
		m.Funcs = append(m.Funcs, jf)
	}
	return m, nil
}

func fieldAt(h *Header, s *Struct, path []string) *Field {
	for i, name := range path {
		for _, f := range s.Fields {
			if f.Name == name {
				if i == len(path)-1 {
					return f
				}
				s = h.structs[f.Type.Base]
				break
			}
		}
	}
	return nil
}

func jniSig(jt string) string {
	switch jt {
	case "int":
		return "I"
	case "long":
		return "J"
	case "void":
		return "V"
	case "int[]":
		return "[I"
	case "long[]":
		return "[J"
	case "byte[]":
		return "[B"
	case "byte[][]":
		return "[[B"
	}
	panic("jniSig " + jt)
}

func jniCType(jt string) string {
	switch jt {
	case "int":
		return "jint"
	case "long":
		return "jlong"
	case "void":
		return "void"
	case "int[]":
		return "jintArray"
	case "long[]":
		return "jlongArray"
	case "byte[]":
		return "jbyteArray"
	case "byte[][]":
		return "jobjectArray"
	}
	panic("jniCType " + jt)
}

func (jf *jfunc) signature() string {
	var b strings.Builder
	b.WriteString("(")
	for _, jp := range jf.Params {
		for _, a := range jp.Java {
			b.WriteString(jniSig(a.JType))
		}
	}
	b.WriteString(")" + jniSig(jf.JRet))
	return b.String()
}
