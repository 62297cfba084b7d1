package testutil

import (
	"net"
	"testing"
)

// AcceptingListener listens on a loopback TCP port that accepts and at once
// closes every connection until the test ends, and returns its address: a
// target a TCP-connect probe reaches.
func AcceptingListener(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln.Addr().String()
}

// ClosedAddr returns a loopback TCP address nothing listens on (a port that
// was just bound and released), for probes that must fail.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
