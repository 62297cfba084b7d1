package graphite

import (
	"math"
	"math/rand/v2"
	"testing"

	"ringvault/internal/pyfmt"
)

// TestAppendFloatRepr checks the fast path against pyfmt.FloatRepr
// (itself tested against Python) over random and boundary values.
func TestAppendFloatRepr(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 1e-4, 9.999999999999999e-5, 1e16, 9999999999999998, 1e15, 0.1, 1.5, 123456789.125, 5e-324, math.MaxFloat64}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		vals = append(vals, math.Float64frombits(r.Uint64()), r.NormFloat64()*math.Pow(10, float64(r.IntN(40)-20)))
	}
	for _, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if got, want := string(appendFloatRepr(nil, v)), pyfmt.FloatRepr(v); got != want {
			t.Fatalf("%v: got %s want %s", v, got, want)
		}
	}
}
