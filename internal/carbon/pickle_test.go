package carbon

import (
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"testing"
)

// pythonPickles returns the payload below pickled by the real Python at
// every protocol 0..5, as carbon relays (protocol 2) and other clients
// send it.
func pythonPickles(t *testing.T) map[string][]byte {
	py := pythonOrSkip(t)
	out := runPython(t, py, `
import pickle
data = [("a.b.c", (1600000000, 1.5)), (u"caf\u00e9", (1600000060.7, -2)),
        ("x.now", (-1, 3)), ("big", (1600000000, 10**30)), ("strnum", ("1600000000", " 4.25 ")),
        ("nan", (1600000000, float("nan"))),
        ("bad.shape", (1, 2, 3)), (1, (2, 3)), ("none", (None, 1)), ["list.form", [1600000000, True]]]
for p in range(6):
    print(p, pickle.dumps(data, protocol=p).hex())
print("tuple", pickle.dumps(tuple(data[:2]), protocol=2).hex())
print("bytes3", pickle.dumps([(b"bytes.name", (1600000000, 5))], protocol=3).hex())
print("bytes2", pickle.dumps([(b"bytes.name", (1600000000, 5))], protocol=2).hex())
`, "")
	res := map[string][]byte{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(l, " ")
		b, err := hex.DecodeString(v)
		if err != nil {
			t.Fatal(err)
		}
		res[k] = b
	}
	return res
}

func TestParsePicklePython(t *testing.T) {
	want := []Metric{
		{"a.b.c", 1600000000, 1.5},
		{"caf\u00e9", 1600000060, -2},
		{"x.now", testNow, 3},
		{"big", 1600000000, 1e30},
		{"strnum", 1600000000, 4.25},
		{"list.form", 1600000000, 1},
	}
	pickles := pythonPickles(t)
	// Python 3 pickles bytes at protocol 2 through _codecs.encode (GLOBAL
	// + REDUCE), which carbon's safe unpickler refuses too; protocol 3
	// has a bytes opcode.
	if _, _, err := ParsePickle(pickles["bytes2"], testNow, nil); !errors.Is(err, ErrInvalidPickle) {
		t.Errorf("protocol 2 bytes: err = %v, want ErrInvalidPickle", err)
	}
	if got, _, err := ParsePickle(pickles["bytes3"], testNow, nil); err != nil || len(got) != 1 || got[0] != (Metric{"bytes.name", 1600000000, 5}) {
		t.Errorf("protocol 3 bytes: %v %v", got, err)
	}
	delete(pickles, "bytes2")
	delete(pickles, "bytes3")
	for proto, data := range pickles {
		got, skipped, err := ParsePickle(data, testNow, nil)
		if err != nil {
			t.Fatalf("protocol %s: %v", proto, err)
		}
		w := want
		if proto == "tuple" {
			w = want[:2]
		} else if skipped != 4 { // nan, bad.shape, 1, none
			t.Errorf("protocol %s: skipped %d, want 4", proto, skipped)
		}
		if len(got) != len(w) {
			t.Fatalf("protocol %s: got %d metrics %+v, want %d", proto, len(got), got, len(w))
		}
		for i := range w {
			if got[i] != w[i] {
				t.Errorf("protocol %s: metric %d = %+v, want %+v", proto, i, got[i], w[i])
			}
		}
	}
}

// TestParsePickleHostile holds the safety rules: no opcode that imports or
// calls, no length beyond the frame, no huge allocation.
func TestParsePickleHostile(t *testing.T) {
	hostile := map[string]string{
		"GLOBAL os.system + REDUCE": "800263706f7369780a73797374656d0a71005805000000746f756368710185710252710a2e",
		"STACK_GLOBAL":              "8004950f000000000000008c026f73948c0673797374656d9493942e",
		"BUILD":                     "80025d710028294e62752e",
		"INST":                      "286935630a640a2e",
		"BINUNICODE8 2^62":          "80048d00000000000000402e",
		"BINUNICODE 4GiB":           "8002" + "58ffffffff" + "2e",
		"FRAME 2^63":                "800495ffffffffffffff7f",
		"LONG4 huge":                "80028b00001000" + "2e",
		"truncated":                 "80025d7100285805000000",
		"no STOP":                   "80025d",
		"empty":                     "",
		"dict payload":              "80027d71002e",
		"PERSID":                    "50310a2e",
		"EXT1":                      "8002820129",
		"not a list":                "80024b012e",
	}
	for name, h := range hostile {
		data, err := hex.DecodeString(h)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, _, err := ParsePickle(data, testNow, nil)
		if !errors.Is(err, ErrInvalidPickle) {
			t.Errorf("%s: err = %v, metrics %v; want ErrInvalidPickle", name, err, got)
		}
	}
}

func FuzzParsePickle(f *testing.F) {
	for _, h := range []string{
		// pickle.dumps([("a.b", (1600000000, 1.5))], protocol=2)
		"80025d71005803000000612e6271018571024a00e55e5f47" + "3ff8000000000000" + "86710386710461" + "2e",
		"80048d00000000000000402e",
		"80026370736f0a73797374656d0a2e",
	} {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, _, err := ParsePickle(data, testNow, nil)
		if err != nil {
			if !errors.Is(err, ErrInvalidPickle) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		for _, m := range ms {
			if math.IsNaN(m.Value) {
				t.Fatalf("NaN accepted")
			}
		}
	})
}

func BenchmarkParsePickle(b *testing.B) {
	// 500 points in one protocol-2 frame, as a carbon relay sends them.
	var ms []Metric
	for i := range 500 {
		ms = append(ms, Metric{Name: "servers.web01.cpu.user" + string(rune('a'+i%26)), Timestamp: 1700000000 + int64(i), Value: float64(i) * 1.5})
	}
	data := AppendPickle(nil, ms)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		got, _, err := ParsePickle(data, testNow, ms[:0:0])
		if err != nil || len(got) != 500 {
			b.Fatal(err, len(got))
		}
	}
	b.ReportMetric(float64(b.N)*500/b.Elapsed().Seconds(), "points/s")
}
