package cli

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// blpkLinspace writes n float64s of np.linspace(0, 100, n) to path.
func blpkLinspace(t *testing.T, path string, n int) []byte {
	t.Helper()
	b := make([]byte, 8*n)
	for i := range n {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(100*float64(i)/float64(n-1)))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

// noTemporaries fails if a temporary output is left in dir.
func noTemporaries(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".blpk-") {
			t.Fatalf("temporary %s left behind", e.Name())
		}
	}
}

// TestBlpkOutputReplaced: compress and decompress write a temporary beside
// the output and rename it into place: an existing output keeps its mode,
// a failed decompress leaves an existing output untouched, and no
// temporary is ever left behind.
func TestBlpkOutputReplaced(t *testing.T) {
	dir := t.TempDir()
	data := blpkLinspace(t, filepath.Join(dir, "in.bin"), 300000) // 3 chunks
	if err := os.WriteFile(filepath.Join(dir, "in.bin.blp"), []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runBlpkIn(t, dir, "-f", "compress", "in.bin"); code != 0 {
		t.Fatalf("compress: %d %s", code, out)
	}
	st, err := os.Stat(filepath.Join(dir, "in.bin.blp"))
	if err != nil || st.Mode().Perm() != 0o640 {
		t.Fatalf("replaced output: %v, mode %v, want 0640 kept", err, st.Mode())
	}
	for _, sync := range []string{"--sync", "-e"} {
		if code, out, _ := runBlpkIn(t, dir, "-f", "decompress", sync, "in.bin.blp", "back.bin"); code != 0 {
			t.Fatalf("decompress %s: %d %s", sync, code, out)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, "back.bin")); !bytes.Equal(got, data) {
			t.Fatal("round trip differs")
		}
	}
	noTemporaries(t, dir)

	// A damaged file over an existing output: the output stays as it was.
	blp, _ := os.ReadFile(filepath.Join(dir, "in.bin.blp"))
	blp[len(blp)-10] ^= 0xff // in the last chunk
	os.WriteFile(filepath.Join(dir, "bad.blp"), blp, 0o644)
	if code, _, _ := runBlpkIn(t, dir, "-f", "decompress", "bad.blp", "back.bin"); code != 1 {
		t.Fatalf("damaged file: exit %d, want 1", code)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "back.bin")); !bytes.Equal(got, data) {
		t.Fatal("a failed decompress changed the existing output")
	}
	// ... and with no output before, the chunks before the damage are
	// left, as bloscpack leaves them.
	if code, _, _ := runBlpkIn(t, dir, "decompress", "bad.blp", "new.bin"); code != 1 {
		t.Fatalf("damaged file: exit %d, want 1", code)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "new.bin")); !bytes.Equal(got, data[:2<<20]) {
		t.Fatalf("partial output of %d bytes, want the first two chunks", len(got))
	}
	noTemporaries(t, dir)
}

// TestBlpkOutputThroughSymlink: an output that is a symbolic link is
// written through, as bloscpack does, not replaced.
func TestBlpkOutputThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	blpkLinspace(t, filepath.Join(dir, "in.bin"), 1000)
	os.WriteFile(filepath.Join(dir, "target.blp"), nil, 0o644)
	if err := os.Symlink("target.blp", filepath.Join(dir, "link.blp")); err != nil {
		t.Skip(err)
	}
	if code, out, _ := runBlpkIn(t, dir, "-f", "compress", "in.bin", "link.blp"); code != 0 {
		t.Fatalf("compress: %d %s", code, out)
	}
	if fi, err := os.Lstat(filepath.Join(dir, "link.blp")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the link was replaced")
	}
	if fi, _ := os.Stat(filepath.Join(dir, "target.blp")); fi.Size() == 0 {
		t.Fatal("the link's target was not written")
	}
	noTemporaries(t, dir)
}
