package graphite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"ringvault/internal/testutil"
)

func TestFindFormats(t *testing.T) {
	h := testHandler()
	_, body := get(t, h, "/metrics/find?query=servers.web02.*")
	want := `[{"text":"cpu","id":"servers.web02.cpu","allowChildren":1,"expandable":1,"leaf":0},{"text":"requests","id":"servers.web02.requests","allowChildren":0,"expandable":0,"leaf":1}]`
	if string(body) != want {
		t.Errorf("treejson:\n got %s\nwant %s", body, want)
	}
	_, body = get(t, h, "/metrics/find/?format=completer&query=servers.web02.")
	if !strings.Contains(string(body), `{"path":"servers.web02.cpu.","name":"cpu","is_leaf":"0"}`) ||
		!strings.Contains(string(body), `{"path":"servers.web02.requests","name":"requests","is_leaf":"1"}`) {
		t.Errorf("completer: %s", body)
	}
	_, body = get(t, h, "/metrics/find?format=json&query=servers.*.cpu.user")
	if string(body) != `[{"path":"servers.web01.cpu.user","is_leaf":true},{"path":"servers.web02.cpu.user","is_leaf":true}]` {
		t.Errorf("json: %s", body)
	}
	_, body = get(t, h, "/metrics/find?format=treejson&wildcards=1&query=servers.*")
	if !strings.HasPrefix(string(body), `[{"text":"*","id":"servers.*","allowChildren":1`) {
		t.Errorf("wildcard node: %s", body)
	}
	res, body := get(t, h, "/metrics/find?format=treejson&query=nothing.*")
	if res.StatusCode != 200 || string(body) != "[]" {
		t.Errorf("empty find: %d %s", res.StatusCode, body)
	}
	if res, _ := get(t, h, "/metrics/find"); res.StatusCode != 400 {
		t.Errorf("missing query: %d", res.StatusCode)
	}
	// Grafana POSTs a bare body.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/metrics/find?from=-1h", strings.NewReader("query=servers.*"))
	h.ServeHTTP(rec, req)
	if !strings.Contains(rec.Body.String(), `"id":"servers.web01"`) {
		t.Errorf("POST find: %s", rec.Body.String())
	}
}

func TestExpandIndexVersion(t *testing.T) {
	h := testHandler()
	_, body := get(t, h, "/metrics/expand?query=servers.*.cpu.user&query=servers.web02.r*")
	if string(body) != `{"results":["servers.web01.cpu.user","servers.web02.cpu.user","servers.web02.requests"]}` {
		t.Errorf("expand: %s", body)
	}
	_, body = get(t, h, "/metrics/index.json")
	var names []string
	if err := json.Unmarshal(body, &names); err != nil || len(names) != 5 || names[0] != "servers.web01.cpu.system" {
		t.Errorf("index: %s", body)
	}
	_, body = get(t, h, "/version")
	if string(body) != "1.1.10" {
		t.Errorf("version %q", body)
	}
}

func TestFunctionsEndpoint(t *testing.T) {
	h := testHandler()
	_, body := get(t, h, "/functions")
	var all map[string]struct {
		Name, Function, Description, Module, Group string
		Params                                     []map[string]any
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // 1e9999 (graphite-web's Infinity) overflows float64
	if err := dec.Decode(&all); err != nil {
		t.Fatalf("%v: %.200s", err, body)
	}
	for _, n := range []string{"aliasSub", "sumSeries", "keepLastValue", "summarize", "groupByNode", "constantLine"} {
		f, ok := all[n]
		if !ok || f.Description == "" || f.Group == "" || !strings.HasPrefix(f.Function, n+"(") || len(f.Params) == 0 {
			t.Errorf("/functions %s: %+v", n, f)
		}
	}
	if len(all) != len(FunctionNames()) {
		t.Errorf("%d functions listed, %d implemented", len(all), len(FunctionNames()))
	}
	_, body = get(t, h, "/functions/keepLastValue")
	if !strings.Contains(string(body), `"default":1e9999`) {
		t.Errorf("keepLastValue limit default: %s", body)
	}
	if res, _ := get(t, h, "/functions/nope"); res.StatusCode != 404 {
		t.Errorf("unknown function: %d", res.StatusCode)
	}
	_, body = get(t, h, "/functions?grouped=1")
	if !strings.Contains(string(body), `"Combine":{`) {
		t.Errorf("grouped: %.200s", body)
	}
}

// TestFunctionsMetaMatchesGraphiteWeb regenerates the embedded metadata
// from the installed graphite-web and compares.
func TestFunctionsMetaMatchesGraphiteWeb(t *testing.T) {
	py := testutil.Python(t, "graphite.render", "django", "pytz")
	out, err := exec.Command(py, "testdata/functions_meta.py").Output()
	if err != nil {
		t.Fatalf("functions_meta.py: %v", err)
	}
	var want, got map[string]any
	json.Unmarshal(out, &want)
	json.Unmarshal(functionsMetaJSON, &got)
	wb, _ := json.Marshal(want)
	gb, _ := json.Marshal(got)
	if !bytes.Equal(wb, gb) {
		t.Errorf("functions_meta.json is stale; regenerate with testdata/functions_meta.py")
	}
	for _, n := range FunctionNames() {
		if _, ok := want[n]; !ok {
			t.Errorf("%s: not a graphite-web function", n)
		}
	}
}

func TestRenderFormats(t *testing.T) {
	h := testHandler()
	q := url.Values{"target": {"servers.web01.cpu.system"}, "from": {"-3min"}, "until": {"now"}}
	q.Set("format", "raw")
	_, body := get(t, h, "/render?"+q.Encode())
	if !regexp.MustCompile(`^servers\.web01\.cpu\.system,1699999860,1700000040,60\|[0-9.None]+,[0-9.None]+,[0-9.None]+\n$`).Match(body) {
		t.Errorf("raw: %q", body)
	}
	q.Set("format", "csv")
	_, body = get(t, h, "/render?"+q.Encode())
	if !regexp.MustCompile(`^(servers\.web01\.cpu\.system,2023-11-14 22:1\d:00,[0-9.]*\r\n){3}$`).Match(body) {
		t.Errorf("csv: %q", body)
	}
	q.Set("format", "json")
	q.Set("jsonp", "cb")
	res, body := get(t, h, "/render?"+q.Encode())
	if !strings.HasPrefix(string(body), "cb([{") || res.Header.Get("Content-Type") != "text/javascript" {
		t.Errorf("jsonp: %q", body)
	}
	q.Set("jsonp", "alert(1);x")
	if res, _ := get(t, h, "/render?"+q.Encode()); res.StatusCode != 400 {
		t.Errorf("script as jsonp callback: %d", res.StatusCode)
	}
	q.Del("jsonp")
	q.Set("format", "bogus")
	if res, _ := get(t, h, "/render?"+q.Encode()); res.StatusCode != 400 {
		t.Errorf("bad format: %d", res.StatusCode)
	}
}

func TestRenderMaxDataPoints(t *testing.T) {
	h := testHandler()
	q := url.Values{"target": {"servers.web01.cpu.user"}, "from": {"-1h"}, "format": {"json"}, "maxDataPoints": {"7"}}
	_, body := get(t, h, "/render?"+q.Encode())
	var out []struct{ Datapoints [][2]*float64 }
	json.Unmarshal(body, &out)
	if len(out) != 1 || len(out[0].Datapoints) > 7 || len(out[0].Datapoints) < 6 {
		t.Fatalf("maxDataPoints=7: %s", body)
	}
	p := out[0].Datapoints
	if step := *p[1][1] - *p[0][1]; step != 540 {
		t.Errorf("consolidated step %v, want 540 (ceil(60/7)=9 points of 60 s)", step)
	}
}

func TestRenderPickleReadByPython(t *testing.T) {
	py := testutil.Python(t)
	h := testHandler()
	q := url.Values{"target": {"servers.web01.cpu.*", "nothing.here"}, "from": {"-3min"}, "format": {"pickle"}, "local": {"1"}}
	_, body := get(t, h, "/render/?"+q.Encode())
	cmd := exec.Command(py, "-c", `import pickle,sys,json
d = pickle.loads(sys.stdin.buffer.read())
print(json.dumps(d, sort_keys=True))`)
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python could not unpickle: %v", err)
	}
	var got []map[string]any
	json.Unmarshal(out, &got)
	if len(got) != 2 || got[0]["name"] != "servers.web01.cpu.system" || got[0]["pathExpression"] != "servers.web01.cpu.*" ||
		got[0]["start"].(float64) != 1699999860 || got[0]["step"].(float64) != 60 || len(got[0]["values"].([]any)) != 3 {
		t.Errorf("unpickled: %s", out)
	}
	_, body = get(t, h, "/metrics/find/?local=1&format=pickle&query=servers.*")
	cmd = exec.Command(py, "-c", `import pickle,sys,json
print(json.dumps(pickle.loads(sys.stdin.buffer.read())))`)
	cmd.Stdin = bytes.NewReader(body)
	out, err = cmd.Output()
	if err != nil || string(bytes.TrimSpace(out)) != `[{"path": "servers.web01", "is_leaf": false}, {"path": "servers.web02", "is_leaf": false}]` {
		t.Errorf("find pickle: %s %v", out, err)
	}
}

func TestRenderImages(t *testing.T) {
	h := testHandler()
	for _, c := range []struct {
		q    string
		w, h int
	}{
		{"target=servers.*.cpu.*&from=-2h", 330, 250},
		{"target=servers.web01.cpu.user&width=800&height=300&title=CPU&bgcolor=white&fgcolor=000000", 800, 300},
		{"target=nothing.here", 330, 250},
	} {
		res, body := get(t, h, "/render?format=png&"+c.q)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("%s: %d %s", c.q, res.StatusCode, body)
		}
		img, err := png.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		if b := img.Bounds(); b.Dx() != c.w || b.Dy() != c.h {
			t.Errorf("%s: %dx%d, want %dx%d", c.q, b.Dx(), b.Dy(), c.w, c.h)
		}
		res, body = get(t, h, "/render?format=svg&"+c.q)
		if res.Header.Get("Content-Type") != "image/svg+xml" || !bytes.Contains(body, []byte("<svg")) ||
			!bytes.Contains(body, []byte(fmt.Sprintf(`viewBox="0 0 %d %d"`, c.w, c.h))) {
			t.Errorf("%s svg: %.200s", c.q, body)
		}
	}
	if res, _ := get(t, h, "/render?format=png&target=a.b&width=100000"); res.StatusCode != 400 {
		t.Errorf("huge width: %d", res.StatusCode)
	}
}

func TestPageIsSelfContained(t *testing.T) {
	h := testHandler()
	res, body := get(t, h, "/")
	if res.StatusCode != 200 || !strings.Contains(string(body), "<title>ringvault") {
		t.Fatalf("/: %d %.100s", res.StatusCode, body)
	}
	for _, page := range []string{"/", "/static/app.js", "/static/app.css"} {
		res, body := get(t, h, page)
		if res.StatusCode != 200 {
			t.Errorf("%s: %d", page, res.StatusCode)
		}
		if m := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`).Find(body); m != nil {
			t.Errorf("%s references an external address %q", page, m)
		}
	}
	for _, ref := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllSubmatch(body, -1) {
		if res, _ := get(t, h, string(ref[1])); res.StatusCode != 200 {
			t.Errorf("asset %s: %d", ref[1], res.StatusCode)
		}
	}
	if res, _ := get(t, h, "/nope"); res.StatusCode != 404 {
		t.Errorf("/nope: %d", res.StatusCode)
	}
}

func TestRenderPOST(t *testing.T) {
	h := testHandler()
	// Grafana: urlencoded form.
	form := url.Values{"target": {`aliasSub(servers.web01.cpu.user, "(^.*$)", "\1 A")`}, "from": {"-2min"}, "until": {"now"}, "format": {"json"}, "maxDataPoints": {"100"}}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/render", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(rec, req)
	if !strings.HasPrefix(rec.Body.String(), `[{"target": "servers.web01.cpu.user A"`) {
		t.Errorf("urlencoded POST: %s", rec.Body.String())
	}
	// graphite-web with REMOTE_STORE_USE_POST: multipart.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, kv := range [][2]string{{"target", "servers.web01.cpu.*"}, {"format", "pickle"}, {"local", "1"}, {"from", "-2min"}} {
		mw.WriteField(kv[0], kv[1])
	}
	mw.Close()
	rec = httptest.NewRecorder()
	req = httptest.NewRequest("POST", "/render/", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/pickle" || !bytes.Contains(rec.Body.Bytes(), []byte("servers.web01.cpu.user")) {
		t.Errorf("multipart POST: %d %q", rec.Code, rec.Body.String())
	}
	for _, p := range []string{"/tags/autoComplete/tags?local=1", "/tags/autoComplete/values?tag=a", "/events/get_data"} {
		if res, b := get(t, h, p); res.StatusCode != 200 || string(b) != "[]" {
			t.Errorf("%s: %d %s", p, res.StatusCode, b)
		}
	}
}

func TestRenderStyledPNG(t *testing.T) {
	res, body := get(t, testHandler(), "/render?format=png&from=-1h&target="+url.QueryEscape("dashed(color(lineWidth(servers.web01.cpu.user, 3), 'ff0000'))")+"&target="+url.QueryEscape("alpha(servers.web02.cpu.user, 0.5)"))
	if res.StatusCode != 200 {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	red := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r > 0xe000 && g < 0x2000 && bl < 0x2000 {
				red++
			}
		}
	}
	if red < 50 {
		t.Errorf("color(..., 'ff0000') drew %d red pixels", red)
	}
}
