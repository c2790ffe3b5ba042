package main

/*
#include <stddef.h>
#include "fsmeta.h"
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"unsafe"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// statusErr is a failure the C layer finds itself (bad arguments, a bad
// handle, a small buffer), with its status code.
type statusErr struct {
	st  C.int
	msg string
}

func (e *statusErr) Error() string { return e.msg }

func errf(st C.int, format string, args ...any) error {
	return &statusErr{st: st, msg: fmt.Sprintf(format, args...)}
}

// statusOf maps a Go error to the status code C sees: the one place that
// does. Errnos become -errno (Linux numbers); ErrClosed FSMETA_ECLOSED;
// anything else FSMETA_EINTERNAL.
func statusOf(err error) C.int {
	var se *statusErr
	switch {
	case err == nil:
		return 0
	case errors.As(err, &se):
		return se.st
	case errors.Is(err, fsmeta.ErrClosed):
		return C.FSMETA_ECLOSED
	}
	if e := fsmeta.ErrnoOf(err); e > 0 && e < 1000 {
		return -C.int(e)
	}
	return C.FSMETA_EINTERNAL
}

// fail records err as the thread's last error and returns its status.
func fail(fn string, err error) C.int {
	msg := err.Error()
	if !strings.HasPrefix(msg, "fsmeta: ") {
		msg = fn + ": " + msg
	}
	setError(msg)
	return statusOf(err)
}

// setError copies msg into the calling thread's error buffer (C, per thread:
// Go code called from C runs on the caller's thread).
func setError(msg string) {
	if msg == "" {
		C.fsmetac_set_error(nil, 0)
		return
	}
	C.fsmetac_set_error((*C.char)(unsafe.Pointer(unsafe.StringData(msg))), C.size_t(len(msg)))
}

// catch turns a panic of an export into FSMETA_EINTERNAL. Every export's first
// statement is `defer catch(name, &rc)` (capi_test.go checks).
func catch[T ~int32](fn string, rc *T) {
	if r := recover(); r != nil {
		*rc = T(C.FSMETA_EINTERNAL)
		setError(fmt.Sprintf("%s: internal error: %v\n%s", fn, r, debug.Stack()))
	}
}
