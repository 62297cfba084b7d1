package graphite

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// ErrBadGlob is returned by CompileGlob for a pattern it cannot compile.
var ErrBadGlob = errors.New("graphite: bad glob")

// Glob is a compiled graphite path pattern. The pattern is split on every
// dot, as graphite-web's finders do, and each node is matched on its own
// with fnmatch rules (* any run, ? one character, [abc] [a-z] [!x] a class)
// plus {a,b} alternatives (which may nest and hold wildcards). Matching runs
// in linear time (RE2), so hostile patterns such as *a*a*a*a*b cannot
// backtrack.
type Glob struct {
	pattern string
	nodes   []globNode
}

type globNode struct {
	literal string // the node when it has no wildcard
	re      *regexp.Regexp
}

// CompileGlob compiles a graphite glob such as "servers.web*.cpu.{user,sys}".
func CompileGlob(pattern string) (*Glob, error) {
	if pattern == "" {
		return nil, fmt.Errorf("%w: empty pattern", ErrBadGlob)
	}
	if !utf8.ValidString(pattern) {
		return nil, fmt.Errorf("%w: %q is not UTF-8", ErrBadGlob, pattern)
	}
	parts := strings.Split(pattern, ".")
	g := &Glob{pattern: pattern, nodes: make([]globNode, len(parts))}
	for i, p := range parts {
		if !HasWildcard(p) {
			g.nodes[i].literal = p
			continue
		}
		expr := "^(?s:" + translateNode(p) + ")$"
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, fmt.Errorf("%w: node %d %q of %q: %v", ErrBadGlob, i, p, pattern, err)
		}
		g.nodes[i].re = re
	}
	return g, nil
}

// HasWildcard reports whether s holds any of graphite's glob characters.
func HasWildcard(s string) bool {
	return strings.ContainsAny(s, "*?[{")
}

// String returns the pattern the Glob was compiled from.
func (g *Glob) String() string { return g.pattern }

// Len is the number of dot-separated nodes in the pattern; a matching
// name has exactly that many nodes.
func (g *Glob) Len() int { return len(g.nodes) }

// Literal returns node i when it has no wildcard (so a store can look the
// name up instead of listing a directory), and ok=false otherwise.
func (g *Glob) Literal(i int) (s string, ok bool) {
	n := &g.nodes[i]
	return n.literal, n.re == nil
}

// MatchNode reports whether one name node (no dots) matches node i.
func (g *Glob) MatchNode(i int, s string) bool {
	n := &g.nodes[i]
	if n.re == nil {
		return n.literal == s
	}
	return n.re.MatchString(s)
}

// Match reports whether a whole dotted metric name matches the pattern.
func (g *Glob) Match(name string) bool {
	i := 0
	for {
		node, rest, more := strings.Cut(name, ".")
		if i >= len(g.nodes) || !g.MatchNode(i, node) {
			return false
		}
		i++
		if !more {
			return i == len(g.nodes)
		}
		name = rest
	}
}

// MatchPrefix reports whether the first Len() nodes of name match, that
// is, name is the pattern's match or lies below one.
func (g *Glob) MatchPrefix(name string) bool {
	for i := range g.nodes {
		node, rest, more := strings.Cut(name, ".")
		if !g.MatchNode(i, node) {
			return false
		}
		if !more {
			return i == len(g.nodes)-1
		}
		name = rest
	}
	return true
}

// translateNode turns one glob node into an RE2 expression following
// Python's fnmatch.translate, with graphite-web's {a,b} expansion.
func translateNode(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); {
		c := p[i]
		switch c {
		case '*':
			b.WriteString(".*")
			i++
		case '?':
			b.WriteString(".")
			i++
		case '[':
			j := classEnd(p, i)
			if j < 0 {
				b.WriteString(`\[`)
				i++
				continue
			}
			writeClass(&b, p[i+1:j])
			i = j + 1
		case '{':
			j := braceEnd(p, i)
			if j < 0 {
				b.WriteString(`\{`)
				i++
				continue
			}
			b.WriteString("(?:")
			for k, alt := range splitAlternatives(p[i+1 : j]) {
				if k > 0 {
					b.WriteByte('|')
				}
				b.WriteString(translateNode(alt))
			}
			b.WriteByte(')')
			i = j + 1
		default:
			_, size := utf8.DecodeRuneInString(p[i:])
			b.WriteString(regexp.QuoteMeta(p[i : i+size]))
			i += size
		}
	}
	return b.String()
}

// classEnd returns the index of the ']' closing the class opened at p[i],
// or -1 (fnmatch then treats '[' as a literal).
func classEnd(p string, i int) int {
	j := i + 1
	if j < len(p) && p[j] == '!' {
		j++
	}
	if j < len(p) && p[j] == ']' {
		j++
	}
	for j < len(p) && p[j] != ']' {
		j++
	}
	if j >= len(p) {
		return -1
	}
	return j
}

func writeClass(b *strings.Builder, body string) {
	b.WriteByte('[')
	if strings.HasPrefix(body, "!") {
		b.WriteByte('^')
		body = body[1:]
	}
	for k, r := range body {
		switch {
		case r == '-' && k > 0 && k < len(body)-1:
			b.WriteByte('-')
		case r < utf8.RuneSelf && !isAlnum(byte(r)):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(']')
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// braceEnd returns the index of the '}' matching the '{' at p[i], or -1.
func braceEnd(p string, i int) int {
	depth := 0
	for j := i; j < len(p); j++ {
		switch p[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// splitAlternatives splits the inside of {..} at its top-level commas.
func splitAlternatives(s string) []string {
	var out []string
	depth, last := 0, 0
	for j := 0; j < len(s); j++ {
		switch s[j] {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[last:j])
				last = j + 1
			}
		}
	}
	return append(out, s[last:])
}
