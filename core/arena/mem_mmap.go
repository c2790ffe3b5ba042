//go:build !race && !fsmeta_heaparena

package arena

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

const defaultMax = MaxBytes

type region interface {
	base() unsafe.Pointer
	commit(off, n uint64) error
	commitPlain(off, n uint64) error  // without huge pages
	hugePages(off, n uint64, on bool) // huge pages for [off, off+n) and later commits, or not
	discard(off, n uint64)
	release() error
	reusedDirty() bool
}

type mmapRegion struct {
	b      []byte
	noHuge bool // commit without huge pages (hugePages)
}

func reserve(n uint64) (region, error) {
	b, err := unix.Mmap(-1, 0, int(n), unix.PROT_NONE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		return nil, err
	}
	return &mmapRegion{b: b}, nil
}

func (m *mmapRegion) base() unsafe.Pointer { return unsafe.Pointer(&m.b[0]) }
func (m *mmapRegion) commit(off, n uint64) error {
	if err := unix.Mprotect(m.b[off:off+n], unix.PROT_READ|unix.PROT_WRITE); err != nil {
		return err
	}
	// Transparent huge pages: random access over gigabytes of records is
	// bound by TLB misses with 4 KiB pages. Advisory: ignore failure.
	m.hugePages(off, n, !m.noHuge)
	return nil
}

// hugePages advises huge pages for [off, off+n), or not, and for later
// commits the same. One flag over the whole committed range keeps it one
// mapping (the kernel splits a mapping where advice differs).
func (m *mmapRegion) hugePages(off, n uint64, on bool) {
	m.noHuge = !on
	advice := unix.MADV_HUGEPAGE
	if !on {
		advice = unix.MADV_NOHUGEPAGE
	}
	if n > 0 {
		_ = unix.Madvise(m.b[off:off+n], advice)
	}
}
func (m *mmapRegion) discard(off, n uint64) { _ = unix.Madvise(m.b[off:off+n], unix.MADV_DONTNEED) }
func (m *mmapRegion) release() error        { return unix.Munmap(m.b) }
func (m *mmapRegion) reusedDirty() bool     { return false }
func (m *mmapRegion) commitPlain(off, n uint64) error {
	if err := unix.Mprotect(m.b[off:off+n], unix.PROT_READ|unix.PROT_WRITE); err != nil {
		return err
	}
	// a frozen view is filled 64 KiB at a time: 2 MiB pages would make each
	// first copy into a huge page zero 2 MiB
	_ = unix.Madvise(m.b[off:off+n], unix.MADV_NOHUGEPAGE)
	return nil
}
