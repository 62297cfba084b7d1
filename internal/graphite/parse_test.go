package graphite

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a.b.c", "a.b.c"},
		{"a.b-c.d:e=f", "a.b-c.d:e=f"},
		{"a.{b,c}*.[xy]?", "a.{b,c}*.[xy]?"},
		{`a\(b\).c`, `a\(b\).c`},
		{"sumSeries(a.*)", "sumSeries(a.*)"},
		{"sumSeries( a.* , b.c )", "sumSeries( a.* , b.c )"},
		{`aliasSub(a.b, "(^.*$)", "\1 A")`, `aliasSub(a.b, "(^.*$)", "\1 A")`},
		{"a.b | scale(2) | alias('x')", "alias(scale(a.b,2),'x')"},
	} {
		x, err := ParseTarget(c.in)
		if err != nil {
			t.Errorf("ParseTarget(%q): %v", c.in, err)
			continue
		}
		if got := x.String(); got != c.want {
			t.Errorf("ParseTarget(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestParseTargetArgs(t *testing.T) {
	x, err := ParseTarget(`f(a.b, 1, -2.5, 1e3, "s", 'q\'', true, False, None, inf, g(c), k=3, m="v")`)
	if err != nil {
		t.Fatal(err)
	}
	kinds := []ExprKind{ExprPath, ExprNumber, ExprNumber, ExprNumber, ExprString, ExprString, ExprBool, ExprBool, ExprNone, ExprNumber, ExprCall}
	if len(x.Args) != len(kinds) || len(x.Kwargs) != 2 {
		t.Fatalf("args %d kwargs %d", len(x.Args), len(x.Kwargs))
	}
	for i, k := range kinds {
		if x.Args[i].Kind != k {
			t.Errorf("arg %d kind %d, want %d", i, x.Args[i].Kind, k)
		}
	}
	if !x.Args[1].IsInt || x.Args[2].Num != -2.5 || x.Args[3].Num != 1000 || x.Args[3].IsInt {
		t.Errorf("numbers: %+v %+v %+v", x.Args[1], x.Args[2], x.Args[3])
	}
	if x.Args[5].Str != `q\'` || !x.Args[6].Bool || x.Args[7].Bool {
		t.Errorf("string/bool: %q %v %v", x.Args[5].Str, x.Args[6].Bool, x.Args[7].Bool)
	}
	if x.Kwargs[0].Name != "k" || x.Kwargs[1].Value.Str != "v" {
		t.Errorf("kwargs: %+v", x.Kwargs)
	}
}

func TestParseTargetErrors(t *testing.T) {
	for _, in := range []string{"", "sumSeries(", "sumSeries(a.b", "a..b", "a.b.", "f(k=1, a.b)", `f("x)`, "f(a.b))", "a | b", "f(,)", strings.Repeat("f(", 300) + "a" + strings.Repeat(")", 300)} {
		if x, err := ParseTarget(in); err == nil || !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseTarget(%q) = %v, %v; want ErrSyntax", in, x, err)
		}
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range diffTargets {
		f.Add(s)
	}
	f.Add(`aliasSub(a.b, "(^.*$)", "\1 A")`)
	f.Add("a.b | f() | g(1, k='x')")
	f.Fuzz(func(t *testing.T, s string) {
		x, err := ParseTarget(s)
		if err != nil {
			return
		}
		// The printed form must parse again to the same printed form.
		again, err := ParseTarget(x.String())
		if err != nil {
			t.Fatalf("%q printed as %q which does not parse: %v", s, x.String(), err)
		}
		if again.String() != x.String() {
			t.Fatalf("%q: %q then %q", s, x.String(), again.String())
		}
	})
}

func FuzzCompileGlob(f *testing.F) {
	for _, s := range []string{"a.*.c", "a.{b,c{d,e}}*", "[!a-z]?", "a.[b", "{", "*a*a*a*b"} {
		f.Add(s, "a.bd.c")
	}
	f.Fuzz(func(t *testing.T, pat, name string) {
		g, err := CompileGlob(pat)
		if err != nil {
			return
		}
		g.Match(name)
		g.MatchPrefix(name)
		if !HasWildcard(pat) && g.Match(pat) != true {
			t.Fatalf("literal %q does not match itself", pat)
		}
	})
}

func FuzzParseATTime(f *testing.F) {
	for _, s := range []string{"-1h", "now", "12:00_20240101", "noon yesterday", "jan5", "01/02/99", "monday", "1700000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ParseATTime(s, testNow, testNow.Location())
	})
}

// FuzzEvaluate evaluates arbitrary targets over the test data: any input
// gives series or an error, never a panic or a hang.
func FuzzEvaluate(f *testing.F) {
	for _, s := range diffTargets {
		f.Add(s)
	}
	f.Add("movingAverage(servers.*.cpu.*, -5)")
	f.Add("summarize(servers.*.cpu.*, '0s')")
	f.Add("limit(servers.*, -1)")
	f.Add("groupByNode(servers.*.cpu.*, 99, 'groupByNode')")
	f.Add("percentileOfSeries(servers.*, -1)")
	f.Add("exponentialMovingAverage(servers.*.cpu.*, -3)")
	f.Add("integralByInterval(servers.*.cpu.*, '0s')")
	f.Add("delay(servers.*.cpu.*, -99999)")
	f.Add("substr(servers.*.cpu.*, -99, 99)")
	f.Add(`applyByNode(servers.*.cpu.*, 99, "applyByNode(%, 1, '%')")`)
	f.Add("timeStack(servers.*, '1d', 0, 100000)")
	f.Add("stdev(servers.*.cpu.*, 0)")
	b := testBackend()
	now := testNow.Unix()
	f.Fuzz(func(t *testing.T, target string) {
		evalForTest(b, target, now-3600, now, now)
	})
}
