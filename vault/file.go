package vault

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"
)

// File is an open file or directory inside a transaction, modelled on
// *os.File: Read, Write, ReadAt, WriteAt, Seek, Truncate, Stat, ReadDir.
// A File opened for writing is a storage.File, so another format (a
// Whisper database, a PING log) can live inside a vault; its Sync is a
// no-op because durability comes with the transaction's commit.
type File struct {
	mu     sync.Mutex
	tx     *Tx
	ownTx  bool // opened through FS(): Close ends the read transaction
	name   string
	e      *entry
	s      *stream
	flag   int
	off    int64
	closed bool
	dir    []fs.DirEntry
	dirOff int
}

var errClosedFile = errors.New("file already closed")

func (f *File) usable(write bool) error {
	if f.closed {
		return pathErr("use", f.name, errClosedFile)
	}
	if f.tx.closed {
		return pathErr("use", f.name, ErrTxClosed)
	}
	if write && f.flag&(os.O_WRONLY|os.O_RDWR) == 0 {
		return pathErr("write", f.name, errors.New("file not opened for writing"))
	}
	if f.e.typ != typeFile {
		return pathErr("read", f.name, errors.New("is a directory"))
	}
	return nil
}

// Name returns the name the file was opened with.
func (f *File) Name() string { return f.name }

// Read reads from the current offset.
func (f *File) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.usable(false); err != nil {
		return 0, err
	}
	if f.flag&os.O_WRONLY != 0 {
		return 0, pathErr("read", f.name, errors.New("file opened write-only"))
	}
	if f.off >= f.s.length {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	n, err := f.s.readAt(p, f.off)
	f.off += int64(n)
	if err != nil {
		return n, pathErr("read", f.name, err)
	}
	return n, nil
}

// ReadAt reads at off without moving the offset (io.ReaderAt).
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.usable(false); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, pathErr("readat", f.name, fs.ErrInvalid)
	}
	n, err := f.s.readAt(p, off)
	if err != nil {
		return n, pathErr("readat", f.name, err)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Write writes at the current offset (at the end with O_APPEND).
func (f *File) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.usable(true); err != nil {
		return 0, err
	}
	if f.flag&os.O_APPEND != 0 {
		f.off = f.s.length
	}
	if err := f.write(p, f.off); err != nil {
		return 0, err
	}
	f.off += int64(len(p))
	return len(p), nil
}

// WriteAt writes at off (io.WriterAt).
func (f *File) WriteAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.usable(true); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, pathErr("writeat", f.name, fs.ErrInvalid)
	}
	if err := f.write(p, off); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (f *File) write(p []byte, off int64) error {
	if len(p) == 0 {
		return nil
	}
	if err := f.s.writeAt(p, off); err != nil {
		return pathErr("write", f.name, err)
	}
	f.e.modified = f.tx.now()
	return nil
}

// WriteString is Write of a string.
func (f *File) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// Seek sets the offset (io.Seeker).
func (f *File) Seek(offset int64, whence int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, pathErr("seek", f.name, errClosedFile)
	}
	var size int64
	if f.s != nil {
		size = f.s.length
	}
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += f.off
	case io.SeekEnd:
		offset += size
	default:
		return 0, pathErr("seek", f.name, fs.ErrInvalid)
	}
	if offset < 0 {
		return 0, pathErr("seek", f.name, fs.ErrInvalid)
	}
	f.off = offset
	return offset, nil
}

// Truncate changes the file's size.
func (f *File) Truncate(size int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.usable(true); err != nil {
		return err
	}
	if size < 0 {
		return pathErr("truncate", f.name, fs.ErrInvalid)
	}
	if err := f.s.truncate(size); err != nil {
		return pathErr("truncate", f.name, err)
	}
	f.e.modified = f.tx.now()
	return nil
}

// Size returns the file's length (storage.File).
func (f *File) Size() (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.usable(false); err != nil {
		return 0, err
	}
	return f.s.length, nil
}

// Sync is a no-op: the transaction's commit makes writes durable.
func (f *File) Sync() error {
	if f.closed {
		return pathErr("sync", f.name, errClosedFile)
	}
	return nil
}

// Stat describes the open file.
func (f *File) Stat() (fs.FileInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, pathErr("stat", f.name, errClosedFile)
	}
	return f.tx.info(f.e, f.name), nil
}

// ReadDir reads directory entries like os.File.ReadDir (fs.ReadDirFile).
func (f *File) ReadDir(n int) ([]fs.DirEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, pathErr("readdir", f.name, errClosedFile)
	}
	if f.e.typ != typeDir {
		return nil, pathErr("readdir", f.name, errors.New("not a directory"))
	}
	if f.dir == nil {
		d, err := f.tx.readDir(f.e)
		if err != nil {
			return nil, err
		}
		f.dir = append(d, []fs.DirEntry{}...)
		if f.dir == nil {
			f.dir = []fs.DirEntry{}
		}
	}
	rest := f.dir[f.dirOff:]
	if n <= 0 {
		f.dirOff = len(f.dir)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	f.dirOff += n
	return rest[:n], nil
}

// Close closes the file. Its changes stay in the transaction.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return pathErr("close", f.name, errClosedFile)
	}
	f.closed = true
	if f.s != nil && f.s.tx == nil {
		f.s.dropAhead() // read-only streams belong to one File
	}
	if f.ownTx {
		f.tx.end()
	}
	return nil
}

// fileInfo is the fs.FileInfo of a vault entry; Sys returns *EntryInfo.
type fileInfo struct {
	name string
	e    EntryInfo
}

// EntryInfo is the full catalog record of an entry (FileInfo.Sys()).
type EntryInfo struct {
	ID, Parent, Owner          [16]byte
	Type                       string // "file", "dir", "symlink", "link"
	Mode                       uint32
	UID, GID                   uint32
	User, Group                string
	Nlink                      uint32
	Size                       int64
	Created, Modified, Changed time.Time
	Deleted, Inline            bool
	Target                     string   // symlink target
	LinkTarget                 [16]byte // entry link target
	Blocks                     uint64   // stream depth-0 root block (0 for inline)
}

var typeNames = map[byte]string{typeFile: "file", typeDir: "dir", typeSymlink: "symlink", typeLink: "link"}

func (tx *Tx) info(e *entry, name string) fs.FileInfo {
	base := name
	if c, ok := cleanPath(name); ok {
		base = c
		if i := lastSlash(c); i >= 0 {
			base = c[i+1:]
		}
	}
	size := int64(0)
	if e.typ == typeFile {
		if s, ok := tx.streams[e.id]; ok {
			size = s.length
		} else if e.flags&flagInline != 0 {
			size = int64(len(e.inline))
		} else {
			size = int64(e.desc.length)
		}
	} else if e.typ == typeSymlink {
		size = int64(len(e.target))
	}
	return &fileInfo{name: base, e: EntryInfo{
		ID: e.id, Parent: e.parent, Owner: e.owner, Type: typeNames[e.typ], Mode: e.mode,
		UID: e.uid, GID: e.gid, User: e.user, Group: e.group, Nlink: e.nlink, Size: size,
		Created: time.Unix(0, e.created).UTC(), Modified: time.Unix(0, e.modified).UTC(), Changed: time.Unix(0, e.changed).UTC(),
		Deleted: e.flags&flagDeleted != 0, Inline: e.flags&flagInline != 0, Target: e.target, LinkTarget: e.link,
	}}
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

func (fi *fileInfo) Name() string       { return fi.name }
func (fi *fileInfo) Size() int64        { return fi.e.Size }
func (fi *fileInfo) ModTime() time.Time { return fi.e.Modified }
func (fi *fileInfo) IsDir() bool        { return fi.e.Type == "dir" }
func (fi *fileInfo) Sys() any           { return &fi.e }
func (fi *fileInfo) Mode() fs.FileMode {
	m := fs.FileMode(fi.e.Mode & 0o777)
	if fi.e.Mode&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if fi.e.Mode&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if fi.e.Mode&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	switch fi.e.Type {
	case "dir":
		m |= fs.ModeDir
	case "symlink":
		m |= fs.ModeSymlink
	}
	return m
}

func (f *File) setAttr(op string, fn func(e *entry)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return pathErr(op, f.name, errClosedFile)
	}
	if err := f.tx.check(true); err != nil {
		return err
	}
	fn(f.e)
	f.e.changed = f.tx.now()
	return f.tx.putEntry(f.e)
}

// Chmod sets the permission bits (os.File.Chmod).
func (f *File) Chmod(mode fs.FileMode) error {
	return f.setAttr("chmod", func(e *entry) { e.mode = uint32(mode.Perm()) | modeExtra(mode) })
}

// Chown sets the numeric owner (os.File.Chown).
func (f *File) Chown(uid, gid int) error {
	return f.setAttr("chown", func(e *entry) { e.uid, e.gid = uint32(uid), uint32(gid) })
}

// SetModTime sets the modification time; later writes in the same
// transaction move it to their own time again.
func (f *File) SetModTime(mtime time.Time) error {
	return f.setAttr("chtimes", func(e *entry) { e.modified = mtime.UnixNano() })
}
