package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/term"

	"ringvault/internal/pyopt"
	"ringvault/whisper"
)

// whisperTool is one of Debian python3-whisper 1.1.4's scripts, reachable
// as "ringvault whisper NAME" and through a link named Peer.
type whisperTool struct {
	Name    string // "fetch"
	Peer    string // "whisper-fetch"
	Summary string
	Run     func(c *wctx, args []string) int
}

var whisperTools []*whisperTool

func registerWhisper(t *whisperTool) {
	whisperTools = append(whisperTools, t)
	RegisterLink(&Tool{Name: t.Peer, Summary: t.Summary, Run: func(env *Env, args []string) int {
		return t.Run(&wctx{env: env, prog: t.Peer}, args)
	}})
}

func init() {
	Register(&Tool{
		Name:    "whisper",
		Summary: "Graphite Whisper (.wsp) tools: create, update, fetch, info, dump, resize, merge, fill, diff, ...",
		Run:     runWhisper,
	})
}

func runWhisper(env *Env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := env.Stdout
		code := 0
		if len(args) == 0 {
			w, code = env.Stderr, 2
		}
		if len(args) > 1 {
			if t := findWhisperTool(args[1]); t != nil {
				return t.Run(&wctx{env: env, prog: "ringvault whisper " + t.Name, native: true}, []string{"--help"})
			}
		}
		whisperUsage(w)
		return code
	}
	t := findWhisperTool(args[0])
	if t == nil {
		fmt.Fprintf(env.Stderr, "ringvault whisper: unknown subcommand %q\nRun 'ringvault whisper help' for the list.\n", args[0])
		return 2
	}
	return t.Run(&wctx{env: env, prog: "ringvault whisper " + t.Name, native: true}, args[1:])
}

func findWhisperTool(name string) *whisperTool {
	for _, t := range whisperTools {
		if t.Name == name || t.Peer == name {
			return t
		}
	}
	return nil
}

func whisperUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: ringvault whisper SUBCOMMAND [options] ARGS...")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Drop-in replacements for python3-whisper 1.1.4's scripts: same arguments, options,")
	fmt.Fprintln(w, "output, error messages and exit codes. Through a link named like the script")
	fmt.Fprintln(w, "(ringvault install-links DIR) the binary behaves exactly as that script.")
	fmt.Fprintln(w, "Every time-dependent subcommand also takes --now=EPOCH (default: the clock).")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Subcommands:")
	for _, t := range whisperTools {
		fmt.Fprintf(w, "  %-24s %s (%s)\n", t.Name, t.Summary, t.Peer)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "ringvault whisper SUBCOMMAND --help shows a subcommand's options.")
}

// wctx is what a whisper subcommand runs with.
type wctx struct {
	env    *Env
	prog   string // program name in usage and error texts
	native bool   // run as "ringvault whisper X": help shows ringvault's extra options
}

func (c *wctx) columns() int {
	if c.env.Getenv == nil {
		return 0
	}
	n, err := strconv.Atoi(c.env.Getenv("COLUMNS"))
	if err != nil {
		return 0
	}
	return n
}

// argparseColumns is the width argparse formats for: $COLUMNS, else the
// width of the terminal on stdout (shutil.get_terminal_size), else 80.
func (c *wctx) argparseColumns() int {
	if n := c.columns(); n > 0 {
		return n
	}
	if f, ok := c.env.Stdout.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 0
}

// parser returns an optparse parser for the tool. Options marked as
// extensions (ext) are accepted either way but listed in --help only when
// run as "ringvault whisper X", so the peer-named links print the exact
// 1.1.4 help.
func (c *wctx) parser(usage, description string, opts []*pyopt.Option, ext []*pyopt.Option) *pyopt.OptionParser {
	for _, o := range ext {
		o.Hidden = !c.native
		o.Exact = true
	}
	return &pyopt.OptionParser{Prog: c.prog, Usage: usage, Description: description, Options: append(opts, ext...), Columns: c.columns()}
}

// exit writes what a parser's early exit prints and returns its status.
func (c *wctx) exit(ex *pyopt.Exit) int {
	io.WriteString(c.env.Stdout, ex.Stdout)
	io.WriteString(c.env.Stderr, ex.Stderr)
	return ex.Code
}

// fail is python's raise SystemExit(msg): msg on stderr, status 1.
func (c *wctx) fail(msg string) int {
	fmt.Fprintln(c.env.Stderr, msg)
	return 1
}

// failErr prints "[ERROR] <python's text>" for err, exit status 1. Where
// python would crash with a traceback (status 1 as well) the same short
// form is printed.
func (c *wctx) failErr(err error) int {
	return c.fail("[ERROR] " + pyErrText(err))
}

func (c *wctx) printf(format string, args ...any) {
	fmt.Fprintf(c.env.Stdout, format, args...)
}

// nowOption is ringvault's --now=EPOCH.
func nowOption() *pyopt.Option {
	return &pyopt.Option{Long: "--now", Type: pyopt.Int, Metavar: "EPOCH",
		Help: "Unix epoch time to use as now (default: the clock); ringvault extension"}
}

// now returns --now or the clock.
func (c *wctx) now(vals *pyopt.Values) int64 {
	if n, ok := vals.Int("now"); ok {
		return n
	}
	return c.env.Now().Unix()
}

// pyErrText is python's str(exc) for err: whisper's exception texts, and
// OSError's "[Errno 2] No such file or directory: 'x'".
func pyErrText(err error) string {
	// A corruption python cannot see (a file cut after its header) has no
	// python text: say what is wrong in full.
	var ce *whisper.CorruptError
	if errors.As(err, &ce) && !strings.HasPrefix(ce.Msg, "Unable to read") {
		return ce.Error()
	}
	if _, msg, ok := whisper.PythonMessage(err); ok {
		return msg
	}
	return pyOSErrorText(err)
}

// pyOSErrorText formats an OS error as python's OSError str().
func pyOSErrorText(err error) string {
	var pe *fs.PathError
	var errno syscall.Errno
	if errors.As(err, &pe) && errors.As(pe.Err, &errno) {
		return fmt.Sprintf("[Errno %d] %s: %s", int(errno), strerror(errno), pyopt.Repr(pe.Path))
	}
	if errors.As(err, &errno) {
		return fmt.Sprintf("[Errno %d] %s", int(errno), strerror(errno))
	}
	return err.Error()
}

// strerror is glibc's message for errno (Go's, capitalized).
func strerror(e syscall.Errno) string {
	s := e.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// isNotExist reports whether err means the file is missing.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
