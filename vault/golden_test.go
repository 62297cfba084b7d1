package vault

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ringvault/storage"
)

var update = flag.Bool("update", false, "rewrite testdata/v1-*.vault")

// goldenFiles is what testdata/v1-*.vault hold; the files were written by
// this package (go test -run Golden -update) and must stay readable by
// every later version: they pin format v1.
var goldenFiles = map[string][]byte{
	"readme.txt":         []byte("ringvault vault format v1 golden file\n"),
	"data/seq.bin":       pattern(3, 50_000),
	"data/deep/tiny.txt": []byte("x"),
}

func goldenOpts(suite byte) *Options {
	return &Options{Password: []byte("golden"), KDF: &testKDF, Suite: &suite,
		Now: func() time.Time { return time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC) }}
}

func TestGolden(t *testing.T) {
	for name, suite := range map[string]byte{"v1-xaes.vault": SuiteXAES, "v1-xchacha.vault": SuiteXChaCha} {
		path := filepath.Join("testdata", name)
		if *update {
			os.Remove(path)
			db, err := Create(path, goldenOpts(suite))
			if err != nil {
				t.Fatal(err)
			}
			mustUpdate(t, db, func(tx *Tx) error {
				for n, b := range goldenFiles {
					if err := tx.MkdirAll(filepath.Dir(n), 0o755); err != nil {
						return err
					}
					if err := tx.WriteFile(n, b, 0o640); err != nil {
						return err
					}
				}
				return tx.Symlink("data/seq.bin", "link")
			})
			db.Close()
		}
		img, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		db, err := OpenFile(storage.NewMemFile(img), goldenOpts(suite))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		mustCheck(t, db)
		if db.Suite() != suite {
			t.Errorf("%s: suite %d", name, db.Suite())
		}
		db.View(func(tx *Tx) error {
			for n, want := range goldenFiles {
				got, err := tx.ReadFile(n)
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("%s: %s: %v", name, n, err)
				}
			}
			if l, err := tx.Readlink("link"); err != nil || l != "data/seq.bin" {
				t.Errorf("%s: link %q %v", name, l, err)
			}
			return nil
		})
	}
}
