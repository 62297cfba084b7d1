package carbon

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

const testNow = 1700000000

// TestParseLine holds carbon's plaintext rules (protocols.py
// MetricLineReceiver.lineReceived + MetricReceiver.metricReceived).
func TestParseLine(t *testing.T) {
	tests := []struct {
		line string
		want Metric
		err  error
	}{
		{"a.b.c 1.5 1600000000", Metric{"a.b.c", 1600000000, 1.5}, nil},
		{"  a.b  2\t1600000000  \r", Metric{"a.b", 1600000000, 2}, nil}, // any whitespace, strip
		{"a\x1fb 2 3", Metric{"a", 0, 0}, ErrInvalidLine},               // \x1f is whitespace in Python: 4 fields
		{"a\v3\f4", Metric{"a", 4, 3}, nil},                             // \v \f separate
		{"a.b 1 -1", Metric{"a.b", testNow, 1}, nil},                    // -1 means now
		{"a.b 1 -1.9", Metric{"a.b", testNow, 1}, nil},                  // int(-1.9) == -1
		{"a.b 1 -0.5", Metric{"a.b", 0, 1}, nil},                        // int(-0.5) == 0
		{"a.b 1 1600000000.9", Metric{"a.b", 1600000000, 1}, nil},       // truncation
		{"a.b 1e3 1_600_000_000", Metric{"a.b", 1600000000, 1000}, nil}, // Python underscores
		{"a.b inf 1", Metric{"a.b", 1, math.Inf(1)}, nil},               // float('inf') accepted by carbon
		{"a.b -Infinity 1", Metric{"a.b", 1, math.Inf(-1)}, nil},        //
		{"a.b 1e400 1", Metric{"a.b", 1, math.Inf(1)}, nil},             // overflow → inf, like Python
		{"a.b .5 1", Metric{"a.b", 1, 0.5}, nil},                        //
		{"a.b 5. 1", Metric{"a.b", 1, 5}, nil},                          //
		{"a.b nan 1", Metric{}, ErrNaN},                                 // dropped silently
		{"a.b -NaN 1", Metric{}, ErrNaN},                                //
		{"a.b 0x10 1", Metric{}, ErrInvalidLine},                        // Python refuses hex
		{"a.b 1__0 1", Metric{}, ErrInvalidLine},                        //
		{"a.b _1 1", Metric{}, ErrInvalidLine},                          //
		{"a.b 1_ 1", Metric{}, ErrInvalidLine},                          //
		{"a.b 1e 1", Metric{}, ErrInvalidLine},                          //
		{"a.b 1 inf", Metric{}, ErrInvalidLine},                         // int(inf) raises
		{"a.b 1 1e300", Metric{}, ErrInvalidLine},                       // out of int64 range
		{"a.b 1", Metric{}, ErrInvalidLine},                             // two fields
		{"a.b 1 2 3", Metric{}, ErrInvalidLine},                         // four fields
		{"", Metric{}, ErrInvalidLine},                                  //
		{"a.b\u00a01\u20002", Metric{"a.b", 2, 1}, nil},                 // Unicode whitespace
		{"caf\u00e9.x 1 2", Metric{"caf\u00e9.x", 2, 1}, nil},           // UTF-8 names
		{"bad\xff 1 2", Metric{}, ErrInvalidLine},                       // not UTF-8
		{"a.b one 2", Metric{}, ErrInvalidLine},                         //
		{"a;tag=1 3 4", Metric{"a;tag=1", 4, 3}, nil},                   // tags pass through
	}
	for _, tc := range tests {
		got, err := ParseLine([]byte(tc.line), testNow)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("ParseLine(%q) error = %v, want %v", tc.line, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseLine(%q): %v", tc.line, err)
			continue
		}
		if got.Name != tc.want.Name || got.Timestamp != tc.want.Timestamp || math.Float64bits(got.Value) != math.Float64bits(tc.want.Value) {
			t.Errorf("ParseLine(%q) = %+v, want %+v", tc.line, got, tc.want)
		}
	}
}

// TestParseLinePython checks parsePyFloat against Python's float() on
// many spellings.
func TestParseLinePython(t *testing.T) {
	py := pythonOrSkip(t)
	inputs := []string{"1", "-1", "+1.5", "1e5", "1E-5", ".5e1", "5.", "1_0", "1__0", "1_.5", "1._5", "1e1_0",
		"0x10", "inf", "-inf", "Infinity", "iNfInItY", "nan", "-nan", "+nan", "infinit", "1e", "e1", ".", "-",
		"1.5.5", "0b1", "0o7", "١", "1e-400", "1e400", "00012", "1_000.000_1"}
	out := runPython(t, py, `
import sys, struct
for s in sys.stdin.read().split("\n"):
    try:
        f = float(s)
        print("nan" if f != f else struct.pack(">d", f).hex())
    except ValueError:
        print("ERR")
`, strings.Join(inputs, "\n"))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i, s := range inputs {
		v, ok := parsePyFloat([]byte(s))
		got := "ERR"
		if ok {
			got = fmt.Sprintf("%016x", math.Float64bits(v))
			if v != v {
				got = "nan"
			}
		}
		if s == "١" { // Python accepts Unicode digits; we do not (documented)
			continue
		}
		if got != lines[i] {
			t.Errorf("float(%q): ringvault %s, python %s", s, got, lines[i])
		}
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{"a.b.c 1.5 1600000000", "a 1 -1", "a nan 1", "a\u00a01\u20002", "x 1_0 1e3", "\xff 1 2", "a b c d", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		m, err := ParseLine(line, testNow)
		if err != nil {
			if !errors.Is(err, ErrInvalidLine) && !errors.Is(err, ErrNaN) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		if m.Value != m.Value {
			t.Fatalf("NaN accepted from %q", line)
		}
		if m.Name == "" || strings.ContainsAny(m.Name, " \t\n") {
			t.Fatalf("bad name %q from %q", m.Name, line)
		}
	})
}

func BenchmarkParseLine(b *testing.B) {
	line := []byte("servers.web01.cpu.user 12.345 1700000000")
	b.SetBytes(int64(len(line) + 1))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseLine(line, testNow); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
