package whisper

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"ringvault/internal/testutil"
	"ringvault/storage"
)

type tdDiff struct {
	ArchiveNumber int           `json:"archive_number"`
	Diffs         [][3]optFloat `json:"diffs"`
	Total         int           `json:"total_points_compared"`
}

type tdMergeDiff struct {
	A, B  string `json:"-"`
	Now   int64  `json:"now"`
	Diffs []struct {
		Call   string   `json:"call"`
		Result []tdDiff `json:"result"`
	} `json:"diffs"`
	Merges []struct {
		File    string    `json:"file"`
		Call    string    `json:"call"`
		Sha256  string    `json:"sha256"`
		Fetches []tdFetch `json:"fetches"`
		DiffA   []tdDiff  `json:"diff_A_vs_result_ignore_empty"`
	} `json:"merges"`
	Errors []struct {
		Call   string  `json:"call"`
		Raises pyRaise `json:"raises"`
	} `json:"errors"`
}

var callArg = regexp.MustCompile(`(\w+)=(\w+)`)

// callArgs parses the keyword arguments of a recorded python call.
func callArgs(call string) map[string]string {
	m := map[string]string{}
	for _, g := range callArg.FindAllStringSubmatch(call, -1) {
		m[g[1]] = g[2]
	}
	return m
}

func argInt(t *testing.T, m map[string]string, k string) int64 {
	if m[k] == "" {
		return 0
	}
	v, err := strconv.ParseInt(m[k], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func checkDiff(t *testing.T, what string, got []DiffArchive, want []tdDiff) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d archives, python %d", what, len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Index != w.ArchiveNumber || g.Total != w.Total || len(g.Points) != len(w.Diffs) {
			t.Fatalf("%s: archive %d: got index %d total %d diffs %d; python %d %d %d", what, i, g.Index, g.Total, len(g.Points), w.ArchiveNumber, w.Total, len(w.Diffs))
		}
		for j, d := range w.Diffs {
			p := g.Points[j]
			if float64(p.Timestamp) != d[0].v || p.AKnown != d[1].known || p.BKnown != d[2].known ||
				(p.AKnown && math.Float64bits(p.A) != math.Float64bits(d[1].v)) ||
				(p.BKnown && math.Float64bits(p.B) != math.Float64bits(d[2].v)) {
				t.Fatalf("%s: archive %d point %d: got %+v, python %v", what, i, j, p, d)
			}
		}
	}
}

func openShared(t *testing.T, dir, name string) *File {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	w, err := OpenFile(storage.NewMemFile(b), name)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestSharedMergeDiff checks Diff and Merge against w09_merge_diff.json.
func TestSharedMergeDiff(t *testing.T) {
	dir := testutil.Shared(t, "whisper")
	var md tdMergeDiff
	readJSON(t, filepath.Join(dir, "w09_merge_diff.json"), &md)
	a := openShared(t, dir, "w09_merge_a.wsp")
	b := openShared(t, dir, "w09_merge_b.wsp")
	for _, d := range md.Diffs {
		args := callArgs(d.Call)
		got, err := Diff(a, b, args["ignore_empty"] == "True", argInt(t, args, "until_time"), argInt(t, args, "now"))
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, d.Call, got, d.Result)
	}
	for _, mg := range md.Merges {
		args := callArgs(mg.Call)
		dst := openShared(t, dir, "w09_merge_b.wsp")
		if err := Merge(a, dst, argInt(t, args, "time_from"), argInt(t, args, "time_to"), argInt(t, args, "now")); err != nil {
			t.Fatal(err)
		}
		if got := sha(dst.Storage().(*storage.MemFile).Bytes()); got != mg.Sha256 {
			t.Fatalf("%s: sha256 %s, python %s", mg.Call, got, mg.Sha256)
		}
		for _, fe := range mg.Fetches {
			from, until, now, opts := fetchArgs(t, fe.Args)
			s, err := dst.Fetch(from, until, now, opts)
			if err != nil {
				t.Fatal(err)
			}
			checkSeries(t, mg.Call+" fetch", s, fe.Result)
		}
		got, err := Diff(a, dst, true, 0, md.Now)
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, mg.Call+" diff", got, mg.DiffA)
	}
	other := openShared(t, dir, "w09_other_schema.wsp")
	for _, e := range md.Errors {
		var err error
		if regexp.MustCompile(`^whisper\.merge`).MatchString(e.Call) {
			err = Merge(a, other, 0, 0, md.Now)
		} else {
			_, err = Diff(a, other, false, 0, md.Now)
		}
		checkRaise(t, e.Call, err, &e.Raises)
	}
}
