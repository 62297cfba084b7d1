package blosc

import (
	"errors"
	"sync"

	"ringvault/internal/zstd/zdec"
)

// zstdDecoders pools ringvault's zstd decoders: blocks are decoded in
// parallel goroutines and each decoder keeps a 128 KiB literals buffer
// and its tables.
var zstdDecoders = sync.Pool{New: func() any { return zdec.New() }}

// zstdDecode is c-blosc's zstd_wrap_decompress: the zstd frame src must
// decode to exactly len(dst) bytes. It uses ringvault's decoder, which
// never writes outside dst, and falls back to klauspost/compress for the
// frames that decoder leaves out (dictionaries).
func zstdDecode(dst, src []byte) error {
	d := zstdDecoders.Get().(*zdec.Decoder)
	_, err := d.DecodeInto(dst, src)
	zstdDecoders.Put(d)
	if !errors.Is(err, zdec.ErrUnsupported) {
		return err
	}
	out, err := zstdDecoder().DecodeAll(src, dst[:0:len(dst)])
	if err != nil {
		return err
	}
	if len(out) != len(dst) {
		return errStream
	}
	return nil
}
