package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ringvault/internal/testutil"
	"ringvault/whisper"
)

type pingManifest struct {
	Files []struct {
		File         string         `json:"file"`
		ExpectedJSON string         `json:"expected_json"`
		Version      int            `json:"version"`
		Header       map[string]any `json:"header"`
	} `json:"files"`
}

func loadPingManifest(t *testing.T) (string, pingManifest) {
	t.Helper()
	var m pingManifest
	dir := testutil.SharedManifest(t, "ping", &m)
	return dir, m
}

// expectedPairs returns the file's expected [timestamp, stored value]
// pairs: records_encoded for version 3, records for version 2.
func expectedPairs(t *testing.T, path string, version int) [][2]float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Expected struct {
			Records        [][2]float64 `json:"records"`
			RecordsEncoded [][2]float64 `json:"records_encoded"`
		} `json:"expected"`
	}
	if version == 2 {
		// version 2 records are [time, integer]
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
		return e.Expected.Records
	}
	var e3 struct {
		Expected struct {
			RecordsEncoded [][2]float64 `json:"records_encoded"`
		} `json:"expected"`
	}
	if err := json.Unmarshal(b, &e3); err != nil {
		t.Fatal(err)
	}
	return e3.Expected.RecordsEncoded
}

type dumpOut struct {
	Version int           `json:"version"`
	Records [][2]*float64 `json:"records"`
}

func runPinglogCmd(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	env, out, errb := testEnv("")
	code := Main(env, append([]string{"ringvault"}, args...))
	return out.String(), errb.String(), code
}

func dumpJSONOf(t *testing.T, path string) (dumpOut, map[string]any) {
	t.Helper()
	out, errs, code := runPinglogCmd(t, "pinglog", "dump", "--format=json", path)
	if code != 0 {
		t.Fatalf("dump %s: exit %d: %s", path, code, errs)
	}
	var d dumpOut
	var all map[string]any
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &all); err != nil {
		t.Fatal(err)
	}
	return d, all
}

func samePairs(t *testing.T, what string, got [][2]*float64, want [][2]float64, sentinel float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d records, want %d", what, len(got), len(want))
	}
	for i := range got {
		if *got[i][0] != want[i][0] {
			t.Fatalf("%s: record %d time %v, want %v", what, i, *got[i][0], want[i][0])
		}
		if got[i][1] == nil {
			if want[i][1] != sentinel {
				t.Fatalf("%s: record %d value null, want %v", what, i, want[i][1])
			}
			continue
		}
		if *got[i][1] != want[i][1] {
			t.Fatalf("%s: record %d value %v, want %v", what, i, *got[i][1], want[i][1])
		}
	}
}

// TestPinglogDumpShared dumps every shared file as JSON and compares the
// header fields with MANIFEST.json and the records with the expected ones;
// then converts each to version 4 and back to its own version and
// requires the same records.
func TestPinglogDumpShared(t *testing.T) {
	dir, m := loadPingManifest(t)
	tmp := t.TempDir()
	for _, f := range m.Files {
		t.Run(f.File, func(t *testing.T) {
			path := filepath.Join(dir, f.File)
			d, all := dumpJSONOf(t, path)
			if d.Version != f.Version {
				t.Fatalf("version %d, want %d", d.Version, f.Version)
			}
			for k, v := range f.Header {
				if all[k] != v {
					t.Fatalf("%s = %v, want %v", k, all[k], v)
				}
			}
			want := expectedPairs(t, filepath.Join(dir, f.ExpectedJSON), f.Version)
			samePairs(t, "dump", d.Records, want, -1)

			v4 := filepath.Join(tmp, f.File+".v4")
			back := filepath.Join(tmp, f.File+".back")
			for _, c := range [][]string{
				{"pinglog", "convert", "--to", "4", path, v4},
				{"pinglog", "convert", "--to", itoa(f.Version), v4, back},
			} {
				if _, errs, code := runPinglogCmd(t, c...); code != 0 {
					t.Fatalf("%v: exit %d: %s", c, code, errs)
				}
			}
			d4, all4 := dumpJSONOf(t, v4)
			if all4["version"] != 4.0 || all4["legacy_width"] == 0.0 {
				t.Fatalf("converted header %v", all4)
			}
			sentinel := 65535.0 // lost in version 4: the all-ones value of the width
			if all["struct_format"] == "IB" {
				sentinel = 255
			}
			samePairs(t, "v4 dump", d4.Records, want, sentinel)
			db, _ := dumpJSONOf(t, back)
			samePairs(t, "round trip", db.Records, want, -1)
			if out, errs, code := runPinglogCmd(t, "pinglog", "info", v4); code != 0 || !strings.Contains(out, "number_of_records: ") {
				t.Fatalf("info: exit %d: %s%s", code, out, errs)
			}
			for _, p := range []string{path, v4} {
				if out, errs, code := runPinglogCmd(t, "pinglog", "check", p); code != 0 || !strings.Contains(out, ": ok, version ") {
					t.Fatalf("check %s: exit %d: %s%s", p, code, out, errs)
				}
			}
		})
	}
}

func itoa(i int) string { return string(rune('0' + i)) }

func TestPinglogFormatsAndErrors(t *testing.T) {
	dir, _ := loadPingManifest(t)
	path := filepath.Join(dir, "pv3_05_rolled_by_one.ping")
	text, _, code := runPinglogCmd(t, "pinglog", "dump", path)
	if code != 0 || !strings.HasPrefix(text, "1600040001 4990\n") || strings.Count(text, "\n") != 50 {
		t.Fatalf("text dump: exit %d, %q", code, text[:min(len(text), 80)])
	}
	csv, _, code := runPinglogCmd(t, "pinglog", "dump", "--format=csv", path)
	if code != 0 || !strings.HasPrefix(csv, "timestamp,value\n1600040001,4990\n") {
		t.Fatalf("csv dump: exit %d, %q", code, csv[:min(len(csv), 80)])
	}
	bad := filepath.Join(t.TempDir(), "bad.ping")
	os.WriteFile(bad, []byte("PONG\x03"), 0o644)
	if _, errs, code := runPinglogCmd(t, "pinglog", "info", bad); code != 1 || !strings.Contains(errs, "bad.ping") || !strings.Contains(errs, "magic") {
		t.Fatalf("bad magic: exit %d, %q", code, errs)
	}
	if _, _, code := runPinglogCmd(t, "pinglog", "dump", "--format=xml", path); code != 2 {
		t.Fatalf("bad format: exit %d, want 2", code)
	}
	if out, _, code := runPinglogCmd(t, "pinglog", "--help"); code != 0 || !strings.Contains(out, "export") {
		t.Fatalf("help: exit %d", code)
	}
}

// TestPinglogResize shrinks a rolled-over version-3 log and keeps the
// newest records in order.
func TestPinglogResize(t *testing.T) {
	dir, _ := loadPingManifest(t)
	src, _ := os.ReadFile(filepath.Join(dir, "pv3_03_rolled.ping"))
	path := filepath.Join(t.TempDir(), "r.ping")
	os.WriteFile(path, src, 0o644)
	before, _ := dumpJSONOf(t, path)
	if _, errs, code := runPinglogCmd(t, "pinglog", "resize", "--max-records", "50", path); code != 0 {
		t.Fatalf("resize: %d %s", code, errs)
	}
	after, all := dumpJSONOf(t, path)
	if all["offset"] != 24.0 || len(after.Records) != 50 {
		t.Fatalf("after resize: offset %v, %d records", all["offset"], len(after.Records))
	}
	for i, r := range after.Records {
		if *r[0] != *before.Records[150+i][0] || *r[1] != *before.Records[150+i][1] {
			t.Fatalf("record %d = %v, want %v", i, r, before.Records[150+i])
		}
	}
}

// TestPinglogExportWhisper exports a version-3 log into whisper and reads
// it back with the whisper package: every non-timeout record appears as
// its latency in milliseconds.
func TestPinglogExportWhisper(t *testing.T) {
	dir, _ := loadPingManifest(t)
	path := filepath.Join(dir, "pv3_01_partial_default_max.ping")
	d, _ := dumpJSONOf(t, path)
	last := int64(*d.Records[len(d.Records)-1][0])
	wsp := filepath.Join(t.TempDir(), "lat.wsp")
	out, errs, code := runPinglogCmd(t, "pinglog", "export", "--retention", "1s:1000", "--now", itoa64(last+1), path, wsp)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "exported ") {
		t.Fatalf("export output %q", out)
	}
	w, err := whisper.Open(wsp, &whisper.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	first := int64(*d.Records[0][0])
	s, err := w.Fetch(first-1, last, last+1, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]float64{}
	for i := 0; i < s.Len(); i++ {
		if ts, v, ok := s.At(i); ok {
			got[ts] = v
		}
	}
	n := 0
	for _, r := range d.Records {
		ts := int64(*r[0])
		if *r[1] == 65535 {
			if _, ok := got[ts]; ok {
				t.Fatalf("timeout at %d exported as a value", ts)
			}
			continue
		}
		want := *r[1] * (1000.0 / 65534)
		if v, ok := got[ts]; !ok || math.Abs(v-want) > 1e-9 {
			t.Fatalf("whisper at %d = %v (%v), want %v", ts, v, ok, want)
		}
		n++
	}
	if n < 400 {
		t.Fatalf("only %d values checked", n)
	}
}

func itoa64(v int64) string {
	b, _ := json.Marshal(v)
	return string(b)
}
