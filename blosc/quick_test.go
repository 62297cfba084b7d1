package blosc

import (
	"bytes"
	"testing"
)

func TestQuickRoundTrip(t *testing.T) {
	src := make([]byte, 100000)
	for i := range src {
		src[i] = byte(i / 100)
	}
	for _, c := range Codecs {
		for _, sh := range []Shuffle{NoShuffle, ByteShuffle, BitShuffle} {
			chunk, err := Compress(nil, src, &Options{Typesize: 4, Clevel: 5, Shuffle: sh, Codec: c})
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decompress(nil, chunk, 0)
			if err != nil {
				t.Fatalf("%v %v: %v", c, sh, err)
			}
			if !bytes.Equal(got, src) {
				t.Fatalf("%v %v mismatch", c, sh)
			}
			t.Logf("%v %v: %d", c, sh, len(chunk))
		}
	}
}
