//go:build linux

package blosc

import (
	"runtime"
	"syscall"
)

// mapped is memory from mmap, unmapped by a cleanup once its scratch is
// unreachable.
type mapped struct{ b []byte }

// minMapped is the smallest block buffer worth its own mapping.
const minMapped = 64 << 10

// blockBuf returns the scratch's shuffled-block buffer of n bytes. Large
// ones are anonymous mappings populated at once (MAP_POPULATE): the whole
// buffer is written for every block, and on virtual machines with shadow
// page tables faulting its pages in one by one costs several times more
// (make would also zero it first). The mapping is released when the
// scratch is garbage collected, or replaced here by a larger one.
func (s *scratch) blockBuf(n int) []byte {
	if n < minMapped {
		return make([]byte, n)
	}
	flags := syscall.MAP_PRIVATE | syscall.MAP_ANON
	if n <= 64<<20 { // no huge commit for a block size a header may lie about
		flags |= syscall.MAP_POPULATE
	}
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, flags)
	if err != nil {
		return make([]byte, n)
	}
	if s.tmpMap == nil {
		s.tmpMap = &mapped{}
		runtime.AddCleanup(s, func(m *mapped) {
			if m.b != nil {
				syscall.Munmap(m.b)
			}
		}, s.tmpMap)
	} else if s.tmpMap.b != nil {
		syscall.Munmap(s.tmpMap.b) // the smaller buffer it replaces; s.tmp is reassigned now
	}
	s.tmpMap.b = b
	return b
}
