package fsmeta

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"sync"
	"testing"

	"github.com/hashicorp/raft"

	"github.com/fsmeta/fsmeta/core/fsm"
	"github.com/fsmeta/fsmeta/core/meta"
)

// TestDurableAnswers: callers are answered by the FSM as it applies their
// entry (onEntry), each with its own operation's result. Pairs of callers
// race to create the same names in one directory, so that entries mix
// successes and EEXIST: for each name exactly one caller wins, and the
// inode it was told is the one the name holds. No entry stays registered.
func TestDurableAnswers(t *testing.T) {
	db, err := Open(Options{Dir: t.TempDir(), ArenaMaxBytes: 256 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir, err := db.Mkdir(nil, RootIno, "d", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	const callers, per = 32, 60
	won := make([]map[string]Ino, callers)
	var wg sync.WaitGroup
	for g := 0; g < callers; g++ {
		won[g] = map[string]Ino{}
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < per; i++ {
				name := strconv.Itoa(g/2) + "-" + strconv.Itoa(i)
				a, err := db.Create(nil, dir.Ino, name, 0o644)
				switch {
				case err == nil:
					won[g][name] = a.Ino
				case !errors.Is(err, meta.EEXIST):
					t.Error(err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	for g := 0; g < callers; g += 2 {
		for i := 0; i < per; i++ {
			name := strconv.Itoa(g/2) + "-" + strconv.Itoa(i)
			a, inA := won[g][name]
			b, inB := won[g+1][name]
			if inA == inB {
				t.Fatalf("%s: created by %v and %v of the two callers", name, inA, inB)
			}
			if inB {
				a = b
			}
			got, err := db.Lookup(nil, dir.Ino, name)
			if err != nil || got.Ino != a {
				t.Fatalf("%s: caller was told inode %d, the name holds %d (%v)", name, a, got.Ino, err)
			}
		}
	}
	db.d.local.Lock()
	left := len(db.d.entries)
	db.d.local.Unlock()
	if left != 0 {
		t.Fatalf("%d entries still registered after every caller was answered", left)
	}
	if err := db.Fsck(); err != nil {
		t.Fatal(err)
	}
}

// TestEntryIDs: an entry's callers are found by the id in its record's
// Extensions, not by its Data slice: a copy of the entry (as a log read back
// from disk or sent by a leader is) with the same id answers them; an entry
// without an id, or with another process's id under the same sequence
// number, answers nobody.
func TestEntryIDs(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(Options{Dir: dir, ArenaMaxBytes: 256 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	d := db.d
	p := &pending{done: make(chan struct{})}
	e := &entry{batch: []*pending{p}, slots: make(chan struct{}, 1)}
	e.slots <- struct{}{}
	d.local.Lock()
	d.seq += 1000 // out of the batcher's way
	id := d.nextID()
	d.entries[id] = e
	d.local.Unlock()
	other := id
	other[0] ^= 1 // another process's entry with the same number
	data := []byte("a copy of the entry")
	for _, l := range []raftLog{{Data: data}, {Data: data, Extensions: other[:]}, {Data: data, Extensions: id[:7]}} {
		if each := d.onEntry(l.log()); each != nil {
			t.Fatalf("an entry with extensions %x found callers", l.Extensions)
		}
	}
	each := d.onEntry(raftLog{Data: append([]byte(nil), data...), Extensions: append([]byte(nil), id[:]...)}.log())
	if each == nil {
		t.Fatal("the entry's copy found no callers")
	}
	each(0, fsm.Result{Errno: meta.EEXIST})
	<-p.done
	if p.res.Errno != meta.EEXIST || len(e.slots) != 0 {
		t.Fatalf("answer %v, slot held %d", p.res.Errno, len(e.slots))
	}
	d.local.Lock()
	left := len(d.entries)
	d.local.Unlock()
	if left != 0 {
		t.Fatalf("%d entries still registered", left)
	}
	// Entries written by this engine carry ids; a reopen replays them
	// (under a new random part, matching nothing) to the same state.
	if _, err := db.Mkdir(nil, RootIno, "x", 0o755); err != nil {
		t.Fatal(err)
	}
	sum, _ := db.Checksum()
	old := d.node
	db.Close()
	if db, err = Open(Options{Dir: dir, ArenaMaxBytes: 256 << 20}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Checksum(); got != sum || db.d.node == old {
		t.Fatalf("reopened: checksum %x, want %x; node id %x (was %x)", got, sum, db.d.node, old)
	}
	if _, err := db.Lookup(nil, RootIno, "x"); err != nil {
		t.Fatal(err)
	}
}

type raftLog struct{ Data, Extensions []byte }

func (l raftLog) log() *raft.Log {
	return &raft.Log{Type: raft.LogCommand, Data: l.Data, Extensions: l.Extensions}
}

// TestRestoreAtRunTime: the FSM owns the tree, and the DB reads whatever
// tree it holds now. A snapshot installed while the engine runs (as a
// follower receives one from its leader) is what the next read sees, and
// the next change applies to it.
func TestRestoreAtRunTime(t *testing.T) {
	db, err := Open(Options{Dir: t.TempDir(), ArenaMaxBytes: 256 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Mkdir(nil, RootIno, "before", 0o755); err != nil {
		t.Fatal(err)
	}
	// Another state, as a leader's snapshot.
	other, err := Open(Options{InMemory: true, ArenaMaxBytes: 256 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Mkdir(nil, RootIno, "from-leader", 0o755); err != nil {
		t.Fatal(err)
	}
	write, release, err := other.tree().Freeze()
	if err != nil {
		t.Fatal(err)
	}
	var snap bytes.Buffer
	if _, err := write(&snap); err != nil {
		t.Fatal(err)
	}
	release()
	if err := db.d.fsm.Restore(io.NopCloser(&snap)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Lookup(nil, RootIno, "from-leader"); err != nil {
		t.Fatalf("after the restore: %v", err)
	}
	if _, err := db.Lookup(nil, RootIno, "before"); !errors.Is(err, meta.ENOENT) {
		t.Fatalf("the state before the restore still answers: %v", err)
	}
	if _, err := db.Mkdir(nil, RootIno, "after", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := db.Fsck(); err != nil {
		t.Fatal(err)
	}
	want, _ := other.Mkdir(nil, RootIno, "after", 0o755)
	if got, _ := db.Lookup(nil, RootIno, "after"); got.Ino != want.Ino {
		t.Fatalf("the change after the restore: inode %d, the leader's state gives %d", got.Ino, want.Ino)
	}
}
