package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServeHelpComplete(t *testing.T) {
	var out bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &out, Now: time.Now, Getenv: os.Getenv}
	if code := Run(env, []string{"serve", "--help"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, f := range []string{"--data-dir", "--config", "--carbon-addr", "--pickle-addr", "--udp-addr", "--protobuf-addr",
		"--http-addr", "--schemas", "--aggregation", "--cache-max-points", "--max-creates-per-minute",
		"--max-updates-per-second", "--log-level", "--log-format", "--shutdown-timeout", "--idle-timeout"} {
		if !strings.Contains(out.String(), "  "+f) {
			t.Errorf("--help lacks %s", f)
		}
	}
}

// TestServeConfigPrecedence: defaults < TOML file < command line.
func TestServeConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "rv.toml")
	os.WriteFile(conf, []byte("data-dir = \"/from/file\"\nhttp-addr = \":9999\"\ncache-max-points = 5\nidle-timeout = \"7s\"\n"), 0o644)
	cfg, err := parseServeArgs([]string{"--config", conf, "--http-addr", ":1234"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/from/file" || cfg.HTTPAddr != ":1234" || cfg.CacheMaxPoints != 5 || cfg.IdleTimeout.Duration != 7*time.Second || cfg.CarbonAddr != ":2003" {
		t.Errorf("cfg = %+v", cfg)
	}
	os.WriteFile(conf, []byte("data-dri = \"x\"\n"), 0o644)
	if _, err := parseServeArgs([]string{"--config", conf}); err == nil || !strings.Contains(err.Error(), "data-dri") {
		t.Errorf("typo in the file: %v", err)
	}
	var errb bytes.Buffer
	env := &Env{Stdout: &errb, Stderr: &errb, Now: time.Now, Getenv: os.Getenv}
	if code := Run(env, []string{"serve", "--no-such-flag"}); code != 2 || !strings.Contains(errb.String(), "no-such-flag") {
		t.Errorf("bad flag: exit %d, %q", code, errb.String())
	}
	errb.Reset()
	if code := Run(env, []string{"serve", "--log-format", "xml"}); code != 2 {
		t.Errorf("bad log format: exit %d", code)
	}
}
