package fsm

import (
	"fmt"
	"strings"
)

// FormatTable renders the description of the operations and the log
// entry's encoding as Markdown: docs/log-format.md is this text (a test
// keeps it so; FSMETA_UPDATE_DOCS=1 go test ./core/fsm -run LogFormatDoc
// rewrites it).
func FormatTable() string {
	var b strings.Builder
	b.WriteString(`# The operations and the log entry format

Generated from the one description of the operations (` + "`core/fsm/optable.go`" + `) by ` + "`fsm.FormatTable`" + `;
do not edit by hand (` + "`FSMETA_UPDATE_DOCS=1 go test ./core/fsm -run LogFormatDoc`" + ` rewrites it).

## A log entry

| bytes | what |
|---|---|
| 1 | codec version: 2 (version 1, read but no longer written, has no checksum) |
| 4 | CRC-32C (little-endian) of the body that follows |
| rest | the body: a msgpack array of operations |

Each operation is a msgpack array of the fields of ` + "`fsm.Op`" + `, in this order (a reader skips fields after
these, so later versions may add fields at the end):

| # | field | msgpack type | what |
|---|---|---|---|
| 0 | Code | uint (fixint) | the operation (table below) |
| 1 | Now | int | the operation's time, ns since the epoch, chosen by the proposer |
| 2 | Uid | uint32 | caller |
| 3 | Gid | uint32 | caller |
| 4 | Groups | array of uint32 (at most 65536) | caller's supplementary groups |
| 5 | Umask | uint32 | caller |
| 6 | Ino | uint64 | |
| 7 | Ino2 | uint64 | |
| 8 | Name | str | |
| 9 | Name2 | str | |
| 10 | Mode | uint32 | |
| 11 | Flags | uint32 | |
| 12 | Arg | uint64 | |
| 13 | Arg2 | uint64 | |
| 14 | Chunk | uint32 | |
| 15 | Attr | array: mode, uid, gid, size, atime, mtime, ctime, flags | setattr values |
| 16 | Slice | array: pos, id, size, off, len | |
| 17 | Slices | array of Slice | |
| 18 | Value | bin (nil when absent) | |

A field an operation does not use (below) is zero; proposers may not set it (` + "`fsm.CheckFields`" + `).
Any msgpack form of a value is accepted (the compact integer forms are written).

The log record around an entry (raft's index, term, type and this entry as its data) carries a checksum of its own:
see docs/durability.md.

## Changes (logged)

| code | operation | parameters (Op field: type) | result | errors |
|---|---|---|---|---|
`)
	for _, d := range Ops() {
		if !d.Changes {
			continue
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s |\n", d.Code, d.Name, params(d), d.Result, errs(d))
	}
	b.WriteString(`
## Reads (never logged)

| operation | parameters: type | result | errors |
|---|---|---|---|
`)
	for _, d := range Ops() {
		if d.Changes {
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", d.Name, params(d), d.Result, errs(d))
	}
	return b.String()
}

func params(d Desc) string {
	var ps []string
	for _, p := range d.Params {
		if d.Changes {
			ps = append(ps, fmt.Sprintf("%s (%s: %s)", p.Name, p.Field, p.Type))
		} else {
			ps = append(ps, fmt.Sprintf("%s: %s", p.Name, p.Type))
		}
	}
	if len(ps) == 0 {
		return "-"
	}
	return strings.Join(ps, ", ")
}

func errs(d Desc) string {
	var es []string
	for _, e := range d.Errors {
		es = append(es, e.Name())
	}
	if len(es) == 0 {
		return "-"
	}
	return strings.Join(es, " ")
}
