//go:build amd64 && !purego

package blosc

import "golang.org/x/sys/cpu"

// SSE2 bit transposes for bitshuffle, and AVX2 ones where the CPU has it;
// see bitshuffle_amd64.s.

// useAVX2 selects the AVX2 kernels; tests turn it off to check the SSE2 ones.
var useAVX2 = cpu.X86.HasAVX2

//go:noescape
func bitshuffle8AVX2(dst, src *byte, n, groups int)

//go:noescape
func bitunshuffle8AVX2(dst, src *byte, n, groups int)

// bitshuffle8SSE2 transposes the bits of 8*16*groups words of src
// (transposeBits8x8 of each) and byte-shuffles the words into 8 rows of n
// bytes at dst (shuffleBlock with typesize 8 and n elements), 16 words at a
// time.
//
//go:noescape
func bitshuffle8SSE2(dst, src *byte, n, groups int)

// bitunshuffle8SSE2 inverts bitshuffle8SSE2: 16*groups words from the 8
// rows of n bytes at src, bit-transposed, to dst.
//
//go:noescape
func bitunshuffle8SSE2(dst, src *byte, n, groups int)

// bitRowShuffle spreads one byte row of bitshuffle (len(row) a multiple of
// 8, the byte j of every element) into its 8 bit rows in dst: it is
// bitTransposeWords(row) followed by shuffleBlock(8, dst, row). row is
// scratch and may be changed.
func bitRowShuffle(dst, row []byte) {
	w := len(row) / 8
	g := w / 16
	if g > 0 {
		_ = row[128*g-1]
		_ = dst[8*w-1]
		if useAVX2 {
			bitshuffle8AVX2(&dst[0], &row[0], w, g)
		} else {
			bitshuffle8SSE2(&dst[0], &row[0], w, g)
		}
	}
	bitTransposeWords(row[128*g : 8*w])
	for k := 0; k < 8; k++ {
		d := dst[k*w : k*w+w]
		for i := 16 * g; i < w; i++ {
			d[i] = row[i*8+k]
		}
	}
}

// bitRowUnshuffle inverts bitRowShuffle: the 8 bit rows in src (len(src) a
// multiple of 8) back to one byte row in row.
func bitRowUnshuffle(row, src []byte) {
	w := len(src) / 8
	g := w / 16
	if g > 0 {
		_ = src[8*w-1]
		_ = row[128*g-1]
		if useAVX2 {
			bitunshuffle8AVX2(&row[0], &src[0], w, g)
		} else {
			bitunshuffle8SSE2(&row[0], &src[0], w, g)
		}
	}
	for k := 0; k < 8; k++ {
		s := src[k*w : k*w+w]
		for i := 16 * g; i < w; i++ {
			row[i*8+k] = s[i]
		}
	}
	bitTransposeWords(row[128*g : 8*w])
}
