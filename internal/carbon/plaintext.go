package carbon

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseLine parses one plaintext line (without its '\n') as carbon's
// MetricLineReceiver.lineReceived does: line.strip().split() must give
// exactly three fields, path, value and timestamp; value and timestamp are
// Python floats. now replaces a timestamp whose integer part is -1.
//
// It returns ErrNaN for a NaN value (carbon drops those silently) and
// ErrInvalidLine, wrapped with the reason, for anything carbon would log
// as an invalid line. The returned name is a new string; line is not
// retained.
func ParseLine(line []byte, now int64) (Metric, error) {
	var f [3][]byte
	n, ascii := splitASCII(line, &f)
	if !ascii {
		return parseLineUnicode(line, now)
	}
	if n != 3 {
		return Metric{}, fmt.Errorf("%w: %d fields, want 3 (path value timestamp)", ErrInvalidLine, n)
	}
	return makeMetric(f[0], f[1], f[2], now)
}

func makeMetric(name, value, ts []byte, now int64) (Metric, error) {
	v, ok := parsePyFloat(value)
	if !ok {
		return Metric{}, fmt.Errorf("%w: value %q is not a number", ErrInvalidLine, clip(value))
	}
	t, ok := parsePyFloat(ts)
	if !ok {
		return Metric{}, fmt.Errorf("%w: timestamp %q is not a number", ErrInvalidLine, clip(ts))
	}
	if v != v {
		return Metric{}, ErrNaN
	}
	it, err := timestamp(t, now)
	if err != nil {
		return Metric{}, err
	}
	return Metric{Name: string(name), Timestamp: it, Value: v}, nil
}

// timestamp applies carbon's int(ts) == -1 → now rule and whisper's int()
// truncation. Non-finite or out-of-range timestamps are invalid (carbon's
// int() raises on them).
func timestamp(t float64, now int64) (int64, error) {
	if math.IsNaN(t) || math.IsInf(t, 0) || t >= 1<<63 || t < -(1<<63) {
		return 0, fmt.Errorf("%w: timestamp %v is not a finite integer", ErrInvalidLine, t)
	}
	it := int64(t) // truncates toward zero, like Python's int()
	if it == -1 {
		return now, nil
	}
	return it, nil
}

// splitASCII splits line on Python's ASCII whitespace into at most 3
// fields (a 4th field makes n = 4). It reports ascii = false as soon as it
// meets a non-ASCII byte, because Unicode whitespace then needs decoding.
func splitASCII(line []byte, f *[3][]byte) (n int, ascii bool) {
	i := 0
	for {
		for i < len(line) && isPySpaceASCII(line[i]) {
			i++
		}
		if i == len(line) {
			return n, true
		}
		start := i
		for i < len(line) && !isPySpaceASCII(line[i]) {
			if line[i] >= utf8.RuneSelf {
				return 0, false
			}
			i++
		}
		if n == 3 {
			return 4, true
		}
		f[n] = line[start:i]
		n++
	}
}

// isPySpaceASCII is Python's str.isspace for ASCII: space, \t \n \v \f \r
// and the separators \x1c-\x1f.
func isPySpaceASCII(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)
}

// isPySpace is Python 3's str.isspace for any rune.
func isPySpace(r rune) bool {
	if r < utf8.RuneSelf {
		return isPySpaceASCII(byte(r))
	}
	return unicode.IsSpace(r)
}

// parseLineUnicode is the slow path for lines with non-ASCII bytes: Python
// decodes the line as UTF-8 first (a decode error is a ValueError, so an
// invalid line) and splits on Unicode whitespace.
func parseLineUnicode(line []byte, now int64) (Metric, error) {
	if !utf8.Valid(line) {
		return Metric{}, fmt.Errorf("%w: not valid UTF-8", ErrInvalidLine)
	}
	fields := strings.FieldsFunc(string(line), isPySpace)
	if len(fields) != 3 {
		return Metric{}, fmt.Errorf("%w: %d fields, want 3 (path value timestamp)", ErrInvalidLine, len(fields))
	}
	return makeMetric([]byte(fields[0]), []byte(fields[1]), []byte(fields[2]), now)
}

// clip shortens a field for an error message (carbon truncates logged
// lines to 400 characters).
func clip(b []byte) string {
	if len(b) > 64 {
		return string(b[:64]) + "..."
	}
	return string(b)
}

// parsePyFloat parses s exactly as Python 3's float(str) does for already
// stripped ASCII input: an optional sign, then "inf", "infinity" or "nan"
// in any case, or a decimal with optional fraction and exponent in which
// single underscores may separate digits. Hexadecimal and other Go-only
// spellings are refused.
func parsePyFloat(s []byte) (float64, bool) {
	if len(s) == 0 {
		return 0, false
	}
	body := s
	neg := false
	if body[0] == '+' || body[0] == '-' {
		neg = body[0] == '-'
		body = body[1:]
	}
	if len(body) > 0 && (body[0]|0x20 == 'i' || body[0]|0x20 == 'n') {
		switch strings.ToLower(string(body)) {
		case "inf", "infinity":
			if neg {
				return math.Inf(-1), true
			}
			return math.Inf(1), true
		case "nan":
			return math.NaN(), true
		}
		return 0, false
	}
	underscores, ok := decimalSyntax(body)
	if !ok {
		return 0, false
	}
	str := string(s)
	if underscores {
		str = strings.ReplaceAll(str, "_", "")
	}
	v, err := strconv.ParseFloat(str, 64)
	if err != nil {
		// Out of range: ParseFloat gives ±Inf or ±0 as Python does.
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	return v, true
}

// decimalSyntax checks digitpart ["." [digitpart]] | "." digitpart,
// then an optional exponent, where digitpart = digit (["_"] digit)*.
func decimalSyntax(s []byte) (underscores, ok bool) {
	i := 0
	digits := func() bool {
		start := i
		for i < len(s) {
			c := s[i]
			if c >= '0' && c <= '9' {
				i++
				continue
			}
			if c == '_' && i > start && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
				underscores = true
				i++
				continue
			}
			break
		}
		return i > start
	}
	intPart := digits()
	fracPart := false
	if i < len(s) && s[i] == '.' {
		i++
		fracPart = digits()
	}
	if !intPart && !fracPart {
		return false, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false, false
		}
	}
	return underscores, i == len(s)
}
