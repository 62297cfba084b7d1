package blosc

import (
	"encoding/binary"
	"fmt"
	"sync"
)

// blockPlan is one block's place in a chunk after validation.
type blockPlan struct {
	start   int // offset of the block's first stream (bstarts[j])
	size    int // decoded size: blocksize, or the leftover for the last block
	split   bool
	streams int
}

// plan validates the body of a non-memcpy chunk — every bstart, every
// stream's csize and offset, and an upper bound on what each stream can
// decode to — without allocating. It is what c-blosc's blosc_d checks,
// done for all blocks before any output is allocated.
func (h Header) plan(src []byte) ([]blockPlan, error) {
	nb := h.NBlocks()
	if nb == 0 {
		return nil, nil
	}
	cb := h.Cbytes
	split := h.Split()
	leftover := h.Nbytes % h.Blocksize
	plans := make([]blockPlan, nb)
	for j := range plans {
		p := blockPlan{size: h.Blocksize, split: split, streams: 1}
		if j == nb-1 && leftover > 0 {
			p.size, p.split = leftover, false
		}
		if p.split {
			if h.Blocksize%h.Typesize != 0 {
				return nil, corrupt(8, "blocksize", "%d is not a multiple of typesize %d in a split chunk", h.Blocksize, h.Typesize)
			}
			p.streams = h.Typesize
		}
		p.start = int(int32(binary.LittleEndian.Uint32(src[HeaderSize+4*j:])))
		off := p.start
		neblock := p.size / p.streams
		for s := 0; s < p.streams; s++ {
			if off < 0 || off > cb-4 {
				return nil, corrupt(HeaderSize+4*j, fmt.Sprintf("bstarts[%d]", j), "stream %d at offset %d is outside the chunk of %d bytes", s, off, cb)
			}
			csize := int(int32(binary.LittleEndian.Uint32(src[off:])))
			off += 4
			if csize < 0 || csize > cb-off {
				return nil, corrupt(off-4, fmt.Sprintf("block %d stream %d csize", j, s), "%d does not fit the %d bytes left in the chunk", csize, cb-off)
			}
			if csize != neblock && neblock > maxExpansion(h.codecFormat(), csize) {
				return nil, corrupt(off-4, fmt.Sprintf("block %d stream %d csize", j, s), "%d compressed bytes cannot decode to %d", csize, neblock)
			}
			off += csize
		}
		plans[j] = p
	}
	return plans, nil
}

// Decompress decodes the Blosc1 chunk at the start of src and appends the
// decoded bytes to dst; it is blosc_decompress (python-blosc's
// blosc.decompress). src may extend past the chunk. Blocks are decoded on up
// to nthreads goroutines (0 = GOMAXPROCS). The header, every block start and
// every stream size are validated against the chunk before dst grows; a
// malformed chunk gives an error wrapping ErrCorrupt.
func Decompress(dst, src []byte, nthreads int) ([]byte, error) {
	h, err := ParseHeader(src)
	if err != nil {
		return dst, err
	}
	if err := h.Validate(src); err != nil {
		return dst, err
	}
	src = src[:h.Cbytes]
	if h.Nbytes == 0 {
		return dst, nil
	}
	if h.Memcpyed() {
		return append(dst, src[HeaderSize:]...), nil
	}
	plans, err := h.plan(src)
	if err != nil {
		return dst, err
	}
	orig, n0 := dst, len(dst)
	dst = grow(dst, h.Nbytes)
	if err := decodeBlocks(h, plans, dst[n0:], src, threads(nthreads)); err != nil {
		return orig, err
	}
	return dst, nil
}

// DecompressInto decodes the chunk into out, which must be at least as
// long as the chunk's nbytes, and returns nbytes (blosc_decompress with a
// caller's buffer).
func DecompressInto(out, src []byte, nthreads int) (int, error) {
	h, err := ParseHeader(src)
	if err != nil {
		return 0, err
	}
	if err := h.Validate(src); err != nil {
		return 0, err
	}
	if len(out) < h.Nbytes {
		return 0, fmt.Errorf("blosc: output buffer of %d bytes is smaller than the chunk's %d", len(out), h.Nbytes)
	}
	src = src[:h.Cbytes]
	if h.Nbytes == 0 {
		return 0, nil
	}
	if h.Memcpyed() {
		return copy(out, src[HeaderSize:]), nil
	}
	plans, err := h.plan(src)
	if err != nil {
		return 0, err
	}
	return h.Nbytes, decodeBlocks(h, plans, out[:h.Nbytes], src, threads(nthreads))
}

// grow extends dst by n bytes without zeroing more than needed.
func grow(dst []byte, n int) []byte {
	if cap(dst)-len(dst) >= n {
		return dst[:len(dst)+n]
	}
	nd := make([]byte, len(dst)+n)
	copy(nd, dst)
	return nd
}

func decodeBlocks(h Header, plans []blockPlan, out, src []byte, nthreads int) error {
	nt := min(nthreads, len(plans))
	if nt <= 1 {
		s := getScratch(h.Blocksize)
		defer putScratch(s)
		for j := range plans {
			if err := decodeBlock(h, j, plans[j], out, src, s); err != nil {
				return err
			}
		}
		return nil
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		next  int
		first error
	)
	for range nt {
		wg.Go(func() {
			s := getScratch(h.Blocksize)
			defer putScratch(s)
			for {
				mu.Lock()
				j := next
				next++
				stop := first != nil
				mu.Unlock()
				if stop || j >= len(plans) {
					return
				}
				if err := decodeBlock(h, j, plans[j], out, src, s); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return first
}

// decodeBlock is blosc_d: decode block j's streams, then undo the shuffle.
func decodeBlock(h Header, j int, p blockPlan, out, src []byte, s *scratch) error {
	dest := out[j*h.Blocksize : j*h.Blocksize+p.size]
	ts := h.Typesize
	doShuffle := h.Flags&FlagShuffle != 0 && ts > 1
	doBit := h.Flags&FlagBitShuffle != 0 && p.size >= ts
	tmp := dest
	if doShuffle || doBit {
		tmp = s.tmp[:p.size]
	}
	neblock := p.size / p.streams
	off := p.start
	for k := 0; k < p.streams; k++ {
		csize := int(binary.LittleEndian.Uint32(src[off:]))
		off += 4
		stream := src[off : off+csize]
		part := tmp[k*neblock : (k+1)*neblock]
		if csize == neblock {
			copy(part, stream)
		} else if err := decodeStream(h.codecFormat(), part, stream); err != nil {
			return &CorruptError{Offset: off - 4, Field: fmt.Sprintf("block %d stream %d", j, k),
				Msg: fmt.Sprintf("%s stream of %d bytes does not decode to %d bytes: %v", h.Codec(), csize, neblock, err)}
		}
		off += csize
	}
	switch {
	case doShuffle:
		unshuffleBlock(ts, dest, tmp)
	case doBit:
		bitunshuffleBlock(ts, dest, tmp, s.bitTmp(p.size))
	}
	return nil
}
