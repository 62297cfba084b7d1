package blosc

import "encoding/binary"

// shuffleBlock is c-blosc's byte shuffle of one block (shuffle_generic):
// byte j of element i moves to dst[j*n+i], n = len(src)/ts; the
// len(src)%ts trailing bytes are copied unchanged.
func shuffleBlock(ts int, dst, src []byte) {
	n := len(src) / ts
	dst = dst[:len(src)]
	switch ts {
	case 8:
		shuffle8(n, dst, src)
	case 4:
		shuffle4(n, dst, src)
	default:
		for j := 0; j < ts; j++ {
			row := dst[j*n : j*n+n]
			k := j
			for i := range row {
				row[i] = src[k]
				k += ts
			}
		}
	}
	copy(dst[n*ts:], src[n*ts:])
}

// unshuffleBlock inverts shuffleBlock.
func unshuffleBlock(ts int, dst, src []byte) {
	n := len(src) / ts
	dst = dst[:len(src)]
	switch ts {
	case 8:
		unshuffle8(n, dst, src)
	case 4:
		unshuffle4(n, dst, src)
	default:
		for j := 0; j < ts; j++ {
			row := src[j*n : j*n+n]
			k := j
			for _, b := range row {
				dst[k] = b
				k += ts
			}
		}
	}
	copy(dst[n*ts:], src[n*ts:])
}

// transpose8x8 transposes the 8x8 byte matrix held in eight words (word r,
// byte c) in place.
func transpose8x8(a *[8]uint64) {
	// Swap 4x4 blocks, then 2x2 blocks, then single bytes.
	for i := 0; i < 4; i++ {
		x, y := a[i], a[i+4]
		a[i] = x&0x00000000ffffffff | y<<32
		a[i+4] = x>>32 | y&0xffffffff00000000
	}
	for _, i := range [4]int{0, 1, 4, 5} {
		x, y := a[i], a[i+2]
		a[i] = x&0x0000ffff0000ffff | (y&0x0000ffff0000ffff)<<16
		a[i+2] = (x&0xffff0000ffff0000)>>16 | y&0xffff0000ffff0000
	}
	for _, i := range [4]int{0, 2, 4, 6} {
		x, y := a[i], a[i+1]
		a[i] = x&0x00ff00ff00ff00ff | (y&0x00ff00ff00ff00ff)<<8
		a[i+1] = (x&0xff00ff00ff00ff00)>>8 | y&0xff00ff00ff00ff00
	}
}

func shuffle8(n int, dst, src []byte) {
	var a [8]uint64
	i := 0
	for ; i+8 <= n; i += 8 {
		s := src[i*8 : i*8+64]
		for r := range a {
			a[r] = binary.LittleEndian.Uint64(s[r*8:])
		}
		transpose8x8(&a)
		for r := range a {
			binary.LittleEndian.PutUint64(dst[r*n+i:], a[r])
		}
	}
	for ; i < n; i++ {
		for j := 0; j < 8; j++ {
			dst[j*n+i] = src[i*8+j]
		}
	}
}

func unshuffle8(n int, dst, src []byte) {
	var a [8]uint64
	i := 0
	for ; i+8 <= n; i += 8 {
		for r := range a {
			a[r] = binary.LittleEndian.Uint64(src[r*n+i:])
		}
		transpose8x8(&a)
		d := dst[i*8 : i*8+64]
		for r := range a {
			binary.LittleEndian.PutUint64(d[r*8:], a[r])
		}
	}
	for ; i < n; i++ {
		for j := 0; j < 8; j++ {
			dst[i*8+j] = src[j*n+i]
		}
	}
}

func shuffle4(n int, dst, src []byte) {
	i := 0
	for ; i+4 <= n; i += 4 {
		s := src[i*4 : i*4+16]
		for j := 0; j < 4; j++ {
			binary.LittleEndian.PutUint32(dst[j*n+i:], uint32(s[j])|uint32(s[4+j])<<8|uint32(s[8+j])<<16|uint32(s[12+j])<<24)
		}
	}
	for ; i < n; i++ {
		for j := 0; j < 4; j++ {
			dst[j*n+i] = src[i*4+j]
		}
	}
}

func unshuffle4(n int, dst, src []byte) {
	i := 0
	for ; i+4 <= n; i += 4 {
		r0 := binary.LittleEndian.Uint32(src[i:])
		r1 := binary.LittleEndian.Uint32(src[n+i:])
		r2 := binary.LittleEndian.Uint32(src[2*n+i:])
		r3 := binary.LittleEndian.Uint32(src[3*n+i:])
		d := dst[i*4 : i*4+16]
		for k := 0; k < 4; k++ {
			sh := uint(8 * k)
			binary.LittleEndian.PutUint32(d[4*k:], uint32(byte(r0>>sh))|uint32(byte(r1>>sh))<<8|uint32(byte(r2>>sh))<<16|uint32(byte(r3>>sh))<<24)
		}
	}
	for ; i < n; i++ {
		for j := 0; j < 4; j++ {
			dst[i*4+j] = src[j*n+i]
		}
	}
}

// transposeBits8x8 transposes the 8x8 bit matrix in x (TRANS_BIT_8X8):
// bit m of byte k becomes bit k of byte m.
func transposeBits8x8(x uint64) uint64 {
	t := (x ^ x>>7) & 0x00AA00AA00AA00AA
	x ^= t ^ t<<7
	t = (x ^ x>>14) & 0x0000CCCC0000CCCC
	x ^= t ^ t<<14
	t = (x ^ x>>28) & 0x00000000F0F0F0F0
	return x ^ t ^ t<<28
}

// bitshuffleBlock is Blosc1's bitshuffle of one block
// (blosc_internal_bitshuffle with bshuf_trans_bit_elem): with n = len/ts
// elements, bit k of byte j of element e goes to bit e%8 of byte
// (j*8+k)*n/8 + e/8. Only when n is a multiple of 8; otherwise the whole
// block is copied. Trailing bytes beyond whole elements are copied.
func bitshuffleBlock(ts int, dst, src []byte) {
	n := len(src) / ts
	dst = dst[:len(src)]
	if n%8 != 0 {
		copy(dst, src)
		return
	}
	n8 := n / 8
	for j := 0; j < ts; j++ {
		for w := 0; w < n8; w++ {
			var x uint64
			if ts == 1 {
				x = binary.LittleEndian.Uint64(src[w*8:])
			} else {
				base := w*8*ts + j
				s := src[base : base+7*ts+1]
				x = uint64(s[0]) | uint64(s[ts])<<8 | uint64(s[2*ts])<<16 | uint64(s[3*ts])<<24 |
					uint64(s[4*ts])<<32 | uint64(s[5*ts])<<40 | uint64(s[6*ts])<<48 | uint64(s[7*ts])<<56
			}
			x = transposeBits8x8(x)
			o := j*8*n8 + w
			for k := 0; k < 8; k++ {
				dst[o+k*n8] = byte(x >> (8 * k))
			}
		}
	}
	copy(dst[n*ts:], src[n*ts:])
}

// bitunshuffleBlock inverts bitshuffleBlock (bshuf_untrans_bit_elem).
func bitunshuffleBlock(ts int, dst, src []byte) {
	n := len(src) / ts
	dst = dst[:len(src)]
	if n%8 != 0 {
		copy(dst, src)
		return
	}
	n8 := n / 8
	for j := 0; j < ts; j++ {
		for w := 0; w < n8; w++ {
			o := j*8*n8 + w
			s := src[o : o+7*n8+1]
			x := uint64(s[0]) | uint64(s[n8])<<8 | uint64(s[2*n8])<<16 | uint64(s[3*n8])<<24 |
				uint64(s[4*n8])<<32 | uint64(s[5*n8])<<40 | uint64(s[6*n8])<<48 | uint64(s[7*n8])<<56
			x = transposeBits8x8(x)
			if ts == 1 {
				binary.LittleEndian.PutUint64(dst[w*8:], x)
				continue
			}
			base := w*8*ts + j
			d := dst[base : base+7*ts+1]
			for m := 0; m < 8; m++ {
				d[m*ts] = byte(x >> (8 * m))
			}
		}
	}
	copy(dst[n*ts:], src[n*ts:])
}
