package zenc

import (
	"fmt"
	"testing"

	"ringvault/internal/benchdata"
)

// BenchmarkEncode compresses the byte-shuffled 1 MiB float64 series in
// 256 KiB frames, as Blosc does at its default blocksize.
func BenchmarkEncode(b *testing.B) {
	for _, name := range []string{"linspace", "walk"} {
		src := benchdata.Float64Series()[name]
		var blocks [][]byte
		for i := 0; i < len(src); i += 256 << 10 {
			blocks = append(blocks, byteShuffle(src[i:i+256<<10], 8))
		}
		for _, level := range []int{1, 5, 9, 19, 22} {
			b.Run(fmt.Sprintf("%s/l%d", name, level), func(b *testing.B) {
				var e Encoder
				var dst []byte
				b.SetBytes(int64(len(src)))
				b.ReportAllocs()
				n := 0
				for b.Loop() {
					n = 0
					for _, blk := range blocks {
						dst = e.Encode(dst[:0], blk, level)
						n += len(dst)
					}
				}
				b.ReportMetric(float64(len(src))/float64(n), "ratio")
			})
		}
	}
}
