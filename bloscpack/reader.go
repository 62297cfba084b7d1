package bloscpack

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"ringvault/blosc"
)

// Reader reads a Bloscpack file from an io.ReaderAt. It is an io.Reader
// (sequential, with WriteTo decoding chunks in parallel) and an io.ReaderAt
// that decompresses only the chunks a range needs, found through the
// offsets table. Every chunk's digest is checked before it is decoded.
// ReadAt is safe for concurrent use; Read, Seek and WriteTo are not.
type Reader struct {
	r        io.ReaderAt
	fileSize int64
	hdr      Header
	metaHdr  *MetaHeader
	meta     []byte
	offPos   int64
	first    int64   // position of chunk 0
	table    []int64 // the first nchunks entries of the offsets table
	slots    []int64 // the whole table, including -1 placeholders
	// Workers bounds the chunks decoded at once (0 = GOMAXPROCS).
	Workers int

	once   sync.Once
	idx    []chunkRef
	idxErr error

	mu       sync.Mutex
	cacheI   int
	cacheBuf []byte

	off int64 // Read position

	outPool sync.Pool // decoded chunk buffers for WriteTo
	rawPool sync.Pool // chunk buffers as read (Blosc buffer and digest)
	atDst   io.WriterAt
	atBufs  *chunkBufs // WriteAllTo's decoded chunk buffers

	// Progress, if set, is called with the size of every chunk written by
	// WriteAllTo, as chunks complete, never concurrently (after a damaged
	// chunk, chunks written before the damage was found are counted too).
	Progress func(n int64)
	// OnChunk, if set, is called in order for every chunk WriteTo or
	// WriteAllTo has verified and decoded: its Blosc buffer, its digest and
	// its decoded size (blpk -d). The buffers are reused afterwards.
	OnChunk func(i int, chunk, digest []byte, n int)
}

type chunkRef struct {
	pos   int64 // file position of the Blosc header
	start int64 // decoded offset of the chunk's first byte
	n     int64 // decoded size
}

// NewReader reads the header, the metadata (checking its digest) and the
// offsets table of the file r of size bytes (_read_beginning).
func NewReader(r io.ReaderAt, size int64) (*Reader, error) {
	hb := make([]byte, min(size, HeaderSize))
	if err := readFull(r, hb, 0, "header"); err != nil && len(hb) > 0 {
		return nil, err
	}
	h, err := DecodeHeader(hb)
	if err != nil {
		return nil, err
	}
	rd := &Reader{r: r, fileSize: size, hdr: h, offPos: HeaderSize, cacheI: -1}
	if h.Metadata {
		m, js, err := readMetadata(r, HeaderSize, size)
		if err != nil {
			return nil, err
		}
		rd.metaHdr, rd.meta = &m, js
		rd.offPos += m.SectionSize()
	}
	rd.first = rd.offPos
	if slots := h.TotalSlots(); slots > 0 {
		if slots > (size-rd.offPos)/OffsetSize {
			return nil, errorf(ErrTruncated, rd.offPos, "offsets",
				"%d offsets (nchunks %d + max_app_chunks %d) do not fit the %d bytes left in the file", slots, h.NChunks, h.MaxAppChunks, size-rd.offPos)
		}
		raw := make([]byte, 8*slots)
		if err := readFull(r, raw, rd.offPos, "offsets"); err != nil {
			return nil, err
		}
		rd.slots = make([]int64, slots)
		for i := range rd.slots {
			rd.slots[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
		}
		rd.table = rd.slots[:h.NChunks]
		rd.first += 8 * slots
	}
	return rd, nil
}

// Header returns the file header.
func (r *Reader) Header() Header { return r.hdr }

// Metadata returns the metadata JSON text as stored (nil when absent).
func (r *Reader) Metadata() []byte { return r.meta }

// MetaHeader returns the metadata header (nil when absent).
func (r *Reader) MetaHeader() *MetaHeader { return r.metaHdr }

// Offsets returns the used entries of the offsets table (nil without one).
func (r *Reader) Offsets() []int64 { return r.table }

// FirstChunkPos is where chunk 0 starts: after the header, the metadata
// section and the whole offsets table.
func (r *Reader) FirstChunkPos() int64 { return r.first }

// OffsetsPos is where the offsets table starts.
func (r *Reader) OffsetsPos() int64 { return r.offPos }

func (r *Reader) workers() int {
	if r.Workers > 0 {
		return r.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// blockThreads is how many goroutines decode the blocks of one chunk: all
// workers when there are fewer chunks than workers (one big chunk), else
// one, since chunks already run in parallel.
func (r *Reader) blockThreads() int {
	if n := r.hdr.NChunks; n >= 0 && n < int64(r.workers()) {
		return r.workers()
	}
	return 1
}

// Size is the decoded size of the whole file.
func (r *Reader) Size() (int64, error) {
	if n := r.hdr.DataSize(); n >= 0 {
		return n, nil
	}
	idx, err := r.index()
	if err != nil || len(idx) == 0 {
		return 0, err
	}
	last := idx[len(idx)-1]
	return last.start + last.n, nil
}

// NChunks is the number of chunks (scanning the file when the header does
// not say).
func (r *Reader) NChunks() (int, error) {
	idx, err := r.index()
	return len(idx), err
}

// index locates every chunk: through the offsets table when there is one,
// otherwise by walking the chunk headers as bloscpack does.
func (r *Reader) index() ([]chunkRef, error) {
	r.once.Do(func() { r.idx, r.idxErr = r.buildIndex() })
	return r.idx, r.idxErr
}

func (r *Reader) buildIndex() ([]chunkRef, error) {
	h := r.hdr
	dsz := int64(h.Checksum.Size())
	sizesKnown := h.NChunks >= 0 && h.ChunkSize >= 0 && h.LastChunk >= 0
	if h.NChunks >= 0 && h.NChunks > (r.fileSize-r.first)/(BloscHeaderSize+dsz) {
		return nil, errorf(ErrTruncated, r.first, "chunks",
			"%d chunks cannot fit the %d bytes after the offsets table", h.NChunks, r.fileSize-r.first)
	}
	unfilled := false // a write that stopped before Close leaves -1 entries
	for _, p := range r.table {
		unfilled = unfilled || p == -1
	}
	if r.table != nil && sizesKnown && !unfilled {
		idx := make([]chunkRef, h.NChunks)
		for i, p := range r.table {
			if p < r.first || p > r.fileSize-BloscHeaderSize-dsz {
				return nil, errorf(ErrFormat, r.offPos+8*int64(i), fmt.Sprintf("offsets[%d]", i),
					"chunk %d offset %d is outside the chunk area [%d, %d)", i, p, r.first, r.fileSize)
			}
			idx[i] = chunkRef{pos: p, start: int64(i) * h.ChunkSize, n: h.ChunkSize}
		}
		if len(idx) > 0 {
			idx[len(idx)-1].n = h.LastChunk
		}
		return idx, nil
	}
	var idx []chunkRef
	pos, start := r.first, int64(0)
	var bh [BloscHeaderSize]byte
	for i := int64(0); h.NChunks < 0 || i < h.NChunks; i++ {
		if h.NChunks < 0 && pos >= r.fileSize {
			break
		}
		if err := readFull(r.r, bh[:], pos, fmt.Sprintf("chunk %d", i)); err != nil {
			return nil, err
		}
		nbytes := int64(binary.LittleEndian.Uint32(bh[4:]))
		cbytes := int64(binary.LittleEndian.Uint32(bh[12:]))
		if cbytes < BloscHeaderSize {
			return nil, errorf(ErrFormat, pos, fmt.Sprintf("chunk %d", i), "blosc header says the chunk is %d bytes long, less than its 16-byte header", cbytes)
		}
		ref := chunkRef{pos: pos, start: start, n: nbytes}
		if sizesKnown {
			ref.n = h.ChunkSize
			if i == h.NChunks-1 {
				ref.n = h.LastChunk
			}
		}
		idx = append(idx, ref)
		start += ref.n
		pos += cbytes + dsz
	}
	return idx, nil
}

// readChunk reads chunk i at pos, checks that it fits the file and
// matches its digest, and returns the Blosc buffer.
func (r *Reader) readChunk(i int, pos int64) ([]byte, error) {
	c, _, err := r.readRaw(i, pos)
	if err != nil {
		return nil, err
	}
	k := len(c.buf) - r.hdr.Checksum.Size()
	if err := r.checkDigest(i, pos, c.buf[:k], c.buf[k:]); err != nil {
		return nil, err
	}
	return c.buf[:k], nil
}

// checkDigest compares a chunk's stored digest with its computed one.
func (r *Reader) checkDigest(i int, pos int64, comp, want []byte) error {
	if len(want) == 0 {
		return nil
	}
	var sum [64]byte
	if got := r.hdr.Checksum.Sum(sum[:0], comp); !bytes.Equal(got, want) {
		return errorf(ErrChecksumMismatch, pos, fmt.Sprintf("chunk %d", i),
			"Checksum mismatch detected in chunk, expected: '%s', received: '%s'", PyBytesRepr(want), PyBytesRepr(got))
	}
	return nil
}

// maxRatio bounds how much larger than its compressed form a chunk may
// claim to be before anything is allocated for it: no Blosc1 codec comes
// near it for chunks over a few MiB, and it keeps a lying header from
// making the reader allocate gigabytes.
const maxRatio = 1 << 16

// checkChunkSize checks a chunk's Blosc header against the decoded size
// the bloscpack header promises, before the output is allocated.
func checkChunkSize(i int, pos int64, comp []byte, n int64) error {
	field := fmt.Sprintf("chunk %d", i)
	nbytes := int64(binary.LittleEndian.Uint32(comp[4:]))
	if nbytes != n {
		return errorf(ErrFormat, pos+4, field, "blosc header says %d decoded bytes, the bloscpack header %d", nbytes, n)
	}
	if n > 64<<20 && n/maxRatio > int64(len(comp)) {
		return errorf(ErrFormat, pos+4, field, "blosc header claims %d decoded bytes from %d compressed ones", n, len(comp))
	}
	return nil
}

// decodeInto decodes a verified chunk into out, which must be exactly the
// expected decoded size.
func decodeInto(i int, pos int64, comp, out []byte, threads int) error {
	field := fmt.Sprintf("chunk %d", i)
	h, err := blosc.ParseHeader(comp)
	if err != nil {
		return &Error{Offset: pos, Field: field, Msg: err.Error(), Err: fmt.Errorf("%w: %w", ErrFormat, err)}
	}
	if h.Nbytes != len(out) {
		return errorf(ErrFormat, pos+4, field, "blosc header says %d decoded bytes, the bloscpack header %d", h.Nbytes, len(out))
	}
	if _, err := blosc.DecompressInto(out, comp, threads); err != nil {
		return &Error{Offset: pos, Field: field, Msg: err.Error(), Err: fmt.Errorf("%w: %w", ErrFormat, err)}
	}
	return nil
}

// ReadAt reads len(p) decoded bytes at off, decompressing only the chunks
// that cover them (in parallel when there are several).
func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("bloscpack: negative offset")
	}
	idx, err := r.index()
	if err != nil {
		return 0, err
	}
	total, _ := r.Size()
	if off >= total {
		return 0, io.EOF
	}
	want := p
	if int64(len(p)) > total-off {
		want = p[:total-off]
	}
	end := off + int64(len(want))
	lo := r.chunkAt(idx, off)
	hi := r.chunkAt(idx, end-1)
	errs := make([]error, hi-lo+1)
	sem := make(chan struct{}, r.workers())
	var wg sync.WaitGroup
	for c := lo; c <= hi; c++ {
		ref := idx[c]
		s, e := max(ref.start, off), min(ref.start+ref.n, end)
		dst := want[s-off : e-off]
		if hi == lo {
			errs[0] = r.readPart(c, ref, dst, s-ref.start)
			break
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			errs[c-lo] = r.readPart(c, ref, dst, s-ref.start)
			<-sem
		}()
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return 0, e
		}
	}
	if len(want) < len(p) {
		return len(want), io.EOF
	}
	return len(p), nil
}

// readPart fills dst with chunk c's bytes from rel on.
func (r *Reader) readPart(c int, ref chunkRef, dst []byte, rel int64) error {
	if rel == 0 && int64(len(dst)) == ref.n {
		comp, err := r.readChunk(c, ref.pos)
		if err != nil {
			return err
		}
		return decodeInto(c, ref.pos, comp, dst, r.blockThreads())
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cacheI != c {
		comp, err := r.readChunk(c, ref.pos)
		if err != nil {
			return err
		}
		if err := checkChunkSize(c, ref.pos, comp, ref.n); err != nil {
			return err
		}
		if int64(cap(r.cacheBuf)) < ref.n {
			r.cacheBuf = make([]byte, ref.n)
		}
		r.cacheI = -1
		if err := decodeInto(c, ref.pos, comp, r.cacheBuf[:ref.n], r.blockThreads()); err != nil {
			return err
		}
		r.cacheI = c
	}
	copy(dst, r.cacheBuf[rel:])
	return nil
}

func (r *Reader) chunkAt(idx []chunkRef, off int64) int {
	lo, hi := 0, len(idx)-1
	for lo < hi {
		m := (lo + hi + 1) / 2
		if idx[m].start <= off {
			lo = m
		} else {
			hi = m - 1
		}
	}
	return lo
}

// Read reads decoded bytes sequentially.
func (r *Reader) Read(p []byte) (int, error) {
	n, err := r.ReadAt(p, r.off)
	r.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// Seek sets the position of the next Read (io.Seeker).
func (r *Reader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		n, err := r.Size()
		if err != nil {
			return 0, err
		}
		offset += n
	}
	if offset < 0 {
		return 0, errors.New("bloscpack: negative position")
	}
	r.off = offset
	return offset, nil
}

// FirstChunkHeader returns the raw 16-byte Blosc header of the chunk right
// after the offsets table, unchecked (what blpk info prints).
func (r *Reader) FirstChunkHeader() ([BloscHeaderSize]byte, error) {
	var b [BloscHeaderSize]byte
	err := readFull(r.r, b[:], r.first, "chunk 0")
	return b, err
}
