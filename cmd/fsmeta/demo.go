package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"time"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// runDemo is a short tour of the Go API on a small tree. Its clock is fixed
// (every change is 1 ms after the previous one), so the output is the same
// on every run.
func runDemo(args []string, stdout, stderr io.Writer) error {
	flags := newFlags("demo", stdout, `A short tour of the Go API (sdk/) on a small tree in memory: root builds a
skeleton, users create files and directories, permissions refuse what they
should, then the tree is listed and fsck run. The output is the same on every
run. The SDKs' own examples are in examples/.`)
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	now := time.Date(2023, 5, 14, 10, 15, 32, 123456789, time.UTC).UnixNano()
	clock := func() int64 { now += 1_000_017; return now }
	db, err := fsmeta.Open(fsmeta.Options{InMemory: true, Clock: clock, ArenaMaxBytes: 256 << 20})
	if err != nil {
		return err
	}
	defer db.Close()
	w := stdout
	var firstErr error
	must := func(a fsmeta.Attr, err error) fsmeta.Attr {
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return a
	}
	say := func(format string, args ...any) { fmt.Fprintf(w, "# "+format+"\n", args...) }
	slice := func(c *fsmeta.Caller, ino fsmeta.Ino, chunk uint32, pos, n uint32) {
		id, err := db.NewSliceID(c, 1)
		if err == nil {
			_, err = db.WriteSlice(c, ino, chunk, fsmeta.Slice{Pos: pos, ID: id, Size: n, Len: n})
		}
		must(fsmeta.Attr{}, err)
	}

	alice := &fsmeta.Caller{Uid: 1000, Gid: 1000, Umask: 0o022}
	bob := &fsmeta.Caller{Uid: 1001, Gid: 1001, Umask: 0o022}

	say("root builds the skeleton: MkdirAll, Chown, a sticky /tmp")
	home := must(db.MkdirAll(nil, "/home/alice", 0o755))
	must(db.Chown(nil, home.Ino, 1000, 1000))
	tmp := must(db.Mkdir(nil, fsmeta.RootIno, "tmp", 0o1777))
	part := must(db.MkdirAll(nil, "/data/warehouse/events/dt=2023-05-14", 0o755))
	for i, size := range []uint32{48 << 20, 0} {
		f := must(db.Create(nil, part.Ino, fmt.Sprintf("part-%05d.parquet", i), 0o644))
		if size > 0 {
			slice(nil, f.Ino, 0, 0, size)
		}
	}
	big := must(db.Create(nil, part.Ino, "part-00002.parquet", 0o644))
	slice(nil, big.Ino, 0, 0, fsmeta.ChunkSize) // a file of two chunks
	slice(nil, big.Ino, 1, 0, 12<<20)
	must(db.Create(nil, part.Ino, "_SUCCESS", 0o644))

	say("alice (uid 1000, umask 022) writes in her home")
	notes := must(db.Create(alice, home.Ino, "notes.txt", 0o666))
	slice(alice, notes.Ino, 0, 0, 1234)
	photos := must(db.Mkdir(alice, home.Ino, "photos", 0o777))
	img := must(db.Create(alice, photos.Ino, "IMG_20230514_101532.jpg", 0o644))
	slice(alice, img.Ino, 0, 0, 3_145_728)
	must(db.Symlink(alice, home.Ino, "latest.jpg", "photos/IMG_20230514_101532.jpg"))
	must(fsmeta.Attr{}, db.Rename(alice, home.Ino, "notes.txt", home.Ino, "notes-2023.txt", 0))
	say("alice renamed notes.txt to notes-2023.txt")

	say("bob (uid 1001) may not write in alice's home, but may in /tmp")
	_, err = db.Create(bob, home.Ino, "intruder.txt", 0o644)
	fmt.Fprintf(w, "  create /home/alice/intruder.txt as bob: %v\n", err)
	must(db.Create(bob, tmp.Ino, "bob.lock", 0o600))
	err = db.Unlink(alice, tmp.Ino, "bob.lock")
	fmt.Fprintf(w, "  unlink /tmp/bob.lock as alice (sticky /tmp): %v\n", err)

	say("the tree, walked with ReadDir (plus: attributes with every entry)")
	if err := walk(db, w, fsmeta.RootIno, "/"); err != nil {
		return err
	}

	say("paths: Resolve follows the symlink; a missing name is fs.ErrNotExist")
	a := must(db.Resolve(nil, "/home/alice/latest.jpg", true))
	fmt.Fprintf(w, "  resolve /home/alice/latest.jpg -> inode %d, %d bytes\n", a.Ino, a.Size)
	_, err = db.Lookup(nil, home.Ino, "missing.txt")
	fmt.Fprintf(w, "  lookup missing.txt: errors.Is(err, fs.ErrNotExist) = %v (%v)\n", errors.Is(err, fs.ErrNotExist), err)

	say("slices: the chunks of part-00002.parquet")
	for c := uint32(0); c < 2; c++ {
		ss, err := db.ReadChunk(nil, big.Ino, c)
		if err != nil {
			return err
		}
		for _, s := range ss {
			fmt.Fprintf(w, "  chunk %d: slice %d, %d bytes at %d\n", c, s.ID, s.Len, s.Pos)
		}
	}

	say("counts and checks")
	sf, err := db.StatFS(nil)
	if err != nil {
		return err
	}
	st := db.Stats()
	fmt.Fprintf(w, "  %d inodes: %d files, %d dirs, %d symlinks; %d bytes used; arena %s\n",
		st.Inodes, st.Files, st.Dirs, st.Symlinks, sf.UsedSpace, bytesIEC(st.Arena.InUse))
	if err := db.Fsck(); err != nil {
		return fmt.Errorf("fsck: %w", err)
	}
	fmt.Fprintf(w, "  fsck: ok\n")
	return firstErr
}

// walk prints a stat line for dir and everything below it, names sorted.
func walk(db *fsmeta.DB, w io.Writer, ino fsmeta.Ino, path string) error {
	a, err := db.GetAttr(nil, ino)
	if err != nil {
		return err
	}
	if path == "/" {
		fmt.Fprintln(w, statLine(&a, "/", ""))
	}
	var all []fsmeta.DirEntry
	cursor := uint64(0)
	for {
		ents, next, err := db.ReadDir(nil, ino, cursor, 0, true)
		if err != nil {
			return err
		}
		all = append(all, ents...)
		if next == 0 {
			break
		}
		cursor = next
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	for _, e := range all {
		p := path + e.Name
		target := ""
		if e.Attr.IsSymlink() {
			target, _ = db.Readlink(nil, e.Ino)
		}
		fmt.Fprintln(w, statLine(&e.Attr, p, target))
		if e.Attr.IsDir() {
			if err := walk(db, w, e.Ino, p+"/"); err != nil {
				return err
			}
		}
	}
	return nil
}

// statLine formats attributes as `ls -l --full-time` would, plus the inode.
func statLine(a *fsmeta.Attr, path, target string) string {
	t := time.Unix(0, a.Mtime).UTC().Format("2006-01-02 15:04:05.000000000")
	s := fmt.Sprintf("  %4d %s %3d %5d %5d %10d %s %s", a.Ino, modeString(a.Mode), a.Nlink, a.Uid, a.Gid, a.Size, t, path)
	if target != "" {
		s += " -> " + target
	}
	return s
}

// modeString is ls's rendering of a mode ("drwxr-xr-t").
func modeString(m uint32) string {
	b := []byte("?rwxrwxrwx")
	switch m & fsmeta.S_IFMT {
	case fsmeta.S_IFREG:
		b[0] = '-'
	case fsmeta.S_IFDIR:
		b[0] = 'd'
	case fsmeta.S_IFLNK:
		b[0] = 'l'
	case fsmeta.S_IFIFO:
		b[0] = 'p'
	case fsmeta.S_IFSOCK:
		b[0] = 's'
	case fsmeta.S_IFCHR:
		b[0] = 'c'
	case fsmeta.S_IFBLK:
		b[0] = 'b'
	}
	for i := 0; i < 9; i++ {
		if m&(1<<(8-i)) == 0 {
			b[1+i] = '-'
		}
	}
	special := func(bit uint32, at int, set, unset byte) {
		if m&bit != 0 {
			if b[at] == '-' {
				b[at] = unset
			} else {
				b[at] = set
			}
		}
	}
	special(fsmeta.S_ISUID, 3, 's', 'S')
	special(fsmeta.S_ISGID, 6, 's', 'S')
	special(fsmeta.S_ISVTX, 9, 't', 'T')
	return string(b)
}
