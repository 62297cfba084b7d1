package vault

import (
	"encoding/binary"
	"math/bits"
)

// bitmap is the in-memory free set: bit n set = block n is free for reuse now.
type bitmap []uint64

func (b *bitmap) grow(n uint64) {
	for uint64(len(*b))*64 < n {
		*b = append(*b, 0)
	}
}

func (b *bitmap) set(n uint64) {
	b.grow(n + 1)
	(*b)[n/64] |= 1 << (n % 64)
}

func (b bitmap) clear(n uint64) {
	if n/64 < uint64(len(b)) {
		b[n/64] &^= 1 << (n % 64)
	}
}

func (b bitmap) has(n uint64) bool {
	return n/64 < uint64(len(b)) && b[n/64]&(1<<(n%64)) != 0
}

// first returns the lowest set bit >= from, or false.
func (b bitmap) first(from uint64) (uint64, bool) {
	for w := from / 64; w < uint64(len(b)); w++ {
		x := b[w]
		if w == from/64 {
			x &^= (1 << (from % 64)) - 1
		}
		if x != 0 {
			return w*64 + uint64(bits.TrailingZeros64(x)), true
		}
	}
	return 0, false
}

func (b bitmap) count() uint64 {
	var n int
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return uint64(n)
}

// truncate clears every bit >= n.
func (b *bitmap) truncate(n uint64) {
	w := n / 64
	if w < uint64(len(*b)) {
		(*b)[w] &= (1 << (n % 64)) - 1
		clear((*b)[w+1:])
	}
}

// extent is a run of free blocks.
type extent struct{ start, count uint64 }

func (b bitmap) extents() []extent {
	var out []extent
	n, ok := b.first(0)
	for ok {
		e := extent{start: n}
		for b.has(n) {
			n++
		}
		e.count = n - e.start
		out = append(out, e)
		n, ok = b.first(n)
	}
	return out
}

const extentsPerBlock = (bodySize - ptrSize) / 16 // 249

// encodeFreeBlock fills a free-list body: next pointer, then extents.
func encodeFreeBlock(body []byte, next Pointer, ex []extent) {
	clear(body)
	next.put(body)
	for i, e := range ex {
		binary.BigEndian.PutUint64(body[ptrSize+16*i:], e.start)
		binary.BigEndian.PutUint64(body[ptrSize+16*i+8:], e.count)
	}
}

// decodeFreeBlock parses a free-list body holding cnt extents.
func decodeFreeBlock(body []byte, cnt int) (Pointer, []extent, bool) {
	if cnt > extentsPerBlock || len(body) < ptrSize+16*cnt {
		return Pointer{}, nil, false
	}
	next := getPointer(body)
	ex := make([]extent, cnt)
	for i := range ex {
		ex[i].start = binary.BigEndian.Uint64(body[ptrSize+16*i:])
		ex[i].count = binary.BigEndian.Uint64(body[ptrSize+16*i+8:])
	}
	return next, ex, true
}
