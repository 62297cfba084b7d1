package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ringvault/internal/testutil"
)

// runNative runs "ringvault ARGS..." in-process in dir with the clock at
// testNow.
func runNative(t *testing.T, dir, stdin string, args ...string) (string, string, int) {
	t.Helper()
	t.Chdir(dir)
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Now:        func() time.Time { return time.Unix(testNow+12345, 0) },
		Getenv:     func(string) string { return "" },
		IsTerminal: func(io.Writer) bool { return false }}
	code := Main(env, append([]string{"ringvault"}, args...))
	return out.String(), errb.String(), code
}

// TestWhisperLink builds the binary, links it as whisper-info and
// find-corrupt-whisper-files, and runs it under those names.
func TestWhisperLink(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "ringvault")
	build := exec.Command("go", "build", "-o", bin, "./cmd/ringvault")
	build.Dir = testutil.RepoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	fixtures := copyFixtures(t)
	for _, name := range []string{"whisper-info", "whisper-info.py"} {
		link := filepath.Join(dir, name)
		if err := os.Symlink(bin, link); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(link, "small.wsp")
		cmd.Dir = fixtures
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := os.ReadFile(filepath.Join("testdata", "whisper", "golden", "info-small.txt"))
		if err != nil {
			t.Fatal(err)
		}
		if g := parseGolden(t, string(want)); string(out) != g.stdout {
			t.Errorf("%s small.wsp:\n%s\nwant:\n%s", name, out, g.stdout)
		}
	}
	link := filepath.Join(dir, "whisper-fetch")
	os.Symlink(bin, link)
	cmd := exec.Command(link, "--bogus")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Errorf("whisper-fetch --bogus: %v, want exit status 2", err)
	}
	if want := "Usage: whisper-fetch [options] path\n\nwhisper-fetch: error: no such option: --bogus\n"; stderr.String() != want {
		t.Errorf("whisper-fetch --bogus: stderr %q, want %q", stderr.String(), want)
	}
}

// TestWhisperNative checks "ringvault whisper SUBCOMMAND": the help lists
// ringvault's extensions (--now), --now replaces the clock, and the
// results equal the peer-named tool's.
func TestWhisperNative(t *testing.T) {
	dir := copyFixtures(t)
	out, _, code := runNative(t, dir, "", "whisper", "help")
	if code != 0 || !strings.Contains(out, "set-aggregation-method") || !strings.Contains(out, "find-corrupt") {
		t.Errorf("ringvault whisper help: exit %d\n%s", code, out)
	}
	_, errOut, code := runNative(t, dir, "", "whisper")
	if code != 2 || !strings.Contains(errOut, "Usage: ringvault whisper") {
		t.Errorf("ringvault whisper: exit %d, stderr %q", code, errOut)
	}
	_, errOut, code = runNative(t, dir, "", "whisper", "nosuch")
	if code != 2 || !strings.Contains(errOut, "unknown subcommand") {
		t.Errorf("ringvault whisper nosuch: exit %d, stderr %q", code, errOut)
	}
	for _, sub := range []string{"fetch", "update", "merge", "diff", "fill", "resize"} {
		out, _, code := runNative(t, dir, "", "whisper", sub, "--help")
		if code != 0 || !strings.Contains(out, "--now=EPOCH") || !strings.HasPrefix(out, "Usage: ringvault whisper "+sub) {
			t.Errorf("ringvault whisper %s --help: exit %d\n%s", sub, code, out)
		}
	}
	out, _, _ = runNative(t, dir, "", "whisper", "dump", "--help")
	if !strings.Contains(out, "-r, --raw") {
		t.Errorf("ringvault whisper dump --help lacks --raw:\n%s", out)
	}
	out, _, _ = runNative(t, dir, "", "help", "whisper")
	if !strings.Contains(out, "Subcommands:") {
		t.Errorf("ringvault help whisper:\n%s", out)
	}

	// --now makes the native run equal the link run at testNow, although
	// the native clock is elsewhere.
	golden := func(name string) string {
		b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "internal", "cli", "testdata", "whisper", "golden", name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		return parseGolden(t, string(b)).stdout
	}
	out, errOut, code = runNative(t, dir, "", "whisper", "fetch", "--now=1700000000", "day.wsp")
	if code != 0 || out != golden("fetch-default") {
		t.Errorf("ringvault whisper fetch --now: exit %d %s\n%s", code, errOut, diffText(golden("fetch-default"), out))
	}
	// A link run accepts --now too (it is only left out of the help), and
	// "--no" still abbreviates --no-headers in whisper-diff.
	out, _, code = runNative(t, dir, "", "whisper-diff", "--now", "1700000000", "--no", "--columns", "small.wsp", "other.wsp")
	if code != 0 || out != golden("diff-columns") {
		t.Errorf("whisper-diff --now --no: exit %d\n%s", code, diffText(golden("diff-columns"), out))
	}
}

// TestWhisperFetchDrop checks master's --drop: the kept lines keep their
// own timestamps (1.1.4 shifted every line after a dropped value).
func TestWhisperFetchDrop(t *testing.T) {
	dir := copyFixtures(t)
	all, _, code := runNative(t, dir, "", "whisper", "fetch", "--now=1700000000", "--from=1699999970", "special.wsp")
	if code != 0 {
		t.Fatal(code)
	}
	js, _, _ := runNative(t, dir, "", "whisper", "fetch", "--now=1700000000", "--from=1699999970", "--json", "special.wsp")
	_, list, _ := strings.Cut(js, `"values" : [`)
	list, _, _ = strings.Cut(list, "]")
	reprs := strings.Split(list, ", ")
	lines := strings.SplitAfter(all, "\n")
	if len(reprs) != len(lines)-1 {
		t.Fatalf("%d values in --json, %d lines of text", len(reprs), len(lines)-1)
	}
	for _, mode := range []string{"nulls", "zeroes", "empty"} {
		got, _, code := runNative(t, dir, "", "whisper", "fetch", "--now=1700000000", "--from=1699999970", "--drop="+mode, "special.wsp")
		if code != 0 {
			t.Fatal(code)
		}
		var want strings.Builder
		for i, r := range reprs {
			null, zero := r == "null", r == "0.0" || r == "-0.0"
			if mode == "nulls" && null || mode == "zeroes" && zero || mode == "empty" && (null || zero) {
				continue
			}
			want.WriteString(lines[i])
		}
		if got != want.String() || got == all {
			t.Errorf("--drop=%s:\n%s\nwant:\n%s", mode, got, want.String())
		}
	}
}

// TestWhisperUpdateStdin checks that points read from stdin give the same
// file as the same points given as arguments (which the differential test
// compares with python).
func TestWhisperUpdateStdin(t *testing.T) {
	a, b := copyFixtures(t), copyFixtures(t)
	pts := []string{"1699999970:1", "1699999910:2", "N:3", "1699999000:4"}
	if _, e, code := runNative(t, a, "", append([]string{"whisper-update", "--now=1700000000", "day.wsp"}, pts...)...); code != 0 {
		t.Fatal(e)
	}
	if _, e, code := runNative(t, b, strings.Join(pts, "\n")+"\n", "whisper-update", "--now=1700000000", "day.wsp"); code != 0 {
		t.Fatal(e)
	}
	x, _ := os.ReadFile(filepath.Join(a, "day.wsp"))
	y, _ := os.ReadFile(filepath.Join(b, "day.wsp"))
	orig, _ := os.ReadFile(filepath.Join(fixtureDir(t), "day.wsp"))
	if !bytes.Equal(x, y) || bytes.Equal(x, orig) {
		t.Errorf("stdin update differs from argument update (or changed nothing)")
	}
}

// TestWhisperResizeProgress checks that whisper-resize draws a progress bar
// on a terminal (the size threshold lowered for the test) and none
// elsewhere.
func TestWhisperResizeProgress(t *testing.T) {
	old := resizeBarMinPoints
	resizeBarMinPoints = 0
	defer func() { resizeBarMinPoints = old }()
	for _, tty := range []bool{true, false} {
		dir := copyFixtures(t)
		t.Chdir(dir)
		var out, errb bytes.Buffer
		env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
			Now:        func() time.Time { return time.Unix(testNow, 0) },
			Getenv:     func(string) string { return "" },
			IsTerminal: func(w io.Writer) bool { return tty && w == &errb }}
		if code := Main(env, []string{"whisper-resize", "day.wsp", "1m:2d", "1h:30d"}); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		bar := strings.Contains(errb.String(), "resize day.wsp [") && strings.HasSuffix(errb.String(), "\n")
		if bar != tty {
			t.Errorf("terminal %v: stderr %q", tty, errb.String())
		}
	}
}

// TestWhisperResizeChown checks master's --chown-uid/--chown-gid: applied
// when both are given (to the current owner here, which needs no privilege).
func TestWhisperResizeChown(t *testing.T) {
	dir := copyFixtures(t)
	uid, gid := os.Getuid(), os.Getgid()
	if uid == 0 || gid == 0 {
		uid, gid = 1, 1 // root may chown to anyone
	}
	_, errOut, code := runNative(t, dir, "", "whisper-resize", "--now=1700000000", "--quiet",
		fmt.Sprintf("--chown-uid=%d", uid), fmt.Sprintf("--chown-gid=%d", gid), "small.wsp", "60:20", "300:24")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	st, err := os.Stat(filepath.Join(dir, "small.wsp"))
	if err != nil {
		t.Fatal(err)
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && (int(sys.Uid) != uid || int(sys.Gid) != gid) {
		t.Errorf("owner %d:%d, want %d:%d", sys.Uid, sys.Gid, uid, gid)
	}
}
