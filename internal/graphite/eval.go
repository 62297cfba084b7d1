package graphite

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"ringvault/internal/pyfmt"
)

var (
	// ErrUnknownFunction is returned for a call to a function ringvault
	// does not implement; the error names it.
	ErrUnknownFunction = errors.New("graphite: unknown function")
	// ErrBadArgument is returned for a function argument of the wrong
	// type or value.
	ErrBadArgument = errors.New("graphite: bad argument")
	// ErrTooManySeries is returned when a request would fetch more than
	// Options.MaxSeries series.
	ErrTooManySeries = errors.New("graphite: too many series")
)

// functionsMetaJSON is graphite-web's own metadata (signature, group,
// params) for the functions implemented here, generated from graphite-web
// by testdata/functions_meta.py; TestFunctionsMetaMatchesGraphiteWeb
// keeps it in step.
//
//go:embed functions_meta.json
var functionsMetaJSON []byte

type paramMeta struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Required bool   `json:"required,omitempty"`
	Default  any    `json:"default,omitempty"`
	Multiple bool   `json:"multiple,omitempty"`
	Options  []any  `json:"options,omitempty"`
}

type funcMeta struct {
	Name     string      `json:"name"`
	Function string      `json:"function"`
	Module   string      `json:"module"`
	Group    string      `json:"group"`
	Params   []paramMeta `json:"params"`
}

// funcDef is one render function: graphite-web's metadata, ringvault's
// description and the implementation.
type funcDef struct {
	meta *funcMeta
	desc string
	impl func(e *evaluator, a *args) ([]*series, error)
	// pyDefault holds the params whose Python signature has a default:
	// graphite-web calls the function without them even when its params
	// metadata says required (ENFORCE_INPUT_VALIDATION is off by default).
	pyDefault map[string]bool
}

var (
	registry     = map[string]*funcDef{}
	registryOnce sync.Once
	metas        map[string]*funcMeta
)

// register adds a function; called from init functions of funcs_*.go.
func register(name, desc string, impl func(e *evaluator, a *args) ([]*series, error)) {
	registry[name] = &funcDef{desc: desc, impl: impl}
}

// lookup returns the function called name with its metadata attached.
func lookup(name string) (*funcDef, bool) {
	registryOnce.Do(func() {
		if err := json.Unmarshal(functionsMetaJSON, &metas); err != nil {
			panic("graphite: embedded functions_meta.json: " + err.Error())
		}
		for n, f := range registry {
			m := metas[n]
			if m == nil {
				panic("graphite: no metadata for function " + n)
			}
			f.meta = m
			f.pyDefault = signatureDefaults(m.Function)
		}
	})
	f, ok := registry[name]
	return f, ok
}

// evaluator evaluates targets over a Backend for one request, as
// graphite-web's evaluator with its requestContext.
type evaluator struct {
	ctx         context.Context
	b           Backend
	from, until int64 // startTime, endTime
	now         int64
	xff         float64
	maxSeries   int
	loc         *time.Location
	state       *evalState
}

// evalState is shared by an evaluator and the copies functions such as
// timeShift make with another time range.
type evalState struct {
	mu      sync.Mutex
	fetched int
	cache   map[fetchKey][]*SeriesData
}

type fetchKey struct {
	pattern     string
	from, until int64
}

// withRange returns a copy of e over another time range.
func (e *evaluator) withRange(from, until int64) *evaluator {
	c := *e
	c.from, c.until = from, until
	return &c
}

// evalTarget evaluates a whole target to a series list.
func (e *evaluator) evalTarget(x *Expr) ([]*series, error) {
	v, err := e.eval(x)
	if err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case []*series:
		return v, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("%w: target %s is a constant, not a series", ErrBadArgument, x)
}

// eval evaluates one expression: a path fetches, a call runs the
// function, a literal gives int64, float64, string, bool or nil.
func (e *evaluator) eval(x *Expr) (any, error) {
	if err := e.ctx.Err(); err != nil {
		return nil, err
	}
	switch x.Kind {
	case ExprPath:
		return e.fetch(x.Path)
	case ExprCall:
		return e.call(x)
	case ExprString:
		return x.Str, nil
	case ExprNumber:
		if x.IsInt && math.Abs(x.Num) < 1<<53 {
			return int64(x.Num), nil
		}
		return x.Num, nil
	case ExprBool:
		return x.Bool, nil
	}
	return nil, nil
}

func (e *evaluator) call(x *Expr) (any, error) {
	f, ok := lookup(x.Func)
	if !ok {
		return nil, fmt.Errorf("%w %q (see /functions for the list)", ErrUnknownFunction, x.Func)
	}
	a := &args{fn: f, name: x.Func, raw: x.Args, vals: make([][]any, len(f.meta.Params))}
	params := f.meta.Params
	for i, r := range x.Args {
		v, err := e.eval(r)
		if err != nil {
			return nil, err
		}
		p := i
		if m := firstMultiple(params); m >= 0 && i >= m {
			p = m
		}
		if p >= len(params) {
			return nil, fmt.Errorf("%w: %s() takes at most %d arguments", ErrBadArgument, x.Func, len(params))
		}
		a.vals[p] = append(a.vals[p], coerce(params[p].Type, v))
	}
	for _, kw := range x.Kwargs {
		idx := -1
		for j, p := range params {
			if p.Name == kw.Name {
				idx = j
			}
		}
		if idx < 0 {
			return nil, fmt.Errorf("%w: %s() has no parameter %q", ErrBadArgument, x.Func, kw.Name)
		}
		if a.vals[idx] != nil {
			return nil, fmt.Errorf("%w: %s() got %q twice", ErrBadArgument, x.Func, kw.Name)
		}
		v, err := e.eval(kw.Value)
		if err != nil {
			return nil, err
		}
		a.vals[idx] = []any{coerce(params[idx].Type, v)}
	}
	for j, p := range params {
		if p.Required && a.vals[j] == nil && !f.pyDefault[p.Name] {
			return nil, fmt.Errorf("%w: %s() is missing its %s argument", ErrBadArgument, x.Func, p.Name)
		}
	}
	out, err := f.impl(e, a)
	if err == nil {
		err = a.err
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func firstMultiple(params []paramMeta) int {
	for i, p := range params {
		if p.Multiple {
			return i
		}
	}
	return -1
}

// fetch is graphite-web's fetchData: the leaves matching pattern, fetched
// over the evaluator's range and sorted by name; each series' pathExpr is
// the pattern.
func (e *evaluator) fetch(pattern string) ([]*series, error) {
	key := fetchKey{pattern, e.from, e.until}
	e.state.mu.Lock()
	cached, ok := e.state.cache[key]
	e.state.mu.Unlock()
	if !ok {
		var err error
		cached, err = e.fetchBackend(pattern)
		if err != nil {
			return nil, err
		}
		e.state.mu.Lock()
		e.state.cache[key] = cached
		e.state.mu.Unlock()
	}
	out := make([]*series, 0, len(cached))
	for _, d := range cached {
		s := newSeries(d.Name, d.Start, d.End, d.Step, append([]float64(nil), d.Values...), e.xff)
		s.pathExpr = pattern
		out = append(out, s)
	}
	return out, nil
}

// fetchParallel is how many Fetch calls one pattern runs at once.
const fetchParallel = 8

func (e *evaluator) fetchBackend(pattern string) ([]*SeriesData, error) {
	if _, err := CompileGlob(pattern); err != nil {
		return nil, err
	}
	nodes, err := e.b.Find(e.ctx, pattern)
	if err != nil {
		return nil, fmt.Errorf("graphite: find %q: %w", pattern, err)
	}
	seen := map[string]bool{}
	var names []string
	for _, n := range nodes {
		if n.Leaf && !seen[n.Path] {
			seen[n.Path] = true
			names = append(names, n.Path)
		}
	}
	sort.Strings(names)
	e.state.mu.Lock()
	e.state.fetched += len(names)
	over := e.state.fetched > e.maxSeries
	e.state.mu.Unlock()
	if over {
		return nil, &httpError{400, fmt.Errorf("%w: more than %d series in one request", ErrTooManySeries, e.maxSeries)}
	}
	res := make([]*SeriesData, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	sem := make(chan struct{}, fetchParallel)
	for i, name := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			res[i], errs[i] = e.b.Fetch(e.ctx, name, e.from, e.until, e.now)
		}()
	}
	wg.Wait()
	out := res[:0]
	for i, d := range res {
		if errs[i] != nil {
			return nil, fmt.Errorf("graphite: fetch %s: %w", names[i], errs[i])
		}
		if d == nil || d.Step <= 0 {
			continue
		}
		if d.Name == "" {
			d.Name = names[i]
		}
		out = append(out, d)
	}
	return out, nil
}

// args are a call's evaluated arguments bound to graphite-web's params;
// the accessors keep the first error, checked after the function runs.
type args struct {
	fn   *funcDef
	name string
	raw  []*Expr
	vals [][]any
	err  error
}

func (a *args) fail(i int, format string, v ...any) {
	if a.err == nil {
		a.err = fmt.Errorf("%w: %s() argument %s: %s", ErrBadArgument, a.name, a.fn.meta.Params[i].Name, fmt.Sprintf(format, v...))
	}
}

// has reports whether param i was given (and is not None).
func (a *args) has(i int) bool {
	return i < len(a.vals) && len(a.vals[i]) > 0 && a.vals[i][0] != nil
}

func (a *args) one(i int) any {
	if !a.has(i) {
		return nil
	}
	return a.vals[i][0]
}

// series returns param i as one series list (a multiple param's lists
// joined, as graphite-web's *seriesLists are).
func (a *args) series(i int) []*series {
	var out []*series
	for _, v := range a.vals[i] {
		l, ok := v.([]*series)
		if !ok {
			a.fail(i, "expected a series list, got %s", pyRepr(v))
			return nil
		}
		out = append(out, l...)
	}
	return out
}

// seriesLists returns a multiple series param as its separate lists.
func (a *args) seriesLists(i int) [][]*series {
	var out [][]*series
	for _, v := range a.vals[i] {
		l, ok := v.([]*series)
		if !ok {
			a.fail(i, "expected a series list, got %s", pyRepr(v))
			return nil
		}
		out = append(out, l)
	}
	return out
}

// num returns a numeric param as float64 (def when absent).
func (a *args) num(i int, def float64) float64 {
	switch v := a.one(i).(type) {
	case nil:
		return def
	case int64:
		return float64(v)
	case float64:
		return v
	case string:
		f, err := strconv.ParseFloat(v, 64)
		if err == nil {
			return f
		}
	}
	a.fail(i, "expected a number, got %s", pyRepr(a.one(i)))
	return def
}

// isInt reports whether param i was written as an integer literal.
func (a *args) isInt(i int) bool {
	_, ok := a.one(i).(int64)
	return ok
}

// int returns an integer param (def when absent); a float is an error, as
// graphite-web's validateInteger says.
func (a *args) int(i int, def int) int {
	switch v := a.one(i).(type) {
	case nil:
		return def
	case int64:
		return int(v)
	case string:
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	a.fail(i, "expected an integer, got %s", pyRepr(a.one(i)))
	return def
}

// ints returns every value of a multiple param of nodes (int64 or string).
func (a *args) anys(i int) []any {
	if i >= len(a.vals) {
		return nil
	}
	return a.vals[i]
}

func (a *args) str(i int, def string) string {
	switch v := a.one(i).(type) {
	case nil:
		return def
	case string:
		return v
	}
	a.fail(i, "expected a string, got %s", pyRepr(a.one(i)))
	return def
}

// boolean is graphite-web's validateBoolean.
func (a *args) boolean(i int, def bool) bool {
	switch v := a.one(i).(type) {
	case nil:
		return def
	case bool:
		return v
	case string:
		switch {
		case equalFold(v, "true"):
			return true
		case equalFold(v, "false"):
			return false
		}
	case int64:
		if v == 0 || v == 1 {
			return v == 1
		}
	case float64:
		if v == 0 || v == 1 {
			return v == 1
		}
	}
	a.fail(i, "expected a boolean, got %s", pyRepr(a.one(i)))
	return def
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != b[i] {
			return false
		}
	}
	return true
}

// pyRepr formats an argument value for error messages and series names
// as Python's str() would.
func pyRepr(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return pyfmt.FloatRepr(v)
	case string:
		return v
	case bool:
		if v {
			return "True"
		}
		return "False"
	case []*series:
		return fmt.Sprintf("<%d series>", len(v))
	}
	return fmt.Sprint(v)
}

// pyG is Python's "%g" % f.
func pyG(f float64) string { return pyfmt.FormatG(f, 0, 6) }

// signatureDefaults returns the names that have a default in a Python
// signature such as "lowest(seriesList, n=1, func='average')".
func signatureDefaults(sig string) map[string]bool {
	out := map[string]bool{}
	open, close := strings.IndexByte(sig, '('), strings.LastIndexByte(sig, ')')
	if open < 0 || close < open {
		return out
	}
	for _, p := range strings.Split(sig[open+1:close], ",") {
		if name, _, ok := strings.Cut(strings.TrimSpace(p), "="); ok {
			out[strings.TrimSpace(name)] = true
		}
	}
	return out
}

// coerce converts a value as graphite-web's validateParams does for the
// param's type: an integer given for a float param becomes a float (so
// it prints as 3.0 in names and tags).
func coerce(typ string, v any) any {
	if n, ok := v.(int64); ok && typ == "float" {
		return float64(n)
	}
	return v
}

// first is the call's first argument as written, for functions that
// evaluate it again over another time range (timeShift, movingAverage);
// a call made without one (a groupByNode callback) gets a constant that
// evaluates to nothing.
func (a *args) first() *Expr {
	if len(a.raw) == 0 {
		return &Expr{Kind: ExprNone}
	}
	return a.raw[0]
}
