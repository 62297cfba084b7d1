package store

import (
	"sync/atomic"
	"time"
)

// Stats are the store's counters since Open, for /metrics.
type Stats struct {
	Received       int64 // points accepted into the cache
	Persisted      int64 // points given to whisper UpdateMany successfully
	Dropped        int64 // points refused because the cache was full (reported by listeners)
	DroppedCreates int64 // points dropped because MaxCreatesPerMinute was reached
	Invalid        int64 // points refused for their name or timestamp
	WriteErrors    int64 // points lost to failed creates or writes
	Creates        int64 // whisper files created
	Updates        int64 // UpdateMany calls
	CachePoints    int64 // points in the cache now
	CacheMax       int64 // the cache bound
	// WriteLatency is a histogram of UpdateMany durations: Buckets[i]
	// counts calls that took at most LatencyBounds[i] (cumulative, as
	// Prometheus wants), WriteSeconds their total.
	Buckets      []int64
	WriteSeconds float64
}

// LatencyBounds are the upper bounds in seconds of Stats.Buckets.
var LatencyBounds = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}

type stats struct {
	received, persisted, dropped, droppedCreates, invalid, writeErrors atomic.Int64
	creates, updates, writeNanos                                       atomic.Int64
	buckets                                                            []atomic.Int64
}

func (st *stats) init() { st.buckets = make([]atomic.Int64, len(LatencyBounds)) }

func (st *stats) observe(d time.Duration) {
	st.updates.Add(1)
	st.writeNanos.Add(int64(d))
	sec := d.Seconds()
	for i, b := range LatencyBounds {
		if sec <= b {
			st.buckets[i].Add(1)
			return
		}
	}
}

// Stats returns a snapshot of the counters.
func (s *Store) Stats() Stats {
	st := &s.st
	out := Stats{
		Received: st.received.Load(), Persisted: st.persisted.Load(), Dropped: st.dropped.Load(),
		DroppedCreates: st.droppedCreates.Load(), Invalid: st.invalid.Load(), WriteErrors: st.writeErrors.Load(),
		Creates: st.creates.Load(), Updates: st.updates.Load(),
		CachePoints: s.size.Load(), CacheMax: int64(s.opts.CacheMaxPoints),
		WriteSeconds: time.Duration(st.writeNanos.Load()).Seconds(),
		Buckets:      make([]int64, len(st.buckets)),
	}
	var cum int64
	for i := range st.buckets {
		cum += st.buckets[i].Load()
		out.Buckets[i] = cum
	}
	return out
}
