package main

import (
	"fmt"
	"strings"
)

// The two structs with a mapping of their own (doc.go): their fields are checked so that a change of either in
// the header is an error here rather than wrong glue.
const (
	ctxStruct = "fsmeta_ctx"
	bufStruct = "fsmeta_buf"
)

var specialLayouts = map[string][]string{
	ctxStruct: {"unsigned version", "uint32_t uid", "uint32_t gid", "uint32_t umask", "const uint32_t * groups", "size_t ngroups"},
	bufStruct: {"char * data", "size_t len", "size_t count"},
}

func checkSpecial(h *Header) error {
	for name, want := range specialLayouts {
		s := h.structs[name]
		if s == nil {
			return fmt.Errorf("%s: struct %s is missing (the JNI mapping depends on it)", headerPath, name)
		}
		var got []string
		for _, f := range s.Fields {
			got = append(got, f.Type.String()+" "+f.Name)
		}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			return &ParseError{File: headerPath, Line: s.Line, Msg: fmt.Sprintf("struct %s changed: fields {%s}, the JNI mapping of cmd/fsmeta-gen knows {%s}: update the generator", name, strings.Join(got, ", "), strings.Join(want, ", "))}
		}
	}
	if h.structs[bufStruct].Init == nil {
		return fmt.Errorf("%s: FSMETA_BUF_INIT is missing", headerPath)
	}
	if h.consts["FSMETA_VERSION_MAJOR"] == nil || h.consts["FSMETA_VERSION_NUMBER"] == nil || h.consts["FSMETA_EINVAL"] == nil || h.consts["FSMETA_ENOMEM"] == nil || h.consts["FSMETA_ETOOSMALL"] == nil {
		return fmt.Errorf("%s: the glue needs FSMETA_VERSION_MAJOR, FSMETA_VERSION_NUMBER, FSMETA_EINVAL, FSMETA_ENOMEM and FSMETA_ETOOSMALL", headerPath)
	}
	return nil
}

// slot is one long of a struct's long[] layout.
type slot struct {
	Path  []string // field names from the outer struct: {"attr", "ino"}
	Type  Type
	Index int
}

// charArray is a char array field somewhere in a struct (its own byte[] in the mapping).
type charArray struct {
	Path []string
	Size int
}

// structLayout is a struct's long[] layout: scalars in order, nested structs flattened in place.
type structLayout struct {
	Slots  []slot
	Nested map[string]int // path of a nested struct ("attr") -> index of its first slot
	Arrays []charArray
	Ptrs   [][]string // pointer fields (no slot)
}

func layoutOf(h *Header, s *Struct) *structLayout {
	l := &structLayout{Nested: map[string]int{}}
	var walk func(s *Struct, prefix []string)
	walk = func(s *Struct, prefix []string) {
		for _, f := range s.Fields {
			path := append(append([]string{}, prefix...), f.Name)
			switch {
			case f.Array > 0:
				l.Arrays = append(l.Arrays, charArray{Path: path, Size: f.Array})
			case f.Type.Ptr > 0:
				l.Ptrs = append(l.Ptrs, path)
			case h.structs[f.Type.Base] != nil:
				l.Nested[strings.Join(path, ".")] = len(l.Slots)
				walk(h.structs[f.Type.Base], path)
			default:
				l.Slots = append(l.Slots, slot{Path: path, Type: f.Type, Index: len(l.Slots)})
			}
		}
	}
	walk(s, nil)
	return l
}

// Byte layout (64-bit, natural alignment), for reading structs inside a fsmeta_buf from Java; the glue checks
// every offset with _Static_assert.
func sizeAlign(h *Header, f *Field) (int, int) {
	if f.Array > 0 {
		return f.Array, 1
	}
	if f.Type.Ptr > 0 {
		return 8, 8
	}
	switch f.Type.Base {
	case "int", "unsigned", "uint32_t":
		return 4, 4
	case "int64_t", "uint64_t", "size_t":
		return 8, 8
	}
	s := h.structs[f.Type.Base]
	offs, size, align := byteLayout(h, s)
	_ = offs
	return size, align
}

func byteLayout(h *Header, s *Struct) (offsets []int, size, align int) {
	align = 1
	for _, f := range s.Fields {
		fs, fa := sizeAlign(h, f)
		size = (size + fa - 1) / fa * fa
		offsets = append(offsets, size)
		size += fs
		if fa > align {
			align = fa
		}
	}
	size = (size + align - 1) / align * align
	return offsets, size, align
}

// javaPrefix is the prefix of a struct's layout constants: fsmeta_stats_info -> STATS_INFO.
func javaPrefix(s string) string { return strings.ToUpper(strings.TrimPrefix(s, "fsmeta_")) }

func upperPath(p []string) string { return strings.ToUpper(strings.Join(p, "_")) }

// versionField reports whether f is the version field that the glue sets from the struct's initializer.
func versionField(s *Struct, path []string) bool {
	return s.Init != nil && len(path) == 1 && path[0] == "version"
}
