//go:build unix

package vault

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"ringvault/storage"
)

// lockShared takes a shared flock without waiting, so read-only opens in
// other processes and the writer exclude each other (a writer reuses free
// blocks that another process's snapshot might still see). Closing the
// file releases it.
func lockShared(f *storage.OSFile) error {
	err := unix.Flock(int(f.OS().Fd()), unix.LOCK_SH|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return fmt.Errorf("%s: a writer has it open: %w", f.Name(), ErrLocked)
	}
	return err
}
