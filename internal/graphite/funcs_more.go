package graphite

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// More transform and filter functions dashboards use.

func init() {
	register("removeEmptySeries", "Drops the series with no values (or fewer non-null values than xFilesFactor asks).", func(e *evaluator, a *args) ([]*series, error) {
		x := a.num(1, 0)
		var out []*series
		for _, s := range a.series(0) {
			pts := s.points()
			if xffOK(nonNullCount(pts), len(pts), x) {
				out = append(out, s)
			}
		}
		return out, nil
	})
	register("isNonNull", "1 where the series has a value, 0 where it is null.", func(e *evaluator, a *args) ([]*series, error) {
		list := a.series(0)
		for _, s := range list {
			s.tags.set("isNonNull", "1")
			rename(s, "isNonNull("+s.name+")")
			mapValues(s, func(v float64) float64 {
				if isNull(v) {
					return 0
				}
				return 1
			})
		}
		return list, nil
	})
	for _, f := range []struct{ name, agg, op, desc string }{
		{"currentAbove", "last", ">", "The series whose last value is above n."},
		{"currentBelow", "last", "<=", "The series whose last value is at most n."},
		{"averageAbove", "average", ">", "The series whose average is above n."},
		{"averageBelow", "average", "<=", "The series whose average is at most n."},
		{"maximumAbove", "max", ">", "The series whose maximum is above n."},
		{"maximumBelow", "max", "<=", "The series whose maximum is at most n."},
		{"minimumAbove", "min", ">", "The series whose minimum is above n."},
		{"minimumBelow", "min", "<=", "The series whose minimum is at most n."},
	} {
		register(f.name, f.desc, func(e *evaluator, a *args) ([]*series, error) {
			return filterSeries(a.series(0), f.agg, f.op, a.num(1, 0))
		})
	}
	register("filterSeries", "Keeps the series whose aggregate (func) compares (=, !=, >, >=, <, <=) true with the threshold.", func(e *evaluator, a *args) ([]*series, error) {
		return filterSeries(a.series(0), a.str(1, ""), a.str(2, ""), a.num(3, 0))
	})
	register("changed", "1 where the value differs from the previous non-null value, else 0.", func(e *evaluator, a *args) ([]*series, error) {
		list := a.series(0)
		for _, s := range list {
			rename(s, "changed("+s.name+")")
			prev, first := nan, true
			mapValues(s, func(v float64) float64 {
				switch {
				case first || isNull(prev):
					first = false
					prev = v
					return 0
				case !isNull(v) && v != prev:
					prev = v
					return 1
				}
				return 0
			})
		}
		return list, nil
	})
	register("delay", "Shifts the values by a number of steps (later for a positive count), padding with nulls.", delayFunc)
	register("squareRoot", "The square root of every value (null for negatives).", powFunc("squareRoot", func(a *args) (float64, string) { return 0.5, "1" }))
	register("invert", "1/x for every value (null for 0).", powFunc("invert", func(a *args) (float64, string) { return -1, "1" }))
	register("pow", "Every value raised to a power.", powFunc("pow", func(a *args) (float64, string) { return a.num(1, 1), pyRepr(a.one(1)) }))
	register("round", "Rounds every value to a number of decimals (default 0), half to even as Python.", roundFunc)
	register("log", "The logarithm of every value in a base (default 10); null for values <= 0.", logFunc)
	register("offsetToZero", "Subtracts the series' minimum from every value.", func(e *evaluator, a *args) ([]*series, error) {
		list := a.series(0)
		for _, s := range list {
			m := safeMin(s.points())
			if isNull(m) {
				s.tags.set("offsetToZero", "None")
			} else {
				s.tags.set("offsetToZero", pyRepr(m))
			}
			rename(s, "offsetToZero("+s.name+")")
			mapValues(s, func(v float64) float64 { return v - m })
		}
		return list, nil
	})
	register("scaleToSeconds", "Scales per-step values to per-`seconds` values (value * seconds / step).", func(e *evaluator, a *args) ([]*series, error) {
		list, secs := a.series(0), a.num(1, 1)
		for _, s := range list {
			s.tags.set("scaleToSeconds", pyRepr(a.one(1)))
			rename(s, "scaleToSeconds("+s.name+","+strconv.FormatInt(int64(secs), 10)+")")
			factor := secs / float64(s.step)
			mapValues(s, func(v float64) float64 { return pyRound(v*factor, 6) })
		}
		return list, nil
	})
	register("movingMedian", "The median of the previous windowSize points.", func(e *evaluator, a *args) ([]*series, error) {
		return movingWindow(e, a, a.one(1), "median", optFloat(a, 2))
	})
	register("sortBy", "Sorts the series by an aggregation function (default average), smallest first unless reverse.", func(e *evaluator, a *args) ([]*series, error) {
		list := a.series(0)
		agg, err := getAggFunc(a.str(1, "average"))
		if err != nil {
			return nil, err
		}
		sortSeriesStable(list, func(s *series) float64 { return agg(s.points()) }, a.boolean(2, false))
		return list, nil
	})
	register("unique", "Drops series whose name was already seen.", func(e *evaluator, a *args) ([]*series, error) {
		seen := map[string]bool{}
		var out []*series
		for _, s := range a.series(0) {
			if !seen[s.name] {
				seen[s.name] = true
				out = append(out, s)
			}
		}
		return out, nil
	})
	register("substr", "Renames each series to a slice of its path nodes [start:stop].", substrFunc)
	register("mostDeviant", "The n series with the largest variance.", func(e *evaluator, a *args) ([]*series, error) {
		var devs []*series
		sig := map[*series]float64{}
		for _, s := range a.series(0) {
			pts := s.points()
			mean := safeAvg(pts)
			if isNull(mean) {
				continue
			}
			sq := 0.0
			for _, v := range pts {
				if !isNull(v) {
					sq += (v - mean) * (v - mean)
				}
			}
			sig[s] = sq / float64(nonNullCount(pts))
			devs = append(devs, s)
		}
		sortSeriesStable(devs, func(s *series) float64 { return sig[s] }, true)
		return pySlice(devs, a.int(1, 0)), nil
	})
}

func rename(s *series, name string) {
	s.name = name
	s.pathExpr = name
}

// mapValues rewrites every value in place (nulls stay null unless f
// says otherwise: f gets NaN for them).
func mapValues(s *series, f func(v float64) float64) {
	pts := s.points()
	out := make([]float64, len(pts))
	for i, v := range pts {
		out[i] = f(v)
	}
	s.values, s.vpp = out, 1
}

func filterSeries(list []*series, fn, op string, threshold float64) ([]*series, error) {
	agg, err := getAggFunc(fn)
	if err != nil {
		return nil, err
	}
	cmp := map[string]func(v float64) bool{
		"=":  func(v float64) bool { return !isNull(v) && v == threshold },
		"!=": func(v float64) bool { return isNull(v) || v != threshold },
		">":  func(v float64) bool { return !isNull(v) && v > threshold },
		">=": func(v float64) bool { return !isNull(v) && v >= threshold },
		"<":  func(v float64) bool { return isNull(v) || v < threshold },
		"<=": func(v float64) bool { return isNull(v) || v <= threshold },
	}[op]
	if cmp == nil {
		return nil, fmt.Errorf("%w: unsupported operator %q", ErrBadArgument, op)
	}
	var out []*series
	for _, s := range list {
		if cmp(agg(s.points())) {
			out = append(out, s)
		}
	}
	return out, nil
}

func delayFunc(e *evaluator, a *args) ([]*series, error) {
	list, steps := a.series(0), a.int(1, 0)
	var out []*series
	for _, s := range list {
		pts := s.points()
		n := len(pts)
		var values []float64
		// Python: series[-steps:] + [None]*min(-steps, n), or
		// [None]*min(steps, n) + series[:-steps] (empty when steps is 0).
		if steps < 0 {
			k := min(-steps, n)
			values = append(append(values, pts[k:]...), nulls(k)...)
		} else {
			k := min(steps, n)
			values = nulls(k)
			if steps > 0 && steps < n {
				values = append(values, pts[:n-steps]...)
			}
		}
		s.tags.set("delay", strconv.Itoa(steps))
		out = append(out, s.derive("delay("+s.name+","+strconv.Itoa(steps)+")", values))
	}
	return out, nil
}

func nulls(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = nan
	}
	return v
}

// safePow is safe.safePow: None where Python's math.pow raises.
func safePow(v, p float64) float64 {
	if isNull(v) {
		return nan
	}
	r := math.Pow(v, p)
	if math.IsInf(r, 0) && !math.IsInf(v, 0) {
		return nan // ValueError (0 ** -1) or OverflowError
	}
	return r
}

func powFunc(name string, exp func(a *args) (float64, string)) func(e *evaluator, a *args) ([]*series, error) {
	return func(e *evaluator, a *args) ([]*series, error) {
		list := a.series(0)
		p, tag := exp(a)
		for _, s := range list {
			s.tags.set(name, tag)
			if name == "pow" {
				rename(s, "pow("+s.name+","+pyG(p)+")")
			} else {
				rename(s, name+"("+s.name+")")
			}
			mapValues(s, func(v float64) float64 { return safePow(v, p) })
		}
		return list, nil
	}
}

// pyRound is Python's round(x, ndigits): correctly rounded, ties to even.
func pyRound(x float64, nd int) float64 {
	if isNull(x) || math.IsInf(x, 0) {
		return x
	}
	if nd < 0 {
		p := math.Pow(10, float64(-nd))
		return math.RoundToEven(x/p) * p
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(x, 'f', nd, 64), 64)
	if err != nil {
		return x
	}
	return r
}

func roundFunc(e *evaluator, a *args) ([]*series, error) {
	list := a.series(0)
	prec := a.int(1, 0)
	for _, s := range list {
		s.tags.set("round", strconv.Itoa(prec))
		if a.has(1) {
			rename(s, "round("+s.name+","+strconv.Itoa(prec)+")")
		} else {
			rename(s, "round("+s.name+")")
		}
		mapValues(s, func(v float64) float64 { return pyRound(v, prec) })
	}
	return list, nil
}

func logFunc(e *evaluator, a *args) ([]*series, error) {
	base := a.int(1, 10)
	var out []*series
	for _, s := range a.series(0) {
		pts := s.points()
		values := make([]float64, len(pts))
		for i, v := range pts {
			if isNull(v) || v <= 0 {
				values[i] = nan
			} else {
				values[i] = math.Log(v) / math.Log(float64(base))
			}
		}
		s.tags.set("log", strconv.Itoa(base))
		out = append(out, s.derive("log("+s.name+", "+strconv.Itoa(base)+")", values))
	}
	return out, nil
}

func substrFunc(e *evaluator, a *args) ([]*series, error) {
	list := a.series(0)
	start, stop := a.int(1, 0), a.int(2, 0)
	for _, s := range list {
		left := strings.LastIndexByte(s.name, '(') + 1
		right := strings.IndexByte(s.name, ')')
		if right < 0 {
			right = len(s.name)
		}
		clean := ""
		if left <= right {
			clean = s.name[left:right]
		}
		nodes := strings.Split(clean, ".")
		lo, hi := pyIndex(start, len(nodes)), len(nodes)
		if stop != 0 {
			hi = pyIndex(stop, len(nodes))
		}
		name := ""
		if lo < hi {
			name = strings.Join(nodes[lo:hi], ".")
		}
		if i := strings.IndexByte(name, ','); i >= 0 {
			name = name[:i]
		}
		s.name = name
	}
	return list, nil
}

// pyIndex clamps a Python slice index into [0, n].
func pyIndex(i, n int) int {
	if i < 0 {
		i += n
	}
	return max(0, min(i, n))
}
