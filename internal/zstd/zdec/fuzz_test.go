package zdec

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode is differential with klauspost/compress: when both decoders
// accept an input they must produce the same bytes; ours must never panic
// nor write past the buffer it is given.
func FuzzDecode(f *testing.F) {
	// Seeds: the first frames of c-blosc's chunks, klauspost's frames of
	// every level, and the hand-made frames.
	for _, name := range []string{"cblosc-linspace-l5.zst", "cblosc-walk-l5.zst"} {
		src, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(firstFrame(src)[:min(len(src), 4096)], uint32(0))
		if len(src) < 40000 {
			f.Add(src, uint32(0))
		}
	}
	in := inputs()
	for _, name := range []string{"text", "short-periods", "zeros", "series/linspace", "one"} {
		for _, lvl := range levels() {
			f.Add(encoder(f, lvl, lvl%2 == 0).EncodeAll(in[name][:min(len(in[name]), 5000)], nil), uint32(0))
		}
	}
	raw, _ := rawRLEFrame()
	f.Add(raw, uint32(0))
	f.Add(frameOf([]byte{0x00, 0x00}, blockHeader(false, 0, 5), []byte("01234"), rleSeqBlock(true, 'y', 100)), uint32(405))
	for _, name := range []string{"text-l19.zst", "text-wlog17.zst", "zeros-and-noise-l3-check.zst"} {
		src, err := os.ReadFile(filepath.Join("testdata", "libzstd", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src, uint32(0))
	}
	d := New()
	f.Fuzz(func(t *testing.T, src []byte, size uint32) {
		theirs, errTheirs := ref().DecodeAll(src, nil)
		n := int(size % (1 << 20))
		if errTheirs == nil {
			n = len(theirs)
		}
		const guard = 64
		buf := make([]byte, n+guard)
		for i := range buf {
			buf[i] = 0xA5
		}
		ours := buf[:n]
		_, errOurs := d.DecodeInto(ours, src)
		for _, c := range buf[n:] {
			if c != 0xA5 {
				t.Fatalf("wrote past the %d-byte buffer", n)
			}
		}
		if errOurs == nil && errTheirs == nil && !bytes.Equal(ours, theirs) {
			t.Fatalf("both decode %d bytes, outputs differ", n)
		}
	})
}

// firstFrame returns the first frame of back-to-back Blosc frames (their
// single-segment headers give the content size, not the frame size, so
// this just cuts at the next magic number).
func firstFrame(src []byte) []byte {
	magic := binary.LittleEndian.AppendUint32(nil, 0xFD2FB528)
	if i := bytes.Index(src[4:], magic); i >= 0 {
		return src[:4+i]
	}
	return src
}
