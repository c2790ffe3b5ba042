package tree

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
)

// rwlock is a reader-writer lock whose readers do not share a cache line:
// each reader counts itself in one of many padded slots chosen at random,
// then checks that no writer is in; a writer announces itself, then waits
// until every slot is empty. Readers therefore scale across cores (a
// sync.RWMutex makes every reader write the same counter), and the single
// writer pays a scan of the slots, which is small next to a change. See
// doc.go for the measurements.
type rwlock struct {
	// writer is read by every reader: keep it away from the counters they
	// write (128 bytes apart, so no two hot words share a line or a pair of
	// lines, whatever the struct's alignment).
	writer atomic.Int32
	_      [124]byte
	slots  [lockSlots]paddedCounter
	wmu    sync.Mutex
	n      uint32 // slots in use: 4 per CPU, at least 8, at most lockSlots
}

const lockSlots = 64

func (l *rwlock) init() {
	l.n = uint32(min(max(4*runtime.GOMAXPROCS(0), 8), lockSlots))
}

type paddedCounter struct {
	n atomic.Int32
	_ [124]byte
}

// rlock takes the read lock and returns the slot to pass to runlock.
func (l *rwlock) rlock() uint32 {
	i := rand.Uint32() % l.n
	for {
		l.slots[i].n.Add(1)
		if l.writer.Load() == 0 {
			return i
		}
		l.slots[i].n.Add(-1)
		for spins := 0; l.writer.Load() != 0; spins++ {
			if spins < 64 {
				continue
			}
			runtime.Gosched()
		}
	}
}

func (l *rwlock) runlock(i uint32) { l.slots[i].n.Add(-1) }

func (l *rwlock) lock() {
	l.wmu.Lock()
	l.writer.Store(1)
	for i := range l.slots[:l.n] {
		for spins := 0; l.slots[i].n.Load() != 0; spins++ {
			if spins >= 64 {
				runtime.Gosched()
			}
		}
	}
}

func (l *rwlock) unlock() {
	l.writer.Store(0)
	l.wmu.Unlock()
}
