package vault

import (
	"runtime"
	"sync"

	"ringvault/storage"
)

// readMany is the read path for large reads in read-only transactions:
// it looks up the pointers of blocks [first, first+count), reads runs of
// consecutive block numbers with one pread each and authenticates the
// blocks in parallel. Each returned body is nil for a hole.
func (s *stream) readMany(first, count uint64, raw, plain []byte) ([][]byte, error) {
	ptrs := make([]Pointer, count)
	for i := range ptrs {
		p, err := s.lookup(first + uint64(i))
		if err != nil {
			return nil, err
		}
		ptrs[i] = p
	}
	raw = raw[:int(count)*BlockSize]
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
				return nil, corrupt(ptrs[i].Block, "beyond the end of the file")
			}
			return nil, err
		}
		i = j
	}
	plain = plain[:int(count)*plainSize]
	out := make([][]byte, count)
	errs := make([]error, count)
	workers := min(runtime.GOMAXPROCS(0), int(count+3)/4)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(ptrs); i += workers {
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
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readSlabs are the buffers of one readMany call of up to readBatch blocks.
type readSlabs struct{ raw, plain []byte }

const readBatch = 256

// directMin is the shortest run (256 KiB) read past the page cache; shorter
// ones are read through it, where the kernel's readahead helps a caller
// reading a file in small pieces.
const directMin = 64

var readPool = sync.Pool{New: func() any {
	return &readSlabs{raw: storage.AlignedBuffer(readBatch * BlockSize), plain: make([]byte, readBatch*plainSize)}
}}
