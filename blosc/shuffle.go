package blosc

import "encoding/binary"

// shuffleBlock is c-blosc's byte shuffle of one block (shuffle_generic):
// byte j of element i moves to dst[j*n+i], n = len(src)/ts; the
// len(src)%ts trailing bytes are copied unchanged.
func shuffleBlock(ts int, dst, src []byte) {
	n := len(src) / ts
	dst = dst[:len(src)]
	switch {
	case haveShuffleAsm && (ts == 2 || ts == 4 || ts == 8):
		done := shuffleAsm(ts, n, dst, src)
		for j := 0; j < ts; j++ {
			for i := done; i < n; i++ {
				dst[j*n+i] = src[i*ts+j]
			}
		}
	case ts%8 == 0:
		shuffle8x(ts, n, dst, src)
	case ts == 4:
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
	switch {
	case haveShuffleAsm && (ts == 2 || ts == 4 || ts == 8):
		done := unshuffleAsm(ts, n, dst, src)
		for j := 0; j < ts; j++ {
			for i := done; i < n; i++ {
				dst[i*ts+j] = src[j*n+i]
			}
		}
	case ts%8 == 0:
		unshuffle8x(ts, n, dst, src)
	case ts == 4:
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

// The 8x8 byte transposes below exchange bytes, then 16-bit lanes, then
// 32-bit halves between pairs of words: rows a0..a7 in, columns out.
const (
	m8  = 0x00ff00ff00ff00ff
	m16 = 0x0000ffff0000ffff
	m32 = 0x00000000ffffffff
)

// transpose8 transposes the 8x8 byte matrix whose rows are the words
// a0..a7 (byte c of row r is element (r, c)) and returns its columns.
func transpose8(a0, a1, a2, a3, a4, a5, a6, a7 uint64) (c0, c1, c2, c3, c4, c5, c6, c7 uint64) {
	t0 := a0&m8 | (a1&m8)<<8
	t1 := a0>>8&m8 | a1&^m8
	t2 := a2&m8 | (a3&m8)<<8
	t3 := a2>>8&m8 | a3&^m8
	t4 := a4&m8 | (a5&m8)<<8
	t5 := a4>>8&m8 | a5&^m8
	t6 := a6&m8 | (a7&m8)<<8
	t7 := a6>>8&m8 | a7&^m8
	u0 := t0&m16 | (t2&m16)<<16
	u2 := t0>>16&m16 | t2&^m16
	u1 := t1&m16 | (t3&m16)<<16
	u3 := t1>>16&m16 | t3&^m16
	u4 := t4&m16 | (t6&m16)<<16
	u6 := t4>>16&m16 | t6&^m16
	u5 := t5&m16 | (t7&m16)<<16
	u7 := t5>>16&m16 | t7&^m16
	c0 = u0&m32 | u4<<32
	c4 = u0>>32 | u4&^m32
	c1 = u1&m32 | u5<<32
	c5 = u1>>32 | u5&^m32
	c2 = u2&m32 | u6<<32
	c6 = u2>>32 | u6&^m32
	c3 = u3&m32 | u7<<32
	c7 = u3>>32 | u7&^m32
	return
}

// shuffle8x is the byte shuffle for typesizes that are multiples of 8: it
// moves 8x8 byte tiles (8 elements by 8 bytes) with one transpose each.
func shuffle8x(ts, n int, dst, src []byte) {
	nn := n &^ 7
	if fastShuffle {
		shuffleFast8x(ts, n, nn, dst, src)
		for j := 0; j < ts; j++ {
			for i := nn; i < n; i++ {
				dst[j*n+i] = src[i*ts+j]
			}
		}
		return
	}
	for j := 0; j < ts; j += 8 {
		r0, r1, r2, r3 := dst[j*n:j*n+n], dst[(j+1)*n:(j+1)*n+n], dst[(j+2)*n:(j+2)*n+n], dst[(j+3)*n:(j+3)*n+n]
		r4, r5, r6, r7 := dst[(j+4)*n:(j+4)*n+n], dst[(j+5)*n:(j+5)*n+n], dst[(j+6)*n:(j+6)*n+n], dst[(j+7)*n:(j+7)*n+n]
		for i := 0; i < nn; i += 8 {
			s := src[i*ts+j : i*ts+j+7*ts+8]
			a0, a1, a2, a3 := le64(s[0:]), le64(s[ts:]), le64(s[2*ts:]), le64(s[3*ts:])
			a4, a5, a6, a7 := le64(s[4*ts:]), le64(s[5*ts:]), le64(s[6*ts:]), le64(s[7*ts:])
			t0 := a0&m8 | (a1&m8)<<8
			t1 := a0>>8&m8 | a1&^m8
			t2 := a2&m8 | (a3&m8)<<8
			t3 := a2>>8&m8 | a3&^m8
			t4 := a4&m8 | (a5&m8)<<8
			t5 := a4>>8&m8 | a5&^m8
			t6 := a6&m8 | (a7&m8)<<8
			t7 := a6>>8&m8 | a7&^m8
			u0 := t0&m16 | (t2&m16)<<16
			u2 := t0>>16&m16 | t2&^m16
			u1 := t1&m16 | (t3&m16)<<16
			u3 := t1>>16&m16 | t3&^m16
			u4 := t4&m16 | (t6&m16)<<16
			u6 := t4>>16&m16 | t6&^m16
			u5 := t5&m16 | (t7&m16)<<16
			u7 := t5>>16&m16 | t7&^m16
			put64(r0[i:], u0&m32|u4<<32)
			put64(r1[i:], u1&m32|u5<<32)
			put64(r2[i:], u2&m32|u6<<32)
			put64(r3[i:], u3&m32|u7<<32)
			put64(r4[i:], u0>>32|u4&^m32)
			put64(r5[i:], u1>>32|u5&^m32)
			put64(r6[i:], u2>>32|u6&^m32)
			put64(r7[i:], u3>>32|u7&^m32)
		}
		for i := nn; i < n; i++ {
			for k := 0; k < 8; k++ {
				dst[(j+k)*n+i] = src[i*ts+j+k]
			}
		}
	}
}

// unshuffle8x inverts shuffle8x.
func unshuffle8x(ts, n int, dst, src []byte) {
	nn := n &^ 7
	if fastShuffle {
		unshuffleFast8x(ts, n, nn, dst, src)
		for j := 0; j < ts; j++ {
			for i := nn; i < n; i++ {
				dst[i*ts+j] = src[j*n+i]
			}
		}
		return
	}
	for j := 0; j < ts; j += 8 {
		r0, r1, r2, r3 := src[j*n:j*n+n], src[(j+1)*n:(j+1)*n+n], src[(j+2)*n:(j+2)*n+n], src[(j+3)*n:(j+3)*n+n]
		r4, r5, r6, r7 := src[(j+4)*n:(j+4)*n+n], src[(j+5)*n:(j+5)*n+n], src[(j+6)*n:(j+6)*n+n], src[(j+7)*n:(j+7)*n+n]
		for i := 0; i < nn; i += 8 {
			a0, a1, a2, a3 := le64(r0[i:]), le64(r1[i:]), le64(r2[i:]), le64(r3[i:])
			a4, a5, a6, a7 := le64(r4[i:]), le64(r5[i:]), le64(r6[i:]), le64(r7[i:])
			t0 := a0&m8 | (a1&m8)<<8
			t1 := a0>>8&m8 | a1&^m8
			t2 := a2&m8 | (a3&m8)<<8
			t3 := a2>>8&m8 | a3&^m8
			t4 := a4&m8 | (a5&m8)<<8
			t5 := a4>>8&m8 | a5&^m8
			t6 := a6&m8 | (a7&m8)<<8
			t7 := a6>>8&m8 | a7&^m8
			u0 := t0&m16 | (t2&m16)<<16
			u2 := t0>>16&m16 | t2&^m16
			u1 := t1&m16 | (t3&m16)<<16
			u3 := t1>>16&m16 | t3&^m16
			u4 := t4&m16 | (t6&m16)<<16
			u6 := t4>>16&m16 | t6&^m16
			u5 := t5&m16 | (t7&m16)<<16
			u7 := t5>>16&m16 | t7&^m16
			d := dst[i*ts+j : i*ts+j+7*ts+8]
			put64(d[0:], u0&m32|u4<<32)
			put64(d[ts:], u1&m32|u5<<32)
			put64(d[2*ts:], u2&m32|u6<<32)
			put64(d[3*ts:], u3&m32|u7<<32)
			put64(d[4*ts:], u0>>32|u4&^m32)
			put64(d[5*ts:], u1>>32|u5&^m32)
			put64(d[6*ts:], u2>>32|u6&^m32)
			put64(d[7*ts:], u3>>32|u7&^m32)
		}
		for i := nn; i < n; i++ {
			for k := 0; k < 8; k++ {
				dst[i*ts+j+k] = src[(j+k)*n+i]
			}
		}
	}
}

func le64(b []byte) uint64     { return binary.LittleEndian.Uint64(b) }
func put64(b []byte, v uint64) { binary.LittleEndian.PutUint64(b, v) }

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
//
// It runs as three transposes, each fast on its own: a byte shuffle of the
// elements into byte rows (in tmp, len >= len(src)); an 8x8 bit transpose of
// every word of a row, which turns the 8 bytes of 8 elements into one byte
// of each of the 8 bit rows; and a typesize-8 byte shuffle of those words
// into the 8 bit rows.
func bitshuffleBlock(ts int, dst, src, tmp []byte) {
	n := len(src) / ts
	dst = dst[:len(src)]
	if n%8 != 0 {
		copy(dst, src)
		return
	}
	tmp = tmp[:n*ts]
	if ts == 1 {
		copy(tmp, src[:n])
	} else {
		shuffleBlock(ts, tmp, src[:n*ts])
	}
	for j := 0; j < ts; j++ {
		bitRowShuffle(dst[j*n:j*n+n], tmp[j*n:j*n+n])
	}
	copy(dst[n*ts:], src[n*ts:])
}

// bitunshuffleBlock inverts bitshuffleBlock (bshuf_untrans_bit_elem), using
// tmp (len >= len(src)) for the byte rows.
func bitunshuffleBlock(ts int, dst, src, tmp []byte) {
	n := len(src) / ts
	dst = dst[:len(src)]
	if n%8 != 0 {
		copy(dst, src)
		return
	}
	tmp = tmp[:n*ts]
	for j := 0; j < ts; j++ {
		bitRowUnshuffle(tmp[j*n:j*n+n], src[j*n:j*n+n])
	}
	if ts == 1 {
		copy(dst, tmp)
	} else {
		unshuffleBlock(ts, dst[:n*ts], tmp)
	}
	copy(dst[n*ts:], src[n*ts:])
}

// bitTransposeWords applies transposeBits8x8 to every 8-byte word of b
// (len(b) a multiple of 8).
func bitTransposeWords(b []byte) {
	for len(b) >= 64 {
		w := b[:64]
		put64(w[0:], transposeBits8x8(le64(w[0:])))
		put64(w[8:], transposeBits8x8(le64(w[8:])))
		put64(w[16:], transposeBits8x8(le64(w[16:])))
		put64(w[24:], transposeBits8x8(le64(w[24:])))
		put64(w[32:], transposeBits8x8(le64(w[32:])))
		put64(w[40:], transposeBits8x8(le64(w[40:])))
		put64(w[48:], transposeBits8x8(le64(w[48:])))
		put64(w[56:], transposeBits8x8(le64(w[56:])))
		b = b[64:]
	}
	for len(b) >= 8 {
		put64(b, transposeBits8x8(le64(b)))
		b = b[8:]
	}
}
