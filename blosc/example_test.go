package blosc_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"ringvault/blosc"
)

// Compress a float64 series as Bloscpack does (typesize 8, byte shuffle,
// blosclz) and read it back.
func Example() {
	src := make([]byte, 8*10000)
	for i := 0; i < 10000; i++ {
		binary.LittleEndian.PutUint64(src[8*i:], math.Float64bits(float64(i)/100))
	}
	chunk, err := blosc.Compress(nil, src, &blosc.Options{Typesize: 8, Clevel: 7, Shuffle: blosc.ByteShuffle, Codec: blosc.BloscLZ})
	if err != nil {
		panic(err)
	}
	h, _ := blosc.ParseHeader(chunk)
	fmt.Println(h.Codec(), h.Shuffle(), h.Nbytes, h.Cbytes == len(chunk), len(chunk) < len(src)/4)
	out, err := blosc.Decompress(nil, chunk, 0)
	fmt.Println(bytes.Equal(out, src), err)
	// Output:
	// blosclz shuffle 80000 true true
	// true <nil>
}
