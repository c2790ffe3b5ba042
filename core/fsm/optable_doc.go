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
	b.WriteString(`# The operations, the log entry format and the wire form

Generated from the one description of the operations (` + "`core/fsm/optable.go`" + `) by ` + "`fsm.FormatTable`" + `;
do not edit by hand (` + "`FSMETA_UPDATE_DOCS=1 go test ./core/fsm -run LogFormatDoc`" + ` rewrites it).

## A log entry

| bytes | what |
|---|---|
| 1 | codec version: 3 |
| 4 | CRC-32C (little-endian) of the version byte and the body |
| rest | the body: a msgpack array of operations, each a typed record |

A typed record is a msgpack array:

| # | element | msgpack type |
|---|---|---|
| 0 | code | uint (fixint): the operation (table below) |
| 1 | now | int: the operation's time, ns since the epoch, chosen by the proposer |
| 2 | uid | uint32: the caller |
| 3 | gid | uint32 |
| 4 | groups | array of uint32 (at most 65536) |
| 5 | umask | uint32 |
| 6... | the operation's parameters, in the order of the table below | by type (next table) |

A reader skips elements after those it knows, so a later version may add parameters at the end of an operation's
list. Any msgpack form of a value is accepted (writers use the compact integer forms). The same record is the form of
a request on the wire (below).

| parameter type | msgpack form |
|---|---|
| ino, u64 | uint |
| u32 | uint, at most 2^32-1 |
| name, target, path, xattr name | str |
| bytes | bin (nil when absent) |
| setattr | array: mode, uid, gid, size, atime, mtime, ctime, flags |
| slice | array: pos, id, size, off, len |
| slices | array of slice |

Entries written before, still read: version 2 (the same header, its CRC over the body only) and version 1 (no
CRC), whose operations are positional: a msgpack array of the 19 fields of ` + "`fsm.Op`" + ` in declaration order (Code,
Now, Uid, Gid, Groups, Umask, Ino, Ino2, Name, Name2, Mode, Flags, Arg, Arg2, Chunk, Attr, Slice, Slices, Value),
each operation using the fields the table below names.

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

Their codes name them on the wire only; the log's reader refuses them.

| code | operation | parameters (Op field: type) | result | errors |
|---|---|---|---|---|
`)
	for _, d := range Ops() {
		if d.Changes {
			continue
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s |\n", d.Code, d.Name, params(d), d.Result, errs(d))
	}
	b.WriteString(`
## The wire form

A request is an operation's typed record, as above: a change's is what the log holds, a read's has the read's code
(` + "`fsm.AppendRequest`, `fsm.ReadRequest`" + `). The server runs a read with ` + "`fsm.Read`" + ` and proposes a change.

A reply is a msgpack array: the errno (uint, 0 for success), then, on success, the value of the operation's result
kind (` + "`fsm.AppendReply`, `fsm.ReadReply`" + `). A failed operation's reply is the errno alone. A reader skips values
after those it knows.

| result | values after the errno |
|---|---|
| none | - |
| attr | attr: array of ino, mode, nlink, uid, gid, rdev, flags, size, atime, mtime, ctime (times: int, ns) |
| id | uint |
| slices | array of slice |
| bytes | bin |
| names | array of str |
| entries | array of entries, each an array of name (str), ino, type (S_IFMT bits), and attr when listed with attributes; then the cursor of the next listing (uint, 0 at the end) |
| statfs | array of total space, available space, used space, inodes, available inodes |
| chunks | array of uint32 (chunk indexes) |
`)
	return b.String()
}

func params(d Desc) string {
	var ps []string
	for _, p := range d.Params {
		ps = append(ps, fmt.Sprintf("%s (%s: %s)", p.Name, p.Field, p.Type))
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
