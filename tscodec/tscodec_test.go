package tscodec

import (
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// roundTrip encodes and decodes and fails unless every timestamp and every
// value bit comes back.
func roundTrip(t testing.TB, ts []int64, vs []float64) []byte {
	t.Helper()
	blk, err := AppendBlock(nil, ts, vs)
	if err != nil {
		t.Fatal(err)
	}
	gt, gv, err := DecodeBlock(blk, nil, nil)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(gt) != len(ts) || len(gv) != len(vs) {
		t.Fatalf("decoded %d/%d samples, want %d", len(gt), len(gv), len(ts))
	}
	for i := range ts {
		if gt[i] != ts[i] {
			t.Fatalf("timestamp %d: got %d want %d", i, gt[i], ts[i])
		}
		if math.Float64bits(gv[i]) != math.Float64bits(vs[i]) {
			t.Fatalf("value %d: got %#x want %#x", i, math.Float64bits(gv[i]), math.Float64bits(vs[i]))
		}
	}
	if n, err := Count(blk); err != nil || n != len(ts) {
		t.Fatalf("Count = %d, %v; want %d", n, err, len(ts))
	}
	return blk
}

// noaa loads the shipped NOAA hourly normals: timestamps and the three
// columns.
func noaa(t testing.TB) (ts []int64, cols map[string][]float64) {
	t.Helper()
	f, err := os.Open("testdata/seattle-weather-hourly-normals.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cols = map[string][]float64{}
	for _, row := range rows[1:] {
		tm, err := time.Parse("2006-01-02T15:04:05", row[0])
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, tm.Unix())
		for i, name := range rows[0][1:] {
			v, err := strconv.ParseFloat(row[i+1], 64)
			if err != nil {
				t.Fatal(err)
			}
			cols[name] = append(cols[name], v)
		}
	}
	return ts, cols
}

func TestNOAARoundTrip(t *testing.T) {
	ts, cols := noaa(t)
	if len(ts) != 8759 {
		t.Fatalf("%d rows, want 8759", len(ts))
	}
	for name, vs := range cols {
		blk := roundTrip(t, ts, vs)
		t.Logf("%s: %d bytes, %.3f B/sample", name, len(blk), float64(len(blk))/float64(len(ts)))
	}
}

// special values that must survive bit for bit.
var special = []float64{
	0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
	math.Float64frombits(0x7ff0000000000001), // signalling NaN
	math.Float64frombits(0xfff8dead0000beef), // negative NaN with payload
	math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64,
	1e300, 0.1, 0.2, 0.30000000000000004, 1 << 53, -(1 << 53) + 1, 123456.789,
}

func TestRoundTripProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	iters := 3000
	if testing.Short() {
		iters = 500
	}
	for it := 0; it < iters; it++ {
		n := rng.IntN(600)
		ts := make([]int64, n)
		vs := make([]float64, n)
		base := rng.Int64() >> rng.IntN(64)
		step := int64(rng.IntN(100)) - 5
		scale := pow10[rng.IntN(6)]
		for i := range ts {
			switch rng.IntN(4) {
			case 0:
				ts[i] = base + int64(i)*step
			case 1:
				ts[i] = base + int64(i)*step + int64(rng.IntN(3)-1)
			case 2:
				ts[i] = int64(rng.Uint64())
			default:
				ts[i] = base + int64(i)*step*1000
			}
			switch it % 5 {
			case 0: // decimals
				vs[i] = math.Round(rng.NormFloat64()*1e4) / scale
			case 1: // special values mixed in
				vs[i] = special[rng.IntN(len(special))]
			case 2: // any bit pattern
				vs[i] = math.Float64frombits(rng.Uint64())
			case 3: // counter
				vs[i] = float64(i*7+rng.IntN(2)) / scale
			default: // constant with an occasional change
				vs[i] = 42.5
				if rng.IntN(50) == 0 {
					vs[i] = special[rng.IntN(len(special))]
				}
			}
		}
		roundTrip(t, ts, vs)
	}
}

// TestAllValueModes checks that the residual orders are each chosen for
// some real series, and every block round-trips.
func TestAllValueModes(t *testing.T) {
	ts, cols := noaa(t)
	lt, lv, _ := latencySeries(4096, 9)
	seen := map[byte]bool{}
	for _, s := range []struct {
		ts []int64
		vs []float64
	}{{ts, cols["temperature"]}, {ts, cols["pressure"]}, {ts, cols["wind"]}, {lt, lv}} {
		for _, n := range []int{100, 300, 1000, len(s.ts)} {
			for _, nozstd := range []bool{false, true} {
				e := Encoder{NoZstd: nozstd}
				blk, err := e.AppendBlock(nil, s.ts[:n], s.vs[:n])
				if err != nil {
					t.Fatal(err)
				}
				roundTrip(t, s.ts[:n], s.vs[:n])
				gt, gv, err := DecodeBlock(blk, nil, nil)
				if err != nil || len(gt) != n || len(gv) != n {
					t.Fatal(err)
				}
				r := reader{b: blk}
				r.byte1("kind")
				r.uvarint("count")
				// Skip the timestamps by decoding them.
				var d Decoder
				if err := d.decodeTimes(&r, blk[0]&3, make([]int64, n)); err != nil {
					t.Fatal(err)
				}
				if vk := blk[0] >> 2 & 3; vk == valDecimal || vk == valZstd {
					r.byte1("scale")
					seen[r.byte1("order")] = true
				}
			}
		}
	}
	for _, order := range []byte{1, 2, 3} {
		if !seen[order] {
			t.Errorf("residual order %d never chosen (seen %v)", order, seen)
		}
	}
}

func TestEdgeBlocks(t *testing.T) {
	roundTrip(t, nil, nil)
	roundTrip(t, []int64{5}, []float64{math.NaN()})
	roundTrip(t, []int64{math.MinInt64, math.MaxInt64}, []float64{-0.0, 1})
	roundTrip(t, []int64{math.MaxInt64, math.MinInt64, 0}, []float64{1e-15, 1e15, -1e15})
	for _, s := range special {
		roundTrip(t, []int64{1, 2, 3}, []float64{s, s, s})
		roundTrip(t, []int64{1, 2, 3}, []float64{1.5, s, 2.25})
	}
	if _, err := AppendBlock(nil, []int64{1}, nil); err == nil {
		t.Fatal("mismatched lengths accepted")
	}
}

func TestKinds(t *testing.T) {
	ts := make([]int64, 1000)
	for i := range ts {
		ts[i] = 1_600_000_000 + int64(i)
	}
	cases := []struct {
		name      string
		vs        func(i int) float64
		tk, vk    byte
		maxPerVal float64
	}{
		{"constant", func(int) float64 { return 3.25 }, timeRegular, valConst, 0.02},
		{"counter", func(i int) float64 { return float64(i) * 2.5 }, timeRegular, valDecimal, 0.05},
		{"xor", func(i int) float64 { return math.Sqrt(float64(i)) }, timeRegular, valXOR, 9},
	}
	for _, c := range cases {
		vs := make([]float64, len(ts))
		for i := range vs {
			vs[i] = c.vs(i)
		}
		blk := roundTrip(t, ts, vs)
		if got := blk[0] & 3; got != c.tk {
			t.Errorf("%s: time kind %d, want %d", c.name, got, c.tk)
		}
		if got := blk[0] >> 2 & 3; got != c.vk {
			t.Errorf("%s: value kind %d, want %d", c.name, got, c.vk)
		}
		if bps := float64(len(blk)) / float64(len(ts)); bps > c.maxPerVal {
			t.Errorf("%s: %.3f B/sample, want <= %.3f", c.name, bps, c.maxPerVal)
		}
	}
}

func TestCorruptBlocks(t *testing.T) {
	ts, cols := noaa(t)
	blk, _ := AppendBlock(nil, ts[:500], cols["temperature"][:500])
	for cut := 0; cut < len(blk); cut++ {
		if _, _, err := DecodeBlock(blk[:cut], nil, nil); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", cut, len(blk))
		}
	}
	if _, _, err := DecodeBlock(append(blk, 0), nil, nil); err == nil {
		t.Fatal("trailing byte accepted")
	}
	bad := append([]byte{}, blk...)
	bad[0] = 0x2f
	if _, _, err := DecodeBlock(bad, nil, nil); err == nil {
		t.Fatal("unknown kind accepted")
	}
}
