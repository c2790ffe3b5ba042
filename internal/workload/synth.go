package workload

import (
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/fsmeta/fsmeta/core/meta"
)

// Synth is a synthetic namespace of about N files, a pure function of its
// seed. Only the shape of the tree is held in memory (20 bytes per
// directory); names and attributes of files and directories are computed on
// demand from (seed, directory, index), so any file can be named again later
// (for benchmark targets) without having been stored.
//
// Shape: about one directory per 12 files, built breadth-first: the root has
// a handful of children, other directories are leaves half of the time and
// otherwise have a log-normal number of subdirectories whose mean is chosen
// so that the tree is about five levels deep. Files are spread over the
// directories by Pareto(1.2) weights (intermediate directories and the root
// get fewer): most directories hold a few files, some thousands; from 1M
// files on, one directory per 4M files (at least one) holds 100k-200k.
type Synth struct {
	seed  uint64
	files int64
	dirs  []dirInfo

	cumOnce sync.Once
	cum     []int64 // cum[i]: files in dirs [0, i]
}

type dirInfo struct {
	parent int32
	first  int32 // index of the first subdirectory
	nsub   int32
	nfiles int32
	depth  uint8
	owner  uint8 // index into owners
	ftheme uint8 // theme of the directory's files
	dtheme uint8 // theme of its subdirectories' names
}

// owners are the (uid, gid) pairs of the namespace, with their weights.
var owners = []struct {
	uid, gid uint32
	w        float64
}{{0, 0, 0.15}, {1000, 1000, 0.35}, {1001, 1001, 0.15}, {1000, 100, 0.10}, {33, 33, 0.05}, {999, 999, 0.10}, {1002, 1002, 0.10}}

var ownerWeights = func() []float64 {
	w := make([]float64, len(owners))
	for i, o := range owners {
		w[i] = o.w
	}
	return w
}()

// Kinds of keyed streams.
const (
	kStructure = iota
	kDirStyle
	kDirNames
	kDirAttr
	kFileAttr
	kWeights
)

// NewSynth lays out a namespace of exactly files files (and files/12
// directories besides the root).
func NewSynth(seed uint64, files int64) *Synth {
	if files < 0 {
		files = 0
	}
	s := &Synth{seed: seed, files: files}
	nd := int(files / 12) // directories besides the root
	if nd == 0 && files > 24 {
		nd = 1
	}
	s.dirs = make([]dirInfo, 1, nd+1)
	r := NewRandKey(seed, kStructure, 0)
	b := math.Max(2, math.Pow(float64(nd), 0.2))
	next := 1
	for i := 0; i < len(s.dirs) && next <= nd; i++ {
		d := &s.dirs[i]
		remaining := nd - (next - 1)
		var n int
		switch {
		case i == 0:
			n = 3 + r.Intn(int(b)+4)
		case d.depth >= 10 || r.Chance(0.5):
			n = 0
		default:
			n = 1 + int(r.LogNormal(math.Log(b), 0.9))
		}
		if n == 0 && i == len(s.dirs)-1 {
			n = 1 // the last queued directory: keep the tree growing
		}
		n = min(n, remaining)
		d.first, d.nsub = int32(len(s.dirs)), int32(n)
		depth, owner := d.depth, d.owner
		for k := 0; k < n; k++ {
			c := dirInfo{parent: int32(i), depth: depth + 1, owner: owner}
			if depth == 0 || r.Chance(0.15) {
				c.owner = uint8(r.pick(ownerWeights))
			}
			s.dirs = append(s.dirs, c)
		}
		next += n
	}
	s.spreadFiles()
	for i := range s.dirs {
		d := &s.dirs[i]
		rs := NewRandKey(seed, kDirStyle, uint64(i))
		th := rs.pick(fileThemeWeights)
		if th == ftModel && d.nfiles > 48 {
			th = ftNumbered
		}
		if d.depth > 0 && s.dirs[d.parent].dtheme == dtHex2 && s.dirs[d.parent].nsub <= 256 {
			th = ftObjects
		}
		d.ftheme = uint8(th)
		dt := rs.pick(dirThemeWeights)
		if i == 0 || (dt == dtHex2 && d.nsub > 256) {
			dt = dtWords
		}
		d.dtheme = uint8(dt)
	}
	return s
}

// spreadFiles sets nfiles of every directory; the total is exactly s.files.
func (s *Synth) spreadFiles() {
	r := NewRandKey(s.seed, kWeights, 0)
	n := len(s.dirs)
	rest := s.files
	var huge []int64
	if s.files >= 1_000_000 {
		for k := int64(0); k < 1+s.files/4_000_000; k++ {
			h := int64(100_000 + r.Intn(100_000))
			if h > rest/2 {
				break
			}
			huge = append(huge, h)
			rest -= h
		}
	}
	w := make([]float64, n)
	wmax := math.Pow(float64(n), 1/1.2) * 2
	var sum float64
	for i := range w {
		x := math.Min(r.Pareto(1.2), wmax)
		if i == 0 {
			x *= 0.02
		} else if s.dirs[i].nsub > 0 {
			x *= 0.35
		}
		w[i] = x
		sum += x
	}
	var got int64
	for i := range w {
		c := int64(float64(rest) * w[i] / sum)
		s.dirs[i].nfiles = int32(c)
		got += c
	}
	for ; got < rest; got++ {
		s.dirs[r.Intn(n)].nfiles++
	}
	for _, h := range huge {
		// a leaf, preferably one that is not already huge
		for try := 0; ; try++ {
			i := r.Intn(n)
			if (s.dirs[i].nsub == 0 && s.dirs[i].nfiles < 50_000) || try > 100 {
				s.dirs[i].nfiles += int32(h)
				break
			}
		}
	}
}

// Seed returns the seed.
func (s *Synth) Seed() uint64 { return s.seed }

// NumFiles returns the number of files of the namespace.
func (s *Synth) NumFiles() int64 { return s.files }

// NumDirs returns the number of directories, the root included.
func (s *Synth) NumDirs() int { return len(s.dirs) }

// Parent returns the index of directory i's parent (the root's is 0).
func (s *Synth) Parent(i int) int { return int(s.dirs[i].parent) }

// FilesIn returns the number of files in directory i.
func (s *Synth) FilesIn(i int) int { return int(s.dirs[i].nfiles) }

// Depth returns the depth of directory i (the root is 0).
func (s *Synth) Depth(i int) int { return int(s.dirs[i].depth) }

// SubdirsIn returns the number of subdirectories of directory i.
func (s *Synth) SubdirsIn(i int) int { return int(s.dirs[i].nsub) }

// FileTheme names the kind of files directory i holds ("docs", "photos", ...).
func (s *Synth) FileTheme(i int) string { return fileThemeNames[s.dirs[i].ftheme] }

// Dir is a directory of a namespace: its name and attributes.
type Dir struct {
	Parent int    // index of the parent directory
	Name   string // "" for the root
	Attrs
}

// Attrs are the stored attributes of an entry.
type Attrs struct {
	Mode                uint32 // type and permission bits
	Uid, Gid            uint32
	Size                uint64
	Atime, Mtime, Ctime int64 // ns since the epoch
}

// File is a regular file of a namespace.
type File struct {
	Name string
	Attrs
	Appended bool // written by appends: several slices in a chunk
}

func (s *Synth) style(i int) fileStyle {
	d := &s.dirs[i]
	r := NewRandKey(s.seed, kDirAttr, uint64(i))
	st := fileStyle{theme: int(d.ftheme), owner: int(d.owner)}
	fillStyle(&st, &r, i == 0)
	return st
}

// fillStyle draws the per-directory values of st but the theme and owner.
func fillStyle(st *fileStyle, r *Rand, root bool) {
	st.k = r.Uint64()
	st.variant = int(st.k >> 48)
	st.p1, st.p2 = newPerm8(st.k>>8), newPerm8(st.k>>24)
	st.sep = "-_"[st.k>>40&1]
	st.base = minTime + r.Int63n(maxTime-minTime)
	st.spread = int64(math.Min(math.Max(r.LogNormal(math.Log(3*86400), 2), 60), 3*365*86400))
	switch {
	case root || owners[st.owner].uid == 0:
		st.dirMode = 0o755
	default:
		st.dirMode = []uint32{0o755, 0o775, 0o700, 0o2775, 0o1777, 0o750}[r.pick([]float64{0.70, 0.12, 0.10, 0.04, 0.02, 0.02})]
	}
}

// Time window of the synthesized times: 2016-01-01 .. 2025-01-01 (seconds).
const (
	minTime = 1451606400
	maxTime = 1735689600
	nowTime = 1748736000 // 2025-06-01: no time goes beyond
)

func clampTime(ns int64) int64 { return min(ns, nowTime*1e9-int64(mix64(uint64(ns))%(86400*1e9))) }

// Dir returns directory i (0 is the root).
func (s *Synth) Dir(i int) Dir {
	out := Dir{Parent: int(s.dirs[i].parent), Attrs: s.DirAttrs(i)}
	if i > 0 {
		out.Name = s.dirName(i)
	}
	return out
}

// DirAttrs returns the attributes of directory i.
func (s *Synth) DirAttrs(i int) Attrs {
	st := s.style(i)
	r := NewRandKey(st.k, kDirAttr, 1)
	return dirAttrsOf(&st, &r)
}

func dirAttrsOf(st *fileStyle, r *Rand) Attrs {
	o := owners[st.owner]
	m := clampTime((st.base+st.spread)*1e9 + r.Int63n(1e9))
	a := Attrs{Mode: meta.S_IFDIR | st.dirMode, Uid: o.uid, Gid: o.gid, Size: 4096, Mtime: m, Ctime: m}
	if r.Chance(0.3) {
		a.Ctime = clampTime(m + int64(r.Exp()*3600e9))
	}
	a.Atime = clampTime(a.Ctime + int64(r.Exp()*7*86400e9))
	return a
}

func (s *Synth) dirName(i int) string {
	p := int(s.dirs[i].parent)
	pd := &s.dirs[p]
	var buf [96]byte
	return string(dirName(buf[:0], int(pd.dtheme), key(s.seed, kDirNames, uint64(p)), i-int(pd.first), int(pd.nsub)))
}

// File returns file j of directory i.
func (s *Synth) File(i, j int) File {
	st := s.style(i)
	return s.file(&st, i, j)
}

// FileName returns the name of file j of directory i.
func (s *Synth) FileName(i, j int) string {
	st := s.style(i)
	var buf [128]byte
	return string(st.fileName(buf[:0], j, int(s.dirs[i].nfiles)))
}

func (s *Synth) file(st *fileStyle, i, j int) File {
	var buf [128]byte
	name := string(st.fileName(buf[:0], j, int(s.dirs[i].nfiles)))
	r := NewRandKey(st.k, kFileAttr, uint64(j))
	return fileAttrsOf(st, &r, name, j)
}

// fileAttrsOf draws the attributes of file j (j < 0: not tied to its name)
// named name in a directory of style st.
func fileAttrsOf(st *fileStyle, r *Rand, name string, j int) File {
	f := File{Name: name}
	o := owners[st.owner]
	if r.Chance(0.05) {
		o = owners[r.pick(ownerWeights)]
	}
	f.Uid, f.Gid = o.uid, o.gid
	f.Mode = meta.S_IFREG | fileMode(r, st)
	sm := themeSizes[st.theme]
	switch {
	case st.theme == ftParquet && name == "_SUCCESS", st.theme == ftSource && name == "__init__.py":
		f.Size = 0
	case r.Chance(sm.empty):
		f.Size = 0
	default:
		f.Size = uint64(math.Min(r.LogNormal(sm.mu, sm.sigma), 64<<30)) + 1
	}
	f.Appended = st.theme == ftLogs || (st.theme == ftDocs && r.Chance(0.05))
	sec := st.base + int64(r.Float64()*float64(st.spread))
	if j >= 0 && st.theme == ftPhotos {
		sec = st.base + int64(j)*97 + 90 // about the time in the name
	} else if j >= 0 && st.theme == ftLogs {
		sec = st.base + int64(j+1)*3600
	}
	f.Mtime = clampTime(sec*1e9 + r.Int63n(1e9))
	f.Ctime = f.Mtime
	if r.Chance(0.35) {
		f.Ctime = clampTime(f.Mtime + int64(r.Exp()*86400e9))
	}
	switch x := r.Float64(); {
	case x < 0.4:
		f.Atime = f.Mtime
	case x < 0.7:
		f.Atime = f.Ctime
	default:
		f.Atime = clampTime(f.Ctime + int64(r.Exp()*30*86400e9))
	}
	return f
}

// pathStyle is the style of the directory at dirPath of a listing.
func pathStyle(seed uint64, dirPath string) fileStyle {
	r := NewRandKey(seed, kDirAttr+1000, hashString(dirPath))
	st := fileStyle{owner: r.pick(ownerWeights)}
	fillStyle(&st, &r, dirPath == "")
	return st
}

// SynthDirAttrs synthesizes the attributes of the directory at path (a
// listing's directory that has no attributed line).
func SynthDirAttrs(seed uint64, path string) Attrs {
	st := pathStyle(seed, path)
	r := NewRandKey(st.k, kDirAttr, 1)
	return dirAttrsOf(&st, &r)
}

// SynthFile synthesizes the attributes of the file name in the directory
// dirPath (a bare path of a listing): times cluster per directory, the size
// follows the kind of file its extension suggests.
func SynthFile(seed uint64, dirPath, name string) File {
	st := pathStyle(seed, dirPath)
	return synthFileIn(st, name)
}

// synthFileIn is SynthFile with the directory's style computed already.
func synthFileIn(st fileStyle, name string) File {
	st.theme = themeOfName(name)
	r := NewRandKey(st.k, kFileAttr, hashString(name))
	return fileAttrsOf(&st, &r, name, -1)
}

func themeOfName(name string) int {
	ext := ""
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		ext = strings.ToLower(name[i:])
	}
	switch ext {
	case ".parquet", ".orc", ".avro":
		return ftParquet
	case ".jpg", ".jpeg", ".heic", ".raw", ".cr2", ".nef", ".mp4", ".mov":
		return ftPhotos
	case ".safetensors", ".pt", ".ckpt", ".pth", ".onnx", ".h5":
		return ftModel
	case ".go", ".py", ".c", ".h", ".cc", ".cpp", ".hpp", ".js", ".ts", ".java", ".rs", ".rb", ".sh", ".pl", ".pm", ".el", ".mk":
		return ftSource
	case ".log", ".gz", ".out", ".err":
		return ftLogs
	case ".png", ".wav", ".bin", ".dat", ".webp", ".npy", ".tfrecord":
		return ftNumbered
	case "":
		if len(name) >= 16 && strings.Trim(name, hexDigits) == "" {
			return ftObjects
		}
	}
	return ftDocs
}

func fileMode(r *Rand, st *fileStyle) uint32 {
	switch st.theme {
	case ftObjects:
		return 0o444
	case ftSource:
		if srcExts[st.variant%len(srcExts)] == ".sh" {
			return 0o755
		}
		return []uint32{0o644, 0o755, 0o600}[r.pick([]float64{0.88, 0.07, 0.05})]
	}
	if st.dirMode == 0o775 || st.dirMode == 0o2775 {
		return []uint32{0o664, 0o644, 0o660}[r.pick([]float64{0.8, 0.15, 0.05})]
	}
	if st.dirMode == 0o700 {
		return 0o600
	}
	return []uint32{0o644, 0o664, 0o600, 0o755, 0o444}[r.pick([]float64{0.78, 0.07, 0.09, 0.03, 0.03})]
}

// ForEachFile calls fn for every file of directory i in order (cheaper than
// File for each: the directory's style is computed once).
func (s *Synth) ForEachFile(i int, fn func(j int, f *File) bool) {
	st := s.style(i)
	for j := 0; j < int(s.dirs[i].nfiles); j++ {
		f := s.file(&st, i, j)
		if !fn(j, &f) {
			return
		}
	}
}

// DirPath returns directory i's path from the root ("" for the root), with
// no leading slash.
func (s *Synth) DirPath(i int) string {
	var parts [64]string
	n := 0
	for i != 0 && n < len(parts) {
		parts[n] = s.dirName(i)
		n++
		i = int(s.dirs[i].parent)
	}
	for a, b := 0, n-1; a < b; a, b = a+1, b-1 {
		parts[a], parts[b] = parts[b], parts[a]
	}
	return strings.Join(parts[:n], "/")
}

// FilePath returns the path of file j of directory i.
func (s *Synth) FilePath(i, j int) string {
	d := s.DirPath(i)
	if d == "" {
		return s.FileName(i, j)
	}
	return d + "/" + s.FileName(i, j)
}

// RandomFile returns a file chosen uniformly: its directory and index. The
// first call builds an index (8 bytes per directory). The namespace must
// have files.
func (s *Synth) RandomFile(r *Rand) (dir, j int) {
	s.cumOnce.Do(func() {
		s.cum = make([]int64, len(s.dirs))
		var c int64
		for i := range s.dirs {
			c += int64(s.dirs[i].nfiles)
			s.cum[i] = c
		}
	})
	x := r.Int63n(s.files)
	i := sort.Search(len(s.cum), func(i int) bool { return s.cum[i] > x })
	prev := int64(0)
	if i > 0 {
		prev = s.cum[i-1]
	}
	return i, int(x - prev)
}

// RandomDir returns a directory chosen uniformly (the root included).
func (s *Synth) RandomDir(r *Rand) int { return r.Intn(len(s.dirs)) }
