package bloscpack

import (
	"io"
	"sync"
)

// writeAllParallel is WriteAllTo without an OnChunk hook: every worker
// takes the next chunk in file order (reading its Blosc header to find the
// one after, as bloscpack walks the file), then reads, verifies, decodes
// and writes it at its place on its own, so no chunk waits for another
// and no goroutine hands chunks to the workers. On an error in chunk k the
// workers stop taking chunks, finish theirs, and w is truncated after
// chunk k-1: the chunks before the damage stay, as in WriteTo.
func (r *Reader) writeAllParallel(w io.WriterAt) (int64, error) {
	h := r.hdr
	var (
		mu      sync.Mutex
		next    int // the next chunk to take
		pos     = r.first
		failed  = -1 // the first chunk that failed
		failErr error
		done    int64
	)
	fail := func(i int, err error) { // with mu held
		if failed < 0 || i < failed {
			failed, failErr = i, err
		}
	}
	var wg sync.WaitGroup
	for range min(r.workers(), int(h.NChunks)) {
		wg.Go(func() {
			for {
				mu.Lock()
				if failed >= 0 || int64(next) >= h.NChunks {
					mu.Unlock()
					return
				}
				i := next
				c, np, err := r.locateRaw(i, pos)
				if err != nil {
					fail(i, err)
					mu.Unlock()
					return
				}
				next, pos = next+1, np
				mu.Unlock()
				c.n, c.at, c.start = h.ChunkSize, w, int64(i)*h.ChunkSize
				if int64(i) == h.NChunks-1 {
					c.n = h.LastChunk
				}
				r.decode(c)
				if c.err == nil {
					c.err = c.werr
				}
				mu.Lock()
				if c.err != nil {
					fail(i, c.err)
				} else {
					done += int64(c.nout)
					if r.Progress != nil {
						r.Progress(int64(c.nout))
					}
				}
				mu.Unlock()
				if c.buf != nil {
					buf := c.buf
					r.rawPool.Put(&buf)
				}
			}
		})
	}
	wg.Wait()
	if failed >= 0 {
		kept := int64(failed) * h.ChunkSize
		if t, ok := w.(interface{ Truncate(int64) error }); ok {
			t.Truncate(kept)
		}
		return kept, failErr
	}
	return done, nil
}
