// Package prober measures round-trip latency to targets: ICMP echo
// (unprivileged datagram ICMP where the kernel allows it, a raw socket
// otherwise or on request) and TCP connect, at an interval, with a
// timeout. Results go to a Sink; the package knows nothing of logs or
// carbon (internal/cli wires those).
package prober

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// ErrTimeout is the error of a probe that got no answer before its
// deadline.
var ErrTimeout = errors.New("prober: timeout")

// Result is one probe's outcome.
type Result struct {
	Target string        // the target's name as given
	Seq    int           // round number, from 0
	Time   time.Time     // when the round started (the loop's clock)
	RTT    time.Duration // round-trip time; 0 when Lost
	Lost   bool          // no answer within the timeout, or an error
	Err    error         // why it was lost
}

// Probe sends one probe and waits for its answer until deadline.
type Probe interface {
	Probe(seq int, deadline time.Time) (time.Duration, error)
	Close() error
}

// Target is a named probe.
type Target struct {
	Name  string
	Probe Probe
}

// Loop probes every target once per interval, all targets of a round
// concurrently, and hands the results to Sink in target order.
type Loop struct {
	Targets  []Target
	Interval time.Duration // between round starts; 0 runs rounds back to back
	Timeout  time.Duration // per probe
	Count    int           // rounds to run; 0 means until the context ends
	// Now is the clock for result times (default time.Now). Socket
	// deadlines always use the real clock: they meet the network.
	Now func() time.Time
	// Wait blocks until t or until ctx ends (default: a timer). Tests
	// with Interval 0 never wait.
	Wait func(ctx context.Context, t time.Time) error
	// Sink receives each result; an error stops the loop.
	Sink func(Result) error
}

func defaultWait(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

// Run runs rounds until Count is reached or ctx ends; a round that has
// started is finished and delivered first, so a cancelled loop leaves no
// result half-handled. It returns nil on a clean stop.
func (l *Loop) Run(ctx context.Context) error {
	now, wait := l.Now, l.Wait
	if now == nil {
		now = time.Now
	}
	if wait == nil {
		wait = defaultWait
	}
	if l.Timeout <= 0 {
		return fmt.Errorf("prober: timeout %v, want > 0", l.Timeout)
	}
	start := now()
	results := make([]Result, len(l.Targets))
	for seq := 0; l.Count == 0 || seq < l.Count; seq++ {
		if seq > 0 && l.Interval > 0 {
			if err := wait(ctx, start.Add(time.Duration(seq)*l.Interval)); err != nil {
				return nil
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		t0 := now()
		deadline := time.Now().Add(l.Timeout)
		var wg sync.WaitGroup
		for i, tg := range l.Targets {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rtt, err := tg.Probe.Probe(seq, deadline)
				results[i] = Result{Target: tg.Name, Seq: seq, Time: t0, RTT: rtt, Lost: err != nil, Err: err}
				if err != nil {
					results[i].RTT = 0
				}
			}()
		}
		wg.Wait()
		for _, r := range results {
			if err := l.Sink(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close closes every target's probe.
func (l *Loop) Close() error {
	var errs []error
	for _, t := range l.Targets {
		errs = append(errs, t.Probe.Close())
	}
	return errors.Join(errs...)
}

// Parse turns a target argument into a probe: "tcp://host:port" or
// "host:port" is a TCP-connect probe, anything else (a host name or IP
// address) an ICMP echo probe.
func Parse(arg string, opts ICMPOptions) (Probe, error) {
	if rest, ok := strings.CutPrefix(arg, "tcp://"); ok {
		return NewTCP(rest, opts.Now), nil
	}
	if strings.Count(arg, ":") == 1 || strings.HasPrefix(arg, "[") {
		return NewTCP(arg, opts.Now), nil
	}
	return NewICMP(arg, opts)
}
