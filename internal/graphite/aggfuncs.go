package graphite

import (
	"fmt"
	"math"
	"sort"
)

// aggFunc is one of graphite-web's aggregation functions
// (functions/aggfuncs.py over functions/safe.py): it gets a row that may
// hold NaN (None) and returns NaN for "no value".
type aggFunc func(row []float64) float64

// aggFuncNames are the names aggregate() and friends accept, sorted as
// graphite-web lists them in /functions.
var aggFuncNames = []string{"average", "avg", "avg_zero", "count", "current", "diff", "last", "max", "median", "min", "multiply", "range", "rangeOf", "stddev", "sum", "total"}

func getAggFunc(name string) (aggFunc, error) {
	switch name {
	case "average", "avg":
		return safeAvg, nil
	case "avg_zero":
		return safeAvgZero, nil
	case "median":
		return safeMedian, nil
	case "sum", "total":
		return safeSum, nil
	case "min":
		return safeMin, nil
	case "max":
		return safeMax, nil
	case "diff":
		return safeDiff, nil
	case "stddev":
		return safeStdDev, nil
	case "count":
		return func(r []float64) float64 { return float64(nonNullCount(r)) }, nil
	case "range", "rangeOf":
		return func(r []float64) float64 { return safeMax(r) - safeMin(r) }, nil
	case "multiply":
		return safeMul, nil
	case "last", "current":
		return safeLast, nil
	}
	return nil, fmt.Errorf("%w: unsupported aggregation function %q", ErrBadArgument, name)
}

func nonNullCount(r []float64) int {
	n := 0
	for _, v := range r {
		if !isNull(v) {
			n++
		}
	}
	return n
}

// safeSum is safe.safeSum: the sum of the non-null values, None if none.
func safeSum(r []float64) float64 {
	s, n := 0.0, 0
	for _, v := range r {
		if !isNull(v) {
			s += v
			n++
		}
	}
	if n == 0 {
		return nan
	}
	return s
}

// safeDiff is safe.safeDiff: the first non-null value minus the rest.
func safeDiff(r []float64) float64 {
	s, n := 0.0, 0
	for _, v := range r {
		if isNull(v) {
			continue
		}
		if n == 0 {
			s = v
		} else {
			s += -v
		}
		n++
	}
	if n == 0 {
		return nan
	}
	return s
}

func safeAvg(r []float64) float64 {
	n := nonNullCount(r)
	if n == 0 {
		return nan
	}
	return safeSum(r) / float64(n)
}

func safeAvgZero(r []float64) float64 {
	if len(r) == 0 {
		return nan
	}
	s := 0.0
	for _, v := range r {
		if !isNull(v) {
			s += v
		}
	}
	return s / float64(len(r))
}

func nonNull(r []float64) []float64 {
	out := make([]float64, 0, len(r))
	for _, v := range r {
		if !isNull(v) {
			out = append(out, v)
		}
	}
	return out
}

func safeMedian(r []float64) float64 {
	v := nonNull(r)
	if len(v) == 0 {
		return nan
	}
	sort.Float64s(v)
	mid := len(v) / 2
	if len(v)%2 == 0 {
		return (v[mid-1] + v[mid]) / 2
	}
	return v[mid]
}

func safeMin(r []float64) float64 {
	m, ok := nan, false
	for _, v := range r {
		if !isNull(v) && (!ok || v < m) {
			m, ok = v, true
		}
	}
	return m
}

func safeMax(r []float64) float64 {
	m, ok := nan, false
	for _, v := range r {
		if !isNull(v) && (!ok || v > m) {
			m, ok = v, true
		}
	}
	return m
}

func safeLast(r []float64) float64 {
	for i := len(r) - 1; i >= 0; i-- {
		if !isNull(r[i]) {
			return r[i]
		}
	}
	return nan
}

// safeMul is safe.safeMul: None if any factor is None.
func safeMul(r []float64) float64 {
	if len(r) == 0 {
		return nan
	}
	p := 1.0
	for i, v := range r {
		if isNull(v) {
			return nan
		}
		if i == 0 {
			p = v
		} else {
			p *= v
		}
	}
	return p
}

func safeStdDev(r []float64) float64 {
	n := nonNullCount(r)
	if n == 0 {
		return nan
	}
	avg := safeSum(r) / float64(n)
	s := 0.0
	for _, v := range r {
		if !isNull(v) {
			s += (v - avg) * (v - avg)
		}
	}
	return math.Sqrt(s / float64(n))
}

// safeDiv is safe.safeDiv: None when a is None or b is None or 0.
func safeDiv(a, b float64) float64 {
	if isNull(a) || isNull(b) || b == 0 {
		return nan
	}
	return a / b
}

// xffOK is graphite-web's xff(nonNull, total, xFilesFactor).
func xffOK(nonNull, total int, xff float64) bool {
	if nonNull == 0 || total == 0 {
		return false
	}
	return float64(nonNull)/float64(total) >= xff
}
