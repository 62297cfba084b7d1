package blosc

import (
	"bytes"
	"errors"
	"io"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// maxExpansion bounds how many decoded bytes one compressed byte of a codec
// format can produce. Decompress checks every stream against it before it
// allocates, so a chunk cannot make the decoder allocate more than a fixed
// multiple of its own size.
func maxExpansion(format uint8, csize int) int {
	switch format {
	case 0, 1: // blosclz, lz4: a run of 255-bytes extends a match by 255 each
		return 256*csize + 64
	case 2: // snappy: checked exactly against the uvarint length
		return 1 << 31
	case 3: // deflate: at most 258 bytes per 2 bits
		return 1032*csize + 64
	}
	// zstd: a 3-byte block header and one byte may give a 128 KiB RLE block.
	return 43691*csize + 64
}

// errStream is returned by a stream decoder when the stream is malformed or
// does not decode to exactly the expected size.
var errStream = errors.New("stream does not decode to its block size")

// decodeStream decodes the compressed stream src of codec format into dst,
// which it must fill exactly (blosc_d's nbytes == neblock check).
func decodeStream(format uint8, dst, src []byte) error {
	switch format {
	case 0:
		if blosclzDecode(dst, src) != len(dst) {
			return errStream
		}
		return nil
	case 1:
		n, err := lz4.UncompressBlock(src, dst)
		if err != nil {
			return err
		}
		if n != len(dst) {
			return errStream
		}
		return nil
	case 2:
		n, err := snappy.DecodedLen(src)
		if err != nil {
			return err
		}
		if n != len(dst) {
			return errStream
		}
		out, err := snappy.DecodeStrict(dst, src)
		if err != nil {
			return err
		}
		if len(out) != len(dst) {
			return errStream
		}
		return nil
	case 3:
		return zlibDecode(dst, src)
	case 4:
		return zstdDecode(dst, src)
	}
	return errStream
}

var zlibReaders sync.Pool

func zlibDecode(dst, src []byte) error {
	br := bytes.NewReader(src)
	var zr io.ReadCloser
	if r, ok := zlibReaders.Get().(io.ReadCloser); ok {
		if err := r.(zlib.Resetter).Reset(br, nil); err != nil {
			return err
		}
		zr = r
	} else {
		r, err := zlib.NewReader(br)
		if err != nil {
			return err
		}
		zr = r
	}
	defer zlibReaders.Put(zr)
	if _, err := io.ReadFull(zr, dst); err != nil {
		return err
	}
	// The stream must end here; reading on verifies the adler32 trailer.
	var one [1]byte
	if n, err := zr.Read(one[:]); n != 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			return errStream
		}
		return err
	}
	return nil
}

var (
	zstdDecOnce sync.Once
	zstdDec     *zstd.Decoder
)

func zstdDecoder() *zstd.Decoder {
	zstdDecOnce.Do(func() {
		d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecodeAllCapLimit(true), zstd.WithDecoderMaxMemory(MaxBlocksize))
		if err != nil {
			panic("blosc: zstd decoder: " + err.Error())
		}
		zstdDec = d
	})
	return zstdDec
}

// encodeStream compresses src with codec c at clevel into dst and returns
// the compressed size, or 0 when the result does not fit in maxout bytes
// (the contract of c-blosc's *_wrap_compress functions). dst must have room
// for maxStreamOut(len(src)) bytes.
func encodeStream(c Codec, clevel int, split bool, dst, src []byte, maxout int, s *scratch) int {
	var n int
	switch c {
	case BloscLZ:
		return blosclzCompress(clevel, src, dst[:maxout], split, s)
	case LZ4:
		s.lz4.Acceleration = 10 - clevel
		n, _ = s.lz4.CompressBlock(src, dst[:maxout])
		return n
	case LZ4HC:
		s.lz4hc.Level = lz4.CompressionLevel(1 << (clevel - 1))
		n, _ = s.lz4hc.CompressBlock(src, dst[:maxout])
		return n
	case Snappy:
		// snappy-c's snappy_compress refuses any output buffer smaller
		// than snappy_max_compressed_length, whatever the data.
		if maxout < snappyMaxCompressedLength(len(src)) {
			return 0
		}
		out := s2.EncodeSnappy(dst[:cap(dst)], src)
		n = len(out)
	case Zlib:
		n = zlibEncode(clevel, dst, src)
	case Zstd:
		return zstdEncode(clevel, dst, src, maxout)
	}
	if n > maxout {
		return 0
	}
	return n
}

// maxStreamOut is the scratch a stream of n bytes may need while encoding.
func maxStreamOut(n int) int {
	return max(s2.MaxEncodedLen(n), lz4.CompressBlockBound(n), n+n/8+1024)
}

// snappyMaxCompressedLength is snappy::MaxCompressedLength, the maxout
// c-blosc grants the snappy codec.
func snappyMaxCompressedLength(n int) int { return 32 + n + n/6 }

type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

var zlibWriters [10]sync.Pool

func zlibEncode(clevel int, dst, src []byte) int {
	w := &sliceWriter{b: dst[:0]}
	zw, _ := zlibWriters[clevel].Get().(*zlib.Writer)
	if zw == nil {
		var err error
		zw, err = zlib.NewWriterLevel(w, clevel)
		if err != nil {
			return 0
		}
	} else {
		zw.Reset(w)
	}
	defer zlibWriters[clevel].Put(zw)
	if _, err := zw.Write(src); err != nil {
		return 0
	}
	if err := zw.Close(); err != nil {
		return 0
	}
	if len(w.b) > len(dst[:cap(dst)]) || (len(w.b) > 0 && &w.b[0] != &dst[:1][0]) {
		return 0
	}
	return len(w.b)
}
