package zenc

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/compress/zstd"

	"ringvault/internal/benchdata"
)

var kDec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))

func roundTrip(t testing.TB, e *Encoder, src []byte, level int) []byte {
	t.Helper()
	frame := e.Encode(nil, src, level)
	got, err := kDec.DecodeAll(frame, nil)
	if err != nil {
		t.Fatalf("level %d, %d bytes: klauspost decoder: %v", level, len(src), err)
	}
	if !bytes.Equal(got, src) {
		t.Fatalf("level %d, %d bytes: round trip differs", level, len(src))
	}
	return frame
}

func TestRoundTripSeries(t *testing.T) {
	var e Encoder
	for name, src := range benchdata.Float64Series() {
		for _, sh := range []bool{false, true} {
			in := src[:256<<10]
			if sh {
				in = byteShuffle(in, 8)
			}
			for level := 1; level <= 22; level++ {
				f := roundTrip(t, &e, in, level)
				t.Logf("%s shuffle=%v level %d: %d -> %d", name, sh, level, len(in), len(f))
			}
		}
	}
}

func byteShuffle(src []byte, ts int) []byte {
	n := len(src) / ts
	out := make([]byte, len(src))
	for i := 0; i < n; i++ {
		for j := 0; j < ts; j++ {
			out[j*n+i] = src[i*ts+j]
		}
	}
	copy(out[n*ts:], src[n*ts:])
	return out
}

func TestRoundTripShapes(t *testing.T) {
	var e Encoder
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{0, 1, 2, 7, 8, 9, 16, 31, 100, 255, 256, 1000, 1 << 16, 65536 + 256, 128 << 10, 128<<10 + 1, 300 << 10}
	for _, n := range sizes {
		for kind := 0; kind < 5; kind++ {
			src := make([]byte, n)
			switch kind {
			case 0: // random
				for i := range src {
					src[i] = byte(rng.Uint32())
				}
			case 1: // constant
				for i := range src {
					src[i] = 7
				}
			case 2: // small alphabet
				for i := range src {
					src[i] = "abcd"[rng.IntN(4)]
				}
			case 3: // repeats with random offsets
				for i := range src {
					if i > 64 && rng.IntN(8) != 0 {
						src[i] = src[i-1-rng.IntN(40)]
					} else {
						src[i] = byte(rng.Uint32())
					}
				}
			case 4: // text-like
				words := []string{"the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog. "}
				var b bytes.Buffer
				for b.Len() < n {
					b.WriteString(words[rng.IntN(len(words))])
				}
				copy(src, b.Bytes())
			}
			for _, level := range []int{1, 3, 5, 9, 13, 19, 22} {
				t.Run(fmt.Sprintf("n%d/k%d/l%d", n, kind, level), func(t *testing.T) {
					roundTrip(t, &e, src, level)
				})
			}
		}
	}
}
