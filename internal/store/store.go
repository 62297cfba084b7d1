// Package store is the engine behind "ringvault serve": it keeps one
// whisper file per metric under a data directory, laid out as carbon does
// (dots become directories), with a write-back cache in front.
//
// Points are accepted into a sharded in-memory cache bounded by a number
// of points (a full cache refuses points: TCP listeners wait, UDP drops
// and counts). Persister goroutines take each metric's pending points and
// write them with one whisper UpdateMany per flush, creating files with
// the archives and aggregation that carbon's storage-schemas.conf and
// storage-aggregation.conf select (first match wins), within carbon's
// rate limits (MAX_CREATES_PER_MINUTE, MAX_UPDATES_PER_SECOND). Fetch
// merges cached, not-yet-written points with the file the way
// graphite-web's merge_with_cache does, and Find matches graphite globs
// against the directory tree and the cache.
//
// Operator documentation: docs/serve.md.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"ringvault/whisper"
)

// Errors Add returns.
var (
	// ErrCacheFull means the cache holds Options.CacheMaxPoints points;
	// the caller waits (WaitSpace) or drops the point.
	ErrCacheFull = errors.New("store: cache full")
	// ErrClosed means the store is shutting down.
	ErrClosed = errors.New("store: closed")
	// ErrTimestamp marks a timestamp no whisper file can hold (outside
	// 0 .. 2^32-1).
	ErrTimestamp = errors.New("store: timestamp outside the whisper range")
)

// Options configure a Store; the zero value of each field means its
// default.
type Options struct {
	// Dir is the data directory (default "./data").
	Dir string
	// Schemas and Aggregations select archives and aggregation for new
	// files; nil means carbon's built-in defaults (DefaultSchema,
	// DefaultAggregation).
	Schemas      []Schema
	Aggregations []Aggregation
	// CacheMaxPoints bounds the cache (default 10,000,000 points, about
	// 16 bytes a point plus the map entry of each metric); carbon's MAX_CACHE_SIZE.
	CacheMaxPoints int
	// MaxCreatesPerMinute limits new files (carbon's
	// MAX_CREATES_PER_MINUTE); points of a metric whose file cannot be
	// created yet are dropped and counted, as carbon does. 0 = unlimited.
	MaxCreatesPerMinute int
	// MaxUpdatesPerSecond limits UpdateMany calls (carbon's
	// MAX_UPDATES_PER_SECOND); 0 = unlimited. Points wait in the cache.
	MaxUpdatesPerSecond int
	// Workers is the number of persister goroutines (default 4).
	Workers int
	// Sparse and Fallocate choose how new files are created (carbon's
	// WHISPER_SPARSE_CREATE, WHISPER_FALLOCATE_CREATE).
	Sparse, Fallocate bool
	// Lock takes flock on writes (carbon's WHISPER_LOCK_WRITES).
	Lock bool
	// MaxOpenFiles bounds the whisper files kept open between flushes
	// (default 2048).
	MaxOpenFiles int
	// Mmap maps open files instead of using pread/pwrite.
	Mmap bool
	// Now is the clock (default time.Now); whisper's "now" for writes.
	Now func() time.Time
	// Logger gets creates and write errors (default slog.Default()).
	Logger *slog.Logger
}

// Store is an open data directory with its cache and persisters.
type Store struct {
	opts    Options
	cache   *cache
	files   *handles
	rules   atomic.Pointer[rules] // schemas and aggregations, swapped by SetRules
	size    atomic.Int64          // points in the cache (pending + inflight)
	closed  atomic.Bool
	drain   atomic.Bool // shutting down: no rate limits
	creates *rate.Limiter
	updates *rate.Limiter

	wake chan struct{} // a persister may have work

	// hold is read-locked around every write; tests write-lock it to
	// keep points in the cache.
	hold sync.RWMutex

	spaceMu sync.Mutex
	spaceCh chan struct{} // closed when the cache has room again

	ctx     context.Context // cancelled when Close starts
	cancel  context.CancelFunc
	stop    chan struct{}
	workers sync.WaitGroup
	st      stats
}

// Open starts a store on opts.Dir (created if missing) with its persister
// goroutines.
func Open(opts Options) (*Store, error) {
	if opts.Dir == "" {
		opts.Dir = "data"
	}
	if opts.Schemas == nil {
		opts.Schemas = []Schema{DefaultSchema()}
	}
	if opts.Aggregations == nil {
		opts.Aggregations = []Aggregation{DefaultAggregation()}
	}
	if opts.CacheMaxPoints <= 0 {
		opts.CacheMaxPoints = 10_000_000
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxOpenFiles <= 0 {
		opts.MaxOpenFiles = 2048
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("store: data directory: %w", err)
	}
	s := &Store{
		opts:    opts,
		cache:   newCache(),
		files:   newHandles(opts.MaxOpenFiles, time.Minute),
		creates: limiter(float64(opts.MaxCreatesPerMinute)/60, opts.MaxCreatesPerMinute),
		updates: limiter(float64(opts.MaxUpdatesPerSecond), opts.MaxUpdatesPerSecond),
		wake:    make(chan struct{}, opts.Workers),
		stop:    make(chan struct{}),
	}
	s.rules.Store(&rules{opts.Schemas, opts.Aggregations})
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.st.init()
	for i := range opts.Workers {
		s.workers.Add(1)
		go s.persister(i)
	}
	return s, nil
}

func limiter(perSecond float64, burst int) *rate.Limiter {
	if burst <= 0 {
		return rate.NewLimiter(rate.Inf, 0)
	}
	return rate.NewLimiter(rate.Limit(perSecond), burst)
}

type rules struct {
	schemas []Schema
	aggs    []Aggregation
}

// SetRules replaces the schemas and aggregations used for files created
// from now on (carbon rereads its files every minute; "ringvault serve"
// rereads them on SIGHUP). Existing files keep their archives, as in
// carbon. nil means carbon's defaults.
func (s *Store) SetRules(schemas []Schema, aggs []Aggregation) {
	if schemas == nil {
		schemas = []Schema{DefaultSchema()}
	}
	if aggs == nil {
		aggs = []Aggregation{DefaultAggregation()}
	}
	s.rules.Store(&rules{schemas, aggs})
}

// match returns the schema and aggregation carbon's rules give name.
func (s *Store) match(name string) (Schema, Aggregation) {
	r := s.rules.Load()
	schema, _ := MatchSchema(r.schemas, name)
	return schema, MatchAggregation(r.aggs, name)
}

// Dir returns the data directory.
func (s *Store) Dir() string { return s.opts.Dir }

// Add accepts one point for name into the cache. It returns
// ErrInvalidName, ErrTimestamp, ErrCacheFull (nothing stored; wait with
// WaitSpace and retry, or drop) or ErrClosed. NaN values are the caller's
// to drop (carbon drops them before the cache).
func (s *Store) Add(name string, ts int64, value float64) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if ts < 0 || ts > math.MaxUint32 {
		s.st.invalid.Add(1)
		return fmt.Errorf("%w: %d for %q", ErrTimestamp, ts, clip(name))
	}
	if err := ValidateName(name); err != nil {
		s.st.invalid.Add(1)
		return err
	}
	if s.size.Load() >= int64(s.opts.CacheMaxPoints) {
		return ErrCacheFull
	}
	s.size.Add(1)
	s.st.received.Add(1)
	if s.cache.add(name, whisper.Point{Timestamp: ts, Value: value}) {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return nil
}

// Dropped records n points the caller dropped because the cache was full
// (UDP), so /metrics counts them with the store's own drops.
func (s *Store) Dropped(n int) { s.st.dropped.Add(int64(n)) }

// WaitSpace blocks until the cache has room or ctx ends: the back-pressure
// a TCP listener applies instead of dropping.
func (s *Store) WaitSpace(ctx context.Context) error {
	for s.size.Load() >= int64(s.opts.CacheMaxPoints) {
		if s.closed.Load() {
			return ErrClosed
		}
		s.spaceMu.Lock()
		if s.spaceCh == nil {
			s.spaceCh = make(chan struct{})
		}
		ch := s.spaceCh
		s.spaceMu.Unlock()
		if s.size.Load() < int64(s.opts.CacheMaxPoints) {
			break
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.stop:
			return ErrClosed
		}
	}
	return nil
}

// release removes n points from the cache count and wakes waiters.
func (s *Store) release(n int) {
	if s.size.Add(int64(-n)) < int64(s.opts.CacheMaxPoints) {
		s.spaceMu.Lock()
		if s.spaceCh != nil {
			close(s.spaceCh)
			s.spaceCh = nil
		}
		s.spaceMu.Unlock()
	}
}

// CacheSize returns the number of points waiting in the cache.
func (s *Store) CacheSize() int { return int(s.size.Load()) }

// Flush waits until the cache is empty (every point written or dropped)
// or ctx ends. The rate limits still apply; Close lifts them.
func (s *Store) Flush(ctx context.Context) error {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for s.size.Load() > 0 {
		s.kick()
		select {
		case <-ctx.Done():
			return fmt.Errorf("store: flush: %d points still cached: %w", s.size.Load(), ctx.Err())
		case <-t.C:
		}
	}
	return nil
}

func (s *Store) kick() {
	for range s.opts.Workers {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// Drain lifts the rate limits for good, as carbon does when it stops:
// a shutdown calls it first so that what is still arriving and what is
// cached reach disk quickly.
func (s *Store) Drain() {
	s.drain.Store(true)
	s.cancel()
	s.kick()
}

// Close stops accepting points, writes everything still cached (without
// rate limits, as carbon does when it stops) and stops the persisters.
// If ctx ends first, the points left are lost and Close says how many.
func (s *Store) Close(ctx context.Context) error {
	if s.closed.Swap(true) {
		return nil
	}
	s.Drain()
	err := s.Flush(ctx)
	close(s.stop)
	s.workers.Wait()
	s.files.closeAll()
	return err
}
