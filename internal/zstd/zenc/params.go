package zenc

// Strategies of the match finder, after libzstd's ZSTD_strategy. The
// binary-tree and optimal-parsing strategies of libzstd's top levels are
// served by the lazy2 parser with a deeper chain search.
const (
	greedy = iota // take the best match at each position
	lazy          // look one position ahead for a better match
	lazy2         // look two positions ahead
	fast          // one candidate per position, few insertions (parseFast)
)

// params are the compression parameters of one frame.
type params struct {
	windowLog uint8 // log2 of the window (the largest match offset)
	chainLog  uint8 // log2 of the chain table (positions searched back)
	hashLog   uint8 // log2 of the hash head table
	attempts  int   // chain candidates examined per position
	minMatch  int   // bytes hashed (4, 5 or 6)
	strategy  int
	rowLog    uint8 // entries per row of the row match finder; 0: hash chain
	enough    int   // a match this long ends the search (0: none)
}

// cparams mirrors the columns W, C, H, S, L and the strategy of libzstd's
// ZSTD_defaultCParameters (lib/compress/clevels.h) for levels 1..22, one
// table per source size class: > 256 KiB, <= 256 KiB, <= 128 KiB, <= 16 KiB.
// Strategies fast and dfast map to the fast parse;
// btlazy2 and the optimal parsers map to lazy2 (see levelParams).
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

// chainEnough is the sufficient match length of the hash-chain levels.
const chainEnough = 512

// rowMinHash is the fewest bytes the row match finder hashes.
const rowMinHash = 5

// rowHashCap bounds the row match finder's hashLog.
const rowHashCap = 16

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
	p := params{windowLog: c[0], chainLog: c[1], hashLog: c[2], minMatch: max(int(c[4]), 4)}
	searchLog := int(c[3])
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
		// A match of chainEnough bytes ends the search, as libzstd's
		// optimal parsers stop at their target length: it bounds the
		// work per position on long repetitions to attempts x enough.
		p.strategy, p.attempts, p.enough = lazy2, 1<<min(searchLog+2, 10), chainEnough
		// 5-byte hashes here too: libzstd's optimal parsers profit from
		// short matches that a greedy-style parse turns into losses
		// (walk at blosc clevel 9: 1.064 -> 1.045 of c-blosc's size;
		// linspace 1.262 -> 1.285).
		p.minMatch = max(p.minMatch, 5)
	}
	if c[5] > sDfast && c[5] != sBt {
		// libzstd's row match finder: rows of 16..64 entries, at most
		// one row of candidates.
		p.rowLog = uint8(min(max(searchLog, 4), 6))
		p.attempts = 1 << min(searchLog, int(p.rowLog))
		// Hash 5 or 6 bytes where libzstd hashes 4 (its levels 7-10 on
		// small inputs): on the byte-shuffled Blosc series 4-byte hashes
		// make every position a candidate search for 1% smaller output
		// at half the speed (walk: 53 -> 116 MB/s, +1.0%; linspace
		// 285 -> 398 MB/s, -1.0%).
		p.minMatch = min(max(p.minMatch, rowMinHash), 6)
		p.enough = chainEnough
	}
	// Shrink the tables to the source like ZSTD_adjustCParams_internal.
	if n > 0 {
		srcLog := uint8(max(bitLen(uint32(n-1)), 10))
		p.windowLog = min(p.windowLog, srcLog)
	}
	p.windowLog = max(p.windowLog, 10)
	p.hashLog = min(p.hashLog, p.windowLog+1)
	p.chainLog = min(p.chainLog, p.windowLog)
	if p.rowLog > 0 {
		// Rows of 2^16 entries (320 KiB with the tags) stay in a core's
		// cache; libzstd's 2^19 cost a cache miss per position here and
		// gained under 0.05% on the Blosc benchmark series.
		p.hashLog = min(p.hashLog, rowHashCap)
		p.hashLog = max(p.hashLog, p.rowLog+1)
	}
	return p
}
