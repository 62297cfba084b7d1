//go:build !linux

package storage

// openDirect: direct I/O is only used on Linux; elsewhere every write is
// buffered.
func openDirect(*OSFile) int { return -1 }

func pwriteDirect(int, []byte, int64) (int, error) { return 0, errDirectUnsupported }

func preadDirect(int, []byte, int64) (int, error) { return 0, errDirectUnsupported }

func pwritevDirect(int, [][]byte, int64) (int, error) { return 0, errDirectUnsupported }

func closeDirect(int) error { return nil }
