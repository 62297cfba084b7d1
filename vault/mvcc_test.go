package vault

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

// TestSnapshotIsolation: a reader keeps seeing its snapshot while the
// writer deletes and rewrites; blocks the reader can still see are not
// reused until it ends.
func TestSnapshotIsolation(t *testing.T) {
	db, _ := newMem(t, testOpts())
	mustUpdate(t, db, func(tx *Tx) error {
		for i := range 10 {
			if err := tx.WriteFile(fmt.Sprint("f", i), pattern(byte(i), 20_000), 0o644); err != nil {
				return err
			}
		}
		return nil
	})
	rd, err := db.begin(false)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 5 {
		mustUpdate(t, db, func(tx *Tx) error {
			for i := range 10 {
				name := fmt.Sprint("f", i)
				if round%2 == 0 {
					if err := tx.Remove(name); err != nil {
						return err
					}
				} else if err := tx.WriteFile(name, pattern(byte(100+round), 20_000), 0o644); err != nil {
					return err
				}
			}
			return tx.WriteFile(fmt.Sprint("new", round), pattern(0xEE, 60_000), 0o644)
		})
	}
	for i := range 10 {
		got, err := rd.ReadFile(fmt.Sprint("f", i))
		if err != nil || !bytes.Equal(got, pattern(byte(i), 20_000)) {
			t.Fatalf("reader snapshot changed under it: f%d: %v", i, err)
		}
	}
	hwm := db.state.rec.hwm
	rd.end()
	// With the reader gone, freed blocks are reused: the file stops growing.
	mustUpdate(t, db, func(tx *Tx) error { return tx.WriteFile("after", pattern(1, 200_000), 0o644) })
	if db.state.rec.hwm > hwm {
		t.Errorf("freed blocks not reused after the reader ended: hwm %d -> %d", hwm, db.state.rec.hwm)
	}
	mustCheck(t, db)
}

// TestConcurrentReaders runs readers in parallel with a writer (go test
// -race finds data races here).
func TestConcurrentReaders(t *testing.T) {
	db, _ := newMem(t, keyOpts())
	mustUpdate(t, db, func(tx *Tx) error { return tx.WriteFile("x", pattern(0, 50_000), 0o644) })
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 30 {
				err := db.View(func(tx *Tx) error {
					b, err := tx.ReadFile("x")
					if err != nil {
						return err
					}
					for _, c := range b[1:] {
						_ = c
					}
					if len(b) != 50_000 {
						return fmt.Errorf("reader %d: length %d", r, len(b))
					}
					_, err = tx.ReadDir(".")
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 30 {
		mustUpdate(t, db, func(tx *Tx) error {
			return tx.WriteFile("x", pattern(byte(i), 50_000), 0o644)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	mustCheck(t, db)
}
