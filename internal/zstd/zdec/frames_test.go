package zdec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
)

// Hand-made frames for the features encoders rarely choose.

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// blockHeader is a 3-byte block header.
func blockHeader(last bool, typ, size int) []byte {
	v := uint32(size)<<3 | uint32(typ)<<1
	if last {
		v |= 1
	}
	return []byte{byte(v), byte(v >> 8), byte(v >> 16)}
}

// frameOf joins a magic number, a header and blocks.
func frameOf(header []byte, parts ...[]byte) []byte {
	out := le32(0xFD2FB528)
	out = append(out, header...)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// rawRLEFrame: single segment, 2-byte content size, a raw block then a
// last RLE block.
func rawRLEFrame() ([]byte, []byte) {
	want := append([]byte("hello, "), bytes.Repeat([]byte{'z'}, 300)...)
	fcs := binary.LittleEndian.AppendUint16(nil, uint16(len(want)-256))
	f := frameOf(append([]byte{0x60}, fcs...),
		blockHeader(false, 0, 7), []byte("hello, "),
		blockHeader(true, 1, 300), []byte{'z'})
	return f, want
}

func TestRawAndRLEBlocks(t *testing.T) {
	f, want := rawRLEFrame()
	checkDecode(t, f, want)
}

// checkDecode decodes f into a buffer of len(want) and compares.
func checkDecode(t *testing.T, f, want []byte) {
	t.Helper()
	dst := make([]byte, len(want))
	n, err := New().DecodeInto(dst, f)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(want) || !bytes.Equal(dst, want) {
		t.Fatalf("decoded %q, want %q", dst[:n], want)
	}
	if got, err := ref().DecodeAll(f, nil); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("klauspost disagrees with the test frame: %v", err)
	}
}

// Every form of the frame header: window descriptor, 1/2/4/8-byte sizes,
// no size; a checksum.
func TestHeaderForms(t *testing.T) {
	want := []byte("0123456789")
	body := append(blockHeader(true, 0, len(want)), want...)
	sum := le32(uint32(xxhash.Sum64(want)))
	for _, c := range []struct {
		name   string
		header []byte
		tail   []byte
	}{
		{"single 1-byte size", []byte{0x20, 10}, nil},
		{"window, no size", []byte{0x00, 0x00}, nil},
		{"window, 2-byte size", []byte{0x40, 0x08, 0, 0}, nil}, // 0 + 256 != 10: below
		{"window, 4-byte size", []byte{0x80, 0x08, 10, 0, 0, 0}, nil},
		{"window, 8-byte size", []byte{0xC0, 0x08, 10, 0, 0, 0, 0, 0, 0, 0}, nil},
		{"single, checksum", []byte{0x24, 10}, sum},
		{"window, checksum", []byte{0x04, 0x30}, sum},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := frameOf(c.header, body, c.tail)
			dst := make([]byte, len(want))
			_, err := New().DecodeInto(dst, f)
			_, errRef := ref().DecodeAll(f, nil)
			if c.name == "window, 2-byte size" {
				if err == nil || errRef == nil {
					t.Fatalf("a content size of 256 for 10 bytes: ours %v, klauspost %v", err, errRef)
				}
				return
			}
			if err != nil || !bytes.Equal(dst, want) {
				t.Fatalf("%v, %q", err, dst)
			}
		})
	}
}

func TestChecksumMismatch(t *testing.T) {
	want := []byte("0123456789")
	f := frameOf([]byte{0x24, 10}, blockHeader(true, 0, 10), want, le32(uint32(xxhash.Sum64(want))^1))
	_, err := New().DecodeInto(make([]byte, 10), f)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("got %v, want a checksum error", err)
	}
}

func TestDictionaryUnsupported(t *testing.T) {
	for _, hdr := range [][]byte{{0x21, 7, 10}, {0x22, 7, 0, 10}, {0x23, 7, 0, 0, 0, 10}} {
		f := frameOf(hdr, blockHeader(true, 0, 10), []byte("0123456789"))
		_, err := New().DecodeInto(make([]byte, 10), f)
		if !errors.Is(err, ErrUnsupported) {
			t.Fatalf("header %x: got %v, want ErrUnsupported", hdr, err)
		}
	}
	// Dictionary ID 0 written out is no dictionary.
	f := frameOf([]byte{0x21, 0, 10}, blockHeader(true, 0, 10), []byte("0123456789"))
	checkDecode(t, f, []byte("0123456789"))
}

func TestSkippableAndMultipleFrames(t *testing.T) {
	f1, w1 := rawRLEFrame()
	skip := append(le32(0x184D2A5E), le32(5)...)
	skip = append(skip, "xxxxx"...)
	src := append(append(append([]byte{}, skip...), f1...), f1...)
	want := append(append([]byte{}, w1...), w1...)
	dst := make([]byte, len(want))
	if _, err := New().DecodeInto(dst, src); err != nil || !bytes.Equal(dst, want) {
		t.Fatalf("%v", err)
	}
}

// Every malformed variant of a frame is an error, never a panic, and the
// decoder never writes past the buffer: dst is a window into a larger
// slice whose tail must stay untouched.
func TestTruncatedAndGarbage(t *testing.T) {
	var frames [][]byte
	f, _ := rawRLEFrame()
	frames = append(frames, f)
	for name, in := range inputs() {
		if len(in) == 0 || strings.HasPrefix(name, "random") {
			continue
		}
		in = in[:min(len(in), 20000)]
		frames = append(frames, encoder(t, levels()[1], true).EncodeAll(in, nil))
	}
	d := New()
	for _, f := range frames {
		want, err := ref().DecodeAll(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, len(want)+64)
		step := 1
		if testing.Short() {
			step = 7
		}
		for n := 0; n < len(f); n += step {
			for i := range buf {
				buf[i] = 0xA5
			}
			if _, err := d.DecodeInto(buf[:len(want)], f[:n]); err == nil {
				t.Fatalf("a frame cut to %d of %d bytes decodes", n, len(f))
			}
			for _, c := range buf[len(want):] {
				if c != 0xA5 {
					t.Fatalf("cut to %d bytes: wrote past the buffer", n)
				}
			}
		}
		garbage := append(append([]byte{}, f...), 1, 2, 3, 4, 5)
		if _, err := d.DecodeInto(buf[:len(want)], garbage); err == nil {
			t.Fatal("trailing garbage accepted")
		}
		// A buffer one byte short or long is a size error.
		for _, n := range []int{len(want) - 1, len(want) + 1} {
			if n < 0 {
				continue
			}
			if _, err := d.DecodeInto(buf[:n], f); err == nil {
				t.Fatalf("buffer of %d for %d bytes accepted", n, len(want))
			}
		}
		// And the decoder still works after all those errors.
		if _, err := d.DecodeInto(buf[:len(want)], f); err != nil || !bytes.Equal(buf[:len(want)], want) {
			t.Fatalf("after errors: %v", err)
		}
	}
}

// Flipping any byte gives an error or the same output as klauspost.
func TestBitFlips(t *testing.T) {
	in := inputs()["text"][:30000]
	f := encoder(t, levels()[2], false).EncodeAll(in, nil)
	d := New()
	step := 1
	if testing.Short() {
		step = 5
	}
	for i := 0; i < len(f); i += step {
		g := append([]byte{}, f...)
		g[i] ^= 1 << (i % 8)
		ours, errOurs, theirs, errTheirs := decodeBoth(d, g, len(in))
		if errOurs == nil && errTheirs == nil && !bytes.Equal(ours, theirs) {
			t.Fatalf("flip at %d: both decode, outputs differ", i)
		}
	}
}

// rleSeqBlock is a compressed block of n sequences that read no bits: RLE
// literals (n copies of c), and RLE-mode tables giving every sequence one
// literal, a 3-byte match and repeat offset 1 (the initial rep0 = 1).
func rleSeqBlock(last bool, c byte, n int) []byte {
	lit := []byte{byte(1 | 3<<2 | (n&15)<<4), byte(n >> 4), byte(n >> 12)}
	body := append(lit, c)
	switch {
	case n < 128:
		body = append(body, byte(n))
	case n < 0x7F00:
		body = append(body, byte(n>>8+128), byte(n))
	default:
		body = append(body, 255, byte(n-0x7F00), byte((n-0x7F00)>>8))
	}
	body = append(body, 1<<6|1<<4|1<<2, 1, 0, 0) // modes; LL code 1, OF code 0, ML code 0
	body = append(body, 0x01)                    // the bitstream: just its end mark
	return append(blockHeader(last, 2, len(body)), body...)
}

// A block of more than 0x7F00 sequences (3-byte count), RLE literals and
// RLE-mode tables.
func TestManySequencesRLELiterals(t *testing.T) {
	const n = 32600
	want := bytes.Repeat([]byte{'x'}, 4*n)
	f := frameOf(append([]byte{0xA0}, le32(uint32(len(want)))...), rleSeqBlock(true, 'x', n))
	checkDecode(t, f, want)
}

// A frame with a 1 KiB window: blocks are at most 1 KiB and matches are
// checked against the window, not just the frame start.
func TestSmallWindow(t *testing.T) {
	raw := bytes.Repeat([]byte("0123456789abcdef"), 64)
	want := append(append([]byte{}, raw...), bytes.Repeat([]byte{'y'}, 400)...)
	f := frameOf([]byte{0x00, 0x00}, blockHeader(false, 0, len(raw)), raw, rleSeqBlock(true, 'y', 100))
	checkDecode(t, f, want)
	// A raw block above the 1 KiB maximum is refused.
	big := frameOf([]byte{0x00, 0x00}, blockHeader(true, 0, 1025), make([]byte, 1025))
	if _, err := New().DecodeInto(make([]byte, 1025), big); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("1025-byte block in a 1 KiB window: %v", err)
	}
}
