package zdec

import (
	"fmt"
	"math/bits"

	"ringvault/internal/zstd"
)

// seqSymbol is one state of a sequence decoding table: the symbol's
// baseline and number of extra bits (resolved from its code, like libzstd's
// ZSTD_seqSymbol), and how to reach the next state.
type seqSymbol struct {
	base uint32 // baseline of the value (length or Offset_Value)
	next uint16 // next state = next + readBits(nb), an index into seqTables
	add  uint8  // extra bits of the value
	nb   uint8  // bits read for the next state
}

func makeSymbol(base uint32, addBits, nbBits uint8, nextState uint16) seqSymbol {
	return seqSymbol{base: base, next: nextState, add: addBits, nb: nbBits}
}

// tableStride is the room of each kind's table in seqTables.
const tableStride = 1 << zstd.MaxLLLog

// seqTables holds the literal-length, offset and match-length tables one
// after the other (and an unused fourth stride so that a state masked
// with len-1 is always in range); a state is an index into the whole
// array, so one base pointer serves all three.
type seqTables [4 * tableStride]seqSymbol

// kind tells the three tables apart.
type kind uint8

const (
	kindLL kind = iota
	kindOF
	kindML
)

var kindNames = [3]string{"literal lengths", "offsets", "match lengths"}

func (k kind) maxSymbol() int {
	switch k {
	case kindLL:
		return zstd.MaxLLCode
	case kindOF:
		return zstd.MaxOFCode
	}
	return zstd.MaxMLCode
}

func (k kind) maxLog() uint8 {
	switch k {
	case kindLL:
		return zstd.MaxLLLog
	case kindOF:
		return zstd.MaxOFLog
	}
	return zstd.MaxMLLog
}

// baseBits resolves code into its baseline and extra bits.
func (k kind) baseBits(code uint8) (uint32, uint8) {
	switch k {
	case kindLL:
		return zstd.LLBase[code], zstd.LLBits[code]
	case kindOF:
		return 1 << code, code
	}
	return zstd.MLBase[code], zstd.MLBits[code]
}

// defaultTables are the predefined tables, built once, at their kind's
// place in seqTables.
var defaultTables = func() (t [3][tableStride]seqSymbol) {
	if err := build(t[kindLL][:], kindLL, zstd.LLDefaultNorm[:], zstd.LLDefaultLog); err != nil {
		panic(err)
	}
	if err := build(t[kindOF][:], kindOF, zstd.OFDefaultNorm[:], zstd.OFDefaultLog); err != nil {
		panic(err)
	}
	if err := build(t[kindML][:], kindML, zstd.MLDefaultNorm[:], zstd.MLDefaultLog); err != nil {
		panic(err)
	}
	return
}()

var defaultLogs = [3]uint8{zstd.LLDefaultLog, zstd.OFDefaultLog, zstd.MLDefaultLog}

// buildRLE makes the table of RLE mode: one state, always symbol code.
func buildRLE(t []seqSymbol, k kind, code uint8) {
	base, add := k.baseBits(code)
	t[0] = makeSymbol(base, add, 0, uint16(k)*tableStride)
}

// build spreads the normalized distribution norm (RFC 8878 §4.1.1) over a
// table of 1<<log states and resolves each state's symbol.
func build(t []seqSymbol, k kind, norm []int16, log uint8) error {
	size := uint32(1) << log
	high := size - 1
	var next [zstd.MaxMLCode + 1]uint16
	var syms [1 << zstd.MaxLLLog]uint8
	for s, c := range norm {
		if c == -1 {
			syms[high] = uint8(s)
			high--
			next[s] = 1
		} else {
			next[s] = uint16(c)
		}
	}
	step := size>>1 + size>>3 + 3
	mask := size - 1
	pos := uint32(0)
	for s, c := range norm {
		for i := int16(0); i < c; i++ {
			syms[pos] = uint8(s)
			pos = (pos + step) & mask
			for pos > high {
				pos = (pos + step) & mask
			}
		}
	}
	if pos != 0 {
		return fmt.Errorf("zdec: %s table: distribution does not fill %d states", kindNames[k], size)
	}
	var proto [zstd.MaxMLCode + 1]seqSymbol
	for s := range norm {
		base, add := k.baseBits(uint8(s))
		proto[s] = makeSymbol(base, add, 0, 0)
	}
	t = t[:size]
	for u := range t {
		s := syms[u]
		n := uint32(next[s])
		next[s]++
		nb := uint8(log) - uint8(bits.Len32(n)-1)
		e := proto[s]
		e.nb = nb
		e.next = uint16((n<<nb)-size) + uint16(k)*tableStride
		t[u] = e
	}
	return nil
}

// readNCount reads an FSE table description (§4.1.1) from the start of
// in into norm and returns the number of symbols, the accuracy log and
// the bytes used.
func readNCount(in []byte, norm []int16, maxSym int, maxLog uint8) (nsym int, log uint8, n int, err error) {
	if len(in) == 0 {
		return 0, 0, 0, fmt.Errorf("table description missing")
	}
	// peek returns 32 bits starting at bit position p, zero past the end.
	peek := func(p uint) uint32 {
		i := int(p >> 3)
		var v uint64
		for j := 0; j < 5 && i+j < len(in); j++ {
			v |= uint64(in[i+j]) << (8 * j)
		}
		return uint32(v >> (p & 7))
	}
	log = uint8(in[0]&15) + 5
	if log > maxLog {
		return 0, 0, 0, fmt.Errorf("accuracy log %d exceeds %d", log, maxLog)
	}
	bitPos := uint(4)
	remaining := int32(1)<<log + 1
	threshold := int32(1) << log
	nbBits := uint(log) + 1
	sym := 0
	prev0 := false
	for remaining > 1 && sym <= maxSym {
		if prev0 {
			for {
				r := peek(bitPos) & 3
				bitPos += 2
				sym += int(r)
				if r != 3 {
					break
				}
				if sym > maxSym {
					return 0, 0, 0, fmt.Errorf("zero-probability run passes symbol %d", maxSym)
				}
			}
			if sym > maxSym {
				return 0, 0, 0, fmt.Errorf("zero-probability run passes symbol %d", maxSym)
			}
			if sym == maxSym+1 {
				break
			}
		}
		v := peek(bitPos)
		max := (2*threshold - 1) - remaining
		var count int32
		if int32(v&uint32(threshold-1)) < max {
			count = int32(v & uint32(threshold-1))
			bitPos += nbBits - 1
		} else {
			count = int32(v & uint32(2*threshold-1))
			if count >= threshold {
				count -= max
			}
			bitPos += nbBits
		}
		count--
		if count < 0 {
			remaining--
		} else {
			remaining -= count
		}
		if sym > maxSym {
			return 0, 0, 0, fmt.Errorf("symbol %d exceeds %d", sym, maxSym)
		}
		norm[sym] = int16(count)
		sym++
		prev0 = count == 0
		for remaining < threshold && remaining > 1 {
			nbBits--
			threshold >>= 1
		}
	}
	if remaining != 1 {
		return 0, 0, 0, fmt.Errorf("probabilities do not sum to %d", 1<<log)
	}
	n = int((bitPos + 7) >> 3)
	if n > len(in) {
		return 0, 0, 0, fmt.Errorf("table description runs %d bytes past its end", n-len(in))
	}
	return sym, log, n, nil
}
