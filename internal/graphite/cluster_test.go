package graphite

import (
	"encoding/json"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"ringvault/internal/testutil"
)

// TestClusterWithGraphiteWeb runs graphite-web's own RemoteFinder against
// a ringvault node: find (pickle), index.json and render (pickle, one
// batched call with local=1) must work, and graphite-web's evaluation of
// functions over the fetched data must equal ringvault's.
func TestClusterWithGraphiteWeb(t *testing.T) {
	py := testutil.Python(t, "graphite.render", "django", "pytz")
	b := testBackend()
	srv := httptest.NewServer(NewHandler(b, &Options{Now: func() time.Time { return testNow }}))
	defer srv.Close()
	now := testNow.Unix()
	from, until := now-2*3600, now
	targets := []string{"servers.*.cpu.user", "sumSeries(servers.*.cpu.*)", `aliasSub(servers.web0{1,2}.cpu.system, "(^.*$)", "\1 A")`, "nothing.here"}
	args := append([]string{"testdata/cluster.py", strings.TrimPrefix(srv.URL, "http://"),
		strconv.FormatInt(from, 10), strconv.FormatInt(until, 10), strconv.FormatInt(now, 10)}, targets...)
	cmd := exec.Command(py, args...)
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("cluster.py: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var res struct {
		Find   [][2]any                  `json:"find"`
		Index  []string                  `json:"index"`
		Render map[string][]oracleSeries `json:"render"`
		Failed bool                      `json:"failed"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if res.Failed {
		t.Fatalf("graphite-web marked the node failed: %s", out)
	}
	if len(res.Find) != 4 || res.Find[0][0] != "servers.web01.cpu.system" || res.Find[0][1] != true {
		t.Errorf("find through RemoteFinder: %v", res.Find)
	}
	if len(res.Index) != 5 {
		t.Errorf("index through RemoteFinder: %v", res.Index)
	}
	for _, target := range targets {
		got, err := evalForTest(b, target, from, until, now)
		if err != nil {
			t.Fatal(err)
		}
		compareSeriesNoTags(t, "cluster "+target, got, res.Render[target])
	}
}

func compareSeriesNoTags(t *testing.T, target string, got []*series, want []oracleSeries) {
	t.Helper()
	for _, g := range got { // cluster.py reports no tags
		g.tags = newTagSet()
	}
	compareSeries(t, target, got, want)
}
