package vault_test

import (
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"

	"ringvault/vault"
)

func Example() {
	dir, _ := os.MkdirTemp("", "vault-example")
	defer os.RemoveAll(dir)
	opts := &vault.Options{
		Password: []byte("correct horse battery staple"),
		KDF:      &vault.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}, // use the defaults in real life
	}
	db, err := vault.Create(filepath.Join(dir, "notes.vault"), opts)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// One transaction: all of it or nothing reaches the disk.
	err = db.Update(func(tx *vault.Tx) error {
		if err := tx.MkdirAll("2026/11", 0o755); err != nil {
			return err
		}
		return tx.WriteFile("2026/11/22.txt", []byte("hello, vault\n"), 0o644)
	})
	if err != nil {
		log.Fatal(err)
	}

	// Readers see a consistent snapshot; the fs.FS view works with io/fs.
	b, err := fs.ReadFile(db.FS(), "2026/11/22.txt")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(b))
	matches, _ := fs.Glob(db.FS(), "2026/*/*.txt")
	fmt.Println(matches)
	fmt.Println(db.Check())
	// Output:
	// hello, vault
	// [2026/11/22.txt]
	// <nil>
}
