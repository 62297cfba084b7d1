package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ringvault/internal/testutil"
)

type blpkManifest struct {
	InfoOutputs []struct {
		File     string `json:"file"`
		Of       string `json:"of"`
		Command  string `json:"command"`
		ExitCode int    `json:"exit_code"`
		Stderr   string `json:"stderr"`
	} `json:"info_outputs"`
	Errors []struct {
		Name string `json:"name"`
		File string `json:"file"`
		CLI  []struct {
			Command   string           `json:"command"`
			ExitCode  int              `json:"exit_code"`
			Stdout    *string          `json:"stdout"`
			Traceback string           `json:"stderr_traceback_last_line"`
			Left      map[string]int64 `json:"output_files_left_behind"`
		} `json:"cli"`
		Library []struct {
			Raises struct {
				Message string `json:"message"`
			} `json:"raises"`
		} `json:"library"`
	} `json:"errors"`
}

func loadBlpkManifest(t *testing.T) (string, *blpkManifest) {
	var m blpkManifest
	dir := testutil.SharedManifest(t, "bloscpack", &m)
	if len(m.InfoOutputs) == 0 || len(m.Errors) == 0 {
		t.Fatal("manifest without info_outputs or errors")
	}
	return dir, &m
}

// TestBlpkInfoShared: "blpk info" prints byte for byte what bloscpack 0.16
// printed for the shared files (info/*.info.txt).
func TestBlpkInfoShared(t *testing.T) {
	dir, m := loadBlpkManifest(t)
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	for _, io := range m.InfoOutputs {
		t.Run(io.Of, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, io.File))
			if err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runBlpkIn(t, dir, strings.Fields(io.Command)[1:]...)
			if code != io.ExitCode || stdout != string(want) || stderr != io.Stderr {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nwant:\n%s\nstderr: %q", code, io.ExitCode, stdout, want, stderr)
			}
		})
	}
}

// TestBlpkErrorsShared runs the manifest's commands on the damaged files:
// the original's exit code, its stdout where it printed one, the message it
// meant to print where it died with a traceback, and the same output files
// left behind.
func TestBlpkErrorsShared(t *testing.T) {
	dir, m := loadBlpkManifest(t)
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	for _, e := range m.Errors {
		for _, c := range e.CLI {
			t.Run(e.Name+"/"+c.Command, func(t *testing.T) {
				// a scratch copy of errors/ and inputs/, so that commands
				// that write do so there
				tmp := t.TempDir()
				for _, sub := range []string{"errors", "inputs"} {
					os.Mkdir(filepath.Join(tmp, sub), 0o755)
					names, _ := filepath.Glob(filepath.Join(dir, sub, "*"))
					for _, n := range names {
						b, _ := os.ReadFile(n)
						os.WriteFile(filepath.Join(tmp, sub, filepath.Base(n)), b, 0o644)
					}
				}
				work := filepath.Join(tmp, "errors")
				code, stdout, _ := runBlpkIn(t, work, strings.Fields(c.Command)[1:]...)
				if code != c.ExitCode {
					t.Errorf("exit %d, want %d (stdout %q)", code, c.ExitCode, stdout)
				}
				switch {
				case c.Traceback == "" && c.Stdout != nil:
					if stdout != *c.Stdout {
						t.Errorf("stdout\n%s\nwant\n%s", stdout, *c.Stdout)
					}
				case c.Traceback != "" && !strings.HasPrefix(c.Traceback, "blosc_extension"):
					msg := c.Traceback[strings.Index(c.Traceback, ": ")+2:]
					if len(e.Library) > 0 {
						msg = e.Library[0].Raises.Message // AttributeError hid it
					}
					want := "blpk: error: " + msg + "\n"
					if !strings.HasPrefix(stdout, want) {
						t.Errorf("stdout\n%s\nwant the intended message\n%s", stdout, want)
					}
				default: // the message was blosc's or the exception had none
					if !strings.HasPrefix(stdout, "blpk: error: ") {
						t.Errorf("stdout %q: want a blpk: error: message", stdout)
					}
				}
				for name, size := range c.Left {
					st, err := os.Stat(filepath.Join(work, name))
					if err != nil || st.Size() != size {
						t.Errorf("%s left behind: %v %v, want %d bytes", name, st, err, size)
					}
				}
			})
		}
	}
}
