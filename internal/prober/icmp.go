package prober

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// ICMPOptions configures ICMP probes.
type ICMPOptions struct {
	// Privileged uses a raw ICMP socket (root or CAP_NET_RAW) instead of
	// an unprivileged datagram one (allowed when the process's group is
	// in /proc/sys/net/ipv4/ping_group_range).
	Privileged bool
	// Now is the clock measuring the RTT (nil: time.Now).
	Now func() time.Time
}

// ICMP is an ICMP echo probe of one address, with its own socket.
type ICMP struct {
	conn   *icmp.PacketConn
	dst    net.Addr
	v6     bool
	raw    bool
	id     int
	token  [8]byte
	now    func() time.Time
	buf    []byte
	target string
}

// NewICMP resolves host and opens an ICMP socket for it.
func NewICMP(host string, opts ICMPOptions) (*ICMP, error) {
	ipa, err := net.ResolveIPAddr("ip", host)
	if err != nil {
		return nil, fmt.Errorf("prober: %s: %w", host, err)
	}
	p := &ICMP{v6: ipa.IP.To4() == nil, raw: opts.Privileged, now: opts.Now, buf: make([]byte, 1500), target: host}
	if p.now == nil {
		p.now = time.Now
	}
	network, listen := "udp4", "0.0.0.0"
	switch {
	case p.v6 && p.raw:
		network, listen = "ip6:ipv6-icmp", "::"
	case p.v6:
		network, listen = "udp6", "::"
	case p.raw:
		network = "ip4:icmp"
	}
	if p.conn, err = icmp.ListenPacket(network, listen); err != nil {
		return nil, fmt.Errorf("prober: ICMP socket (%s) for %s: %w", network, host, err)
	}
	if p.raw {
		p.dst = &net.IPAddr{IP: ipa.IP, Zone: ipa.Zone}
	} else {
		p.dst = &net.UDPAddr{IP: ipa.IP, Zone: ipa.Zone}
	}
	if _, err := rand.Read(p.token[:]); err != nil {
		return nil, err
	}
	p.id = int(p.token[0])<<8 | int(p.token[1])
	return p, nil
}

// Probe sends one echo request and waits for its reply until deadline.
// Replies are matched by sequence number and an 8-byte random token in
// the payload (and by identifier on raw sockets, where every ICMP packet
// of the host arrives).
func (p *ICMP) Probe(seq int, deadline time.Time) (time.Duration, error) {
	var typ icmp.Type = ipv4.ICMPTypeEcho
	proto := 1
	if p.v6 {
		typ, proto = ipv6.ICMPTypeEchoRequest, 58
	}
	seq &= 0xffff
	msg := icmp.Message{Type: typ, Body: &icmp.Echo{ID: p.id, Seq: seq, Data: p.token[:]}}
	b, err := msg.Marshal(nil)
	if err != nil {
		return 0, err
	}
	if err := p.conn.SetReadDeadline(deadline); err != nil {
		return 0, err
	}
	start := p.now()
	if _, err := p.conn.WriteTo(b, p.dst); err != nil {
		return 0, fmt.Errorf("prober: sending echo to %s: %w", p.target, err)
	}
	for {
		n, _, err := p.conn.ReadFrom(p.buf)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return 0, ErrTimeout
			}
			return 0, err
		}
		rtt := p.now().Sub(start)
		m, err := icmp.ParseMessage(proto, p.buf[:n])
		if err != nil {
			continue
		}
		if m.Type != ipv4.ICMPTypeEchoReply && m.Type != ipv6.ICMPTypeEchoReply {
			continue
		}
		e, ok := m.Body.(*icmp.Echo)
		if !ok || e.Seq != seq || !bytes.Equal(e.Data, p.token[:]) || (p.raw && e.ID != p.id) {
			continue
		}
		return rtt, nil
	}
}

// Close closes the socket.
func (p *ICMP) Close() error { return p.conn.Close() }
