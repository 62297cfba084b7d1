package graphite

import (
	"math"
	"strconv"
)

// Transform functions: per-point rewrites of each series.

func init() {
	register("scale", "Multiplies every value by a factor.", func(e *evaluator, a *args) ([]*series, error) {
		list, f := a.series(0), a.num(1, 1)
		for _, s := range list {
			s.tags.set("scale", pyRepr(a.one(1)))
			s.name = "scale(" + s.name + "," + pyG(f) + ")"
			s.pathExpr = s.name
			for i, v := range s.values {
				s.values[i] = v * f
			}
		}
		return list, nil
	})
	register("offset", "Adds a constant to every non-null value.", func(e *evaluator, a *args) ([]*series, error) {
		list, f := a.series(0), a.num(1, 0)
		for _, s := range list {
			s.tags.set("offset", pyRepr(a.one(1)))
			s.name = "offset(" + s.name + "," + pyG(f) + ")"
			s.pathExpr = s.name
			for i, v := range s.values {
				s.values[i] = v + f
			}
		}
		return list, nil
	})
	register("absolute", "The absolute value of every point.", func(e *evaluator, a *args) ([]*series, error) {
		list := a.series(0)
		for _, s := range list {
			s.tags.set("absolute", "1")
			s.name = "absolute(" + s.name + ")"
			s.pathExpr = s.name
			for i, v := range s.values {
				s.values[i] = math.Abs(v)
			}
		}
		return list, nil
	})
	register("derivative", "The difference between each value and the one before (null after a null).", func(e *evaluator, a *args) ([]*series, error) {
		return mapDeltas(a.series(0), "derivative", func(v, prev float64) (float64, float64) {
			if isNull(v) || isNull(prev) {
				return nan, v
			}
			return v - prev, v
		}), nil
	})
	register("nonNegativeDerivative", "Like derivative, but a decrease (a counter wrap or reset) gives null, or the wrapped delta when maxValue is given.", func(e *evaluator, a *args) ([]*series, error) {
		maxV, minV := optFloat(a, 1), optFloat(a, 2)
		return mapDeltas(a.series(0), "nonNegativeDerivative", func(v, prev float64) (float64, float64) {
			return nonNegativeDelta(v, prev, maxV, minV)
		}), nil
	})
	register("perSecond", "nonNegativeDerivative divided by the step: the rate per second of a counter.", func(e *evaluator, a *args) ([]*series, error) {
		maxV, minV := optFloat(a, 1), optFloat(a, 2)
		var out []*series
		for _, s := range a.series(0) {
			step := float64(s.step)
			r := mapDeltas([]*series{s}, "perSecond", func(v, prev float64) (float64, float64) {
				d, p := nonNegativeDelta(v, prev, maxV, minV)
				if !isNull(d) {
					d = pyRound6(d / step)
				}
				return d, p
			})
			out = append(out, r...)
		}
		return out, nil
	})
	register("integral", "The running total of the values (nulls stay null and add nothing).", func(e *evaluator, a *args) ([]*series, error) {
		var out []*series
		for _, s := range a.series(0) {
			cur := 0.0
			pts := s.points()
			values := make([]float64, len(pts))
			for i, v := range pts {
				if isNull(v) {
					values[i] = nan
					continue
				}
				cur += v
				values[i] = cur
			}
			s.tags.set("integral", "1")
			out = append(out, s.derive("integral("+s.name+")", values))
		}
		return out, nil
	})
	register("keepLastValue", "Replaces runs of nulls (up to limit points long) with the last value before them.", keepLastValue)
	register("transformNull", "Replaces nulls with a default (0); with referenceSeries only where some reference series has a value.", transformNull)
	register("consolidateBy", "Sets the function (sum, average, min, max, first, last) used when points are consolidated for maxDataPoints or a coarser step.", func(e *evaluator, a *args) ([]*series, error) {
		list, fn := a.series(0), a.str(1, "")
		if _, ok := consolidators[fn]; !ok && a.err == nil {
			a.fail(1, "expected one of sum, average, avg, avg_zero, min, max, first, last; got %q", fn)
			return nil, nil
		}
		for _, s := range list {
			s.consolidate = fn
			s.tags.set("consolidateBy", fn)
			s.name = "consolidateBy(" + s.name + ",\"" + fn + "\")"
			s.pathExpr = s.name
		}
		return list, nil
	})
}

// pyRound6 is Python's round(x, 6): correctly rounded to 6 decimals.
func pyRound6(x float64) float64 {
	if math.IsInf(x, 0) || isNull(x) {
		return x
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 6, 64), 64)
	if err != nil {
		return x
	}
	return r
}

// mapDeltas runs step(value, prev) -> (out, newPrev) over every series,
// returning derived series named fn(name) and tagged fn=1.
func mapDeltas(list []*series, fn string, step func(v, prev float64) (float64, float64)) []*series {
	out := make([]*series, 0, len(list))
	for _, s := range list {
		pts := s.points()
		values := make([]float64, len(pts))
		prev := nan
		for i, v := range pts {
			values[i], prev = step(v, prev)
		}
		s.tags.set(fn, "1")
		out = append(out, s.derive(fn+"("+s.name+")", values))
	}
	return out
}

// nonNegativeDelta is graphite-web's _nonNegativeDelta.
func nonNegativeDelta(v, prev float64, maxV, minV *float64) (float64, float64) {
	if maxV != nil && v > *maxV {
		return nan, nan
	}
	if minV != nil && v < *minV {
		return nan, nan
	}
	if isNull(prev) || isNull(v) {
		return nan, v
	}
	if v >= prev {
		return v - prev, v
	}
	if maxV != nil {
		m := 0.0
		if minV != nil {
			m = *minV
		}
		return *maxV + 1 + v - prev - m, v
	}
	if minV != nil {
		return v - *minV, v
	}
	return nan, v
}

func transformNull(e *evaluator, a *args) ([]*series, error) {
	list := a.series(0)
	def := a.num(1, 0)
	defText := "0"
	if a.has(1) {
		defText = pyRepr(a.one(1))
	}
	var ref []*series
	if a.has(2) {
		ref = a.series(2)
	}
	var defaults []float64
	if len(ref) > 0 {
		rows(ref, func(_ int, r []float64) {
			if nonNullCount(r) > 0 {
				defaults = append(defaults, def)
			} else {
				defaults = append(defaults, nan)
			}
		})
	}
	for _, s := range list {
		s.tags.set("transformNull", defText)
		if len(ref) > 0 {
			s.tags.set("referenceSeries", "1")
			s.name = "transformNull(" + s.name + "," + pyG(def) + ",referenceSeries)"
		} else {
			s.name = "transformNull(" + s.name + "," + pyG(def) + ")"
		}
		s.pathExpr = s.name
		pts := s.points()
		n := len(pts)
		if len(defaults) > 0 {
			n = max(n, len(defaults))
		}
		values := make([]float64, n)
		for i := range values {
			v := nan
			if i < len(pts) {
				v = pts[i]
			}
			d := def
			if len(defaults) > 0 {
				d = nan
				if i < len(defaults) {
					d = defaults[i]
				}
			}
			if isNull(v) {
				v = d
			}
			values[i] = v
		}
		// graphite-web appends the new values, then deletes as many
		// values from the front as it appended: when a longer reference
		// series made more values than the series had, the tail remains.
		s.values = append(append([]float64(nil), s.values...), values...)[len(values):]
	}
	return list, nil
}

// keepLastValue is graphite-web's keepLastValue(seriesList, limit=inf).
func keepLastValue(e *evaluator, a *args) ([]*series, error) {
	limit := math.Inf(1)
	if a.has(1) {
		limit = a.num(1, limit)
	}
	list := a.series(0)
	for _, s := range list {
		s.name = "keepLastValue(" + s.name + ")"
		s.pathExpr = s.name
		s.values = append([]float64(nil), s.points()...)
		s.vpp = 1
		nulls, last := 0, nan
		fill := func(from, to int) {
			if nulls > 0 && float64(nulls) <= limit && !isNull(last) {
				for k := from; k < to; k++ {
					s.values[k] = last
				}
			}
		}
		for i, v := range s.values {
			if isNull(v) {
				nulls++
				continue
			}
			fill(i-nulls, i)
			nulls, last = 0, v
		}
		fill(len(s.values)-nulls, len(s.values))
	}
	return list, nil
}
