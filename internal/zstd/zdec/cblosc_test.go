package zdec

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"ringvault/internal/benchdata"
	"ringvault/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite testdata/cblosc-*.zst from python3-blosc")

// cbloscScript compresses stdin with c-blosc's zstd at each clevel and
// shuffle pair given as arguments ("5:1") and writes the chunks to stdout,
// each after its uint32 length.
const cbloscScript = `
import sys, struct, blosc
data = sys.stdin.buffer.read()
for arg in sys.argv[1:]:
    clevel, shuffle = map(int, arg.split(":"))
    c = blosc.compress(data, typesize=8, cname='zstd', clevel=clevel, shuffle=shuffle)
    sys.stdout.buffer.write(struct.pack("<I", len(c)) + c)
`

// cbloscChunks compresses raw with c-blosc once per clevel:shuffle pair.
func cbloscChunks(t testing.TB, py string, raw []byte, pairs []string) [][]byte {
	t.Helper()
	cmd := exec.Command(py, append([]string{"-c", cbloscScript}, pairs...)...)
	cmd.Stdin = bytes.NewReader(raw)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3-blosc: %v: %s", err, stderr.Bytes())
	}
	var chunks [][]byte
	for len(out) >= 4 {
		n := int(binary.LittleEndian.Uint32(out))
		if n > len(out)-4 {
			break
		}
		chunks = append(chunks, out[4:4+n])
		out = out[4+n:]
	}
	if len(chunks) != len(pairs) {
		t.Fatalf("python3-blosc wrote %d chunks, want %d", len(chunks), len(pairs))
	}
	return chunks
}

// cbloscFrames returns the zstd frame of each block of a c-blosc chunk
// with the size it must decode to.
func cbloscFrames(t testing.TB, chunk []byte) (frames [][]byte, sizes []int) {
	t.Helper()
	if len(chunk) < 16 {
		t.Fatalf("python3-blosc: chunk of %d bytes", len(chunk))
	}
	flags := chunk[2]
	nbytes := int(binary.LittleEndian.Uint32(chunk[4:]))
	bsize := int(binary.LittleEndian.Uint32(chunk[8:]))
	if flags&2 != 0 { // memcpyed
		return nil, nil
	}
	if flags&0x10 == 0 {
		t.Fatalf("c-blosc split a zstd chunk (flags %#x)", flags)
	}
	nblocks := (nbytes + bsize - 1) / bsize
	for j := 0; j < nblocks; j++ {
		start := int(binary.LittleEndian.Uint32(chunk[16+4*j:]))
		csize := int(binary.LittleEndian.Uint32(chunk[start:]))
		size := min(bsize, nbytes-j*bsize)
		if csize == size {
			continue // stored raw
		}
		frames = append(frames, chunk[start+4:start+4+csize])
		sizes = append(sizes, size)
	}
	return frames, sizes
}

// TestCBlosc decodes the zstd frames c-blosc 1.21 writes for the benchmark
// series at every clevel, shuffled and not, and compares with klauspost's
// decoder. With -update it rewrites the clevel 5 chunks in testdata.
func TestCBlosc(t *testing.T) {
	py := testutil.Python(t, "blosc")
	d := New()
	series := benchdata.Float64Series()
	names := make([]string, 0, len(series))
	for name := range series {
		names = append(names, name)
	}
	sort.Strings(names)
	clevels := []int{1, 2, 3, 4, 5, 6, 7, 9}
	if testing.Short() {
		clevels = []int{1, 5, 9}
	}
	var pairs []string
	for _, clevel := range clevels {
		for _, shuffle := range []int{0, 1, 2} {
			pairs = append(pairs, fmt.Sprintf("%d:%d", clevel, shuffle))
		}
	}
	if *update {
		pairs = []string{"5:1"}
	}
	for _, name := range names {
		raw := series[name]
		if !*update {
			raw = raw[:384<<10] // two blocks at the low levels, one at the high
		}
		for c, chunk := range cbloscChunks(t, py, raw, pairs) {
			frames, sizes := cbloscFrames(t, chunk)
			for i, fr := range frames {
				ours, errOurs, theirs, errTheirs := decodeBoth(d, fr, sizes[i])
				if errOurs != nil || errTheirs != nil || !bytes.Equal(ours, theirs) {
					t.Fatalf("%s clevel:shuffle %s frame %d: ours %v, klauspost %v, equal %v",
						name, pairs[c], i, errOurs, errTheirs, bytes.Equal(ours, theirs))
				}
			}
			if *update {
				writeFrames(t, "cblosc-"+name+"-l5.zst", frames)
			}
		}
	}
}

func writeFrames(t *testing.T, name string, frames [][]byte) {
	if err := os.WriteFile(filepath.Join("testdata", name), bytes.Join(frames, nil), 0o644); err != nil {
		t.Fatal(err)
	}
}
