package vault

import (
	"errors"
	"syscall"
	"testing"

	"ringvault/storage/faulty"
)

// TestRollback: an Update whose function fails leaves nothing behind, even
// after it wrote blocks mid-transaction.
func TestRollback(t *testing.T) {
	db, f := newMem(t, testOpts())
	db.testBatch = 4
	mustUpdate(t, db, func(tx *Tx) error { return tx.WriteFile("keep", pattern(1, 40_000), 0o644) })
	want, _ := dbDigest(db)
	boom := errors.New("boom")
	for range 3 {
		err := db.Update(func(tx *Tx) error {
			if err := tx.WriteFile("big", pattern(2, 2_000_000), 0o644); err != nil {
				return err
			}
			if err := tx.Remove("keep"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("update: %v", err)
		}
		if got, _ := dbDigest(db); got != want {
			t.Fatalf("rolled back transaction visible")
		}
		mustCheck(t, db)
	}
	mustUpdate(t, db, func(tx *Tx) error { return tx.WriteFile("next", pattern(3, 10_000), 0o644) })
	mustCheck(t, db)
	db.Close()
	mustCheck(t, reopen(t, f.Reopen(), testOpts()))
}

// TestIOErrors injects EIO and ENOSPC at every write and sync of a
// transaction: the Update fails, the handle refuses further work, and the
// file reopens at the state before or after the transaction.
func TestIOErrors(t *testing.T) {
	db, f := newMem(t, testOpts())
	mustUpdate(t, db, func(tx *Tx) error { return tx.WriteFile("a", pattern(1, 30_000), 0o644) })
	db.Close()
	base := f.Current()
	before, _ := dbDigest(reopen(t, faulty.New(base), testOpts()))
	step := func(tx *Tx) error {
		if err := tx.WriteFile("b", pattern(2, 90_000), 0o644); err != nil {
			return err
		}
		return tx.Remove("a")
	}
	clean := faulty.New(base)
	cdb := reopen(t, clean, testOpts())
	mustUpdate(t, cdb, step)
	after, _ := dbDigest(cdb)
	for _, op := range []faulty.Op{faulty.OpWrite, faulty.OpSync} {
		for n := 1; n <= clean.Calls(op); n++ {
			for _, errno := range []error{syscall.EIO, syscall.ENOSPC} {
				ff := faulty.New(base)
				db := reopen(t, ff, testOpts())
				ff.FailOn(op, n, errno)
				err := db.Update(step)
				if !errors.Is(err, errno) {
					t.Fatalf("%v %d: %v", op, n, err)
				}
				if err := db.Update(func(*Tx) error { return nil }); err == nil {
					t.Fatalf("%v %d: handle still usable after a failed commit", op, n)
				}
				rdb := reopen(t, ff.Reopen(), testOpts())
				got, err := dbDigest(rdb)
				if err != nil || (got != before && got != after) {
					t.Fatalf("%v %d: reopened state is neither before nor after: %v", op, n, err)
				}
				mustCheck(t, rdb)
			}
		}
	}
}

// TestIgnoredWriteError: a block write fails (in the background writer)
// and the caller ignores every error its writes return: the commit is
// still refused and the file reopens at the state before.
func TestIgnoredWriteError(t *testing.T) {
	db, f := newMem(t, testOpts())
	mustUpdate(t, db, func(tx *Tx) error { return tx.WriteFile("a", pattern(1, 30_000), 0o644) })
	db.Close()
	base := f.Current()
	before, _ := dbDigest(reopen(t, faulty.New(base), testOpts()))
	for n := 1; n <= 3; n++ {
		ff := faulty.New(base)
		db := reopen(t, ff, testOpts())
		db.testBatch = 8
		ff.FailOn(faulty.OpWrite, n, syscall.EIO)
		err := db.Update(func(tx *Tx) error {
			fl, err := tx.Create("b")
			if err != nil {
				return err
			}
			for range 300 {
				fl.Write(pattern(2, 8000)) // errors ignored
			}
			fl.Close()
			return nil
		})
		if !errors.Is(err, syscall.EIO) {
			t.Fatalf("write %d fails: Update = %v, want EIO", n, err)
		}
		got, err := dbDigest(reopen(t, ff.Reopen(), testOpts()))
		if err != nil || got != before {
			t.Fatalf("write %d fails: reopened state differs from before: %v", n, err)
		}
	}
}
