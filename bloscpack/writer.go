package bloscpack

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"ringvault/blosc"
	"ringvault/storage"
)

// Options configure a Writer (bloscpack's BloscArgs, BloscpackArgs and
// MetadataArgs in one struct). Start from DefaultOptions: the zero value
// means no checksum, no offsets and no room to append.
type Options struct {
	// Blosc are the chunk compression arguments. Typesize is also stored
	// in the header. NThreads is per chunk; 0 means 1 when chunks keep
	// every worker busy, else Workers (blocks in parallel inside the few
	// chunks). The output does not depend on it.
	Blosc blosc.Options
	// ChunkSize is the uncompressed size of every chunk but the last
	// (0 = DefaultChunkSize).
	ChunkSize int64
	// Checksum is the digest written after every chunk.
	Checksum Checksum
	// Offsets writes the offsets table (needed to append and for random
	// access without a scan).
	Offsets bool
	// MaxAppChunks reserves offset slots for appended chunks; -1 means
	// 10 × nchunks, bloscpack's default.
	MaxAppChunks int64
	// Metadata is JSON text stored in the metadata section (nil: none). It
	// is stored as Python's json.dumps writes it (CompactJSON).
	Metadata []byte
	// Meta are the metadata section's settings.
	Meta MetaOptions
	// Workers is the number of chunks compressed at once (0 = GOMAXPROCS).
	Workers int
}

// DefaultOptions are blpk compress's defaults: typesize 8, clevel 7, byte
// shuffle, blosclz, 1 MiB chunks, adler32, offsets with 10 × nchunks
// reserved, metadata zlib level 6 with 10 × its size reserved.
func DefaultOptions() Options {
	return Options{
		Blosc:        blosc.Options{Typesize: 8, Clevel: 7, Shuffle: blosc.ByteShuffle, Codec: blosc.BloscLZ},
		ChunkSize:    DefaultChunkSize,
		Checksum:     Adler32,
		Offsets:      true,
		MaxAppChunks: -1,
		Meta:         DefaultMetaOptions(),
	}
}

func (o *Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// bloscOpts are the per-chunk Blosc options: NThreads 0 means one
// goroutine per chunk when there are enough chunks to keep the workers
// busy, else all workers on the blocks of each chunk.
func (o *Options) bloscOpts(nchunks int64) blosc.Options {
	b := o.Blosc
	if b.NThreads == 0 {
		b.NThreads = 1
		if nchunks >= 0 && nchunks < int64(o.workers()) {
			b.NThreads = o.workers()
		}
	}
	return b
}

// Writer compresses a stream into a Bloscpack file (pack_file_to_file):
// Write cuts the input into chunks, compresses them on Workers goroutines
// and writes them in order; Close writes the last chunk and fills in the
// offsets table.
//
// Given the input size, the file is laid out exactly as bloscpack does. The
// offsets table precedes the chunks, so it is filled in at Close with
// WriteAt when the destination is an io.WriterAt; on a plain io.Writer the
// compressed chunks are held in memory until Close. With an unknown size
// (-1) the header says nchunks -1 and there is no offsets table; Close
// patches nchunks and last_chunk when the destination is an io.WriterAt, so
// bloscpack reads the file.
type Writer struct {
	dst     io.Writer
	at      io.WriterAt // dst as a WriterAt, nil for streams
	opts    Options
	bo      blosc.Options
	size    int64 // announced input size, -1 unknown
	hdr     Header
	meta    []byte // encoded metadata section
	offPos  int64  // position of the offsets table
	pos     int64  // output position of the next chunk
	offsets []int64
	held    [][]byte // compressed output held until Close (stream with offsets)

	cur     []byte // chunk being filled
	in      int64  // input bytes accepted
	nchunk  int64  // chunks submitted
	pending []*chunkJob
	jobs    chan *chunkJob
	wg      sync.WaitGroup
	err     error
	closed  bool
	pool    sync.Pool // input chunk buffers
	outPool sync.Pool // compressed chunk buffers
	// OnChunk, if set, is called in order as chunk i takes its place, with
	// its input size, the Blosc buffer and its digest (blpk -d); the
	// buffers are reused (or unmapped) afterwards, so copy what you keep.
	OnChunk func(i int64, in int, chunk, digest []byte)
	// Progress, if set, is called in order with the input size of every
	// chunk written.
	Progress func(n int64)
}

type chunkJob struct {
	in   []byte
	out  []byte
	err  error
	done chan struct{}
	// src, when set, is where the worker reads the chunk's n input bytes
	// at off into in before compressing it (ReadFromAt).
	src  io.ReaderAt
	off  int64
	n    int
	rerr error // the read's error
}

// NewWriter starts a file on dst for size input bytes (-1 if unknown) and
// writes the header, the metadata section and a placeholder offsets table.
func NewWriter(dst io.Writer, size int64, opts *Options) (*Writer, error) {
	o := DefaultOptions()
	if opts != nil {
		o = *opts
	}
	if o.ChunkSize == 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.ChunkSize < 1 || o.ChunkSize > MaxChunkSize {
		return nil, fmt.Errorf("%w: chunk size %d, want 1..%d", ErrInvalidOptions, o.ChunkSize, MaxChunkSize)
	}
	if !o.Checksum.Valid() || o.Blosc.Typesize < 0 || o.Blosc.Typesize > 255 {
		return nil, fmt.Errorf("%w: checksum %d, typesize %d", ErrInvalidOptions, o.Checksum, o.Blosc.Typesize)
	}
	w := &Writer{dst: dst, opts: o, size: size}
	if at, ok := dst.(io.WriterAt); ok {
		w.at = at
	}
	h := Header{FormatVersion: FormatVersion, Checksum: o.Checksum, Typesize: o.Blosc.Typesize, Metadata: o.Metadata != nil}
	if size >= 0 {
		c, err := CalculateChunks(size, o.ChunkSize)
		if err != nil {
			return nil, err
		}
		h.ChunkSize, h.LastChunk, h.NChunks = c.ChunkSize, c.LastChunk, c.NChunks
		h.Offsets = o.Offsets
		if h.Offsets {
			h.MaxAppChunks = o.MaxAppChunks
			if h.MaxAppChunks < 0 {
				h.MaxAppChunks = 10 * h.NChunks
			}
			h.MaxAppChunks = min(h.MaxAppChunks, MaxChunks-h.NChunks)
		}
	} else {
		h.ChunkSize, h.LastChunk, h.NChunks = o.ChunkSize, -1, -1
	}
	w.hdr = h
	w.bo = o.bloscOpts(h.NChunks)
	w.initPool()
	buf := h.Encode(make([]byte, 0, 4096))
	if o.Metadata != nil {
		js, err := CompactJSON(o.Metadata)
		if err != nil {
			return nil, fmt.Errorf("bloscpack: metadata is not valid JSON: %w", err)
		}
		n0 := len(buf)
		if buf, _, err = EncodeMetadata(buf, js, o.Meta); err != nil {
			return nil, err
		}
		w.meta = buf[n0:]
	}
	w.offPos = int64(len(buf))
	if slots := h.TotalSlots(); slots > 0 {
		if slots > 1<<27 {
			return nil, fmt.Errorf("%w: %d offset slots", ErrInvalidOptions, slots)
		}
		w.offsets = make([]int64, 0, h.NChunks)
		if w.at != nil { // a stream gets the table at Close
			for range slots {
				buf = binary.LittleEndian.AppendUint64(buf, ^uint64(0))
			}
		}
		w.pos = w.offPos + 8*slots
	} else {
		w.pos = w.offPos
	}
	if _, err := dst.Write(buf); err != nil {
		return nil, err
	}
	w.cur = w.getBuf()
	return w, nil
}

// Header returns the header as it stands (final after Close).
func (w *Writer) Header() Header { return w.hdr }

// Offsets returns the chunk positions written so far.
func (w *Writer) Offsets() []int64 { return w.offsets }

// emit writes b at the current end of output, or holds it when the
// offsets table must go out first.
func (w *Writer) emit(b []byte) error {
	if w.at == nil && w.hdr.Offsets {
		w.held = append(w.held, b) // not reused: flushOne pools only what was written
		return nil
	}
	_, err := w.dst.Write(b)
	return err
}

func (w *Writer) chunkLen() int64 {
	if w.size >= 0 && w.nchunk == w.hdr.NChunks-1 {
		return w.hdr.LastChunk
	}
	if w.size >= 0 {
		return w.hdr.ChunkSize
	}
	return w.opts.ChunkSize
}

func (w *Writer) initPool() {
	n := min(w.opts.ChunkSize, 16<<20) // unknown size: grow as data arrives
	if w.size >= 0 {
		n = max(w.hdr.ChunkSize, w.hdr.LastChunk)
	}
	w.pool.New = func() any { b := make([]byte, 0, n); return &b }
}

func (w *Writer) getBuf() []byte { return (*w.pool.Get().(*[]byte))[:0] }

// Write accepts input bytes; full chunks are compressed in the background.
func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.closed {
		return 0, errors.New("bloscpack: write to closed Writer")
	}
	if w.size >= 0 && w.in+int64(len(p)) > w.size {
		w.err = fmt.Errorf("%w: more than the %d bytes announced", ErrSize, w.size)
		return 0, w.err
	}
	n := 0
	for len(p) > 0 {
		want := w.chunkLen() - int64(len(w.cur))
		k := min(int64(len(p)), want)
		w.cur = append(w.cur, p[:k]...)
		p = p[k:]
		n += int(k)
		w.in += k
		if int64(len(w.cur)) == w.chunkLen() && (w.size < 0 || w.nchunk < w.hdr.NChunks-1) {
			if err := w.submit(); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

func (w *Writer) submit() error {
	return w.submitJob(&chunkJob{in: w.cur, done: make(chan struct{})})
}

// submitJob hands j to the workers (w.cur becomes a fresh buffer) and
// writes out the oldest chunks while too many are pending.
func (w *Writer) submitJob(j *chunkJob) error {
	if w.jobs == nil {
		w.jobs = make(chan *chunkJob)
		for range w.opts.workers() {
			w.wg.Add(1)
			go w.worker()
		}
	}
	w.cur = w.getBuf()
	w.nchunk++
	w.pending = append(w.pending, j)
	w.jobs <- j
	for len(w.pending) > 2*w.opts.workers() {
		if err := w.flushOne(); err != nil {
			return err
		}
	}
	return nil
}

func (w *Writer) worker() {
	defer w.wg.Done()
	for j := range w.jobs {
		if j.src != nil {
			j.in = j.in[:j.n]
			if j.rerr = storage.ReadFull(j.src, j.in, j.off); j.rerr != nil {
				close(j.done)
				continue
			}
		}
		var buf []byte
		if b, ok := w.outPool.Get().(*[]byte); ok {
			buf = (*b)[:0]
		}
		out, err := blosc.Compress(buf, j.in, &w.bo)
		if err == nil {
			out = w.hdr.Checksum.Sum(out, out)
		}
		j.out, j.err = out, err
		close(j.done)
	}
}

// flushOne waits for the oldest pending chunk and writes it.
func (w *Writer) flushOne() error {
	j := w.pending[0]
	w.pending = w.pending[1:]
	<-j.done
	inLen := len(j.in)
	b := j.in[:0]
	w.pool.Put(&b)
	if j.rerr != nil {
		w.err = fmt.Errorf("bloscpack: reading chunk %d at input offset %d: %w", len(w.offsets), j.off, j.rerr)
		return w.err
	}
	if j.err != nil {
		w.err = fmt.Errorf("bloscpack: compressing chunk %d: %w", len(w.offsets), j.err)
		return w.err
	}
	i := int64(len(w.offsets))
	w.offsets = append(w.offsets, w.pos)
	if err := w.emit(j.out); err != nil {
		w.err = err
		return err
	}
	w.pos += int64(len(j.out))
	if w.at != nil || !w.hdr.Offsets { // emit did not hold on to it
		out := j.out
		w.outPool.Put(&out)
	}
	if w.OnChunk != nil {
		k := len(j.out) - w.hdr.Checksum.Size()
		w.OnChunk(i, inLen, j.out[:k], j.out[k:])
	}
	if w.Progress != nil {
		w.Progress(int64(inLen))
	}
	return nil
}

// Close compresses the last chunk, waits for all chunks, writes the
// offsets table and, for an unknown size, patches the header. It does not
// close the destination.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err == nil {
		if w.size >= 0 && w.in != w.size {
			w.err = fmt.Errorf("%w: got %d of %d bytes", ErrSize, w.in, w.size)
		} else if len(w.cur) > 0 || w.nchunk == 0 {
			w.err = w.submit()
		}
	}
	for w.err == nil && len(w.pending) > 0 {
		w.flushOne()
	}
	if w.jobs != nil {
		close(w.jobs)
		w.wg.Wait()
	}
	if w.err != nil {
		return w.err
	}
	w.err = w.finish()
	return w.err
}

func (w *Writer) finish() error {
	if w.size < 0 {
		c, _ := CalculateChunks(w.in, w.opts.ChunkSize)
		w.hdr.NChunks, w.hdr.ChunkSize, w.hdr.LastChunk = c.NChunks, c.ChunkSize, c.LastChunk
		if w.at == nil {
			return nil // a stream: the header keeps nchunks -1
		}
		_, err := w.at.WriteAt(w.hdr.Encode(nil), 0)
		return err
	}
	if !w.hdr.Offsets {
		return nil
	}
	tab := make([]byte, 0, 8*len(w.offsets))
	for _, o := range w.offsets {
		tab = binary.LittleEndian.AppendUint64(tab, uint64(o))
	}
	if w.at != nil {
		_, err := w.at.WriteAt(tab, w.offPos)
		return err
	}
	// A stream: the table goes out now, then the held chunks.
	rest := make([]byte, 8*(w.hdr.TotalSlots()-int64(len(w.offsets))))
	for i := range rest {
		rest[i] = 0xff
	}
	for _, b := range append([][]byte{tab, rest}, w.held...) {
		if _, err := w.dst.Write(b); err != nil {
			return err
		}
	}
	w.held = nil
	return nil
}

// FileAppender adapts an io.WriterAt (a storage.File) to the io.Writer a
// Writer needs, writing sequentially from Off; it stays an io.WriterAt, so
// the Writer fills in the offsets table in place.
type FileAppender struct {
	F   io.WriterAt
	Off int64
}

// Write writes p at Off and advances Off.
func (a *FileAppender) Write(p []byte) (int, error) {
	n, err := a.F.WriteAt(p, a.Off)
	a.Off += int64(n)
	return n, err
}

// WriteAt writes p at off.
func (a *FileAppender) WriteAt(p []byte, off int64) (int, error) { return a.F.WriteAt(p, off) }

// ReadFrom reads src to its end straight into the chunk buffers, saving
// the copy Write makes (io.Copy uses it).
func (w *Writer) ReadFrom(src io.Reader) (int64, error) {
	var total int64
	for w.err == nil && !w.closed {
		want := w.chunkLen() - int64(len(w.cur))
		if w.size >= 0 && w.in == w.size {
			var one [1]byte
			if n, _ := io.ReadFull(src, one[:]); n > 0 {
				w.err = fmt.Errorf("%w: more than the %d bytes announced", ErrSize, w.size)
				return total, w.err
			}
			return total, nil
		}
		want = min(want, 16<<20) // grow a huge chunk's buffer as data arrives
		if int64(cap(w.cur)) < int64(len(w.cur))+want {
			grown := make([]byte, len(w.cur), max(int64(len(w.cur))+want, 2*int64(cap(w.cur))))
			copy(grown, w.cur)
			w.cur = grown
		}
		n, err := io.ReadFull(src, w.cur[len(w.cur):int64(len(w.cur))+want])
		w.cur = w.cur[:len(w.cur)+n]
		w.in += int64(n)
		total += int64(n)
		if int64(len(w.cur)) == w.chunkLen() && (w.size < 0 || w.nchunk < w.hdr.NChunks-1) {
			if serr := w.submit(); serr != nil {
				return total, serr
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
	if w.err != nil {
		return total, w.err
	}
	return total, errors.New("bloscpack: write to closed Writer")
}
