package whisper

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"ringvault/storage"
)

func fuzzSeeds(f *testing.F) [][]byte {
	paths, _ := filepath.Glob(filepath.Join("testdata", "seed_*.wsp"))
	if len(paths) == 0 {
		f.Fatal("no seed files in testdata")
	}
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzParseHeader: any bytes parse into a header or a CorruptError; a
// parsed header encodes back to the same bytes.
func FuzzParseHeader(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b)
		f.Add(b[:len(b)/2])
		f.Add(b[:20])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseHeader(data, "fuzz")
		if err != nil {
			if _, _, ok := PythonMessage(err); !ok {
				t.Fatalf("error without python message: %v", err)
			}
			return
		}
		enc, _ := h.AppendBinary(nil)
		if !bytes.Equal(enc, data[:len(enc)]) {
			t.Fatalf("header does not round-trip")
		}
		_ = h.Check("fuzz", int64(len(data)))
	})
}

// FuzzOpenFetch opens arbitrary bytes and fetches windows relative to the
// newest timestamp found: never a panic, and results within python's
// shape rules.
func FuzzOpenFetch(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b, int64(3600), int64(60), uint32(0))
		f.Add(b, int64(600), int64(0), uint32(1))
		f.Add(b, int64(0), int64(0), uint32(60))
	}
	f.Fuzz(func(t *testing.T, data []byte, back, span int64, sel uint32) {
		w, err := OpenFile(storage.NewMemFile(data), "fuzz")
		if err != nil {
			return
		}
		var newest int64
		for _, a := range w.Header().Archives {
			if a.Points > 0 {
				newest = max(newest, int64(binary.BigEndian.Uint32(data[a.Offset:])))
			}
		}
		now := newest + 10
		from := now - back%(1<<20)
		until := from + span%(1<<20)
		s, err := w.Fetch(from, until, now, &FetchOptions{ArchiveToSelect: sel})
		if err == nil && s != nil && (s.Step <= 0 || len(s.Values) != len(s.Known)) {
			t.Fatalf("bad series %+v", s)
		}
		w.Fetch(from, until, now, &FetchOptions{Stitch: true})
		w.Update(1, now-back%(1<<20), now)
	})
}

// FuzzUpdateMany applies arbitrary points to a small 3-archive file: no
// panic, the header and size never change, and every point the file then
// holds is aligned to its archive.
func FuzzUpdateMany(f *testing.F) {
	f.Add([]byte{0, 0, 0, 10, 0x40, 0, 0, 0, 0, 0, 0, 0}, uint8(1))
	f.Add(bytes.Repeat([]byte{0xff, 0, 1, 2, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0}, 20), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, method uint8) {
		m := storage.NewMemFile(nil)
		const now = 1_700_000_000
		err := CreateFile(m, []ArchiveSpec{{1, 30}, {5, 20}, {20, 10}}, &CreateOptions{
			AggregationMethod: AggregationMethod(method%8 + 1), XFilesFactor: XFF(float64(method%5) / 4)})
		if err != nil {
			t.Fatal(err)
		}
		before := bytes.Clone(m.Bytes())
		w, err := OpenFile(m, "fuzz")
		if err != nil {
			t.Fatal(err)
		}
		var pts []Point
		for len(data) >= 12 {
			// timestamps within ±256 s of now, any value bits
			ts := now - int64(int8(data[0]))*2 + int64(data[1]%2)
			v := math.Float64frombits(binary.BigEndian.Uint64(data[4:12]))
			pts = append(pts, Point{ts, v})
			data = data[12:]
		}
		if err := w.UpdateMany(pts, now); err != nil {
			t.Fatal(err)
		}
		if len(pts) > 0 {
			w.Update(pts[0].Value, pts[0].Timestamp, now)
		}
		after := m.Bytes()
		if len(after) != len(before) || !bytes.Equal(after[:w.Header().Size()], before[:w.Header().Size()]) {
			t.Fatal("header or size changed")
		}
		for _, a := range w.Header().Archives {
			for k := int64(0); k < int64(a.Points); k++ {
				ts := binary.BigEndian.Uint32(after[int64(a.Offset)+k*pointSize:])
				if ts%a.SecondsPerPoint != 0 {
					t.Fatalf("unaligned timestamp %d in archive of %d s", ts, a.SecondsPerPoint)
				}
			}
		}
	})
}
