package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

func init() {
	Register(&Tool{
		Name:    "install-links",
		Summary: "create links named like the peer tools (whisper-fetch, blpk, ...) in DIR",
		Run:     runInstallLinks,
	})
}

func runInstallLinks(env *Env, args []string) int {
	force := false
	var dir string
	for _, a := range args {
		switch a {
		case "-h", "--help":
			fmt.Fprintln(env.Stdout, "Usage: ringvault install-links [--force] DIR")
			fmt.Fprintln(env.Stdout)
			fmt.Fprintln(env.Stdout, "Creates in DIR a symbolic link to this binary for every peer tool ringvault")
			fmt.Fprintln(env.Stdout, "replaces, so existing scripts calling whisper-fetch, blpk, ... run ringvault.")
			fmt.Fprintln(env.Stdout)
			fmt.Fprintln(env.Stdout, "  --force   replace existing files of the same names")
			return 0
		case "--force", "-f":
			force = true
		default:
			if dir != "" {
				fmt.Fprintln(env.Stderr, "ringvault install-links: give exactly one DIR")
				return 2
			}
			dir = a
		}
	}
	if dir == "" {
		fmt.Fprintln(env.Stderr, "ringvault install-links: missing DIR (for example: ringvault install-links ~/.local/bin)")
		return 2
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(env.Stderr, "ringvault install-links: cannot find this binary: %v\n", err)
		return 1
	}
	if self, err = filepath.EvalSymlinks(self); err != nil {
		fmt.Fprintf(env.Stderr, "ringvault install-links: %v\n", err)
		return 1
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(env.Stderr, "ringvault install-links: %v\n", err)
		return 1
	}
	for _, name := range LinkNames() {
		p := filepath.Join(dir, name)
		if force {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintf(env.Stderr, "ringvault install-links: %v\n", err)
				return 1
			}
		}
		if err := os.Symlink(self, p); err != nil {
			if errors.Is(err, fs.ErrExist) {
				fmt.Fprintf(env.Stderr, "ringvault install-links: %s already exists (use --force to replace it)\n", p)
			} else {
				fmt.Fprintf(env.Stderr, "ringvault install-links: %v\n", err)
			}
			return 1
		}
		fmt.Fprintf(env.Stdout, "%s -> %s\n", p, self)
	}
	return 0
}
