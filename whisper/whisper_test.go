package whisper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ringvault/internal/pyfmt"
	"ringvault/internal/testutil"
	"ringvault/storage"
)

// Cases ported from graphite-project/whisper test_whisper.py.

func wantMsg(t *testing.T, err error, sentinel error, msg string) {
	t.Helper()
	if !errors.Is(err, sentinel) || err.Error() != msg {
		t.Fatalf("got %v, want %q (%v)", err, msg, sentinel)
	}
}

func TestValidateArchiveList(t *testing.T) {
	wantMsg(t, ValidateArchiveList(nil), ErrInvalidConfiguration, "You must specify at least one archive configuration!")
	if err := ValidateArchiveList([]ArchiveSpec{{1, 60}, {60, 60}}); err != nil {
		t.Fatal(err)
	}
	wantMsg(t, ValidateArchiveList([]ArchiveSpec{{1, 60}, {60, 60}, {1, 60}}), ErrInvalidConfiguration,
		"A Whisper database may not be configured having two archives with the same precision (archive0: (1, 60), archive1: (1, 60))")
	l := []ArchiveSpec{{60, 60}, {6, 60}}
	if err := ValidateArchiveList(l); err != nil || l[0].SecondsPerPoint != 6 {
		t.Fatalf("%v %v (must sort in place)", err, l)
	}
	wantMsg(t, ValidateArchiveList([]ArchiveSpec{{60, 60}, {7, 60}}), ErrInvalidConfiguration,
		"Higher precision archives' precision must evenly divide all lower precision archives' precision (archive0: 7, archive1: 60)")
	wantMsg(t, ValidateArchiveList([]ArchiveSpec{{1, 60}, {10, 1}}), ErrInvalidConfiguration,
		"Lower precision archives must cover larger time intervals than higher precision archives (archive0: 60 seconds, archive1: 10 seconds)")
	wantMsg(t, ValidateArchiveList([]ArchiveSpec{{1, 30}, {60, 60}}), ErrInvalidConfiguration,
		"Each archive must have at least enough points to consolidate to the next archive (archive1 consolidates 60 of archive0's points but it has only 30 total points)")
}

func agg(t *testing.T, m AggregationMethod, vals ...any) float64 {
	t.Helper()
	var known, all []float64
	var ok []bool
	for _, v := range vals {
		if v == nil {
			all, ok = append(all, 0), append(ok, false)
			continue
		}
		f := float64(v.(int))
		known, all, ok = append(known, f), append(all, f), append(ok, true)
	}
	r, good := Aggregate(m, known, all, ok)
	if !good {
		t.Fatalf("aggregate %v failed", m)
	}
	return r
}

func TestAggregate(t *testing.T) {
	for _, c := range []struct {
		m    AggregationMethod
		in   []any
		want float64
	}{
		{Min, []any{1, 2, 3, 4}, 1}, {Max, []any{1, 2, 3, 4}, 4}, {Last, []any{3, 2, 5, 4}, 4},
		{Sum, []any{10, 2, 3, 4}, 19}, {Average, []any{1, 2, 3, 4}, 2.5},
		{AvgZero, []any{1, 2, 3, 4, nil, nil, nil, nil}, 1.25},
		{AbsMax, []any{-3, -2, 1, 2}, -3}, {AbsMax, []any{-2, -1, 2, 3}, 3},
		{AbsMin, []any{-3, -2, 1, 2}, 1}, {AbsMin, []any{-2, -1, 2, 3}, -1},
	} {
		if got := agg(t, c.m, c.in...); got != c.want {
			t.Errorf("%v%v = %v, want %v", c.m, c.in, got, c.want)
		}
	}
	if _, ok := Aggregate(AggregationMethod(9), []float64{1}, []float64{1}, []bool{true}); ok {
		t.Error("unknown method aggregated")
	}
	if _, err := ParseAggregationMethod("derp"); err == nil || err.Error() != "Unrecognized aggregation method: derp" {
		t.Error(err)
	}
	// NaN follows python's max()/min(): it wins only when first.
	nan := math.NaN()
	if v, _ := Aggregate(Max, []float64{nan, 1, 2}, nil, nil); !math.IsNaN(v) {
		t.Error("max(nan, 1, 2) must be nan")
	}
	if v, _ := Aggregate(Max, []float64{1, nan, 2}, nil, nil); v != 2 {
		t.Error("max(1, nan, 2) must be 2")
	}
	if v, _ := Aggregate(AbsMin, []float64{-1, nan, 0.5}, nil, nil); v != 0.5 {
		t.Error("absmin(-1, nan, 0.5) must be 0.5")
	}
}

func TestCreateAndInfo(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "db.wsp")
	wantMsg(t, Create(p, nil, nil), ErrInvalidConfiguration, "You must specify at least one archive configuration!")
	if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("failed create left a file")
	}
	retention := []ArchiveSpec{{1, 60}, {60, 60}}
	if err := Create(p, retention, nil); err != nil {
		t.Fatal(err)
	}
	wantMsg(t, Create(p, retention, nil), ErrInvalidConfiguration, "File "+p+" already exists!")
	h, err := Info(p)
	if err != nil {
		t.Fatal(err)
	}
	if h.MaxRetention != 3600 || h.AggregationMethod != Average || h.XFilesFactor != 0.5 || len(h.Archives) != 2 ||
		h.Archives[0].Points != 60 || h.Archives[0].SecondsPerPoint != 1 || h.Archives[0].Retention != 60 || h.Archives[1].Retention != 3600 {
		t.Fatalf("info %+v", h)
	}
	if _, err := Info(filepath.Join(dir, "bogus-file")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("temporary files left: %v", ents)
	}
	// bad aggregation method or xff: nothing is created
	q := filepath.Join(dir, "q.wsp")
	if err := Create(q, retention, &CreateOptions{XFilesFactor: XFF(2)}); err == nil || err.Error() != "Invalid xFilesFactor 2.0, not between 0 and 1" {
		t.Fatal(err)
	}
	if _, err := os.Stat(q); err == nil {
		t.Fatal("failed create left a file")
	}
}

func TestCorruptHeader(t *testing.T) {
	m := storage.NewMemFile(nil)
	CreateFile(m, []ArchiveSpec{{1, 60}, {60, 60}}, nil)
	good := m.Bytes()
	for _, c := range []struct {
		name string
		mod  func(b []byte) []byte
		msg  string
	}{
		{"short metadata", func(b []byte) []byte { return b[:10] }, "Unable to read header (f)"},
		{"aggregation 9", func(b []byte) []byte { b[3] = 9; return b }, "Unable to read header (f)"},
		{"xff 2", func(b []byte) []byte { b[8], b[9] = 0x40, 0; return b }, "Unable to read header (f)"},
		{"short archive info", func(b []byte) []byte { return b[:30] }, "Unable to read archive1 metadata (f)"},
		{"truncated data", func(b []byte) []byte { return b[:len(b)-100] }, "Truncated file (f)"},
	} {
		b := c.mod(bytes.Clone(good))
		_, err := OpenFile(storage.NewMemFile(b), "f")
		var ce *CorruptError
		if !errors.As(err, &ce) || ce.Python() != c.msg || !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestFetchEdgeCases(t *testing.T) {
	m := storage.NewMemFile(nil)
	CreateFile(m, []ArchiveSpec{{1, 60}}, nil)
	w, _ := OpenFile(m, "f")
	now := int64(1_700_000_000)
	_, err := w.Fetch(now+100, 0, now, nil)
	wantMsg(t, err, ErrInvalidTimeInterval, fmt.Sprintf("Invalid time interval: from time '%d' is after until time '0'", now+100))
	if s, err := w.Fetch(now+100, now+200, now, nil); s != nil || err != nil {
		t.Fatal("future range must be None")
	}
	if s, err := w.Fetch(now-60-201, now-60-200, now, nil); s != nil || err != nil {
		t.Fatal("expired range must be None")
	}
	s, err := w.Fetch(now, now+200, now, nil)
	if err != nil || s.From != now+1 || s.Until != now+2 || s.Step != 1 || s.Len() != 1 || s.Known[0] {
		t.Fatalf("until > now: %+v %v", s, err)
	}
	// the 4-archive fetch of test_fetch: from 0 returns the whole last archive
	m = storage.NewMemFile(nil)
	CreateFile(m, []ArchiveSpec{{1, 60}, {60, 60}, {3600, 24}, {86400, 365}}, nil)
	w, _ = OpenFile(m, "f")
	s, _ = w.Fetch(0, now, now, nil)
	if s.Until-s.From != 86400*365 || s.Len() != 365 || s.Step != 86400 {
		t.Fatalf("fetch from 0: %d..%d step %d n %d", s.From, s.Until, s.Step, s.Len())
	}
	_, err = w.Fetch(now-60, now, now, &FetchOptions{ArchiveToSelect: 2})
	wantMsg(t, err, ErrInvalidGranularity, "Invalid granularity: 2")
}

func TestUpdateSingleArchive(t *testing.T) {
	m := storage.NewMemFile(nil)
	CreateFile(m, []ArchiveSpec{{1, 20}}, nil)
	w, _ := OpenFile(m, "f")
	now := int64(1_700_000_000)
	for i := 0; i < 20; i++ {
		if err := w.Update(float64(i), now-19+int64(i), now); err != nil {
			t.Fatal(err)
		}
	}
	s, _ := w.Fetch(0, now, now, nil)
	for i := 0; i < 20; i++ { // the window (now-20, now] holds all 20 points
		if !s.Known[i] || s.Values[i] != float64(i) {
			t.Fatalf("value %d: %v", i, s.Values[i])
		}
	}
	wantMsg(t, w.Update(1.337, now+1, now), ErrTimestampNotCovered, "Timestamp not covered by any archives in this database.")
	wantMsg(t, w.Update(1.337, now-20, now), ErrTimestampNotCovered, "Timestamp not covered by any archives in this database.")
	if err := w.Update(1.337, now-19, now); err != nil {
		t.Fatal("maxRetention - 1 old must be accepted")
	}
}

func TestSetXFilesFactorAndAggregation(t *testing.T) {
	p := filepath.Join(t.TempDir(), "db.wsp")
	Create(p, []ArchiveSpec{{1, 20}}, nil)
	old, err := SetXFilesFactor(p, 0.42)
	if err != nil || old != 0.5 {
		t.Fatal(old, err)
	}
	h, _ := Info(p)
	if h.XFilesFactor != float32(0.42) || h.AggregationMethod != Average {
		t.Fatalf("%+v", h)
	}
	for _, x := range []float64{-1, 2} {
		_, err := SetXFilesFactor(p, x)
		wantMsg(t, err, ErrInvalidXFilesFactor, fmt.Sprintf("Invalid xFilesFactor %s, not between 0 and 1", pyfmt.FloatRepr(x)))
	}
	prev := Average
	for _, name := range AggregationMethods {
		for _, xff := range []float64{0, 0.2, 0.4, 0.7, 0.75, 1} {
			m, _ := ParseAggregationMethod(name)
			before, _ := Info(p)
			o, err := SetAggregationMethod(p, m, nil)
			if err != nil || o != prev {
				t.Fatal(o, err)
			}
			after, _ := Info(p)
			if after.XFilesFactor != before.XFilesFactor || after.AggregationMethod != m {
				t.Fatal("xff changed or method not set")
			}
			if o, err = SetAggregationMethod(p, m, &xff); err != nil || o != m {
				t.Fatal(o, err)
			}
			after, _ = Info(p)
			if after.XFilesFactor != float32(xff) {
				t.Fatal("xff not set")
			}
			prev = m
		}
	}
}

func TestParseRetentionDef(t *testing.T) {
	for in, want := range map[string]ArchiveSpec{"60:10": {60, 10}, "10:60": {10, 60}, "10s:10h": {10, 3600},
		"1m:1d": {60, 1440}, "1min:2w": {60, 20160}, "1h:1y": {3600, 8760}, " 5m:1h ": {300, 12}} {
		got, err := ParseRetentionDef(in)
		if err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	for in, msg := range map[string]string{"10x:10": "Invalid unit 'x'", "60:10x": "Invalid unit 'x'",
		"10": "Invalid retention definition '10'", "10X:10": "Invalid precision specification '10X'",
		"10:10$": "Invalid retention specification '10$'"} {
		_, err := ParseRetentionDef(in)
		wantMsg(t, err, ErrInvalidRetention, msg)
	}
}

// TestPySetOrder compares the propagation order with CPython's
// list(set(L)) on random lists of aligned timestamps.
func TestPySetOrder(t *testing.T) {
	py := testutil.Python(t, "whisper")
	r := rand.New(rand.NewPCG(11, 11))
	var lists [][]int64
	for i := 0; i < 300; i++ {
		n := 1 + r.IntN(200)
		if i%100 == 0 {
			n = 5000 + r.IntN(60000)
		}
		step := []int64{1, 60, 300, 3600}[r.IntN(4)]
		base := int64(1_600_000_000+r.IntN(200_000_000)) / step * step
		l := make([]int64, n)
		for k := range l {
			l[k] = base + int64(r.IntN(n*2))*step
		}
		lists = append(lists, l)
	}
	in, _ := json.Marshal(lists)
	cmd := exec.Command(py, "-c", "import json,sys; json.dump([list(set(l)) for l in json.load(sys.stdin)], sys.stdout)")
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var want [][]int64
	json.Unmarshal(out, &want)
	var s pySet
	for i, l := range lists {
		got := s.iterate(l)
		if fmt.Sprint(got) != fmt.Sprint(want[i]) {
			t.Fatalf("list %d (%d keys): order differs from CPython", i, len(l))
		}
	}
}

// TestUpdateManyOverrun: a run of future points longer than the archive.
// python writes the excess over the next archive; this package clips it.
// The archive itself must hold exactly python's bytes, the next archive
// must not be overwritten.
func TestUpdateManyOverrun(t *testing.T) {
	py := testutil.Python(t, "whisper")
	dir := t.TempDir()
	p := filepath.Join(dir, "py.wsp")
	now := int64(1_700_000_003)
	script := fmt.Sprintf(`import whisper
whisper.create(%q, [(1, 10), (10, 10)], xFilesFactor=0.0)
whisper.update_many(%q, [(t, float(t %% 1000)) for t in range(%d, %d)], now=%d)
`, p, p, now-5, now+21, now)
	if out, err := exec.Command(py, "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	pyb, _ := os.ReadFile(p)
	m := storage.NewMemFile(nil)
	CreateFile(m, []ArchiveSpec{{1, 10}, {10, 10}}, &CreateOptions{XFilesFactor: XFF(0)})
	w, _ := OpenFile(m, "go")
	var pts []Point
	for ts := now - 5; ts < now+21; ts++ {
		pts = append(pts, Point{ts, float64(ts % 1000)})
	}
	if err := w.UpdateMany(pts, now); err != nil {
		t.Fatal(err)
	}
	a0 := w.Header().Archives[0]
	got := m.Bytes()
	if !bytes.Equal(got[a0.Offset:a0.end()], pyb[a0.Offset:a0.end()]) {
		t.Fatal("archive 0 differs from python's")
	}
	if len(got) != int(w.Header().FileSize()) {
		t.Fatal("file grew")
	}
	if bytes.Equal(got, pyb) {
		t.Fatal("expected python to have overwritten archive 1; the case no longer tests the overrun")
	}
	// every point in archive 1 is a propagated, aligned 10 s point
	s, _ := w.Fetch(now-90, now, now, &FetchOptions{ArchiveToSelect: 10})
	if s == nil || !strings.Contains(fmt.Sprint(s.Known), "true") {
		t.Fatal("archive 1 has no data")
	}
}
