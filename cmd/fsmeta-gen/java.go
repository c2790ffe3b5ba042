package main

import (
	"fmt"
	"math"
	"strings"
)

const javaClass = "io/fsmeta/internal/Native"

func javaConstLiteral(c *Const) (typ, lit string) {
	if c.Kind == ConstString {
		return "String", `"` + c.Str + `"`
	}
	lit = strings.Trim(c.Text, "()")
	if c.Int > math.MaxInt32 || c.Int < math.MinInt32 {
		return "long", lit + "L"
	}
	return "int", lit
}

func genJava(h *Header, m *jmapping) []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("// %s\n\n", generated)
	w("package io.fsmeta.internal;\n\n")
	w(`/**
 * The raw JNI declarations of libfsmeta: every function of include/fsmeta.h as a static native, its constants, and
 * the long[] layouts of its structs. The natives are registered by JNI_OnLoad of libfsmeta_jni.so (fsmeta_jni.c),
 * which must be loaded (System.load) before the first call; this class loads nothing itself. The natives are public
 * so that the API in io.fsmeta (which loads the libraries) can call them; they are not an API: use io.fsmeta.FsMeta.
 *
 * <p>Mapping (cmd/fsmeta-gen/doc.go has the rules): handles are {@code long}; names, paths and values are UTF-8
 * {@code byte[]} (length = the array's); a ctx is an {@code int[]} {uid, gid, umask, group...} (CTX_*; null is root);
 * out-structs are {@code long[]} in the layouts below, filled on success (null where the C API allows NULL);
 * library-owned buffers arrive as a new {@code byte[]} in element 0 of a {@code byte[][]}; caller buffers are
 * {@code byte[]} plus a {@code long[] lenOut}. Every native returns the C status as is ({@code 0} or a negative
 * FSMETA_* code); a short or missing required array gives FSMETA_EINVAL without calling the library. Unsigned 64-bit
 * values are carried in {@code long} bits.
 */
public final class Native {
    private Native() {}

`)
	w("    // ---- Constants of fsmeta.h ----\n\n")
	for _, c := range h.Consts {
		if c.Kind == ConstInit {
			continue // the glue applies initializers itself
		}
		typ, lit := javaConstLiteral(c)
		w("    public static final %s %s = %s;\n", typ, c.Name, lit)
	}
	w("\n    // ---- ctx: int[] {uid, gid, umask, group...}; null means root ----\n\n")
	w("    public static final int CTX_UID = 0;\n    public static final int CTX_GID = 1;\n    public static final int CTX_UMASK = 2;\n")
	w("    /** Index of the first supplementary group; the array's length is CTX_GROUPS + the number of groups. */\n")
	w("    public static final int CTX_GROUPS = 3;\n")
	w("\n    // ---- Struct layouts: X_FIELD is the field's index in a long[] of X_LONGS values; X_SIZEOF and X_OFF_FIELD\n")
	w("    // are the C struct's byte size and offsets (little-endian, for structs inside a byte[] from a fsmeta_buf) ----\n")
	for _, s := range h.Structs {
		if s.Name == ctxStruct || s.Name == bufStruct {
			continue
		}
		pre := javaPrefix(s.Name)
		lay := layoutOf(h, s)
		w("\n    // %s\n", s.Name)
		for _, sl := range lay.Slots {
			note := ""
			if versionField(s, sl.Path) {
				note = " // set by the glue"
			}
			w("    public static final int %s_%s = %d;%s\n", pre, upperPath(sl.Path), sl.Index, note)
		}
		for _, path := range sortedNested(lay) {
			w("    /** Index of the first slot of %s.%s (add its own layout's indices). */\n", s.Name, path)
			w("    public static final int %s_%s = %d;\n", pre, strings.ToUpper(strings.ReplaceAll(path, ".", "_")), lay.Nested[path])
		}
		w("    public static final int %s_LONGS = %d;\n", pre, len(lay.Slots))
		for _, a := range lay.Arrays {
			w("    /** Size of the byte[] that receives %s.%s. */\n", s.Name, strings.Join(a.Path, "."))
			w("    public static final int %s_%s_SIZE = %d;\n", pre, upperPath(a.Path), a.Size)
		}
		offs, size, _ := byteLayout(h, s)
		w("    public static final int %s_SIZEOF = %d;\n", pre, size)
		for i, f := range s.Fields {
			w("    public static final int %s_OFF_%s = %d;\n", pre, strings.ToUpper(f.Name), offs[i])
		}
	}
	w("\n    // ---- Functions ----\n")
	for _, jf := range m.Funcs {
		w("\n    /**\n")
		if jf.F.Summary != "" {
			w("     * %s\n     *\n", escapeJavadoc(jf.F.Summary))
		}
		w("     * <pre>{@code %s}</pre>\n     */\n", jf.F.Proto)
		var args []string
		for _, jp := range jf.Params {
			for _, a := range jp.Java {
				args = append(args, a.JType+" "+a.Name)
			}
		}
		w("    public static native %s %s(%s);\n", jf.JRet, jf.F.Name, strings.Join(args, ", "))
	}
	w("}\n")
	return []byte(b.String())
}

func escapeJavadoc(s string) string {
	return strings.NewReplacer("*/", "*&#47;", "@", "&#64;", "<", "&lt;", ">", "&gt;", "&", "&amp;").Replace(s)
}

func sortedNested(l *structLayout) []string {
	var paths []string
	for p := range l.Nested {
		paths = append(paths, p)
	}
	// by slot index, then name: deterministic output
	for i := 1; i < len(paths); i++ {
		for j := i; j > 0 && (l.Nested[paths[j]] < l.Nested[paths[j-1]] || (l.Nested[paths[j]] == l.Nested[paths[j-1]] && paths[j] < paths[j-1])); j-- {
			paths[j], paths[j-1] = paths[j-1], paths[j]
		}
	}
	return paths
}
