package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ringvault/internal/carbon"
	"ringvault/internal/store"
	"ringvault/internal/testutil"
	"ringvault/whisper"
)

const now = 1700000040

func startServer(t *testing.T, mod func(*Config)) *Server {
	t.Helper()
	return startServerTB(t, mod)
}

func startServerB(b *testing.B) *Server {
	return startServerTB(b, func(c *Config) { c.CacheMaxPoints = 1 << 30 })
}

func startServerTB(t testing.TB, mod func(*Config)) *Server {
	t.Helper()
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.CarbonAddr, cfg.UDPAddr, cfg.PickleAddr, cfg.ProtobufAddr, cfg.HTTPAddr =
		"127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.Now = func() time.Time { return time.Unix(now, 0) }
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if mod != nil {
		mod(&cfg)
	}
	s, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return s
}

// waitReceived polls the store until it has accepted n points (network
// delivery is asynchronous; the deadline keeps a failure short).
func waitReceived(t *testing.T, s *Server, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.Store().Stats().Received < n {
		if time.Now().After(deadline) {
			t.Fatalf("store received %d points, want %d", s.Store().Stats().Received, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func send(t *testing.T, network string, addr net.Addr, data []byte) {
	t.Helper()
	c, err := net.Dial(network, addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(data); err != nil {
		t.Fatal(err)
	}
}

func pythonPickleFrame(t *testing.T, metrics string) []byte {
	t.Helper()
	py := testutil.Python(t)
	out, err := exec.Command(py, "-c", `
import pickle, struct, sys
data = pickle.dumps(`+metrics+`, protocol=2)
sys.stdout.buffer.write(struct.pack("!L", len(data)) + data)
`).Output()
	if err != nil {
		t.Fatalf("python pickle: %v", err)
	}
	return out
}

type renderSeries struct {
	Target     string        `json:"target"`
	Datapoints [][2]*float64 `json:"datapoints"`
}

func render(t *testing.T, s *Server, query string) []renderSeries {
	t.Helper()
	resp, err := http.Get("http://" + s.HTTPAddr.String() + "/render?format=json&" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("render %s: %d %s", query, resp.StatusCode, body)
	}
	var out []renderSeries
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("render %s: %v\n%s", query, err, body)
	}
	return out
}

// valuesAt maps timestamp → value of the non-null points.
func valuesAt(r renderSeries) map[int64]float64 {
	m := map[int64]float64{}
	for _, dp := range r.Datapoints {
		if dp[0] != nil {
			m[int64(*dp[1])] = *dp[0]
		}
	}
	return m
}

// TestEndToEnd sends points over every protocol, reads them back through
// the graphite API (from the cache, then from disk) and reads the whisper
// files with the real python whisper.
func TestEndToEnd(t *testing.T) {
	py := testutil.Python(t, "whisper")
	s := startServer(t, nil)
	send(t, "tcp", s.CarbonAddr, []byte(fmt.Sprintf("e2e.tcp 1.5 %d\ne2e.tcp  2.5\t%d\nbad line\ne2e.tcp nan %d\ne2e.tcp 9 -1\n", now-120, now-60, now-60)))
	send(t, "udp", s.UDPAddr, []byte(fmt.Sprintf("e2e.udp 3 %d\r\ne2e.udp 4 %d", now-120, now-60)))
	send(t, "tcp", s.PickleAddr, pythonPickleFrame(t, fmt.Sprintf(`[("e2e.pickle", (%d, 5.0)), ("e2e.pickle", (%d, 6))]`, now-120, now-60)))
	send(t, "tcp", s.ProtobufAddr, carbon.AppendFrame(nil, carbon.AppendProtobuf(nil, []carbon.Metric{{Name: "e2e.pb", Timestamp: now - 120, Value: 7}, {Name: "e2e.pb", Timestamp: now - 60, Value: 8}})))
	waitReceived(t, s, 9)

	check := func(stage string) {
		for name, want := range map[string]map[int64]float64{
			"e2e.tcp":    {now - 120: 1.5, now - 60: 2.5, now: 9},
			"e2e.udp":    {now - 120: 3, now - 60: 4},
			"e2e.pickle": {now - 120: 5, now - 60: 6},
			"e2e.pb":     {now - 120: 7, now - 60: 8},
		} {
			res := render(t, s, "target="+name+"&from="+strconv.Itoa(now-300)+"&until="+strconv.Itoa(now))
			if len(res) != 1 {
				t.Fatalf("%s: render %s gave %d series", stage, name, len(res))
			}
			got := valuesAt(res[0])
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: %s = %v, want %v", stage, name, got, want)
			}
		}
	}
	check("cache or disk")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Store().Flush(ctx); err != nil {
		t.Fatal(err)
	}
	check("disk")

	out, err := exec.Command(py, "-c", `
import sys, whisper
for p in sys.argv[1:]:
    (f, u, st), vals = whisper.fetch(p, `+strconv.Itoa(now-180)+`, `+strconv.Itoa(now)+`, now=`+strconv.Itoa(now)+`)
    print(vals)
`, store.Path(s.cfg.DataDir, "e2e.tcp"), store.Path(s.cfg.DataDir, "e2e.pickle")).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	if want := "[1.5, 2.5, 9.0]\n[5.0, 6.0, None]\n"; string(out) != want {
		t.Errorf("python whisper reads\n%s\nwant\n%s", out, want)
	}

	// Find through the API sees the tree.
	resp, err := http.Get("http://" + s.HTTPAddr.String() + "/metrics/find?query=e2e.*&format=completer")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, n := range []string{"e2e.tcp", "e2e.udp", "e2e.pickle", "e2e.pb"} {
		if !strings.Contains(string(body), `"`+n+`"`) {
			t.Errorf("find e2e.* lacks %s: %s", n, body)
		}
	}

	metrics := get(t, s, "/metrics")
	for _, want := range []string{
		`ringvault_carbon_points_received_total{listener="plaintext-tcp"} 3`,
		`ringvault_carbon_invalid_total{listener="plaintext-tcp"} 1`,
		`ringvault_carbon_nan_dropped_total{listener="plaintext-tcp"} 1`,
		`ringvault_carbon_points_received_total{listener="pickle"} 2`,
		`ringvault_carbon_points_received_total{listener="protobuf"} 2`,
		`ringvault_carbon_points_received_total{listener="plaintext-udp"} 2`,
		"ringvault_store_points_persisted_total 9",
		"ringvault_store_cache_points 0",
		"ringvault_store_write_duration_seconds_count",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, metrics)
		}
	}
	if h := get(t, s, "/healthz"); h != "ok\n" {
		t.Errorf("/healthz = %q", h)
	}
}

func get(t *testing.T, s *Server, path string) string {
	t.Helper()
	resp, err := http.Get("http://" + s.HTTPAddr.String() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestHostileInput: over-long lines, a 100 MB length prefix, garbage and
// code-executing pickles, and a slow client do not crash the server, do
// not make it allocate the announced size, and leave it serving.
func TestHostileInput(t *testing.T) {
	s := startServer(t, func(c *Config) { c.IdleTimeout = Duration{300 * time.Millisecond} })

	// A 20 KiB line: carbon (and ringvault) close the connection.
	c, err := net.Dial("tcp", s.CarbonAddr.String())
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte(strings.Repeat("x", 20000) + " 1 1\n"))
	expectClosed(t, c)

	// An unterminated 100 MB stream without newline is cut at the limit.
	big, _ := net.Dial("tcp", s.CarbonAddr.String())
	go func() {
		chunk := make([]byte, 1<<20)
		for range 100 {
			if _, err := big.Write(chunk); err != nil {
				return
			}
		}
	}()
	expectClosed(t, big)

	// 100 MB length prefix on pickle and protobuf: closed at once.
	for _, addr := range []net.Addr{s.PickleAddr, s.ProtobufAddr} {
		c, _ = net.Dial("tcp", addr.String())
		c.Write([]byte{0x06, 0x00, 0x00, 0x00, 0x80})
		expectClosed(t, c)
	}

	// A pickle that would run os.system, then a good frame on the same
	// connection: the bad one is skipped, the good one stored.
	evil := pythonPickleFrame(t, `__import__("os").system`)
	good := pythonPickleFrame(t, fmt.Sprintf(`[("after.evil", (%d, 1))]`, now))
	send(t, "tcp", s.PickleAddr, append(append(evil, 0, 0, 0, 3, 'a', 'b', 'c'), good...))

	// Slowloris: a client that sends nothing is dropped after the idle timeout.
	c, _ = net.Dial("tcp", s.CarbonAddr.String())
	c.Write([]byte("slow.metric 1"))
	expectClosed(t, c)

	// Names that would escape the data directory are refused.
	send(t, "tcp", s.CarbonAddr, []byte(fmt.Sprintf("../../etc/passwd 1 %d\na/b 1 %d\nok.after 1 %d\n", now, now, now)))
	waitReceived(t, s, 2)
	m := get(t, s, "/metrics")
	for _, want := range []string{
		`ringvault_carbon_connections_closed_oversize_total{listener="plaintext-tcp"} 2`,
		`ringvault_carbon_connections_closed_oversize_total{listener="pickle"} 1`,
		`ringvault_carbon_invalid_total{listener="pickle"} 3`,
		`ringvault_carbon_invalid_total{listener="plaintext-tcp"} 4`,
		`ringvault_store_points_dropped_total{reason="invalid"} 2`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	matches, _ := filepath.Glob(filepath.Join(s.cfg.DataDir, "..", "etc*"))
	if len(matches) > 0 {
		t.Errorf("escaped the data dir: %v", matches)
	}
}

func expectClosed(t *testing.T, c net.Conn) {
	t.Helper()
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 1)
	if _, err := c.Read(buf); err == nil {
		t.Fatal("connection still open")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("server did not close the connection")
	}
}

// TestBackPressureAndUDPDrops: with a tiny cache and the persisters
// stopped, TCP senders wait (nothing lost) while UDP points are dropped
// and counted; once writes resume everything sent over TCP is stored.
func TestBackPressureAndUDPDrops(t *testing.T) {
	s := startServer(t, func(c *Config) { c.CacheMaxPoints = 10; c.MaxUpdatesPerSecond = 1 })
	st := s.Store()
	var lines strings.Builder
	for i := range 50 {
		fmt.Fprintf(&lines, "bp.m%d %d %d\n", i, i, now)
	}
	send(t, "tcp", s.CarbonAddr, []byte(lines.String()))
	waitReceived(t, s, 10) // the cache fills; the reader now waits
	var udp strings.Builder
	for i := range 20 {
		fmt.Fprintf(&udp, "bp.udp%d 1 %d\n", i, now)
	}
	send(t, "udp", s.UDPAddr, []byte(udp.String()))
	deadline := time.Now().Add(10 * time.Second)
	for st.Stats().Dropped == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if st.Stats().Dropped == 0 {
		t.Fatal("UDP points were not dropped on a full cache")
	}
	// Shutdown lifts the rate limit and writes everything the TCP sender
	// handed over.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	stats := st.Stats()
	if stats.Persisted != stats.Received || stats.CachePoints != 0 {
		t.Errorf("after shutdown: %+v", stats)
	}
	for i := range 50 {
		ser, err := st.Fetch("bp.m"+strconv.Itoa(i), now-60, now, now)
		if err != nil || ser == nil || ser.Values[len(ser.Values)-1] != float64(i) {
			t.Fatalf("bp.m%d after shutdown: %+v %v", i, ser, err)
		}
	}
}

// TestShutdownPersistsEverything: points accepted just before SIGTERM are
// on disk when Shutdown returns, even with a strict update rate limit.
func TestShutdownPersistsEverything(t *testing.T) {
	s := startServer(t, func(c *Config) { c.MaxUpdatesPerSecond = 1; c.MaxCreatesPerMinute = 1 })
	var b strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, "sd.m%d %d %d\n", i%40, i, now-60*int64(i/40))
	}
	send(t, "tcp", s.CarbonAddr, []byte(b.String()))
	waitReceived(t, s, 200)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	st := s.Store().Stats()
	if st.Persisted+st.DroppedCreates != 200 {
		t.Errorf("persisted %d + dropped by the create limit %d != 200", st.Persisted, st.DroppedCreates)
	}
}

// TestReloadRules: after the schema file changes and Reload, new metrics
// get the new archives; a broken file keeps the old rules.
func TestReloadRules(t *testing.T) {
	dir := t.TempDir()
	schemas := filepath.Join(dir, "storage-schemas.conf")
	os.WriteFile(schemas, []byte("[a]\npattern = .\nretentions = 10s:1h\n"), 0o644)
	s := startServer(t, func(c *Config) { c.Schemas = schemas })
	st := s.Store()
	st.Add("r.one", now, 1)
	os.WriteFile(schemas, []byte("[a]\npattern = .\nretentions = 1m:1d\n"), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := st.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(schemas, []byte("[a]\nretentions = 1m:1d\n"), 0o644)
	if err := s.Reload(); err == nil {
		t.Error("Reload of a broken file succeeded")
	}
	st.Add("r.two", now, 1)
	if err := st.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for name, step := range map[string]uint32{"r.one": 10, "r.two": 60} {
		h, err := whisper.Info(store.Path(s.cfg.DataDir, name))
		if err != nil || h.Archives[0].SecondsPerPoint != step {
			t.Errorf("%s: %+v %v, want step %d", name, h, err, step)
		}
	}
}

// TestLineLengthBoundary: a line of exactly 16,384 bytes is read (as by
// Twisted's LineOnlyReceiver, MAX_LENGTH = 16384) and the connection
// stays open; one byte more closes it.
func TestLineLengthBoundary(t *testing.T) {
	s := startServer(t, nil)
	line := func(n int) string {
		l := fmt.Sprintf("long.x 1 %d", now)
		return l + strings.Repeat(" ", n-len(l)) + "\n" // trailing spaces are whitespace
	}
	c, err := net.Dial("tcp", s.CarbonAddr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte(line(16384) + fmt.Sprintf("after.long 2 %d\n", now)))
	waitReceived(t, s, 2)
	c2, _ := net.Dial("tcp", s.CarbonAddr.String())
	c2.Write([]byte(line(16385) + fmt.Sprintf("never.stored 3 %d\n", now)))
	expectClosed(t, c2)
	if ser, _ := s.Store().Fetch("never.stored", now-60, now, now); ser != nil {
		t.Errorf("a line after the over-long one was stored")
	}
}
