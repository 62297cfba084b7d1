package zenc

import (
	"fmt"
	"testing"

	"ringvault/internal/benchdata"
)

// BenchmarkParse measures the match finder alone (no entropy coding) on
// the first 256 KiB of each byte-shuffled series, per parse strategy, and
// reports the sequences found per KiB.
func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"linspace", "walk"} {
		src := byteShuffle(benchdata.Float64Series()[name][:256<<10], 8)
		for _, level := range []int{1, 5, 9, 19} {
			b.Run(fmt.Sprintf("%s/l%d", name, level), func(b *testing.B) {
				var e Encoder
				p := levelParams(level, len(src))
				b.SetBytes(int64(len(src)))
				b.ReportAllocs()
				n := 0
				for b.Loop() {
					e.m.reset(p, src)
					e.parseRp = [2]uint32{1, 4}
					n = 0
					for start := 0; start < len(src); start += 128 << 10 {
						if p.strategy == fast {
							e.seqs, e.lits = e.m.parseFast(src, start, start+128<<10, &e.parseRp, e.seqs[:0], e.lits[:0])
						} else {
							e.seqs, e.lits = e.m.parse(src, start, start+128<<10, &e.parseRp, e.seqs[:0], e.lits[:0])
						}
						n += len(e.seqs)
					}
					e.m.finish(len(src))
				}
				b.ReportMetric(float64(n)/256, "seqs/KiB")
			})
		}
	}
}
