// Command capi is libfsmeta.so, the C ABI of fsmeta: build it with
//
//	go build -buildmode=c-shared -o libfsmeta.so.1.0.0 ./capi
//
// plus the linker flags of CMakeLists.txt (a version script exporting only
// fsmeta_*, the soname libfsmeta.so.1). The API is include/fsmeta.h, written
// by hand; fsmeta.c implements it by calling the Go exports of this package
// (named fsmetago_*, hidden by the version script), so the C compiler checks
// the header against the code. Go's generated _cgo_export.h is never shipped.
//
// This layer only translates: handles (handles.go), argument checks and C
// structs (convert.go), errors to status codes (status.go). The operations
// are the SDK's (package sdk).
package main

/*
#cgo CFLAGS: -I${SRCDIR}/../include -Wall
*/
import "C"

func main() {}
