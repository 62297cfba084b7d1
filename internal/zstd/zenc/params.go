package zenc

// Strategies of the match finder, after libzstd's ZSTD_strategy. The
// binary-tree strategies of libzstd's levels 13 to 19 are served by the
// lazy2 parser with a deeper chain search, levels from optLevel by the
// optimal parser.
const (
	greedy  = iota // take the best match at each position
	lazy           // look one position ahead for a better match
	lazy2          // look two positions ahead
	fast           // one candidate per position, few insertions (parseFast)
	optimal        // price-based dynamic programming (parseOpt)
)

// params are the compression parameters of one frame.
type params struct {
	windowLog uint8 // log2 of the window (the largest match offset)
	chainLog  uint8 // log2 of the chain table (positions searched back)
	hashLog   uint8 // log2 of the hash head table
	attempts  int   // chain candidates examined per position
	minMatch  int   // bytes hashed (4, 5 or 6)
	strategy  int
	enough    int // a match this long ends the search (0: none)
}

// cparams mirrors the columns W, C, H, S, L and the strategy of libzstd's
// ZSTD_defaultCParameters (lib/compress/clevels.h) for levels 1..22, one
// table per source size class: > 256 KiB, <= 256 KiB, <= 128 KiB, <= 16 KiB.
// Strategies fast and dfast map to the fast parse, greedy, lazy and lazy2
// to the same parses over a hash chain (libzstd 1.5 uses its row match
// finder there, which in Go was slower than the chain: linspace level 9
// 546 -> 906 MB/s, walk 98 -> 135 MB/s, sizes equal or smaller);
// btlazy2 and the optimal parsers map to lazy2 below optLevel and to the
// optimal parse from it (see levelParams).
var cparams = [4][22][6]uint8{
	{ // > 256 KiB
		{19, 13, 14, 1, 7, sFast}, {20, 15, 16, 1, 6, sFast}, {21, 16, 17, 1, 5, sDfast},
		{21, 18, 18, 1, 5, sDfast}, {21, 18, 19, 4, 5, sGreedy}, {21, 19, 20, 5, 5, sGreedy},
		{21, 19, 20, 4, 5, sLazy}, {21, 19, 20, 5, 5, sLazy}, {21, 20, 21, 4, 5, sLazy2},
		{22, 21, 22, 4, 5, sLazy2}, {22, 21, 22, 5, 5, sLazy2}, {22, 21, 22, 6, 5, sLazy2},
		{22, 22, 22, 4, 5, sBt}, {22, 22, 23, 5, 5, sBt}, {22, 23, 23, 6, 5, sBt},
		{22, 22, 22, 5, 5, sBt}, {23, 23, 22, 5, 4, sBt}, {23, 23, 22, 6, 3, sBt},
		{23, 24, 22, 7, 3, sBt}, {25, 25, 23, 7, 3, sBt}, {26, 26, 24, 7, 3, sBt},
		{27, 27, 25, 9, 3, sBt},
	},
	{ // <= 256 KiB
		{18, 13, 14, 1, 6, sFast}, {18, 14, 14, 1, 5, sDfast}, {18, 16, 16, 1, 4, sDfast},
		{18, 16, 17, 3, 5, sGreedy}, {18, 17, 18, 5, 5, sGreedy}, {18, 18, 19, 3, 5, sLazy},
		{18, 18, 19, 4, 4, sLazy}, {18, 18, 19, 4, 4, sLazy2}, {18, 18, 19, 5, 4, sLazy2},
		{18, 18, 19, 6, 4, sLazy2}, {18, 18, 19, 5, 4, sBt}, {18, 19, 19, 7, 4, sBt},
		{18, 18, 19, 4, 4, sBt}, {18, 18, 19, 4, 3, sBt}, {18, 18, 19, 6, 3, sBt},
		{18, 19, 19, 6, 3, sBt}, {18, 19, 19, 8, 3, sBt}, {18, 19, 19, 6, 3, sBt},
		{18, 19, 19, 8, 3, sBt}, {18, 19, 19, 10, 3, sBt}, {18, 19, 19, 12, 3, sBt},
		{18, 19, 19, 13, 3, sBt},
	},
	{ // <= 128 KiB
		{17, 12, 13, 1, 6, sFast}, {17, 13, 15, 1, 5, sFast}, {17, 15, 16, 2, 5, sDfast},
		{17, 17, 17, 2, 4, sDfast}, {17, 16, 17, 3, 4, sGreedy}, {17, 16, 17, 3, 4, sLazy},
		{17, 16, 17, 3, 4, sLazy2}, {17, 16, 17, 4, 4, sLazy2}, {17, 16, 17, 5, 4, sLazy2},
		{17, 16, 17, 6, 4, sLazy2}, {17, 17, 17, 5, 4, sBt}, {17, 18, 17, 7, 4, sBt},
		{17, 18, 17, 3, 4, sBt}, {17, 18, 17, 4, 3, sBt}, {17, 18, 17, 6, 3, sBt},
		{17, 18, 17, 6, 3, sBt}, {17, 18, 17, 8, 3, sBt}, {17, 18, 17, 10, 3, sBt},
		{17, 18, 17, 5, 3, sBt}, {17, 18, 17, 7, 3, sBt}, {17, 18, 17, 9, 3, sBt},
		{17, 18, 17, 11, 3, sBt},
	},
	{ // <= 16 KiB
		{14, 14, 15, 1, 5, sFast}, {14, 14, 15, 1, 4, sFast}, {14, 14, 15, 2, 4, sDfast},
		{14, 14, 14, 4, 4, sGreedy}, {14, 14, 14, 3, 4, sLazy}, {14, 14, 14, 4, 4, sLazy2},
		{14, 14, 14, 6, 4, sLazy2}, {14, 14, 14, 8, 4, sLazy2}, {14, 15, 14, 5, 4, sBt},
		{14, 15, 14, 9, 4, sBt}, {14, 15, 14, 3, 4, sBt}, {14, 15, 14, 4, 3, sBt},
		{14, 15, 14, 5, 3, sBt}, {14, 15, 15, 6, 3, sBt}, {14, 15, 15, 7, 3, sBt},
		{14, 15, 15, 5, 3, sBt}, {14, 15, 15, 6, 3, sBt}, {14, 15, 15, 7, 3, sBt},
		{14, 15, 15, 8, 3, sBt}, {14, 15, 15, 8, 3, sBt}, {14, 15, 15, 9, 3, sBt},
		{14, 15, 15, 10, 3, sBt},
	},
}

// Strategy column values of cparams.
const (
	sFast = iota
	sDfast
	sGreedy
	sLazy
	sLazy2
	sBt // btlazy2, btopt, btultra, btultra2
)

// enoughLen is the sufficient match length: a match this long ends the
// search and the lazy steps, as libzstd's optimal parsers stop at their
// target length. It bounds the work per position on long repetitions to
// attempts x enoughLen and costs the benchmark series under 0.1%.
const enoughLen = 512

// optLevel is the first level parsed by the optimal parser, and optHash
// the bytes its chain hashes (3-byte matches come from a table of their
// own). Level 22 (c-blosc's clevel 9) on the byte-shuffled series, as
// blosc's TestZstdSizeVsCBlosc: linspace 1.285 -> 1.049 of c-blosc's size,
// walk 1.045 -> 0.999, at 5 to 8 MB/s. Level 20 stays with lazy2:
// c-blosc's clevel 8 is zstd level 15 (its zstd_wrap_compress maps
// clevel*2-1 before testing for 8), which runs at over 100 MB/s there.
const (
	optLevel = 21
	optHash  = 4
)

// minHash is the fewest bytes the match finder hashes.
const minHash = 5

// MinLevel and MaxLevel bound the levels Encode accepts; others are clamped.
const (
	MinLevel = 1
	MaxLevel = 22
)

// levelParams returns the parameters for level and a source of n bytes,
// adjusted to the source size like ZSTD_adjustCParams.
func levelParams(level, n int) params {
	level = min(max(level, MinLevel), MaxLevel)
	class := 0
	switch {
	case n <= 16<<10:
		class = 3
	case n <= 128<<10:
		class = 2
	case n <= 256<<10:
		class = 1
	}
	c := cparams[class][level-1]
	// Hash at least minHash bytes where libzstd hashes 4 or 3: on the
	// byte-shuffled Blosc series 4-byte hashes make every position a
	// candidate search, for 1% smaller output at half the speed (walk,
	// level 9: 53 -> 116 MB/s at +1.0%; at blosc clevel 9 walk even
	// shrinks, 1.064 -> 1.045 of c-blosc's size).
	p := params{windowLog: c[0], chainLog: c[1], hashLog: c[2], minMatch: min(max(int(c[4]), minHash), 6)}
	searchLog := int(c[3])
	p.attempts, p.enough = 1<<searchLog, enoughLen
	switch c[5] {
	case sFast, sDfast:
		// dfast's second (8-byte) table is left out.
		p.strategy = fast
	case sGreedy:
		p.strategy = greedy
	case sLazy:
		p.strategy = lazy
	case sLazy2:
		p.strategy = lazy2
	default:
		// A hash chain walks candidates one by one where libzstd's binary
		// tree skips whole subtrees: search deeper, within bounds.
		p.strategy, p.attempts = lazy2, 1<<min(searchLog+2, 10)
		if level >= optLevel {
			p.strategy, p.minMatch, p.attempts = optimal, optHash, 1<<min(searchLog, 8)
		}
	}
	// Shrink the tables to the source like ZSTD_adjustCParams_internal.
	if n > 0 {
		srcLog := uint8(max(bitLen(uint32(n-1)), 10))
		p.windowLog = min(p.windowLog, srcLog)
	}
	p.windowLog = max(p.windowLog, 10)
	p.hashLog = min(p.hashLog, p.windowLog+1)
	p.chainLog = min(p.chainLog, p.windowLog)
	return p
}
