// Package pyopt parses command lines the way Python's optparse and argparse
// do, and prints their help, usage and error texts byte for byte, so that
// ringvault's replacements of Python tools (whisper-fetch, blpk, ...) accept
// the same arguments and answer with the same words and exit codes.
//
// It also formats numbers as Python does (float repr, %f, %g), since the
// tools print values with Python's formatting.
package pyopt

import (
	"fmt"
	"strconv"
	"strings"
)

// Action is what an option does when it is seen.
type Action int

const (
	// Store keeps the option's value (of the option's Type).
	Store Action = iota
	// StoreTrue sets the destination to true and takes no value.
	StoreTrue
	// Help prints the help text and exits with status 0.
	Help
)

// Type is the type of an option's or argument's value.
type Type int

const (
	// String keeps the text as given.
	String Type = iota
	// Int parses like optparse's "int" (0x, 0b and leading-0 octal
	// prefixes) or argparse's type=int.
	Int
	// Float parses like Python's float().
	Float
	// Choice accepts one of Choices.
	Choice
)

// Values holds the parsed options by destination name.
type Values struct {
	m   map[string]any
	set map[string]bool
}

func newValues() *Values { return &Values{m: map[string]any{}, set: map[string]bool{}} }

// IsSet reports whether the option was given on the command line.
func (v *Values) IsSet(dest string) bool { return v.set[dest] }

// Get returns the value of dest (its default when not given): a string,
// int64, float64, bool, []string, or nil.
func (v *Values) Get(dest string) any { return v.m[dest] }

// String returns a string option's value and whether it is not None.
func (v *Values) String(dest string) (string, bool) {
	s, ok := v.m[dest].(string)
	return s, ok
}

// Int returns an integer option's value and whether it is not None.
func (v *Values) Int(dest string) (int64, bool) {
	i, ok := v.m[dest].(int64)
	return i, ok
}

// Float returns a float option's value and whether it is not None.
func (v *Values) Float(dest string) (float64, bool) {
	f, ok := v.m[dest].(float64)
	return f, ok
}

// Bool returns a flag's value.
func (v *Values) Bool(dest string) bool {
	b, _ := v.m[dest].(bool)
	return b
}

// Strings returns the values of a positional argument with nargs '+' or '*'.
func (v *Values) Strings(dest string) []string {
	s, _ := v.m[dest].([]string)
	return s
}

// Exit ends the program early: help printed (Code 0, text on Stdout) or a
// usage error (Code 2, text on Stderr), as Python's parsers call sys.exit.
type Exit struct {
	Code   int
	Stdout string
	Stderr string
}

func (e *Exit) Error() string {
	return fmt.Sprintf("exit %d: %s", e.Code, strings.TrimSpace(e.Stderr))
}

// ParseInt is optparse's _parse_int: "0x" hex, "0b" binary, a leading "0"
// octal, else decimal, with Python int()'s sign, whitespace and underscores.
func ParseInt(s string) (int64, bool) {
	base := 10
	v := s
	switch {
	case len(v) >= 2 && strings.EqualFold(v[:2], "0x"):
		base = 16
	case len(v) >= 2 && strings.EqualFold(v[:2], "0b"):
		base = 2
		v = v[2:]
		if v == "" {
			v = "0"
		}
	case len(v) >= 1 && v[0] == '0':
		base = 8
	}
	return PyInt(v, base)
}

// PyInt is Python's int(s, base) for base 2, 8, 10 or 16 (base 10 also
// rejects leading zeros on non-zero numbers, as Python does).
func PyInt(s string, base int) (int64, bool) {
	t := strings.TrimSpace(s)
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if base != 10 && len(t) >= 2 && t[0] == '0' {
		p := strings.ToLower(t[:2])
		if base == 16 && p == "0x" || base == 8 && p == "0o" || base == 2 && p == "0b" {
			t = t[2:]
			if strings.HasPrefix(t, "_") {
				t = t[1:]
			}
		}
	}
	if t == "" || t[0] == '_' || t[len(t)-1] == '_' || strings.Contains(t, "__") {
		return 0, false
	}
	t = strings.ReplaceAll(t, "_", "")
	if base == 10 && len(t) > 1 && t[0] == '0' && strings.Trim(t, "0") != "" {
		return 0, false
	}
	u, err := strconv.ParseUint(t, base, 64)
	if err != nil || u > 1<<63 || (u == 1<<63 && !neg) {
		return 0, false
	}
	if neg {
		return -int64(u), true
	}
	return int64(u), true
}

// ParseFloat is Python's float(s): decimal literals with optional
// underscores between digits, "inf", "infinity" and "nan" in any case,
// surrounding whitespace allowed.
func ParseFloat(s string) (float64, bool) {
	t := strings.TrimSpace(s)
	body := strings.TrimLeft(t, "+-")
	if len(t)-len(body) > 1 || body == "" {
		return 0, false
	}
	switch strings.ToLower(body) {
	case "inf", "infinity", "nan":
		f, err := strconv.ParseFloat(t, 64)
		return f, err == nil
	}
	digits, prevDigit, sawDigit, sawE, sawDot := 0, false, false, false, false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c >= '0' && c <= '9':
			prevDigit, sawDigit = true, true
			digits++
		case c == '_':
			if !prevDigit || i+1 >= len(body) || body[i+1] < '0' || body[i+1] > '9' {
				return 0, false
			}
			prevDigit = false
		case c == '.':
			if sawDot || sawE {
				return 0, false
			}
			sawDot, prevDigit = true, false
		case c == 'e' || c == 'E':
			if sawE || !sawDigit {
				return 0, false
			}
			sawE, prevDigit, sawDigit = true, false, false
			if i+1 < len(body) && (body[i+1] == '+' || body[i+1] == '-') {
				i++
			}
		default:
			return 0, false
		}
	}
	if !sawDigit {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64)
	if err != nil {
		// Out of range: Python gives inf, Go an error with ±Inf.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// Repr is Python's repr() of a str: single quotes unless the text holds a
// single quote and no double quote.
func Repr(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r == 0xfffd:
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}
