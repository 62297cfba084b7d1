package vault

import (
	"runtime"
	"sync"

	"ringvault/storage"
)

// The read path for large reads in read-only transactions. A stream's
// data blocks are grouped in chunks of readBatch blocks (chunk c holds
// blocks [c×readBatch, (c+1)×readBatch)); readAt never asks readMany for
// blocks of two chunks at once. Runs of consecutive block numbers are
// read with one pread each (past the page cache when long, see
// DB.readRun) and authenticated in parallel.
//
// A reader going through the file in order (each large read starts where
// the last one ended) reads whole chunks and keeps the next chunk being
// read in the background while it authenticates and copies the current
// one, so the disk and the CPUs work at the same time. Other large reads
// read just the blocks they need.

const readBatch = 256

// directMin is the shortest run (256 KiB) read past the page cache; shorter
// ones are read through it, where the kernel's readahead helps a caller
// reading a file in small pieces.
const directMin = 64

// Raw (sealed) chunk buffers are page-aligned for direct reads.
var rawPool = sync.Pool{New: func() any {
	b := storage.AlignedBuffer(readBatch * BlockSize)
	return &b
}}

func getRaw() []byte  { return *rawPool.Get().(*[]byte) }
func putRaw(b []byte) { rawPool.Put(&b) }

// Plaintext buffers of readMany.
var plainReadPool = sync.Pool{New: func() any { b := make([]byte, readBatch*plainSize); return &b }}

// chunk is a chunk's pointers and sealed blocks, read in the background.
type chunk struct {
	c    uint64
	n    int // blocks of the stream in this chunk
	ptrs [readBatch]Pointer
	raw  []byte
	done chan error // nil once received
	err  error
}

func (ck *chunk) wait() error {
	if ck.done != nil {
		ck.err = <-ck.done
		ck.done = nil
	}
	return ck.err
}

// recycle returns the chunk's buffer once its read is over.
func (ck *chunk) recycle() {
	if ck != nil {
		ck.wait()
		putRaw(ck.raw)
	}
}

// ahead is a stream's sequential-read state.
type ahead struct {
	cur, next *chunk
	end       uint64 // the block after the last large read
}

// dropAhead waits for a chunk read in flight and recycles the buffers.
func (s *stream) dropAhead() {
	if ra := s.ra; ra != nil {
		ra.cur.recycle()
		ra.next.recycle()
		s.ra = nil
	}
}

// readMany returns the bodies of data blocks [first, first+count), all in
// one chunk; each body is nil for a hole. The bodies live in plain.
func (s *stream) readMany(first, count uint64, plain []byte) ([][]byte, error) {
	ra := s.ra
	if ra == nil {
		ra = &ahead{end: ^uint64(0)}
		s.ra = ra
	}
	sequential := first == ra.end || first+1 == ra.end || (first == 0 && count == readBatch)
	ra.end = first + count
	var ptrs []Pointer
	var raw []byte
	if sequential {
		ck, err := s.chunkFor(first / readBatch)
		if err != nil {
			return nil, err
		}
		at := int(first % readBatch)
		ptrs, raw = ck.ptrs[at:at+int(count)], ck.raw[at*BlockSize:(at+int(count))*BlockSize]
	} else {
		ptrs = make([]Pointer, count)
		for i := range ptrs {
			p, err := s.lookup(first + uint64(i))
			if err != nil {
				return nil, err
			}
			ptrs[i] = p
		}
		raw = getRaw()
		defer putRaw(raw)
		raw = raw[:int(count)*BlockSize]
		if err := s.readRuns(ptrs, raw); err != nil {
			return nil, err
		}
	}
	return s.openMany(first, ptrs, raw, plain)
}

// chunkFor returns chunk c read, and starts reading chunk c+1.
func (s *stream) chunkFor(c uint64) (*chunk, error) {
	ra := s.ra
	switch {
	case ra.cur != nil && ra.cur.c == c:
	case ra.next != nil && ra.next.c == c:
		ra.cur.recycle()
		ra.cur, ra.next = ra.next, nil
	default:
		ra.cur.recycle()
		ra.next.recycle()
		ra.cur, ra.next = nil, nil
		ck, err := s.startChunk(c)
		if err != nil {
			return nil, err
		}
		ra.cur = ck
	}
	if err := ra.cur.wait(); err != nil {
		ck := ra.cur
		ra.cur = nil
		putRaw(ck.raw)
		return nil, err
	}
	if ra.next == nil {
		// A chunk that cannot be looked up now is read (and its error
		// reported) when the reader gets there.
		ra.next, _ = s.startChunk(c + 1)
	}
	return ra.cur, nil
}

// startChunk looks up chunk c's pointers and reads its blocks in the
// background. nil (and no error) past the end of the stream.
func (s *stream) startChunk(c uint64) (*chunk, error) {
	nblocks := (uint64(s.length) + bodySize - 1) / bodySize
	if c*readBatch >= nblocks {
		return nil, nil
	}
	ck := &chunk{c: c, n: int(min(nblocks-c*readBatch, readBatch))}
	for i := range ck.n {
		p, err := s.lookup(c*readBatch + uint64(i))
		if err != nil {
			return nil, err
		}
		ck.ptrs[i] = p
	}
	ck.raw = getRaw()
	ck.done = make(chan error, 1)
	go func() { ck.done <- s.readRuns(ck.ptrs[:ck.n], ck.raw[:ck.n*BlockSize]) }()
	return ck, nil
}

// readRuns reads the sealed blocks ptrs point to into raw, one pread per
// run of consecutive block numbers; holes are skipped.
func (s *stream) readRuns(ptrs []Pointer, raw []byte) error {
	for i := 0; i < len(ptrs); {
		if ptrs[i].IsNull() {
			i++
			continue
		}
		j := i + 1
		for j < len(ptrs) && !ptrs[j].IsNull() && ptrs[j].Block == ptrs[j-1].Block+1 {
			j++
		}
		if err := s.r.db.readRun(raw[i*BlockSize:j*BlockSize], int64(ptrs[i].Block)*BlockSize, j-i >= directMin); err != nil {
			if isEOF(err) {
				return corrupt(ptrs[i].Block, "beyond the end of the file")
			}
			return err
		}
		i = j
	}
	return nil
}

// openMany authenticates and decrypts the blocks of data blocks first...
// in parallel into plain.
func (s *stream) openMany(first uint64, ptrs []Pointer, raw, plain []byte) ([][]byte, error) {
	count := len(ptrs)
	plain = plain[:count*plainSize]
	out := make([][]byte, count)
	errs := make([]error, count)
	open := func(w, workers int) {
		for i := w; i < count; i += workers {
			if ptrs[i].IsNull() {
				continue
			}
			pl := plain[i*plainSize : (i+1)*plainSize]
			idx := first + uint64(i)
			h, err := s.r.db.blk.decodeBlock(pl, raw[i*BlockSize:(i+1)*BlockSize], ptrs[i], kindData)
			if err == nil && (h.obj != s.id || h.index != idx) {
				err = corrupt(ptrs[i].Block, "data block %d of stream %d, expected block %d of stream %d", h.index, h.obj, idx, s.id)
			}
			errs[i] = err
			out[i] = pl[headerSize:]
		}
	}
	workers := min(runtime.GOMAXPROCS(0), (count+3)/4)
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			open(w, workers)
		}()
	}
	open(0, workers)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
