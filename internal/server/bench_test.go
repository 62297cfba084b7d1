package server

import (
	"bytes"
	"fmt"
	"net"
	"testing"
	"time"
)

// BenchmarkPlaintextTCP measures carbon plaintext ingest over loopback
// into the cache (persisters held): one connection, 1,000 metrics.
func BenchmarkPlaintextTCP(b *testing.B) {
	s := startServerB(b)
	var payload bytes.Buffer
	const lines = 100000
	for i := range lines {
		fmt.Fprintf(&payload, "bench.host%03d.cpu%02d.value %d.5 %d\n", i%1000/100, i%100, i, now-int64(i/1000)*60)
	}
	st := s.Store()
	b.SetBytes(int64(payload.Len()))
	b.ReportAllocs()
	var sent int64
	for b.Loop() {
		c, err := net.Dial("tcp", s.CarbonAddr.String())
		if err != nil {
			b.Fatal(err)
		}
		c.Write(payload.Bytes())
		c.(*net.TCPConn).CloseWrite()
		c.Read(make([]byte, 1)) // returns when the server has read everything and closed
		c.Close()
		sent += lines
		for st.Stats().Received < sent {
			time.Sleep(time.Millisecond)
		}
	}
	b.ReportMetric(float64(sent)/b.Elapsed().Seconds(), "points/s")
}
