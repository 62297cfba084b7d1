// Command bloscbench compares ringvault's blosc package with c-blosc 1.21
// (through /usr/bin/python3 and python-blosc) on the same 1 MiB inputs — a
// float64 linspace and a float64 random walk — with byte shuffle, one and
// two threads, and prints MB/s, ratios and compressed sizes. bench/blosc.sh
// runs it.
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"ringvault/blosc"
)

type result struct {
	Input      string  `json:"input"`
	Codec      string  `json:"codec"`
	Threads    int     `json:"threads"`
	Compress   float64 `json:"compress"`
	Decompress float64 `json:"decompress"`
	Size       int     `json:"size"`
}

func inputs() map[string][]byte {
	const n = 1 << 17
	lin := make([]byte, 8*n)
	walk := make([]byte, 8*n)
	rng := rand.New(rand.NewPCG(42, 42))
	v := 20.0
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint64(lin[8*i:], math.Float64bits(100*float64(i)/float64(n-1)))
		v += rng.NormFloat64() * 0.05
		binary.LittleEndian.PutUint64(walk[8*i:], math.Float64bits(math.Round(v*100)/100))
	}
	return map[string][]byte{"linspace": lin, "walk": walk}
}

// bestRate runs fn in rounds of at least 0.2 s and returns the best MB/s,
// the same method as blosc_cblosc.py.
func bestRate(fn func(), nbytes int) float64 {
	best := 0.0
	for range 5 {
		n, t0 := 0, time.Now()
		for {
			fn()
			n++
			if time.Since(t0) >= 200*time.Millisecond {
				break
			}
		}
		best = max(best, float64(n*nbytes)/time.Since(t0).Seconds()/1e6)
	}
	return best
}

func main() {
	py := flag.String("python", "/usr/bin/python3", "python with python-blosc")
	clevel := flag.Int("clevel", 5, "compression level for every codec")
	codecs := flag.String("codecs", "blosclz,lz4,zstd", "codecs to compare")
	flag.Parse()

	dir, err := os.MkdirTemp("", "bloscbench")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(dir)
	in := inputs()
	for name, b := range in {
		if err := os.WriteFile(filepath.Join(dir, name+".f8"), b, 0o644); err != nil {
			fatal(err)
		}
	}
	script := filepath.Join(filepath.Dir(os.Args[0]), "blosc_cblosc.py")
	if s := os.Getenv("BLOSC_CBLOSC_PY"); s != "" {
		script = s
	}
	args := append([]string{script, dir, fmt.Sprint(*clevel)}, strings.Split(*codecs, ",")...)
	out, err := exec.Command(*py, args...).Output()
	if err != nil {
		fatal(fmt.Errorf("c-blosc side (%s): %w", *py, err))
	}
	peer := map[string]result{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			fatal(err)
		}
		peer[fmt.Sprint(r.Input, r.Codec, r.Threads)] = r
	}

	fmt.Printf("1 MiB float64 chunks, typesize 8, byte shuffle, clevel %d; best of 5 rounds of 0.2 s\n", *clevel)
	fmt.Printf("%-8s %-7s %2s | %9s %9s %6s | %9s %9s %6s | %9s %9s %6s\n",
		"input", "codec", "th", "rv comp", "cb comp", "ratio", "rv dec", "cb dec", "ratio", "rv bytes", "cb bytes", "size")
	for _, name := range []string{"linspace", "walk"} {
		src := in[name]
		dst := make([]byte, len(src))
		for _, cn := range strings.Split(*codecs, ",") {
			codec, err := blosc.ParseCodec(cn)
			if err != nil {
				fatal(err)
			}
			for _, nt := range []int{1, 2} {
				o := &blosc.Options{Typesize: 8, Clevel: *clevel, Shuffle: blosc.ByteShuffle, Codec: codec, NThreads: nt}
				chunk, err := blosc.Compress(nil, src, o)
				if err != nil {
					fatal(err)
				}
				buf := make([]byte, 0, len(src)+blosc.MaxOverhead)
				c := bestRate(func() { buf, _ = blosc.Compress(buf[:0], src, o) }, len(src))
				d := bestRate(func() {
					if _, err := blosc.DecompressInto(dst, chunk, nt); err != nil {
						fatal(err)
					}
				}, len(src))
				if !bytes.Equal(dst, src) {
					fatal(fmt.Errorf("%s %s: round trip differs", name, cn))
				}
				p := peer[fmt.Sprint(name, cn, nt)]
				fmt.Printf("%-8s %-7s %2d | %9.0f %9.0f %5.2fx | %9.0f %9.0f %5.2fx | %9d %9d %5.3f\n",
					name, cn, nt, c, p.Compress, c/p.Compress, d, p.Decompress, d/p.Decompress,
					len(chunk), p.Size, float64(len(chunk))/float64(p.Size))
			}
		}
	}
	fmt.Println("rv = ringvault, cb = c-blosc 1.21 via python-blosc; MB/s of uncompressed data; ratio = rv/cb; size = rv bytes / cb bytes")
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bloscbench:", err)
	os.Exit(1)
}
