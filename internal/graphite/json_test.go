package graphite

import (
	"encoding/json"
	"testing"
)

// jsonTargets avoid functions whose values graphite-web keeps as Python
// ints (countSeries, constantLine(int), transformNull(int)): graphite-web
// prints those as 1 where ringvault prints 1.0 (every value is a float64).
var jsonTargets = []string{
	"servers.*.cpu.*",
	"servers.web02.requests",
	"sumSeries(servers.*.cpu.*)",
	`aliasSub(servers.*.cpu.user, "(^.*$)", "\1 A")`,
	"consolidateBy(servers.*.cpu.*, 'max')",
	"consolidateBy(servers.web01.cpu.system, 'sum')",
	"perSecond(servers.web02.requests)",
	"scale(servers.web02.cpu.system, 0.1)",
	"divideSeries(servers.web01.cpu.user, servers.web02.cpu.user)",
}

// TestRenderJSONMatchesGraphiteWeb compares format=json byte for byte
// with graphite-web's renderViewJson on the same series, with and without
// maxDataPoints consolidation and noNullPoints.
var jsonOptSets = []map[string]any{
	{},
	{"maxDataPoints": 100},
	{"maxDataPoints": 7},
	{"maxDataPoints": 1},
	{"maxDataPoints": 50, "noNullPoints": true},
}

func jsonReq() oracleReq {
	now := testNow.Unix()
	return oracleReq{b: testBackend(), from: now - 6*3600 - 77, until: now - 120, now: now, targets: jsonTargets, jsonOpts: jsonOptSets}
}

func TestRenderJSONMatchesGraphiteWeb(t *testing.T) {
	sa := sharedOracle(t)
	b, from, until, now := sa.jsonReq.b, sa.jsonReq.from, sa.jsonReq.until, sa.jsonReq.now
	optSets := jsonOptSets
	texts := make([][]string, len(sa.json[0]))
	for i, r := range sa.json[0] {
		if err := json.Unmarshal(r, &texts[i]); err != nil {
			t.Fatalf("%s: %s", jsonTargets[i], r)
		}
	}
	for o, opts := range optSets {
		for i, target := range jsonTargets {
			want := texts[i]
			if len(want) != len(optSets) {
				t.Fatalf("%s: oracle gave %d texts", target, len(want))
			}
			data, err := evalForTest(b, target, from, until, now)
			if err != nil {
				t.Fatal(err)
			}
			r := &renderRequest{}
			if n, ok := opts["maxDataPoints"].(int); ok {
				r.maxDataPoints = n
			}
			_, r.noNullPoints = opts["noNullPoints"]
			got := string(appendRenderJSON(nil, r, data))
			if got != want[o] {
				t.Errorf("%s %v:\n got %.300s\nwant %.300s", target, opts, got, want[o])
			}
		}
	}
}
