package blosc

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/pierrec/lz4/v4"
)

const l1 = 32 * 1024 // c-blosc's L1 constant for compute_blocksize

// splitBlock is c-blosc's split_block in its default mode
// (BLOSC_FORWARD_COMPAT_SPLIT): one stream per byte of the type, except
// for zstd, large types and small blocks.
func splitBlock(c Codec, typesize, blocksize int) bool {
	return c != Zstd && typesize <= 16 && blocksize/typesize >= MinBufferSize
}

// ComputeBlocksize is c-blosc's compute_blocksize: the block size
// blosc_compress uses for nbytes of input at clevel with codec c, or the
// forced size (clamped to [128, MaxBlocksize]) when forced > 0. The result
// is at most nbytes and a multiple of typesize when larger than it.
func ComputeBlocksize(c Codec, clevel, typesize, nbytes, forced int) int {
	if nbytes < typesize {
		return 1
	}
	bs := nbytes
	switch {
	case forced > 0:
		bs = min(max(forced, MinBufferSize), MaxBlocksize)
	case nbytes >= l1:
		bs = l1
		if c.hcr() {
			bs *= 2
		}
		switch clevel {
		case 0:
			bs /= 4
		case 1:
			bs /= 2
		case 2:
		case 3:
			bs *= 2
		case 4, 5:
			bs *= 4
		case 6, 7, 8:
			bs *= 8
		case 9:
			bs *= 8
			if c.hcr() {
				bs *= 2
			}
		}
	}
	if clevel > 0 && splitBlock(c, typesize, bs) {
		bs = min(bs, 1<<18) * typesize
		bs = min(max(bs, 1<<16), 1<<20)
	}
	bs = min(bs, nbytes)
	if bs > typesize {
		bs = bs / typesize * typesize
	}
	return bs
}

// encoder holds one Compress call's parameters (c-blosc's blosc_context).
type encoder struct {
	opts      Options
	src       []byte
	blocksize int
	nblocks   int
	leftover  int
	flags     uint8
	maxbytes  int // nbytes + MaxOverhead: the output limit python-blosc gives
}

// Compress compresses src into one Blosc1 chunk appended to dst; it is
// blosc_compress (python-blosc's blosc.compress) with destsize = nbytes +
// MaxOverhead. A nil opts means DefaultOptions. Inputs shorter than 128
// bytes, clevel 0 and data that would not shrink are stored as a memcpy
// chunk, as c-blosc does. Blocks are compressed on up to opts.NThreads
// goroutines and always written in order, so the output does not depend on
// the thread count.
func Compress(dst, src []byte, opts *Options) ([]byte, error) {
	o := DefaultOptions
	if opts != nil {
		o = *opts
	}
	if err := o.validate(); err != nil {
		return dst, err
	}
	if len(src) > MaxBufferSize {
		return dst, fmt.Errorf("%w: input of %d bytes exceeds the maximum %d", ErrInvalidOptions, len(src), MaxBufferSize)
	}
	if o.Typesize > MaxTypesize {
		o.Typesize = 1
	}
	e := &encoder{opts: o, src: src, maxbytes: len(src) + MaxOverhead}
	e.blocksize = ComputeBlocksize(o.Codec, o.Clevel, o.Typesize, len(src), o.Blocksize)
	e.nblocks = len(src) / e.blocksize
	e.leftover = len(src) % e.blocksize
	if e.leftover > 0 {
		e.nblocks++
	}
	e.flags = o.Codec.format() << flagCodecShift
	switch o.Shuffle {
	case ByteShuffle:
		e.flags |= FlagShuffle
	case BitShuffle:
		e.flags |= FlagBitShuffle
	}
	if !splitBlock(o.Codec, o.Typesize, e.blocksize) {
		e.flags |= FlagDontSplit
	}
	memcpy := o.Clevel == 0 || len(src) < MinBufferSize
	n0 := len(dst)
	if !memcpy {
		dst = grow(dst, e.maxbytes)
		n := e.compress(dst[n0:], threads(o.NThreads))
		if n > 0 {
			return dst[:n0+n], nil
		}
		dst = dst[:n0]
	}
	e.flags |= FlagMemcpyed
	h := e.header(len(src) + HeaderSize)
	dst = h.Append(dst)
	return append(dst, src...), nil
}

func (e *encoder) header(cbytes int) Header {
	return Header{Version: FormatVersion, VersionLZ: VersionLZ, Flags: e.flags, Typesize: e.opts.Typesize,
		Nbytes: len(e.src), Blocksize: e.blocksize, Cbytes: cbytes}
}

// compress writes the chunk into out (len(out) == maxbytes) and returns its
// size, or 0 when it does not fit and must be stored as memcpy.
func (e *encoder) compress(out []byte, nthreads int) int {
	ntbytes := HeaderSize + 4*e.nblocks
	if ntbytes+4 >= e.maxbytes {
		return 0 // the block starts alone overflow: blosc_c gives up at block 0
	}
	first := 0
	if nt := min(nthreads, e.nblocks); nt > 1 {
		var ok bool
		ntbytes, first, ok = e.compressParallel(out, nt)
		if !ok {
			return 0
		}
	}
	if first < e.nblocks {
		s := getScratch(e.blocksize)
		defer putScratch(s)
		for j := first; j < e.nblocks; j++ {
			binary.LittleEndian.PutUint32(out[HeaderSize+4*j:], uint32(ntbytes))
			c := e.compressBlock(j, out[ntbytes:], ntbytes, s)
			if c <= 0 {
				return 0
			}
			ntbytes += c
		}
	}
	e.header(ntbytes).Append(out[:0])
	return ntbytes
}

func (e *encoder) block(j int) (src []byte, leftover bool) {
	start := j * e.blocksize
	if j == e.nblocks-1 && e.leftover > 0 {
		return e.src[start : start+e.leftover], true
	}
	return e.src[start : start+e.blocksize], false
}

// compressBlock is blosc_c: shuffle block j and compress its streams into
// dest, the output after ntbytes bytes of the chunk. It returns the bytes
// written, or 0 when the chunk would exceed maxbytes.
func (e *encoder) compressBlock(j int, dest []byte, ntbytes int, s *scratch) int {
	src, leftover := e.block(j)
	bsize := len(src)
	ts := e.opts.Typesize
	data := src
	switch {
	case e.flags&FlagShuffle != 0 && ts > 1:
		shuffleBlock(ts, s.tmp, src)
		data = s.tmp[:bsize]
	case e.flags&FlagBitShuffle != 0 && bsize >= ts:
		bitshuffleBlock(ts, s.tmp, src, s.bitTmp(bsize))
		data = s.tmp[:bsize]
	}
	dontSplit := e.flags&FlagDontSplit != 0
	nsplits := 1
	if !dontSplit && !leftover {
		nsplits = ts
	}
	neblock := bsize / nsplits
	direct := e.opts.Codec == BloscLZ
	op := 0
	for k := 0; k < nsplits; k++ {
		op += 4
		ntbytes += 4
		maxout := neblock
		if e.opts.Codec == Snappy {
			maxout = snappyMaxCompressedLength(neblock)
		}
		if ntbytes+maxout > e.maxbytes {
			maxout = e.maxbytes - ntbytes
			if maxout <= 0 {
				return 0
			}
		}
		part := data[k*neblock : (k+1)*neblock]
		var c int
		if direct {
			// blosclz never writes past maxout: straight into the chunk.
			c = blosclzCompress(e.opts.Clevel, part, dest[op:op+maxout], !dontSplit, s)
		} else {
			s.ensureOut(e.opts.Codec, e.blocksize)
			c = encodeStream(e.opts.Codec, e.opts.Clevel, !dontSplit, s.out, part, maxout, s)
		}
		if c == 0 || c == neblock {
			if ntbytes+neblock > e.maxbytes {
				return 0
			}
			copy(dest[op:], part)
			c = neblock
		} else if !direct {
			copy(dest[op:], s.out[:c])
		}
		binary.LittleEndian.PutUint32(dest[op-4:], uint32(c))
		op += c
		ntbytes += c
	}
	return op
}

// ensureOut gives s.out room for one stream of a block of blocksize
// bytes (the codecs that may write past their limit encode there first)
// and allocates codec c's tables.
func (s *scratch) ensureOut(c Codec, blocksize int) {
	switch {
	case c == LZ4 && s.lz4 == nil:
		s.lz4 = new(lz4.CompressorCCompat)
	case c == LZ4HC && s.lz4hc == nil:
		s.lz4hc = new(lz4.CompressorHC)
	}
	if n := maxStreamOut(blocksize); cap(s.out) < n {
		s.out = make([]byte, n)
	}
	s.out = s.out[:cap(s.out)]
}

// arenaPool recycles the per-call buffers of compressParallel.
var arenaPool sync.Pool

// blockResult is one block compressed on its own, as if the output had room.
type blockResult struct {
	buf  []byte
	done bool
}

// compressParallel compresses all blocks concurrently, each into its own
// buffer with an unlimited budget, then lays them out in order. Where the
// real budget (maxbytes) could have changed a stream's encoding — only near
// the end of a barely compressible chunk — it stops and returns the block
// from which the serial path must redo the work, so the output is always
// the bytes a single-threaded c-blosc writes.
func (e *encoder) compressParallel(out []byte, nt int) (ntbytes, first int, ok bool) {
	res := make([]blockResult, e.nblocks)
	per := e.blocksize + 4*e.opts.Typesize + snappyMaxCompressedLength(e.blocksize)
	ap, _ := arenaPool.Get().(*[]byte)
	if ap == nil {
		ap = new([]byte)
	}
	defer arenaPool.Put(ap)
	if cap(*ap) < per*e.nblocks {
		*ap = make([]byte, per*e.nblocks)
	}
	arena := (*ap)[:per*e.nblocks]
	big := *e
	big.maxbytes = 1 << 62
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := 0
	for range nt {
		wg.Go(func() {
			s := getScratch(e.blocksize)
			defer putScratch(s)
			for {
				mu.Lock()
				j := next
				next++
				mu.Unlock()
				if j >= e.nblocks {
					return
				}
				buf := arena[j*per : (j+1)*per]
				n := big.compressBlock(j, buf, 0, s)
				res[j] = blockResult{buf: buf[:n], done: true}
			}
		})
	}
	wg.Wait()
	ntbytes = HeaderSize + 4*e.nblocks
	for j := range res {
		if !e.fitsUnchanged(j, res[j].buf, ntbytes) {
			return ntbytes, j, true
		}
		binary.LittleEndian.PutUint32(out[HeaderSize+4*j:], uint32(ntbytes))
		copy(out[ntbytes:], res[j].buf)
		ntbytes += len(res[j].buf)
	}
	return ntbytes, e.nblocks, true
}

// fitsUnchanged reports whether block j, compressed with an unlimited
// budget into buf, is what the serial path writes when the block starts at
// ntbytes: true when no stream's maxout would have been cut by maxbytes.
func (e *encoder) fitsUnchanged(j int, buf []byte, ntbytes int) bool {
	src, leftover := e.block(j)
	nsplits := 1
	if e.flags&FlagDontSplit == 0 && !leftover {
		nsplits = e.opts.Typesize
	}
	neblock := len(src) / nsplits
	maxout := neblock
	if e.opts.Codec == Snappy {
		maxout = snappyMaxCompressedLength(neblock)
	}
	for off := 0; off < len(buf); {
		c := int(binary.LittleEndian.Uint32(buf[off:]))
		off += 4 + c
		ntbytes += 4
		if e.maxbytes-ntbytes < maxout {
			return false
		}
		ntbytes += c
	}
	return true
}
