package graphite

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
)

// randomBackend has the same metric names as testBackend with random
// data: steps 15/30/60/120, negative values, runs of nulls, one series
// that is all null and one that holds a single value.
func randomBackend(seed uint64) *MemBackend {
	r := rand.New(rand.NewPCG(seed, 7))
	b := NewMemBackend()
	start := testNow.Unix() - 86400
	names := []string{"servers.web01.cpu.user", "servers.web01.cpu.system", "servers.web02.cpu.user", "servers.web02.cpu.system", "servers.web02.requests"}
	steps := []int64{15, 30, 60, 120}
	for k, name := range names {
		step := steps[r.IntN(len(steps))]
		n := int(86400/step) + 5
		v := make([]float64, n)
		nullRun := 0
		for i := range v {
			switch {
			case k == 3 && seed%3 == 0:
				v[i] = math.NaN() // an all-null series
			case nullRun > 0:
				v[i] = math.NaN()
				nullRun--
			case r.IntN(50) == 0:
				nullRun = r.IntN(20)
				v[i] = math.NaN()
			default:
				v[i] = math.Round((r.NormFloat64()*40+10)*8) / 8
			}
		}
		if k == 4 && seed%3 == 1 { // counter with resets
			c := 0.0
			for i := range v {
				c += float64(r.IntN(100))
				if r.IntN(300) == 0 {
					c = 0
				}
				v[i] = c
			}
		}
		b.Set(name, start, step, v)
	}
	return b
}

var randomSeeds = []uint64{1, 2}

func randomReqs() []oracleReq {
	now := testNow.Unix()
	var reqs []oracleReq
	for _, seed := range randomSeeds {
		reqs = append(reqs, oracleReq{b: randomBackend(seed), from: now - 3*3600 - int64(seed)*37, until: now - int64(seed)*11, now: now, targets: diffTargets})
	}
	return reqs
}

// TestFunctionsMatchGraphiteWebRandom repeats the differential test of
// every target on random data.
func TestFunctionsMatchGraphiteWebRandom(t *testing.T) {
	sa := sharedOracle(t)
	reqs, answers := sa.randomReqs, sa.random
	for k, req := range reqs {
		seed := randomSeeds[k]
		b, from, until, now := req.b, req.from, req.until, req.now
		res := answers[k]
		for i, target := range diffTargets {
			got, err := evalForTest(b, target, from, until, now)
			var want []oracleSeries
			if json.Unmarshal(res[i], &want) != nil {
				continue // graphite-web raised (e.g. comparing None in Python 3)
			}
			if err != nil {
				t.Errorf("seed %d %s: %v", seed, target, err)
				continue
			}
			compareSeries(t, target, got, want)
		}
	}
}
