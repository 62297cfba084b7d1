// Package vault is ringvault's encrypted, crash-safe single-file container,
// the successor of Angelos archive7. The format is specified in
// docs/format/vault.md.
//
// A vault file is a sequence of 4096-byte blocks. Blocks 0 and 1 are the
// superblocks (slot = txid mod 2, CRC32C, an AEAD-sealed commit record);
// every other block is sealed with XAES-256-GCM (default) or
// XChaCha20-Poly1305 under a random 192-bit nonce, with the file UUID and
// the block number as associated data. Every pointer carries the child's
// birth txid and AEAD tag, so the blocks form a Merkle tree rooted in the
// authenticated commit record. Nothing live is overwritten: a transaction
// writes new blocks, syncs, writes one superblock and syncs again; opening
// picks the newest authentic superblock, with no log to replay.
//
// Sealed blocks are written in batches by a background goroutine while the
// next batch is sealed and, for a vault opened by path on Linux, past the
// page cache (O_DIRECT, storage.DirectIO) straight from page-aligned slabs;
// large sequential reads read ahead the same way. The two fsyncs and their
// order are unchanged (docs/format/vault.md §7.1).
//
// A random master key is wrapped in key slots (Argon2id password slots and
// raw 32-byte key slots), so changing a password rewrites only the slots.
//
// The API is modelled on package os inside transactions:
//
//	db, err := vault.Create("data.vault", &vault.Options{Password: pw})
//	err = db.Update(func(tx *vault.Tx) error {
//		return tx.WriteFile("notes/today.txt", []byte("hello"), 0o644)
//	})
//	err = db.View(func(tx *vault.Tx) error {
//		b, err := tx.ReadFile("notes/today.txt")
//		...
//	})
//
// DB.FS returns an io/fs view that passes testing/fstest.TestFS.
//
// # Deviations from the reference design
//
// docs/format/vault.md §10 lists them; in short:
//
//   - Catalog nodes use packed cells (count, then cells) instead of a
//     slotted page; keys are at most 512 bytes, values 1700.
//   - Entry ids hold the vault's monotonic object counter instead of a
//     UUIDv7; a file's stream id is its entry counter; there is no separate
//     stream-descriptor key.
//   - The free list is a chain of free-list blocks, each with a Merkle
//     pointer to the next, read whole at open into a bitmap.
//   - The optional owner and mtime index keys are not kept; Search walks
//     the tree.
//   - The root map of a file of up to 8 blocks lives in its entry record
//     (descriptor flag bit 0), so small files need no map block.
//   - Soft-deleted (archive7 SOFT) entries are hidden from path lookups,
//     ReadDir and fs.FS, and are replaced by a new entry of the same name.
//   - No SyncNoMeta mode; Options.NoSync skips both fsyncs.
//   - ImportArchive7 reads Angelos archive7 files (docs/format/archive7.md)
//     into a vault in one transaction; compression is not implemented.
package vault
