package bloscpack

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"ringvault/storage"
	"ringvault/storage/faulty"
)

// packAt is pack through ReadFromAt: head bytes go in with Write first
// (a chunk begun by Write), the rest is read by the workers from a
// ReaderAt. It also checks that OnChunk and Progress see every chunk in
// order.
func packAt(t testing.TB, data []byte, o *Options, stream bool, head int) []byte {
	t.Helper()
	var buf bytes.Buffer
	var dst io.Writer = &buf
	mem := storage.NewMemFile(nil)
	if !stream {
		dst = &FileAppender{F: mem}
	}
	w, err := NewWriter(dst, int64(len(data)), o)
	if err != nil {
		t.Fatal(err)
	}
	var next int64
	var inSum, progress int64
	w.OnChunk = func(i int64, in int, chunk, digest []byte) {
		if i != next {
			t.Fatalf("OnChunk: chunk %d, want %d", i, next)
		}
		next++
		inSum += int64(in)
	}
	w.Progress = func(n int64) { progress += n }
	if _, err := w.Write(data[:head]); err != nil {
		t.Fatal(err)
	}
	n, err := w.ReadFromAt(bytes.NewReader(data), int64(head))
	if err != nil || n != int64(len(data)-head) {
		t.Fatalf("ReadFromAt: %d, %v; want %d", n, err, len(data)-head)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if inSum != int64(len(data)) || progress != int64(len(data)) {
		t.Fatalf("OnChunk saw %d bytes, Progress %d; want %d", inSum, progress, len(data))
	}
	if stream {
		return buf.Bytes()
	}
	return mem.Bytes()
}

// TestReadFromAtMatchesWrite: whatever the options, sizes, destination and
// bytes written before, ReadFromAt gives the bytes Write gives.
func TestReadFromAtMatchesWrite(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	iters := 80
	if testing.Short() {
		iters = 30
	}
	for it := range iters {
		o := randomOptions(rng)
		if o.ChunkSize < 64 {
			o.ChunkSize = 4096 // keep the chunk count small
		}
		sizes := []int{0, 1, 127, int(o.ChunkSize), 3*int(o.ChunkSize) + 5, rng.IntN(300000)}
		n := sizes[rng.IntN(len(sizes))]
		data := sample(rng, n)
		stream := rng.IntN(3) == 0
		head := 0
		if n > 0 && rng.IntN(2) == 0 {
			head = rng.IntN(n + 1)
		}
		want := pack(t, data, &o, stream, false)
		got := packAt(t, data, &o, stream, head)
		if !bytes.Equal(got, want) {
			t.Fatalf("iteration %d (%d bytes, head %d, stream %v, %+v): ReadFromAt wrote %d bytes, Write %d, not the same",
				it, n, head, stream, o, len(got), len(want))
		}
		if back := unpack(t, got); !bytes.Equal(back, data) {
			t.Fatalf("iteration %d: round trip differs", it)
		}
	}
}

// TestReadFromAtShortSource: an input shorter than announced is an error
// naming the chunk, and the Writer stays failed.
func TestReadFromAtShortSource(t *testing.T) {
	data := sample(rand.New(rand.NewPCG(5, 5)), 50000)
	o := DefaultOptions()
	o.ChunkSize = 8192
	for _, stream := range []bool{false, true} {
		var dst io.Writer = &FileAppender{F: storage.NewMemFile(nil)}
		if stream {
			dst = &bytes.Buffer{}
		}
		w, err := NewWriter(dst, int64(len(data))+100, &o)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.ReadFromAt(bytes.NewReader(data), 0)
		if err == nil {
			err = w.Close()
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("stream %v: got %v, want io.ErrUnexpectedEOF", stream, err)
		}
		if cerr := w.Close(); cerr == nil {
			t.Fatalf("stream %v: Close after a failed read succeeded", stream)
		}
	}
}

// failingReaderAt fails every read that reaches past off.
type failingReaderAt struct {
	r   io.ReaderAt
	off int64
}

var errDisk = errors.New("disk on fire")

func (f failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.off {
		return 0, errDisk
	}
	return f.r.ReadAt(p, off)
}

// TestReadFromAtErrors: a read error stops the Writer with that error;
// the chunks before it are written and readable.
func TestReadFromAtErrors(t *testing.T) {
	data := sample(rand.New(rand.NewPCG(6, 6)), 100000)
	o := DefaultOptions()
	o.ChunkSize = 8192
	o.Workers = 3
	mem := storage.NewMemFile(nil)
	w, err := NewWriter(&FileAppender{F: mem}, int64(len(data)), &o)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.ReadFromAt(failingReaderAt{bytes.NewReader(data), 5 * 8192}, 0)
	if !errors.Is(err, errDisk) {
		t.Fatalf("got %v, want %v", err, errDisk)
	}
	if got := len(w.Offsets()); got != 5 {
		t.Fatalf("%d chunks placed before the failing one, want 5", got)
	}
	if !errors.Is(w.Close(), errDisk) {
		t.Fatal("Close forgot the error")
	}
}

// TestReadFromAtCrash stops the machine at every write of ReadFromAt's
// parallel writers (chunks land out of order) and crashes it in every
// mode: reading the image gives an error or exactly the data, and a
// closed and synced file keeps its data.
func TestReadFromAtCrash(t *testing.T) {
	data := sample(rand.New(rand.NewPCG(8, 8)), 40000)
	o := DefaultOptions()
	o.ChunkSize = 4096
	for k := 1; k <= 12; k++ {
		for _, mode := range faulty.Modes {
			f := faulty.New(nil)
			f.FailFrom(faulty.OpWrite, k, faulty.ErrCrashed)
			w, err := NewWriter(&FileAppender{F: f}, int64(len(data)), &o)
			closed := false
			if err == nil {
				if _, err = w.ReadFromAt(bytes.NewReader(data), 0); err == nil {
					closed = w.Close() == nil && f.Sync() == nil
				} else if !errors.Is(err, faulty.ErrCrashed) {
					t.Fatalf("write %d: %v, want the crash", k, err)
				}
			}
			img := f.Crash(rand.New(rand.NewPCG(uint64(k), uint64(mode))), mode)
			r, err := NewReader(bytes.NewReader(img), int64(len(img)))
			var out bytes.Buffer
			if err == nil {
				_, err = r.WriteTo(&out)
			}
			if closed && (err != nil || !bytes.Equal(out.Bytes(), data)) {
				t.Fatalf("write %d %v: synced file lost data: %v", k, mode, err)
			}
			if err == nil && !bytes.Equal(out.Bytes(), data) {
				t.Fatalf("write %d %v: read without error but wrong data", k, mode)
			}
		}
	}
}
