package bloscpack

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// addSharedSeeds adds the small files of the shared set (and the damaged
// ones) to a fuzz corpus; the committed corpus in testdata/fuzz works
// without them.
func addSharedSeeds(f *testing.F) {
	dir := filepath.Join("..", "..", "shared", "testdata", "bloscpack")
	if d := os.Getenv("RINGVAULT_SHARED"); d != "" {
		dir = filepath.Join(d, "testdata", "bloscpack")
	}
	for _, pat := range []string{"*.blp", "errors/*.blp"} {
		names, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, n := range names {
			if b, err := os.ReadFile(n); err == nil && len(b) <= 64<<10 {
				f.Add(b)
			}
		}
	}
}

// FuzzReader feeds arbitrary bytes to NewReader, WriteTo, ReadAt and
// Verify: never a panic, never a huge allocation, and every path that
// succeeds agrees with the others.
func FuzzReader(f *testing.F) {
	addSharedSeeds(f)
	o := DefaultOptions()
	o.ChunkSize = 300
	o.Metadata = []byte(`{"a": [1, 2.5, "x"], "b": null}`)
	f.Add(pack(f, bytes.Repeat([]byte("ringvault "), 100), &o, false, false))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		size, err := r.Size()
		if err != nil || size > 1<<22 {
			return // a valid header may promise gigabytes; decoding them is not the point
		}
		var seq bytes.Buffer
		_, werr := r.WriteTo(&seq)
		_, verr := r.Verify()
		if (werr == nil) != (verr == nil) && verr == nil {
			t.Fatalf("Verify passed, WriteTo failed: %v", werr)
		}
		all := make([]byte, size)
		n, err := r.ReadAt(all, 0)
		if verr == nil && (int64(n) != size || (err != nil && err != io.EOF)) {
			t.Fatalf("Verify passed, ReadAt gave %d of %d: %v", n, size, err)
		}
		if werr == nil && verr == nil && !bytes.Equal(all, seq.Bytes()) {
			t.Fatal("ReadAt and WriteTo disagree")
		}
	})
}

// FuzzHeader: any 32 bytes that decode re-encode to themselves.
func FuzzHeader(f *testing.F) {
	f.Add((&Header{FormatVersion: 3, Offsets: true, Checksum: Adler32, Typesize: 8, ChunkSize: 1 << 20, LastChunk: 5, NChunks: 3, MaxAppChunks: 30}).Encode(nil))
	f.Add([]byte("blpk\x03\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := DecodeHeader(b)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%T is not *Error", err)
			}
			return
		}
		if got := h.Encode(nil); !bytes.Equal(got, b) {
			t.Fatalf("re-encoded %x, was %x", got, b)
		}
	})
}

// FuzzJSON: whatever DecodeJSON accepts re-encodes to text that decodes to
// an equal value and encodes to the same text again (json.dumps of
// json.loads is a fixed point), and metadata sections round-trip it.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"dtype": "'<f8'", "shape": [100000], "order": "C", "container": "numpy"}`,
		`[1e400, -0.0, 1E-7, 123456789012345678901234567890, "\u00e9\ud83d\ude00", NaN, -Infinity]`, `{"a": 1, "a": 2, "b": {"c": [true, false, null]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeJSON(b)
		if err != nil {
			return
		}
		enc := EncodeJSON(nil, v)
		v2, err := DecodeJSON(enc)
		if err != nil {
			t.Fatalf("%s re-encoded to %s, which does not decode: %v", b, enc, err)
		}
		if enc2 := EncodeJSON(nil, v2); !bytes.Equal(enc, enc2) {
			t.Fatalf("not a fixed point: %s then %s", enc, enc2)
		}
		sec, _, err := EncodeMetadata(nil, enc, DefaultMetaOptions())
		if err != nil {
			return // larger than a section can hold
		}
		_, js, err := readMetadata(bytes.NewReader(sec), 0, int64(len(sec)))
		if err != nil || !bytes.Equal(js, enc) {
			t.Fatalf("metadata section round trip: %v", err)
		}
	})
}
