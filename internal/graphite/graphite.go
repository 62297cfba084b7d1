// Package graphite serves graphite-web's HTTP API for reading metrics:
// /render (json, csv, raw, pickle, png, svg), /metrics/find, /metrics/expand,
// /metrics/index.json, /version, /functions and a browser page at /.
//
// The package knows nothing of storage: a Backend finds metric names by glob
// and fetches one series. Target expressions (graphite-web's grammar and the
// functions dashboards use) are evaluated here on the fetched series, with
// graphite-web's semantics (webapp/graphite/render/functions.py). The HTTP
// formats and the cluster protocol are described in docs/graphite-api.md.
package graphite

import (
	"context"
	"log/slog"
	"time"
)

// Node is one result of a Backend.Find: a metric path (dot separated) and
// whether it is a leaf (a metric with data) or a branch (it has children).
// A path may be both; Find then returns it twice, once with Leaf set.
type Node struct {
	Path string
	Leaf bool
}

// SeriesData is one fetched series, shaped like graphite-web's TimeSeries:
// Values[i] is the value at Start + i*Step, NaN means null (None), and End
// is exclusive (len(Values) == (End-Start)/Step).
type SeriesData struct {
	Name             string
	Start, End, Step int64
	Values           []float64
}

// Backend is the storage a Handler reads.
type Backend interface {
	// Find returns the nodes matching a graphite glob (per dot-separated
	// node: * ? [..] {a,b}; see CompileGlob), in any order.
	Find(ctx context.Context, pattern string) ([]Node, error)
	// Fetch returns the series of one metric over (from, until] as
	// whisper.fetch does with the given now, or nil if there is none.
	Fetch(ctx context.Context, name string, from, until, now int64) (*SeriesData, error)
}

// Options tune a Handler; a nil *Options means the defaults.
type Options struct {
	// Now is the clock for relative times ("-1h"); default time.Now.
	Now func() time.Time
	// Logger receives request errors; default slog.Default().
	Logger *slog.Logger
	// Version is what /version answers; default "1.1.10" (the
	// graphite-web release whose API this follows), so clients that
	// check the version (Grafana) enable 1.1 features.
	Version string
	// MaxSeries caps the series one /render may fetch (0 = 100000).
	MaxSeries int
	// Location is the time zone for HH:MM_YYYYMMDD times and csv output
	// when the request has no tz parameter; default UTC.
	Location *time.Location
}

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Logger == nil {
		r.Logger = slog.Default()
	}
	if r.Version == "" {
		r.Version = "1.1.10"
	}
	if r.MaxSeries <= 0 {
		r.MaxSeries = 100000
	}
	if r.Location == nil {
		r.Location = time.UTC
	}
	return r
}
