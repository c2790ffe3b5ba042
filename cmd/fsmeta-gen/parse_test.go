package main

import (
	"strings"
	"testing"
)

// mini wraps declarations in the include guard.
func mini(body string) string {
	return "/* a header */\n#ifndef FSMETA_H\n#define FSMETA_H\n#include <stdint.h>\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n" +
		body + "\n#ifdef __cplusplus\n}\n#endif\n#endif /* FSMETA_H */\n"
}

const miniBody = `
#define FSMETA_A 0x10
#define FSMETA_B (-22)
#define FSMETA_C 0170000
#define FSMETA_D 4611686018427387904
#define FSMETA_S "1.0.0"
typedef struct fsmeta_db fsmeta_db;
/* fsmeta_pair - two numbers. */
typedef struct fsmeta_pair {
    unsigned version;   /* FSMETA_A */
    const char *dir;
    uint64_t n;
} fsmeta_pair;
#define FSMETA_PAIR_INIT {FSMETA_A, NULL, 0}
typedef struct fsmeta_named {
    fsmeta_pair pair;
    char name[13];
} fsmeta_named;

/*
 * fsmeta_get - get a pair.
 *
 * More text.
 */
int fsmeta_get(fsmeta_pair *out, fsmeta_db *db, const char *name, size_t name_len);
const char *fsmeta_name(void);
`

func TestParseMini(t *testing.T) {
	h, err := Parse("mini.h", mini(miniBody))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"FSMETA_A": 16, "FSMETA_B": -22, "FSMETA_C": 0o170000, "FSMETA_D": 1 << 62}
	for name, v := range want {
		if c := h.consts[name]; c == nil || c.Kind != ConstInt || c.Int != v {
			t.Errorf("%s = %+v, want %d", name, c, v)
		}
	}
	if c := h.consts["FSMETA_S"]; c == nil || c.Kind != ConstString || c.Str != "1.0.0" {
		t.Errorf("FSMETA_S = %+v", c)
	}
	s := h.structs["fsmeta_pair"]
	if s == nil || len(s.Fields) != 3 || s.Fields[1].Type.String() != "const char *" || s.Fields[0].Comment != "FSMETA_A" {
		t.Fatalf("struct: %+v", s)
	}
	if s.Init == nil || len(s.Init.Elems) != 3 || !s.Init.Elems[1].Null || s.Init.Elems[0].Const != "FSMETA_A" {
		t.Fatalf("init: %+v", s.Init)
	}
	if len(h.Funcs) != 2 {
		t.Fatalf("funcs: %d", len(h.Funcs))
	}
	f := h.Funcs[0]
	if f.Name != "fsmeta_get" || f.Summary != "get a pair." || len(f.Params) != 4 || f.Params[1].Type.String() != "fsmeta_db *" {
		t.Fatalf("func: %+v", f)
	}
	if h.Funcs[1].Ret.String() != "const char *" || len(h.Funcs[1].Params) != 0 {
		t.Fatalf("func: %+v", h.Funcs[1])
	}
	n := h.structs["fsmeta_named"]
	if n == nil || n.Fields[1].Array != 13 || n.Fields[0].Type.Base != "fsmeta_pair" {
		t.Fatalf("struct: %+v", n)
	}
	offs, size, _ := byteLayout(h, n)
	if size != 40 || offs[1] != 24 {
		t.Fatalf("layout %v %d", offs, size)
	}
	lay := layoutOf(h, n)
	if len(lay.Slots) != 2 || lay.Nested["pair"] != 0 || len(lay.Arrays) != 1 || len(lay.Ptrs) != 1 || strings.Join(lay.Slots[1].Path, ".") != "pair.n" {
		t.Fatalf("long[] layout %+v", lay)
	}
}

// Every construct outside the grammar is an error that names its line.
func TestParseRejects(t *testing.T) {
	cases := []struct{ body, msg string }{
		{"enum fsmeta_e { FSMETA_X };", "unknown construct"},
		{"int fsmeta_f(int a,\n    int b);", "prototypes must be on one line"},
		{"#define FSMETA_X (1 << 2)", "unknown value"},
		{"#define FSMETA_X 08", "unknown value"},
		{"#define OTHER 1", "unknown #define"},
		{"#if 1\n#endif", "unknown preprocessor line"},
		{"#include <stdio.h>", "unknown preprocessor line"},
		{"typedef int fsmeta_t;", "unknown typedef"},
		{"typedef union fsmeta_u fsmeta_u;", "unknown typedef"},
		{"long fsmeta_f(void);", "unknown type"},
		{"int fsmeta_f(long x);", "unknown type"},
		{"int fsmeta_f();", "write (void)"},
		{"int fsmeta_f(fsmeta_nope *x);", "unknown type"},
		{"int fsmeta_f(int (*cb)(int));", "unknown parameter"},
		{"uint32_t fsmeta_f(void);", "unsupported return type"},
		{"int fsmeta_f(void);\nint fsmeta_f(void);", "declared twice"},
		{"int fsmeta_f(int a, int a);", "twice"},
		{"typedef struct fsmeta_s {\n    int a;\n    int b : 3;\n} fsmeta_s;", "unknown construct in struct"},
		{"typedef struct fsmeta_s {\n    int a[4];\n} fsmeta_s;", "only char arrays"},
		{"typedef struct fsmeta_s {\n    int a;\n} fsmeta_t;", "closed as"},
		{"typedef struct fsmeta_s {\n    int a;", "unknown construct in struct"},
		{"typedef struct fsmeta_s {\n    int a;\n} fsmeta_s;\n#define FSMETA_S_INIT {0, 0}", "2 values for the 1 fields"},
		{"typedef struct fsmeta_s {\n    int a;\n} fsmeta_s;\n#define FSMETA_S_INIT {NULL}", "not a pointer"},
		{"#define FSMETA_T_INIT {0}", "no struct fsmeta_t"},
		{"typedef struct fsmeta_db fsmeta_db;\nint fsmeta_f(fsmeta_db x);", "handle type"},
		{"int fsmeta_f(char c);", "char is only allowed"},
		{"int x;", "unknown construct"},
		{"extern \"C\" {", "unknown construct"},
	}
	for _, c := range cases {
		src := mini(c.body)
		_, err := Parse("mini.h", src)
		if err == nil {
			t.Errorf("%q: accepted", c.body)
			continue
		}
		pe, ok := err.(*ParseError)
		if !ok || pe.Line < 8 || !strings.Contains(err.Error(), "mini.h:") || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: error %q, want one naming a line of the body and containing %q", c.body, err, c.msg)
		}
	}
}

func TestParseRequiresTheGuard(t *testing.T) {
	for _, src := range []string{
		"int fsmeta_f(void);\n",
		"#ifndef FSMETA_H\n#define FSMETA_H\nint fsmeta_f(void);\n",
		"#ifndef FSMETA_H\n#define FSMETA_H\n#ifdef __cplusplus\nextern \"C\" {\nint fsmeta_f(void);\n#endif\n#endif\n",
		"#ifndef FSMETA_H\n#define FSMETA_H\n/* unterminated\n#endif\n",
	} {
		if _, err := Parse("x.h", src); err == nil {
			t.Errorf("accepted:\n%s", src)
		}
	}
}

// The JNI mapping refuses what it has no rule for, naming the line.
func TestMapJNIRejects(t *testing.T) {
	ctxBuf := `
#define FSMETA_VERSION_MAJOR 1
#define FSMETA_VERSION_NUMBER 10000
#define FSMETA_EINVAL (-22)
#define FSMETA_ENOMEM (-12)
#define FSMETA_ETOOSMALL (-1004)
typedef struct fsmeta_ctx {
    unsigned version;
    uint32_t uid;
    uint32_t gid;
    uint32_t umask;
    const uint32_t *groups;
    size_t ngroups;
} fsmeta_ctx;
typedef struct fsmeta_buf {
    char *data;
    size_t len;
    size_t count;
} fsmeta_buf;
#define FSMETA_BUF_INIT {NULL, 0, 0}
`
	ok := ctxBuf + "int fsmeta_f(fsmeta_buf *b, const fsmeta_ctx *ctx, const char *name, size_t name_len);\n"
	h, err := Parse("m.h", mini(ok))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mapJNI(h); err != nil {
		t.Fatalf("mapJNI: %v", err)
	}
	for _, c := range []struct{ body, msg string }{
		{"int fsmeta_f(const char *name);", "must be followed by size_t name_len"},
		{"int fsmeta_f(const char *name, size_t len);", "must be followed by size_t name_len"},
		{"int fsmeta_f(char *buf, size_t buf_size);", "char *buf must be followed"},
		{"int fsmeta_f(fsmeta_ctx *ctx);", "must be const fsmeta_ctx *"},
		{"const char *fsmeta_f(fsmeta_buf *b);", "may only take scalars"},
	} {
		h, err := Parse("m.h", mini(ctxBuf+c.body))
		if err != nil {
			t.Fatalf("%q: %v", c.body, err)
		}
		_, err = mapJNI(h)
		if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "m.h:") && !strings.Contains(err.Error(), headerPath+":") {
			t.Errorf("%q: %v, want %q", c.body, err, c.msg)
		}
	}
	// a changed ctx is refused, not mapped by guess
	changed := strings.Replace(ctxBuf, "uint32_t umask;", "uint32_t umask;\n    uint32_t extra;", 1)
	h, err = Parse("m.h", mini(changed+"int fsmeta_f(const fsmeta_ctx *ctx);"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mapJNI(h); err == nil || !strings.Contains(err.Error(), "struct fsmeta_ctx changed") {
		t.Errorf("changed ctx: %v", err)
	}
}

const deprBlock = "#if defined(__GNUC__) || defined(__clang__)\n#define FSMETA_DEPRECATED(msg) __attribute__((deprecated(msg)))\n#else\n#define FSMETA_DEPRECATED(msg)\n#endif\n"

// TestParseDeprecated: a prototype marked FSMETA_DEPRECATED("use fsmeta_x") goes to Header.Deprecated, not Funcs
// (so no binding is generated for it); the block defining the macro is fixed; the replacement must exist.
func TestParseDeprecated(t *testing.T) {
	body := miniBody + deprBlock + "/* fsmeta_old_get - deprecated. */\nint fsmeta_old_get(fsmeta_pair *out, fsmeta_db *db, const char *name, size_t name_len) FSMETA_DEPRECATED(\"use fsmeta_get\");\n"
	h, err := Parse("mini.h", mini(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Deprecated) != 1 || h.Deprecated[0].Name != "fsmeta_old_get" || h.Deprecated[0].Replacement != "fsmeta_get" ||
		len(h.Deprecated[0].Params) != 4 || h.Deprecated[0].Summary != "deprecated." {
		t.Fatalf("deprecated: %+v", h.Deprecated)
	}
	for _, f := range h.Funcs {
		if f.Name == "fsmeta_old_get" {
			t.Fatal("a deprecated function is in Funcs")
		}
	}
	for _, c := range []struct{ body, want string }{
		{miniBody + "int fsmeta_old(void) FSMETA_DEPRECATED(\"use fsmeta_get\");", "before its definition"},
		{miniBody + deprBlock + "int fsmeta_old(void) FSMETA_DEPRECATED(\"use fsmeta_nothing\");", "is not a function"},
		{miniBody + deprBlock + "int fsmeta_get(void) FSMETA_DEPRECATED(\"use fsmeta_name\");", "declared twice"},
		{miniBody + deprBlock + deprBlock, "defined twice"},
		{miniBody + strings.Replace(deprBlock, "#else\n", "", 1), "must be exactly"},
	} {
		_, err := Parse("mini.h", mini(c.body))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want an error with %q", c.body[len(miniBody):], err, c.want)
		}
	}
}
