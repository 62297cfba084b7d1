package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"ringvault/internal/pyopt"
	"ringvault/whisper"
)

func init() {
	RegisterLink(&Tool{Name: "find-corrupt-whisper-files", Summary: "find (and delete) .wsp files with a corrupt header", Run: func(env *Env, args []string) int {
		return findCorrupt(&wctx{env: env, prog: "find-corrupt-whisper-files"}, args)
	}})
	whisperTools = append(whisperTools, &whisperTool{Name: "find-corrupt", Peer: "find-corrupt-whisper-files", Summary: "find (and delete) corrupt .wsp files", Run: findCorrupt})
}

func findCorrupt(c *wctx, args []string) int {
	p := &pyopt.ArgumentParser{Prog: c.prog, Description: "Find and (optionally) delete corrupt Whisper data files", Columns: c.argparseColumns(), Arguments: []*pyopt.Argument{
		{Flags: []string{"--delete-corrupt"}, Action: pyopt.StoreTrue, Help: "Delete reported files"},
		{Flags: []string{"--verbose"}, Action: pyopt.StoreTrue, Help: "Display progress info"},
		{Dest: "directories", Metavar: "WHISPER_DIR", Nargs: "+", Help: "Directory containing Whisper files"},
	}}
	vals, ex := p.Parse(args)
	if ex != nil {
		return c.exit(ex)
	}
	del, verbose := vals.Bool("delete_corrupt"), vals.Bool("verbose")
	for _, d := range vals.Strings("directories") {
		real, err := filepath.EvalSymlinks(d)
		if err == nil {
			real, err = filepath.Abs(real)
		}
		st, serr := os.Stat(real)
		if err != nil || serr != nil || !st.IsDir() {
			// python's message really is this (an unformatted "%d").
			return c.exit(p.Error("%d is not a directory!"))
		}
		if code := c.walkCorrupt(real, del, verbose); code != 0 {
			return code
		}
	}
	return 0
}

// walkCorrupt is os.walk(top) (directory order as the file system lists
// it, top-down, not following links to directories) checking every .wsp
// file's header.
func (c *wctx) walkCorrupt(dir string, del, verbose bool) int {
	f, err := os.Open(dir)
	if err != nil {
		return 0 // os.walk ignores unreadable directories
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil && len(entries) == 0 {
		return 0
	}
	if verbose {
		c.printf("Scanning %s…\n", dir)
	}
	var subdirs []string
	for _, e := range entries {
		full := filepath.Join(dir, e.Name())
		isDir := e.IsDir()
		if e.Type()&os.ModeSymlink != 0 {
			if st, err := os.Stat(full); err == nil && st.IsDir() {
				continue // a link to a directory: listed, never entered
			}
		}
		if isDir {
			subdirs = append(subdirs, full)
			continue
		}
		if !strings.HasSuffix(e.Name(), ".wsp") {
			continue
		}
		h, err := whisper.Info(full)
		if errors.Is(err, whisper.ErrCorrupt) {
			if del {
				fmt.Fprintf(c.env.Stderr, "Deleting corrupt Whisper file: %s\n", full)
				if err := os.Remove(full); err != nil {
					return c.failErr(err)
				}
			} else {
				fmt.Fprintf(c.env.Stderr, "Corrupt Whisper file: %s\n", full)
			}
			continue
		}
		if err != nil {
			return c.failErr(err)
		}
		if verbose {
			var n int64
			for _, a := range h.Archives {
				n += int64(a.Points)
			}
			c.printf("%s: %d points\n", full, n)
		}
	}
	for _, s := range subdirs {
		if code := c.walkCorrupt(s, del, verbose); code != 0 {
			return code
		}
	}
	return 0
}
