package tscodec

import (
	"math"
	"testing"
)

// FuzzDecodeBlock feeds arbitrary bytes to the decoder (it must return an
// error or samples, never panic) and checks that whatever decodes
// re-encodes to a block that decodes to the same bits.
func FuzzDecodeBlock(f *testing.F) {
	ts, cols := noaa(f)
	for _, n := range []int{0, 1, 2, 3, 130, 600} {
		for _, vs := range [][]float64{cols["temperature"], cols["wind"]} {
			blk, _ := AppendBlock(nil, ts[:n], vs[:n])
			f.Add(blk)
		}
	}
	lt, lv, _ := latencySeries(700, 3)
	for _, nozstd := range []bool{false, true} {
		e := Encoder{NoZstd: nozstd}
		blk, _ := e.AppendBlock(nil, lt, lv)
		f.Add(blk)
	}
	blk, _ := AppendBlock(nil, []int64{1, 2, 4, 9}, []float64{math.NaN(), math.Inf(1), -0.0, 1e-300})
	f.Add(blk)
	blk, _ = AppendBlock(nil, []int64{1, 2, 3, 4}, []float64{7, 7, 7, 7})
	f.Add(blk)
	f.Fuzz(func(t *testing.T, data []byte) {
		gt, gv, err := DecodeBlock(data, nil, nil)
		if err != nil {
			return
		}
		roundTrip(t, gt, gv)
	})
}

// FuzzRoundTrip builds series from fuzzer bytes and requires bit-exact
// round trips.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, int64(1000), int64(10), uint8(1))
	f.Add([]byte{0xff, 0xf8, 0, 0, 0, 0, 0, 1, 0x80, 0, 0, 0, 0, 0, 0, 0}, int64(-5), int64(0), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, t0, step int64, mode uint8) {
		n := len(data) / 8
		ts := make([]int64, n)
		vs := make([]float64, n)
		for i := 0; i < n; i++ {
			var u uint64
			for j := 0; j < 8; j++ {
				u = u<<8 | uint64(data[i*8+j])
			}
			switch mode % 3 {
			case 0:
				vs[i] = math.Float64frombits(u)
			case 1:
				vs[i] = float64(int64(u)%100000) / 1000
			default:
				vs[i] = float64(u % 7)
			}
			ts[i] = t0 + int64(i)*step + int64(u%3)*int64(mode>>2)
		}
		roundTrip(t, ts, vs)
	})
}
