package vault

import (
	"fmt"
	"os"
	"path/filepath"

	"ringvault/storage"
)

// Credential is one way to open a vault: a password (Argon2id slot) or a
// raw 32-byte key.
type Credential struct {
	Password []byte
	Key      []byte
	KDF      *KDFParams // nil: DefaultKDF
}

// Rekey replaces the key slots with creds (1 to 4). The master key and
// every data block stay as they are, so this is O(1): it commits twice so
// that both superblocks carry the new slots. A crash in between leaves
// the old credentials working on the older superblock.
func (db *DB) Rekey(creds ...Credential) error {
	if len(creds) == 0 || len(creds) > maxSlots {
		return fmt.Errorf("vault: rekey needs 1 to %d credentials, got %d", maxSlots, len(creds))
	}
	var slots [maxSlots]keySlot
	for i, c := range creds {
		kdf := DefaultKDF
		if c.KDF != nil {
			kdf = *c.KDF
		}
		s, err := newSlot(db.hdr.uuid, i, db.master, c.Password, c.Key, kdf)
		if err != nil {
			return err
		}
		slots[i] = s
	}
	db.wmu.Lock()
	old := db.hdr.slots
	db.hdr.slots = slots
	db.wmu.Unlock()
	for range 2 {
		if err := db.Update(func(*Tx) error { return nil }); err != nil {
			db.wmu.Lock()
			db.hdr.slots = old
			db.wmu.Unlock()
			return err
		}
	}
	return nil
}

// CompactTo copies the live contents of the vault into dst, an empty
// file, as a new vault with the same identity and keys: no free blocks,
// no holes, streams laid out in order. The source is not changed.
func (db *DB) CompactTo(dst storage.File) error {
	src, err := db.begin(false)
	if err != nil {
		return err
	}
	defer src.end()
	out := &DB{f: dst, opts: db.opts, readers: map[uint64]int{}, hdr: db.hdr, master: db.master, blk: db.blk, sup: db.sup}
	out.opts.ReadOnly = false
	out.state = &snapshot{rec: commitRecord{hwm: 2, nextID: src.snap.rec.nextID, appHeader: src.snap.rec.appHeader},
		tree: btree{root: &node{leaf: true}, height: 1}}
	return out.Update(func(tx *Tx) error {
		tx.rec.entries = src.snap.rec.entries
		var ierr error
		err := src.tree.scan(src, nil, func(k, v []byte) bool {
			if ierr = tx.tree.put(tx, k, v); ierr != nil {
				return false
			}
			if k[0] != keyEntry {
				return true
			}
			e, err := decodeEntry(v)
			if err != nil {
				ierr = fmt.Errorf("vault: compact: entry %x: %v: %w", k[1:], err, ErrCorrupt)
				return false
			}
			if e.typ == typeFile && e.flags&flagInline == 0 {
				ierr = copyStream(src, tx, e)
			}
			return ierr == nil
		})
		if err == nil {
			err = ierr
		}
		return err
	})
}

// copyStream copies a file's blocks into the transaction tx, keeping holes.
func copyStream(src, tx *Tx, e *entry) error {
	in := newStream(&src.r, nil, e)
	ne := *e
	ne.desc = streamDesc{id: e.desc.id}
	s := newStream(&tx.r, tx, &ne)
	tx.streams[e.id] = s
	for idx := uint64(0); int64(idx)*bodySize < in.length; idx++ {
		b, err := in.block(idx)
		if err != nil {
			return err
		}
		if b == nil {
			continue
		}
		n := min(in.length-int64(idx)*bodySize, bodySize)
		if err := s.writeAt(b[:n], int64(idx)*bodySize); err != nil {
			return err
		}
	}
	return s.truncate(in.length)
}

// Compact rewrites the vault at path without free space (bbolt compact,
// SQLite VACUUM): it copies the live tree into a temporary file, syncs
// it and renames it over path. It holds the writer lock throughout.
func Compact(path string, opts *Options) (before, after int64, err error) {
	db, err := Open(path, opts)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	if before, err = db.f.Size(); err != nil {
		return 0, 0, err
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".compact")
	f, err := storage.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, 0, err
	}
	err = db.CompactTo(f)
	if err == nil {
		after, err = f.Size()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = storage.ReplaceFile(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return 0, 0, fmt.Errorf("vault: compact %s: %w", path, err)
	}
	return before, after, nil
}

// Info is the summary "ringvault vault info" prints (archive7 stats).
type Info struct {
	UUID       [16]byte
	Suite      byte
	Version    [2]uint16
	Txid       uint64
	Blocks     uint64 // high-water mark
	FreeBlocks uint64
	Entries    uint64
	KeySlots   []string // "password (argon2id t=3 m=65536KiB p=4)", "key"
	AppHeader  []byte
	Committed  int64 // unix ns
}

// Info describes the vault.
func (db *DB) Info() Info {
	db.smu.Lock()
	rec := db.state.rec
	db.smu.Unlock()
	in := Info{UUID: db.hdr.uuid, Suite: db.hdr.suite, Version: [2]uint16{formatMajor, formatMinor}, Txid: rec.txid,
		Blocks: rec.hwm, FreeBlocks: rec.freeCount, Entries: rec.entries, AppHeader: rec.appHeader, Committed: rec.time}
	for _, s := range db.hdr.slots {
		switch s.kind {
		case slotPassword:
			in.KeySlots = append(in.KeySlots, fmt.Sprintf("password (argon2id t=%d m=%dKiB p=%d)", s.kdf.Time, s.kdf.MemoryKiB, s.kdf.Threads))
		case slotKey:
			in.KeySlots = append(in.KeySlots, "raw key")
		}
	}
	return in
}

// SuiteName names a cipher suite.
func SuiteName(s byte) string {
	switch s {
	case SuitePlain:
		return "plaintext (integrity only)"
	case SuiteXAES:
		return "XAES-256-GCM"
	case SuiteXChaCha:
		return "XChaCha20-Poly1305"
	}
	return fmt.Sprintf("unknown suite %d", s)
}
