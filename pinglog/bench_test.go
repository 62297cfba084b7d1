package pinglog

import (
	"math"
	"math/rand/v2"
	"testing"

	"ringvault/storage"
)

// latencyRecords is the 1 Hz benchmark series: milliseconds with 3
// decimals around 0.350 ms (hourly swing ±0.020, jitter σ 3 µs), 1 % lost
// — the same generator as tscodec's benchmark.
func latencyRecords(n int) []Record4 {
	rng := rand.New(rand.NewPCG(1, 7))
	out := make([]Record4, n)
	for i := range out {
		rtt := 0.350 + 0.020*math.Sin(2*math.Pi*float64(i)/3600) + rng.NormFloat64()*0.003
		out[i] = Record4{Time: 1_700_000_000 + int64(i), Value: math.Round(rtt*1000) / 1000}
		if rng.IntN(100) == 0 {
			out[i] = Record4{Time: out[i].Time, Lost: true}
		}
	}
	return out
}

// BenchmarkAppendV4 appends a day of 1 Hz records to a version-4 log in
// memory (blocks sealed and "synced" as they fill) and reports records/s
// and the bytes per record the blocks take.
func BenchmarkAppendV4(b *testing.B) {
	recs := latencyRecords(86400)
	h := testHeader(12, 8192, 8192)
	var bpr float64
	b.ReportAllocs()
	for b.Loop() {
		l, err := Create4(memFile(nil), h)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range recs {
			if err := l.Append(r); err != nil {
				b.Fatal(err)
			}
		}
		if err := l.Flush(); err != nil {
			b.Fatal(err)
		}
		bpr = l.Stats().RecordBytes
	}
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(bpr, "B/record")
}

// BenchmarkAppendV3 is record_datum's path: one record and one header
// field written per call, 6 bytes per record.
func BenchmarkAppendV3(b *testing.B) {
	recs := latencyRecords(86400)
	b.ReportAllocs()
	for b.Loop() {
		l, err := Create3(storage.NewMemFile(nil), &Options3{MaxRecords: 86400})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range recs {
			if err := l.Append(uint32(r.Time), uint64(SecondsToShort(r.Value/1000, !r.Lost))); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(6, "B/record")
}

// BenchmarkScanV4 reads a day of records back (verify CRCs, decode).
func BenchmarkScanV4(b *testing.B) {
	recs := latencyRecords(86400)
	f := memFile(nil)
	l, _ := Create4(f, testHeader(12, 8192, 8192))
	for _, r := range recs {
		_ = l.Append(r)
	}
	_ = l.Flush()
	r, err := Open4(f, &Options4{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		got, err := r.Records()
		if err != nil || len(got) != len(recs) {
			b.Fatalf("%d records, %v", len(got), err)
		}
	}
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkScanV3 reads a day of version-3 records (read_all_values).
func BenchmarkScanV3(b *testing.B) {
	recs := latencyRecords(86400)
	f := storage.NewMemFile(nil)
	l, _ := Create3(f, &Options3{MaxRecords: 86400})
	for _, r := range recs {
		_ = l.Append(uint32(r.Time), uint64(SecondsToShort(r.Value/1000, !r.Lost)))
	}
	b.ReportAllocs()
	for b.Loop() {
		got, err := l.Records()
		if err != nil || len(got) != len(recs) {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
