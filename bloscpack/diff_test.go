package bloscpack

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ringvault/blosc"
	"ringvault/internal/testutil"
)

// pyReadBlp reads a .blp the way bloscpack's _read_beginning and
// CompressedFPSource do, with python-blosc decoding the chunks and
// hashlib/zlib checking the digests; it prints the data's sha256 and the
// metadata JSON. (bloscpack itself is not installed; this is its reader
// logic, ~30 lines, against the real c-blosc.)
const pyReadBlp = `
import sys, struct, zlib, hashlib, json, blosc
def digest(kind, b):
    if kind == 0: return b''
    if kind == 1: return struct.pack('<I', zlib.adler32(b) & 0xffffffff)
    if kind == 2: return struct.pack('<I', zlib.crc32(b) & 0xffffffff)
    return hashlib.new(['md5','sha1','sha224','sha256','sha384','sha512'][kind-3], b).digest()
def read(path):
  f = open(path, 'rb')
  h = f.read(32)
  assert h[:4] == b'blpk' and h[4] == 3, h
  opts, ck, ts = h[5], h[6], h[7]
  chunk_size, last_chunk, nchunks, max_app = struct.unpack('<iiqq', h[8:32])
  meta = None
  if opts & 2:
      mh = f.read(32)
      mck, mcodec = mh[9], mh[10]
      meta_size, max_meta, comp = struct.unpack('<III', mh[12:24])
      data = f.read(comp); f.read(max_meta - comp)
      assert f.read(len(digest(mck, b''))) == digest(mck, data) if mck else True
      if mcodec == 1: data = zlib.decompress(data)
      assert len(data) == meta_size
      meta = json.loads(data)
  if opts & 1:
      offs = struct.unpack('<%dq' % (nchunks + max_app), f.read(8 * (nchunks + max_app)))
      assert all(o == -1 for o in offs[nchunks:])
  out = hashlib.sha256()
  for i in range(nchunks):
      pos = f.tell()
      if opts & 1: assert offs[i] == pos, (i, offs[i], pos)
      hdr = f.read(16)
      ctbytes = struct.unpack('<I', hdr[12:16])[0]
      f.seek(pos)
      c = f.read(ctbytes)
      d = f.read(len(digest(ck, b'')))
      assert d == digest(ck, c), 'digest of chunk %d' % i
      plain = blosc.decompress(c)
      assert len(plain) == (last_chunk if i == nchunks - 1 else chunk_size)
      out.update(plain)
  assert f.read() == b''
  print(out.hexdigest())
  print(json.dumps(meta, separators=(',', ':')))
for p in sys.argv[1:]:
    read(p)
`

// TestDifferentialPythonReadsOurFiles writes files with every codec and
// checksum and has python-blosc (c-blosc 1.21) decode every chunk, checking
// layout, offsets, digests and metadata as bloscpack's reader does.
func TestDifferentialPythonReadsOurFiles(t *testing.T) {
	py := testutil.Python(t, "blosc")
	script := filepath.Join(t.TempDir(), "readblp.py")
	if err := os.WriteFile(script, []byte(pyReadBlp), 0o644); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	var paths, wantLines []string
	dir := t.TempDir()
	for i, ck := range Checksums {
		codec := blosc.Codecs[i%len(blosc.Codecs)]
		o := DefaultOptions()
		o.Blosc.Codec = codec
		o.Blosc.Typesize = []int{1, 2, 4, 8}[i%4]
		o.Checksum = ck
		o.ChunkSize = int64(20000 + 1000*i)
		o.Offsets = i%3 != 2
		if i%2 == 0 {
			o.Metadata = []byte(fmt.Sprintf(`{"case": %d, "codec": "%s", "vals": [1.5, -2, null, true], "é": "ü"}`, i, codec))
		}
		data := sample(rng, []int{0, 100, 150000, 77777}[i%4])
		file := pack(t, data, &o, i%2 == 1, false)
		path := filepath.Join(dir, fmt.Sprintf("f%d.blp", i))
		if err := os.WriteFile(path, file, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
		sum := sha256.Sum256(data)
		wantMeta := "null"
		if o.Metadata != nil {
			c, _ := CompactJSON(o.Metadata)
			wantMeta = string(c)
		}
		wantLines = append(wantLines, hex.EncodeToString(sum[:]), wantMeta)
	}
	out, err := exec.Command(py, append([]string{script}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(wantLines) {
		t.Fatalf("python printed %d lines, want %d:\n%s", len(lines), len(wantLines), out)
	}
	for i := range lines {
		if lines[i] != wantLines[i] {
			t.Errorf("file %d: python says %s, want %s", i/2, lines[i], wantLines[i])
		}
	}
}

// TestDifferentialPythonJSON checks CompactJSON against Python's
// json.dumps(json.loads(s), separators=(',', ':')).
func TestDifferentialPythonJSON(t *testing.T) {
	py := testutil.Python(t)
	inputs := []string{
		`{"a": 1, "b": [1.0, 2.5, 1e16, 1e-5, 123456789.123, 0.1, -0.0, 1E400], "c": "é\u2028😀\t\"'", "a": 3}`,
		`[100000000000000000000000000001, 5e-324, 1.7976931348623157e308, 3.14159, 2e15, 1e22, NaN, -Infinity]`,
		`{"dtype": "[('t', '<u4'), ('v', '<f8')]", "shape": [20000], "order": "C", "container": "numpy"}`,
		`  {"nested": {"x": {}, "y": []}, "u": "\ud83d\ude00 \u00ff \u007f"}  `,
	}
	for _, in := range inputs {
		cmd := exec.Command(py, "-c", "import sys, json; sys.stdout.write(json.dumps(json.loads(sys.stdin.read().strip()), separators=(',', ':')))")
		cmd.Stdin = strings.NewReader(in)
		want, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		got, err := CompactJSON([]byte(strings.TrimSpace(in)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("CompactJSON(%s)\n got %s (%v)\nwant %s", in, got, err, want)
		}
	}
}
