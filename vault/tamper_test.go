package vault

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"slices"
	"testing"

	"ringvault/storage"
)

// fileBlocks lists the data blocks of a file in the committed state.
func fileBlocks(t *testing.T, db *DB, name string) []uint64 {
	t.Helper()
	var out []uint64
	err := db.View(func(tx *Tx) error {
		f, err := tx.Open(name)
		if err != nil {
			return err
		}
		for i := uint64(0); int64(i)*bodySize < f.s.length; i++ {
			p, err := f.s.lookup(i)
			if err != nil {
				return err
			}
			if !p.IsNull() {
				out = append(out, p.Block)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func pattern(seed byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

// wantCorrupt asserts err is a corruption error naming one of blocks.
func wantCorrupt(t *testing.T, what string, err error, blocks ...uint64) {
	t.Helper()
	var ce *CorruptError
	if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) {
		t.Fatalf("%s: got %v, want a corruption error", what, err)
	}
	if len(blocks) > 0 && !slices.Contains(blocks, ce.Block) {
		t.Fatalf("%s: error names block %d, want one of %v: %v", what, ce.Block, blocks, err)
	}
}

func tamperSetup(t *testing.T) ([]byte, []uint64) {
	db, f := newMem(t, testOpts())
	mustUpdate(t, db, func(tx *Tx) error {
		if err := tx.WriteFile("a.bin", pattern(1, 30_000), 0o644); err != nil {
			return err
		}
		return tx.WriteFile("b.bin", pattern(2, 9000), 0o644)
	})
	blocks := fileBlocks(t, db, "a.bin")
	db.Close()
	return f.Current(), blocks
}

func readBack(img []byte) error {
	db, err := OpenFile(storage.NewMemFile(img), testOpts())
	if err != nil {
		return err
	}
	return db.View(func(tx *Tx) error {
		for _, n := range []string{"a.bin", "b.bin"} {
			if _, err := tx.ReadFile(n); err != nil {
				return err
			}
		}
		return nil
	})
}

func checkImage(img []byte) error {
	db, err := OpenFile(storage.NewMemFile(img), testOpts())
	if err != nil {
		return err
	}
	return db.Check()
}

func TestTamperBitFlip(t *testing.T) {
	img, blocks := tamperSetup(t)
	if err := readBack(img); err != nil {
		t.Fatal(err)
	}
	for _, off := range []int{0, 30, 2000, BlockSize - 1} { // nonce, ciphertext, tag
		bad := slices.Clone(img)
		bad[int(blocks[2])*BlockSize+off] ^= 0x10
		wantCorrupt(t, "read", readBack(bad), blocks[2])
		wantCorrupt(t, "check", checkImage(bad), blocks[2])
	}
}

func TestTamperSwap(t *testing.T) {
	img, blocks := tamperSetup(t)
	bad := slices.Clone(img)
	x, y := blocks[1], blocks[4]
	tmp := slices.Clone(bad[x*BlockSize : (x+1)*BlockSize])
	copy(bad[x*BlockSize:], bad[y*BlockSize:(y+1)*BlockSize])
	copy(bad[y*BlockSize:], tmp)
	wantCorrupt(t, "read", readBack(bad), x, y)
	wantCorrupt(t, "check", checkImage(bad), x, y)
}

func TestTamperRollback(t *testing.T) {
	db, f := newMem(t, testOpts())
	mustUpdate(t, db, func(tx *Tx) error { return tx.WriteFile("a.bin", pattern(1, 30_000), 0o644) })
	old := f.Current()
	oldBlocks := fileBlocks(t, db, "a.bin")
	mustUpdate(t, db, func(tx *Tx) error { return tx.WriteFile("a.bin", pattern(3, 30_000), 0o644) })
	mustUpdate(t, db, func(tx *Tx) error { return tx.WriteFile("b.bin", pattern(4, 30_000), 0o644) })
	newBlocks := fileBlocks(t, db, "b.bin")
	db.Close()
	img := f.Current()
	var x uint64
	for _, b := range newBlocks {
		if slices.Contains(oldBlocks, b) {
			x = b
			break
		}
	}
	if x == 0 {
		t.Fatalf("no reused block: old %v new %v", oldBlocks, newBlocks)
	}
	// Block x now holds b.bin data; put back its older, validly sealed
	// version (a.bin data of transaction 2).
	bad := slices.Clone(img)
	copy(bad[x*BlockSize:(x+1)*BlockSize], old[x*BlockSize:(x+1)*BlockSize])
	rdb, err := OpenFile(storage.NewMemFile(bad), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	err = rdb.View(func(tx *Tx) error {
		_, err := tx.ReadFile("b.bin")
		return err
	})
	wantCorrupt(t, "read", err, x)
	if !bytes.Contains([]byte(err.Error()), []byte("rolled back")) {
		t.Errorf("error does not say rolled back: %v", err)
	}
	wantCorrupt(t, "check", rdb.Check(), x)
}

func TestTamperSuperblock(t *testing.T) {
	img, _ := tamperSetup(t)
	other, _ := tamperSetup(t) // another vault, same password
	db := reopen(t, storage.NewMemFile(img), testOpts())
	slot := db.Txid() % 2
	db.Close()
	fixCRC := func(b []byte) {
		binary.BigEndian.PutUint32(b[sbCRCOff:], crc32.Checksum(b[:sbCRCOff], castagnoli))
	}
	sb := func(img []byte, s uint64) []byte { return img[s*BlockSize : (s+1)*BlockSize] }

	// Replaced by the same slot of another vault.
	bad := slices.Clone(img)
	copy(sb(bad, slot), sb(other, slot))
	_, err := OpenFile(storage.NewMemFile(bad), testOpts())
	wantCorrupt(t, "foreign superblock", err, 0, 1)

	// Forged commit record with a valid CRC.
	bad = slices.Clone(img)
	sb(bad, slot)[sbCommitOff+100] ^= 1
	fixCRC(sb(bad, slot))
	_, err = OpenFile(storage.NewMemFile(bad), testOpts())
	wantCorrupt(t, "forged commit record", err, slot)

	// The older slot copied over the newer one (slot number fixed up).
	bad = slices.Clone(img)
	copy(sb(bad, slot), sb(img, 1-slot))
	binary.BigEndian.PutUint32(sb(bad, slot)[sbSlotNumOff:], uint32(slot))
	fixCRC(sb(bad, slot))
	_, err = OpenFile(storage.NewMemFile(bad), testOpts())
	wantCorrupt(t, "copied superblock", err, slot)

	// A torn (bad CRC) newest superblock is a crash, not corruption: the
	// older commit opens.
	bad = slices.Clone(img)
	sb(bad, slot)[3000] ^= 1
	if _, err = OpenFile(storage.NewMemFile(bad), testOpts()); err != nil {
		t.Fatalf("torn superblock: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	img, _ := tamperSetup(t)
	o := testOpts()
	o.Password = []byte("wrong")
	if _, err := OpenFile(storage.NewMemFile(img), o); !errors.Is(err, ErrWrongKey) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := OpenFile(storage.NewMemFile(img), keyOpts()); !errors.Is(err, ErrWrongKey) {
		t.Errorf("key on a password vault: %v", err)
	}
	if _, err := OpenFile(storage.NewMemFile(bytes.Repeat([]byte("not a vault\n"), 1000)), testOpts()); !errors.Is(err, ErrNotVault) {
		t.Errorf("text file: %v", err)
	}
	if _, err := OpenFile(storage.NewMemFile(nil), testOpts()); !errors.Is(err, ErrNotVault) {
		t.Errorf("empty file: %v", err)
	}
	newer := slices.Clone(img)
	for s := range 2 {
		b := newer[s*BlockSize : (s+1)*BlockSize]
		binary.BigEndian.PutUint16(b[sbMajorOff:], 2)
		binary.BigEndian.PutUint32(b[sbCRCOff:], crc32.Checksum(b[:sbCRCOff], castagnoli))
	}
	if _, err := OpenFile(storage.NewMemFile(newer), testOpts()); !errors.Is(err, ErrVersion) {
		t.Errorf("newer version: %v", err)
	}
	if _, err := OpenFile(storage.NewMemFile(img[:len(img)-BlockSize]), testOpts()); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated file: %v", err)
	}
	// Every single-block corruption is reported by Check, never missed.
	db := reopen(t, storage.NewMemFile(img), testOpts())
	hwm := db.state.rec.hwm
	free := db.free
	db.Close()
	for b := uint64(2); b < hwm; b++ {
		if free.has(b) {
			continue
		}
		bad := slices.Clone(img)
		bad[b*BlockSize+100] ^= 0x80
		err := checkImage(bad)
		if err == nil {
			t.Errorf("flip in live block %d not detected", b)
			continue
		}
		wantCorrupt(t, "flip", err)
	}
}
