package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/time/rate"

	"ringvault/whisper"
)

// persister is one writer goroutine: it walks the shards, takes the
// oldest queued metric of each, and writes all its pending points with one
// UpdateMany. Between rounds with nothing to do it sleeps until Add queues
// a new metric.
func (s *Store) persister(id int) {
	defer s.workers.Done()
	var scratch []whisper.Point
	start := id * (numShards / max(1, s.opts.Workers))
	for {
		worked := false
		for k := range numShards {
			i := (start + k) % numShards
			e, pts := s.cache.take(i)
			if e == nil {
				continue
			}
			worked = true
			scratch = append(scratch[:0], pts...)
			s.hold.RLock()
			s.write(e.name, dedupe(scratch))
			s.hold.RUnlock()
			n := len(pts)
			s.cache.done(e)
			s.release(n)
		}
		if worked {
			continue
		}
		select {
		case <-s.wake:
		case <-s.stop:
			return
		}
	}
}

// write stores points (sorted, one per timestamp) for name, creating its
// file when needed, within the rate limits.
func (s *Store) write(name string, pts []whisper.Point) {
	h, err := s.open(name)
	if errors.Is(err, errCreateLimit) {
		s.st.droppedCreates.Add(int64(len(pts)))
		return
	}
	if err != nil {
		s.st.writeErrors.Add(int64(len(pts)))
		s.opts.Logger.Error("cannot open whisper file; points dropped", "metric", name, "points", len(pts), "err", err)
		return
	}
	defer s.files.release(h)
	if !s.drain.Load() && s.updates.Limit() != rate.Inf {
		s.updates.Wait(s.ctx) // Close cancels ctx: no waiting while draining
	}
	t0 := time.Now()
	err = h.w.UpdateMany(pts, s.opts.Now().Unix())
	s.st.observe(time.Since(t0))
	if err != nil {
		s.st.writeErrors.Add(int64(len(pts)))
		s.opts.Logger.Error("whisper update failed; points dropped", "metric", name, "path", h.w.Name(), "points", len(pts), "err", err)
		return
	}
	s.st.persisted.Add(int64(len(pts)))
}

var errCreateLimit = errors.New("store: create limit reached")

// open returns the metric's open file from the handle cache, opening or
// (within the create limit) creating it.
func (s *Store) open(name string) (*handle, error) {
	if h := s.files.get(name); h != nil {
		return h, nil
	}
	path := Path(s.opts.Dir, name)
	oo := &whisper.OpenOptions{Lock: s.opts.Lock, NoMmap: !s.opts.Mmap}
	w, err := whisper.Open(path, oo)
	if errors.Is(err, fs.ErrNotExist) {
		if !s.drain.Load() && !s.creates.Allow() {
			return nil, errCreateLimit
		}
		if err = s.create(name, path); err == nil {
			w, err = whisper.Open(path, oo)
		}
	}
	if err != nil {
		return nil, err
	}
	return s.files.add(name, w), nil
}

// create makes the whisper file of name with the schema and aggregation
// carbon's rules select. Another writer creating the same file first is
// not an error.
func (s *Store) create(name, path string) error {
	schema, agg := s.match(name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	archives := append([]whisper.ArchiveSpec(nil), schema.Archives...)
	err := whisper.Create(path, archives, &whisper.CreateOptions{
		XFilesFactor:      agg.XFilesFactor,
		AggregationMethod: agg.Method,
		Sparse:            s.opts.Sparse,
		Fallocate:         s.opts.Fallocate,
		Lock:              s.opts.Lock,
	})
	if err != nil && !errors.Is(err, whisper.ErrInvalidConfiguration) {
		return err
	}
	if err == nil {
		s.st.creates.Add(1)
		s.opts.Logger.Debug("created whisper file", "metric", name, "schema", schema.Name, "aggregation", agg.Name, "path", path)
	}
	return nil
}
