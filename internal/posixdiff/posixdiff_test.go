package posixdiff

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fsmeta/fsmeta/core/meta"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
	"golang.org/x/sys/unix"
)

// Op is one operation, as both sides run it. Paths have no leading "/" and
// are relative to the root of the tree ("" is the root).
type Op struct {
	Caller int    `json:"c"`
	Umask  uint32 `json:"u"`
	Kind   string `json:"k"`
	Path   string `json:"p,omitempty"`
	Path2  string `json:"q,omitempty"`
	Target string `json:"t,omitempty"`
	Mode   uint32 `json:"m,omitempty"`
	Uid    int64  `json:"uid,omitempty"` // chown: -1 leaves it
	Gid    int64  `json:"gid,omitempty"`
	Size   int64  `json:"s,omitempty"`
	Time   int64  `json:"ti,omitempty"` // utimes: 0 is "now"
	Name   string `json:"n,omitempty"`
	Value  string `json:"v,omitempty"`
	Flags  uint32 `json:"f,omitempty"`
	Follow bool   `json:"fo,omitempty"`
}

func (o Op) String() string {
	s := fmt.Sprintf("%-4s umask=%03o %s %q", ids[o.Caller].name, o.Umask, o.Kind, "/"+o.Path)
	switch o.Kind {
	case "link", "rename":
		s += fmt.Sprintf(" %q", "/"+o.Path2)
		if o.Flags != 0 {
			s += fmt.Sprintf(" flags=%d", o.Flags)
		}
	case "symlink":
		s += fmt.Sprintf(" -> %q", o.Target)
	case "mkdir", "mknod", "chmod", "access":
		s += fmt.Sprintf(" %#o", o.Mode)
	case "chown":
		s += fmt.Sprintf(" %d:%d", o.Uid, o.Gid)
	case "truncate":
		s += fmt.Sprintf(" %d", o.Size)
	case "utimes":
		s += fmt.Sprintf(" %d", o.Time)
	case "chattr":
		s += fmt.Sprintf(" flags=%d", o.Flags)
	case "setxattr":
		s += fmt.Sprintf(" %s=%q flags=%d", o.Name, o.Value, o.Flags)
	case "getxattr", "removexattr":
		s += " " + o.Name
	}
	if o.Follow {
		s += " follow"
	}
	return s
}

// Result is what an operation answered: an errno (0: success) and, for the
// reads, what it read.
type Result struct {
	Errno int      `json:"e,omitempty"`
	Stat  *Stat    `json:"st,omitempty"`
	Str   string   `json:"v,omitempty"`
	List  []string `json:"l,omitempty"`
}

func (r Result) String() string {
	s := "ok"
	if r.Errno != 0 {
		s = unix.ErrnoName(unix.Errno(r.Errno))
		if s == "" {
			s = strconv.Itoa(r.Errno)
		}
	}
	if r.Stat != nil {
		s += fmt.Sprintf(" %+v", *r.Stat)
	}
	if r.Str != "" {
		s += fmt.Sprintf(" %q", r.Str)
	}
	if r.List != nil {
		s += fmt.Sprintf(" %q", r.List)
	}
	return s
}

// Stat is what is compared of a node's attributes: not its inode number,
// nor its times, nor a directory's size (tmpfs counts its entries, fsmeta
// says 4096).
type Stat struct {
	Type  uint32 `json:"t"`
	Perm  uint32 `json:"p"`
	Uid   uint32 `json:"u"`
	Gid   uint32 `json:"g"`
	Nlink uint32 `json:"n"`
	Size  int64  `json:"s"`
}

// identity is a caller: root and three users whose groups overlap.
type identity struct {
	name   string
	Uid    uint32
	Gid    uint32
	Groups []uint32
}

var ids = []identity{
	{"root", 0, 0, nil},
	{"u1", 1000, 1000, []uint32{1000, 1002}},
	{"u2", 1001, 1001, []uint32{1001}},
	{"u3", 1002, 1002, []uint32{1002, 1000}},
}

func TestMain(m *testing.M) {
	if root := os.Getenv(envChild); root != "" {
		childMain(root)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// ---- the engine side

type engine struct {
	db *fsmeta.DB
}

func newEngine(t testing.TB) *engine {
	db, err := fsmeta.Open(fsmeta.Options{InMemory: true, ArenaMaxBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return &engine{db: db}
}

func (e *engine) close(t testing.TB) {
	if err := e.db.Fsck(); err != nil {
		t.Errorf("fsck: %v", err)
	}
	e.db.Close()
}

func callerOf(o Op) *fsmeta.Caller {
	id := ids[o.Caller]
	return &fsmeta.Caller{Uid: id.Uid, Gid: id.Gid, Groups: id.Groups, Umask: o.Umask}
}

func estat(a fsmeta.Attr) *Stat {
	s := &Stat{Type: a.Mode & meta.S_IFMT, Perm: a.Mode & 0o7777, Uid: a.Uid, Gid: a.Gid, Nlink: a.Nlink}
	if s.Type != meta.S_IFDIR {
		s.Size = int64(a.Size)
	}
	return s
}

func eres(err error) Result { return Result{Errno: int(fsmeta.ErrnoOf(err))} }

func (e *engine) do(o Op) Result {
	c := callerOf(o)
	db := e.db
	parent := func(p string) (fsmeta.Ino, string, error) {
		dir, name := splitPath(p) // as the kernel walks to a parent: a directory it may search
		a, err := db.Resolve(c, "/"+join(dir, "."), true)
		return a.Ino, name, err
	}
	switch o.Kind {
	case "mkdir", "mknod", "symlink", "unlink", "rmdir":
		pi, name, err := parent(o.Path)
		if err != nil {
			return eres(err)
		}
		switch o.Kind {
		case "mkdir":
			_, err = db.Mkdir(c, pi, name, o.Mode)
		case "mknod":
			_, err = db.Mknod(c, pi, name, o.Mode, 0)
		case "symlink":
			_, err = db.Symlink(c, pi, name, o.Target)
		case "unlink":
			err = db.Unlink(c, pi, name)
		case "rmdir":
			err = db.Rmdir(c, pi, name)
		}
		return eres(err)
	case "link":
		a, err := db.Resolve(c, "/"+o.Path, false)
		if err != nil {
			return eres(err)
		}
		pi, name, err := parent(o.Path2)
		if err != nil {
			return eres(err)
		}
		_, err = db.Link(c, a.Ino, pi, name)
		return eres(err)
	case "rename":
		pi, name, err := parent(o.Path)
		if err != nil {
			return eres(err)
		}
		qi, qname, err := parent(o.Path2)
		if err != nil {
			return eres(err)
		}
		return eres(db.Rename(c, pi, name, qi, qname, o.Flags))
	}
	a, err := db.Resolve(c, "/"+o.Path, o.Follow || o.Kind == "readdir")
	if err != nil {
		return eres(err)
	}
	ino := a.Ino
	switch o.Kind {
	case "readdir":
		names, err := e.list(c, ino)
		if err != nil {
			return eres(err)
		}
		return Result{List: names}
	case "stat":
		return Result{Stat: estat(a)}
	case "readlink":
		s, err := db.Readlink(c, ino)
		if err != nil {
			return eres(err)
		}
		return Result{Str: s}
	case "access":
		return eres(db.Access(c, ino, o.Mode))
	case "chmod":
		_, err = db.Chmod(c, ino, o.Mode)
		return eres(err)
	case "chown":
		var mask uint32
		in := fsmeta.SetAttrIn{}
		if o.Uid >= 0 {
			mask |= meta.SetUid
			in.Uid = uint32(o.Uid)
		}
		if o.Gid >= 0 {
			mask |= meta.SetGid
			in.Gid = uint32(o.Gid)
		}
		_, err = db.SetAttr(c, ino, mask, in)
		return eres(err)
	case "utimes":
		if o.Time == 0 {
			_, err = db.SetAttr(c, ino, meta.SetAtimeNow|meta.SetMtimeNow, fsmeta.SetAttrIn{})
		} else {
			_, err = db.SetAttr(c, ino, meta.SetAtime|meta.SetMtime, fsmeta.SetAttrIn{Atime: o.Time, Mtime: o.Time})
		}
		return eres(err)
	case "truncate":
		_, err = db.Truncate(c, ino, uint64(o.Size))
		return eres(err)
	case "chattr":
		_, err = db.SetAttr(c, ino, meta.SetFlags, fsmeta.SetAttrIn{Flags: o.Flags})
		return eres(err)
	case "getxattr":
		v, err := db.GetXattr(c, ino, o.Name)
		if err != nil {
			return eres(err)
		}
		return Result{Str: string(v)}
	case "setxattr":
		return eres(db.SetXattr(c, ino, o.Name, []byte(o.Value), o.Flags))
	case "removexattr":
		return eres(db.RemoveXattr(c, ino, o.Name))
	case "listxattr":
		names, err := db.ListXattr(c, ino)
		if err != nil {
			return eres(err)
		}
		var out []string
		for _, n := range names {
			if strings.HasPrefix(n, "user.") {
				out = append(out, n)
			}
		}
		sort.Strings(out)
		return Result{List: out}
	}
	return Result{Errno: -2}
}

func (e *engine) list(c *fsmeta.Caller, ino fsmeta.Ino) ([]string, error) {
	var names []string
	var cursor uint64
	for {
		ents, next, err := e.db.ReadDir(c, ino, cursor, 0, false)
		if err != nil {
			return nil, err
		}
		for _, d := range ents {
			names = append(names, d.Name)
		}
		if next == 0 {
			break
		}
		cursor = next
	}
	sort.Strings(names)
	return names, nil
}

// ---- whole trees

// node is what the tree comparison sees of one path: its Stat, a symlink's
// target, its user.* xattrs, and the first path (in sorted order) of its
// inode, which gives the hard-link structure.
type node struct {
	Stat
	Flags  uint32 // FlagImmutable|FlagAppend of files and directories
	Target string
	Xattrs string
	First  string
}

type snapshot map[string]node

func (e *engine) snapshot(t testing.TB) snapshot {
	s := snapshot{}
	first := map[fsmeta.Ino]string{}
	inoOf := map[string]fsmeta.Ino{}
	var walk func(ino fsmeta.Ino, path string)
	walk = func(ino fsmeta.Ino, path string) {
		a, err := e.db.GetAttr(nil, ino)
		if err != nil {
			t.Fatalf("engine getattr %s: %v", path, err)
		}
		n := node{Stat: *estat(a)}
		if n.Type == meta.S_IFREG || n.Type == meta.S_IFDIR {
			n.Flags = a.Flags
		}
		if n.Type == meta.S_IFLNK {
			n.Target, _ = e.db.Readlink(nil, ino)
		}
		names, _ := e.db.ListXattr(nil, ino)
		var xs []string
		for _, x := range names {
			if strings.HasPrefix(x, "user.") {
				v, _ := e.db.GetXattr(nil, ino, x)
				xs = append(xs, x+"="+string(v))
			}
		}
		sort.Strings(xs)
		n.Xattrs = strings.Join(xs, ",")
		if f, ok := first[ino]; !ok || path < f {
			first[ino] = path
		}
		s[path] = n
		if n.Type == meta.S_IFDIR {
			names, err := e.list(nil, ino)
			if err != nil {
				t.Fatalf("engine readdir %s: %v", path, err)
			}
			for _, name := range names {
				la, err := e.db.Lookup(nil, ino, name)
				if err != nil {
					t.Fatalf("engine lookup %s/%s: %v", path, name, err)
				}
				walk(la.Ino, path+"/"+name)
			}
		}
		inoOf[path] = ino
	}
	walk(meta.RootIno, "")
	for p, n := range s {
		n.First = first[inoOf[p]]
		s[p] = n
	}
	return s
}

func kernelSnapshot(t testing.TB, root string) snapshot {
	s := snapshot{}
	first := map[uint64]string{}
	inos := map[string]uint64{}
	var walk func(path string)
	walk = func(path string) {
		real := root + path
		var st unix.Stat_t
		if err := unix.Lstat(real, &st); err != nil {
			t.Fatalf("lstat %s: %v", real, err)
		}
		n := node{Stat: *kstat(&st)}
		if n.Type == unix.S_IFREG || n.Type == unix.S_IFDIR {
			f, err := kflags(real)
			if err != nil {
				t.Fatalf("flags of %s: %v", real, err)
			}
			n.Flags = f
		}
		if n.Type == unix.S_IFLNK {
			n.Target, _ = os.Readlink(real)
		}
		buf := make([]byte, 1<<16)
		var xs []string
		if k, err := unix.Llistxattr(real, buf); err == nil {
			for _, x := range userNames(buf[:k]) {
				v := make([]byte, 1<<16)
				m, _ := unix.Lgetxattr(real, x, v)
				if m < 0 {
					m = 0
				}
				xs = append(xs, x+"="+string(v[:m]))
			}
		}
		sort.Strings(xs)
		n.Xattrs = strings.Join(xs, ",")
		if f, ok := first[st.Ino]; !ok || path < f {
			first[st.Ino] = path
		}
		inos[path] = st.Ino
		s[path] = n
		if n.Type == unix.S_IFDIR {
			ents, err := os.ReadDir(real + "/")
			if err != nil {
				t.Fatalf("readdir %s: %v", real, err)
			}
			for _, d := range ents {
				walk(path + "/" + d.Name())
			}
		}
	}
	walk("")
	for p, n := range s {
		n.First = first[inos[p]]
		s[p] = n
	}
	return s
}

// diffTrees describes the first differences of two snapshots ("" if none).
func diffTrees(eng, ker snapshot) string {
	var paths []string
	seen := map[string]bool{}
	for p := range eng {
		paths, seen[p] = append(paths, p), true
	}
	for p := range ker {
		if !seen[p] {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	var out []string
	for _, p := range paths {
		a, inA := eng[p]
		b, inB := ker[p]
		shown := p // snapshot paths start with "/", but the root's is ""
		if shown == "" {
			shown = "/"
		}
		switch {
		case !inA:
			out = append(out, fmt.Sprintf("  %s: only in the kernel: %+v", shown, b))
		case !inB:
			out = append(out, fmt.Sprintf("  %s: only in fsmeta: %+v", shown, a))
		case a != b:
			out = append(out, fmt.Sprintf("  %s: fsmeta %+v, kernel %+v", shown, a, b))
		}
		if len(out) >= 8 {
			break
		}
	}
	return strings.Join(out, "\n")
}

// ---- the harness

// harness holds the kernel children and the tmpfs root.
type harness struct {
	t        testing.TB
	root     string // the kernel side's root directory
	kernels  []*kernel
	ops      int                // operations compared
	stats    map[string]*[2]int // per kind: successes, failures
	filtered map[string]int     // divergences explained by a documented difference, by its id
	last     snapshot           // fsmeta's tree after the last step
}

func (h *harness) close() {
	for _, k := range h.kernels {
		k.close()
	}
}

// tmpfsRoot gives a directory on a tmpfs: a fresh mount when mounting is
// permitted, else a directory under /dev/shm (a tmpfs on Linux).
func tmpfsRoot(t *testing.T) (string, string) {
	dir := t.TempDir()
	tryMount := os.Getenv("FSMETA_POSIXDIFF_SHM") != "1" // 1: go to the fallback
	var err error = unix.EPERM
	if tryMount {
		err = unix.Mount("posixdiff", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755")
	}
	if err == nil {
		t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
		if err := os.Chmod(dir, 0o755); err != nil { // the children must reach it
			t.Fatal(err)
		}
		return dir, "a tmpfs mounted at " + dir
	}
	var fs unix.Statfs_t
	if err := unix.Statfs("/dev/shm", &fs); err != nil || fs.Type != unix.TMPFS_MAGIC {
		return "", ""
	}
	d, err := os.MkdirTemp("/dev/shm", "fsmeta-posixdiff-")
	if err != nil {
		return "", ""
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d, "a directory on /dev/shm's tmpfs"
}

func newHarness(t *testing.T) *harness {
	// The kernel side runs as other users and needs a tmpfs: it takes root.
	// The CI runs as root; a developer's unprivileged run skips, saying so.
	if os.Geteuid() != 0 {
		t.Skip("posixdiff needs root (to mount a tmpfs and run the kernel side as other users)")
	}
	root, how := tmpfsRoot(t)
	if root == "" {
		// Neither a tmpfs mount nor /dev/shm: nothing to compare with.
		t.Skip("posixdiff: cannot mount a tmpfs here and /dev/shm is not a tmpfs")
	}
	t.Logf("kernel side: %s", how)
	// the path to the root must be searchable by the unprivileged children
	for d := filepath.Dir(root); d != "/"; d = filepath.Dir(d) {
		var st unix.Stat_t
		if unix.Stat(d, &st) == nil && st.Mode&0o001 == 0 {
			os.Chmod(d, os.FileMode(st.Mode&0o777|0o111))
		}
	}
	h := &harness{t: t, root: root, filtered: map[string]int{}}
	exe := childBinary(t)
	for _, id := range ids {
		k, err := startKernel(exe, root, id)
		if err != nil {
			t.Fatal(err)
		}
		h.kernels = append(h.kernels, k)
	}
	t.Cleanup(h.close)
	return h
}

// childBinary copies the test binary where the unprivileged children may
// run it (go test's build directory is private to root).
func childBinary(t *testing.T) string {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "fsmeta-posixdiff-bin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	exe := filepath.Join(dir, "posixdiff.test")
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return exe
}

// reset empties the kernel side's root and gives it the attributes of the
// engine's root.
func (h *harness) reset(e *engine) {
	// immutable or append-only nodes cannot be removed: clear the flags first
	filepath.WalkDir(h.root, func(p string, d os.DirEntry, err error) error {
		if err == nil && (d.Type().IsRegular() || d.IsDir()) {
			if f, _ := kflags(p); f != 0 {
				setFlags(p, 0)
			}
		}
		return nil
	})
	ents, err := os.ReadDir(h.root)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, d := range ents {
		if err := os.RemoveAll(filepath.Join(h.root, d.Name())); err != nil {
			h.t.Fatal(err)
		}
	}
	a, _ := e.db.GetAttr(nil, meta.RootIno)
	buf := make([]byte, 1<<16)
	if n, err := unix.Llistxattr(h.root, buf); err == nil {
		for _, x := range userNames(buf[:n]) {
			unix.Lremovexattr(h.root, x)
		}
	}
	if err := os.Lchown(h.root, int(a.Uid), int(a.Gid)); err != nil {
		h.t.Fatal(err)
	}
	if err := unix.Chmod(h.root, a.Mode&0o7777); err != nil {
		h.t.Fatal(err)
	}
}

// rebuild makes the kernel's tree fsmeta's again (after a documented
// difference left them apart): as root, every node is made again in path
// order (a hard link to the first path of its inode), then given its size,
// xattrs, owner and mode.
func (h *harness) rebuild(e *engine) error {
	h.reset(e)
	snap := e.snapshot(h.t)
	var paths []string
	for p := range snap {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		n, real := snap[p], h.root+p
		var err error
		switch {
		case p == "":
		case n.First != p:
			err = unix.Link(h.root+n.First, real)
		case n.Type == unix.S_IFDIR:
			err = unix.Mkdir(real, 0o700)
		case n.Type == unix.S_IFLNK:
			err = unix.Symlink(n.Target, real)
		default:
			err = unix.Mknod(real, n.Type|0o600, 0)
			if err == nil && n.Type == unix.S_IFREG {
				err = unix.Truncate(real, n.Size)
			}
		}
		if err != nil {
			return fmt.Errorf("%s: %v", p, err)
		}
	}
	for _, p := range paths {
		n, real := snap[p], h.root+p
		if n.First != p {
			continue
		}
		if n.Xattrs != "" {
			for _, kv := range strings.Split(n.Xattrs, ",") {
				k, v, _ := strings.Cut(kv, "=")
				if err := unix.Lsetxattr(real, k, []byte(v), 0); err != nil {
					return fmt.Errorf("%s: %v", p, err)
				}
			}
		}
		if err := unix.Lchown(real, int(n.Uid), int(n.Gid)); err != nil {
			return fmt.Errorf("%s: %v", p, err)
		}
		if n.Type != unix.S_IFLNK {
			if err := unix.Chmod(real, n.Perm); err != nil {
				return fmt.Errorf("%s: %v", p, err)
			}
		}
	}
	for i := len(paths) - 1; i >= 0; i-- { // flags last, children first
		if n := snap[paths[i]]; n.Flags != 0 && n.First == paths[i] {
			if err := setFlags(h.root+paths[i], n.Flags); err != nil {
				return fmt.Errorf("%s: %v", paths[i], err)
			}
		}
	}
	return nil
}

// step runs one op on both sides and returns a description of the
// divergence ("" if none, or filtered by the documented differences).
func (h *harness) step(e *engine, op Op) (string, error) {
	er := e.do(op)
	kr, err := h.kernels[op.Caller].do(op)
	if err != nil {
		return "", err
	}
	h.ops++
	if h.stats == nil {
		h.stats = map[string]*[2]int{}
	}
	st := h.stats[op.Kind]
	if st == nil {
		st = new([2]int)
		h.stats[op.Kind] = st
	}
	if kr.Errno == 0 {
		st[0]++
	} else {
		st[1]++
	}
	if !reflect.DeepEqual(normalize(er), normalize(kr)) {
		row := documented(op, er, kr, h.last)
		if row == nil {
			return fmt.Sprintf("%v: fsmeta %v, kernel %v", op, er, kr), nil
		}
		h.filtered[row.ID]++
		if err := h.rebuild(e); err != nil {
			return fmt.Sprintf("%v: fsmeta %v, kernel %v (documented as %s, but the rebuild failed: %v)", op, er, kr, row.ID, err), nil
		}
	}
	h.last = e.snapshot(h.t)
	if d := diffTrees(h.last, kernelSnapshot(h.t, h.root)); d != "" {
		return fmt.Sprintf("after %v (fsmeta %v, kernel %v), the trees differ:\n%s", op, er, kr, d), nil
	}
	return "", nil
}

func normalize(r Result) Result {
	if len(r.List) == 0 {
		r.List = nil
	}
	return r
}

// run replays ops on a fresh engine and a reset kernel root, and returns
// the index of the first divergence and its description (-1 if none).
func (h *harness) run(ops []Op) (int, string) {
	e := newEngine(h.t)
	defer e.close(h.t)
	h.reset(e)
	h.last = e.snapshot(h.t)
	for i, op := range ops {
		d, err := h.step(e, op)
		if err != nil {
			h.t.Fatal(err)
		}
		if d != "" {
			return i, d
		}
	}
	return -1, ""
}

// shrink removes operations from a diverging sequence while it still
// diverges: halves, then chunks, then single operations.
func (h *harness) shrink(ops []Op) ([]Op, string) {
	i, desc := h.run(ops)
	if i < 0 {
		return ops, "(does not reproduce)"
	}
	ops = ops[:i+1]
	budget := 400
	for chunk := len(ops) / 2; chunk >= 1 && budget > 0; chunk /= 2 {
		for start := 0; start+chunk <= len(ops)-1 && budget > 0; {
			try := append(append([]Op{}, ops[:start]...), ops[start+chunk:]...)
			budget--
			if j, d := h.run(try); j >= 0 {
				ops, desc = try[:j+1], d
				continue
			}
			start += chunk
		}
	}
	return ops, desc
}

// ---- the generator

var (
	names   = []string{"a", "b", "c", "d", "e"}
	modes   = []uint32{0o777, 0o1777, 0o700, 0o500, 0o300, 0o711, 0o770, 0o2777, 0o1733}
	fmodes  = []uint32{0o644, 0o600, 0o666, 0o755, 0o4755, 0o2755, 0o6755, 0o2745, 0o000, 0o444, 0o222, 0o111, 0o1644}
	umasks  = []uint32{0, 0o22, 0o77, 0o2, 0o27, 0o7}
	uids    = []int64{0, 1000, 1001, 1002, -1}
	xnames  = []string{"user.a", "user.b", "user.c"}
	targets = []string{"a", "b/c", "/a", "/a/b", "..", ".", "a/.", "b/", "/", "missing", "../a", "e/../a"}
)

type gen struct {
	r     *rand.Rand
	paths []string // every path of the engine's tree, sorted ("" is the root)
	dirs  []string // the directories, files, symlinks and nodes with xattrs among them
	files []string
	links []string
	xattr []string
}

func (g *gen) refresh(s snapshot) {
	g.paths, g.dirs, g.files, g.links, g.xattr = g.paths[:0], g.dirs[:0], g.files[:0], g.links[:0], g.xattr[:0]
	for p, n := range s {
		p = strings.TrimPrefix(p, "/")
		g.paths = append(g.paths, p)
		switch n.Type {
		case meta.S_IFDIR:
			g.dirs = append(g.dirs, p)
		case meta.S_IFREG:
			g.files = append(g.files, p)
		case meta.S_IFLNK:
			g.links = append(g.links, p)
		}
		if n.Xattrs != "" {
			g.xattr = append(g.xattr, p)
		}
	}
	for _, l := range [][]string{g.paths, g.dirs, g.files, g.links, g.xattr} {
		sort.Strings(l)
	}
}

// of gives a path from list most of the time (if it has any), else any().
func (g *gen) of(list []string) string {
	if len(list) > 0 && g.r.IntN(3) > 0 {
		return g.pick(list)
	}
	return g.any()
}

// fresh gives a new name in an existing directory (or, rarely, any name).
func (g *gen) fresh() string {
	if g.r.IntN(4) == 0 {
		return g.name()
	}
	return join(g.pick(g.dirs), g.pick(names)+g.pick(names))
}

func (g *gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// name gives a path whose last component is a plain name: an existing one
// mostly, or a new one in an existing directory.
func (g *gen) name() string {
	if g.r.IntN(3) > 0 && len(g.paths) > 1 {
		if p := g.pick(g.paths); p != "" {
			return p
		}
	}
	return join(g.pick(g.dirs), g.pick(names))
}

// any gives any path, sometimes in an odd form: a trailing "/" or "/.",
// "..", "//", "./" (for the operations that resolve a whole path).
func (g *gen) any() string {
	p := g.name()
	switch g.r.IntN(12) {
	case 0:
		p += "/"
	case 1:
		p += "/."
	case 2:
		p += "/.."
	case 3:
		p = "./" + p
	case 4:
		p = strings.Replace(p, "/", "//", 1)
	case 5:
		p = ""
	}
	return p
}

func (g *gen) op(caller int) Op {
	o := Op{Caller: caller, Umask: g.pick32(umasks)}
	if g.r.IntN(4) == 0 {
		o.Umask = uint32(g.r.IntN(0o1000))
	}
	switch k := g.r.IntN(28); {
	case k == 27 && caller == 0:
		// flags are root's: a non-root chattr is EPERM on both sides, but
		// fsmeta refuses even one that changes nothing; files and
		// directories only (chattr of another type is ENOTTY, an ioctl's answer)
		o.Kind, o.Follow, o.Flags = "chattr", true, []uint32{0, 0, meta.FlagImmutable, meta.FlagAppend}[g.r.IntN(4)]
		o.Path = g.pick(g.dirs)
		if len(g.files) > 0 && g.r.IntN(2) == 0 {
			o.Path = g.pick(g.files)
		}
	case k < 3:
		o.Kind, o.Path, o.Mode = "mkdir", g.name(), g.pick32(modes)
		if g.r.IntN(3) == 0 {
			o.Mode |= 0o6000
		}
	case k < 6:
		o.Kind, o.Path, o.Mode = "mknod", g.name(), unix.S_IFREG|g.pick32(fmodes)
		if g.r.IntN(5) == 0 {
			o.Mode = unix.S_IFIFO | g.pick32(fmodes)
		}
	case k < 7:
		o.Kind, o.Path, o.Target = "symlink", g.name(), g.pick(targets)
		if g.r.IntN(2) == 0 {
			o.Target = g.any()
			if o.Target == "" {
				o.Target = "."
			}
			if g.r.IntN(2) == 0 {
				o.Target = "/" + o.Target
			}
		}
	case k < 8:
		o.Kind, o.Path, o.Path2 = "link", g.name(), g.fresh()
	case k < 10:
		o.Kind, o.Path = "unlink", g.name()
	case k < 11:
		o.Kind, o.Path = "rmdir", g.name()
		if len(g.dirs) > 1 && g.r.IntN(2) == 0 {
			if p := g.pick(g.dirs); p != "" {
				o.Path = p
			}
		}
	case k < 14:
		o.Kind, o.Path, o.Path2 = "rename", g.name(), g.name()
		if g.r.IntN(3) == 0 {
			o.Path2 = g.fresh()
		}
		o.Flags = []uint32{0, 0, unix.RENAME_NOREPLACE, unix.RENAME_EXCHANGE}[g.r.IntN(4)]
	case k < 16:
		o.Kind, o.Path, o.Follow = "chmod", g.any(), true
		o.Mode = g.pick32(modes)
		if g.r.IntN(2) == 0 {
			o.Mode = g.pick32(fmodes)
		}
	case k < 17:
		o.Kind, o.Path, o.Follow = "chown", g.any(), true
		o.Uid, o.Gid = uids[g.r.IntN(len(uids))], uids[g.r.IntN(len(uids))]
		if o.Uid < 0 && o.Gid < 0 { // chown(-1, -1): see the table (chown-none)
			o.Gid = int64(ids[caller].Gid)
		}
	case k < 18:
		o.Kind, o.Path, o.Follow = "utimes", g.any(), true
		if g.r.IntN(2) == 0 {
			o.Time = 1_600_000_000_000_000_000
		}
	case k < 19:
		o.Kind, o.Path, o.Follow, o.Size = "truncate", g.of(g.files), true, int64(g.r.IntN(3))

	case k < 21:
		o.Kind, o.Path, o.Follow = "setxattr", g.of(g.dirs), g.r.IntN(2) == 0
		if g.r.IntN(2) == 0 {
			o.Path = g.of(g.files)
		}
		o.Name, o.Value, o.Flags = g.pick(xnames), g.pick(names), uint32(g.r.IntN(3))
	case k < 22:
		o.Kind, o.Path, o.Follow, o.Name = "getxattr", g.of(g.xattr), g.r.IntN(2) == 0, g.pick(xnames)
	case k < 23:
		o.Kind, o.Path, o.Follow, o.Name = "removexattr", g.of(g.xattr), g.r.IntN(2) == 0, g.pick(xnames)
	case k < 24:
		o.Kind, o.Path, o.Follow = "listxattr", g.of(g.xattr), g.r.IntN(2) == 0
	case k < 25:
		o.Kind, o.Path, o.Follow, o.Mode = "access", g.any(), true, uint32(g.r.IntN(8))
	case k < 26:
		o.Kind, o.Path = "readlink", g.of(g.links)
	default:
		o.Kind, o.Path, o.Follow = "stat", g.any(), g.r.IntN(2) == 0
		if g.r.IntN(3) == 0 {
			o.Kind = "readdir"
		}
	}
	return o
}

func (g *gen) pick32(s []uint32) uint32 { return s[g.r.IntN(len(s))] }

// setup is the start of a session, as root: top directories of the modes
// of the issue and mixed owners, a few files and directories inside.
func (g *gen) setup() []Op {
	var ops []Op
	root := func(o Op) { o.Caller = 0; ops = append(ops, o) }
	for i, n := range names[:4] {
		m := modes[g.r.IntN(len(modes))]
		root(Op{Kind: "mkdir", Path: n, Mode: 0o777})
		root(Op{Kind: "chown", Path: n, Follow: true, Uid: int64(ids[g.r.IntN(len(ids))].Uid), Gid: int64(ids[g.r.IntN(len(ids))].Gid)})
		root(Op{Kind: "chmod", Path: n, Follow: true, Mode: m})
		for j := 0; j < 2; j++ {
			p := n + "/" + names[(i+j+1)%len(names)]
			if j == 0 {
				root(Op{Kind: "mknod", Path: p, Mode: unix.S_IFREG | fmodes[g.r.IntN(len(fmodes))]})
			} else {
				root(Op{Kind: "mkdir", Path: p, Mode: modes[g.r.IntN(len(modes))]})
			}
			root(Op{Kind: "chown", Path: p, Follow: true, Uid: int64(ids[g.r.IntN(len(ids))].Uid), Gid: int64(ids[g.r.IntN(len(ids))].Gid)})
		}
	}
	root(Op{Kind: "symlink", Path: "e", Target: "a"})
	return ops
}

// ---- the test

func TestPosixDiff(t *testing.T) {
	h := newHarness(t)
	total, perSession := 2000, 200
	if os.Getenv("FSMETA_LONG_TESTS") == "1" {
		total, perSession = 60000, 500
	}
	seed := uint64(1)
	if s := os.Getenv("FSMETA_POSIXDIFF_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	start := time.Now()
	for n := 0; h.ops < total; n++ {
		s := seed + uint64(n)
		g := &gen{r: rand.New(rand.NewPCG(s, 24))}
		e := newEngine(t)
		h.reset(e)
		h.last = e.snapshot(t)
		ops := g.setup()
		var failed string
		for i := 0; i < len(ops) && failed == ""; i++ {
			d, err := h.step(e, ops[i])
			if err != nil {
				t.Fatal(err)
			}
			failed = d
		}
		for i := 0; i < perSession && failed == ""; i++ {
			g.refresh(h.last)
			caller := 0
			if g.r.IntN(3) > 0 {
				caller = 1 + g.r.IntN(len(ids)-1)
			}
			op := g.op(caller)
			ops = append(ops, op)
			d, err := h.step(e, op)
			if err != nil {
				t.Fatal(err)
			}
			failed = d
		}
		e.close(t)
		if failed != "" {
			counted := h.ops
			short, desc := h.shrink(ops)
			var b strings.Builder
			for _, o := range short {
				fmt.Fprintf(&b, "\n  %v", o)
			}
			t.Fatalf("seed %d: divergence after %d operations compared:\n%s\nshrunk to %d operations:%s\n%s",
				s, counted, failed, len(short), b.String(), desc)
		}
	}
	var kinds []string
	for k, st := range h.stats {
		kinds = append(kinds, fmt.Sprintf("%s %d/%d", k, st[0], st[0]+st[1]))
	}
	sort.Strings(kinds)
	t.Logf("%d operations compared with the kernel (results and whole trees) in %v; succeeded/run: %s; documented differences met: %v",
		h.ops, time.Since(start).Round(time.Millisecond), strings.Join(kinds, ", "), h.filtered)
}
