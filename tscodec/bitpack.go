package tscodec

import (
	"encoding/binary"
	"math/bits"
)

// appendFrames bit-packs vals in frames of frameLen: each frame is one byte
// of bit width w (0..64) and then ceil(n*w/8) bytes holding the n values
// least significant bit first.
func appendFrames(dst []byte, vals []uint64) []byte {
	for len(vals) > 0 {
		n := min(len(vals), frameLen)
		frame := vals[:n]
		vals = vals[n:]
		var or uint64
		for _, v := range frame {
			or |= v
		}
		w := uint(bits.Len64(or))
		dst = append(dst, byte(w))
		if w == 0 {
			continue
		}
		var acc uint64
		var nb uint
		for _, v := range frame {
			acc |= v << nb
			if nb+w >= 64 {
				dst = binary.LittleEndian.AppendUint64(dst, acc)
				used := 64 - nb
				if used < 64 {
					acc = v >> used
				} else {
					acc = 0
				}
				nb = nb + w - 64
			} else {
				nb += w
			}
		}
		for nb > 0 {
			dst = append(dst, byte(acc))
			acc >>= 8
			if nb < 8 {
				nb = 0
			} else {
				nb -= 8
			}
		}
	}
	return dst
}

// framesLen returns the encoded size of count values in frames starting at
// b[0], checking every width byte, without unpacking.
func framesLen(b []byte, count int) (int, bool) {
	off := 0
	for count > 0 {
		n := min(count, frameLen)
		count -= n
		if off >= len(b) {
			return 0, false
		}
		w := int(b[off])
		if w > 64 {
			return 0, false
		}
		off += 1 + (n*w+7)/8
		if off > len(b) {
			return 0, false
		}
	}
	return off, true
}

// unpackFrames decodes len(out) values packed by appendFrames from b, which
// framesLen has validated. pad is scratch for the last bytes of the input.
func unpackFrames(b []byte, out []uint64, pad *[frameLen*8 + 16]byte) {
	off := 0
	for len(out) > 0 {
		n := min(len(out), frameLen)
		w := uint(b[off])
		off++
		size := (n*int(w) + 7) / 8
		src := b[off:]
		off += size
		frame := out[:n]
		out = out[n:]
		if w == 0 {
			clear(frame)
			continue
		}
		if len(b)-off < 16 { // too close to the end for 16-byte reads
			copy(pad[:], src[:size])
			clear(pad[size:])
			src = pad[:size+16]
		}
		unpackFrame(src, frame, w)
	}
}

// unpackFrame reads len(frame) values of width w from src, which has at
// least 16 readable bytes past the packed data.
func unpackFrame(src []byte, frame []uint64, w uint) {
	mask := uint64(1)<<w - 1
	if w == 64 {
		mask = ^uint64(0)
	}
	bp := uint(0)
	if w <= 56 {
		for i := range frame {
			word := binary.LittleEndian.Uint64(src[bp>>3:])
			frame[i] = (word >> (bp & 7)) & mask
			bp += w
		}
		return
	}
	for i := range frame {
		p := bp >> 3
		s := bp & 7
		v := binary.LittleEndian.Uint64(src[p:]) >> s
		if s != 0 {
			v |= uint64(src[p+8]) << (64 - s)
		}
		frame[i] = v & mask
		bp += w
	}
}
