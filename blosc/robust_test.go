package blosc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"runtime"
	"testing"
)

// chunkBytes builds a raw chunk: a header and then body words/bytes.
func chunkBytes(h Header, body ...[]byte) []byte {
	b := h.Append(nil)
	for _, p := range body {
		b = append(b, p...)
	}
	return b
}

func le32(vs ...int) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	return b
}

// TestLyingHeaders feeds chunks whose header or tables lie about sizes and
// offsets: each must fail with an ErrCorrupt, and none may allocate
// anything near the nbytes it claims.
func TestLyingHeaders(t *testing.T) {
	const huge = 1 << 30
	base := Header{Version: 2, VersionLZ: 1, Typesize: 1, Flags: FlagDontSplit}
	with := func(f func(*Header)) Header { h := base; f(&h); return h }
	cases := map[string][]byte{
		"short header":       {2, 1, 0},
		"version 3":          chunkBytes(with(func(h *Header) { h.Version = 3; h.Nbytes, h.Blocksize, h.Cbytes = 10, 10, 30 })),
		"cbytes beyond":      chunkBytes(with(func(h *Header) { h.Nbytes, h.Blocksize, h.Cbytes = huge, huge, 1<<20 }), le32(20, 4), []byte("abcd")),
		"memcpy nbytes lies": chunkBytes(with(func(h *Header) { h.Flags |= FlagMemcpyed; h.Nbytes, h.Blocksize, h.Cbytes = huge, huge, huge+16 }), []byte("abcd")),
		"memcpy cbytes off":  chunkBytes(with(func(h *Header) { h.Flags |= FlagMemcpyed; h.Nbytes, h.Blocksize, h.Cbytes = 4, 4, 19 }), []byte("abc")),
		"bstart beyond":      chunkBytes(with(func(h *Header) { h.Nbytes, h.Blocksize, h.Cbytes = huge, huge, 28 }), le32(1000, 4), []byte("abcd")),
		"bstart negative":    chunkBytes(with(func(h *Header) { h.Nbytes, h.Blocksize, h.Cbytes = huge, huge, 28 }), le32(-5, 4), []byte("abcd")),
		"csize beyond":       chunkBytes(with(func(h *Header) { h.Nbytes, h.Blocksize, h.Cbytes = huge, huge, 28 }), le32(20, 500), []byte("abcd")),
		"stream too small":   chunkBytes(with(func(h *Header) { h.Nbytes, h.Blocksize, h.Cbytes = huge, huge, 28 }), le32(20, 4), []byte("abcd")),
		"zstd too small":     chunkBytes(with(func(h *Header) { h.Flags |= 4 << 5; h.Nbytes, h.Blocksize, h.Cbytes = huge, huge, 28 }), le32(20, 4), []byte("abcd")),
		"too many blocks":    chunkBytes(with(func(h *Header) { h.Nbytes, h.Blocksize, h.Cbytes = huge, 1, 28 }), le32(20, 4), []byte("abcd")),
		"blocksize > nbytes": chunkBytes(with(func(h *Header) { h.Nbytes, h.Blocksize, h.Cbytes = 100, 200, 28 }), le32(20, 4), []byte("abcd")),
		"blocksize 0":        chunkBytes(with(func(h *Header) { h.Nbytes, h.Blocksize, h.Cbytes = 100, 0, 28 }), le32(20, 4), []byte("abcd")),
		"typesize 0":         chunkBytes(with(func(h *Header) { h.Typesize = 0; h.Nbytes, h.Blocksize, h.Cbytes = 100, 100, 28 }), le32(20, 4), []byte("abcd")),
		"reserved flag":      chunkBytes(with(func(h *Header) { h.Flags |= 0x08; h.Nbytes, h.Blocksize, h.Cbytes = 100, 100, 28 }), le32(20, 4), []byte("abcd")),
		"codec 6":            chunkBytes(with(func(h *Header) { h.Flags |= 6 << 5; h.Nbytes, h.Blocksize, h.Cbytes = 100, 100, 28 }), le32(20, 4), []byte("abcd")),
		"versionlz 2":        chunkBytes(with(func(h *Header) { h.VersionLZ = 2; h.Nbytes, h.Blocksize, h.Cbytes = 100, 100, 28 }), le32(20, 4), []byte("abcd")),
		"bad blosclz":        chunkBytes(with(func(h *Header) { h.Nbytes, h.Blocksize, h.Cbytes = 200, 200, 28 }), le32(20, 4), []byte{0xff, 0xff, 0xff, 0xff}),
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			out, err := Decompress(nil, src, 2)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Field == "" {
				t.Fatalf("err %v is not a CorruptError naming a field", err)
			}
			if out != nil {
				t.Fatalf("output %d bytes on error", len(out))
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
				t.Fatalf("allocated %d bytes before failing", got)
			}
			if _, err := DecompressedSize(src); err == nil && name != "stream too small" && name != "zstd too small" &&
				name != "bstart beyond" && name != "bstart negative" && name != "csize beyond" && name != "bad blosclz" {
				t.Fatalf("DecompressedSize accepted the header")
			}
		})
	}
}

// TestEmptyChunkLyingBlocksize: an empty chunk is done at once, whatever
// its other fields claim (as blosc_decompress), without allocating.
func TestEmptyChunkLyingBlocksize(t *testing.T) {
	src := chunkBytes(Header{Version: 2, VersionLZ: 1, Typesize: 1, Blocksize: MaxBlocksize, Cbytes: 16})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n, err := DecompressInto(nil, src, 4)
	out, err2 := Decompress(nil, src, 4)
	runtime.ReadMemStats(&after)
	if n != 0 || err != nil || len(out) != 0 || err2 != nil {
		t.Fatalf("DecompressInto = %d, %v; Decompress = %d bytes, %v", n, err, len(out), err2)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Fatalf("allocated %d bytes for an empty chunk", got)
	}
	if _, err := DecompressInto(make([]byte, 10), chunkBytes(Header{Version: 2, VersionLZ: 1, Typesize: 1, Flags: FlagMemcpyed, Nbytes: 20, Blocksize: 20, Cbytes: 36}, make([]byte, 20)), 1); err == nil {
		t.Fatal("DecompressInto accepted an output buffer shorter than nbytes")
	}
}

// TestRoundTripProperties compresses random data of random sizes (0, below
// the 128-byte memcpy limit, not multiples of the typesize, many blocks)
// with random options and forced or heuristic block sizes; Decompress must
// give the input back, and the chunk must not depend on the thread count.
func TestRoundTripProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	iters := 400
	if testing.Short() {
		iters = 100
	}
	for i := range iters {
		var n int
		switch i % 4 {
		case 0:
			n = rng.IntN(130)
		case 1:
			n = rng.IntN(5000)
		default:
			n = rng.IntN(300000)
		}
		data := testInput(rng.IntN(6), n, rng)
		o := Options{
			Typesize: []int{1, 2, 3, 4, 7, 8, 16, 17, 255, 300}[rng.IntN(10)],
			Clevel:   rng.IntN(10),
			Shuffle:  Shuffle(rng.IntN(3)),
			Codec:    Codecs[rng.IntN(len(Codecs))],
			NThreads: 1,
		}
		if o.Codec == Zstd && o.Clevel > 6 {
			o.Clevel = 6 // keep the test fast: zstd's top levels are slow
		}
		if rng.IntN(3) == 0 {
			o.Blocksize = rng.IntN(70000)
		}
		chunk, err := Compress(nil, data, &o)
		if err != nil {
			t.Fatal(err)
		}
		if len(chunk) > n+MaxOverhead {
			t.Fatalf("%+v n=%d: chunk of %d bytes exceeds n+16", o, n, len(chunk))
		}
		o4 := o
		o4.NThreads = 4
		chunk4, err := Compress([]byte("prefix"), data, &o4)
		if err != nil || !bytes.Equal(chunk4[6:], chunk) {
			t.Fatalf("%+v n=%d: output depends on the thread count (%v)", o, n, err)
		}
		got, err := Decompress([]byte("x"), chunk, 1+rng.IntN(4))
		if err != nil {
			t.Fatalf("%+v n=%d: %v", o, n, err)
		}
		if !bytes.Equal(got[1:], data) || got[0] != 'x' {
			t.Fatalf("%+v n=%d: round trip differs", o, n)
		}
		if sz, err := DecompressedSize(chunk); err != nil || sz != n {
			t.Fatalf("DecompressedSize = %d, %v; want %d", sz, err, n)
		}
	}
}

// TestShuffleInverse checks the word-at-a-time shuffles against the
// definition and that the unshuffles invert them for every typesize.
func TestShuffleInverse(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for ts := 1; ts <= 20; ts++ {
		for _, n := range []int{0, 1, 7, 8, 63, 64, 65, 1000, 1024, 4099} {
			src := testInput(5, n, rng)
			sh := make([]byte, n)
			shuffleBlock(ts, sh, src)
			ne := n / ts
			for i := 0; i < ne; i++ {
				for j := 0; j < ts; j++ {
					if sh[j*ne+i] != src[i*ts+j] {
						t.Fatalf("ts %d n %d: shuffle wrong at element %d byte %d", ts, n, i, j)
					}
				}
			}
			back := make([]byte, n)
			unshuffleBlock(ts, back, sh)
			if !bytes.Equal(back, src) {
				t.Fatalf("ts %d n %d: unshuffle does not invert shuffle", ts, n)
			}
			bitshuffleBlock(ts, sh, src, make([]byte, n))
			if ne%8 == 0 {
				for e := 0; e < ne; e++ {
					for j := 0; j < ts; j++ {
						for k := 0; k < 8; k++ {
							bit := src[e*ts+j] >> k & 1
							got := sh[(j*8+k)*ne/8+e/8] >> (e % 8) & 1
							if bit != got {
								t.Fatalf("ts %d n %d: bitshuffle wrong at element %d byte %d bit %d", ts, n, e, j, k)
							}
						}
					}
				}
			} else if !bytes.Equal(sh, src) {
				t.Fatalf("ts %d n %d: bitshuffle of %d elements must copy", ts, n, ne)
			}
			bitunshuffleBlock(ts, back, sh, make([]byte, n))
			if !bytes.Equal(back, src) {
				t.Fatalf("ts %d n %d: bitunshuffle does not invert bitshuffle", ts, n)
			}
		}
	}
}

// TestComputeBlocksizeManifest checks the heuristic against the block sizes
// c-blosc chose in the shared raw buffers and the documented 1 MiB figures.
func TestComputeBlocksizeManifest(t *testing.T) {
	_, m := loadManifest(t)
	for _, r := range m.RawBlosc {
		o := parseCall(t, r.Producer.Call)
		got := ComputeBlocksize(o.Codec, o.Clevel, o.Typesize, r.Expected.Header.Nbytes, 0)
		if got != r.Expected.Header.Blocksize {
			t.Errorf("%s: blocksize %d, c-blosc %d", r.File, got, r.Expected.Header.Blocksize)
		}
	}
	for _, c := range []struct {
		codec        Codec
		clevel, want int
	}{{BloscLZ, 1, 128 << 10}, {BloscLZ, 5, 1 << 20}, {LZ4, 1, 128 << 10}, {LZ4HC, 1, 256 << 10}, {Zlib, 5, 1 << 20}, {Zstd, 1, 32 << 10}, {Zstd, 5, 256 << 10}, {Zstd, 9, 1 << 20}} {
		if got := ComputeBlocksize(c.codec, c.clevel, 8, 1<<20, 0); got != c.want {
			t.Errorf("%s clevel %d: blocksize %d, want %d", c.codec, c.clevel, got, c.want)
		}
	}
}
