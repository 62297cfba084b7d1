package carbon

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// maxLongBytes bounds LONG1/LONG4 payloads and LONG text: a float64 never
// needs more than 1024 bits, and a bound keeps big.Int work linear.
const maxLongBytes = 160

// ParsePickle decodes one pickle frame (the payload after the 4-byte
// length) as carbon's MetricPickleReceiver.stringReceived does, appending
// the points to dst. The payload must be a list or tuple of
// (path, (timestamp, value)); elements that do not have that shape, whose
// path is not text or whose numbers do not convert are skipped and
// counted in skipped, NaN values included (carbon drops them).
//
// Before decoding, every opcode is checked against the safe subset and
// every length against the frame, so a hostile frame is refused with
// ErrInvalidPickle without allocating more than a small multiple of the
// frame's size.
func ParsePickle(data []byte, now int64, dst []Metric) (out []Metric, skipped int, err error) {
	if _, err := scanPickle(data); err != nil {
		return dst, 0, err
	}
	var u unpickler
	obj, err := u.load(data)
	if err != nil {
		return dst, 0, fmt.Errorf("%w: %v", ErrInvalidPickle, err)
	}
	items, ok := u.items(obj)
	if !ok {
		return dst, 0, fmt.Errorf("%w: payload is not a list of (path, (timestamp, value))", ErrInvalidPickle)
	}
	for _, raw := range items {
		m, ok := u.metric(raw, now)
		if !ok {
			skipped++
			continue
		}
		dst = append(dst, m)
	}
	return dst, skipped, nil
}

// metric destructures (metric, (timestamp, value)) and converts
// both numbers with Python's float().
func (u *unpickler) metric(raw pval, now int64) (Metric, bool) {
	pair, ok := u.items(raw)
	if !ok || len(pair) != 2 || (pair[0].k != pStr && pair[0].k != pBytes) {
		return Metric{}, false
	}
	name := pair[0].s
	if !utf8.ValidString(name) {
		return Metric{}, false
	}
	point, ok := u.items(pair[1])
	if !ok || len(point) != 2 {
		return Metric{}, false
	}
	t, ok1 := pyFloatVal(point[0])
	v, ok2 := pyFloatVal(point[1])
	if !ok1 || !ok2 || v != v {
		return Metric{}, false
	}
	ts, err := timestamp(t, now)
	if err != nil {
		return Metric{}, false
	}
	return Metric{Name: name, Timestamp: ts, Value: v}, true
}

// scanPickle walks the opcodes of data like pickletools.genops, refusing
// anything outside the safe subset and any argument that runs past the
// end of the data. It does not build objects.
// It reports whether the protocol-0 UNICODE opcode occurs, whose
// raw-unicode-escape argument gopickle does not decode.
func scanPickle(data []byte) (hasV bool, err error) {
	i := 0
	hasFrame := false
	for i < len(data) {
		op := data[i]
		at := i
		i++
		n, err := pickleArgLen(op, data[i:])
		if err != nil {
			return false, fmt.Errorf("%w: opcode 0x%02x at offset %d: %v", ErrInvalidPickle, op, at, err)
		}
		i += n
		switch op {
		case 'V':
			hasV = true
		case 0x95:
			hasFrame = true
		case '.':
			if hasV && hasFrame {
				return false, fmt.Errorf("%w: UNICODE opcode inside a protocol 4 frame", ErrInvalidPickle)
			}
			return hasV, nil
		}
	}
	return false, fmt.Errorf("%w: no STOP opcode before the end of the frame", ErrInvalidPickle)
}

// decodeRawUnicodeEscape is Python's raw-unicode-escape codec: each byte is
// a Latin-1 code point, except \uXXXX and \UXXXXXXXX escapes.
func decodeRawUnicodeEscape(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) && (b[i+1] == 'u' || b[i+1] == 'U') {
			w := 4
			if b[i+1] == 'U' {
				w = 8
			}
			if i+2+w <= len(b) {
				if r, err := strconv.ParseUint(string(b[i+2:i+2+w]), 16, 32); err == nil && r <= utf8.MaxRune {
					out = utf8.AppendRune(out, rune(r))
					i += 1 + w
					continue
				}
			}
		}
		out = utf8.AppendRune(out, rune(b[i]))
	}
	return out
}

// pickleArgLen returns the length of op's argument in rest, or an error
// for an opcode that is not allowed or an argument that does not fit.
func pickleArgLen(op byte, rest []byte) (int, error) {
	switch op {
	case '(', '.', '0', '1', '2', 'N', ')', ']', 'a', 'e', 'l', 't',
		0x85, 0x86, 0x87, 0x88, 0x89, 0x94: // TUPLE1-3, NEWTRUE, NEWFALSE, MEMOIZE
		return 0, nil
	case 'K', 'h', 'q', 0x80: // BININT1, BINGET, BINPUT, PROTO
		return fixed(rest, 1)
	case 'M': // BININT2
		return fixed(rest, 2)
	case 'J', 'j', 'r': // BININT, LONG_BINGET, LONG_BINPUT
		return fixed(rest, 4)
	case 'G': // BINFLOAT
		return fixed(rest, 8)
	case 0x95: // FRAME: 8-byte length of the frame that follows
		if len(rest) < 8 {
			return 0, fmt.Errorf("truncated frame length")
		}
		if binary.LittleEndian.Uint64(rest) > uint64(len(rest)-8) {
			return 0, fmt.Errorf("frame longer than the data")
		}
		return 8, nil
	case 'U', 'C', 0x8c: // SHORT_BINSTRING, SHORT_BINBYTES, SHORT_BINUNICODE
		return counted(rest, 1, len(rest))
	case 0x8a: // LONG1 (gopickle cannot decode a zero-length one; Python reads 0)
		if len(rest) > 0 && rest[0] == 0 {
			return 0, fmt.Errorf("zero-length LONG1")
		}
		return counted(rest, 1, maxLongBytes)
	case 'T', 'X', 'B': // BINSTRING, BINUNICODE, BINBYTES
		return counted(rest, 4, len(rest))
	case 0x8b: // LONG4
		if len(rest) >= 4 && binary.LittleEndian.Uint32(rest) == 0 {
			return 0, fmt.Errorf("zero-length LONG4")
		}
		return counted(rest, 4, maxLongBytes)
	case 0x8d, 0x8e: // BINUNICODE8, BINBYTES8
		return counted(rest, 8, len(rest))
	case 'F', 'I', 'S', 'V', 'g', 'p': // text argument up to '\n'
		return line(rest, len(rest))
	case 'L':
		return line(rest, maxLongBytes*3)
	}
	return 0, fmt.Errorf("opcode not allowed (only lists, tuples, strings and numbers are accepted)")
}

func fixed(rest []byte, n int) (int, error) {
	if len(rest) < n {
		return 0, fmt.Errorf("argument truncated: need %d bytes, have %d", n, len(rest))
	}
	return n, nil
}

// counted checks a little-endian length of size bytes followed by that
// many bytes, at most limit.
func counted(rest []byte, size, limit int) (int, error) {
	if len(rest) < size {
		return 0, fmt.Errorf("length truncated")
	}
	var n uint64
	switch size {
	case 1:
		n = uint64(rest[0])
	case 4:
		n = uint64(binary.LittleEndian.Uint32(rest))
	case 8:
		n = binary.LittleEndian.Uint64(rest)
	}
	if n > uint64(len(rest)-size) {
		return 0, fmt.Errorf("length %d runs past the end of the data", n)
	}
	if n > uint64(limit) {
		return 0, fmt.Errorf("length %d above the limit %d", n, limit)
	}
	return size + int(n), nil
}

func line(rest []byte, limit int) (int, error) {
	j := bytes.IndexByte(rest, '\n')
	if j < 0 {
		return 0, fmt.Errorf("text argument without newline")
	}
	if j > limit {
		return 0, fmt.Errorf("text argument longer than %d bytes", limit)
	}
	return j + 1, nil
}
