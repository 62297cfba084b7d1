package bloscpack

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"ringvault/storage"
	"ringvault/storage/faulty"
)

func newMem(b []byte) *storage.MemFile { return storage.NewMemFile(bytes.Clone(b)) }

// TestAppendRules follows bloscpack's append rules: data that fits is
// merged into the last chunk without touching the offsets; more data fills
// the last chunk and adds chunk_size chunks into the reserved slots;
// too many chunks fail before anything is written.
func TestAppendRules(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	base := sample(rng, 50000)
	o := DefaultOptions()
	o.ChunkSize = 16384
	o.Checksum = CRC32
	file := pack(t, base, &o, false, false) // 4 chunks, last 1152, 40 slots

	// fits the last chunk
	f := newMem(file)
	extra := sample(rng, 5000)
	res, err := Append(f, bytes.NewReader(extra), int64(len(extra)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.NewChunks != 0 || res.Header.NChunks != 4 || res.Header.LastChunk != 50000-3*16384+5000 || res.Header.MaxAppChunks != 40 {
		t.Fatalf("in-place append: %+v", res)
	}
	if !bytes.Equal(f.Bytes()[HeaderSize:HeaderSize+8*44], file[HeaderSize:HeaderSize+8*44]) {
		t.Fatal("in-place append rewrote the offsets")
	}
	if got := unpack(t, f.Bytes()); !bytes.Equal(got, append(bytes.Clone(base), extra...)) {
		t.Fatal("in-place append: wrong data")
	}

	// adds chunks
	f = newMem(file)
	extra = sample(rng, 40000)
	res, err = Append(f, bytes.NewReader(extra), int64(len(extra)), nil)
	if err != nil {
		t.Fatal(err)
	}
	total := 50000 + 40000
	if res.Header.NChunks != int64((total+16383)/16384) || res.Header.MaxAppChunks != 40-res.NewChunks || res.Header.LastChunk != int64(total%16384) {
		t.Fatalf("append: %+v", res)
	}
	if got := unpack(t, f.Bytes()); !bytes.Equal(got, append(bytes.Clone(base), extra...)) {
		t.Fatal("append: wrong data")
	}
	r, _ := NewReader(bytes.NewReader(f.Bytes()), int64(len(f.Bytes())))
	if v, err := r.Verify(); err != nil || v.Trailing != 0 {
		t.Fatalf("after append: %+v %v", v, err)
	}

	// not enough space
	f = newMem(file)
	big := make([]byte, 41*16384+20000)
	if _, err := Append(f, bytes.NewReader(big), int64(len(big)), nil); !errors.Is(err, ErrNotEnoughSpace) {
		t.Fatalf("too big an append: %v", err)
	}
	if !bytes.Equal(f.Bytes(), file) {
		t.Fatal("a refused append changed the file")
	}
}

// TestAppendChecksLastChunkDigest: a damaged last chunk stops the append
// before anything is written (bloscpack would build on it).
func TestAppendChecksLastChunkDigest(t *testing.T) {
	o := DefaultOptions()
	o.ChunkSize = 4096
	file := pack(t, sample(rand.New(rand.NewPCG(1, 1)), 10000), &o, false, false)
	r, _ := NewReader(bytes.NewReader(file), int64(len(file)))
	last := r.Offsets()[len(r.Offsets())-1]
	file[last+BloscHeaderSize+3] ^= 1
	f := newMem(file)
	if _, err := Append(f, bytes.NewReader([]byte("abc")), 3, nil); !errors.Is(err, ErrChecksumMismatch) {
		t.Fatalf("append onto a damaged last chunk: %v", err)
	}
	if !bytes.Equal(f.Bytes(), file) {
		t.Fatal("the file changed")
	}
}

// TestAppendTruncatesStaleBytes: when the rewritten last chunk is shorter,
// nothing of the old one remains after it.
func TestAppendTruncatesStaleBytes(t *testing.T) {
	o := DefaultOptions()
	o.ChunkSize = 65536
	o.Blosc.Typesize = 1
	// The last chunk is 100 zero bytes, stored raw (below Blosc's 128-byte
	// minimum); with 10000 more zeros it compresses to far less.
	data := append(sample(rand.New(rand.NewPCG(2, 2)), 65536), make([]byte, 100)...)
	file := pack(t, data, &o, false, false)
	f := newMem(file)
	zeros := make([]byte, 10000)
	ao := &AppendOptions{Blosc: o.Blosc}
	ao.Blosc.Clevel = 9
	if _, err := Append(f, bytes.NewReader(zeros), int64(len(zeros)), ao); err != nil {
		t.Fatal(err)
	}
	if len(f.Bytes()) >= len(file) {
		t.Fatalf("the rewritten last chunk did not shrink (%d -> %d bytes): the test proves nothing", len(file), len(f.Bytes()))
	}
	r, _ := NewReader(bytes.NewReader(f.Bytes()), int64(len(f.Bytes())))
	v, err := r.Verify()
	if err != nil || v.Trailing != 0 {
		t.Fatalf("%+v %v", v, err)
	}
}

// TestRewriteMetadata: in place, same section size, zlib when it pays,
// refuses unchanged or too big metadata and files without metadata.
func TestRewriteMetadata(t *testing.T) {
	o := DefaultOptions()
	o.Metadata = []byte(`{"a": 1, "list": [1, 2, 3]}`)
	data := sample(rand.New(rand.NewPCG(4, 4)), 5000)
	file := pack(t, data, &o, false, false)
	f := newMem(file)
	if err := RewriteMetadata(f, []byte(`{"list": [1, 2, 3], "a": 1.0}`)); !errors.Is(err, ErrNoChangeInMetadata) {
		t.Fatalf("same value: %v", err)
	}
	if err := RewriteMetadata(f, []byte(`{"a": 2, "b": "x"}`)); err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(bytes.NewReader(f.Bytes()), int64(len(f.Bytes())))
	if err != nil {
		t.Fatal(err)
	}
	if string(r.Metadata()) != `{"a":2,"b":"x"}` || len(f.Bytes()) != len(file) {
		t.Fatalf("metadata %s", r.Metadata())
	}
	if got := unpack(t, f.Bytes()); !bytes.Equal(got, data) {
		t.Fatal("data changed")
	}
	huge := fmt.Sprintf(`{"x": "%x"}`, sample(rand.New(rand.NewPCG(5, 5)), 2000))
	if err := RewriteMetadata(f, []byte(huge)); !errors.Is(err, ErrMetadataTooSmall) {
		t.Fatalf("too big: %v", err)
	}
	o.Metadata = nil
	if err := RewriteMetadata(newMem(pack(t, data, &o, false, false)), []byte(`{}`)); !errors.Is(err, ErrNoMetadata) {
		t.Fatalf("no metadata: %v", err)
	}
}

// TestAppendCrash stops the machine at every write of an append (and
// after it) under every crash mode, and checks what survives: the file
// still opens; either the old header (and every chunk but the last intact)
// or the new header (and all data) holds; no acknowledged append is lost.
func TestAppendCrash(t *testing.T) {
	o := DefaultOptions()
	o.ChunkSize = 8192
	rng := rand.New(rand.NewPCG(6, 6))
	base := sample(rng, 30000)
	extra := sample(rng, 30000)
	file := pack(t, base, &o, false, false)
	whole := append(bytes.Clone(base), extra...)
	oldHdr, _ := DecodeHeader(file[:HeaderSize])
	for k := 1; k <= 12; k++ {
		for _, mode := range faulty.Modes {
			f := faulty.New(file)
			f.FailFrom(faulty.OpWrite, k, faulty.ErrCrashed)
			_, appendErr := Append(f, bytes.NewReader(extra), int64(len(extra)), nil)
			img := f.Crash(rand.New(rand.NewPCG(uint64(k), uint64(mode))), mode)
			r, err := NewReader(bytes.NewReader(img), int64(len(img)))
			if err != nil {
				t.Fatalf("write %d %v: the file no longer opens: %v", k, mode, err)
			}
			h := r.Header()
			switch {
			case h == oldHdr:
				// every chunk but the last must still decode
				n := int(oldHdr.NChunks-1) * int(oldHdr.ChunkSize)
				p := make([]byte, n)
				if _, err := r.ReadAt(p, 0); err != nil || !bytes.Equal(p, base[:n]) {
					t.Fatalf("write %d %v: old chunks damaged: %v", k, mode, err)
				}
				if appendErr == nil {
					t.Fatalf("write %d %v: append acknowledged, old header survived", k, mode)
				}
			default:
				var out bytes.Buffer
				if _, err := r.WriteTo(&out); err != nil || !bytes.Equal(out.Bytes(), whole) {
					t.Fatalf("write %d %v: new header %+v but data: %v", k, mode, h, err)
				}
			}
		}
	}
}

// TestWriterCrash stops the machine at every write of a Writer and crashes
// it under every mode: reading the image gives either an error (never a
// panic) or exactly the data; a Writer whose Close and Sync returned keeps
// its data through any crash. Offsets still -1 (the table is filled last)
// make the reader walk the chunks, as bloscpack does.
func TestWriterCrash(t *testing.T) {
	data := sample(rand.New(rand.NewPCG(7, 7)), 40000)
	o := DefaultOptions()
	o.ChunkSize = 8192
	o.Metadata = []byte(`{"a": 1}`)
	for k := 1; k <= 10; k++ {
		for _, mode := range faulty.Modes {
			f := faulty.New(nil)
			f.FailFrom(faulty.OpWrite, k, faulty.ErrCrashed)
			w, err := NewWriter(&FileAppender{F: f}, int64(len(data)), &o)
			closed := false
			if err == nil {
				w.Write(data)
				closed = w.Close() == nil && f.Sync() == nil
			}
			img := f.Crash(rand.New(rand.NewPCG(uint64(k), uint64(mode))), mode)
			r, err := NewReader(bytes.NewReader(img), int64(len(img)))
			var out bytes.Buffer
			if err == nil {
				_, err = r.WriteTo(&out)
			}
			if closed && (err != nil || !bytes.Equal(out.Bytes(), data)) {
				t.Fatalf("write %d %v: synced file lost data: %v", k, mode, err)
			}
			if err == nil && !bytes.Equal(out.Bytes(), data) {
				t.Fatalf("write %d %v: read without error but wrong data", k, mode)
			}
		}
	}
	// the table unfilled: chunks are found by walking them
	f := faulty.New(nil)
	w, _ := NewWriter(&FileAppender{F: f}, int64(len(data)), &o)
	w.Write(data)
	w.Close()
	img := f.Current()
	r, _ := NewReader(bytes.NewReader(img), int64(len(img)))
	for i := range r.Offsets() {
		binary.LittleEndian.PutUint64(img[r.OffsetsPos()+8*int64(i):], ^uint64(0))
	}
	r, err := NewReader(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 100)
	if _, err := r.ReadAt(p, 30000); err != nil || !bytes.Equal(p, data[30000:30100]) {
		t.Fatalf("ReadAt with an unfilled table: %v", err)
	}
}
