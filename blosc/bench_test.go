package blosc

import (
	"fmt"
	"testing"

	"ringvault/internal/benchdata"
)

// benchInputs are the 1 MiB float64 inputs shared with bench/blosc.sh.
func benchInputs() map[string][]byte { return benchdata.Float64Series() }

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
	s.ensureOut(BloscLZ, len(src))
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

// BenchmarkBitshuffleCodecs is BenchmarkCompress and BenchmarkDecompress
// with bitshuffle, one thread, for the codecs bench/blosc.sh compares.
func BenchmarkBitshuffleCodecs(b *testing.B) {
	for _, name := range []string{"linspace", "walk"} {
		src := benchInputs()[name]
		for _, c := range []Codec{BloscLZ, LZ4, Zstd} {
			o := &Options{Typesize: 8, Clevel: 5, Shuffle: BitShuffle, Codec: c, NThreads: 1}
			chunk, _ := Compress(nil, src, o)
			b.Run(fmt.Sprintf("compress/%s/%s", c, name), func(b *testing.B) {
				dst := append([]byte(nil), chunk...)
				b.SetBytes(int64(len(src)))
				b.ReportAllocs()
				for b.Loop() {
					dst, _ = Compress(dst[:0], src, o)
				}
				b.ReportMetric(float64(len(src))/float64(len(dst)), "ratio")
			})
			b.Run(fmt.Sprintf("decompress/%s/%s", c, name), func(b *testing.B) {
				out := make([]byte, len(src))
				b.SetBytes(int64(len(src)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := DecompressInto(out, chunk, 1); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
