package graphite

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// testNow is the fixed clock of the handler tests.
var testNow = time.Unix(1700000000, 0)

func testBackend() *MemBackend {
	b := NewMemBackend()
	start := testNow.Unix() - 86400*2
	mk := func(n int, f func(i int) float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = f(i)
		}
		return v
	}
	n := 2*86400/60 + 10
	b.Set("servers.web01.cpu.user", start, 60, mk(n, func(i int) float64 { return float64(i % 100) }))
	b.Set("servers.web01.cpu.system", start, 60, mk(n, func(i int) float64 {
		if i%7 == 0 {
			return math.NaN()
		}
		return float64(i%13) * 1.5
	}))
	b.Set("servers.web02.cpu.user", start, 60, mk(n, func(i int) float64 { return float64(i%50) + 0.25 }))
	b.Set("servers.web02.cpu.system", start, 120, mk(n/2, func(i int) float64 { return float64(i%17) - 3 }))
	b.Set("servers.web02.requests", start, 10, mk(n*6, func(i int) float64 { return float64(i * 3) }))
	return b
}

func testHandler() http.Handler {
	return NewHandler(testBackend(), &Options{Now: func() time.Time { return testNow }})
}

func get(t *testing.T, h http.Handler, path string) (*http.Response, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

func TestRenderJSONShape(t *testing.T) {
	h := testHandler()
	q := url.Values{"target": {"servers.web01.cpu.*"}, "from": {"-5min"}, "format": {"json"}}
	res, body := get(t, h, "/render?"+q.Encode())
	if res.StatusCode != 200 {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
	var out []struct {
		Target     string            `json:"target"`
		Tags       map[string]string `json:"tags"`
		Datapoints [][2]*float64     `json:"datapoints"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if len(out) != 2 || out[0].Target != "servers.web01.cpu.system" || out[1].Target != "servers.web01.cpu.user" {
		t.Fatalf("targets: %s", body)
	}
	if out[0].Tags["name"] != "servers.web01.cpu.system" || len(out[0].Datapoints) != 5 {
		t.Errorf("tags/points: %s", body)
	}
	if !strings.HasPrefix(string(body), `[{"target": "servers.web01.cpu.system", "tags": {"name": "servers.web01.cpu.system"}, "datapoints": [[`) {
		t.Errorf("key order or spacing differs from graphite-web: %.120s", body)
	}
	last := out[1].Datapoints[4]
	if *last[1] != float64(testNow.Unix()-testNow.Unix()%60) {
		t.Errorf("last timestamp %v", *last[1])
	}
}

func TestRenderUnknownFunction(t *testing.T) {
	res, body := get(t, testHandler(), "/render?format=json&target=noSuchFunc(servers.*)")
	if res.StatusCode != 400 || !strings.Contains(string(body), `"noSuchFunc"`) {
		t.Errorf("status %d body %s", res.StatusCode, body)
	}
}
