package zenc

import "math"

// fseTable is a finite-state-entropy encoding table (RFC 8878 §4.1) built
// from a normalized distribution, in the layout of libzstd's FSE_CTable:
// for each symbol deltaNbBits and deltaFindState, and the next-state table.
type fseTable struct {
	log      uint8
	norm     [64]int16 // normalized counts, -1 = "less than one"
	nsym     int       // symbols described in norm
	state    []uint16
	symDelta [64]struct {
		nbBits    uint32
		findState int32
	}
	cost [64]uint16 // bits per symbol * 256, 0xFFFF for absent symbols
}

// optimalTableLog is FSE_optimalTableLog for the sequences' tables.
func optimalTableLog(maxLog uint8, total int, maxSym int) uint8 {
	maxBitsSrc := highBit(uint32(total-1)) - 2
	minBits := min(highBit(uint32(total))+1, highBit(uint32(maxSym))+2)
	tl := int(maxLog)
	if maxBitsSrc < tl {
		tl = maxBitsSrc
	}
	if minBits > tl {
		tl = minBits
	}
	return uint8(min(max(tl, 5), 12))
}

var rtbTable = [8]uint64{0, 473195, 504333, 520860, 550000, 700000, 750000, 830000}

// normalize scales counts (of total) to sum to 1<<tableLog, after
// FSE_normalizeCount: rare symbols get -1 when lowProb, and rounding is
// biased by rtbTable for small probabilities.
func normalize(norm []int16, counts []uint32, total int, tableLog uint8, lowProb bool) {
	lowCount := int16(1)
	if lowProb {
		lowCount = -1
	}
	scale := 62 - uint64(tableLog)
	step := (uint64(1) << 62) / uint64(total)
	vStep := uint64(1) << (scale - 20)
	still := 1 << tableLog
	largest, largestP := 0, int16(0)
	lowThreshold := uint32(total >> tableLog)
	for s, c := range counts {
		switch {
		case c == 0:
			norm[s] = 0
		case c <= lowThreshold:
			norm[s] = lowCount
			still--
		default:
			p := int16((uint64(c) * step) >> scale)
			if p < 8 {
				rest := vStep * rtbTable[p]
				if uint64(c)*step-uint64(p)<<scale > rest {
					p++
				}
			}
			if p > largestP {
				largestP, largest = p, s
			}
			norm[s] = p
			still -= int(p)
		}
	}
	if -still < int(norm[largest]>>1) {
		norm[largest] += int16(still)
		return
	}
	// Corner case (many small symbols): take the excess from the largest
	// probabilities one at a time, keeping every present symbol above zero.
	for still < 0 {
		big := -1
		for s, p := range norm {
			if p > 1 && (big < 0 || p > norm[big]) {
				big = s
			}
		}
		norm[big]--
		still++
	}
	for still > 0 {
		norm[largest]++
		still--
	}
}

// writeNCount appends the normalized distribution header (RFC 8878
// §4.1.1), after FSE_writeNCount.
func writeNCount(dst []byte, norm []int16, tableLog uint8) []byte {
	tableSize := 1 << tableLog
	var bitStream uint64
	bitCount := uint(0)
	bitStream |= uint64(tableLog-5) << bitCount
	bitCount += 4
	remaining := tableSize + 1
	threshold := tableSize
	nbBits := uint(tableLog) + 1
	flush := func() {
		for bitCount >= 8 {
			dst = append(dst, byte(bitStream))
			bitStream >>= 8
			bitCount -= 8
		}
	}
	sym, prev0 := 0, false
	for sym < len(norm) && remaining > 1 {
		if prev0 {
			start := sym
			for sym < len(norm) && norm[sym] == 0 {
				sym++
			}
			for sym >= start+24 {
				start += 24
				bitStream |= 0xFFFF << bitCount
				bitCount += 16
				flush()
			}
			for sym >= start+3 {
				start += 3
				bitStream |= 3 << bitCount
				bitCount += 2
			}
			bitStream |= uint64(sym-start) << bitCount
			bitCount += 2
			flush()
		}
		count := int(norm[sym])
		sym++
		maxv := 2*threshold - 1 - remaining
		if count < 0 {
			remaining += count
		} else {
			remaining -= count
		}
		count++
		if count >= threshold {
			count += maxv
		}
		bitStream |= uint64(count) << bitCount
		bitCount += nbBits
		if count < maxv {
			bitCount--
		}
		prev0 = count == 1
		for remaining < threshold {
			nbBits--
			threshold >>= 1
		}
		flush()
	}
	if bitCount > 0 {
		dst = append(dst, byte(bitStream))
	}
	return dst
}

// build fills t from norm[:nsym] at tableLog, after FSE_buildCTable.
func (t *fseTable) build(norm []int16, tableLog uint8) {
	t.log = tableLog
	t.nsym = len(norm)
	copy(t.norm[:], norm)
	size := 1 << tableLog
	if cap(t.state) < size {
		t.state = make([]uint16, size)
	}
	t.state = t.state[:size]
	var symbols [4096]uint8
	var cumul [65]int
	high := size - 1
	for s, n := range norm {
		if n == -1 {
			cumul[s+1] = cumul[s] + 1
			symbols[high] = uint8(s)
			high--
		} else {
			cumul[s+1] = cumul[s] + int(max(n, 0))
		}
	}
	step := size>>1 + size>>3 + 3
	pos := 0
	for s, n := range norm {
		for i := 0; i < int(n); i++ {
			symbols[pos] = uint8(s)
			pos = (pos + step) & (size - 1)
			for pos > high {
				pos = (pos + step) & (size - 1)
			}
		}
	}
	for u := 0; u < size; u++ {
		s := symbols[u]
		t.state[cumul[s]] = uint16(size + u)
		cumul[s]++
	}
	total := 0
	for s, n := range norm {
		d := &t.symDelta[s]
		switch n {
		case 0:
			d.nbBits = (uint32(tableLog)+1)<<16 - uint32(size)
			t.cost[s] = 0xFFFF
		case -1, 1:
			d.nbBits = uint32(tableLog)<<16 - uint32(size)
			d.findState = int32(total - 1)
			total++
			t.cost[s] = uint16(tableLog) << 8
		default:
			maxBitsOut := uint32(tableLog) - uint32(highBit(uint32(n-1)))
			minStatePlus := uint32(n) << maxBitsOut
			d.nbBits = maxBitsOut<<16 - minStatePlus
			d.findState = int32(total - int(n))
			total += int(n)
			t.cost[s] = uint16(math.Round(256 * math.Log2(float64(size)/float64(n))))
		}
	}
	for s := len(norm); s < len(t.cost); s++ {
		t.cost[s] = 0xFFFF
	}
}

// bitCost estimates the bits t spends on counts, or -1 if t cannot encode
// one of the symbols.
func (t *fseTable) bitCost(counts []uint32) int {
	c := 0
	for s, n := range counts {
		if n == 0 {
			continue
		}
		if s >= t.nsym || t.cost[s] == 0xFFFF {
			return -1
		}
		c += int(n) * int(t.cost[s])
	}
	return c >> 8
}
