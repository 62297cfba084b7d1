package blosc

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"ringvault/internal/testutil"
)

// addSharedSeeds adds every raw buffer and every .blp chunk of the shared
// test data to the corpus (testdata/fuzz/FuzzDecompress holds more).
func addSharedSeeds(f *testing.F) {
	dir, m := loadManifest(f)
	for _, r := range m.RawBlosc {
		b, err := os.ReadFile(filepath.Join(dir, r.File))
		if err != nil {
			f.Fatal(err)
		}
		if len(b) <= 1<<16 { // small inputs mutate faster; TestRawBloscFiles covers all
			f.Add(b)
		}
	}
	for _, file := range m.Files {
		b, err := os.ReadFile(filepath.Join(dir, file.File))
		if err != nil {
			f.Fatal(err)
		}
		for _, c := range file.Expected.Chunks {
			if c.Header.Ctbytes < 4096 {
				f.Add(b[c.Pos : c.Pos+c.Header.Ctbytes])
			}
		}
	}
}

// FuzzDecompress: no chunk may panic the decoder; a chunk that decodes has
// the size its header gives, decodes the same with one and four
// goroutines, and a failure is an ErrCorrupt.
func FuzzDecompress(f *testing.F) {
	addSharedSeeds(f)
	for _, c := range Codecs {
		for _, sh := range []Shuffle{NoShuffle, ByteShuffle, BitShuffle} {
			chunk, _ := Compress(nil, testInput(int(c), 3000, nil2()), &Options{Typesize: 4, Clevel: 5, Shuffle: sh, Codec: c, Blocksize: 1024})
			f.Add(chunk)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		out1, err1 := Decompress(nil, src, 1)
		out4, err4 := Decompress(nil, src, 4)
		if (err1 == nil) != (err4 == nil) || !bytes.Equal(out1, out4) {
			t.Fatalf("1 and 4 goroutines disagree: %v / %v", err1, err4)
		}
		if err1 != nil {
			return
		}
		if n, err := DecompressedSize(src); err != nil || n != len(out1) {
			t.Fatalf("decoded %d bytes, DecompressedSize %d, %v", len(out1), n, err)
		}
		into := make([]byte, len(out1))
		if n, err := DecompressInto(into, src, 2); err != nil || n != len(out1) || !bytes.Equal(into, out1) {
			t.Fatalf("DecompressInto = %d, %v; differs from Decompress", n, err)
		}
	})
}

// pyCoproc is one python3-blosc process answering jobs one at a time.
type pyCoproc struct {
	w *bufio.Writer
	r *bufio.Reader
}

func startPython(tb testing.TB) *pyCoproc {
	py := testutil.Python(tb, "blosc")
	cmd := exec.Command(py, "-c", pyBlosc)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { stdin.Close(); cmd.Wait() })
	return &pyCoproc{w: bufio.NewWriter(stdin), r: bufio.NewReader(stdout)}
}

func (p *pyCoproc) do(tb testing.TB, j pyJob) pyResult {
	j.N, j.Flush = len(j.data), true
	line, _ := json.Marshal(j)
	p.w.Write(line)
	p.w.WriteByte('\n')
	p.w.Write(j.data)
	if err := p.w.Flush(); err != nil {
		tb.Fatal(err)
	}
	var hdr [5]byte
	if _, err := io.ReadFull(p.r, hdr[:]); err != nil {
		tb.Fatal(err)
	}
	b := make([]byte, binary.LittleEndian.Uint32(hdr[1:]))
	if _, err := io.ReadFull(p.r, b); err != nil {
		tb.Fatal(err)
	}
	return pyResult{ok: hdr[0] == 0, data: b}
}

// FuzzRoundTripDifferential compresses arbitrary data with arbitrary
// options: ringvault and c-blosc (python3-blosc) must each decode the
// other's chunk to the input, and for BloscLZ, LZ4 and memcpy chunks the
// two encoders must agree byte for byte.
func FuzzRoundTripDifferential(f *testing.F) {
	py := startPython(f)
	rng := nil2()
	for i := range 12 {
		f.Add(testInput(i, []int{0, 50, 128, 700, 5000, 40000}[i%6], rng), uint8(i), uint8(i%10), uint8(i%3), uint8(i%6))
	}
	f.Fuzz(func(t *testing.T, data []byte, ts, clevel, shuffle, codec uint8) {
		o := Options{Typesize: int(ts%17) + 1, Clevel: int(clevel % 10), Shuffle: Shuffle(shuffle % 3), Codec: Codec(codec % 6)}
		if o.Codec == Zstd && o.Clevel > 6 {
			o.Clevel = 6
		}
		mine, err := Compress(nil, data, &o)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decompress(nil, mine, 2)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%+v: ringvault round trip failed: %v", o, err)
		}
		r := py.do(t, pyJob{Op: "d", data: mine})
		if !r.ok || !bytes.Equal(r.data, data) {
			t.Fatalf("%+v: c-blosc does not decode ringvault's chunk: %s", o, r.data)
		}
		r = py.do(t, pyJob{Op: "c", TS: o.Typesize, CL: o.Clevel, SH: int(o.Shuffle), C: o.Codec.String(), data: data})
		if !r.ok {
			t.Fatalf("python3-blosc compress failed: %s", r.data)
		}
		theirs, err := Decompress(nil, r.data, 2)
		if err != nil || !bytes.Equal(theirs, data) {
			t.Fatalf("%+v: ringvault does not decode c-blosc's chunk: %v", o, err)
		}
		h, _ := ParseHeader(r.data)
		if (o.Codec == BloscLZ || o.Codec == LZ4 || h.Memcpyed()) && !bytes.Equal(mine, r.data) {
			t.Fatalf("%+v: ringvault's chunk differs from c-blosc's (%d vs %d bytes)", o, len(mine), len(r.data))
		}
	})
}

func nil2() *rand.Rand { return rand.New(rand.NewPCG(9, 9)) }
