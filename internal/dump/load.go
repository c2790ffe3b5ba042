package dump

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// LineError is the error of a dump line that cannot be loaded.
type LineError struct {
	Line int64 // 1-based line number
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// ErrNotEmpty is returned by Load when the database's root is not empty.
var ErrNotEmpty = errors.New("the database is not empty: load needs a database whose root holds no entries")

// ErrTruncated is wrapped by the error of a dump that ends before its
// trailer line.
var ErrTruncated = errors.New("the dump is truncated")

// pending is an inode whose last attributes wait: a directory until its
// entries are all made, a multi-link inode until its names are all linked.
type pending struct {
	ino   fsmeta.Ino // in the database being loaded
	left  uint32     // names still to link (multi-link inodes)
	final finalAttr
}

type finalAttr struct {
	mode, uid, gid, flags uint32
	size                  uint64
	atime, mtime, ctime   int64
	regular               bool
}

func finalOf(l *Line) finalAttr {
	r := &l.Rec
	return finalAttr{mode: r.Mode, uid: r.Uid, gid: r.Gid, flags: r.Flags, size: r.Size,
		atime: r.Atime, mtime: r.Mtime, ctime: r.Ctime, regular: r.Type == "f"}
}

// apply sets every attribute as root in one SetAttr: flags and ctime go in
// with the rest (the engine checks immutability against the state before).
func (f *finalAttr) apply(db *fsmeta.DB, ino fsmeta.Ino) error {
	mask := uint32(fsmeta.SetMode | fsmeta.SetUid | fsmeta.SetGid | fsmeta.SetAtime | fsmeta.SetMtime |
		fsmeta.SetCtime | fsmeta.SetFlags)
	if f.regular {
		mask |= fsmeta.SetSize
	}
	_, err := db.SetAttr(nil, ino, mask, fsmeta.SetAttrIn{Mode: f.mode, Uid: f.uid, Gid: f.gid, Size: f.size,
		Atime: f.atime, Mtime: f.mtime, Ctime: f.ctime, Flags: f.flags})
	return err
}

type loader struct {
	db     *fsmeta.DB
	dirs   map[uint64]*pending // directories (old ino) whose entries may still come
	multi  map[uint64]*pending // multi-link inodes (old ino) whose names may still come
	cur    uint64              // the directory (old ino) whose entries are being made
	counts LoadCounts
}

// Load reads a dump from r into db, whose root must hold no entries, calling
// progress (if not nil) with the number of entry lines loaded so far. A line
// that cannot be loaded stops the load with a *LineError naming the line;
// the lines before it stay loaded, nothing of that line does.
func Load(db *fsmeta.DB, r io.Reader, progress func(n uint64)) error {
	_, err := LoadCount(db, r, progress)
	return err
}

// LoadCounts are the totals of a load.
type LoadCounts struct {
	Entries uint64 // entry lines (inodes, the root included, and links)
	Links   uint64 // link lines
	Slices  uint64 // slices written
	Xattrs  uint64 // xattrs set
}

// LoadCount is Load that also returns what it made (up to the error, if
// any).
func LoadCount(db *fsmeta.DB, r io.Reader, progress func(n uint64)) (LoadCounts, error) {
	ld := &loader{db: db, dirs: map[uint64]*pending{}, multi: map[uint64]*pending{}}
	err := ld.load(r, progress)
	return ld.counts, err
}

func (ld *loader) load(r io.Reader, progress func(n uint64)) error {
	db := ld.db
	ents, _, err := db.ReadDir(nil, fsmeta.RootIno, 0, 1, false)
	if err != nil {
		return err
	}
	if len(ents) > 0 {
		return ErrNotEmpty
	}
	br := bufio.NewReaderSize(r, 1<<20)
	var lineNo int64
	var entries uint64
	fail := func(err error) error { return &LineError{Line: lineNo, Err: err} }
	rootSeen := false
	for {
		b, rerr := br.ReadBytes('\n')
		if rerr != nil && rerr != io.EOF {
			return fmt.Errorf("line %d: %w", lineNo+1, rerr)
		}
		if len(b) == 0 && rerr == io.EOF {
			switch {
			case lineNo == 0:
				return fmt.Errorf("line 1: %w: the input is empty", ErrTruncated)
			case !rootSeen:
				return fmt.Errorf("line %d: %w: it ends before the root's line", lineNo+1, ErrTruncated)
			}
			return fmt.Errorf("line %d: %w: it ends after %d entries without its trailer line {\"end\":true,...}", lineNo+1, ErrTruncated, entries)
		}
		lineNo++
		complete := len(b) > 0 && b[len(b)-1] == '\n'
		if complete {
			b = b[:len(b)-1]
		}
		l, err := DecodeLine(b)
		if err != nil {
			if lineNo == 1 {
				return fail(fmt.Errorf("not an fsmeta dump: the first line is not a version %d header: %v", Version, err))
			}
			if !complete {
				return fail(fmt.Errorf("%w: the last line is cut short (%v)", ErrTruncated, err))
			}
			return fail(err)
		}
		if lineNo == 1 {
			if l.Kind != KindHeader {
				return fail(errors.New("not an fsmeta dump: the first line must be the header {\"fsmeta_dump\":1,...}"))
			}
			continue
		}
		switch l.Kind {
		case KindHeader:
			return fail(errors.New("a second header line"))
		case KindEnd:
			if !rootSeen {
				return fail(errors.New("trailer line before the root's line"))
			}
			if *l.Rec.Entries != entries {
				return fail(fmt.Errorf("the trailer counts %d entries but the dump holds %d", *l.Rec.Entries, entries))
			}
			if err := ld.finish(); err != nil {
				return fail(err)
			}
			if _, err := br.ReadByte(); err != io.EOF {
				return &LineError{Line: lineNo + 1, Err: errors.New("data after the trailer line")}
			}
			return nil
		}
		if !rootSeen {
			if l.Kind != KindInode || l.Rec.Parent != 0 || l.Rec.Type != "d" {
				return fail(errors.New("the line after the header must be the root directory's (a \"d\" inode without \"parent\")"))
			}
			if len(l.Chunks) > 0 || l.Rec.Nlink != 0 && l.Rec.Nlink < 2 {
				return fail(errors.New("bad root line"))
			}
			if err := ld.setXattrs(fsmeta.RootIno, l.Xattrs); err != nil {
				return fail(err)
			}
			ld.dirs[l.Rec.Ino] = &pending{ino: fsmeta.RootIno, final: finalOf(l)}
			rootSeen = true
		} else if err := ld.entry(l); err != nil {
			return fail(err)
		}
		entries++
		ld.counts.Entries = entries
		if progress != nil {
			progress(entries)
		}
	}
}

// entry makes a non-root inode or link line.
func (ld *loader) entry(l *Line) error {
	r := &l.Rec
	if r.Parent == 0 {
		return errors.New("a second root line (an inode without \"parent\")")
	}
	if r.Parent != ld.cur {
		// the entries of ld.cur are all made (breadth-first order)
		if p := ld.dirs[ld.cur]; p != nil {
			if err := p.final.apply(ld.db, p.ino); err != nil {
				return fmt.Errorf("setting the attributes of directory %d: %w", ld.cur, err)
			}
			delete(ld.dirs, ld.cur)
		}
		ld.cur = r.Parent
	}
	par := ld.dirs[r.Parent]
	if par == nil {
		return fmt.Errorf("parent %d: not a directory earlier in the dump, or its entries came earlier (a dump lists a directory's entries together, parents before children)", r.Parent)
	}
	db := ld.db
	if l.Kind == KindLink {
		m := ld.multi[r.Link]
		if m == nil {
			return fmt.Errorf("link to inode %d: no earlier line made it, or its \"nlink\" names are all made", r.Link)
		}
		if _, err := db.Link(nil, m.ino, par.ino, l.Name); err != nil {
			return err
		}
		ld.counts.Links++
		m.left--
		if m.left == 0 {
			delete(ld.multi, r.Link)
			if err := m.final.apply(db, m.ino); err != nil {
				return fmt.Errorf("inode %d: %w", r.Link, err)
			}
		}
		return nil
	}
	if ld.dirs[r.Ino] != nil || ld.multi[r.Ino] != nil {
		return fmt.Errorf("inode %d appears twice", r.Ino)
	}
	typ := TypeMode(r.Type)
	var a fsmeta.Attr
	var err error
	switch typ {
	case fsmeta.S_IFDIR:
		a, err = db.Mkdir(nil, par.ino, l.Name, 0o700)
	case fsmeta.S_IFREG:
		a, err = db.Create(nil, par.ino, l.Name, 0o600)
	case fsmeta.S_IFLNK:
		a, err = db.Symlink(nil, par.ino, l.Name, l.Target)
	default:
		a, err = db.Mknod(nil, par.ino, l.Name, typ|0o600, r.Rdev)
	}
	if err != nil {
		return err
	}
	if err := ld.fill(a.Ino, l); err != nil {
		// take the half-made inode away again: no half-applied line
		if typ == fsmeta.S_IFDIR {
			db.Rmdir(nil, par.ino, l.Name)
		} else {
			db.Unlink(nil, par.ino, l.Name)
		}
		return err
	}
	p := &pending{ino: a.Ino, final: finalOf(l)}
	switch {
	case typ == fsmeta.S_IFDIR:
		ld.dirs[r.Ino] = p
	case r.Nlink > 1:
		p.left = r.Nlink - 1
		ld.multi[r.Ino] = p
	default:
		if err := p.final.apply(db, a.Ino); err != nil {
			if typ != fsmeta.S_IFDIR {
				db.Unlink(nil, par.ino, l.Name)
			}
			return err
		}
	}
	return nil
}

// fill sets the xattrs and slices of a new inode.
func (ld *loader) fill(ino fsmeta.Ino, l *Line) error {
	if err := ld.setXattrs(ino, l.Xattrs); err != nil {
		return err
	}
	for _, c := range l.Chunks {
		for _, s := range c.Slices {
			if _, err := ld.db.WriteSlice(nil, ino, c.Index, s); err != nil {
				return fmt.Errorf("chunk %d: %w", c.Index, err)
			}
			ld.counts.Slices++
		}
	}
	return nil
}

func (ld *loader) setXattrs(ino fsmeta.Ino, x map[string][]byte) error {
	for k, v := range x {
		if err := ld.db.SetXattr(nil, ino, k, v, 0); err != nil {
			return err
		}
		ld.counts.Xattrs++
	}
	return nil
}

// finish sets the attributes still waiting: directories without entries (or
// the last one listed) and multi-link inodes whose names did not all come
// (a dump of a changing database).
func (ld *loader) finish() error {
	for old, p := range ld.dirs {
		if err := p.final.apply(ld.db, p.ino); err != nil {
			return fmt.Errorf("setting the attributes of directory %d: %w", old, err)
		}
	}
	for old, p := range ld.multi {
		if err := p.final.apply(ld.db, p.ino); err != nil {
			return fmt.Errorf("setting the attributes of inode %d: %w", old, err)
		}
	}
	ld.dirs, ld.multi = nil, nil
	return nil
}
