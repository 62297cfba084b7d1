package pyfmt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"ringvault/internal/testutil"
)

// TestFormatMatchesPython compares FloatRepr, FormatF and FormatG with
// Python's repr, "%f", "%.3f", "%g" and "%10.35g" on special, integral,
// tiny, huge and random values.
func TestFormatMatchesPython(t *testing.T) {
	py := testutil.Python(t)
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 0.5, 1.5, 3.5, 100, 1e15, 1e16, 1.234567890123456e15, 9999999999999998,
		1e-4, 1e-5, 0.00012345, 1e22, 1e-300, 5e-324, math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(),
		0.20000000298023224, 0.30000001192092896, 123456.789, 0.000999999, 999999.5, 1e100, 2.5, 0.125, 1234567, 12345678}
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		vals = append(vals, math.Float64frombits(r.Uint64()))
		vals = append(vals, r.NormFloat64()*math.Pow(10, float64(r.IntN(40)-20)))
		vals = append(vals, float64(r.IntN(100000))/8)
	}
	var in strings.Builder
	for _, v := range vals {
		fmt.Fprintf(&in, "%x\n", math.Float64bits(v))
	}
	cmd := exec.Command(py, "-c", `
import sys, struct
for line in sys.stdin:
    v = struct.unpack('>d', bytes.fromhex(line.strip().rjust(16, '0')))[0]
    print(repr(v), '%f' % v, '%.3f' % v, '%g' % v, '%10.35g' % v, sep='|')
`)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	for i, v := range vals {
		got := strings.Join([]string{FloatRepr(v), FormatF(v, 6), FormatF(v, 3), FormatG(v, 0, 6), FormatG(v, 10, 35)}, "|")
		if a := string(AppendF([]byte("x"), v, 6)); a != "x"+FormatF(v, 6) {
			t.Errorf("AppendF %v = %q", v, a)
		}
		if got != lines[i] {
			t.Errorf("%x: got  %s\nwant %s", math.Float64bits(v), got, lines[i])
		}
	}
}

// FuzzFloatFormat checks that FloatRepr round-trips through ParseFloat and
// that FormatG with 17 digits does too, for any float64.
func FuzzFloatFormat(f *testing.F) {
	for _, v := range []float64{0, 1, -1.5, 0.1, 1e16, 1e-5, math.MaxFloat64, 5e-324, math.Inf(-1)} {
		f.Add(math.Float64bits(v))
	}
	f.Fuzz(func(t *testing.T, bits uint64) {
		v := math.Float64frombits(bits)
		r := FloatRepr(v)
		back, err := strconv.ParseFloat(r, 64)
		if err != nil || (math.Float64bits(back) != bits && !(math.IsNaN(v) && math.IsNaN(back))) {
			t.Fatalf("%x: repr %q parses back as %v (%v)", bits, r, back, err)
		}
		g := FormatG(v, 0, 17)
		if back, err := strconv.ParseFloat(g, 64); err != nil || (back != v && !math.IsNaN(v)) {
			t.Fatalf("%x: %%.17g %q parses back as %v", bits, g, back)
		}
		if len(FormatG(v, 10, 35)) < 10 {
			t.Fatalf("%x: width 10 not honoured", bits)
		}
	})
}
