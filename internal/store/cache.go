package store

import (
	"hash/maphash"
	"slices"
	"sync"

	"ringvault/whisper"
)

// cache is the write-back cache: points per metric not yet on disk,
// sharded by a hash of the name so that ingest goroutines rarely contend.
// An entry holds two lists: pending (received, not yet taken by a
// persister) and inflight (being written right now). Readers see both, so
// a point is visible from the moment it is accepted until it is on disk
// and beyond.
type cache struct {
	seed   maphash.Seed
	shards []shard
}

type shard struct {
	mu      sync.Mutex
	entries map[string]*entry
	// queue holds entries with pending points that no persister has
	// taken yet, oldest first.
	queue []*entry
	_     [40]byte // keep shards on separate cache lines
}

type entry struct {
	name     string
	pending  []whisper.Point
	inflight []whisper.Point
	queued   bool // in the shard queue or being written
}

const numShards = 256

func newCache() *cache {
	c := &cache{seed: maphash.MakeSeed(), shards: make([]shard, numShards)}
	for i := range c.shards {
		c.shards[i].entries = make(map[string]*entry)
	}
	return c
}

func (c *cache) shard(name string) *shard {
	return &c.shards[maphash.String(c.seed, name)%numShards]
}

// add appends one point and reports whether the entry became queued (so a
// persister should be woken).
func (c *cache) add(name string, p whisper.Point) (queuedNew bool) {
	s := c.shard(name)
	s.mu.Lock()
	e := s.entries[name]
	if e == nil {
		e = &entry{name: name}
		s.entries[name] = e
	}
	e.pending = append(e.pending, p)
	if !e.queued {
		e.queued = true
		s.queue = append(s.queue, e)
		queuedNew = true
	}
	s.mu.Unlock()
	return queuedNew
}

// take moves the pending points of the oldest queued entry of shard i to
// inflight and returns the entry, or nil if the shard has nothing queued.
func (c *cache) take(i int) (*entry, []whisper.Point) {
	s := &c.shards[i]
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return nil, nil
	}
	e := s.queue[0]
	s.queue[0] = nil
	s.queue = s.queue[1:]
	if len(s.queue) == 0 {
		s.queue = nil // let the backing array go
	}
	e.inflight, e.pending = e.pending, nil
	return e, e.inflight
}

// done ends a write of e's inflight points: they are on disk (or
// dropped). The entry is queued again if points arrived meanwhile, and
// removed when it is empty.
func (c *cache) done(e *entry) {
	s := c.shard(e.name)
	s.mu.Lock()
	e.inflight = nil
	if len(e.pending) > 0 {
		s.queue = append(s.queue, e)
	} else {
		e.queued = false
		delete(s.entries, e.name)
	}
	s.mu.Unlock()
}

// get returns copies of the cached points of name: the batch being
// written now and the points that will be written after it. Each later
// batch overwrites an earlier one's slots on disk.
func (c *cache) get(name string) [][]whisper.Point {
	s := c.shard(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entries[name]
	if e == nil {
		return nil
	}
	var out [][]whisper.Point
	for _, b := range [][]whisper.Point{e.inflight, e.pending} {
		if len(b) > 0 {
			out = append(out, append([]whisper.Point(nil), b...))
		}
	}
	return out
}

// names calls f with the name of every cached metric.
func (c *cache) names(f func(string)) {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		names := make([]string, 0, len(s.entries))
		for n := range s.entries {
			names = append(names, n)
		}
		s.mu.Unlock()
		for _, n := range names {
			f(n)
		}
	}
}

// dedupe sorts points by timestamp and keeps, for every timestamp, the
// last one received: carbon's cache is a dict per metric, so a later point
// for the same second replaces an earlier one (carbon#916), whereas one
// whisper update_many call would keep the first.
func dedupe(pts []whisper.Point) []whisper.Point {
	slices.SortStableFunc(pts, func(a, b whisper.Point) int {
		switch {
		case a.Timestamp < b.Timestamp:
			return -1
		case a.Timestamp > b.Timestamp:
			return 1
		}
		return 0
	})
	out := pts[:0]
	for i, p := range pts {
		if i+1 < len(pts) && pts[i+1].Timestamp == p.Timestamp {
			continue
		}
		out = append(out, p)
	}
	return out
}
