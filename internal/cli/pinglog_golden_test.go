package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPinglogGolden compares `pinglog info` and `pinglog dump` (text) of
// every shared file with testdata/pinglog/*.txt; go test -update rewrites
// them (review the diff: the records also come from the manifest tests).
func TestPinglogGolden(t *testing.T) {
	dir, m := loadPingManifest(t)
	for _, f := range m.Files {
		for _, cmd := range []string{"info", "dump"} {
			path := filepath.Join(dir, f.File)
			out, errs, code := runPinglogCmd(t, "pinglog", cmd, path)
			if code != 0 {
				t.Fatalf("%s %s: exit %d: %s", cmd, f.File, code, errs)
			}
			out = strings.ReplaceAll(out, dir+string(os.PathSeparator), "")
			golden := filepath.Join("testdata", "pinglog", strings.TrimSuffix(f.File, ".ping")+"."+cmd+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if out != string(want) {
				t.Fatalf("%s %s differs from %s:\n%s", cmd, f.File, golden, out[:min(len(out), 400)])
			}
		}
	}
}
