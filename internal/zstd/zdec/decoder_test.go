package zdec

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/klauspost/compress/zstd"

	"ringvault/internal/benchdata"
)

// ref is klauspost's decoder, the oracle of the differential tests.
var ref = sync.OnceValue(func() *zstd.Decoder {
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(64<<20))
	if err != nil {
		panic(err)
	}
	return d
})

var encoders sync.Map

func encoder(t testing.TB, level zstd.EncoderLevel, crc bool) *zstd.Encoder {
	key := fmt.Sprint(level, crc)
	if e, ok := encoders.Load(key); ok {
		return e.(*zstd.Encoder)
	}
	e, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(level), zstd.WithEncoderCRC(crc), zstd.WithZeroFrames(true), zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	encoders.Store(key, e)
	return e
}

// shuffled byte-shuffles raw float64s (typesize 8) as Blosc stores them.
func shuffled(raw []byte) []byte {
	out := make([]byte, len(raw))
	n := len(raw) / 8
	for i := 0; i < n; i++ {
		for b := 0; b < 8; b++ {
			out[b*n+i] = raw[8*i+b]
		}
	}
	return out
}

// inputs are the contents the differential tests compress.
func inputs() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	m := map[string][]byte{
		"empty": {},
		"one":   {42},
		"zeros": make([]byte, 300<<10),
	}
	rnd := make([]byte, 200<<10)
	for i := range rnd {
		rnd[i] = byte(rng.Uint32())
	}
	m["random"] = rnd
	text := bytes.Repeat([]byte("the quick brown fox jumps over the lazy dog; "), 5000)
	for i := 0; i < len(text); i += 97 {
		text[i] = byte('A' + rng.IntN(26))
	}
	m["text"] = text
	short := make([]byte, 256<<10)
	for i := range short {
		period := 1 + (i/4096)%15
		short[i] = byte(i%period) * 17
		if rng.IntN(500) == 0 {
			short[i] = byte(rng.Uint32())
		}
	}
	m["short-periods"] = short
	for name, raw := range benchdata.Float64Series() {
		m["series/"+name] = shuffled(raw[:256<<10])
	}
	return m
}

func levels() []zstd.EncoderLevel {
	return []zstd.EncoderLevel{zstd.SpeedFastest, zstd.SpeedDefault, zstd.SpeedBetterCompression, zstd.SpeedBestCompression}
}

// TestDifferential decodes klauspost's frames at every level and compares
// with the input (and so with klauspost's own decoder).
func TestDifferential(t *testing.T) {
	d := New()
	for name, in := range inputs() {
		for _, lvl := range levels() {
			for _, crc := range []bool{false, true} {
				frame := encoder(t, lvl, crc).EncodeAll(in, nil)
				dst := make([]byte, len(in))
				n, err := d.DecodeInto(dst, frame)
				if err != nil {
					t.Fatalf("%s level %v crc %v: %v", name, lvl, crc, err)
				}
				if n != len(in) || !bytes.Equal(dst, in) {
					t.Fatalf("%s level %v crc %v: output differs", name, lvl, crc)
				}
			}
		}
	}
}

// decodeBoth runs both decoders into exact buffers of size n.
func decodeBoth(d *Decoder, src []byte, n int) (ours []byte, errOurs error, theirs []byte, errTheirs error) {
	ours = make([]byte, n)
	_, errOurs = d.DecodeInto(ours, src)
	theirs, errTheirs = ref().DecodeAll(src, nil)
	return
}

var _ = errors.Is
