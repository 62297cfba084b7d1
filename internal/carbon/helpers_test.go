package carbon

import (
	"os/exec"
	"strings"
	"testing"

	"ringvault/internal/testutil"
)

func pythonOrSkip(t *testing.T) string {
	t.Helper()
	return testutil.Python(t)
}

func runPython(t *testing.T, py, script, stdin string) string {
	t.Helper()
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	return string(out)
}
