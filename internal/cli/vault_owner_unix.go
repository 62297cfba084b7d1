//go:build unix

package cli

import (
	"io/fs"
	"syscall"

	"ringvault/vault"
)

// setOwner records the local file's numeric owner in the vault entry.
func setOwner(tx *vault.Tx, name string, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || fi.Mode()&fs.ModeSymlink != 0 {
		return nil
	}
	return tx.Chown(name, int(st.Uid), int(st.Gid))
}
