package bloscpack

import (
	"encoding/binary"
	"fmt"
	"io"

	"ringvault/blosc"
	"ringvault/storage"
)

// AppendOptions are the compression settings of appended chunks.
type AppendOptions struct {
	// Blosc compresses the rewritten last chunk and the new chunks.
	// Typesize 0 means the file header's typesize (bloscpack's library
	// default; its blpk CLI always passes 8).
	Blosc blosc.Options
	// Workers is the number of chunks compressed at once (0 = GOMAXPROCS).
	Workers int
}

// AppendResult says what Append did.
type AppendResult struct {
	NewChunks int64     // chunks added (0 when the data fitted the last chunk)
	Rest      *Chunking // how the data beyond the last chunk was cut (nil when it fitted)
	Header    Header    // the header after the append
	Size      int64     // file size after the append
}

// Append adds n bytes from src to the file f (append_fp), with bloscpack's
// rules: the file must have an offsets table; the last chunk is
// decompressed, filled up to chunk_size and rewritten in place; the rest is
// cut into chunk_size chunks that must fit the reserved offset slots
// (max_app_chunks), checked before anything is written; the header and the
// offsets table are updated.
//
// Unlike bloscpack it checks the last chunk's digest before building on
// it, writes only the offset slots that changed and truncates the file
// after the new last chunk, so no stale bytes remain.
//
// Crash behaviour (see docs/format/bloscpack.md): new chunks are written
// and synced before the header and the offsets table name them, so a crash
// leaves either the old header (the old chunks before the last intact) or
// the new file. The rewritten last chunk replaces the old one in place: a
// crash while writing it leaves that chunk failing its digest.
func Append(f storage.File, src io.Reader, n int64, opts *AppendOptions) (AppendResult, error) {
	var o AppendOptions
	if opts != nil {
		o = *opts
	} else {
		o.Blosc = DefaultOptions().Blosc
	}
	size, err := f.Size()
	if err != nil {
		return AppendResult{}, err
	}
	r, err := NewReader(f, size)
	if err != nil {
		return AppendResult{}, err
	}
	h := r.Header()
	if !h.Offsets || len(r.table) == 0 {
		return AppendResult{}, errorf(ErrNoOffsets, 5, "options", "Appending to a file without offsets is not yet supported")
	}
	if o.Blosc.Typesize == 0 {
		o.Blosc.Typesize = h.Typesize
	}
	last := len(r.table) - 1
	lastPos := r.table[last]
	if lastPos < r.first || lastPos > size-BloscHeaderSize {
		return AppendResult{}, errorf(ErrFormat, r.offPos+8*int64(last), fmt.Sprintf("offsets[%d]", last), "last chunk offset %d is outside the file", lastPos)
	}
	comp, err := r.readChunk(last, lastPos) // checks the digest first
	if err != nil {
		return AppendResult{}, err
	}
	lastN := h.LastChunk
	plain := make([]byte, lastN)
	if err := decodeInto(last, lastPos, comp, plain, 0); err != nil {
		return AppendResult{}, err
	}
	room := h.ChunkSize - lastN
	wo := Options{Blosc: o.Blosc, ChunkSize: max(h.ChunkSize, 1), Checksum: h.Checksum, Workers: o.Workers}
	var c Chunking
	var restC *Chunking
	if n <= room {
		c = Chunking{NChunks: 1, ChunkSize: h.ChunkSize, LastChunk: lastN + n}
	} else {
		rest, err := CalculateChunks(n-room, h.ChunkSize)
		if err != nil {
			return AppendResult{}, err
		}
		if rest.NChunks > h.MaxAppChunks {
			return AppendResult{}, errorf(ErrNotEnoughSpace, 24, "max_app_chunks",
				"not enough space: %d new chunks, %d offset slots left", rest.NChunks, h.MaxAppChunks)
		}
		c = Chunking{NChunks: 1 + rest.NChunks, ChunkSize: h.ChunkSize, LastChunk: rest.LastChunk}
		restC = &rest
	}
	total := h.ChunkSize*(c.NChunks-1) + c.LastChunk
	w := newChunkWriter(&FileAppender{F: f, Off: lastPos}, lastPos, c, total, wo)
	if _, err := w.Write(plain); err != nil {
		return AppendResult{}, err
	}
	if got, err := io.CopyN(w, src, n); err != nil {
		w.Close()
		return AppendResult{}, fmt.Errorf("bloscpack: reading appended data (%d of %d bytes): %w", got, n, err)
	}
	if err := w.Close(); err != nil {
		return AppendResult{}, err
	}
	if err := f.Sync(); err != nil {
		return AppendResult{}, err
	}
	added := c.NChunks - 1
	nh := h
	nh.LastChunk = c.LastChunk
	nh.NChunks += added
	nh.MaxAppChunks -= added
	if added > 0 {
		tab := make([]byte, 0, 8*added)
		for _, p := range w.offsets[1:] {
			tab = binary.LittleEndian.AppendUint64(tab, uint64(p))
		}
		if _, err := f.WriteAt(tab, r.offPos+8*h.NChunks); err != nil {
			return AppendResult{}, err
		}
	}
	if _, err := f.WriteAt(nh.Encode(nil), 0); err != nil {
		return AppendResult{}, err
	}
	if err := f.Sync(); err != nil {
		return AppendResult{}, err
	}
	if err := f.Truncate(w.pos); err != nil {
		return AppendResult{}, err
	}
	return AppendResult{NewChunks: added, Rest: restC, Header: nh, Size: w.pos}, f.Sync()
}

// newChunkWriter is a Writer without header, metadata or offsets: it
// writes c's chunks from pos on (append).
func newChunkWriter(dst io.Writer, pos int64, c Chunking, size int64, o Options) *Writer {
	w := &Writer{dst: dst, opts: o, bo: o.bloscOpts(c.NChunks), size: size, pos: pos}
	w.hdr = Header{Checksum: o.Checksum, ChunkSize: c.ChunkSize, LastChunk: c.LastChunk, NChunks: c.NChunks}
	w.initPool()
	w.cur = w.getBuf()
	return w
}

// RewriteMetadata replaces the metadata JSON of f in its reserved space
// (_rewrite_metadata_fp): the section keeps its max_meta_size and digest
// type; the new JSON is zlib-compressed at level 6 when that does not make
// it larger. It fails with ErrNoMetadata, ErrNoChangeInMetadata (same JSON
// value) or ErrMetadataTooSmall.
func RewriteMetadata(f storage.File, js []byte) error {
	size, err := f.Size()
	if err != nil {
		return err
	}
	hb := make([]byte, min(size, HeaderSize))
	if err := readFull(f, hb, 0, "header"); err != nil && len(hb) > 0 {
		return err
	}
	h, err := DecodeHeader(hb)
	if err != nil {
		return err
	}
	if !h.Metadata {
		return errorf(ErrNoMetadata, 5, "options", "unable to seek to metadata if it does not exist")
	}
	old, oldJS, err := readMetadata(f, HeaderSize, size)
	if err != nil {
		return err
	}
	newV, err := DecodeJSON(js)
	if err != nil {
		return fmt.Errorf("bloscpack: new metadata is not valid JSON: %w", err)
	}
	oldV, _ := DecodeJSON(oldJS)
	if jsonEqual(oldV, newV) {
		return errorf(ErrNoChangeInMetadata, HeaderSize, "metadata", "you requested to update metadata, but this has not changed")
	}
	sec, _, err := EncodeMetadata(nil, EncodeJSON(nil, newV),
		MetaOptions{Checksum: old.Checksum, Codec: MetaZlib, Level: 6, MaxSize: int64(old.MaxSize)})
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(sec, HeaderSize); err != nil {
		return err
	}
	return f.Sync()
}
