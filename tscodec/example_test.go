package tscodec_test

import (
	"fmt"

	"ringvault/tscodec"
)

func Example() {
	ts := []int64{1_700_000_000, 1_700_000_001, 1_700_000_002, 1_700_000_003}
	vs := []float64{0.352, 0.349, 0.351, 0.350} // ms, 3 decimals
	block, err := tscodec.AppendBlock(nil, ts, vs)
	if err != nil {
		panic(err)
	}
	gotTs, gotVs, err := tscodec.DecodeBlock(block, nil, nil)
	fmt.Println(len(block), "bytes;", gotTs[3], gotVs[3], err)
	// Output: 15 bytes; 1700000003 0.35 <nil>
}
