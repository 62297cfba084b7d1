//go:build !unix

package vault

import "ringvault/storage"

func lockShared(f *storage.OSFile) error { return nil }
