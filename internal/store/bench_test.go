package store

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"
)

// BenchmarkCacheAdd is the ingest hot path: one point into the sharded
// cache (persisters held, so only the insert is timed).
func BenchmarkCacheAdd(b *testing.B) {
	s, err := Open(Options{Dir: b.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	s.hold.Lock()
	names := make([]string, 10000)
	for i := range names {
		names[i] = "bench.host" + strconv.Itoa(i/100) + ".cpu" + strconv.Itoa(i%100)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := s.Add(names[i%len(names)], now, 1); err != nil {
			b.Fatal(err)
		}
		i++
		if i%1_000_000 == 0 { // keep the cache bounded without timing the flush
			b.StopTimer()
			s.hold.Unlock()
			s.Flush(context.Background())
			s.hold.Lock()
			b.StartTimer()
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
	s.hold.Unlock()
}

// BenchmarkPersist measures the persisters: 1,000 existing files, 100
// points each per round, written with one UpdateMany per metric.
func BenchmarkPersist(b *testing.B) {
	s, err := Open(Options{Dir: b.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Schemas: []Schema{{Name: "b", Archives: archs(60, 1440, 300, 2016)}},
		Now:     func() time.Time { return time.Unix(now, 0) }})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	const metrics, per = 1000, 100
	names := make([]string, metrics)
	for i := range names {
		names[i] = "bench.m" + strconv.Itoa(i)
		s.Add(names[i], now, 0)
	}
	s.Flush(context.Background()) // create the files outside the timing
	b.ReportAllocs()
	b.ResetTimer()
	for r := 0; r < b.N; r++ {
		b.StopTimer()
		s.hold.Lock()
		for _, n := range names {
			for p := range per {
				s.Add(n, now-int64(60*p), float64(r+p))
			}
		}
		s.hold.Unlock()
		b.StartTimer()
		s.Flush(context.Background())
	}
	b.ReportMetric(float64(b.N*metrics*per)/b.Elapsed().Seconds(), "points/s")
}
