package zenc

import (
	"math/rand/v2"
	"testing"

	"ringvault/internal/benchdata"
)

// The optimal parse round-trips every shape of input, in one and in
// several blocks, with repeat offsets carried between blocks and frames.
func TestOptRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	var e Encoder
	for kind := 0; kind < 6; kind++ {
		for _, n := range []int{1, 9, 100, 5000, 300 << 10} {
			src := shape(kind, n, rng)
			for level := optLevel; level <= MaxLevel; level++ {
				roundTrip(t, &e, src, level)
			}
		}
	}
}

// offValue follows RFC 8878 §3.1.1.5, as the sequence encoder does: the
// codes it gives are those codeSequences writes for the same sequences.
func TestOptOffValue(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var e Encoder
	e.rep = [3]uint32{1, 4, 8}
	r := e.rep
	for range 2000 {
		s := seq{litLen: uint32(rng.IntN(3)), matchLen: 4}
		switch rng.IntN(5) {
		case 0:
			s.offset = r[0]
		case 1:
			s.offset = r[1]
		case 2:
			s.offset = r[2]
		case 3:
			s.offset = max(r[0]-1, 1)
		default:
			s.offset = 1 + uint32(rng.IntN(100))
		}
		var v uint32
		v, r = offValue(s.offset, s.litLen, r)
		e.seqs = append(e.seqs[:0], s)
		e.codeSequences()
		if e.ofVal[0] != v || e.rep != r {
			t.Fatalf("%+v: offValue %d %v, codeSequences %d %v", s, v, r, e.ofVal[0], e.rep)
		}
	}
}

// On the byte-shuffled benchmark series the optimal parse (level 22) is
// smaller than lazy2 over the deep chain (level 19, the parse it replaces).
func TestOptSmallerThanLazy(t *testing.T) {
	var e Encoder
	for _, name := range []string{"linspace", "walk"} {
		src := byteShuffle(benchdata.Float64Series()[name][:256<<10], 8)
		lazy := len(e.Encode(nil, src, 19))
		opt := len(roundTrip(t, &e, src, 22))
		if opt >= lazy {
			t.Errorf("%s: optimal parse %d bytes, lazy2 %d", name, opt, lazy)
		}
		t.Logf("%s: optimal parse %d bytes, lazy2 %d", name, opt, lazy)
	}
}
