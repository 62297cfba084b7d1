package zenc

import (
	"testing"

	"ringvault/internal/benchdata"
)

// BenchmarkParse measures the match finder alone on the first 256 KiB
// of each byte-shuffled series at level 9, for three hash table sizes.
func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"linspace", "walk"} {
		src := byteShuffle(benchdata.Float64Series()[name][:256<<10], 8)
		for _, hl := range []uint8{15, 17, 19} {
			b.Run(name+"/"+string(rune('0'+hl-10)), func(b *testing.B) {
				var e Encoder
				p := levelParams(9, len(src))
				p.hashLog = hl
				b.SetBytes(int64(len(src)))
				for b.Loop() {
					e.m.reset(p, src)
					e.parseRp = [2]uint32{1, 4}
					e.seqs, e.lits = e.m.parse(src, 0, 128<<10, &e.parseRp, e.seqs[:0], e.lits[:0])
					e.seqs, e.lits = e.m.parse(src, 128<<10, 256<<10, &e.parseRp, e.seqs[:0], e.lits[:0])
					e.m.finish(len(src))
				}
			})
		}
	}
}
