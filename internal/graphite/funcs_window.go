package graphite

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Calculate and time functions: windows, buckets, shifts, percentiles.

func init() {
	for _, f := range []struct{ name, fn, desc string }{
		{"movingAverage", "average", "The average of the previous windowSize points (a number of points or an interval such as '5min')."},
		{"movingSum", "sum", "The sum of the previous windowSize points."},
		{"movingMin", "min", "The minimum of the previous windowSize points."},
		{"movingMax", "max", "The maximum of the previous windowSize points."},
	} {
		register(f.name, f.desc, func(e *evaluator, a *args) ([]*series, error) {
			return movingWindow(e, a, a.one(1), f.fn, optFloat(a, 2))
		})
	}
	register("movingWindow", "Applies an aggregation function to the previous windowSize points.", func(e *evaluator, a *args) ([]*series, error) {
		return movingWindow(e, a, a.one(1), a.str(2, "average"), optFloat(a, 3))
	})
	register("summarize", "Buckets the points into intervals ('1h') and aggregates each bucket (default sum), aligned to the interval or to from.", summarize)
	register("hitcount", "Turns rates into counts per interval: each value times the seconds it covers, summed per bucket.", hitcount)
	register("timeShift", "Draws the series as it was some time ago ('1d', '-1w', '+2h'), over the requested range.", timeShift)
	register("constantLine", "A horizontal line at a value over the whole range.", func(e *evaluator, a *args) ([]*series, error) {
		return []*series{constantLine(e, a.one(0))}, nil
	})
	register("nPercentile", "A horizontal line at the nth percentile of each series' values.", func(e *evaluator, a *args) ([]*series, error) {
		n := a.num(1, 0)
		if n == 0 && a.err == nil {
			a.fail(1, "the requested percent is required to be greater than 0")
		}
		return nPercentile(a.series(0), n), nil
	})
	register("removeAbovePercentile", "Removes (nulls) the points above the nth percentile of each series.", removeByPercentile(true))
	register("removeBelowPercentile", "Removes (nulls) the points below the nth percentile of each series.", removeByPercentile(false))
	register("removeAboveValue", "Removes (nulls) the points above a value.", removeByValue(true))
	register("removeBelowValue", "Removes (nulls) the points below a value.", removeByValue(false))
}

// intervalSeconds parses a graphite interval such as "5min" or "-1d" as
// graphite-web's parseTimeOffset (days*86400 + seconds).
func intervalSeconds(s string) (int64, error) {
	d, err := ParseTimeOffset(strings.ToLower(s))
	if err != nil {
		return 0, fmt.Errorf("%w: interval %q: %v", ErrBadArgument, s, err)
	}
	return int64(d / time.Second), nil
}

func movingWindow(e *evaluator, a *args, window any, fn string, xff *float64) ([]*series, error) {
	list := a.series(0)
	if a.err != nil || len(list) == 0 {
		return nil, nil
	}
	agg, err := getAggFunc(fn)
	if err != nil {
		return nil, err
	}
	var preview int64
	ws, isStr := window.(string)
	n, isInt := window.(int64)
	switch {
	case isStr:
		secs, err := intervalSeconds(ws)
		if err != nil {
			return nil, err
		}
		preview = max(secs, -secs)
	case isInt:
		var maxStep int64
		for _, s := range list {
			maxStep = max(maxStep, s.step)
		}
		preview = maxStep * n
	default:
		a.fail(1, "expected a number of points or an interval, got %s", pyRepr(window))
		return nil, nil
	}
	if preview < 0 {
		return nil, fmt.Errorf("%w: %s window must not be negative", ErrBadArgument, a.name)
	}
	previewList, err := e.withRange(e.from-preview, e.until).evalTarget(a.first())
	if err != nil {
		return nil, err
	}
	tag := "moving" + strings.ToUpper(fn[:1]) + fn[1:]
	var out []*series
	for _, s := range previewList {
		var name string
		var points int
		if isStr {
			name = tag + "(" + s.name + ",\"" + ws + "\")"
			points = int(preview / s.step)
		} else {
			name = tag + "(" + s.name + "," + pyRepr(window) + ")"
			points = int(n)
		}
		s.tags.set(tag, pyRepr(window))
		x := s.xff
		if xff != nil {
			x = *xff
		}
		pts := s.points()
		var values []float64
		for i := points; i < len(pts); i++ {
			w := nonNull(pts[i-points : i])
			if len(w) > 0 && xffOK(len(w), points, x) {
				values = append(values, agg(w))
			} else {
				values = append(values, nan)
			}
		}
		r := s.derive(name, values)
		r.start = s.start + preview
		out = append(out, r)
	}
	return out, nil
}

func summarize(e *evaluator, a *args) ([]*series, error) {
	list, ivs, fn, alignToFrom := a.series(0), a.str(1, ""), a.str(2, "sum"), a.boolean(3, false)
	if a.err != nil {
		return nil, nil
	}
	interval, err := intervalSeconds(ivs)
	if err != nil {
		return nil, err
	}
	if interval <= 0 {
		return nil, fmt.Errorf("%w: summarize interval %q must be positive", ErrBadArgument, ivs)
	}
	agg, err := getAggFunc(fn)
	if err != nil {
		return nil, err
	}
	var out []*series
	for _, s := range list {
		newStart, newEnd := s.start-s.start%interval, s.end-s.end%interval+interval
		if alignToFrom {
			newStart, newEnd = s.start, s.end
		}
		values, alignedEnd := summarizeValues(s, agg, interval, newStart, newEnd)
		if alignToFrom {
			newEnd = alignedEnd
		}
		s.tags.set("summarize", ivs)
		s.tags.set("summarizeFunction", fn)
		suffix := ""
		if alignToFrom {
			suffix = ", true"
		}
		r := s.derive("summarize("+s.name+", \""+ivs+"\", \""+fn+"\""+suffix+")", values)
		r.start, r.end, r.step = newStart, newEnd, interval
		out = append(out, r)
	}
	return out, nil
}

// summarizeValues is graphite-web's _summarizeValues.
func summarizeValues(s *series, agg aggFunc, interval, newStart, newEnd int64) ([]float64, int64) {
	pts := s.points()
	var ts []int64
	for t := s.start; t < s.end; t += s.step {
		ts = append(ts, t)
	}
	n := min(len(ts), len(pts))
	intervalPoints := float64(interval) / float64(s.step)
	var out []float64
	i := 0
	t := newStart
	for ; t < newEnd; t += interval {
		start, nonNull := i, 0
		for i < n && ts[i] < t+interval {
			if ts[i] <= t {
				start = i
			}
			if ts[i] >= t && !isNull(pts[i]) {
				nonNull++
			}
			i++
		}
		if nonNull > 0 && float64(nonNull)/intervalPoints >= s.xff {
			out = append(out, agg(pts[start:i]))
		} else {
			out = append(out, nan)
		}
	}
	return out, t
}

func hitcount(e *evaluator, a *args) ([]*series, error) {
	list, ivs, align := a.series(0), a.str(1, ""), a.boolean(2, false)
	if a.err != nil {
		return nil, nil
	}
	interval, err := intervalSeconds(ivs)
	if err != nil {
		return nil, err
	}
	if interval <= 0 {
		return nil, fmt.Errorf("%w: hitcount interval %q must be positive", ErrBadArgument, ivs)
	}
	if align {
		from := time.Unix(e.from, 0).In(e.loc)
		y, m, d := from.Date()
		switch {
		case interval >= 86400:
			from = time.Date(y, m, d, 0, 0, 0, 0, e.loc)
		case interval >= 3600:
			from = time.Date(y, m, d, from.Hour(), 0, 0, 0, e.loc)
		case interval >= 60:
			from = time.Date(y, m, d, from.Hour(), from.Minute(), 0, 0, e.loc)
		}
		list, err = e.withRange(from.Unix(), e.until).evalTarget(a.first())
		if err != nil {
			return nil, err
		}
		for _, s := range list {
			count := (s.end - s.start) / interval
			s.end = s.start + count*interval + interval
		}
	}
	var out []*series
	for _, s := range list {
		buckets := int64(math.Ceil(float64(s.end-s.start) / float64(interval)))
		if buckets < 0 {
			buckets = 0
		}
		sums := make([][]float64, buckets)
		newStart := s.end - buckets*interval
		for i, v := range s.points() {
			if isNull(v) {
				continue
			}
			t := s.start + int64(i)*s.step
			sb, sm := floorDivMod(t-newStart, interval)
			eb, em := floorDivMod(t+s.step-newStart, interval)
			if eb >= buckets {
				eb, em = buckets-1, interval
			}
			if sb == eb {
				if sb >= 0 {
					sums[sb] = append(sums[sb], v*float64(em-sm))
				}
				continue
			}
			if sb >= 0 {
				sums[sb] = append(sums[sb], v*float64(interval-sm))
			}
			for j := max(sb+1, 0); j < eb; j++ {
				sums[j] = append(sums[j], v*float64(interval))
			}
			if em > 0 {
				sums[eb] = append(sums[eb], v*float64(em))
			}
		}
		values := make([]float64, buckets)
		for i, b := range sums {
			if len(b) == 0 {
				values[i] = nan
			} else {
				values[i] = sumOf(b)
			}
		}
		s.tags.set("hitcount", ivs)
		suffix := ""
		if align {
			suffix = ", true"
		}
		r := s.derive("hitcount("+s.name+", \""+ivs+"\""+suffix+")", values)
		r.start, r.step = newStart, interval
		out = append(out, r)
	}
	return out, nil
}

// floorDivMod is Python's divmod for integers.
func floorDivMod(a, b int64) (int64, int64) {
	q, r := a/b, a%b
	if r != 0 && (r < 0) != (b < 0) {
		q--
		r += b
	}
	return q, r
}

func timeShift(e *evaluator, a *args) ([]*series, error) {
	list, shift, resetEnd := a.series(0), a.str(1, ""), a.boolean(2, true)
	if a.err != nil {
		return nil, nil
	}
	if shift != "" && shift[0] >= '0' && shift[0] <= '9' {
		shift = "-" + shift
	}
	delta, err := intervalSeconds(shift)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	first := list[0]
	shifted, err := e.withRange(e.from+delta, e.until+delta).evalTarget(a.first())
	if err != nil {
		return nil, err
	}
	for _, s := range shifted {
		s.tags.set("timeShift", shift)
		s.name = "timeShift(" + s.name + ", \"" + shift + "\")"
		if resetEnd {
			s.end = first.end
		} else {
			s.end = s.end - s.start + first.start
		}
		s.start = first.start
	}
	return shifted, nil
}

// constantLine is graphite-web's constantLine: three points over the
// request's range, named str(value).
func constantLine(e *evaluator, value any) *series {
	v := 0.0
	switch x := value.(type) {
	case int64:
		v = float64(x)
	case float64:
		v = x
	}
	step := int64(float64(e.until-e.from) / 2.0)
	s := newSeries(pyRepr(value), e.from, e.until, step, []float64{v, v, v}, e.xff)
	s.pathExpr = "constantLine(" + pyRepr(value) + ")"
	return s
}

// percentile is graphite-web's _getPercentile without interpolation.
func percentile(points []float64, n float64) float64 {
	v := nonNull(points)
	if len(v) == 0 {
		return nan
	}
	sort.Float64s(v)
	frac := n / 100.0 * float64(len(v)+1)
	rank := int(frac)
	if frac-float64(rank) > 0 {
		rank++
	}
	switch {
	case rank == 0:
		return v[0]
	case rank-1 == len(v):
		return v[len(v)-1]
	}
	return pyAt(v, rank-1)
}

// pyAt is Python's v[i]: negative i counts from the end; out of range
// (IndexError in graphite-web) gives NaN.
func pyAt(v []float64, i int) float64 {
	if i < 0 {
		i += len(v)
	}
	if i < 0 || i >= len(v) {
		return nan
	}
	return v[i]
}

func nPercentile(list []*series, n float64) []*series {
	var out []*series
	for _, s := range list {
		pts := s.points()
		if nonNullCount(pts) == 0 {
			continue
		}
		p := percentile(pts, n)
		if isNull(p) {
			continue
		}
		count := int((s.end - s.start) / s.step)
		values := make([]float64, max(count, 0))
		for i := range values {
			values[i] = p
		}
		s.tags.set("nPercentile", pyRepr(n))
		out = append(out, s.derive("nPercentile("+s.name+", "+pyG(n)+")", values))
	}
	return out
}

func removeByPercentile(above bool) func(e *evaluator, a *args) ([]*series, error) {
	fn := "removeBelowPercentile"
	if above {
		fn = "removeAbovePercentile"
	}
	return func(e *evaluator, a *args) ([]*series, error) {
		list, n := a.series(0), a.num(1, 0)
		for _, s := range list {
			s.name = fn + "(" + s.name + ", " + pyG(n) + ")"
			s.pathExpr = s.name
			if nonNullCount(s.points()) == 0 {
				continue
			}
			p := percentile(s.points(), n)
			s.tags.set("nPercentile", pyRepr(a.one(1)))
			for i, v := range s.values {
				if above && !isNull(v) && v > p || !above && (isNull(v) || v < p) {
					s.values[i] = nan
				}
			}
		}
		return list, nil
	}
}

func removeByValue(above bool) func(e *evaluator, a *args) ([]*series, error) {
	fn := "removeBelowValue"
	if above {
		fn = "removeAboveValue"
	}
	return func(e *evaluator, a *args) ([]*series, error) {
		list, n := a.series(0), a.num(1, 0)
		for _, s := range list {
			s.name = fn + "(" + s.name + ", " + pyG(n) + ")"
			s.pathExpr = s.name
			for i, v := range s.values {
				if above && !isNull(v) && v > n || !above && (isNull(v) || v < n) {
					s.values[i] = nan
				}
			}
		}
		return list, nil
	}
}
