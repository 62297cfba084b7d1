package store

import (
	"errors"
	"io/fs"
	"math"
	"slices"

	"ringvault/whisper"
)

// Series is a fetched series: Values[i] is the value at From + i*Step
// (graphite-web's timestamps start at From... see whisper.Series), NaN
// where whisper has None.
type Series struct {
	From, Until, Step int64
	Values            []float64
}

// Fetch reads name over (from, until] as whisper.fetch does with the
// given now, and overlays the points still in the cache as graphite-web's
// merge_with_cache does (webapp/graphite/readers/utils.py): cached points
// are first reduced to the latest one per interval of the finest archive
// (what whisper will store), then, when the fetched archive is coarser,
// aggregated per fetched step with the file's aggregation method, and
// finally replace the file's values at their positions.
//
// A metric that is only in the cache (its file is not created yet) is
// fetched as if its file existed empty, with the archives its schema will
// give it. It returns nil, nil where whisper returns None and for an
// unknown metric.
func (s *Store) Fetch(name string, from, until, now int64) (*Series, error) {
	if err := ValidateName(name); err != nil {
		return nil, nil
	}
	cached := s.cache.get(name) // before the file, so no point falls between
	var hdr *whisper.Header
	var ws *whisper.Series
	var w *whisper.File
	var err error
	if h := s.files.get(name); h != nil {
		defer s.files.release(h)
		w = h.w // safe for a fetch while a persister writes
	} else if w, err = whisper.Open(Path(s.opts.Dir, name), &whisper.OpenOptions{ReadOnly: true, NoMmap: true}); err == nil {
		defer w.Close()
	}
	switch {
	case err == nil:
		hdr = w.Header()
		if ws, err = w.Fetch(from, until, now, nil); err != nil {
			return nil, err
		}
	case errors.Is(err, fs.ErrNotExist):
		if len(cached) == 0 {
			return nil, nil
		}
		schema, agg := s.match(name)
		xff := 0.5
		if agg.XFilesFactor != nil {
			xff = *agg.XFilesFactor
		}
		m := agg.Method
		if m == 0 {
			m = whisper.Average
		}
		hdr, err = whisper.NewHeader(append([]whisper.ArchiveSpec(nil), schema.Archives...), m, xff)
		if err != nil {
			return nil, err
		}
		ws = emptyFetch(hdr, from, until, now)
	default:
		return nil, err
	}
	if ws == nil {
		return nil, nil
	}
	out := &Series{From: ws.From, Until: ws.Until, Step: ws.Step, Values: make([]float64, len(ws.Values))}
	for i, v := range ws.Values {
		if ws.Known[i] {
			out.Values[i] = v
		} else {
			out.Values[i] = math.NaN()
		}
	}
	if len(cached) > 0 {
		mergeWithCache(out, cached, hdr)
	}
	return out, nil
}

// emptyFetch is whisper's fetch window arithmetic on a file with no data
// (python 1.1.x §5): None outside the retention, else all unknown values.
func emptyFetch(h *whisper.Header, from, until, now int64) *whisper.Series {
	oldest := now - int64(h.MaxRetention)
	if from > until || from > now || until < oldest {
		return nil
	}
	from = max(from, oldest)
	until = min(until, now)
	a := h.Archives[len(h.Archives)-1]
	for _, ai := range h.Archives {
		if int64(ai.Retention) >= now-from {
			a = ai
			break
		}
	}
	step := int64(a.SecondsPerPoint)
	fromI := from - floorMod(from, step) + step
	untilI := until - floorMod(until, step) + step
	if fromI == untilI {
		untilI += step
	}
	n := min((untilI-fromI)/step, int64(a.Points))
	return &whisper.Series{From: fromI, Until: untilI, Step: step, Values: make([]float64, n), Known: make([]bool, n)}
}

func floorMod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// mergeWithCache is graphite-web's merge_with_cache(cached, start, step,
// values, func=aggregationMethod, raw_step=finest step).
//
// The cache holds up to two batches (being written, and waiting); per raw
// interval the later batch wins and, within a batch, the latest timestamp
// (carbon's cache is a dict per metric, CarbonLink returns it sorted by
// timestamp): exactly what the file will hold once they are written.
func mergeWithCache(out *Series, batches [][]whisper.Point, h *whisper.Header) {
	raw := int64(h.Archives[0].SecondsPerPoint)
	for _, a := range h.Archives {
		raw = min(raw, int64(a.SecondsPerPoint))
	}
	type iv struct {
		t int64
		v float64
	}
	last := make(map[int64]float64)
	var order []int64
	for _, b := range batches {
		for _, p := range dedupe(b) {
			t := p.Timestamp - floorMod(p.Timestamp, raw)
			if _, seen := last[t]; !seen {
				order = append(order, t)
			}
			last[t] = p.Value
		}
	}
	slices.Sort(order)
	step := out.Step
	var points []iv
	if step != raw {
		groups := make(map[int64][]float64)
		var gorder []int64
		for _, t := range order {
			g := t - floorMod(t, step)
			if _, ok := groups[g]; !ok {
				gorder = append(gorder, g)
			}
			groups[g] = append(groups[g], last[t])
		}
		for _, g := range gorder {
			vs := groups[g]
			v, ok := whisper.Aggregate(h.AggregationMethod, vs, vs, allTrue(len(vs)))
			if !ok {
				continue
			}
			points = append(points, iv{g, v})
		}
	} else {
		for _, t := range order {
			points = append(points, iv{t, last[t]})
		}
	}
	for _, p := range points {
		d := p.t - out.From
		if d < 0 {
			continue
		}
		i := d / step
		if i < int64(len(out.Values)) {
			out.Values[i] = p.v
		}
	}
}

func allTrue(n int) []bool {
	b := make([]bool, n)
	for i := range b {
		b[i] = true
	}
	return b
}
