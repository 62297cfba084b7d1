package whisper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"ringvault/internal/testutil"
)

// The differential test generates random programs of whisper operations,
// runs them with python3-whisper (testdata/oracle.py, one process for all
// programs) and with this package, and requires identical files after
// every operation and identical results (floats bit for bit, None vs NaN).

type dOp struct {
	Op          string      `json:"op"`
	File        string      `json:"file,omitempty"`
	Src         string      `json:"src,omitempty"`
	Target      string      `json:"target,omitempty"`
	Now         int64       `json:"now"`
	Archives    [][2]uint32 `json:"archives,omitempty"`
	Retentions  []string    `json:"retentions,omitempty"`
	XFF         *float64    `json:"xff,omitempty"`
	Method      string      `json:"method,omitempty"`
	Sparse      bool        `json:"sparse,omitempty"`
	Value       string      `json:"value,omitempty"`
	TS          int64       `json:"ts,omitempty"`
	Points      [][2]any    `json:"points,omitempty"`
	From        int64       `json:"from,omitempty"`
	Until       *int64      `json:"until,omitempty"`
	Select      string      `json:"select,omitempty"`
	TimeFrom    *int64      `json:"time_from,omitempty"`
	TimeTo      *int64      `json:"time_to,omitempty"`
	IgnoreEmpty bool        `json:"ignore_empty"`
	Aggregate   bool        `json:"aggregate,omitempty"`
}

type dProg struct {
	Dir   string            `json:"dir"`
	Files map[string]string `json:"files"`
	Ops   []dOp             `json:"ops"`
}

type dResult struct {
	OK     json.RawMessage   `json:"ok"`
	Raises []string          `json:"raises"`
	Sha    map[string]string `json:"sha"`
}

func hexFloat(v float64) string {
	if math.IsNaN(v) {
		return "nan"
	}
	return strconv.FormatFloat(v, 'x', -1, 64)
}

// pyHex parses python's float.hex() output.
func pyHex(s string) float64 {
	switch s {
	case "nan":
		return math.Float64frombits(pyNaN)
	case "inf":
		return math.Inf(1)
	case "-inf":
		return math.Inf(-1)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(err)
	}
	return v
}

func randArchives(r *rand.Rand) [][2]uint32 {
	n := 1 + r.IntN(4)
	spps := []uint32{1, 5, 10, 60}
	spp := spps[r.IntN(len(spps))]
	var out [][2]uint32
	var prevRet uint32
	for i := 0; i < n; i++ {
		if i > 0 {
			mult := []uint32{2, 3, 4, 5, 6, 10}[r.IntN(6)]
			spp *= mult
		}
		minPts := uint32(2)
		if prevRet > 0 {
			minPts = prevRet/spp + 1
		}
		pts := minPts + uint32(r.IntN(60))
		if i == 0 {
			pts = 10 + uint32(r.IntN(200))
		}
		out = append(out, [2]uint32{spp, pts})
		prevRet = spp * pts
	}
	// the next archive's spp/spp points must fit: grow earlier archives if needed
	for i := 0; i+1 < len(out); i++ {
		if need := out[i+1][0] / out[i][0]; out[i][1] < need {
			out[i][1] = need
		}
	}
	for i := 1; i < len(out); i++ {
		if out[i][0]*out[i][1] <= out[i-1][0]*out[i-1][1] {
			out[i][1] = out[i-1][0]*out[i-1][1]/out[i][0] + 1 + uint32(r.IntN(5))
		}
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] }) // create sorts
	return out
}

func randValue(r *rand.Rand) float64 {
	switch r.IntN(20) {
	case 0:
		return math.Float64frombits(pyNaN)
	case 1:
		return math.Inf(1)
	case 2:
		return math.Inf(-1)
	case 3:
		return 0
	case 4:
		return math.Copysign(0, -1)
	}
	return math.Round(r.NormFloat64()*1000) / 8
}

func randXFF(r *rand.Rand) *float64 {
	x := []float64{0, 0.1, 0.25, 0.5, 0.7, 1, r.Float64()}[r.IntN(7)]
	return &x
}

func maxRet(a [][2]uint32) int64 {
	var m int64
	for _, x := range a {
		m = max(m, int64(x[0])*int64(x[1]))
	}
	return m
}

func specs(a [][2]uint32) []ArchiveSpec {
	s := make([]ArchiveSpec, len(a))
	for i, x := range a {
		s[i] = ArchiveSpec{x[0], x[1]}
	}
	return s
}

// genProgram builds one random program over files a and b (same archives),
// c (other archives, for fill) and r (resize target).
func genProgram(r *rand.Rand, dir string, nops int) dProg {
	arch := randArchives(r)
	other := randArchives(r)
	mr := maxRet(arch)
	now := int64(1_700_000_000 + r.IntN(1_000_000))
	if r.IntN(8) == 0 {
		// near the epoch: intervals 0 and below one step, python's
		// "not previousInterval" run joining and empty-looking slot 0
		now = max(mr, maxRet(other)) + int64(r.IntN(30))
	}
	p := dProg{Dir: dir, Files: map[string]string{"a": "a.wsp", "b": "b.wsp", "c": "c.wsp", "r": "r.wsp"}}
	method := func() string { return AggregationMethods[r.IntN(8)] }
	p.Ops = append(p.Ops,
		dOp{Op: "create", File: "a", Archives: arch, XFF: randXFF(r), Method: method(), Sparse: r.IntN(2) == 0},
		dOp{Op: "create", File: "b", Archives: arch, XFF: randXFF(r), Method: method()},
		dOp{Op: "create", File: "c", Archives: other, XFF: randXFF(r), Method: method()})
	file := func() string { return []string{"a", "a", "b", "c"}[r.IntN(4)] }
	for len(p.Ops) < nops {
		now += int64(r.IntN(int(mr/4 + 2)))
		f := file()
		fmr := mr
		if f == "c" {
			fmr = maxRet(other)
		}
		age := func() int64 { return min(int64(r.IntN(int(fmr+20)))-10, now) }
		switch k := r.IntN(100); {
		case k < 20:
			p.Ops = append(p.Ops, dOp{Op: "update", File: f, Now: now, TS: now - age(), Value: hexFloat(randValue(r))})
		case k < 50:
			n := r.IntN(60)
			var pts [][2]any
			// No future points here: a contiguous run of them can be longer
			// than the archive, where python writes over the next archive
			// (TestUpdateManyOverrun covers that case).
			age := func() int64 { return min(int64(r.IntN(int(fmr+20))), now) }
			t := now - age()
			for i := 0; i < n; i++ {
				switch r.IntN(4) {
				case 0:
					t = now - age()
				case 1: // duplicate
				default:
					t += int64(1 + r.IntN(3*int(arch[0][0])+1))
				}
				t = min(t, now)
				pts = append(pts, [2]any{t, hexFloat(randValue(r))})
			}
			p.Ops = append(p.Ops, dOp{Op: "update_many", File: f, Now: now, Points: pts})
		case k < 75:
			op := dOp{Op: "fetch", File: f, Now: now, From: now - int64(r.IntN(int(fmr*6/5+10)))}
			if r.IntN(4) > 0 {
				u := op.From + int64(r.IntN(int(fmr/2+10))) - 5
				op.Until = &u
			}
			if r.IntN(5) == 0 {
				op.Select = strconv.Itoa([]int{1, 5, 10, 60, 300, 7}[r.IntN(6)])
			}
			p.Ops = append(p.Ops, op)
		case k < 80:
			op := dOp{Op: "setAggregationMethod", File: f, Method: method()}
			if r.IntN(2) == 0 {
				op.XFF = randXFF(r)
			}
			p.Ops = append(p.Ops, op)
		case k < 83:
			p.Ops = append(p.Ops, dOp{Op: "setXFilesFactor", File: f, XFF: randXFF(r)})
		case k < 88:
			op := dOp{Op: "merge", File: "b", Src: "a", Now: now}
			if r.IntN(2) == 0 {
				tf := now - int64(r.IntN(int(mr)))
				tt := tf + int64(r.IntN(int(mr)))
				op.TimeFrom, op.TimeTo = &tf, &tt
			}
			p.Ops = append(p.Ops, op)
		case k < 93:
			op := dOp{Op: "diff", File: "b", Src: "a", Now: now, IgnoreEmpty: r.IntN(2) == 0}
			if r.IntN(3) == 0 {
				u := now - int64(r.IntN(int(mr)))
				op.Until = &u
			}
			p.Ops = append(p.Ops, op)
		case k < 96:
			src, dst := "a", "c"
			if r.IntN(2) == 0 {
				src, dst = "c", "a"
			}
			p.Ops = append(p.Ops, dOp{Op: "fill", File: dst, Src: src, Now: now})
		default:
			na := randArchives(r)
			op := dOp{Op: "resize", File: f, Target: "r", Now: now, Archives: na, Aggregate: r.IntN(2) == 0}
			for _, a := range na {
				op.Retentions = append(op.Retentions, fmt.Sprintf("%d:%d", a[0], a[1]))
			}
			if r.IntN(2) == 0 {
				op.XFF = randXFF(r)
			}
			if r.IntN(2) == 0 {
				op.Method = method()
			}
			p.Ops = append(p.Ops, op)
		}
	}
	return p
}

// goRun applies op with this package to files under dir and returns a
// JSON-comparable result.
func goRun(dir string, files map[string]string, op dOp) (any, error) {
	path := func(k string) string { return filepath.Join(dir, files[k]) }
	open := func(k string) (*File, error) { return Open(path(k), nil) }
	switch op.Op {
	case "create":
		m, err := ParseAggregationMethod(op.Method)
		if err != nil {
			return nil, err
		}
		return nil, Create(path(op.File), specs(op.Archives), &CreateOptions{XFilesFactor: op.XFF, AggregationMethod: m, Sparse: op.Sparse})
	case "setAggregationMethod":
		m, err := ParseAggregationMethod(op.Method)
		if err != nil {
			return nil, err
		}
		old, err := SetAggregationMethod(path(op.File), m, op.XFF)
		return old.String(), err
	case "setXFilesFactor":
		old, err := SetXFilesFactor(path(op.File), *op.XFF)
		return strconv.FormatFloat(float64(old), 'x', -1, 64), err
	case "resize":
		os.Remove(path(op.Target))
		o := &ResizeOptions{XFilesFactor: op.XFF, Aggregate: op.Aggregate, NewFile: path(op.Target)}
		if op.Method != "" {
			m, err := ParseAggregationMethod(op.Method)
			if err != nil {
				return nil, err
			}
			o.AggregationMethod = m
		}
		return nil, Resize(path(op.File), specs(op.Archives), op.Now, o)
	}
	w, err := open(op.File)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	switch op.Op {
	case "update":
		return nil, w.Update(pyHex(op.Value), op.TS, op.Now)
	case "update_many":
		pts := make([]Point, len(op.Points))
		for i, p := range op.Points {
			pts[i] = Point{p[0].(int64), pyHex(p[1].(string))}
		}
		return nil, w.UpdateMany(pts, op.Now)
	case "fetch":
		return fetchJSON(w, op)
	}
	src, err := open(op.Src)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	switch op.Op {
	case "merge":
		var tf, tt int64
		if op.TimeFrom != nil {
			tf, tt = *op.TimeFrom, *op.TimeTo
		}
		return nil, Merge(src, w, tf, tt, op.Now)
	case "diff":
		var u int64
		if op.Until != nil {
			u = *op.Until
		}
		d, err := Diff(src, w, op.IgnoreEmpty, u, op.Now)
		if err != nil {
			return nil, err
		}
		return diffJSON(d), nil
	case "fill":
		return nil, Fill(src, w, op.Now, op.Now)
	}
	return nil, fmt.Errorf("unknown op %s", op.Op)
}

// normJSON re-encodes v so that python's and Go's JSON compare equal
// (python's float.hex spells values differently: normalize through pyHex).
func normJSON(raw []byte) string {
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return "!" + err.Error()
	}
	var walk func(any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
		case string:
			if f, err := strconv.ParseFloat(x, 64); err == nil || x == "nan" || x == "inf" || x == "-inf" {
				if err != nil {
					f = pyHex(x)
				}
				return fmt.Sprintf("%016x", math.Float64bits(f))
			}
		}
		return v
	}
	b, _ := json.Marshal(walk(v))
	return string(b)
}

func TestDifferential(t *testing.T) {
	t.Run("pread", func(t *testing.T) { differential(t, 0x5eed, 100) })
	// every handle mapped from its first operation
	defer func(old int32) { mmapAfter = old }(mmapAfter)
	mmapAfter = 1
	t.Run("mmap", func(t *testing.T) { differential(t, 0xfeed, 40) })
}

func differential(t *testing.T, seed uint64, nprog int) {
	py := testutil.Python(t, "whisper")
	nops := 40
	if testing.Short() {
		nprog /= 4
	}
	root := t.TempDir()
	r := rand.New(rand.NewPCG(seed, 1))
	var progs []dProg
	for i := 0; i < nprog; i++ {
		pdir := filepath.Join(root, fmt.Sprintf("py%03d", i))
		os.MkdirAll(pdir, 0o755)
		progs = append(progs, genProgram(r, pdir, nops))
	}
	in, _ := json.Marshal(progs)
	cmd := exec.Command(py, filepath.Join("testdata", "oracle.py"))
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Run this package's side while python works on its own.
	type goResult struct {
		got any
		err error
		sha map[string]string
	}
	gres := make([][]goResult, len(progs))
	for i, p := range progs {
		gdir := filepath.Join(root, fmt.Sprintf("go%03d", i))
		os.MkdirAll(gdir, 0o755)
		for _, op := range p.Ops {
			got, err := goRun(gdir, p.Files, op)
			shas := map[string]string{}
			for k, name := range p.Files {
				if b, err := os.ReadFile(filepath.Join(gdir, name)); err == nil {
					shas[k] = sha(b)
				}
			}
			gres[i] = append(gres[i], goResult{got, err, shas})
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("oracle: %v\n%s", err, stderr.String())
	}
	var results [][]dResult
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil {
		t.Fatal(err)
	}
	ops := 0
	stats := map[string]int{}
	for i, p := range progs {
		gdir := filepath.Join(root, fmt.Sprintf("go%03d", i))
		for j, op := range p.Ops {
			want := results[i][j]
			if want.Raises != nil {
				stats[op.Op+" raising "+want.Raises[0]]++
			} else {
				stats[op.Op]++
			}
			got, err := gres[i][j].got, gres[i][j].err
			what := fmt.Sprintf("program %d op %d %s", i, j, mustJSON(op))
			if want.Raises != nil {
				exc, msg, ok := PythonMessage(err)
				if err == nil || (ok && (exc != want.Raises[0] || msg != want.Raises[1])) {
					t.Fatalf("%s: got %v (%s %q), python raised %v", what, err, exc, msg, want.Raises)
				}
			} else if err != nil {
				t.Fatalf("%s: %v (python succeeded)", what, err)
			} else if g, w := normJSON([]byte(mustJSON(got))), normJSON(want.OK); g != w && !(string(want.OK) == "null" && got == nil) {
				t.Fatalf("%s:\n got    %s\n python %s", what, g, w)
			}
			for k, wsha := range want.Sha {
				if gres[i][j].sha[k] != wsha {
					b, _ := os.ReadFile(filepath.Join(gdir, p.Files[k]))
					pb, _ := os.ReadFile(filepath.Join(p.Dir, p.Files[k]))
					t.Fatalf("%s: file %s differs from python's (final states: %s)", what, k, firstDiff(b, pb))
				}
			}
			ops++
		}
	}
	t.Logf("%d programs, %d operations identical to python3-whisper: %v", nprog, ops, stats)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func firstDiff(a, b []byte) string {
	if len(a) != len(b) {
		return fmt.Sprintf("size %d, python %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			lo := i - i%12
			return fmt.Sprintf("byte %d: got % x, python % x", i, a[lo:min(lo+24, len(a))], b[lo:min(lo+24, len(b))])
		}
	}
	return "identical?"
}

var _ = errors.New

// diffJSON is python's diff result shape with hex floats.
func diffJSON(d []DiffArchive) []any {
	out := []any{}
	for _, a := range d {
		pts := []any{}
		for _, p := range a.Points {
			var av, bv any
			if p.AKnown {
				av = hexFloat(p.A)
			}
			if p.BKnown {
				bv = hexFloat(p.B)
			}
			pts = append(pts, []any{p.Timestamp, av, bv})
		}
		out = append(out, []any{a.Index, pts, a.Total})
	}
	return out
}

// fetchJSON runs a fetch op and returns python's result shape.
func fetchJSON(w *File, op dOp) (any, error) {
	until := op.Now
	if op.Until != nil {
		until = *op.Until
	}
	var fo *FetchOptions
	if op.Select != "" {
		spec, err := ParseRetentionDef(op.Select + ":1")
		if err != nil {
			return nil, err
		}
		fo = &FetchOptions{ArchiveToSelect: spec.SecondsPerPoint}
	}
	s, err := w.Fetch(op.From, until, op.Now, fo)
	if err != nil || s == nil {
		return nil, err
	}
	vals := make([]any, s.Len())
	for i := range vals {
		if s.Known[i] {
			vals[i] = hexFloat(s.Values[i])
		}
	}
	return []any{[]int64{s.From, s.Until, s.Step}, vals}, nil
}
