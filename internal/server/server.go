// Package server wires "ringvault serve": carbon listeners (plaintext TCP
// and UDP, pickle, protobuf) feed the store, and one HTTP listener serves
// graphite-web's API over the same store, Prometheus /metrics and
// /healthz. Listeners know nothing of storage (they write to a Sink) and
// parsers know nothing of sockets (internal/carbon); this file connects
// them. Operator documentation: docs/serve.md.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"ringvault/internal/carbon"
	"ringvault/internal/graphite"
	"ringvault/internal/store"
)

// Server is a running "ringvault serve".
type Server struct {
	cfg   Config
	store *store.Store
	in    *ingest
	stats []*listenerStats
	http  *http.Server

	listeners []net.Listener
	packets   []net.PacketConn
	httpDone  chan struct{}

	// Bound addresses (nil when the listener is off), for tests and the
	// startup line; ports given as :0 are resolved here.
	CarbonAddr, PickleAddr, ProtobufAddr, HTTPAddr net.Addr
	UDPAddr                                        net.Addr

	shutdownOnce sync.Once
	shutdownErr  error
	cancel       context.CancelFunc
}

// Start opens the store and every configured listener and returns at
// once; the server runs until Shutdown. Addresses may use port 0.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxFrameBytes <= 0 {
		cfg.MaxFrameBytes = carbon.MaxFrameLength
	}
	schemas, aggs, err := loadRules(cfg)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(store.Options{
		Dir: cfg.DataDir, Schemas: schemas, Aggregations: aggs,
		CacheMaxPoints: cfg.CacheMaxPoints, MaxCreatesPerMinute: cfg.MaxCreatesPerMinute,
		MaxUpdatesPerSecond: cfg.MaxUpdatesPerSecond, Workers: cfg.Workers,
		Sparse: cfg.Sparse, Fallocate: cfg.Fallocate, Lock: cfg.Lock,
		Now: cfg.Now, Logger: cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Server{cfg: cfg, store: st, cancel: cancel, httpDone: make(chan struct{})}
	s.in = &ingest{
		sink: storeSink{st}, log: cfg.Logger, now: cfg.Now, idle: cfg.IdleTimeout.Duration,
		maxFrame: cfg.MaxFrameBytes, maxConns: int64(cfg.MaxConnections), ctx: rctx,
		logInvalid: rate.Sometimes{First: 10, Interval: 10 * time.Second},
		conns:      map[net.Conn]struct{}{},
	}
	if err := s.listen(); err != nil {
		s.closeListeners()
		st.Close(context.Background())
		cancel()
		return nil, err
	}
	return s, nil
}

// loadRules reads the schema and aggregation files, logging the sections
// carbon would skip.
func loadRules(cfg Config) ([]store.Schema, []store.Aggregation, error) {
	schemas, warns, err := store.LoadSchemas(cfg.Schemas)
	if err != nil {
		return nil, nil, err
	}
	for _, w := range warns {
		cfg.Logger.Warn("invalid schema skipped", "file", w.File, "section", w.Section, "err", w.Err)
	}
	aggs, warns, err := store.LoadAggregations(cfg.Aggregation)
	if err != nil {
		return nil, nil, err
	}
	for _, w := range warns {
		cfg.Logger.Warn("invalid aggregation rule skipped", "file", w.File, "section", w.Section, "err", w.Err)
	}
	return schemas, aggs, nil
}

// Reload rereads the storage-schemas.conf and storage-aggregation.conf
// files for metrics created from now on. On an error the old rules stay.
func (s *Server) Reload() error {
	schemas, aggs, err := loadRules(s.cfg)
	if err != nil {
		return err
	}
	s.store.SetRules(schemas, aggs)
	return nil
}

func (s *Server) listen() error {
	cfg := s.cfg
	tcp := []struct {
		addr   string
		name   string
		bound  *net.Addr
		handle func(net.Conn, *listenerStats)
	}{
		{cfg.CarbonAddr, "plaintext-tcp", &s.CarbonAddr, s.in.plaintextConn},
		{cfg.PickleAddr, "pickle", &s.PickleAddr, s.in.framedConn(carbon.ParsePickle)},
		{cfg.ProtobufAddr, "protobuf", &s.ProtobufAddr, s.in.framedConn(carbon.ParseProtobuf)},
	}
	for _, t := range tcp {
		if t.addr == "" {
			continue
		}
		l, err := net.Listen("tcp", t.addr)
		if err != nil {
			return fmt.Errorf("%s listener: %w", t.name, err)
		}
		s.listeners = append(s.listeners, l)
		*t.bound = l.Addr()
		st := &listenerStats{name: t.name}
		s.stats = append(s.stats, st)
		s.in.wg.Add(1)
		go s.in.serveTCP(l, st, t.handle)
	}
	if cfg.UDPAddr != "" {
		pc, err := net.ListenPacket("udp", cfg.UDPAddr)
		if err != nil {
			return fmt.Errorf("plaintext-udp listener: %w", err)
		}
		s.packets = append(s.packets, pc)
		s.UDPAddr = pc.LocalAddr()
		st := &listenerStats{name: "plaintext-udp"}
		s.stats = append(s.stats, st)
		s.in.wg.Add(1)
		go s.in.serveUDP(pc, st)
	}
	if cfg.HTTPAddr != "" {
		l, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("http listener: %w", err)
		}
		s.HTTPAddr = l.Addr()
		s.http = &http.Server{
			Handler:           s.Handler(),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       time.Minute,
			IdleTimeout:       2 * time.Minute,
			ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
		}
		go func() {
			defer close(s.httpDone)
			if err := s.http.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.cfg.Logger.Error("http server stopped", "err", err)
			}
		}()
	} else {
		close(s.httpDone)
	}
	return nil
}

// Handler is the HTTP API: graphite-web's endpoints over the store,
// Prometheus text at /metrics (without a query parameter; with one it is
// graphite-web's /metrics find alias) and /healthz.
func (s *Server) Handler() http.Handler {
	g := graphite.NewHandler(backend{s.store}, &graphite.Options{Now: s.cfg.Now, Logger: s.cfg.Logger})
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" || r.Method == http.MethodPost {
			g.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		s.writeMetrics(w)
	})
	mux.Handle("/", g)
	return mux
}

// Store returns the server's store (tests read it directly).
func (s *Server) Store() *store.Store { return s.store }

func (s *Server) closeListeners() {
	for _, l := range s.listeners {
		l.Close()
	}
	for _, p := range s.packets {
		p.Close()
	}
}

// Shutdown stops accepting, lets open carbon connections hand over what
// they already sent, stops HTTP and writes every cached point to disk.
// It returns when all is persisted or ctx ends (points still cached are
// then lost, and the error says how many).
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdownOnce.Do(func() {
		s.closeListeners()
		s.store.Drain()
		s.in.drainConns(200 * time.Millisecond)
		done := make(chan struct{})
		go func() { s.in.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
		}
		s.cancel()
		if s.http != nil {
			s.http.Shutdown(ctx)
		}
		<-s.httpDone
		s.shutdownErr = s.store.Close(ctx)
	})
	return s.shutdownErr
}

// storeSink adapts the store to the listeners' Sink.
type storeSink struct{ st *store.Store }

func (k storeSink) Put(m carbon.Metric) error {
	err := k.st.Add(m.Name, m.Timestamp, m.Value)
	if errors.Is(err, store.ErrCacheFull) {
		return ErrFull
	}
	return err
}

func (k storeSink) Wait(ctx context.Context) error { return k.st.WaitSpace(ctx) }
func (k storeSink) Dropped(n int)                  { k.st.Dropped(n) }

// backend adapts the store to graphite.Backend.
type backend struct{ st *store.Store }

func (b backend) Find(ctx context.Context, pattern string) ([]graphite.Node, error) {
	g, err := graphite.CompileGlob(pattern)
	if err != nil {
		return nil, err
	}
	nodes, err := b.st.Find(ctx, g)
	if err != nil {
		return nil, err
	}
	out := make([]graphite.Node, len(nodes))
	for i, n := range nodes {
		out[i] = graphite.Node{Path: n.Path, Leaf: n.Leaf}
	}
	return out, nil
}

func (b backend) Fetch(ctx context.Context, name string, from, until, now int64) (*graphite.SeriesData, error) {
	ser, err := b.st.Fetch(name, from, until, now)
	if err != nil || ser == nil {
		return nil, err
	}
	return &graphite.SeriesData{
		Name: name, Start: ser.From, Step: ser.Step, Values: ser.Values,
		End: ser.From + int64(len(ser.Values))*ser.Step,
	}, nil
}
