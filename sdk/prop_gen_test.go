package fsmeta_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/internal/model"
)

// The generator of the property tests. It draws operations from a source of
// choices (a seeded PRNG, or the bytes of a fuzz input) and looks at the
// model to aim them: most operations get an existing directory, an existing
// name of it, a live inode of the right type; some get a bad argument.

// propSource supplies the generator's choices.
type propSource interface {
	intn(n int) int // in [0, n), n > 0
	u64() uint64
	done() bool // a fuzz input is used up
}

type propRand struct{ r *rand.Rand }

func newPropRand(seed uint64) *propRand {
	return &propRand{rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (p *propRand) intn(n int) int { return p.r.IntN(n) }
func (p *propRand) u64() uint64    { return p.r.Uint64() }
func (p *propRand) done() bool     { return false }

// propBytes reads choices from a fuzz input: one byte for a choice among at
// most 256, more for larger ones; zeros once the input is used up.
type propBytes struct {
	b   []byte
	eof bool
}

func (p *propBytes) next() uint64 {
	if len(p.b) == 0 {
		p.eof = true
		return 0
	}
	v := p.b[0]
	p.b = p.b[1:]
	return uint64(v)
}

func (p *propBytes) intn(n int) int {
	v := p.next()
	for lim := 256; lim < n; lim <<= 8 {
		v = v<<8 | p.next()
	}
	return int(v % uint64(n))
}

func (p *propBytes) u64() uint64 {
	var v uint64
	for i := 0; i < 8; i++ {
		v = v<<8 | p.next()
	}
	return v
}

func (p *propBytes) done() bool { return p.eof }

// propGen makes operations.
type propGen struct {
	src  propSource
	m    *model.Model
	inos []meta.Ino // live inodes, refreshed now and then (may hold dead ones)
	age  int
	// cursors remembers the next cursor of recent listings, to resume them.
	cursors map[meta.Ino]uint64
	// bigXattrs makes some sequences pile big xattr values on the root.
	bigXattrs bool
	// wide makes some sequences grow big directories: many more names, and
	// creations mostly in one directory; huge makes that directory grow to
	// thousands of entries (the engine resizes its index step by step).
	wide, huge bool
}

// newPropGen makes a generator and draws its profile; set m before use.
func newPropGen(src propSource) *propGen {
	g := &propGen{src: src, cursors: map[meta.Ino]uint64{}}
	g.bigXattrs = g.pct(10)
	g.wide = g.pct(10)
	g.huge = g.wide && g.pct(30)
	return g
}

// pct is true with probability p percent.
func (g *propGen) pct(p int) bool { return g.src.intn(100) < p }

func propPick[T any](g *propGen, xs ...T) T { return xs[g.src.intn(len(xs))] }

// The callers: root, and three users in a few group combinations.
var propCallers = []meta.Caller{
	{Uid: 0, Gid: 0},
	{Uid: 1000, Gid: 1000, Groups: []uint32{100}},
	{Uid: 1000, Gid: 100},
	{Uid: 1001, Gid: 1001, Groups: []uint32{1000, 100}},
	{Uid: 1001, Gid: 1001},
	{Uid: 1002, Gid: 100, Groups: []uint32{1002}},
	{Uid: 1002, Gid: 1002},
	{Uid: 0, Gid: 1000, Groups: []uint32{100}},
}

// callerFor sets, now and then, a caller owning ino (or in its group),
// so that operations get past the permission checks more often.
func (g *propGen) callerFor(op *propOp, ino meta.Ino) {
	n := g.m.Node(ino)
	if n == nil || !g.pct(35) {
		return
	}
	for _, k := range []int{g.src.intn(len(propCallers)), g.src.intn(len(propCallers))} {
		if c := propCallers[k]; c.Uid == n.Uid || c.InGroup(n.Gid) {
			c.Umask = op.c.Umask
			op.c = &c
			return
		}
	}
}

func (g *propGen) caller() *meta.Caller {
	c := propCallers[0]
	if !g.pct(30) {
		c = propCallers[g.src.intn(len(propCallers))]
	}
	switch g.src.intn(8) {
	case 0, 1, 2:
		c.Umask = 0o022
	case 3:
		c.Umask = 0o002
	case 4:
		c.Umask = 0o077
	case 5:
		c.Umask = uint32(g.src.intn(0o10000))
	default:
		c.Umask = 0
	}
	return &c
}

// Inode preferences.
const (
	propAnyIno = iota
	propDirIno
	propFileIno
	propLinkIno
	propNondirIno
)

func (g *propGen) refresh() {
	g.age++
	if g.inos == nil || g.age >= max(16, len(g.inos)/16) {
		g.inos, g.age = g.m.Inos(), 0
	}
}

func (g *propGen) matches(n *model.Node, pref int) bool {
	t := n.Mode & meta.S_IFMT
	switch pref {
	case propDirIno:
		return t == meta.S_IFDIR
	case propFileIno:
		return t == meta.S_IFREG
	case propLinkIno:
		return t == meta.S_IFLNK
	case propNondirIno:
		return t != meta.S_IFDIR
	}
	return true
}

// ino returns an inode, mostly a live one of the preferred type.
func (g *propGen) ino(pref int) meta.Ino {
	g.refresh()
	switch g.src.intn(50) {
	case 0:
		return propPick(g, 0, g.m.NextIno(), g.m.NextIno()+7, 1<<40, ^meta.Ino(0))
	case 1, 2:
		return meta.Ino(1 + g.src.intn(int(g.m.NextIno())))
	}
	var fallback meta.Ino
	for try := 0; try < 12; try++ {
		ino := g.inos[g.src.intn(len(g.inos))]
		if n := g.m.Node(ino); n != nil {
			if g.matches(n, pref) {
				return ino
			}
			if fallback == 0 {
				fallback = ino
			}
		}
	}
	if fallback == 0 || pref == propDirIno {
		return meta.RootIno
	}
	return fallback
}

// dir returns a directory, mostly a live one, preferring ones with entries
// when full.
func (g *propGen) dir(full bool) meta.Ino {
	if g.wide && g.pct(50) || g.huge && g.pct(80) {
		return meta.RootIno
	}
	d := g.ino(propDirIno)
	if full {
		for try := 0; try < 4 && len(g.m.Names(d)) == 0; try++ {
			d = g.ino(propDirIno)
		}
	}
	return d
}

// The names of the pool every directory draws from.
var propNames = []string{"a", "b", "c", "d", "e", "f", "g", "h", "\xff\xfe", "é",
	strings.Repeat("n", 255)}

var propBadNames = []string{"", strings.Repeat("n", 256), "x/y", "/", "x\x00y", ".", ".."}

// name returns a name for directory dir: an existing one with probability
// existing percent, a bad one now and then, else one of the pool.
func (g *propGen) name(dir meta.Ino, existing int) string {
	if g.pct(3) {
		return propPick(g, propBadNames...)
	}
	if g.pct(existing) {
		if names := g.m.Names(dir); len(names) > 0 {
			return names[g.src.intn(len(names))]
		}
	}
	if g.pct(3) {
		return propNames[len(propNames)-1]
	}
	if g.huge && g.pct(90) {
		return fmt.Sprintf("h%04d", g.src.intn(10000))
	}
	if g.wide && g.pct(80) {
		return fmt.Sprintf("w%03d", g.src.intn(400))
	}
	return propNames[g.src.intn(len(propNames)-1)]
}

func (g *propGen) perm() uint32 {
	if g.pct(15) {
		return uint32(g.src.intn(0o10000))
	}
	return propPick[uint32](g, 0o755, 0o644, 0o777, 0o700, 0o600, 0o1777, 0o2775, 0o4755, 0o2755, 0o000,
		0o111, 0o666, 0o070, 0o007, 0o3777, 0o750)
}

func (g *propGen) size() uint64 {
	switch g.src.intn(12) {
	case 0:
		return 0
	case 1:
		return propPick[uint64](g, meta.ChunkSize, meta.ChunkSize-1, meta.ChunkSize+1, 2*meta.ChunkSize+7)
	case 2:
		return propPick[uint64](g, meta.MaxFileSize, meta.MaxFileSize+1, 1<<40, ^uint64(0))
	case 3, 4:
		return uint64(g.src.intn(3 * meta.ChunkSize))
	default:
		return uint64(g.src.intn(20000))
	}
}

func (g *propGen) time() int64 {
	if g.pct(10) {
		return int64(g.src.u64())
	}
	return int64(g.src.intn(1 << 30))
}

// path builds a path from the root: components of existing entries, pool
// names, ".", "..", empty ones and symlinks.
func (g *propGen) path() string {
	if g.pct(2) {
		return propPick(g, strings.Repeat("a/", 2049), "/"+strings.Repeat("n", 256), "")
	}
	var parts []string
	dir := meta.RootIno
	for k := 1 + g.src.intn(5); k > 0; k-- {
		switch g.src.intn(12) {
		case 0:
			parts = append(parts, "..")
			if n := g.m.Node(dir); n != nil {
				dir = n.Parent
			}
		case 1:
			parts = append(parts, propPick(g, ".", ""))
		case 2:
			if g.pct(10) {
				parts = append(parts, propPick(g, "x\x00y", strings.Repeat("n", 256)))
				continue
			}
			parts = append(parts, propNames[g.src.intn(len(propNames))])
		default:
			names := g.m.Names(dir)
			if len(names) == 0 {
				parts = append(parts, propNames[g.src.intn(4)])
				continue
			}
			name := names[g.src.intn(len(names))]
			parts = append(parts, name)
			if n := g.m.Node(g.m.Node(dir).Entries[name]); n != nil && n.Mode&meta.S_IFMT == meta.S_IFDIR {
				dir = n.Ino
			}
		}
	}
	p := strings.Join(parts, "/")
	if g.pct(50) {
		p = "/" + p
	}
	if g.pct(10) {
		p += "/"
	}
	return p
}

// target is a symlink target: mostly a path, sometimes a bad one.
func (g *propGen) target() string {
	switch g.src.intn(40) {
	case 0:
		return ""
	case 1:
		return "a\x00b"
	case 2:
		return strings.Repeat("t", meta.MaxSymlink+1)
	case 3:
		return strings.Repeat("t", meta.MaxSymlink)
	}
	if p := g.path(); p != "" && len(p) <= meta.MaxSymlink {
		return p
	}
	return "a"
}

// xattr names and values
var propXattrNames = []string{"user.a", "user.b", "user.c", "trusted.t", "security.s", "user.",
	"system.posix_acl_access", "foo.bar", "", "user." + strings.Repeat("x", 251), "user." + strings.Repeat("x", 250)}

func (g *propGen) xattrName() string {
	if g.pct(3) {
		return fmt.Sprintf("user.big%02d", g.src.intn(20))
	}
	if g.pct(85) {
		return propXattrNames[g.src.intn(5)]
	}
	return propXattrNames[g.src.intn(len(propXattrNames))]
}

func (g *propGen) xattrValue(name string) []byte {
	if strings.HasPrefix(name, "user.big") && g.pct(90) {
		return make([]byte, meta.MaxXattrSize-g.src.intn(2))
	}
	switch g.src.intn(30) {
	case 0:
		return nil
	case 1:
		return make([]byte, meta.MaxXattrSize+1)
	case 2:
		return []byte{}
	}
	v := make([]byte, 1+g.src.intn(24))
	for i := range v {
		v[i] = byte(g.src.intn(256))
	}
	return v
}

// slice returns a slice to write: mostly valid, with an id handed out before.
func (g *propGen) slice() meta.Slice {
	var s meta.Slice
	switch g.src.intn(10) {
	case 0:
		s.Pos = uint32(meta.ChunkSize - 1 - g.src.intn(8192))
	case 1, 2:
		s.Pos = uint32(g.src.intn(meta.ChunkSize))
	default:
		s.Pos = uint32(g.src.intn(16384))
	}
	if g.pct(10) {
		s.Len = uint32(1 + g.src.intn(meta.ChunkSize))
	} else {
		s.Len = uint32(1 + g.src.intn(8192))
	}
	if uint64(s.Pos)+uint64(s.Len) > meta.ChunkSize {
		s.Len = uint32(meta.ChunkSize - uint64(s.Pos))
	}
	s.Off = uint32(g.src.intn(100))
	s.Size = s.Off + s.Len + uint32(g.src.intn(100))
	switch next := g.m.NextSlice(); g.src.intn(20) {
	case 0:
		s.ID = 0
	case 1:
		s.ID = next + uint64(g.src.intn(3))
	default:
		s.ID = 1 + uint64(g.src.intn(int(min(next, 1<<30))))
	}
	switch g.src.intn(25) { // bad ones
	case 0:
		s.Len = 0
	case 1:
		s.Size = s.Off + s.Len - 1
	case 2:
		s.Pos = uint32(meta.ChunkSize - s.Len + 1)
	case 3:
		s.Off, s.Len, s.Size = ^uint32(0), 2, 1
	}
	return s
}

func (g *propGen) chunk(ino meta.Ino) uint32 {
	if g.pct(60) {
		if idx := g.m.ChunkIndexes(ino); len(idx) > 0 {
			return idx[g.src.intn(len(idx))]
		}
	}
	switch g.src.intn(20) {
	case 0:
		return 1 << 20
	case 1:
		return ^uint32(0)
	}
	return uint32(g.src.intn(4))
}

// op makes the next operation.
func (g *propGen) op() propOp {
	op := propOp{c: g.caller()}
	if g.huge && g.pct(30) {
		op.kind, op.ino, op.mode = pCreate, meta.RootIno, 0o644
		op.name = fmt.Sprintf("h%04d", g.src.intn(10000))
		return op
	}
	k := g.src.intn(1000)
	switch {
	case k < 40:
		op.kind = pLookup
		op.ino = g.dir(true)
		op.name = g.name(op.ino, 75)
		if g.pct(8) {
			op.name = propPick(g, ".", "..")
		}
	case k < 70:
		op.kind = pGetAttr
		op.ino = g.ino(propAnyIno)
	case k < 150:
		g.setAttr(&op)
	case k < 170:
		op.kind = pAccess
		op.ino = g.ino(propAnyIno)
		op.mode = uint32(g.src.intn(8))
		if g.pct(3) {
			op.mode = 8 + uint32(g.src.intn(100))
		}
	case k < 230:
		op.kind = pMknod
		op.ino = g.dir(false)
		op.name = g.name(op.ino, 15)
		op.mode = propPick[uint32](g, meta.S_IFREG, 0, meta.S_IFIFO, meta.S_IFSOCK, meta.S_IFCHR, meta.S_IFBLK,
			meta.S_IFREG, meta.S_IFREG, meta.S_IFDIR, meta.S_IFLNK, 0o170000, 0o030000) | g.perm()
		op.rdev = uint32(g.src.intn(1 << 20))
	case k < 300:
		op.kind = pCreate
		op.ino = g.dir(false)
		op.name = g.name(op.ino, 15)
		op.mode = g.perm()
	case k < 370:
		op.kind = pMkdir
		op.ino = g.dir(false)
		op.name = g.name(op.ino, 15)
		op.mode = g.perm()
		if g.pct(10) {
			op.mode |= meta.S_IFREG
		}
	case k < 400:
		op.kind = pSymlink
		op.ino = g.dir(false)
		op.name = g.name(op.ino, 15)
		op.path = g.target()
	case k < 410:
		op.kind = pReadlink
		op.ino = g.ino(propLinkIno)
	case k < 450:
		op.kind = pLink
		op.ino = g.ino(propNondirIno)
		if g.pct(5) {
			op.ino = g.ino(propDirIno)
		}
		op.ino2 = g.dir(false)
		op.name2 = g.name(op.ino2, 20)
	case k < 510:
		op.kind = pUnlink
		op.ino = g.dir(true)
		op.name = g.name(op.ino, 85)
	case k < 540:
		op.kind = pRmdir
		op.ino = g.dir(true)
		op.name = g.name(op.ino, 85)
		if g.pct(70) {
			op.name = g.entryOfType(op.ino, propDirIno, op.name)
		}
	case k < 610:
		op.kind = pRename
		op.ino = g.dir(true)
		op.name = g.name(op.ino, 85)
		op.ino2 = op.ino
		if g.pct(60) {
			op.ino2 = g.dir(false)
		}
		op.name2 = g.name(op.ino2, 50)
		op.flags = propPick[uint32](g, 0, 0, 0, 0, 0, meta.RenameNoReplace, meta.RenameExchange, meta.RenameExchange)
		if g.pct(3) {
			op.flags = propPick[uint32](g, 3, 4, 8)
		}
	case k < 640:
		g.readDir(&op)
	case k < 650:
		op.kind = pStatFS
	case k < 670:
		op.kind = pGetXattr
		op.ino = g.ino(propAnyIno)
		op.name = g.existingXattr(op.ino)
	case k < 700:
		op.kind = pSetXattr
		op.ino = g.ino(propAnyIno)
		op.name = g.xattrName()
		if g.bigXattrs && g.pct(40) {
			// Big values pile up on the root, one new name after the
			// other, up to the 1 MiB total (ENOSPC).
			op.ino = meta.RootIno
			op.name = fmt.Sprintf("user.big%02d", len(g.m.Node(meta.RootIno).Xattrs)-g.src.intn(2))
		}
		op.value = g.xattrValue(op.name)
		op.flags = propPick[uint32](g, 0, 0, 0, meta.XattrCreate, meta.XattrReplace)
		if g.pct(3) {
			op.flags = propPick[uint32](g, 3, 4)
		}
	case k < 710:
		op.kind = pListXattr
		op.ino = g.ino(propAnyIno)
	case k < 720:
		op.kind = pRemoveXattr
		op.ino = g.ino(propAnyIno)
		op.name = g.existingXattr(op.ino)
	case k < 745:
		g.fallocate(&op)
	case k < 790:
		op.kind = pOpen
		op.ino = g.ino(propAnyIno)
		op.mode = propPick[uint32](g, meta.O_RDONLY, meta.O_WRONLY, meta.O_RDWR, meta.O_RDONLY, meta.O_WRONLY)
		switch g.src.intn(10) {
		case 0:
			op.mode |= meta.O_TRUNC
		case 1:
			op.mode |= meta.O_APPEND
		case 2:
			op.mode = 3
		case 3:
			op.mode |= 0o100000 // an unknown flag bit
		}
	case k < 830:
		op.kind = pRelease
		op.ino = g.openIno()
	case k < 845:
		op.kind = pNewSliceID
		op.n = propPick[uint32](g, 1, 1, 2, 10, 0)
		if g.pct(1) {
			op.n = ^uint32(0)
		}
	case k < 920:
		op.kind = pWriteSlice
		op.ino = g.ino(propFileIno)
		op.chunk = g.chunk(op.ino)
		op.slice = g.slice()
	case k < 945:
		op.kind = pReadChunk
		op.ino = g.ino(propFileIno)
		op.chunk = g.chunk(op.ino)
	case k < 965:
		g.compact(&op)
	case k < 985:
		op.kind = pResolve
		op.path = g.path()
		op.plus = g.pct(50)
	default:
		op.kind = pMkdirAll
		op.path = g.path()
		if g.pct(50) {
			op.path += "/" + propNames[g.src.intn(len(propNames))]
		}
		op.mode = g.perm()
	}
	switch op.kind {
	case pMknod, pCreate, pMkdir, pSymlink, pUnlink, pRmdir, pRename, pReadDir, pReadDirAll, pDirIter,
		pSetAttr, pAccess, pOpen, pGetXattr, pSetXattr, pRemoveXattr, pListXattr, pFallocate:
		g.callerFor(&op, op.ino)
	case pLink:
		g.callerFor(&op, op.ino2)
	}
	return op
}

// entryOfType returns a name in dir whose inode has the preferred type, or def.
func (g *propGen) entryOfType(dir meta.Ino, pref int, def string) string {
	names := g.m.Names(dir)
	if len(names) == 0 {
		return def
	}
	for try := 0; try < 4; try++ {
		name := names[g.src.intn(len(names))]
		if g.matches(g.m.Node(g.m.Node(dir).Entries[name]), pref) {
			return name
		}
	}
	return def
}

// existingXattr returns mostly a name ino has, else any.
func (g *propGen) existingXattr(ino meta.Ino) string {
	if n := g.m.Node(ino); n != nil && len(n.Xattrs) > 0 && g.pct(60) {
		names := make([]string, 0, len(n.Xattrs))
		for k := range n.Xattrs {
			names = append(names, k)
		}
		sort.Strings(names)
		return names[g.src.intn(len(names))]
	}
	return g.xattrName()
}

// openIno returns mostly an open inode.
func (g *propGen) openIno() meta.Ino {
	g.refresh()
	if g.pct(75) {
		var open []meta.Ino
		for _, ino := range g.inos {
			if n := g.m.Node(ino); n != nil && n.Opens > 0 {
				open = append(open, ino)
			}
		}
		if len(open) > 0 {
			return open[g.src.intn(len(open))]
		}
	}
	return g.ino(propAnyIno)
}

var propSetMasks = []uint32{meta.SetMode, meta.SetUid, meta.SetGid, meta.SetSize, meta.SetAtime, meta.SetMtime,
	meta.SetAtimeNow, meta.SetMtimeNow, meta.SetCtime, meta.SetFlags}

func (g *propGen) setAttr(op *propOp) {
	op.kind = pSetAttr
	op.ino = g.ino(propAnyIno)
	switch g.src.intn(40) {
	case 0:
		op.mode = 0
	case 1:
		op.mode = uint32(g.src.u64())
	case 2, 3, 4:
		op.mode = meta.SetUid | meta.SetGid
	default:
		for k := 1 + g.src.intn(3); k > 0; k-- {
			op.mode |= propSetMasks[g.src.intn(len(propSetMasks))]
		}
	}
	in := &op.in
	in.Mode = g.perm()
	if g.pct(3) {
		in.Mode |= propPick[uint32](g, meta.S_IFREG, 0o10000)
	}
	in.Uid = propPick[uint32](g, 0, 1000, 1001, 1002, op.c.Uid)
	in.Gid = propPick[uint32](g, 0, 100, 1000, 1001, 1002, op.c.Gid)
	in.Size = g.size()
	in.Atime, in.Mtime, in.Ctime = g.time(), g.time(), g.time()
	in.Flags = propPick[uint32](g, 0, 0, 0, 0, meta.FlagImmutable, meta.FlagAppend, meta.FlagAppend, 3)
	if g.pct(2) {
		in.Flags = 4
	}
	if op.mode&meta.SetFlags != 0 && g.pct(70) {
		op.c = &meta.Caller{}
	}
}

func (g *propGen) readDir(op *propOp) {
	op.kind = propPick(g, pReadDir, pReadDir, pReadDir, pReadDirAll, pDirIter)
	op.ino = g.dir(true)
	if g.pct(5) {
		op.ino = g.ino(propAnyIno)
	}
	op.plus = g.pct(50)
	op.max = propPick(g, 1, 1, 2, 3, 1000, 0, -1)
	if op.kind == pDirIter {
		return
	}
	switch g.src.intn(10) {
	case 0, 1:
		op.cursor = g.cursors[op.ino]
	case 2:
		op.cursor = g.src.u64()
	case 3:
		if names := g.m.Names(op.ino); len(names) > 0 {
			op.cursor = model.NameHash(names[g.src.intn(len(names))]) + uint64(g.src.intn(2))
		}
	}
}

func (g *propGen) fallocate(op *propOp) {
	op.kind = pFallocate
	op.ino = g.ino(propFileIno)
	op.mode = propPick[uint32](g, 0, 0, meta.FallocKeepSize, meta.FallocPunchHole|meta.FallocKeepSize,
		meta.FallocPunchHole|meta.FallocKeepSize, meta.FallocZeroRange, meta.FallocZeroRange|meta.FallocKeepSize)
	if g.pct(5) {
		op.mode = propPick[uint32](g, meta.FallocPunchHole, meta.FallocPunchHole|meta.FallocZeroRange|meta.FallocKeepSize,
			0x04, 0x20, 0x08|meta.FallocKeepSize)
	}
	op.off = g.size()
	op.len = uint64(1 + g.src.intn(3*meta.ChunkSize))
	if g.pct(50) {
		op.len = uint64(1 + g.src.intn(10000))
	}
	if g.pct(3) {
		op.len = 0
	}
	if op.mode&(meta.FallocPunchHole|meta.FallocZeroRange) == 0 && g.pct(5) {
		op.len = g.size()
	}
	if op.off > meta.MaxFileSize && g.pct(50) {
		// Most hole punches at a huge offset are EFBIG; keep some valid ones
		// near the limit, propShort enough to stay cheap.
		op.off = meta.MaxFileSize - uint64(g.src.intn(1<<20))
		op.len = uint64(1 + g.src.intn(1<<20))
	}
}

func (g *propGen) compact(op *propOp) {
	op.kind = pCompactChunk
	op.ino = g.ino(propFileIno)
	op.chunk = g.chunk(op.ino)
	var list []meta.Slice
	if n := g.m.Node(op.ino); n != nil && n.Mode&meta.S_IFMT == meta.S_IFREG {
		list, _ = g.m.ReadChunk(meta.RootCaller, op.ino, op.chunk)
	}
	if len(list) == 0 || g.pct(20) {
		if g.pct(20) {
			op.replaced = []meta.Slice{g.slice()}
		}
		return
	}
	op.replaced = append([]meta.Slice{}, list[:1+g.src.intn(len(list))]...)
	if g.pct(10) {
		op.replaced[g.src.intn(len(op.replaced))].Len++
	}
	lo, hi := uint64(meta.ChunkSize), uint64(0)
	for _, s := range op.replaced {
		lo = min(lo, uint64(s.Pos))
		hi = max(hi, uint64(s.Pos)+uint64(s.Len))
	}
	cover := meta.Slice{Pos: uint32(lo), ID: g.m.NextSlice(), Size: uint32(hi - lo), Len: uint32(hi - lo)}
	op.slice = cover
	if g.pct(15) {
		op.slice = g.slice()
	}
}
