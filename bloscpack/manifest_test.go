package bloscpack

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"ringvault/internal/testutil"
)

// manifest is the part of ../shared/testdata/bloscpack/MANIFEST.json the
// tests use.
type manifest struct {
	Files []struct {
		File     string `json:"file"`
		Size     int64  `json:"size"`
		SHA256   string `json:"sha256"`
		Producer struct {
			Interface string   `json:"interface"`
			Commands  []string `json:"commands"`
		} `json:"producer"`
		Input struct {
			Name string `json:"name"`
			File string `json:"file"`
			Size int64  `json:"size"`
		} `json:"input"`
		AppendedInputs []struct {
			File string `json:"file"`
		} `json:"appended_inputs"`
		MetadataInputFile *string `json:"metadata_input_file"`
		Expected          struct {
			Header struct {
				FormatVersion int    `json:"format_version"`
				Offsets       bool   `json:"offsets"`
				Metadata      bool   `json:"metadata"`
				Checksum      string `json:"checksum"`
				Typesize      int    `json:"typesize"`
				ChunkSize     int64  `json:"chunk_size"`
				LastChunk     int64  `json:"last_chunk"`
				NChunks       int64  `json:"nchunks"`
				MaxAppChunks  int64  `json:"max_app_chunks"`
			} `json:"bloscpack_header"`
			HeaderHex      string          `json:"bloscpack_header_hex"`
			Metadata       json.RawMessage `json:"metadata"`
			MetadataHeader *struct {
				MetaCodec    string `json:"meta_codec"`
				MetaSize     uint32 `json:"meta_size"`
				MaxMetaSize  uint32 `json:"max_meta_size"`
				MetaCompSize uint32 `json:"meta_comp_size"`
			} `json:"metadata_header"`
			OffsetsUsed    []int64 `json:"offsets_used"`
			OffsetsUnused  int64   `json:"offsets_unused_entries"`
			FirstChunkPos  int64   `json:"first_chunk_pos"`
			EndOfLastChunk int64   `json:"end_of_last_chunk"`
			TrailingBytes  int64   `json:"trailing_bytes"`
			Chunks         []struct {
				Pos    int64  `json:"pos"`
				Digest string `json:"digest"`
			} `json:"chunks"`
			DecodedSize   int64  `json:"decoded_size"`
			DecodedSHA256 string `json:"decoded_sha256"`
		} `json:"expected"`
	} `json:"files"`
	InfoOutputs []struct {
		File     string `json:"file"`
		Of       string `json:"of"`
		ExitCode int    `json:"exit_code"`
	} `json:"info_outputs"`
}

func loadManifest(t testing.TB) (string, *manifest) {
	t.Helper()
	var m manifest
	dir := testutil.SharedManifest(t, "bloscpack", &m)
	if len(m.Files) == 0 {
		t.Fatal("manifest lists no files")
	}
	return dir, &m
}

var sha = testutil.SHA256Hex

// TestSharedFilesDecode opens every .blp the original wrote, checks the
// header, metadata, offsets and chunk digests against the manifest, and
// decodes it to the recorded input through WriteTo, ReadAt and Verify.
func TestSharedFilesDecode(t *testing.T) {
	dir, m := loadManifest(t)
	for _, f := range m.Files {
		t.Run(f.File, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, f.File))
			if err != nil {
				t.Fatal(err)
			}
			exp := f.Expected
			r, err := NewReader(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			h := r.Header()
			if got := hex.EncodeToString(h.Encode(nil)); got != exp.HeaderHex {
				t.Errorf("header re-encodes to %s, want %s", got, exp.HeaderHex)
			}
			eh := exp.Header
			if h.Checksum.String() != eh.Checksum || h.NChunks != eh.NChunks || h.ChunkSize != eh.ChunkSize ||
				h.LastChunk != eh.LastChunk || h.MaxAppChunks != eh.MaxAppChunks || h.Offsets != eh.Offsets ||
				h.Metadata != eh.Metadata || h.Typesize != eh.Typesize {
				t.Errorf("header %+v, manifest %+v", h, eh)
			}
			if exp.MetadataHeader != nil {
				mh := r.MetaHeader()
				if mh == nil || mh.Codec.String() != exp.MetadataHeader.MetaCodec || mh.Size != exp.MetadataHeader.MetaSize ||
					mh.MaxSize != exp.MetadataHeader.MaxMetaSize || mh.CompSize != exp.MetadataHeader.MetaCompSize {
					t.Errorf("metadata header %+v, manifest %+v", mh, exp.MetadataHeader)
				}
				want, err := DecodeJSON(exp.Metadata)
				if err != nil {
					t.Fatal(err)
				}
				got, err := DecodeJSON(r.Metadata())
				if err != nil || !jsonEqual(got, want) {
					t.Errorf("metadata %s, manifest %s (%v)", r.Metadata(), exp.Metadata, err)
				}
			}
			if !equalInts(r.Offsets(), exp.OffsetsUsed) {
				t.Errorf("offsets %v, manifest %v", r.Offsets(), exp.OffsetsUsed)
			}
			if r.FirstChunkPos() != exp.FirstChunkPos {
				t.Errorf("first chunk at %d, manifest %d", r.FirstChunkPos(), exp.FirstChunkPos)
			}
			var out bytes.Buffer
			if _, err := r.WriteTo(&out); err != nil {
				t.Fatal(err)
			}
			if int64(out.Len()) != exp.DecodedSize || sha(out.Bytes()) != exp.DecodedSHA256 {
				t.Fatalf("decoded %d bytes sha256 %s, manifest %d %s", out.Len(), sha(out.Bytes()), exp.DecodedSize, exp.DecodedSHA256)
			}
			all := make([]byte, exp.DecodedSize)
			if n, err := r.ReadAt(all, 0); n != len(all) || (err != nil && n < len(all)) {
				t.Fatalf("ReadAt: %d, %v", n, err)
			}
			if !bytes.Equal(all, out.Bytes()) {
				t.Fatal("ReadAt and WriteTo disagree")
			}
			res, err := r.Verify()
			if err != nil {
				t.Fatal(err)
			}
			if res.Chunks != len(exp.Chunks) || res.End != exp.EndOfLastChunk || res.Trailing != exp.TrailingBytes {
				t.Errorf("verify %+v, manifest %d chunks end %d trailing %d", res, len(exp.Chunks), exp.EndOfLastChunk, exp.TrailingBytes)
			}
			dsz := int64(h.Checksum.Size())
			for i, c := range exp.Chunks {
				if dsz == 0 {
					break
				}
				// the digest sits right before the next chunk (or the end)
				end := exp.EndOfLastChunk
				if i+1 < len(exp.Chunks) {
					end = exp.Chunks[i+1].Pos
				}
				if got := hex.EncodeToString(data[end-dsz : end]); got != c.Digest {
					t.Errorf("chunk %d digest %s, manifest %s", i, got, c.Digest)
				}
			}
		})
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestNumpyFile packs n01's array (np.linspace(0, 1, 100000), bloscpack's
// defaults) with ArrayMeta and compares with the original's file: same
// header, same chunks, same metadata JSON, same data.
func TestNumpyFile(t *testing.T) {
	dir, _ := loadManifest(t)
	want, err := os.ReadFile(filepath.Join(dir, "n01_f8_linspace_defaults.blp"))
	if err != nil {
		t.Fatal(err)
	}
	rw, err := NewReader(bytes.NewReader(want), int64(len(want)))
	if err != nil {
		t.Fatal(err)
	}
	var data bytes.Buffer
	if _, err := rw.WriteTo(&data); err != nil {
		t.Fatal(err)
	}
	a, ok := ParseArrayMeta(rw.Metadata())
	if !ok || a.Dtype != "<f8" || a.Len() != 100000 || a.Fortran {
		t.Fatalf("ParseArrayMeta: %+v %v", a, ok)
	}
	o, err := a.Options(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	got := pack(t, data.Bytes(), &o, false, false)
	compareFiles(t, got, want, int64(len(want)))
	if bad, err := (ArrayMeta{Dtype: "<f8", Shape: []int64{3}}).Options(Options{ChunkSize: 1001}); err == nil {
		t.Fatalf("chunk size 1001 for <f8 accepted: %+v", bad)
	}
	for dt, n := range map[string]int{"<f4": 4, "|u1": 1, "<c16": 16, "[('t', '<u4'), ('v', '<f8'), ('flag', '|u1')]": 13} {
		if k, err := (ArrayMeta{Dtype: dt}).Itemsize(); k != n || err != nil {
			t.Errorf("itemsize of %s: %d %v, want %d", dt, k, err, n)
		}
	}
}
