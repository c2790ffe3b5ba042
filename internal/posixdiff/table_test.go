package posixdiff

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// difference is one row of the table "Differences from Linux" of
// docs/semantics.md: its first four columns, as the document has them, and
// how the differential test recognizes it (match). After a divergence a
// row explains, the harness rebuilds the kernel's tree from fsmeta's, so the
// sequence goes on from one state. A row whose difference the test's
// operations cannot produce has no match.
type difference struct {
	ID, Op, Fsmeta, Linux string
	match                 func(op Op, eng, ker Result, pre snapshot) bool // pre: fsmeta's tree before op
}

var differences = []difference{
	{
		ID: "protected-hardlinks", Op: "Link", Fsmeta: "ok (or the errno below)", Linux: "`EPERM` with `fs.protected_hardlinks=1`",
		match: func(op Op, eng, ker Result, pre snapshot) bool {
			return op.Kind == "link" && op.Caller != 0 && ker.Errno == int(unix.EPERM) && sysctlOn("protected_hardlinks") &&
				(eng.Errno == 0 || eng.Errno == int(unix.EACCES))
		},
	},
	{
		ID: "protected-symlinks", Op: "Resolve (every path) through a symlink in a sticky world-writable directory",
		Fsmeta: "follows it", Linux: "`EACCES` with `fs.protected_symlinks=1`",
		match: func(op Op, eng, ker Result, pre snapshot) bool {
			return ker.Errno == int(unix.EACCES) && eng.Errno != int(unix.EACCES) && sysctlOn("protected_symlinks") &&
				guardedSymlink(pre, ids[op.Caller].Uid)
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
	{ID: "utimes-one-now", Op: "SetAttr with `SetAtimeNow` or `SetMtimeNow` alone, by a non-owner with write permission",
		Fsmeta: "ok", Linux: "`EPERM` (utimensat with `UTIME_NOW` and `UTIME_OMIT`)"},
	{ID: "chown-none", Op: "SetAttr with neither `SetUid` nor `SetGid`", Fsmeta: "nothing changes",
		Linux: "`chown(f, -1, -1)` clears set-id bits"},
	{ID: "max-file-size", Op: "SetSize, WriteSlice, Fallocate beyond 2^62 bytes", Fsmeta: "`EFBIG`", Linux: "tmpfs allows up to 2^63 − 1"},
}

// guardedSymlink reports whether the tree has a symlink that
// fs.protected_symlinks keeps uid from following: in a sticky
// world-writable directory, owned neither by uid nor by the directory's owner.
func guardedSymlink(s snapshot, uid uint32) bool {
	for p, n := range s {
		if n.Type != unix.S_IFLNK || p == "" {
			continue
		}
		d := s[p[:strings.LastIndexByte(p, '/')]]
		if d.Perm&0o1002 == 0o1002 && n.Uid != uid && n.Uid != d.Uid {
			return true
		}
	}
	return false
}

// documented returns the row that explains a divergence, or nil.
func documented(op Op, eng, ker Result, pre snapshot) *difference {
	for i := range differences {
		if d := &differences[i]; d.match != nil && d.match(op, eng, ker, pre) {
			return d
		}
	}
	return nil
}

// sysctlOn reports whether /proc/sys/fs/name is set (not 0).
func sysctlOn(name string) bool {
	b, err := os.ReadFile("/proc/sys/fs/" + name)
	v := strings.TrimSpace(string(b))
	return err == nil && v != "" && v != "0"
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
