package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"ringvault/internal/carbon"
)

// ErrFull is what a Sink returns when it has no room for a point.
var ErrFull = errors.New("server: sink full")

// Sink receives parsed points. Listeners know nothing else of storage.
type Sink interface {
	// Put stores one point, or returns ErrFull (nothing stored) or
	// another error (the point is refused and counted as invalid).
	Put(m carbon.Metric) error
	// Wait blocks until Put may succeed again or ctx ends (TCP
	// back-pressure).
	Wait(ctx context.Context) error
	// Dropped counts points a listener dropped because the sink was full.
	Dropped(n int)
}

// listenerStats are one listener's counters, for /metrics.
type listenerStats struct {
	name, proto string
	points      atomic.Int64 // accepted by the sink
	invalid     atomic.Int64 // invalid lines, frames or refused points
	nan         atomic.Int64 // NaN values dropped silently
	dropped     atomic.Int64 // dropped because the sink was full (UDP)
	conns       atomic.Int64 // connections accepted
	open        atomic.Int64 // connections open now
	closedBad   atomic.Int64 // connections closed for an over-long line or frame
}

// ingest holds what every listener shares.
type ingest struct {
	sink        Sink
	log         *slog.Logger
	now         func() time.Time
	idle        time.Duration // read deadline between data
	maxFrame    int
	maxConns    int64
	logInvalid  rate.Sometimes // carbon logs every invalid line; we log a sample
	ctx         context.Context
	wg          sync.WaitGroup
	mu          sync.Mutex
	conns       map[net.Conn]struct{}
	stopReading atomic.Bool
}

func (in *ingest) track(c net.Conn, add bool) {
	in.mu.Lock()
	if add {
		in.conns[c] = struct{}{}
	} else {
		delete(in.conns, c)
	}
	in.mu.Unlock()
}

// drainConns makes every open connection's next read time out shortly,
// so handlers finish what the kernel already holds and return.
func (in *ingest) drainConns(grace time.Duration) {
	in.stopReading.Store(true)
	in.mu.Lock()
	for c := range in.conns {
		c.SetReadDeadline(time.Now().Add(grace))
	}
	in.mu.Unlock()
}

// put hands one point to the sink, waiting for room when block is set.
func (in *ingest) put(st *listenerStats, m carbon.Metric, block bool) {
	for {
		err := in.sink.Put(m)
		switch {
		case err == nil:
			st.points.Add(1)
			return
		case errors.Is(err, ErrFull):
			if !block {
				st.dropped.Add(1)
				in.sink.Dropped(1)
				return
			}
			if in.sink.Wait(in.ctx) != nil {
				st.dropped.Add(1)
				in.sink.Dropped(1)
				return
			}
		default:
			st.invalid.Add(1)
			in.logInvalid.Do(func() { in.log.Warn("point refused", "listener", st.name, "metric", m.Name, "err", err) })
			return
		}
	}
}

// line parses one plaintext line, counting and logging as carbon's lineReceived does.
func (in *ingest) line(st *listenerStats, peer string, line []byte, block bool) {
	if len(bytes.TrimSpace(line)) == 0 {
		// carbon logs a blank line as invalid (0 fields); ringvault skips
		// it silently (a deliberate, documented difference).
		return
	}
	m, err := carbon.ParseLine(line, in.now().Unix())
	if err != nil {
		if errors.Is(err, carbon.ErrNaN) {
			st.nan.Add(1)
			return
		}
		st.invalid.Add(1)
		in.logInvalid.Do(func() {
			if len(line) > 400 {
				line = append(line[:400:400], "..."...)
			}
			in.log.Warn("invalid line received from client, ignoring", "listener", st.name, "peer", peer, "line", string(line), "err", err)
		})
		return
	}
	in.put(st, m, block)
}

// serveTCP accepts connections on l and runs handle for each, within the
// connection limit.
func (in *ingest) serveTCP(l net.Listener, st *listenerStats, handle func(net.Conn, *listenerStats)) {
	defer in.wg.Done()
	for {
		c, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			in.log.Warn("accept failed", "listener", st.name, "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if in.maxConns > 0 && st.open.Load() >= in.maxConns {
			in.log.Warn("too many connections; closing new one", "listener", st.name, "peer", c.RemoteAddr().String(), "limit", in.maxConns)
			c.Close()
			continue
		}
		st.conns.Add(1)
		st.open.Add(1)
		in.track(c, true)
		in.wg.Add(1)
		go func() {
			defer in.wg.Done()
			defer st.open.Add(-1)
			defer in.track(c, false)
			defer c.Close()
			handle(c, st)
		}()
	}
}

// deadline arms the idle read deadline unless a shutdown set a shorter one.
func (in *ingest) deadline(c net.Conn) {
	if in.idle > 0 && !in.stopReading.Load() {
		c.SetReadDeadline(time.Now().Add(in.idle))
	}
}

// plaintextConn reads carbon lines from one TCP connection. A line longer
// than carbon.MaxLineLength closes the connection (Twisted's
// LineOnlyReceiver does the same); an unterminated last line is
// discarded, as carbon does.
func (in *ingest) plaintextConn(c net.Conn, st *listenerStats) {
	peer := c.RemoteAddr().String()
	r := bufio.NewReaderSize(c, 64<<10)
	for {
		if r.Buffered() == 0 {
			in.deadline(c)
		}
		line, err := r.ReadSlice('\n')
		if err == nil {
			if len(line)-1 > carbon.MaxLineLength {
				in.tooLong(st, peer, len(line)-1)
				return
			}
			in.line(st, peer, line[:len(line)-1], true)
			continue
		}
		if errors.Is(err, bufio.ErrBufferFull) || len(line) > carbon.MaxLineLength {
			in.tooLong(st, peer, len(line))
			return
		}
		if !errors.Is(err, io.EOF) && !in.stopReading.Load() {
			in.log.Debug("connection closed", "listener", st.name, "peer", peer, "err", err)
		}
		return
	}
}

func (in *ingest) tooLong(st *listenerStats, peer string, n int) {
	st.invalid.Add(1)
	st.closedBad.Add(1)
	in.log.Warn("line longer than the limit; closing connection", "listener", st.name, "peer", peer, "bytes", n, "limit", carbon.MaxLineLength)
}

// framedConn reads 4-byte length-prefixed frames (pickle or protobuf). An
// over-long frame closes the connection; an undecodable one is logged and
// skipped, as carbon does.
func (in *ingest) framedConn(parse func([]byte, int64, []carbon.Metric) ([]carbon.Metric, int, error)) func(net.Conn, *listenerStats) {
	return func(c net.Conn, st *listenerStats) {
		peer := c.RemoteAddr().String()
		r := bufio.NewReaderSize(c, 64<<10)
		var buf []byte
		var ms []carbon.Metric
		for {
			in.deadline(c)
			var err error
			buf, err = carbon.ReadFrame(r, buf, in.maxFrame)
			if err != nil {
				if errors.Is(err, carbon.ErrFrameTooLarge) {
					st.invalid.Add(1)
					st.closedBad.Add(1)
					in.log.Warn("frame too large; closing connection", "listener", st.name, "peer", peer, "err", err)
				}
				return
			}
			var skipped int
			ms, skipped, err = parse(buf, in.now().Unix(), ms[:0])
			if err != nil {
				st.invalid.Add(1)
				in.logInvalid.Do(func() {
					in.log.Warn("invalid frame received, ignoring", "listener", st.name, "peer", peer, "bytes", len(buf), "err", err)
				})
				continue
			}
			st.invalid.Add(int64(skipped))
			for _, m := range ms {
				in.put(st, m, true)
			}
			if cap(buf) > 4<<20 {
				buf = nil // do not keep a huge buffer for an idle connection
			}
		}
	}
}

// serveUDP reads datagrams, each split into lines (Python's
// bytes.splitlines). A full sink drops and counts: UDP has no
// back-pressure.
func (in *ingest) serveUDP(pc net.PacketConn, st *listenerStats) {
	defer in.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, addr, err := pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		peer := addr.String()
		data := buf[:n]
		for len(data) > 0 {
			i := bytes.IndexAny(data, "\r\n")
			var line []byte
			if i < 0 {
				line, data = data, nil
			} else {
				line = data[:i]
				if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
					i++
				}
				data = data[i+1:]
			}
			in.line(st, peer, line, false)
		}
	}
}
