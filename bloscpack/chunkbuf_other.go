//go:build !linux

package bloscpack

// chunkBuf returns an n-byte working buffer and a function that releases
// it (see chunkbuf_linux.go).
func chunkBuf(n int, full bool) ([]byte, func()) { return make([]byte, n), func() {} }
