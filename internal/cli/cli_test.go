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

// testEnv returns an Env with captured output and a fixed clock.
func testEnv(stdin string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &Env{
		Stdin:      strings.NewReader(stdin),
		Stdout:     &out,
		Stderr:     &errb,
		Now:        func() time.Time { return time.Unix(1_800_000_000, 0) },
		Getenv:     func(string) string { return "" },
		IsTerminal: func(io.Writer) bool { return false },
	}, &out, &errb
}

func TestUnknownCommand(t *testing.T) {
	env, _, errb := testEnv("")
	if code := Main(env, []string{"ringvault", "frobnicate"}); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(errb.String(), `unknown command "frobnicate"`) {
		t.Fatalf("stderr %q", errb.String())
	}
}

func TestHelpListsCommands(t *testing.T) {
	env, out, _ := testEnv("")
	if code := Main(env, []string{"ringvault", "help"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "install-links") {
		t.Fatalf("help does not list install-links:\n%s", out)
	}
}

func TestInstallLinks(t *testing.T) {
	dir := t.TempDir()
	env, _, errb := testEnv("")
	if code := Main(env, []string{"ringvault", "install-links", dir}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	for _, n := range LinkNames() {
		if _, err := os.Readlink(filepath.Join(dir, n)); err != nil {
			t.Errorf("link %s: %v", n, err)
		}
	}
	if len(LinkNames()) > 0 {
		if code := Main(env, []string{"ringvault", "install-links", dir}); code != 1 {
			t.Fatalf("second run without --force: exit %d, want 1", code)
		}
	}
}
