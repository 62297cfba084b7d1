package store

import (
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ringvault/internal/testutil"
	"ringvault/whisper"
)

const now = 1700000040 // aligned to 60

func openStore(t *testing.T, o Options) *Store {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	o.Now = func() time.Time { return time.Unix(now, 0) }
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

func flush(t *testing.T, s *Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestPersistReadByPython writes through the store and reads the files
// with the real python whisper: the schema and aggregation chosen by
// carbon's rules, the values, and carbon's last-arrival-wins per second.
func TestPersistReadByPython(t *testing.T) {
	py := testutil.Python(t, "whisper")
	schemas, _, err := LoadSchemas("testdata/storage-schemas.conf")
	if err != nil {
		t.Fatal(err)
	}
	aggs, _, err := LoadAggregations("testdata/storage-aggregation.conf")
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, Options{Schemas: schemas, Aggregations: aggs})
	for i := range 10 {
		ts := int64(now - 600 + 60*i)
		must(t, s.Add("stats.web.requests.count", ts, float64(i)))
		must(t, s.Add("servers.a.load", ts, float64(i)/2))
	}
	must(t, s.Add("servers.a.load", now-60, 100)) // same second again: the later one wins
	flush(t, s)
	out, err := exec.Command(py, "-c", `
import sys, whisper
for p in sys.argv[1:]:
    i = whisper.info(p)
    print(i["aggregationMethod"], i["xFilesFactor"], [(a["secondsPerPoint"], a["points"]) for a in i["archives"]])
    (f, u, st), vals = whisper.fetch(p, `+strconv.Itoa(now-600)+`, `+strconv.Itoa(now)+`, now=`+strconv.Itoa(now)+`)
    print(f, u, st, vals)
`, Path(s.Dir(), "stats.web.requests.count"), Path(s.Dir(), "servers.a.load")).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	// The window is (from, until]: the point at now-600 is outside it.
	// stats.* reads its 10-second archive: one known slot in six.
	var fine []string
	for i := range 60 {
		if i%6 == 5 && i < 59 {
			fine = append(fine, strconv.Itoa(i/6+1)+".0")
		} else {
			fine = append(fine, "None")
		}
	}
	want := "sum 0.0 [(10, 2160), (60, 10080), (600, 262800)]\n" +
		"1699999450 1700000050 10 [" + strings.Join(fine, ", ") + "]\n" +
		"average 0.30000001192092896 [(60, 1440)]\n" +
		"1699999500 1700000100 60 [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 100.0, None]\n"
	if string(out) != want {
		t.Errorf("python reads\n%s\nwant\n%s", out, want)
	}
	st := s.Stats()
	if st.Received != 21 || st.Persisted != 20 || st.Creates != 2 || st.CachePoints != 0 {
		t.Errorf("stats %+v", st)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestFetchMergesCache checks graphite-web's merge_with_cache: cached
// points override the file, reduced to the last point per finest interval
// and aggregated with the file's method when a coarser archive is read.
func TestFetchMergesCache(t *testing.T) {
	dir := t.TempDir()
	path := Path(dir, "m.sum")
	must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	must(t, whisper.Create(path, archs(60, 60, 300, 100), &whisper.CreateOptions{AggregationMethod: whisper.Sum, XFilesFactor: whisper.XFF(0)}))
	w, err := whisper.Open(path, nil)
	must(t, err)
	must(t, w.UpdateMany(pts(now-600, 1, now-540, 2, now-120, 3), now))
	w.Close()

	// Persisters held: the points stay in the cache. now is aligned to
	// 60; now-120, now-70 and now-61 share one minute, whose latest
	// point (6) wins and replaces the file's 3; now-30 is in the next.
	s := openStore(t, Options{Dir: dir})
	s.hold.Lock()
	defer s.hold.Unlock()
	must(t, s.Add("m.sum", now-120, 30))
	must(t, s.Add("m.sum", now-70, 5))
	must(t, s.Add("m.sum", now-61, 6))
	must(t, s.Add("m.sum", now-30, 7))

	got, err := s.Fetch("m.sum", now-600, now, now)
	must(t, err)
	if got.Step != 60 || got.From != now-540 {
		t.Fatalf("window %d %d %d", got.From, got.Until, got.Step)
	}
	wantAt := map[int64]float64{now - 540: 2, now - 120: 6, now - 60: 7}
	for i, v := range got.Values {
		ts := got.From + int64(i)*got.Step
		if w, ok := wantAt[ts]; ok {
			if v != w {
				t.Errorf("fine %d: %v, want %v", ts, v, w)
			}
		} else if !math.IsNaN(v) {
			t.Errorf("fine %d: %v, want null", ts, v)
		}
	}
	// Coarse archive (from older than the fine retention): cached points
	// are summed per 300 s, replacing the file's aggregate.
	got, err = s.Fetch("m.sum", now-5000, now, now)
	must(t, err)
	if got.Step != 300 {
		t.Fatalf("step %d", got.Step)
	}
	// Both cached minutes (6 at …920, 7 at …980) fall in the 300-s
	// interval 1699999800: their sum replaces the file's aggregate.
	iv := int64(1699999800)
	i := (iv - got.From) / got.Step
	if got.Values[i] != 13 {
		t.Errorf("coarse %d = %v, want 13 (6+7)", iv, got.Values[i])
	}

	// A metric only in the cache is fetched with its future schema.
	must(t, s.Add("new.metric", now-60, 1))
	got, err = s.Fetch("new.metric", now-300, now, now)
	must(t, err)
	if got == nil || got.Step != 60 || got.Values[len(got.Values)-2] != 1 {
		t.Errorf("cache-only fetch %+v", got)
	}
	if got, _ := s.Fetch("no.such", now-300, now, now); got != nil {
		t.Errorf("unknown metric: %+v", got)
	}
}

// TestBackPressure fills a small cache, checks that Add refuses with
// ErrCacheFull and WaitSpace blocks until a flush frees room.
func TestBackPressure(t *testing.T) {
	s := openStore(t, Options{CacheMaxPoints: 5})
	s.hold.Lock()
	for i := range 5 {
		must(t, s.Add("a.b", int64(now-60*i), 1))
	}
	if err := s.Add("a.b", now, 1); !errors.Is(err, ErrCacheFull) {
		t.Fatalf("6th Add: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	if err := s.WaitSpace(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitSpace on a full cache: %v", err)
	}
	cancel()
	done := make(chan error)
	go func() { done <- s.WaitSpace(context.Background()) }()
	s.hold.Unlock() // let the persisters run
	select {
	case err := <-done:
		must(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("WaitSpace did not return after the cache drained")
	}
	must(t, s.Add("a.b", now, 1))
}

// TestCloseFlushes: Close writes every cached point despite the rate
// limits, and Add afterwards fails.
func TestCloseFlushes(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir, MaxUpdatesPerSecond: 1, MaxCreatesPerMinute: 1, Now: func() time.Time { return time.Unix(now, 0) }})
	must(t, err)
	s.hold.Lock()
	for m := range 50 {
		for i := range 3 {
			must(t, s.Add("m.x"+strconv.Itoa(m), int64(now-60*i), float64(m*10+i)))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() {
		for !s.closed.Load() {
			time.Sleep(time.Millisecond)
		}
		s.hold.Unlock() // Close has lifted the limits
	}()
	must(t, s.Close(ctx))
	if err := s.Add("m.x1", now, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Add after Close: %v", err)
	}
	for m := range 50 {
		w, err := whisper.Open(Path(dir, "m.x"+strconv.Itoa(m)), &whisper.OpenOptions{ReadOnly: true})
		must(t, err)
		ser, err := w.Fetch(now-180, now, now, nil)
		must(t, err)
		w.Close()
		n := 0
		for i, k := range ser.Known {
			if k {
				n++
				if want := float64(m*10) + float64((ser.From+int64(i)*60-now)/-60); ser.Values[i] != want {
					t.Errorf("m.x%d at %d = %v, want %v", m, ser.From+int64(i)*60, ser.Values[i], want)
				}
			}
		}
		if n != 3 {
			t.Errorf("m.x%d: %d points on disk, want 3", m, n)
		}
	}
}

// TestCreateLimitDrops: beyond MaxCreatesPerMinute, points of metrics
// without a file are dropped and counted, as carbon does.
func TestCreateLimitDrops(t *testing.T) {
	s := openStore(t, Options{MaxCreatesPerMinute: 2, Workers: 1})
	for m := range 5 {
		must(t, s.Add("c.m"+strconv.Itoa(m), now, 1))
	}
	flush(t, s)
	st := s.Stats()
	if st.Creates != 2 || st.DroppedCreates != 3 || st.Persisted != 2 {
		t.Errorf("creates %d dropped %d persisted %d; want 2, 3, 2", st.Creates, st.DroppedCreates, st.Persisted)
	}
}

func TestAddRefusesBadInput(t *testing.T) {
	s := openStore(t, Options{})
	for _, name := range []string{"a..b", "../x", "a/b", "x\x00"} {
		if err := s.Add(name, now, 1); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Add(%q) = %v", name, err)
		}
	}
	for _, ts := range []int64{-5, 1 << 32} {
		if err := s.Add("a.b", ts, 1); !errors.Is(err, ErrTimestamp) {
			t.Errorf("Add(ts %d) = %v", ts, err)
		}
	}
	if s.Stats().Invalid != 6 {
		t.Errorf("invalid = %d", s.Stats().Invalid)
	}
}

type testGlob []string

func (g testGlob) Len() int { return len(g) }
func (g testGlob) Literal(i int) (string, bool) {
	return g[i], !strings.ContainsAny(g[i], "*")
}
func (g testGlob) MatchNode(i int, s string) bool {
	if g[i] == "*" {
		return true
	}
	if p, ok := strings.CutSuffix(g[i], "*"); ok {
		return strings.HasPrefix(s, p)
	}
	return g[i] == s
}

func TestFind(t *testing.T) {
	s := openStore(t, Options{})
	for _, n := range []string{"srv.web1.cpu", "srv.web1.mem", "srv.web2.cpu", "srv.web2", "other.x"} {
		must(t, s.Add(n, now, 1))
	}
	flush(t, s)
	s.hold.Lock()
	defer s.hold.Unlock()
	must(t, s.Add("srv.web3.cpu", now, 1)) // cache only
	// A temporary file of whisper.Create is hidden.
	must(t, os.WriteFile(filepath.Join(s.Dir(), "srv", ".web9.wsp.tmp-x"), nil, 0o644))
	find := func(p string) string {
		nodes, err := s.Find(context.Background(), testGlob(strings.Split(p, ".")))
		must(t, err)
		var b []string
		for _, n := range nodes {
			k := "b"
			if n.Leaf {
				k = "l"
			}
			b = append(b, n.Path+":"+k)
		}
		return strings.Join(b, " ")
	}
	for p, want := range map[string]string{
		"srv.*":        "srv.web1:b srv.web2:b srv.web2:l srv.web3:b",
		"srv.web*.cpu": "srv.web1.cpu:l srv.web2.cpu:l srv.web3.cpu:l",
		"srv.web1.*":   "srv.web1.cpu:l srv.web1.mem:l",
		"srv.web2":     "srv.web2:b srv.web2:l",
		"*":            "other:b srv:b",
		"nope.*":       "",
		"..":           "",
	} {
		if got := find(p); got != want {
			t.Errorf("find %q = %q, want %q", p, got, want)
		}
	}
}

// TestDeletedFileIsRecreated: an operator removes a metric's file; once
// the open handle ages out, the next write recreates it by path.
func TestDeletedFileIsRecreated(t *testing.T) {
	s := openStore(t, Options{})
	s.files.maxAge = 0 // every write reopens by path
	must(t, s.Add("del.me", now-60, 1))
	flush(t, s)
	must(t, os.Remove(Path(s.Dir(), "del.me")))
	must(t, s.Add("del.me", now, 2))
	flush(t, s)
	w, err := whisper.Open(Path(s.Dir(), "del.me"), &whisper.OpenOptions{ReadOnly: true})
	must(t, err)
	defer w.Close()
	ser, err := w.Fetch(now-120, now, now, nil)
	must(t, err)
	if ser.Known[0] || !ser.Known[1] || ser.Values[1] != 2 {
		t.Errorf("recreated file holds %v %v", ser.Values, ser.Known)
	}
	if st := s.Stats(); st.Creates != 2 {
		t.Errorf("creates = %d, want 2", st.Creates)
	}
}
