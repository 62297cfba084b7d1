package vault

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/nacl/secretbox"
)

// a7Golden returns the bytes, key and manifest entry of one golden file.
func a7Golden(t testing.TB, name string) ([]byte, [32]byte, []a7ManifestEntry) {
	t.Helper()
	m := loadA7Manifest(t)
	for _, f := range m.Files {
		if f.File == name {
			b, err := os.ReadFile(a7Path(name))
			if err != nil {
				t.Fatal(err)
			}
			return b, Archive7Key(f.Secret), f.Entries
		}
	}
	t.Fatalf("%s is not in MANIFEST.json", name)
	return nil, [32]byte{}, nil
}

// importBytes imports an archive7 image into a fresh in-memory vault.
func importBytes(t testing.TB, img []byte, key [32]byte, opts *Archive7Options) (*DB, Archive7Report, error) {
	t.Helper()
	db, _ := a7Vault(t)
	a, err := OpenArchive7(bytes.NewReader(img), int64(len(img)), "test.ar7", key, opts != nil && opts.Salvage)
	if err != nil {
		return db, Archive7Report{}, err
	}
	var rep Archive7Report
	err = db.Update(func(tx *Tx) error {
		rep, err = a.ImportTo(tx, opts)
		return err
	})
	return db, rep, err
}

// a7Open decrypts block n of img.
func a7Open(t testing.TB, img []byte, key [32]byte, n int) []byte {
	t.Helper()
	raw := img[n*a7BlockSize : (n+1)*a7BlockSize]
	plain, ok := secretbox.Open(nil, raw[a7NonceSize:], (*[24]byte)(raw[:a7NonceSize]), &key)
	if !ok {
		t.Fatalf("block %d does not open", n)
	}
	return plain
}

// a7Seal re-encrypts plaintext as block n of img (a writer with the key).
func a7Seal(img []byte, key [32]byte, n int, plain []byte) {
	raw := img[n*a7BlockSize : (n+1)*a7BlockSize]
	nonce := [24]byte(raw[:a7NonceSize])
	secretbox.Seal(raw[:a7NonceSize], plain, &nonce, &key)
}

func TestImportArchive7WrongKey(t *testing.T) {
	img, key, _ := a7Golden(t, "basic.ar7")
	for _, k := range [][32]byte{Archive7Key("wrong password"), {}} {
		_, _, err := importBytes(t, img, k, nil)
		if !errors.Is(err, ErrArchive7Key) || !strings.Contains(err.Error(), "block 0") {
			t.Errorf("wrong key: %v, want ErrArchive7Key naming block 0", err)
		}
	}
	key[0] ^= 1
	if _, _, err := importBytes(t, img, key, nil); !errors.Is(err, ErrArchive7Key) {
		t.Errorf("key off by one bit: %v", err)
	}
	// Not an archive7 file at all: a vault, zeros, too short.
	v, err := os.ReadFile(filepath.Join("testdata", "v1-xaes.vault"))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"vault": v, "zeros": make([]byte, 8*a7BlockSize), "empty": nil,
		"short": img[:a7BlockSize*2], "text": []byte("hello\n"), "uneven": append(make([]byte, 9*a7BlockSize), 1)} {
		if _, _, err := importBytes(t, b, key, nil); !errors.Is(err, ErrArchive7Key) {
			t.Errorf("%s: %v, want ErrArchive7Key", name, err)
		}
	}
	// A truncated archive7 file with the wrong key is first of all the wrong key.
	if _, _, err := importBytes(t, img[:len(img)-100], Archive7Key("nope"), nil); !errors.Is(err, ErrArchive7Key) {
		t.Errorf("uneven length, wrong key: %v", err)
	}
}

// TestImportArchive7FlippedBits flips one bit in every block in turn. A
// block the importer needs (block 0, the index and entries streams, the
// streams of live files) must fail naming that block; blocks it does not
// need (trash, paths and listings trees, deleted streams) must not matter.
func TestImportArchive7FlippedBits(t *testing.T) {
	img, key, entries := a7Golden(t, "basic.ar7")
	needed := map[[16]byte]bool{uuidInt(a7Index): true, uuidInt(a7Entries): true}
	byPath := map[string]a7ManifestEntry{}
	for _, e := range entries {
		byPath[e.Path] = e
	}
	for _, e := range entries {
		if e.Type == "file" && live(byPath, e) {
			needed[parseUUID(t, e.Stream)] = true
		}
	}
	failed := 0
	for n := 0; n < len(img)/a7BlockSize; n++ {
		plain := a7Open(t, img, key, n)
		need := n == 0 || needed[[16]byte(plain[12:28])]
		bad := bytes.Clone(img)
		bad[n*a7BlockSize+a7NonceSize+100] ^= 0x10
		_, _, err := importBytes(t, bad, key, nil)
		switch {
		case need && err == nil:
			t.Errorf("block %d (stream %x): damage not detected", n, plain[12:28])
		case need && !strings.Contains(err.Error(), fmt.Sprintf("block %d:", n)):
			t.Errorf("block %d: error does not name the block: %v", n, err)
		case need && n > 0 && !errors.Is(err, ErrArchive7Corrupt):
			t.Errorf("block %d: %v, want ErrArchive7Corrupt", n, err)
		case !need && err != nil:
			t.Errorf("block %d (stream %x) is not needed, yet: %v", n, plain[12:28], err)
		}
		if err != nil {
			failed++
		}
	}
	if failed < 10 {
		t.Errorf("only %d blocks mattered", failed)
	}
}

// TestImportArchive7Resealed changes authenticated plaintext (a writer
// with the key, or a bug): the SHA-1, the links and the index fields must
// still catch it.
func TestImportArchive7Resealed(t *testing.T) {
	img, key, entries := a7Golden(t, "basic.ar7")
	var stream [16]byte
	for _, e := range entries {
		if e.Path == "/media/big.bin" {
			stream = parseUUID(t, e.Stream)
		}
	}
	var blocks []int // the blocks of big.bin, in file order of the index field
	for n := 1; n < len(img)/a7BlockSize; n++ {
		if p := a7Open(t, img, key, n); [16]byte(p[12:28]) == stream {
			blocks = append(blocks, n)
		}
	}
	if len(blocks) < 3 {
		t.Fatalf("big.bin has %d blocks", len(blocks))
	}
	n := blocks[1]
	cases := map[string]struct {
		edit func(p []byte)
		want string
	}{
		"data":     {func(p []byte) { p[a7DataOff+5] ^= 1 }, "SHA-1"},
		"index":    {func(p []byte) { binary.BigEndian.PutUint32(p[8:], 99) }, "index field"},
		"previous": {func(p []byte) { binary.BigEndian.PutUint32(p[0:], 1) }, "previous link"},
		"stream":   {func(p []byte) { p[12] ^= 1 }, "belongs to stream"},
		"next":     {func(p []byte) { binary.BigEndian.PutUint32(p[4:], 0x7fffffff) }, "out of range"},
		"loop": {func(p []byte) { // point back at an earlier block of the chain
			binary.BigEndian.PutUint32(p[4:], uint32(blocks[0]))
		}, "index field"},
	}
	for name, c := range cases {
		bad := bytes.Clone(img)
		p := a7Open(t, bad, key, n)
		c.edit(p)
		if name != "data" {
			s := sha1.Sum(p[a7DataOff:])
			copy(p[28:48], s[:])
		}
		a7Seal(bad, key, n, p)
		_, _, err := importBytes(t, bad, key, nil)
		if !errors.Is(err, ErrArchive7Corrupt) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "big.bin") {
			t.Errorf("%s: %v, want ErrArchive7Corrupt about big.bin saying %q", name, err, c.want)
		}
	}
	// Swapping two whole blocks keeps every MAC valid; the links catch it.
	bad := bytes.Clone(img)
	a, b := blocks[0]*a7BlockSize, blocks[2]*a7BlockSize
	tmp := bytes.Clone(bad[a : a+a7BlockSize])
	copy(bad[a:], bad[b:b+a7BlockSize])
	copy(bad[b:], tmp)
	if _, _, err := importBytes(t, bad, key, nil); !errors.Is(err, ErrArchive7Corrupt) {
		t.Errorf("swapped blocks: %v", err)
	}
}

func TestImportArchive7Header(t *testing.T) {
	img, key, _ := a7Golden(t, "empty.ar7")
	cases := map[string]struct {
		edit func(p []byte)
		want error
		text string
	}{
		"magic":  {func(p []byte) { copy(p[a7DataOff:], "archive8") }, ErrArchive7Key, "header.magic"},
		"marker": {func(p []byte) { p[a7DataOff+8] = 'b' }, ErrArchive7Corrupt, "header.marker"},
		"major":  {func(p []byte) { p[a7DataOff+10] = 3 }, ErrArchive7Version, "header.major: 3, want 2"},
		"minor":  {func(p []byte) { p[a7DataOff+12] = 1 }, ErrArchive7Version, "header.minor: 1, want 0"},
		"special": {func(p []byte) { // the entries descriptor's identity
			p[a7DataOff+a7DataSize-3*a7DescSize+15] = 9
		}, ErrArchive7Corrupt, "special stream entries"},
		"count": {func(p []byte) { // the entries stream claims 1000 blocks
			binary.BigEndian.PutUint32(p[a7DataOff+a7DataSize-3*a7DescSize+24:], 1000)
		}, ErrArchive7Corrupt, "block count 1000"},
	}
	for name, c := range cases {
		bad := bytes.Clone(img)
		p := a7Open(t, bad, key, 0)
		c.edit(p)
		s := sha1.Sum(p[a7DataOff:])
		copy(p[28:48], s[:])
		a7Seal(bad, key, 0, p)
		_, _, err := importBytes(t, bad, key, nil)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %v, want %v saying %q", name, err, c.want, c.text)
		}
	}
}

func TestImportArchive7Truncated(t *testing.T) {
	img, key, _ := a7Golden(t, "basic.ar7")
	_, _, err := importBytes(t, img[:len(img)-100], key, nil)
	if !errors.Is(err, ErrArchive7Corrupt) || !strings.Contains(err.Error(), "not a multiple of 4096") {
		t.Errorf("uneven length: %v", err)
	}
	// Whole blocks cut off the end: a needed block that is gone is out of
	// range; a cut that only loses unused blocks (trash) imports.
	failed := 0
	for cut := 1; cut < 12; cut++ {
		_, _, err := importBytes(t, img[:len(img)-cut*a7BlockSize], key, nil)
		if err != nil {
			failed++
			if !errors.Is(err, ErrArchive7Corrupt) || !strings.Contains(err.Error(), "out of range") {
				t.Errorf("cut %d blocks: %v", cut, err)
			}
		}
	}
	if failed == 0 {
		t.Errorf("cutting up to 11 blocks was never detected")
	}
}

func TestImportArchive7Salvage(t *testing.T) {
	img, key, entries := a7Golden(t, "basic.ar7")
	var stream [16]byte
	for _, e := range entries {
		if e.Path == "/media/big.bin" {
			stream = parseUUID(t, e.Stream)
		}
	}
	good, _, err := importBytes(t, img, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []byte
	if err := good.View(func(tx *Tx) error { want, err = tx.ReadFile("media/big.bin"); return err }); err != nil {
		t.Fatal(err)
	}
	// Damage block 4 of big.bin: the chain breaks there; salvage goes on
	// from a scan of every block and reads only that block as zeros.
	bad := bytes.Clone(img)
	var hit int
	for n := 1; n < len(img)/a7BlockSize; n++ {
		if p := a7Open(t, img, key, n); [16]byte(p[12:28]) == stream && binary.BigEndian.Uint32(p[8:]) == 4 {
			hit = n
		}
	}
	bad[hit*a7BlockSize+3000] ^= 1
	db, rep, err := importBytes(t, bad, key, &Archive7Options{Salvage: true})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range rep.Problems {
		found = found || strings.Contains(p, fmt.Sprintf("block %d:", hit)) && strings.Contains(p, "1 of the 9 blocks from step 4 on are missing")
	}
	if !found {
		t.Errorf("problems %q do not report block %d", rep.Problems, hit)
	}
	copy(want[4*a7DataSize:5*a7DataSize], make([]byte, a7DataSize))
	err = db.View(func(tx *Tx) error {
		b, err := tx.ReadFile("media/big.bin")
		if err == nil && !bytes.Equal(b, want) {
			t.Errorf("salvaged big.bin (%d bytes) is not the original with block 4 zeroed", len(b))
		}
		_, err2 := tx.Stat("hello.txt")
		return errors.Join(err, err2)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := importBytes(t, bad, key, nil); !errors.Is(err, ErrArchive7Corrupt) {
		t.Errorf("without salvage: %v", err)
	}
}

// TestImportArchive7SalvageTree damages a block of the entries tree: the
// records on the pages it held are lost, the others are found by scanning
// every page.
func TestImportArchive7SalvageTree(t *testing.T) {
	img, key, entries := a7Golden(t, "wide.ar7")
	var blocks []int
	for n := 1; n < len(img)/a7BlockSize; n++ {
		if p := a7Open(t, img, key, n); [16]byte(p[12:28]) == uuidInt(a7Entries) {
			blocks = append(blocks, n)
		}
	}
	bad := bytes.Clone(img)
	bad[blocks[len(blocks)/2]*a7BlockSize+500] ^= 4
	if _, _, err := importBytes(t, bad, key, nil); !errors.Is(err, ErrArchive7Corrupt) {
		t.Fatalf("without salvage: %v", err)
	}
	db, rep, err := importBytes(t, bad, key, &Archive7Options{Salvage: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.View(func(tx *Tx) error { got, err := tx.Search(Query{}); n = len(got); return err }); err != nil {
		t.Fatal(err)
	}
	t.Logf("salvaged %d of %d entries; problems %q", n, len(entries)-1, rep.Problems)
	if n == 0 || n >= len(entries)-1 || len(rep.Problems) == 0 {
		t.Errorf("salvaged %d of %d entries; problems %q", n, len(entries)-1, rep.Problems)
	}
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestImportArchive7Options(t *testing.T) {
	img, key, entries := a7Golden(t, "basic.ar7")
	byPath := map[string]a7ManifestEntry{}
	for _, e := range entries {
		byPath[e.Path] = e
	}
	t.Run("into+portable", func(t *testing.T) {
		db, rep, err := importBytes(t, img, key, &Archive7Options{Into: "old/a7", Links: Archive7PortableLinks})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Links != 2 {
			t.Errorf("links %d, want 2", rep.Links)
		}
		checkA7Vault(t, db, byPath, "old/a7", Archive7PortableLinks)
	})
	t.Run("deleted", func(t *testing.T) {
		db, rep, err := importBytes(t, img, key, &Archive7Options{Deleted: true})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, e := range entries {
			if e.Deleted {
				want = append(want, e.Path)
			}
		}
		if rep.Deleted != len(want) || rep.SkippedDeleted != 0 || len(want) < 2 {
			t.Errorf("report %+v, want %d deleted", rep, len(want))
		}
		errRollback := errors.New("roll back")
		for _, p := range want {
			e := byPath[p]
			err := db.Update(func(tx *Tx) error {
				if _, err := tx.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s: deleted entry is visible: %v", p, err)
				}
				if err := tx.Undelete(p); err != nil {
					return err
				}
				b, err := tx.ReadFile(p)
				if err != nil {
					return err
				}
				if e.HardDeleted && len(b) != 0 || !e.HardDeleted && int64(len(b)) != e.Size {
					t.Errorf("%s: %d bytes after Undelete (hard deleted: %v, size %d)", p, len(b), e.HardDeleted, e.Size)
				}
				return errRollback
			})
			if err != errRollback {
				t.Errorf("%s: %v", p, err)
			}
		}
		if err := db.Check(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("again", func(t *testing.T) { // a second import over the first collides
		db, _, err := importBytes(t, img, key, nil)
		if err != nil {
			t.Fatal(err)
		}
		a, err := OpenArchive7(bytes.NewReader(img), int64(len(img)), "basic.ar7", key, false)
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(func(tx *Tx) error { _, err := a.ImportTo(tx, nil); return err })
		if !errors.Is(err, fs.ErrExist) {
			t.Errorf("second import: %v, want fs.ErrExist", err)
		}
	})
}

// a7Stream gathers the plaintext positions of a stream's bytes: pos[x] is
// the offset in plain (concatenated plaintext blocks) of stream byte x.
func a7Stream(plain []byte, id [16]byte) (data []byte, pos []int) {
	blocks := map[uint32]int{}
	for n := 0; n*a7PlainSize < len(plain); n++ {
		p := plain[n*a7PlainSize : (n+1)*a7PlainSize]
		if [16]byte(p[12:28]) == id {
			blocks[binary.BigEndian.Uint32(p[8:])] = n
		}
	}
	for i := uint32(0); ; i++ {
		n, ok := blocks[i]
		if !ok {
			return data, pos
		}
		for j := 0; j < a7DataSize; j++ {
			pos = append(pos, n*a7PlainSize+a7DataOff+j)
			data = append(data, plain[n*a7PlainSize+a7DataOff+j])
		}
	}
}

// TestImportArchive7Orphans points /docs/notes at a parent that does not
// exist (with a valid record checksum): its subtree cannot be placed. A
// plain import leaves it out and says so; salvage puts it in lost+found.
func TestImportArchive7Orphans(t *testing.T) {
	_, _, entries := a7Golden(t, "basic.ar7")
	plain := a7Plaintexts(t, "basic.ar7")
	var notes a7ManifestEntry
	under := 0
	for _, e := range entries {
		if e.Path == "/docs/notes" {
			notes = e
		}
		if strings.HasPrefix(e.Path, "/docs/notes/") {
			under++
		}
	}
	a7PatchEntry(t, plain, parseUUID(t, notes.ID), func(v []byte) { v[17] ^= 0x5a }) // parent id
	img := a7Image(plain)

	db, rep, err := importBytes(t, img, fuzzA7Key, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped != 1+under || rep.Lost != 0 {
		t.Errorf("plain import: %+v, want %d skipped", rep, 1+under)
	}
	db.View(func(tx *Tx) error {
		if _, err := tx.Stat("docs/notes"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("docs/notes: %v", err)
		}
		return nil
	})
	db, rep, err = importBytes(t, img, fuzzA7Key, &Archive7Options{Salvage: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped != 0 || rep.Lost != 1+under {
		t.Errorf("salvage: %+v, want %d in lost+found", rep, 1+under)
	}
	lf := "lost+found/" + notes.ID + "-notes/multi.bin"
	db.View(func(tx *Tx) error {
		if fi, err := tx.Stat(lf); err != nil || fi.Size() != byPathSize(entries, "/docs/notes/multi.bin") {
			t.Errorf("%s: %v", lf, err)
		}
		return nil
	})
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
}

func byPathSize(entries []a7ManifestEntry, p string) int64 {
	for _, e := range entries {
		if e.Path == p {
			return e.Size
		}
	}
	return -1
}

// a7PatchEntry edits the EntryRecord of entry id inside the entries stream
// of plain (plaintext blocks) and fixes the record's checksum byte.
func a7PatchEntry(t *testing.T, plain []byte, id [16]byte, edit func(value []byte)) {
	t.Helper()
	data, pos := a7Stream(plain, uuidInt(a7Entries))
	k := -1
	for from := 0; ; {
		i := bytes.Index(data[from:], id[:])
		if i < 0 {
			t.Fatalf("record of %x not found in the entries stream", id)
		}
		i += from
		if i+16+a7EntrySize < len(data) && bytes.Equal(data[i+17:i+33], id[:]) {
			k = i
			break
		}
		from = i + 1
	}
	v := bytes.Clone(data[k+16 : k+16+a7EntrySize])
	edit(v)
	copy(data[k+16:], v)
	var sum byte
	for _, c := range data[k : k+16+a7EntrySize] {
		sum += c
	}
	data[k+16+a7EntrySize] = sum
	for x := k; x <= k+16+a7EntrySize; x++ {
		plain[pos[x]] = data[x]
	}
}

// TestImportArchive7NoRoot turns the root entry into a file: a plain
// import refuses the archive, salvage puts everything in lost+found.
func TestImportArchive7NoRoot(t *testing.T) {
	_, _, entries := a7Golden(t, "basic.ar7")
	plain := a7Plaintexts(t, "basic.ar7")
	a7PatchEntry(t, plain, rootID, func(v []byte) { v[0] = 'f' })
	img := a7Image(plain)
	if _, _, err := importBytes(t, img, fuzzA7Key, nil); !errors.Is(err, ErrArchive7Corrupt) || !strings.Contains(err.Error(), "no root directory entry") {
		t.Fatalf("plain import: %v", err)
	}
	db, rep, err := importBytes(t, img, fuzzA7Key, &Archive7Options{Salvage: true})
	if err != nil {
		t.Fatal(err)
	}
	live := 0
	for _, e := range entries {
		if !e.Deleted && e.Path != "/" {
			live++
		}
	}
	if rep.Lost != live || rep.Skipped != 0 {
		t.Errorf("salvage: %+v, want %d in lost+found", rep, live)
	}
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
}
