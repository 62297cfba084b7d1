package cli

import (
	"os/exec"
	"strings"
	"testing"

	"ringvault/bloscpack"
	"ringvault/internal/testutil"
)

// TestPyPformatDifferential compares blpk info's metadata printing with
// Python's pprint.pformat(json.loads(s), width=90).
func TestPyPformatDifferential(t *testing.T) {
	py := testutil.Python(t)
	inputs := []string{
		`{"container": "numpy", "dtype": "'<f8'", "order": "C", "shape": [20000000]}`,
		`{"source": "ringvault public testdata", "units": "m/s", "tags": ["alpha", "beta", "gamma", "delta"], "n": 50000, "desc": "random walk of int32 steps in [-3,3]", "nested": {"a": [1, 2, 3], "b": null, "c": true, "d": 1.5}}`,
		`{"long": "` + strings.Repeat("word ", 40) + `", "x": [` + strings.Repeat("123456789, ", 20) + `0], "q": "it's \"quoted\"", "u": "é\u00a0\t\n"}`,
		`{"deep": {"deeper": {"deepest": {"list": [` + strings.Repeat(`{"k": "v"}, `, 10) + `{}], "f": [1e-05, 1e+16, 0.1, -0.0, 100.0]}}}}`,
		`["` + strings.Repeat("a", 120) + `", "line one\nline two\n` + strings.Repeat("b ", 60) + `"]`,
		`"` + strings.Repeat("top level string ", 10) + `"`,
		`{}`, `[]`, `12345678901234567890123`, `[true, false, null]`,
	}
	script := `import sys, json, pprint
for line in sys.stdin.read().split('\x00'):
    sys.stdout.write(pprint.pformat(json.loads(line), width=90) + '\x00')`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(strings.Join(inputs, "\x00"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(want) != len(inputs) {
		t.Fatalf("python gave %d results for %d inputs", len(want), len(inputs))
	}
	for i, in := range inputs {
		v, err := bloscpack.DecodeJSON([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if got := pyPformat(v, 90); got != want[i] {
			t.Errorf("pformat(%s)\n got:\n%s\nwant:\n%s", in, got, want[i])
		}
	}
}
