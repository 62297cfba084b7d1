package zdec

import (
	"encoding/binary"
	"math/bits"

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
	switch mode {
	case zstd.ModePredefined:
		d.cur[k] = &defaultTables[k]
		return 0, nil
	case zstd.ModeRLE:
		if len(src) == 0 {
			return 0, corrupt(base, kindNames[k]+" RLE symbol", "truncated")
		}
		if int(src[0]) > k.maxSymbol() {
			return 0, corrupt(base, kindNames[k]+" RLE symbol", "code %d exceeds %d", src[0], k.maxSymbol())
		}
		d.tables[k].buildRLE(k, src[0])
		d.cur[k] = &d.tables[k]
		return 1, nil
	case zstd.ModeFSE:
		d.norm = [len(d.norm)]int16{}
		nsym, log, n, err := readNCount(src, d.norm[:], k.maxSymbol(), k.maxLog())
		if err != nil {
			d.cur[k] = nil
			return 0, corrupt(base, kindNames[k]+" FSE table", "%v", err)
		}
		if err := d.tables[k].build(k, d.norm[:nsym], log); err != nil {
			d.cur[k] = nil
			return 0, corrupt(base, kindNames[k]+" FSE table", "%v", err)
		}
		d.cur[k] = &d.tables[k]
		return n, nil
	}
	if d.cur[k] == nil {
		return 0, corrupt(base, kindNames[k]+" table", "repeat mode without a previous table")
	}
	return 0, nil
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
	// The bit reader: value holds the 8 bytes at in[p:], of which the
	// consumed highest bits are used; reading goes backward.
	var p int
	var consumed uint
	if len(in) >= 8 {
		p = len(in) - 8
	} else {
		d.seqs.tiny = [8]byte{}
		copy(d.seqs.tiny[:], in)
		consumed = uint(8-len(in)) * 8
		in = d.seqs.tiny[:]
	}
	value := binary.LittleEndian.Uint64(in[p:])
	consumed += 9 - uint(bits.Len8(last))

	llT, ofT, mlT := &d.cur[kindLL].table, &d.cur[kindOF].table, &d.cur[kindML].table
	llS := readBitsN(value, &consumed, d.cur[kindLL].log)
	ofS := readBitsN(value, &consumed, d.cur[kindOF].log)
	mlS := readBitsN(value, &consumed, d.cur[kindML].log)

	rep0, rep1, rep2 := d.rep[0], d.rep[1], d.rep[2]
	litsAll := lits[:cap(lits)]
	litPos := 0
	for i := 0; i < nbSeq; i++ {
		// Refill: afterwards at least 57 bits are available unless the
		// stream's start is near.
		if nb := int(consumed >> 3); p >= nb {
			p -= nb
			consumed &= 7
			value = binary.LittleEndian.Uint64(in[p:])
		} else if p > 0 {
			consumed -= uint(p) * 8
			p = 0
			value = binary.LittleEndian.Uint64(in[p:])
		}
		le, oe, me := llT[llS&511], ofT[ofS&511], mlT[mlS&511]
		ofv := int(oe.base) + int(value<<(consumed&63)>>1>>(63-oe.addBits))
		consumed += uint(oe.addBits)
		ml := int(me.base) + int(value<<(consumed&63)>>1>>(63-me.addBits))
		consumed += uint(me.addBits)
		if oe.addBits+me.addBits+le.addBits > 31 {
			if nb := int(consumed >> 3); p >= nb {
				p -= nb
				consumed &= 7
				value = binary.LittleEndian.Uint64(in[p:])
			} else if p > 0 {
				consumed -= uint(p) * 8
				p = 0
				value = binary.LittleEndian.Uint64(in[p:])
			}
		}
		ll := int(le.base) + int(value<<(consumed&63)>>1>>(63-le.addBits))
		consumed += uint(le.addBits)
		if consumed > 64 {
			return op, corrupt(base, "sequences bitstream", "sequence %d of %d reads past the start", i, nbSeq)
		}

		var off int
		if oe.addBits > 1 {
			off = ofv - 3
			rep0, rep1, rep2 = off, rep0, rep1
		} else {
			idx := ofv - 1
			if ll == 0 {
				idx++
			}
			switch idx {
			case 0:
				off = rep0
			case 1:
				off = rep1
				rep0, rep1 = off, rep0
			case 2:
				off = rep2
				rep0, rep1, rep2 = off, rep0, rep1
			default:
				off = rep0 - 1
				if off == 0 {
					return op, corrupt(base, "sequence offset", "sequence %d: repeat offset 1 minus one is zero", i)
				}
				rep0, rep1, rep2 = off, rep0, rep1
			}
		}

		if i+1 < nbSeq {
			// Update the states in the order literal lengths, match
			// lengths, offsets.
			llS = uint32(le.nextState) + uint32(value<<(consumed&63)>>1>>(63-le.nbBits))
			consumed += uint(le.nbBits)
			mlS = uint32(me.nextState) + uint32(value<<(consumed&63)>>1>>(63-me.nbBits))
			consumed += uint(me.nbBits)
			ofS = uint32(oe.nextState) + uint32(value<<(consumed&63)>>1>>(63-oe.nbBits))
			consumed += uint(oe.nbBits)
		}

		// Execute: literals, then the match.
		if ll > len(lits)-litPos {
			return op, corrupt(base, "sequence literal length", "sequence %d wants %d literals, %d left", i, ll, len(lits)-litPos)
		}
		if ll+ml > len(dst)-op {
			return op, corrupt(base, "sequence match length", "sequence %d overruns the block or buffer", i)
		}
		if ll <= 16 && len(litsAll)-litPos >= 16 && len(dst)-op >= 16 {
			*(*[16]byte)(dst[op:]) = *(*[16]byte)(litsAll[litPos:])
		} else {
			copy(dst[op:op+ll], lits[litPos:litPos+ll])
		}
		op += ll
		litPos += ll
		if off > op || off > window {
			return op, corrupt(base, "sequence offset", "sequence %d: offset %d reaches before the frame or window (%d bytes back)", i, off, min(op, window))
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
		op += ml
	}
	if consumed != 64 || p != 0 {
		return op, corrupt(base, "sequences bitstream", "%d bits left after the last sequence", int(64-consumed)+8*p)
	}
	d.rep = [3]int{rep0, rep1, rep2}
	rest := len(lits) - litPos
	if rest > len(dst)-op {
		return op, corrupt(base, "literals", "%d trailing literals overrun the block or buffer", rest)
	}
	copy(dst[op:], lits[litPos:])
	return op + rest, nil
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
