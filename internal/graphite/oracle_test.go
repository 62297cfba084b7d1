package graphite

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"ringvault/internal/testutil"
)

// diffTargets exercise every implemented function; each is evaluated by
// ringvault and by graphite-web's own evaluator (testdata/oracle.py) on
// the same data, and the series must agree (name, start, end, step,
// values, tags).
var diffTargets = []string{
	"servers.*.cpu.*",
	"servers.web0{1,2}.cpu.user",
	"servers.web0[12].cpu.s*",
	`aliasSub(servers.*.cpu.user, "(^.*$)", "\1 A")`,
	`aliasSub(servers.*.cpu.user, "servers\.([^.]+)\..*", "\1-\g<1>")`,
	`alias(servers.web01.cpu.*, "x")`,
	"aliasByNode(servers.*.cpu.*, 1, 3)",
	"aliasByNode(servers.*.cpu.*, -1)",
	"aliasByMetric(servers.*.cpu.*)",
	"aliasByMetric(sumSeries(servers.*.cpu.user))",
	"aliasByTags(servers.*.cpu.*, 1, 'name')",
	"sumSeries(servers.*.cpu.*)",
	"sum(servers.*.cpu.user, servers.web01.cpu.system)",
	"averageSeries(servers.*.cpu.*)",
	"avg(servers.*.cpu.*)",
	"maxSeries(servers.*.cpu.*)",
	"minSeries(servers.*.cpu.*)",
	"diffSeries(servers.web01.cpu.user, servers.web02.cpu.user)",
	"multiplySeries(servers.*.cpu.user)",
	"multiplySeries(servers.web01.cpu.user)",
	"rangeOfSeries(servers.*.cpu.*)",
	"stddevSeries(servers.*.cpu.*)",
	"countSeries(servers.*.cpu.*)",
	"aggregate(servers.*.cpu.*, 'median')",
	"aggregate(servers.*.cpu.*, 'sumSeries', 0.5)",
	"aggregate(servers.*.cpu.*, 'avg_zero')",
	"group(servers.web01.cpu.*, servers.web02.requests)",
	"divideSeries(servers.*.cpu.user, servers.web01.cpu.system)",
	"divideSeries(servers.*.cpu.user, nonexistent.metric)",
	"asPercent(servers.*.cpu.*)",
	"asPercent(servers.*.cpu.user, 200)",
	"asPercent(servers.*.cpu.user, servers.web01.cpu.system)",
	"asPercent(servers.*.cpu.user, servers.*.cpu.system)",
	"asPercent(servers.*.cpu.*, None, 1)",
	"pct(servers.*.cpu.*, servers.*.cpu.user, 1)",
	"scale(servers.*.cpu.*, 2.5)",
	"scale(servers.web01.cpu.user, 3)",
	"offset(servers.*.cpu.*, -1.5)",
	"absolute(offset(servers.*.cpu.*, -10))",
	"derivative(servers.*.cpu.*)",
	"nonNegativeDerivative(servers.*.cpu.user)",
	"nonNegativeDerivative(servers.*.cpu.user, 120)",
	"nonNegativeDerivative(servers.*.cpu.user, None, 5)",
	"perSecond(servers.web02.requests)",
	"perSecond(servers.*.cpu.user, 99)",
	"integral(servers.*.cpu.*)",
	"movingAverage(servers.*.cpu.*, 5)",
	"movingAverage(servers.*.cpu.*, '10min')",
	"movingAverage(servers.web01.cpu.system, 4, 0.9)",
	"movingSum(servers.*.cpu.user, 3)",
	"movingMin(servers.*.cpu.system, '5min')",
	"movingMax(servers.*.cpu.system, 3)",
	"movingWindow(servers.*.cpu.system, 6, 'median')",
	"summarize(servers.*.cpu.*, '1h')",
	"summarize(servers.*.cpu.*, '15min', 'max')",
	"summarize(servers.*.cpu.*, '7min', 'avg', true)",
	"summarize(servers.web02.requests, '1min', 'last')",
	"hitcount(servers.*.cpu.*, '5min')",
	"hitcount(servers.web02.requests, '7min')",
	"hitcount(servers.web02.requests, '1h', true)",
	"timeShift(servers.*.cpu.*, '1h')",
	"timeShift(servers.web01.cpu.user, '-2h', false)",
	"timeShift(servers.web01.cpu.user, '+30min')",
	"keepLastValue(servers.*.cpu.system)",
	"keepLastValue(servers.*.cpu.system, 1)",
	"transformNull(servers.*.cpu.system)",
	"transformNull(servers.*.cpu.system, -1.5)",
	"transformNull(servers.web01.cpu.system, 7, servers.web01.cpu.user)",
	"removeAbovePercentile(servers.*.cpu.*, 80)",
	"removeBelowPercentile(servers.*.cpu.*, 20)",
	"removeAboveValue(servers.*.cpu.*, 30)",
	"removeBelowValue(servers.*.cpu.*, 5.5)",
	"highestCurrent(servers.*.cpu.*, 2)",
	"highestAverage(servers.*.cpu.*, 1)",
	"highestMax(servers.*.cpu.*, 3)",
	"lowestCurrent(servers.*.cpu.*, 2)",
	"lowestAverage(servers.*.cpu.*, 2)",
	"highest(servers.*.cpu.*, 2, 'sum')",
	"lowest(servers.*.cpu.*)",
	"limit(servers.*.cpu.*, 3)",
	"sortByMaxima(servers.*.cpu.*)",
	"sortByMinima(servers.*.cpu.*)",
	"sortByTotal(servers.*.cpu.*)",
	"sortByName(servers.*.cpu.*, reverse=true)",
	"sortByName(servers.*.cpu.*, true)",
	"consolidateBy(servers.*.cpu.user, 'max')",
	"groupByNode(servers.*.cpu.*, 1)",
	"groupByNode(servers.*.cpu.*, 3, 'sumSeries')",
	"groupByNode(servers.*.cpu.*, 3, 'max')",
	"groupByNodes(servers.*.cpu.*, 'sum', 1, 3)",
	"sumSeriesWithWildcards(servers.*.cpu.*, 1)",
	"averageSeriesWithWildcards(servers.*.cpu.*, 1, 3)",
	"nPercentile(servers.*.cpu.*, 95)",
	"nPercentile(servers.*.cpu.*, 50)",
	"constantLine(42)",
	"constantLine(1.5)",
	"exclude(servers.*.cpu.*, 'web01')",
	"grep(servers.*.cpu.*, 'sys')",
	"servers.web01.cpu.user | scale(2) | alias('piped')",
	"sumSeries(scale(servers.*.cpu.*, 2), offset(servers.web01.cpu.user, 1))",
	"aliasByNode(sumSeries(servers.*.cpu.user), 0)",
	"sumSeries(servers.web01.cpu.user, servers.web02.cpu.system)",
	"divideSeries(servers.web02.cpu.system, servers.web01.cpu.user)",
	"removeEmptySeries(servers.*.cpu.*)",
	"removeEmptySeries(servers.*.cpu.*, 0.9)",
	"isNonNull(servers.*.cpu.system)",
	"currentAbove(servers.*.cpu.*, 20)",
	"currentBelow(servers.*.cpu.*, 20)",
	"averageAbove(servers.*.cpu.*, 10)",
	"averageBelow(servers.*.cpu.*, 10)",
	"maximumAbove(servers.*.cpu.*, 50)",
	"maximumBelow(servers.*.cpu.*, 50)",
	"minimumAbove(servers.*.cpu.*, 0)",
	"minimumBelow(servers.*.cpu.*, 0)",
	"filterSeries(servers.*.cpu.*, 'sum', '>=', 500)",
	"filterSeries(servers.*.cpu.*, 'max', '!=', 18)",
	"changed(servers.*.cpu.system)",
	"delay(servers.web01.cpu.user, 3)",
	"delay(servers.web01.cpu.user, -2)",
	"delay(servers.web01.cpu.user, 0)",
	"squareRoot(servers.*.cpu.*)",
	"invert(servers.*.cpu.*)",
	"pow(servers.*.cpu.*, 2)",
	"pow(servers.web02.cpu.system, 0.5)",
	"round(scale(servers.*.cpu.*, 0.123))",
	"round(scale(servers.*.cpu.*, 0.123), 2)",
	"log(servers.*.cpu.*)",
	"log(servers.*.cpu.*, 2)",
	"offsetToZero(servers.*.cpu.*)",
	"scaleToSeconds(servers.*.cpu.*, 1)",
	"scaleToSeconds(servers.web02.requests, 7)",
	"movingMedian(servers.*.cpu.*, 5)",
	"sortBy(servers.*.cpu.*)",
	"sortBy(servers.*.cpu.*, 'max', true)",
	"unique(servers.*.cpu.user, servers.web01.cpu.*)",
	"substr(servers.*.cpu.*, 1, 3)",
	"substr(servers.*.cpu.*, 2)",
	"substr(scale(servers.*.cpu.*, 2), -2)",
	"mostDeviant(servers.*.cpu.*, 2)",
	"cumulative(servers.web01.cpu.*)",
	"add(servers.*.cpu.*, 1.5)",
	"add(servers.web01.cpu.user, -3)",
	"exp(scale(servers.web01.cpu.user, 0.01))",
	"sigmoid(scale(servers.*.cpu.*, 0.1))",
	"logit(scale(servers.*.cpu.*, 0.01))",
	"interpolate(servers.*.cpu.system)",
	"interpolate(servers.web01.cpu.system, 0)",
	"integralByInterval(servers.*.cpu.*, '1h')",
	"integralByInterval(servers.web02.requests, '7min')",
	"identity('x')",
	"aggregateLine(servers.*.cpu.*)",
	"aggregateLine(servers.*.cpu.*, 'max', true)",
	"aggregateLine(nothing.here)",
	"percentileOfSeries(servers.*.cpu.*, 50)",
	"percentileOfSeries(servers.*.cpu.*, 75, true)",
	"fallbackSeries(nothing.here, servers.web01.cpu.user)",
	"fallbackSeries(servers.web02.cpu.user, servers.web01.cpu.user)",
	"sumSeriesLists(servers.web01.cpu.*, servers.web02.cpu.*)",
	"diffSeriesLists(servers.web01.cpu.*, servers.web02.cpu.*)",
	"multiplySeriesLists(servers.web01.cpu.*, servers.web02.cpu.*)",
	"aggregateSeriesLists(servers.web01.cpu.*, servers.web02.cpu.*, 'max')",
	"multiplySeriesWithWildcards(servers.*.cpu.*, 1)",
	"aggregateWithWildcards(servers.*.cpu.*, 'median', 1, 2)",
	"averageOutsidePercentile(servers.*.cpu.*, 80)",
	"averageOutsidePercentile(servers.*.cpu.*, 30)",
	"exponentialMovingAverage(servers.*.cpu.*, 5)",
	"exponentialMovingAverage(servers.*.cpu.*, '10min')",
	"minMax(servers.*.cpu.*)",
	"color(servers.*.cpu.*, 'red')",
	"alpha(lineWidth(servers.*.cpu.*, 3), 0.5)",
	"dashed(servers.*.cpu.user)",
	"dashed(servers.*.cpu.user, 3)",
	"secondYAxis(servers.web01.cpu.user)",
	"stdev(servers.*.cpu.*, 5)",
	"stdev(servers.web01.cpu.system, 10, 0.5)",
	"timeStack(servers.web01.cpu.user, '1h', 0, 3)",
	"timeStack(servers.*.cpu.system, '30min', 1, 2)",
	`useSeriesAbove(servers.*.cpu.user, 40, "user", "system")`,
	`applyByNode(servers.*.cpu.*, 1, "sumSeries(%.cpu.*)")`,
	`applyByNode(servers.*.cpu.user, 1, "scale(%.cpu.user, 2)", "%.doubled")`,
	"threshold(12.5)",
	"threshold(3, 'limit', 'red')",
	"drawAsInfinite(servers.web01.cpu.user)",
	"weightedAverage(servers.*.cpu.user, servers.*.cpu.system, 1)",
	"weightedAverage(servers.*.cpu.user, servers.*.cpu.system)",
}

type oracleSeries struct {
	Name   string            `json:"name"`
	Start  int64             `json:"start"`
	End    int64             `json:"end"`
	Step   int64             `json:"step"`
	Values []any             `json:"values"`
	Tags   map[string]string `json:"tags"`
}

// oracleReq is one request to testdata/oracle.py.
type oracleReq struct {
	b                *MemBackend
	from, until, now int64
	targets          []string
	jsonOpts         []map[string]any // with it, graphite-web's format=json texts
}

func (r oracleReq) encode() map[string]any {
	metrics := map[string]any{}
	for name, s := range r.b.metrics {
		vals := make([]any, len(s.values))
		for i, v := range s.values {
			if !isNull(v) {
				vals[i] = v
			}
		}
		metrics[name] = map[string]any{"start": s.start, "step": s.step, "values": vals}
	}
	m := map[string]any{"now": r.now, "from": r.from, "until": r.until, "xff": 0.0, "metrics": metrics, "targets": r.targets}
	if r.jsonOpts != nil {
		m["json"] = r.jsonOpts
	}
	return m
}

// runOracles runs every request in one graphite-web process (Django's
// start-up is most of the cost) and returns each answer per target.
func runOracles(t *testing.T, reqs ...oracleReq) [][]json.RawMessage {
	t.Helper()
	py := testutil.Python(t, "graphite.render", "django", "pytz")
	batch := make([]any, len(reqs))
	for i, r := range reqs {
		batch[i] = r.encode()
	}
	in, _ := json.Marshal(batch)
	cmd := exec.Command(py, filepath.Join("testdata", "oracle.py"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle: %v\n%s", err, stderr.String())
	}
	var res [][]json.RawMessage
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(reqs) {
		t.Fatalf("oracle output: %v", err)
	}
	return res
}

func evalForTest(b Backend, target string, from, until, now int64) ([]*series, error) {
	e := &evaluator{ctx: context.Background(), b: b, from: from, until: until, now: now,
		maxSeries: 1000, loc: time.UTC, state: &evalState{cache: map[fetchKey][]*SeriesData{}}}
	x, err := ParseTarget(target)
	if err != nil {
		return nil, err
	}
	return e.evalTarget(x)
}

func fixedRanges() []struct{ from, until int64 } {
	now := testNow.Unix()
	return []struct{ from, until int64 }{
		{now - 3*3600, now},
		{now - 86400 - 1234, now - 3600 + 17},
	}
}

// sharedAnswers are graphite-web's answers for every differential test,
// computed in one Python process on first use.
type sharedAnswers struct {
	fixed, random, json [][]json.RawMessage
	fixedB              *MemBackend
	randomReqs          []oracleReq
	jsonReq             oracleReq
}

var (
	sharedOnce sync.Once
	shared     *sharedAnswers
)

func sharedOracle(t *testing.T) *sharedAnswers {
	t.Helper()
	testutil.Python(t, "graphite.render", "django", "pytz")
	sharedOnce.Do(func() {
		sa := &sharedAnswers{fixedB: testBackend(), randomReqs: randomReqs(), jsonReq: jsonReq()}
		now := testNow.Unix()
		var reqs []oracleReq
		for _, rng := range fixedRanges() {
			reqs = append(reqs, oracleReq{b: sa.fixedB, from: rng.from, until: rng.until, now: now, targets: diffTargets})
		}
		reqs = append(reqs, sa.randomReqs...)
		reqs = append(reqs, sa.jsonReq)
		all := runOracles(t, reqs...)
		nf, nr := len(fixedRanges()), len(sa.randomReqs)
		sa.fixed, sa.random, sa.json = all[:nf], all[nf:nf+nr], all[nf+nr:]
		shared = sa
	})
	if shared == nil {
		t.Fatal("graphite-web oracle failed in an earlier test")
	}
	return shared
}

func TestFunctionsMatchGraphiteWeb(t *testing.T) {
	sa := sharedOracle(t)
	b := sa.fixedB
	now := testNow.Unix()
	answers := sharedOracle(t).fixed
	ranges := fixedRanges()
	for r, rng := range ranges {
		res := answers[r]
		for i, target := range diffTargets {
			got, err := evalForTest(b, target, rng.from, rng.until, now)
			var want []oracleSeries
			if json.Unmarshal(res[i], &want) != nil {
				if err == nil {
					t.Errorf("%s: graphite-web fails (%s), ringvault succeeds", target, res[i])
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", target, err)
				continue
			}
			compareSeries(t, target, got, want)
		}
	}
}

func compareSeries(t *testing.T, target string, got []*series, want []oracleSeries) {
	t.Helper()
	if len(got) != len(want) {
		names := func() (g, w []string) {
			for _, s := range got {
				g = append(g, s.name)
			}
			for _, s := range want {
				w = append(w, s.Name)
			}
			return
		}
		g, w := names()
		t.Errorf("%s: %d series %q, graphite-web %d %q", target, len(got), g, len(want), w)
		return
	}
	for k, w := range want {
		g := got[k]
		if g.name != w.Name || g.start != w.Start || g.end != w.End || g.step != w.Step {
			t.Errorf("%s[%d]: got %q %d..%d/%d, graphite-web %q %d..%d/%d", target, k, g.name, g.start, g.end, g.step, w.Name, w.Start, w.End, w.Step)
			continue
		}
		pts := g.points()
		if len(pts) != len(w.Values) {
			t.Errorf("%s[%d] %s: %d values, graphite-web %d", target, k, g.name, len(pts), len(w.Values))
			continue
		}
		for i, wv := range w.Values {
			if d := valueDiff(pts[i], wv); d != "" {
				t.Errorf("%s[%d] %s value %d (t=%d): %s", target, k, g.name, i, g.start+int64(i)*g.step, d)
				break
			}
		}
		if !equalTags(g.tags.m, w.Tags) {
			t.Errorf("%s[%d] %s: tags %v, graphite-web %v", target, k, g.name, g.tags.m, w.Tags)
		}
	}
}

func valueDiff(g float64, w any) string {
	switch w := w.(type) {
	case nil:
		if !isNull(g) {
			return fmt.Sprintf("got %v, want null", g)
		}
	case string:
		if !math.IsInf(g, map[string]int{"inf": 1, "-inf": -1}[w]) {
			return fmt.Sprintf("got %v, want %s", g, w)
		}
	case float64:
		if isNull(g) || math.Abs(g-w) > 1e-9*math.Max(1, math.Abs(w)) {
			return fmt.Sprintf("got %v, want %v", g, w)
		}
	}
	return ""
}

func equalTags(g, w map[string]string) bool {
	if len(g) != len(w) {
		return false
	}
	for k, v := range w {
		if g[k] != v {
			return false
		}
	}
	return true
}
