//go:build !amd64 || purego

package blosc

const haveShuffleAsm = false

func unshuffleAsm(ts, n int, dst, src []byte) int { return 0 }
func shuffleAsm(ts, n int, dst, src []byte) int   { return 0 }
