// Command tscodec-bench compares ringvault's tscodec with Prometheus' XOR
// chunks (tsdb/chunkenc) on the same series in one run: bytes per sample,
// encode and decode samples per second on one core, and the ratios. It is
// a separate module so the main module never depends on Prometheus.
//
//	cd bench/tscodec && go run .      (or ../tscodec.sh)
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/prometheus/tsdb/chunkenc"

	"ringvault/tscodec"
)

type series struct {
	name string
	ts   []int64 // seconds
	vs   []float64
}

func noaa(dir string) ([]series, error) {
	f, err := os.Open(filepath.Join(dir, "seattle-weather-hourly-normals.csv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	out := make([]series, len(rows[0])-1)
	for i := range out {
		out[i].name = "noaa-" + rows[0][i+1]
	}
	for _, row := range rows[1:] {
		tm, err := time.Parse("2006-01-02T15:04:05", row[0])
		if err != nil {
			return nil, err
		}
		for i := range out {
			v, err := strconv.ParseFloat(row[i+1], 64)
			if err != nil {
				return nil, err
			}
			out[i].ts = append(out[i].ts, tm.Unix())
			out[i].vs = append(out[i].vs, v)
		}
	}
	return out, nil
}

// latency is the 1 Hz ping series of tscodec's and pinglog's benchmarks:
// ms with 3 decimals around 0.350 (hourly swing ±0.020, jitter σ 3 µs);
// the 1 % lost probes are left out (pinglog stores them as flags).
func latency(n int) series {
	rng := rand.New(rand.NewPCG(1, 7))
	s := series{name: "latency-1Hz-3dec"}
	for i := 0; i < n; i++ {
		rtt := 0.350 + 0.020*math.Sin(2*math.Pi*float64(i)/3600) + rng.NormFloat64()*0.003
		v := math.Round(rtt*1000) / 1000
		if rng.IntN(100) == 0 {
			continue
		}
		s.ts = append(s.ts, 1_700_000_000+int64(i))
		s.vs = append(s.vs, v)
	}
	return s
}

type result struct {
	bytesPerSample float64
	encode, decode float64 // samples per second
}

func measure(n int, enc func() int, dec func()) result {
	var size int
	e := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			size = enc()
		}
	})
	d := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			dec()
		}
	})
	return result{
		bytesPerSample: float64(size) / float64(n),
		encode:         float64(n) * float64(e.N) / e.T.Seconds(),
		decode:         float64(n) * float64(d.N) / d.T.Seconds(),
	}
}

func ringvault(s series, block int) result {
	var e tscodec.Encoder
	var d tscodec.Decoder
	var blocks [][]byte
	enc := func() int {
		blocks = blocks[:0]
		size := 0
		for off := 0; off < len(s.ts); off += block {
			end := min(off+block, len(s.ts))
			b, err := e.AppendBlock(nil, s.ts[off:end], s.vs[off:end])
			if err != nil {
				panic(err)
			}
			blocks = append(blocks, b)
			size += len(b)
		}
		return size
	}
	enc()
	ts := make([]int64, 0, len(s.ts))
	vs := make([]float64, 0, len(s.ts))
	dec := func() {
		ts, vs = ts[:0], vs[:0]
		for _, b := range blocks {
			var err error
			if ts, vs, err = d.DecodeBlock(b, ts, vs); err != nil {
				panic(err)
			}
		}
	}
	dec()
	for i := range s.ts { // the comparison is only fair if it is lossless
		if ts[i] != s.ts[i] || math.Float64bits(vs[i]) != math.Float64bits(s.vs[i]) {
			panic(fmt.Sprintf("%s: tscodec sample %d differs", s.name, i))
		}
	}
	return measure(len(s.ts), enc, dec)
}

// prometheus encodes in XOR chunks of chunk samples (Prometheus cuts
// chunks at 120), timestamps in milliseconds as Prometheus stores them.
func prometheus(s series, chunk int) result {
	var chunks []*chunkenc.XORChunk
	enc := func() int {
		chunks = chunks[:0]
		size := 0
		for off := 0; off < len(s.ts); off += chunk {
			c := chunkenc.NewXORChunk()
			app, err := c.Appender()
			if err != nil {
				panic(err)
			}
			end := min(off+chunk, len(s.ts))
			for i := off; i < end; i++ {
				app.Append(0, s.ts[i]*1000, s.vs[i])
			}
			chunks = append(chunks, c)
			size += len(c.Bytes())
		}
		return size
	}
	enc()
	var it chunkenc.Iterator
	sum := 0.0
	dec := func() {
		for _, c := range chunks {
			it = c.Iterator(it)
			for it.Next() == chunkenc.ValFloat {
				_, v := it.At()
				sum += v
			}
		}
	}
	return measure(len(s.ts), enc, dec)
}

func main() {
	data := flag.String("data", "../../tscodec/testdata", "folder with seattle-weather-hourly-normals.csv")
	block := flag.Int("block", 8192, "tscodec samples per block")
	chunk := flag.Int("chunk", 120, "Prometheus samples per XOR chunk")
	flag.Parse()
	runtime.GOMAXPROCS(1)
	all, err := noaa(*data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tscodec-bench:", err)
		os.Exit(1)
	}
	all = append(all, latency(86400))
	fmt.Printf("tscodec (blocks of %d) vs Prometheus XOR chunks (%d samples), one core, %s\n\n", *block, *chunk, runtime.Version())
	fmt.Printf("%-20s %8s | %9s %9s %9s | %9s %9s %9s | %7s %7s %7s\n",
		"series", "samples", "rv B/smp", "rv enc/s", "rv dec/s", "xor B/smp", "xor enc/s", "xor dec/s", "size÷", "enc×", "dec×")
	for _, s := range all {
		r := ringvault(s, *block)
		p := prometheus(s, *chunk)
		fmt.Printf("%-20s %8d | %9.3f %8.1fM %8.1fM | %9.3f %8.1fM %8.1fM | %7.1f %7.1f %7.1f\n",
			s.name, len(s.ts), r.bytesPerSample, r.encode/1e6, r.decode/1e6,
			p.bytesPerSample, p.encode/1e6, p.decode/1e6,
			p.bytesPerSample/r.bytesPerSample, r.encode/p.encode, r.decode/p.decode)
	}
	fmt.Println("\nsize÷ = Prometheus bytes / tscodec bytes; enc×, dec× = tscodec speed / Prometheus speed.")
}
