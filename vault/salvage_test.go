package vault

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"ringvault/storage"
)

func TestSalvage(t *testing.T) {
	db, f := newMem(t, testOpts())
	for round := range 4 {
		mustUpdate(t, db, func(tx *Tx) error {
			for d := range 4 {
				if err := tx.MkdirAll(fmt.Sprintf("d%d/sub", d), 0o755); err != nil {
					return err
				}
			}
			for i := range 150 {
				name := fmt.Sprintf("d%d/sub/file-with-a-longish-name-%03d", i%4, i)
				if err := tx.WriteFile(name, pattern(byte(i+round), 500+i*97), 0o644); err != nil {
					return err
				}
			}
			if round == 2 {
				return tx.Rename("d1/sub", "d0/moved")
			}
			return nil
		})
	}
	want, err := dbDigest(db)
	if err != nil {
		t.Fatal(err)
	}
	root := db.state.rec.catalog
	if db.state.rec.height < 2 {
		t.Fatalf("catalog too small for this test (height %d)", db.state.rec.height)
	}
	db.Close()
	img := f.Current()
	// Destroy the catalog root: the vault no longer opens.
	img[root.Block*BlockSize+500] ^= 0xff
	if _, err := OpenFile(storage.NewMemFile(img), testOpts()); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("damaged vault opened: %v", err)
	}
	out := storage.NewMemFile(nil)
	rep, err := Salvage(storage.NewMemFile(img), testOpts(), out)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Damaged) == 0 || rep.Entries == 0 {
		t.Errorf("report: %+v", rep)
	}
	sdb := reopen(t, out, testOpts())
	mustCheck(t, sdb)
	got, err := dbDigest(sdb)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("salvaged contents differ (%d lost)", rep.Lost)
	}
	if _, err := Salvage(storage.NewMemFile(img), &Options{Password: []byte("x")}, storage.NewMemFile(nil)); !errors.Is(err, ErrWrongKey) {
		t.Errorf("wrong password: %v", err)
	}
}

// TestSalvageRandomDamage: whatever blocks are destroyed, Salvage does not
// fail or panic and its result passes Check.
func TestSalvageRandomDamage(t *testing.T) {
	db, f := newMem(t, testOpts())
	mustUpdate(t, db, func(tx *Tx) error {
		for d := range 6 {
			if err := tx.MkdirAll(fmt.Sprintf("d%d/e%d", d, d), 0o755); err != nil {
				return err
			}
			for i := range 40 {
				if err := tx.WriteFile(fmt.Sprintf("d%d/e%d/f%02d-with-a-long-name-to-fill-leaves", d, d, i), pattern(byte(i), 200+i*300), 0o644); err != nil {
					return err
				}
			}
		}
		return tx.Symlink("d0", "ln")
	})
	mustUpdate(t, db, func(tx *Tx) error { return tx.Rename("d1", "d0/e0/moved") })
	db.Close()
	img := f.Current()
	rng := rand.New(rand.NewPCG(8, 8))
	for round := range 25 {
		bad := slices.Clone(img)
		for range 1 + rng.IntN(6) {
			b := 2 + rng.IntN(len(img)/BlockSize-2)
			bad[b*BlockSize+rng.IntN(BlockSize)] ^= 0x40
		}
		out := storage.NewMemFile(nil)
		if _, err := Salvage(storage.NewMemFile(bad), testOpts(), out); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		sdb := reopen(t, out, testOpts())
		if err := sdb.Check(); err != nil {
			t.Fatalf("round %d: salvaged vault fails Check: %v", round, err)
		}
		if _, err := dbDigest(sdb); err != nil {
			t.Fatalf("round %d: salvaged vault unreadable: %v", round, err)
		}
	}
}
