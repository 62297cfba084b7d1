package graphite

import (
	"math"
	"sort"
	"strings"
)

var (
	inf = math.Inf(1)
	nan = math.NaN()
)

// isNull reports whether v is a missing value (graphite-web's None).
func isNull(v float64) bool { return v != v }

// series is graphite-web's TimeSeries (render/datalib.py): values at
// start, start+step, ... (NaN = None), the name functions rewrite, the
// pattern it was fetched by, its tags, and the consolidation applied when
// it is read with valuesPerPoint > 1.
type series struct {
	name        string
	pathExpr    string
	start, end  int64
	step        int64
	values      []float64
	tags        *tagSet
	consolidate string  // consolidationFunc, default "average"
	xff         float64 // xFilesFactor
	vpp         int     // valuesPerPoint, 1 = as stored
	style       seriesStyle
}

// seriesStyle is what color(), lineWidth(), dashed(), alpha() and
// secondYAxis() set for graphs.
type seriesStyle struct {
	color     string
	alpha     float64 // 0 = opaque
	lineWidth float64 // 0 = the graph's
	dashed    float64
	secondY   bool
}

// newSeries is TimeSeries(name, start, end, step, values): tags parsed
// from the name ("a.b;k=v" gives name=a.b, k=v), as graphite-web with its
// default tag database.
func newSeries(name string, start, end, step int64, values []float64, xff float64) *series {
	return &series{
		name: name, pathExpr: name, start: start, end: end, step: step,
		values: values, tags: parseTags(name), consolidate: "average", xff: xff, vpp: 1,
	}
}

// tagSet is a series' tags in insertion order, as the Python dict
// graphite-web prints in format=json.
type tagSet struct {
	keys []string
	m    map[string]string
}

func newTagSet() *tagSet { return &tagSet{m: map[string]string{}} }

func (t *tagSet) get(k string) string { return t.m[k] }

func (t *tagSet) has(k string) bool {
	_, ok := t.m[k]
	return ok
}

func (t *tagSet) set(k, v string) {
	if _, ok := t.m[k]; !ok {
		t.keys = append(t.keys, k)
	}
	t.m[k] = v
}

func (t *tagSet) del(k string) {
	if _, ok := t.m[k]; !ok {
		return
	}
	delete(t.m, k)
	for i, x := range t.keys {
		if x == k {
			t.keys = append(t.keys[:i:i], t.keys[i+1:]...)
			break
		}
	}
}

func (t *tagSet) copy() *tagSet {
	c := &tagSet{keys: append([]string(nil), t.keys...), m: make(map[string]string, len(t.m)+1)}
	for k, v := range t.m {
		c.m[k] = v
	}
	return c
}

// parseTags is graphite-web's TaggedSeries.parse for plain and tagged
// names; a name that looks like a function call keeps only name=.
func parseTags(name string) *tagSet {
	t := newTagSet()
	base, rest, ok := strings.Cut(name, ";")
	if !ok || strings.HasSuffix(name, ")") {
		t.set("name", name)
		return t
	}
	t.set("name", base)
	for _, kv := range strings.Split(rest, ";") {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			t.set(k, v)
		}
	}
	return t
}

// derive is TimeSeries.copy(name=, values=) keeping start/end/step.
func (s *series) derive(name string, values []float64) *series {
	c := *s
	c.name = name
	c.pathExpr = name
	c.values = values
	c.tags = s.tags // graphite-web's copy() shares the Tags object
	c.vpp = 1
	return &c
}

// points returns the values as graphite-web iterates them: consolidated
// in groups of vpp with the series' consolidation function and xFilesFactor.
func (s *series) points() []float64 {
	if s.vpp <= 1 {
		return s.values
	}
	n := s.vpp
	out := make([]float64, 0, (len(s.values)+n-1)/n)
	f := consolidators[s.consolidate]
	if f == nil {
		f = consolidators["average"]
	}
	buf := make([]float64, 0, n)
	for i := 0; i < len(s.values); i += n {
		j := min(i+n, len(s.values))
		buf = buf[:0]
		nonNull := 0
		for _, v := range s.values[i:j] {
			if !isNull(v) {
				buf = append(buf, v)
				nonNull++
			} else if s.consolidate == "avg_zero" {
				buf = append(buf, 0)
			}
		}
		if nonNull > 0 && float64(nonNull)/float64(n) >= s.xff {
			out = append(out, f(buf))
		} else {
			out = append(out, nan)
		}
	}
	return out
}

// consolidators are TimeSeries' consolidation functions (on non-null values).
var consolidators = map[string]func([]float64) float64{
	"sum":      sumOf,
	"average":  func(v []float64) float64 { return sumOf(v) / float64(len(v)) },
	"avg":      func(v []float64) float64 { return sumOf(v) / float64(len(v)) },
	"avg_zero": func(v []float64) float64 { return sumOf(v) / float64(len(v)) },
	"max":      maxOf,
	"min":      minOf,
	"first":    func(v []float64) float64 { return v[0] },
	"last":     func(v []float64) float64 { return v[len(v)-1] },
}

func sumOf(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

func maxOf(v []float64) float64 {
	m := v[0]
	for _, x := range v[1:] {
		if x > m {
			m = x
		}
	}
	return m
}

func minOf(v []float64) float64 {
	m := v[0]
	for _, x := range v[1:] {
		if x < m {
			m = x
		}
	}
	return m
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func lcm(a, b int64) int64 {
	if a == b {
		return a
	}
	if a < b {
		a, b = b, a
	}
	return a / gcd(a, b) * b
}

// normalize is graphite-web's normalize: every series is consolidated to
// the lcm of the steps (in place, as graphite-web does) and the common
// start, end and step are returned. ok is false for an empty list.
func normalize(list []*series) (start, end, step int64, ok bool) {
	if len(list) == 0 {
		return 0, 0, 0, false
	}
	step = list[0].step
	for _, s := range list[1:] {
		step = lcm(step, s.step)
	}
	start, end = list[0].start, list[0].end
	for _, s := range list {
		if s.step > 0 {
			s.vpp = int(step / s.step)
		}
		start = min(start, s.start)
		end = max(end, s.end)
	}
	if step > 0 {
		end -= (end - start) % step
	}
	return start, end, step, true
}

// rows calls f with each row of izip_longest over the series' points:
// row[k] is series k's value at index i, NaN past its end.
func rows(list []*series, f func(i int, row []float64)) int {
	cols := make([][]float64, len(list))
	n := 0
	for k, s := range list {
		cols[k] = s.points()
		n = max(n, len(cols[k]))
	}
	row := make([]float64, len(list))
	for i := 0; i < n; i++ {
		for k, c := range cols {
			if i < len(c) {
				row[k] = c[i]
			} else {
				row[k] = nan
			}
		}
		f(i, row)
	}
	return n
}

// formatPathExpressions is graphite-web's: the distinct pathExpressions
// in order, joined by commas.
func formatPathExpressions(list []*series) string {
	var out []string
	seen := map[string]bool{}
	for _, s := range list {
		if !seen[s.pathExpr] {
			seen[s.pathExpr] = true
			out = append(out, s.pathExpr)
		}
	}
	return strings.Join(out, ",")
}

// sortSeriesStable sorts by key (descending when rev), keeping ties in
// order as Python's list.sort does; a missing key (NaN) sorts as -inf.
func sortSeriesStable(list []*series, key func(*series) float64, rev bool) {
	keys := make(map[*series]float64, len(list))
	for _, s := range list {
		k := key(s)
		if isNull(k) {
			k = math.Inf(-1)
		}
		keys[s] = k
	}
	sort.SliceStable(list, func(i, j int) bool {
		if rev {
			return keys[list[i]] > keys[list[j]]
		}
		return keys[list[i]] < keys[list[j]]
	})
}

// sortStable sorts series with less, keeping ties in order.
func sortStable(list []*series, less func(a, b *series) bool) {
	sort.SliceStable(list, func(i, j int) bool { return less(list[i], list[j]) })
}
