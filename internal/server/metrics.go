package server

import (
	"fmt"
	"io"
	"strconv"

	"ringvault/internal/store"
)

// writeMetrics writes the Prometheus text exposition format (0.0.4).
func (s *Server) writeMetrics(w io.Writer) {
	st := s.store.Stats()
	counter := func(name, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	gauge := func(name, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %d\n", name, help, name, name, v)
	}
	perListener := func(name, typ, help string, get func(*listenerStats) int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
		for _, l := range s.stats {
			fmt.Fprintf(w, "%s{listener=%q} %d\n", name, l.name, get(l))
		}
	}
	perListener("ringvault_carbon_points_received_total", "counter", "Points parsed and accepted into the cache, per listener.", func(l *listenerStats) int64 { return l.points.Load() })
	perListener("ringvault_carbon_invalid_total", "counter", "Invalid lines, frames or pickled elements and refused points, per listener.", func(l *listenerStats) int64 { return l.invalid.Load() })
	perListener("ringvault_carbon_nan_dropped_total", "counter", "Points dropped for a NaN value (carbon drops them silently).", func(l *listenerStats) int64 { return l.nan.Load() })
	perListener("ringvault_carbon_dropped_total", "counter", "Points dropped because the cache was full (UDP).", func(l *listenerStats) int64 { return l.dropped.Load() })
	perListener("ringvault_carbon_connections_total", "counter", "Connections accepted.", func(l *listenerStats) int64 { return l.conns.Load() })
	perListener("ringvault_carbon_connections_open", "gauge", "Connections open now.", func(l *listenerStats) int64 { return l.open.Load() })
	perListener("ringvault_carbon_connections_closed_oversize_total", "counter", "Connections closed for a line or frame above the limit.", func(l *listenerStats) int64 { return l.closedBad.Load() })

	counter("ringvault_store_points_received_total", "Points accepted into the write-back cache.", st.Received)
	counter("ringvault_store_points_persisted_total", "Points written to whisper files.", st.Persisted)
	fmt.Fprintf(w, "# HELP ringvault_store_points_dropped_total Points lost, by reason.\n# TYPE ringvault_store_points_dropped_total counter\n")
	for _, r := range []struct {
		reason string
		v      int64
	}{{"cache_full", st.Dropped}, {"create_limit", st.DroppedCreates}, {"invalid", st.Invalid}, {"write_error", st.WriteErrors}} {
		fmt.Fprintf(w, "ringvault_store_points_dropped_total{reason=%q} %d\n", r.reason, r.v)
	}
	gauge("ringvault_store_cache_points", "Points in the write-back cache.", st.CachePoints)
	gauge("ringvault_store_cache_max_points", "Bound of the write-back cache.", st.CacheMax)
	counter("ringvault_store_creates_total", "Whisper files created.", st.Creates)
	counter("ringvault_store_updates_total", "Whisper update_many calls.", st.Updates)

	name := "ringvault_store_write_duration_seconds"
	fmt.Fprintf(w, "# HELP %s Duration of one whisper update_many.\n# TYPE %s histogram\n", name, name)
	for i, b := range store.LatencyBounds {
		fmt.Fprintf(w, "%s_bucket{le=%q} %d\n", name, strconv.FormatFloat(b, 'g', -1, 64), st.Buckets[i])
	}
	fmt.Fprintf(w, "%s_bucket{le=\"+Inf\"} %d\n%s_sum %g\n%s_count %d\n", name, st.Updates, name, st.WriteSeconds, name, st.Updates)
}
