package zenc

import (
	"encoding/binary"

	"ringvault/internal/zstd"
)

// bitWriter is the forward-written, backward-read bit stream of RFC 8878
// §4.1: bits are packed from the least significant end and the last byte
// carries a 1 marker above the final bit. out must have 8 bytes of
// capacity beyond every flush (see reserve).
type bitWriter struct {
	out  []byte
	bits uint64
	n    uint
}

func (w *bitWriter) add(v uint64, nb uint) {
	w.bits |= (v & (1<<nb - 1)) << w.n
	w.n += nb
}

// reserve makes room for n more bytes plus the 8 a flush may touch.
func (w *bitWriter) reserve(n int) {
	if cap(w.out)-len(w.out) < n+8 {
		b := make([]byte, len(w.out), 2*cap(w.out)+n+8)
		copy(b, w.out)
		w.out = b
	}
}

// flush writes out the whole bytes held; at most 7 bits remain.
func (w *bitWriter) flush() {
	l := len(w.out)
	binary.LittleEndian.PutUint64(w.out[l:l+8], w.bits)
	k := w.n >> 3
	w.out = w.out[:l+int(k)]
	w.bits >>= k * 8
	w.n &= 7
}

func (w *bitWriter) close() {
	w.add(1, 1)
	w.reserve(8)
	w.flush()
	if w.n > 0 {
		w.out = append(w.out, byte(w.bits))
	}
	w.bits, w.n = 0, 0
}

// fseState is one FSE encoder state (FSE_CState_t).
type fseState struct {
	t     *fseTable
	state uint32
}

// initState is FSE_initCState2: the first state, for the last symbol.
func initState(t *fseTable, sym uint8) uint32 {
	d := t.symDelta[sym&63]
	nb := (d.nbBits + 1<<15) >> 16
	v := nb<<16 - d.nbBits
	return uint32(t.state[int32(v>>nb)+d.findState])
}

func (s *fseState) finish(w *bitWriter) {
	w.add(uint64(s.state), uint(s.t.log))
	w.reserve(8)
	w.flush()
}

// Predefined tables, built once.
var llDefault, mlDefault, ofDefault = func() (ll, ml, of fseTable) {
	ll.build(zstd.LLDefaultNorm[:], zstd.LLDefaultLog)
	ml.build(zstd.MLDefaultNorm[:], zstd.MLDefaultLog)
	of.build(zstd.OFDefaultNorm[:], zstd.OFDefaultLog)
	return
}()

// rleTable encodes any symbol in zero bits from state 0: RLE mode.
var rleTable = fseTable{state: []uint16{0}}

// seqTable is the encoder's state for one of the three code streams:
// the table of the current block and whether the decoder holds it for
// Repeat mode.
type seqTable struct {
	cur     fseTable
	prev    fseTable // the table of the last block that sent one
	canRep  bool     // prev is known to the decoder
	mode    uint8
	rleSym  uint8
	use     *fseTable
	counts  [64]uint32
	scratch [64]int16
}

// choose picks the cheapest mode for codes (after ZSTD_selectEncodingType)
// and appends its table description to dst.
func (st *seqTable) choose(dst []byte, codes []uint8, maxCode int, maxLog uint8, def *fseTable) []byte {
	c := st.counts[:maxCode+1]
	clear(c)
	top := 0
	for _, x := range codes {
		c[x]++
		top = max(top, int(x))
	}
	c = c[:top+1]
	nb := len(codes)
	mostFrequent := uint32(0)
	for _, n := range c {
		mostFrequent = max(mostFrequent, n)
	}
	if int(mostFrequent) == nb && nb > 2 {
		st.mode, st.rleSym, st.use = zstd.ModeRLE, uint8(top), &rleTable
		st.canRep = false
		return append(dst, uint8(top))
	}
	const inf = 1 << 30
	basic := def.bitCost(c)
	if basic < 0 {
		basic = inf
	}
	repeat := inf
	if st.canRep {
		if r := st.prev.bitCost(c); r >= 0 {
			repeat = r
		}
	}
	tl := optimalTableLog(maxLog, nb, top)
	norm := st.scratch[:top+1]
	normalize(norm, c, nb, tl, nb >= 2048)
	hdr := len(dst)
	dst = writeNCount(dst, norm, tl)
	st.cur.build(norm, tl)
	fse := (len(dst)-hdr)*8 + st.cur.bitCost(c)
	switch {
	case basic <= repeat && basic <= fse:
		st.mode, st.use = zstd.ModePredefined, def
		st.canRep = false
		return dst[:hdr]
	case repeat <= fse:
		st.mode, st.use = zstd.ModeRepeat, &st.prev
		return dst[:hdr]
	}
	st.mode = zstd.ModeFSE
	st.prev, st.cur = st.cur, st.prev
	st.use = &st.prev
	st.canRep = true
	return dst
}

// encodeSequences appends the sequences section of seqs (RFC 8878
// §3.1.1.3.2). ll, ml, of and the extra-bit values are computed by the
// caller into the encoder's scratch.
func (e *Encoder) encodeSequences(dst []byte) []byte {
	n := len(e.llCode)
	switch {
	case n < 128:
		dst = append(dst, byte(n))
	case n < 0x7F00:
		dst = append(dst, byte(n>>8)+0x80, byte(n))
	default:
		dst = append(dst, 0xFF, byte(n-0x7F00), byte((n-0x7F00)>>8))
	}
	if n == 0 {
		return dst
	}
	modePos := len(dst)
	dst = append(dst, 0)
	dst = e.tabs[0].choose(dst, e.llCode, zstd.MaxLLCode, zstd.MaxLLLog, &llDefault)
	dst = e.tabs[1].choose(dst, e.ofCode, zstd.MaxOFCode, zstd.MaxOFLog, &ofDefault)
	dst = e.tabs[2].choose(dst, e.mlCode, zstd.MaxMLCode, zstd.MaxMLLog, &mlDefault)
	dst[modePos] = e.tabs[0].mode<<6 | e.tabs[1].mode<<4 | e.tabs[2].mode<<2

	w := bitWriter{out: dst}
	// At most 12 bytes a sequence (26 state bits, 16+16+31 extra bits).
	w.reserve(12*n + 16)
	tLL, tOF, tML := e.tabs[0].use, e.tabs[1].use, e.tabs[2].use
	last := n - 1
	stML := initState(tML, e.mlCode[last])
	stOF := initState(tOF, e.ofCode[last])
	stLL := initState(tLL, e.llCode[last])
	e.addExtra(&w, last)
	// The loop of FSE_encodeSymbol x 3 and the extra bits, with the bit
	// writer in locals.
	bits, nb, out := w.bits, w.n, w.out
	llCodes, mlCodes, ofCodes, ofVals, seqs := e.llCode[:n], e.mlCode[:n], e.ofCode[:n], e.ofVal[:n], e.seqs[:n]
	for i := last - 1; i >= 0; i-- {
		ofc, mlc, llc := ofCodes[i], mlCodes[i], llCodes[i]
		d := tOF.symDelta[ofc&63]
		k := (stOF + d.nbBits) >> 16
		bits |= uint64(stOF&(1<<k-1)) << nb
		nb += uint(k)
		stOF = uint32(tOF.state[int32(stOF>>k)+d.findState])
		d = tML.symDelta[mlc&63]
		k = (stML + d.nbBits) >> 16
		bits |= uint64(stML&(1<<k-1)) << nb
		nb += uint(k)
		stML = uint32(tML.state[int32(stML>>k)+d.findState])
		d = tLL.symDelta[llc&63]
		k = (stLL + d.nbBits) >> 16
		bits |= uint64(stLL&(1<<k-1)) << nb
		nb += uint(k)
		stLL = uint32(tLL.state[int32(stLL>>k)+d.findState])
		sq := &seqs[i]
		lb := uint(zstd.LLBits[llc])
		bits |= uint64(sq.litLen&(1<<lb-1)) << nb
		nb += lb
		l := len(out)
		binary.LittleEndian.PutUint64(out[l:l+8], bits)
		out = out[:l+int(nb>>3)]
		bits >>= nb &^ 7
		nb &= 7
		mb := uint(zstd.MLBits[mlc])
		bits |= uint64((sq.matchLen-zstd.MinMatch)&(1<<mb-1)) << nb
		nb += mb
		bits |= uint64(ofVals[i]&(1<<ofc-1)) << nb
		nb += uint(ofc)
		l = len(out)
		binary.LittleEndian.PutUint64(out[l:l+8], bits)
		out = out[:l+int(nb>>3)]
		bits >>= nb &^ 7
		nb &= 7
	}
	w.bits, w.n, w.out = bits, nb, out
	sML := fseState{t: tML, state: stML}
	sOF := fseState{t: tOF, state: stOF}
	sLL := fseState{t: tLL, state: stLL}
	sML.finish(&w)
	sOF.finish(&w)
	sLL.finish(&w)
	w.close()
	return w.out
}

// addExtra writes the extra bits of sequence i: literal length, match
// length, offset.
func (e *Encoder) addExtra(w *bitWriter, i int) {
	s := &e.seqs[i]
	llc, mlc, ofc := e.llCode[i], e.mlCode[i], e.ofCode[i]
	// The states (<= 26 bits) and the literal length (<= 16) fit with the
	// 7 bits a flush may leave; then match length and offset (<= 47).
	w.add(uint64(s.litLen), uint(zstd.LLBits[llc]))
	w.flush()
	w.add(uint64(s.matchLen-zstd.MinMatch), uint(zstd.MLBits[mlc]))
	w.add(uint64(e.ofVal[i]), uint(ofc))
	w.flush()
}

// codeSequences computes the codes of e.seqs and the Offset_Values under
// the repeat-offset rules of RFC 8878 §3.1.1.5, updating e.rep.
func (e *Encoder) codeSequences() {
	n := len(e.seqs)
	e.llCode = grow(e.llCode, n)
	e.mlCode = grow(e.mlCode, n)
	e.ofCode = grow(e.ofCode, n)
	if cap(e.ofVal) < n {
		e.ofVal = make([]uint32, n)
	}
	e.ofVal = e.ofVal[:n]
	r := e.rep
	for i := range e.seqs {
		s := &e.seqs[i]
		o := s.offset
		var v uint32
		if s.litLen > 0 {
			switch o {
			case r[0]:
				v = 1
			case r[1]:
				v = 2
				r[0], r[1] = r[1], r[0]
			case r[2]:
				v = 3
				r = [3]uint32{r[2], r[0], r[1]}
			default:
				v = o + 3
				r = [3]uint32{o, r[0], r[1]}
			}
		} else {
			switch {
			case o == r[1]:
				v = 1
				r[0], r[1] = r[1], r[0]
			case o == r[2]:
				v = 2
				r = [3]uint32{r[2], r[0], r[1]}
			case o == r[0]-1:
				v = 3
				r = [3]uint32{o, r[0], r[1]}
			default:
				v = o + 3
				r = [3]uint32{o, r[0], r[1]}
			}
		}
		e.ofVal[i] = v
		e.ofCode[i] = zstd.OFCode(v)
		e.llCode[i] = zstd.LLCode(s.litLen)
		e.mlCode[i] = zstd.MLCode(s.matchLen)
	}
	e.rep = r
}

func grow(b []uint8, n int) []uint8 {
	if cap(b) < n {
		return make([]uint8, n)
	}
	return b[:n]
}
