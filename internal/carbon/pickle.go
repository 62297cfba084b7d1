package carbon

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
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
// ErrInvalidPickle without allocating more than the frame's size.
func ParsePickle(data []byte, now int64, dst []Metric) (out []Metric, skipped int, err error) {
	hasV, err := scanPickle(data)
	if err != nil {
		return dst, 0, err
	}
	if hasV {
		data = rewriteUnicodeOps(data)
	}
	u := pickle.NewUnpickler(bytes.NewReader(data))
	u.FindClass = func(module, name string) (any, error) {
		return nil, fmt.Errorf("%w: global %s.%s refused", ErrInvalidPickle, module, name)
	}
	obj, err := u.Load()
	if err != nil {
		return dst, 0, fmt.Errorf("%w: %v", ErrInvalidPickle, err)
	}
	items, ok := sequence(obj)
	if !ok {
		return dst, 0, fmt.Errorf("%w: payload is %T, want a list of (path, (timestamp, value))", ErrInvalidPickle, obj)
	}
	for _, raw := range items {
		m, ok := pickledMetric(raw, now)
		if !ok {
			skipped++
			continue
		}
		dst = append(dst, m)
	}
	return dst, skipped, nil
}

// pickledMetric destructures (metric, (timestamp, value)) and converts
// both numbers with Python's float().
func pickledMetric(raw any, now int64) (Metric, bool) {
	pair, ok := sequence(raw)
	if !ok || len(pair) != 2 {
		return Metric{}, false
	}
	var name string
	switch n := pair[0].(type) {
	case string:
		name = n
	case []byte:
		name = string(n)
	default:
		return Metric{}, false
	}
	if !utf8.ValidString(name) {
		return Metric{}, false
	}
	point, ok := sequence(pair[1])
	if !ok || len(point) != 2 {
		return Metric{}, false
	}
	t, ok1 := pyFloat(point[0])
	v, ok2 := pyFloat(point[1])
	if !ok1 || !ok2 || v != v {
		return Metric{}, false
	}
	ts, err := timestamp(t, now)
	if err != nil {
		return Metric{}, false
	}
	return Metric{Name: name, Timestamp: ts, Value: v}, true
}

func sequence(o any) ([]any, bool) {
	switch s := o.(type) {
	case *types.List:
		return []any(*s), true
	case *types.Tuple:
		return []any(*s), true
	}
	return nil, false
}

// pyFloat is Python's float(x) for the types the safe unpickler yields.
func pyFloat(o any) (float64, bool) {
	switch x := o.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case *big.Int:
		f, acc := new(big.Float).SetInt(x).Float64()
		if math.IsInf(f, 0) && acc != big.Exact {
			return 0, false // Python raises OverflowError
		}
		return f, true
	case string:
		return parsePyFloat(bytes.TrimFunc([]byte(x), isPySpace))
	case []byte:
		return parsePyFloat(bytes.TrimFunc(x, isPySpace))
	}
	return 0, false
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

// rewriteUnicodeOps replaces every UNICODE opcode (raw-unicode-escape text
// up to a newline) by BINUNICODE with the decoded UTF-8, so the unpickler
// sees the string Python would. data has passed scanPickle.
func rewriteUnicodeOps(data []byte) []byte {
	out := make([]byte, 0, len(data)+len(data)/2)
	i := 0
	for i < len(data) {
		op := data[i]
		n, _ := pickleArgLen(op, data[i+1:])
		if op == '.' {
			return append(out, op) // scanPickle stopped here too
		}
		if op != 'V' {
			out = append(out, data[i:i+1+n]...)
			i += 1 + n
			continue
		}
		s := decodeRawUnicodeEscape(data[i+1 : i+n]) // without the newline
		out = append(out, 'X')
		out = binary.LittleEndian.AppendUint32(out, uint32(len(s)))
		out = append(out, s...)
		i += 1 + n
	}
	return out
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
