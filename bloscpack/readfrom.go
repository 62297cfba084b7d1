package bloscpack

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"ringvault/blosc"
	"ringvault/storage"
)

// ReadFromAt compresses the rest of the announced input from src, starting
// at off (pack_file_to_file's loop, in parallel). When the destination is
// an io.WriterAt, every worker reads its chunk with one positioned read
// into its own buffer, compresses it, takes the next place in the file in
// chunk order and writes the chunk there itself: reading, compressing and
// writing overlap on all workers, and memory stays at two chunk buffers a
// worker whatever the file size. On a stream the workers still read their
// chunks, and the chunks are written in order as with Write. The output is
// the same either way.
//
// A src shorter than announced is an error wrapping io.ErrUnexpectedEOF;
// bytes past the announced size are not read. If a chunk cannot be read or
// compressed, the chunks before it are written and its error is returned.
// With an unknown size it is ReadFrom on a section of src.
func (w *Writer) ReadFromAt(src io.ReaderAt, off int64) (int64, error) {
	if w.size < 0 {
		return w.ReadFrom(io.NewSectionReader(src, off, 1<<62))
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.closed {
		return 0, errors.New("bloscpack: write to closed Writer")
	}
	var total int64
	if len(w.cur) > 0 { // finish the chunk Write began
		k := min(w.chunkLen()-int64(len(w.cur)), w.size-w.in)
		n, err := w.ReadFrom(io.NewSectionReader(src, off, k))
		total += n
		if err == nil && n < k {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			w.err = fmt.Errorf("bloscpack: reading input at offset %d: %w", off+n, err)
			return total, w.err
		}
		off += n
	}
	if w.in == w.size {
		return total, nil
	}
	if w.at == nil {
		n, err := w.queueFromAt(src, off)
		return total + n, err
	}
	for len(w.pending) > 0 { // chunks Write queued go first
		if err := w.flushOne(); err != nil {
			return total, err
		}
	}
	n, err := w.compressAt(src, off)
	return total + n, err
}

// queueFromAt submits the remaining chunks as jobs whose workers read them
// from src, for a destination without WriteAt.
func (w *Writer) queueFromAt(src io.ReaderAt, off int64) (int64, error) {
	var total int64
	for w.in < w.size {
		n := w.chunkLen()
		w.cur = w.cur[:0]
		if int64(cap(w.cur)) < n {
			w.cur = make([]byte, 0, n)
		}
		j := &chunkJob{in: w.cur, done: make(chan struct{}), src: src, off: off, n: int(n)}
		if err := w.submitJob(j); err != nil {
			return total, err
		}
		off += n
		w.in += n
		total += n
	}
	return total, nil
}

// turns hands out file positions in chunk order to the workers of
// compressAt.
type turns struct {
	mu     sync.Mutex
	cond   *sync.Cond
	next   int64 // the chunk whose turn it is
	failed error // set once: every worker stops
}

// wait blocks until it is chunk c's turn (true) or a worker failed
// (false); it returns with t.mu held.
func (t *turns) wait(c int64) bool {
	t.mu.Lock()
	for t.next != c && t.failed == nil {
		t.cond.Wait()
	}
	return t.failed == nil
}

// fail records err as the reason to stop, if it is the first; t.mu must be
// held.
func (t *turns) fail(err error) {
	if t.failed == nil {
		t.failed = err
	}
	t.cond.Broadcast()
}

// compressAt is ReadFromAt for a destination with WriteAt and an empty
// pending queue: the remaining chunks, from chunk w.nchunk at input offset
// off, are read, compressed and written by the workers.
func (w *Writer) compressAt(src io.ReaderAt, off int64) (int64, error) {
	base := w.nchunk
	count := w.hdr.NChunks - base
	maxIn := max(w.hdr.ChunkSize, w.hdr.LastChunk)
	t := &turns{next: base}
	t.cond = sync.NewCond(&t.mu)
	var claim atomic.Int64
	claim.Store(base)
	var wg sync.WaitGroup
	for range min(int64(w.opts.workers()), count) {
		wg.Go(func() {
			in, freeIn := chunkBuf(int(maxIn), true)
			defer freeIn()
			outBuf, freeOut := chunkBuf(int(maxIn)+blosc.MaxOverhead+w.hdr.Checksum.Size(), false)
			defer freeOut()
			out := outBuf[:0]
			for {
				c := claim.Add(1) - 1
				if c >= base+count {
					return
				}
				var ok bool
				if out, ok = w.compressChunkAt(t, src, off+(c-base)*w.hdr.ChunkSize, c, in, out); !ok {
					return
				}
			}
		})
	}
	wg.Wait()
	if t.failed != nil {
		w.err = t.failed
		return 0, w.err
	}
	w.nchunk = w.hdr.NChunks
	n := w.size - w.in
	w.in = w.size
	return n, nil
}

// compressChunkAt reads, compresses and writes chunk c (input at off) in
// its turn; out is the worker's buffer, returned for reuse.
func (w *Writer) compressChunkAt(t *turns, src io.ReaderAt, off, c int64, in, out []byte) ([]byte, bool) {
	n := w.hdr.ChunkSize
	if c == w.hdr.NChunks-1 {
		n = w.hdr.LastChunk
	}
	in = in[:n]
	var err error
	if err = storage.ReadFull(src, in, off); err != nil {
		err = fmt.Errorf("bloscpack: reading chunk %d at input offset %d: %w", c, off, err)
	} else if out, err = blosc.Compress(out[:0], in, &w.bo); err != nil {
		err = fmt.Errorf("bloscpack: compressing chunk %d: %w", c, err)
	} else {
		out = w.hdr.Checksum.Sum(out, out)
	}
	if !t.wait(c) {
		t.mu.Unlock()
		return out, false
	}
	if err != nil {
		t.fail(err)
		t.mu.Unlock()
		return out, false
	}
	pos := w.pos
	w.pos += int64(len(out))
	w.offsets = append(w.offsets, pos)
	if w.OnChunk != nil {
		k := len(out) - w.hdr.Checksum.Size()
		w.OnChunk(c, int(n), out[:k], out[k:])
	}
	if w.Progress != nil {
		w.Progress(n)
	}
	t.next++
	t.cond.Broadcast()
	t.mu.Unlock()
	if _, err := w.at.WriteAt(out, pos); err != nil {
		t.mu.Lock()
		t.fail(err)
		t.mu.Unlock()
		return out, false
	}
	return out, true
}
