package model

import (
	"strings"

	"github.com/fsmeta/fsmeta/core/meta"
)

// pathArg checks a path argument of Resolve and MkdirAll before anything is
// walked, as the sdk does (docs/semantics.md, "Path check"): too long is
// ENAMETOOLONG, a NUL in it EINVAL, and the empty path, which names
// nothing, ENOENT (Linux's stat("") and mkdir("")).
func pathArg(path string) meta.Errno {
	switch {
	case len(path) > meta.MaxPath:
		return meta.ENAMETOOLONG
	case strings.IndexByte(path, 0) >= 0:
		return meta.EINVAL
	case path == "":
		return meta.ENOENT
	}
	return 0
}
