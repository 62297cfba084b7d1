package cli

import "ringvault/storage"

func openRW(path string) (*storage.OSFile, error) { return storage.OpenRW(path) }
