// Command whisperbench runs the same whisper workloads through Debian's
// python3-whisper 1.1.4 (bench/whisper_py.py, a python loop over the
// whisper module) and through ringvault's whisper package, on identical
// files with the same points and the same now, and prints µs per
// operation and the ratio. It also checks that both produced the same file
// bytes, and times the start-up of the command line tools. Run it through
// bench/whisper.sh.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"ringvault/whisper"
)

var (
	python    = flag.String("python", "/usr/bin/python3", "python with Debian's python3-whisper")
	script    = flag.String("script", "bench/whisper_py.py", "the python side")
	ringvault = flag.String("ringvault", "", "ringvault binary for the CLI start-up rows (empty: skip)")
	scale     = flag.Float64("scale", 1, "multiply the iteration counts")
	runs      = flag.Int("runs", 20, "CLI start-up runs per tool")
)

var archives = []whisper.ArchiveSpec{{SecondsPerPoint: 10, Points: 8640}, {SecondsPerPoint: 60, Points: 43200}, {SecondsPerPoint: 3600, Points: 43800}}

type pyResult struct {
	Op      string  `json:"op"`
	Ops     int     `json:"ops"`
	Points  int     `json:"points"`
	Seconds float64 `json:"seconds"`
}

func runPy(args ...string) pyResult {
	out, err := exec.Command(*python, append([]string{*script}, args...)...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		fail(fmt.Errorf("python %v: %v\n%s", args, err, stderr))
	}
	var r pyResult
	if err := json.Unmarshal(bytes.TrimSpace(out), &r); err != nil {
		fail(fmt.Errorf("python %v: %v: %s", args, err, out))
	}
	return r
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "whisperbench:", err)
	os.Exit(1)
}

func must(err error) {
	if err != nil {
		fail(err)
	}
}

type row struct {
	name          string
	pyUS, goUS    float64
	target        string
	identical     string
	pyOps, goOps  int
	pointsPerCall int
}

func n(base int) int { return max(1, int(float64(base)*(*scale))) }

func sum(path string) [32]byte {
	b, err := os.ReadFile(path)
	must(err)
	return sha256.Sum256(b)
}

func same(a, b string) string {
	if sum(a) == sum(b) {
		return "identical"
	}
	return "DIFFERENT"
}

func main() {
	flag.Parse()
	dir, err := os.MkdirTemp("", "whisperbench")
	must(err)
	defer os.RemoveAll(dir)
	now := time.Now().Unix()
	nowS := strconv.FormatInt(now, 10)
	var rows []row

	rows = append(rows, benchUpdate(dir, now, nowS)...)
	rows = append(rows, benchUpdateMany(dir, now, nowS)...)
	fetchRows, fetchFile := benchFetch(dir, now, nowS)
	rows = append(rows, fetchRows...)

	if *ringvault != "" {
		nr := *runs
		rows = append(rows, cliRow("CLI: whisper-info (process start to exit)", nr,
			[]string{*python, "/usr/bin/whisper-info", fetchFile}, []string{*ringvault, "whisper", "info", fetchFile}))
		rows = append(rows, cliRow("CLI: whisper-fetch 1 day (to /dev/null)", nr,
			[]string{*python, "/usr/bin/whisper-fetch", "--from=" + strconv.FormatInt(now-86400, 10), "--until=" + nowS, fetchFile},
			[]string{*ringvault, "whisper", "fetch", "--now=" + nowS, "--from=" + strconv.FormatInt(now-86400, 10), "--until=" + nowS, fetchFile}))
	}

	fmt.Printf("whisper: python3-whisper 1.1.4 (python loop over the module) vs ringvault (Go package), same files, points and now=%d\n", now)
	fmt.Printf("file 10s:1d,1m:30d,1h:5y (1,147,732 bytes), xff 0.5, average\n\n")
	fmt.Printf("%-42s %12s %12s %9s %7s %s\n", "workload", "python µs/op", "ringvault", "ratio", "target", "result files")
	for _, r := range rows {
		ratio := r.pyUS / r.goUS
		mark := ""
		if r.target != "" {
			want, _ := strconv.ParseFloat(r.target[2:len(r.target)-1], 64)
			if ratio >= want {
				mark = " met"
			} else {
				mark = " MISSED"
			}
		}
		fmt.Printf("%-42s %12.2f %12.2f %8.1fx %7s%s %s\n", r.name, r.pyUS, r.goUS, ratio, r.target, mark, r.identical)
	}
	fmt.Println()
	for _, r := range rows {
		if r.pointsPerCall > 0 {
			fmt.Printf("%-42s python %.0f points/s, ringvault %.0f points/s\n", r.name, float64(r.pointsPerCall)/r.pyUS*1e6, float64(r.pointsPerCall)/r.goUS*1e6)
		}
	}
}

func benchUpdate(dir string, now int64, nowS string) []row {
	var rows []row
	// Single update(): monotonic timestamps over the last day.
	{
		cnt := n(20000)
		py, gof := filepath.Join(dir, "u.py.wsp"), filepath.Join(dir, "u.go.wsp")
		runPy("create", py, nowS, "0")
		pr := runPy("update", py, nowS, strconv.Itoa(cnt))
		must(whisper.Create(gof, archives, nil))
		w, err := whisper.Open(gof, nil)
		must(err)
		pts := updatePoints(now, cnt)
		t0 := time.Now()
		for _, p := range pts {
			must(w.Update(p.Value, p.Timestamp, now))
		}
		d := time.Since(t0)
		must(w.Close())
		rows = append(rows, row{name: "update() single point", pyUS: pr.Seconds * 1e6 / float64(cnt), goUS: us(d, cnt), target: ">=30x", identical: same(py, gof), pyOps: cnt, goOps: cnt})

		// The same through the path API: open, update, close every time.
		gof2 := filepath.Join(dir, "u2.go.wsp")
		must(whisper.Create(gof2, archives, nil))
		t0 = time.Now()
		for _, p := range pts {
			w, err := whisper.Open(gof2, nil)
			must(err)
			must(w.Update(p.Value, p.Timestamp, now))
			must(w.Close())
		}
		d = time.Since(t0)
		rows = append(rows, row{name: "update() incl. open+close per call", pyUS: pr.Seconds * 1e6 / float64(cnt), goUS: us(d, cnt), identical: same(py, gof2), pyOps: cnt, goOps: cnt})
	}

	return rows
}

func benchUpdateMany(dir string, now int64, nowS string) []row {
	var rows []row
	// update_many() in batches of 1,000 and of 10, points 1 s apart
	// ending at now (they span archives 0 and 1).
	for _, c := range []struct {
		batch, total int
		target       string
	}{{1000, n(100000), ">=20x"}, {10, n(30000), ">=20x"}} {
		py, gof := filepath.Join(dir, fmt.Sprintf("m%d.py.wsp", c.batch)), filepath.Join(dir, fmt.Sprintf("m%d.go.wsp", c.batch))
		runPy("create", py, nowS, "0")
		pr := runPy("update_many", py, nowS, strconv.Itoa(c.total), strconv.Itoa(c.batch))
		must(whisper.Create(gof, archives, nil))
		w, err := whisper.Open(gof, nil)
		must(err)
		pts := manyPoints(now, c.total)
		t0 := time.Now()
		for i := 0; i < len(pts); i += c.batch {
			must(w.UpdateMany(pts[i:min(i+c.batch, len(pts))], now))
		}
		d := time.Since(t0)
		must(w.Close())
		calls := c.total / c.batch
		rows = append(rows, row{name: fmt.Sprintf("update_many() batches of %d", c.batch), pyUS: pr.Seconds * 1e6 / float64(calls), goUS: us(d, calls),
			target: c.target, identical: same(py, gof), pyOps: calls, goOps: calls, pointsPerCall: c.batch})
	}

	return rows
}

func benchFetch(dir string, now int64, nowS string) (rows []row, fetchFile string) {
	// fetch() of 1 day (archive 0, 8,640 values) and of 30 days (archive
	// 1, 43,200 values) on a file filled every 10 s for 30 days.
	fetchFile = filepath.Join(dir, "f.wsp")
	runPy("create", fetchFile, nowS, "0")
	runPy("fill-for-fetch", fetchFile, nowS, "0")
	for _, c := range []struct {
		name     string
		span     int64
		pyN, goN int
		target   string
	}{{"fetch() 1 day (8,640 points)", 86400, n(300), n(3000), ">=50x"}, {"fetch() 30 days (43,200 points)", 30 * 86400, n(60), n(600), ""}} {
		pr := runPy("fetch", fetchFile, nowS, strconv.Itoa(c.pyN), strconv.FormatInt(c.span, 10))
		w, err := whisper.Open(fetchFile, &whisper.OpenOptions{ReadOnly: true})
		must(err)
		t0 := time.Now()
		got := 0
		for range c.goN {
			s, err := w.Fetch(now-c.span, now, now, nil)
			must(err)
			got += len(s.Values)
		}
		d := time.Since(t0)
		w.Close()
		if got/c.goN != pr.Points/c.pyN {
			fail(fmt.Errorf("%s: python read %d points per fetch, ringvault %d", c.name, pr.Points/c.pyN, got/c.goN))
		}
		rows = append(rows, row{name: c.name, pyUS: pr.Seconds * 1e6 / float64(c.pyN), goUS: us(d, c.goN), target: c.target, pyOps: c.pyN, goOps: c.goN, pointsPerCall: got / c.goN})

		// The same with a reused Series (FetchInto), as a server does.
		w, err = whisper.Open(fetchFile, &whisper.OpenOptions{ReadOnly: true})
		must(err)
		var s whisper.Series
		t0 = time.Now()
		for range c.goN {
			_, err := w.FetchInto(&s, now-c.span, now, now, nil)
			must(err)
		}
		d = time.Since(t0)
		w.Close()
		rows = append(rows, row{name: "  same, FetchInto (reused Series)", pyUS: pr.Seconds * 1e6 / float64(c.pyN), goUS: us(d, c.goN), pyOps: c.pyN, goOps: c.goN, pointsPerCall: got / c.goN})
	}

	return rows, fetchFile
}

func us(d time.Duration, n int) float64 { return float64(d.Microseconds()) / float64(n) }

func updatePoints(now int64, n int) []whisper.Point {
	pts := make([]whisper.Point, n)
	step := 86000.0 / float64(n)
	for i := range pts {
		pts[i] = whisper.Point{Timestamp: now - 86000 + int64(float64(i)*step), Value: float64(i%97) * 0.5}
	}
	return pts
}

func manyPoints(now int64, n int) []whisper.Point {
	pts := make([]whisper.Point, n)
	for i := range pts {
		pts[i] = whisper.Point{Timestamp: now - int64(n) + 1 + int64(i), Value: float64(i%89) * 0.25}
	}
	return pts
}

// cliRow times whole process runs, python's script against ringvault's.
func cliRow(name string, runs int, py, rv []string) row {
	timeRuns := func(argv []string) float64 {
		t0 := time.Now()
		for range runs {
			cmd := exec.Command(argv[0], argv[1:]...)
			if err := cmd.Run(); err != nil {
				fail(fmt.Errorf("%v: %v", argv, err))
			}
		}
		return float64(time.Since(t0).Microseconds()) / float64(runs)
	}
	return row{name: name, pyUS: timeRuns(py), goUS: timeRuns(rv), pyOps: runs, goOps: runs}
}
