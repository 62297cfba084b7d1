package zenc

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// The row match finder follows libzstd's ZSTD_RowFindBestMatch, which
// libzstd (1.5+) uses for its greedy, lazy and lazy2 levels when the window
// exceeds 16 KiB: the hash table is cut into rows of 16, 32 or 64 entries;
// each row keeps the newest positions whose hash selects it, in a ring whose
// head is stored in slot 0 of the row's tag bytes, with an 8-bit tag per
// entry (more bits of the hash) that rules out most candidates without
// touching the source.

// Positions skipped over by a match are inserted only at the ends of
// gaps longer than rowSkipThreshold. libzstd does this for gaps over 384
// (96 + 32 positions); inserting less inside Blosc's long matches is
// faster and, on the byte-shuffled series, smaller: the rows keep more
// history of the places where matches start.
const (
	rowSkipThreshold = 32
	rowStartInsert   = 8
	rowEndInsert     = 8
)

// cachedHash returns the hash of position i == m.next from the cache and
// caches the hash of i+8, like libzstd's ZSTD_row_nextCachedHash (which
// also prefetches that row; with rowHashCap the rows stay in cache).
func (m *matcher) cachedHash(src []byte, i int) uint32 {
	h := m.hcache[i&7]
	if j := i + 8; j+8 <= len(src) {
		m.hcache[j&7] = m.hash(src, j)
	}
	return h
}

// fillCache caches the hashes of positions i..i+7 and sets m.next = i.
func (m *matcher) fillCache(src []byte, i int) {
	for j := i; j < i+8 && j+8 <= len(src); j++ {
		m.hcache[j&7] = m.hash(src, j)
	}
	m.next = i
}

// rowInsert adds position i (== m.next) to its row.
func (m *matcher) rowInsert(src []byte, i int) {
	h := m.cachedHash(src, i)
	r := (h >> 8) << m.rowLog
	tags := m.tags[r : r+m.rowMask+1]
	head := (uint32(tags[0]) - 1) & m.rowMask
	if head == 0 {
		head = m.rowMask
	}
	tags[0] = byte(head)
	tags[head] = byte(h)
	m.head[r+head] = m.base + uint32(i)
}

// rowUpdate inserts the positions from m.next up to ip (excluded),
// skipping the middle of long gaps like ZSTD_row_update_internal.
func (m *matcher) rowUpdate(src []byte, ip int) {
	i := m.next
	if ip-i > rowSkipThreshold {
		for end := i + rowStartInsert; i < end; i++ {
			m.rowInsert(src, i)
		}
		i = ip - rowEndInsert
		m.fillCache(src, i)
	}
	for ; i < ip; i++ {
		m.rowInsert(src, i)
	}
	m.next = ip
}

const (
	lo7  = 0x7F7F7F7F7F7F7F7F
	hi1  = 0x8080808080808080
	ones = 0x0101010101010101
)

// eqMask returns bit k set where byte k of the 8 tags at t equals tag.
func eqMask(t []byte, tagx uint64) uint64 {
	x := binary.LittleEndian.Uint64(t) ^ tagx
	z := ^(((x & lo7) + lo7) | x) & hi1 // 0x80 in each zero byte
	return ((z >> 7) * 0x0102040810204080) >> 56
}

// rowFindSlow is rowFind for any ip: one already inserted, or one after a
// gap of positions to insert first.
func (m *matcher) rowFindSlow(src []byte, ip, end int) (int, int) {
	var h uint32
	insert := ip >= m.next
	if insert {
		if ip > m.next {
			m.rowUpdate(src, ip)
		}
		h = m.cachedHash(src, ip)
	} else {
		h = m.hash(src, ip)
	}
	r := (h >> 8) << m.rowLog
	n := m.rowMask + 1
	tags := m.tags[r : r+n]
	row := m.head[r : r+n]
	tagx := uint64(byte(h)) * ones
	var mask uint64
	for k := uint32(0); k < n; k += 8 {
		mask |= eqMask(tags[k:], tagx) << k
	}
	head := uint32(tags[0])
	// Rotate so that bit 0 is the head (the newest entry).
	if n == 64 {
		mask = bits.RotateLeft64(mask, -int(head))
	} else {
		mask = (mask>>head | mask<<(n-head)) & (1<<n - 1)
	}
	cur := m.base + uint32(ip)
	low := m.base
	if uint32(ip) > m.window {
		low = cur - m.window
	}
	best, off := 3, 0
	for attempts := m.attempts; mask != 0 && attempts > 0; mask &= mask - 1 {
		pos := (uint32(bits.TrailingZeros64(mask)) + head) & m.rowMask
		if pos == 0 {
			continue
		}
		idx := row[pos]
		if idx < low || idx >= cur {
			break
		}
		attempts--
		c := int(idx - m.base)
		if src[c+best] == src[ip+best] {
			if l := count(src, c, ip, end); l > best {
				best, off = l, ip-c
				if ip+l == end || l >= m.enough {
					break
				}
			}
		}
	}
	if insert {
		nh := (head - 1) & m.rowMask
		if nh == 0 {
			nh = m.rowMask
		}
		tags[0] = byte(nh)
		tags[nh] = byte(h)
		row[nh] = cur
		m.next = ip + 1
	}
	if off == 0 {
		return 0, 0
	}
	return best, off
}

// rowFind returns the longest match at ip (length >= 4) among the newest
// entries of its row whose tag matches, and inserts ip. The common case,
// ip == m.next, runs here with the row addressed once and an early return
// when no tag matches.
func (m *matcher) rowFind(src []byte, ip, end int) (int, int) {
	j := ip + 8
	if ip != m.next || j+8 > len(src) {
		return m.rowFindSlow(src, ip, end)
	}
	h := m.hcache[ip&7]
	m.hcache[j&7] = m.hash(src, j)
	rowMask := m.rowMask
	r := (h >> 8) << m.rowLog
	tags := m.tags[r : r+rowMask+1 : r+rowMask+1]
	row := m.head[r : r+rowMask+1 : r+rowMask+1]
	tp := unsafe.Pointer(unsafe.SliceData(tags))
	tagx := uint64(byte(h)) * ones
	// Most positions match no tag: test that first, cheaply.
	x0 := *(*uint64)(tp) ^ tagx
	x1 := *(*uint64)(unsafe.Add(tp, 8)) ^ tagx
	anyZero := (x0-ones)&^x0 | (x1-ones)&^x1
	if rowMask >= 31 {
		x2 := *(*uint64)(unsafe.Add(tp, 16)) ^ tagx
		x3 := *(*uint64)(unsafe.Add(tp, 24)) ^ tagx
		anyZero |= (x2-ones)&^x2 | (x3-ones)&^x3
		if rowMask == 63 {
			for k := uintptr(32); k < 64; k += 8 {
				x := *(*uint64)(unsafe.Add(tp, k)) ^ tagx
				anyZero |= (x - ones) &^ x
			}
		}
	}
	var mask uint64
	if anyZero&hi1 != 0 {
		mask = eqMaskP(tp, tagx) | eqMaskP(unsafe.Add(tp, 8), tagx)<<8
		if rowMask >= 31 {
			mask |= eqMaskP(unsafe.Add(tp, 16), tagx)<<16 | eqMaskP(unsafe.Add(tp, 24), tagx)<<24
			if rowMask == 63 {
				for k := uintptr(32); k < 64; k += 8 {
					mask |= eqMaskP(unsafe.Add(tp, k), tagx) << k
				}
			}
		}
	}
	// Insert ip, keeping the entry it replaces (the oldest) for the search.
	head := uint32(tags[0])
	slot := (head - 1) & rowMask
	if slot == 0 {
		slot = rowMask
	}
	cur := m.base + uint32(ip)
	oldest := row[slot&rowMask]
	tags[0] = byte(slot)
	tags[slot&rowMask] = byte(h)
	row[slot&rowMask] = cur
	m.next = ip + 1
	if mask == 0 {
		return 0, 0
	}
	n := rowMask + 1
	if n == 64 {
		mask = bits.RotateLeft64(mask, -int(head))
	} else {
		mask = (mask>>head | mask<<(n-head)) & (1<<n - 1)
	}
	low := m.base
	if uint32(ip) > m.window {
		low = cur - m.window
	}
	best, off := 3, 0
	for attempts := m.attempts; mask != 0 && attempts > 0; mask &= mask - 1 {
		pos := (uint32(bits.TrailingZeros64(mask)) + head) & rowMask
		if pos == 0 {
			continue
		}
		idx := row[pos]
		if pos == slot {
			idx = oldest
		}
		if idx < low || idx >= cur {
			break
		}
		attempts--
		c := int(idx - m.base)
		if src[c+best] == src[ip+best] {
			if l := count(src, c, ip, end); l > best {
				best, off = l, ip-c
				if ip+l == end || l >= m.enough {
					break
				}
			}
		}
	}
	if off == 0 {
		return 0, 0
	}
	return best, off
}

// eqMaskP is eqMask on the 8 tags at p.
func eqMaskP(p unsafe.Pointer, tagx uint64) uint64 {
	x := *(*uint64)(p) ^ tagx
	z := ^(((x & lo7) + lo7) | x) & hi1
	return ((z >> 7) * 0x0102040810204080) >> 56
}
