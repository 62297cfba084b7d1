package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ringvault/internal/testutil"
)

// pingEnv is a test Env whose clock advances one second per call.
func pingEnv() (*Env, *bytes.Buffer, *bytes.Buffer) {
	env, out, errb := testEnv("")
	var mu sync.Mutex
	clock := time.Unix(1_800_000_000, 0)
	env.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	return env, out, errb
}

// carbonCollector accepts carbon plaintext and returns a function that
// waits for n lines.
func carbonCollector(t *testing.T) (string, func(n int) []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	lines := make(chan string, 1000)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				s := bufio.NewScanner(c)
				for s.Scan() {
					lines <- s.Text()
				}
			}()
		}
	}()
	return ln.Addr().String(), func(n int) []string {
		var got []string
		deadline := time.After(5 * time.Second)
		for len(got) < n {
			select {
			case l := <-lines:
				got = append(got, l)
			case <-deadline:
				t.Fatalf("carbon got %d of %d lines: %q", len(got), n, got)
			}
		}
		return got
	}
}

func tcpListener(t *testing.T) (open, closed string) {
	return testutil.AcceptingListener(t), testutil.ClosedAddr(t)
}

// TestPingTCPIntoLogsAndCarbon probes an open and a closed local port for
// three rounds in both log formats and checks the logs (through pinglog
// dump) and the carbon lines.
func TestPingTCPIntoLogsAndCarbon(t *testing.T) {
	open, closed := tcpListener(t)
	carbonAddr, waitLines := carbonCollector(t)
	for _, format := range []string{"v4", "v3"} {
		dir := t.TempDir()
		env, out, errb := pingEnv()
		o := &pingOpts{interval: 0, timeout: 2 * time.Second, count: 3, dir: dir, format: format,
			carbon: carbonAddr, prefix: "ping", source: "test", maxRecords: 100, flushEvery: 1}
		if code := runPing(context.Background(), env, o, []string{"tcp://" + open, closed}); code != 0 {
			t.Fatalf("%s: exit %d: %s", format, code, errb)
		}
		if !strings.Contains(out.String(), "--- "+closed+": 3 probes, 3 lost (100.0%)") ||
			!strings.Contains(out.String(), "--- tcp://"+open+": 3 probes, 0 lost") {
			t.Fatalf("%s summary:\n%s", format, out)
		}
		lines := waitLines(3*2 + 3)
		var lat, loss int
		for _, l := range lines {
			f := strings.Fields(l)
			if len(f) != 3 || strings.Count(f[0], ".") != 2 || !strings.HasPrefix(f[0], "ping.tcp___127_0_0_1_") && !strings.HasPrefix(f[0], "ping.127_0_0_1_") {
				t.Fatalf("carbon line %q", l)
			}
			switch {
			case strings.HasSuffix(f[0], ".latency_ms"):
				lat++
			case strings.HasSuffix(f[0], ".loss"):
				loss++
			}
		}
		if lat != 3 || loss != 6 {
			t.Fatalf("%s: %d latency and %d loss lines, want 3 and 6: %q", format, lat, loss, lines)
		}
		for name, wantLost := range map[string]bool{"tcp://" + open: false, closed: true} {
			d, all := dumpJSONOf(t, filepath.Join(dir, pingLogName(name)))
			if len(d.Records) != 3 {
				t.Fatalf("%s %s: %d records", format, name, len(d.Records))
			}
			for i, r := range d.Records {
				lost := r[1] == nil || (format == "v3" && *r[1] == 65535)
				if lost != wantLost {
					t.Fatalf("%s %s record %d: %v", format, name, i, r[1])
				}
				if i > 0 && *r[0] <= *d.Records[i-1][0] {
					t.Fatalf("%s: times not increasing: %v", format, d.Records)
				}
			}
			if format == "v4" && (all["target"] != name || all["source"] != "test") {
				t.Fatalf("v4 identity %v %v", all["source"], all["target"])
			}
		}
		// A second run appends to the same logs.
		env2, _, errb2 := pingEnv()
		o.carbon = ""
		if code := runPing(context.Background(), env2, o, []string{closed}); code != 0 {
			t.Fatalf("second run: %s", errb2)
		}
		if d, _ := dumpJSONOf(t, filepath.Join(dir, pingLogName(closed))); len(d.Records) != 6 {
			t.Fatalf("%s after a second run: %d records, want 6", format, len(d.Records))
		}
	}
}

// TestPingOneWriter: a log another process holds locked is refused.
func TestPingOneWriter(t *testing.T) {
	_, closed := tcpListener(t)
	dir := t.TempDir()
	f, err := os.OpenFile(filepath.Join(dir, pingLogName(closed)), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	env, _, errb := pingEnv()
	o := &pingOpts{timeout: time.Second, count: 1, dir: dir, format: "v4", maxRecords: 100, flushEvery: 1}
	if code := runPing(context.Background(), env, o, []string{closed}); code != 1 || !strings.Contains(errb.String(), "another process is writing") {
		t.Fatalf("exit %d: %s", code, errb)
	}
}

// TestPingICMPLoopback pings 127.0.0.1 (datagram ICMP, or raw as root).
func TestPingICMPLoopback(t *testing.T) {
	if _, err := pingProbe("127.0.0.1", false); err != nil {
		t.Skipf("no ICMP socket allowed here: %v", err)
	}
	env, out, errb := pingEnv()
	code := pingMain(env, []string{"--count", "2", "--interval", "0", "--dir", t.TempDir(), "127.0.0.1"})
	if code != 0 || !strings.Contains(out.String(), "--- 127.0.0.1: 2 probes, 0 lost") {
		t.Fatalf("exit %d\n%s%s", code, out, errb)
	}
}

func TestPingUsage(t *testing.T) {
	env, out, _ := pingEnv()
	if code := pingMain(env, []string{"--help"}); code != 0 || !strings.Contains(out.String(), "--carbon") {
		t.Fatalf("help: %d", code)
	}
	env, _, errb := pingEnv()
	if code := pingMain(env, []string{"--format", "v9", "x"}); code != 2 || !strings.Contains(errb.String(), "v4 or v3") {
		t.Fatalf("bad format: %d %s", code, errb)
	}
}

// TestPingSignalFlushes runs ping until this process gets SIGTERM, with
// --flush-every larger than the run, and requires every probed round in
// the log: shutdown flushes.
func TestPingSignalFlushes(t *testing.T) {
	open, _ := tcpListener(t)
	dir := t.TempDir()
	env, out, errb := pingEnv()
	var once sync.Once
	calls := 0
	now := env.Now
	env.Now = func() time.Time {
		calls++ // called once per round by the loop (and once per log at open)
		if calls == 20 {
			once.Do(func() { syscall.Kill(os.Getpid(), syscall.SIGTERM) })
		}
		return now()
	}
	code := pingMain(env, []string{"--interval", "0", "--flush-every", "1000", "--dir", dir, "--quiet", open})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	var probes int
	if _, err := fmt.Sscanf(out.String(), "--- "+open+": %d probes", &probes); err != nil || probes < 10 {
		t.Fatalf("summary %q (%v)", out, err)
	}
	d, _ := dumpJSONOf(t, filepath.Join(dir, pingLogName(open)))
	if len(d.Records) != probes {
		t.Fatalf("log has %d records, %d probes were made", len(d.Records), probes)
	}
}
