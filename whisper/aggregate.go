package whisper

import "math"

// aggregate is python's aggregate(method, knownValues, neighborValues):
// known holds the known values in time order (len >= 1); all holds every
// neighbour slot with unknown ones flagged in ok (for avg_zero).
//
// Comparisons follow python's max()/min(): the first element is the
// running result and a later element replaces it only if it compares
// greater (less); a NaN therefore wins only when it comes first and never
// replaces anything. Sums add left to right in float64 like CPython 3.11's
// sum() (no compensated summation).
func aggregate(m AggregationMethod, known []float64, all []float64, ok []bool) (float64, bool) {
	switch m {
	case Average:
		return pySum(known) / float64(len(known)), true
	case Sum:
		return pySum(known), true
	case Last:
		return known[len(known)-1], true
	case Max:
		r := known[0]
		for _, v := range known[1:] {
			if v > r {
				r = v
			}
		}
		return r, true
	case Min:
		r := known[0]
		for _, v := range known[1:] {
			if v < r {
				r = v
			}
		}
		return r, true
	case AvgZero:
		if len(all) == 0 {
			return 0, false
		}
		s := 0.0
		for i, v := range all {
			// python: x or 0 — None and ±0.0 become int 0, NaN stays.
			if ok[i] {
				s += v
			} else {
				s += 0
			}
		}
		return s / float64(len(all)), true
	case AbsMax:
		r := known[0]
		for _, v := range known[1:] {
			if math.Abs(v) > math.Abs(r) {
				r = v
			}
		}
		return r, true
	case AbsMin:
		r := known[0]
		for _, v := range known[1:] {
			if math.Abs(v) < math.Abs(r) {
				r = v
			}
		}
		return r, true
	}
	return 0, false
}

// pySum is CPython 3.11's sum() of floats: 0 + v0 + v1 + ... in order.
func pySum(vs []float64) float64 {
	s := 0.0
	for _, v := range vs {
		s += v
	}
	return s
}

// Aggregate is python's aggregate(method, knownValues, neighborValues) for
// callers that consolidate series themselves (resize --aggregate, the
// engine's cache): known are the known values in time order; neighbors
// (with known[i] flags) are every slot, needed by AvgZero. ok is false for
// an empty known list, an invalid method, or AvgZero without neighbours.
func Aggregate(m AggregationMethod, known []float64, neighbors []float64, neighborKnown []bool) (float64, bool) {
	if len(known) == 0 && m != AvgZero {
		return 0, false
	}
	return aggregate(m, known, neighbors, neighborKnown)
}
