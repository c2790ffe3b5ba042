package tree

import (
	"unsafe"

	"github.com/cespare/xxhash/v2"
	"github.com/fsmeta/fsmeta/core/arena"
	"github.com/fsmeta/fsmeta/core/meta"
)

// A directory's index: a power-of-two array of chain heads. Entries go to bucket hash>>(64-logb), so
// buckets are in hash order and doubling the array splits each bucket into
// two neighbours: a listing in hash order survives any resize, and its cursor
// is just the next hash to return. Chains are kept sorted by hash.
//
// Resizing is incremental, so that a directory of 10M entries never stalls
// an operation for the whole rehash: a resize allocates the new array and
// marks the directory as migrating; from then on every change to the
// directory moves a few buckets, in hash order, from the old array to the
// new one. Entries whose hash is below the migration boundary live in the
// new array, the others in the old one; lookups, inserts, removals and
// listings follow the same rule. The migration state lives in the Go map
// Tree.migs (integers only), consulted only when the header's flag is set.
const (
	// migrateSteps coarse buckets move per change while migrating: enough to
	// finish a doubling before the next one is due (1 would do) and most
	// halvings; a resize that falls due mid-migration waits for it.
	migrateSteps = 2
	// syncResizeLogb: an array of up to 2^syncResizeLogb buckets (about
	// 100 entries) is resized at once, without migration state: its
	// entries move in less time than the map of migrations takes to note
	// one, and the lookups that follow need not consult that map.
	syncResizeLogb = 6
)

// migration is a directory's resize in progress: buckets [0, next) of the
// coarser of the two arrays have moved to the new array (dirHdr.buckets).
type migration struct {
	old     arena.Ref
	oldLogb uint8
	next    uint64
}

func (m *migration) coarse(newLogb uint8) uint8 { return min(m.oldLogb, newLogb) }

// inNew reports whether hash h lives in the new array.
func (m *migration) inNew(h uint64, newLogb uint8) bool {
	return bucketOf(h, m.coarse(newLogb)) < m.next
}

func hashName(name string) uint64 { return xxhash.Sum64String(name) }

// NameCursor is the ReadDir cursor at which a listing resumes with the entry
// name (and any entry whose name hashes the same: ReadDir never splits them).
func NameCursor(name string) uint64 { return hashName(name) }

func hashBytes(name []byte) uint64 { return xxhash.Sum64(name) }

func (t *Tree) slotIn(arr arena.Ref, i uint64) *arena.Ref {
	return (*arena.Ref)(unsafe.Add(t.a.Ptr(arr), i*4))
}

func (t *Tree) bucketSlot(dir *nodeHdr, i uint64) *arena.Ref { return t.slotIn(dir.buckets(), i) }

func bucketOf(h uint64, logb uint8) uint64 {
	if logb == 0 {
		return 0
	}
	return h >> (64 - logb)
}

// head returns the chain head slot for hash h in dir.
func (t *Tree) head(dir *nodeHdr, h uint64) *arena.Ref {
	if dir.migrating() {
		m := t.migs[dir.inum()]
		if !m.inNew(h, dir.logb()) {
			return t.slotIn(m.old, bucketOf(h, m.oldLogb))
		}
	}
	return t.bucketSlot(dir, bucketOf(h, dir.logb()))
}

// find returns the entry named name in dir and its predecessor in the chain
// (0 if it heads the chain).
func (t *Tree) find(dir *nodeHdr, name string) (ent, prev arena.Ref) {
	if dir.cold() {
		t.mustThaw(dir)
	}
	if dir.count() == 0 {
		return 0, 0
	}
	h := hashName(name)
	r := *t.head(dir, h)
	if t.isRun(r) {
		t.mustThawRun(dir, r)
		r = *t.head(dir, h)
	}
	return t.chainFind(r, name)
}

// chainFind returns the entry named name in the hash chain from r and its
// predecessor there (0 if it heads the chain).
func (t *Tree) chainFind(r arena.Ref, name string) (ent, prev arena.Ref) {
	for r != 0 {
		e := t.ent(r)
		if int(e.namelen) == len(name) && string(e.name()) == name {
			return r, prev
		}
		prev, r = r, e.next
	}
	return 0, 0
}

// prepareInsert makes sure dir has a bucket array, so that insert cannot
// fail; operations call it before they change anything.
func (t *Tree) prepareInsert(dir *nodeHdr) bool {
	if dir.cold() && !t.thawDir(dir) {
		return false
	}
	if dir.count() >= maxDirEntries {
		return false
	}
	if dir.buckets() != 0 {
		return true
	}
	b, err := t.a.Alloc(8, arena.PBuckets)
	if err != nil {
		return false
	}
	dir.setIndex(b, 1, false)
	return true
}

// insert links record r (whose name is set) into dir. It cannot fail (see
// prepareInsert): when the array cannot grow, chains just get longer.
func (t *Tree) insert(dir *nodeHdr, r arena.Ref) {
	h := hashBytes(t.ent(r).name())
	slot := t.head(dir, h)
	if t.isRun(*slot) {
		t.mustThawRun(dir, *slot) // find, before any change, has thawed it already
		slot = t.head(dir, h)
	}
	for *slot != 0 {
		e := t.ent(*slot)
		if hashBytes(e.name()) > h {
			break
		}
		slot = &e.next
	}
	t.ent(r).next = *slot
	*slot = r
	dir.addCount(1)
	t.maintain(dir)
	t.touched(dir)
}

// unlinkEnt removes entry r (whose predecessor is prev) from dir's chains.
// An emptied directory keeps its bucket array, so that an insert after a
// removal in the same operation cannot fail.
func (t *Tree) unlinkEnt(dir *nodeHdr, r, prev arena.Ref) {
	e := t.ent(r)
	if prev != 0 {
		t.ent(prev).next = e.next
	} else {
		*t.head(dir, hashBytes(e.name())) = e.next
	}
	e.next = 0
	dir.addCount(-1)
	t.maintain(dir)
	t.touched(dir)
}

// maintain advances a migration, or starts one when the load calls for it.
func (t *Tree) maintain(dir *nodeHdr) {
	if dir.migrating() {
		t.migrate(dir, migrateSteps)
		return
	}
	logb := dir.logb()
	n := uint64(1) << logb
	// Load factor between 3/8 and 3/2 entries per bucket: chains average
	// about 1.2 records, and the array costs about 3.5 bytes per entry.
	switch cnt := uint64(dir.count()); {
	case cnt > n+n/2 && logb < 31:
		t.startResize(dir, logb+1)
	case logb > 1 && cnt*8 < n*3:
		t.startResize(dir, logb-1)
	}
}

// startResize begins moving dir's entries into an array of 2^logb buckets
// (nothing happens if memory runs out: the old array stays). Cold runs
// are thawed first: a migration moves hot chains only.
func (t *Tree) startResize(dir *nodeHdr, logb uint8) {
	if t.hasRuns(dir) && !t.thawRuns(dir) {
		return
	}
	t.startMigration(dir, logb)
}

// startMigration allocates the new array and starts the migration.
func (t *Tree) startMigration(dir *nodeHdr, logb uint8) {
	nb, err := t.a.Alloc(4<<logb, arena.PBuckets)
	if err != nil {
		return
	}
	if old, oldLogb := dir.buckets(), dir.logb(); oldLogb <= syncResizeLogb {
		m := migration{old: old, oldLogb: oldLogb}
		dir.setIndex(nb, logb, false)
		t.moveBuckets(dir, &m, 1<<31)
		t.a.Free(old, 4<<oldLogb, arena.PBuckets)
		return
	}
	t.migs[dir.inum()] = &migration{old: dir.buckets(), oldLogb: dir.logb()}
	dir.setIndex(nb, logb, true)
	t.migrate(dir, migrateSteps)
}

// migrate moves up to steps coarse buckets to the new array and finishes
// the migration when none is left.
func (t *Tree) migrate(dir *nodeHdr, steps int) {
	m := t.migs[dir.inum()]
	if t.moveBuckets(dir, m, steps) {
		t.a.Free(m.old, 4<<m.oldLogb, arena.PBuckets)
		t.endMigration(dir)
		dir.setIndex(dir.buckets(), dir.logb(), false)
	}
}

// moveBuckets moves up to steps coarse buckets of migration m to dir's
// (new) array and reports whether none is left.
func (t *Tree) moveBuckets(dir *nodeHdr, m *migration, steps int) bool {
	logb := dir.logb()
	coarse := m.coarse(logb)
	total := uint64(1) << coarse
	for ; steps > 0 && m.next < total; steps-- {
		oshift := m.oldLogb - coarse
		// Old buckets in order give entries in hash order, and their new
		// bucket numbers never decrease: appending at one tail keeps every
		// chain sorted.
		var tail arena.Ref
		tailBucket := ^uint64(0)
		for ob := m.next << oshift; ob < (m.next+1)<<oshift; ob++ {
			src := t.slotIn(m.old, ob)
			r := *src
			*src = 0
			for r != 0 {
				e := t.ent(r)
				next := e.next
				e.next = 0
				b := bucketOf(hashBytes(e.name()), logb)
				if b == tailBucket {
					t.ent(tail).next = r
				} else {
					*t.bucketSlot(dir, b) = r
					tailBucket = b
				}
				tail = r
				r = next
			}
		}
		m.next++
	}
	return m.next == total
}

// endMigration forgets dir's migration. A Go map keeps the buckets of its
// largest size: once no migration is left after many at a time (a bulk
// load has one in most of its directories), it is made anew (on a 10.7M
// entry load the old one held 4.7 MB).
func (t *Tree) endMigration(dir *nodeHdr) {
	delete(t.migs, dir.inum())
	t.migsPeak = max(t.migsPeak, len(t.migs)+1)
	if len(t.migs) == 0 && t.migsPeak > 1024 {
		t.migs, t.migsPeak = map[uint64]*migration{}, 0
	}
}

// freeIndex releases dir's bucket arrays (the directory is empty).
func (t *Tree) freeIndex(dir *nodeHdr) {
	if dir.migrating() {
		m := t.migs[dir.inum()]
		t.a.Free(m.old, 4<<m.oldLogb, arena.PBuckets)
		t.endMigration(dir)
	}
	if dir.buckets() != 0 {
		t.a.Free(dir.buckets(), 4<<dir.logb(), arena.PBuckets)
	}
	dir.setIndex(0, 0, false)
}

// span is a run of buckets [lo, hi) of one array; a directory's spans, in
// order, hold its entries in hash order.
type span struct {
	arr    arena.Ref
	logb   uint8
	lo, hi uint64
}

func (t *Tree) spans(dir *nodeHdr) []span {
	b, logb := dir.buckets(), dir.logb()
	if b == 0 || logb == 0 { // no index, or a cold handle (coldlayout.go)
		return nil
	}
	if !dir.migrating() {
		return []span{{b, logb, 0, 1 << logb}}
	}
	m := t.migs[dir.inum()]
	coarse := m.coarse(logb)
	return []span{
		{b, logb, 0, m.next << (logb - coarse)},
		{m.old, m.oldLogb, m.next << (m.oldLogb - coarse), 1 << m.oldLogb},
	}
}

// scan calls fn for every entry of dir with hash >= from, in hash order,
// until fn returns false. In a cold directory, a change (the write lock)
// thaws it first; a read gets the entries as scratch records, with r 0,
// as it does for the entries of cold runs.
func (t *Tree) scan(dir *nodeHdr, from uint64, fn func(r arena.Ref, e *entHdr, h uint64) bool) {
	if dir.cold() {
		if t.writer {
			t.mustThaw(dir)
		} else {
			t.coldScan(dir, from, func(h uint64, e *entHdr) bool { return fn(0, e, h) })
			return
		}
	}
	t.scanHot(dir, from, fn)
}

// mustThaw thaws a cold directory a change is about to use. When memory
// runs out the directory cannot be used: the change panics with ENOSPC
// before it has changed anything, and fsm.Apply (every change's entry
// point) returns that as the operation's result.
func (t *Tree) mustThaw(dir *nodeHdr) {
	if !t.writer {
		panic("tree: a cold directory's index used without the write lock")
	}
	if !t.thawDir(dir) {
		panic(meta.ENOSPC)
	}
}

// scanHot is scan over a hot directory's chains. The entries of its cold
// runs come as scratch records (kept directories as their records), with
// r 0.
func (t *Tree) scanHot(dir *nodeHdr, from uint64, fn func(r arena.Ref, e *entHdr, h uint64) bool) {
	for _, sp := range t.spans(dir) {
		for i := max(sp.lo, bucketOf(from, sp.logb)); i < sp.hi; i++ {
			if r := *t.slotIn(sp.arr, i); t.isRun(r) { // no runs while migrating: sp is the array
				if !t.scanRun(r, from, fn) {
					return
				}
				i = t.runEnd(dir, r, i) - 1
				continue
			}
			for r := *t.slotIn(sp.arr, i); r != 0; {
				e := t.ent(r)
				next := e.next
				h := hashBytes(e.name())
				if h >= from && !fn(r, e, h) {
					return
				}
				r = next
			}
		}
	}
}
