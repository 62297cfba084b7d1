package vault

import (
	"io/fs"
	"os"
	"path"
	"regexp"
	"strings"
	"time"
)

// DeleteLevel is archive7's Delete enum for Remove.
type DeleteLevel int

// Delete levels.
const (
	// Soft marks the entry deleted; it disappears from paths and listings
	// but keeps its data and can be restored with Undelete.
	Soft DeleteLevel = iota + 1
	// Hard marks the entry deleted and frees its data.
	Hard
	// Erase removes the entry (as Remove).
	Erase
)

// RemoveLevel is archive7 remove(path, level).
func (tx *Tx) RemoveLevel(name string, level DeleteLevel) error {
	if level == Erase {
		return tx.Remove(name)
	}
	if err := tx.check(true); err != nil {
		return err
	}
	e, err := tx.resolve("remove", name, false)
	if err != nil {
		return err
	}
	if level == Hard {
		if err := tx.freeData(e); err != nil {
			return err
		}
		if s, ok := tx.streams[e.id]; ok {
			e = s.e
		}
	}
	e.flags |= flagDeleted
	e.changed = tx.now()
	return tx.putEntry(e)
}

// Undelete restores a soft-deleted entry (name is its path).
func (tx *Tx) Undelete(name string) error {
	if err := tx.check(true); err != nil {
		return err
	}
	dir, base, err := tx.parentOf("undelete", name)
	if err != nil {
		return err
	}
	e, err := tx.lookup(dir.id, base)
	if err != nil {
		return pathErr("undelete", name, err)
	}
	e.flags &^= flagDeleted
	e.changed = tx.now()
	return tx.putEntry(e)
}

// Mkfile is archive7 mkfile: create a new file with data (it must not exist).
func (tx *Tx) Mkfile(name string, data []byte, perm fs.FileMode) error {
	f, err := tx.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Close()
}

// Move is archive7 move: put name into directory dir, keeping its base name.
func (tx *Tx) Move(name, dir string) error {
	c, _ := cleanPath(name)
	return tx.Rename(name, path.Join(dir, path.Base(c)))
}

// RenameBase is archive7 rename: give name a new base name in its directory.
func (tx *Tx) RenameBase(name, newBase string) error {
	if strings.Contains(newBase, "/") {
		return pathErr("rename", newBase, fs.ErrInvalid)
	}
	c, _ := cleanPath(name)
	return tx.Rename(name, path.Join(path.Dir(c), newBase))
}

func (tx *Tx) isType(name string, typ byte) bool {
	e, err := tx.resolve("stat", name, false)
	return err == nil && e.typ == typ
}

// IsDir is archive7 isdir.
func (tx *Tx) IsDir(name string) bool { return tx.isType(name, typeDir) }

// IsFile is archive7 isfile.
func (tx *Tx) IsFile(name string) bool { return tx.isType(name, typeFile) }

// IsLink is archive7 islink (symbolic links and entry links).
func (tx *Tx) IsLink(name string) bool {
	return tx.isType(name, typeSymlink) || tx.isType(name, typeLink)
}

// Query selects entries for Search (archive7 Query). Zero fields match
// everything; times compare the right way round (archive7 inverted them).
type Query struct {
	Pattern        string // glob on the base name (path.Match syntax)
	Regexp         *regexp.Regexp
	Type           string // "file", "dir", "symlink", "link"
	Owner          *[16]byte
	User, Group    string
	ModifiedAfter  time.Time
	ModifiedBefore time.Time
	CreatedAfter   time.Time
	CreatedBefore  time.Time
	Deleted        bool // include soft-deleted entries
}

// Search is archive7 search: every entry matching q, as paths sorted by
// the walk order (depth first, names sorted).
func (tx *Tx) Search(q Query) ([]string, error) {
	if err := tx.check(false); err != nil {
		return nil, err
	}
	if q.Pattern != "" {
		if _, err := path.Match(q.Pattern, ""); err != nil {
			return nil, err
		}
	}
	var out []string
	root, err := tx.getEntry(rootID)
	if err != nil {
		return nil, err
	}
	var walk func(d *entry, prefix string, depth int) error
	walk = func(d *entry, prefix string, depth int) error {
		type child struct {
			name string
			id   [16]byte
		}
		var kids []child
		if err := tx.tree.scanPrefix(tx, direntPrefix(d.id), func(k, v []byte) bool {
			kids = append(kids, child{string(k[17:]), [16]byte(v[:16])})
			return true
		}); err != nil {
			return err
		}
		for _, c := range kids {
			e, err := tx.getEntry(c.id)
			if err != nil {
				return err
			}
			if e.flags&flagDeleted != 0 && !q.Deleted {
				continue
			}
			p := prefix + c.name
			if q.match(c.name, e) {
				out = append(out, p)
			}
			if e.typ == typeDir && depth < 4096 {
				if err := walk(e, p+"/", depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return out, walk(root, "", 0)
}

func (q *Query) match(name string, e *entry) bool {
	if q.Pattern != "" {
		if ok, _ := path.Match(q.Pattern, name); !ok {
			return false
		}
	}
	if q.Regexp != nil && !q.Regexp.MatchString(name) {
		return false
	}
	if q.Type != "" && typeNames[e.typ] != q.Type {
		return false
	}
	if q.Owner != nil && *q.Owner != e.owner {
		return false
	}
	if q.User != "" && q.User != e.user || q.Group != "" && q.Group != e.group {
		return false
	}
	in := func(t int64, after, before time.Time) bool {
		return (after.IsZero() || t > after.UnixNano()) && (before.IsZero() || t < before.UnixNano())
	}
	return in(e.modified, q.ModifiedAfter, q.ModifiedBefore) && in(e.created, q.CreatedAfter, q.CreatedBefore)
}
