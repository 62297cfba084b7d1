package bloscpack

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"ringvault/internal/testutil"
)

// TestSharedErrorFiles opens the damaged files of the shared set and checks
// that reading them fails with the message bloscpack's library raises
// (MANIFEST.json "errors"[].library) and the matching sentinel.
func TestSharedErrorFiles(t *testing.T) {
	dir, _ := loadManifest(t)
	var m struct {
		Errors []struct {
			Name    string `json:"name"`
			File    string `json:"file"`
			Library []struct {
				Raises struct {
					Exception string `json:"exception"`
					Message   string `json:"message"`
				} `json:"raises"`
			} `json:"library"`
		} `json:"errors"`
	}
	testutil.ReadJSON(t, filepath.Join(dir, "MANIFEST.json"), &m)
	sentinel := map[string]error{
		"ValueError": ErrFormat, "FormatVersionMismatch": ErrFormatVersion,
		"ChecksumMismatch": ErrChecksumMismatch, "error": ErrTruncated,
	}
	checked := 0
	for _, e := range m.Errors {
		t.Run(e.Name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, e.File))
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewReader(bytes.NewReader(data), int64(len(data)))
			if err == nil {
				_, err = r.WriteTo(io.Discard)
			}
			if len(e.Library) == 0 { // the append target: readable, but append refuses
				if err != nil {
					t.Fatal(err)
				}
				f := newMem(data)
				if _, err := Append(f, bytes.NewReader([]byte("x")), 1, nil); !errors.Is(err, ErrNoOffsets) {
					t.Fatalf("append without offsets: %v", err)
				}
				if !bytes.Equal(f.Bytes(), data) {
					t.Fatal("a refused append changed the file")
				}
				return
			}
			want := e.Library[0].Raises
			if err == nil {
				t.Fatalf("no error, want %s: %s", want.Exception, want.Message)
			}
			if s := sentinel[want.Exception]; !errors.Is(err, s) {
				t.Errorf("error %v does not wrap %v", err, s)
			}
			var be *Error
			if !errors.As(err, &be) {
				t.Fatalf("%v is not a *bloscpack.Error", err)
			}
			// A truncated chunk: blosc's own message is C's; ours names the chunk.
			if want.Exception != "error" && be.Msg != want.Message {
				t.Errorf("message\n %s\nwant\n %s", be.Msg, want.Message)
			}
			if want.Exception == "error" && be.Field != "chunk 1" {
				t.Errorf("truncation reported in %q, want chunk 1", be.Field)
			}
			checked++
		})
	}
	if checked == 0 {
		t.Fatal("no error case checked")
	}
}

// TestHeaderErrors covers the header checks bloscpack makes, with its texts.
func TestHeaderErrors(t *testing.T) {
	good := (&Header{FormatVersion: 3, Offsets: true, Checksum: Adler32, Typesize: 8, ChunkSize: 100, LastChunk: 50, NChunks: 2, MaxAppChunks: 20}).Encode(nil)
	if _, err := DecodeHeader(good); err != nil {
		t.Fatal(err)
	}
	mod := func(f func(b []byte)) []byte { b := bytes.Clone(good); f(b); return b }
	cases := []struct {
		b    []byte
		want string
		err  error
	}{
		{good[:10], "attempting to decode a bloscpack header of length '10', not '32'", ErrFormat},
		{mod(func(b []byte) { copy(b, "blpx") }), "the magic marker b'blpk' is missing from the bloscpack header, instead we found: b'blpx'", ErrFormat},
		{mod(func(b []byte) { b[5] = 0x81 }), "Element %i was non-zero when attempting to decode options", ErrFormat},
		{mod(func(b []byte) { b[6] = 9 }), "list index out of range", ErrFormat},
		{mod(func(b []byte) { b[4] = 4 }), "format version of file was not '3' as expected, but '4'", ErrFormatVersion},
		{mod(func(b []byte) { b[12] = 200 }), "'last_chunk' (200) is larger than 'chunk_size' (100)", ErrFormat},
		{mod(func(b []byte) {
			b[16] = 0xff
			b[17] = 0xff
			b[23] = 0xff
			b[22] = 0xff
			b[21] = 0xff
			b[20] = 0xff
			b[19] = 0xff
			b[18] = 0xff
		}), "'max_app_chunks' can not be non '0' if 'nchunks' is '-1'", ErrFormat},
	}
	for _, c := range cases {
		_, err := DecodeHeader(c.b)
		var e *Error
		if !errors.Is(err, c.err) || !errors.As(err, &e) || e.Msg != c.want {
			t.Errorf("%x: %v, want %q", c.b, err, c.want)
		}
	}
}
