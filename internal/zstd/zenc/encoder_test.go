package zenc

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/compress/zstd"

	"ringvault/internal/benchdata"
	"ringvault/internal/zstd/zdec"
)

var kDec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))

// roundTrip encodes src at level and checks that both klauspost's decoder
// and ringvault's zdec give src back.
func roundTrip(t testing.TB, e *Encoder, src []byte, level int) []byte {
	t.Helper()
	frame := e.Encode(nil, src, level)
	got, err := kDec.DecodeAll(frame, nil)
	if err != nil {
		t.Fatalf("level %d, %d bytes: klauspost decoder: %v", level, len(src), err)
	}
	if !bytes.Equal(got, src) {
		t.Fatalf("level %d, %d bytes: klauspost decodes different bytes", level, len(src))
	}
	out := make([]byte, len(src))
	n, err := zdec.New().DecodeInto(out, frame)
	if err != nil || n != len(src) || !bytes.Equal(out, src) {
		t.Fatalf("level %d, %d bytes: zdec: %d bytes, %v", level, len(src), n, err)
	}
	return frame
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

// The Blosc benchmark series, plain and byte-shuffled, at every level.
func TestRoundTripSeries(t *testing.T) {
	var e Encoder
	for name, src := range benchdata.Float64Series() {
		for _, sh := range []bool{false, true} {
			in := src[:256<<10]
			if sh {
				in = byteShuffle(in, 8)
			}
			for level := MinLevel; level <= MaxLevel; level++ {
				f := roundTrip(t, &e, in, level)
				t.Logf("%s shuffle=%v level %d: %d -> %d", name, sh, level, len(in), len(f))
			}
		}
	}
}

// shape makes n bytes of one of several kinds of data.
func shape(kind, n int, rng *rand.Rand) []byte {
	src := make([]byte, n)
	switch kind {
	case 0: // noise
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
	case 3: // repeats at random short offsets
		for i := range src {
			if i > 64 && rng.IntN(8) != 0 {
				src[i] = src[i-1-rng.IntN(40)]
			} else {
				src[i] = byte(rng.Uint32())
			}
		}
	case 4: // words
		words := []string{"the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog. "}
		var b bytes.Buffer
		for b.Len() < n {
			b.WriteString(words[rng.IntN(len(words))])
		}
		copy(src, b.Bytes())
	case 5: // compressible, noise, compressible: a raw block between
		// compressed ones, whose tables and offsets the decoder never sees
		copy(src, shape(4, n/3, rng))
		copy(src[n/3:], shape(0, n/3, rng))
		copy(src[2*n/3:], shape(4, n-2*n/3, rng))
	}
	return src
}

// Sizes around every header and block boundary, all kinds of data, a
// spread of levels; 600 KiB at level 1 exceeds its window (a frame with a
// window descriptor instead of a single segment).
func TestRoundTripShapes(t *testing.T) {
	var e Encoder
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{0, 1, 2, 7, 8, 9, 16, 17, 31, 32, 100, 255, 256, 1000, 1023, 1024, 4095, 4096,
		1 << 16, 65536 + 255, 65536 + 256, 128 << 10, 128<<10 + 1, 300 << 10, 400 << 10}
	levels := []int{1, 3, 5, 9, 13, 19, 22}
	if testing.Short() {
		sizes = []int{0, 1, 9, 31, 1000, 65536 + 256, 128<<10 + 1, 300 << 10}
		levels = []int{1, 9, 19}
	}
	for _, n := range sizes {
		for kind := 0; kind < 6; kind++ {
			src := shape(kind, n, rng)
			for _, level := range levels {
				t.Run(fmt.Sprintf("n%d/k%d/l%d", n, kind, level), func(t *testing.T) {
					roundTrip(t, &e, src, level)
				})
			}
		}
	}
	big := shape(4, 600<<10, rng)
	f := roundTrip(t, &e, big, 1)
	if f[4]&(1<<5) != 0 {
		t.Errorf("600 KiB at level 1: single-segment frame, want a window descriptor")
	}
}

// An encoder reused across levels and inputs gives the same frames as a
// fresh one: nothing of an earlier frame leaks into the next.
func TestReuse(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var reused Encoder
	for i := 0; i < 40; i++ {
		src := shape(i%6, 1+rng.IntN(300<<10), rng)
		level := 1 + rng.IntN(MaxLevel)
		got := reused.Encode(nil, src, level)
		var fresh Encoder
		if want := fresh.Encode(nil, src, level); !bytes.Equal(got, want) {
			t.Fatalf("frame %d (level %d, %d bytes): reused encoder differs from a fresh one", i, level, len(src))
		}
	}
}

// Encode appends to dst and leaves its prefix alone.
func TestAppend(t *testing.T) {
	var e Encoder
	src := shape(4, 5000, rand.New(rand.NewPCG(5, 6)))
	prefix := []byte("prefix")
	out := e.Encode(append([]byte{}, prefix...), src, 9)
	if !bytes.HasPrefix(out, prefix) {
		t.Fatal("prefix overwritten")
	}
	got, err := kDec.DecodeAll(out[len(prefix):], nil)
	if err != nil || !bytes.Equal(got, src) {
		t.Fatalf("appended frame does not decode: %v", err)
	}
}

// FuzzEncode: every input at every level round-trips through klauspost's
// decoder and zdec.
func FuzzEncode(f *testing.F) {
	rng := rand.New(rand.NewPCG(7, 8))
	for kind := 0; kind < 6; kind++ {
		f.Add(shape(kind, 3000, rng), uint8(kind*4+1))
	}
	lin := benchdata.Float64Series()["linspace"]
	f.Add(byteShuffle(lin[:8192], 8), uint8(9))
	var e Encoder
	f.Fuzz(func(t *testing.T, src []byte, level uint8) {
		roundTrip(t, &e, src, int(level%MaxLevel)+1)
	})
}
