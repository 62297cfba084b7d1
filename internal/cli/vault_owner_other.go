//go:build !unix

package cli

import (
	"io/fs"

	"ringvault/vault"
)

func setOwner(tx *vault.Tx, name string, fi fs.FileInfo) error { return nil }

func fileOwner(f *vault.File, fi fs.FileInfo) error { return nil }
