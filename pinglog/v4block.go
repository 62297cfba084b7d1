package pinglog

import (
	"encoding/binary"
	"hash/crc32"
	"math"

	"ringvault/tscodec"
)

// Record4 is one version-4 record: a probe at Time (in the header's
// TimeUnit) that measured Value (× Scale, in LatencyUnit) or got no reply
// (Lost; Value is then 0). Timeout tells a lost probe that timed out (no
// answer before the deadline) from one that failed (refused, unreachable);
// it implies Lost.
type Record4 struct {
	Time    int64
	Value   float64
	Lost    bool
	Timeout bool
}

// blockInfo describes one valid block of the ring.
type blockInfo struct {
	Seq      uint64
	Slot     uint32
	MinTime  int64
	MaxTime  int64
	Count    uint32
	Lost     uint32
	Sealed   bool
	Payload  uint32
	Checksum uint32
}

// blockCodec encodes and decodes block payloads, reusing scratch space.
type blockCodec struct {
	enc tscodec.Encoder
	dec tscodec.Decoder
	ts  []int64
	vs  []float64
	buf []byte
}

// encode builds a whole slot image (48-byte block header and payload) for
// recs as block seq. The payload is the loss list (uvarint count, then
// uvarint index gaps) and one tscodec block of every time and value; a
// lost record carries the previous value so it costs almost nothing.
func (c *blockCodec) encode(o binary.ByteOrder, seq uint64, recs []Record4, sealed bool) []byte {
	c.ts, c.vs = c.ts[:0], c.vs[:0]
	var lost []int // index<<1 | timeout
	prev := 0.0
	mn, mx := int64(math.MaxInt64), int64(math.MinInt64)
	for i, r := range recs {
		c.ts = append(c.ts, r.Time)
		mn, mx = min(mn, r.Time), max(mx, r.Time)
		if r.Lost {
			t := 0
			if r.Timeout {
				t = 1
			}
			lost = append(lost, i<<1|t)
			c.vs = append(c.vs, prev)
			continue
		}
		prev = r.Value
		c.vs = append(c.vs, r.Value)
	}
	b := append(c.buf[:0], make([]byte, v4BlockHead)...)
	b = binary.AppendUvarint(b, uint64(len(lost)))
	last := -1
	for _, it := range lost {
		i := it >> 1
		b = binary.AppendUvarint(b, uint64(i-last))
		last = i
	}
	var bitmap byte // timeout flags, one bit per lost record, LSB first
	for j, it := range lost {
		bitmap |= byte(it&1) << (j % 8)
		if j%8 == 7 || j == len(lost)-1 {
			b = append(b, bitmap)
			bitmap = 0
		}
	}
	b, _ = c.enc.AppendBlock(b, c.ts, c.vs) // lengths match by construction
	copy(b, v4BlockMagic)
	o.PutUint64(b[8:], seq)
	o.PutUint64(b[16:], uint64(mn))
	o.PutUint64(b[24:], uint64(mx))
	o.PutUint32(b[32:], uint32(len(recs)))
	o.PutUint32(b[36:], uint32(len(lost)))
	o.PutUint32(b[40:], uint32(len(b)-v4BlockHead))
	if sealed {
		b[44] = v4FlagSealed
	}
	o.PutUint32(b[4:], crc32.Checksum(b[8:], castagnoli))
	c.buf = b
	return b
}

// parseHead checks a block header (the first 48 bytes of a slot): magic,
// a sequence number belonging to the slot, and consistent counts. It does
// not check the CRC, which covers the payload too.
func parseHead(h Header4, slot uint32, b []byte) (blockInfo, bool) {
	o := h.order()
	if len(b) < v4BlockHead || string(b[:4]) != v4BlockMagic {
		return blockInfo{}, false
	}
	bi := blockInfo{
		Seq: o.Uint64(b[8:]), Slot: slot,
		MinTime: int64(o.Uint64(b[16:])), MaxTime: int64(o.Uint64(b[24:])),
		Count: o.Uint32(b[32:]), Lost: o.Uint32(b[36:]), Payload: o.Uint32(b[40:]),
		Sealed: b[44]&v4FlagSealed != 0, Checksum: o.Uint32(b[4:]),
	}
	ok := bi.Seq != 0 && (bi.Seq-1)%uint64(h.Capacity) == uint64(slot) &&
		uint64(bi.Payload) <= uint64(h.BlockSize-v4BlockHead) && bi.Count != 0 &&
		bi.Count <= h.MaxPerBlock && bi.Lost <= bi.Count && bi.MinTime <= bi.MaxTime
	return bi, ok
}

// parseBlock verifies a whole slot image read from slot: parseHead's
// checks and the CRC32C over header and payload. ok is false for an
// empty, torn or foreign slot.
func parseBlock(h Header4, slot uint32, b []byte) (blockInfo, bool) {
	bi, ok := parseHead(h, slot, b)
	if !ok || uint64(bi.Payload) > uint64(len(b)-v4BlockHead) {
		return bi, false
	}
	if crc32.Checksum(b[8:v4BlockHead+int(bi.Payload)], castagnoli) != bi.Checksum {
		return bi, false
	}
	return bi, true
}

// decode returns the records of a block parseBlock accepted; an error
// here means a block whose checksum matched but whose payload does not
// decode (a writer bug, not a crash).
func (c *blockCodec) decode(bi blockInfo, b []byte, out []Record4) ([]Record4, error) {
	p := b[v4BlockHead : v4BlockHead+int(bi.Payload)]
	off := int64(bi.Slot) // for messages only
	nl, k := binary.Uvarint(p)
	if k <= 0 || nl != uint64(bi.Lost) {
		return out, corrupt(off, "block loss list", "count %d, header says %d", nl, bi.Lost)
	}
	p = p[k:]
	lost := make([]int, 0, nl) // index<<1 | timeout
	idx := -1
	for j := uint64(0); j < nl; j++ {
		gap, k := binary.Uvarint(p)
		if k <= 0 || gap == 0 || uint64(idx)+gap >= uint64(bi.Count) {
			return out, corrupt(off, "block loss list", "bad index gap")
		}
		idx += int(gap)
		lost = append(lost, idx<<1)
		p = p[k:]
	}
	nb := (len(lost) + 7) / 8
	if len(p) < nb {
		return out, corrupt(off, "block timeout flags", "%d bytes left, want %d", len(p), nb)
	}
	for j := range lost {
		lost[j] |= int(p[j/8]>>(j%8)) & 1
	}
	p = p[nb:]
	var err error
	c.ts, c.vs, err = c.dec.DecodeBlock(p, c.ts[:0], c.vs[:0])
	if err != nil {
		return out, corrupt(off, "block samples", "%v", err)
	}
	if len(c.ts) != int(bi.Count) {
		return out, corrupt(off, "block samples", "%d samples, header says %d", len(c.ts), bi.Count)
	}
	for i, t := range c.ts {
		if len(lost) > 0 && lost[0]>>1 == i {
			out = append(out, Record4{Time: t, Lost: true, Timeout: lost[0]&1 == 1})
			lost = lost[1:]
			continue
		}
		out = append(out, Record4{Time: t, Value: c.vs[i]})
	}
	return out, nil
}
