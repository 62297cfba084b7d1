package vault

import (
	"errors"
	"fmt"
)

// Sentinel errors. Test them with errors.Is; corruption comes as a
// *CorruptError that matches ErrCorrupt.
var (
	// ErrNotVault: the file has no vault superblock (wrong file, or empty).
	ErrNotVault = errors.New("vault: not a vault file (no valid superblock)")
	// ErrWrongKey: the superblocks are intact but no key slot opens with the
	// password or key given.
	ErrWrongKey = errors.New("vault: wrong password or key")
	// ErrVersion: the file was written by a newer format version.
	ErrVersion = errors.New("vault: unsupported (newer) format version")
	// ErrCorrupt: a block failed authentication or a structural check.
	ErrCorrupt = errors.New("vault: corrupt")
	// ErrLocked: another process holds the vault open for writing.
	ErrLocked = errors.New("vault: locked by another writer")
	// ErrTxClosed: the transaction has ended (commit or rollback).
	ErrTxClosed = errors.New("vault: transaction closed")
	// ErrReadOnly: a write inside View or on a read-only vault.
	ErrReadOnly = errors.New("vault: read-only transaction")
	// ErrClosed: the vault has been closed.
	ErrClosed = errors.New("vault: closed")
	// ErrNoKey: neither a password nor a key was given.
	ErrNoKey = errors.New("vault: no password or key given")
	// ErrTooLarge: a name, key or value exceeds a format limit.
	ErrTooLarge = errors.New("vault: too large")
)

// CorruptError reports a block that failed authentication or a structural
// check. Block is the block number (file offset / 4096).
type CorruptError struct {
	Block  uint64
	Reason string
}

// Error names the block and the reason.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("vault: corrupt block %d: %s", e.Block, e.Reason)
}

// Is makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

func corrupt(block uint64, format string, args ...any) error {
	return &CorruptError{Block: block, Reason: fmt.Sprintf(format, args...)}
}
