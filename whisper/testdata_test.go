package whisper

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"ringvault/internal/testutil"
	"ringvault/storage"
)

// pyFloat is a float in the shared JSON: a number, "nan", "inf", "-inf".
type pyFloat float64

func (f *pyFloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"nan"`:
		*f = pyFloat(math.Float64frombits(pyNaN))
	case `"inf"`:
		*f = pyFloat(math.Inf(1))
	case `"-inf"`:
		*f = pyFloat(math.Inf(-1))
	default:
		var v float64
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*f = pyFloat(v)
	}
	return nil
}

// optFloat is a pyFloat or null (python None).
type optFloat struct {
	v     float64
	known bool
}

func (o *optFloat) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*o = optFloat{}
		return nil
	}
	var f pyFloat
	if err := f.UnmarshalJSON(b); err != nil {
		return err
	}
	*o = optFloat{float64(f), true}
	return nil
}

type pyRaise struct {
	Exception string `json:"exception"`
	Message   string `json:"message"`
}

type tdOp struct {
	Op                string          `json:"op"`
	ArchiveList       [][2]uint32     `json:"archiveList"`
	XFilesFactor      *pyFloat        `json:"xFilesFactor"`
	AggregationMethod *string         `json:"aggregationMethod"`
	Sparse            bool            `json:"sparse"`
	Now               int64           `json:"now"`
	Points            [][2]pyFloat    `json:"points"`
	Value             pyFloat         `json:"value"`
	Timestamp         *float64        `json:"timestamp"` // python int()s it
	Raises            *pyRaise        `json:"raises"`
	Returns           json.RawMessage `json:"returns"`
	InfoAfter         *tdInfo         `json:"info_after"`
}

type tdInfo struct {
	AggregationMethod string  `json:"aggregationMethod"`
	MaxRetention      uint32  `json:"maxRetention"`
	XFilesFactor      float64 `json:"xFilesFactor"`
	Archives          []struct {
		Offset, SecondsPerPoint, Points, Retention, Size uint32
	} `json:"archives"`
}

type tdFetchArgs struct {
	FromTime        float64         `json:"fromTime"` // python int()s both
	UntilTime       *float64        `json:"untilTime"`
	Now             int64           `json:"now"`
	ArchiveToSelect json.RawMessage `json:"archiveToSelect"` // "1m", 60 or null
}

type tdResult struct {
	TimeInfo [3]int64   `json:"timeInfo"`
	Values   []optFloat `json:"values"`
}

type tdFetch struct {
	Label        string      `json:"label"`
	Args         tdFetchArgs `json:"args"`
	File         string      `json:"file"`
	AfterOpIndex int         `json:"after_op_index"`
	Result       *tdResult   `json:"result"`
	Raises       *pyRaise    `json:"raises"`
}

type tdFile struct {
	File      string    `json:"file"`
	Sha256    string    `json:"sha256"`
	Ops       []tdOp    `json:"ops"`
	Info      tdInfo    `json:"info"`
	Fetches   []tdFetch `json:"fetches"`
	Snapshots []struct {
		AfterOpIndex int    `json:"after_op_index"`
		File         string `json:"file"`
		Sha256       string `json:"sha256"`
	} `json:"snapshots"`
}

type tdManifest struct {
	Files []struct {
		File         string `json:"file"`
		ExpectedJSON string `json:"expected_json"`
		Sha256       string `json:"sha256"`
	} `json:"files"`
}

var (
	readJSON = testutil.ReadJSON
	sha      = testutil.SHA256Hex
)

func checkRaise(t *testing.T, what string, err error, want *pyRaise) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("%s: unexpected error %v", what, err)
		}
		return
	}
	exc, msg, ok := PythonMessage(err)
	if !ok || exc != want.Exception || msg != want.Message {
		t.Fatalf("%s: got error %v (%s %q), python raised %s %q", what, err, exc, msg, want.Exception, want.Message)
	}
}

func checkInfo(t *testing.T, what string, h *Header, want *tdInfo) {
	t.Helper()
	if h.AggregationMethod.String() != want.AggregationMethod || h.MaxRetention != want.MaxRetention ||
		float64(h.XFilesFactor) != want.XFilesFactor || len(h.Archives) != len(want.Archives) {
		t.Fatalf("%s: header %+v, python info %+v", what, h, want)
	}
	for i, a := range want.Archives {
		g := h.Archives[i]
		if g.Offset != a.Offset || g.SecondsPerPoint != a.SecondsPerPoint || g.Points != a.Points || g.Retention != a.Retention || g.Size != a.Size {
			t.Fatalf("%s: archive %d %+v, python %+v", what, i, g, a)
		}
	}
}

// checkSeries compares a fetch with python's result bit for bit.
func checkSeries(t *testing.T, what string, s *Series, want *tdResult) {
	t.Helper()
	if want == nil {
		if s != nil {
			t.Fatalf("%s: got %d values, python returned None", what, s.Len())
		}
		return
	}
	if s == nil {
		t.Fatalf("%s: got None, python returned %v", what, want.TimeInfo)
	}
	if s.From != want.TimeInfo[0] || s.Until != want.TimeInfo[1] || s.Step != want.TimeInfo[2] || s.Len() != len(want.Values) {
		t.Fatalf("%s: got (%d,%d,%d) x%d, python %v x%d", what, s.From, s.Until, s.Step, s.Len(), want.TimeInfo, len(want.Values))
	}
	for i, w := range want.Values {
		if s.Known[i] != w.known || (w.known && math.Float64bits(s.Values[i]) != math.Float64bits(w.v)) {
			t.Fatalf("%s: value %d: got %v (known %v), python %v (known %v)", what, i, s.Values[i], s.Known[i], w.v, w.known)
		}
	}
}

func fetchArgs(t *testing.T, a tdFetchArgs) (from, until, now int64, opts *FetchOptions) {
	until = a.Now
	if a.UntilTime != nil {
		until = int64(*a.UntilTime)
	}
	if sel := strings.Trim(string(a.ArchiveToSelect), `"`); sel != "" && sel != "null" {
		spec, err := ParseRetentionDef(sel + ":1")
		if err != nil {
			t.Fatal(err)
		}
		opts = &FetchOptions{ArchiveToSelect: spec.SecondsPerPoint}
	}
	return int64(a.FromTime), until, a.Now, opts
}

// replay applies python's recorded ops to a MemFile, checking every
// recorded return value and error; after(i, f) runs after op i.
func replay(t *testing.T, name string, ops []tdOp, after func(i int, w *File, m *storage.MemFile)) *storage.MemFile {
	t.Helper()
	m := storage.NewMemFile(nil)
	var w *File
	for i, op := range ops {
		var err error
		what := name + " op " + op.Op
		switch op.Op {
		case "create":
			specs := make([]ArchiveSpec, len(op.ArchiveList))
			for j, a := range op.ArchiveList {
				specs[j] = ArchiveSpec{a[0], a[1]}
			}
			o := &CreateOptions{Sparse: op.Sparse}
			if op.XFilesFactor != nil {
				o.XFilesFactor = XFF(float64(*op.XFilesFactor))
			}
			if op.AggregationMethod != nil {
				if o.AggregationMethod, err = ParseAggregationMethod(*op.AggregationMethod); err != nil {
					t.Fatal(err)
				}
			}
			if err = CreateFile(m, specs, o); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if w, err = OpenFile(m, name); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		case "update":
			ts := op.Now
			if op.Timestamp != nil {
				ts = int64(*op.Timestamp)
			}
			checkRaise(t, what, w.Update(float64(op.Value), ts, op.Now), op.Raises)
		case "update_many":
			pts := make([]Point, len(op.Points))
			for j, p := range op.Points {
				pts[j] = Point{int64(p[0]), float64(p[1])}
			}
			checkRaise(t, what, w.UpdateMany(pts, op.Now), op.Raises)
		case "setAggregationMethod", "setXFilesFactor":
			var m AggregationMethod
			var xff *float64
			if op.XFilesFactor != nil {
				xff = XFF(float64(*op.XFilesFactor))
			}
			if op.Op == "setAggregationMethod" {
				if m, err = ParseAggregationMethod(*op.AggregationMethod); err != nil {
					checkRaise(t, what, err, op.Raises)
					break
				}
			}
			oldM, oldX, err := w.SetAggregation(m, xff)
			checkRaise(t, what, err, op.Raises)
			if err == nil {
				var want any
				json.Unmarshal(op.Returns, &want)
				if op.Op == "setAggregationMethod" && want != oldM.String() ||
					op.Op == "setXFilesFactor" && want != float64(oldX) {
					t.Fatalf("%s: returned %v/%v, python %v", what, oldM, oldX, want)
				}
			}
			checkInfo(t, what, w.Header(), op.InfoAfter)
		default:
			t.Fatalf("unknown op %q", op.Op)
		}
		if after != nil {
			after(i, w, m)
		}
	}
	return m
}

// TestSharedFiles replays every file of the shared whisper test data made
// by python3-whisper 1.1.4 and checks the bytes, info and every recorded
// fetch, on the replayed file and on python's own file.
func TestSharedFiles(t *testing.T) {
	dir := testutil.Shared(t, "whisper")
	var man tdManifest
	readJSON(t, filepath.Join(dir, "MANIFEST.json"), &man)
	if len(man.Files) == 0 {
		t.Fatal("empty manifest")
	}
	for _, mf := range man.Files {
		t.Run(strings.TrimSuffix(mf.File, ".wsp"), func(t *testing.T) {
			var td tdFile
			readJSON(t, filepath.Join(dir, mf.ExpectedJSON), &td)
			states := map[int][]byte{}
			m := replay(t, mf.File, td.Ops, func(i int, w *File, m *storage.MemFile) {
				states[i] = bytes.Clone(m.Bytes())
			})
			if got := sha(m.Bytes()); got != mf.Sha256 || got != td.Sha256 {
				t.Fatalf("replayed file sha256 %s, python's %s", got, mf.Sha256)
			}
			for _, sn := range td.Snapshots {
				if got := sha(states[sn.AfterOpIndex]); got != sn.Sha256 {
					t.Fatalf("state after op %d: sha256 %s, python's snapshot %s", sn.AfterOpIndex, got, sn.Sha256)
				}
			}
			h, err := Info(filepath.Join(dir, mf.File))
			if err != nil {
				t.Fatal(err)
			}
			checkInfo(t, "info", h, &td.Info)
			for _, fe := range td.Fetches {
				from, until, now, opts := fetchArgs(t, fe.Args)
				// on python's file
				pf, err := Open(filepath.Join(dir, fe.File), &OpenOptions{ReadOnly: true})
				if err != nil {
					t.Fatal(err)
				}
				s, err := pf.Fetch(from, until, now, opts)
				pf.Close()
				checkRaise(t, fe.Label, err, fe.Raises)
				if fe.Raises == nil {
					checkSeries(t, fe.Label, s, fe.Result)
				}
				// on the replayed state
				rf, err := OpenFile(storage.NewMemFile(states[fe.AfterOpIndex]), "replay")
				if err != nil {
					t.Fatal(err)
				}
				s, err = rf.Fetch(from, until, now, opts)
				checkRaise(t, fe.Label+" (replay)", err, fe.Raises)
				if fe.Raises == nil {
					checkSeries(t, fe.Label+" (replay)", s, fe.Result)
				}
			}
		})
	}
}

var _ = errors.Is

// pyNaN is the bit pattern of python's float("nan") (Go's math.NaN differs).
const pyNaN = 0x7ff8000000000000
