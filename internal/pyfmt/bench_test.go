package pyfmt

import (
	"math/rand/v2"
	"testing"
)

func benchValues() []float64 {
	r := rand.New(rand.NewPCG(3, 4))
	vs := make([]float64, 1024)
	for i := range vs {
		vs[i] = r.NormFloat64() * 1000
	}
	return vs
}

// BenchmarkFloatRepr is the JSON output of whisper-fetch (python repr).
func BenchmarkFloatRepr(b *testing.B) {
	vs := benchValues()
	var buf []byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = AppendFloatRepr(buf[:0], vs[i%len(vs)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "values/s")
}

// BenchmarkFormatF is whisper-fetch's text output ("%f").
func BenchmarkFormatF(b *testing.B) {
	vs := benchValues()
	var buf []byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = AppendF(buf[:0], vs[i%len(vs)], 6)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "values/s")
}

// BenchmarkFormatG35 is whisper-dump's "%10.35g".
func BenchmarkFormatG35(b *testing.B) {
	vs := benchValues()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = FormatG(vs[i%len(vs)], 10, 35)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "values/s")
}
