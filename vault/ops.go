package vault

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"
)

func (tx *Tx) now() int64 { return tx.db.opts.now().UnixNano() }

// newEntry creates an entry and its directory entry under dir.
func (tx *Tx) newEntry(dir *entry, name string, typ byte, mode uint32) (*entry, error) {
	if old, err := tx.lookup(dir.id, name); err == nil {
		if old.flags&flagDeleted == 0 {
			return nil, fs.ErrExist
		}
		if err := tx.unlink(dir, name, old); err != nil { // replace a soft-deleted entry
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	now := tx.now()
	tx.rec.nextID++
	e := &entry{typ: typ, mode: mode & 0o7777, nlink: 1, id: idFromCounter(tx.rec.nextID), parent: dir.id,
		created: now, modified: now, changed: now, name: name}
	if typ == typeFile {
		e.flags |= flagInline
	}
	tx.rec.entries++
	if err := tx.putEntry(e); err != nil {
		return nil, err
	}
	if err := tx.tree.put(tx, direntKey(dir.id, name), append(e.id[:], typ)); err != nil {
		return nil, err
	}
	dir.modified, dir.changed = now, now
	return e, tx.putEntry(dir)
}

// unlink removes the directory entry name from dir; the entry itself and
// its data go when no name refers to it any more.
func (tx *Tx) unlink(dir *entry, name string, e *entry) error {
	if _, err := tx.tree.del(tx, direntKey(dir.id, name)); err != nil {
		return err
	}
	now := tx.now()
	dir.modified, dir.changed = now, now
	if err := tx.putEntry(dir); err != nil {
		return err
	}
	if e.nlink > 1 {
		e.nlink--
		e.changed = now
		return tx.putEntry(e)
	}
	return tx.erase(e)
}

// erase deletes an entry record and frees its stream.
func (tx *Tx) erase(e *entry) error {
	if err := tx.freeData(e); err != nil {
		return err
	}
	delete(tx.streams, e.id)
	tx.rec.entries--
	_, err := tx.tree.del(tx, entryKey(e.id))
	return err
}

// freeData releases a file's blocks and leaves it empty.
func (tx *Tx) freeData(e *entry) error {
	if e.typ != typeFile {
		return nil
	}
	s, err := tx.fileStream(e)
	if err != nil {
		return err
	}
	return s.truncate(0)
}

// fileStream returns the transaction's stream for a file entry.
func (tx *Tx) fileStream(e *entry) (*stream, error) {
	if s, ok := tx.streams[e.id]; ok {
		return s, nil
	}
	s := newStream(&tx.r, nil, e)
	if tx.writable {
		s.tx = tx
		tx.streams[e.id] = s
	}
	return s, nil
}

// flushStreams stores every changed stream into its entry record.
func (tx *Tx) flushStreams() error {
	for _, s := range tx.streams {
		if !s.changed {
			continue
		}
		if err := s.commit(); err != nil {
			return err
		}
		if _, ok, err := tx.tree.get(tx, entryKey(s.e.id)); err != nil {
			return err
		} else if !ok {
			continue // erased in this transaction
		}
		if err := tx.putEntry(s.e); err != nil {
			return err
		}
	}
	return nil
}

// Mkdir creates a directory (os.Mkdir; archive7 mkdir).
func (tx *Tx) Mkdir(name string, perm fs.FileMode) error {
	if err := tx.check(true); err != nil {
		return err
	}
	dir, base, err := tx.parentOf("mkdir", name)
	if err != nil {
		return err
	}
	if _, err := tx.newEntry(dir, base, typeDir, uint32(perm.Perm())); err != nil {
		return pathErr("mkdir", name, err)
	}
	return nil
}

// MkdirAll creates a directory and any missing parents (os.MkdirAll).
func (tx *Tx) MkdirAll(name string, perm fs.FileMode) error {
	clean, ok := cleanPath(name)
	if !ok {
		return pathErr("mkdir", name, fs.ErrInvalid)
	}
	if clean == "." {
		return nil
	}
	parts := strings.Split(clean, "/")
	for i := range parts {
		p := strings.Join(parts[:i+1], "/")
		e, err := tx.resolve("mkdir", p, true)
		if err == nil {
			if e.typ != typeDir {
				return pathErr("mkdir", p, fmt.Errorf("not a directory: %w", fs.ErrExist))
			}
			continue
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if err := tx.Mkdir(p, perm); err != nil {
			return err
		}
	}
	return nil
}

// Create creates or truncates a file for writing (os.Create; archive7 mkfile).
func (tx *Tx) Create(name string) (*File, error) {
	return tx.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
}

// Open opens a file or directory for reading (os.Open).
func (tx *Tx) Open(name string) (*File, error) { return tx.OpenFile(name, os.O_RDONLY, 0) }

// OpenFile is os.OpenFile: flag takes os.O_RDONLY/O_WRONLY/O_RDWR with
// O_CREATE, O_EXCL, O_TRUNC and O_APPEND.
func (tx *Tx) OpenFile(name string, flag int, perm fs.FileMode) (*File, error) {
	write := flag&(os.O_WRONLY|os.O_RDWR) != 0
	if err := tx.check(write || flag&os.O_CREATE != 0); err != nil {
		return nil, err
	}
	e, err := tx.resolve("open", name, true)
	switch {
	case err == nil:
		if flag&os.O_CREATE != 0 && flag&os.O_EXCL != 0 {
			return nil, pathErr("open", name, fs.ErrExist)
		}
	case errors.Is(err, fs.ErrNotExist) && flag&os.O_CREATE != 0:
		dir, base, perr := tx.parentOf("open", name)
		if perr != nil {
			return nil, perr
		}
		if e, err = tx.newEntry(dir, base, typeFile, uint32(perm.Perm())); err != nil {
			return nil, pathErr("open", name, err)
		}
	default:
		return nil, err
	}
	if e.typ == typeDir && write {
		return nil, pathErr("open", name, errors.New("is a directory"))
	}
	f := &File{tx: tx, name: name, e: e, flag: flag}
	if e.typ == typeFile {
		if f.s, err = tx.fileStream(e); err != nil {
			return nil, err
		}
		if flag&os.O_TRUNC != 0 && write && f.s.length > 0 {
			if err := f.s.truncate(0); err != nil {
				return nil, err
			}
			e.modified = tx.now()
		}
	}
	return f, nil
}

// WriteFile is os.WriteFile (archive7 save).
func (tx *Tx) WriteFile(name string, data []byte, perm fs.FileMode) error {
	f, err := tx.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Close()
}

// ReadFile is os.ReadFile (archive7 load).
func (tx *Tx) ReadFile(name string) ([]byte, error) {
	f, err := tx.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if f.e.typ != typeFile {
		return nil, pathErr("read", name, errors.New("is a directory"))
	}
	b := make([]byte, f.s.length)
	if _, err := f.s.readAt(b, 0); err != nil {
		return nil, pathErr("read", name, err)
	}
	return b, nil
}

// Remove removes a file, an empty directory or a link (os.Remove).
func (tx *Tx) Remove(name string) error {
	if err := tx.check(true); err != nil {
		return err
	}
	dir, base, err := tx.parentOf("remove", name)
	if err != nil {
		return err
	}
	e, err := tx.lookup(dir.id, base)
	if err != nil || e.flags&flagDeleted != 0 {
		return pathErr("remove", name, fs.ErrNotExist)
	}
	if e.typ == typeDir {
		empty := true
		var hidden []string
		if err := tx.tree.scanPrefix(tx, direntPrefix(e.id), func(k, v []byte) bool {
			c, err := tx.getEntry([16]byte(v[:16]))
			if err != nil || c.flags&flagDeleted == 0 {
				empty = false
				return false
			}
			hidden = append(hidden, string(k[17:]))
			return true
		}); err != nil {
			return err
		}
		if !empty {
			return pathErr("remove", name, errors.New("directory not empty"))
		}
		for _, h := range hidden {
			c, err := tx.lookup(e.id, h)
			if err != nil {
				return err
			}
			if err := tx.unlink(e, h, c); err != nil {
				return err
			}
		}
	}
	return tx.unlink(dir, base, e)
}

// RemoveAll removes name and everything under it (os.RemoveAll).
func (tx *Tx) RemoveAll(name string) error {
	if err := tx.check(true); err != nil {
		return err
	}
	e, err := tx.resolve("removeall", name, false)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	if e.typ == typeDir {
		var names []string
		if err := tx.tree.scanPrefix(tx, direntPrefix(e.id), func(k, v []byte) bool {
			names = append(names, string(k[17:]))
			return true
		}); err != nil {
			return err
		}
		clean, _ := cleanPath(name)
		for _, n := range names {
			child := clean + "/" + n
			if clean == "." {
				child = n
			}
			if err := tx.removeTree(e, n, child); err != nil {
				return err
			}
		}
		if clean == "." {
			return nil
		}
	}
	return tx.Remove(name)
}

func (tx *Tx) removeTree(dir *entry, name, full string) error {
	c, err := tx.lookup(dir.id, name)
	if err != nil {
		return err
	}
	if c.typ == typeDir {
		var names []string
		if err := tx.tree.scanPrefix(tx, direntPrefix(c.id), func(k, v []byte) bool {
			names = append(names, string(k[17:]))
			return true
		}); err != nil {
			return err
		}
		for _, n := range names {
			if err := tx.removeTree(c, n, full+"/"+n); err != nil {
				return err
			}
		}
	}
	return tx.unlink(dir, name, c)
}

// Rename moves oldname to newname (os.Rename; archive7 move and rename),
// replacing a file or empty directory at newname.
func (tx *Tx) Rename(oldname, newname string) error {
	if err := tx.check(true); err != nil {
		return err
	}
	od, ob, err := tx.parentOf("rename", oldname)
	if err != nil {
		return err
	}
	e, err := tx.lookup(od.id, ob)
	if err != nil || e.flags&flagDeleted != 0 {
		return pathErr("rename", oldname, fs.ErrNotExist)
	}
	nd, nb, err := tx.parentOf("rename", newname)
	if err != nil {
		return err
	}
	if nd.id == od.id && nb == ob {
		return nil
	}
	if e.typ == typeDir { // no moving a directory into itself
		for a := nd; ; {
			if a.id == e.id {
				return pathErr("rename", newname, errors.New("cannot move a directory into itself"))
			}
			if a.id == rootID {
				break
			}
			if a, err = tx.getEntry(a.parent); err != nil {
				return err
			}
		}
	}
	if old, err := tx.lookup(nd.id, nb); err == nil {
		if old.typ == typeDir && e.typ != typeDir || old.typ != typeDir && e.typ == typeDir {
			return pathErr("rename", newname, errors.New("file/directory mismatch"))
		}
		if old.id == e.id {
			return tx.unlink(od, ob, e)
		}
		if err := tx.Remove(newname); err != nil {
			return err
		}
		if nd, err = tx.getEntry(nd.id); err != nil {
			return err
		}
	}
	if od, err = tx.getEntry(od.id); err != nil {
		return err
	}
	if _, err := tx.tree.del(tx, direntKey(od.id, ob)); err != nil {
		return err
	}
	if err := tx.tree.put(tx, direntKey(nd.id, nb), append(e.id[:], e.typ)); err != nil {
		return err
	}
	now := tx.now()
	e.parent, e.name, e.changed = nd.id, nb, now
	od.modified, od.changed = now, now
	if err := tx.putEntry(od); err != nil {
		return err
	}
	if nd.id != od.id {
		if nd, err = tx.getEntry(nd.id); err != nil {
			return err
		}
		nd.modified, nd.changed = now, now
		if err := tx.putEntry(nd); err != nil {
			return err
		}
	}
	return tx.putEntry(e)
}

// Symlink creates newname as a symbolic link to target (os.Symlink).
func (tx *Tx) Symlink(target, newname string) error {
	if err := tx.check(true); err != nil {
		return err
	}
	if len(target) > maxSymlink {
		return pathErr("symlink", newname, ErrTooLarge)
	}
	dir, base, err := tx.parentOf("symlink", newname)
	if err != nil {
		return err
	}
	e, err := tx.newEntry(dir, base, typeSymlink, 0o777)
	if err != nil {
		return pathErr("symlink", newname, err)
	}
	e.target = target
	return tx.putEntry(e)
}

// Link creates newname as a hard link to the file oldname (os.Link).
func (tx *Tx) Link(oldname, newname string) error {
	if err := tx.check(true); err != nil {
		return err
	}
	e, err := tx.resolve("link", oldname, false)
	if err != nil {
		return err
	}
	if e.typ == typeDir {
		return pathErr("link", oldname, errors.New("hard link to a directory"))
	}
	dir, base, err := tx.parentOf("link", newname)
	if err != nil {
		return err
	}
	if _, err := tx.lookup(dir.id, base); err == nil {
		return pathErr("link", newname, fs.ErrExist)
	}
	if err := tx.tree.put(tx, direntKey(dir.id, base), append(e.id[:], e.typ)); err != nil {
		return err
	}
	e.nlink++
	e.changed = tx.now()
	return tx.putEntry(e)
}

// LinkEntry creates newname as an archive7 entry link to target: it
// follows the target entry wherever it is renamed.
func (tx *Tx) LinkEntry(target, newname string) error {
	if err := tx.check(true); err != nil {
		return err
	}
	t, err := tx.resolve("link", target, false)
	if err != nil {
		return err
	}
	if t.typ == typeLink {
		return pathErr("link", target, errors.New("links to links are not allowed"))
	}
	dir, base, err := tx.parentOf("link", newname)
	if err != nil {
		return err
	}
	e, err := tx.newEntry(dir, base, typeLink, 0o777)
	if err != nil {
		return pathErr("link", newname, err)
	}
	e.link = t.id
	return tx.putEntry(e)
}

// Readlink returns a symbolic link's target (os.Readlink).
func (tx *Tx) Readlink(name string) (string, error) {
	e, err := tx.resolve("readlink", name, false)
	if err != nil {
		return "", err
	}
	if e.typ != typeSymlink {
		return "", pathErr("readlink", name, fs.ErrInvalid)
	}
	return e.target, nil
}

func (tx *Tx) modify(op, name string, follow bool, fn func(e *entry)) error {
	if err := tx.check(true); err != nil {
		return err
	}
	e, err := tx.resolve(op, name, follow)
	if err != nil {
		return err
	}
	fn(e)
	e.changed = tx.now()
	return tx.putEntry(e)
}

// Chmod sets the permission bits (os.Chmod; archive7 chmod perms).
func (tx *Tx) Chmod(name string, mode fs.FileMode) error {
	return tx.modify("chmod", name, true, func(e *entry) { e.mode = uint32(mode.Perm()) | uint32(modeExtra(mode)) })
}

func modeExtra(m fs.FileMode) uint32 {
	var x uint32
	if m&fs.ModeSetuid != 0 {
		x |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		x |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		x |= 0o1000
	}
	return x
}

// Chown sets the numeric owner (os.Chown).
func (tx *Tx) Chown(name string, uid, gid int) error {
	return tx.modify("chown", name, true, func(e *entry) { e.uid, e.gid = uint32(uid), uint32(gid) })
}

// SetOwnerNames sets the user and group names (archive7 chmod user/group).
func (tx *Tx) SetOwnerNames(name, user, group string) error {
	if len(user) > maxOwner || len(group) > maxOwner {
		return pathErr("chown", name, ErrTooLarge)
	}
	return tx.modify("chown", name, true, func(e *entry) { e.user, e.group = user, group })
}

// SetOwnerID sets the archive7 owner UUID of an entry.
func (tx *Tx) SetOwnerID(name string, owner [16]byte) error {
	return tx.modify("chown", name, true, func(e *entry) { e.owner = owner })
}

// Chtimes sets the modification time (os.Chtimes; the vault keeps no
// access time, atime is ignored).
func (tx *Tx) Chtimes(name string, atime, mtime time.Time) error {
	return tx.modify("chtimes", name, true, func(e *entry) { e.modified = mtime.UnixNano() })
}

// Lchtimes is Chtimes without following a final symlink.
func (tx *Tx) Lchtimes(name string, mtime time.Time) error {
	return tx.modify("chtimes", name, false, func(e *entry) { e.modified = mtime.UnixNano() })
}

// Truncate changes a file's size (os.Truncate).
func (tx *Tx) Truncate(name string, size int64) error {
	f, err := tx.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	return f.Truncate(size)
}

// Stat describes the named file, following symlinks (os.Stat; archive7 info).
func (tx *Tx) Stat(name string) (fs.FileInfo, error) {
	if err := tx.check(false); err != nil {
		return nil, err
	}
	e, err := tx.resolve("stat", name, true)
	if err != nil {
		return nil, err
	}
	return tx.info(e, name), nil
}

// Lstat is Stat without following a final symlink (os.Lstat).
func (tx *Tx) Lstat(name string) (fs.FileInfo, error) {
	if err := tx.check(false); err != nil {
		return nil, err
	}
	e, err := tx.resolve("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return tx.info(e, name), nil
}

// ReadDir lists a directory sorted by name (os.ReadDir).
func (tx *Tx) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := tx.check(false); err != nil {
		return nil, err
	}
	e, err := tx.resolve("readdir", name, true)
	if err != nil {
		return nil, err
	}
	if e.typ != typeDir {
		return nil, pathErr("readdir", name, errors.New("not a directory"))
	}
	return tx.readDir(e)
}

func (tx *Tx) readDir(d *entry) ([]fs.DirEntry, error) {
	var out []fs.DirEntry
	var ierr error
	err := tx.tree.scanPrefix(tx, direntPrefix(d.id), func(k, v []byte) bool {
		if len(v) != 17 {
			ierr = fmt.Errorf("vault: directory entry %q: %w", k[17:], ErrCorrupt)
			return false
		}
		c, err := tx.getEntry([16]byte(v[:16]))
		if err != nil {
			ierr = err
			return false
		}
		if c.flags&flagDeleted == 0 {
			out = append(out, fs.FileInfoToDirEntry(tx.info(c, string(k[17:]))))
		}
		return true
	})
	if err == nil {
		err = ierr
	}
	return out, err
}

// Glob returns the names matching pattern (fs.Glob semantics).
func (tx *Tx) Glob(pattern string) ([]string, error) {
	return fs.Glob(tx.FS(), pattern)
}
