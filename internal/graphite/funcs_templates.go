package graphite

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Functions that evaluate further targets (applyByNode, useSeriesAbove,
// timeStack), and stdev, weightedAverage, threshold, drawAsInfinite.

func init() {
	register("stdev", "The standard deviation of a moving window of points (null while fewer than windowTolerance of them have values).", stdevFunc)
	register("timeStack", "The series shifted by 0..n units of time (timeShiftStart to timeShiftEnd), drawn over the same range.", timeStack)
	register("useSeriesAbove", "For each series whose maximum is above value, fetches the series named by a regular-expression substitution of its name.", useSeriesAbove)
	register("applyByNode", "For each distinct path prefix up to nodeNum, evaluates templateFunction with % replaced by the prefix.", applyByNode)
	register("threshold", "A horizontal line at a value, with an optional label and color.", func(e *evaluator, a *args) ([]*series, error) {
		s := constantLine(e, a.one(0))
		if l := a.str(1, ""); l != "" {
			s.name = l
		}
		s.style.color = a.str(2, "")
		return []*series{s}, nil
	})
	register("drawAsInfinite", "Marks the series to be drawn as vertical lines where non-zero (ringvault renames and tags it as graphite-web; graphs draw it as a line).", styleFunc(func(a *args, s *series) {
		s.tags.set("drawAsInfinite", "1")
		s.name = "drawAsInfinite(" + s.name + ")"
	}))
	register("weightedAverage", "The average of the first list weighted by the second, pairing series by the given nodes.", weightedAverage)
}

func stdevFunc(e *evaluator, a *args) ([]*series, error) {
	list, points, tol := a.series(0), a.int(1, 0), a.num(2, 0.1)
	if a.err != nil {
		return nil, nil
	}
	if points <= 0 {
		a.fail(1, "must be positive")
		return nil, nil
	}
	for k, s := range list {
		s.tags.set("stdev", strconv.Itoa(points))
		pts := s.points()
		values := make([]float64, len(pts))
		valid, sum, sumSq := 0, 0.0, 0.0
		for i, v := range pts {
			if i >= points {
				if d := pts[i-points]; !isNull(d) {
					valid--
					sum -= d
					sumSq -= d * d
				}
			}
			if !isNull(v) {
				valid++
				sum += v
				sumSq += v * v
			}
			values[i] = nan
			if valid > 0 && float64(valid)/float64(points) >= tol {
				if x := float64(valid)*sumSq - sum*sum; x >= 0 {
					values[i] = math.Sqrt(x) / float64(valid)
				}
			}
		}
		list[k] = s.derive("stdev("+s.name+","+strconv.Itoa(points)+")", values)
	}
	return list, nil
}

func timeStack(e *evaluator, a *args) ([]*series, error) {
	list, unit, from, to := a.series(0), a.str(1, "1d"), a.int(2, 0), a.int(3, 7)
	if a.err != nil {
		return nil, nil
	}
	if unit != "" && unit[0] >= '0' && unit[0] <= '9' {
		unit = "-" + unit
	}
	delta, err := intervalSeconds(unit)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	if to-from > 1000 {
		return nil, fmt.Errorf("%w: timeStack of %d shifts is too many", ErrBadArgument, to-from)
	}
	first := list[0]
	var out []*series
	for shift := from; shift < to; shift++ {
		d := delta * int64(shift)
		shifted, err := e.withRange(e.from+d, e.until+d).evalTarget(a.first())
		if err != nil {
			return nil, err
		}
		for _, s := range shifted {
			s.tags.set("timeShiftUnit", unit)
			s.tags.set("timeShift", strconv.Itoa(shift))
			rename(s, "timeShift("+s.name+", "+unit+", "+strconv.Itoa(shift)+")")
			s.start, s.end = first.start, first.end
			out = append(out, s)
		}
	}
	return out, nil
}

// evalString parses and evaluates a target built by a function.
func (e *evaluator) evalString(target string) ([]*series, error) {
	x, err := ParseTarget(target)
	if err != nil {
		return nil, err
	}
	return e.evalTarget(x)
}

func useSeriesAbove(e *evaluator, a *args) ([]*series, error) {
	list, value, search, replace := a.series(0), a.num(1, 0), a.str(2, ""), a.str(3, "")
	if a.err != nil {
		return nil, nil
	}
	re, err := compilePyRegexp(search)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range list {
		n, err := pySub(re, replace, s.name, 0)
		if err != nil {
			return nil, err
		}
		if m := safeMax(s.points()); !isNull(m) && m > value {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	got, err := e.evalString("group(" + strings.Join(names, ",") + ")")
	if err != nil {
		return nil, err
	}
	out := got[:0]
	for _, s := range got {
		if len(s.values) > 0 {
			out = append(out, s)
		}
	}
	return out, nil
}

func applyByNode(e *evaluator, a *args) ([]*series, error) {
	list, node, tmpl := a.series(0), a.int(1, 0), a.str(2, "")
	newName := a.str(3, "")
	if a.err != nil || len(list) == 0 {
		return nil, nil
	}
	set := map[string]bool{}
	for _, s := range list {
		nodes := strings.Split(s.name, ".")
		set[strings.Join(nodes[:pyIndex(node+1, len(nodes))], ".")] = true
	}
	prefixes := make([]string, 0, len(set))
	for p := range set {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	last := list[len(list)-1] // graphite-web uses the loop's last series
	var out []*series
	for _, p := range prefixes {
		got, err := e.evalString(strings.ReplaceAll(tmpl, "%", p))
		if err != nil {
			return nil, err
		}
		for _, s := range got {
			if newName != "" {
				s.name = strings.ReplaceAll(newName, "%", p)
			}
			s.pathExpr = p
			s.start, s.end = last.start, last.end
			out = append(out, s)
		}
	}
	return out, nil
}

func weightedAverage(e *evaluator, a *args) ([]*series, error) {
	avgs, weights, nodes := a.series(0), a.series(1), a.anys(2)
	if a.err != nil {
		return nil, nil
	}
	if len(avgs) != len(weights) {
		return nil, fmt.Errorf("%w: weightedAverage must receive the same number of series for seriesListAvg and seriesListWeight but received respectively %d and %d", ErrBadArgument, len(avgs), len(weights))
	}
	type pair struct{ avg, weight *series }
	byKey := map[string]*pair{}
	var keys []string
	get := func(k string) *pair {
		if byKey[k] == nil {
			byKey[k] = &pair{}
			keys = append(keys, k)
		}
		return byKey[k]
	}
	for i := range avgs {
		get(aggKey(avgs[i], nodes)).avg = avgs[i]
		get(aggKey(weights[i], nodes)).weight = weights[i]
	}
	var products []*series
	for _, k := range keys {
		p := byKey[k]
		if p.avg == nil || p.weight == nil {
			continue
		}
		var values []float64
		rows([]*series{p.avg, p.weight}, func(_ int, r []float64) { values = append(values, safeMul(r)) })
		products = append(products, newSeries("product("+p.weight.name+","+p.avg.name+")", p.avg.start, p.avg.end, p.avg.step, values, e.xff))
	}
	if len(products) == 0 {
		return nil, nil
	}
	sp, err := aggregate(e, products, "sum", nil)
	if err != nil || len(sp) == 0 {
		return nil, err
	}
	sw, err := aggregate(e, weights, "sum", nil)
	if err != nil || len(sw) == 0 {
		return nil, err
	}
	var values []float64
	rows([]*series{sp[0], sw[0]}, func(_ int, r []float64) { values = append(values, safeDiv(r[0], r[1])) })
	nodeText := make([]string, len(nodes))
	for i, n := range nodes {
		nodeText[i] = pyRepr(n)
	}
	name := "weightedAverage(" + sortedPaths(avgs) + ", " + sortedPaths(weights) + ", " + strings.Join(nodeText, ",") + ")"
	return []*series{newSeries(name, sp[0].start, sp[0].end, sp[0].step, values, e.xff)}, nil
}

// sortedPaths is ','.join(sorted(set(s.pathExpression for s in list))).
func sortedPaths(list []*series) string {
	set := map[string]bool{}
	for _, s := range list {
		set[s.pathExpr] = true
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}
