//go:build !amd64 || purego

package blosc

// bitRowShuffle spreads one byte row of bitshuffle (len(row) a multiple of
// 8, the byte j of every element) into its 8 bit rows in dst: an 8x8 bit
// transpose of every word, then a typesize-8 byte shuffle of the words.
// row is scratch and is changed.
func bitRowShuffle(dst, row []byte) {
	bitTransposeWords(row)
	shuffleBlock(8, dst[:len(row)], row)
}

// bitRowUnshuffle inverts bitRowShuffle: the 8 bit rows in src (len(src) a
// multiple of 8) back to one byte row in row.
func bitRowUnshuffle(row, src []byte) {
	unshuffleBlock(8, row[:len(src)], src)
	bitTransposeWords(row[:len(src)])
}

// bitKernels and bitKernel mirror the amd64 kernel switch: only Go here.
var (
	bitKernels = []string{"go"}
	bitKernel  = 0
)
