package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"ringvault/storage"
	"ringvault/storage/faulty"
)

func TestRekey(t *testing.T) {
	db, f := newMem(t, testOpts())
	mustUpdate(t, db, func(tx *Tx) error { return tx.WriteFile("x", pattern(1, 5000), 0o600) })
	key := bytes.Repeat([]byte{7}, 32)
	if err := db.Rekey(Credential{Password: []byte("new pw"), KDF: &testKDF}, Credential{Key: key}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := OpenFile(f.Reopen(), testOpts()); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("old password still opens: %v", err)
	}
	for _, o := range []*Options{{Password: []byte("new pw")}, {Key: key}} {
		db := reopen(t, f.Reopen(), o)
		mustCheck(t, db)
		db.View(func(tx *Tx) error {
			if b, err := tx.ReadFile("x"); err != nil || !bytes.Equal(b, pattern(1, 5000)) {
				t.Errorf("after rekey: %v", err)
			}
			return nil
		})
	}
}

// TestRekeyCrash: a crash between the two commits of Rekey leaves a vault
// that opens with the old or the new password, never neither.
func TestRekeyCrash(t *testing.T) {
	db, f := newMem(t, testOpts())
	db.Close()
	base := f.Current()
	for n := 1; n <= 8; n++ {
		ff := faulty.New(base)
		db := reopen(t, ff, testOpts())
		ff.FailFrom(faulty.OpWrite, n, faulty.ErrCrashed)
		db.Rekey(Credential{Password: []byte("new pw"), KDF: &testKDF})
		img := ff.Crash(nil, faulty.DropAll)
		_, e1 := OpenFile(storage.NewMemFile(img), testOpts())
		_, e2 := OpenFile(storage.NewMemFile(img), &Options{Password: []byte("new pw")})
		if e1 != nil && e2 != nil {
			t.Fatalf("crash at write %d: neither password opens: %v / %v", n, e1, e2)
		}
	}
}

func TestCompact(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "v.vault")
	opts := testOpts()
	db, err := Create(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, db, func(tx *Tx) error {
		for i := range 20 {
			if err := tx.WriteFile(string(rune('a'+i)), pattern(byte(i), 50_000), 0o644); err != nil {
				return err
			}
		}
		f, err := tx.Create("sparse")
		if err != nil {
			return err
		}
		_, err = f.WriteAt([]byte("end"), 3_000_000)
		return err
	})
	mustUpdate(t, db, func(tx *Tx) error {
		for i := range 15 {
			if err := tx.Remove(string(rune('a' + i))); err != nil {
				return err
			}
		}
		return nil
	})
	want, _ := dbDigest(db)
	db.Close()
	hold, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, opts); !errors.Is(err, ErrLocked) {
		t.Errorf("second writer: %v", err)
	}
	if _, _, err := Compact(path, opts); !errors.Is(err, ErrLocked) {
		t.Fatalf("compact while locked: %v", err)
	}
	ro := *opts
	ro.ReadOnly = true
	if _, err := Open(path, &ro); !errors.Is(err, ErrLocked) {
		t.Errorf("reader while a writer holds the vault: %v", err)
	}
	hold.Close()
	r1, err := Open(path, &ro)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := Open(path, &ro)
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	if _, err := Open(path, opts); !errors.Is(err, ErrLocked) {
		t.Errorf("writer while readers hold the vault: %v", err)
	}
	r1.Close()
	r2.Close()
	before, after, err := Compact(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if after >= before {
		t.Errorf("compact: %d -> %d bytes", before, after)
	}
	db, err = Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustCheck(t, db)
	if got, _ := dbDigest(db); got != want {
		t.Errorf("compacted contents differ")
	}
	if _, err := os.Stat(path + ".compact"); err == nil {
		t.Errorf("temporary file left behind")
	}
}
