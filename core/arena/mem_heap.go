//go:build race || fsmeta_heaparena

package arena

import "unsafe"

const defaultMax = 1 << 30

type region interface {
	base() unsafe.Pointer
	commit(off, n uint64) error
	commitPlain(off, n uint64) error  // without huge pages
	hugePages(off, n uint64, on bool) // huge pages for [off, off+n) and later commits, or not
	discard(off, n uint64)
	release() error
	reusedDirty() bool
}

// heapRegion backs the arena with a Go byte slice, so that the race detector
// instruments every access.
type heapRegion struct{ b []byte }

func reserve(n uint64) (region, error) { return &heapRegion{b: make([]byte, n)}, nil }

func (m *heapRegion) base() unsafe.Pointer             { return unsafe.Pointer(&m.b[0]) }
func (m *heapRegion) commit(off, n uint64) error       { return nil }
func (m *heapRegion) discard(off, n uint64)            { clear(m.b[off : off+n]) }
func (m *heapRegion) release() error                   { m.b = nil; return nil }
func (m *heapRegion) reusedDirty() bool                { return false }
func (m *heapRegion) commitPlain(off, n uint64) error  { return nil }
func (m *heapRegion) hugePages(off, n uint64, on bool) {}
