package cli

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"ringvault/internal/pyfmt"
	"ringvault/internal/testutil"
)

type sharedFetch struct {
	Label string `json:"label"`
	File  string `json:"file"`
	Args  struct {
		From   int64   `json:"fromTime"`
		Until  *int64  `json:"untilTime"`
		Now    int64   `json:"now"`
		Select *string `json:"archiveToSelect"`
	} `json:"args"`
	Raises *struct {
		Exception string `json:"exception"`
		Message   string `json:"message"`
	} `json:"raises"`
	Result *struct {
		TimeInfo [3]int64          `json:"timeInfo"`
		Values   []json.RawMessage `json:"values"`
	} `json:"result"`
}

// expectedFetchOutput renders a MANIFEST fetch result the way whisper-fetch
// prints it: stdout, stderr and exit status.
func expectedFetchOutput(t *testing.T, f sharedFetch) (string, string, int) {
	t.Helper()
	if f.Raises != nil {
		return "", "[ERROR] " + f.Raises.Message + "\n", 1
	}
	if f.Result == nil {
		return "", "No data in selected timerange\n", 1
	}
	var b strings.Builder
	ts := f.Result.TimeInfo[0]
	for _, raw := range f.Result.Values {
		s := string(raw)
		var v float64
		switch s {
		case "null":
			fmt.Fprintf(&b, "%d\tNone\n", ts)
			ts += f.Result.TimeInfo[2]
			continue
		case `"nan"`:
			v = math.NaN()
		case `"inf"`:
			v = math.Inf(1)
		case `"-inf"`:
			v = math.Inf(-1)
		default:
			var err error
			if v, err = strconv.ParseFloat(s, 64); err != nil {
				t.Fatalf("%s: value %s: %v", f.Label, s, err)
			}
		}
		fmt.Fprintf(&b, "%d\t%s\n", ts, pyfmt.FormatF(v, 6))
		ts += f.Result.TimeInfo[2]
	}
	return b.String(), "", 0
}

// TestWhisperSharedFiles runs whisper-info, whisper-info --json and
// whisper-dump on every file of the shared test set through python and
// ringvault, and every recorded fetch (MANIFEST's expected results, with
// --now) through ringvault's whisper-fetch.
func TestWhisperSharedFiles(t *testing.T) {
	dir := testutil.Shared(t, "whisper")
	var manifest struct {
		Files []struct {
			File         string   `json:"file"`
			ExpectedJSON string   `json:"expected_json"`
			Snapshots    []string `json:"snapshots"`
		} `json:"files"`
	}
	testutil.ReadJSON(t, filepath.Join(dir, "MANIFEST.json"), &manifest)
	var cases []wcase
	for _, mf := range manifest.Files {
		for _, f := range append([]string{mf.File}, mf.Snapshots...) {
			for _, args := range [][]string{{"whisper-info", f}, {"whisper-info", "--json", f}, {"whisper-dump", f}} {
				cases = append(cases, wcase{name: strings.Join(args, " "), script: args[0], args: args[1:]})
			}
		}
	}
	want := make([]result, len(cases))
	if !testing.Short() {
		runners := []*pyRunner{startPython(t, testutil.Python(t, "whisper")), startPython(t, testutil.Python(t, "whisper"))}
		var wg sync.WaitGroup
		for i, c := range cases {
			wg.Add(1)
			go func() {
				defer wg.Done()
				want[i] = runners[i%len(runners)].run(t, dir, c)
			}()
		}
		wg.Wait()
	}
	for i, c := range cases {
		got := runRingvault(t, dir, c)
		if testing.Short() {
			if got.code != 0 || got.stderr != "" {
				t.Errorf("%s: exit %d %s", c.name, got.code, got.stderr)
			}
			continue
		}
		compareResults(t, c, want[i], got, "python")
	}
	fetches := 0
	for _, mf := range manifest.Files {
		if mf.ExpectedJSON == "" {
			continue
		}
		var exp struct {
			Fetches []sharedFetch `json:"fetches"`
		}
		b, err := os.ReadFile(filepath.Join(dir, mf.ExpectedJSON))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &exp); err != nil {
			t.Fatal(err)
		}
		for _, f := range exp.Fetches {
			if f.Args.Select != nil {
				continue // whisper-fetch has no archiveToSelect
			}
			file := f.File
			if file == "" {
				file = mf.File
			}
			wantOut, wantErr, wantCode := expectedFetchOutput(t, f)
			args := []string{"whisper-fetch", "--now=" + fmt.Sprint(f.Args.Now), "--from=" + fmt.Sprint(f.Args.From)}
			if f.Args.Until != nil {
				args = append(args, "--until="+fmt.Sprint(*f.Args.Until))
			}
			out, errOut, code := runNative(t, dir, "", append(args, file)...)
			if out != wantOut || errOut != wantErr || code != wantCode {
				t.Errorf("%s %s: exit %d, want %d\n%s\nstderr %q want %q", file, f.Label, code, wantCode, diffText(wantOut, out), errOut, wantErr)
			}
			fetches++
		}
	}
	if fetches == 0 {
		t.Fatal("no fetches checked")
	}
	t.Logf("%d files, %d fetches checked", len(manifest.Files), fetches)
}
