package blosc

import (
	"sync"

	"ringvault/internal/zstd/zenc"
)

// zstdEncoders pools ringvault's zstd encoders: blocks are compressed in
// parallel and each encoder keeps a few MiB of match-finder tables.
var zstdEncoders = sync.Pool{New: func() any { return new(zenc.Encoder) }}

// zstdLevel is c-blosc's zstd_wrap_compress level mapping: clevel*2-1,
// and ZSTD_maxCLevel() (22) for 9. c-blosc then tests the mapped level
// for 8 to use maxCLevel-2, which an odd number never is, so its clevel 8
// is zstd level 15, and so is ringvault's.
func zstdLevel(clevel int) int {
	if clevel >= 9 {
		return 22 // ZSTD_maxCLevel()
	}
	return clevel*2 - 1
}

// zstdEncode is c-blosc's zstd_wrap_compress: one zstd frame of src at the
// level clevel maps to, written into dst, or 0 when it needs more than
// maxout bytes. dst must have room for maxStreamOut(len(src)) bytes.
func zstdEncode(clevel int, dst, src []byte, maxout int) int {
	e := zstdEncoders.Get().(*zenc.Encoder)
	out := e.Encode(dst[:0:cap(dst)], src, zstdLevel(clevel))
	zstdEncoders.Put(e)
	if len(out) > maxout {
		return 0
	}
	if len(out) > 0 && &out[0] != &dst[:1][0] {
		copy(dst, out) // cannot happen with the documented capacity
	}
	return len(out)
}
