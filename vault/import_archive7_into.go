package vault

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"
)

// Archive7LinkMode says how archive7 entry links are imported.
type Archive7LinkMode int

const (
	// Archive7EntryLinks imports links as vault entry links (LinkEntry),
	// archive7's own kind: the link names its target entry by id, follows
	// it through renames and keeps its own perms, user, group and times.
	Archive7EntryLinks Archive7LinkMode = iota
	// Archive7PortableLinks imports a link to a file as a hard link (Link)
	// and a link to a directory as a symbolic link to the directory's
	// absolute vault path, as a POSIX file system would hold them. A hard
	// link shares its target's entry, so the link's own perms, user, group
	// and times are dropped.
	Archive7PortableLinks
)

// Archive7Options tune ImportArchive7. The zero value imports every live
// entry under the vault root, skips soft-deleted ones and fails on the
// first damaged block.
type Archive7Options struct {
	// Into is the vault directory to import under (made if missing);
	// "" or "/" is the root.
	Into string
	// Deleted imports soft-deleted entries as soft-deleted vault entries
	// (Undelete restores them); HARD-deleted files, whose data archive7
	// freed, come in as hard-deleted empty files. By default both are
	// skipped, with everything under a deleted directory.
	Deleted bool
	// Salvage goes on past damage and lists it in the report: broken
	// chains are rebuilt from a scan of every block (unreadable blocks
	// read as zeros), damaged tree pages and records are skipped, entries
	// cut off from the root go to lost+found, and entries that cannot be
	// created (colliding names) are skipped.
	Salvage bool
	// Links chooses how entry links are imported.
	Links Archive7LinkMode
	// NoHeader leaves the vault's application header alone. Otherwise the
	// 344-byte archive7 Header is stored there when the vault has none.
	NoHeader bool
	// Progress, if set, is called with the content bytes copied so far in
	// each step (at most 4008 at a time).
	Progress func(n int64)
}

// Archive7Report says what an import did.
type Archive7Report struct {
	Dirs, Files, Links int
	Bytes              int64 // file content copied
	Deleted            int   // soft- or hard-deleted entries imported as deleted
	SkippedDeleted     int   // deleted entries (and entries under them) left out
	Skipped            int   // entries left out because of a problem (see Problems)
	Lost               int   // salvage: entries placed under lost+found (no path to the root)
	HeaderStored       bool  // the archive7 header went into the vault's AppHeader
	Problems           []string
}

// ImportArchive7 is vault.md §5 ImportArchive7(path, secret): it reads the
// archive7 file at path with key (see Archive7Key), verifies every block it
// uses, and writes its directories, files, links, permissions, owners and
// times into db in one transaction: all of it or, on error, nothing.
func ImportArchive7(db *DB, path string, key [32]byte, opts *Archive7Options) (Archive7Report, error) {
	if opts == nil {
		opts = &Archive7Options{}
	}
	f, size, err := openArchive7File(path)
	if err != nil {
		return Archive7Report{}, err
	}
	defer f.Close()
	a, err := OpenArchive7(f, size, path, key, opts.Salvage)
	if err != nil {
		return Archive7Report{}, err
	}
	var rep Archive7Report
	err = db.Update(func(tx *Tx) error {
		rep, err = a.ImportTo(tx, opts)
		return err
	})
	return rep, err
}

// importer carries one ImportTo.
type importer struct {
	a     *Archive7
	tx    *Tx
	opts  *Archive7Options
	rep   Archive7Report
	vpath map[[16]byte]string // entry id -> vault path, for imported entries
	made  []*Archive7Entry    // imported entries whose attributes are set last
	links []*Archive7Entry
	gone  map[[16]byte]bool // deleted entries left out
	hard  map[[16]byte]bool // files imported without data (HARD delete)
}

// ImportTo writes the archive's entries into tx (see ImportArchive7).
func (a *Archive7) ImportTo(tx *Tx, opts *Archive7Options) (Archive7Report, error) {
	if opts == nil {
		opts = &Archive7Options{}
	}
	im := &importer{a: a, tx: tx, opts: opts, vpath: map[[16]byte]string{}, gone: map[[16]byte]bool{}, hard: map[[16]byte]bool{}}
	im.rep.Problems = append(im.rep.Problems, a.Problems...)
	root := "/"
	if c, ok := cleanPath(opts.Into); !ok {
		return im.rep, pathErr("import", opts.Into, fs.ErrInvalid)
	} else if c != "." {
		root = "/" + c
		if err := tx.MkdirAll(root, 0o755); err != nil {
			return im.rep, err
		}
	}
	im.vpath[rootID] = root
	for _, e := range a.Entries {
		if err := im.place(e); err != nil {
			return im.rep, err
		}
	}
	if opts.Salvage {
		if err := im.lostAndFound(root); err != nil {
			return im.rep, err
		}
	}
	for _, e := range im.links {
		if err := im.link(e); err != nil {
			return im.rep, err
		}
	}
	for _, e := range im.made {
		if err := im.attrs(e); err != nil {
			return im.rep, err
		}
	}
	if err := im.deletes(); err != nil {
		return im.rep, err
	}
	if !opts.NoHeader && len(tx.rec.appHeader) == 0 && len(a.Header.Raw) <= appHeaderMax {
		tx.rec.appHeader = append([]byte(nil), a.Header.Raw...)
		im.rep.HeaderStored = true
	}
	return im.rep, nil
}

// problem fails the import, or with Salvage records err and skips.
func (im *importer) problem(err error) error {
	if !im.opts.Salvage {
		return err
	}
	im.rep.Problems = append(im.rep.Problems, err.Error())
	im.rep.Skipped++
	return nil
}

func (im *importer) note(format string, args ...any) {
	im.rep.Problems = append(im.rep.Problems, fmt.Sprintf(format, args...))
}

// place creates directory and file entries (parents come first: entries
// are sorted by path) and queues links.
func (im *importer) place(e *Archive7Entry) error {
	if e.ID == rootID {
		return nil
	}
	if e.Path == "" { // its parent chain does not reach the root (buildPaths)
		if !im.opts.Salvage {
			im.rep.Skipped++
		}
		return nil
	}
	parent, ok := im.vpath[e.Parent]
	if !ok {
		if im.gone[e.Parent] {
			im.gone[e.ID] = true
			im.rep.SkippedDeleted++
			return nil
		}
		im.rep.Skipped++
		im.note("archive7 %s: its directory was not imported", e.Path)
		return nil
	}
	return im.placeAt(e, parent, e.Name, e.Path)
}

// lostAndFound places, with Salvage, the entries whose parent chain does
// not reach the root under DIR/lost+found, each top one named by its id
// and name, with what lies under it.
func (im *importer) lostAndFound(root string) error {
	kids := map[[16]byte][]*Archive7Entry{}
	var queue []*Archive7Entry
	for _, e := range im.a.Entries {
		if e.Path != "" || e.ID == rootID {
			continue
		}
		if p := im.a.byID[e.Parent]; p != nil && p.Path == "" && p.Type == 'd' && p.ID != rootID {
			kids[e.Parent] = append(kids[e.Parent], e)
		} else {
			queue = append(queue, e)
		}
	}
	if len(queue) == 0 {
		for _, k := range kids { // only loops of parent ids
			im.rep.Skipped += len(k)
		}
		return nil
	}
	lf := path.Join(root, "lost+found")
	if err := im.tx.MkdirAll(lf, 0o700); err != nil {
		return err
	}
	top := len(queue)
	for i := 0; i < len(queue); i++ {
		e := queue[i]
		parent, name := lf, uuidString(e.ID)+"-"+e.Name
		if i >= top {
			var ok bool
			if parent, ok = im.vpath[e.Parent]; !ok {
				if im.gone[e.Parent] {
					im.gone[e.ID] = true
					im.rep.SkippedDeleted++
				} else {
					im.rep.Skipped++
				}
				continue
			}
			name = e.Name
		}
		n := len(im.vpath)
		if err := im.placeAt(e, parent, name, path.Join(parent, name)); err != nil {
			return err
		}
		if len(im.vpath) > n {
			im.rep.Lost++
		}
		queue = append(queue, kids[e.ID]...)
		delete(kids, e.ID)
	}
	for _, k := range kids {
		im.rep.Skipped += len(k)
	}
	return nil
}

// placeAt creates entry e as name in vault directory parent; label names
// it in messages.
func (im *importer) placeAt(e *Archive7Entry, parent, name, label string) error {
	if e.Deleted && !im.opts.Deleted {
		im.gone[e.ID] = true
		im.rep.SkippedDeleted++
		return nil
	}
	vname, ok := vaultName(name)
	if !ok {
		return im.problem(fmt.Errorf("archive7 entry %s: name %q cannot be a path element: %w", uuidString(e.ID), name, ErrArchive7Corrupt))
	}
	if vname != name {
		im.note("archive7 %s: name is not valid UTF-8 of at most %d bytes; imported as %q", label, maxName, vname)
	}
	vp := path.Join(parent, vname)
	var err error
	switch e.Type {
	case 'd':
		err = im.tx.Mkdir(vp, fs.FileMode(e.Perms)&fs.ModePerm)
		if err == nil {
			im.rep.Dirs++
		}
	case 'f':
		err = im.file(e, vp)
	case 'l':
		im.links = append(im.links, e)
		im.vpath[e.ID] = vp
		return nil
	}
	if err != nil {
		return im.problem(fmt.Errorf("archive7 %s: %w", label, err))
	}
	im.vpath[e.ID] = vp
	im.made = append(im.made, e)
	return nil
}

// file creates vp and copies the entry's stream into it.
func (im *importer) file(e *Archive7Entry, vp string) error {
	size, ok := im.a.Size(e)
	if !ok && !e.Deleted {
		err := im.a.f.corrupt(-1, "file "+e.Path, "stream %s is not in the stream registry", uuidString(e.Stream))
		if !im.opts.Salvage {
			return err
		}
		im.note("%v; imported empty", err)
	}
	if ok && uint64(size) != e.Length {
		im.note("archive7 %s: entry length %d, stream length %d (the stream is what archive7 reads)", e.Path, e.Length, size)
	}
	f, err := im.tx.OpenFile(vp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fs.FileMode(e.Perms)&fs.ModePerm)
	if err != nil {
		return err
	}
	if !ok {
		im.hard[e.ID] = true
	} else {
		var n int64
		before := len(im.a.Problems)
		err = im.a.ReadFile(e, func(p []byte) error {
			if _, err := f.Write(p); err != nil {
				return err
			}
			n += int64(len(p))
			if im.opts.Progress != nil {
				im.opts.Progress(int64(len(p)))
			}
			return nil
		})
		im.rep.Bytes += n
		im.rep.Problems = append(im.rep.Problems, im.a.Problems[before:]...)
		if err != nil {
			if _, corrupt := err.(*Archive7Error); !corrupt || !im.opts.Salvage {
				f.Close()
				return err
			}
			im.note("%v; %s kept up to byte %d of %d", err, vp, n, size)
		}
	}
	im.rep.Files++
	return f.Close()
}

// link creates a link entry once every target exists.
func (im *importer) link(e *Archive7Entry) error {
	vp := im.vpath[e.ID]
	delete(im.vpath, e.ID)
	t := im.a.byID[e.Owner]
	tp, ok := "", false
	if t != nil {
		tp, ok = im.vpath[t.ID]
	}
	switch {
	case t == nil:
		im.rep.Skipped++
		im.note("archive7 link %s: target entry %s does not exist; not imported", e.Path, uuidString(e.Owner))
		return nil
	case t.Type == 'l':
		im.rep.Skipped++
		im.note("archive7 link %s: target %s is a link (archive7 forbids links to links); not imported", e.Path, t.Path)
		return nil
	case !ok:
		im.rep.Skipped++
		im.note("archive7 link %s: target %s was not imported; link not imported", e.Path, t.Path)
		return nil
	}
	if e.Deleted && im.opts.Links == Archive7PortableLinks && t.Type == 'f' {
		im.rep.SkippedDeleted++ // a hard link has no deleted flag of its own
		return nil
	}
	var err error
	switch {
	case im.opts.Links == Archive7EntryLinks:
		err = im.tx.LinkEntry(tp, vp)
	case t.Type == 'f':
		err = im.tx.Link(tp, vp)
	default:
		err = im.tx.Symlink(tp, vp)
	}
	if err != nil {
		return im.problem(fmt.Errorf("archive7 link %s: %w", e.Path, err))
	}
	im.rep.Links++
	im.vpath[e.ID] = vp
	if im.opts.Links == Archive7EntryLinks || t.Type != 'f' {
		im.made = append(im.made, e)
	}
	return nil
}

// attrs sets perms, user, group, owner and times, after the contents (a
// write or a new child moves a modification time).
func (im *importer) attrs(e *Archive7Entry) error {
	return im.tx.modify("import", im.vpath[e.ID], false, func(v *entry) {
		v.mode = uint32(e.Perms) & 0o7777
		v.user, v.group = e.User, e.Group
		if e.Type != 'l' { // a link's owner field is its target's id
			v.owner = e.Owner
		}
		v.created = time.Unix(e.Created, 0).UnixNano()
		v.modified = time.Unix(e.Modified, 0).UnixNano()
	})
}

// deletes marks deleted entries, deepest first (a deleted directory hides
// its children from path lookups).
func (im *importer) deletes() error {
	for i := len(im.made) - 1; i >= 0; i-- {
		e := im.made[i]
		if !e.Deleted {
			continue
		}
		level := Soft
		if im.hard[e.ID] {
			level = Hard
		}
		if err := im.tx.RemoveLevel(im.vpath[e.ID], level); err != nil {
			return fmt.Errorf("archive7 %s: %w", e.Path, err)
		}
		im.rep.Deleted++
	}
	return nil
}

// String summarizes the report in one line.
func (r Archive7Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d directories, %d files (%d bytes), %d links", r.Dirs, r.Files, r.Bytes, r.Links)
	if r.Deleted > 0 {
		fmt.Fprintf(&b, ", %d deleted", r.Deleted)
	}
	if r.SkippedDeleted > 0 {
		fmt.Fprintf(&b, "; %d deleted entries left out", r.SkippedDeleted)
	}
	if r.Lost > 0 {
		fmt.Fprintf(&b, "; %d entries in lost+found", r.Lost)
	}
	if r.Skipped > 0 {
		fmt.Fprintf(&b, "; %d entries skipped", r.Skipped)
	}
	return b.String()
}
