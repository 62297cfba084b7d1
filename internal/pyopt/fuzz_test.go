package pyopt

import (
	"math"
	"strings"
	"testing"
)

// FuzzOptionParser feeds arbitrary command lines to an optparse parser
// shaped like whisper-fetch's and to argparse parsers: no panic, and an
// early exit is always help (0, stdout) or a usage error (2, stderr).
func FuzzOptionParser(f *testing.F) {
	for _, c := range append(optCases, argCases...) {
		f.Add(strings.Join(c, "\x00"))
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, "\x00")
		for _, p := range testParsers() {
			vals, rest, ex := p.Parse(args)
			checkExit(t, ex)
			if ex == nil && (vals == nil || len(rest) > len(args)) {
				t.Fatalf("%q: values %v, rest %q", args, vals, rest)
			}
		}
		for _, p := range testArgParsers() {
			_, ex := p.Parse(args)
			checkExit(t, ex)
		}
	})
}

func checkExit(t *testing.T, ex *Exit) {
	t.Helper()
	if ex == nil {
		return
	}
	switch {
	case ex.Code == 0 && ex.Stdout != "" && ex.Stderr == "":
	case ex.Code == 2 && ex.Stdout == "" && strings.Contains(ex.Stderr, ": error: "):
	default:
		t.Fatalf("bad exit %+v", ex)
	}
}

// FuzzParseNumbers checks that ParseInt/PyInt/ParseFloat never panic and
// agree with themselves on surrounding whitespace.
func FuzzParseNumbers(f *testing.F) {
	for _, s := range []string{"1", "0x1f", "0b101", "017", "-3", "1_000", "1e5", "nan", "inf", " 2 ", "1_0.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, okA := ParseInt(s)
		if b, okB := ParseInt(s); a != b || okA != okB {
			t.Fatal("ParseInt not deterministic")
		}
		x, ok1 := ParseFloat(s)
		y, ok2 := ParseFloat(" " + s + "\t")
		if strings.TrimSpace(s) == s && (ok1 != ok2 || (ok1 && x != y && !math.IsNaN(x))) {
			t.Fatalf("%q: whitespace changes ParseFloat: %v %v / %v %v", s, x, ok1, y, ok2)
		}
		PyInt(s, 16)
		Repr(s)
	})
}
