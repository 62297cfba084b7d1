//go:build linux

package bloscpack

import "syscall"

const maxPopulate = 64 << 20

// chunkBuf returns an n-byte working buffer whose pages are mapped only
// when first written, and a function that releases it. make would zero
// all of it, touching every page, and on virtual machines with shadow page
// tables a first touch costs tens of microseconds a page: a 1 MiB chunk
// that compresses to 40 KiB then costs 256 faults instead of 10. The
// buffer must not be used after release. full says the whole buffer will
// be written: its pages are then mapped at once (MAP_POPULATE), a few
// times cheaper than faulting them in one by one; not beyond
// maxPopulate, so a header that lies about a huge chunk size commits no
// memory before the chunk is checked.
func chunkBuf(n int, full bool) ([]byte, func()) {
	if n <= 0 {
		return nil, func() {}
	}
	flags := syscall.MAP_PRIVATE | syscall.MAP_ANON
	if full && n <= maxPopulate {
		flags |= syscall.MAP_POPULATE
	}
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, flags)
	if err != nil {
		return make([]byte, n), func() {}
	}
	return b, func() { syscall.Munmap(b) }
}
