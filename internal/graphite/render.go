package graphite

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"ringvault/internal/pyfmt"
)

// renderRequest is a parsed /render request (graphite-web's parseOptions).
type renderRequest struct {
	targets       []string
	format        string
	from, until   time.Time
	now           time.Time
	loc           *time.Location
	maxDataPoints int
	noNullPoints  bool
	jsonp         string
	pretty        bool
	xff           float64
	graph         graphOptions
}

func (h *handler) parseRender(q url.Values) (*renderRequest, error) {
	r := &renderRequest{targets: q["target"]}
	if len(r.targets) == 0 {
		r.targets = q["target[]"]
	}
	if _, ok := q["pickle"]; ok {
		r.format = "pickle"
	}
	if _, ok := q["rawData"]; ok {
		r.format = "raw"
	}
	if f := q.Get("format"); f != "" {
		r.format = f
		r.jsonp = q.Get("jsonp")
	}
	switch r.format {
	case "", "png", "svg", "json", "csv", "raw", "pickle":
	default:
		return nil, badRequest("graphite: format %q not supported (json, csv, raw, pickle, png, svg)", r.format)
	}
	r.pretty = q.Get("pretty") != ""
	if s := q.Get("maxDataPoints"); s != "" && isDigits(s) {
		r.maxDataPoints, _ = strconv.Atoi(s)
	}
	_, r.noNullPoints = q["noNullPoints"]
	var err error
	if r.loc, err = h.location(q); err != nil {
		return nil, err
	}
	if r.now, err = h.now(q, r.loc); err != nil {
		return nil, err
	}
	r.until = r.now
	if s := q.Get("until"); s != "" {
		if r.until, err = ParseATTime(s, r.now, r.loc); err != nil {
			return nil, fmt.Errorf("until: %w", err)
		}
	}
	from := "-1d"
	if s := q.Get("from"); s != "" {
		from = s
	}
	if r.from, err = ParseATTime(from, r.now, r.loc); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if r.from.After(r.until) {
		r.from, r.until = r.until, r.from
	}
	if r.from.Unix() == r.until.Unix() {
		return nil, badRequest("graphite: invalid empty time range")
	}
	if s := q.Get("xFilesFactor"); s != "" {
		if r.xff, err = strconv.ParseFloat(s, 64); err != nil {
			return nil, badRequest("graphite: xFilesFactor %q is not a number", s)
		}
	}
	r.graph, err = parseGraphOptions(q)
	return r, err
}

// evaluate runs every target of the request.
func (h *handler) evaluate(ctx context.Context, r *renderRequest) ([]*series, error) {
	e := &evaluator{
		ctx: ctx, b: h.b, from: r.from.Unix(), until: r.until.Unix(), now: r.now.Unix(),
		xff: r.xff, maxSeries: h.opts.MaxSeries, loc: r.loc,
		state: &evalState{cache: map[fetchKey][]*SeriesData{}},
	}
	var out []*series
	for _, t := range r.targets {
		if strings.TrimSpace(t) == "" {
			continue
		}
		x, err := ParseTarget(t)
		if err != nil {
			return nil, err
		}
		list, err := e.evalTarget(x)
		if err != nil {
			return nil, fmt.Errorf("target %q: %w", t, err)
		}
		out = append(out, list...)
	}
	return out, nil
}

func (h *handler) render(w http.ResponseWriter, req *http.Request) {
	q, err := params(req)
	if err != nil {
		h.fail(w, req, badRequest("%v", err))
		return
	}
	r, err := h.parseRender(q)
	if err != nil {
		h.fail(w, req, err)
		return
	}
	data, err := h.evaluate(req.Context(), r)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return
		}
		h.fail(w, req, err)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	switch r.format {
	case "json":
		writeJSONBytes(w, q, appendRenderJSON(nil, r, data))
	case "csv":
		w.Header().Set("Content-Type", "text/csv")
		w.Write(renderCSV(r, data))
	case "raw":
		w.Header().Set("Content-Type", "text/plain")
		w.Write(renderRaw(data))
	case "pickle":
		w.Header().Set("Content-Type", "application/pickle")
		w.Write(renderPickle(data))
	default:
		h.renderGraph(w, req, r, data)
	}
}

// consolidateForJSON applies maxDataPoints as graphite-web's
// renderViewJson does: valuesPerPoint = ceil(points/maxDataPoints), the
// start nudged so buckets align between refreshes, the first values
// dropped to match.
func consolidateForJSON(r *renderRequest, data []*series) {
	if r.maxDataPoints <= 0 || len(data) == 0 {
		return
	}
	start, end := data[0].start, data[0].end
	for _, s := range data {
		start, end = min(start, s.start), max(end, s.end)
	}
	timeRange := end - start
	for _, s := range data {
		if s.step <= 0 {
			continue
		}
		if r.maxDataPoints == 1 {
			s.vpp = max(len(s.values), 1)
			continue
		}
		points := float64(timeRange) / float64(s.step)
		if float64(r.maxDataPoints) >= points {
			continue
		}
		vpp := int64(math.Ceil(points / float64(r.maxDataPoints)))
		spp := vpp * s.step
		nudge := spp + pyMod(s.start, s.step) - pyMod(s.start, spp)
		s.start += nudge
		lose := int(nudge / s.step)
		for k := 1; k < lose && len(s.values) > 0; k++ {
			s.values = s.values[1:]
		}
		s.vpp = int(vpp)
	}
}

func pyMod(a, b int64) int64 {
	_, m := floorDivMod(a, b)
	return m
}

// appendJSONFloat writes v as graphite-web's JSON does: Python's float
// repr, null for NaN, 1e9999 for infinity.
func appendJSONFloat(b []byte, v float64) []byte {
	switch {
	case isNull(v):
		return append(b, "null"...)
	case math.IsInf(v, 1):
		return append(b, "1e9999"...)
	case math.IsInf(v, -1):
		return append(b, "-1e9999"...)
	}
	return appendFloatRepr(b, v)
}

// appendFloatRepr is Python's repr(float) without allocating for the
// common range (1e-4 <= |v| < 1e16, or 0), where repr prints the
// shortest round-trip digits in fixed notation, as strconv does.
func appendFloatRepr(b []byte, v float64) []byte {
	if a := math.Abs(v); a == 0 || a >= 1e-4 && a < 1e16 {
		n := len(b)
		b = strconv.AppendFloat(b, v, 'f', -1, 64)
		for _, c := range b[n:] {
			if c == '.' {
				return b
			}
		}
		return append(b, ".0"...)
	}
	return pyfmt.AppendFloatRepr(b, v)
}

// appendRenderJSON is graphite-web 1.1's format=json:
// [{"target": name, "tags": {...}, "datapoints": [[value, ts], ...]}].
func appendRenderJSON(b []byte, r *renderRequest, data []*series) []byte {
	consolidateForJSON(r, data)
	if b == nil {
		size := 2
		for _, s := range data {
			size += 64 + len(s.name)*2 + len(s.values)*26
		}
		b = make([]byte, 0, size)
	}
	sep := ", "
	b = append(b, '[')
	first := true
	for _, s := range data {
		pts := s.points()
		stepTS := s.step * int64(max(s.vpp, 1))
		n := 0
		if stepTS > 0 {
			n = int((s.end - s.start + stepTS) / stepTS) // range(start, end+1, step)
			if s.end < s.start {
				n = 0
			}
		}
		n = min(n, len(pts))
		if r.noNullPoints && nonNullCount(pts[:n]) == 0 {
			continue
		}
		if !first {
			b = append(b, sep...)
		}
		first = false
		b = append(b, `{"target": `...)
		b = appendJSONString(b, s.name)
		b = append(b, `, "tags": {`...)
		for i, k := range s.tags.keys {
			if i > 0 {
				b = append(b, sep...)
			}
			b = appendJSONString(b, k)
			b = append(b, ": "...)
			b = appendJSONString(b, s.tags.get(k))
		}
		b = append(b, `}, "datapoints": [`...)
		firstPt := true
		for i := 0; i < n; i++ {
			v := pts[i]
			if r.noNullPoints && isNull(v) {
				continue
			}
			if !firstPt {
				b = append(b, sep...)
			}
			firstPt = false
			b = append(b, '[')
			b = appendJSONFloat(b, v)
			b = append(b, sep...)
			b = strconv.AppendInt(b, s.start+int64(i)*stepTS, 10)
			b = append(b, ']')
		}
		b = append(b, "]}"...)
	}
	return append(b, ']')
}

// renderCSV is format=csv: name,YYYY-MM-DD HH:MM:SS,value rows (empty
// value for null), CRLF line ends as Python's csv module writes.
func renderCSV(r *renderRequest, data []*series) []byte {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	for _, s := range data {
		for i, v := range s.points() {
			ts := time.Unix(s.start+int64(i)*s.step, 0).In(r.loc).Format("2006-01-02 15:04:05")
			val := ""
			if !isNull(v) {
				val = string(appendFloatRepr(nil, v))
			}
			cw.Write([]string{s.name, ts, val})
		}
	}
	cw.Flush()
	return buf.Bytes()
}

// renderRaw is format=raw: "name,start,end,step|v1,v2,..." (None for null).
func renderRaw(data []*series) []byte {
	var b []byte
	for _, s := range data {
		b = append(b, s.name...)
		b = fmt.Appendf(b, ",%d,%d,%d|", s.start, s.end, s.step)
		for i, v := range s.points() {
			if i > 0 {
				b = append(b, ',')
			}
			if isNull(v) {
				b = append(b, "None"...)
			} else {
				b = appendFloatRepr(b, v)
			}
		}
		b = append(b, '\n')
	}
	return b
}

// renderPickle is format=pickle, graphite-web's cluster format: a
// protocol-2 list of TimeSeries.getInfo() dicts.
func renderPickle(data []*series) []byte {
	size := 16
	for _, s := range data {
		size += 256 + 2*len(s.name) + 9*len(s.values) + 2*(len(s.values)/pickleBatch+1)
	}
	p := &pickler{buf: make([]byte, 0, size)}
	p.begin()
	p.list(len(data), func(i int) {
		s := data[i]
		p.dict(func() {
			p.str("name")
			p.str(s.name)
			p.str("start")
			p.int(s.start)
			p.str("end")
			p.int(s.end)
			p.str("step")
			p.int(s.step)
			p.str("values")
			p.floats(s.points())
			p.str("pathExpression")
			p.str(s.pathExpr)
			p.str("valuesPerPoint")
			p.int(int64(max(s.vpp, 1)))
			p.str("consolidationFunc")
			p.str(s.consolidate)
			p.str("xFilesFactor")
			p.float(s.xff)
		})
	})
	p.end()
	return p.buf
}
