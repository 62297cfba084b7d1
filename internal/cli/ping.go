package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"ringvault/internal/prober"
	"ringvault/pinglog"
	"ringvault/storage"
)

func init() {
	Register(&Tool{Name: "ping", Summary: "probe targets (ICMP echo or TCP connect) into PING logs and carbon", Run: pingMain})
}

const pingSynopsis = `[options] TARGET...

Probes every TARGET once per --interval and appends each result to
DIR/<target>.ping (version 4 by default; --format v3 writes the original
ping-server format). A TARGET is a host name or IP address (ICMP echo:
unprivileged datagram ICMP where /proc/sys/net/ipv4/ping_group_range allows
it, a raw socket otherwise, which needs root or CAP_NET_RAW) or
tcp://HOST:PORT / HOST:PORT (TCP connect time; a refused or unanswered
connection is a loss). With --carbon, latency and loss also go to a carbon
plaintext listener (such as ringvault serve) as PREFIX.TARGET.latency_ms
and PREFIX.TARGET.loss (0 or 1), TARGET with every character other than
letters, digits and - turned into _ (127.0.0.1 -> 127_0_0_1). SIGINT or SIGTERM stops
after the current round and flushes every log.`

type pingOpts struct {
	interval, timeout time.Duration
	count             int
	dir, format       string
	carbon, prefix    string
	source            string
	maxRecords        uint64
	flushEvery        int
	privileged, quiet bool
}

func pingMain(env *Env, args []string) int {
	fs := flag.NewFlagSet("ringvault ping", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: ringvault ping %s\n\nOptions:\n", pingSynopsis)
		fs.PrintDefaults()
	}
	var o pingOpts
	fs.DurationVar(&o.interval, "interval", time.Second, "time between probe rounds (0: back to back)")
	fs.DurationVar(&o.timeout, "timeout", time.Second, "how long to wait for each answer")
	fs.IntVar(&o.count, "count", 0, "rounds to run, 0 for until interrupted")
	fs.StringVar(&o.dir, "dir", ".", "folder for the logs, one per target")
	fs.StringVar(&o.format, "format", "v4", "log format: v4 or v3")
	fs.StringVar(&o.carbon, "carbon", "", "also send results to this carbon plaintext `HOST:PORT`")
	fs.StringVar(&o.prefix, "prefix", "ping", "carbon metric prefix")
	fs.StringVar(&o.source, "source", "", "series source name stored in version-4 logs (default: host name)")
	fs.Uint64Var(&o.maxRecords, "max-records", pinglog.DefaultMaxRecords, "log capacity in records (7 days at 1/s)")
	fs.IntVar(&o.flushEvery, "flush-every", 1, "version 4: flush (write and sync the unfinished block) every N rounds")
	fs.BoolVar(&o.privileged, "privileged", false, "use raw ICMP sockets even where datagram ICMP is allowed")
	fs.BoolVar(&o.quiet, "quiet", false, "print only the summary")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(env.Stdout)
			fs.Usage()
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 || (o.format != "v4" && o.format != "v3") || o.timeout <= 0 || o.interval < 0 || o.flushEvery < 1 {
		fmt.Fprintln(env.Stderr, "ringvault ping: need at least one TARGET, --format v4 or v3, --timeout > 0, --interval >= 0, --flush-every >= 1")
		fs.Usage()
		return 2
	}
	if o.source == "" {
		o.source, _ = os.Hostname()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runPing(ctx, env, &o, fs.Args())
}

func runPing(ctx context.Context, env *Env, o *pingOpts, targets []string) int {
	loop := &prober.Loop{Interval: o.interval, Timeout: o.timeout, Count: o.count, Now: env.Now}
	logs := map[string]pingSink{}
	stats := map[string]*pingStats{}
	closeAll := func() int {
		code := 0
		for _, name := range targets {
			if l := logs[name]; l != nil {
				if err := l.Close(); err != nil {
					fmt.Fprintf(env.Stderr, "ringvault ping: %s: %v\n", name, err)
					code = 1
				}
			}
		}
		loop.Close()
		return code
	}
	for _, name := range targets {
		p, err := pingProbe(name, o.privileged)
		if err != nil {
			closeAll()
			return pingFailCmd(env, err)
		}
		loop.Targets = append(loop.Targets, prober.Target{Name: name, Probe: p})
		l, err := openPingSink(o, name, env.Now().Unix())
		if err != nil {
			closeAll()
			return pingFailCmd(env, err)
		}
		logs[name], stats[name] = l, &pingStats{min: math.Inf(1)}
	}
	carbon := &carbonSink{addr: o.carbon, prefix: o.prefix, env: env}
	defer carbon.Close()
	rounds := 0
	loop.Sink = func(r prober.Result) error {
		ms := math.Round(float64(r.RTT.Nanoseconds())/1e3) / 1e3 // microsecond resolution
		stats[r.Target].add(ms, r.Lost)
		if !o.quiet {
			if r.Lost {
				fmt.Fprintf(env.Stdout, "%s seq=%d lost (%v)\n", r.Target, r.Seq, r.Err)
			} else {
				fmt.Fprintf(env.Stdout, "%s seq=%d time=%.3f ms\n", r.Target, r.Seq, ms)
			}
		}
		if err := logs[r.Target].Append(r.Time, ms, r.Lost, errors.Is(r.Err, prober.ErrTimeout)); err != nil {
			return fmt.Errorf("%s: %w", r.Target, err)
		}
		carbon.send(r, ms)
		if r.Target == targets[len(targets)-1] {
			rounds++
			if rounds%o.flushEvery == 0 {
				for _, l := range logs {
					if err := l.Flush(); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	err := loop.Run(ctx)
	code := closeAll()
	for _, name := range targets {
		s := stats[name]
		fmt.Fprintf(env.Stdout, "--- %s: %d probes, %d lost (%.1f%%)", name, s.n, s.lost, 100*float64(s.lost)/math.Max(float64(s.n), 1))
		if s.n > s.lost {
			fmt.Fprintf(env.Stdout, ", min/avg/max = %.3f/%.3f/%.3f ms", s.min, s.sum/float64(s.n-s.lost), s.max)
		}
		fmt.Fprintln(env.Stdout)
	}
	if err != nil {
		return pingFailCmd(env, err)
	}
	return code
}

func pingFailCmd(env *Env, err error) int {
	fmt.Fprintf(env.Stderr, "ringvault ping: %v\n", err)
	return 1
}

// pingProbe makes the probe for a target argument: TCP, or ICMP through
// a datagram socket, falling back to a raw one.
func pingProbe(arg string, privileged bool) (prober.Probe, error) {
	p, err := prober.Parse(arg, prober.ICMPOptions{Privileged: privileged})
	if err != nil && !privileged {
		if p2, err2 := prober.Parse(arg, prober.ICMPOptions{Privileged: true}); err2 == nil {
			return p2, nil
		}
		return nil, fmt.Errorf("%w (datagram ICMP needs your group in /proc/sys/net/ipv4/ping_group_range; raw ICMP needs root or CAP_NET_RAW; or probe tcp://HOST:PORT)", err)
	}
	return p, err
}

type pingStats struct {
	n, lost       int
	min, max, sum float64
}

func (s *pingStats) add(ms float64, lost bool) {
	s.n++
	if lost {
		s.lost++
		return
	}
	s.min, s.max, s.sum = math.Min(s.min, ms), math.Max(s.max, ms), s.sum+ms
}

// pingLogName is the log file name for a target.
func pingLogName(target string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, target) + ".ping"
}

// pingSink is one target's log.
type pingSink interface {
	Append(t time.Time, ms float64, lost, timeout bool) error
	Flush() error
	Close() error
}

type v4Sink struct {
	l  *pinglog.Log4
	ms bool // times in milliseconds
}

func (s *v4Sink) Append(t time.Time, ms float64, lost, timeout bool) error {
	ts := t.Unix()
	if s.ms {
		ts = t.UnixMilli()
	}
	if lost {
		return s.l.Append(pinglog.Record4{Time: ts, Lost: true, Timeout: timeout})
	}
	return s.l.Append(pinglog.Record4{Time: ts, Value: ms})
}
func (s *v4Sink) Flush() error { return s.l.Flush() }
func (s *v4Sink) Close() error { return s.l.Close() }

type v3Sink struct{ l *pinglog.Log3 }

func (s *v3Sink) Append(t time.Time, ms float64, lost, _ bool) error {
	return s.l.Append(uint32(t.Unix()), uint64(pinglog.SecondsToShort(ms/1000, !lost)))
}
func (s *v3Sink) Flush() error { return s.l.Sync() }
func (s *v3Sink) Close() error {
	err := s.l.Sync()
	if cerr := s.l.Close(); err == nil {
		err = cerr
	}
	return err
}

// openPingSink opens (or creates) the target's log in the chosen format.
func openPingSink(o *pingOpts, target string, now int64) (pingSink, error) {
	path := filepath.Join(o.dir, pingLogName(target))
	f, err := storage.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	// One writer per log: a second `ringvault ping` on the same file would
	// interleave blocks. Readers take no lock.
	if err := f.TryLock(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: another process is writing this log: %w", path, err)
	}
	size, err := f.Size()
	if err != nil {
		f.Close()
		return nil, err
	}
	sink, err := pingSinkOn(f, o, target, now, size == 0)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sink, nil
}

func pingSinkOn(f *storage.OSFile, o *pingOpts, target string, now int64, fresh bool) (pingSink, error) {
	if o.format == "v3" {
		opts := &pinglog.Options3{MaxRecords: o.maxRecords}
		if fresh {
			l, err := pinglog.Create3(f, opts)
			return &v3Sink{l}, err
		}
		l, err := pinglog.Open3(f, opts)
		return &v3Sink{l}, err
	}
	if !fresh {
		l, err := pinglog.Open4(f, nil)
		if err != nil {
			return nil, err
		}
		return &v4Sink{l: l, ms: l.Header().TimeUnit == pinglog.UnitMilliseconds}, nil
	}
	h := pinglog.Header4{ByteOrder: 'L', BlockSize: 8192, MaxPerBlock: 8192, TimeUnit: pinglog.UnitSeconds,
		LatencyUnit: pinglog.UnitMilliseconds, Scale: 1, Created: now, Source: trunc63(o.source), Target: trunc63(target)}
	ms := o.interval%time.Second != 0
	if ms {
		h.TimeUnit, h.Interval = pinglog.UnitMilliseconds, uint32(o.interval.Milliseconds())
	} else {
		h.Interval = uint32(o.interval / time.Second)
	}
	h.Capacity = uint32(max(o.maxRecords/uint64(h.MaxPerBlock)+2, 2))
	l, err := pinglog.Create4(f, h)
	if err != nil {
		return nil, err
	}
	return &v4Sink{l: l, ms: ms}, nil
}

func trunc63(s string) string { return s[:min(len(s), 63)] }

// carbonSink sends results as carbon plaintext lines, reconnecting after
// an error; a carbon outage is reported once and does not stop probing.
type carbonSink struct {
	addr, prefix string
	env          *Env
	conn         net.Conn
	warned       bool
}

func (c *carbonSink) send(r prober.Result, ms float64) {
	if c.addr == "" {
		return
	}
	// One path node per target: dots (IP addresses, host names) become _.
	name := c.prefix + "." + strings.ReplaceAll(strings.TrimSuffix(pingLogName(r.Target), ".ping"), ".", "_")
	loss := 0
	lines := ""
	if r.Lost {
		loss = 1
	} else {
		lines = fmt.Sprintf("%s.latency_ms %.3f %d\n", name, ms, r.Time.Unix())
	}
	lines += fmt.Sprintf("%s.loss %d %d\n", name, loss, r.Time.Unix())
	if c.conn == nil {
		conn, err := net.DialTimeout("tcp", c.addr, 2*time.Second)
		if err != nil {
			c.warn(err)
			return
		}
		c.conn = conn
	}
	c.conn.SetWriteDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.conn.Write([]byte(lines)); err != nil {
		c.warn(err)
		c.conn.Close()
		c.conn = nil
	}
}

func (c *carbonSink) warn(err error) {
	if !c.warned {
		fmt.Fprintf(c.env.Stderr, "ringvault ping: carbon %s: %v (will retry)\n", c.addr, err)
		c.warned = true
	}
}

func (c *carbonSink) Close() {
	if c.conn != nil {
		c.conn.Close()
	}
}
