package graphite

import "testing"

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		pat, name string
		want      bool
	}{
		{"a.b.c", "a.b.c", true},
		{"a.b.c", "a.b.d", false},
		{"a.*.c", "a.xyz.c", true},
		{"a.*.c", "a.x.y.c", false},
		{"a.b?.c", "a.bx.c", true},
		{"a.b?.c", "a.b.c", false},
		{"a.[xy]z", "a.yz", true},
		{"a.[!xy]z", "a.yz", false},
		{"a.[!xy]z", "a.qz", true},
		{"a.[a-c]", "a.b", true},
		{"a.[a-c]", "a.d", false},
		{"a.{b,c}d", "a.cd", true},
		{"a.{b,c}d", "a.ed", false},
		{"a.{b*,c{1,2}}", "a.c2", true},
		{"a.{b*,c{1,2}}", "a.bzz", true},
		{"a.{b*,c{1,2}}", "a.c3", false},
		{"a.{,x}y", "a.y", true},
		{"a.[b", "a.[b", true},
		{"a.{b", "a.{b", true},
		{"a.b+c", "a.b+c", true},
		{"a.(b)", "a.(b)", true},
		{"*", "a", true},
		{"*", "a.b", false},
		{"*.*", "a.b", true},
		{"a.*a*a*a*a*a*a*a*b", "a.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", false},
		{"a.{b.c,d}", "a.d", false}, // graphite-web splits on every dot first
	} {
		g, err := CompileGlob(c.pat)
		if err != nil {
			t.Fatalf("CompileGlob(%q): %v", c.pat, err)
		}
		if got := g.Match(c.name); got != c.want {
			t.Errorf("%q.Match(%q) = %v, want %v", c.pat, c.name, got, c.want)
		}
	}
}

func TestGlobErrors(t *testing.T) {
	for _, p := range []string{"", "a.[z-a]", "\xff"} {
		if _, err := CompileGlob(p); err == nil {
			t.Errorf("CompileGlob(%q) succeeded", p)
		}
	}
}

func TestGlobLiteral(t *testing.T) {
	g, _ := CompileGlob("a.b*.c")
	if s, ok := g.Literal(0); !ok || s != "a" {
		t.Errorf("Literal(0) = %q, %v", s, ok)
	}
	if _, ok := g.Literal(1); ok {
		t.Errorf("Literal(1) ok for b*")
	}
	if !g.MatchNode(1, "bx") || g.MatchNode(1, "x") || g.Len() != 3 {
		t.Errorf("MatchNode/Len wrong")
	}
	if !g.MatchPrefix("a.bq.c.d") || g.MatchPrefix("a.bq") {
		t.Errorf("MatchPrefix wrong")
	}
}
