package graphite

import (
	"encoding/binary"
	"math"
)

// Pickle opcodes (protocol 2) used by graphite-web's cluster protocol.
// These bytes are Python's wire format: never change them.
const (
	opProto      = 0x80
	opStop       = '.'
	opMark       = '('
	opEmptyList  = ']'
	opEmptyDict  = '}'
	opAppends    = 'e'
	opSetItems   = 'u'
	opBinUnicode = 'X'
	opBinInt     = 'J'
	opLong1      = 0x8a
	opBinFloat   = 'G'
	opNone       = 'N'
	opTrue       = 0x88
	opFalse      = 0x89
	opTuple2     = 0x86
)

// pickleBatch is how many items go between one MARK and its APPENDS or
// SETITEMS, as CPython's pickler batches them.
const pickleBatch = 1000

// pickler appends protocol-2 pickle opcodes to buf. Strings are written
// as unicode (BINUNICODE), because graphite-web's safe unpickler rejects
// bytes keys; NaN values become None.
type pickler struct{ buf []byte }

func (p *pickler) begin() { p.buf = append(p.buf, opProto, 2) }
func (p *pickler) end()   { p.buf = append(p.buf, opStop) }

func (p *pickler) str(s string) {
	p.buf = append(p.buf, opBinUnicode)
	p.buf = binary.LittleEndian.AppendUint32(p.buf, uint32(len(s)))
	p.buf = append(p.buf, s...)
}

func (p *pickler) int(v int64) {
	if v >= math.MinInt32 && v <= math.MaxInt32 {
		p.buf = append(p.buf, opBinInt)
		p.buf = binary.LittleEndian.AppendUint32(p.buf, uint32(int32(v)))
		return
	}
	// LONG1: little-endian two's complement, 8 bytes is always enough.
	p.buf = append(p.buf, opLong1, 8)
	p.buf = binary.LittleEndian.AppendUint64(p.buf, uint64(v))
}

func (p *pickler) float(v float64) {
	if math.IsNaN(v) {
		p.buf = append(p.buf, opNone)
		return
	}
	p.buf = append(p.buf, opBinFloat)
	p.buf = binary.BigEndian.AppendUint64(p.buf, math.Float64bits(v))
}

func (p *pickler) bool(v bool) {
	if v {
		p.buf = append(p.buf, opTrue)
	} else {
		p.buf = append(p.buf, opFalse)
	}
}

func (p *pickler) none() { p.buf = append(p.buf, opNone) }

// floats writes a list of floats (NaN as None) in batches.
func (p *pickler) floats(vs []float64) {
	p.buf = append(p.buf, opEmptyList)
	for len(vs) > 0 {
		n := min(len(vs), pickleBatch)
		p.buf = append(p.buf, opMark)
		for _, v := range vs[:n] {
			p.float(v)
		}
		p.buf = append(p.buf, opAppends)
		vs = vs[n:]
	}
}

// list writes a list whose n items are written by item(i).
func (p *pickler) list(n int, item func(i int)) {
	p.buf = append(p.buf, opEmptyList)
	for done := 0; done < n; {
		k := min(n-done, pickleBatch)
		p.buf = append(p.buf, opMark)
		for i := done; i < done+k; i++ {
			item(i)
		}
		p.buf = append(p.buf, opAppends)
		done += k
	}
}

// dict writes a dict: fill writes key/value pairs (fewer than pickleBatch).
func (p *pickler) dict(fill func()) {
	p.buf = append(p.buf, opEmptyDict, opMark)
	fill()
	p.buf = append(p.buf, opSetItems)
}

func (p *pickler) tuple2(a, b func()) {
	a()
	b()
	p.buf = append(p.buf, opTuple2)
}
