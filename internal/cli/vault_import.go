package cli

import (
	"errors"
	"fmt"
	"os"

	"ringvault/internal/progress"
	"ringvault/vault"
)

func init() {
	vaultCommands["import-archive7"] = vaultImportArchive7
}

const importArchive7Usage = `[OPTIONS] VAULT ARCHIVE7FILE

Import an Angelos archive7 file (.ar7) into the vault, in one transaction:
directories, files, entry links, perms, user, group, owner and times.
Every block used is authenticated and checked (docs/format/archive7.md).

The archive7 secret (archive7's own rule: 64 hex digits are the key,
anything else is a password whose key is the last 32 bytes of its SHA-512)
comes from, in this order:
  --secret-file FILE    32 raw bytes or 64 hex digits (a key)
  --secret-env VAR      the secret in environment variable VAR
  a prompt              when standard input is a terminal
The vault's own password or key comes from --key-file, RINGVAULT_PASSWORD
or a prompt, as for every vault command.`

func vaultImportArchive7(c *vaultCmd, args []string) int {
	secretFile := c.fs.String("secret-file", "", "read the archive7 key from `FILE` (32 raw bytes or 64 hex digits)")
	secretEnv := c.fs.String("secret-env", "", "read the archive7 secret (key or password) from environment variable `VAR`")
	to := c.fs.String("to", "", "import under vault directory `DIR` (made if missing)")
	deleted := c.fs.Bool("deleted", false, "import soft-deleted entries as deleted vault entries (default: leave them out)")
	salvage := c.fs.Bool("salvage", false, "skip damaged parts and report them instead of failing")
	links := c.fs.String("links", "entry", "archive7 links become vault entry `links` (entry) or hard links and symlinks (portable)")
	create := c.fs.Bool("create", false, "create the vault if it does not exist")
	kdf := addKDFFlags(c.fs)
	rest, code := c.parse(args, importArchive7Usage, 2, 2)
	if code >= 0 {
		return code
	}
	opts := &vault.Archive7Options{Into: *to, Deleted: *deleted, Salvage: *salvage}
	switch *links {
	case "entry":
	case "portable":
		opts.Links = vault.Archive7PortableLinks
	default:
		fmt.Fprintf(c.env.Stderr, "ringvault vault import-archive7: unknown --links %q (use entry or portable)\n", *links)
		return 2
	}
	key, err := c.archive7Key(*secretFile, *secretEnv)
	if err != nil {
		return c.fail(err)
	}
	f, err := os.Open(rest[1])
	if err != nil {
		return c.fail(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return c.fail(err)
	}
	a, err := vault.OpenArchive7(f, st.Size(), rest[1], key, *salvage)
	if err != nil {
		return c.failArchive7(err)
	}
	db, err := c.openOrCreate(rest[0], *create, kdf)
	if err != nil {
		return c.fail(err)
	}
	defer db.Close()
	bar := progress.New(c.env.Stderr, "import-archive7", a.ContentBytes(*deleted), c.env.IsTerminal(c.env.Stderr))
	opts.Progress = bar.Add
	var rep vault.Archive7Report
	err = db.Update(func(tx *vault.Tx) error {
		rep, err = a.ImportTo(tx, opts)
		return err
	})
	bar.Finish()
	for _, p := range rep.Problems {
		fmt.Fprintf(c.env.Stderr, "ringvault vault import-archive7: warning: %s\n", p)
	}
	if err != nil {
		return c.failArchive7(err)
	}
	if err := db.Close(); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.env.Stdout, "%s -> %s: imported %s\n", rest[1], rest[0], rep)
	return 0
}

// failArchive7 is fail with what to do about archive7 errors.
func (c *vaultCmd) failArchive7(err error) int {
	switch {
	case errors.Is(err, vault.ErrArchive7Key):
		err = fmt.Errorf("%w (check the archive7 secret: 64 hex digits are a key, anything else a password)", err)
	case errors.Is(err, vault.ErrArchive7Corrupt):
		err = fmt.Errorf("%w (--salvage imports what can still be read)", err)
	}
	return c.fail(err)
}

// archive7Key gets the archive7 secret and applies archive7's key rule.
func (c *vaultCmd) archive7Key(file, env string) ([32]byte, error) {
	var k [32]byte
	pw, key, err := c.credentials(file, env, "archive7 key or password: ", false)
	if errors.Is(err, vault.ErrNoKey) {
		return k, errors.New("no archive7 secret: use --secret-file or --secret-env, or run on a terminal")
	}
	if err != nil {
		return k, err
	}
	if key != nil {
		copy(k[:], key)
		return k, nil
	}
	return vault.Archive7Key(string(pw)), nil
}

// openOrCreate opens the vault, or with create makes it when it is missing.
func (c *vaultCmd) openOrCreate(path string, create bool, kdf kdfFlags) (*vault.DB, error) {
	if _, err := os.Stat(path); create && errors.Is(err, os.ErrNotExist) {
		pw, key, err := c.credentials(c.keyFile, "RINGVAULT_PASSWORD", "New vault password: ", true)
		if err != nil {
			return nil, err
		}
		return vault.Create(path, &vault.Options{Password: pw, Key: key, KDF: kdf.params(), Now: c.env.Now})
	}
	return c.open(path, false)
}
