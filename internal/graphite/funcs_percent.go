package graphite

import (
	"fmt"
	"sort"
)

// percentRow is safeMul(safeDiv(v, total), 100.0).
func percentRow(v, total float64) float64 {
	q := safeDiv(v, total)
	if isNull(q) {
		return nan
	}
	return q * 100.0
}

// sumTotal is the sumSeries asPercent builds for a group of series.
func sumTotal(e *evaluator, list []*series) *series {
	if len(list) == 1 {
		return list[0]
	}
	name := "sumSeries(" + formatPathExpressions(list) + ")"
	start, end, step, _ := normalize(list)
	var values []float64
	rows(list, func(_ int, r []float64) { values = append(values, safeSum(r)) })
	return newSeries(name, start, end, step, values, e.xff)
}

func percentOf(e *evaluator, s1, s2 *series) *series {
	name := "asPercent(" + s1.name + "," + s2.name + ")"
	start, end, step, _ := normalize([]*series{s1, s2})
	var values []float64
	rows([]*series{s1, s2}, func(_ int, r []float64) { values = append(values, percentRow(r[0], r[1])) })
	return newSeries(name, start, end, step, values, e.xff)
}

// asPercent is graphite-web's asPercent(seriesList, total=None, *nodes).
func asPercent(e *evaluator, a *args) ([]*series, error) {
	list := a.series(0)
	if a.err != nil {
		return nil, nil
	}
	normalize(list)
	total := a.one(1)
	var totalList []*series
	switch t := total.(type) {
	case nil:
	case []*series:
		totalList = t
	case int64, float64:
	default:
		return nil, fmt.Errorf("%w: asPercent total must be None, a number or a series list", ErrBadArgument)
	}
	if nodes := a.anys(2); len(nodes) > 0 {
		return asPercentByNodes(e, list, total, totalList, nodes)
	}
	var totalValues []float64
	totalText := ""
	switch total.(type) {
	case nil:
		rows(list, func(_ int, r []float64) { totalValues = append(totalValues, safeSum(r)) })
		totalText = "sumSeries(" + formatPathExpressions(list) + ")"
	case []*series:
		if len(totalList) != 1 && len(totalList) != len(list) {
			return nil, fmt.Errorf("%w: asPercent second argument must be missing, a single digit, reference exactly 1 series or reference the same number of series as the first argument", ErrBadArgument)
		}
		if len(totalList) == 1 {
			normalize(append(append([]*series{}, list...), totalList...))
			totalValues = totalList[0].points()
			totalText = totalList[0].name
		}
	default:
		n := a.num(1, 0)
		if len(list) > 0 {
			// graphite-web: [total] * len(seriesList[0]), the raw length
			// even when normalize consolidated the series.
			totalValues = make([]float64, len(list[0].values))
			for i := range totalValues {
				totalValues[i] = n
			}
		}
		totalText = pyRepr(total)
	}
	var out []*series
	if totalList != nil && len(totalList) == len(list) {
		l1 := append([]*series{}, list...)
		l2 := append([]*series{}, totalList...)
		sort.SliceStable(l1, func(i, j int) bool { return l1[i].name < l1[j].name })
		sort.SliceStable(l2, func(i, j int) bool { return l2[i].name < l2[j].name })
		for i := range l1 {
			out = append(out, percentOf(e, l1[i], l2[i]))
		}
		return out, nil
	}
	for _, s := range list {
		pts := s.points()
		n := max(len(pts), len(totalValues))
		values := make([]float64, n)
		for i := range values {
			v, t := nan, nan
			if i < len(pts) {
				v = pts[i]
			}
			if i < len(totalValues) {
				t = totalValues[i]
			}
			values[i] = percentRow(v, t)
		}
		text := totalText
		if text == "" {
			text = s.pathExpr
		}
		r := newSeries("asPercent("+s.name+","+text+")", s.start, s.end, s.step, values, e.xff)
		out = append(out, r)
	}
	return out, nil
}

func asPercentByNodes(e *evaluator, list []*series, total any, totalList []*series, nodes []any) ([]*series, error) {
	var keys []string
	meta := map[string][]*series{}
	for _, s := range list {
		k := aggKey(s, nodes)
		if _, ok := meta[k]; !ok {
			keys = append(keys, k)
		}
		meta[k] = append(meta[k], s)
	}
	totals := map[string]*series{}
	switch total.(type) {
	case nil:
		for _, k := range keys {
			totals[k] = sumTotal(e, meta[k])
		}
	case []*series:
		groups := map[string][]*series{}
		var order []string
		for _, s := range totalList {
			k := aggKey(s, nodes)
			if _, ok := groups[k]; !ok {
				order = append(order, k)
				if _, ok := meta[k]; !ok {
					keys = append(keys, k)
				}
			}
			groups[k] = append(groups[k], s)
		}
		for _, k := range order {
			totals[k] = sumTotal(e, groups[k])
		}
	default:
		return nil, fmt.Errorf("%w: total must be None or a seriesList", ErrBadArgument)
	}
	var out []*series
	for _, k := range keys {
		if _, ok := meta[k]; !ok {
			t := totals[k]
			pts := t.points()
			values := make([]float64, len(pts))
			for i := range values {
				values[i] = nan
			}
			out = append(out, newSeries("asPercent(MISSING,"+t.name+")", t.start, t.end, t.step, values, e.xff))
			continue
		}
		for _, s := range meta[k] {
			t, ok := totals[k]
			if !ok {
				pts := s.points()
				values := make([]float64, len(pts))
				for i := range values {
					values[i] = nan
				}
				out = append(out, newSeries("asPercent("+s.name+",MISSING)", s.start, s.end, s.step, values, e.xff))
				continue
			}
			out = append(out, percentOf(e, s, t))
		}
	}
	return out, nil
}
