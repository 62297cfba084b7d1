package graphite

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrSyntax is returned by ParseTarget for a target it cannot parse.
var ErrSyntax = errors.New("graphite: syntax error")

// ExprKind says what an Expr is.
type ExprKind uint8

// The kinds of Expr.
const (
	ExprPath   ExprKind = iota // a metric path or glob: Path
	ExprCall                   // a function call: Func, Args, Kwargs
	ExprString                 // a quoted string: Str (without quotes, escapes kept)
	ExprNumber                 // a number: Num (IsInt for integer literals)
	ExprBool                   // true or false: Bool
	ExprNone                   // None
)

// Expr is one parsed node of a render target, following graphite-web's
// grammar (render/grammar_unsafe.py): paths with globs and {a,b} lists,
// calls with positional then keyword arguments, strings, numbers,
// booleans, None and inf, and pipes ("a.b | sumSeries()").
type Expr struct {
	Kind   ExprKind
	Path   string // ExprPath: the pattern, backslash escapes removed
	Func   string // ExprCall
	Args   []*Expr
	Kwargs []Kwarg
	Str    string
	Num    float64
	IsInt  bool
	Bool   bool
	Raw    string // ExprCall, ExprPath: the source text
}

// Kwarg is one name=value argument of a call.
type Kwarg struct {
	Name  string
	Value *Expr
}

// maxDepth bounds call nesting so hostile targets cannot exhaust the stack.
const maxDepth = 200

// ParseTarget parses one render target.
func ParseTarget(s string) (*Expr, error) {
	p := &parser{s: s}
	e, err := p.expression(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, p.errorf("unexpected %q", p.rest())
	}
	return e, nil
}

type parser struct {
	s string
	i int
}

func (p *parser) errorf(format string, a ...any) error {
	return fmt.Errorf("%w at offset %d of %q: %s", ErrSyntax, p.i, p.s, fmt.Sprintf(format, a...))
}

func (p *parser) rest() string {
	r := p.s[p.i:]
	if len(r) > 20 {
		r = r[:20] + "..."
	}
	return r
}

func (p *parser) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *parser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdent(c byte) bool      { return isIdentStart(c) || c >= '0' && c <= '9' }

// ident reads an identifier at p.i, or returns "".
func (p *parser) ident() string {
	j := p.i
	if j >= len(p.s) || !isIdentStart(p.s[j]) {
		return ""
	}
	for j < len(p.s) && isIdent(p.s[j]) {
		j++
	}
	return p.s[p.i:j]
}

// expression is (call | path) { "|" call }.
func (p *parser) expression(depth int) (*Expr, error) {
	if depth > maxDepth {
		return nil, p.errorf("nesting deeper than %d", maxDepth)
	}
	p.ws()
	e, err := p.callOrPath(depth)
	if err != nil {
		return nil, err
	}
	for {
		save := p.i
		p.ws()
		if p.peek() != '|' {
			p.i = save
			return e, nil
		}
		p.i++
		p.ws()
		start := p.i
		name := p.ident()
		if name == "" {
			return nil, p.errorf("expected a function call after |")
		}
		p.i += len(name)
		p.ws()
		if p.peek() != '(' {
			return nil, p.errorf("expected ( after %s", name)
		}
		c, err := p.call(name, start, depth)
		if err != nil {
			return nil, err
		}
		c.Args = append([]*Expr{e}, c.Args...)
		c.Raw = "" // the source text no longer covers the piped argument
		e = c
	}
}

func (p *parser) callOrPath(depth int) (*Expr, error) {
	start := p.i
	if name := p.ident(); name != "" {
		p.i += len(name)
		save := p.i
		p.ws()
		if p.peek() == '(' {
			return p.call(name, start, depth)
		}
		p.i = save
		p.i = start
	}
	return p.path()
}

// call parses "(args)" after a function name that started at start.
func (p *parser) call(name string, start, depth int) (*Expr, error) {
	p.i++ // (
	e := &Expr{Kind: ExprCall, Func: name}
	p.ws()
	if p.peek() == ')' {
		p.i++
		e.Raw = p.s[start:p.i]
		return e, nil
	}
	for {
		p.ws()
		// name=value (but not a path such as a=b.c followed by , or ))
		if id := p.ident(); id != "" {
			j := p.i + len(id)
			for j < len(p.s) && p.s[j] == ' ' {
				j++
			}
			if j < len(p.s) && p.s[j] == '=' {
				p.i = j + 1
				v, err := p.arg(depth)
				if err != nil {
					return nil, err
				}
				e.Kwargs = append(e.Kwargs, Kwarg{id, v})
				goto next
			}
		}
		if len(e.Kwargs) > 0 {
			return nil, p.errorf("positional argument after keyword argument in %s()", name)
		}
		{
			v, err := p.arg(depth)
			if err != nil {
				return nil, err
			}
			e.Args = append(e.Args, v)
		}
	next:
		p.ws()
		switch p.peek() {
		case ',':
			p.i++
		case ')':
			p.i++
			e.Raw = p.s[start:p.i]
			return e, nil
		default:
			return nil, p.errorf("expected , or ) in %s()", name)
		}
	}
}

// argEnds reports whether the text after a scalar literal ends the
// argument (graphite-web's afterNumber: followed by , or ) or the end).
func (p *parser) argEnds(j int) bool {
	for j < len(p.s) && (p.s[j] == ' ' || p.s[j] == '\t') {
		j++
	}
	return j == len(p.s) || p.s[j] == ',' || p.s[j] == ')'
}

func (p *parser) arg(depth int) (*Expr, error) {
	p.ws()
	if p.i >= len(p.s) {
		return nil, p.errorf("missing argument")
	}
	c := p.s[p.i]
	if c == '"' || c == '\'' {
		return p.str(c)
	}
	if n := numberLen(p.s[p.i:]); n > 0 && p.argEnds(p.i+n) {
		lit := p.s[p.i : p.i+n]
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, p.errorf("bad number %q", lit)
		}
		p.i += n
		return &Expr{Kind: ExprNumber, Num: f, IsInt: !strings.ContainsAny(lit, ".eE"), Str: lit}, nil
	}
	if id := p.ident(); id != "" && p.argEnds(p.i+len(id)) {
		switch strings.ToLower(id) {
		case "true", "false":
			p.i += len(id)
			return &Expr{Kind: ExprBool, Bool: strings.EqualFold(id, "true")}, nil
		case "none":
			p.i += len(id)
			return &Expr{Kind: ExprNone}, nil
		case "inf":
			p.i += len(id)
			return &Expr{Kind: ExprNumber, Num: inf, Str: id}, nil
		}
	}
	return p.expression(depth + 1)
}

// numberLen is the length of graphite's number at the start of s:
// -?\d+(\.\d+)?([eE]-?\d+)?, or 0.
func numberLen(s string) int {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	d := digits(s[i:])
	if d == 0 {
		return 0
	}
	i += d
	if i+1 < len(s) && s[i] == '.' {
		if d := digits(s[i+1:]); d > 0 {
			i += 1 + d
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && s[j] == '-' {
			j++
		}
		if d := digits(s[j:]); d > 0 {
			i = j + d
		}
	}
	return i
}

func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// str parses a quoted string as pyparsing's quotedString: a backslash
// escapes the next character, a doubled quote is one quote, and the value
// is the text between the quotes as written (graphite-web does not
// unescape: "\1 A" stays backslash-one).
func (p *parser) str(q byte) (*Expr, error) {
	j := p.i + 1
	for j < len(p.s) {
		c := p.s[j]
		switch {
		case c == '\\' && j+1 < len(p.s):
			j += 2
		case c == q && j+1 < len(p.s) && p.s[j+1] == q:
			j += 2
		case c == q:
			e := &Expr{Kind: ExprString, Str: p.s[p.i+1 : j]}
			p.i = j + 1
			return e, nil
		case c == '\n' || c == '\r':
			return nil, p.errorf("newline in string")
		default:
			j++
		}
	}
	return nil, p.errorf("unterminated string")
}

// pathSymbols are the characters a path cannot hold unescaped.
const pathSymbols = "(){},.'\"\\|"

// path parses a metric path: nodes of printable characters (escape
// symbols with a backslash) and {a,b} lists, separated by dots.
func (p *parser) path() (*Expr, error) {
	var b strings.Builder
	start := p.i
	nodeLen := 0
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '\\':
			if p.i+1 >= len(p.s) || !strings.ContainsRune(pathSymbols+"=", rune(p.s[p.i+1])) {
				return nil, p.errorf("bad escape in path")
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
			nodeLen++
		case c == '.':
			if nodeLen == 0 {
				return nil, p.errorf("empty path node")
			}
			b.WriteByte('.')
			p.i++
			nodeLen = 0
		case c == '{':
			j := strings.IndexByte(p.s[p.i:], '}')
			if j < 0 {
				return nil, p.errorf("unclosed {")
			}
			inner := p.s[p.i+1 : p.i+j]
			if strings.ContainsAny(inner, "(){.'\"|\\ ") {
				return nil, p.errorf("bad {} list %q", inner)
			}
			b.WriteString(p.s[p.i : p.i+j+1])
			p.i += j + 1
			nodeLen++
		case c <= ' ' || c == 0x7f || strings.IndexByte(pathSymbols, c) >= 0:
			goto done
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			if r == utf8.RuneError {
				return nil, p.errorf("invalid UTF-8 in path")
			}
			b.WriteString(p.s[p.i : p.i+size])
			p.i += size
			nodeLen++
		default:
			b.WriteByte(c)
			p.i++
			nodeLen++
		}
	}
done:
	if b.Len() == 0 {
		if p.i >= len(p.s) {
			return nil, p.errorf("missing path")
		}
		return nil, p.errorf("unexpected %q", p.rest())
	}
	if nodeLen == 0 {
		return nil, p.errorf("path ends with a dot")
	}
	return &Expr{Kind: ExprPath, Path: b.String(), Raw: p.s[start:p.i]}, nil
}

// String prints the expression back in graphite's syntax.
func (e *Expr) String() string {
	switch e.Kind {
	case ExprPath:
		if e.Raw != "" {
			return e.Raw
		}
		return e.Path
	case ExprCall:
		if e.Raw != "" {
			return e.Raw
		}
		var b strings.Builder
		b.WriteString(e.Func + "(")
		for i, a := range e.Args {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(a.String())
		}
		for i, k := range e.Kwargs {
			if i > 0 || len(e.Args) > 0 {
				b.WriteByte(',')
			}
			b.WriteString(k.Name + "=" + k.Value.String())
		}
		b.WriteByte(')')
		return b.String()
	case ExprString:
		return "'" + e.Str + "'"
	case ExprNumber:
		if e.Str != "" {
			return e.Str
		}
		return strconv.FormatFloat(e.Num, 'g', -1, 64)
	case ExprBool:
		if e.Bool {
			return "true"
		}
		return "false"
	}
	return "None"
}
