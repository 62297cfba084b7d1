package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// vaultRun runs "ringvault vault ARGS..." in-process with a password in
// the environment.
func vaultRun(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &Env{
		Stdin:      strings.NewReader(""),
		Stdout:     &out,
		Stderr:     &errb,
		Now:        func() time.Time { return time.Unix(1_800_000_000, 0) },
		Getenv:     func(k string) string { return env[k] },
		IsTerminal: func(io.Writer) bool { return false },
	}
	code := Run(e, append([]string{"vault"}, args...))
	return code, out.String(), errb.String()
}

var fastKDF = []string{"--kdf-time", "1", "--kdf-memory", "64", "--kdf-threads", "1"}

func TestVaultCLI(t *testing.T) {
	dir := t.TempDir()
	pw := map[string]string{"RINGVAULT_PASSWORD": "s3cret"}
	v := filepath.Join(dir, "box.vault")
	src := filepath.Join(dir, "src")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(src, "sub", "deep"), 0o750))
	must(os.WriteFile(filepath.Join(src, "a.txt"), []byte("alpha\n"), 0o640))
	big := bytes.Repeat([]byte("0123456789abcdef"), 40_000)
	must(os.WriteFile(filepath.Join(src, "sub", "big.bin"), big, 0o600))
	must(os.Symlink("../a.txt", filepath.Join(src, "sub", "link")))
	old := time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC)
	must(os.Chtimes(filepath.Join(src, "a.txt"), old, old))
	must(os.Chtimes(filepath.Join(src, "sub"), old, old))

	if code, _, e := vaultRun(t, pw, append(append([]string{"create"}, fastKDF...), v)...); code != 0 {
		t.Fatalf("create: %d %s", code, e)
	}
	if code, _, e := vaultRun(t, pw, "create", v); code != 1 || !strings.Contains(e, "exists") {
		t.Errorf("create over existing: %d %s", code, e)
	}
	wd, _ := os.Getwd()
	must(os.Chdir(dir))
	code, _, e := vaultRun(t, pw, "add", v, "src")
	os.Chdir(wd)
	if code != 0 {
		t.Fatalf("add: %d %s", code, e)
	}
	code, out, _ := vaultRun(t, pw, "ls", "-R", v)
	want := "src\nsrc/a.txt\nsrc/sub\nsrc/sub/big.bin\nsrc/sub/deep\nsrc/sub/link\n"
	if code != 0 || out != want {
		t.Errorf("ls -R:\n%s\nwant:\n%s", out, want)
	}
	code, out, _ = vaultRun(t, pw, "ls", "-l", v, "src")
	if code != 0 || !strings.Contains(out, "-rw-r-----          6 2020-05-06 07:08:09 a.txt") {
		t.Errorf("ls -l:\n%s", out)
	}
	if code, out, _ := vaultRun(t, pw, "cat", v, "src/sub/link"); code != 0 || out != "alpha\n" {
		t.Errorf("cat through symlink: %d %q", code, out)
	}
	if code, _, e := vaultRun(t, pw, "mkdir", "-p", v, "x/y"); code != 0 {
		t.Errorf("mkdir: %s", e)
	}
	if code, _, e := vaultRun(t, pw, "mv", v, "src/a.txt", "x"); code != 0 {
		t.Errorf("mv: %s", e)
	}
	if code, _, e := vaultRun(t, pw, "mv", v, "x/a.txt", "src/a.txt"); code != 0 {
		t.Errorf("mv back: %s", e)
	}
	if code, _, e := vaultRun(t, pw, "rm", "-r", v, "x"); code != 0 {
		t.Errorf("rm -r: %s", e)
	}
	dst := filepath.Join(dir, "out")
	if code, _, e := vaultRun(t, pw, "extract", "-C", dst, v); code != 0 {
		t.Fatalf("extract: %s", e)
	}
	got, err := os.ReadFile(filepath.Join(dst, "src", "sub", "big.bin"))
	if err != nil || !bytes.Equal(got, big) {
		t.Errorf("extracted big.bin differs: %v", err)
	}
	if l, err := os.Readlink(filepath.Join(dst, "src", "sub", "link")); err != nil || l != "../a.txt" {
		t.Errorf("symlink: %q %v", l, err)
	}
	for name, mode := range map[string]os.FileMode{"src/a.txt": 0o640, "src/sub/big.bin": 0o600, "src/sub": 0o750} {
		fi, err := os.Stat(filepath.Join(dst, name))
		if err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v (%v)", name, fi.Mode().Perm(), mode, err)
		}
		if name != "src/sub/big.bin" && !fi.ModTime().Equal(old) {
			t.Errorf("%s: mtime %v, want %v", name, fi.ModTime(), old)
		}
	}
	if code, out, _ := vaultRun(t, pw, "check", v); code != 0 || !strings.Contains(out, ": ok") {
		t.Errorf("check: %d %s", code, out)
	}
	if code, out, _ := vaultRun(t, pw, "info", v); code != 0 || !strings.Contains(out, "XAES-256-GCM") || !strings.Contains(out, "argon2id t=1 m=64KiB") {
		t.Errorf("info: %s", out)
	}
	// Wrong password, then passwd.
	if code, _, e := vaultRun(t, map[string]string{"RINGVAULT_PASSWORD": "nope"}, "ls", v); code != 1 || !strings.Contains(e, "wrong password") {
		t.Errorf("wrong password: %d %s", code, e)
	}
	if code, _, e := vaultRun(t, nil, "ls", v); code != 1 || !strings.Contains(e, "RINGVAULT_PASSWORD") {
		t.Errorf("no password: %d %s", code, e)
	}
	np := map[string]string{"RINGVAULT_PASSWORD": "s3cret", "RINGVAULT_NEW_PASSWORD": "n3w"}
	if code, _, e := vaultRun(t, np, append(append([]string{"passwd"}, fastKDF...), v)...); code != 0 {
		t.Fatalf("passwd: %s", e)
	}
	if code, _, _ := vaultRun(t, pw, "ls", v); code != 1 {
		t.Errorf("old password still works")
	}
	keyFile := filepath.Join(dir, "key")
	must(os.WriteFile(keyFile, []byte(strings.Repeat("ab", 32)+"\n"), 0o600))
	np = map[string]string{"RINGVAULT_PASSWORD": "n3w"}
	if code, _, e := vaultRun(t, np, "passwd", "--new-key-file", keyFile, v); code != 0 {
		t.Fatalf("passwd to key: %s", e)
	}
	if code, out, e := vaultRun(t, nil, "cat", "--key-file", keyFile, v, "src/a.txt"); code != 0 || out != "alpha\n" {
		t.Errorf("key file: %d %q %s", code, out, e)
	}
	if code, out, e := vaultRun(t, nil, "compact", "--key-file", keyFile, v); code != 0 || !strings.Contains(out, "->") {
		t.Errorf("compact: %d %s %s", code, out, e)
	}
	if code, out, e := vaultRun(t, nil, "salvage", "--key-file", keyFile, v, filepath.Join(dir, "saved.vault")); code != 0 || !strings.Contains(out, "rebuilt") {
		t.Errorf("salvage: %d %s %s", code, out, e)
	}
	if code, out, e := vaultRun(t, nil, "cat", "--key-file", keyFile, filepath.Join(dir, "saved.vault"), "src/a.txt"); code != 0 || out != "alpha\n" {
		t.Errorf("cat after salvage: %d %q %s", code, out, e)
	}
	// Not a vault, and a damaged vault.
	if code, _, e := vaultRun(t, pw, "ls", keyFile); code != 1 || !strings.Contains(e, "not a vault") {
		t.Errorf("not a vault: %d %s", code, e)
	}
	img, _ := os.ReadFile(v)
	img[len(img)-100] ^= 1
	must(os.WriteFile(v, img, 0o600))
	if code, out, e := vaultRun(t, nil, "check", "--key-file", keyFile, v); code != 1 || !strings.Contains(out+e, "corrupt block") {
		t.Errorf("check damaged: %d %s %s", code, out, e)
	}
	if code, out, e := vaultRun(t, nil, "add", "--help"); code != 0 || strings.Count(out, "Usage:") != 1 || !strings.Contains(out, "--to DIR") || e != "" {
		t.Errorf("add --help: %d %q %q", code, out, e)
	}
	if code, _, e := vaultRun(t, nil, "add", "--bogus", v); code != 2 || !strings.Contains(e, "bogus") {
		t.Errorf("bad flag: %d %q", code, e)
	}
	if code, out, _ := vaultRun(t, nil, "--help"); code != 0 || !strings.Contains(out, "extract") {
		t.Errorf("help: %s", out)
	}
}
