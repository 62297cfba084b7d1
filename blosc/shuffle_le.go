//go:build amd64 || arm64 || ppc64le || riscv64 || loong64 || 386 || arm || mipsle || mips64le || wasm

package blosc

import (
	"math/bits"
	"unsafe"
)

// On little-endian targets the byte shuffles for typesizes 4 and 8k move
// words through unaligned loads and stores; the callers' slice checks
// (once per block) bound every access, so the loops carry no per-word
// bounds checks.
const fastShuffle = true

// load64 reads the little-endian word at p+off.
func load64(p unsafe.Pointer, off uintptr) uint64 { return *(*uint64)(unsafe.Add(p, off)) }

// store64 writes v as a little-endian word at p+off.
func store64(p unsafe.Pointer, off uintptr, v uint64) { *(*uint64)(unsafe.Add(p, off)) = v }

// unshuffleFast8x unshuffles nn (a multiple of 8) elements of ts (a
// multiple of 8) bytes; src holds ts rows of n bytes.
func unshuffleFast8x(ts, n, nn int, dst, src []byte) {
	if nn == 0 {
		return
	}
	_ = src[ts*n-1]
	_ = dst[ts*nn-1]
	s := unsafe.Pointer(unsafe.SliceData(src))
	d := unsafe.Pointer(unsafe.SliceData(dst))
	un, uts := uintptr(n), uintptr(ts)
	for j := uintptr(0); j < uts; j += 8 {
		row := unsafe.Add(s, j*un)
		for i := uintptr(0); i < uintptr(nn); i += 8 {
			p := unsafe.Add(row, i)
			a0, a1, a2, a3 := load64(p, 0), load64(p, un), load64(p, 2*un), load64(p, 3*un)
			a4, a5, a6, a7 := load64(p, 4*un), load64(p, 5*un), load64(p, 6*un), load64(p, 7*un)
			t0 := a0&m8 | (a1&m8)<<8
			t1 := a0>>8&m8 | a1&^m8
			t2 := a2&m8 | (a3&m8)<<8
			t3 := a2>>8&m8 | a3&^m8
			t4 := a4&m8 | (a5&m8)<<8
			t5 := a4>>8&m8 | a5&^m8
			t6 := a6&m8 | (a7&m8)<<8
			t7 := a6>>8&m8 | a7&^m8
			u0 := t0&m16 | (t2&m16)<<16
			u2 := t0>>16&m16 | t2&^m16
			u1 := t1&m16 | (t3&m16)<<16
			u3 := t1>>16&m16 | t3&^m16
			u4 := t4&m16 | (t6&m16)<<16
			u6 := t4>>16&m16 | t6&^m16
			u5 := t5&m16 | (t7&m16)<<16
			u7 := t5>>16&m16 | t7&^m16
			q := unsafe.Add(d, i*uts+j)
			store64(q, 0, u0&m32|u4<<32)
			store64(q, uts, u1&m32|u5<<32)
			store64(q, 2*uts, u2&m32|u6<<32)
			store64(q, 3*uts, u3&m32|u7<<32)
			store64(q, 4*uts, u0>>32|u4&^m32)
			store64(q, 5*uts, u1>>32|u5&^m32)
			store64(q, 6*uts, u2>>32|u6&^m32)
			store64(q, 7*uts, u3>>32|u7&^m32)
		}
	}
}

// shuffleFast8x is the inverse of unshuffleFast8x.
func shuffleFast8x(ts, n, nn int, dst, src []byte) {
	if nn == 0 {
		return
	}
	_ = dst[ts*n-1]
	_ = src[ts*nn-1]
	s := unsafe.Pointer(unsafe.SliceData(src))
	d := unsafe.Pointer(unsafe.SliceData(dst))
	un, uts := uintptr(n), uintptr(ts)
	for j := uintptr(0); j < uts; j += 8 {
		row := unsafe.Add(d, j*un)
		for i := uintptr(0); i < uintptr(nn); i += 8 {
			p := unsafe.Add(s, i*uts+j)
			a0, a1, a2, a3 := load64(p, 0), load64(p, uts), load64(p, 2*uts), load64(p, 3*uts)
			a4, a5, a6, a7 := load64(p, 4*uts), load64(p, 5*uts), load64(p, 6*uts), load64(p, 7*uts)
			t0 := a0&m8 | (a1&m8)<<8
			t1 := a0>>8&m8 | a1&^m8
			t2 := a2&m8 | (a3&m8)<<8
			t3 := a2>>8&m8 | a3&^m8
			t4 := a4&m8 | (a5&m8)<<8
			t5 := a4>>8&m8 | a5&^m8
			t6 := a6&m8 | (a7&m8)<<8
			t7 := a6>>8&m8 | a7&^m8
			u0 := t0&m16 | (t2&m16)<<16
			u2 := t0>>16&m16 | t2&^m16
			u1 := t1&m16 | (t3&m16)<<16
			u3 := t1>>16&m16 | t3&^m16
			u4 := t4&m16 | (t6&m16)<<16
			u6 := t4>>16&m16 | t6&^m16
			u5 := t5&m16 | (t7&m16)<<16
			u7 := t5>>16&m16 | t7&^m16
			q := unsafe.Add(row, i)
			store64(q, 0, u0&m32|u4<<32)
			store64(q, un, u1&m32|u5<<32)
			store64(q, 2*un, u2&m32|u6<<32)
			store64(q, 3*un, u3&m32|u7<<32)
			store64(q, 4*un, u0>>32|u4&^m32)
			store64(q, 5*un, u1>>32|u5&^m32)
			store64(q, 6*un, u2>>32|u6&^m32)
			store64(q, 7*un, u3>>32|u7&^m32)
		}
	}
}

// lzMatchEnd is lzMatchEndSafe with word loads that the loop bounds keep
// inside in[:bound].
func lzMatchEnd(in []byte, ip, ref, bound int) int {
	if bound > len(in) || ref >= ip {
		return lzMatchEndSafe(in, ip, ref, bound)
	}
	p := unsafe.Pointer(unsafe.SliceData(in))
	for ip+8 <= bound {
		x := load64(p, uintptr(ip)) ^ load64(p, uintptr(ref))
		if x != 0 {
			return ip + bits.TrailingZeros64(x)>>3 + 1
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
