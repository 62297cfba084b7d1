package carbon

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"testing"
	"unicode/utf8"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// parsePickleGopickle is the reference for the hand-written unpickler:
// the same safe-subset scan, then github.com/nlpodyssey/gopickle (with
// GLOBAL refused) to build the objects.
func parsePickleGopickle(data []byte, now int64) ([]Metric, error) {
	hasV, err := scanPickle(data)
	if err != nil {
		return nil, err
	}
	if hasV {
		data = rewriteUnicodeOps(data)
	}
	u := pickle.NewUnpickler(bytes.NewReader(data))
	u.FindClass = func(module, name string) (any, error) {
		return nil, fmt.Errorf("global %s.%s refused", module, name)
	}
	obj, err := u.Load()
	if err != nil {
		return nil, err
	}
	items, ok := sequence(obj)
	if !ok {
		return nil, fmt.Errorf("payload is %T", obj)
	}
	var out []Metric
	for _, raw := range items {
		pair, ok := sequence(raw)
		if !ok || len(pair) != 2 {
			continue
		}
		var name string
		switch n := pair[0].(type) {
		case string:
			name = n
		case []byte:
			name = string(n)
		default:
			continue
		}
		point, ok := sequence(pair[1])
		if !utf8.ValidString(name) || !ok || len(point) != 2 {
			continue
		}
		t, ok1 := pyFloat(point[0])
		v, ok2 := pyFloat(point[1])
		if !ok1 || !ok2 || v != v {
			continue
		}
		ts, err := timestamp(t, now)
		if err != nil {
			continue
		}
		out = append(out, Metric{Name: name, Timestamp: ts, Value: v})
	}
	return out, nil
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

// FuzzUnpickleVsGopickle: wherever both gopickle and the hand-written
// unpickler decode a frame that passed the safe-subset scan, they must
// yield the same points, bit for bit. (Where only gopickle succeeds it is
// more lenient than Python — a missing memo key becomes None — and
// Python, the real oracle, is compared in TestParsePicklePython and
// TestParsePickleAgainstCarbon.)
func FuzzUnpickleVsGopickle(f *testing.F) {
	f.Add(AppendPickle(nil, []Metric{{"a.b", 1600000000, 1.5}, {"c", -1, 2}}))
	f.Add([]byte("(lp0\n(Va.b\np1\n(I1600000000\nF1.5\ntp2\ntp3\na."))
	f.Add([]byte("\x80\x04\x95\x1a\x00\x00\x00\x00\x00\x00\x00]\x94\x8c\x03a.b\x94J\x00\xe5^_K\x02\x86\x94\x86\x94a."))
	f.Fuzz(func(t *testing.T, data []byte) {
		want, err := parsePickleGopickle(data, testNow)
		if err != nil {
			return
		}
		got, _, err := ParsePickle(data, testNow, nil)
		if err != nil {
			return
		}
		if len(got) != len(want) {
			t.Fatalf("ringvault %d points, gopickle %d: %v vs %v", len(got), len(want), got, want)
		}
		for i := range got {
			if got[i].Name != want[i].Name || got[i].Timestamp != want[i].Timestamp || math.Float64bits(got[i].Value) != math.Float64bits(want[i].Value) {
				t.Fatalf("point %d: ringvault %+v, gopickle %+v", i, got[i], want[i])
			}
		}
	})
}

// BenchmarkParsePickleGopickle is BenchmarkParsePickle through the
// gopickle reference, for comparison.
func BenchmarkParsePickleGopickle(b *testing.B) {
	var ms []Metric
	for i := range 500 {
		ms = append(ms, Metric{Name: "servers.web01.cpu.user" + string(rune('a'+i%26)), Timestamp: 1700000000 + int64(i), Value: float64(i) * 1.5})
	}
	data := AppendPickle(nil, ms)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if got, err := parsePickleGopickle(data, testNow); err != nil || len(got) != 500 {
			b.Fatal(err, len(got))
		}
	}
	b.ReportMetric(float64(b.N)*500/b.Elapsed().Seconds(), "points/s")
}
