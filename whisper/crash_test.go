package whisper

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"ringvault/storage"
	"ringvault/storage/faulty"
)

// crashBase returns a populated 3-archive file (archives straddling sector
// boundaries) as bytes.
func crashBase(t *testing.T, r *rand.Rand, now int64) []byte {
	t.Helper()
	m := storage.NewMemFile(nil)
	if err := CreateFile(m, []ArchiveSpec{{1, 120}, {10, 60}, {60, 30}}, &CreateOptions{XFilesFactor: XFF(0.3), AggregationMethod: Sum}); err != nil {
		t.Fatal(err)
	}
	w, err := OpenFile(m, "base")
	if err != nil {
		t.Fatal(err)
	}
	var pts []Point
	for i := 0; i < 300; i++ {
		pts = append(pts, Point{now - 1700 + int64(r.IntN(1700)), float64(r.IntN(1000))})
	}
	if err := w.UpdateMany(pts, now); err != nil {
		t.Fatal(err)
	}
	return bytes.Clone(m.Bytes())
}

// recFile records every version of every 12-byte slot written through it.
type recFile struct {
	*storage.MemFile
	versions map[int64][][]byte
}

func (r *recFile) WriteAt(p []byte, off int64) (int, error) {
	for i := 0; i+pointSize <= len(p); i += pointSize {
		r.versions[off+int64(i)] = append(r.versions[off+int64(i)], bytes.Clone(p[i:i+pointSize]))
	}
	return r.MemFile.WriteAt(p, off)
}

// checkSlots verifies the crash guarantee of a whisper write: every 12-byte
// point of the data area holds its old bytes or one of the versions the
// operation wrote there (a coarse slot can be written twice in one
// UpdateMany: once from the finest archive's points and again from an
// older archive's points, each a consistent aggregate); under Tear
// a point that straddles a 512-byte sector boundary may instead hold the
// old bytes on one side of the boundary and the new on the other. The
// header is never touched by point writes.
func checkSlots(t *testing.T, what string, hdrSize int, old []byte, versions map[int64][][]byte, got []byte, tear bool) {
	t.Helper()
	if len(got) != len(old) {
		t.Fatalf("%s: crash image has %d bytes, file had %d", what, len(got), len(old))
	}
	if !bytes.Equal(got[:hdrSize], old[:hdrSize]) {
		t.Fatalf("%s: header changed", what)
	}
	for off := hdrSize; off < len(got); off += pointSize {
		g := got[off : off+pointSize]
		allowed := append([][]byte{old[off : off+pointSize]}, versions[int64(off)]...)
		if slices.ContainsFunc(allowed, func(v []byte) bool { return bytes.Equal(g, v) }) {
			continue
		}
		cut := faulty.SectorSize - off%faulty.SectorSize
		if tear && cut < pointSize {
			a, b := g[:cut], g[cut:]
			if slices.ContainsFunc(allowed, func(v []byte) bool { return bytes.Equal(a, v[:cut]) }) &&
				slices.ContainsFunc(allowed, func(v []byte) bool { return bytes.Equal(b, v[cut:]) }) {
				continue
			}
		}
		t.Fatalf("%s: point at offset %d is % x: neither the old bytes nor a version written: % x", what, off, g, allowed)
	}
}

// TestCrashUpdateMany crashes UpdateMany (and Update, Merge) at every write
// in every crash mode and checks what the disk holds.
func TestCrashUpdateMany(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	now := int64(1_700_000_000)
	rounds := 6
	if testing.Short() {
		rounds = 2
	}
	ops := map[string]func(w *File) error{
		"update_many": func(w *File) error {
			var pts []Point
			for i := 0; i < 80; i++ {
				pts = append(pts, Point{now - int64(r.IntN(1800)), float64(i)})
			}
			return w.UpdateMany(pts, now)
		},
		"update": func(w *File) error { return w.Update(42, now-5, now) },
		"merge": func(w *File) error {
			src, _ := OpenFile(storage.NewMemFile(crashBase(t, r, now)), "src")
			return Merge(src, w, 0, 0, now)
		},
	}
	for name, op := range ops {
		for round := 0; round < rounds; round++ {
			old := crashBase(t, r, now)
			// the complete result, with the same random choices
			seed := r.Uint64()
			r = rand.New(rand.NewPCG(seed, 1))
			ref := &recFile{storage.NewMemFile(bytes.Clone(old)), map[int64][][]byte{}}
			rw, _ := OpenFile(ref, "ref")
			if err := op(rw); err != nil {
				t.Fatal(err)
			}
			newImg := ref.Bytes()
			for k := 1; ; k++ {
				r = rand.New(rand.NewPCG(seed, 1))
				f := faulty.New(old)
				f.FailFrom(faulty.OpWrite, k, faulty.ErrCrashed)
				w, err := OpenFile(f, "crash")
				if err != nil {
					t.Fatal(err)
				}
				err = op(w)
				finished := err == nil
				if err != nil && !errors.Is(err, faulty.ErrCrashed) {
					t.Fatalf("%s: crash at write %d: %v", name, k, err)
				}
				for _, mode := range faulty.Modes {
					img := f.Crash(r, mode)
					what := fmt.Sprintf("%s round %d crash at write %d mode %v", name, round, k, mode)
					checkSlots(t, what, int(w.Header().Size()), old, ref.versions, img, mode == faulty.Tear)
					// the crashed file opens and fetches without error
					cw, err := OpenFile(storage.NewMemFile(img), "crashed")
					if err != nil {
						t.Fatalf("%s: reopen: %v", what, err)
					}
					if _, err := cw.Fetch(now-1800, now, now, nil); err != nil {
						t.Fatalf("%s: fetch: %v", what, err)
					}
					// whole-point writes keep every point in place
					if err := cw.Verify(); err != nil && mode != faulty.Tear {
						t.Fatalf("%s: %v", what, err)
					}
				}
				if finished {
					if !bytes.Equal(f.Current(), newImg) {
						t.Fatalf("%s: result differs from the uncrashed run", name)
					}
					break
				}
			}
		}
	}
}

// TestCrashCreate crashes CreateFile at every write: a crash image either
// fails to open with a clear error or is the complete new file.
func TestCrashCreate(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	archives := []ArchiveSpec{{10, 8640}, {60, 2000}}
	want := storage.NewMemFile(nil)
	if err := CreateFile(want, append([]ArchiveSpec(nil), archives...), nil); err != nil {
		t.Fatal(err)
	}
	for _, sparse := range []bool{false, true} {
		for k := 1; ; k++ {
			f := faulty.New(nil)
			f.FailFrom(faulty.OpWrite, k, faulty.ErrCrashed)
			err := CreateFile(f, append([]ArchiveSpec(nil), archives...), &CreateOptions{Sparse: sparse})
			for _, mode := range faulty.Modes {
				for i := 0; i < 4; i++ {
					img := f.Crash(r, mode)
					w, oerr := OpenFile(storage.NewMemFile(img), "crashed")
					if oerr != nil {
						var ce *CorruptError
						if !errors.As(oerr, &ce) && !errors.Is(oerr, faulty.ErrCrashed) && len(img) >= metadataSize {
							t.Fatalf("sparse=%v crash at write %d %v: unclear error %v", sparse, k, mode, oerr)
						}
						continue
					}
					if !bytes.Equal(img, want.Bytes()) {
						t.Fatalf("sparse=%v crash at write %d %v: opens but differs from the complete file", sparse, k, mode)
					}
					w.Close()
				}
			}
			if err == nil {
				break
			}
		}
	}
}

// TestCrashSetAggregation: the metadata rewrite is one 16-byte write in
// the first sector, so a crash leaves the old or the new metadata.
func TestCrashSetAggregation(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	old := crashBase(t, r, 1_700_000_000)
	f := faulty.New(old)
	w, err := OpenFile(f, "f")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.SetAggregation(AbsMax, XFF(0.9)); err != nil {
		t.Fatal(err)
	}
	newImg := f.Current()
	for _, mode := range faulty.Modes {
		for i := 0; i < 8; i++ {
			img := f.Crash(r, mode)
			if !bytes.Equal(img, old) && !bytes.Equal(img, newImg) {
				t.Fatalf("%v: neither old nor new file", mode)
			}
		}
	}
}

// TestResizeInterrupted stops Resize at every step: path always holds the
// complete old file or the complete new one, and no temporary file stays.
func TestResizeInterrupted(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	now := int64(1_700_000_000)
	old := crashBase(t, r, now)
	stop := errors.New("stopped")
	newArchives := []ArchiveSpec{{5, 100}, {60, 100}}
	// the complete result
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref.wsp")
	os.WriteFile(ref, old, 0o644)
	if err := Resize(ref, append([]ArchiveSpec(nil), newArchives...), now, &ResizeOptions{NoBackup: true}); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(ref)
	for _, stage := range []string{"created", "written", "synced", "backup", ""} {
		for _, noBackup := range []bool{false, true} {
			d := t.TempDir()
			p := filepath.Join(d, "m.wsp")
			os.WriteFile(p, old, 0o644)
			resizeHook = func(s string) error {
				if s == stage {
					return stop
				}
				return nil
			}
			err := Resize(p, append([]ArchiveSpec(nil), newArchives...), now, &ResizeOptions{NoBackup: noBackup})
			resizeHook = nil
			got, _ := os.ReadFile(p)
			if stage != "" {
				if !errors.Is(err, stop) || !bytes.Equal(got, old) {
					t.Fatalf("stopped at %q: err %v, old file intact %v", stage, err, bytes.Equal(got, old))
				}
			} else if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("complete resize: err %v, new file complete %v", err, bytes.Equal(got, want))
			}
			ents, _ := os.ReadDir(d)
			for _, e := range ents {
				if e.Name() != "m.wsp" && !(e.Name() == "m.wsp.bak" && !noBackup) {
					t.Fatalf("stopped at %q: left %s behind", stage, e.Name())
				}
			}
		}
	}
}
