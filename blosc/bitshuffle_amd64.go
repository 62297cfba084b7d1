//go:build amd64 && !purego

package blosc

import "golang.org/x/sys/cpu"

// SSE2 bit transposes for bitshuffle, and AVX2 and GFNI ones where the CPU
// has them; see bitshuffle_amd64.s.

// The bit transpose kernels, slowest first.
const (
	kernelSSE2 = iota
	kernelAVX2
	kernelGFNI
)

// bitKernels lists the kernels this CPU runs (names for tests) and
// bitKernel is the one in use: the last, fastest. Tests switch it.
var (
	bitKernels = availableBitKernels()
	bitKernel  = len(bitKernels) - 1
)

func availableBitKernels() []string {
	k := []string{"sse2"}
	if cpu.X86.HasAVX2 {
		k = append(k, "avx2")
		// x/sys/cpu reports the GFNI bit as HasAVX512GFNI, and only with
		// AVX-512; the 256-bit VEX form needs GFNI and AVX.
		if cpu.X86.HasAVX512GFNI {
			k = append(k, "gfni")
		}
	}
	return k
}

//go:noescape
func bitshuffle8GFNI(dst, src *byte, n, groups int)

//go:noescape
func bitunshuffle8GFNI(dst, src *byte, n, groups int)

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
		switch bitKernel {
		case kernelGFNI:
			bitshuffle8GFNI(&dst[0], &row[0], w, g)
		case kernelAVX2:
			bitshuffle8AVX2(&dst[0], &row[0], w, g)
		default:
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
		switch bitKernel {
		case kernelGFNI:
			bitunshuffle8GFNI(&row[0], &src[0], w, g)
		case kernelAVX2:
			bitunshuffle8AVX2(&row[0], &src[0], w, g)
		default:
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
