package blosc

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"ringvault/internal/testutil"
)

// manifest is the part of shared/testdata/bloscpack/MANIFEST.json the
// codec tests use.
type manifest struct {
	Files []struct {
		File     string `json:"file"`
		Expected struct {
			Chunks []struct {
				Pos    int `json:"pos"`
				Header struct {
					Nbytes  int `json:"nbytes"`
					Ctbytes int `json:"ctbytes"`
				} `json:"blosc_header"`
			} `json:"chunks"`
			DecodedSize   int    `json:"decoded_size"`
			DecodedSHA256 string `json:"decoded_sha256"`
		} `json:"expected"`
	} `json:"files"`
	RawBlosc []struct {
		File     string `json:"file"`
		Producer struct {
			Call string `json:"call"`
		} `json:"producer"`
		Input struct {
			File string `json:"file"`
		} `json:"input"`
		Expected struct {
			Header struct {
				Version   int `json:"version"`
				Flags     int `json:"flags"`
				Typesize  int `json:"typesize"`
				Nbytes    int `json:"nbytes"`
				Blocksize int `json:"blocksize"`
				Ctbytes   int `json:"ctbytes"`
			} `json:"header"`
			BlockStarts   []int  `json:"block_starts"`
			DecodedSize   int    `json:"decoded_size"`
			DecodedSHA256 string `json:"decoded_sha256"`
		} `json:"expected"`
	} `json:"raw_blosc"`
}

func loadManifest(t testing.TB) (string, *manifest) {
	var m manifest
	dir := testutil.SharedManifest(t, "bloscpack", &m)
	if len(m.RawBlosc) == 0 || len(m.Files) == 0 {
		t.Fatal("MANIFEST.json lists no raw_blosc or files entries")
	}
	return dir, &m
}

var sha = testutil.SHA256Hex

// TestRawBloscFiles decodes every raw Blosc1 buffer python-blosc wrote and
// checks the header fields and the decoded sha256 from the manifest, with
// one and with several goroutines.
func TestRawBloscFiles(t *testing.T) {
	dir, m := loadManifest(t)
	for _, r := range m.RawBlosc {
		t.Run(filepath.Base(r.File), func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(dir, r.File))
			if err != nil {
				t.Fatal(err)
			}
			h, err := ParseHeader(src)
			if err != nil {
				t.Fatal(err)
			}
			e := r.Expected.Header
			if int(h.Version) != e.Version || int(h.Flags) != e.Flags || h.Typesize != e.Typesize ||
				h.Nbytes != e.Nbytes || h.Blocksize != e.Blocksize || h.Cbytes != e.Ctbytes {
				t.Fatalf("header %+v, manifest %+v", h, e)
			}
			for _, nt := range []int{1, 3} {
				got, err := Decompress(nil, src, nt)
				if err != nil {
					t.Fatalf("nthreads %d: %v", nt, err)
				}
				if len(got) != r.Expected.DecodedSize || sha(got) != r.Expected.DecodedSHA256 {
					t.Fatalf("nthreads %d: decoded %d bytes sha256 %s, want %d %s", nt, len(got), sha(got), r.Expected.DecodedSize, r.Expected.DecodedSHA256)
				}
			}
		})
	}
}

// TestBlpChunks decodes every Blosc1 chunk inside the shared .blp files at
// the positions the manifest gives and checks the concatenation's sha256.
func TestBlpChunks(t *testing.T) {
	dir, m := loadManifest(t)
	for _, f := range m.Files {
		t.Run(f.File, func(t *testing.T) {
			blp, err := os.ReadFile(filepath.Join(dir, f.File))
			if err != nil {
				t.Fatal(err)
			}
			var all []byte
			for i, c := range f.Expected.Chunks {
				if c.Pos+c.Header.Ctbytes > len(blp) {
					t.Fatalf("chunk %d beyond the file", i)
				}
				chunk := blp[c.Pos : c.Pos+c.Header.Ctbytes]
				n, err := DecompressedSize(chunk)
				if err != nil || n != c.Header.Nbytes {
					t.Fatalf("chunk %d: DecompressedSize %d, %v; want %d", i, n, err, c.Header.Nbytes)
				}
				all, err = Decompress(all, chunk, 2)
				if err != nil {
					t.Fatalf("chunk %d at %d: %v", i, c.Pos, err)
				}
			}
			if len(all) != f.Expected.DecodedSize || sha(all) != f.Expected.DecodedSHA256 {
				t.Fatalf("decoded %d bytes sha256 %s, want %d %s", len(all), sha(all), f.Expected.DecodedSize, f.Expected.DecodedSHA256)
			}
		})
	}
}

var callRe = regexp.MustCompile(`typesize=(\d+), clevel=(\d+), shuffle=blosc\.(\w+), cname='(\w+)'`)

// parseCall reads the Options from a manifest's blosc.compress call.
func parseCall(t testing.TB, call string) Options {
	m := callRe.FindStringSubmatch(call)
	if m == nil {
		t.Fatalf("cannot parse call %q", call)
	}
	ts, _ := strconv.Atoi(m[1])
	cl, _ := strconv.Atoi(m[2])
	sh := map[string]Shuffle{"NOSHUFFLE": NoShuffle, "SHUFFLE": ByteShuffle, "BITSHUFFLE": BitShuffle}[m[3]]
	c, err := ParseCodec(m[4])
	if err != nil {
		t.Fatal(err)
	}
	return Options{Typesize: ts, Clevel: cl, Shuffle: sh, Codec: c, NThreads: 2}
}

// TestRawBloscReencode compresses each raw buffer's input with the same
// arguments: the header (flags, blocksize) must equal c-blosc's, the chunk
// must decode, and for BloscLZ and LZ4 — which ringvault reproduces
// exactly — the bytes must be identical.
func TestRawBloscReencode(t *testing.T) {
	dir, m := loadManifest(t)
	for _, r := range m.RawBlosc {
		t.Run(filepath.Base(r.File), func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, r.File))
			if err != nil {
				t.Fatal(err)
			}
			in, err := os.ReadFile(filepath.Join(dir, r.Input.File))
			if err != nil {
				t.Fatal(err)
			}
			o := parseCall(t, r.Producer.Call)
			got, err := Compress(nil, in, &o)
			if err != nil {
				t.Fatal(err)
			}
			hg, _ := ParseHeader(got)
			hw, _ := ParseHeader(want)
			if hg.Flags != hw.Flags || hg.Blocksize != hw.Blocksize || hg.Typesize != hw.Typesize {
				t.Errorf("header %+v, c-blosc %+v", hg, hw)
			}
			dec, err := Decompress(nil, got, 1)
			if err != nil || !bytes.Equal(dec, in) {
				t.Fatalf("round trip failed: %v", err)
			}
			exact := o.Codec == BloscLZ || o.Codec == LZ4 || hw.Memcpyed()
			t.Logf("%s: ringvault %d bytes, c-blosc %d, identical %v", o.Codec, len(got), len(want), bytes.Equal(got, want))
			if exact && !bytes.Equal(got, want) {
				t.Errorf("%s output differs from c-blosc's (%d vs %d bytes)", o.Codec, len(got), len(want))
			}
		})
	}
}
