package tscodec

import (
	"errors"
	"fmt"
	"math"

	"github.com/klauspost/compress/fse"
	"github.com/klauspost/compress/huff0"
)

// Decoder decodes blocks, reusing its scratch space between calls. The zero
// value is ready to use; a Decoder is not safe for concurrent use.
type Decoder struct {
	zz     []uint64
	levels []int64
	raw    []byte
	huff   *huff0.Scratch
	fse    *fse.Scratch
	pad    [frameLen*8 + 16]byte
}

// DecodeBlock decodes one block, appending its samples to ts and vs. The
// whole of src must be the block.
func (d *Decoder) DecodeBlock(src []byte, ts []int64, vs []float64) ([]int64, []float64, error) {
	r := reader{b: src}
	kind := r.byte1("kind")
	count := r.uvarint("count")
	if r.err != nil {
		return ts, vs, r.err
	}
	if kind>>4 != formatVersion || kind&0x03 == 3 {
		return ts, vs, corrupt(0, "kind", fmt.Sprintf("unknown kind byte %#02x", kind))
	}
	if count > MaxSamples {
		return ts, vs, corrupt(1, "count", fmt.Sprintf("%d samples, more than %d", count, MaxSamples))
	}
	n := int(count)
	t0, v0 := len(ts), len(vs)
	ts = grow(ts, n)
	vs = growF(vs, n)
	if err := d.decodeTimes(&r, kind&3, ts[t0:]); err != nil {
		return ts[:t0], vs[:v0], err
	}
	if err := d.decodeValues(&r, (kind>>2)&3, vs[v0:]); err != nil {
		return ts[:t0], vs[:v0], err
	}
	if r.off != len(src) {
		return ts[:t0], vs[:v0], corrupt(r.off, "end", fmt.Sprintf("%d trailing bytes", len(src)-r.off))
	}
	return ts, vs, nil
}

func grow(s []int64, n int) []int64 {
	if cap(s)-len(s) < n {
		s = append(make([]int64, 0, len(s)+n), s...)
	}
	return s[:len(s)+n]
}

func growF(s []float64, n int) []float64 {
	if cap(s)-len(s) < n {
		s = append(make([]float64, 0, len(s)+n), s...)
	}
	return s[:len(s)+n]
}

func (d *Decoder) levelScratch(n int) []int64 {
	if cap(d.levels) < n {
		d.levels = make([]int64, n)
	}
	return d.levels[:n]
}

func (d *Decoder) scratch(n int) []uint64 {
	if cap(d.zz) < n {
		d.zz = make([]uint64, n)
	}
	return d.zz[:n]
}

// frames validates and unpacks count bit-packed integers at r.
func (d *Decoder) frames(r *reader, count int, field string) []uint64 {
	if r.err != nil {
		return nil
	}
	size, ok := framesLen(r.b[r.off:], count)
	if !ok {
		r.fail(field, "bit-packed frames truncated or wider than 64 bits")
		return nil
	}
	zz := d.scratch(count)
	unpackFrames(r.b[r.off:r.off+size], zz, &d.pad)
	r.off += size
	return zz
}

func (d *Decoder) decodeTimes(r *reader, kind byte, ts []int64) error {
	n := len(ts)
	if n == 0 {
		if kind != timeRegular {
			r.fail("time kind", "an empty block must be regular")
		}
		return r.err
	}
	t := r.varint("t0")
	ts[0] = t
	if n == 1 {
		if kind != timeRegular {
			r.fail("time kind", "a one-sample block must be regular")
		}
		return r.err
	}
	iv := r.varint("interval")
	if r.err != nil {
		return r.err
	}
	switch kind {
	case timeRegular:
		for i := 1; i < n; i++ {
			t += iv
			ts[i] = t
		}
	case timeSparse:
		k := r.uvarint("exception count")
		if r.err == nil && k > uint64(n-1) {
			r.fail("exception count", fmt.Sprintf("%d exceptions for %d deltas", k, n-1))
		}
		for i := 1; i < n; i++ {
			ts[i] = iv
		}
		idx := uint64(0)
		for j := uint64(0); j < k && r.err == nil; j++ {
			gap := r.uvarint("exception index")
			z := r.uvarint("exception value")
			idx += gap
			if r.err == nil && (gap == 0 || idx >= uint64(n)) {
				r.fail("exception index", fmt.Sprintf("index %d outside 1..%d", idx, n-1))
			}
			if r.err == nil {
				ts[idx] += unzigzag(z)
			}
		}
		for i := 1; i < n; i++ {
			t += ts[i]
			ts[i] = t
		}
	case timePacked:
		zz := d.frames(r, n-1, "time frames")
		if r.err != nil {
			return r.err
		}
		for i, z := range zz {
			t += iv + unzigzag(z)
			ts[i+1] = t
		}
	}
	return r.err
}

func (d *Decoder) decodeValues(r *reader, kind byte, vs []float64) error {
	n := len(vs)
	if n == 0 {
		if kind != valConst {
			r.fail("value kind", "an empty block must be constant")
		}
		return r.err
	}
	switch kind {
	case valConst:
		v := math.Float64frombits(r.u64("constant"))
		for i := range vs {
			vs[i] = v
		}
		return r.err
	case valXOR:
		stream := r.bytes(r.uvarint("xor length"), "xor stream")
		if r.err == nil && !decodeXOR(stream, vs) {
			r.fail("xor stream", "malformed Gorilla XOR bits")
		}
		return r.err
	}
	scale := int(r.byte1("scale"))
	order := int(r.byte1("order"))
	m := r.varint("first value")
	if r.err == nil && (scale > maxScale || order > 3 || (order == 2 && n < 3)) {
		r.fail("scale/order", fmt.Sprintf("scale %d order %d for %d values", scale, order, n))
	}
	var d1 int64
	if order == 2 {
		d1 = unzigzag(r.uvarint("first difference"))
	}
	nres := n - max(order, 1)
	if n == 1 {
		nres = 0
	}
	var levels []int64
	if order == 3 {
		nres = n
		levels = d.levelScratch((n + frameLen - 1) / frameLen)
		lv := m
		for i := range levels {
			lv += r.varint("frame level")
			levels[i] = lv
		}
	}
	var zz []uint64
	if kind == valZstd {
		zz = d.zstdResiduals(r, nres)
	} else {
		zz = d.frames(r, nres, "value frames")
	}
	if r.err != nil {
		return r.err
	}
	p := pow10[scale]
	if order == 3 {
		for i, z := range zz {
			vs[i] = float64(levels[i/frameLen]+unzigzag(z)) / p
		}
		return nil
	}
	vs[0] = float64(m) / p
	if order == 2 {
		m += d1
		vs[1] = float64(m) / p
		for i, z := range zz {
			d1 += unzigzag(z)
			m += d1
			vs[i+2] = float64(m) / p
		}
		return nil
	}
	if order == 0 {
		for i, z := range zz {
			vs[i+1] = float64(m+unzigzag(z)) / p
		}
		return nil
	}
	if scale == 0 {
		for i, z := range zz {
			m += unzigzag(z)
			vs[i+1] = float64(m)
		}
		return nil
	}
	for i, z := range zz {
		m += unzigzag(z)
		vs[i+1] = float64(m) / p
	}
	return nil
}

// zstdResiduals reads the entropy-coded value kind: method, raw length,
// compressed length, then a zstd frame or huff0 stream of uvarint residuals.
func (d *Decoder) zstdResiduals(r *reader, count int) []uint64 {
	method := r.byte1("entropy method")
	rawLen := r.uvarint("entropy raw length")
	if r.err == nil && rawLen > uint64(count)*10 {
		r.fail("entropy raw length", fmt.Sprintf("%d bytes for %d residuals", rawLen, count))
	}
	z := r.bytes(r.uvarint("entropy length"), "entropy stream")
	if r.err != nil {
		return nil
	}
	var raw []byte
	var err error
	switch method {
	case entropyZstd:
		raw, err = zstdDecoder().DecodeAll(z, d.raw[:0])
	case entropyHuff0:
		raw, err = d.huff0(z, int(rawLen))
	case entropyFSE:
		if d.fse == nil {
			d.fse = &fse.Scratch{}
		}
		d.fse.DecompressLimit = int(rawLen)
		d.fse.Out = d.raw[:0]
		raw, err = fse.Decompress(z, d.fse)
	default:
		r.fail("entropy method", fmt.Sprintf("unknown method %d", method))
		return nil
	}
	if err != nil || uint64(len(raw)) != rawLen {
		r.fail("entropy stream", fmt.Sprintf("does not decompress to %d bytes (%v)", rawLen, err))
		return nil
	}
	d.raw = raw
	zz := d.scratch(count)
	off := 0
	for i := range zz {
		v, k := uvarint(raw[off:])
		if k <= 0 {
			r.fail("entropy residuals", "truncated varint")
			return nil
		}
		zz[i] = v
		off += k
	}
	if off != len(raw) {
		r.fail("entropy residuals", "trailing bytes")
	}
	return zz
}

func (d *Decoder) huff0(z []byte, rawLen int) ([]byte, error) {
	if rawLen > huff0.BlockSizeMax {
		return nil, errors.New("huff0 stream longer than a huff0 block")
	}
	if d.huff == nil {
		d.huff = &huff0.Scratch{}
	}
	s, rest, err := huff0.ReadTable(z, d.huff)
	if err != nil {
		return nil, err
	}
	d.huff = s
	if cap(d.raw) < rawLen {
		d.raw = make([]byte, 0, rawLen)
	}
	return s.Decoder().Decompress1X(d.raw[:0:rawLen], rest)
}

// uvarint is binary.Uvarint with a fast path for one-byte values.
func uvarint(b []byte) (uint64, int) {
	if len(b) > 0 && b[0] < 0x80 {
		return uint64(b[0]), 1
	}
	var x uint64
	var s uint
	for i, c := range b {
		if i == 10 {
			return 0, -1
		}
		if c < 0x80 {
			if i == 9 && c > 1 {
				return 0, -1
			}
			return x | uint64(c)<<s, i + 1
		}
		x |= uint64(c&0x7f) << s
		s += 7
	}
	return 0, 0
}
