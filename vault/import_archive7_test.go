package vault

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ringvault/storage"
)

// The golden files under testdata/archive7 were made by the real Angelos
// archive7 code (make_golden.py); MANIFEST.json says what they hold, as
// archive7 itself reads it back.

type a7Manifest struct {
	Independent bool   `json:"independent_generator"`
	Commit      string `json:"angelos_commit"`
	Files       []struct {
		File   string `json:"file"`
		Secret string `json:"secret"`
		KeyHex string `json:"key_hex"`
		Blocks int64  `json:"blocks"`
		Header struct {
			Title, Owner, Domain, Node, ID string
		} `json:"header"`
		Entries  []a7ManifestEntry `json:"entries"`
		Erased   []string          `json:"erased"`
		Dangling int               `json:"dangling_listing_ids"`
	} `json:"files"`
}

type a7ManifestEntry struct {
	Path, Type, ID, Parent, Owner, Stream string
	Created, Modified                     int64
	Length                                uint64
	Deleted                               bool
	Name, User, Group                     string
	Perms                                 uint16
	HardDeleted                           bool `json:"hard_deleted"`
	Size                                  int64
	Sha256                                string
	Target                                string
}

func loadA7Manifest(t testing.TB) *a7Manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "archive7", "MANIFEST.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m a7Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Independent || m.Commit == "" || len(m.Files) == 0 {
		t.Fatalf("MANIFEST.json: want files made by the real archive7 at a named commit, got %+v", m)
	}
	return &m
}

func a7Path(name string) string { return filepath.Join("testdata", "archive7", name) }

func parseUUID(t testing.TB, s string) [16]byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) != 16 {
		t.Fatalf("bad uuid %q", s)
	}
	return [16]byte(b)
}

// a7Vault is a fresh in-memory vault with a raw key (no KDF cost).
func a7Vault(t testing.TB) (*DB, *storage.MemFile) {
	t.Helper()
	mf := storage.NewMemFile(nil)
	db, err := CreateFile(mf, &Options{Key: bytes.Repeat([]byte{7}, 32), Now: func() time.Time { return time.Unix(1_800_000_000, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	return db, mf
}

func TestArchive7Key(t *testing.T) {
	m := loadA7Manifest(t)
	for _, f := range m.Files {
		k := Archive7Key(f.Secret)
		if hex.EncodeToString(k[:]) != f.KeyHex {
			t.Errorf("%s: Archive7Key(%q) = %x, archive7's CLI rule gives %s", f.File, f.Secret, k, f.KeyHex)
		}
	}
}

// live reports whether a manifest entry and all its ancestors are not
// deleted (what a default import brings in).
func live(byPath map[string]a7ManifestEntry, e a7ManifestEntry) bool {
	for p := e.Path; p != "/"; p = path.Dir(p) {
		if byPath[p].Deleted {
			return false
		}
	}
	return true
}

func TestImportArchive7Golden(t *testing.T) {
	m := loadA7Manifest(t)
	for _, mf := range m.Files {
		t.Run(mf.File, func(t *testing.T) {
			db, _ := a7Vault(t)
			rep, err := ImportArchive7(db, a7Path(mf.File), Archive7Key(mf.Secret), nil)
			if err != nil {
				t.Fatal(err)
			}
			byPath := map[string]a7ManifestEntry{}
			for _, e := range mf.Entries {
				byPath[e.Path] = e
			}
			var want Archive7Report
			for _, e := range mf.Entries {
				switch {
				case e.Path == "/":
				case !live(byPath, e):
					want.SkippedDeleted++
				case e.Type == "dir":
					want.Dirs++
				case e.Type == "file":
					want.Files++
					want.Bytes += e.Size
				case e.Type == "link":
					want.Links++
				}
			}
			if rep.Dirs != want.Dirs || rep.Files != want.Files || rep.Links != want.Links || rep.Bytes != want.Bytes ||
				rep.SkippedDeleted != want.SkippedDeleted || rep.Skipped != 0 || !rep.HeaderStored {
				t.Errorf("report %+v, want %+v", rep, want)
			}
			checkA7Vault(t, db, byPath, "", Archive7EntryLinks)
			for _, p := range mf.Erased {
				if err := db.View(func(tx *Tx) error { _, err := tx.Lstat(p); return err }); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("erased %s: Lstat error %v, want not exist", p, err)
				}
			}
			if err := db.Check(); err != nil {
				t.Fatal(err)
			}
			hdr := db.Info().AppHeader
			if len(hdr) != a7HeaderSize || !bytes.Contains(hdr, []byte(mf.Header.Title)) {
				t.Errorf("app header %q does not hold the archive7 header titled %q", hdr, mf.Header.Title)
			}
		})
	}
}

// checkA7Vault compares the vault under into with the live manifest entries.
func checkA7Vault(t *testing.T, db *DB, byPath map[string]a7ManifestEntry, into string, links Archive7LinkMode) {
	t.Helper()
	n := 0
	err := db.View(func(tx *Tx) error {
		for _, e := range byPath {
			if e.Path == "/" || !live(byPath, e) {
				continue
			}
			n++
			vp := path.Join("/", into, e.Path)
			fi, err := tx.Lstat(vp)
			if err != nil {
				t.Errorf("%s: %v", e.Path, err)
				continue
			}
			info := fi.Sys().(*EntryInfo)
			checkA7Attrs(t, e, info, links)
			switch e.Type {
			case "file":
				b, err := tx.ReadFile(vp)
				if err != nil {
					t.Errorf("%s: %v", e.Path, err)
					continue
				}
				if sum := sha256.Sum256(b); int64(len(b)) != e.Size || hex.EncodeToString(sum[:]) != e.Sha256 {
					t.Errorf("%s: %d bytes sha256 %x, want %d bytes %s", e.Path, len(b), sum, e.Size, e.Sha256)
				}
			case "link":
				target, err := tx.Lstat(path.Join("/", into, e.Target))
				if err != nil {
					t.Errorf("%s: target %s: %v", e.Path, e.Target, err)
					continue
				}
				ti := target.Sys().(*EntryInfo)
				switch {
				case links == Archive7EntryLinks && (info.Type != "link" || info.LinkTarget != ti.ID):
					t.Errorf("%s: %s to %x, want an entry link to %s (%x)", e.Path, info.Type, info.LinkTarget, e.Target, ti.ID)
				case links == Archive7PortableLinks && ti.Type == "file" && info.ID != ti.ID:
					t.Errorf("%s: want a hard link to %s", e.Path, e.Target)
				case links == Archive7PortableLinks && ti.Type == "dir" && (info.Type != "symlink" || info.Target != path.Join("/", into, e.Target)):
					t.Errorf("%s: %s to %q, want a symlink to %s", e.Path, info.Type, info.Target, e.Target)
				}
				if ti.Type == "file" { // reading through the link gives the target's content
					a, err1 := tx.ReadFile(path.Join("/", into, e.Path))
					b, err2 := tx.ReadFile(path.Join("/", into, e.Target))
					if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
						t.Errorf("%s: reading through the link: %v %v", e.Path, err1, err2)
					}
				}
			}
		}
		got, err := tx.Search(Query{})
		if err != nil {
			return err
		}
		if into == "" && len(got) != n {
			t.Errorf("vault holds %d entries, want %d: %q", len(got), n, got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func checkA7Attrs(t *testing.T, e a7ManifestEntry, info *EntryInfo, links Archive7LinkMode) {
	t.Helper()
	if e.Type == "link" && links == Archive7PortableLinks {
		return // a hard link is its target; a symlink keeps only its times
	}
	if info.Type != e.Type {
		t.Errorf("%s: type %s, want %s", e.Path, info.Type, e.Type)
	}
	if info.Mode&0o7777 != uint32(e.Perms)&0o7777 {
		t.Errorf("%s: mode %o, want %o", e.Path, info.Mode, e.Perms)
	}
	if info.User != e.User || info.Group != e.Group {
		t.Errorf("%s: user/group %q/%q, want %q/%q", e.Path, info.User, info.Group, e.User, e.Group)
	}
	if e.Type != "link" && info.Owner != parseUUID(t, e.Owner) {
		t.Errorf("%s: owner %x, want %s", e.Path, info.Owner, e.Owner)
	}
	if info.Created.Unix() != e.Created || info.Modified.Unix() != e.Modified {
		t.Errorf("%s: created/modified %d/%d, want %d/%d", e.Path, info.Created.Unix(), info.Modified.Unix(), e.Created, e.Modified)
	}
}

func TestOpenArchive7Header(t *testing.T) {
	m := loadA7Manifest(t)
	for _, mf := range m.Files {
		b, err := os.ReadFile(a7Path(mf.File))
		if err != nil {
			t.Fatal(err)
		}
		a, err := OpenArchive7(bytes.NewReader(b), int64(len(b)), mf.File, Archive7Key(mf.Secret), false)
		if err != nil {
			t.Fatal(err)
		}
		h := a.Header
		if h.Title != mf.Header.Title || h.Owner != parseUUID(t, mf.Header.Owner) || h.Domain != parseUUID(t, mf.Header.Domain) ||
			h.Node != parseUUID(t, mf.Header.Node) || h.ID != parseUUID(t, mf.Header.ID) || h.Major != 2 || h.Minor != 0 {
			t.Errorf("%s: header %+v, want %+v", mf.File, h, mf.Header)
		}
		if len(a.Entries) != len(mf.Entries) {
			t.Errorf("%s: %d entries, want %d", mf.File, len(a.Entries), len(mf.Entries))
		}
		for i, e := range a.Entries {
			w := mf.Entries[i]
			if e.Path != w.Path || e.ID != parseUUID(t, w.ID) || e.Parent != parseUUID(t, w.Parent) ||
				e.Stream != parseUUID(t, w.Stream) || e.Length != w.Length || e.Deleted != w.Deleted || e.Name != w.Name {
				t.Errorf("%s: entry %d = %+v, want %+v", mf.File, i, e, w)
			}
		}
	}
}

// BenchmarkArchive7Read measures the archive7 reader alone: open and
// verify, then read every file (secretbox, SHA-1 and link checks per
// block). Bytes are the archive7 file's size.
func BenchmarkArchive7Read(b *testing.B) {
	img, key, _ := a7Golden(b, "basic.ar7")
	b.SetBytes(int64(len(img)))
	b.ReportAllocs()
	for b.Loop() {
		a, err := OpenArchive7(bytes.NewReader(img), int64(len(img)), "basic.ar7", key, false)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range a.Entries {
			if e.Type == 'f' && !e.Deleted {
				if err := a.ReadFile(e, func([]byte) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

// BenchmarkImportArchive7 is the whole import into an in-memory vault
// (reader, vault writes, commit). Bytes are the archive7 file's size.
func BenchmarkImportArchive7(b *testing.B) {
	img, key, _ := a7Golden(b, "basic.ar7")
	b.SetBytes(int64(len(img)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := importBytes(b, img, key, nil); err != nil {
			b.Fatal(err)
		}
	}
}
