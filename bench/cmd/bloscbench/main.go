// Command bloscbench compares ringvault's blosc package with c-blosc 1.21
// (through /usr/bin/python3 and python-blosc) on the same 1 MiB inputs — a
// float64 linspace and a float64 random walk — with byte shuffle (or
// -shuffle bit), one and two threads, and prints MB/s, ratios and compressed
// sizes. bench/blosc.sh runs it.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"ringvault/blosc"
	"ringvault/internal/benchdata"
)

type result struct {
	Compress   float64 `json:"compress"`
	Decompress float64 `json:"decompress"`
	Size       int     `json:"size"`
}

// inputs are the 1 MiB float64 inputs shared with the Go benchmarks.
func inputs() map[string][]byte { return benchdata.Float64Series() }

// threadCPU is the CPU time the calling OS thread has used.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

const rusageThread = 1 // RUSAGE_THREAD (Linux)

// bestRate runs fn in rounds of at least 0.2 s and returns the best MB/s,
// the same method as blosc_cblosc.py: thread CPU time for one thread (the
// goroutine is locked to its thread), wall time for more.
func bestRate(fn func(), nbytes, threads int) float64 {
	clock := func() time.Duration { return time.Duration(time.Now().UnixNano()) }
	if threads == 1 {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		clock = threadCPU
	}
	best := 0.0
	for range 5 {
		n, t0 := 0, clock()
		for {
			fn()
			n++
			if clock()-t0 >= 200*time.Millisecond {
				break
			}
		}
		best = max(best, float64(n*nbytes)/(clock()-t0).Seconds()/1e6)
	}
	return best
}

func main() {
	py := flag.String("python", "/usr/bin/python3", "python with python-blosc")
	clevel := flag.Int("clevel", 5, "compression level for every codec")
	codecs := flag.String("codecs", "blosclz,lz4,zstd", "codecs to compare")
	shuf := flag.String("shuffle", "byte", "shuffle filter: byte or bit")
	flag.Parse()
	shuffle := blosc.ByteShuffle
	switch *shuf {
	case "byte":
	case "bit":
		shuffle = blosc.BitShuffle
	default:
		fatal(fmt.Errorf("-shuffle %q: want byte or bit", *shuf))
	}

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
	script := os.Getenv("BLOSC_CBLOSC_PY")
	if script == "" {
		script = "bench/blosc_cblosc.py"
	}
	cmd := exec.Command(*py, script, dir, fmt.Sprint(*clevel), fmt.Sprint(int(shuffle)))
	cmd.Stderr = os.Stderr
	toPy, err := cmd.StdinPipe()
	if err != nil {
		fatal(err)
	}
	fromPy, err := cmd.StdoutPipe()
	if err != nil {
		fatal(err)
	}
	if err := cmd.Start(); err != nil {
		fatal(fmt.Errorf("c-blosc side (%s): %w", *py, err))
	}
	answers := bufio.NewScanner(fromPy)

	fmt.Printf("1 MiB float64 chunks, typesize 8, %s shuffle, clevel %d; best of 5 rounds of 0.2 s;\n", *shuf, *clevel)
	fmt.Printf("1 thread: MB/s per CPU-second of the calling thread; 2 threads: MB/s of wall time\n")
	fmt.Printf("%-8s %-7s %2s | %7s %7s %6s | %7s %7s %6s | %8s %8s %6s\n",
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
				// c-blosc first, then ringvault, so both see the same load.
				fmt.Fprintf(toPy, "%s %s %d\n", name, cn, nt)
				if !answers.Scan() {
					fatal(fmt.Errorf("c-blosc side stopped: %v", answers.Err()))
				}
				var p result
				if err := json.Unmarshal(answers.Bytes(), &p); err != nil {
					fatal(err)
				}
				o := &blosc.Options{Typesize: 8, Clevel: *clevel, Shuffle: shuffle, Codec: codec, NThreads: nt}
				chunk, err := blosc.Compress(nil, src, o)
				if err != nil {
					fatal(err)
				}
				buf := make([]byte, 0, len(src)+blosc.MaxOverhead)
				c := bestRate(func() { buf, _ = blosc.Compress(buf[:0], src, o) }, len(src), nt)
				d := bestRate(func() {
					if _, err := blosc.DecompressInto(dst, chunk, nt); err != nil {
						fatal(err)
					}
				}, len(src), nt)
				if !bytes.Equal(dst, src) {
					fatal(fmt.Errorf("%s %s: round trip differs", name, cn))
				}
				fmt.Printf("%-8s %-7s %2d | %7.0f %7.0f %5.2fx | %7.0f %7.0f %5.2fx | %8d %8d %6.3f\n",
					name, cn, nt, c, p.Compress, c/p.Compress, d, p.Decompress, d/p.Decompress,
					len(chunk), p.Size, float64(len(chunk))/float64(p.Size))
			}
		}
	}
	toPy.Close()
	cmd.Wait()
	fmt.Println("rv = ringvault, cb = c-blosc 1.21 via python-blosc; MB/s of uncompressed data; ratio = rv/cb; size = rv bytes / cb bytes")
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bloscbench:", err)
	os.Exit(1)
}
