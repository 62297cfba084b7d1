package zenc

import (
	"encoding/binary"
	"math"

	"ringvault/internal/zstd"
)

// The optimal parse of libzstd's btopt/btultra levels (lib/compress/
// zstd_opt.c), over the hash chain: at every position the matcher lists
// the repeat-offset matches and the chain's matches of increasing length,
// and a forward dynamic program over a window of up to optNum positions
// picks the cheapest path of literals and matches under approximate bit
// prices. Prices come from symbol statistics: the first pass over a block
// uses the block's byte histogram and flat code statistics, each later
// one (as btultra2) the literals and codes the pass before chose.

// optNum bounds the positions of one dynamic-programming window
// (ZSTD_OPT_NUM).
const optNum = 1 << 12

// optSufficient is the match length taken at once without pricing the
// alternatives (libzstd's sufficient_len, from targetLength).
const optSufficient = 512

// optMinMatch is the shortest match the optimal parse prices.
const optMinMatch = 3

// priceScale is the unit of prices: 1/256 bit.
const priceScale = 256

// priceSmoothing is added to every symbol count. Less than one count
// prices the rare codes higher; on the benchmark series (blosc's
// TestZstdSizeVsCBlosc, clevel 9) 1 -> 1/8 makes linspace 11799 -> 11786
// bytes.
const priceSmoothing = 0.125

// optNode is one position of the window: the cheapest known way to reach
// it, ending with a match (mlen > 0) or with litLen literals.
type optNode struct {
	price  int32
	mlen   uint32
	off    uint32
	litLen uint32
	rep    [3]uint32 // the repeat offsets after this position
}

// optMatch is one candidate match at a position.
type optMatch struct {
	len, off uint32
	val      uint32 // the Offset_Value: 1..3 a repeat offset, else off+3
}

// optState holds the parser's tables, kept between blocks.
type optState struct {
	nodes   []optNode
	head3   []uint32   // the newest position of each 3-byte hash
	start   int        // the block's first position
	cacheAt []uint32   // per block position: 1 + index of its count in cache
	cache   []optMatch // searched matches, each run after its count (len)
	matches []optMatch
	path    []optMatch
	litFreq [256]uint32
	llFreq  [zstd.MaxLLCode + 1]uint32
	mlFreq  [zstd.MaxMLCode + 1]uint32
	ofFreq  [32]uint32
	litP    [256]int32
	llP     [zstd.MaxLLCode + 1]int32
	mlP     [zstd.MaxMLCode + 1]int32
	ofP     [32]int32
	mlLenP  [optSufficient + 1]int32 // the price of each match length
	llLenP  [optLLTable]int32        // the price of each literal length
}

// symPrices sets p[i] to -log2(freq[i]/total) in 1/256 bits, counting
// each symbol priceSmoothing times more so that unseen ones stay finite.
func symPrices(p []int32, freq []uint32) {
	const sm = priceSmoothing
	total := 0.0
	for _, f := range freq {
		total += float64(f) + sm
	}
	for i, f := range freq {
		p[i] = int32(math.Log2(total/(float64(f)+sm)) * priceScale)
	}
}

// setPrices derives the price tables from the frequencies.
func (o *optState) setPrices() {
	symPrices(o.litP[:], o.litFreq[:])
	symPrices(o.llP[:], o.llFreq[:])
	symPrices(o.mlP[:], o.mlFreq[:])
	symPrices(o.ofP[:], o.ofFreq[:])
	for c := range o.llP {
		o.llP[c] += int32(zstd.LLBits[c]) * priceScale
	}
	for c := range o.mlP {
		o.mlP[c] += int32(zstd.MLBits[c]) * priceScale
	}
	for c := range o.ofP {
		o.ofP[c] += int32(c) * priceScale
	}
	for l := range o.mlLenP {
		o.mlLenP[l] = o.mlP[zstd.MLCode(uint32(max(l, zstd.MinMatch)))]
	}
	for l := range o.llLenP {
		o.llLenP[l] = o.llP[zstd.LLCode(uint32(l))]
	}
}

// seedFreqs sets the first pass's statistics: the histogram of the block
// for literals, flat for the codes.
func (o *optState) seedFreqs(b []byte) {
	clear(o.litFreq[:])
	for _, c := range b {
		o.litFreq[c]++
	}
	for i := range o.litFreq {
		o.litFreq[i] >>= 4
	}
	clear(o.llFreq[:])
	clear(o.mlFreq[:])
	clear(o.ofFreq[:])
}

// countFreqs sets the statistics from a parse's literals and sequences.
func (o *optState) countFreqs(seqs []seq, lits []byte, rep [3]uint32) {
	clear(o.litFreq[:])
	for _, c := range lits {
		o.litFreq[c]++
	}
	clear(o.llFreq[:])
	clear(o.mlFreq[:])
	clear(o.ofFreq[:])
	for _, s := range seqs {
		o.llFreq[zstd.LLCode(s.litLen)]++
		o.mlFreq[zstd.MLCode(s.matchLen)]++
		v, r := offValue(s.offset, s.litLen, rep)
		rep = r
		o.ofFreq[zstd.OFCode(v)]++
	}
}

// offValue is the Offset_Value coding offset after litLen literals under
// the repeat offsets rep (RFC 8878 §3.1.1.5) and the offsets after it.
func offValue(o, litLen uint32, r [3]uint32) (uint32, [3]uint32) {
	if litLen > 0 {
		switch o {
		case r[0]:
			return 1, r
		case r[1]:
			return 2, [3]uint32{r[1], r[0], r[2]}
		case r[2]:
			return 3, [3]uint32{r[2], r[0], r[1]}
		}
		return o + 3, [3]uint32{o, r[0], r[1]}
	}
	switch {
	case o == r[1]:
		return 1, [3]uint32{r[1], r[0], r[2]}
	case o == r[2]:
		return 2, [3]uint32{r[2], r[0], r[1]}
	case o == r[0]-1:
		return 3, [3]uint32{o, r[0], r[1]}
	}
	return o + 3, [3]uint32{o, r[0], r[1]}
}

// llPrice is the price of a literal length.
func (o *optState) llPrice(n uint32) int32 {
	if n < optLLTable {
		return o.llLenP[n]
	}
	return o.llP[zstd.LLCode(n)]
}

// optLLTable is the number of literal lengths priced by table.
const optLLTable = 1 << 10

// matchPrice is the price of a match of length ml at offset off after
// litLen literals under rep, without its literal length.
func (o *optState) matchPrice(off, ml, litLen uint32, rep [3]uint32) int32 {
	v, _ := offValue(off, litLen, rep)
	return o.ofP[zstd.OFCode(v)] + o.mlP[zstd.MLCode(ml)]
}

// parseOpt parses src[start:end] optimally, in two passes, appending to
// seqs and lits. rep holds the decoder's repeat offsets at the block start.
func (e *Encoder) parseOpt(src []byte, start, end int, rep [3]uint32, seqs []seq, lits []byte) ([]seq, []byte) {
	o := &e.opt
	n0, l0 := len(seqs), len(lits)
	o.start = start
	if cap(o.cacheAt) < end-start {
		o.cacheAt = make([]uint32, end-start)
	}
	o.cacheAt = o.cacheAt[:end-start]
	clear(o.cacheAt)
	o.cache = o.cache[:0]
	o.seedFreqs(src[start:end])
	o.setPrices()
	seqs, lits = e.m.optPass(o, src, start, end, rep, seqs, lits)
	for range optPasses - 1 {
		o.countFreqs(seqs[n0:], lits[l0:], rep)
		o.setPrices()
		seqs, lits = e.m.optPass(o, src, start, end, rep, seqs[:n0], lits[:l0])
	}
	return seqs, lits
}

// optPass is one optimal parse of src[start:end].
func (m *matcher) optPass(o *optState, src []byte, start, end int, rep [3]uint32, seqs []seq, lits []byte) ([]seq, []byte) {
	if len(o.nodes) < optNum+1 {
		o.nodes = make([]optNode, optNum+1)
	}
	anchor, ip := start, max(start, 1)
	ilimit := end - 8
	nodes := o.nodes
	for ip < ilimit {
		litLen := uint32(ip - anchor)
		ms := m.optMatches(o, src, ip, end, litLen, rep)
		if len(ms) == 0 {
			ip++
			continue
		}
		best := ms[len(ms)-1]
		if best.len >= optSufficient {
			o.path = append(o.path[:0], best)
			seqs, lits, rep, anchor, ip = emitPath(o.path, src, anchor, ip, rep, seqs, lits)
			continue
		}
		nodes[0] = optNode{price: o.llPrice(litLen), litLen: litLen, rep: rep}
		last := int(best.len)
		for i := 1; i <= last; i++ {
			nodes[i].price = math.MaxInt32
		}
		relax(o, nodes, 0, ms)
		var forced optMatch
		cur := 1
		for ; cur <= last; cur++ {
			prev := &nodes[cur-1]
			ll := prev.litLen + 1
			p := prev.price + o.litP[src[ip+cur-1]] + o.llPrice(ll) - o.llPrice(ll-1)
			if nd := &nodes[cur]; p <= nd.price {
				*nd = optNode{price: p, litLen: ll, rep: prev.rep}
			} else {
				// Reached by a match: its repeat offsets follow from
				// the position the match starts at.
				from := &nodes[cur-int(nd.mlen)]
				_, nd.rep = offValue(nd.off, from.litLen, from.rep)
				nd.litLen = 0
			}
			if cur == last || ip+cur >= ilimit {
				continue
			}
			nd := &nodes[cur]
			ms = m.optMatches(o, src, ip+cur, end, nd.litLen, nd.rep)
			if len(ms) == 0 {
				continue
			}
			best = ms[len(ms)-1]
			if best.len >= optSufficient || cur+int(best.len) > optNum {
				// Take it: the window ends with this match.
				forced, last = best, cur
				break
			}
			if reach := cur + int(best.len); reach > last {
				for i := last + 1; i <= reach; i++ {
					nodes[i].price = math.MaxInt32
				}
				last = reach
			}
			relax(o, nodes, cur, ms)
		}
		// Walk back from the end of the window.
		o.path = o.path[:0]
		if forced.len > 0 {
			o.path = append(o.path, forced)
		}
		pos := last
		for pos > 0 {
			nd := &nodes[pos]
			if nd.mlen > 0 {
				o.path = append(o.path, optMatch{len: nd.mlen, off: nd.off})
				pos -= int(nd.mlen)
			} else {
				o.path = append(o.path, optMatch{})
				pos--
			}
		}
		seqs, lits, rep, anchor, ip = emitPath(o.path, src, anchor, ip, rep, seqs, lits)
	}
	lits = append(lits, src[anchor:end]...)
	return seqs, lits
}

// relax prices every length of the matches ms at window position cur
// (lengths beyond one match up to the next use the longer one).
func relax(o *optState, nodes []optNode, cur int, ms []optMatch) {
	nd := nodes[cur]
	base := nd.price + o.llPrice(0)
	l := uint32(optMinMatch)
	for _, mt := range ms {
		op := o.ofP[zstd.OFCode(mt.val)] + base
		mlp := o.mlLenP[:mt.len+1]
		ts := nodes[cur : cur+int(mt.len)+1]
		for ; l <= mt.len; l++ {
			p := op + mlp[l]
			if t := &ts[l]; p < t.price {
				t.price, t.mlen, t.off = p, l, mt.off
			}
		}
	}
}

// emitPath appends the reversed path (literal steps have len 0) starting
// at ip as sequences, with the literals since anchor, and returns the new
// repeat offsets, anchor and position.
func emitPath(path []optMatch, src []byte, anchor, ip int, rep [3]uint32, seqs []seq, lits []byte) ([]seq, []byte, [3]uint32, int, int) {
	for i := len(path) - 1; i >= 0; i-- {
		mt := path[i]
		if mt.len == 0 {
			ip++
			continue
		}
		ll := uint32(ip - anchor)
		lits = append(lits, src[anchor:ip]...)
		seqs = append(seqs, seq{ll, mt.len, mt.off})
		_, rep = offValue(mt.off, ll, rep)
		ip += int(mt.len)
		anchor = ip
	}
	return seqs, lits, rep, anchor, ip
}

// optMatches lists the matches at ip: the repeat offsets first, then the
// searched ones, each longer than the one before. Matches end at end.
func (m *matcher) optMatches(o *optState, src []byte, ip, end int, litLen uint32, rep [3]uint32) []optMatch {
	ms := o.matches[:0]
	best := uint32(optMinMatch - 1)
	var reps [3]uint32
	if litLen > 0 {
		reps = rep
	} else {
		reps = [3]uint32{rep[1], rep[2], rep[0] - 1}
	}
	for i, r := range reps {
		if r == 0 || int(r) > ip || r > m.window || binary.LittleEndian.Uint16(src[ip-int(r):]) != binary.LittleEndian.Uint16(src[ip:]) {
			continue
		}
		if l := uint32(count(src, ip-int(r), ip, end)); l > best {
			best = l
			ms = append(ms, optMatch{l, r, uint32(i) + 1})
		}
	}
	if best < optSufficient {
		for _, mt := range m.searched(o, src, ip, end) {
			if mt.len > best {
				best = mt.len
				ms = append(ms, mt)
			}
		}
	}
	o.matches = ms
	return ms
}

// searched returns the matches at ip of the 3-byte table and the chain,
// each longer than the one before; the first search of a position is
// kept for the later passes over the block (it does not depend on the
// parse).
func (m *matcher) searched(o *optState, src []byte, ip, end int) []optMatch {
	k := ip - o.start
	if at := o.cacheAt[k]; at != 0 {
		n := o.cache[at-1].len
		return o.cache[at : at+n]
	}
	at := len(o.cache)
	o.cache = append(o.cache, optMatch{})
	best := uint32(optMinMatch - 1)
	chain, mask, base := m.chain, m.chainMask, m.base
	if l, off := o.match3(src, ip, end, base); l > best {
		best = l
		o.cache = append(o.cache, optMatch{l, off, off + 3})
	}
	cand, cur, low, minChain := m.chainAt(src, ip)
	x := binary.LittleEndian.Uint32(src[ip:])
	stale := 0
	for n := m.attempts; n > 0 && cand >= low && cand < cur && stale < optStale; n-- {
		c := int(cand - base)
		stale++
		if int(best) < end-ip && src[c+int(best)] == src[ip+int(best)] && binary.LittleEndian.Uint32(src[c:]) == x {
			if l := uint32(4 + count(src, c+4, ip+4, end)); l > best {
				best, stale = l, 0
				o.cache = append(o.cache, optMatch{l, uint32(ip - c), uint32(ip-c) + 3})
				if ip+int(l) == end || l >= optSufficient {
					break
				}
			}
		}
		if cand <= minChain {
			break
		}
		cand = chain[cand&mask]
	}
	o.cache[at].len = uint32(len(o.cache) - at - 1)
	o.cacheAt[k] = uint32(at + 1)
	return o.cache[at+1:]
}

// hash3Log is the size of the table of 3-byte matches (libzstd's
// hashLog3), and maxOff3 the farthest they reach.
const (
	hash3Log = 17
	maxOff3  = 1 << 16
)

// optPasses is the number of parses of each block: each one after the
// first prices with the statistics of the one before (clevel 9 linspace
// 1.061 -> 1.051 of c-blosc's size with 3 passes instead of 2, walk 1.005
// -> 1.001).
const optPasses = 3

// optStale ends a chain search after this many candidates without a
// longer match: on the walk series the chain holds many equal candidates.
const optStale = 32

// match3 returns the match at ip of the newest position with the same
// 3-byte hash, within maxOff3 (0, 0 if none), and inserts ip.
func (o *optState) match3(src []byte, ip, end int, base uint32) (uint32, uint32) {
	if o.head3 == nil {
		o.head3 = make([]uint32, 1<<hash3Log)
	}
	cur := base + uint32(ip)
	h := (binary.LittleEndian.Uint32(src[ip:]) << 8 * prime4) >> (32 - hash3Log)
	c3 := o.head3[h]
	o.head3[h] = cur
	if c3 < base || c3 >= cur || cur-c3 > maxOff3 {
		return 0, 0
	}
	c := int(c3 - base)
	return uint32(count(src, c, ip, end)), uint32(ip - c)
}
