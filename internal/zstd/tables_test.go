package zstd

import "testing"

// The predefined distributions must each sum to 1 << accuracy log, counting
// a "less than 1" probability (-1) as one state.
func TestDefaultNormSums(t *testing.T) {
	for _, c := range []struct {
		name string
		norm []int16
		log  uint
	}{
		{"literal length", LLDefaultNorm[:], LLDefaultLog},
		{"match length", MLDefaultNorm[:], MLDefaultLog},
		{"offset", OFDefaultNorm[:], OFDefaultLog},
	} {
		sum := 0
		for _, v := range c.norm {
			if v < 0 {
				sum++
			} else {
				sum += int(v)
			}
		}
		if sum != 1<<c.log {
			t.Errorf("%s: distribution sums to %d, want %d", c.name, sum, 1<<c.log)
		}
	}
}

// Every length maps to the code whose baseline and extra bits cover it,
// and the codes cover all lengths without gaps.
func TestLengthCodes(t *testing.T) {
	for n := uint32(0); n < 1<<17; n++ {
		c := LLCode(n)
		if c > MaxLLCode || n < LLBase[c] || n >= LLBase[c]+1<<LLBits[c] {
			t.Fatalf("LLCode(%d) = %d: base %d, %d bits", n, c, LLBase[c], LLBits[c])
		}
		m := n + MinMatch
		c = MLCode(m)
		if c > MaxMLCode || m < MLBase[c] || m >= MLBase[c]+1<<MLBits[c] {
			t.Fatalf("MLCode(%d) = %d: base %d, %d bits", m, c, MLBase[c], MLBits[c])
		}
	}
	for c := 1; c <= MaxLLCode; c++ {
		if LLBase[c] != LLBase[c-1]+1<<LLBits[c-1] {
			t.Errorf("literal-length code %d starts at %d, want %d", c, LLBase[c], LLBase[c-1]+1<<LLBits[c-1])
		}
	}
	for c := 1; c <= MaxMLCode; c++ {
		if MLBase[c] != MLBase[c-1]+1<<MLBits[c-1] {
			t.Errorf("match-length code %d starts at %d, want %d", c, MLBase[c], MLBase[c-1]+1<<MLBits[c-1])
		}
	}
	for _, c := range []struct{ v, code uint32 }{{1, 0}, {2, 1}, {3, 1}, {4, 2}, {1 << 20, 20}} {
		if got := OFCode(c.v); uint32(got) != c.code {
			t.Errorf("OFCode(%d) = %d, want %d", c.v, got, c.code)
		}
	}
}
