package blosc

import (
	"encoding/binary"
	"math/bits"
)

// BloscLZ is c-blosc's own LZ77 codec (blosclz.c, BloscLZ 2.5.1), a FastLZ
// level-2 derivative. The stream is a sequence of instructions, each starting
// with a control byte:
//
//	ctrl < 32            literal run of ctrl+1 bytes
//	ctrl >> 5 in 1..6    match of (ctrl>>5)+2 bytes, distance ((ctrl&31)<<8 | next)+1
//	ctrl >> 5 == 7       as above, the length extended by following bytes
//	                     (each added; 255 means another byte follows)
//	distance byte 255 with ctrl&31 == 31: a far match, a big-endian uint16
//	                     follows and the distance is that + 8192
//
// The first control byte carries the marker 1<<5, masked off by the decoder.
// See docs/format/blosc1.md.
const (
	lzMaxCopy        = 32
	lzMaxDistance    = 8191
	lzMaxFarDistance = 65535 + lzMaxDistance - 1
	lzHashLog        = 14
	lzHashLog2       = 12
)

// blosclzDecode decodes src into dst and returns the number of bytes
// written, or 0 on malformed input. It mirrors blosclz_decompress exactly,
// including that a match ending the input is not copied.
func blosclzDecode(dst, src []byte) int {
	if len(src) == 0 {
		return 0
	}
	ip, op := 1, 0
	ctrl := uint(src[0] & 31)
	n := len(src)
	for {
		if ctrl >= 32 {
			length := int(ctrl>>5) - 1
			ofs := int(ctrl&31) << 8
			if length == 6 {
				for {
					if ip+1 >= n {
						return 0
					}
					code := src[ip]
					ip++
					length += int(code)
					if code != 255 {
						break
					}
				}
			} else if ip+1 >= n {
				return 0
			}
			code := int(src[ip])
			ip++
			length += 3
			ref := op - ofs - code - 1
			if code == 255 && ofs == 31<<8 {
				if ip+1 >= n {
					return 0
				}
				ofs = int(src[ip])<<8 | int(src[ip+1])
				ip += 2
				ref = op - ofs - lzMaxDistance - 1
			}
			if op+length > len(dst) || ref < 0 {
				return 0
			}
			if ip >= n {
				break
			}
			ctrl = uint(src[ip])
			ip++
			op = lzCopyMatch(dst, op, ref, length)
		} else {
			run := int(ctrl) + 1
			if op+run > len(dst) || ip+run > n {
				return 0
			}
			copy(dst[op:op+run], src[ip:ip+run])
			op += run
			ip += run
			if ip >= n {
				break
			}
			ctrl = uint(src[ip])
			ip++
		}
	}
	return op
}

// lzCopyMatch copies length bytes from dst[ref:] to dst[op:], the regions
// possibly overlapping (ref < op), and returns the new op. Like LZ4's wild
// copy it may write up to 8 bytes past the match when dst has room; later
// output overwrites them.
func lzCopyMatch(dst []byte, op, ref, length int) int {
	dist := op - ref
	end := op + length
	wild := end+8 <= len(dst)
	switch {
	case length >= 64:
		// Long match: memmove, doubling the copied span while it overlaps.
		for op < end {
			op += copy(dst[op:end], dst[ref:op])
		}
	case dist >= 8 && wild:
		for op < end {
			put64(dst[op:], le64(dst[ref:]))
			op += 8
			ref += 8
		}
	case dist == 1 && wild:
		v := uint64(dst[ref]) * 0x0101010101010101
		for ; op < end; op += 8 {
			put64(dst[op:], v)
		}
	case dist >= length:
		copy(dst[op:end], dst[ref:ref+length])
	default:
		for op < end {
			op += copy(dst[op:end], dst[ref:op])
		}
	}
	return end
}

// lzMatchEndSafe returns where a match starting at ip against ref stops,
// as c-blosc's get_run_or_match: one past the first mismatching byte, but
// at most bound. lzMatchEnd is the same, with unchecked loads where the
// target allows.
func lzMatchEndSafe(in []byte, ip, ref, bound int) int {
	for ip+8 <= bound {
		x := binary.LittleEndian.Uint64(in[ip:]) ^ binary.LittleEndian.Uint64(in[ref:])
		if x != 0 {
			return min(ip+bits.TrailingZeros64(x)>>3+1, bound)
		}
		ip += 8
		ref += 8
	}
	for ip < bound {
		if in[ip] != in[ref] {
			return ip + 1
		}
		ip++
		ref++
	}
	return bound
}

func lzHash(seq uint32, hashlog uint) uint32 {
	return (seq * 2654435761) >> (32 - hashlog)
}

// lzCratio estimates the compression ratio of in as get_cratio does: a
// quick pass over at most 4096 bytes that only counts output bytes.
func lzCratio(in []byte, htab *[1 << lzHashLog2]uint16) float64 {
	const minlen, ipshift = 3, 3
	limit := min(len(in), 1<<lzHashLog2)
	bound := limit - 1
	ipLimit := limit - 12
	clear(htab[:])
	copyN := 4
	oc := 5
	ip := 0
	for ip < ipLimit {
		anchor := ip
		seq := binary.LittleEndian.Uint32(in[ip:])
		hval := lzHash(seq, lzHashLog2)
		ref := int(htab[hval])
		distance := anchor - ref
		htab[hval] = uint16(anchor)
		if distance == 0 || distance >= lzMaxFarDistance || binary.LittleEndian.Uint32(in[ref:]) != seq {
			oc++
			ip = anchor + 1
			copyN++
			if copyN == lzMaxCopy {
				copyN = 0
				oc++
			}
			continue
		}
		ip = lzMatchEnd(in, anchor+4, ref+4, bound) - ipshift
		length := ip - anchor
		if length < minlen {
			oc++
			ip = anchor + 1
			copyN++
			if copyN == lzMaxCopy {
				copyN = 0
				oc++
			}
			continue
		}
		if copyN == 0 {
			oc--
		}
		copyN = 0
		if length >= 7 {
			oc += (length-7)/255 + 1
		}
		if distance-1 < lzMaxDistance {
			oc += 2
		} else {
			oc += 4
		}
		seq = binary.LittleEndian.Uint32(in[ip:])
		htab[lzHash(seq, lzHashLog2)] = uint16(ip)
		ip += 2
		oc++
	}
	return float64(ip) / float64(oc)
}

var lzCratioMin = [10]float64{0, 2, 1.5, 1.2, 1.2, 1.2, 1.2, 1.15, 1.1, 1.0}
var lzHashLogs = [10]uint{0, lzHashLog - 2, lzHashLog - 1, lzHashLog, lzHashLog, lzHashLog, lzHashLog, lzHashLog, lzHashLog, lzHashLog}

// blosclzCompress compresses in into out (len(out) is maxout) and returns
// the compressed size, or 0 when the data is not worth compressing or does
// not fit. It produces the same bytes as blosclz_compress.
func blosclzCompress(clevel int, in, out []byte, split bool, s *scratch) int {
	length := len(in)
	maxlen := length / 4
	cratio := lzCratio(in[length-maxlen:], &s.htab2)
	if cratio < lzCratioMin[clevel] {
		return 0
	}
	ipshift, minlen := 4, 4
	if !split || cratio < 4 {
		ipshift, minlen = 3, 3
	}
	maxout := len(out)
	if length < 16 || maxout < 66 {
		return 0
	}
	hashlog := lzHashLogs[clevel]
	htab := s.htab[:1<<hashlog]
	clear(htab)
	bound := length - 1
	ipLimit := length - 12
	opLimit := maxout

	out[0] = lzMaxCopy - 1
	copy(out[1:5], in[:4])
	op, ip := 5, 4
	copyN := 4
	for ip < ipLimit {
		anchor := ip
		seq := binary.LittleEndian.Uint32(in[ip:])
		hval := lzHash(seq, hashlog)
		ref := int(htab[hval])
		distance := anchor - ref
		htab[hval] = uint32(anchor)
		isMatch := distance != 0 && distance < lzMaxFarDistance && binary.LittleEndian.Uint32(in[ref:]) == seq
		var length int
		if isMatch {
			distance--
			ip = lzMatchEnd(in, anchor+4, ref+4, bound) - ipshift
			length = ip - anchor
			isMatch = length >= minlen && (length > 5 || distance < lzMaxDistance)
		}
		if !isMatch {
			// LITERAL
			if op+2 > opLimit {
				return 0
			}
			out[op] = in[anchor]
			op++
			ip = anchor + 1
			copyN++
			if copyN == lzMaxCopy {
				copyN = 0
				out[op] = lzMaxCopy - 1
				op++
			}
			continue
		}
		if copyN != 0 {
			out[op-copyN-1] = byte(copyN - 1)
		} else {
			op--
		}
		copyN = 0
		if op = lzEmitMatch(out, op, opLimit, length, distance); op < 0 {
			return 0
		}
		seq = binary.LittleEndian.Uint32(in[ip:])
		htab[lzHash(seq, hashlog)] = uint32(ip)
		ip++
		if clevel == 9 {
			htab[lzHash(seq>>8, hashlog)] = uint32(ip)
		}
		ip++
		if op+1 > opLimit {
			return 0
		}
		out[op] = lzMaxCopy - 1
		op++
	}
	for ip <= bound {
		if op+2 > opLimit {
			return 0
		}
		out[op] = in[ip]
		op++
		ip++
		copyN++
		if copyN == lzMaxCopy {
			copyN = 0
			out[op] = lzMaxCopy - 1
			op++
		}
	}
	if copyN != 0 {
		out[op-copyN-1] = byte(copyN - 1)
	} else {
		op--
	}
	out[0] |= 1 << 5
	return op
}

// lzEmitMatch writes a match of the biased length and distance at op,
// mirroring MATCH_SHORT, MATCH_LONG and their far variants with their
// output-limit checks. It returns the new op, or -1 when out is full.
func lzEmitMatch(out []byte, op, opLimit, length, distance int) int {
	far := distance >= lzMaxDistance
	hi := byte(distance >> 8)
	if far {
		distance -= lzMaxDistance
		hi = 31
	}
	if length < 7 {
		need := 2
		if far {
			need = 4
		}
		if op+need > opLimit {
			return -1
		}
		out[op] = byte(length<<5) + hi
		op++
	} else {
		if op+1 > opLimit {
			return -1
		}
		out[op] = 7<<5 + hi
		op++
		for length -= 7; length >= 255; length -= 255 {
			if op+1 > opLimit {
				return -1
			}
			out[op] = 255
			op++
		}
		need := 2
		if far {
			need = 4
		}
		if op+need > opLimit {
			return -1
		}
		out[op] = byte(length)
		op++
	}
	if far {
		out[op] = 255
		out[op+1] = byte(distance >> 8)
		out[op+2] = byte(distance)
		return op + 3
	}
	out[op] = byte(distance)
	return op + 1
}
