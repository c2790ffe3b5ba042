package workload

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fsmeta/fsmeta/core/meta"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// Loading. Everything is created as root (umask 0), so modes are stored as
// given and permissions never get in the way; owners and times are then set
// with one SetAttr per entry. Directories get their attributes last, once
// all their entries exist (creating an entry changes its parent's mtime and
// ctime). Parents are never looked up by path: the loaders keep the inode
// numbers of the directories they created.

// Target is an entry the benchmark may operate on.
type Target struct {
	Parent fsmeta.Ino // the directory holding it
	Name   string     // its name there
	Path   string     // its path from the root, no leading '/'
	Ino    fsmeta.Ino // 0 when not known (look it up)
}

// Namespace is a loaded namespace that can name random existing entries.
// Its methods are safe for concurrent use.
type Namespace interface {
	// RandomFile returns a regular file (ok false when there is none).
	RandomFile(r *Rand) (Target, bool)
	// RandomDir returns a directory, the root included.
	RandomDir(r *Rand) Target
}

// LoadStats counts what a load created.
type LoadStats struct {
	Files, Dirs, Symlinks, Others int64 // entries created (Dirs without the root)
	Slices                        int64
	Lines                         int64 // listing lines read (blank ones included)
	BadLines                      int64 // malformed or failed lines skipped
	Duration                      time.Duration
}

// Entries returns the number of entries created.
func (s LoadStats) Entries() int64 { return s.Files + s.Dirs + s.Symlinks + s.Others }

// sliceIDs hands out slice ids reserved in batches.
type sliceIDs struct {
	db        *fsmeta.DB
	next, end uint64
}

func (a *sliceIDs) get() (uint64, error) {
	if a.next == a.end {
		id, err := a.db.NewSliceID(nil, 4096)
		if err != nil {
			return 0, err
		}
		a.next, a.end = id, id+4096
	}
	a.next++
	return a.next - 1, nil
}

const attrMask = meta.SetUid | meta.SetGid | meta.SetAtime | meta.SetMtime | meta.SetCtime

// writeFile gives a new file its slices and attributes.
func writeFile(db *fsmeta.DB, ids *sliceIDs, ino fsmeta.Ino, a *Attrs, appended bool, buf []Piece) ([]Piece, int64, error) {
	buf = Pieces(buf[:0], a.Size, appended, mix64(uint64(ino)))
	for _, p := range buf {
		id, err := ids.get()
		if err != nil {
			return buf, 0, err
		}
		if _, err := db.WriteSlice(nil, ino, p.Chunk, fsmeta.Slice{Pos: p.Pos, ID: id, Size: p.Len, Len: p.Len}); err != nil {
			return buf, 0, err
		}
	}
	_, err := db.SetAttr(nil, ino, attrMask, fsmeta.SetAttrIn{Uid: a.Uid, Gid: a.Gid, Atime: a.Atime, Mtime: a.Mtime, Ctime: a.Ctime})
	return buf, int64(len(buf)), err
}

func setDirAttrs(db *fsmeta.DB, ino fsmeta.Ino, a *Attrs) error {
	_, err := db.SetAttr(nil, ino, attrMask|meta.SetMode, fsmeta.SetAttrIn{Mode: a.Mode & meta.ModePerm,
		Uid: a.Uid, Gid: a.Gid, Atime: a.Atime, Mtime: a.Mtime, Ctime: a.Ctime})
	return err
}

// SynthNS is a synthetic namespace loaded into a DB.
type SynthNS struct {
	S   *Synth
	Ino []fsmeta.Ino // inode of every directory, by index
}

// synthItem is a directory to make or a file to create, generated ahead.
type synthItem struct {
	dir  int32 // the directory (made, or holding the file)
	j    int32 // the file's index in it; -1 for the directory itself
	File       // Name only, for a directory
}

// LoadSynth creates s in db (which should hold only the root), adding the
// number of entries created to progress as it goes (if not nil). Names and
// attributes are generated on another goroutine, ahead of the calls that
// create the entries.
func LoadSynth(db *fsmeta.DB, s *Synth, progress *atomic.Int64) (*SynthNS, LoadStats, error) {
	start := time.Now()
	var st LoadStats
	ns := &SynthNS{S: s, Ino: make([]fsmeta.Ino, s.NumDirs())}
	ns.Ino[0] = fsmeta.RootIno
	ids := &sliceIDs{db: db}

	const batchLen = 1024
	batches := make(chan []synthItem, 8)
	free := make(chan []synthItem, 12)
	quit := make(chan struct{})
	defer close(quit)
	go func() {
		defer close(batches)
		b := make([]synthItem, 0, batchLen)
		add := func(it synthItem) bool {
			b = append(b, it)
			if len(b) < batchLen {
				return true
			}
			select {
			case batches <- b:
			case <-quit:
				return false
			}
			select {
			case b = <-free:
			default:
				b = make([]synthItem, 0, batchLen)
			}
			return true
		}
		for i := 0; i < s.NumDirs(); i++ {
			if i > 0 && !add(synthItem{dir: int32(i), j: -1, File: File{Name: s.dirName(i)}}) {
				return
			}
			ok := true
			s.ForEachFile(i, func(j int, f *File) bool {
				ok = add(synthItem{dir: int32(i), j: int32(j), File: *f})
				return ok
			})
			if !ok {
				return
			}
		}
		select {
		case batches <- b:
		case <-quit:
		}
	}()

	var pieces []Piece
	pending := int64(0)
	for b := range batches {
		for k := range b {
			it := &b[k]
			i := int(it.dir)
			if it.j < 0 {
				a, err := db.Mkdir(nil, ns.Ino[s.Parent(i)], it.Name, 0o755)
				if err != nil {
					return nil, st, fmt.Errorf("mkdir %s: %w", s.DirPath(i), err)
				}
				ns.Ino[i] = a.Ino
				st.Dirs++
				continue
			}
			a, err := db.Create(nil, ns.Ino[i], it.Name, it.Mode&meta.ModePerm)
			if err == nil {
				var n int64
				pieces, n, err = writeFile(db, ids, a.Ino, &it.Attrs, it.Appended, pieces)
				st.Slices += n
			}
			if err != nil {
				return nil, st, fmt.Errorf("create %s: %w", s.FilePath(i, int(it.j)), err)
			}
			st.Files++
		}
		pending += int64(len(b))
		if pending >= 1024 && progress != nil {
			progress.Add(pending)
			pending = 0
		}
		clear(b) // drop the names
		select {
		case free <- b[:0]:
		default:
		}
	}
	for i := 0; i < s.NumDirs(); i++ {
		a := s.DirAttrs(i)
		if err := setDirAttrs(db, ns.Ino[i], &a); err != nil {
			return nil, st, fmt.Errorf("setattr %s: %w", s.DirPath(i), err)
		}
	}
	if progress != nil {
		progress.Add(pending)
	}
	st.Duration = time.Since(start)
	return ns, st, nil
}

// Release drops the namespace's shape (20 bytes per directory) so that a
// memory measurement sees only the engine and the inode numbers of the
// directories (8 bytes per directory); Restore rebuilds it (deterministic
// from the seed) before RandomFile or RandomDir is called again.
func (ns *SynthNS) Release() {
	ns.S = &Synth{seed: ns.S.seed, files: ns.S.files}
}

// Restore undoes Release.
func (ns *SynthNS) Restore() {
	if ns.S.dirs == nil {
		ns.S = NewSynth(ns.S.seed, ns.S.files)
	}
}

// RandomFile implements Namespace.
func (ns *SynthNS) RandomFile(r *Rand) (Target, bool) {
	if ns.S.NumFiles() == 0 {
		return Target{}, false
	}
	i, j := ns.S.RandomFile(r)
	name := ns.S.FileName(i, j)
	p := ns.S.DirPath(i)
	if p != "" {
		p += "/"
	}
	return Target{Parent: ns.Ino[i], Name: name, Path: p + name}, true
}

// RandomDir implements Namespace.
func (ns *SynthNS) RandomDir(r *Rand) Target {
	i := ns.S.RandomDir(r)
	if i == 0 {
		return Target{Parent: fsmeta.RootIno, Ino: fsmeta.RootIno}
	}
	return Target{Parent: ns.Ino[ns.S.Parent(i)], Name: ns.S.dirName(i), Path: ns.S.DirPath(i), Ino: ns.Ino[i]}
}

// ListingOptions configure LoadListing.
type ListingOptions struct {
	Seed uint64 // for the attributes of bare paths and implied directories
	// OnError is called with every malformed line or line that cannot be
	// applied (a *LineError); it returns true to go on, false to stop the
	// load with that error. nil stops at the first.
	OnError func(*LineError) bool
	// Progress, if set, gets the number of entries created added as the load goes.
	Progress *atomic.Int64
	// BytesRead, if set, gets the number of listing bytes consumed added.
	BytesRead *atomic.Int64
	// SampleFiles and SampleDirs are the sizes of the uniform samples of
	// files and directories kept for RandomFile/RandomDir (default 8192 and 2048).
	SampleFiles, SampleDirs int
}

// ListingNS is a namespace loaded from a listing. It keeps a uniform sample
// of files and directories (reservoir sampling) to name random targets.
type ListingNS struct {
	files, dirs []Target
}

// RandomFile implements Namespace.
func (ns *ListingNS) RandomFile(r *Rand) (Target, bool) {
	if len(ns.files) == 0 {
		return Target{}, false
	}
	return ns.files[r.Intn(len(ns.files))], true
}

// RandomDir implements Namespace.
func (ns *ListingNS) RandomDir(r *Rand) Target {
	if len(ns.dirs) == 0 {
		return Target{Parent: fsmeta.RootIno, Ino: fsmeta.RootIno}
	}
	return ns.dirs[r.Intn(len(ns.dirs))]
}

type listingLoader struct {
	db       *fsmeta.DB
	o        ListingOptions
	dirs     map[string]fsmeta.Ino // every directory created, by path
	dirAttrs map[fsmeta.Ino]Attrs  // attributes from the listing
	ids      sliceIDs
	pieces   []Piece
	st       LoadStats
	ns       *ListingNS
	rf, rdir Rand
	seenF    int64
	seenD    int64
	pending  int64

	// the directory of the previous line (listings come mostly in order)
	lastDir   string
	lastIno   fsmeta.Ino
	lastStyle *fileStyle

	converted bool // a file became a directory (inferDir)
}

// LoadListing creates the namespace a listing describes in db (which should
// hold only the root).
func LoadListing(db *fsmeta.DB, r io.Reader, o ListingOptions) (*ListingNS, LoadStats, error) {
	start := time.Now()
	if o.SampleFiles <= 0 {
		o.SampleFiles = 8192
	}
	if o.SampleDirs <= 0 {
		o.SampleDirs = 2048
	}
	l := &listingLoader{db: db, o: o, dirs: map[string]fsmeta.Ino{"": fsmeta.RootIno},
		dirAttrs: map[fsmeta.Ino]Attrs{}, ids: sliceIDs{db: db}, ns: &ListingNS{},
		rf: NewRandKey(o.Seed, 77, 1), rdir: NewRandKey(o.Seed, 77, 2)}
	rd := NewReader(r)
	var lastBytes int64
	defer func() {
		if o.BytesRead != nil {
			o.BytesRead.Add(rd.Bytes() - lastBytes)
		}
		if o.Progress != nil {
			o.Progress.Add(l.pending)
		}
	}()
	// A bare path is held back until the next entry is read: when that
	// entry lies under it, the path is a directory (a plain `find` listing
	// prints a directory without a trailing '/', its entries right after
	// it). See inferDir for the other orders.
	var held Entry
	flush := func() error {
		if held.Type == 0 {
			return nil
		}
		e := held
		held = Entry{}
		return l.apply(&e)
	}
	for {
		e, err := rd.Next()
		if err == io.EOF {
			if err := flush(); err != nil {
				if !l.bad(err, rd) {
					return l.ns, l.st, err
				}
			}
			break
		}
		if err == nil && held.Type != 0 {
			if len(e.Path) > len(held.Path) && e.Path[len(held.Path)] == '/' && strings.HasPrefix(e.Path, held.Path) {
				held.Type = 'd'
			}
			if ferr := flush(); ferr != nil && !l.bad(ferr, rd) {
				return l.ns, l.st, ferr
			}
		}
		if err == nil {
			if !e.Attributed && e.Type == 'f' {
				held = e
				continue
			}
			err = l.apply(&e)
		}
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) {
				return l.ns, l.st, err // a read error
			}
			if !l.bad(le, rd) {
				return l.ns, l.st, le
			}
		}
		if l.pending >= 1024 {
			if o.Progress != nil {
				o.Progress.Add(l.pending)
			}
			l.pending = 0
			if o.BytesRead != nil {
				o.BytesRead.Add(rd.Bytes() - lastBytes)
				lastBytes = rd.Bytes()
			}
		}
	}
	l.st.Lines = int64(rd.line)
	if l.converted {
		l.ns.files = slices.DeleteFunc(l.ns.files, func(t Target) bool {
			a, err := db.GetAttr(nil, t.Ino)
			return err != nil || !a.IsRegular()
		})
	}
	// directory attributes last: from the listing, or synthesized
	for p, ino := range l.dirs {
		a, ok := l.dirAttrs[ino]
		if !ok {
			if ino == fsmeta.RootIno {
				continue // an unlisted root keeps its own
			}
			a = SynthDirAttrs(o.Seed, p)
		}
		if err := setDirAttrs(db, ino, &a); err != nil {
			return l.ns, l.st, fmt.Errorf("setattr %q: %w", p, err)
		}
	}
	l.dirs, l.dirAttrs = nil, nil
	l.ns.pack()
	l.st.Duration = time.Since(start)
	return l.ns, l.st, nil
}

// bad counts a line that could not be loaded and asks OnError whether to go
// on; false means stop (the load then returns err).
func (l *listingLoader) bad(err error, rd *Reader) bool {
	var le *LineError
	if !errors.As(err, &le) {
		return false
	}
	l.st.BadLines++
	if l.o.OnError == nil || !l.o.OnError(le) {
		l.st.Lines = int64(rd.line)
		return false
	}
	return true
}

// pack moves the samples' paths into one string. Cloned one by one as the
// load went, they sit scattered among the load's garbage, and each keeps
// a span of the Go heap in use after the rest is freed: on a 10.7M-line
// listing, 56 MB of spans for 4 MB of live objects, which the bench's RSS
// counts against the engine.
func (ns *ListingNS) pack() {
	n := 0
	for _, list := range [][]Target{ns.files, ns.dirs} {
		for i := range list {
			n += len(list[i].Path)
		}
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, list := range [][]Target{ns.files, ns.dirs} {
		for i := range list {
			sb.WriteString(list[i].Path)
		}
	}
	all, off := sb.String(), 0
	for _, list := range [][]Target{ns.files, ns.dirs} {
		for i := range list {
			t := &list[i]
			p := all[off : off+len(t.Path)]
			off += len(t.Path)
			if strings.HasSuffix(p, t.Name) {
				t.Name = p[len(p)-len(t.Name):]
			}
			t.Path = p
		}
	}
}

func splitPath(p string) (dir, name string) {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i], p[i+1:]
	}
	return "", p
}

// dir returns the inode of the directory at p, creating it (and its
// missing ancestors) if needed.
func (l *listingLoader) dir(p string) (fsmeta.Ino, error) {
	if ino, ok := l.dirs[p]; ok {
		return ino, nil
	}
	pp, name := splitPath(p)
	parent, err := l.dir(pp)
	if err != nil {
		return 0, err
	}
	a, err := l.db.Mkdir(nil, parent, name, 0o755)
	if fsmeta.ErrnoOf(err) == fsmeta.EEXIST && l.inferDir(parent, p, name) {
		a, err = l.db.Mkdir(nil, parent, name, 0o755)
	}
	if err != nil {
		if fsmeta.ErrnoOf(err) == fsmeta.EEXIST {
			return 0, fmt.Errorf("%q exists and is not a directory", p)
		}
		return 0, fmt.Errorf("mkdir %q: %w", p, err)
	}
	p = strings.Clone(p)
	_, name = splitPath(p) // the name in the clone: a substring of the line would pin its buffer
	l.dirs[p] = a.Ino
	l.st.Dirs++
	l.pending++
	l.sample(&l.ns.dirs, l.o.SampleDirs, &l.seenD, &l.rdir, Target{Parent: parent, Name: name, Path: p, Ino: a.Ino})
	return a.Ino, nil
}

// inferDir is asked when the directory p (name in parent) is needed and
// something else has its name. If that is a file loaded from a bare path
// (its attributes are the ones synthesized for that path), the path was a
// directory after all, listed before its entries but not right before them
// (a sorted listing: "a", "a-b", "a/c"): the file is removed, so that the
// directory can be made in its place, and true returned. A file the listing
// gave attributes for, or anything else, stays (the line is then refused).
func (l *listingLoader) inferDir(parent fsmeta.Ino, p, name string) bool {
	a, err := l.db.Lookup(nil, parent, name)
	if err != nil || !a.IsRegular() {
		return false
	}
	dp, _ := splitPath(p)
	f := synthFileIn(pathStyle(l.o.Seed, dp), name)
	if a.Mode&meta.ModePerm != f.Mode&meta.ModePerm || a.Uid != f.Uid || a.Gid != f.Gid || a.Size != f.Size ||
		a.Mtime != f.Mtime || a.Ctime != f.Ctime {
		return false
	}
	if l.db.Unlink(nil, parent, name) != nil {
		return false
	}
	l.st.Files--
	l.st.Slices -= int64(len(Pieces(nil, f.Size, f.Appended, mix64(uint64(a.Ino)))))
	l.pending--
	l.converted = true
	return true
}

// sample keeps a uniform sample of size k of everything offered (algorithm R).
func (l *listingLoader) sample(dst *[]Target, k int, seen *int64, r *Rand, t Target) {
	*seen++
	if len(*dst) < k {
		*dst = append(*dst, t)
		return
	}
	if x := r.Int63n(*seen); x < int64(k) {
		(*dst)[x] = t
	}
}

func (l *listingLoader) apply(e *Entry) error {
	fail := func(err error) error {
		return &LineError{Line: e.Line, Text: e.Path, Err: err}
	}
	if !e.Attributed && e.Type == 'f' {
		if _, ok := l.dirs[e.Path]; ok {
			return nil // a directory listed after its entries (find -depth)
		}
	}
	if e.Type == 'd' {
		ino, err := l.dir(e.Path)
		if err != nil {
			return fail(err)
		}
		if e.Attributed {
			l.dirAttrs[ino] = Attrs{Mode: meta.S_IFDIR | e.Perm, Uid: e.Uid, Gid: e.Gid, Atime: e.Atime, Mtime: e.Mtime, Ctime: e.Ctime}
		}
		return nil
	}
	dp, name := splitPath(e.Path)
	if l.lastIno == 0 || dp != l.lastDir {
		parent, err := l.dir(dp)
		if err != nil {
			return fail(err)
		}
		l.lastDir, l.lastIno, l.lastStyle = dp, parent, nil
	}
	parent := l.lastIno
	var a Attrs
	appended := false
	if e.Attributed {
		a = Attrs{Mode: e.Perm, Uid: e.Uid, Gid: e.Gid, Size: e.Size, Atime: e.Atime, Mtime: e.Mtime, Ctime: e.Ctime}
	} else {
		if l.lastStyle == nil {
			st := pathStyle(l.o.Seed, dp)
			l.lastStyle = &st
		}
		f := synthFileIn(*l.lastStyle, name)
		a, appended = f.Attrs, f.Appended
	}
	var attr fsmeta.Attr
	var err error
	switch e.Type {
	case 'f':
		attr, err = l.db.Create(nil, parent, name, a.Mode&meta.ModePerm)
		if err == nil {
			var n int64
			l.pieces, n, err = writeFile(l.db, &l.ids, attr.Ino, &a, appended, l.pieces)
			l.st.Slices += n
			if err == nil {
				l.st.Files++
				p := strings.Clone(e.Path)
				_, n := splitPath(p) // not name: a substring of the line, it would pin the reader's buffer
				l.sample(&l.ns.files, l.o.SampleFiles, &l.seenF, &l.rf, Target{Parent: parent, Name: n, Path: p, Ino: attr.Ino})
			}
		}
	case 'l':
		attr, err = l.db.Symlink(nil, parent, name, symlinkTarget(name, e.Size))
		if err == nil {
			_, err = l.db.SetAttr(nil, attr.Ino, attrMask, fsmeta.SetAttrIn{Uid: a.Uid, Gid: a.Gid, Atime: a.Atime, Mtime: a.Mtime, Ctime: a.Ctime})
			l.st.Symlinks++
		}
	default:
		typ := map[byte]uint32{'p': meta.S_IFIFO, 's': meta.S_IFSOCK, 'c': meta.S_IFCHR, 'b': meta.S_IFBLK}[e.Type]
		attr, err = l.db.Mknod(nil, parent, name, typ|a.Mode&meta.ModePerm, 0)
		if err == nil {
			_, err = l.db.SetAttr(nil, attr.Ino, attrMask, fsmeta.SetAttrIn{Uid: a.Uid, Gid: a.Gid, Atime: a.Atime, Mtime: a.Mtime, Ctime: a.Ctime})
			l.st.Others++
		}
	}
	if err != nil {
		if fsmeta.ErrnoOf(err) == fsmeta.EEXIST {
			return fail(fmt.Errorf("%q is listed twice (or is also a directory)", e.Path))
		}
		return fail(err)
	}
	l.pending++
	return nil
}

// symlinkTarget makes up a target of size bytes (find's %s of a symlink is
// the length of its target; the target itself is not in the listing).
func symlinkTarget(name string, size uint64) string {
	n := int(min(max(size, 1), meta.MaxSymlink))
	s := strings.Repeat("../", n/3+1) + name
	return s[len(s)-n:]
}
