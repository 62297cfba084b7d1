package vault

import (
	"bytes"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// This file reads Angelos archive7 files (docs/format/archive7.md) and
// imports them into a vault: ImportArchive7 is vault.md §5
// "ImportArchive7(path, secret)".

// Archive7Key is the archive7 CLI's key rule (utility.pyx get_key): a
// secret of exactly 64 hex digits is the key itself; anything else is a
// password and the key is the last 32 bytes of its unsalted SHA-512.
func Archive7Key(secret string) [32]byte {
	var k [32]byte
	if len(secret) == 64 {
		if b, err := hex.DecodeString(secret); err == nil {
			copy(k[:], b)
			return k
		}
	}
	sum := sha512.Sum512([]byte(secret))
	copy(k[:], sum[32:])
	return k
}

// Archive7Header is the Archive7 Header at the start of block 0's data
// ("!8scHHbbb16s16s16s16sQ256s", 344 bytes).
type Archive7Header struct {
	Major, Minor            uint16
	Type, Role, Use         int8
	ID, Owner, Domain, Node [16]byte
	Created                 time.Time // stored as time.mktime seconds
	Title                   string
	Raw                     []byte // the 344 bytes as stored
}

// Archive7Entry is an EntryRecord of the entries tree.
type Archive7Entry struct {
	Type                      byte // 'f' file, 'd' directory, 'l' link
	ID, Parent, Owner, Stream [16]byte
	Created, Modified         int64 // seconds as stored (time.mktime of local time)
	Length                    uint64
	Deleted                   bool
	Name, User, Group         string // NUL padding stripped
	Perms                     uint16
	// Path is the entry's path from the root ("/a/b"), rebuilt from the
	// parent ids; "" for entries whose chain does not reach the root.
	Path string
}

// Archive7 is an opened, verified archive7 file: its header, its entries
// and its stream registry. File contents are read on demand. An Archive7
// reuses its block buffers: use it from one goroutine at a time.
type Archive7 struct {
	f        *a7File
	Header   Archive7Header
	Entries  []*Archive7Entry // sorted by Path; orphans (Path "") last
	byID     map[[16]byte]*Archive7Entry
	streams  map[[16]byte]a7Desc
	salvage  bool
	Problems []string // what salvage skipped, and oddities archive7 bugs leave
}

// OpenArchive7 reads and verifies block 0, the stream registry and the
// entries tree of the archive7 file in r (size bytes). With salvage, damaged
// tree pages and records are skipped and listed in Problems instead of
// failing. The file name is only used in errors.
func OpenArchive7(r io.ReaderAt, size int64, name string, key [32]byte, salvage bool) (*Archive7, error) {
	f := &a7File{r: r, path: name, key: key, blocks: size / a7BlockSize}
	if size%a7BlockSize != 0 {
		// A damaged archive7 file, or not one at all: block 0 tells.
		if f.blocks == 0 {
			return nil, f.fail(-1, "file length", fmt.Sprintf("%d bytes, less than one block", size), ErrArchive7Key)
		}
		if _, err := f.block(0, "meta block"); err != nil {
			return nil, f.fail(0, "meta block", "does not open with this key", ErrArchive7Key)
		}
		return nil, f.corrupt(-1, "file length", "%d bytes is not a multiple of %d (%d bytes left over)", size, a7BlockSize, size%a7BlockSize)
	}
	if f.blocks < 1+a7Specials {
		return nil, f.fail(-1, "file length", fmt.Sprintf("%d blocks, an archive7 file has at least %d", f.blocks, 1+a7Specials), ErrArchive7Key)
	}
	if f.blocks > a7MaxBlocks {
		return nil, f.corrupt(-1, "file length", "%d blocks exceed archive7's int32 block numbers", f.blocks)
	}
	a := &Archive7{f: f, salvage: salvage, byID: map[[16]byte]*Archive7Entry{}, streams: map[[16]byte]a7Desc{}}
	meta, err := f.block(0, "meta block")
	if err != nil {
		var ae *Archive7Error
		if asA7(err, &ae) && ae.Err == ErrArchive7Corrupt && ae.What == "secretbox authentication failed" {
			ae.Err, ae.What = ErrArchive7Key, "does not open with this key"
		}
		return nil, err
	}
	data := append([]byte(nil), meta.data...)
	if err := a.parseHeader(data[:a7HeaderSize]); err != nil {
		return nil, err
	}
	var special [a7Specials]a7Desc
	for i := range special {
		off := a7DataSize - a7DescSize*(a7Specials-i)
		special[i] = parseDesc(data[off : off+a7DescSize])
		if want := uuidInt(i); special[i].id != want {
			return nil, f.corrupt(0, "special stream "+a7SpecialNames[i], "identity %s, want %s", uuidString(special[i].id), uuidString(want))
		}
	}
	if err := a.readIndex(special[a7Index]); err != nil {
		return nil, err
	}
	if err := a.readEntries(special[a7Entries]); err != nil {
		return nil, err
	}
	if root := a.byID[rootID]; (root == nil || root.Type != 'd') && !salvage {
		return nil, f.corrupt(-1, "entries tree", "no root directory entry (UUID 0)")
	}
	a.buildPaths()
	return a, nil
}

func asA7(err error, target **Archive7Error) bool {
	e, ok := err.(*Archive7Error)
	if ok {
		*target = e
	}
	return ok
}

func uuidInt(i int) [16]byte {
	var u [16]byte
	binary.BigEndian.PutUint64(u[8:], uint64(i))
	return u
}

func (a *Archive7) parseHeader(h []byte) error {
	f := a.f
	if !bytes.Equal(h[:8], []byte("archive7")) {
		return f.fail(0, "header.magic", fmt.Sprintf("%q, want \"archive7\"", h[:8]), ErrArchive7Key)
	}
	if h[8] != 'a' {
		return f.corrupt(0, "header.marker", "%q, want 'a'", h[8])
	}
	hd := Archive7Header{
		Major: binary.BigEndian.Uint16(h[9:]), Minor: binary.BigEndian.Uint16(h[11:]),
		Type: int8(h[13]), Role: int8(h[14]), Use: int8(h[15]),
		ID: [16]byte(h[16:32]), Owner: [16]byte(h[32:48]), Domain: [16]byte(h[48:64]), Node: [16]byte(h[64:80]),
		Created: time.Unix(int64(binary.BigEndian.Uint64(h[80:])), 0).UTC(),
		Title:   string(bytes.Trim(h[88:344], "\x00")),
		Raw:     append([]byte(nil), h...),
	}
	if hd.Major != 2 {
		return f.fail(0, "header.major", fmt.Sprintf("%d, want 2", hd.Major), ErrArchive7Version)
	}
	if hd.Minor != 0 {
		return f.fail(0, "header.minor", fmt.Sprintf("%d, want 0", hd.Minor), ErrArchive7Version)
	}
	a.Header = hd
	return nil
}

// readIndex loads the stream registry: stream id -> descriptor.
func (a *Archive7) readIndex(d a7Desc) error {
	data, err := a.f.readStream(d, "index", a.salvage, &a.Problems)
	if err != nil {
		return err
	}
	recs, err := readTree(a.f, data, a7IndexTree, a.salvage, &a.Problems)
	if err != nil {
		return err
	}
	for _, r := range recs {
		desc := parseDesc(r.value)
		if desc.id != r.key {
			err := a.f.corrupt(-1, fmt.Sprintf("index tree page %d", r.page), "record key %s holds the descriptor of stream %s", uuidString(r.key), uuidString(desc.id))
			if !a.salvage {
				return err
			}
			a.Problems = append(a.Problems, err.Error()+"; record skipped")
			continue
		}
		a.streams[desc.id] = desc
	}
	return nil
}

// readEntries loads the entries tree.
func (a *Archive7) readEntries(d a7Desc) error {
	data, err := a.f.readStream(d, "entries", a.salvage, &a.Problems)
	if err != nil {
		return err
	}
	recs, err := readTree(a.f, data, a7EntriesTree, a.salvage, &a.Problems)
	if err != nil {
		return err
	}
	for _, r := range recs {
		e, err := a.parseEntry(r)
		if err != nil {
			if !a.salvage {
				return err
			}
			a.Problems = append(a.Problems, err.Error()+"; entry skipped")
			continue
		}
		a.byID[e.ID] = e
		a.Entries = append(a.Entries, e)
	}
	return nil
}

func (a *Archive7) parseEntry(r a7Record) (*Archive7Entry, error) {
	b := r.value
	field := fmt.Sprintf("entries tree page %d entry %s", r.page, uuidString(r.key))
	e := &Archive7Entry{
		Type: b[0], ID: [16]byte(b[1:17]), Parent: [16]byte(b[17:33]), Owner: [16]byte(b[33:49]), Stream: [16]byte(b[49:65]),
		Created:  int64(binary.BigEndian.Uint64(b[65:])),
		Modified: int64(binary.BigEndian.Uint64(b[73:])),
		Length:   binary.BigEndian.Uint64(b[81:]),
		Deleted:  b[89] != 0,
		Name:     string(bytes.Trim(b[90:346], "\x00")),
		User:     string(bytes.Trim(b[346:378], "\x00")),
		Group:    string(bytes.Trim(b[378:394], "\x00")),
		Perms:    binary.BigEndian.Uint16(b[394:]),
	}
	switch {
	case e.ID != r.key:
		return nil, a.f.corrupt(-1, field, "record id %s differs from its key", uuidString(e.ID))
	case e.Type != 'f' && e.Type != 'd' && e.Type != 'l':
		return nil, a.f.corrupt(-1, field, "type %q, want 'f', 'd' or 'l'", e.Type)
	case a.byID[e.ID] != nil:
		return nil, a.f.corrupt(-1, field, "the entry appears twice")
	}
	return e, nil
}

// buildPaths rebuilds every entry's path from the parent ids (the root is
// UUID(int=0)); entries whose chain is broken or loops keep Path "" and
// are reported in Problems.
func (a *Archive7) buildPaths() {
	root := a.byID[rootID]
	if root == nil || root.Type != 'd' {
		a.Problems = append(a.Problems, "no root directory entry (UUID 0); everything goes to lost+found")
	} else {
		root.Path = "/"
	}
	const (
		visiting = 1
		done     = 2
	)
	state := make(map[[16]byte]byte, len(a.Entries))
	var resolve func(e *Archive7Entry) string
	resolve = func(e *Archive7Entry) string {
		if e.ID == rootID || state[e.ID] == done {
			return e.Path
		}
		if state[e.ID] == visiting { // a loop of parent ids
			return ""
		}
		state[e.ID] = visiting
		e.Path = ""
		if p := a.byID[e.Parent]; p != nil && p.Type == 'd' {
			if pp := resolve(p); pp != "" {
				e.Path = strings.TrimSuffix(pp, "/") + "/" + e.Name
			}
		}
		state[e.ID] = done
		return e.Path
	}
	for _, e := range a.Entries {
		if resolve(e) == "" && e.ID != rootID {
			a.Problems = append(a.Problems, fmt.Sprintf("entry %s (%q): its parent chain does not reach the root", uuidString(e.ID), e.Name))
		}
	}
	sort.SliceStable(a.Entries, func(i, j int) bool {
		pi, pj := a.Entries[i].Path, a.Entries[j].Path
		if (pi == "") != (pj == "") {
			return pj == ""
		}
		return pi < pj
	})
}

// Size is the content length of a file entry: its stream's length (what
// archive7's load returns). ok is false when the entry has no stream in the
// registry (a HARD delete freed it) or is not a file.
func (a *Archive7) Size(e *Archive7Entry) (size int64, ok bool) {
	if e.Type != 'f' {
		return 0, false
	}
	if e.Stream == rootID {
		return 0, true
	}
	d, ok := a.streams[e.Stream]
	return int64(d.length), ok
}

// ReadFile hands the content of file entry e to fn, one block's data
// (at most 4008 bytes, a reused slice) at a time, verifying every block.
// With salvage (OpenArchive7), a broken chain goes on from a scan of every
// block and unreadable blocks read as zeros; that is added to Problems.
func (a *Archive7) ReadFile(e *Archive7Entry, fn func(p []byte) error) error {
	if e.Type != 'f' {
		return fmt.Errorf("archive7: %s is not a file", e.Path)
	}
	if e.Stream == rootID {
		return nil
	}
	d, ok := a.streams[e.Stream]
	if !ok {
		return a.f.corrupt(-1, "file "+e.Path, "stream %s is not in the stream registry", uuidString(e.Stream))
	}
	left := d.length
	return a.f.read(d, "of "+e.Path, a.salvage, &a.Problems, func(i uint32, data []byte) error {
		if left == 0 {
			return nil
		}
		if left < a7DataSize {
			data = data[:left]
		}
		left -= uint64(len(data))
		return fn(data)
	})
}

// ContentBytes is the total length of the files an import would copy.
func (a *Archive7) ContentBytes(deleted bool) int64 {
	var n int64
	for _, e := range a.Entries {
		if e.Path != "" && (deleted || !e.Deleted) {
			if s, ok := a.Size(e); ok {
				n += s
			}
		}
	}
	return n
}

// vaultName maps an archive7 name to a vault name: archive7 cuts names at
// 256 bytes, possibly inside a UTF-8 sequence; the vault takes at most
// 255 bytes of valid UTF-8. ok is false for names no path may hold.
func vaultName(name string) (string, bool) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return "", false
	}
	n := strings.ToValidUTF8(name, "\uFFFD")
	for len(n) > maxName {
		_, size := utf8.DecodeLastRuneInString(n)
		n = n[:len(n)-size]
	}
	return n, true
}

// openArchive7File opens path read-only for ImportArchive7.
func openArchive7File(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}
