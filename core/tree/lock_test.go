package tree

import (
	"sync"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
)

// The read-side cost of the candidate locks, with b.RunParallel (run with
// -cpu 1,2 to see scaling). A getattr of a hot inode sits inside each
// critical section so the figures compare like with like.
func benchTree(b *testing.B) (*Tree, *nodeHdr) {
	tr, _ := New(Options{ArenaMaxBytes: 1 << 28})
	a, _ := tr.Mknod(meta.RootCaller, 1, meta.RootIno, "f", 0o644, 0)
	b.ReportAllocs()
	return tr, tr.getNode(a.Ino)
}

func BenchmarkLockSharded(b *testing.B) {
	tr, h := benchTree(b)
	defer tr.Close()
	var l rwlock
	l.init()
	b.RunParallel(func(pb *testing.PB) {
		var sink uint64
		for pb.Next() {
			s := l.rlock()
			sink += tr.attrOf(h).Size
			l.runlock(s)
		}
		_ = sink
	})
}

func BenchmarkLockRWMutex(b *testing.B) {
	tr, h := benchTree(b)
	defer tr.Close()
	var l sync.RWMutex
	b.RunParallel(func(pb *testing.PB) {
		var sink uint64
		for pb.Next() {
			l.RLock()
			sink += tr.attrOf(h).Size
			l.RUnlock()
		}
		_ = sink
	})
}

func BenchmarkLockMutex(b *testing.B) {
	tr, h := benchTree(b)
	defer tr.Close()
	var l sync.Mutex
	b.RunParallel(func(pb *testing.PB) {
		var sink uint64
		for pb.Next() {
			l.Lock()
			sink += tr.attrOf(h).Size
			l.Unlock()
		}
		_ = sink
	})
}

func BenchmarkLockNone(b *testing.B) {
	tr, h := benchTree(b)
	defer tr.Close()
	b.RunParallel(func(pb *testing.PB) {
		var sink uint64
		for pb.Next() {
			sink += tr.attrOf(h).Size
		}
		_ = sink
	})
}

func TestLockExcludes(t *testing.T) {
	var l rwlock
	l.init()
	var n, readers int64
	var wg sync.WaitGroup
	var mu sync.Mutex // guards the check only
	for g := 0; g < 4; g++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				s := l.rlock()
				mu.Lock()
				readers++
				if n%2 != 0 {
					t.Error("reader saw a writer inside")
				}
				readers--
				mu.Unlock()
				l.runlock(s)
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				l.lock()
				mu.Lock()
				n++
				mu.Unlock()
				mu.Lock()
				n++
				mu.Unlock()
				l.unlock()
			}
		}()
	}
	wg.Wait()
}
