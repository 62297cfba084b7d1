package bloscpack_test

import (
	"bytes"
	"fmt"
	"io"

	"ringvault/bloscpack"
	"ringvault/storage"
)

// Writing a typed array the way bloscpack.pack_ndarray_to_file does, then
// reading part of it back through the offsets table.
func Example() {
	data := make([]byte, 8*300000) // 300000 float64 zeros
	meta := bloscpack.ArrayMeta{Dtype: "<f8", Shape: []int64{300000}}
	o, err := meta.Options(bloscpack.DefaultOptions())
	if err != nil {
		panic(err)
	}
	file := storage.NewMemFile(nil)
	w, err := bloscpack.NewWriter(&bloscpack.FileAppender{F: file}, int64(len(data)), &o)
	if err != nil {
		panic(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		panic(err)
	}

	r, err := bloscpack.NewReader(file, int64(len(file.Bytes())))
	if err != nil {
		panic(err)
	}
	h := r.Header()
	fmt.Println(h.NChunks, h.ChunkSize, h.LastChunk, h.MaxAppChunks, h.Checksum)
	fmt.Println(string(r.Metadata()))
	p := make([]byte, 16)
	n, _ := r.ReadAt(p, 2000000) // decodes chunk 1 only
	fmt.Println(n, bytes.Equal(p, make([]byte, 16)))
	// Output:
	// 3 1048576 302848 30 adler32
	// {"dtype":"'<f8'","shape":[300000],"order":"C","container":"numpy"}
	// 16 true
}

// Streaming: a Reader is an io.Reader, so io.Copy decompresses a whole
// file (in parallel, in order, each chunk's digest checked).
func ExampleReader_WriteTo() {
	var blp bytes.Buffer
	w, _ := bloscpack.NewWriter(&blp, 11, nil) // a plain io.Writer works too
	io.WriteString(w, "hello world")
	w.Close()
	r, _ := bloscpack.NewReader(bytes.NewReader(blp.Bytes()), int64(blp.Len()))
	var out bytes.Buffer
	io.Copy(&out, r)
	fmt.Println(out.String())
	// Output: hello world
}
