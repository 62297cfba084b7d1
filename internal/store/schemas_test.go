package store

import (
	"strings"
	"testing"

	"ringvault/whisper"
)

func TestLoadSchemasCarbonExample(t *testing.T) {
	schemas, warns, err := LoadSchemas("testdata/storage-schemas.conf")
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 1 || warns[0].Section != "invalid_not_divisible" {
		t.Errorf("warnings = %v, want the not-divisible section skipped", warns)
	}
	var names []string
	for _, s := range schemas {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, ","); got != "carbon,statsd,percent,default_1min_for_1day,default" {
		t.Errorf("sections = %s", got)
	}
	tests := []struct {
		metric, schema string
		archives       []whisper.ArchiveSpec
	}{
		{"carbon.agents.a.cpu", "carbon", archs(60, 129600)},
		{"x.carbon.y", "default_1min_for_1day", archs(60, 1440)},              // ^ anchors
		{"stats.timers.x", "statsd", archs(10, 2160, 60, 10080, 600, 262800)}, // spaces after commas
		{"bad.x", "default_1min_for_1day", archs(60, 1440)},                   // skipped section
		{"disk.used%", "percent", archs(1, 60)},                               // %% interpolation
		{"a.stats.b", "default_1min_for_1day", nil},                           // search, but anchored pattern
	}
	for _, tc := range tests {
		s, ok := MatchSchema(schemas, tc.metric)
		if !ok || s.Name != tc.schema {
			t.Errorf("%s matched %q, want %q", tc.metric, s.Name, tc.schema)
			continue
		}
		if tc.archives != nil && !equalArchives(s.Archives, tc.archives) {
			t.Errorf("%s archives %v, want %v", tc.metric, s.Archives, tc.archives)
		}
	}
}

func equalArchives(a, b []whisper.ArchiveSpec) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSchemasDefaults(t *testing.T) {
	s, _, err := LoadSchemas("")
	if err != nil || len(s) != 1 || !equalArchives(s[0].Archives, archs(60, 10080)) {
		t.Fatalf("default schema %v %v (carbon: 60 s for 7 days)", s, err)
	}
	// A file whose sections match nothing falls back to carbon's default.
	s, _, err = ParseSchemas("x.conf", "[only]\npattern = ^only\\.\nretentions = 10s:1h\n")
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := MatchSchema(s, "other.metric"); m.Name != "default" {
		t.Errorf("fallback = %s", m.Name)
	}
	// match-all, DEFAULT inheritance, continuation lines, ':' separator.
	s, _, err = ParseSchemas("x.conf", "[DEFAULT]\nretentions = 1m:1d\n[everything]\nmatch-all: true\n[later]\npattern = .\nretentions = 1s:1m,\n  1m:1h\n")
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := MatchSchema(s, "a.b"); m.Name != "everything" || !equalArchives(m.Archives, archs(60, 1440)) {
		t.Errorf("match-all: %+v", m)
	}
	if !equalArchives(s[1].Archives, archs(1, 60, 60, 60)) {
		t.Errorf("continuation: %+v", s[1].Archives)
	}
	bad := map[string]string{
		"bad retention":    "[a]\npattern = x\nretentions = 10X:1d\n",
		"no retentions":    "[a]\npattern = x\n",
		"no pattern":       "[a]\nretentions = 1m:1d\n",
		"bad regex":        "[a]\npattern = (?<=x)y\nretentions = 1m:1d\n",
		"duplicate":        "[a]\npattern = x\nretentions = 1m:1d\n[a]\npattern = y\nretentions = 1m:1d\n",
		"before section":   "pattern = x\n",
		"lone percent":     "[a]\npattern = 5%\nretentions = 1m:1d\n",
		"list unsupported": "[a]\nlist = mylist\nretentions = 1m:1d\n",
	}
	for name, text := range bad {
		if _, _, err := ParseSchemas("bad.conf", text); err == nil || !strings.Contains(err.Error(), "bad.conf") {
			t.Errorf("%s: err = %v, want an error naming the file", name, err)
		}
	}
}

func TestLoadAggregationsCarbonExample(t *testing.T) {
	aggs, warns, err := LoadAggregations("testdata/storage-aggregation.conf")
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 2 {
		t.Errorf("warnings %v, want broken_xff and broken_method skipped", warns)
	}
	tests := []struct {
		metric string
		name   string
		method whisper.AggregationMethod
		xff    float64
	}{
		{"a.lower", "min", whisper.Min, 0.1},
		{"a.upper_90", "max", whisper.Max, 0.1},
		{"a.count", "count", whisper.Sum, 0},
		{"stats_counts.x", "count_legacy", whisper.Sum, 0},
		{"a.broken", "default_average", whisper.Average, 0.3},
		{"a.abs", "abs", whisper.AbsMax, -1},
		{"a.b", "default_average", whisper.Average, 0.3},
	}
	for _, tc := range tests {
		a := MatchAggregation(aggs, tc.metric)
		if a.Name != tc.name || a.Method != tc.method {
			t.Errorf("%s: %s/%v, want %s/%v", tc.metric, a.Name, a.Method, tc.name, tc.method)
		}
		if tc.xff < 0 {
			if a.XFilesFactor != nil {
				t.Errorf("%s: xff set", tc.metric)
			}
		} else if a.XFilesFactor == nil || *a.XFilesFactor != tc.xff {
			t.Errorf("%s: xff %v, want %v", tc.metric, a.XFilesFactor, tc.xff)
		}
	}
	d, _, _ := LoadAggregations("")
	if a := MatchAggregation(d, "x"); a.Method != 0 || a.XFilesFactor != nil {
		t.Errorf("default aggregation %+v, want whisper's defaults (unset)", a)
	}
}

func TestValidateName(t *testing.T) {
	good := []string{"a", "a.b.c", "caf\u00e9.x", "a-b_c.d:e", "with space.x", strings.Repeat("x", 251)}
	bad := []string{"", "a..b", ".a", "a.", "a/b", "../etc", "a\x00b", "a\nb", "a;tag=1", "\xff", strings.Repeat("x", 252), strings.Repeat("a.", 3000) + "a"}
	for _, n := range good {
		if err := ValidateName(n); err != nil {
			t.Errorf("ValidateName(%q) = %v", n, err)
		}
	}
	for _, n := range bad {
		if err := ValidateName(n); err == nil {
			t.Errorf("ValidateName(%q) accepted", clip(n))
		}
	}
	if p := Path("/d", "a.b.c"); p != "/d/a/b/c.wsp" {
		t.Errorf("Path = %s", p)
	}
}

func FuzzValidateName(f *testing.F) {
	for _, s := range []string{"a.b", "../x", "a..b", "a/b", "é.x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if ValidateName(name) != nil {
			return
		}
		p := Path("/data", name)
		if !strings.HasPrefix(p, "/data/") || strings.Contains(p, "/../") || strings.Contains(p, "//") {
			t.Fatalf("%q maps to %q outside the data dir", name, p)
		}
	})
}

func FuzzParseSchemas(f *testing.F) {
	f.Add("[a]\npattern = x\nretentions = 1m:1d\n")
	f.Add("[DEFAULT]\nretentions = 1m:1d\n[b]\nmatch-all = 1\n")
	f.Add("[a]\npattern = %(x)s\nx = %(pattern)s\n")
	f.Fuzz(func(t *testing.T, text string) {
		s, _, err := ParseSchemas("f.conf", text)
		if err == nil && (len(s) == 0 || s[len(s)-1].Name != "default") {
			t.Fatalf("schemas without the default: %v", s)
		}
		ParseAggregations("f.conf", text)
	})
}

// archs builds an archive list from (secondsPerPoint, points) pairs.
func archs(v ...uint32) []whisper.ArchiveSpec {
	var out []whisper.ArchiveSpec
	for i := 0; i+1 < len(v); i += 2 {
		out = append(out, whisper.ArchiveSpec{SecondsPerPoint: v[i], Points: v[i+1]})
	}
	return out
}

// pts builds points from (timestamp, value) pairs.
func pts(v ...float64) []whisper.Point {
	var out []whisper.Point
	for i := 0; i+1 < len(v); i += 2 {
		out = append(out, whisper.Point{Timestamp: int64(v[i]), Value: v[i+1]})
	}
	return out
}
