package posixdiff

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// difference is one row of the table "Differences from Linux" of
// docs/semantics.md: its first four columns, as the document has them, and
// how the differential test recognizes it (match) and brings the two sides
// back to the same state after it (resync). A row whose difference the
// test's operations cannot produce has no match.
type difference struct {
	ID, Op, Fsmeta, Linux string
	match                 func(op Op, eng, ker Result) bool
	resync                func(h *harness, e *engine, op Op, eng, ker Result) error
}

var differences = []difference{
	{
		ID: "protected-hardlinks", Op: "Link", Fsmeta: "ok (or the errno below)", Linux: "`EPERM` with `fs.protected_hardlinks=1`",
		match: func(op Op, eng, ker Result) bool {
			return op.Kind == "link" && op.Caller != 0 && ker.Errno == int(unix.EPERM) && protectedHardlinks() &&
				(eng.Errno == 0 || eng.Errno == int(unix.EACCES))
		},
		// the kernel refused what fsmeta did: root makes the same link there
		resync: func(h *harness, e *engine, op Op, eng, ker Result) error {
			if eng.Errno != 0 {
				return nil
			}
			op.Caller = 0
			r, err := h.kernels[0].do(op)
			if err == nil && r.Errno != 0 {
				err = fmt.Errorf("root's link: %v", r)
			}
			return err
		},
	},
	{ID: "dot-names", Op: "Mknod, Mkdir, Symlink, Link, Unlink, Rmdir, Rename naming `.` or `..`", Fsmeta: "`EINVAL`",
		Linux: "`EEXIST` (create, link), `EISDIR` (unlink), `EINVAL` or `ENOTEMPTY` (rmdir), `EBUSY` (rename)"},
	{ID: "symlink-empty-target", Op: "Symlink with an empty target", Fsmeta: "`EINVAL`", Linux: "`ENOENT`"},
	{ID: "xattr-empty-name", Op: "Xattrs with an empty name", Fsmeta: "`EINVAL`", Linux: "`ERANGE`"},
	{ID: "xattr-unknown-namespace", Op: "SetXattr, RemoveXattr of an unknown namespace on a node the caller may not write",
		Fsmeta: "`EOPNOTSUPP`", Linux: "`EACCES`"},
	{ID: "security-namespace", Op: "GetXattr, ListXattr of `security.*` by non-root", Fsmeta: "`ENODATA`, not listed",
		Linux: "readable and listed (as the LSM allows)"},
	{ID: "append-grow", Op: "SetSize growing an append-only file", Fsmeta: "ok", Linux: "`EPERM`"},
	{ID: "utimes-one-now", Op: "SetAttr with `SetAtimeNow` or `SetMtimeNow` alone, by a non-owner with write permission",
		Fsmeta: "ok", Linux: "`EPERM` (utimensat with `UTIME_NOW` and `UTIME_OMIT`)"},
	{ID: "chown-none", Op: "SetAttr with neither `SetUid` nor `SetGid`", Fsmeta: "nothing changes",
		Linux: "`chown(f, -1, -1)` clears set-id bits"},
	{ID: "max-file-size", Op: "SetSize, WriteSlice, Fallocate beyond 2^62 bytes", Fsmeta: "`EFBIG`", Linux: "tmpfs allows up to 2^63 − 1"},
}

// documented returns the row that explains a divergence, or nil.
func documented(op Op, eng, ker Result) *difference {
	for i := range differences {
		if d := &differences[i]; d.match != nil && d.match(op, eng, ker) {
			return d
		}
	}
	return nil
}

func protectedHardlinks() bool {
	b, err := os.ReadFile("/proc/sys/fs/protected_hardlinks")
	return err == nil && strings.TrimSpace(string(b)) == "1"
}

// docTable reads the rows of the table under "## Differences from Linux".
func docTable(t *testing.T) [][]string {
	b, err := os.ReadFile("../../docs/semantics.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## Differences from Linux\n")
	if !ok {
		t.Fatal(`docs/semantics.md has no section "## Differences from Linux"`)
	}
	var rows [][]string
	in := false
	for _, line := range strings.Split(sec, "\n") {
		if strings.HasPrefix(line, "## ") {
			break
		}
		if !strings.HasPrefix(line, "|") {
			if in {
				break
			}
			continue
		}
		in = true
		var cells []string
		for _, c := range strings.Split(strings.Trim(line, "|"), " | ") {
			cells = append(cells, strings.TrimSpace(c))
		}
		rows = append(rows, cells)
	}
	if len(rows) < 2 {
		t.Fatal("the table of differences is empty")
	}
	return rows[2:] // the header and its rule
}

// TestDifferencesTable: the test's table is the document's, row for row.
func TestDifferencesTable(t *testing.T) {
	rows := docTable(t)
	if len(rows) != len(differences) {
		t.Errorf("docs/semantics.md lists %d differences, the test %d", len(rows), len(differences))
	}
	for i := 0; i < len(rows) && i < len(differences); i++ {
		d := differences[i]
		want := []string{"`" + d.ID + "`", d.Op, d.Fsmeta, d.Linux}
		if len(rows[i]) < 5 || !equal(rows[i][:4], want) {
			t.Errorf("row %d: the document has %q, the test %q (and a reason column)", i+1, rows[i], want)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
