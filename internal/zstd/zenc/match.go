package zenc

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// seq is one parsed sequence: litLen literals, then matchLen bytes copied
// from offset bytes back. The offset is the real distance; the sequence
// encoder turns it into a repeat code where the history allows.
type seq struct {
	litLen, matchLen, offset uint32
}

// matcher is a hash-chain match finder in the manner of libzstd's
// ZSTD_HcFindBestMatch: head holds the newest position of each hash and
// chain links every position to the previous one with the same hash.
// Positions are stored as base+pos so that a new frame invalidates all
// entries by raising base instead of clearing the tables.
type matcher struct {
	head      []uint32
	chain     []uint32
	chainMask uint32
	hashShift uint
	mls       int
	attempts  int
	strategy  int
	enough    int // a match this long ends the search and the lazy steps
	window    uint32
	base      uint32 // stored value of position 0 of the current source
	next      int    // next position to insert
}

// Positions skipped over by a match are inserted only at the ends of
// gaps longer than skipThreshold. libzstd's row match finder does this for
// gaps over 384 (96 + 32 positions); inserting less inside Blosc's long
// matches is faster and, on the byte-shuffled series, smaller: the chains
// keep more history of the places where matches start.
const (
	skipThreshold = 32
	startInsert   = 8
	endInsert     = 8
)

// searchStrength is libzstd's kSearchStrength: after 1<<searchStrength
// literals without a match the parser steps two positions, and so on.
const searchStrength = 8

const prime4 = 2654435761
const prime5 = 889523592379
const prime6 = 227718039650203

func (m *matcher) hash(src []byte, i int) uint32 {
	switch m.mls {
	case 4:
		return (binary.LittleEndian.Uint32(src[i:]) * prime4) >> (m.hashShift & 31)
	case 5:
		return uint32(((binary.LittleEndian.Uint64(src[i:]) << 24) * prime5) >> (m.hashShift + 32))
	}
	return uint32(((binary.LittleEndian.Uint64(src[i:]) << 16) * prime6) >> (m.hashShift + 32))
}

// reset prepares the tables for a new source of n bytes.
func (m *matcher) reset(p params, src []byte) {
	n := len(src)
	hs, cs := 1<<p.hashLog, 1<<p.chainLog
	bitsHashed := p.hashLog
	if len(m.head) != hs || len(m.chain) != cs || uint64(m.base)+uint64(n)+uint64(hs+cs) >= 1<<31 {
		if len(m.head) != hs {
			m.head = make([]uint32, hs)
		} else {
			clear(m.head)
		}
		if len(m.chain) != cs {
			m.chain = make([]uint32, cs)
		} else {
			clear(m.chain)
		}
		m.base = 1
	}
	m.chainMask = uint32(max(cs, 1) - 1)
	m.hashShift = 32 - uint(bitsHashed)
	m.mls = p.minMatch
	m.attempts = p.attempts
	m.strategy = p.strategy
	m.window = 1 << p.windowLog
	m.next = 0
	m.enough = p.enough
}

// finish moves base past the source of n bytes, so that its positions are
// below base for the next frame.
func (m *matcher) finish(n int) {
	m.base += uint32(n) + 1
}

// count returns the length of the common prefix of src[a:end] and
// src[b:end], a < b <= end <= len(src).
func count(src []byte, a, b, end int) int {
	if b >= end || end > len(src) || a < 0 || a >= b {
		return 0
	}
	p := unsafe.Pointer(unsafe.SliceData(src))
	n, lim := 0, end-b
	for n+16 <= lim {
		x := *(*uint64)(unsafe.Add(p, a+n)) ^ *(*uint64)(unsafe.Add(p, b+n))
		if x != 0 {
			return n + bits.TrailingZeros64(x)>>3
		}
		x = *(*uint64)(unsafe.Add(p, a+n+8)) ^ *(*uint64)(unsafe.Add(p, b+n+8))
		if x != 0 {
			return n + 8 + bits.TrailingZeros64(x)>>3
		}
		n += 16
	}
	for n+8 <= lim {
		x := *(*uint64)(unsafe.Add(p, a+n)) ^ *(*uint64)(unsafe.Add(p, b+n))
		if x != 0 {
			return n + bits.TrailingZeros64(x)>>3
		}
		n += 8
	}
	for n < lim && src[a+n] == src[b+n] {
		n++
	}
	return n
}

// find inserts every position up to ip into the chains and returns the
// longest match at ip within the window (length >= 4) and its offset, or
// 0, 0. Matches end at end. ip+8 <= len(src).
func (m *matcher) find(src []byte, ip, end int) (int, int) {
	chain, mask, base := m.chain, m.chainMask, m.base
	cand, cur, low, minChain := m.chainAt(src, ip)
	best, off := 3, 0
	for n := m.attempts; n > 0 && cand >= low && cand < cur; n-- {
		c := int(cand - base)
		if src[c+best] == src[ip+best] && binary.LittleEndian.Uint32(src[c:]) == binary.LittleEndian.Uint32(src[ip:]) {
			if l := 4 + count(src, c+4, ip+4, end); l > best {
				best, off = l, ip-c
				if ip+l == end || l >= m.enough {
					break
				}
			}
		}
		if cand <= minChain {
			break
		}
		cand = chain[cand&mask]
	}
	if off == 0 {
		return 0, 0
	}
	return best, off
}

// insertUpTo inserts the positions from m.next up to ip (excluded) into
// the chains; of a gap longer than skipThreshold only the ends.
func (m *matcher) insertUpTo(src []byte, ip int) {
	head, chain, mask, base := m.head, m.chain, m.chainMask, m.base
	i := m.next
	if ip-i > skipThreshold {
		// Only the ends of a long match.
		for e := i + startInsert; i < e; i++ {
			h := m.hash(src, i)
			chain[(base+uint32(i))&mask] = head[h]
			head[h] = base + uint32(i)
		}
		i = ip - endInsert
	}
	for ; i < ip; i++ {
		h := m.hash(src, i)
		chain[(base+uint32(i))&mask] = head[h]
		head[h] = base + uint32(i)
	}
}

// skipTo makes the match finder go on at pos without inserting the
// positions before it.
func (m *matcher) skipTo(src []byte, pos int) {
	if m.next >= pos {
		return
	}
	m.next = pos
}

func highBit(v uint32) int { return bits.Len32(v) - 1 }

// parse finds the sequences of src[start:end] (the block; src[:start] is
// history) after libzstd's ZSTD_compressBlock_lazy_generic: a repeat-offset
// check, a chain search, up to two steps of lazy evaluation, backward
// extension and immediate repeat matches. It appends to seqs and lits and
// returns them; rep holds the first two repeat offsets of the parse.
func (m *matcher) parse(src []byte, start, end int, rep *[2]uint32, seqs []seq, lits []byte) ([]seq, []byte) {
	depth := m.strategy
	anchor, ip, ilimit, off1, off2 := m.begin(start, end, rep)
	load := func(i int) uint32 { return binary.LittleEndian.Uint32(src[i:]) }

	for ip < ilimit {
		ml, off, st := 0, 0, ip+1 // off 0: the repeat offset off1
		if off1 > 0 && load(st-off1) == load(st) {
			ml = 4 + count(src, st+4-off1, st+4, end)
		}
		if ml == 0 || depth > greedy {
			if ml2, o2 := m.find(src, ip, end); ml2 > ml {
				ml, off, st = ml2, o2, ip
			}
		}
		if ml < 4 {
			ip += (ip-anchor)>>searchStrength + 1
			continue
		}
		for depth >= lazy && ip < ilimit && ml < m.enough {
			ip++
			if off != 0 && off1 > 0 && load(ip) == load(ip-off1) {
				mlRep := 4 + count(src, ip+4-off1, ip+4, end)
				if 3*mlRep > 3*ml-highBit(uint32(off)+3)+1 {
					ml, off, st = mlRep, 0, ip
				}
			}
			if ml2, o2 := m.find(src, ip, end); ml2 >= 4 && 4*ml2-highBit(uint32(o2)+3) > 4*ml-offBits(off)+4 {
				ml, off, st = ml2, o2, ip
				continue
			}
			if depth == lazy2 && ip < ilimit {
				ip++
				if off != 0 && off1 > 0 && load(ip) == load(ip-off1) {
					mlRep := 4 + count(src, ip+4-off1, ip+4, end)
					if 4*mlRep > 4*ml-highBit(uint32(off)+3)+1 {
						ml, off, st = mlRep, 0, ip
					}
				}
				if ml2, o2 := m.find(src, ip, end); ml2 >= 4 && 4*ml2-highBit(uint32(o2)+3) > 4*ml-offBits(off)+7 {
					ml, off, st = ml2, o2, ip
					continue
				}
			}
			break
		}
		if off != 0 {
			for st > anchor && st-off > 0 && src[st-1] == src[st-1-off] {
				st--
				ml++
			}
			off2, off1 = off1, off
		}
		lits = append(lits, src[anchor:st]...)
		seqs = append(seqs, seq{uint32(st - anchor), uint32(ml), uint32(off1)})
		ip = st + ml
		anchor = ip
		for ip <= ilimit && off2 > 0 && load(ip) == load(ip-off2) {
			ml = 4 + count(src, ip+4-off2, ip+4, end)
			off1, off2 = off2, off1
			seqs = append(seqs, seq{0, uint32(ml), uint32(off1)})
			ip += ml
			anchor = ip
		}
	}
	lits = append(lits, src[anchor:end]...)
	rep[0], rep[1] = uint32(off1), uint32(off2)
	return seqs, lits
}

// offBits is the offset cost in the lazy gain formulas: none for a repeat.
func offBits(off int) int {
	if off == 0 {
		return 0
	}
	return highBit(uint32(off) + 3)
}

// begin is the start of both parses: the first position to search (never
// 0, which has nothing behind it), the last one a 8-byte load may start
// at, and the two repeat offsets carried in from the previous block,
// dropped (0) where they reach before the input or beyond the window.
func (m *matcher) begin(start, end int, rep *[2]uint32) (anchor, ip, ilimit, off1, off2 int) {
	anchor, ip = start, max(start, 1)
	off1, off2 = int(rep[0]), int(rep[1])
	if off1 > ip || uint32(off1) > m.window {
		off1 = 0
	}
	if off2 > ip || uint32(off2) > m.window {
		off2 = 0
	}
	return anchor, ip, end - 8, off1, off2
}

// chainAt inserts every position up to ip into the chains and returns the
// search bounds at ip: the first candidate, ip's own index, the lowest
// index inside the window and the lowest the chain table still holds.
// Candidates run from cand down the chain while >= low and < cur, and stop
// after one <= minChain.
func (m *matcher) chainAt(src []byte, ip int) (cand, cur, low, minChain uint32) {
	m.insertUpTo(src, ip)
	h := m.hash(src, ip)
	cur = m.base + uint32(ip)
	cand = m.head[h]
	if ip >= m.next {
		m.chain[cur&m.chainMask] = cand
		m.head[h] = cur
		m.next = ip + 1
	} else {
		cand = m.chain[cur&m.chainMask]
	}
	low = m.base
	if uint32(ip) > m.window {
		low = cur - m.window
	}
	if cur > m.chainMask+1 {
		minChain = cur - (m.chainMask + 1)
	}
	return cand, cur, low, minChain
}
