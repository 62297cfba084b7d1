package prober

import (
	"errors"
	"net"
	"os"
	"time"
)

// TCP probes by opening a TCP connection: the RTT is the time the
// three-way handshake took. A refused connection or no answer before the
// deadline is a loss.
type TCP struct {
	addr string
	now  func() time.Time
}

// NewTCP returns a TCP-connect probe of addr ("host:port"). now is the
// clock measuring the RTT (nil: time.Now).
func NewTCP(addr string, now func() time.Time) *TCP {
	if now == nil {
		now = time.Now
	}
	return &TCP{addr: addr, now: now}
}

// Probe connects once and closes the connection.
func (p *TCP) Probe(_ int, deadline time.Time) (time.Duration, error) {
	d := net.Dialer{Deadline: deadline}
	start := p.now()
	c, err := d.Dial("tcp", p.addr)
	rtt := p.now().Sub(start)
	if err != nil {
		var ne net.Error
		if errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
			return 0, ErrTimeout
		}
		return 0, err
	}
	c.Close()
	return rtt, nil
}

// Close does nothing: TCP probes hold no socket between probes.
func (p *TCP) Close() error { return nil }
