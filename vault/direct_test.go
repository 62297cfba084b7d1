package vault

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

func readAll(t *testing.T, db *DB, name string) []byte {
	t.Helper()
	var b []byte
	err := db.View(func(tx *Tx) error {
		var err error
		b, err = tx.ReadFile(name)
		return err
	})
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return b
}

// TestDirectWrites runs the write path of a vault opened by path, where
// sealed runs bypass the page cache (storage.DirectIO): whole files,
// a file read back and patched inside the transaction that wrote it while
// its batches are in flight, and blocks freed by one transaction and
// rewritten directly by a later one after the process had read (and
// cached) their old content.
func TestDirectWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.vault")
	db, err := Create(path, keyOpts())
	if err != nil {
		t.Fatal(err)
	}
	db.testBatch = 300 // several batches per file, runs cut at odd places
	rng := rand.New(rand.NewPCG(9, 9))
	a := make([]byte, 3<<20+123)
	fill(rng, a)
	mustUpdate(t, db, func(tx *Tx) error {
		if err := tx.WriteFile("a", a, 0o644); err != nil {
			return err
		}
		got, err := tx.ReadFile("a") // blocks in the batch, in flight and on disk
		if err != nil {
			return err
		}
		if !bytes.Equal(got, a) {
			t.Errorf("read inside the writing transaction differs")
		}
		f, err := tx.OpenFile("a", os.O_RDWR, 0)
		if err != nil {
			return err
		}
		patch := []byte("patched across a block boundary")
		copy(a[bodySize*5-7:], patch)
		if _, err := f.WriteAt(patch, bodySize*5-7); err != nil {
			return err
		}
		return f.Close()
	})
	if db.direct() && db.dio.DirectBytes() < int64(len(a)) {
		t.Fatalf("vault on a real file wrote only %d bytes past the page cache", db.dio.DirectBytes())
	}
	if got := readAll(t, db, "a"); !bytes.Equal(got, a) {
		t.Fatal("file a differs after commit")
	}
	hwm := db.state.rec.hwm
	mustUpdate(t, db, func(tx *Tx) error { return tx.Remove("a") })
	b := make([]byte, len(a))
	fill(rng, b)
	mustUpdate(t, db, func(tx *Tx) error { return tx.WriteFile("b", b, 0o644) })
	if got := db.state.rec.hwm; got > hwm+16 {
		t.Fatalf("high-water mark grew from %d to %d: a's blocks were not reused", hwm, got)
	}
	if got := readAll(t, db, "b"); !bytes.Equal(got, b) {
		t.Fatal("file b (in a's old blocks) differs")
	}
	mustCheck(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(path, keyOpts())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := readAll(t, db, "b"); !bytes.Equal(got, b) {
		t.Fatal("file b differs after reopening")
	}
	mustCheck(t, db)
}
