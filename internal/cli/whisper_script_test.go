package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"ringvault/internal/testutil"
)

// TestWhisperScriptFiles runs the CLI scripts in testdata/whisper/scripts
// (rogpeppe/go-internal testscript): the ringvault binary is built once and
// linked under every peer tool name on $PATH, so the scripts read like a
// shell session with the python tools. -update rewrites the expected
// outputs in the scripts.
func TestWhisperScriptFiles(t *testing.T) {
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "ringvault"), "./cmd/ringvault")
	build.Dir = testutil.RepoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, name := range LinkNames() {
		if err := os.Symlink(filepath.Join(bin, "ringvault"), filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	testscript.Run(t, testscript.Params{
		Dir:           filepath.Join("testdata", "whisper", "scripts"),
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			env.Setenv("TZ", "UTC")
			return nil
		},
	})
}
