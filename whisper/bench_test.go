package whisper

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time. The benchmarks report it
// per operation ("cpu-ns/op") beside the wall time, because on a shared
// machine the wall time also counts waiting for a CPU.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// startCPU resets the timer and returns a func that reports CPU time/op.
func startCPU(b *testing.B) func() {
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	return func() {
		b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
	}
}

// The benchmark file is python's reference schema (reference §18):
// 10s:1d,1m:30d,1h:5y, average, xff 0.5, on an OS file in the page cache.
var benchArchives = []ArchiveSpec{{10, 8640}, {60, 43200}, {3600, 43800}}

const benchNow = 1_700_000_000

func benchFile(b *testing.B) *File {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bench.wsp")
	if err := Create(path, append([]ArchiveSpec(nil), benchArchives...), nil); err != nil {
		b.Fatal(err)
	}
	w, err := Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close() })
	return w
}

// fillDay writes one value per 10 s for the last day (and propagates).
func fillDay(b *testing.B, w *File) {
	pts := make([]Point, 0, 8640)
	for t := int64(benchNow - 86400 + 10); t <= benchNow; t += 10 {
		pts = append(pts, Point{t, float64(t % 1000)})
	}
	if err := w.UpdateMany(pts, benchNow); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkUpdate is python's update(): one point with full propagation,
// timestamps advancing ~0.86 s per call as in the reference measurement.
func BenchmarkUpdate(b *testing.B) {
	w := benchFile(b)
	fillDay(b, w)
	defer startCPU(b)()
	for i := 0; i < b.N; i++ {
		ts := int64(benchNow) + int64(i)*86/100
		if err := w.Update(float64(i), ts, ts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

func benchUpdateMany(b *testing.B, batch int) {
	w := benchFile(b)
	fillDay(b, w)
	pts := make([]Point, batch)
	defer startCPU(b)()
	t := int64(benchNow)
	for i := 0; i < b.N; i++ {
		for k := range pts {
			t++
			pts[k] = Point{t, float64(k)}
		}
		if err := w.UpdateMany(pts, t); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkUpdateMany1000 and 10: carbon-like batches of 1 s spaced points.
func BenchmarkUpdateMany1000(b *testing.B) { benchUpdateMany(b, 1000) }
func BenchmarkUpdateMany10(b *testing.B)   { benchUpdateMany(b, 10) }

func benchFetch(b *testing.B, span int64) {
	w := benchFile(b)
	// fill 30 days at 60 s so both archives are full
	pts := make([]Point, 0, 43200)
	for t := int64(benchNow - 30*86400 + 60); t <= benchNow; t += 60 {
		pts = append(pts, Point{t, float64(t % 977)})
	}
	if err := w.UpdateMany(pts, benchNow); err != nil {
		b.Fatal(err)
	}
	fillDay(b, w)
	var s Series
	defer startCPU(b)()
	for i := 0; i < b.N; i++ {
		if _, err := w.FetchInto(&s, benchNow-span, benchNow, benchNow, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(s.Len()) * pointSize)
	b.ReportMetric(float64(b.N*s.Len())/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkFetch1Day reads archive 0 (8,640 values, the ring wraps).
func BenchmarkFetch1Day(b *testing.B) { benchFetch(b, 86400) }

// BenchmarkFetch30Days reads archive 1 (43,200 values).
func BenchmarkFetch30Days(b *testing.B) { benchFetch(b, 30*86400) }

// BenchmarkOpenUpdateClose is python's update(path, ...) as a whole: open
// the file, parse the header, update with propagation, close.
func BenchmarkOpenUpdateClose(b *testing.B) { benchOpenUpdateClose(b, nil) }

// BenchmarkOpenUpdateCloseNoMmap is the same with pread/pwrite.
func BenchmarkOpenUpdateCloseNoMmap(b *testing.B) {
	benchOpenUpdateClose(b, &OpenOptions{NoMmap: true})
}

func benchOpenUpdateClose(b *testing.B, opts *OpenOptions) {
	w := benchFile(b)
	fillDay(b, w)
	path := w.Name()
	defer startCPU(b)()
	for i := 0; i < b.N; i++ {
		ts := int64(benchNow) + int64(i)*86/100
		f, err := Open(path, opts)
		if err != nil {
			b.Fatal(err)
		}
		if err := f.Update(float64(i), ts, ts); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkOpenFetchClose1Day is python's fetch(path, ...) as a whole:
// open, parse the header, read one day (8,640 values), close.
func BenchmarkOpenFetchClose1Day(b *testing.B) {
	w := benchFile(b)
	fillDay(b, w)
	path := w.Name()
	var s Series
	defer startCPU(b)()
	for i := 0; i < b.N; i++ {
		f, err := Open(path, &OpenOptions{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.FetchInto(&s, benchNow-86400, benchNow, benchNow, nil); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	b.ReportMetric(float64(b.N*s.Len())/b.Elapsed().Seconds(), "points/s")
}
