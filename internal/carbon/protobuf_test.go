package carbon

import (
	"bytes"
	"errors"
	"io"
	"math"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

func TestParseProtobuf(t *testing.T) {
	in := []Metric{{"a.b", 1600000000, 1.5}, {"caf\u00e9", 4294967295, -2}, {"z", 0, math.Inf(1)}}
	got, skipped, err := ParseProtobuf(AppendProtobuf(nil, in), testNow, nil)
	if err != nil || skipped != 0 {
		t.Fatal(err, skipped)
	}
	if len(got) != len(in) {
		t.Fatalf("got %+v", got)
	}
	for i := range in {
		if got[i] != in[i] {
			t.Errorf("metric %d = %+v, want %+v", i, got[i], in[i])
		}
	}

	// Hand-built: name after points, several points, an unknown field of
	// every wire type, a known field with the wrong wire type (skipped),
	// a 64-bit timestamp varint truncated to uint32, and a NaN dropped.
	var pt1, pt2, pt3 []byte
	pt1 = protowire.AppendTag(pt1, 1, protowire.VarintType)
	pt1 = protowire.AppendVarint(pt1, 1<<32+7)
	pt1 = protowire.AppendTag(pt1, 2, protowire.Fixed64Type)
	pt1 = protowire.AppendFixed64(pt1, math.Float64bits(3))
	pt1 = protowire.AppendTag(pt1, 9, protowire.Fixed32Type)
	pt1 = protowire.AppendFixed32(pt1, 1)
	pt2 = protowire.AppendTag(pt2, 2, protowire.VarintType) // wrong type: ignored
	pt2 = protowire.AppendVarint(pt2, 5)
	pt2 = protowire.AppendTag(pt2, 1, protowire.VarintType)
	pt2 = protowire.AppendVarint(pt2, 10)
	pt3 = protowire.AppendTag(pt3, 2, protowire.Fixed64Type)
	pt3 = protowire.AppendFixed64(pt3, math.Float64bits(math.NaN()))
	var m []byte
	for _, p := range [][]byte{pt1, pt2, pt3} {
		m = protowire.AppendTag(m, 2, protowire.BytesType)
		m = protowire.AppendBytes(m, p)
	}
	m = protowire.AppendTag(m, 7, protowire.BytesType)
	m = protowire.AppendBytes(m, []byte("unknown"))
	m = protowire.AppendTag(m, 1, protowire.BytesType)
	m = protowire.AppendString(m, "late.name")
	var payload []byte
	payload = protowire.AppendTag(payload, 5, protowire.VarintType)
	payload = protowire.AppendVarint(payload, 1)
	payload = protowire.AppendTag(payload, 1, protowire.BytesType)
	payload = protowire.AppendBytes(payload, m)
	got, skipped, err = ParseProtobuf(payload, testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []Metric{{"late.name", 7, 3}, {"late.name", 10, 0}}
	if skipped != 1 || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %+v skipped %d, want %+v skipped 1", got, skipped, want)
	}

	bad := map[string][]byte{
		"truncated length": {0x0a, 0x10, 0x01},
		"bad tag":          {0x00},
		"invalid UTF-8":    append([]byte{0x0a, 0x04, 0x0a, 0x02}, 0xff, 0xfe),
		"truncated varint": {0x0a, 0x03, 0x12, 0x01, 0x08},
	}
	for name, b := range bad {
		out, _, err := ParseProtobuf(b, testNow, []Metric{{Name: "keep"}})
		if !errors.Is(err, ErrInvalidProtobuf) || len(out) != 1 {
			t.Errorf("%s: err = %v, out %v", name, err, out)
		}
	}
}

func TestReadFrame(t *testing.T) {
	var stream []byte
	stream = AppendFrame(stream, []byte("hello"))
	stream = AppendFrame(stream, nil)
	stream = append(stream, 0x06, 0, 0, 0) // 100 MB length prefix
	r := bytes.NewReader(stream)
	var buf []byte
	buf, err := ReadFrame(r, buf, MaxFrameLength)
	if err != nil || string(buf) != "hello" {
		t.Fatal(string(buf), err)
	}
	if buf, err = ReadFrame(r, buf, MaxFrameLength); err != nil || len(buf) != 0 {
		t.Fatal(buf, err)
	}
	if _, err = ReadFrame(r, buf, MaxFrameLength); !errors.Is(err, ErrFrameTooLarge) {
		t.Fatal(err)
	}
	if _, err = ReadFrame(bytes.NewReader(nil), nil, 10); err != io.EOF {
		t.Fatal(err)
	}
	if _, err = ReadFrame(bytes.NewReader([]byte{0, 0, 0, 5, 'a'}), nil, 10); err != io.ErrUnexpectedEOF {
		t.Fatal(err)
	}
}

func FuzzParseProtobuf(f *testing.F) {
	f.Add(AppendProtobuf(nil, []Metric{{"a.b", 1600000000, 1.5}}))
	f.Add([]byte{0x0a, 0x10, 0x01})
	f.Add(append([]byte{0x0a, 0x04, 0x0a, 0x02}, 0xff, 0xfe))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, _, err := ParseProtobuf(data, testNow, nil)
		if err != nil {
			if !errors.Is(err, ErrInvalidProtobuf) || len(ms) != 0 {
				t.Fatalf("err %v with %d metrics", err, len(ms))
			}
			return
		}
		// Re-encoding what was decoded must decode to the same points.
		again, _, err := ParseProtobuf(AppendProtobuf(nil, ms), testNow, nil)
		if err != nil || len(again) != len(ms) {
			t.Fatalf("round trip: %v", err)
		}
		for i := range ms {
			if again[i] != ms[i] {
				t.Fatalf("round trip %d: %+v vs %+v", i, again[i], ms[i])
			}
		}
	})
}

func BenchmarkParseProtobuf(b *testing.B) {
	var ms []Metric
	for i := range 500 {
		ms = append(ms, Metric{Name: "servers.web01.cpu.user", Timestamp: 1700000000 + int64(i), Value: float64(i)})
	}
	data := AppendProtobuf(nil, ms)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	dst := make([]Metric, 0, 500)
	for b.Loop() {
		if _, _, err := ParseProtobuf(data, testNow, dst[:0]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*500/b.Elapsed().Seconds(), "points/s")
}
