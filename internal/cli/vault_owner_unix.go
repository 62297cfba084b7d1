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

// fileOwner records the local file's numeric owner on an open vault file.
func fileOwner(f *vault.File, fi fs.FileInfo) error {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return f.Chown(int(st.Uid), int(st.Gid))
	}
	return nil
}
