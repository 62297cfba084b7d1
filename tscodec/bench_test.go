package tscodec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// LatencySeries is the benchmark's 1 Hz ping series: n seconds of
// round-trip times in milliseconds with 3 decimals (microsecond
// resolution): a 0.350 ms path with a slow hourly swing of ±0.020 ms and
// Gaussian jitter of σ = 3 µs. lost[i] marks the 1 % of probes that got no
// reply (their values are not stored). Exported for the bench module.
func latencySeries(n int, seed uint64) (ts []int64, vs []float64, lost []bool) {
	rng := rand.New(rand.NewPCG(seed, 7))
	for i := 0; i < n; i++ {
		ts = append(ts, 1_700_000_000+int64(i))
		rtt := 0.350 + 0.020*math.Sin(2*math.Pi*float64(i)/3600) + rng.NormFloat64()*0.003
		vs = append(vs, math.Round(rtt*1000)/1000)
		lost = append(lost, rng.IntN(100) == 0)
	}
	return ts, vs, lost
}

type series struct {
	name string
	ts   []int64
	vs   []float64
}

func benchSeries(b *testing.B) []series {
	ts, cols := noaa(b)
	lt, lv, lost := latencySeries(8192, 1)
	var kt []int64
	var kv []float64
	for i := range lt {
		if !lost[i] {
			kt, kv = append(kt, lt[i]), append(kv, lv[i])
		}
	}
	return []series{
		{"noaa-temperature", ts, cols["temperature"]},
		{"noaa-pressure", ts, cols["pressure"]},
		{"latency-1Hz-3dec", kt, kv},
	}
}

// blockSize is the samples per block in the benchmarks (about 2.3 hours at
// 1 Hz; the whole NOAA year is one block of 8,759).
const blockSize = 8192

func BenchmarkEncode(b *testing.B) {
	for _, s := range benchSeries(b) {
		for _, nozstd := range []bool{false, true} {
			name := s.name
			if nozstd {
				name += "/nozstd"
			}
			b.Run(name, func(b *testing.B) {
				e := Encoder{NoZstd: nozstd}
				var buf []byte
				b.ReportAllocs()
				size := 0
				for b.Loop() {
					buf, size = buf[:0], 0
					for off := 0; off < len(s.ts); off += blockSize {
						end := min(off+blockSize, len(s.ts))
						buf, _ = e.AppendBlock(buf, s.ts[off:end], s.vs[off:end])
					}
					size = len(buf)
				}
				b.ReportMetric(float64(size)/float64(len(s.ts)), "B/sample")
				b.ReportMetric(float64(len(s.ts))*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
			})
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, s := range benchSeries(b) {
		for _, nozstd := range []bool{false, true} {
			name := s.name
			if nozstd {
				name += "/nozstd"
			}
			b.Run(name, func(b *testing.B) {
				e := Encoder{NoZstd: nozstd}
				var blocks [][]byte
				size := 0
				for off := 0; off < len(s.ts); off += blockSize {
					end := min(off+blockSize, len(s.ts))
					blk, _ := e.AppendBlock(nil, s.ts[off:end], s.vs[off:end])
					blocks = append(blocks, blk)
					size += len(blk)
				}
				var d Decoder
				ts := make([]int64, 0, len(s.ts))
				vs := make([]float64, 0, len(s.ts))
				b.ReportAllocs()
				for b.Loop() {
					ts, vs = ts[:0], vs[:0]
					for _, blk := range blocks {
						var err error
						if ts, vs, err = d.DecodeBlock(blk, ts, vs); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(size)/float64(len(s.ts)), "B/sample")
				b.ReportMetric(float64(len(s.ts))*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
			})
		}
	}
}
