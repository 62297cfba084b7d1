package cli

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"ringvault/internal/progress"
	"ringvault/vault"
)

// vaultName maps a local path argument to a name inside the vault, as tar
// does: leading "/" and "../" are dropped.
func vaultName(local string) string {
	p := filepath.ToSlash(filepath.Clean(local))
	for strings.HasPrefix(p, "../") {
		p = p[3:]
	}
	p = strings.TrimLeft(p, "/")
	if p == ".." || p == "" {
		return "."
	}
	return p
}

func vaultAdd(c *vaultCmd, args []string) int {
	to := c.fs.String("to", "", "put the added paths under `DIR` inside the vault")
	rest, code := c.parse(args, "[--to DIR] VAULT PATH...", 2, -1)
	if code >= 0 {
		return code
	}
	// Total size first, for the progress bar.
	var total int64
	for _, p := range rest[1:] {
		filepath.WalkDir(p, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if fi, err := d.Info(); err == nil {
					total += fi.Size()
				}
			}
			return nil
		})
	}
	db, err := c.open(rest[0], false)
	if err != nil {
		return c.fail(err)
	}
	bar := progress.New(c.env.Stderr, "add", total, c.env.IsTerminal(c.env.Stderr))
	err = db.Update(func(tx *vault.Tx) error {
		if *to != "" {
			if err := tx.MkdirAll(*to, 0o755); err != nil {
				return err
			}
		}
		for _, p := range rest[1:] {
			if err := addTree(tx, p, path.Join(*to, vaultName(p)), bar); err != nil {
				return err
			}
		}
		return nil
	})
	bar.Finish()
	if err != nil {
		db.Close()
		return c.fail(err)
	}
	return c.close(db)
}

type dirTime struct {
	name  string
	mtime time.Time
}

// addTree copies a local file or tree into the vault at dest.
// copyBufs recycles the 1 MiB copy buffers of add, extract and cat: a
// tree of small files must not allocate (and zero) 1 MiB per file.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

func addTree(tx *vault.Tx, local, dest string, bar *progress.Bar) error {
	var dirs []dirTime
	err := filepath.WalkDir(local, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(local, p)
		if err != nil {
			return err
		}
		name := path.Join(dest, filepath.ToSlash(rel))
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case fi.IsDir():
			if name != "." {
				if err := tx.MkdirAll(name, fi.Mode().Perm()); err != nil {
					return err
				}
				if err := tx.Chmod(name, fi.Mode()); err != nil {
					return err
				}
			}
			dirs = append(dirs, dirTime{name, fi.ModTime()})
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			tx.Remove(name)
			if err := tx.Symlink(target, name); err != nil {
				return err
			}
			return tx.Lchtimes(name, fi.ModTime())
		case fi.Mode().IsRegular():
			return addFile(tx, p, name, fi, p == local, bar)
		default:
			return nil // devices, sockets, fifos are skipped
		}
		return setOwner(tx, name, fi)
	})
	if err != nil {
		return err
	}
	for _, d := range slices.Backward(dirs) {
		if d.name != "." {
			if err := tx.Chtimes(d.name, d.mtime, d.mtime); err != nil {
				return err
			}
		}
	}
	return nil
}

func addFile(tx *vault.Tx, local, name string, fi fs.FileInfo, top bool, bar *progress.Bar) error {
	if dir := path.Dir(name); dir != "." && top { // inside a tree the walk made the directory
		if err := tx.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	in, err := os.Open(local)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := tx.Create(name)
	if err != nil {
		return err
	}
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	if _, err := io.CopyBuffer(struct{ io.Writer }{out}, bar.Reader(in), buf); err != nil {
		return fmt.Errorf("%s: %w", local, err)
	}
	if err := out.Chmod(fi.Mode()); err != nil {
		return err
	}
	if err := fileOwner(out, fi); err != nil {
		return err
	}
	if err := out.SetModTime(fi.ModTime()); err != nil {
		return err
	}
	return out.Close()
}

func vaultExtract(c *vaultCmd, args []string) int {
	dir := c.fs.String("C", ".", "extract into `DIR`")
	db, rest, code := c.parseOpen(args, "[-C DIR] VAULT [PATH...]", 1, -1, true)
	if code >= 0 {
		return code
	}
	defer db.Close()
	paths := rest[1:]
	if len(paths) == 0 {
		paths = []string{"."}
	}
	err := db.View(func(tx *vault.Tx) error {
		var total int64
		for _, p := range paths {
			fs.WalkDir(tx.FS(), vaultName(p), func(_ string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					if fi, err := d.Info(); err == nil {
						total += fi.Size()
					}
				}
				return nil
			})
		}
		bar := progress.New(c.env.Stderr, "extract", total, c.env.IsTerminal(c.env.Stderr))
		defer bar.Finish()
		for _, p := range paths {
			if err := extractTree(tx, vaultName(p), *dir, bar); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return c.fail(err)
	}
	return 0
}

func extractTree(tx *vault.Tx, root, dest string, bar *progress.Bar) error {
	var dirs []dirTime
	err := fs.WalkDir(tx.FS(), root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := tx.Lstat(p)
		if err != nil {
			return err
		}
		local := filepath.Join(dest, filepath.FromSlash(p))
		switch {
		case fi.IsDir():
			if err := os.MkdirAll(local, 0o700); err != nil {
				return err
			}
			dirs = append(dirs, dirTime{local, fi.ModTime()})
			return os.Chmod(local, fi.Mode().Perm())
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := tx.Readlink(p)
			if err != nil {
				return err
			}
			os.Remove(local)
			if err := os.Symlink(target, local); err != nil {
				return err
			}
			return nil
		default:
			return extractFile(tx, p, local, fi, bar)
		}
	})
	if err != nil {
		return err
	}
	for _, d := range slices.Backward(dirs) {
		if err := os.Chtimes(d.name, d.mtime, d.mtime); err != nil {
			return err
		}
	}
	return nil
}

func extractFile(tx *vault.Tx, name, local string, fi fs.FileInfo, bar *progress.Bar) error {
	if err := os.MkdirAll(filepath.Dir(local), 0o755); err != nil {
		return err
	}
	in, err := tx.Open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(local, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	if _, err := io.CopyBuffer(bar.Writer(out), struct{ io.Reader }{in}, buf); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	if err := os.Chmod(local, fi.Mode().Perm()); err != nil {
		return err
	}
	return os.Chtimes(local, fi.ModTime(), fi.ModTime())
}

func vaultLs(c *vaultCmd, args []string) int {
	long := c.fs.Bool("l", false, "long listing: mode, size, modification time")
	recursive := c.fs.Bool("R", false, "list subdirectories recursively")
	db, rest, code := c.parseOpen(args, "[-l] [-R] VAULT [PATH...]", 1, -1, true)
	if code >= 0 {
		return code
	}
	defer db.Close()
	paths := rest[1:]
	if len(paths) == 0 {
		paths = []string{"."}
	}
	err := db.View(func(tx *vault.Tx) error {
		for _, p := range paths {
			name := vaultName(p)
			fi, err := tx.Stat(name)
			if err != nil {
				return err
			}
			if !fi.IsDir() {
				printEntry(c.env.Stdout, tx, name, fi, *long)
				continue
			}
			err = fs.WalkDir(tx.FS(), name, func(q string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if q == name {
					return nil
				}
				fi, err := tx.Lstat(q)
				if err != nil {
					return err
				}
				shown := q
				if !*recursive {
					shown = path.Base(q)
				}
				printEntry(c.env.Stdout, tx, shown, fi, *long)
				if d.IsDir() && !*recursive {
					return fs.SkipDir
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return c.fail(err)
	}
	return 0
}

func printEntry(w io.Writer, tx *vault.Tx, name string, fi fs.FileInfo, long bool) {
	if fi.Mode()&fs.ModeSymlink != 0 {
		if t, err := tx.Readlink(name); err == nil && long {
			name += " -> " + t
		}
	}
	if !long {
		fmt.Fprintln(w, name)
		return
	}
	if fi.Mode()&fs.ModeSymlink == 0 && tx.IsLink(name) {
		// An archive7 entry link: show what it stands for, like ls -l
		// shows a hard link's target contents, and say what it is.
		if st, err := tx.Stat(name); err == nil {
			fi = st
		}
		name += " (entry link)"
	}
	fmt.Fprintf(w, "%s %10d %s %s\n", fi.Mode(), fi.Size(), fi.ModTime().UTC().Format("2006-01-02 15:04:05"), name)
}

func vaultCat(c *vaultCmd, args []string) int {
	db, rest, code := c.parseOpen(args, "VAULT PATH...", 2, -1, true)
	if code >= 0 {
		return code
	}
	defer db.Close()
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	err := db.View(func(tx *vault.Tx) error {
		for _, p := range rest[1:] {
			f, err := tx.Open(vaultName(p))
			if err != nil {
				return err
			}
			// Both sides wrapped: an *os.File stdout would otherwise take
			// over with ReadFrom and read in 32 KiB pieces.
			if _, err := io.CopyBuffer(struct{ io.Writer }{c.env.Stdout}, struct{ io.Reader }{f}, *bp); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return c.fail(err)
	}
	return 0
}

func vaultRm(c *vaultCmd, args []string) int {
	recursive := c.fs.Bool("r", false, "remove directories and their contents")
	soft := c.fs.Bool("soft", false, "archive7 soft delete: hide the entry, keep its data")
	hard := c.fs.Bool("hard", false, "archive7 hard delete: hide the entry, free its data")
	rest, code := c.parse(args, "[-r] [--soft|--hard] VAULT PATH...", 2, -1)
	if code >= 0 {
		return code
	}
	return c.update(rest[0], func(tx *vault.Tx) error {
		for _, p := range rest[1:] {
			name := vaultName(p)
			var err error
			switch {
			case *soft:
				err = tx.RemoveLevel(name, vault.Soft)
			case *hard:
				err = tx.RemoveLevel(name, vault.Hard)
			case *recursive:
				if _, err = tx.Lstat(name); err == nil {
					err = tx.RemoveAll(name)
				}
			default:
				err = tx.Remove(name)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func vaultMv(c *vaultCmd, args []string) int {
	rest, code := c.parse(args, "VAULT SRC DST", 3, 3)
	if code >= 0 {
		return code
	}
	return c.update(rest[0], func(tx *vault.Tx) error {
		src, dst := vaultName(rest[1]), vaultName(rest[2])
		if tx.IsDir(dst) {
			dst = path.Join(dst, path.Base(src))
		}
		return tx.Rename(src, dst)
	})
}

func vaultMkdir(c *vaultCmd, args []string) int {
	parents := c.fs.Bool("p", false, "make parent directories as needed, no error if existing")
	rest, code := c.parse(args, "[-p] VAULT PATH...", 2, -1)
	if code >= 0 {
		return code
	}
	return c.update(rest[0], func(tx *vault.Tx) error {
		for _, p := range rest[1:] {
			var err error
			if *parents {
				err = tx.MkdirAll(vaultName(p), 0o755)
			} else {
				err = tx.Mkdir(vaultName(p), 0o755)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// update runs fn in one transaction on the vault at path.
func (c *vaultCmd) update(path string, fn func(tx *vault.Tx) error) int {
	db, err := c.open(path, false)
	if err != nil {
		return c.fail(err)
	}
	if err := db.Update(fn); err != nil {
		db.Close()
		return c.fail(err)
	}
	return c.close(db)
}
