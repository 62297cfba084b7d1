package vault

import (
	"bytes"
	"io"
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

// TestLargeReads reads a file with holes through every large-read path:
// sequential reads of several sizes (whole chunks read ahead in the
// background), reads going backwards and at random offsets (only the
// blocks asked for), on a real file (direct reads) and in memory.
func TestLargeReads(t *testing.T) {
	for _, real := range []bool{true, false} {
		var db *DB
		if real {
			var err error
			db, err = Create(filepath.Join(t.TempDir(), "r.vault"), keyOpts())
			if err != nil {
				t.Fatal(err)
			}
		} else {
			db, _ = newMem(t, keyOpts())
		}
		rng := rand.New(rand.NewPCG(5, 5))
		want := make([]byte, 5<<20+777)
		fill(rng, want[:2<<20])
		fill(rng, want[3<<20:]) // [2 MiB, 3 MiB) is a hole
		mustUpdate(t, db, func(tx *Tx) error {
			f, err := tx.Create("f")
			if err != nil {
				return err
			}
			if _, err := f.WriteAt(want[:2<<20], 0); err != nil {
				return err
			}
			if _, err := f.WriteAt(want[3<<20:], 3<<20); err != nil {
				return err
			}
			return f.Close()
		})
		err := db.View(func(tx *Tx) error {
			for _, piece := range []int{1 << 20, 300_000, 64 << 10, 17_000} {
				f, err := tx.Open("f")
				if err != nil {
					return err
				}
				buf := make([]byte, piece)
				var got bytes.Buffer // Read in pieces, in order
				_, err = io.CopyBuffer(struct{ io.Writer }{&got}, struct{ io.Reader }{f}, buf)
				if err != nil || !bytes.Equal(got.Bytes(), want) {
					t.Fatalf("real=%v piece %d: Read: %v, equal %v", real, piece, err, bytes.Equal(got.Bytes(), want))
				}
				for off := int64(0); off < int64(len(want)); off += int64(piece) {
					n, err := f.ReadAt(buf, off)
					if (err != nil && err != io.EOF) || !bytes.Equal(buf[:n], want[off:min(off+int64(piece), int64(len(want)))]) {
						t.Fatalf("real=%v piece %d: ReadAt at %d: %d, %v", real, piece, off, n, err)
					}
				}
				for off := int64(len(want)) - int64(piece); off >= 0; off -= int64(piece) * 3 / 2 {
					n, err := f.ReadAt(buf, off)
					if err != nil || !bytes.Equal(buf[:n], want[off:off+int64(piece)]) {
						t.Fatalf("real=%v piece %d: backwards ReadAt at %d: %d, %v", real, piece, off, n, err)
					}
				}
				for range 20 {
					off := rng.Int64N(int64(len(want)))
					n, err := f.ReadAt(buf, off)
					if (err != nil && err != io.EOF) || !bytes.Equal(buf[:n], want[off:min(off+int64(piece), int64(len(want)))]) {
						t.Fatalf("real=%v piece %d: random ReadAt at %d: %d, %v", real, piece, off, n, err)
					}
				}
				f.Close()
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
