package server

import (
	"bytes"
	"fmt"
	"net"
	"testing"
	"time"

	"ringvault/internal/carbon"
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

// BenchmarkPickleTCP measures carbon pickle ingest over loopback:
// protocol-2 frames of 500 points, one connection, 1,000 metrics.
func BenchmarkPickleTCP(b *testing.B) {
	s := startServerB(b)
	var payload []byte
	const frames, per = 200, 500
	for f := range frames {
		ms := make([]carbon.Metric, per)
		for i := range ms {
			k := f*per + i
			ms[i] = carbon.Metric{Name: fmt.Sprintf("bench.host%03d.cpu%02d.value", k%1000/100, k%100), Timestamp: now - int64(k/1000)*60, Value: float64(k)}
		}
		payload = carbon.AppendFrame(payload, carbon.AppendPickle(nil, ms))
	}
	st := s.Store()
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	var sent int64
	for b.Loop() {
		c, err := net.Dial("tcp", s.PickleAddr.String())
		if err != nil {
			b.Fatal(err)
		}
		c.Write(payload)
		c.(*net.TCPConn).CloseWrite()
		c.Read(make([]byte, 1))
		c.Close()
		sent += frames * per
		for st.Stats().Received < sent {
			time.Sleep(time.Millisecond)
		}
	}
	b.ReportMetric(float64(sent)/b.Elapsed().Seconds(), "points/s")
}
