package graphite

import (
	"context"
	"sort"
	"strings"
	"sync"
)

// MemBackend is an in-memory Backend for tests and examples: series at a
// fixed step, fetched with whisper's window rule (the slots t with
// floor(from) < t <= floor(until)).
type MemBackend struct {
	mu      sync.RWMutex
	metrics map[string]*memSeries
}

type memSeries struct {
	start, step int64
	values      []float64
}

// NewMemBackend returns an empty MemBackend.
func NewMemBackend() *MemBackend { return &MemBackend{metrics: map[string]*memSeries{}} }

// Set stores a metric whose values[i] is at start + i*step (NaN = none).
func (m *MemBackend) Set(name string, start, step int64, values []float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.metrics[name] = &memSeries{start: start - start%step, step: step, values: values}
}

// Find returns the leaves and branches matching pattern.
func (m *MemBackend) Find(ctx context.Context, pattern string) ([]Node, error) {
	g, err := CompileGlob(pattern)
	if err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	seen := map[Node]bool{}
	var out []Node
	for name := range m.metrics {
		parts := strings.Split(name, ".")
		if len(parts) < g.Len() {
			continue
		}
		prefix := strings.Join(parts[:g.Len()], ".")
		if !g.Match(prefix) {
			continue
		}
		n := Node{Path: prefix, Leaf: len(parts) == g.Len()}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// Fetch returns the values over (from, until] as whisper.fetch does.
func (m *MemBackend) Fetch(ctx context.Context, name string, from, until, now int64) (*SeriesData, error) {
	m.mu.RLock()
	s := m.metrics[name]
	m.mu.RUnlock()
	if s == nil {
		return nil, nil
	}
	fromI := from - pyMod(from, s.step) + s.step
	untilI := until - pyMod(until, s.step) + s.step
	if untilI < fromI {
		untilI = fromI
	}
	d := &SeriesData{Name: name, Start: fromI, End: untilI, Step: s.step}
	for t := fromI; t < untilI; t += s.step {
		v := nan
		if i := (t - s.start) / s.step; t >= s.start && i < int64(len(s.values)) {
			v = s.values[i]
		}
		d.Values = append(d.Values, v)
	}
	return d, nil
}
