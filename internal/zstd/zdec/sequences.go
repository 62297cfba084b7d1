package zdec

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"unsafe"

	"ringvault/internal/zstd"
)

// seqState is scratch for the bitstream of a block with fewer than 8 bytes.
type seqState struct {
	tiny [8]byte
}

// decodeBlock decodes the compressed block src into dst[op:]; dst ends
// where the block must end at the latest (buffer end or block maximum).
// Matches may reach back at most window bytes and never before dst[0]
// (the frame's start). It returns the bytes written.
func (d *Decoder) decodeBlock(dst []byte, op, window, blockMax int, src []byte, base int) (int, error) {
	start := op
	lits, n, err := d.readLiterals(src, base, blockMax)
	if err != nil {
		return 0, err
	}
	src = src[n:]
	base += n
	if len(src) == 0 {
		return 0, corrupt(base, "sequences section header", "missing")
	}
	nbSeq := int(src[0])
	p := 1
	switch {
	case nbSeq == 0:
		if len(src) != 1 {
			return 0, corrupt(base, "sequences section", "%d bytes after a count of zero sequences", len(src)-1)
		}
		if len(lits) > len(dst)-op {
			return 0, corrupt(base, "literals", "%d literals overrun the block or buffer (%d bytes left)", len(lits), len(dst)-op)
		}
		copy(dst[op:], lits)
		return len(lits), nil
	case nbSeq < 128:
	case nbSeq < 255:
		if len(src) < 2 {
			return 0, corrupt(base, "number of sequences", "truncated")
		}
		nbSeq = (nbSeq-128)<<8 + int(src[1])
		p = 2
	default:
		if len(src) < 3 {
			return 0, corrupt(base, "number of sequences", "truncated")
		}
		nbSeq = int(src[1]) + int(src[2])<<8 + 0x7F00
		p = 3
	}
	if len(src) <= p {
		return 0, corrupt(base+p, "symbol compression modes", "truncated")
	}
	modes := src[p]
	if modes&3 != 0 {
		return 0, corrupt(base+p, "symbol compression modes", "reserved bits set")
	}
	p++
	for _, k := range [3]kind{kindLL, kindOF, kindML} {
		mode := modes >> (6 - 2*k) & 3
		used, err := d.readTable(k, mode, src[p:], base+p)
		if err != nil {
			return 0, err
		}
		p += used
	}
	n, err = d.execute(dst, op, window, lits, nbSeq, src[p:], base+p)
	return n - start, err
}

// readTable sets up the decoding table of k for mode from src and returns
// the bytes used.
func (d *Decoder) readTable(k kind, mode byte, src []byte, base int) (int, error) {
	t := d.tab[int(k)*tableStride : int(k+1)*tableStride]
	switch mode {
	case zstd.ModePredefined:
		if d.have[k] != tabDefault {
			copy(t, defaultTables[k][:1<<defaultLogs[k]])
			d.have[k], d.logs[k] = tabDefault, defaultLogs[k]
		}
		return 0, nil
	case zstd.ModeRLE:
		if len(src) == 0 {
			return 0, corrupt(base, kindNames[k]+" RLE symbol", "truncated")
		}
		if int(src[0]) > k.maxSymbol() {
			return 0, corrupt(base, kindNames[k]+" RLE symbol", "code %d exceeds %d", src[0], k.maxSymbol())
		}
		buildRLE(t, k, src[0])
		d.have[k], d.logs[k] = tabCustom, 0
		return 1, nil
	case zstd.ModeFSE:
		d.have[k] = tabNone
		d.norm = [len(d.norm)]int16{}
		nsym, log, n, err := readNCount(src, d.norm[:], k.maxSymbol(), k.maxLog())
		if err != nil {
			return 0, corrupt(base, kindNames[k]+" FSE table", "%v", err)
		}
		if err := build(t, k, d.norm[:nsym], log); err != nil {
			return 0, corrupt(base, kindNames[k]+" FSE table", "%v", err)
		}
		d.have[k], d.logs[k] = tabCustom, log
		return n, nil
	}
	if d.have[k] == tabNone {
		return 0, corrupt(base, kindNames[k]+" table", "repeat mode without a previous table")
	}
	return 0, nil
}

// What a Decoder's table of each kind holds.
const (
	tabNone    = iota // nothing usable (start of frame, or a failed build)
	tabDefault        // the predefined table
	tabCustom         // an RLE or FSE table of an earlier block
)

// bitReader reads a sequences bitstream backward: value holds the 8 bytes
// at in[p:], of which the highest consumed bits are used.
type bitReader struct {
	in       []byte
	p        int
	value    uint64
	consumed uint
}

// execute decodes nbSeq sequences from the bitstream in and executes them
// into dst at op, followed by the remaining literals. It returns the new
// output position.
func (d *Decoder) execute(dst []byte, op, window int, lits []byte, nbSeq int, in []byte, base int) (int, error) {
	if len(in) == 0 {
		return op, corrupt(base, "sequences bitstream", "empty")
	}
	last := in[len(in)-1]
	if last == 0 {
		return op, corrupt(base+len(in)-1, "sequences bitstream", "last byte holds no end mark")
	}
	br := bitReader{in: in}
	if len(in) >= 8 {
		br.p = len(in) - 8
	} else {
		d.seqs.tiny = [8]byte{}
		copy(d.seqs.tiny[:], in)
		br.consumed = uint(8-len(in)) * 8
		br.in = d.seqs.tiny[:]
	}
	br.value = binary.LittleEndian.Uint64(br.in[br.p:])
	br.consumed += 9 - uint(bits.Len8(last))
	st := states{
		ll: readBitsN(br.value, &br.consumed, d.logs[kindLL]),
		of: readBitsN(br.value, &br.consumed, d.logs[kindOF]) + tableStride,
		ml: readBitsN(br.value, &br.consumed, d.logs[kindML]) + 2*tableStride,
	}
	rep := d.rep
	litPos := 0
	if nbSeq > 1 {
		var err error
		op, litPos, err = d.seqLoop(&br, &st, nbSeq-1, dst, op, window, lits, litPos, &rep)
		if br.consumed > 64 {
			return op, corrupt(base, "sequences bitstream", "the %d sequences read past its start", nbSeq)
		}
		if err != nil {
			return op, corrupt(base, "sequence", "%v", err)
		}
	}
	ll, ml, ofv := d.lastSeq(&br, st)
	if br.consumed > 64 {
		return op, corrupt(base, "sequences bitstream", "the last of %d sequences reads past its start", nbSeq)
	}
	var off int
	if ofv > 3 {
		off = ofv - 3
		rep = [3]int{off, rep[0], rep[1]}
	} else {
		off, rep[0], rep[1], rep[2] = repeatOffset(ofv, ll, rep[0], rep[1], rep[2])
	}
	var err error
	op, litPos, err = runSeq(dst, op, window, lits, litPos, ll, ml, off)
	if err != nil {
		return op, corrupt(base, "sequence", "sequence %d: %v", nbSeq-1, err)
	}
	if br.consumed != 64 || br.p != 0 {
		return op, corrupt(base, "sequences bitstream", "%d bits left after the last sequence", int(64-br.consumed)+8*br.p)
	}
	d.rep = rep
	rest := len(lits) - litPos
	if rest > len(dst)-op {
		return op, corrupt(base, "literals", "%d trailing literals overrun the block or buffer", rest)
	}
	copy(dst[op:], lits[litPos:])
	return op + rest, nil
}

// states are the three FSE states.
type states struct{ ll, of, ml uint32 }

// lastSeq decodes the block's last sequence, after which the states are
// not updated, and returns its literal length, match length and
// Offset_Value.
func (d *Decoder) lastSeq(br *bitReader, st states) (ll, ml, ofv int) {
	const mask = uint32(len(seqTables{}) - 1)
	le, oe, me := &d.tab[st.ll&mask], &d.tab[st.of&mask], &d.tab[st.ml&mask]
	br.refill()
	ofv = int(oe.base) + int(readBitsN(br.value, &br.consumed, oe.add))
	ml = int(me.base) + int(readBitsN(br.value, &br.consumed, me.add))
	br.refill()
	ll = int(le.base) + int(readBitsN(br.value, &br.consumed, le.add))
	return ll, ml, ofv
}

// refill moves the window down to the next unread byte (or to the
// stream's start).
func (br *bitReader) refill() {
	if nb := int(br.consumed >> 3); br.p >= nb {
		br.p -= nb
		br.consumed &= 7
	} else {
		br.consumed -= uint(br.p) * 8
		br.p = 0
	}
	br.value = binary.LittleEndian.Uint64(br.in[br.p:])
}

// seqLoop decodes and executes n sequences, none of them the block's
// last, in one pass. A sequence whose match offset is at least 16 and that
// leaves 32 bytes of room is copied with 16-byte moves through unsafe
// pointers once all its bounds are checked; every other goes through
// runSeq's checked slices. Bits read past the stream's start read as
// zeros; the caller checks br.consumed afterwards.
func (d *Decoder) seqLoop(br *bitReader, st *states, n int, dst []byte, op, window int, lits []byte, litPos int, rep *[3]int) (int, int, error) {
	const mask = uint32(len(seqTables{}) - 1)
	tab := &d.tab
	in := unsafe.Pointer(unsafe.SliceData(br.in))
	p, consumed := br.p, br.consumed
	llS, ofS, mlS := st.ll, st.of, st.ml
	dp := unsafe.Pointer(unsafe.SliceData(dst))
	// The fast path needs 32 writable bytes past the sequence
	// (op+ll+ml <= dlim), literals readable 32 bytes past their end, and a
	// window that covers all of dst, so that off <= op is the only offset
	// check.
	dlim := len(dst) - 32
	if window < len(dst) || cap(lits)-len(lits) < 32 {
		dlim = -1
	}
	lp := unsafe.Pointer(unsafe.SliceData(lits))
	lp = unsafe.Add(lp, litPos)
	litRem := len(lits) - litPos
	rep0, rep1, rep2 := rep[0], rep[1], rep[2]
	// p stays in [0, len(br.in)-8]: it only decreases, and never below 0.
	for ; n > 0; n-- {
		if nb := int(consumed >> 3); p >= nb {
			p -= nb
			consumed &= 7
		} else {
			consumed -= uint(p) * 8
			p = 0
		}
		value := binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(in, p))[:])
		li, oi, mi := llS&mask, ofS&mask, mlS&mask
		ob, mb, lb := uint(tab[oi].add), uint(tab[mi].add), uint(tab[li].add)
		n1, n2, n3 := uint(tab[li].nb), uint(tab[mi].nb), uint(tab[oi].nb)
		var ofv, ml, ll int
		if ob+mb+lb+n1+n2+n3 <= 56 {
			// All six fields are in value (57 bits are): take each from
			// where it ends, counted from the top.
			e1 := consumed + ob
			e2 := e1 + mb
			e3 := e2 + lb
			e4 := e3 + n1
			e5 := e4 + n2
			e6 := e5 + n3
			ofv = int(tab[oi].base) + int(value>>((64-e1)&63)&bitMask[tab[oi].add])
			ml = int(tab[mi].base) + int(value>>((64-e2)&63)&bitMask[tab[mi].add])
			ll = int(tab[li].base) + int(value>>((64-e3)&63)&bitMask[tab[li].add])
			llS = uint32(tab[li].next) + uint32(value>>((64-e4)&63)&bitMask[tab[li].nb])
			mlS = uint32(tab[mi].next) + uint32(value>>((64-e5)&63)&bitMask[tab[mi].nb])
			ofS = uint32(tab[oi].next) + uint32(value>>((64-e6)&63)&bitMask[tab[oi].nb])
			consumed = e6
		} else {
			var f [6]int
			f, p, consumed = longFields(in, p, consumed, &tab[li], &tab[oi], &tab[mi])
			ofv, ml, ll = f[0], f[1], f[2]
			llS, mlS, ofS = uint32(f[3]), uint32(f[4]), uint32(f[5])
		}

		var off int
		if ofv > 3 {
			off = ofv - 3
			rep2, rep1, rep0 = rep1, rep0, off
		} else {
			off, rep0, rep1, rep2 = repeatOffset(ofv, ll, rep0, rep1, rep2)
		}
		if off >= 16 && ll <= litRem && off <= op+ll && op+ll+ml <= dlim {
			// In bounds: 16-byte moves write at most 15 bytes past the
			// match, op+ll+ml+32 <= len(dst); literals are readable 32
			// bytes past their end; 16 <= off <= op+ll, so each move
			// reads bytes already written.
			d := unsafe.Add(dp, op)
			*(*[16]byte)(d) = *(*[16]byte)(lp)
			if ll > 16 {
				*(*[16]byte)(unsafe.Add(d, 16)) = *(*[16]byte)(unsafe.Add(lp, 16))
				for i := 32; i < ll; i += 16 {
					*(*[16]byte)(unsafe.Add(d, i)) = *(*[16]byte)(unsafe.Add(lp, i))
				}
			}
			op += ll
			lp = unsafe.Add(lp, ll)
			litRem -= ll
			m := unsafe.Add(dp, op)
			f := unsafe.Add(dp, op-off)
			*(*[16]byte)(m) = *(*[16]byte)(f)
			if ml > 16 {
				*(*[16]byte)(unsafe.Add(m, 16)) = *(*[16]byte)(unsafe.Add(f, 16))
				for i := 32; i < ml; i += 16 {
					*(*[16]byte)(unsafe.Add(m, i)) = *(*[16]byte)(unsafe.Add(f, i))
				}
			}
			op += ml
			continue
		}
		litPos = len(lits) - litRem
		var err error
		op, litPos, err = runSeq(dst, op, window, lits, litPos, ll, ml, off)
		if err != nil {
			br.p, br.consumed = p, consumed
			*rep = [3]int{rep0, rep1, rep2}
			return op, litPos, err
		}
		lp = unsafe.Add(unsafe.Pointer(unsafe.SliceData(lits)), litPos)
		litRem = len(lits) - litPos
	}
	br.p, br.consumed = p, consumed
	br.value = binary.LittleEndian.Uint64(br.in[p:])
	st.ll, st.of, st.ml = llS, ofS, mlS
	*rep = [3]int{rep0, rep1, rep2}
	return op, len(lits) - litRem, nil
}

// longFields reads the six fields of a sequence that needs more than 56
// bits, refilling after the match length: offset value, match length,
// literal length and the three next states.
//
//go:noinline
func longFields(in unsafe.Pointer, p int, consumed uint, le, oe, me *seqSymbol) (f [6]int, _ int, _ uint) {
	ob, mb, lb := uint(oe.add), uint(me.add), uint(le.add)
	n1, n2, n3 := uint(le.nb), uint(me.nb), uint(oe.nb)
	bv := binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(in, p))[:]) << (consumed & 63)
	f[0] = int(oe.base) + int(bv>>1>>((63-ob)&63))
	bv <<= ob
	f[1] = int(me.base) + int(bv>>1>>((63-mb)&63))
	consumed += ob + mb
	if nb := int(consumed >> 3); p >= nb {
		p -= nb
		consumed &= 7
	} else {
		consumed -= uint(p) * 8
		p = 0
	}
	bv = binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(in, p))[:]) << (consumed & 63)
	f[2] = int(le.base) + int(bv>>1>>((63-lb)&63))
	bv <<= lb
	f[3] = int(le.next) + int(bv>>1>>((63-n1)&63))
	bv <<= n1
	f[4] = int(me.next) + int(bv>>1>>((63-n2)&63))
	bv <<= n2
	f[5] = int(oe.next) + int(bv>>1>>((63-n3)&63))
	return f, p, consumed + lb + n1 + n2 + n3
}

// repeatOffset resolves a repeat Offset_Value (1..3) and updates the
// repeat offsets (RFC 8878 §3.1.2.5); an offset of 0 is left for runSeq
// to reject.
func repeatOffset(ofv, ll, rep0, rep1, rep2 int) (off, r0, r1, r2 int) {
	idx := ofv - 1
	if ll == 0 {
		idx++
	}
	switch idx {
	case 0:
		return rep0, rep0, rep1, rep2
	case 1:
		return rep1, rep1, rep0, rep2
	case 2:
		return rep2, rep2, rep0, rep1
	}
	return rep0 - 1, rep0 - 1, rep0, rep1
}

// runSeq executes one sequence with checked slices.
func runSeq(dst []byte, op, window int, lits []byte, litPos, ll, ml, off int) (int, int, error) {
	if off == 0 {
		return op, litPos, fmt.Errorf("repeat offset 1 minus one is zero")
	}
	if ll > len(lits)-litPos {
		return op, litPos, fmt.Errorf("%d literals wanted, %d left", ll, len(lits)-litPos)
	}
	if ll+ml > len(dst)-op {
		return op, litPos, fmt.Errorf("%d literals and a %d-byte match overrun the block or buffer (%d bytes left)", ll, ml, len(dst)-op)
	}
	litsAll := lits[:cap(lits)]
	if ll <= 16 && len(litsAll)-litPos >= 16 && len(dst)-op >= 16 {
		*(*[16]byte)(dst[op:]) = *(*[16]byte)(litsAll[litPos:])
	} else {
		copy(dst[op:op+ll], lits[litPos:litPos+ll])
	}
	op += ll
	litPos += ll
	if off > op || off > window {
		return op, litPos, fmt.Errorf("offset %d reaches before the frame or window (%d bytes back)", off, min(op, window))
	}
	from := op - off
	if len(dst)-op >= ml+32 {
		if off >= 16 {
			if ml <= 32 {
				*(*[16]byte)(dst[op:]) = *(*[16]byte)(dst[from:])
				*(*[16]byte)(dst[op+16:]) = *(*[16]byte)(dst[from+16:])
			} else if off >= ml {
				copy(dst[op:op+ml], dst[from:from+ml])
			} else {
				for j := 0; j < ml; j += 16 {
					*(*[16]byte)(dst[op+j:]) = *(*[16]byte)(dst[from+j:])
				}
			}
		} else {
			copyShort(dst, op, from, ml)
		}
	} else {
		copyOverlap(dst, op, from, ml)
	}
	return op + ml, litPos, nil
}

// readBitsN reads n bits from the top of value past consumed.
func readBitsN(value uint64, consumed *uint, n uint8) uint32 {
	v := uint32(value << (*consumed & 63) >> 1 >> (63 - n))
	*consumed += uint(n)
	return v
}

// dec32 and dec64 turn a short offset into one of at least 8 after the
// first 8 bytes of a match are written (libzstd's ZSTD_overlapCopy8).
var (
	dec32 = [8]int{0, 1, 2, 1, 4, 4, 4, 4}
	dec64 = [8]int{8, 8, 8, 7, 8, 9, 10, 11}
)

// copyShort copies a match of ml bytes from dst[from:] to dst[op:] whose
// offset op-from is below 16; dst must have ml+32 bytes at op.
func copyShort(dst []byte, op, from, ml int) {
	off := op - from
	if off < 8 {
		d := dst[op : op+8 : op+8]
		s := dst[from : from+8 : from+8]
		d[0] = s[0] // one at a time: s overlaps d
		d[1] = s[1]
		d[2] = s[2]
		d[3] = s[3]
		from += dec32[off]
		*(*[4]byte)(dst[op+4:]) = *(*[4]byte)(dst[from:])
		from -= dec64[off]
	} else {
		*(*[8]byte)(dst[op:]) = *(*[8]byte)(dst[from:])
	}
	from += 8
	end := op + ml
	op += 8
	for op < end {
		*(*[8]byte)(dst[op:]) = *(*[8]byte)(dst[from:])
		op += 8
		from += 8
	}
}

// copyOverlap copies a match exactly, without writing past its end: it
// doubles the copied span, which keeps a whole number of periods.
func copyOverlap(dst []byte, op, from, ml int) {
	for ml > 0 {
		n := min(op-from, ml)
		copy(dst[op:op+n], dst[from:from+n])
		op += n
		ml -= n
	}
}

// bitMask[n] has the low n bits set (indexed by a byte, so that no
// bounds check is needed; n is at most 31 in use).
var bitMask = func() (m [256]uint64) {
	for i := range m {
		m[i] = 1<<min(i, 64) - 1
	}
	return
}()
