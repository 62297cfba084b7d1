// Package testutil has helpers shared by ringvault's tests: locating the
// reference implementations (Debian's python3-whisper and python3-blosc)
// that differential tests run, and the shared test data beside the checkout.
package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Python returns the interpreter that has Debian's python3-whisper and
// python3-blosc (RINGVAULT_PYTHON, default /usr/bin/python3) after checking
// that it can import every module in mods. Without them the test is skipped,
// or fails when RINGVAULT_REQUIRE_ORACLES is set (as scripts/test.sh does),
// so a differential test never passes silently without its oracle.
func Python(t testing.TB, mods ...string) string {
	t.Helper()
	py := os.Getenv("RINGVAULT_PYTHON")
	if py == "" {
		py = "/usr/bin/python3"
	}
	for _, m := range mods {
		if err := exec.Command(py, "-c", "import "+m).Run(); err != nil {
			missing(t, "python module "+m+" (apt-get install -y python3-whisper python3-blosc, or run scripts/test.sh)")
		}
	}
	return py
}

func missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("RINGVAULT_REQUIRE_ORACLES") != "" {
		t.Fatalf("test oracle missing: %s", what)
	}
	t.Skipf("test oracle missing: %s", what)
}

// RepoRoot returns the module's root folder.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Shared returns the path of ../shared/testdata/<sub> beside the checkout
// (or RINGVAULT_SHARED/testdata/<sub>), skipping the test — or failing it
// under RINGVAULT_REQUIRE_ORACLES — when the shared data is absent.
func Shared(t testing.TB, sub string) string {
	t.Helper()
	base := os.Getenv("RINGVAULT_SHARED")
	if base == "" {
		base = filepath.Join(RepoRoot(), "..", "shared")
	}
	p := filepath.Join(base, "testdata", sub)
	if _, err := os.Stat(p); err != nil {
		missing(t, "shared test data "+p)
	}
	return p
}
