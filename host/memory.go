package host

import (
	"sync/atomic"

	"github.com/tetratelabs/wazero/experimental"
)

// wasmPage is the size of a WebAssembly memory page.
const wasmPage = 64 << 10

// limitAllocator backs the linear memories of one run and refuses to grow
// them past limit bytes, remembering that it did. wazero's own page limit
// cannot be used for this: requests past it never reach an allocator, so
// the host could not tell a refused guest from a failing one.
type limitAllocator struct {
	limit uint64
	hit   atomic.Bool
}

var _ experimental.MemoryAllocator = (*limitAllocator)(nil)

// Allocate implements experimental.MemoryAllocator.
func (a *limitAllocator) Allocate(capacity, _ uint64) experimental.LinearMemory {
	if capacity > a.limit {
		capacity = a.limit
	}
	return &limitedMemory{a: a, buf: make([]byte, 0, capacity)}
}

// limitedMemory is one linear memory under a limitAllocator.
type limitedMemory struct {
	a       *limitAllocator
	buf     []byte
	started bool // the first Reallocate (the module's minimum) happened
}

// Reallocate implements experimental.LinearMemory. It returns nil, which
// makes memory.grow fail in the guest, for sizes past the limit. The first
// call (the module's minimum) always succeeds, since wazero cannot fail
// it; Run refuses modules whose exported memory starts past the limit.
func (m *limitedMemory) Reallocate(size uint64) []byte {
	if size > m.a.limit {
		m.a.hit.Store(true)
		if m.started {
			return nil
		}
	}
	m.started = true
	if size <= uint64(cap(m.buf)) {
		m.buf = m.buf[:size] // bytes past len were never written: still zero
		return m.buf
	}
	newCap := 2 * uint64(cap(m.buf))
	if newCap > m.a.limit {
		newCap = m.a.limit
	}
	if newCap < size {
		newCap = size
	}
	buf := make([]byte, size, newCap)
	copy(buf, m.buf)
	m.buf = buf
	return buf
}

// Free implements experimental.LinearMemory.
func (m *limitedMemory) Free() { m.buf = nil }
