package tscodec

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"sync"

	"github.com/klauspost/compress/fse"
	"github.com/klauspost/compress/huff0"
	"github.com/klauspost/compress/zstd"
)

// pow10 holds the exact powers of ten used as decimal scales.
var pow10 = func() (p [maxScale + 1]float64) {
	p[0] = 1
	for i := 1; i <= maxScale; i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// zstdMin is the smallest block for which the zstd value kind is tried.
const zstdMin = 256

var (
	zencOnce sync.Once
	zenc     *zstd.Encoder
	zdecOnce sync.Once
	zdec     *zstd.Decoder
)

func zstdEncoder() *zstd.Encoder {
	zencOnce.Do(func() {
		zenc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault),
			zstd.WithEncoderConcurrency(1), zstd.WithZeroFrames(true))
	})
	return zenc
}

func zstdDecoder() *zstd.Decoder {
	zdecOnce.Do(func() {
		zdec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxMemory(MaxSamples*10+1<<16))
	})
	return zdec
}

// Encoder encodes blocks, reusing its scratch space between calls. The zero
// value is ready to use; an Encoder is not safe for concurrent use.
type Encoder struct {
	// NoZstd disables the entropy-coded value kind (huff0 or zstd):
	// faster encoding and decoding, larger blocks.
	NoZstd bool

	ints   []int64
	zz     []uint64
	zz2    []uint64
	zz0    []uint64
	zz3    []uint64
	levels []byte
	d1     []byte
	cands  []candidate
	bytes  []byte
	zbuf   []byte
	ztry   []byte
	huff   *huff0.Scratch
	fse    *fse.Scratch
}

// AppendBlock encodes the samples (ts[i], vs[i]) as one block appended to
// dst; see the package function of the same name.
func (e *Encoder) AppendBlock(dst []byte, ts []int64, vs []float64) ([]byte, error) {
	n := len(ts)
	if len(vs) != n || n > MaxSamples {
		return dst, fmt.Errorf("%w: %d timestamps, %d values (at most %d)", ErrLength, len(ts), len(vs), MaxSamples)
	}
	kindAt := len(dst)
	dst = append(dst, 0)
	dst = binary.AppendUvarint(dst, uint64(n))
	var tk, vk byte
	dst, tk = e.appendTimes(dst, ts)
	dst, vk = e.appendValues(dst, vs)
	dst[kindAt] = formatVersion<<4 | vk<<2 | tk
	return dst, nil
}

// interval picks the block's expected interval: the majority delta
// (Boyer-Moore vote), which is the sampling interval of a regular series.
func interval(ts []int64) int64 {
	var cand int64
	votes := 0
	for i := 1; i < len(ts); i++ {
		d := ts[i] - ts[i-1]
		switch {
		case votes == 0:
			cand, votes = d, 1
		case d == cand:
			votes++
		default:
			votes--
		}
	}
	return cand
}

func (e *Encoder) appendTimes(dst []byte, ts []int64) ([]byte, byte) {
	n := len(ts)
	if n == 0 {
		return dst, timeRegular
	}
	dst = binary.AppendVarint(dst, ts[0])
	if n == 1 {
		return dst, timeRegular
	}
	iv := interval(ts)
	dst = binary.AppendVarint(dst, iv)
	e.zz = e.zz[:0]
	nonzero, sparseSize, last := 0, 0, 0
	for i := 1; i < n; i++ {
		r := ts[i] - ts[i-1] - iv
		e.zz = append(e.zz, zigzag(r))
		if r != 0 {
			nonzero++
			sparseSize += uvarintLen(uint64(i-last)) + uvarintLen(zigzag(r))
			last = i
		}
	}
	if nonzero == 0 {
		return dst, timeRegular
	}
	sparseSize += uvarintLen(uint64(nonzero))
	if sparseSize <= packedSize(e.zz) {
		dst = binary.AppendUvarint(dst, uint64(nonzero))
		last = 0
		for i, z := range e.zz {
			if z != 0 {
				dst = binary.AppendUvarint(dst, uint64(i+1-last))
				dst = binary.AppendUvarint(dst, z)
				last = i + 1
			}
		}
		return dst, timeSparse
	}
	return appendFrames(dst, e.zz), timePacked
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// packedSize is the size appendFrames would produce.
func packedSize(vals []uint64) int {
	size := 0
	for len(vals) > 0 {
		n := min(len(vals), frameLen)
		var or uint64
		for _, v := range vals[:n] {
			or |= v
		}
		w := 0
		for or != 0 {
			w++
			or >>= 1
		}
		size += 1 + (n*w+7)/8
		vals = vals[n:]
	}
	return size
}

// candidate is one way to turn the scaled integers into residuals.
type candidate struct {
	order int      // 0..3, the wire order byte
	res   []uint64 // the residuals
	head  []byte   // what the order adds after m0 (d1, or frame levels)
}

func appendDecimalHead(dst []byte, scale int, c *candidate, m0 int64) []byte {
	dst = append(dst, byte(scale), byte(c.order))
	dst = binary.AppendVarint(dst, m0)
	return append(dst, c.head...)
}

// entropyEstimate is what an order-0 entropy coder would spend on the
// residuals as uvarint bytes: the Shannon entropy of the one-byte values
// plus 8 bits per byte of the longer ones.
func entropyEstimate(vals []uint64) int {
	var hist [129]int
	extra := 0
	for _, v := range vals {
		if v < 128 {
			hist[v]++
		} else {
			hist[128]++
			extra += 8 * uvarintLen(v)
		}
	}
	n := float64(len(vals))
	h := 0.0
	for _, c := range hist {
		if c > 0 {
			h -= float64(c) * math.Log2(float64(c)/n)
		}
	}
	return (int(h)+extra)/8 + 1
}

// appendEntropy entropy-codes residuals as uvarint bytes two ways and
// keeps the smallest if it beats the best bit-packing (packed bytes): huff0
// (order-0 Huffman) and FSE (tANS, closer to the entropy), for noise, on the candidate with the smallest entropy
// estimate, and zstd (for repeats such as daily patterns) on the
// candidate that bit-packs smallest (cands[packedBest]).
func (e *Encoder) appendEntropy(dst []byte, m []int64, scale int, cands []candidate, packedBest, packed int) ([]byte, bool) {
	hb, hCost := 0, math.MaxInt
	for i := range cands {
		if c := entropyEstimate(cands[i].res) + len(cands[i].head); c < hCost {
			hb, hCost = i, c
		}
	}
	best, method, rawLen := -1, byte(0), 0
	bestSize := packed
	try := func(ci int, m byte, z []byte, raw int) {
		size := 1 + len(z) + uvarintLen(uint64(len(z))) + uvarintLen(uint64(raw)) + len(cands[ci].head)
		if size < bestSize {
			best, method, rawLen, bestSize = ci, m, raw, size
			e.zbuf = append(e.zbuf[:0], z...)
		}
	}
	e.bytes = appendUvarints(e.bytes[:0], cands[hb].res)
	if len(e.bytes) <= huff0.BlockSizeMax {
		if e.huff == nil {
			e.huff = &huff0.Scratch{Reuse: huff0.ReusePolicyNone}
		}
		if h, _, err := huff0.Compress1X(e.bytes, e.huff); err == nil {
			try(hb, entropyHuff0, h, len(e.bytes))
		}
	}
	if e.fse == nil {
		e.fse = &fse.Scratch{}
	}
	if f, err := fse.Compress(e.bytes, e.fse); err == nil {
		try(hb, entropyFSE, f, len(e.bytes))
	}
	if packedBest != hb {
		e.bytes = appendUvarints(e.bytes[:0], cands[packedBest].res)
	}
	e.ztry = zstdEncoder().EncodeAll(e.bytes, e.ztry[:0])
	try(packedBest, entropyZstd, e.ztry, len(e.bytes))
	if best < 0 {
		return dst, false
	}
	dst = appendDecimalHead(dst, scale, &cands[best], m[0])
	dst = append(dst, method)
	dst = binary.AppendUvarint(dst, uint64(rawLen))
	dst = binary.AppendUvarint(dst, uint64(len(e.zbuf)))
	return append(dst, e.zbuf...), true
}

func appendUvarints(dst []byte, vals []uint64) []byte {
	for _, v := range vals {
		dst = binary.AppendUvarint(dst, v)
	}
	return dst
}

// bitCost approximates what an entropy coder spends: the sum of the
// residuals' bit lengths.
func bitCost(vals []uint64) int {
	c := 0
	for _, v := range vals {
		c += bits.Len64(v) + 1
	}
	return c / 8
}

// decimalScale returns the smallest scale e at which every value is an
// integer m with float64(m)/10^e reproducing its exact bits, and those
// integers in e.ints; ok is false when there is none (NaN, ±Inf, -0, or
// more than maxScale significant decimals).
func (e *Encoder) decimalScale(vs []float64) (scale int, ok bool) {
	const limit = 1 << 53
	if cap(e.ints) < len(vs) {
		e.ints = make([]int64, len(vs))
	}
	ints := e.ints[:len(vs)]
	p := pow10[0]
	// exact reports whether v is the integer m at scale p, bit for bit.
	exact := func(v float64, m float64) bool {
		return math.Abs(m) < limit && math.Float64bits(float64(int64(m))/p) == math.Float64bits(v)
	}
	for i, v := range vs {
		if i > 0 && math.Float64bits(v) == math.Float64bits(vs[i-1]) {
			ints[i] = ints[i-1]
			continue
		}
		m := math.Round(v * p)
		if exact(v, m) {
			ints[i] = int64(m)
			continue
		}
		// Raise the scale until v fits, then redo the earlier values (a
		// value exact at scale e is exact at any larger scale as long as
		// it stays below 2^53; the check is repeated anyway).
		for {
			if scale++; scale > maxScale {
				return 0, false
			}
			p = pow10[scale]
			if m = math.Round(v * p); exact(v, m) {
				break
			}
		}
		ints[i] = int64(m)
		for j, w := range vs[:i] {
			mw := math.Round(w * p)
			if !exact(w, mw) {
				return 0, false
			}
			ints[j] = int64(mw)
		}
	}
	e.ints = ints
	return scale, true
}

func (e *Encoder) appendValues(dst []byte, vs []float64) ([]byte, byte) {
	n := len(vs)
	if n == 0 {
		return dst, valConst
	}
	first := math.Float64bits(vs[0])
	constant := true
	for _, v := range vs[1:] {
		if math.Float64bits(v) != first {
			constant = false
			break
		}
	}
	if constant {
		return binary.LittleEndian.AppendUint64(dst, first), valConst
	}
	scale, ok := e.decimalScale(vs)
	if !ok {
		return appendXOR(dst, vs), valXOR
	}
	m := e.ints
	// Residuals of order 0 (offset from the first value), 1 (first
	// differences: random walks), 2 (second differences: counters and
	// smooth curves) and 3 (offset from each frame's mean: noise around a
	// drifting level); keep the cheapest.
	e.zz, e.zz2, e.zz0, e.zz3 = e.zz[:0], e.zz2[:0], e.zz0[:0], e.zz3[:0]
	for i := 1; i < n; i++ {
		e.zz0 = append(e.zz0, zigzag(m[i]-m[0]))
		e.zz = append(e.zz, zigzag(m[i]-m[i-1]))
		if i >= 2 {
			e.zz2 = append(e.zz2, zigzag((m[i]-m[i-1])-(m[i-1]-m[i-2])))
		}
	}
	e.levels = e.levels[:0]
	prevLevel := m[0]
	for off := 0; off < n; off += frameLen {
		frame := m[off:min(off+frameLen, n)]
		// The level is the frame's mean (offsets from the first value, so
		// the sum cannot overflow for 53-bit integers in 128-value frames).
		var sum int64
		for _, v := range frame {
			sum += v - frame[0]
		}
		lv := frame[0] + sum/int64(len(frame))
		e.levels = binary.AppendVarint(e.levels, lv-prevLevel)
		prevLevel = lv
		for _, v := range frame {
			e.zz3 = append(e.zz3, zigzag(v-lv))
		}
	}
	cands := e.cands[:0]
	cands = append(cands, candidate{order: 1, res: e.zz}, candidate{order: 0, res: e.zz0},
		candidate{order: 3, res: e.zz3, head: e.levels})
	if n >= 3 {
		cands = append(cands, candidate{order: 2, res: e.zz2, head: binary.AppendUvarint(e.d1[:0], e.zz[0])})
	}
	e.cands = cands
	best, packed := 0, math.MaxInt
	for i := range cands {
		if p := packedSize(cands[i].res) + len(cands[i].head); p < packed {
			best, packed = i, p
		}
	}
	if !e.NoZstd && n >= zstdMin {
		if out, ok := e.appendEntropy(dst, m, scale, cands, best, packed); ok {
			return out, valZstd
		}
	}
	res := cands[best].res
	dst = appendDecimalHead(dst, scale, &cands[best], m[0])
	return appendFrames(dst, res), valDecimal
}
