//go:build !linux

package blosc

type mapped struct{}

// blockBuf returns the scratch's shuffled-block buffer of n bytes.
func (s *scratch) blockBuf(n int) []byte { return make([]byte, n) }
