package tscodec

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// The XOR kind is Gorilla's value encoding (Pelkonen et al., VLDB 2015),
// written least significant bit first: the first value's 64 bits, then for
// each value the XOR with the previous one as
//
//	0                                  XOR is zero
//	1 0 <meaningful bits>              fits the previous leading/trailing window
//	1 1 <6 bits lead> <6 bits len-1> <len bits>
//
// The stream is preceded by its byte length (uvarint).

type bitWriter struct {
	b   []byte
	acc uint64
	n   uint
}

func (w *bitWriter) write(v uint64, nbits uint) {
	if nbits == 0 {
		return
	}
	if nbits < 64 {
		v &= 1<<nbits - 1
	}
	w.acc |= v << w.n
	if w.n+nbits >= 64 {
		w.b = binary.LittleEndian.AppendUint64(w.b, w.acc)
		used := 64 - w.n
		if used < 64 {
			w.acc = v >> used
		} else {
			w.acc = 0
		}
		w.n = w.n + nbits - 64
		return
	}
	w.n += nbits
}

func (w *bitWriter) flush() []byte {
	for w.n > 0 {
		w.b = append(w.b, byte(w.acc))
		w.acc >>= 8
		w.n = w.n - min(w.n, 8)
	}
	return w.b
}

type bitReader struct {
	b   []byte
	off int
	acc uint64
	n   uint
	bad bool
}

func (r *bitReader) read(nbits uint) uint64 {
	for r.n < nbits {
		if r.off >= len(r.b) {
			r.bad = true
			return 0
		}
		if r.n <= 56 {
			r.acc |= uint64(r.b[r.off]) << r.n
			r.off++
			r.n += 8
			continue
		}
		// Need more than 56 buffered bits: combine with the next byte.
		lo := r.acc
		have := r.n
		r.acc, r.n = 0, 0
		hi := r.read(nbits - have)
		return lo | hi<<have
	}
	v := r.acc
	if nbits < 64 {
		v &= 1<<nbits - 1
		r.acc >>= nbits
	} else {
		r.acc = 0
	}
	r.n -= nbits
	return v
}

func appendXOR(dst []byte, vs []float64) []byte {
	w := bitWriter{}
	prev := math.Float64bits(vs[0])
	w.write(prev, 64)
	lead, trail := uint(65), uint(0)
	for _, v := range vs[1:] {
		cur := math.Float64bits(v)
		x := cur ^ prev
		prev = cur
		if x == 0 {
			w.write(0, 1)
			continue
		}
		l, t := uint(bits.LeadingZeros64(x)), uint(bits.TrailingZeros64(x))
		if l >= 64 {
			l = 63
		}
		if lead <= 64 && l >= lead && t >= trail {
			w.write(0b01, 2)
			w.write(x>>trail, 64-lead-trail)
			continue
		}
		lead, trail = l, t
		sig := 64 - l - t
		w.write(0b11, 2)
		w.write(uint64(l), 6)
		w.write(uint64(sig-1), 6)
		w.write(x>>t, sig)
	}
	stream := w.flush()
	dst = binary.AppendUvarint(dst, uint64(len(stream)))
	return append(dst, stream...)
}

func decodeXOR(stream []byte, out []float64) bool {
	r := bitReader{b: stream}
	prev := r.read(64)
	out[0] = math.Float64frombits(prev)
	lead, trail := uint(0), uint(0)
	started := false
	for i := 1; i < len(out); i++ {
		if r.read(1) == 0 {
			out[i] = math.Float64frombits(prev)
			continue
		}
		if r.read(1) == 1 {
			lead = uint(r.read(6))
			sig := uint(r.read(6)) + 1
			if lead+sig > 64 {
				return false
			}
			trail = 64 - lead - sig
			started = true
		} else if !started {
			return false
		}
		prev ^= r.read(64-lead-trail) << trail
		out[i] = math.Float64frombits(prev)
	}
	return !r.bad
}
