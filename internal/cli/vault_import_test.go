package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ringvault/internal/testutil"
)

// a7Golden is a golden archive7 file made by the real archive7 code, and
// its secret from the MANIFEST.json beside it.
func a7Golden(t *testing.T, name string) (path, secret string) {
	t.Helper()
	dir := filepath.Join(testutil.RepoRoot(), "vault", "testdata", "archive7")
	b, err := os.ReadFile(filepath.Join(dir, "MANIFEST.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Files []struct{ File, Secret string }
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		if f.File == name {
			return filepath.Join(dir, name), f.Secret
		}
	}
	t.Fatalf("%s not in MANIFEST.json", name)
	return "", ""
}

func TestVaultImportArchive7(t *testing.T) {
	ar7, secret := a7Golden(t, "basic.ar7")
	dir := t.TempDir()
	v := filepath.Join(dir, "box.vault")
	env := map[string]string{"RINGVAULT_PASSWORD": "s3cret", "A7": secret}

	code, out, e := vaultRun(t, env, append(append([]string{"import-archive7", "--create", "--secret-env", "A7", "--to", "old"}, fastKDF...), v, ar7)...)
	if code != 0 {
		t.Fatalf("import-archive7: %d %s", code, e)
	}
	if !strings.Contains(out, "imported 5 directories, 7 files") || !strings.Contains(out, "2 links") || !strings.Contains(out, "2 deleted entries left out") {
		t.Errorf("summary: %q", out)
	}
	if code, out, _ := vaultRun(t, env, "cat", v, "old/hello.txt"); code != 0 || out != "hello, archive7\n" {
		t.Errorf("cat: %d %q", code, out)
	}
	if code, out, _ := vaultRun(t, env, "cat", v, "old/hello-link"); code != 0 || out != "hello, archive7\n" {
		t.Errorf("cat through the entry link: %d %q", code, out)
	}
	if code, out, _ := vaultRun(t, env, "ls", "-l", v, "old"); code != 0 || !strings.Contains(out, "-rw-r-----         16 2017-07-14 02:41:40 hello.txt") {
		t.Errorf("ls -l: %d\n%s", code, out)
	}
	if code, _, e := vaultRun(t, env, "check", v); code != 0 {
		t.Errorf("check: %s", e)
	}

	// The secret as a key file (64 hex digits), portable links, deleted entries.
	keyFile := filepath.Join(dir, "a7.key")
	if err := os.WriteFile(keyFile, []byte(strings.Repeat("ab", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, e = vaultRun(t, env, "import-archive7", "--secret-file", keyFile, v, ar7)
	if code != 1 || !strings.Contains(e, "wrong key or not an archive7 file") || !strings.Contains(e, "check the archive7 secret") {
		t.Errorf("wrong key: %d %s", code, e)
	}
	code, _, e = vaultRun(t, env, "import-archive7", "--secret-env", "A7", "--to", "p", "--links", "portable", "--deleted", v, ar7)
	if code != 0 {
		t.Fatalf("portable: %d %s", code, e)
	}
	if code, out, _ := vaultRun(t, env, "ls", v, "p/docs-link/"); code != 0 || !strings.Contains(out, "notes") {
		t.Errorf("ls through the portable symlink: %d\n%s", code, out)
	}

	// Damage: a truncated copy fails and says what to do.
	b, err := os.ReadFile(ar7)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.ar7")
	if err := os.WriteFile(bad, b[:len(b)-10], 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, e = vaultRun(t, env, "import-archive7", "--secret-env", "A7", v, bad)
	if code != 1 || !strings.Contains(e, "not a multiple of 4096") || !strings.Contains(e, "--salvage") {
		t.Errorf("truncated: %d %s", code, e)
	}

	// Usage.
	if code, out, _ := vaultRun(t, env, "import-archive7", "--help"); code != 0 || !strings.Contains(out, "--secret-env") || !strings.Contains(out, "64 hex digits") {
		t.Errorf("--help: %d %s", code, out)
	}
	if code, _, _ := vaultRun(t, env, "import-archive7", v); code != 2 {
		t.Errorf("one argument: exit %d, want 2", code)
	}
	if code, _, _ := vaultRun(t, env, "import-archive7", "--links", "odd", v, ar7); code != 2 {
		t.Errorf("bad --links: exit %d, want 2", code)
	}
	if code, _, e := vaultRun(t, map[string]string{}, "import-archive7", v, ar7); code != 1 || !strings.Contains(e, "no archive7 secret") {
		t.Errorf("no secret: %d %s", code, e)
	}
}

// TestVaultImportArchive7Progress: on a terminal the import draws a bar.
func TestVaultImportArchive7Progress(t *testing.T) {
	ar7, secret := a7Golden(t, "basic.ar7")
	v := filepath.Join(t.TempDir(), "p.vault")
	var out, errb bytes.Buffer
	env := map[string]string{"RINGVAULT_PASSWORD": "pw", "A7": secret}
	e := &Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Now:        func() time.Time { return time.Unix(1_800_000_000, 0) },
		Getenv:     func(k string) string { return env[k] },
		IsTerminal: func(io.Writer) bool { return true },
	}
	args := append(append([]string{"vault", "import-archive7", "--create", "--secret-env", "A7"}, fastKDF...), v, ar7)
	if code := Run(e, args); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "\rimport-archive7") || !strings.HasSuffix(errb.String(), "\n") {
		t.Errorf("no progress bar on the terminal: %q", errb.String())
	}
}
