// Package blosc reads and writes Blosc1 chunks (chunk format version 2), the
// buffers c-blosc 1.x produces with blosc_compress and Bloscpack stores in its
// .blp files. It is a pure-Go reimplementation: the framing, byte shuffle,
// bitshuffle and the BloscLZ codec are written here; lz4 and lz4hc come from
// github.com/pierrec/lz4/v4, snappy, zlib and zstd from
// github.com/klauspost/compress.
//
// The byte layout is specified in docs/format/blosc1.md. Compress is
// blosc_compress (python-blosc's blosc.compress) and Decompress is
// blosc_decompress (blosc.decompress). Every chunk Compress writes decodes
// with c-blosc 1.21; with BloscLZ or memcpy and the heuristic block size the
// bytes equal c-blosc's own output.
//
// Blocks of one chunk are compressed and decompressed in parallel on up to
// NThreads goroutines. Decoders validate every size and offset of a chunk
// against the buffer before they allocate or copy anything, so a header that
// lies is an error, never a panic or a huge allocation.
package blosc
