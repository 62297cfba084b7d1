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

// cbloscScript compresses stdin with c-blosc's zstd at the clevel and
// shuffle given as arguments and writes the chunk to stdout.
const cbloscScript = `
import sys, blosc
data = sys.stdin.buffer.read()
clevel, shuffle = int(sys.argv[1]), int(sys.argv[2])
sys.stdout.buffer.write(blosc.compress(data, typesize=8, cname='zstd', clevel=clevel, shuffle=shuffle))
`

// cbloscFrames compresses raw with c-blosc and returns the zstd frame of
// each block with the size it must decode to.
func cbloscFrames(t testing.TB, py string, raw []byte, clevel, shuffle int) (frames [][]byte, sizes []int) {
	t.Helper()
	cmd := exec.Command(py, "-c", cbloscScript, fmt.Sprint(clevel), fmt.Sprint(shuffle))
	cmd.Stdin = bytes.NewReader(raw)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	chunk, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3-blosc: %v: %s", err, stderr.Bytes())
	}
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
	clevels := []int{1, 2, 3, 4, 5, 6, 7, 8, 9}
	if testing.Short() {
		clevels = []int{1, 5, 9}
	}
	for _, name := range names {
		raw := series[name]
		for _, clevel := range clevels {
			for _, shuffle := range []int{0, 1, 2} {
				frames, sizes := cbloscFrames(t, py, raw, clevel, shuffle)
				for i, fr := range frames {
					ours, errOurs, theirs, errTheirs := decodeBoth(d, fr, sizes[i])
					if errOurs != nil || errTheirs != nil || !bytes.Equal(ours, theirs) {
						t.Fatalf("%s clevel %d shuffle %d frame %d: ours %v, klauspost %v, equal %v",
							name, clevel, shuffle, i, errOurs, errTheirs, bytes.Equal(ours, theirs))
					}
				}
				if *update && clevel == 5 && shuffle == 1 {
					writeFrames(t, "cblosc-"+name+"-l5.zst", frames)
				}
			}
		}
	}
}

func writeFrames(t *testing.T, name string, frames [][]byte) {
	if err := os.WriteFile(filepath.Join("testdata", name), bytes.Join(frames, nil), 0o644); err != nil {
		t.Fatal(err)
	}
}
