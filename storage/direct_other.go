//go:build !linux

package storage

import "errors"

var errDirectUnsupported = errors.New("storage: direct I/O not supported")

// openDirect: direct I/O is only used on Linux; elsewhere every write is
// buffered.
func openDirect(*OSFile) int { return -1 }

func pwriteDirect(int, []byte, int64) (int, error) { return 0, errDirectUnsupported }

func pwritevDirect(int, [][]byte, int64) (int, error) { return 0, errDirectUnsupported }

func (w *DirectWriter) closeFD() error { w.fd.Store(-1); return nil }
