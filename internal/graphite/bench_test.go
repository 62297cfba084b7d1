package graphite

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"
)

// benchBackend holds n series of one day at 10 s (8640 points each).
func benchBackend(n int) *MemBackend {
	b := NewMemBackend()
	start := testNow.Unix() - 86400 - 10
	for k := 0; k < n; k++ {
		v := make([]float64, 8642)
		for i := range v {
			v[i] = float64((i*7+k)%1000) / 8
		}
		b.Set(fmt.Sprintf("bench.host%03d.value", k), start, 10, v)
	}
	return b
}

func BenchmarkRenderJSON(b *testing.B) {
	h := NewHandler(benchBackend(100), &Options{Now: func() time.Time { return testNow }})
	req := httptest.NewRequest("GET", "/render?target=bench.*.value&from=-1d&format=json", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	b.SetBytes(int64(rec.Body.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
	}
	b.ReportMetric(float64(100*8640)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

func BenchmarkRenderPickle(b *testing.B) {
	h := NewHandler(benchBackend(100), &Options{Now: func() time.Time { return testNow }})
	req := httptest.NewRequest("GET", "/render?target=bench.*.value&from=-1d&format=pickle&local=1", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
	}
	b.ReportMetric(float64(100*8640)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

func BenchmarkSumSeries(b *testing.B) {
	be := benchBackend(100)
	now := testNow.Unix()
	b.ReportAllocs()
	for b.Loop() {
		out, err := evalForTest(be, "sumSeries(bench.*.value)", now-86400, now, now)
		if err != nil || len(out) != 1 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(100*8640)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

func BenchmarkParseTarget(b *testing.B) {
	const target = `aliasSub(sumSeries(scale(servers.{web01,web02}.cpu.*, 0.5), movingAverage(servers.db*.load, '5min')), "(^.*$)", "\1 A")`
	b.SetBytes(int64(len(target)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseTarget(target); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGlobMatch(b *testing.B) {
	g, _ := CompileGlob("servers.web*.cpu.{user,system}")
	names := []string{"servers.web01.cpu.user", "servers.db01.cpu.user", "servers.web02.cpu.idle", "servers.web03.cpu.system"}
	b.ReportAllocs()
	for b.Loop() {
		for _, n := range names {
			g.Match(n)
		}
	}
}
