package bloscpack

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"ringvault/internal/pyfmt"
)

// Bloscpack serializes metadata with Python's json module:
// json.dumps(obj, separators=(',', ':')) of what json.loads gave. To write
// the same bytes, metadata is parsed into ordered values and printed the way
// Python prints them: object keys in insertion order (a repeated key keeps
// its first position and its last value), integers with all their digits,
// floats in repr form (1e-05, 100.0, 1e+16), non-ASCII escaped as \uXXXX,
// NaN and Infinity allowed.

// JSONObject is a JSON object with its keys in insertion order.
type JSONObject struct {
	Keys   []string
	Values []any
}

// Get returns the value of key and whether it is present.
func (o *JSONObject) Get(key string) (any, bool) {
	for i, k := range o.Keys {
		if k == key {
			return o.Values[i], true
		}
	}
	return nil, false
}

func (o *JSONObject) set(key string, v any) {
	for i, k := range o.Keys {
		if k == key {
			o.Values[i] = v
			return
		}
	}
	o.Keys = append(o.Keys, key)
	o.Values = append(o.Values, v)
}

// JSONInt is a JSON integer with its decimal digits (Python ints have no
// size limit).
type JSONInt string

// DecodeJSON parses JSON text as Python's json.loads does, into *JSONObject,
// []any, string, JSONInt, float64, bool and nil.
func DecodeJSON(data []byte) (any, error) {
	p := &jsonParser{s: string(data)}
	p.ws()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, p.errorf("Extra data")
	}
	return v, nil
}

// CompactJSON re-serializes JSON text the way bloscpack stores metadata
// (json.dumps(json.loads(text), separators=(',', ':'))).
func CompactJSON(data []byte) ([]byte, error) {
	v, err := DecodeJSON(data)
	if err != nil {
		return nil, err
	}
	return EncodeJSON(nil, v), nil
}

type jsonParser struct {
	s string
	i int
}

func (p *jsonParser) errorf(msg string) error {
	line := 1 + strings.Count(p.s[:p.i], "\n")
	col := p.i - strings.LastIndexByte(p.s[:p.i], '\n')
	return fmt.Errorf("%w: %s: line %d column %d (char %d)", ErrInvalidOptions, msg, line, col, p.i)
}

func (p *jsonParser) ws() {
	for p.i < len(p.s) && strings.IndexByte(" \t\n\r", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *jsonParser) value(depth int) (any, error) {
	if depth > 1000 {
		return nil, p.errorf("maximum recursion depth exceeded")
	}
	if p.i >= len(p.s) {
		return nil, p.errorf("Expecting value")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		return p.str()
	case strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
		return nil, nil
	case strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		return true, nil
	case strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		return false, nil
	case strings.HasPrefix(p.s[p.i:], "NaN"):
		p.i += 3
		return math.NaN(), nil
	case strings.HasPrefix(p.s[p.i:], "Infinity"):
		p.i += 8
		return math.Inf(1), nil
	case strings.HasPrefix(p.s[p.i:], "-Infinity"):
		p.i += 9
		return math.Inf(-1), nil
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	return nil, p.errorf("Expecting value")
}

func (p *jsonParser) object(depth int) (any, error) {
	p.i++
	o := &JSONObject{}
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return o, nil
	}
	for {
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, p.errorf("Expecting property name enclosed in double quotes")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.errorf("Expecting ':' delimiter")
		}
		p.i++
		p.ws()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		o.set(k, v)
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return o, nil
		}
		return nil, p.errorf("Expecting ',' delimiter")
	}
}

func (p *jsonParser) array(depth int) (any, error) {
	p.i++
	a := []any{}
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return a, nil
	}
	for {
		p.ws()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return a, nil
		}
		return nil, p.errorf("Expecting ',' delimiter")
	}
}

func (p *jsonParser) number() (any, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i < len(p.s) && p.s[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		p.i = start
		return nil, p.errorf("Expecting value")
	}
	isFloat := false
	if p.i+1 < len(p.s) && p.s[p.i] == '.' && p.s[p.i+1] >= '0' && p.s[p.i+1] <= '9' {
		p.i++
		digits()
		isFloat = true
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		save := p.i
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			p.i = save
		} else {
			isFloat = true
		}
	}
	lit := p.s[start:p.i]
	if !isFloat {
		n, ok := new(big.Int).SetString(lit, 10)
		if !ok {
			return nil, p.errorf("Expecting value")
		}
		return JSONInt(n.String()), nil
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !math.IsInf(f, 0) {
		return nil, p.errorf("Expecting value")
	}
	return f, nil
}

func (p *jsonParser) str() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for {
		if p.i >= len(p.s) {
			return "", p.errorf("Unterminated string starting at")
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return "", p.errorf("Unterminated string starting at")
			}
			e := p.s[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", p.errorf("Invalid \\uXXXX escape")
				}
				if utf16.IsSurrogate(r) && strings.HasPrefix(p.s[p.i:], `\u`) {
					save := p.i
					p.i += 2
					r2, ok := p.hex4()
					if ok && utf16.DecodeRune(r, r2) != utf8.RuneError {
						r = utf16.DecodeRune(r, r2)
					} else {
						p.i = save
					}
				}
				b.WriteRune(r) // lone surrogates become U+FFFD
			default:
				return "", p.errorf("Invalid \\escape")
			}
		case c < 0x20:
			return "", p.errorf("Invalid control character at")
		default:
			b.WriteByte(c)
			p.i++
		}
	}
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	v, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(v), true
}

// EncodeJSON appends v as json.dumps(v, separators=(',', ':')) to dst.
func EncodeJSON(dst []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		if v {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case JSONInt:
		return append(dst, v...)
	case int:
		return strconv.AppendInt(dst, int64(v), 10)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case float64:
		switch {
		case math.IsNaN(v):
			return append(dst, "NaN"...)
		case math.IsInf(v, 1):
			return append(dst, "Infinity"...)
		case math.IsInf(v, -1):
			return append(dst, "-Infinity"...)
		}
		return append(dst, pyfmt.FloatRepr(v)...)
	case string:
		return appendJSONString(dst, v)
	case []any:
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = EncodeJSON(dst, e)
		}
		return append(dst, ']')
	case []int64:
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendInt(dst, e, 10)
		}
		return append(dst, ']')
	case *JSONObject:
		dst = append(dst, '{')
		for i, k := range v.Keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, k)
			dst = append(dst, ':')
			dst = EncodeJSON(dst, v.Values[i])
		}
		return append(dst, '}')
	}
	panic(fmt.Sprintf("bloscpack: EncodeJSON of %T", v)) // programming error
}

func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for _, r := range s {
		switch {
		case r == '"':
			dst = append(dst, `\"`...)
		case r == '\\':
			dst = append(dst, `\\`...)
		case r == '\n':
			dst = append(dst, `\n`...)
		case r == '\r':
			dst = append(dst, `\r`...)
		case r == '\t':
			dst = append(dst, `\t`...)
		case r == '\b':
			dst = append(dst, `\b`...)
		case r == '\f':
			dst = append(dst, `\f`...)
		case r < 0x20 || r >= 0x7f && r <= 0xffff:
			dst = fmt.Appendf(dst, `\u%04x`, r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			dst = fmt.Appendf(dst, `\u%04x\u%04x`, r1, r2)
		default:
			dst = append(dst, byte(r))
		}
	}
	return append(dst, '"')
}

// jsonEqual is Python's == on decoded JSON values (dicts compare without
// order, 1 == 1.0).
func jsonEqual(a, b any) bool {
	num := func(v any) (*big.Float, bool) {
		switch v := v.(type) {
		case JSONInt:
			f, ok := new(big.Float).SetPrec(2000).SetString(string(v))
			return f, ok
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, false
			}
			return new(big.Float).SetPrec(2000).SetFloat64(v), true
		case bool:
			if v {
				return big.NewFloat(1), true
			}
			return big.NewFloat(0), true
		}
		return nil, false
	}
	if fa, ok := num(a); ok {
		fb, ok := num(b)
		return ok && fa.Cmp(fb) == 0
	}
	switch a := a.(type) {
	case nil:
		return b == nil
	case float64: // inf or nan
		bf, ok := b.(float64)
		return ok && a == bf
	case string:
		bs, ok := b.(string)
		return ok && a == bs
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return false
		}
		for i := range a {
			if !jsonEqual(a[i], bl[i]) {
				return false
			}
		}
		return true
	case *JSONObject:
		bo, ok := b.(*JSONObject)
		if !ok || len(a.Keys) != len(bo.Keys) {
			return false
		}
		for i, k := range a.Keys {
			bv, ok := bo.Get(k)
			if !ok || !jsonEqual(a.Values[i], bv) {
				return false
			}
		}
		return true
	}
	return false
}
