package zdec

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// benchInputs are the c-blosc clevel 5 chunks of the benchmark series
// (their block frames back to back) and the size they decode to.
func benchInputs(b *testing.B) map[string][]byte {
	m := map[string][]byte{}
	for _, name := range []string{"linspace", "walk"} {
		src, err := os.ReadFile(filepath.Join("testdata", "cblosc-"+name+"-l5.zst"))
		if err != nil {
			b.Fatal(err)
		}
		m[name] = src
	}
	return m
}

// BenchmarkDecode decodes c-blosc's zstd frames of 1 MiB of shuffled
// float64s with this package and with klauspost/compress.
func BenchmarkDecode(b *testing.B) {
	for name, src := range benchInputs(b) {
		want, err := ref().DecodeAll(src, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/zdec", func(b *testing.B) {
			d := New()
			dst := make([]byte, len(want))
			b.SetBytes(int64(len(want)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.DecodeInto(dst, src); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/klauspost", func(b *testing.B) {
			d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecodeAllCapLimit(true))
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			dst := make([]byte, len(want))
			b.SetBytes(int64(len(want)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.DecodeAll(src, dst[:0:len(dst)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
