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

// FuzzWhisperDump runs whisper-dump, whisper-info and whisper-fetch on
// arbitrary file contents: they must answer with output or an [ERROR]
// line and status 1, never panic or hang.
func FuzzWhisperDump(f *testing.F) {
	entries, _ := os.ReadDir(fixtureDir(f))
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join(fixtureDir(f), e.Name())); err == nil && len(b) < 4096 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "f.wsp")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, argv := range [][]string{
			{"whisper-dump", path}, {"whisper-dump", "--raw", path}, {"whisper-info", path},
			{"whisper-fetch", "--now=1700000000", path}, {"whisper-info", "--json", path},
		} {
			var out, errb bytes.Buffer
			env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
				Now: func() time.Time { return time.Unix(testNow, 0) }, Getenv: func(string) string { return "" },
				IsTerminal: func(io.Writer) bool { return false }}
			code := Main(env, argv)
			switch {
			case code == 0 && errb.Len() == 0:
			case code == 1 && (strings.HasPrefix(errb.String(), "[ERROR] ") || errb.String() == "No data in selected timerange\n"):
			default:
				t.Fatalf("%v: exit %d, stderr %q", argv, code, errb.String())
			}
		}
	})
}
