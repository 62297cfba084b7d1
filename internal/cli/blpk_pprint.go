package cli

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"ringvault/bloscpack"
	"ringvault/internal/pyfmt"
)

// blpk info prints metadata with Python's pprint.pformat(metadata,
// width=90). These functions reproduce pprint (3.11) for the values JSON
// can hold: dicts with sorted keys, lists, str (split into adjacent
// literals when too long), int, float, bool and None.

// pyRepr is Python's repr() of a decoded JSON value (dict keys sorted, as
// pprint's safe repr does).
func pyRepr(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case bloscpack.JSONInt:
		return string(v)
	case float64:
		return pyfmt.FloatRepr(v)
	case string:
		return pyStrRepr(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *bloscpack.JSONObject:
		keys, vals := sortedItems(v)
		parts := make([]string, len(keys))
		for i := range keys {
			parts[i] = pyStrRepr(keys[i]) + ": " + pyRepr(vals[i])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

func sortedItems(o *bloscpack.JSONObject) ([]string, []any) {
	idx := make([]int, len(o.Keys))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return o.Keys[idx[a]] < o.Keys[idx[b]] })
	keys := make([]string, len(idx))
	vals := make([]any, len(idx))
	for i, j := range idx {
		keys[i], vals[i] = o.Keys[j], o.Values[j]
	}
	return keys, vals
}

// pyStrRepr is Python 3's repr(str).
func pyStrRepr(s string) string {
	quote := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteRune(quote)
	for _, r := range s {
		switch {
		case r == quote || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == ' ' || r < 0x7f && r >= 0x20:
			b.WriteRune(r)
		case r < 0x100 && !pyPrintable(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000 && !pyPrintable(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		case !pyPrintable(r):
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteRune(quote)
	return b.String()
}

// pyPrintable approximates str.isprintable for one character.
func pyPrintable(r rune) bool {
	if unicode.Is(unicode.Zs, r) {
		return r == ' '
	}
	return unicode.IsPrint(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// pyPformat is pprint.pformat(v, width=width).
func pyPformat(v any, width int) string {
	p := &pprinter{width: width}
	p.format(v, 0, 0, 0)
	return p.b.String()
}

type pprinter struct {
	width int
	b     strings.Builder
}

func (p *pprinter) format(v any, indent, allowance, level int) {
	rep := pyRepr(v)
	if len([]rune(rep)) > p.width-indent-allowance {
		switch v := v.(type) {
		case *bloscpack.JSONObject:
			p.dict(v, indent, allowance, level+1)
			return
		case []any:
			p.list(v, indent, allowance, level+1)
			return
		case string:
			p.str(v, indent, allowance, level+1)
			return
		}
	}
	p.b.WriteString(rep)
}

func (p *pprinter) dict(o *bloscpack.JSONObject, indent, allowance, level int) {
	p.b.WriteByte('{')
	keys, vals := sortedItems(o)
	indent++
	for i := range keys {
		last := i == len(keys)-1
		rep := pyStrRepr(keys[i])
		p.b.WriteString(rep)
		p.b.WriteString(": ")
		a := 1
		if last {
			a = allowance + 1
		}
		p.format(vals[i], indent+len([]rune(rep))+2, a, level)
		if !last {
			p.b.WriteString(",\n" + strings.Repeat(" ", indent))
		}
	}
	p.b.WriteByte('}')
}

func (p *pprinter) list(l []any, indent, allowance, level int) {
	p.b.WriteByte('[')
	indent++
	for i, e := range l {
		if i > 0 {
			p.b.WriteString(",\n" + strings.Repeat(" ", indent))
		}
		a := 1
		if i == len(l)-1 {
			a = allowance + 1
		}
		p.format(e, indent, a, level)
	}
	p.b.WriteByte(']')
}

var wordSpaceRe = regexp.MustCompile(`\S*\s*`)

func (p *pprinter) str(s string, indent, allowance, level int) {
	if s == "" {
		p.b.WriteString(pyStrRepr(s))
		return
	}
	lines := splitLinesKeep(s)
	if level == 1 {
		indent++
		allowance++
	}
	maxWidth := p.width - indent
	maxWidth1 := maxWidth
	rl := func(s string) int { return len([]rune(pyStrRepr(s))) }
	var chunks []string
	var rep string
	for i, line := range lines {
		rep = pyStrRepr(line)
		if i == len(lines)-1 {
			maxWidth1 -= allowance
		}
		if len([]rune(rep)) <= maxWidth1 {
			chunks = append(chunks, rep)
			continue
		}
		parts := wordSpaceRe.FindAllString(line, -1)
		for len(parts) > 0 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		maxWidth2 := maxWidth
		current := ""
		for j, part := range parts {
			candidate := current + part
			if j == len(parts)-1 && i == len(lines)-1 {
				maxWidth2 -= allowance
			}
			if rl(candidate) > maxWidth2 {
				if current != "" {
					chunks = append(chunks, pyStrRepr(current))
				}
				current = part
			} else {
				current = candidate
			}
		}
		if current != "" {
			chunks = append(chunks, pyStrRepr(current))
		}
	}
	if len(chunks) == 1 {
		p.b.WriteString(rep)
		return
	}
	if level == 1 {
		p.b.WriteByte('(')
	}
	for i, c := range chunks {
		if i > 0 {
			p.b.WriteString("\n" + strings.Repeat(" ", indent))
		}
		p.b.WriteString(c)
	}
	if level == 1 {
		p.b.WriteByte(')')
	}
}

// splitLinesKeep is str.splitlines(True) for the common line breaks.
func splitLinesKeep(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n', '\v', '\f', '\x1c', '\x1d', '\x1e':
			out = append(out, s[start:i+1])
			start = i + 1
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			out = append(out, s[start:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
