package vault

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// rootID is the id of the root directory "/" (as in archive7: UUID(int=0)).
var rootID [16]byte

const maxSymlinkHops = 40

// cleanPath maps an os-style or archive7-style path ("/a/b", "a/b/", ".")
// to an io/fs name ("a/b", "."). Paths may not climb above the root.
func cleanPath(name string) (string, bool) {
	name = strings.TrimLeft(name, "/")
	if name == "" {
		return ".", true
	}
	c := path.Clean(name)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", false
	}
	return c, fs.ValidPath(c)
}

func pathErr(op, name string, err error) error {
	return &fs.PathError{Op: op, Path: name, Err: err}
}

func (tx *Tx) check(write bool) error {
	if tx.closed {
		return ErrTxClosed
	}
	if write && !tx.writable {
		return ErrReadOnly
	}
	return nil
}

// getEntry loads an entry record by id.
func (tx *Tx) getEntry(id [16]byte) (*entry, error) {
	if s, ok := tx.streams[id]; ok {
		return s.e, nil
	}
	v, ok, err := tx.tree.get(tx, entryKey(id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fs.ErrNotExist
	}
	e, err := decodeEntry(v)
	if err != nil {
		return nil, fmt.Errorf("vault: catalog entry %x: %v: %w", id, err, ErrCorrupt)
	}
	if e.id != id {
		return nil, fmt.Errorf("vault: catalog entry %x holds id %x: %w", id, e.id, ErrCorrupt)
	}
	return e, nil
}

func (tx *Tx) putEntry(e *entry) error {
	return tx.tree.put(tx, entryKey(e.id), e.encode())
}

// lookup finds name in directory dir; deleted (archive7 soft-deleted)
// entries are returned too, the caller decides.
func (tx *Tx) lookup(dir [16]byte, name string) (*entry, error) {
	v, ok, err := tx.tree.get(tx, direntKey(dir, name))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fs.ErrNotExist
	}
	if len(v) != 17 {
		return nil, fmt.Errorf("vault: directory entry %q: value is %d bytes: %w", name, len(v), ErrCorrupt)
	}
	e, err := tx.getEntry([16]byte(v[:16]))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("vault: directory entry %q points at missing entry %x: %w", name, v[:16], ErrCorrupt)
	}
	return e, err
}

// resolve walks name from the root. follow makes a final symlink or
// entry link resolve to its target.
func (tx *Tx) resolve(op, name string, follow bool) (*entry, error) {
	clean, ok := cleanPath(name)
	if !ok {
		return nil, pathErr(op, name, fs.ErrInvalid)
	}
	e, err := tx.walk(clean, follow, 0)
	if err != nil {
		return nil, pathErr(op, name, err)
	}
	return e, nil
}

func (tx *Tx) walk(clean string, follow bool, hops int) (*entry, error) {
	cur, err := tx.getEntry(rootID)
	if err != nil {
		return nil, err
	}
	if clean == "." {
		return cur, nil
	}
	parts := strings.Split(clean, "/")
	for i, p := range parts {
		if cur.typ != typeDir {
			return nil, fmt.Errorf("%s is not a directory: %w", strings.Join(parts[:i], "/"), fs.ErrNotExist)
		}
		next, err := tx.lookup(cur.id, p)
		if err != nil {
			return nil, err
		}
		if next.flags&flagDeleted != 0 {
			return nil, fs.ErrNotExist
		}
		last := i == len(parts)-1
		if next.typ == typeLink && (!last || follow) {
			if next, err = tx.getEntry(next.link); err != nil {
				return nil, fmt.Errorf("dangling entry link: %w", err)
			}
		}
		if next.typ == typeSymlink && (!last || follow) {
			if hops++; hops > maxSymlinkHops {
				return nil, errors.New("too many levels of symbolic links")
			}
			dir := strings.Join(parts[:i], "/")
			target := next.target
			if !strings.HasPrefix(target, "/") {
				target = path.Join(dir, target)
			}
			rest := strings.Join(parts[i+1:], "/")
			t, ok := cleanPath(path.Join(target, rest))
			if !ok {
				return nil, fs.ErrNotExist
			}
			return tx.walk(t, follow, hops)
		}
		cur = next
	}
	return cur, nil
}

// parentOf resolves the directory that holds name and returns it with the
// final element.
func (tx *Tx) parentOf(op, name string) (*entry, string, error) {
	clean, ok := cleanPath(name)
	if !ok || clean == "." {
		return nil, "", pathErr(op, name, fs.ErrInvalid)
	}
	dir, base := path.Split(clean)
	if len(base) > maxName {
		return nil, "", pathErr(op, name, fmt.Errorf("name is %d bytes, max %d: %w", len(base), maxName, ErrTooLarge))
	}
	d, err := tx.walk(strings.TrimSuffix(dir, "/")+map[bool]string{true: ".", false: ""}[dir == ""], true, 0)
	if err != nil {
		return nil, "", pathErr(op, name, err)
	}
	if d.typ != typeDir {
		return nil, "", pathErr(op, name, fmt.Errorf("%s is not a directory: %w", dir, fs.ErrInvalid))
	}
	return d, base, nil
}
