package storage

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"unsafe"
)

func randBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, seed))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func alignedCopy(p []byte) []byte {
	b := AlignedBuffer(len(p))
	copy(b, p)
	return b
}

func TestAlignedBuffer(t *testing.T) {
	for _, n := range []int{1, 4096, 5000, 1 << 20} {
		b := AlignedBuffer(n)
		if len(b) != n || cap(b) != n {
			t.Fatalf("AlignedBuffer(%d): len %d cap %d", n, len(b), cap(b))
		}
		if uintptr(unsafe.Pointer(&b[0]))%DirectAlign != 0 {
			t.Fatalf("AlignedBuffer(%d) is not aligned", n)
		}
	}
	b := AlignedBuffer(3 * DirectAlign)
	cases := []struct {
		p    []byte
		off  int64
		want bool
	}{
		{b, 0, true},
		{b[:DirectAlign], 8192, true},
		{b[DirectAlign:], 4096, true},
		{b[1 : DirectAlign+1], 0, false},
		{b[:100], 0, false},
		{b, 512, false},
		{b[:0], 0, false},
	}
	for i, c := range cases {
		if got := Aligned(c.p, c.off); got != c.want {
			t.Errorf("case %d: Aligned = %v, want %v", i, got, c.want)
		}
	}
}

func openTemp(t *testing.T) (*OSFile, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f")
	f, err := OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, path
}

func wantContent(t *testing.T, f *OSFile, want []byte) {
	t.Helper()
	got := make([]byte, len(want)+1)
	n, _ := f.ReadAt(got, 0)
	if n != len(want) || !bytes.Equal(got[:n], want) {
		t.Fatalf("file holds %d bytes, want %d (equal prefix: %v)", n, len(want), bytes.Equal(got[:min(n, len(want))], want[:min(n, len(want))]))
	}
}

// TestDirectIO: aligned writes bypass the page cache, others are
// buffered, and both read back at once through the file (also over pages
// the file had cached before), through direct reads, and after reopening.
func TestDirectIO(t *testing.T) {
	f, path := openTemp(t)
	w := NewDirectIO(f)
	defer w.Close()
	if runtime.GOOS == "linux" && !w.IsDirect() {
		t.Logf("no direct I/O on this file system: every write is buffered")
	}
	model := make([]byte, 0, 1<<20)
	put := func(p []byte, off int64) {
		if end := int(off) + len(p); end > len(model) {
			model = append(model, make([]byte, end-len(model))...)
		}
		copy(model[off:], p)
	}
	// An extending aligned write.
	a := alignedCopy(randBytes(1, 64<<10))
	if n, err := w.WriteAt(a, 0); n != len(a) || err != nil {
		t.Fatalf("WriteAt = %d, %v", n, err)
	}
	put(a, 0)
	wantContent(t, f, model)
	if w.IsDirect() && w.DirectBytes() != int64(len(a)) {
		t.Fatalf("DirectBytes = %d after an aligned write of %d", w.DirectBytes(), len(a))
	}
	// Cache the pages, then overwrite them directly: the reader must see
	// the new bytes, not the cached ones.
	wantContent(t, f, model)
	b := alignedCopy(randBytes(2, 16<<10))
	if _, err := w.WriteAt(b, 8192); err != nil {
		t.Fatal(err)
	}
	put(b, 8192)
	wantContent(t, f, model)
	// Unaligned address, length and offset fall back to buffered writes.
	before := w.DirectBytes()
	c := randBytes(3, 1000)
	if _, err := w.WriteAt(c, 5000); err != nil {
		t.Fatal(err)
	}
	put(c, 5000)
	u := AlignedBuffer(2*DirectAlign + 1)[1:]
	copy(u, randBytes(4, len(u)))
	if _, err := w.WriteAt(u, 3*DirectAlign); err != nil {
		t.Fatal(err)
	}
	put(u, 3*DirectAlign)
	if w.DirectBytes() != before {
		t.Fatalf("unaligned writes went direct")
	}
	wantContent(t, f, model)
	// Vectored: aligned buffers in one pwritev, then a mix (buffered).
	v := [][]byte{alignedCopy(randBytes(5, 8192)), alignedCopy(randBytes(6, 4096)), alignedCopy(randBytes(7, 12288))}
	if n, err := w.WriteVecAt(v, 60<<10); n != 24576 || err != nil {
		t.Fatalf("WriteVecAt = %d, %v", n, err)
	}
	put(bytes.Join(v, nil), 60<<10)
	if w.IsDirect() && w.DirectBytes() != before+24576 {
		t.Fatalf("DirectBytes = %d, want %d", w.DirectBytes(), before+24576)
	}
	mixed := [][]byte{alignedCopy(randBytes(8, 4096)), randBytes(9, 333), alignedCopy(randBytes(10, 4096))}
	if n, err := w.WriteVecAt(mixed, 100000); n != 4096+333+4096 || err != nil {
		t.Fatalf("WriteVecAt = %d, %v", n, err)
	}
	put(bytes.Join(mixed, nil), 100000)
	wantContent(t, f, model)
	wantDirectRead(t, w, model)
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	g, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	wantContent(t, g, model)
}

// wantDirectRead reads model back through w: aligned (direct) and
// unaligned (buffered) reads, and reads reaching the end of the file.
func wantDirectRead(t *testing.T, w *DirectIO, model []byte) {
	t.Helper()
	buf := AlignedBuffer(len(model) + 3*DirectAlign)
	for _, c := range []struct{ off, n int }{
		{0, len(model) / DirectAlign * DirectAlign},
		{DirectAlign, 2 * DirectAlign},
		{100, 5000},
		{len(model) / DirectAlign * DirectAlign, 2 * DirectAlign}, // past the end
		{0, len(model) + 2*DirectAlign - len(model)%DirectAlign},  // whole file and more
	} {
		p := buf[:c.n]
		n, err := w.ReadAt(p, int64(c.off))
		want := model[min(c.off, len(model)):min(c.off+c.n, len(model))]
		if n != len(want) || !bytes.Equal(p[:n], want) {
			t.Fatalf("ReadAt(%d bytes at %d) = %d bytes, want %d (equal prefix %v)", c.n, c.off, n, len(want), bytes.Equal(p[:min(n, len(want))], want[:min(n, len(want))]))
		}
		if short := n < c.n; short != (err == io.EOF) {
			t.Fatalf("ReadAt(%d bytes at %d) = %d, %v", c.n, c.off, n, err)
		}
	}
}

// TestDirectIORenamed: the direct descriptor follows the open file,
// not its name.
func TestDirectIORenamed(t *testing.T) {
	f, path := openTemp(t)
	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("other file"), 0o600); err != nil {
		t.Fatal(err)
	}
	w := NewDirectIO(f)
	defer w.Close()
	a := alignedCopy(randBytes(11, 8192))
	if _, err := w.WriteAt(a, 0); err != nil {
		t.Fatal(err)
	}
	wantContent(t, f, a)
	if b, _ := os.ReadFile(path); string(b) != "other file" {
		t.Fatalf("the writer wrote to the new file at the old name: %q", b[:min(len(b), 16)])
	}
}

// TestDirectIOReadOnly: a read-only file reads directly, and writes
// fail as the file's own WriteAt does.
func TestDirectIOReadOnly(t *testing.T) {
	rw, path := openTemp(t)
	model := randBytes(12, 5*DirectAlign+17)
	if _, err := rw.WriteAt(model, 0); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := NewDirectIO(f)
	defer w.Close()
	wantDirectRead(t, w, model)
	for _, p := range [][]byte{AlignedBuffer(4096), make([]byte, 10)} {
		if _, err := w.WriteAt(p, 0); err == nil {
			t.Fatal("write through a read-only file succeeded")
		}
	}
	if _, err := w.WriteAt(AlignedBuffer(4096), -4096); err != ErrNegativeOffset {
		t.Fatalf("negative offset: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestDirectIOCloseWhileReading: Close waits for transfers in flight; later
// transfers go through the file's own descriptor.
func TestDirectIOCloseWhileReading(t *testing.T) {
	f, _ := openTemp(t)
	model := randBytes(13, 64*DirectAlign)
	if _, err := f.WriteAt(model, 0); err != nil {
		t.Fatal(err)
	}
	w := NewDirectIO(f)
	done := make(chan error)
	for g := range 4 {
		go func() {
			buf := AlignedBuffer(len(model))
			for i := range 50 {
				off := int64((g + i) % 8 * DirectAlign)
				n, err := w.ReadAt(buf[:len(model)-int(off)], off)
				if err == nil && !bytes.Equal(buf[:n], model[off:]) {
					err = fmt.Errorf("read %d bytes at %d: content differs", n, off)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if w.IsDirect() {
		t.Fatal("direct after Close")
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	wantDirectRead(t, w, model)
}
