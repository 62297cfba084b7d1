package vault

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"testing"
	"testing/fstest"
)

func TestRoundTrip(t *testing.T) {
	for _, suite := range []byte{SuitePlain, SuiteXAES, SuiteXChaCha} {
		opts := testOpts()
		opts.Suite = &suite
		db, f := newMem(t, opts)
		big := make([]byte, 700_000)
		fill(rand.New(rand.NewPCG(1, 2)), big)
		mustUpdate(t, db, func(tx *Tx) error {
			if err := tx.MkdirAll("a/b/c", 0o755); err != nil {
				return err
			}
			if err := tx.WriteFile("a/small.txt", []byte("hello"), 0o644); err != nil {
				return err
			}
			if err := tx.WriteFile("a/b/big.bin", big, 0o600); err != nil {
				return err
			}
			if err := tx.Symlink("../small.txt", "a/b/ln"); err != nil {
				return err
			}
			return tx.Link("a/small.txt", "a/hard")
		})
		mustCheck(t, db)
		db.Close()
		db = reopen(t, f.Reopen(), opts)
		mustCheck(t, db)
		err := db.View(func(tx *Tx) error {
			got, err := tx.ReadFile("a/b/big.bin")
			if err != nil {
				return err
			}
			if !bytes.Equal(got, big) {
				t.Errorf("suite %d: big file differs", suite)
			}
			got, err = tx.ReadFile("a/b/ln")
			if err != nil || string(got) != "hello" {
				t.Errorf("symlink read: %q %v", got, err)
			}
			fi, err := tx.Stat("a/hard")
			if err != nil || fi.Sys().(*EntryInfo).Nlink != 2 {
				t.Errorf("hard link: %v %v", fi, err)
			}
			return fstest.TestFS(tx.FS(), "a/small.txt", "a/b/big.bin", "a/b/c", "a/hard")
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := fstest.TestFS(db.FS(), "a/small.txt", "a/b/big.bin", "a/b/c"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFileOps(t *testing.T) {
	db, _ := newMem(t, testOpts())
	mustUpdate(t, db, func(tx *Tx) error {
		f, err := tx.Create("f")
		if err != nil {
			return err
		}
		data := bytes.Repeat([]byte("0123456789"), 2000)
		if _, err := f.Write(data); err != nil {
			return err
		}
		if _, err := f.WriteAt([]byte("XYZ"), 10_000_000); err != nil {
			return err
		}
		if sz, _ := f.Size(); sz != 10_000_003 {
			t.Errorf("size %d", sz)
		}
		buf := make([]byte, 5)
		if _, err := f.ReadAt(buf, 5_000_000); err != nil || !bytes.Equal(buf, make([]byte, 5)) {
			t.Errorf("hole read %q %v", buf, err)
		}
		if err := f.Truncate(15); err != nil {
			return err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		got, _ := io.ReadAll(f)
		if string(got) != "012345678901234" {
			t.Errorf("after truncate: %q", got)
		}
		if err := f.Truncate(5000); err != nil {
			return err
		}
		got = make([]byte, 5000)
		f.ReadAt(got, 0)
		if !bytes.Equal(got[15:], make([]byte, 4985)) {
			t.Errorf("extended region not zero")
		}
		return f.Close()
	})
	mustCheck(t, db)
	mustUpdate(t, db, func(tx *Tx) error {
		if err := tx.Rename("f", "g"); err != nil {
			return err
		}
		if _, err := tx.Stat("f"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("stat after rename: %v", err)
		}
		if err := tx.Mkdir("d", 0o700); err != nil {
			return err
		}
		if err := tx.Mkdir("d", 0o700); !errors.Is(err, fs.ErrExist) {
			t.Errorf("mkdir twice: %v", err)
		}
		if err := tx.Rename("g", "d/g"); err != nil {
			return err
		}
		if err := tx.Remove("d"); err == nil {
			t.Errorf("removed non-empty dir")
		}
		if _, err := tx.OpenFile("d/g", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); !errors.Is(err, fs.ErrExist) {
			t.Errorf("O_EXCL: %v", err)
		}
		return tx.RemoveAll("d")
	})
	mustCheck(t, db)
	db.View(func(tx *Tx) error {
		d, err := tx.ReadDir(".")
		if err != nil || len(d) != 0 {
			t.Errorf("root not empty: %v %v", d, err)
		}
		return nil
	})
}

func TestManyFiles(t *testing.T) {
	db, f := newMem(t, keyOpts())
	names := map[string][]byte{}
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 5 {
		mustUpdate(t, db, func(tx *Tx) error {
			for i := range 400 {
				name := "dir" + string(rune('a'+i%7)) + "/" + randName(rng)
				data := make([]byte, rng.IntN(3000))
				fill(rng, data)
				if err := tx.MkdirAll(name[:4], 0o755); err != nil {
					return err
				}
				if err := tx.WriteFile(name, data, 0o644); err != nil {
					return err
				}
				names[name] = data
			}
			n := 0
			for name := range names {
				if n++; n > 100*round {
					break
				}
				if err := tx.Remove(name); err != nil {
					return err
				}
				delete(names, name)
			}
			return nil
		})
		mustCheck(t, db)
	}
	db.Close()
	db = reopen(t, f.Reopen(), keyOpts())
	mustCheck(t, db)
	db.View(func(tx *Tx) error {
		for name, data := range names {
			got, err := tx.ReadFile(name)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("%s: %v", name, err)
			}
		}
		return nil
	})
}

func randName(rng *rand.Rand) string {
	b := make([]byte, 5+rng.IntN(20))
	for i := range b {
		b[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[rng.IntN(36)]
	}
	return string(b)
}

// TestStreamGrowth grows files across every representation: inline in
// the entry, one block, an inline root map, map blocks of depth 1 and 2,
// in separate transactions, and shrinks them back.
func TestStreamGrowth(t *testing.T) {
	db, f := newMem(t, testOpts())
	sizes := []int{100, 3000, 9000, 30_000, 600_000, 40_000, 70_000, 20_000, 5000, 0, 30_000, 700_000}
	var want []byte
	for i, n := range sizes {
		mustUpdate(t, db, func(tx *Tx) error {
			fh, err := tx.OpenFile("g", os.O_RDWR|os.O_CREATE, 0o644)
			if err != nil {
				return err
			}
			if n < len(want) {
				want = want[:n]
				return fh.Truncate(int64(n))
			}
			add := pattern(byte(i), n-len(want))
			want = append(want, add...)
			_, err = fh.WriteAt(add, int64(len(want)-len(add)))
			return err
		})
		mustCheck(t, db)
		db.View(func(tx *Tx) error {
			got, err := tx.ReadFile("g")
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("size %d: %v", n, err)
			}
			return nil
		})
	}
	// A sparse write far past an inline root map grows the tree without
	// touching the old blocks.
	mustUpdate(t, db, func(tx *Tx) error { return tx.WriteFile("g", want[:30_000], 0o644) })
	mustUpdate(t, db, func(tx *Tx) error {
		fh, err := tx.OpenFile("g", os.O_RDWR, 0)
		if err != nil {
			return err
		}
		_, err = fh.WriteAt([]byte("Z"), 3_000_000)
		return err
	})
	want = append(want[:30_000], make([]byte, 3_000_000-30_000)...)
	want = append(want, 'Z')
	db.Close()
	db = reopen(t, f.Reopen(), testOpts())
	mustCheck(t, db)
	db.View(func(tx *Tx) error {
		got, err := tx.ReadFile("g")
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("sparse growth: %v", err)
		}
		return nil
	})
}
