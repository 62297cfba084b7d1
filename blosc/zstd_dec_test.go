package blosc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"ringvault/internal/zstd/zdec"
)

// zstdStreams returns the codec streams of a chunk with the size each
// decodes to (streams stored raw are left out).
func zstdStreams(t *testing.T, chunk []byte) (streams [][]byte, sizes []int) {
	t.Helper()
	h, err := ParseHeader(chunk)
	if err != nil {
		t.Fatal(err)
	}
	if h.Memcpyed() {
		return nil, nil
	}
	for j := 0; j < h.NBlocks(); j++ {
		off := int(binary.LittleEndian.Uint32(chunk[16+4*j:]))
		size := min(h.Blocksize, h.Nbytes-j*h.Blocksize)
		nstreams := 1
		if h.Split() && size == h.Blocksize {
			nstreams = h.Typesize
		}
		for k := 0; k < nstreams; k++ {
			csize := int(binary.LittleEndian.Uint32(chunk[off:]))
			off += 4
			if csize != size/nstreams {
				streams = append(streams, chunk[off:off+csize])
				sizes = append(sizes, size/nstreams)
			}
			off += csize
		}
	}
	return streams, sizes
}

// TestZstdCBloscChunks: ringvault decodes every zstd chunk c-blosc 1.21
// writes (clevel 1..9, no/byte/bit shuffle, several data kinds and sizes)
// to the original bytes, and each zstd stream in them decodes with
// ringvault's decoder to what klauspost/compress's gives.
func TestZstdCBloscChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	sizes := []int{1000, 70000, 300001}
	if testing.Short() {
		sizes = []int{1000, 300001}
	}
	var jobs []pyJob
	var inputs [][]byte
	for kind := 0; kind < 6; kind++ {
		for i, n := range sizes {
			in := testInput(kind, n, rng)
			for cl := 1 + (kind+i)%3; cl <= 9; cl += 3 {
				for sh := 0; sh <= 2; sh++ {
					jobs = append(jobs, pyJob{Op: "c", TS: 8, CL: cl, SH: sh, C: "zstd", data: in})
					inputs = append(inputs, in)
				}
			}
		}
	}
	res := runPython(t, jobs)
	streams := 0
	for i, r := range res {
		j := jobs[i]
		if !r.ok {
			t.Fatalf("python3-blosc clevel %d shuffle %d: %s", j.CL, j.SH, r.data)
		}
		got, err := Decompress(nil, r.data, 1+i%2)
		if err != nil {
			t.Fatalf("clevel %d shuffle %d n %d: %v", j.CL, j.SH, len(j.data), err)
		}
		if !bytes.Equal(got, inputs[i]) {
			t.Fatalf("clevel %d shuffle %d n %d: decoded bytes differ", j.CL, j.SH, len(j.data))
		}
		ss, sizes := zstdStreams(t, r.data)
		for k, s := range ss {
			ours := make([]byte, sizes[k])
			errOurs := zstdDecode(ours, s)
			theirs, errTheirs := zstdDecoder().DecodeAll(s, make([]byte, 0, sizes[k]))
			if errOurs != nil || errTheirs != nil || !bytes.Equal(ours, theirs) {
				t.Fatalf("clevel %d shuffle %d stream %d: ours %v, klauspost %v", j.CL, j.SH, k, errOurs, errTheirs)
			}
			streams++
		}
	}
	if streams == 0 {
		t.Fatal("no zstd streams compared")
	}
}

// A frame that needs a dictionary goes to klauspost/compress, which
// reports the missing dictionary.
func TestZstdDictionaryFallsBack(t *testing.T) {
	frame := []byte{0x28, 0xB5, 0x2F, 0xFD, 0x21, 7, 4, 0x21, 0, 0, 'a', 'b', 'c', 'd'}
	dst := make([]byte, 4)
	if _, err := zdec.New().DecodeInto(dst, frame); !errors.Is(err, zdec.ErrUnsupported) {
		t.Fatalf("zdec: %v, want ErrUnsupported", err)
	}
	err := zstdDecode(dst, frame)
	if err == nil || errors.Is(err, zdec.ErrUnsupported) || !strings.Contains(strings.ToLower(err.Error()), "dict") {
		t.Fatalf("got %v, want klauspost's missing-dictionary error", err)
	}
}
