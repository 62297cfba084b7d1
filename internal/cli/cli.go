// Package cli holds ringvault's command line: one file per tool family
// (whisper-*, blpk, ping, pinglog, vault, serve). Each family registers
// itself from an init function, with the subcommand it answers to under
// "ringvault" and the peer-tool names it answers to when the binary is
// invoked through a link (whisper-fetch, blpk, ...).
//
// Commands never touch os.Stdout, os.Exit or the clock directly: they get an
// Env, so tests run them in-process and compare their output byte for byte
// with the peer tools'.
package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Env is what a command may use of the outside world.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Now is the clock; tests fix it. Commands that take --now use it as
	// the default.
	Now func() time.Time
	// Getenv reads environment variables (passwords, config paths).
	Getenv func(string) string
	// IsTerminal reports whether the writer is an interactive terminal, so
	// progress bars and prompts appear only where a person sees them.
	IsTerminal func(w io.Writer) bool
}

// OSEnv returns the Env of the running process.
func OSEnv() *Env {
	return &Env{
		Stdin:      os.Stdin,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		Now:        time.Now,
		Getenv:     os.Getenv,
		IsTerminal: isTerminal,
	}
}

// Tool is one command a family provides: a "ringvault" subcommand or a peer
// tool reachable through a link.
type Tool struct {
	// Name is the subcommand ("whisper", "blpk", "serve") or, for links,
	// the peer tool's name ("whisper-fetch").
	Name string
	// Summary is one line for "ringvault help".
	Summary string
	// Run executes the tool with the arguments after its name and returns
	// the process exit code.
	Run func(env *Env, args []string) int
}

var (
	commands = map[string]*Tool{}
	links    = map[string]*Tool{}
)

// Register adds a ringvault subcommand. It panics on a duplicate name, which
// is a programming error found by any test.
func Register(t *Tool) {
	if _, dup := commands[t.Name]; dup {
		panic("cli: duplicate command " + t.Name)
	}
	commands[t.Name] = t
}

// RegisterLink adds a peer-tool name that runs t when the binary is invoked
// under that name (and that "ringvault install-links" creates).
func RegisterLink(t *Tool) {
	if _, dup := links[t.Name]; dup {
		panic("cli: duplicate link " + t.Name)
	}
	links[t.Name] = t
}

// LinkNames returns the names install-links creates, sorted.
func LinkNames() []string {
	names := make([]string, 0, len(links))
	for n := range links {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Main runs the binary: argv[0] chooses a linked peer tool, otherwise
// argv[1] is a ringvault subcommand.
func Main(env *Env, argv []string) int {
	if len(argv) > 0 {
		base := filepath.Base(argv[0])
		base = strings.TrimSuffix(base, ".py")
		if t, ok := links[base]; ok {
			return t.Run(env, argv[1:])
		}
	}
	return Run(env, argv[min(1, len(argv)):])
}

// Run runs "ringvault ARGS...".
func Run(env *Env, args []string) int {
	if len(args) == 0 {
		usage(env.Stderr)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "help":
		if len(args) > 1 {
			if t, ok := commands[args[1]]; ok {
				return t.Run(env, []string{"--help"})
			}
		}
		usage(env.Stdout)
		return 0
	case "version", "--version":
		fmt.Fprintf(env.Stdout, "ringvault %s\n", Version)
		return 0
	}
	if t, ok := commands[args[0]]; ok {
		return t.Run(env, args[1:])
	}
	if t, ok := links[args[0]]; ok { // "ringvault whisper-fetch ..." works too
		return t.Run(env, args[1:])
	}
	fmt.Fprintf(env.Stderr, "ringvault: unknown command %q\nRun 'ringvault help' for the list of commands.\n", args[0])
	return 2
}

// Version is the ringvault release, printed by "ringvault version".
var Version = "0.1.0-dev"

func usage(w io.Writer) {
	fmt.Fprintln(w, "ringvault stores measurements compactly, safely and fast, in the formats existing tools use.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: ringvault COMMAND [ARGS...]   (ringvault help COMMAND for its options)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-15s %s\n", n, commands[n].Summary)
	}
	fmt.Fprintf(w, "  %-15s %s\n", "version", "print the version")
	if len(links) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Invoked through a link named like one of these peer tools, ringvault behaves as that tool:")
		fmt.Fprintf(w, "  %s\n", strings.Join(LinkNames(), " "))
	}
}
