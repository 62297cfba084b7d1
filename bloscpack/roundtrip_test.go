package bloscpack

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"ringvault/blosc"
	"ringvault/storage"
)

// sample makes n bytes of the kinds of data bloscpack stores: a float
// ramp, a random walk, text-like bytes and noise.
func sample(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	switch rng.IntN(4) {
	case 0:
		for i := 0; i+8 <= n; i += 8 {
			v := uint64(i) * 0x9E3779B9
			for k := range 8 {
				b[i+k] = byte(v >> (8 * k))
			}
		}
	case 1:
		x := byte(0)
		for i := range b {
			x += byte(rng.IntN(5)) - 2
			b[i] = x
		}
	case 2:
		words := []string{"blosc ", "pack ", "chunk ", "digest ", "offset "}
		for i := 0; i < n; {
			i += copy(b[i:], words[rng.IntN(len(words))])
		}
	default:
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
	}
	return b
}

func randomOptions(rng *rand.Rand) Options {
	o := DefaultOptions()
	o.Blosc.Codec = blosc.Codecs[rng.IntN(len(blosc.Codecs))]
	o.Blosc.Clevel = rng.IntN(10)
	o.Blosc.Typesize = []int{1, 2, 3, 4, 8, 16}[rng.IntN(6)]
	o.Blosc.Shuffle = blosc.Shuffle(rng.IntN(3))
	o.ChunkSize = []int64{1, 100, 128, 4096, 65536, 1 << 20}[rng.IntN(6)]
	o.Checksum = Checksum(rng.IntN(len(Checksums)))
	o.Offsets = rng.IntN(4) != 0
	o.MaxAppChunks = []int64{-1, 0, 3}[rng.IntN(3)]
	o.Workers = 1 + rng.IntN(3)
	if rng.IntN(3) == 0 {
		o.Metadata = []byte(fmt.Sprintf(`{"n": %d, "unit": "m/s", "tags": ["a", "b"], "x": 1.5e-7}`, rng.IntN(1000)))
	}
	return o
}

// pack writes data as a .blp into memory. stream chooses a plain
// io.Writer destination (the offsets table then waits for Close);
// unknownSize announces -1.
func pack(t testing.TB, data []byte, o *Options, stream, unknownSize bool) []byte {
	t.Helper()
	size := int64(len(data))
	if unknownSize {
		size = -1
	}
	var buf bytes.Buffer
	var dst io.Writer = &buf
	mem := storage.NewMemFile(nil)
	if !stream {
		dst = &FileAppender{F: mem}
	}
	w, err := NewWriter(dst, size, o)
	if err != nil {
		t.Fatal(err)
	}
	// uneven writes
	for p := data; len(p) > 0; {
		k := min(len(p), 1+len(p)/3)
		if _, err := w.Write(p[:k]); err != nil {
			t.Fatal(err)
		}
		p = p[k:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if stream {
		return buf.Bytes()
	}
	return mem.Bytes()
}

func unpack(t testing.TB, file []byte) []byte {
	t.Helper()
	r, err := NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := r.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestRoundTripProperty packs random data of random sizes (0, below
// Blosc's 128-byte minimum, around chunk boundaries, several MiB) with
// random options and destinations, and reads it back through WriteTo,
// Read, ReadAt at random ranges and Verify.
func TestRoundTripProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	iters := 120
	if testing.Short() {
		iters = 30
	}
	sizes := []int{0, 1, 7, 100, 127, 128, 129, 4095, 4096, 4097, 65536, 100000, 3 << 20}
	for it := range iters {
		n := sizes[it%len(sizes)]
		if it >= len(sizes) {
			n = rng.IntN(300000)
		}
		data := sample(rng, n)
		o := randomOptions(rng)
		if o.ChunkSize < 4096 && n > 20000 {
			o.ChunkSize = 4096 // keep the chunk count moderate
		}
		stream, unknown := rng.IntN(3) == 0, rng.IntN(4) == 0
		name := fmt.Sprintf("%d/n=%d/%s-l%d-t%d-%s/chunk=%d/%s/offsets=%v/stream=%v/unknown=%v", it, n, o.Blosc.Codec, o.Blosc.Clevel, o.Blosc.Typesize, o.Blosc.Shuffle, o.ChunkSize, o.Checksum, o.Offsets, stream, unknown)
		file := pack(t, data, &o, stream, unknown)
		if got := unpack(t, file); !bytes.Equal(got, data) {
			t.Fatalf("%s: WriteTo gave %d bytes, want %d", name, len(got), len(data))
		}
		r, err := NewReader(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			t.Fatal(name, err)
		}
		h := r.Header()
		if !unknown && (h.NChunks < 1 || h.DataSize() != int64(n)) {
			t.Fatalf("%s: header %+v", name, h)
		}
		if unknown && stream && h.NChunks != -1 {
			t.Fatalf("%s: a stream of unknown size must keep nchunks -1, got %d", name, h.NChunks)
		}
		if size, err := r.Size(); err != nil || size != int64(n) {
			t.Fatalf("%s: Size %d, %v", name, size, err)
		}
		all, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(all, data) {
			t.Fatalf("%s: Read: %v", name, err)
		}
		for range 5 {
			if n == 0 {
				break
			}
			off := rng.IntN(n)
			p := make([]byte, rng.IntN(n-off+10))
			k, err := r.ReadAt(p, int64(off))
			want := data[off:min(n, off+len(p))]
			if k != len(want) || !bytes.Equal(p[:k], want) || (k < len(p) && err != io.EOF) {
				t.Fatalf("%s: ReadAt(%d, %d) = %d, %v", name, len(p), off, k, err)
			}
		}
		res, err := r.Verify()
		if err != nil || res.Decoded != int64(n) || res.Trailing != 0 {
			t.Fatalf("%s: Verify %+v, %v", name, res, err)
		}
	}
}

// TestStreamAndFileLayoutsAgree: a plain io.Writer destination gets the
// same bytes as a file destination.
func TestStreamAndFileLayoutsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	data := sample(rng, 700000)
	o := DefaultOptions()
	o.ChunkSize = 65536
	o.Metadata = []byte(`{"b": 1, "a": [1, 2]}`)
	if a, b := pack(t, data, &o, false, false), pack(t, data, &o, true, false); !bytes.Equal(a, b) {
		t.Fatal("stream and file layouts differ")
	}
	o.Workers = 1
	one := pack(t, data, &o, false, false)
	o.Workers = 4
	if !bytes.Equal(one, pack(t, data, &o, false, false)) {
		t.Fatal("output depends on the number of workers")
	}
}

// TestFlippedByteNamesChunk flips one byte inside every chunk of a file in
// turn: each gives ErrChecksumMismatch naming that chunk, from WriteTo,
// ReadAt and Verify.
func TestFlippedByteNamesChunk(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	data := sample(rng, 300000)
	for _, ck := range Checksums[1:] {
		o := DefaultOptions()
		o.ChunkSize = 65536
		o.Checksum = ck
		file := pack(t, data, &o, false, false)
		r, err := NewReader(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			t.Fatal(err)
		}
		for i, pos := range r.Offsets() {
			bad := bytes.Clone(file)
			bad[pos+BloscHeaderSize+5] ^= 0x40
			br, err := NewReader(bytes.NewReader(bad), int64(len(bad)))
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("chunk %d", i)
			check := func(what string, err error) {
				var e *Error
				if !errors.Is(err, ErrChecksumMismatch) || !errors.As(err, &e) || e.Field != want || e.Offset != pos {
					t.Fatalf("%s %s: %v, want a checksum mismatch in %s at %d", ck, what, err, want, pos)
				}
			}
			_, err = br.WriteTo(io.Discard)
			check("WriteTo", err)
			_, err = br.ReadAt(make([]byte, 10), int64(i)*65536+7)
			check("ReadAt", err)
			_, err = br.Verify()
			check("Verify", err)
		}
	}
}

// TestRandomAccessReadsOnlyNeededChunks: with offsets, a ReadAt inside
// chunk k reads nothing of the other chunks (a damaged other chunk does not
// matter).
func TestRandomAccessReadsOnlyNeededChunks(t *testing.T) {
	data := sample(rand.New(rand.NewPCG(7, 8)), 1<<20)
	o := DefaultOptions()
	o.ChunkSize = 1 << 16
	file := pack(t, data, &o, false, false)
	r, _ := NewReader(bytes.NewReader(file), int64(len(file)))
	bad := bytes.Clone(file)
	for i, pos := range r.Offsets() {
		if i != 5 {
			bad[pos+20] ^= 0xff
		}
	}
	br, err := NewReader(bytes.NewReader(bad), int64(len(bad)))
	if err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 1000)
	if _, err := br.ReadAt(p, 5<<16+100); err != nil || !bytes.Equal(p, data[5<<16+100:5<<16+1100]) {
		t.Fatalf("ReadAt in the intact chunk: %v", err)
	}
}

// TestReadFromAndWriteAllTo: io.Copy into a Writer (ReadFrom, with short
// reads) gives the same file as Write; WriteAllTo decodes in place, and on
// a damaged chunk leaves exactly the chunks before it.
func TestReadFromAndWriteAllTo(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{0, 50, 4096, 4097, 200000} {
		data := sample(rng, n)
		o := DefaultOptions()
		o.ChunkSize = 4096
		want := pack(t, data, &o, false, false)
		for _, unknown := range []bool{false, true} {
			size := int64(n)
			if unknown {
				size = -1
			}
			mem := storage.NewMemFile(nil)
			w, err := NewWriter(&FileAppender{F: mem}, size, &o)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(w, iotest.HalfReader(bytes.NewReader(data))); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if !unknown && !bytes.Equal(mem.Bytes(), want) {
				t.Fatalf("n=%d: ReadFrom and Write give different files", n)
			}
			if got := unpack(t, mem.Bytes()); !bytes.Equal(got, data) {
				t.Fatalf("n=%d unknown=%v: round trip", n, unknown)
			}
		}
		r, _ := NewReader(bytes.NewReader(want), int64(len(want)))
		out := storage.NewMemFile(nil)
		if k, err := r.WriteAllTo(out); err != nil || k != int64(n) || !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("n=%d: WriteAllTo %d %v", n, k, err)
		}
		if n < 100000 {
			continue
		}
		bad := bytes.Clone(want)
		bad[r.Offsets()[20]+30] ^= 1
		br, _ := NewReader(bytes.NewReader(bad), int64(len(bad)))
		out = storage.NewMemFile(nil)
		if _, err := br.WriteAllTo(out); !errors.Is(err, ErrChecksumMismatch) || !bytes.Equal(out.Bytes(), data[:20*4096]) {
			t.Fatalf("damaged chunk 20: %v, %d bytes left", err, len(out.Bytes()))
		}
		var seq bytes.Buffer
		if _, err := br.WriteTo(&seq); !errors.Is(err, ErrChecksumMismatch) || !bytes.Equal(seq.Bytes(), data[:20*4096]) {
			t.Fatalf("WriteTo of damaged chunk 20: %v, %d bytes", err, seq.Len())
		}
	}
}

// TestHugeChunkUnknownSize: with an unknown size the chunk buffer grows as
// data arrives instead of being allocated at the chunk size up front.
func TestHugeChunkUnknownSize(t *testing.T) {
	data := make([]byte, 20<<20+5)
	for i := range data {
		data[i] = byte(i >> 12)
	}
	o := DefaultOptions()
	o.ChunkSize = MaxChunkSize
	mem := storage.NewMemFile(nil)
	w, err := NewWriter(&FileAppender{F: mem}, -1, &o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, iotest.HalfReader(bytes.NewReader(data))); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if h := w.Header(); h.NChunks != 1 || h.ChunkSize != int64(len(data)) || h.LastChunk != int64(len(data)) {
		t.Fatalf("header %+v", h)
	}
	if !bytes.Equal(unpack(t, mem.Bytes()), data) {
		t.Fatal("round trip")
	}
}
