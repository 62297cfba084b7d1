package vault

import (
	"testing"
	"time"

	"ringvault/storage"
	"ringvault/storage/faulty"
)

var testKDF = KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

func testOpts() *Options {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	n := 0
	return &Options{Password: []byte("correct horse"), KDF: &testKDF, Now: func() time.Time {
		n++
		return t0.Add(time.Duration(n) * time.Second)
	}}
}

func keyOpts() *Options {
	o := testOpts()
	o.Password = nil
	o.Key = []byte("0123456789abcdef0123456789abcdef")
	return o
}

func newMem(t testing.TB, opts *Options) (*DB, *faulty.File) {
	t.Helper()
	f := faulty.New(nil)
	db, err := CreateFile(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	return db, f
}

func reopen(t testing.TB, f storage.File, opts *Options) *DB {
	t.Helper()
	db, err := OpenFile(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func mustUpdate(t testing.TB, db *DB, fn func(tx *Tx) error) {
	t.Helper()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func mustCheck(t testing.TB, db *DB) {
	t.Helper()
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
}

func fill(rng interface{ Uint64() uint64 }, b []byte) {
	for i := range b {
		b[i] = byte(rng.Uint64())
	}
}
