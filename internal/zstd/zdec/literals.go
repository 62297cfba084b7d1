package zdec

import (
	"github.com/klauspost/compress/huff0"

	"ringvault/internal/zstd"
)

// readLiterals decodes the literals section at the start of src (RFC 8878
// §3.1.1.3.1) and returns the literals, a slice that may be read up to
// litSlack bytes past its length (into src or d.lits), and the bytes of
// src used.
func (d *Decoder) readLiterals(src []byte, base, blockMax int) ([]byte, int, error) {
	if len(src) == 0 {
		return nil, 0, corrupt(base, "literals section header", "empty block")
	}
	b0 := src[0]
	typ := b0 & 3
	sf := (b0 >> 2) & 3
	var regen, comp, hlen int
	fourStreams := false
	switch typ {
	case zstd.LitRaw, zstd.LitRLE:
		switch sf {
		case 0, 2:
			regen, hlen = int(b0>>3), 1
		case 1:
			if len(src) < 2 {
				return nil, 0, corrupt(base, "literals section header", "truncated")
			}
			regen, hlen = int(b0>>4)+int(src[1])<<4, 2
		case 3:
			if len(src) < 3 {
				return nil, 0, corrupt(base, "literals section header", "truncated")
			}
			regen, hlen = int(b0>>4)+int(src[1])<<4+int(src[2])<<12, 3
		}
	default:
		hlen = [4]int{3, 3, 4, 5}[sf]
		if len(src) < hlen {
			return nil, 0, corrupt(base, "literals section header", "truncated")
		}
		var h uint64
		for i := hlen - 1; i >= 0; i-- {
			h = h<<8 | uint64(src[i])
		}
		nb := [4]uint{10, 10, 14, 18}[sf]
		regen = int(h>>4) & (1<<nb - 1)
		comp = int(h>>(4+nb)) & (1<<nb - 1)
		fourStreams = sf != 0
	}
	if regen > blockMax {
		return nil, 0, corrupt(base, "literals regenerated size", "%d exceeds the block maximum %d", regen, blockMax)
	}
	switch typ {
	case zstd.LitRaw:
		if regen > len(src)-hlen {
			return nil, 0, corrupt(base, "raw literals", "%d bytes declared, %d left", regen, len(src)-hlen)
		}
		if len(src)-hlen-regen >= litSlack {
			return src[hlen : hlen+regen], hlen + regen, nil
		}
		copy(d.lits, src[hlen:hlen+regen])
		return d.lits[:regen], hlen + regen, nil
	case zstd.LitRLE:
		if len(src) <= hlen {
			return nil, 0, corrupt(base, "RLE literals", "truncated")
		}
		fill(d.lits[:regen], src[hlen])
		return d.lits[:regen], hlen + 1, nil
	}
	if comp > len(src)-hlen {
		return nil, 0, corrupt(base, "compressed literals size", "%d bytes declared, %d left", comp, len(src)-hlen)
	}
	if fourStreams && regen < 6 {
		// libzstd never writes this; huff0 does not accept it either.
		return nil, 0, corrupt(base, "compressed literals", "4 streams for %d literals", regen)
	}
	in := src[hlen : hlen+comp]
	if typ == zstd.LitCompressed {
		if d.huff == nil {
			d.huff = &huff0.Scratch{}
		}
		s, rest, err := huff0.ReadTable(in, d.huff)
		if err != nil {
			d.hdec = nil
			return nil, 0, corrupt(base+hlen, "Huffman tree description", "%v", err)
		}
		d.huff = s
		d.hdec = s.Decoder()
		in = rest
	} else if d.hdec == nil {
		return nil, 0, corrupt(base, "treeless literals", "no previous Huffman table")
	}
	out := d.lits[:0:regen]
	var err error
	if fourStreams {
		out, err = d.hdec.Decompress4X(out, in)
	} else {
		out, err = d.hdec.Decompress1X(out, in)
	}
	if err != nil {
		return nil, 0, corrupt(base+hlen, "Huffman-coded literals", "%v", err)
	}
	if len(out) != regen {
		return nil, 0, corrupt(base+hlen, "Huffman-coded literals", "%d decoded, %d declared", len(out), regen)
	}
	return d.lits[:regen], hlen + comp, nil
}
