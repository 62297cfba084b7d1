package graphite

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// Further graphite-web functions: math, interpolation, list pairing and
// the graph-style functions.

func init() {
	register("cumulative", "Same as consolidateBy(seriesList, 'sum').", func(e *evaluator, a *args) ([]*series, error) {
		return consolidateSeries(a.series(0), "sum"), nil
	})
	register("add", "Adds a constant to every value (graphite-web's name prints it as an integer).", func(e *evaluator, a *args) ([]*series, error) {
		list, c := a.series(0), a.num(1, 0)
		for _, s := range list {
			s.tags.set("add", pyRepr(a.one(1)))
			rename(s, "add("+s.name+","+strconv.FormatInt(int64(c), 10)+")")
			mapValues(s, func(v float64) float64 { return v + c })
		}
		return list, nil
	})
	register("exp", "e raised to every value.", unaryMath("exp", "e", math.Exp))
	register("sigmoid", "1 / (1 + e^-x) for every value.", unaryMath("sigmoid", "sigmoid", func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }))
	register("logit", "log(x / (1 - x)) for every value (null outside (0, 1)).", unaryMath("logit", "logit", func(v float64) float64 {
		if v == 1 || v/(1-v) <= 0 {
			return nan
		}
		return math.Log(v / (1 - v))
	}))
	register("interpolate", "Fills runs of nulls (up to limit long) between two values with a straight line.", interpolateFunc)
	register("integralByInterval", "A running total that restarts every interval (counted from the start of the request).", integralByInterval)
	register("identity", "A series whose value is its own timestamp, every 60 s.", func(e *evaluator, a *args) ([]*series, error) {
		name := a.str(0, "")
		var values []float64
		for t := e.from; t < e.until; t += 60 {
			values = append(values, float64(t))
		}
		s := newSeries(name, e.from, e.until, 60, values, e.xff)
		s.pathExpr = "identity(\"" + name + "\")"
		return []*series{s}, nil
	})
	register("aggregateLine", "A horizontal line at an aggregate (default average) of each series.", aggregateLine)
	register("percentileOfSeries", "The nth percentile across the series at each timestamp.", percentileOfSeries)
	register("fallbackSeries", "The series list, or the fallback when it is empty.", func(e *evaluator, a *args) ([]*series, error) {
		if l := a.series(0); len(l) > 0 {
			return l, nil
		}
		return a.series(1), nil
	})
	register("aggregateSeriesLists", "Aggregates the two lists pairwise (list1[i] with list2[i]) with a function.", func(e *evaluator, a *args) ([]*series, error) {
		return aggregateSeriesLists(e, a.series(0), a.series(1), a.str(2, ""), optFloat(a, 3))
	})
	for _, f := range []struct{ name, fn string }{{"sumSeriesLists", "sum"}, {"diffSeriesLists", "diff"}, {"multiplySeriesLists", "multiply"}} {
		register(f.name, "Pairwise "+f.fn+" of two equally long lists (list1[i] with list2[i]).", func(e *evaluator, a *args) ([]*series, error) {
			return aggregateSeriesLists(e, a.series(0), a.series(1), f.fn, nil)
		})
	}
	register("multiplySeriesWithWildcards", "Multiplies the series that are equal once the given node positions are removed.", func(e *evaluator, a *args) ([]*series, error) {
		return aggregateWithWildcards(e, a.series(0), "multiply", nodeInts(a, 1))
	})
	register("aggregateWithWildcards", "Aggregates, with a function, the series that are equal once the given node positions are removed.", func(e *evaluator, a *args) ([]*series, error) {
		return aggregateWithWildcards(e, a.series(0), strings.TrimSuffix(a.str(1, ""), "Series"), nodeInts(a, 2))
	})
	register("averageOutsidePercentile", "Keeps the series whose average lies outside the nth percentile band of all averages.", averageOutsidePercentile)
	register("exponentialMovingAverage", "Exponential moving average with smoothing 2/(windowSize+1), seeded with the average of the first window.", exponentialMovingAverage)
	register("minMax", "Scales each series to 0..1 between its minimum and maximum.", func(e *evaluator, a *args) ([]*series, error) {
		list := a.series(0)
		for _, s := range list {
			rename(s, "minMax("+s.name+")")
			lo, hi := safeMin(s.points()), safeMax(s.points())
			if isNull(lo) {
				lo, hi = 0, 0
			}
			mapValues(s, func(v float64) float64 {
				if isNull(v) {
					return v
				}
				if hi == lo {
					return 0
				}
				return (v - lo) / (hi - lo)
			})
		}
		return list, nil
	})
	register("color", "Draws the series in a color (a name or RRGGBB).", styleFunc(func(a *args, s *series) { s.style.color = a.str(1, "") }))
	register("alpha", "Draws the series with an opacity between 0 and 1.", styleFunc(func(a *args, s *series) { s.style.alpha = a.num(1, 1) }))
	register("lineWidth", "Draws the series with a line width in pixels.", styleFunc(func(a *args, s *series) { s.style.lineWidth = a.num(1, 1) }))
	register("dashed", "Draws the series dashed (dash length, default 5).", styleFunc(func(a *args, s *series) {
		d := a.int(1, 5)
		s.style.dashed = float64(d)
		s.tags.set("dashed", strconv.Itoa(d))
		s.name = "dashed(" + s.name + ", " + strconv.Itoa(d) + ")"
	}))
	register("secondYAxis", "Draws the series against a second y axis (ringvault draws one axis; the name and tag change as in graphite-web).", styleFunc(func(a *args, s *series) {
		s.style.secondY = true
		s.tags.set("secondYAxis", "1")
		s.name = "secondYAxis(" + s.name + ")"
	}))
}

func consolidateSeries(list []*series, fn string) []*series {
	for _, s := range list {
		s.consolidate = fn
		s.tags.set("consolidateBy", fn)
		rename(s, "consolidateBy("+s.name+",\""+fn+"\")")
	}
	return list
}

func unaryMath(name, tag string, f func(float64) float64) func(e *evaluator, a *args) ([]*series, error) {
	return func(e *evaluator, a *args) ([]*series, error) {
		list := a.series(0)
		for _, s := range list {
			s.tags.set(name, tag)
			rename(s, name+"("+s.name+")")
			mapValues(s, func(v float64) float64 {
				if isNull(v) {
					return v
				}
				return f(v)
			})
		}
		return list, nil
	}
}

func styleFunc(set func(a *args, s *series)) func(e *evaluator, a *args) ([]*series, error) {
	return func(e *evaluator, a *args) ([]*series, error) {
		list := a.series(0)
		for _, s := range list {
			set(a, s)
		}
		return list, nil
	}
}

func interpolateFunc(e *evaluator, a *args) ([]*series, error) {
	limit := math.Inf(1)
	if a.has(1) {
		limit = a.num(1, limit)
	}
	list := a.series(0)
	for _, s := range list {
		rename(s, "interpolate("+s.name+")")
		v := append([]float64(nil), s.points()...)
		s.values, s.vpp = v, 1
		run := 0
		for i := 1; i < len(v); i++ {
			switch {
			case isNull(v[i]):
				run++
			case run == 0:
			case isNull(v[i-run-1]):
				run = 0
			default:
				if float64(run) <= limit {
					left := v[i-run-1]
					for k := i - run; k < i; k++ {
						v[k] = left + float64(k-(i-run-1))*(v[i]-left)/float64(run+1)
					}
				}
				run = 0
			}
		}
	}
	return list, nil
}

func integralByInterval(e *evaluator, a *args) ([]*series, error) {
	list, unit := a.series(0), a.str(1, "")
	if a.err != nil {
		return nil, nil
	}
	d, err := intervalSeconds(unit)
	if err != nil {
		return nil, err
	}
	d = max(d, -d)
	if d == 0 {
		a.fail(1, "interval must not be zero")
		return nil, nil
	}
	var out []*series
	for _, s := range list {
		pts := s.points()
		values := make([]float64, len(pts))
		t, cur := s.start, 0.0
		for i, v := range pts {
			q1, _ := floorDivMod(t-e.from, d)
			q2, _ := floorDivMod(t-e.from-s.step, d)
			if q1 != q2 {
				cur = 0
			}
			if !isNull(v) {
				cur += v
			}
			values[i] = cur
			t += s.step
		}
		s.tags.set("integralByInterval", unit)
		out = append(out, s.derive("integralByInterval("+s.name+",'"+unit+"')", values))
	}
	return out, nil
}

func aggregateLine(e *evaluator, a *args) ([]*series, error) {
	list, keep := a.series(0), a.boolean(2, false)
	agg, err := getAggFunc(a.str(1, "average"))
	if err != nil {
		return nil, err
	}
	var out []*series
	for _, s := range list {
		v := agg(s.points())
		name := "aggregateLine(" + s.name + ", None)"
		var val any
		if !isNull(v) {
			name = "aggregateLine(" + s.name + ", " + pyG(v) + ")"
			val = v
		}
		var r *series
		if keep {
			values := make([]float64, len(s.points()))
			for i := range values {
				values[i] = v
			}
			r = s.derive(name, values)
		} else {
			r = constantLine(e, val)
			if val == nil {
				r.values = []float64{nan, nan, nan}
			}
			rename(r, name)
		}
		out = append(out, r)
	}
	return out, nil
}

// percentileInterp is graphite-web's _getPercentile(points, n, interpolate).
func percentileInterp(points []float64, n float64, interp bool) float64 {
	if !interp {
		return percentile(points, n)
	}
	v := nonNull(points)
	if len(v) == 0 {
		return nan
	}
	sort.Float64s(v)
	frac := n / 100.0 * float64(len(v)+1)
	rank := int(frac)
	rf := frac - float64(rank)
	var p float64
	switch {
	case rank == 0:
		p = v[0]
	case rank-1 == len(v):
		p = v[len(v)-1]
	default:
		p = pyAt(v, rank-1)
	}
	if rank != len(v) {
		p += rf * (pyAt(v, rank) - p)
	}
	return p
}

func percentileOfSeries(e *evaluator, a *args) ([]*series, error) {
	list, n, interp := a.series(0), a.num(1, 0), a.boolean(2, false)
	if a.err != nil {
		return nil, nil
	}
	if n <= 0 {
		a.fail(1, "the requested percent is required to be greater than 0")
		return nil, nil
	}
	if len(list) == 0 {
		return nil, nil
	}
	name := "percentileOfSeries(" + list[0].pathExpr + "," + pyG(n) + ")"
	start, end, step, _ := normalize(list)
	var values []float64
	rows(list, func(_ int, r []float64) { values = append(values, percentileInterp(r, n, interp)) })
	return []*series{newSeries(name, start, end, step, values, e.xff)}, nil
}

func aggregateSeriesLists(e *evaluator, l1, l2 []*series, fn string, xff *float64) ([]*series, error) {
	if len(l1) != len(l2) {
		return nil, &httpError{400, errorString("graphite: seriesListFirstPos and seriesListSecondPos argument must have equal length")}
	}
	var out []*series
	for i := range l1 {
		r, err := aggregate(e, []*series{l1[i], l2[i]}, strings.TrimSuffix(fn, "Series"), xff)
		if err != nil {
			return nil, err
		}
		if len(r) == 0 {
			continue
		}
		s := r[0]
		s.name = s.name[:strings.Index(s.name, "Series(")] + "Series(" + l1[i].name + "," + l2[i].name + ")"
		out = append(out, s)
	}
	return out, nil
}

func averageOutsidePercentile(e *evaluator, a *args) ([]*series, error) {
	list, n := a.series(0), a.num(1, 0)
	avgs := make([]float64, len(list))
	for i, s := range list {
		avgs[i] = safeAvg(s.points())
	}
	if n < 50 {
		n = 100 - n
	}
	lo, hi := percentile(avgs, 100-n), percentile(avgs, n)
	var out []*series
	for i, s := range list {
		v := avgs[i]
		// Python: not lo < v < hi, with None comparisons raising in
		// Python 3; a null average counts as outside.
		if isNull(v) || isNull(lo) || isNull(hi) || !(lo < v && v < hi) {
			out = append(out, s)
		}
	}
	return out, nil
}

func exponentialMovingAverage(e *evaluator, a *args) ([]*series, error) {
	list := a.series(0)
	if a.err != nil || len(list) == 0 {
		return nil, nil
	}
	window := a.one(1)
	var preview int64
	var constant float64
	ws, isStr := window.(string)
	n, isInt := window.(int64)
	switch {
	case isStr:
		secs, err := intervalSeconds(ws)
		if err != nil {
			return nil, err
		}
		preview = max(secs, -secs)
		constant = 2.0 / float64(preview+1)
	case isInt && n >= 0:
		for _, s := range list {
			preview = max(preview, s.step)
		}
		preview *= n
		constant = 2.0 / float64(n+1)
	default:
		a.fail(1, "expected a number of points or an interval, got %s", pyRepr(window))
		return nil, nil
	}
	previewList, err := e.withRange(e.from-preview, e.until).evalTarget(a.first())
	if err != nil {
		return nil, err
	}
	var out []*series
	for _, s := range previewList {
		var name string
		var points int
		if isStr {
			name = "exponentialMovingAverage(" + s.name + ",\"" + ws + "\")"
			points = int(preview / s.step)
		} else {
			name = "exponentialMovingAverage(" + s.name + "," + pyRepr(window) + ")"
			points = int(n)
		}
		s.tags.set("exponentialMovingAverage", pyRepr(window))
		pts := s.points()
		ema := safeAvg(pts[:min(points, len(pts))])
		if isNull(ema) || ema == 0 {
			ema = 0
		}
		values := []float64{pyRound6(ema)}
		for i := points; i < len(pts); i++ {
			if isNull(pts[i]) {
				values = append(values, nan)
				continue
			}
			ema = constant*pts[i] + (1-constant)*ema
			values = append(values, pyRound6(ema))
		}
		r := s.derive(name, values)
		r.start = s.start + preview
		out = append(out, r)
	}
	return out, nil
}
