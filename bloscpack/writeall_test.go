package bloscpack

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"ringvault/storage"
	"ringvault/storage/faulty"
)

// TestWriteAllToFirstDamageWins: with several damaged chunks, however the
// workers race, WriteAllTo reports the first one (by position) and keeps
// exactly the chunks before it, as the sequential WriteTo does; with an
// OnChunk hook (the ordered path) the result is the same.
func TestWriteAllToFirstDamageWins(t *testing.T) {
	data := sample(rand.New(rand.NewPCG(21, 22)), 300000)
	o := DefaultOptions()
	o.ChunkSize = 4096
	file := pack(t, data, &o, false, false)
	r, _ := NewReader(bytes.NewReader(file), int64(len(file)))
	offs := r.Offsets()
	for _, damaged := range [][]int{{5, 60}, {60, 5}, {0}, {len(offs) - 1}, {3, 4, 5}} {
		bad := bytes.Clone(file)
		for _, i := range damaged {
			bad[offs[i]+20] ^= 0x40
		}
		first := damaged[0]
		for _, i := range damaged {
			first = min(first, i)
		}
		for _, workers := range []int{1, 2, 5} {
			for _, hook := range []bool{false, true} {
				br, _ := NewReader(bytes.NewReader(bad), int64(len(bad)))
				br.Workers = workers
				if hook {
					br.OnChunk = func(int, []byte, []byte, int) {}
				}
				var progress int64
				br.Progress = func(n int64) { progress += n }
				out := storage.NewMemFile(nil)
				n, err := br.WriteAllTo(out)
				want := fmt.Sprintf("chunk %d", first)
				var e *Error
				if !errors.Is(err, ErrChecksumMismatch) || !errors.As(err, &e) || e.Field != want {
					t.Fatalf("damaged %v, %d workers, hook %v: %v, want a checksum mismatch in %s", damaged, workers, hook, err, want)
				}
				// Progress may also count chunks after the damage that
				// were written (then cut off) before it was found.
				if keep := int64(first) * o.ChunkSize; n != keep || !bytes.Equal(out.Bytes(), data[:keep]) || progress < keep {
					t.Fatalf("damaged %v, %d workers: %d bytes returned, %d kept, %d reported; want %d", damaged, workers, n, len(out.Bytes()), progress, keep)
				}
			}
		}
	}
}

// TestWriteAllToWriteError: a failing destination stops WriteAllTo with
// its error.
func TestWriteAllToWriteError(t *testing.T) {
	data := sample(rand.New(rand.NewPCG(23, 24)), 100000)
	o := DefaultOptions()
	o.ChunkSize = 4096
	file := pack(t, data, &o, false, false)
	for k := 1; k <= 5; k++ {
		r, _ := NewReader(bytes.NewReader(file), int64(len(file)))
		f := faulty.New(nil)
		f.FailFrom(faulty.OpWrite, k, faulty.ErrCrashed)
		if _, err := r.WriteAllTo(f); !errors.Is(err, faulty.ErrCrashed) {
			t.Fatalf("write %d fails: got %v", k, err)
		}
	}
}
