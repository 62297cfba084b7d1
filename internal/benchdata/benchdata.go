// Package benchdata makes the inputs that ringvault's Go benchmarks and the
// side-by-side scripts in bench/ share, so both measure the same bytes.
package benchdata

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
)

// Float64Series returns two 1 MiB little-endian float64 inputs:
// "linspace", np.linspace(0, 100, 131072), and "walk", a seeded random walk
// rounded to two decimals, like a sensor series. They are the inputs of the
// Blosc benchmarks and of bench/blosc.sh.
func Float64Series() map[string][]byte {
	const n = 1 << 17
	lin := make([]byte, 8*n)
	walk := make([]byte, 8*n)
	rng := rand.New(rand.NewPCG(42, 42))
	v := 20.0
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint64(lin[8*i:], math.Float64bits(100*float64(i)/float64(n-1)))
		v += rng.NormFloat64() * 0.05
		binary.LittleEndian.PutUint64(walk[8*i:], math.Float64bits(math.Round(v*100)/100))
	}
	return map[string][]byte{"linspace": lin, "walk": walk}
}
