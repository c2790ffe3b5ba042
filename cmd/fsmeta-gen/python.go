package main

import (
	"fmt"
	"strings"
)

var pyScalars = map[string]string{
	"int": "ctypes.c_int", "unsigned": "ctypes.c_uint", "uint32_t": "ctypes.c_uint32", "int64_t": "ctypes.c_int64",
	"uint64_t": "ctypes.c_uint64", "size_t": "ctypes.c_size_t",
}

// pyType is the ctypes type of a parameter, field or return.
func pyType(h *Header, t Type) (string, error) {
	switch {
	case t.Base == "void" && t.Ptr == 0:
		return "None", nil
	case t.Base == "char" && t.Ptr == 1 && t.Const:
		return "ctypes.c_char_p", nil // bytes in; a NUL-terminated string out (returns)
	case t.Base == "char" && t.Ptr == 1:
		return "ctypes.POINTER(ctypes.c_char)", nil // a buffer: keeps its address (create_string_buffer fits)
	case scalarTypes[t.Base]:
		s := pyScalars[t.Base]
		for i := 0; i < t.Ptr; i++ {
			s = "ctypes.POINTER(" + s + ")"
		}
		return s, nil
	case h.handles[t.Base] || h.structs[t.Base] != nil:
		s := t.Base
		for i := 0; i < t.Ptr; i++ {
			s = "ctypes.POINTER(" + s + ")"
		}
		return s, nil
	}
	return "", fmt.Errorf("%s: no ctypes type for %s", headerPath, t)
}

func pyConst(c *Const) string {
	switch c.Kind {
	case ConstString:
		return `"` + c.Str + `"`
	case ConstInit:
		var el []string
		for _, e := range c.Elems {
			switch {
			case e.Null:
				el = append(el, "None")
			case e.Const != "":
				el = append(el, e.Const)
			default:
				el = append(el, pyInt(e.Text))
			}
		}
		return "(" + strings.Join(el, ", ") + ")"
	}
	return pyInt(c.Text)
}

func pyInt(s string) string {
	s = strings.Trim(s, "()")
	if len(s) > 1 && s[0] == '0' && s[1] != 'x' {
		return "0o" + s[1:]
	}
	return s
}

func genPython(h *Header) ([]byte, error) {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# %s\n", generated)
	w(`"""ctypes declarations of libfsmeta, generated from include/fsmeta.h.

The raw layer: every constant, every struct as a ctypes.Structure and, in load(), every function with its argtypes
and restype. The Pythonic API is built on it; finding the library file is the caller's business (see _lib.py).

Types: a handle is ctypes.POINTER(fsmeta_db) (or fsmeta_dir); "const char *" parameters take bytes (with their
length passed separately, so embedded NULs are not cut); "char *" buffers take ctypes.create_string_buffer(n);
out-parameters take ctypes.byref(x). An initializer FSMETA_X_INIT is a tuple: fsmeta_x(*FSMETA_X_INIT).
"""

import ctypes

# ---- Constants ----

`)
	for _, c := range h.Consts {
		if c.Kind == ConstInit {
			continue // after the structs they initialize
		}
		w("%s = %s\n", c.Name, pyConst(c))
	}
	w("\n# ---- Types ----\n\n")
	for _, name := range h.Handles {
		w("\nclass %s(ctypes.Structure):\n    \"\"\"Opaque: only ever used through ctypes.POINTER(%s).\"\"\"\n\n", name, name)
	}
	for _, s := range h.Structs {
		w("\nclass %s(ctypes.Structure):\n    _fields_ = [\n", s.Name)
		for _, f := range s.Fields {
			var typ string
			if f.Array > 0 {
				typ = fmt.Sprintf("ctypes.c_char * %d", f.Array)
			} else {
				var err error
				if typ, err = pyType(h, f.Type); err != nil {
					return nil, err
				}
			}
			comment := ""
			if f.Comment != "" {
				comment = "  # " + f.Comment
			}
			w("        (%q, %s),%s\n", f.Name, typ, comment)
		}
		w("    ]\n\n")
		if s.Init != nil {
			w("\n%s = %s\n\n", s.Init.Name, pyConst(s.Init))
		}
	}
	var names, status []string
	for _, f := range h.Funcs {
		names = append(names, f.Name)
		if f.Ret.String() == "int" {
			status = append(status, f.Name)
		}
	}
	w("\n# Every function of the header, and those of them that return a status (0 or a negative FSMETA_* code).\n")
	w("FUNCTIONS = (\n")
	for _, n := range names {
		w("    %q,\n", n)
	}
	w(")\nSTATUS_FUNCTIONS = (\n")
	for _, n := range status {
		w("    %q,\n", n)
	}
	w(")\n\n")
	w("# For each function taking names or paths: the positions of those arguments (const char * parameters called\n")
	w("# name, new_name or path), which an error reports as its filename (and filename2).\n")
	w("NAME_ARGS = {\n")
	for _, f := range h.Funcs {
		var pos []string
		for i, p := range f.Params {
			if p.Type.String() == "const char *" && (p.Name == "name" || p.Name == "new_name" || p.Name == "path") {
				pos = append(pos, fmt.Sprint(i))
			}
		}
		if len(pos) > 0 {
			w("    %q: (%s,),\n", f.Name, strings.Join(pos, ", "))
		}
	}
	w("}\n\n")
	b.WriteString(`
def load(path, errcheck=None):
    """Load libfsmeta from path and declare its functions; returns the ctypes.CDLL.

    errcheck, if given, is set on every function of STATUS_FUNCTIONS (ctypes calls it as errcheck(result, func,
    args)). Raises OSError when the library cannot be loaded or its major version is not this header's.
    """
    lib = ctypes.CDLL(path)
    lib.fsmeta_version_number.argtypes = []
    lib.fsmeta_version_number.restype = ctypes.c_uint
    version = lib.fsmeta_version_number()
    if version // 10000 != FSMETA_VERSION_MAJOR or version < FSMETA_VERSION_NUMBER:
        raise OSError("%s: libfsmeta version %d, these bindings need %d.x >= %d" % (path, version, FSMETA_VERSION_MAJOR, FSMETA_VERSION_NUMBER))
    _declare(lib)
    if errcheck is not None:
        for name in STATUS_FUNCTIONS:
            getattr(lib, name).errcheck = errcheck
    return lib


def _declare(lib):
`)
	for _, f := range h.Funcs {
		var args []string
		for _, p := range f.Params {
			t, err := pyType(h, p.Type)
			if err != nil {
				return nil, err
			}
			args = append(args, t)
		}
		ret, err := pyType(h, f.Ret)
		if err != nil {
			return nil, err
		}
		w("    # %s\n", f.Proto)
		w("    lib.%s.argtypes = [%s]\n", f.Name, strings.Join(args, ", "))
		w("    lib.%s.restype = %s\n", f.Name, ret)
	}
	return []byte(b.String()), nil
}
