package cli

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"ringvault/storage"
	"ringvault/vault"
)

func init() {
	Register(&Tool{Name: "vault", Summary: "encrypted, crash-safe single-file container (archive7 successor)", Run: runVault})
}

const vaultUsage = `Usage: ringvault vault COMMAND [OPTIONS] VAULT [ARGS...]

An encrypted, crash-safe single-file container for directory trees
(format: docs/format/vault.md).

Commands:
  create  VAULT                  make a new, empty vault
  add     VAULT PATH...          add files and directory trees (tar-like: modes,
                                 times and symlinks kept); --to DIR puts them under DIR
  extract VAULT [PATH...]        extract everything or PATHs into -C DIR (default .)
  ls      VAULT [PATH...]        list a directory (-l long, -R recursive)
  cat     VAULT PATH...          write files to standard output
  rm      VAULT PATH...          remove (-r trees; --soft / --hard: archive7 delete levels)
  mv      VAULT SRC DST          rename or move
  mkdir   VAULT PATH...          make directories (-p: parents too)
  check   VAULT                  verify every block and the catalog (exit 1 if damaged)
  compact VAULT                  rewrite without free space
  passwd  VAULT                  change the password or key (rewrites only the key slots)
  info    VAULT                  show the format, keys and sizes
  salvage VAULT NEW              rebuild a damaged vault from its surviving blocks into NEW
  import-archive7 VAULT FILE     import an Angelos archive7 file (--secret-file / --secret-env)

Password or key (in this order):
  --key-file FILE                a raw 32-byte key (32 bytes, or 64 hex digits)
  RINGVAULT_PASSWORD             environment variable
  a prompt                       when standard input is a terminal
passwd takes the new one from --new-key-file, RINGVAULT_NEW_PASSWORD or a prompt.

Run 'ringvault vault COMMAND --help' for a command's options.
`

type vaultCmd struct {
	env     *Env
	fs      *flag.FlagSet
	keyFile string
	name    string
}

var vaultCommands = map[string]func(c *vaultCmd, args []string) int{
	"create": vaultCreate, "add": vaultAdd, "extract": vaultExtract, "ls": vaultLs, "cat": vaultCat,
	"rm": vaultRm, "mv": vaultMv, "mkdir": vaultMkdir, "check": vaultCheck, "compact": vaultCompact,
	"passwd": vaultPasswd, "info": vaultInfo, "salvage": vaultSalvage,
}

func runVault(env *Env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := env.Stdout
		if len(args) == 0 {
			w = env.Stderr
		}
		fmt.Fprint(w, vaultUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	run, ok := vaultCommands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "ringvault vault: unknown command %q\n%s", args[0], vaultUsage)
		return 2
	}
	c := &vaultCmd{env: env, name: args[0], fs: flag.NewFlagSet("ringvault vault "+args[0], flag.ContinueOnError)}
	c.fs.SetOutput(env.Stderr)
	c.fs.StringVar(&c.keyFile, "key-file", "", "read a raw 32-byte key from `FILE` instead of a password")
	return run(c, args[1:])
}

// parse parses flags and checks the number of positional arguments.
func (c *vaultCmd) parse(args []string, usage string, minArgs, maxArgs int) ([]string, int) {
	c.fs.Usage = func() {
		fmt.Fprintf(c.fs.Output(), "Usage: ringvault vault %s %s\n\nOptions:\n", c.name, usage)
		c.fs.PrintDefaults()
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			c.fs.SetOutput(c.env.Stdout)
			c.fs.Usage()
			return nil, 0
		}
	}
	if err := c.fs.Parse(args); err != nil {
		return nil, 2
	}
	rest := c.fs.Args()
	if len(rest) < minArgs || (maxArgs >= 0 && len(rest) > maxArgs) {
		c.fs.Usage()
		return nil, 2
	}
	return rest, -1
}

func (c *vaultCmd) fail(err error) int {
	fmt.Fprintf(c.env.Stderr, "ringvault vault %s: %s\n", c.name, explain(err))
	return 1
}

// explain adds what to do to the errors a user can act on.
func explain(err error) string {
	switch {
	case errors.Is(err, vault.ErrWrongKey):
		return err.Error() + " (check RINGVAULT_PASSWORD or --key-file)"
	case errors.Is(err, vault.ErrNotVault):
		return err.Error() + " (is this the right file?)"
	case errors.Is(err, vault.ErrCorrupt):
		return err.Error() + " (run 'ringvault vault check' to see the extent of the damage)"
	case errors.Is(err, vault.ErrLocked):
		return err.Error() + " (close the other ringvault using it)"
	case errors.Is(err, vault.ErrNoKey):
		return "no password or key: set RINGVAULT_PASSWORD, use --key-file, or run on a terminal"
	}
	return err.Error()
}

// readKeyFile reads a 32-byte key: raw bytes or 64 hex digits.
func readKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) == 32 {
		return b, nil
	}
	t := bytes.TrimSpace(b)
	if len(t) == 64 {
		if k, err := hex.DecodeString(string(t)); err == nil {
			return k, nil
		}
	}
	return nil, fmt.Errorf("key file %s: want 32 raw bytes or 64 hex digits, got %d bytes", path, len(b))
}

// credentials returns the password or key for opening (confirm: ask twice).
func (c *vaultCmd) credentials(keyFile, envVar, prompt string, confirm bool) (pw, key []byte, err error) {
	if keyFile != "" {
		key, err = readKeyFile(keyFile)
		return nil, key, err
	}
	if p := c.env.Getenv(envVar); p != "" {
		return []byte(p), nil, nil
	}
	f, ok := c.env.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, nil, vault.ErrNoKey
	}
	fmt.Fprint(c.env.Stderr, prompt)
	pw, err = term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(c.env.Stderr)
	if err != nil {
		return nil, nil, err
	}
	if confirm {
		fmt.Fprint(c.env.Stderr, "Repeat: ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(c.env.Stderr)
		if err != nil {
			return nil, nil, err
		}
		if !bytes.Equal(pw, again) {
			return nil, nil, errors.New("the passwords do not match")
		}
	}
	if len(pw) == 0 {
		return nil, nil, errors.New("empty password")
	}
	return pw, nil, nil
}

func (c *vaultCmd) options(readOnly bool) (*vault.Options, error) {
	pw, key, err := c.credentials(c.keyFile, "RINGVAULT_PASSWORD", "Vault password: ", false)
	if err != nil {
		return nil, err
	}
	return &vault.Options{Password: pw, Key: key, Now: c.env.Now, ReadOnly: readOnly}, nil
}

// open opens the vault named by the first argument.
// parseOpen is parse followed by opening the vault named by the first
// argument; a code >= 0 means the command is over (usage or open error).
func (c *vaultCmd) parseOpen(args []string, usage string, minArgs, maxArgs int, readOnly bool) (*vault.DB, []string, int) {
	rest, code := c.parse(args, usage, minArgs, maxArgs)
	if code >= 0 {
		return nil, nil, code
	}
	db, err := c.open(rest[0], readOnly)
	if err != nil {
		return nil, nil, c.fail(err)
	}
	return db, rest, -1
}

func (c *vaultCmd) open(path string, readOnly bool) (*vault.DB, error) {
	o, err := c.options(readOnly)
	if err != nil {
		return nil, err
	}
	return vault.Open(path, o)
}

type kdfFlags struct{ t, m, p *uint }

func addKDFFlags(fs *flag.FlagSet) kdfFlags {
	d := vault.DefaultKDF
	return kdfFlags{
		t: fs.Uint("kdf-time", uint(d.Time), "Argon2id passes"),
		m: fs.Uint("kdf-memory", uint(d.MemoryKiB), "Argon2id memory in KiB"),
		p: fs.Uint("kdf-threads", uint(d.Threads), "Argon2id threads"),
	}
}

func (k kdfFlags) params() *vault.KDFParams {
	return &vault.KDFParams{Time: uint32(*k.t), MemoryKiB: uint32(*k.m), Threads: uint8(*k.p)}
}

func vaultCreate(c *vaultCmd, args []string) int {
	cipher := c.fs.String("cipher", "xaes", "cipher suite: xaes (XAES-256-GCM), xchacha (XChaCha20-Poly1305)")
	kdf := addKDFFlags(c.fs)
	rest, code := c.parse(args, "[--cipher xaes|xchacha] [--key-file FILE] VAULT", 1, 1)
	if code >= 0 {
		return code
	}
	suites := map[string]byte{"xaes": vault.SuiteXAES, "xchacha": vault.SuiteXChaCha}
	suite, ok := suites[strings.ToLower(*cipher)]
	if !ok {
		fmt.Fprintf(c.env.Stderr, "ringvault vault create: unknown cipher %q (use xaes or xchacha)\n", *cipher)
		return 2
	}
	pw, key, err := c.credentials(c.keyFile, "RINGVAULT_PASSWORD", "New vault password: ", true)
	if err != nil {
		return c.fail(err)
	}
	db, err := vault.Create(rest[0], &vault.Options{Password: pw, Key: key, KDF: kdf.params(), Suite: &suite, Now: c.env.Now})
	if err != nil {
		return c.fail(err)
	}
	return c.close(db)
}

func (c *vaultCmd) close(db *vault.DB) int {
	if err := db.Close(); err != nil {
		return c.fail(err)
	}
	return 0
}

func vaultCheck(c *vaultCmd, args []string) int {
	db, rest, code := c.parseOpen(args, "VAULT", 1, 1, true)
	if code >= 0 {
		return code
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		fmt.Fprintf(c.env.Stdout, "%s: DAMAGED\n%s\n", rest[0], err)
		return 1
	}
	in := db.Info()
	fmt.Fprintf(c.env.Stdout, "%s: ok (transaction %d, %d entries, %d blocks, %d free)\n", rest[0], in.Txid, in.Entries, in.Blocks, in.FreeBlocks)
	return 0
}

func vaultCompact(c *vaultCmd, args []string) int {
	rest, code := c.parse(args, "VAULT", 1, 1)
	if code >= 0 {
		return code
	}
	o, err := c.options(false)
	if err != nil {
		return c.fail(err)
	}
	before, after, err := vault.Compact(rest[0], o)
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.env.Stdout, "%s: %d -> %d bytes\n", rest[0], before, after)
	return 0
}

func vaultPasswd(c *vaultCmd, args []string) int {
	newKey := c.fs.String("new-key-file", "", "use the raw 32-byte key in `FILE` from now on")
	kdf := addKDFFlags(c.fs)
	rest, code := c.parse(args, "[--key-file FILE] [--new-key-file FILE] VAULT", 1, 1)
	if code >= 0 {
		return code
	}
	db, err := c.open(rest[0], false)
	if err != nil {
		return c.fail(err)
	}
	pw, key, err := c.credentials(*newKey, "RINGVAULT_NEW_PASSWORD", "New password: ", true)
	if err != nil {
		db.Close()
		if errors.Is(err, vault.ErrNoKey) {
			err = errors.New("no new password: set RINGVAULT_NEW_PASSWORD, use --new-key-file, or run on a terminal")
		}
		return c.fail(err)
	}
	if err := db.Rekey(vault.Credential{Password: pw, Key: key, KDF: kdf.params()}); err != nil {
		db.Close()
		return c.fail(err)
	}
	return c.close(db)
}

func vaultInfo(c *vaultCmd, args []string) int {
	db, rest, code := c.parseOpen(args, "VAULT", 1, 1, true)
	if code >= 0 {
		return code
	}
	defer db.Close()
	in := db.Info()
	w := c.env.Stdout
	fmt.Fprintf(w, "file:        %s\n", rest[0])
	fmt.Fprintf(w, "format:      ringvault vault %d.%d, %d-byte blocks\n", in.Version[0], in.Version[1], vault.BlockSize)
	fmt.Fprintf(w, "uuid:        %x\n", in.UUID)
	fmt.Fprintf(w, "cipher:      %s\n", vault.SuiteName(in.Suite))
	for i, s := range in.KeySlots {
		fmt.Fprintf(w, "key slot %d:  %s\n", i, s)
	}
	fmt.Fprintf(w, "transaction: %d (committed %s)\n", in.Txid, time.Unix(0, in.Committed).UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "entries:     %d\n", in.Entries)
	fmt.Fprintf(w, "blocks:      %d (%d bytes), %d free\n", in.Blocks, in.Blocks*vault.BlockSize, in.FreeBlocks)
	return 0
}

func vaultSalvage(c *vaultCmd, args []string) int {
	rest, code := c.parse(args, "VAULT NEW", 2, 2)
	if code >= 0 {
		return code
	}
	o, err := c.options(true)
	if err != nil {
		return c.fail(err)
	}
	src, err := storage.Open(rest[0])
	if err != nil {
		return c.fail(err)
	}
	defer src.Close()
	dst, err := storage.CreateExclusive(rest[1], 0o600)
	if err != nil {
		return c.fail(err)
	}
	rep, err := vault.Salvage(src, o, dst)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(rest[1])
		return c.fail(err)
	}
	fmt.Fprintf(c.env.Stdout, "%s: scanned %d blocks, %d unreadable; rebuilt %d entries into %s (%d in lost+found, %d missing data blocks read as zeros)\n",
		rest[0], rep.Blocks, len(rep.Damaged), rep.Entries, rest[1], rep.Lost, rep.Holes)
	return 0
}
