package cli

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"ringvault/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite testdata/whisper/golden from the python scripts")

// testNow is the fixed clock of the whisper CLI tests; the fixtures in
// testdata/whisper/fixtures were written with it (mkfixtures.py).
const testNow = 1700000000

// wcase is one command line run through python's script and ringvault.
type wcase struct {
	name   string
	script string   // peer name: whisper-fetch, find-corrupt-whisper-files
	args   []string // relative paths refer to the fixtures
	stdin  string
	// traceback: python dies with a traceback (status 1); ringvault must
	// exit 1 too, with a one-line "[ERROR] ..." instead.
	traceback bool
	// filesDiffer explains a deliberate difference in the files left
	// behind (python leaves a broken file); files are then not compared.
	filesDiffer string
	// noPython: python 1.1.4 behaves differently on purpose (master's
	// behaviour is implemented); only the golden file is checked.
	noPython string
	// setup prepares extra files in the run's folder.
	setup func(dir string)
}

// result is what one run produced.
type result struct {
	code           int
	stdout, stderr string
	files          map[string]string // name -> sha256 of the bytes left in the folder
}

func fixtureDir(t testing.TB) string {
	t.Helper()
	return filepath.Join(testutil.RepoRoot(), "internal", "cli", "testdata", "whisper", "fixtures")
}

// copyFixtures copies every fixture into a new temporary folder.
func copyFixtures(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	src := fixtureDir(t)
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(filepath.Join(dst, "sub"), 0o755)
	os.WriteFile(filepath.Join(dst, "sub", "notwsp.txt"), []byte("x"), 0o644)
	if b, err := os.ReadFile(filepath.Join(src, "badagg.wsp")); err == nil {
		os.WriteFile(filepath.Join(dst, "sub", "bad.wsp"), b, 0o644)
	}
	return dst
}

func hashFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Error(err)
		}
		rel, _ := filepath.Rel(dir, p)
		sum := sha256.Sum256(b)
		m[rel] = hex.EncodeToString(sum[:8])
		return nil
	})
	return m
}

// runRingvault runs the case in-process, as the binary invoked through a
// link named c.script, in dir, with the clock at testNow.
func runRingvault(t *testing.T, dir string, c wcase) result {
	t.Helper()
	t.Chdir(dir)
	var out, errb bytes.Buffer
	env := &Env{
		Stdin:      strings.NewReader(c.stdin),
		Stdout:     &out,
		Stderr:     &errb,
		Now:        func() time.Time { return time.Unix(testNow, 0) },
		Getenv:     func(string) string { return "" },
		IsTerminal: func(io.Writer) bool { return false },
	}
	code := Main(env, append([]string{"/usr/local/bin/" + c.script}, c.args...))
	return result{code: code, stdout: normDir(out.String(), dir), stderr: normDir(errb.String(), dir), files: hashFiles(t, dir)}
}

// normDir replaces the run's folder in outputs (find-corrupt prints
// absolute paths).
func normDir(s, dir string) string {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		s = strings.ReplaceAll(s, real, "$WORK")
	}
	return strings.ReplaceAll(s, dir, "$WORK")
}

// pyServer runs Debian's python scripts for the tests: one python process
// that executes each script with runpy (a fresh __main__ every time, the
// whisper module imported once), with time.time() fixed at testNow,
// stdin, stdout and stderr redirected and the working folder set per run.
// An uncaught exception prints its traceback and gives status 1, a
// SystemExit its message and code, as the interpreter does.
const pyServer = `import contextlib, io, json, os, runpy, sys, time, traceback
NOW = float(sys.argv[1])
time.time = lambda: NOW
import whisper
for line in sys.stdin:
    req = json.loads(line)
    os.chdir(req['dir'])
    out, err = io.StringIO(), io.StringIO()
    code = 0
    sys.argv = [req['script']] + req['args']
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(req['stdin'])
    whisper.LOCK = False
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            runpy.run_path(req['script'], run_name='__main__')
        except SystemExit as e:
            if e.code is None:
                code = 0
            elif isinstance(e.code, int):
                code = e.code
            else:
                print(e.code, file=sys.stderr)
                code = 1
        except BaseException:
            traceback.print_exc()
            code = 1
    sys.stdin = old_stdin
    sys.__stdout__.write(json.dumps({'code': code, 'stdout': out.getvalue(), 'stderr': err.getvalue()}) + '\n')
    sys.__stdout__.flush()
`

// pyRunner talks to one pyServer process.
type pyRunner struct {
	mu  sync.Mutex
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func startPython(t *testing.T, py string) *pyRunner {
	t.Helper()
	cmd := exec.Command(py, "-c", pyServer, fmt.Sprint(testNow))
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COLUMNS=") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	outp, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &pyRunner{cmd: cmd, in: in, out: bufio.NewReaderSize(outp, 1<<20)}
	t.Cleanup(func() { in.Close(); cmd.Wait() })
	return r
}

func (p *pyRunner) run(t *testing.T, dir string, c wcase) result {
	p.mu.Lock()
	defer p.mu.Unlock()
	req, _ := json.Marshal(map[string]any{"dir": dir, "script": "/usr/bin/" + c.script, "args": append([]string{}, c.args...), "stdin": c.stdin})
	if _, err := p.in.Write(append(req, '\n')); err != nil {
		t.Errorf("python: %v", err)
		return result{}
	}
	line, err := p.out.ReadBytes('\n')
	if err != nil {
		t.Errorf("python: %v", err)
		return result{}
	}
	var r struct {
		Code           int
		Stdout, Stderr string
	}
	if err := json.Unmarshal(line, &r); err != nil {
		t.Errorf("python: %v: %s", err, line)
	}
	return result{code: r.Code, stdout: normDir(r.Stdout, dir), stderr: normDir(r.Stderr, dir), files: hashFiles(t, dir)}
}

func (r result) golden() string {
	var b strings.Builder
	fmt.Fprintf(&b, "exit %d\n-- stdout --\n%s-- stderr --\n%s-- files --\n", r.code, r.stdout, r.stderr)
	names := make([]string, 0, len(r.files))
	for n := range r.files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "%s %s\n", n, r.files[n])
	}
	return b.String()
}

// compareResults checks ringvault's result against python's (or the
// golden file's) under the case's rules.
func compareResults(t *testing.T, c wcase, want, got result, what string) {
	t.Helper()
	if got.code != want.code {
		t.Errorf("%s: exit %d, %s exit %d\nstdout:\n%s\nstderr:\n%s", c.name, got.code, what, want.code, got.stdout, got.stderr)
	}
	if c.traceback {
		if !strings.HasPrefix(got.stderr, "[ERROR] ") || strings.Count(got.stderr, "\n") != 1 {
			t.Errorf("%s: where python prints a traceback ringvault should print one [ERROR] line, got %q", c.name, got.stderr)
		}
		if !strings.HasPrefix(want.stdout, got.stdout) {
			t.Errorf("%s: stdout is not a prefix of %s's:\n%s", c.name, what, diffText(want.stdout, got.stdout))
		}
	} else {
		if got.stdout != want.stdout {
			t.Errorf("%s: stdout differs from %s's:\n%s", c.name, what, diffText(want.stdout, got.stdout))
		}
		if got.stderr != want.stderr {
			t.Errorf("%s: stderr differs from %s's:\n%s", c.name, what, diffText(want.stderr, got.stderr))
		}
	}
	if c.filesDiffer == "" && fmt.Sprint(got.files) != fmt.Sprint(want.files) {
		t.Errorf("%s: files differ from %s's:\n got  %v\n want %v", c.name, what, got.files, want.files)
	}
}

// diffText shows the first differing line of two texts.
func diffText(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n want %q\n got  %q", i+1, w, g)
		}
	}
	return "(same lines)"
}

func parseGolden(t *testing.T, s string) result {
	t.Helper()
	var r result
	head, rest, _ := strings.Cut(s, "\n-- stdout --\n")
	fmt.Sscanf(head, "exit %d", &r.code)
	r.stdout, rest, _ = strings.Cut(rest, "-- stderr --\n")
	r.stderr, rest, _ = strings.Cut(rest, "-- files --\n")
	r.files = map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(rest), "\n") {
		if n, h, ok := strings.Cut(l, " "); ok {
			r.files[n] = h
		}
	}
	return r
}

// TestWhisperScriptsMatchPython runs every case through Debian's python
// script (live, with its clock fixed) and through ringvault, and compares
// stdout, stderr, exit status and the bytes of every file left behind. The
// python results are also kept as golden files, so the comparison runs
// without python too.
func TestWhisperScriptsMatchPython(t *testing.T) {
	cases := whisperCases()
	// Python's results, computed up front in parallel (each run in its own
	// folder, python needs no chdir of this process). With -short the
	// golden files stand in for python.
	pyResults := make([]*result, len(cases))
	if !testing.Short() || *update {
		runners := []*pyRunner{startPython(t, testutil.Python(t, "whisper")), startPython(t, testutil.Python(t, "whisper"))}
		var wg sync.WaitGroup
		sel := selectedCases()
		for i, c := range cases {
			if c.noPython != "" || !sel(c.name) {
				continue
			}
			dir := copyFixtures(t)
			if c.setup != nil {
				c.setup(dir)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := runners[i%len(runners)].run(t, dir, c)
				pyResults[i] = &r
			}()
		}
		wg.Wait()
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			goldenPath := filepath.Join(testutil.RepoRoot(), "internal", "cli", "testdata", "whisper", "golden", c.name+".txt")
			dir := copyFixtures(t)
			if c.setup != nil {
				c.setup(dir)
			}
			got := runRingvault(t, dir, c)
			if want := pyResults[i]; want != nil {
				compareResults(t, c, *want, got, "python")
				if *update {
					writeGolden(t, goldenPath, *want)
				}
			} else if *update {
				writeGolden(t, goldenPath, got)
			}
			b, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("golden file missing (go test -run TestWhisperScriptsMatchPython -update): %v", err)
			}
			compareResults(t, c, parseGolden(t, string(b)), got, "golden")
		})
	}
}

// selectedCases matches case names against the subtest part of -run, so
// that a filtered run does not start python for every case.
func selectedCases() func(string) bool {
	all := func(string) bool { return true }
	f := flag.Lookup("test.run")
	if f == nil {
		return all
	}
	_, sub, ok := strings.Cut(f.Value.String(), "/")
	if !ok {
		return all
	}
	re, err := regexp.Compile(sub)
	if err != nil {
		return all
	}
	return re.MatchString
}

func writeGolden(t *testing.T, path string, r result) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(r.golden()), 0o644); err != nil {
		t.Fatal(err)
	}
}
