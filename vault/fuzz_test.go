package vault

import (
	"bytes"
	"testing"

	"ringvault/storage"
)

// fuzzImage is a small real vault used to seed the fuzzers.
func fuzzImage(f *testing.F) ([]byte, *DB) {
	db, mf := newMem(f, keyOpts())
	mustUpdate(f, db, func(tx *Tx) error {
		if err := tx.MkdirAll("x/y", 0o755); err != nil {
			return err
		}
		if err := tx.Symlink("y", "x/l"); err != nil {
			return err
		}
		return tx.WriteFile("x/y/z", pattern(9, 20_000), 0o644)
	})
	return mf.Current(), db
}

// FuzzBlock feeds arbitrary 4096-byte blocks to the block decoder: it must
// reject or accept them without panicking, and never accept a block whose
// tag does not match the pointer.
func FuzzBlock(f *testing.F) {
	img, db := fuzzImage(f)
	for b := 2; b*BlockSize < len(img); b++ {
		f.Add(img[b*BlockSize:(b+1)*BlockSize], uint64(b))
	}
	f.Fuzz(func(t *testing.T, raw []byte, n uint64) {
		if len(raw) != BlockSize {
			raw = append(raw, make([]byte, BlockSize)...)[:BlockSize]
		}
		var p Pointer
		p.Block = n
		copy(p.Tag[:], raw[BlockSize-tagSize:])
		plain := make([]byte, plainSize)
		h, err := db.blk.decodeBlock(plain, raw, p, 0)
		if err == nil && h.txid != p.Txid {
			t.Fatalf("accepted txid %d for pointer txid %d", h.txid, p.Txid)
		}
		if err == nil && (h.kind == kindLeaf || h.kind == kindBranch) {
			decodeNode(plain[headerSize:], h.kind == kindLeaf, h.level)
		}
	})
}

// FuzzNode feeds arbitrary bodies to the catalog node and entry decoders.
func FuzzNode(f *testing.F) {
	img, db := fuzzImage(f)
	for b := 2; b*BlockSize < len(img); b++ {
		plain := make([]byte, plainSize)
		if err := db.blk.open(plain, img[b*BlockSize:(b+1)*BlockSize], uint64(b)); err == nil {
			f.Add(plain[headerSize:], plain[0] == kindLeaf)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, leaf bool) {
		n, err := decodeNode(body, leaf, 1)
		if err != nil {
			return
		}
		if n.size() > len(body) {
			t.Fatalf("decoded node of %d bytes from a %d-byte body", n.size(), len(body))
		}
		for _, v := range n.vals {
			if e, err := decodeEntry(v); err == nil {
				if _, err := decodeEntry(e.encode()); err != nil {
					t.Fatalf("entry does not round-trip: %v", err)
				}
			}
		}
	})
}

// FuzzSuperblock replaces one superblock of a real vault with arbitrary
// bytes and opens it: any error is fine, a panic or a wrong acceptance is not.
func FuzzSuperblock(f *testing.F) {
	img, _ := fuzzImage(f)
	f.Add(img[:BlockSize], uint8(0))
	f.Add(img[BlockSize:2*BlockSize], uint8(1))
	f.Add(img[BlockSize:2*BlockSize], uint8(0))
	f.Fuzz(func(t *testing.T, sb []byte, slot uint8) {
		s := int(slot % 2)
		full := append([]byte{}, img...)
		block := full[s*BlockSize : (s+1)*BlockSize]
		clear(block)
		copy(block, sb)
		if db, err := OpenFile(storage.NewMemFile(full), keyOpts()); err == nil {
			if err := db.Check(); err != nil {
				t.Fatalf("opened a vault that does not check: %v", err)
			}
		}
		if p, err := parseSuperblock(block, s); err == nil && p != nil {
			for i := range p.slots {
				p.slots[i].unwrap(p.uuid, i, nil, keyOpts().Key)
			}
		}
	})
}

// FuzzEntry feeds arbitrary values to the entry-record decoder; whatever
// it accepts must encode back to the same bytes.
func FuzzEntry(f *testing.F) {
	img, db := fuzzImage(f)
	_ = img
	db.View(func(tx *Tx) error {
		return tx.tree.scan(tx, nil, func(k, v []byte) bool {
			if k[0] == keyEntry {
				f.Add(v)
			}
			return true
		})
	})
	f.Fuzz(func(t *testing.T, v []byte) {
		e, err := decodeEntry(v)
		if err != nil {
			return
		}
		if got := e.encode(); !bytes.Equal(got, v) {
			t.Fatalf("re-encoding differs:\n got %x\nwant %x", got, v)
		}
	})
}
