package blosc

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// benchInputs are the 1 MiB inputs of the codec benchmarks (and of
// bench/blosc.sh): float64 linspace(0, 100) and a float64 random walk with
// two decimals, like a sensor series.
func benchInputs() map[string][]byte {
	const n = 1 << 17
	lin := make([]byte, 8*n)
	walk := make([]byte, 8*n)
	rng := rand.New(rand.NewPCG(42, 42))
	v := 20.0
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint64(lin[8*i:], math.Float64bits(100*float64(i)/float64(n-1)))
		v += rng.NormFloat64() * 0.05
		binary.LittleEndian.PutUint64(walk[8*i:], math.Float64bits(math.Round(v*100)/100))
	}
	return map[string][]byte{"linspace": lin, "walk": walk}
}

var benchCodecs = []Codec{BloscLZ, LZ4, LZ4HC, Snappy, Zlib, Zstd}

func BenchmarkCompress(b *testing.B) {
	for _, name := range []string{"linspace", "walk"} {
		src := benchInputs()[name]
		for _, c := range benchCodecs {
			for _, nt := range []int{1, 2} {
				o := &Options{Typesize: 8, Clevel: 5, Shuffle: ByteShuffle, Codec: c, NThreads: nt}
				b.Run(fmt.Sprintf("%s/%s/t%d", c, name, nt), func(b *testing.B) {
					dst, _ := Compress(nil, src, o)
					b.SetBytes(int64(len(src)))
					b.ReportAllocs()
					b.ResetTimer()
					for b.Loop() {
						dst, _ = Compress(dst[:0], src, o)
					}
					b.ReportMetric(float64(len(src))/float64(len(dst)), "ratio")
				})
			}
		}
	}
}

func BenchmarkDecompress(b *testing.B) {
	for _, name := range []string{"linspace", "walk"} {
		src := benchInputs()[name]
		for _, c := range benchCodecs {
			chunk, _ := Compress(nil, src, &Options{Typesize: 8, Clevel: 5, Shuffle: ByteShuffle, Codec: c})
			for _, nt := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s/t%d", c, name, nt), func(b *testing.B) {
					out := make([]byte, len(src))
					b.SetBytes(int64(len(src)))
					b.ReportAllocs()
					for b.Loop() {
						if _, err := DecompressInto(out, chunk, nt); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

func BenchmarkShuffle(b *testing.B) {
	src := benchInputs()["walk"]
	dst := make([]byte, len(src))
	tmp := make([]byte, len(src))
	for _, ts := range []int{2, 4, 8, 16} {
		b.Run(fmt.Sprintf("byte/t%d", ts), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				shuffleBlock(ts, dst, src)
			}
		})
		b.Run(fmt.Sprintf("unbyte/t%d", ts), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				unshuffleBlock(ts, dst, src)
			}
		})
		b.Run(fmt.Sprintf("bit/t%d", ts), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				bitshuffleBlock(ts, dst, src, tmp)
			}
		})
		b.Run(fmt.Sprintf("unbit/t%d", ts), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				bitunshuffleBlock(ts, dst, src, tmp)
			}
		})
	}
}

func BenchmarkBloscLZ(b *testing.B) {
	src := benchInputs()["walk"]
	sh := make([]byte, len(src))
	shuffleBlock(8, sh, src)
	s := getScratch(len(src))
	s.ensureOut(len(src))
	n := blosclzCompress(5, sh, s.out[:len(sh)], false, s)
	comp := append([]byte(nil), s.out[:n]...)
	b.Run("compress", func(b *testing.B) {
		b.SetBytes(int64(len(sh)))
		for b.Loop() {
			blosclzCompress(5, sh, s.out[:len(sh)], false, s)
		}
	})
	b.Run("decompress", func(b *testing.B) {
		b.SetBytes(int64(len(sh)))
		for b.Loop() {
			blosclzDecode(sh, comp)
		}
	})
}
