package zenc

import "encoding/binary"

// parseFast is the parse of libzstd's fastest levels (ZSTD_compressBlock_fast,
// used for c-blosc's clevel 1 and 2): one hash table of the newest position
// per hash, a repeat-offset check one position ahead, greedy matches
// extended backwards, and after a match only two positions inserted.
// Searches step faster through literals as in the lazy parse.
func (m *matcher) parseFast(src []byte, start, end int, rep *[2]uint32, seqs []seq, lits []byte) ([]seq, []byte) {
	head, base := m.head, m.base
	anchor, ip, ilimit, off1, off2 := m.begin(start, end, rep)
	load := func(i int) uint32 { return binary.LittleEndian.Uint32(src[i:]) }
	insert := func(i int) { head[m.hash(src, i)] = base + uint32(i) }
	for ip < ilimit {
		h := m.hash(src, ip)
		cand := head[h]
		cur := base + uint32(ip)
		head[h] = cur
		var ml, st int
		if off1 > 0 && load(ip+1-off1) == load(ip+1) {
			st = ip + 1
			ml = 4 + count(src, st+4-off1, st+4, end)
		} else {
			low := base
			if uint32(ip) > m.window {
				low = cur - m.window
			}
			c := int(cand - base)
			if cand < low || cand >= cur || load(c) != load(ip) {
				ip += (ip-anchor)>>searchStrength + 1
				continue
			}
			st = ip
			ml = 4 + count(src, c+4, ip+4, end)
			off := ip - c
			for st > anchor && c > 0 && src[st-1] == src[c-1] {
				st--
				c--
				ml++
			}
			off2, off1 = off1, off
		}
		lits = append(lits, src[anchor:st]...)
		seqs = append(seqs, seq{uint32(st - anchor), uint32(ml), uint32(off1)})
		ip = st + ml
		anchor = ip
		if ip <= ilimit {
			insert(st + 2)
			insert(ip - 2)
		}
		for ip <= ilimit && off2 > 0 && load(ip) == load(ip-off2) {
			ml = 4 + count(src, ip+4-off2, ip+4, end)
			off1, off2 = off2, off1
			insert(ip)
			seqs = append(seqs, seq{0, uint32(ml), uint32(off1)})
			ip += ml
			anchor = ip
		}
	}
	lits = append(lits, src[anchor:end]...)
	rep[0], rep[1] = uint32(off1), uint32(off2)
	return seqs, lits
}
