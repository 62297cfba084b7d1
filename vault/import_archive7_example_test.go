package vault_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"ringvault/vault"
)

// ExampleImportArchive7 imports an Angelos archive7 file, made by archive7
// itself with the password "correct horse battery staple", into a new vault.
func ExampleImportArchive7() {
	dir, err := os.MkdirTemp("", "archive7-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := vault.Create(filepath.Join(dir, "box.vault"), &vault.Options{Key: make([]byte, 32)})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	key := vault.Archive7Key("correct horse battery staple")
	rep, err := vault.ImportArchive7(db, "testdata/archive7/basic.ar7", key, &vault.Archive7Options{Into: "old"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep)
	err = db.View(func(tx *vault.Tx) error {
		b, err := tx.ReadFile("old/hello.txt")
		fmt.Printf("%q\n", b)
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// 5 directories, 7 files (72257 bytes), 2 links; 2 deleted entries left out
	// "hello, archive7\n"
}
