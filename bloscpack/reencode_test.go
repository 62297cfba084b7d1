package bloscpack

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"ringvault/blosc"
	"ringvault/storage"
)

// blpkArgs turns the options of a manifest "blpk compress|append" command
// into Options; it knows only the options the manifest uses.
func blpkArgs(t *testing.T, dir string, args []string) (Options, []string, []byte) {
	t.Helper()
	o := DefaultOptions()
	var meta []byte
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() string { i++; return args[i] }
		switch a {
		case "-t":
			o.Blosc.Typesize, _ = strconv.Atoi(next())
		case "-l":
			o.Blosc.Clevel, _ = strconv.Atoi(next())
		case "-s":
			o.Blosc.Shuffle = blosc.NoShuffle
		case "-c":
			c, err := blosc.ParseCodec(next())
			if err != nil {
				t.Fatal(err)
			}
			o.Blosc.Codec = c
		case "-z":
			n, err := ParseSize(next())
			if err != nil {
				t.Fatal(err)
			}
			o.ChunkSize = n
		case "-k":
			c, err := ParseChecksum(next())
			if err != nil {
				t.Fatal(err)
			}
			o.Checksum = c
		case "-o":
			o.Offsets = false
		case "-m":
			b, err := os.ReadFile(filepath.Join(dir, "inputs", next()))
			if err != nil {
				t.Fatal(err)
			}
			meta = b
		default:
			pos = append(pos, a)
		}
	}
	return o, pos, meta
}

// TestSharedFilesReencode replays the manifest's blpk commands (compress
// and append) and compares the result with the original's file: byte for
// byte where the chunks and metadata bytes are the same, and always
// section by section (header, offsets, chunk positions, decoded data).
func TestSharedFilesReencode(t *testing.T) {
	dir, m := loadManifest(t)
	for _, f := range m.Files {
		if !strings.HasPrefix(f.Producer.Interface, "blpk CLI") {
			continue
		}
		t.Run(f.File, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, f.File))
			if err != nil {
				t.Fatal(err)
			}
			var file *storage.MemFile
			for _, cmd := range f.Producer.Commands {
				words := strings.Fields(cmd)
				for len(words) > 0 && words[0] != "compress" && words[0] != "append" {
					words = words[1:]
				}
				o, pos, meta := blpkArgs(t, dir, words[1:])
				switch words[0] {
				case "compress":
					in, err := os.ReadFile(filepath.Join(dir, "inputs", pos[0]))
					if os.IsNotExist(err) && strings.HasPrefix(pos[0], "zeros_") {
						in, err = make([]byte, f.Input.Size), nil // not stored: all zeros
					}
					if err != nil {
						t.Fatal(err)
					}
					o.Metadata = meta
					file = storage.NewMemFile(nil)
					w, err := NewWriter(&FileAppender{F: file}, int64(len(in)), &o)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := w.Write(in); err != nil {
						t.Fatal(err)
					}
					if err := w.Close(); err != nil {
						t.Fatal(err)
					}
				case "append":
					in, err := os.ReadFile(filepath.Join(dir, "inputs", pos[1]))
					if err != nil {
						t.Fatal(err)
					}
					if _, err := Append(file, bytes.NewReader(in), int64(len(in)), &AppendOptions{Blosc: o.Blosc}); err != nil {
						t.Fatal(err)
					}
					if meta != nil {
						if err := RewriteMetadata(file, meta); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			got := file.Bytes()
			compareFiles(t, got, want, f.Expected.EndOfLastChunk)
		})
	}
}

// compareFiles checks got against the original's file want.
func compareFiles(t *testing.T, got, want []byte, wantEnd int64) {
	t.Helper()
	if bytes.Equal(got, want[:wantEnd]) {
		return // byte-identical
	}
	rg, err := NewReader(bytes.NewReader(got), int64(len(got)))
	if err != nil {
		t.Fatal(err)
	}
	rw, err := NewReader(bytes.NewReader(want), int64(len(want)))
	if err != nil {
		t.Fatal(err)
	}
	if rg.Header() != rw.Header() {
		t.Fatalf("header %+v, original %+v", rg.Header(), rw.Header())
	}
	if !bytes.Equal(got[:HeaderSize], want[:HeaderSize]) {
		t.Fatalf("header bytes differ")
	}
	var dg, dw bytes.Buffer
	if _, err := rg.WriteTo(&dg); err != nil {
		t.Fatal(err)
	}
	if _, err := rw.WriteTo(&dw); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dg.Bytes(), dw.Bytes()) {
		t.Fatal("decoded data differs")
	}
	if mg, mw := rg.MetaHeader(), rw.MetaHeader(); mg != nil {
		if mg.Size != mw.Size || mg.MaxSize != mw.MaxSize || !bytes.Equal(rg.Metadata(), rw.Metadata()) {
			t.Errorf("metadata %+v %s, original %+v %s", mg, rg.Metadata(), mw, rw.Metadata())
		}
		if mg.CompSize != mw.CompSize {
			t.Logf("metadata compressed to %d bytes, the original's zlib to %d (Go's deflate differs from zlib's)", mg.CompSize, mw.CompSize)
		}
	}
	if rg.FirstChunkPos() != rw.FirstChunkPos() {
		t.Errorf("first chunk at %d, original %d", rg.FirstChunkPos(), rw.FirstChunkPos())
	}
	// Chunks made by a different codec implementation may differ. When
	// every chunk is the same, the file must be too (metadata aside, whose
	// zlib stream comes from Go's deflate).
	cg, cw := chunkBytes(t, rg), chunkBytes(t, rw)
	same := len(cg) == len(cw)
	for k := 0; same && k < len(cg); k++ {
		same = bytes.Equal(cg[k], cw[k])
	}
	if same && rg.MetaHeader() == nil {
		t.Errorf("same chunks, but the files differ")
	}
	if same && rg.MetaHeader() != nil && !bytes.Equal(got[rg.OffsetsPos():], want[rw.OffsetsPos():wantEnd]) {
		t.Errorf("same chunks, but the files differ after the metadata")
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Logf("not byte-identical: first difference at offset %d (file %d bytes, original %d up to its last chunk)", i, len(got), wantEnd)
}

// chunkBytes returns every chunk's Blosc buffer, in file order.
func chunkBytes(t *testing.T, r *Reader) [][]byte {
	t.Helper()
	var out [][]byte
	pos := r.FirstChunkPos()
	n, err := r.NChunks()
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		c, next, err := r.readRaw(i, pos)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c.buf)
		pos = next
	}
	return out
}
