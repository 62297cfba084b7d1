// Package pyfmt formats numbers exactly as CPython does — repr(float),
// "%f" and "%g" with width and precision, nan and inf spelled as Python
// spells them — for every place where ringvault's output must be
// byte-identical with a Python peer (whisper-* scripts, blpk, graphite-web
// JSON, python exception messages in the format packages).
package pyfmt

import (
	"math"
	"strconv"
	"strings"
)

// FloatRepr is Python's repr(float) (and str(float)): the shortest string
// that round-trips, in fixed notation when the decimal exponent is in
// [-4, 16), otherwise as "1e+16"; integral values get ".0"; "inf", "-inf",
// "nan".
func FloatRepr(f float64) string {
	return string(AppendFloatRepr(nil, f))
}

// AppendFloatRepr appends FloatRepr(f) to dst without allocating (once dst
// has room).
func AppendFloatRepr(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // [-]d[.ddd]e±XX
	if e[0] == '-' {
		dst = append(dst, '-')
		e = e[1:]
	}
	ePos := len(e) - 1
	for e[ePos] != 'e' {
		ePos--
	}
	exp := 0
	for _, c := range e[ePos+2:] {
		exp = exp*10 + int(c-'0')
	}
	if e[ePos+1] == '-' {
		exp = -exp
	}
	var dig [24]byte
	digits := append(dig[:0], e[0])
	if ePos > 1 {
		digits = append(digits, e[2:ePos]...)
	}
	decpt := exp + 1 // position of the decimal point after the first digit
	if decpt > -4 && decpt <= 16 {
		switch {
		case decpt <= 0:
			dst = append(dst, "0."...)
			for range -decpt {
				dst = append(dst, '0')
			}
			dst = append(dst, digits...)
		case decpt >= len(digits):
			dst = append(dst, digits...)
			for range decpt - len(digits) {
				dst = append(dst, '0')
			}
			dst = append(dst, ".0"...)
		default:
			dst = append(dst, digits[:decpt]...)
			dst = append(dst, '.')
			dst = append(dst, digits[decpt:]...)
		}
		return dst
	}
	dst = append(dst, digits[0])
	if len(digits) > 1 {
		dst = append(dst, '.')
		dst = append(dst, digits[1:]...)
	}
	dst = append(dst, 'e')
	x := decpt - 1
	if x < 0 {
		dst = append(dst, '-')
		x = -x
	} else {
		dst = append(dst, '+')
	}
	if x < 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendInt(dst, int64(x), 10)
}

// AppendF appends Python's "%.{prec}f" % f to dst.
func AppendF(dst []byte, f float64, prec int) []byte {
	if s, ok := nonFinite(f, false); ok {
		return append(dst, s...)
	}
	return strconv.AppendFloat(dst, f, 'f', prec, 64)
}

func nonFinite(f float64, upper bool) (string, bool) {
	s := ""
	switch {
	case math.IsNaN(f):
		s = "nan"
	case math.IsInf(f, 1):
		s = "inf"
	case math.IsInf(f, -1):
		s = "-inf"
	default:
		return "", false
	}
	if upper {
		s = strings.ToUpper(s)
	}
	return s, true
}

// FormatF is Python's "%.{prec}f" % f ("%f" is prec 6).
func FormatF(f float64, prec int) string {
	if s, ok := nonFinite(f, false); ok {
		return s
	}
	return strconv.FormatFloat(f, 'f', prec, 64)
}

// FormatG is Python's "%{width}.{prec}g" % f: C's %g (trailing zeros
// removed, exponent with at least two digits) padded on the left to width.
func FormatG(f float64, width, prec int) string {
	s, ok := nonFinite(f, false)
	if !ok {
		if prec == 0 {
			prec = 1
		}
		// Round to prec significant digits first, then choose the style
		// from the rounded exponent, as C does.
		e := strconv.FormatFloat(f, 'e', prec-1, 64)
		_, exps, _ := strings.Cut(e, "e")
		x, _ := strconv.Atoi(exps)
		if x < -4 || x >= prec {
			mant, _, _ := strings.Cut(e, "e")
			if strings.Contains(mant, ".") {
				mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
			}
			sign := "+"
			if x < 0 {
				sign, x = "-", -x
			}
			xs := strconv.Itoa(x)
			if len(xs) < 2 {
				xs = "0" + xs
			}
			s = mant + "e" + sign + xs
		} else {
			s = strconv.FormatFloat(f, 'f', prec-1-x, 64)
			if strings.Contains(s, ".") {
				s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
			}
		}
	}
	if len(s) < width {
		s = strings.Repeat(" ", width-len(s)) + s
	}
	return s
}
