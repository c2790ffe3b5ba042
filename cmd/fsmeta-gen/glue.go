package main

import (
	"fmt"
	"strings"
)

const gluePrologue = `/*
 * The JNI glue of libfsmeta: one C function per native of io.fsmeta.internal.Native, registered by JNI_OnLoad
 * (RegisterNatives; no Java_* symbol is exported). Built by the function build_jni of build.sh:
 *
 *   cc -shared -fPIC -fvisibility=hidden -Iinclude -I$JAVA_HOME/include -I$JAVA_HOME/include/linux \
 *      java/src/main/c/fsmeta_jni.c -Lbuild/c/lib -lfsmeta -Wl,-rpath,'$ORIGIN' -o libfsmeta_jni.so
 *
 * Arrays are copied with Get/Set<Type>ArrayRegion (never held with GetPrimitiveArrayCritical across a call into the
 * library, which may block); byte[] arguments up to JNI_STACK_BYTES bytes are copied on the stack, longer ones into
 * malloc'ed memory. A glue-detected error returns FSMETA_EINVAL (FSMETA_ENOMEM for a failed allocation) without
 * calling the library. The mapping rules are in cmd/fsmeta-gen/doc.go.
 */
#define _POSIX_C_SOURCE 200809L /* strnlen */
#include <jni.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fsmeta.h"

#define JNI_CLASS "io/fsmeta/internal/Native"
#define JNI_STACK_BYTES 4096
#define JNI_STACK_GROUPS 64
#define JNI_STACK_STRUCTS 8

_Static_assert(sizeof(void *) == 8 && sizeof(size_t) == 8, "fsmeta is for 64-bit platforms");
_Static_assert(sizeof(jint) == sizeof(uint32_t), "jint is 32 bits");

/* A byte[] argument: a copy on the stack or on the heap. p is NULL for a null array. */
typedef struct {
    char *p;
    size_t n;
    int heap;
    char stack[JNI_STACK_BYTES];
} jni_bytes;

static inline void jni_bytes_init(jni_bytes *b) {
    b->p = NULL;
    b->n = 0;
    b->heap = 0;
}

static inline void jni_bytes_free(jni_bytes *b) {
    if (b->heap) free(b->p);
    b->heap = 0;
}

/* jni_bytes_alloc makes room for the array's length (a caller buffer); copy also copies the contents in. */
static inline jint jni_bytes_alloc(JNIEnv *env, jbyteArray a, jni_bytes *b, int copy) {
    if (a == NULL) return 0;
    jsize n = (*env)->GetArrayLength(env, a);
    b->n = (size_t)n;
    if (n <= JNI_STACK_BYTES) {
        b->p = b->stack;
    } else {
        b->p = malloc((size_t)n);
        if (b->p == NULL) return FSMETA_ENOMEM;
        b->heap = 1;
    }
    if (copy && n > 0) (*env)->GetByteArrayRegion(env, a, 0, n, (jbyte *)b->p);
    return 0;
}

/* A NUL-terminated copy of a byte[] (a const char * field); NULL for a null array; -EINVAL with a NUL inside. */
static inline jint jni_cstr_get(JNIEnv *env, jbyteArray a, char **out) {
    *out = NULL;
    if (a == NULL) return 0;
    jsize n = (*env)->GetArrayLength(env, a);
    char *s = malloc((size_t)n + 1);
    if (s == NULL) return FSMETA_ENOMEM;
    (*env)->GetByteArrayRegion(env, a, 0, n, (jbyte *)s);
    s[n] = 0;
    if (memchr(s, 0, (size_t)n) != NULL) {
        free(s);
        return FSMETA_EINVAL;
    }
    *out = s;
    return 0;
}

/* A ctx: int[] {uid, gid, umask, group...}; p is NULL (root) for a null array. */
typedef struct {
    fsmeta_ctx c;
    const fsmeta_ctx *p;
    jint *heap;
    jint stack[3 + JNI_STACK_GROUPS];
} jni_ctx;

static inline void jni_ctx_init(jni_ctx *x) {
    x->p = NULL;
    x->heap = NULL;
}

static inline void jni_ctx_free(jni_ctx *x) {
    free(x->heap);
    x->heap = NULL;
}

static inline jint jni_ctx_get(JNIEnv *env, jintArray a, jni_ctx *x) {
    if (a == NULL) return 0;
    jsize n = (*env)->GetArrayLength(env, a);
    if (n < 3) return FSMETA_EINVAL;
    jint *v = x->stack;
    if (n > 3 + JNI_STACK_GROUPS) {
        v = x->heap = malloc((size_t)n * sizeof(jint));
        if (v == NULL) return FSMETA_ENOMEM;
    }
    (*env)->GetIntArrayRegion(env, a, 0, n, v);
    fsmeta_ctx init = FSMETA_CTX_INIT;
    x->c = init;
    x->c.uid = (uint32_t)v[0];
    x->c.gid = (uint32_t)v[1];
    x->c.umask = (uint32_t)v[2];
    x->c.groups = n > 3 ? (const uint32_t *)(v + 3) : NULL;
    x->c.ngroups = (size_t)(n - 3);
    x->p = &x->c;
    return 0;
}

/* jni_len_ok reports whether a non-null array has at least n elements. */
static inline int jni_len_ok(JNIEnv *env, jarray a, jsize n) {
    return (*env)->GetArrayLength(env, a) >= n;
}

static inline void jni_put_long(JNIEnv *env, jlongArray a, jlong v) {
    (*env)->SetLongArrayRegion(env, a, 0, 1, &v);
}

/* A library-owned fsmeta_buf into element 0 of a byte[][]. */
static inline jint jni_buf_put(JNIEnv *env, jobjectArray out, const fsmeta_buf *b) {
    if (b->len > (size_t)INT32_MAX) return FSMETA_ENOMEM;
    jbyteArray a = (*env)->NewByteArray(env, (jsize)b->len);
    if (a == NULL) return FSMETA_ENOMEM; /* OutOfMemoryError pending */
    if (b->len > 0) (*env)->SetByteArrayRegion(env, a, 0, (jsize)b->len, (const jbyte *)b->data);
    (*env)->SetObjectArrayElement(env, out, 0, a);
    (*env)->DeleteLocalRef(env, a);
    return 0;
}

/* A library-owned C string as a new byte[] (NULL for NULL). */
static inline jbyteArray jni_cstr_bytes(JNIEnv *env, const char *s) {
    if (s == NULL) return NULL;
    jsize n = (jsize)strlen(s);
    jbyteArray a = (*env)->NewByteArray(env, n);
    if (a != NULL && n > 0) (*env)->SetByteArrayRegion(env, a, 0, n, (const jbyte *)s);
    return a;
}
`

func cField(path []string) string { return strings.Join(path, ".") }

func cType(t Type) string {
	s := t.String()
	return strings.ReplaceAll(s, " *", "*")
}

func genGlue(h *Header, m *jmapping) []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("// %s\n\n", generated)
	b.WriteString(gluePrologue)

	w("\n/* ---- The byte layouts that Native.java publishes (X_SIZEOF, X_OFF_*) ---- */\n\n")
	for _, s := range h.Structs {
		if s.Name == ctxStruct || s.Name == bufStruct {
			continue
		}
		offs, size, _ := byteLayout(h, s)
		w("_Static_assert(sizeof(%s) == %d, \"%s: size\");\n", s.Name, size, s.Name)
		for i, f := range s.Fields {
			w("_Static_assert(offsetof(%s, %s) == %d, \"%s.%s: offset\");\n", s.Name, f.Name, offs[i], s.Name, f.Name)
		}
	}

	w("\n/* ---- Structs <-> long[] layouts ---- */\n")
	for _, s := range h.Structs {
		lay := layoutOf(h, s)
		if m.Used["put:"+s.Name] {
			w("\nstatic inline void jni_put_%s(const %s *s, jlong *v) {\n", s.Name, s.Name)
			for _, sl := range lay.Slots {
				w("    v[%d] = (jlong)s->%s;\n", sl.Index, cField(sl.Path))
			}
			w("}\n")
		}
		if m.Used["get:"+s.Name] {
			w("\n/* Fills s from v; pointer fields are left NULL. */\n")
			w("static inline void jni_get_%s(%s *s, const jlong *v) {\n", s.Name, s.Name)
			if s.Init != nil {
				w("    %s init = %s;\n    *s = init;\n", s.Name, s.Init.Name)
			} else {
				w("    memset(s, 0, sizeof *s);\n")
			}
			for _, sl := range lay.Slots {
				if versionField(s, sl.Path) {
					w("    /* v[%d] (version) is ignored: the layout is the header's version */\n", sl.Index)
					continue
				}
				w("    s->%s = (%s)v[%d];\n", cField(sl.Path), cType(sl.Type), sl.Index)
			}
			w("}\n")
		}
	}

	w("\n/* ---- Natives ---- */\n")
	for _, jf := range m.Funcs {
		genNative(&b, h, jf)
	}

	w("\nstatic const JNINativeMethod jni_methods[] = {\n")
	for _, jf := range m.Funcs {
		w("    {\"%s\", \"%s\", (void *)jni_%s},\n", jf.F.Name, jf.signature(), jf.F.Name)
	}
	w("};\n")
	w(`
JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    (void)reserved;
    JNIEnv *env;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
    unsigned v = fsmeta_version_number();
    if (v / 10000 != FSMETA_VERSION_MAJOR || v < FSMETA_VERSION_NUMBER) {
        jclass e = (*env)->FindClass(env, "java/lang/UnsatisfiedLinkError");
        if (e != NULL) (*env)->ThrowNew(env, e, "libfsmeta_jni: the loaded libfsmeta is not compatible with header " FSMETA_VERSION_STRING " the glue was built with");
        return JNI_ERR;
    }
    jclass cls = (*env)->FindClass(env, JNI_CLASS);
    if (cls == NULL) return JNI_ERR;
    jint rc = (*env)->RegisterNatives(env, cls, jni_methods, (jint)(sizeof jni_methods / sizeof jni_methods[0]));
    (*env)->DeleteLocalRef(env, cls);
    return rc == 0 ? JNI_VERSION_1_8 : JNI_ERR;
}
`)
	return []byte(b.String())
}

func genNative(b *strings.Builder, h *Header, jf *jfunc) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	f := jf.F
	var jargs []string
	for _, jp := range jf.Params {
		for _, a := range jp.Java {
			jargs = append(jargs, jniCType(a.JType)+" j_"+a.Name)
		}
	}
	w("\n/* %s */\n", f.Proto)
	w("static %s jni_%s(JNIEnv *env, jclass cls", jniCType(jf.JRet), f.Name)
	for _, a := range jargs {
		w(", %s", a)
	}
	w(") {\n")
	w("    (void)env;\n    (void)cls;\n")
	if f.Ret.String() != "int" {
		// only scalars (mapJNI checks): a direct call
		var args []string
		for _, jp := range jf.Params {
			args = append(args, fmt.Sprintf("(%s)j_%s", cType(jp.C[0].Type), jp.Java[0].Name))
		}
		call := fmt.Sprintf("%s(%s)", f.Name, strings.Join(args, ", "))
		switch jf.JRet {
		case "void":
			w("    %s;\n", call)
		case "byte[]":
			w("    return jni_cstr_bytes(env, %s);\n", call)
		default:
			w("    return (%s)%s;\n", jniCType(jf.JRet), call)
		}
		w("}\n")
		return
	}
	var decl, pre, args, post, free []string
	for _, jp := range jf.Params {
		p := jp.C[0]
		j := "j_" + jp.Java[0].Name
		c := "c_" + p.Name
		switch jp.Kind {
		case kHandle:
			args = append(args, fmt.Sprintf("(%s)(uintptr_t)%s", cType(p.Type), j))
		case kInt, kLong:
			args = append(args, fmt.Sprintf("(%s)%s", cType(p.Type), j))
		case kHandleOut:
			decl = append(decl, fmt.Sprintf("%s *%s = NULL;", p.Type.Base, c))
			pre = append(pre, fmt.Sprintf("if (rc == 0 && %s != NULL && !jni_len_ok(env, %s, 1)) rc = FSMETA_EINVAL;", j, j))
			args = append(args, fmt.Sprintf("%s != NULL ? &%s : NULL", j, c))
			post = append(post, fmt.Sprintf("if (rc == 0 && %s != NULL) jni_put_long(env, %s, (jlong)(uintptr_t)%s);", j, j, c))
		case kCtx:
			decl = append(decl, fmt.Sprintf("jni_ctx %s;", c), fmt.Sprintf("jni_ctx_init(&%s);", c))
			pre = append(pre, fmt.Sprintf("if (rc == 0) rc = jni_ctx_get(env, %s, &%s);", j, c))
			args = append(args, c+".p")
			free = append(free, fmt.Sprintf("jni_ctx_free(&%s);", c))
		case kBytesIn:
			decl = append(decl, fmt.Sprintf("jni_bytes %s;", c), fmt.Sprintf("jni_bytes_init(&%s);", c))
			pre = append(pre, fmt.Sprintf("if (rc == 0) rc = jni_bytes_alloc(env, %s, &%s, 1);", j, c))
			args = append(args, c+".p", c+".n")
			free = append(free, fmt.Sprintf("jni_bytes_free(&%s);", c))
		case kCallerBuf:
			jl := "j_" + jp.Java[1].Name
			cl := "c_" + jp.C[2].Name
			decl = append(decl, fmt.Sprintf("jni_bytes %s;", c), fmt.Sprintf("jni_bytes_init(&%s);", c), fmt.Sprintf("size_t %s = 0;", cl))
			pre = append(pre, fmt.Sprintf("if (rc == 0) rc = jni_bytes_alloc(env, %s, &%s, 0);", j, c),
				fmt.Sprintf("if (rc == 0 && %s != NULL && !jni_len_ok(env, %s, 1)) rc = FSMETA_EINVAL;", jl, jl))
			args = append(args, c+".p", c+".n", fmt.Sprintf("%s != NULL ? &%s : NULL", jl, cl))
			post = append(post,
				fmt.Sprintf("if (rc == 0 && %s != NULL && %s > 0) (*env)->SetByteArrayRegion(env, %s, 0, (jsize)(%s < %s.n ? %s : %s.n), (const jbyte *)%s.p);", j, cl, j, cl, c, cl, c, c),
				fmt.Sprintf("if ((rc == 0 || rc == FSMETA_ETOOSMALL) && %s != NULL) jni_put_long(env, %s, (jlong)%s);", jl, jl, cl))
			free = append(free, fmt.Sprintf("jni_bytes_free(&%s);", c))
		case kBufOut:
			decl = append(decl, fmt.Sprintf("fsmeta_buf %s = FSMETA_BUF_INIT;", c))
			pre = append(pre, fmt.Sprintf("if (rc == 0 && %s != NULL && !jni_len_ok(env, %s, 1)) rc = FSMETA_EINVAL;", j, j))
			args = append(args, fmt.Sprintf("%s != NULL ? &%s : NULL", j, c))
			post = append(post, fmt.Sprintf("if (%s != NULL && (rc == 0 || %s.data != NULL)) {\n            jint r = jni_buf_put(env, %s, &%s);\n            if (rc == 0) rc = r;\n        }", j, c, j, c))
			free = append(free, fmt.Sprintf("fsmeta_buf_dispose(&%s);", c))
		case kScalarOut:
			decl = append(decl, fmt.Sprintf("%s %s = 0;", p.Type.Base, c))
			pre = append(pre, fmt.Sprintf("if (rc == 0 && %s != NULL && !jni_len_ok(env, %s, 1)) rc = FSMETA_EINVAL;", j, j))
			args = append(args, fmt.Sprintf("%s != NULL ? &%s : NULL", j, c))
			post = append(post, fmt.Sprintf("if ((rc == 0 || rc == FSMETA_ETOOSMALL) && %s != NULL) jni_put_long(env, %s, (jlong)%s);", j, j, c))
		case kStructOut:
			s, n := jp.Struct, len(jp.Layout.Slots)
			if s.Init != nil {
				decl = append(decl, fmt.Sprintf("%s %s = %s;", s.Name, c, s.Init.Name))
			} else {
				decl = append(decl, fmt.Sprintf("%s %s;", s.Name, c))
			}
			cond := fmt.Sprintf("!jni_len_ok(env, %s, %d)", j, n)
			for _, a := range jp.Java[1:] {
				cond += fmt.Sprintf(" || j_%s == NULL || !jni_len_ok(env, j_%s, %d)", a.Name, a.Name, a.Size)
			}
			pre = append(pre, fmt.Sprintf("if (rc == 0 && %s != NULL && (%s)) rc = FSMETA_EINVAL;", j, cond))
			args = append(args, fmt.Sprintf("%s != NULL ? &%s : NULL", j, c))
			put := fmt.Sprintf("if (rc == 0 && %s != NULL) {\n            jlong v[%d];\n            jni_put_%s(&%s, v);\n            (*env)->SetLongArrayRegion(env, %s, 0, %d, v);", j, n, s.Name, c, j, n)
			for _, a := range jp.Java[1:] {
				fld := c + "." + cField(a.Path)
				put += fmt.Sprintf("\n            (*env)->SetByteArrayRegion(env, j_%s, 0, (jsize)strnlen(%s, %d), (const jbyte *)%s);", a.Name, fld, a.Size, fld)
			}
			post = append(post, put+"\n        }")
		case kStructIn:
			s, n := jp.Struct, len(jp.Layout.Slots)
			decl = append(decl, fmt.Sprintf("%s %s;", s.Name, c))
			get := fmt.Sprintf("if (rc == 0 && %s != NULL) {\n        if (!jni_len_ok(env, %s, %d)) {\n            rc = FSMETA_EINVAL;\n        } else {\n            jlong v[%d];\n            (*env)->GetLongArrayRegion(env, %s, 0, %d, v);\n            jni_get_%s(&%s, v);\n        }\n    }", j, j, n, n, j, n, s.Name, c)
			pre = append(pre, get)
			for _, a := range jp.Java[1:] {
				cs := "c_" + a.Name
				decl = append(decl, fmt.Sprintf("char *%s = NULL;", cs))
				pre = append(pre, fmt.Sprintf("if (rc == 0 && %s != NULL) rc = jni_cstr_get(env, j_%s, &%s);", j, a.Name, cs),
					fmt.Sprintf("if (rc == 0 && %s != NULL) %s.%s = %s;", j, c, cField(a.Path), cs))
				free = append(free, fmt.Sprintf("free(%s);", cs))
			}
			args = append(args, fmt.Sprintf("%s != NULL ? &%s : NULL", j, c))
		case kStructArrIn:
			s, n := jp.Struct, len(jp.Layout.Slots)
			decl = append(decl, fmt.Sprintf("%s %s_stack[JNI_STACK_STRUCTS];", s.Name, c), fmt.Sprintf("%s *%s = NULL;", s.Name, c), fmt.Sprintf("size_t %s_n = 0;", c))
			pre = append(pre, fmt.Sprintf(`if (rc == 0 && %[1]s != NULL) {
        jsize len = (*env)->GetArrayLength(env, %[1]s);
        if (len %% %[3]d != 0) {
            rc = FSMETA_EINVAL;
        } else {
            %[2]s_n = (size_t)len / %[3]d;
            %[2]s = %[2]s_n <= JNI_STACK_STRUCTS ? %[2]s_stack : malloc(%[2]s_n * sizeof(%[4]s));
            if (%[2]s == NULL) rc = FSMETA_ENOMEM;
            for (size_t i = 0; rc == 0 && i < %[2]s_n; i++) {
                jlong v[%[3]d];
                (*env)->GetLongArrayRegion(env, %[1]s, (jsize)(i * %[3]d), %[3]d, v);
                jni_get_%[4]s(&%[2]s[i], v);
            }
        }
    }`, j, c, n, s.Name))
			args = append(args, c, c+"_n")
			free = append(free, fmt.Sprintf("if (%s != %s_stack) free(%s);", c, c, c))
		}
	}
	w("    jint rc = 0;\n")
	for _, d := range decl {
		w("    %s\n", d)
	}
	for _, p := range pre {
		w("    %s\n", p)
	}
	w("    if (rc == 0) {\n")
	w("        rc = %s(%s);\n", f.Name, strings.Join(args, ", "))
	for _, p := range post {
		w("        %s\n", p)
	}
	w("    }\n")
	for i := len(free) - 1; i >= 0; i-- {
		w("    %s\n", free[i])
	}
	w("    return rc;\n}\n")
}
