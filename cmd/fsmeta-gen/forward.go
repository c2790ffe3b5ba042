package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// The C forwarders of capi: for every function of the header that a Go
// export fsmetago_<name> implements (capi/exports.go, exports_gen.go) and that capi/fsmeta.c
// does not define by hand, a C definition that passes its arguments to the
// export: handles as integers (H), the context and strings with their const
// dropped (cgo's exports take no const). A function with a parameter that
// needs more (a handle written back, a pointer to a pointer) stays
// hand-written in fsmeta.c; the generator says which.

const (
	fwdPath     = "capi/fsmeta_fwd.c"
	exportsPath = "capi/exports.go"
	shimPath    = "capi/fsmeta.c"
)

var (
	exportRE  = regexp.MustCompile(`(?m)^//export fsmetago_(\w+)$`)
	definedRE = regexp.MustCompile(`(?m)^[a-z][a-z_ ]*[ *]fsmeta_(\w+)\(`) // a definition starts in column 0
)

// genForwarders writes capi/fsmeta_fwd.c.
func genForwarders(root string, h *Header, generatedExports map[string]bool) ([]byte, error) {
	exports, err := os.ReadFile(filepath.Join(root, exportsPath))
	if err != nil {
		return nil, err
	}
	shim, err := os.ReadFile(filepath.Join(root, shimPath))
	if err != nil {
		return nil, err
	}
	exported := map[string]bool{}
	for n := range generatedExports {
		exported[n] = true
	}
	for _, m := range exportRE.FindAllStringSubmatch(string(exports), -1) {
		exported[m[1]] = true
	}
	defined := map[string]bool{}
	for _, m := range definedRE.FindAllStringSubmatch(string(shim), -1) {
		defined[m[1]] = true
	}
	handles := map[string]bool{}
	for _, x := range h.Handles {
		handles[x] = true
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// %s\n", generated)
	b.WriteString(`/*
 * The C definitions of include/fsmeta.h's functions that only pass their arguments to a Go export
 * (capi/exports.go): handles become integers, const is dropped. The rest are in capi/fsmeta.c.
 */
#include "fsmeta.h"
#include "shim.h"
#include "_cgo_export.h"

#define H(p) ((uint64_t)(uintptr_t)(p))
`)
	for _, f := range h.Funcs {
		short := strings.TrimPrefix(f.Name, "fsmeta_")
		if !exported[short] || defined[short] {
			continue
		}
		args, err := forwardArgs(f, handles)
		if err != nil {
			return nil, fmt.Errorf("%s: %v (define it by hand in %s)", f.Name, err, shimPath)
		}
		fmt.Fprintf(&b, "\n%s\n{\n    return fsmetago_%s(%s);\n}\n", strings.TrimSuffix(strings.TrimSpace(f.Proto), ";"), short, strings.Join(args, ", "))
	}
	return b.Bytes(), nil
}

// forwardArgs converts f's parameters for its export.
func forwardArgs(f *Func, handles map[string]bool) ([]string, error) {
	if f.Ret.Ptr != 0 || f.Ret.Base == "void" {
		return nil, fmt.Errorf("returns %s, not a number", f.Ret)
	}
	var args []string
	for _, p := range f.Params {
		t := p.Type
		switch {
		case t.Ptr == 0:
			args = append(args, p.Name)
		case t.Ptr == 1 && handles[t.Base]:
			args = append(args, "H("+p.Name+")")
		case t.Ptr == 1 && t.Const && t.Base == "void":
			args = append(args, "(char *)"+p.Name)
		case t.Ptr == 1 && t.Const:
			args = append(args, "("+t.Base+" *)"+p.Name)
		case t.Ptr == 1:
			args = append(args, p.Name)
		default:
			return nil, fmt.Errorf("parameter %s of type %s", p.Name, t)
		}
	}
	return args, nil
}
