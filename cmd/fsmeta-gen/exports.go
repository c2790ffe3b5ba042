package main

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/fsmeta/fsmeta/core/fsm"
)

// The Go exports of capi for the operations whose C parameters all have
// simple types (inode numbers, integers, strings and byte strings) and whose
// result is attributes or nothing: generated from the one description of
// the operations (core/fsm/optable.go: parameters, result, the sdk method
// and the C name), after checking that the header's prototype is the one
// the description implies. Each export looks the handle up and converts the
// caller (begin), converts the arguments in order (a string that is not
// valid is refused by its parameter's name), calls the sdk method, and
// turns its result into a status (created, done). The others are written by
// hand in capi/exports.go.

const exportsGenPath = "capi/exports_gen.go"

// genExports returns capi/exports_gen.go and the names (fsmeta_ dropped)
// of the functions it exports.
func genExports(h *Header) ([]byte, map[string]bool, error) {
	funcs := map[string]*Func{}
	for _, f := range h.Funcs {
		funcs[f.Name] = f
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// %s\n\n", generated)
	b.WriteString(`package main

/*
#include <stddef.h>
#include <stdint.h>
#include "fsmeta.h"
#include "shim.h"
*/
import "C"

import fsmeta "github.com/fsmeta/fsmeta/sdk"

// The exports of the operations with simple parameters, from core/fsm/optable.go (cmd/fsmeta-gen/exports.go).
`)
	names := map[string]bool{}
	for _, d := range fsm.Ops() {
		if d.C == "" {
			continue
		}
		f := funcs["fsmeta_"+d.C]
		if f == nil {
			return nil, nil, fmt.Errorf("%s: the header has no fsmeta_%s", d.Name, d.C)
		}
		if err := checkTypes(d, f); err != nil {
			return nil, nil, err
		}
		want, ok := cParams(d)
		if !ok {
			continue // not simple: by hand
		}
		var got []string
		for _, p := range f.Params {
			got = append(got, p.Type.String()+" "+p.Name)
		}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			return nil, nil, fmt.Errorf("fsmeta_%s: the header says (%s); the description of %s implies (%s)",
				d.C, strings.Join(got, ", "), d.Name, strings.Join(want, ", "))
		}
		if d.CByHand {
			continue
		}
		names[d.C] = true
		writeExport(&b, d, f)
	}
	return b.Bytes(), names, nil
}

// cParams is the C parameter list an operation's description implies, or
// false when a parameter or the result is not simple.
func cParams(d fsm.Desc) ([]string, bool) {
	var ps []string
	switch d.Result {
	case fsm.RAttr:
		ps = append(ps, "fsmeta_attr * attr_out")
	case fsm.RNone:
	default:
		return nil, false
	}
	ps = append(ps, "fsmeta_db * db", "const fsmeta_ctx * ctx")
	for _, p := range d.Params {
		switch p.Type {
		case fsm.TIno, fsm.TU64:
			ps = append(ps, "uint64_t "+p.Name)
		case fsm.TU32:
			ps = append(ps, "uint32_t "+p.Name)
		case fsm.TName, fsm.TTarget, fsm.TPath, fsm.TXName, fsm.TBytes:
			ps = append(ps, "const char * "+p.Name, "size_t "+p.Name+"_len")
		default:
			return nil, false
		}
	}
	return ps, true
}

// cTypes is the list of C parameter types every operation's description
// implies (its result's out-parameters, the handle and context, its
// parameters), or false for a listing: C lists through an iterator
// (fsmeta_dir_open/next/close), not one call.
func cTypes(d fsm.Desc) ([]string, bool) {
	var ts []string
	switch d.Result {
	case fsm.RNone:
	case fsm.RAttr:
		ts = append(ts, "fsmeta_attr *")
	case fsm.RID:
		ts = append(ts, "uint64_t *")
	case fsm.RBytes:
		ts = append(ts, "char *", "size_t", "size_t *")
	case fsm.RSlices, fsm.RNames, fsm.RChunks:
		ts = append(ts, "fsmeta_buf *")
	case fsm.RStatFS:
		ts = append(ts, "fsmeta_statfs_info *")
	default:
		return nil, false
	}
	ts = append(ts, "fsmeta_db *", "const fsmeta_ctx *")
	for _, p := range d.Params {
		switch p.Type {
		case fsm.TIno, fsm.TU64:
			ts = append(ts, "uint64_t")
		case fsm.TU32:
			ts = append(ts, "uint32_t")
		case fsm.TName, fsm.TTarget, fsm.TPath, fsm.TXName, fsm.TBytes:
			ts = append(ts, "const char *", "size_t")
		case fsm.TSetAttr:
			ts = append(ts, "const fsmeta_setattr_in *")
		case fsm.TSlice:
			ts = append(ts, "const fsmeta_slice *")
		case fsm.TSlices:
			ts = append(ts, "const fsmeta_slice *", "size_t")
		default:
			return nil, false
		}
	}
	return ts, true
}

// checkTypes holds the header's prototype of every operation with a C
// function to the types its description implies (the parameter names too,
// for the generated ones: cParams).
func checkTypes(d fsm.Desc, f *Func) error {
	want, ok := cTypes(d)
	if !ok {
		return nil
	}
	var got []string
	for _, p := range f.Params {
		got = append(got, p.Type.String())
	}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		return fmt.Errorf("fsmeta_%s: the header's parameter types are (%s); the description of %s implies (%s)",
			d.C, strings.Join(got, ", "), d.Name, strings.Join(want, ", "))
	}
	return nil
}

var cgoTypes = map[string]string{"uint64_t": "C.uint64_t", "uint32_t": "C.uint32_t", "size_t": "C.size_t"}

func writeExport(b *bytes.Buffer, d fsm.Desc, f *Func) {
	var sig []string
	for _, p := range f.Params {
		t := p.Type
		switch {
		case t.Base == "fsmeta_db":
			sig = append(sig, p.Name+" C.uint64_t")
		case t.Ptr == 1 && t.Base == "char":
			sig = append(sig, p.Name+" *C.char")
		case t.Ptr == 1:
			sig = append(sig, p.Name+" *C."+t.Base)
		default:
			sig = append(sig, p.Name+" "+cgoTypes[t.Base])
		}
	}
	fmt.Fprintf(b, "\n//export fsmetago_%s\nfunc fsmetago_%s(%s) (rc C.int) {\n", d.C, d.C, strings.Join(sig, ", "))
	fmt.Fprintf(b, "\tconst fn = %q\n\tdefer catch(fn, &rc)\n\tvar cb fsmeta.Caller\n", f.Name)
	b.WriteString("\th, c, st := begin(fn, db, ctx, &cb)\n\tif st != 0 {\n\t\treturn st\n\t}\n")
	args := []string{"c"}
	for i, p := range d.Params {
		v := fmt.Sprintf("a%d", i)
		switch p.Type {
		case fsm.TIno:
			args = append(args, "fsmeta.Ino("+p.Name+")")
		case fsm.TU64:
			args = append(args, "uint64("+p.Name+")")
		case fsm.TU32:
			args = append(args, "uint32("+p.Name+")")
		case fsm.TBytes:
			fmt.Fprintf(b, "\t%s, err := goBytes(%s, %s_len, %q)\n\tif err != nil {\n\t\treturn fail(fn, err)\n\t}\n", v, p.Name, p.Name, p.Name)
			args = append(args, v)
		default:
			fmt.Fprintf(b, "\t%s, err := goString(%s, %s_len, %q)\n\tif err != nil {\n\t\treturn fail(fn, err)\n\t}\n", v, p.Name, p.Name, p.Name)
			args = append(args, v)
		}
	}
	call := fmt.Sprintf("h.%s(%s)", d.Method, strings.Join(args, ", "))
	if d.Result == fsm.RAttr {
		fmt.Fprintf(b, "\ta, err := %s\n\treturn created(fn, attr_out, a, err)\n}\n", call)
	} else {
		fmt.Fprintf(b, "\treturn done(fn, %s)\n}\n", call)
	}
}
