// Package bloscpack reads and writes Bloscpack files (.blp, container format
// version 3), the chunked Blosc1 container of Python's bloscpack 0.16: a
// 32-byte header, an optional JSON metadata section, an optional table of
// chunk offsets with room for appended chunks, then Blosc1 chunks each
// followed by its digest. The byte layout is specified in
// docs/format/bloscpack.md.
//
// The API has three layers, like archive/zip:
//
//   - bytes: EncodeHeader/DecodeHeader, EncodeMetadata/DecodeMetadata,
//     Checksum.Sum;
//   - streams and files: NewWriter (an io.WriteCloser that compresses chunks
//     in parallel and keeps their order; ReadFromAt lets the workers read,
//     compress and place their own chunks), NewReader (an io.Reader and
//     io.ReaderAt over any io.ReaderAt that decompresses only the chunks a
//     read needs; WriteAllTo decodes every chunk straight to its place in a
//     file), Append and RewriteMetadata on a storage.File, Verify;
//   - path helpers: CompressFile, DecompressFile, AppendFile.
//
// Files written with the same chunk bytes are byte-identical to bloscpack's
// (pack_file_to_file, pack_ndarray_to_file); everything new (an unknown
// input size, a settable max_app_chunks) stays inside what bloscpack reads.
package bloscpack
