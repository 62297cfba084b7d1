package blosc

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os/exec"
	"testing"

	"ringvault/internal/testutil"
)

// pyBlosc runs one python3-blosc process for a batch of jobs: "d"
// decompresses a chunk, "c" compresses with the given arguments. Jobs go in
// on stdin as a JSON line followed by the raw bytes; results come back as a
// status byte, a uint32 length and the bytes (or the error text).
const pyBlosc = `
import sys, json, struct, blosc
blosc.set_nthreads(1)
inp, out = sys.stdin.buffer, sys.stdout.buffer
while True:
    line = inp.readline()
    if not line:
        break
    job = json.loads(line)
    data = inp.read(job["n"])
    try:
        if job["op"] == "d":
            res = blosc.decompress(data)
        else:
            res = blosc.compress(data, typesize=job["ts"], clevel=job["cl"], shuffle=job["sh"], cname=job["c"])
        out.write(b"\x00" + struct.pack("<I", len(res)) + res)
    except Exception as e:
        msg = repr(e).encode()
        out.write(b"\x01" + struct.pack("<I", len(msg)) + msg)
    if job.get("flush"):
        out.flush()
out.flush()
`

type pyJob struct {
	Op string `json:"op"`
	N  int    `json:"n"`
	TS int    `json:"ts,omitempty"`
	CL int    `json:"cl"`
	SH int    `json:"sh"`
	C  string `json:"c,omitempty"`
	// Flush asks for the answer at once (the fuzz co-process).
	Flush bool `json:"flush,omitempty"`

	data []byte
}

type pyResult struct {
	ok   bool
	data []byte
}

func runPython(t *testing.T, jobs []pyJob) []pyResult {
	t.Helper()
	py := testutil.Python(t, "blosc")
	cmd := exec.Command(py, "-c", pyBlosc)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		w := bufio.NewWriter(stdin)
		for _, j := range jobs {
			j.N = len(j.data)
			line, _ := json.Marshal(j)
			w.Write(line)
			w.WriteByte('\n')
			w.Write(j.data)
		}
		w.Flush()
		stdin.Close()
	}()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("python3-blosc: %v\n%s", err, stderr.String())
	}
	r := bytes.NewReader(stdout.Bytes())
	res := make([]pyResult, len(jobs))
	for i := range res {
		var hdr [5]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			t.Fatalf("python3-blosc answered %d of %d jobs: %v\n%s", i, len(jobs), err, stderr.String())
		}
		b := make([]byte, binary.LittleEndian.Uint32(hdr[1:]))
		io.ReadFull(r, b)
		res[i] = pyResult{ok: hdr[0] == 0, data: b}
	}
	return res
}

// testInput makes deterministic test data of one of several kinds: a float64
// linspace, a float64 random walk, int32 counters, text, zeros, or noise.
func testInput(kind, n int, rng *rand.Rand) []byte {
	b := make([]byte, n)
	switch kind % 6 {
	case 0:
		for i := 0; i+8 <= n; i += 8 {
			binary.LittleEndian.PutUint64(b[i:], math.Float64bits(100*float64(i)/float64(n+1)))
		}
	case 1:
		v := 20.0
		for i := 0; i+8 <= n; i += 8 {
			v += rng.NormFloat64() * 0.1
			binary.LittleEndian.PutUint64(b[i:], math.Float64bits(math.Round(v*100)/100))
		}
	case 2:
		for i := 0; i+4 <= n; i += 4 {
			binary.LittleEndian.PutUint32(b[i:], uint32(i/4+rng.IntN(3)))
		}
	case 3:
		words := []string{"blosc ", "chunk ", "ring", "vault ", "shuffle\n", "the ", "of "}
		var buf bytes.Buffer
		for buf.Len() < n {
			buf.WriteString(words[rng.IntN(len(words))])
		}
		copy(b, buf.Bytes())
	case 4:
		// zeros
	case 5:
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
	}
	return b
}

type encCase struct {
	opts Options
	data []byte
}

// diffCases spans codecs x typesizes x shuffles, each clevel 0..9 at least
// once per codec, over several data kinds and sizes (empty, tiny, below and
// at the 128-byte memcpy limit, not a multiple of the typesize, several
// blocks with a leftover).
func diffCases(short bool) []encCase {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{0, 1, 7, 100, 127, 128, 129, 1000, 4099, 65536 + 3, 200000, 300007}
	if short {
		sizes = []int{0, 7, 127, 128, 1000, 65536 + 3, 200000}
	}
	var cs []encCase
	i := 0
	for _, c := range Codecs {
		for _, ts := range []int{1, 2, 4, 8, 3, 16} {
			for _, sh := range []Shuffle{NoShuffle, ByteShuffle, BitShuffle} {
				i++
				cl := i % 10
				n := sizes[i%len(sizes)]
				cs = append(cs, encCase{Options{Typesize: ts, Clevel: cl, Shuffle: sh, Codec: c}, testInput(i, n, rng)})
			}
		}
		for cl := 0; cl <= 9; cl++ {
			i++
			cs = append(cs, encCase{Options{Typesize: 8, Clevel: cl, Shuffle: ByteShuffle, Codec: c}, testInput(i%3, 1<<18+8*cl, rng)})
		}
	}
	return cs
}

// TestDifferentialPythonDecodes: python3-blosc (c-blosc 1.21) decodes every
// chunk ringvault writes to the original bytes.
func TestDifferentialPythonDecodes(t *testing.T) {
	cases := diffCases(testing.Short())
	jobs := make([]pyJob, len(cases))
	for i, c := range cases {
		o := c.opts
		o.NThreads = 1 + i%2
		chunk, err := Compress(nil, c.data, &o)
		if err != nil {
			t.Fatal(err)
		}
		jobs[i] = pyJob{Op: "d", data: chunk}
	}
	res := runPython(t, jobs)
	for i, r := range res {
		c := cases[i]
		if !r.ok {
			t.Errorf("%s: c-blosc rejects ringvault's chunk: %s", describe(c), r.data)
			continue
		}
		if !bytes.Equal(r.data, c.data) {
			t.Errorf("%s: c-blosc decodes ringvault's chunk to different bytes", describe(c))
		}
	}
}

func describe(c encCase) string {
	o := c.opts
	return fmt.Sprintf("%s ts=%d clevel=%d %s n=%d", o.Codec, o.Typesize, o.Clevel, o.Shuffle, len(c.data))
}

// TestDifferentialRingvaultDecodes: ringvault decodes every chunk
// python3-blosc writes. For memcpy, BloscLZ and LZ4 chunks ringvault's own
// encoder must also produce the very same bytes, and for every codec the
// same header (flags, blocksize).
func TestDifferentialRingvaultDecodes(t *testing.T) {
	cases := diffCases(testing.Short())
	jobs := make([]pyJob, len(cases))
	for i, c := range cases {
		jobs[i] = pyJob{Op: "c", TS: c.opts.Typesize, CL: c.opts.Clevel, SH: int(c.opts.Shuffle), C: c.opts.Codec.String(), data: c.data}
	}
	res := runPython(t, jobs)
	identical := 0
	for i, r := range res {
		c := cases[i]
		if !r.ok {
			t.Errorf("%s: python3-blosc failed: %s", describe(c), r.data)
			continue
		}
		got, err := Decompress(nil, r.data, 1+i%3)
		if err != nil {
			t.Errorf("%s: %v", describe(c), err)
			continue
		}
		if !bytes.Equal(got, c.data) {
			t.Errorf("%s: decoded bytes differ", describe(c))
		}
		mine, err := Compress(nil, c.data, &c.opts)
		if err != nil {
			t.Fatal(err)
		}
		hm, _ := ParseHeader(mine)
		hc, _ := ParseHeader(r.data)
		hm.Cbytes, hc.Cbytes = 0, 0
		if hm != hc && !hc.Memcpyed() && !hm.Memcpyed() {
			t.Errorf("%s: header %+v, c-blosc %+v", describe(c), hm, hc)
		}
		if bytes.Equal(mine, r.data) {
			identical++
		} else if c.opts.Codec == BloscLZ || c.opts.Codec == LZ4 || hc.Memcpyed() {
			t.Errorf("%s: output differs from c-blosc's (%d vs %d bytes)", describe(c), len(mine), len(r.data))
		}
	}
	t.Logf("%d of %d chunks byte-identical with c-blosc", identical, len(cases))
}
