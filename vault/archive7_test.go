package vault

import (
	"errors"
	"io/fs"
	"slices"
	"testing"
	"time"

	"ringvault/storage"
)

func TestArchive7Ops(t *testing.T) {
	db, _ := newMem(t, testOpts())
	mustUpdate(t, db, func(tx *Tx) error {
		if err := tx.MkdirAll("docs/old", 0o755); err != nil {
			return err
		}
		for _, n := range []string{"docs/a.txt", "docs/b.md", "docs/old/c.txt"} {
			if err := tx.Mkfile(n, []byte(n), 0o644); err != nil {
				return err
			}
		}
		if err := tx.Mkfile("docs/a.txt", nil, 0o644); !errors.Is(err, fs.ErrExist) {
			t.Errorf("mkfile over existing: %v", err)
		}
		if err := tx.LinkEntry("docs/b.md", "b-link"); err != nil {
			return err
		}
		if err := tx.Move("docs/b.md", "docs/old"); err != nil {
			return err
		}
		// The entry link follows the entry, wherever it moved.
		if b, err := tx.ReadFile("b-link"); err != nil || string(b) != "docs/b.md" {
			t.Errorf("entry link after move: %q %v", b, err)
		}
		if !tx.IsLink("b-link") || !tx.IsDir("docs/old") || !tx.IsFile("docs/a.txt") || tx.IsFile("docs") {
			t.Errorf("isdir/isfile/islink wrong")
		}
		if err := tx.RenameBase("docs/a.txt", "z.txt"); err != nil {
			return err
		}
		if err := tx.SetOwnerNames("docs/z.txt", "alice", "staff"); err != nil {
			return err
		}
		return tx.RemoveLevel("docs/old/c.txt", Soft)
	})
	mustCheck(t, db)
	db.View(func(tx *Tx) error {
		got, err := tx.Search(Query{Pattern: "*.txt"})
		if err != nil || !slices.Equal(got, []string{"docs/z.txt"}) {
			t.Errorf("search *.txt: %v %v", got, err)
		}
		got, _ = tx.Search(Query{Pattern: "*.txt", Deleted: true})
		if !slices.Equal(got, []string{"docs/old/c.txt", "docs/z.txt"}) {
			t.Errorf("search with deleted: %v", got)
		}
		got, _ = tx.Search(Query{Type: "dir"})
		if !slices.Equal(got, []string{"docs", "docs/old"}) {
			t.Errorf("search dirs: %v", got)
		}
		got, _ = tx.Search(Query{User: "alice"})
		if !slices.Equal(got, []string{"docs/z.txt"}) {
			t.Errorf("search user: %v", got)
		}
		got, _ = tx.Search(Query{ModifiedAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)})
		if len(got) != 0 {
			t.Errorf("search future: %v", got)
		}
		if _, err := tx.Stat("docs/old/c.txt"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("soft-deleted still visible: %v", err)
		}
		m, _ := tx.Glob("docs/*")
		if !slices.Equal(m, []string{"docs/old", "docs/z.txt"}) {
			t.Errorf("glob: %v", m)
		}
		return nil
	})
	mustUpdate(t, db, func(tx *Tx) error {
		if err := tx.Undelete("docs/old/c.txt"); err != nil {
			return err
		}
		if b, err := tx.ReadFile("docs/old/c.txt"); err != nil || string(b) != "docs/old/c.txt" {
			t.Errorf("undelete: %q %v", b, err)
		}
		if err := tx.RemoveLevel("docs/old/c.txt", Hard); err != nil {
			return err
		}
		return tx.Undelete("docs/old/c.txt")
	})
	mustCheck(t, db)
	db.View(func(tx *Tx) error {
		if b, err := tx.ReadFile("docs/old/c.txt"); err != nil || len(b) != 0 {
			t.Errorf("hard delete kept data: %q %v", b, err)
		}
		return nil
	})
}

// TestStorageFile uses a vault file through the storage.File interface, as
// a Whisper database or a PING log inside a vault does.
func TestStorageFile(t *testing.T) {
	db, f := newMem(t, testOpts())
	mustUpdate(t, db, func(tx *Tx) error {
		vf, err := tx.Create("metrics.wsp")
		if err != nil {
			return err
		}
		var sf storage.File = vf
		if _, err := sf.WriteAt(pattern(5, 100_000), 0); err != nil {
			return err
		}
		if err := sf.Truncate(60_000); err != nil {
			return err
		}
		if _, err := sf.WriteAt([]byte("tail"), 59_996); err != nil {
			return err
		}
		if sz, err := sf.Size(); err != nil || sz != 60_000 {
			t.Errorf("size %d %v", sz, err)
		}
		buf := make([]byte, 4)
		if err := storage.ReadFull(sf, buf, 59_996); err != nil || string(buf) != "tail" {
			t.Errorf("read back %q %v", buf, err)
		}
		if err := sf.Sync(); err != nil {
			return err
		}
		return sf.Close()
	})
	db.Close()
	db = reopen(t, f.Reopen(), testOpts())
	db.View(func(tx *Tx) error {
		b, err := tx.ReadFile("metrics.wsp")
		want := append(pattern(5, 100_000)[:59_996], "tail"...)
		if err != nil || string(b) != string(want) {
			t.Errorf("after reopen: %v", err)
		}
		return nil
	})
}
