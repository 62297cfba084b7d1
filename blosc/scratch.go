package blosc

import (
	"sync"

	"github.com/pierrec/lz4/v4"
)

// scratch is the per-goroutine working memory of one block: the shuffled
// block, a stream output buffer and the codecs' tables. It is pooled so a
// chunk costs no allocation per block.
type scratch struct {
	tmp    []byte  // shuffled block (blockBuf)
	tmpMap *mapped // tmp's mapping, if it is one
	tmp2   []byte  // bitshuffle's byte rows
	out    []byte  // one block's compressed output
	htab   [1 << lzHashLog]uint32
	htab2  [1 << lzHashLog2]uint16
	// The lz4 compressors' tables (300 KiB) are allocated by ensureOut,
	// for the codecs that use them only.
	lz4   *lz4.CompressorCCompat
	lz4hc *lz4.CompressorHC
}

var scratchPool sync.Pool

func getScratch(blocksize int) *scratch {
	s, _ := scratchPool.Get().(*scratch)
	if s == nil {
		s = new(scratch)
	}
	if cap(s.tmp) < blocksize {
		s.tmp = s.blockBuf(blocksize)
	}
	return s
}

// bitTmp returns bitshuffle's row buffer for a block of blocksize bytes,
// allocated on first use: only bitshuffle needs it, and on some virtual
// machines every first touch of a page costs a costly fault.
func (s *scratch) bitTmp(blocksize int) []byte {
	if cap(s.tmp2) < blocksize {
		s.tmp2 = make([]byte, blocksize)
	}
	return s.tmp2[:cap(s.tmp2)]
}

func putScratch(s *scratch) { scratchPool.Put(s) }
