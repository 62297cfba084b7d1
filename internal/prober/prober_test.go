package prober

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"ringvault/internal/testutil"
)

func TestTCPProbe(t *testing.T) {
	open := NewTCP(testutil.AcceptingListener(t), nil)
	rtt, err := open.Probe(0, time.Now().Add(2*time.Second))
	if err != nil || rtt <= 0 || rtt > 2*time.Second {
		t.Fatalf("open port: rtt %v, err %v", rtt, err)
	}
	closed := NewTCP(testutil.ClosedAddr(t), nil)
	if _, err := closed.Probe(0, time.Now().Add(2*time.Second)); err == nil {
		t.Fatal("closed port answered")
	}
	// A deadline already past is a timeout, not a hang.
	if _, err := open.Probe(0, time.Now().Add(-time.Second)); !errors.Is(err, ErrTimeout) {
		t.Fatalf("past deadline: %v, want ErrTimeout", err)
	}
}

// TestLoop runs three rounds over an open and a closed port with a fixed
// clock: results arrive in target order, per round, with the clock's
// times, the closed port lost.
func TestLoop(t *testing.T) {
	clock := time.Unix(1_700_000_000, 0)
	var got []Result
	l := &Loop{
		Targets: []Target{
			{Name: "open", Probe: NewTCP(testutil.AcceptingListener(t), nil)},
			{Name: "closed", Probe: NewTCP(testutil.ClosedAddr(t), nil)},
		},
		Timeout: 2 * time.Second,
		Count:   3,
		Now:     func() time.Time { clock = clock.Add(time.Second); return clock },
		Sink:    func(r Result) error { got = append(got, r); return nil },
	}
	defer l.Close()
	if err := l.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Fatalf("%d results, want 6", len(got))
	}
	for i, r := range got {
		wantName := []string{"open", "closed"}[i%2]
		if r.Target != wantName || r.Seq != i/2 {
			t.Fatalf("result %d: %s seq %d, want %s seq %d", i, r.Target, r.Seq, wantName, i/2)
		}
		if r.Lost != (wantName == "closed") || (r.Lost && r.Err == nil) || (!r.Lost && r.RTT <= 0) {
			t.Fatalf("result %d: %+v", i, r)
		}
		if i%2 == 1 && !r.Time.Equal(got[i-1].Time) {
			t.Fatalf("one round, two times: %v %v", got[i-1].Time, r.Time)
		}
	}
	if got[2].Time.Sub(got[0].Time) != time.Second {
		t.Fatalf("round times %v, %v: the loop did not use its clock", got[0].Time, got[2].Time)
	}
	// A sink error stops the loop; a cancelled context ends it cleanly.
	stop := errors.New("stop")
	l.Count, l.Sink = 0, func(Result) error { return stop }
	if err := l.Run(context.Background()); err != stop {
		t.Fatalf("sink error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l.Sink = func(Result) error { t.Fatal("probe after cancel"); return nil }
	if err := l.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// unprivilegedPingAllowed reads the kernel's ping_group_range.
func unprivilegedPingAllowed() bool {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ping_group_range")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return false
	}
	lo, _ := strconv.Atoi(f[0])
	hi, _ := strconv.Atoi(f[1])
	gid := os.Getgid()
	return lo <= gid && gid <= hi
}

// TestICMPLoopback pings 127.0.0.1 through every socket kind this host
// allows: datagram ICMP when ping_group_range admits our group, raw when
// we may open raw sockets. It skips only if neither is possible.
func TestICMPLoopback(t *testing.T) {
	tried := 0
	for _, privileged := range []bool{false, true} {
		if !privileged && !unprivilegedPingAllowed() {
			t.Logf("unprivileged ICMP not allowed (ping_group_range excludes gid %d)", os.Getgid())
			continue
		}
		p, err := NewICMP("127.0.0.1", ICMPOptions{Privileged: privileged})
		if err != nil {
			if privileged {
				t.Logf("raw ICMP socket not allowed: %v", err)
				continue
			}
			t.Fatalf("ping_group_range allows datagram ICMP but: %v", err)
		}
		tried++
		for seq := 0; seq < 3; seq++ {
			rtt, err := p.Probe(seq, time.Now().Add(2*time.Second))
			if err != nil || rtt <= 0 {
				t.Fatalf("privileged=%v seq %d: rtt %v, err %v", privileged, seq, rtt, err)
			}
		}
		p.Close()
	}
	if tried == 0 {
		t.Skip("neither unprivileged (ping_group_range) nor raw ICMP sockets are allowed here; ICMP untested")
	}
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		arg string
		tcp bool
	}{{"tcp://example.invalid:80", true}, {"127.0.0.1:22", true}, {"[::1]:22", true}} {
		p, err := Parse(c.arg, ICMPOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := p.(*TCP); ok != c.tcp {
			t.Fatalf("%s: %T", c.arg, p)
		}
	}
	if _, err := Parse("no-such-host.invalid", ICMPOptions{}); err == nil {
		t.Fatal("unresolvable host accepted")
	}
}
