package blosc

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// bitshuffleDef is bitshuffle by its definition, one bit at a time: bit k
// of byte j of element e goes to bit e%8 of byte (j*8+k)*n/8 + e/8 when
// the n whole elements are a multiple of 8; otherwise the block is copied.
func bitshuffleDef(ts int, src []byte) []byte {
	n := len(src) / ts
	dst := append([]byte(nil), src...)
	if n%8 != 0 {
		return dst
	}
	clear(dst[:n*ts])
	for e := 0; e < n; e++ {
		for j := 0; j < ts; j++ {
			b := src[e*ts+j]
			for k := 0; k < 8; k++ {
				dst[(j*8+k)*n/8+e/8] |= (b >> k & 1) << (e % 8)
			}
		}
	}
	return dst
}

// bitRowShuffleGo and bitRowUnshuffleGo are the portable word transposes
// (bitshuffle_noasm.go) written with scalar byte moves, so the assembly is
// checked against code that shares none of it.
func bitRowShuffleGo(dst, row []byte) {
	w := len(row) / 8
	bitTransposeWords(row)
	for i := 0; i < w; i++ {
		for k := 0; k < 8; k++ {
			dst[k*w+i] = row[i*8+k]
		}
	}
}

func bitRowUnshuffleGo(row, src []byte) {
	w := len(src) / 8
	for i := 0; i < w; i++ {
		for k := 0; k < 8; k++ {
			row[i*8+k] = src[k*w+i]
		}
	}
	bitTransposeWords(row[:len(src)])
}

// TestBitshuffleDefinition checks bitshuffleBlock and bitunshuffleBlock
// (the assembly kernels on amd64, the Go path with -tags purego) against
// the definition on random blocks of every size up to a few vector groups
// per row, for typesizes 1, 2, 4, 8 and 16, including sizes that leave
// elements beyond a multiple of 8 and bytes beyond whole elements.
func TestBitshuffleDefinition(t *testing.T) {
	forEachKernel(t, testBitshuffleDefinition)
}

// forEachKernel runs f with every bit transpose kernel the CPU has (SSE2,
// AVX2, GFNI on amd64; the Go one elsewhere and with -tags purego).
func forEachKernel(t *testing.T, f func(t *testing.T)) {
	orig := bitKernel
	defer func() { bitKernel = orig }()
	for k, name := range bitKernels {
		bitKernel = k
		t.Run(name, f)
	}
}

func testBitshuffleDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, ts := range []int{1, 2, 4, 8, 16, 3, 24} {
		// Every element count up to three vector groups per row and a
		// half, with and without bytes beyond whole elements.
		for ne := 0; ne <= 8*(16*3+8)+7; ne++ {
			checkBitshuffle(t, ts, randBytes(rng, ne*ts))
			if ts > 1 {
				checkBitshuffle(t, ts, randBytes(rng, ne*ts+1+rng.IntN(ts-1)))
			}
		}
		for range 8 {
			checkBitshuffle(t, ts, randBytes(rng, rng.IntN(256<<10)))
		}
	}
}

func checkBitshuffle(t *testing.T, ts int, src []byte) {
	t.Helper()
	n := len(src)
	want := bitshuffleDef(ts, src)
	got := make([]byte, n+1)
	got[n] = 0xA5
	bitshuffleBlock(ts, got[:n], src, make([]byte, n))
	if !bytes.Equal(got[:n], want) || got[n] != 0xA5 {
		t.Fatalf("ts %d len %d: bitshuffle differs from the definition at byte %d", ts, n, firstDiff(got, want))
	}
	back := make([]byte, n+1)
	back[n] = 0x5A
	bitunshuffleBlock(ts, back[:n], want, make([]byte, n))
	if !bytes.Equal(back[:n], src) || back[n] != 0x5A {
		t.Fatalf("ts %d len %d: bitunshuffle does not invert bitshuffle at byte %d", ts, n, firstDiff(back, src))
	}
}

// TestBitRowShuffleGo checks the row kernels (assembly on amd64) against
// the scalar Go word path for every row length up to several groups.
func TestBitRowShuffleGo(t *testing.T) {
	forEachKernel(t, testBitRowShuffleGo)
}

func testBitRowShuffleGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for n := 0; n <= 8*(16*5+15); n += 8 {
		row := randBytes(rng, n)
		want := make([]byte, n)
		bitRowShuffleGo(want, append([]byte(nil), row...))
		got := make([]byte, n)
		bitRowShuffle(got, append([]byte(nil), row...))
		if !bytes.Equal(got, want) {
			t.Fatalf("row %d: bitRowShuffle differs from the Go path at byte %d", n, firstDiff(got, want))
		}
		wantBack := make([]byte, n)
		bitRowUnshuffleGo(wantBack, want)
		back := make([]byte, n)
		bitRowUnshuffle(back, want)
		if !bytes.Equal(back, wantBack) || !bytes.Equal(back, row) {
			t.Fatalf("row %d: bitRowUnshuffle differs from the Go path at byte %d", n, firstDiff(back, wantBack))
		}
	}
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// BenchmarkBitshuffle and BenchmarkBitunshuffle time one block of the
// walk series, for every typesize and every kernel the CPU has.
func BenchmarkBitshuffle(b *testing.B)   { benchBitshuffle(b, bitshuffleBlock) }
func BenchmarkBitunshuffle(b *testing.B) { benchBitshuffle(b, bitunshuffleBlock) }

func benchBitshuffle(b *testing.B, f func(ts int, dst, src, tmp []byte)) {
	orig := bitKernel
	defer func() { bitKernel = orig }()
	for k, kernel := range bitKernels {
		for _, size := range []int{32 << 10, 256 << 10} {
			src := benchInputs()["walk"][:size]
			dst := make([]byte, size)
			tmp := make([]byte, size)
			for _, ts := range []int{1, 2, 4, 8, 16} {
				b.Run(fmt.Sprintf("%s/%dk/t%d", kernel, size>>10, ts), func(b *testing.B) {
					bitKernel = k
					b.SetBytes(int64(size))
					b.ReportAllocs()
					for b.Loop() {
						f(ts, dst, src, tmp)
					}
				})
			}
		}
	}
}
