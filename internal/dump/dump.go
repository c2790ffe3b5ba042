package dump

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// Dump writes the namespace of db to w in the dump format (doc.go), calling
// progress (if not nil) with the number of entry lines written so far. It
// reads through the SDK as root; it is not a point-in-time image of a
// database that changes meanwhile.
func Dump(db *fsmeta.DB, w io.Writer, progress func(n uint64)) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	st := db.Stats()
	v := Version
	hdr := Record{FsmetaDump: &v, Created: time.Now().UTC().Format(time.RFC3339Nano), Counts: &Counts{
		Inodes: st.Inodes - st.Orphans, Files: st.Files, Dirs: st.Dirs, Symlinks: st.Symlinks, Others: st.Others,
		Entries: st.Entries, Links: st.Links, NextSlice: st.NextSlice}}
	d := &dumper{w: bw, seen: map[fsmeta.Ino]uint32{}}
	if err := d.put(&hdr); err != nil {
		return err
	}
	root, err := db.GetAttr(nil, fsmeta.RootIno)
	if err != nil {
		return err
	}
	if err := d.inode(db, 0, "", root); err != nil {
		return err
	}
	if progress != nil {
		progress(d.entries)
	}
	queue := []fsmeta.Ino{fsmeta.RootIno}
	for len(queue) > 0 {
		dir := queue[0]
		queue = queue[1:]
		it, err := db.OpenDir(nil, dir, true)
		if err != nil {
			return err
		}
		for {
			e, ok := it.Next()
			if !ok {
				break
			}
			a := e.Attr
			if !a.IsDir() && a.Nlink > 1 {
				if left, ok := d.seen[a.Ino]; ok {
					// another name of an inode already written
					var r Record
					r.Link, r.Parent = uint64(a.Ino), uint64(dir)
					putBytes(e.Name, &r.Name, &r.NameB64)
					if err := d.put(&r); err != nil {
						it.Close()
						return err
					}
					if left <= 1 {
						delete(d.seen, a.Ino)
					} else {
						d.seen[a.Ino] = left - 1
					}
					d.entries++
					if progress != nil {
						progress(d.entries)
					}
					continue
				}
				d.seen[a.Ino] = a.Nlink - 1
			}
			if err := d.inode(db, dir, e.Name, a); err != nil {
				it.Close()
				return err
			}
			if a.IsDir() {
				queue = append(queue, a.Ino)
			}
			if progress != nil {
				progress(d.entries)
			}
		}
		err = it.Err()
		it.Close()
		if err != nil {
			return err
		}
		if len(queue) == 0 {
			queue = nil
		}
	}
	n := d.entries
	if err := d.put(&Record{End: true, Entries: &n}); err != nil {
		return err
	}
	return bw.Flush()
}

type dumper struct {
	w       *bufio.Writer
	seen    map[fsmeta.Ino]uint32 // multi-link inodes written: names still to come
	entries uint64                // inode and link lines written
}

func (d *dumper) put(r *Record) error {
	b, err := marshalLine(r)
	if err != nil {
		return err
	}
	_, err = d.w.Write(b)
	return err
}

// marshalLine encodes r as one line, with its newline.
func marshalLine(r *Record) ([]byte, error) {
	b, err := json.Marshal(r)
	return append(b, '\n'), err
}

// inode writes the line of inode a, named name in parent (0: the root).
func (d *dumper) inode(db *fsmeta.DB, parent fsmeta.Ino, name string, a fsmeta.Attr) error {
	r, err := InodeRecord(db, parent, name, a)
	if err != nil {
		return err
	}
	d.entries++
	return d.put(r)
}

// InodeRecord builds the line of inode a (named name in parent; parent 0 for
// the root), reading its target, xattrs and slices from db.
func InodeRecord(db *fsmeta.DB, parent fsmeta.Ino, name string, a fsmeta.Attr) (*Record, error) {
	r := &Record{Ino: uint64(a.Ino), Parent: uint64(parent), Type: TypeLetter(a.Mode), Mode: a.Mode & 0o7777,
		Nlink: a.Nlink, Uid: a.Uid, Gid: a.Gid, Atime: a.Atime, Mtime: a.Mtime, Ctime: a.Ctime, Flags: a.Flags, Rdev: a.Rdev}
	if parent != 0 {
		putBytes(name, &r.Name, &r.NameB64)
	}
	switch a.Mode & fsmeta.S_IFMT {
	case fsmeta.S_IFREG:
		r.Size = a.Size
		if a.Size > 0 {
			// Only the chunks that hold slices: a sparse file's size says
			// nothing of how many there are (2^62 bytes is 2^36 chunks).
			idx, err := db.ChunkIndexes(nil, a.Ino)
			if err != nil {
				return nil, err
			}
			for _, c := range idx {
				ss, err := db.ReadChunk(nil, a.Ino, c)
				if err != nil {
					return nil, err
				}
				if len(ss) == 0 {
					continue // truncated meanwhile
				}
				if r.Chunks == nil {
					r.Chunks = map[string][]Slice5{}
				}
				l := make([]Slice5, len(ss))
				for i, s := range ss {
					l[i] = Slice5{uint64(s.Pos), s.ID, uint64(s.Size), uint64(s.Off), uint64(s.Len)}
				}
				r.Chunks[strconv.FormatUint(uint64(c), 10)] = l
			}
		}
	case fsmeta.S_IFLNK:
		t, err := db.Readlink(nil, a.Ino)
		if err != nil {
			return nil, err
		}
		putBytes(t, &r.Target, &r.TargetB64)
	}
	names, err := db.ListXattr(nil, a.Ino)
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, n := range names {
		v, err := db.GetXattr(nil, a.Ino, n)
		if err != nil {
			if fsmeta.ErrnoOf(err) == fsmeta.ENODATA {
				continue // removed meanwhile
			}
			return nil, err
		}
		enc := base64.StdEncoding.EncodeToString(v)
		if utf8.ValidString(n) {
			if r.Xattrs == nil {
				r.Xattrs = map[string]string{}
			}
			r.Xattrs[n] = enc
		} else {
			if r.XattrsB64 == nil {
				r.XattrsB64 = map[string]string{}
			}
			r.XattrsB64[base64.StdEncoding.EncodeToString([]byte(n))] = enc
		}
	}
	if r.Type == "" {
		return nil, fmt.Errorf("inode %d: unknown type %#o", a.Ino, a.Mode&fsmeta.S_IFMT)
	}
	return r, nil
}
