package graphite

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// graphOptions are the /render image parameters ringvault honours, with
// graphite-web's defaults (330x250, the classic black template).
type graphOptions struct {
	width, height  int
	title          string
	bg, fg         drawing.Color
	colors         []drawing.Color
	hideLegend     bool
	hideAxes       bool
	hideGrid       bool
	lineWidth      float64
	yMin, yMax     float64 // NaN = automatic
	vtitle         string
	graphOnly      bool
	majorGridColor drawing.Color
}

// maxImageSide bounds width and height so a request cannot allocate a
// huge canvas.
const maxImageSide = 8000

// graphiteColors are graphite-web's color aliases (render/glyph.py).
var graphiteColors = map[string][3]uint8{
	"black": {0, 0, 0}, "white": {255, 255, 255}, "blue": {100, 100, 255}, "green": {0, 200, 0},
	"red": {200, 0, 50}, "yellow": {255, 255, 0}, "orange": {255, 165, 0}, "purple": {200, 100, 255},
	"brown": {150, 100, 50}, "cyan": {0, 255, 255}, "aqua": {0, 150, 150}, "gray": {175, 175, 175},
	"grey": {175, 175, 175}, "magenta": {255, 0, 255}, "pink": {255, 100, 100}, "gold": {200, 200, 0},
	"rose": {200, 150, 200}, "darkblue": {0, 0, 255}, "darkgreen": {0, 255, 0}, "darkred": {255, 0, 0},
	"darkgray": {111, 111, 111}, "darkgrey": {111, 111, 111},
}

const defaultColorList = "blue,green,red,purple,brown,yellow,aqua,grey,magenta,pink,gold,rose"

// parseColor is glyph.py's color parsing: an alias, RRGGBB or RRGGBBAA
// (with or without # or %23).
func parseColor(s string) (drawing.Color, error) {
	if c, ok := graphiteColors[strings.ToLower(s)]; ok {
		return drawing.Color{R: c[0], G: c[1], B: c[2], A: 255}, nil
	}
	h := strings.TrimPrefix(strings.TrimPrefix(s, "#"), "%23")
	if len(h) == 6 || len(h) == 8 {
		v, err := strconv.ParseUint(h, 16, 32)
		if err == nil {
			if len(h) == 6 {
				return drawing.Color{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 255}, nil
			}
			return drawing.Color{R: uint8(v >> 24), G: uint8(v >> 16), B: uint8(v >> 8), A: uint8(v)}, nil
		}
	}
	return drawing.Color{}, badRequest("graphite: unknown color %q", s)
}

func parseGraphOptions(q url.Values) (graphOptions, error) {
	g := graphOptions{width: 330, height: 250, lineWidth: 1.2, yMin: math.NaN(), yMax: math.NaN()}
	var err error
	color := func(key, def string) drawing.Color {
		v := q.Get(key)
		if v == "" || strings.EqualFold(v, "default") {
			v = def
		}
		c, e := parseColor(v)
		if e != nil && err == nil {
			err = e
		}
		return c
	}
	g.bg = color("bgcolor", "black")
	g.fg = color("fgcolor", "white")
	g.majorGridColor = color("majorGridLineColor", "white")
	list := q.Get("colorList")
	if list == "" {
		list = defaultColorList
	}
	for _, c := range strings.Split(list, ",") {
		g.colors = append(g.colors, color("_", c))
	}
	intOpt := func(key string, def int) int {
		if v := q.Get(key); v != "" {
			n, e := strconv.Atoi(v)
			if e != nil || n <= 0 || n > maxImageSide {
				if err == nil {
					err = badRequest("graphite: %s=%q must be 1..%d", key, v, maxImageSide)
				}
				return def
			}
			return n
		}
		return def
	}
	floatOpt := func(key string, def float64) float64 {
		if v := q.Get(key); v != "" {
			f, e := strconv.ParseFloat(v, 64)
			if e != nil {
				if err == nil {
					err = badRequest("graphite: %s=%q is not a number", key, v)
				}
				return def
			}
			return f
		}
		return def
	}
	boolOpt := func(key string) bool { return strings.EqualFold(q.Get(key), "true") || q.Get(key) == "1" }
	g.width = intOpt("width", 330)
	g.height = intOpt("height", 250)
	g.title = q.Get("title")
	g.vtitle = q.Get("vtitle")
	g.hideLegend = boolOpt("hideLegend")
	g.hideAxes = boolOpt("hideAxes")
	g.hideGrid = boolOpt("hideGrid")
	g.graphOnly = boolOpt("graphOnly")
	g.lineWidth = floatOpt("lineWidth", 1.2)
	g.yMin = floatOpt("yMin", math.NaN())
	g.yMax = floatOpt("yMax", math.NaN())
	return g, err
}

// renderGraph draws format=png or svg with go-chart.
func (h *handler) renderGraph(w http.ResponseWriter, req *http.Request, r *renderRequest, data []*series) {
	img, err := drawGraph(r, data)
	if err != nil {
		h.fail(w, req, err)
		return
	}
	if r.format == "svg" {
		w.Header().Set("Content-Type", "image/svg+xml")
	} else {
		w.Header().Set("Content-Type", "image/png")
	}
	w.Write(img)
}

func drawGraph(r *renderRequest, data []*series) ([]byte, error) {
	g := r.graph
	from, until := float64(r.from.Unix()), float64(r.until.Unix())
	span := time.Duration(until-from) * time.Second
	timeFmt := func(v any) string {
		f, _ := v.(float64)
		t := time.Unix(int64(f), 0).In(r.loc)
		switch {
		case span <= 2*24*time.Hour:
			return t.Format("15:04")
		case span <= 60*24*time.Hour:
			return t.Format("01/02")
		}
		return t.Format("2006-01-02")
	}
	textStyle := chart.Style{FontColor: g.fg, StrokeColor: g.fg, FontSize: 8}
	c := chart.Chart{
		Title:      g.title,
		TitleStyle: chart.Style{FontColor: g.fg, FontSize: 10},
		Width:      g.width,
		Height:     g.height,
		Background: chart.Style{FillColor: g.bg, Padding: chart.Box{Top: 10, Left: 5, Right: 10, Bottom: 5}},
		Canvas:     chart.Style{FillColor: g.bg},
		XAxis: chart.XAxis{
			Style: textStyle, ValueFormatter: timeFmt,
			Range: &chart.ContinuousRange{Min: from, Max: until},
		},
		YAxis: chart.YAxis{Style: textStyle, Name: g.vtitle, NameStyle: textStyle},
	}
	if g.title == "" {
		c.TitleStyle.Hidden = true
	}
	if g.hideAxes || g.graphOnly {
		c.XAxis.Style.Hidden = true
		c.YAxis.Style.Hidden = true
	}
	if !g.hideGrid && !g.graphOnly {
		grid := chart.Style{StrokeColor: g.majorGridColor.WithAlpha(60), StrokeWidth: 0.5}
		c.XAxis.GridMajorStyle, c.YAxis.GridMajorStyle = grid, grid
	}
	if !math.IsNaN(g.yMin) || !math.IsNaN(g.yMax) {
		lo, hi := g.yMin, g.yMax
		if math.IsNaN(lo) || math.IsNaN(hi) {
			dlo, dhi := dataBounds(data)
			if math.IsNaN(lo) {
				lo = dlo
			}
			if math.IsNaN(hi) {
				hi = dhi
			}
		}
		if hi <= lo {
			hi = lo + 1
		}
		c.YAxis.Range = &chart.ContinuousRange{Min: lo, Max: hi}
	}
	legend := addLines(&c, g, data, from)
	if len(c.Series) == 0 {
		// No data: an invisible series gives the axes a range.
		c.Series = append(c.Series, chart.ContinuousSeries{
			Style:   chart.Style{StrokeColor: drawing.ColorTransparent, StrokeWidth: 0.01},
			XValues: []float64{from, until}, YValues: []float64{0, 1},
		})
		c.Title = strings.TrimSpace(g.title + " (no data)")
		c.TitleStyle.Hidden = false
	}
	if !g.hideLegend && !g.graphOnly && len(legend) > 0 {
		rows := legendRows(legend, g.width)
		c.Background.Padding.Bottom += len(rows)*legendRowHeight + 4
		c.Elements = []chart.Renderable{drawLegend(g, rows)}
	}
	var buf bytes.Buffer
	provider := chart.PNG
	if r.format == "svg" {
		provider = chart.SVG
	}
	if err := c.Render(provider, &buf); err != nil {
		return nil, fmt.Errorf("graphite: drawing the graph: %w", err)
	}
	return buf.Bytes(), nil
}

func dataBounds(data []*series) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range data {
		for _, v := range s.points() {
			if !isNull(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 1) {
		return 0, 1
	}
	return lo, hi
}

var _ color.Color = drawing.Color{}

// addLines adds one line per run of non-null points of each series to c
// and returns one legend entry per series.
func addLines(c *chart.Chart, g graphOptions, data []*series, from float64) []chart.Series {
	var legend []chart.Series
	for k, s := range data {
		style := lineStyle(g, s, k)
		legend = append(legend, chart.ContinuousSeries{Name: s.name, Style: style, XValues: []float64{from}, YValues: []float64{0}})
		var xs, ys []float64
		flush := func() {
			if len(xs) == 1 { // a lone point: draw it as a short dash
				xs = append(xs, xs[0]+float64(s.step)/2)
				ys = append(ys, ys[0])
			}
			if len(xs) > 1 {
				c.Series = append(c.Series, chart.ContinuousSeries{Style: style, XValues: xs, YValues: ys})
			}
			xs, ys = nil, nil
		}
		stepTS := s.step * int64(max(s.vpp, 1))
		for i, v := range s.points() {
			if isNull(v) || math.IsInf(v, 0) {
				flush()
				continue
			}
			xs = append(xs, float64(s.start+int64(i)*stepTS))
			ys = append(ys, v)
		}
		flush()
	}
	return legend
}

// lineStyle is the stroke of series k: the graph's colorList and
// lineWidth unless color(), alpha(), lineWidth() or dashed() said otherwise.
func lineStyle(g graphOptions, s *series, k int) chart.Style {
	col := g.colors[k%len(g.colors)]
	if s.style.color != "" {
		if c, err := parseColor(s.style.color); err == nil {
			col = c
		}
	}
	if a := s.style.alpha; a > 0 && a < 1 {
		col = col.WithAlpha(uint8(a * 255))
	}
	st := chart.Style{StrokeColor: col, StrokeWidth: g.lineWidth}
	if s.style.lineWidth > 0 {
		st.StrokeWidth = s.style.lineWidth
	}
	if d := s.style.dashed; d > 0 {
		st.StrokeDashArray = []float64{d, d}
	}
	return st
}

// legendRowHeight is the height of one legend line in pixels.
const legendRowHeight = 14

// legendEntry is one series in the legend.
type legendEntry struct {
	name  string
	color drawing.Color
}

// legendRows lays the entries out left to right below the graph, as
// graphite does, wrapping to the image width (text width estimated at
// 6 px per character of the 8 pt font).
func legendRows(series []chart.Series, width int) [][]legendEntry {
	var rows [][]legendEntry
	x := 0
	for _, s := range series {
		cs := s.(chart.ContinuousSeries)
		e := legendEntry{name: cs.Name, color: cs.Style.StrokeColor}
		w := 16 + 6*len([]rune(e.name))
		if len(rows) == 0 || x+w > width-10 && x > 0 {
			rows = append(rows, nil)
			x = 0
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], e)
		x += w
	}
	return rows
}

// drawLegend draws a color box and the name of every series under the
// graph (go-chart's own legends paint a white box behind the text).
func drawLegend(g graphOptions, rows [][]legendEntry) chart.Renderable {
	return func(r chart.Renderer, cb chart.Box, defaults chart.Style) {
		font, err := chart.GetDefaultFont()
		if err != nil {
			return
		}
		r.SetFont(font)
		r.SetFontSize(8)
		r.SetFontColor(g.fg)
		y := g.height - len(rows)*legendRowHeight
		for _, row := range rows {
			x := 10
			for _, e := range row {
				r.SetFillColor(e.color)
				r.SetStrokeColor(e.color)
				r.SetStrokeWidth(1)
				r.MoveTo(x, y+2)
				r.LineTo(x+8, y+2)
				r.LineTo(x+8, y+10)
				r.LineTo(x, y+10)
				r.Close()
				r.FillStroke()
				r.SetFontColor(g.fg)
				r.Text(e.name, x+12, y+10)
				x += 16 + 6*len([]rune(e.name))
			}
			y += legendRowHeight
		}
	}
}
