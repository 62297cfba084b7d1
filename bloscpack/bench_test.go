package bloscpack

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// linspace is bloscpack's benchmark input (np.linspace(0, 100, n) as <f8).
func linspace(n int) []byte {
	b := make([]byte, 8*n)
	for i := range n {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(100*float64(i)/float64(n-1)))
	}
	return b
}

const benchBytes = 32 << 20

// BenchmarkWriter compresses 32 MiB of linspace with blpk's defaults
// (blosclz clevel 7, shuffle, 1 MiB chunks, adler32) on all cores into a
// file.
func BenchmarkWriter(b *testing.B) {
	data := linspace(benchBytes / 8)
	f, err := os.Create(filepath.Join(b.TempDir(), "bench.blp"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f.Seek(0, io.SeekStart)
		w, err := NewWriter(f, int64(len(data)), nil)
		if err != nil {
			b.Fatal(err)
		}
		w.Write(data)
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	n, _ := f.Seek(0, io.SeekCurrent)
	b.ReportMetric(float64(len(data))/float64(n), "ratio")
}

// BenchmarkWriterOneWorker is BenchmarkWriter on one goroutine (what
// bloscpack's sequential loop can at best do).
func BenchmarkWriterOneWorker(b *testing.B) {
	data := linspace(benchBytes / 8)
	o := DefaultOptions()
	o.Workers = 1
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		w, _ := NewWriter(io.Discard, int64(len(data)), &o)
		w.Write(data)
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReader decompresses the whole file through WriteTo (digests
// checked, chunks in parallel).
func BenchmarkReader(b *testing.B) {
	data := linspace(benchBytes / 8)
	file := pack(b, data, nil, false, false)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadAt4K reads 4 KiB at scattered offsets: one chunk decoded
// per read through the offsets table (bytes/s counts the 4 KiB returned).
func BenchmarkReadAt4K(b *testing.B) {
	data := linspace(benchBytes / 8)
	file := pack(b, data, nil, false, false)
	r, err := NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		b.Fatal(err)
	}
	p := make([]byte, 4096)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	off := int64(0)
	for b.Loop() {
		off = (off + 7<<20 + 12345) % int64(len(data)-len(p))
		if _, err := r.ReadAt(p, off); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompressFile is blpk compress's path: CompressFile from a
// 32 MiB linspace file into a new file (ReadFromAt: every worker reads,
// compresses and writes its own chunks), 2 workers.
func BenchmarkCompressFile(b *testing.B) {
	dir := b.TempDir()
	in := filepath.Join(dir, "in.bin")
	data := linspace(benchBytes / 8)
	if err := os.WriteFile(in, data, 0o644); err != nil {
		b.Fatal(err)
	}
	o := DefaultOptions()
	o.Workers = 2
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := CompressFile(in, filepath.Join(dir, "out.blp"), &o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecompressFile is blpk decompress's path: DecompressFile of the
// 32 MiB linspace into a file (WriteAllTo: every worker takes, decodes and
// writes its own chunks), 2 workers.
func BenchmarkDecompressFile(b *testing.B) {
	dir := b.TempDir()
	data := linspace(benchBytes / 8)
	blp := filepath.Join(dir, "in.blp")
	if err := os.WriteFile(blp, pack(b, data, nil, false, false), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decompressFileWorkers(blp, filepath.Join(dir, "out.bin"), 2); err != nil {
			b.Fatal(err)
		}
	}
}

// decompressFileWorkers is DecompressFile with a worker count.
func decompressFileWorkers(src, dst string, workers int) ([]byte, error) {
	f, err := Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	f.Workers = workers
	out, err := os.Create(dst)
	if err != nil {
		return nil, err
	}
	_, werr := f.WriteAllTo(out)
	if cerr := out.Close(); werr == nil {
		werr = cerr
	}
	return f.Metadata(), werr
}
