package bloscpack

import (
	"encoding/binary"
	"fmt"
	"io"
)

// rawChunk is one chunk read in file order, before verification.
type rawChunk struct {
	i     int
	pos   int64
	buf   []byte      // Blosc buffer followed by its digest
	size  int64       // len(buf), known before buf is read
	n     int64       // expected decoded size, -1 if only the Blosc header knows
	at    io.WriterAt // where the worker writes the decoded bytes (WriteAllTo)
	start int64       // their offset there
	werr  error       // the write's error
	out   []byte      // decoded bytes (nil once WriteAllTo's worker wrote them)
	nout  int         // decoded size
	err   error
	done  chan struct{}
}

// readRaw reads chunk i at pos (header, body, digest) without checking it
// and returns it with the position of the next chunk.
func (r *Reader) readRaw(i int, pos int64) (*rawChunk, int64, error) {
	c, next, err := r.locateRaw(i, pos)
	if err != nil {
		return nil, 0, err
	}
	c.buf = make([]byte, c.size)
	if err := readFull(r.r, c.buf, pos, fmt.Sprintf("chunk %d", i)); err != nil {
		return nil, 0, err
	}
	return c, next, nil
}

// locateRaw reads the Blosc header of chunk i at pos and checks that the
// chunk and its digest fit the file; the body is left for fillRaw.
func (r *Reader) locateRaw(i int, pos int64) (*rawChunk, int64, error) {
	var bh [BloscHeaderSize]byte
	if err := readFull(r.r, bh[:], pos, fmt.Sprintf("chunk %d", i)); err != nil {
		return nil, 0, err
	}
	cbytes := int64(binary.LittleEndian.Uint32(bh[12:]))
	dsz := int64(r.hdr.Checksum.Size())
	if cbytes < BloscHeaderSize {
		return nil, 0, errorf(ErrFormat, pos, fmt.Sprintf("chunk %d", i), "blosc header says the chunk is %d bytes long, less than its 16-byte header", cbytes)
	}
	if pos+cbytes+dsz > r.fileSize {
		return nil, 0, errorf(ErrTruncated, pos, fmt.Sprintf("chunk %d", i), "chunk of %d bytes plus its %d-byte digest ends at %d, beyond the end of the file (%d bytes)", cbytes, dsz, pos+cbytes+dsz, r.fileSize)
	}
	return &rawChunk{i: i, pos: pos, size: cbytes + dsz, n: -1, done: make(chan struct{})}, pos + cbytes + dsz, nil
}

// fillRaw reads a located chunk's bytes into a recycled buffer (on the
// worker, so reading runs in parallel with decoding).
func (r *Reader) fillRaw(c *rawChunk) error {
	if b, ok := r.rawPool.Get().(*[]byte); ok && int64(cap(*b)) >= c.size {
		c.buf = (*b)[:c.size]
	} else {
		c.buf = make([]byte, c.size, c.size+c.size/8) // room for the next chunks' variation
	}
	return readFull(r.r, c.buf, c.pos, fmt.Sprintf("chunk %d", c.i))
}

// decode verifies the digest and decompresses the chunk.
func (r *Reader) decode(c *rawChunk) {
	defer close(c.done)
	if c.buf == nil {
		if c.err = r.fillRaw(c); c.err != nil {
			return
		}
	}
	dsz := r.hdr.Checksum.Size()
	comp, want := c.buf[:len(c.buf)-dsz], c.buf[len(c.buf)-dsz:]
	if c.err = r.checkDigest(c.i, c.pos, comp, want); c.err != nil {
		return
	}
	n := c.n
	if n < 0 {
		n = int64(binary.LittleEndian.Uint32(comp[4:]))
	}
	if c.err = checkChunkSize(c.i, c.pos, comp, n); c.err != nil {
		return
	}
	switch {
	case c.at != nil && r.atBufs != nil && n <= int64(r.atBufs.size):
		c.out = r.atBufs.get()[:n]
	default:
		if b, ok := r.outPool.Get().(*[]byte); ok && int64(cap(*b)) >= n {
			c.out = (*b)[:n]
		} else {
			c.out = make([]byte, n)
		}
	}
	c.nout = len(c.out)
	c.err = decodeInto(c.i, c.pos, comp, c.out, r.blockThreads())
	if c.err == nil && c.at != nil {
		_, c.werr = c.at.WriteAt(c.out, c.start)
		// Written: the buffer goes back at once, so only about one
		// decoded chunk a worker is ever in memory.
		out := c.out
		c.out = nil
		if r.atBufs != nil && cap(out) == r.atBufs.size {
			r.atBufs.put(out)
		} else {
			r.outPool.Put(&out)
		}
	}
}

// WriteTo decodes the file from the current Read position to the end and
// writes it to w: chunks are read in file order (as bloscpack does, without
// trusting the offsets table), verified and decompressed on Workers
// goroutines and written in order. Chunks before a damaged one are written.
func (r *Reader) WriteTo(w io.Writer) (int64, error) {
	var written int64
	skip := int64(0)
	start, pos := 0, r.first
	if r.off > 0 {
		idx, err := r.index()
		if err != nil {
			return 0, err
		}
		total, _ := r.Size()
		if r.off >= total {
			return 0, nil
		}
		start = r.chunkAt(idx, r.off)
		pos = idx[start].pos
		skip = r.off - idx[start].start
	}
	err := r.walk(start, pos, func(c *rawChunk) error {
		out := c.out[skip:]
		skip = 0
		n, err := w.Write(out)
		written += int64(n)
		r.off += int64(n)
		return err
	})
	return written, err
}

// WriteAllTo decodes the whole file into w at offsets 0..Size: chunks are
// verified, decompressed and written with WriteAt by Workers goroutines at
// once, which keeps every core busy when w is a file. If a chunk is
// damaged, w is truncated (when it has Truncate) right after the chunks
// before it, as WriteTo leaves it. Progress is called as chunks complete
// (not necessarily in order) and never concurrently.
func (r *Reader) WriteAllTo(w io.WriterAt) (int64, error) {
	h := r.hdr
	if h.NChunks < 0 || h.ChunkSize < 0 || h.LastChunk < 0 {
		return r.WriteTo(&FileAppender{F: w}) // sizes only known chunk by chunk
	}
	r.atBufs = &chunkBufs{size: int(max(h.ChunkSize, h.LastChunk))}
	defer func() {
		r.atBufs.release() // every worker has finished
		r.atBufs = nil
	}()
	if r.OnChunk == nil {
		return r.writeAllParallel(w)
	}
	var done int64
	r.atDst = w
	err := r.walk(0, r.first, func(c *rawChunk) error {
		if c.werr != nil {
			return c.werr
		}
		done += int64(c.nout)
		if r.Progress != nil {
			r.Progress(int64(c.nout))
		}
		return nil
	})
	r.atDst = nil
	if err != nil {
		if t, ok := w.(interface{ Truncate(int64) error }); ok {
			t.Truncate(done)
		}
	}
	return done, err
}

// walk reads chunks from chunk start at pos in file order, decodes them in
// parallel and hands them to fn in order.
func (r *Reader) walk(start int, pos int64, fn func(*rawChunk) error) error {
	h := r.hdr
	jobs := make(chan *rawChunk)
	defer close(jobs)
	for range r.workers() {
		go func() {
			for c := range jobs {
				r.decode(c)
			}
		}()
	}
	var queue []*rawChunk
	var dstart int64 // decoded offset of the next chunk (WriteAllTo)
	drain := func() error {
		c := queue[0]
		queue = queue[1:]
		<-c.done
		if c.err != nil {
			return c.err
		}
		if r.OnChunk != nil {
			k := len(c.buf) - r.hdr.Checksum.Size()
			r.OnChunk(c.i, c.buf[:k], c.buf[k:], c.nout)
		}
		err := fn(c)
		if c.out != nil { // fn is done with it
			out := c.out
			c.out = nil
			r.outPool.Put(&out)
		}
		if c.buf != nil {
			buf := c.buf
			c.buf = nil
			r.rawPool.Put(&buf)
		}
		return err
	}
	// stop waits for the chunks still being decoded (so no worker writes
	// after we return) and returns err.
	stop := func(err error) error {
		for _, c := range queue {
			<-c.done
		}
		queue = nil
		return err
	}
	// fail hands the chunks before a read error to fn, in order, then
	// returns the first error.
	fail := func(err error) error {
		for len(queue) > 0 {
			if e := drain(); e != nil {
				return stop(e)
			}
		}
		return err
	}
	for i := start; h.NChunks < 0 || int64(i) < h.NChunks; i++ {
		if h.NChunks < 0 && pos >= r.fileSize {
			break
		}
		c, next, err := r.locateRaw(i, pos)
		if err != nil {
			return fail(err)
		}
		if h.ChunkSize >= 0 && h.LastChunk >= 0 && h.NChunks >= 0 {
			c.n = h.ChunkSize
			if int64(i) == h.NChunks-1 {
				c.n = h.LastChunk
			}
		}
		pos = next
		if r.atDst != nil {
			c.at, c.start = r.atDst, dstart
			dstart += c.n
		}
		queue = append(queue, c)
		jobs <- c
		for len(queue) > 2*r.workers() {
			if err := drain(); err != nil {
				return stop(err)
			}
		}
	}
	return fail(nil)
}

// VerifyResult summarizes a Verify pass.
type VerifyResult struct {
	Chunks   int   // chunks checked
	Decoded  int64 // decoded bytes
	End      int64 // file position after the last chunk's digest
	Trailing int64 // bytes after the last chunk (bloscpack's append leaves some)
}

// Verify checks the whole file without writing anything: every chunk's
// digest and Blosc structure, that every chunk decodes to the size the
// header promises, and that the offsets table points at the chunks as they
// lie in the file. The metadata digest was checked by NewReader.
func (r *Reader) Verify() (VerifyResult, error) {
	var res VerifyResult
	var positions []int64
	end := r.first
	err := r.walk(0, r.first, func(c *rawChunk) error {
		res.Chunks++
		res.Decoded += int64(c.nout)
		positions = append(positions, c.pos)
		end = c.pos + int64(len(c.buf))
		return nil
	})
	if err != nil {
		return res, err
	}
	for i, p := range r.table {
		if i < len(positions) && p != positions[i] {
			return res, errorf(ErrFormat, r.offPos+8*int64(i), fmt.Sprintf("offsets[%d]", i),
				"offset %d, but chunk %d lies at %d", p, i, positions[i])
		}
	}
	for i := len(r.table); i < len(r.slots); i++ {
		if r.slots[i] != -1 {
			return res, errorf(ErrFormat, r.offPos+8*int64(i), fmt.Sprintf("offsets[%d]", i),
				"unused offset slot holds %d, want -1", r.slots[i])
		}
	}
	res.End = end
	res.Trailing = r.fileSize - end
	return res, nil
}
