package graphite

import (
	"fmt"
	"strconv"
	"strings"
)

// Combine functions: graphite-web's aggregate() family.

func init() {
	register("aggregate", "Combines the series with an aggregation function (sum, average, min, max, ...) at each timestamp; the result is one series.", func(e *evaluator, a *args) ([]*series, error) {
		fn := a.str(1, "")
		return aggregate(e, a.series(0), strings.TrimSuffix(fn, "Series"), optFloat(a, 2))
	})
	for _, f := range []struct{ name, agg, desc string }{
		{"sumSeries", "sum", "Adds the series together at each timestamp (nulls ignored; null when all are null)."},
		{"sum", "sum", "Short form of sumSeries."},
		{"averageSeries", "average", "Averages the series at each timestamp, ignoring nulls."},
		{"avg", "average", "Short form of averageSeries."},
		{"maxSeries", "max", "The largest value of the series at each timestamp."},
		{"minSeries", "min", "The smallest value of the series at each timestamp."},
		{"diffSeries", "diff", "Subtracts the second and later series from the first at each timestamp."},
		{"rangeOfSeries", "rangeOf", "Maximum minus minimum of the series at each timestamp."},
		{"stddevSeries", "stddev", "Population standard deviation of the series at each timestamp."},
	} {
		register(f.name, f.desc, func(e *evaluator, a *args) ([]*series, error) {
			return aggregate(e, a.series(0), f.agg, nil)
		})
	}
	register("multiplySeries", "Multiplies the series at each timestamp (null if any is null).", func(e *evaluator, a *args) ([]*series, error) {
		lists := a.seriesLists(0)
		if len(lists) == 1 && len(lists[0]) == 1 {
			return lists[0], nil
		}
		return aggregate(e, a.series(0), "multiply", nil)
	})
	register("countSeries", "The number of series at each timestamp.", countSeries)
	register("group", "Joins several series lists into one.", func(e *evaluator, a *args) ([]*series, error) {
		return a.series(0), nil
	})
	register("divideSeries", "Divides each series by the one divisor series (null where the divisor is 0 or null).", divideSeries)
	register("asPercent", "Each series as a percentage of a total: the sum of the series, a number, one series, a matching list, or per group of nodes.", asPercent)
	register("pct", "Short form of asPercent.", asPercent)
	register("sumSeriesWithWildcards", "Sums the series that are equal once the given node positions are removed; the result is named after the remaining nodes.", func(e *evaluator, a *args) ([]*series, error) {
		return aggregateWithWildcards(e, a.series(0), "sum", nodeInts(a, 1))
	})
	register("averageSeriesWithWildcards", "Averages the series that are equal once the given node positions are removed.", func(e *evaluator, a *args) ([]*series, error) {
		return aggregateWithWildcards(e, a.series(0), "average", nodeInts(a, 1))
	})
	register("groupByNode", "Groups the series by one node (or tag) and combines each group with a function (default average); each result is named by the node.", func(e *evaluator, a *args) ([]*series, error) {
		nodes := a.anys(1)
		if len(nodes) == 0 {
			a.fail(1, "missing")
			return nil, nil
		}
		return groupByNodes(e, a.series(0), a.str(2, "average"), nodes[:1])
	})
	register("groupByNodes", "Groups the series by several nodes (or tags) and combines each group with a function.", func(e *evaluator, a *args) ([]*series, error) {
		return groupByNodes(e, a.series(0), a.str(1, ""), a.anys(2))
	})
}

// optFloat returns an optional float param as a pointer (nil if absent).
func optFloat(a *args, i int) *float64 {
	if !a.has(i) {
		return nil
	}
	v := a.num(i, 0)
	return &v
}

func nodeInts(a *args, i int) []int {
	var out []int
	for _, v := range a.anys(i) {
		n, ok := v.(int64)
		if !ok {
			a.fail(i, "expected node numbers, got %s", pyRepr(v))
			return nil
		}
		out = append(out, int(n))
	}
	return out
}

// aggregate is graphite-web's aggregate(): normalize, then the function
// over every row where xFilesFactor allows, named "<func>Series(<paths>)",
// tagged with the tags common to every series plus aggregatedBy.
func aggregate(e *evaluator, list []*series, fn string, xff *float64) ([]*series, error) {
	f, err := getAggFunc(fn)
	if err != nil {
		return nil, err
	}
	start, end, step, ok := normalize(list)
	if !ok {
		return nil, nil
	}
	x := e.xff
	if xff != nil {
		x = *xff
	}
	name := fn + "Series(" + formatPathExpressions(list) + ")"
	values := make([]float64, 0, len(list[0].values))
	rows(list, func(_ int, row []float64) {
		if xffOK(nonNullCount(row), len(row), x) {
			values = append(values, f(row))
		} else {
			values = append(values, nan)
		}
	})
	tags := list[0].tags.copy()
	for _, s := range list[1:] {
		for _, k := range append([]string(nil), tags.keys...) {
			if !s.tags.has(k) || s.tags.get(k) != tags.get(k) {
				tags.del(k)
			}
		}
	}
	if !tags.has("name") {
		tags.set("name", name)
	}
	tags.set("aggregatedBy", fn)
	out := newSeries(name, start, end, step, values, x)
	out.tags = tags
	return []*series{out}, nil
}

func countSeries(e *evaluator, a *args) ([]*series, error) {
	list := a.series(0)
	if len(list) == 0 {
		s := constantLine(e, int64(0))
		s.pathExpr = "countSeries()"
		return []*series{s}, nil
	}
	start, end, step, _ := normalize(list)
	name := "countSeries(" + formatPathExpressions(list) + ")"
	var values []float64
	rows(list, func(_ int, row []float64) { values = append(values, float64(len(row))) })
	return []*series{newSeries(name, start, end, step, values, e.xff)}, nil
}

func divideSeries(e *evaluator, a *args) ([]*series, error) {
	dividends, divisors := a.series(0), a.series(1)
	if a.err != nil {
		return nil, nil
	}
	if len(divisors) == 0 {
		for _, s := range dividends {
			s.name = "divideSeries(" + s.name + ",MISSING)"
			s.pathExpr = s.name
			for i := range s.values {
				s.values[i] = nan
			}
		}
		return dividends, nil
	}
	if len(divisors) > 1 {
		return nil, fmt.Errorf("%w: divideSeries second argument must reference exactly 1 series (got %d)", ErrBadArgument, len(divisors))
	}
	d := divisors[0]
	var out []*series
	for _, s := range dividends {
		name := "divideSeries(" + s.name + "," + d.name + ")"
		both := []*series{s, d}
		start, end, step, _ := normalize(both)
		var values []float64
		rows(both, func(_ int, r []float64) { values = append(values, safeDiv(r[0], r[1])) })
		out = append(out, newSeries(name, start, end, step, values, e.xff))
	}
	return out, nil
}

func aggregateWithWildcards(e *evaluator, list []*series, fn string, positions []int) ([]*series, error) {
	groups := map[string][]*series{}
	var keys []string
	for _, s := range list {
		var kept []string
		for i, node := range strings.Split(s.name, ".") {
			drop := false
			for _, p := range positions {
				if p == i {
					drop = true
				}
			}
			if !drop {
				kept = append(kept, node)
			}
		}
		key := strings.Join(kept, ".")
		if _, ok := groups[key]; !ok {
			keys = append(keys, key)
		}
		groups[key] = append(groups[key], s)
	}
	var out []*series
	for _, k := range keys {
		r, err := aggregate(e, groups[k], fn, nil)
		if err != nil {
			return nil, err
		}
		if len(r) == 0 {
			continue
		}
		r[0].name = k
		out = append(out, r[0])
	}
	return out, nil
}

// getNodeOrTag is graphite-web's getNodeOrTag: node n of the name (or of
// pathExpression), or the tag named n.
func getNodeOrTag(s *series, n any, path string) string {
	if path == "" {
		path = s.name
	}
	if i, ok := n.(int64); ok {
		base, _, _ := strings.Cut(path, ";")
		nodes := strings.Split(base, ".")
		if i < 0 {
			i += int64(len(nodes))
		}
		if i >= 0 && i < int64(len(nodes)) {
			return nodes[i]
		}
		return s.tags.get(strconv.FormatInt(n.(int64), 10))
	}
	return s.tags.get(pyRepr(n))
}

// aggKey is graphite-web's aggKey: the nodes joined by dots, taken from
// the first path expression when the name is a function call.
func aggKey(s *series, nodes []any) string {
	path := ""
	if strings.HasSuffix(s.name, ")") {
		path = firstPathExpression(s.name)
	}
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		parts[i] = getNodeOrTag(s, n, path)
	}
	return strings.Join(parts, ".")
}

// firstPathExpression is graphite-web's _getFirstPathExpression: the
// first path inside a name such as "sumSeries(a.b.c,d)".
func firstPathExpression(name string) string {
	x, err := ParseTarget(name)
	for err == nil && x != nil {
		switch x.Kind {
		case ExprPath:
			return x.Path
		case ExprCall:
			if len(x.Args) == 0 {
				return ""
			}
			x = x.Args[0]
		default:
			return ""
		}
	}
	return ""
}

func groupByNodes(e *evaluator, list []*series, callback string, nodes []any) ([]*series, error) {
	groups := map[string][]*series{}
	var keys []string
	for _, s := range list {
		k := aggKey(s, nodes)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], s)
	}
	var out []*series
	for _, k := range keys {
		var r []*series
		var err error
		if f, ok := lookup(callback); ok {
			a := &args{fn: f, name: callback, vals: make([][]any, len(f.meta.Params))}
			a.vals[0] = []any{groups[k]}
			for j, p := range f.meta.Params[1:] {
				if p.Required && !f.pyDefault[p.Name] {
					return nil, fmt.Errorf("%w: %s cannot be a groupByNode callback: it needs %s", ErrBadArgument, callback, f.meta.Params[j+1].Name)
				}
			}
			r, err = f.impl(e, a)
			if err == nil {
				err = a.err
			}
		} else {
			r, err = aggregate(e, groups[k], callback, nil)
		}
		if err != nil {
			return nil, err
		}
		if len(r) == 0 {
			continue
		}
		r[0].name = k
		out = append(out, r[0])
	}
	return out, nil
}
