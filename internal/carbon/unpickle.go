package carbon

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"
)

// The decoder below is a pickle virtual machine for the safe subset only
// (the opcodes pickleArgLen admits), run after scanPickle has checked
// every opcode and length. It is hand-written because it is the hot path
// of relays feeding port 2004; its reference is gopickle, which the fuzz
// target FuzzUnpickleVsGopickle compares it with.

type pkind uint8

const (
	pNone pkind = iota
	pBool
	pInt
	pBig
	pFloat
	pStr
	pBytes
	pTuple
	pList
	pMark
)

// pval is one Python object of the subset, kept small (32 bytes, one
// pointer) so that a frame's objects cost little to allocate and scan:
// n holds an int, a bool, a float's bits, or for a tuple its place in
// the unpickler's arena (start<<32 | length) and for a list its index in
// the unpickler's lists; s holds a string's or a big integer's text.
// Tuples are immutable and share the arena; lists are mutable (APPEND)
// and memo copies must see the appends, as in Python, hence the index.
type pval struct {
	k pkind
	n uint64
	s string
}

func intVal(i int64) pval     { return pval{k: pInt, n: uint64(i)} }
func floatVal(f float64) pval { return pval{k: pFloat, n: math.Float64bits(f)} }

var errPickleStack = errors.New("stack underflow or misplaced MARK")

type unpickler struct {
	stack []pval
	marks []int
	memo  []pval
	bigM  map[uint64]pval // memo indices too large for the slice
	arena []pval          // backing store for tuples
	lists [][]pval
}

func (u *unpickler) push(v pval) { u.stack = append(u.stack, v) }

func (u *unpickler) pop() (pval, error) {
	n := len(u.stack)
	if n == 0 || (len(u.marks) > 0 && u.marks[len(u.marks)-1] == n) {
		return pval{}, errPickleStack
	}
	v := u.stack[n-1]
	u.stack = u.stack[:n-1]
	return v, nil
}

// popMark returns the items above the topmost MARK and removes them and
// the mark.
func (u *unpickler) popMark() ([]pval, error) {
	if len(u.marks) == 0 {
		return nil, errPickleStack
	}
	m := u.marks[len(u.marks)-1]
	u.marks = u.marks[:len(u.marks)-1]
	items := u.stack[m:]
	u.stack = u.stack[:m]
	return items, nil
}

func (u *unpickler) tuple(items []pval) pval {
	start := len(u.arena)
	u.arena = append(u.arena, items...)
	return pval{k: pTuple, n: uint64(start)<<32 | uint64(len(items))}
}

func (u *unpickler) list(items []pval) pval {
	u.lists = append(u.lists, items)
	return pval{k: pList, n: uint64(len(u.lists) - 1)}
}

// items returns the elements of a list or tuple.
func (u *unpickler) items(v pval) ([]pval, bool) {
	switch v.k {
	case pTuple:
		start, n := v.n>>32, v.n&0xffffffff
		return u.arena[start : start+n], true
	case pList:
		return u.lists[v.n], true
	}
	return nil, false
}

func (u *unpickler) put(idx uint64) error {
	if len(u.stack) == 0 {
		return errPickleStack
	}
	v := u.stack[len(u.stack)-1]
	if idx < 1<<16 {
		for uint64(len(u.memo)) <= idx {
			u.memo = append(u.memo, pval{})
		}
		u.memo[idx] = v
		return nil
	}
	if u.bigM == nil {
		u.bigM = map[uint64]pval{}
	}
	u.bigM[idx] = v
	return nil
}

func (u *unpickler) get(idx uint64) error {
	var v pval
	var ok bool
	if idx < uint64(len(u.memo)) {
		v, ok = u.memo[idx], true
	} else if u.bigM != nil {
		v, ok = u.bigM[idx]
	}
	if !ok {
		return fmt.Errorf("memo key %d not found", idx)
	}
	u.push(v)
	return nil
}

// load runs data (checked by scanPickle) and returns the object STOP
// pops.
func (u *unpickler) load(data []byte) (pval, error) {
	u.arena = make([]pval, 0, len(data)/10) // about 4 tuple slots per point
	u.stack = make([]pval, 0, 64)
	i := 0
	for i < len(data) {
		op := data[i]
		n, _ := pickleArgLen(op, data[i+1:])
		arg := data[i+1 : i+1+n]
		i += 1 + n
		if op == '.' {
			return u.pop()
		}
		if err := u.exec(op, arg); err != nil {
			return pval{}, fmt.Errorf("opcode 0x%02x at offset %d: %w", op, i-1-n, err)
		}
	}
	return pval{}, errors.New("no STOP")
}

func (u *unpickler) exec(op byte, arg []byte) error {
	switch op {
	case 0x80, 0x95: // PROTO, FRAME: frames are transparent in one buffer
	case '(':
		u.marks = append(u.marks, len(u.stack))
	case '0': // POP; with a MARK on top, Python pops the mark
		if len(u.marks) > 0 && u.marks[len(u.marks)-1] == len(u.stack) {
			u.marks = u.marks[:len(u.marks)-1]
			return nil
		}
		_, err := u.pop()
		return err
	case '1':
		_, err := u.popMark()
		return err
	case '2':
		v, err := u.pop()
		if err != nil {
			return err
		}
		u.push(v)
		u.push(v)
	case 'N':
		u.push(pval{k: pNone})
	case 0x88, 0x89:
		u.push(pval{k: pBool, n: uint64(0x89 - op)})
	case 'K':
		u.push(intVal(int64(arg[0])))
	case 'M':
		u.push(intVal(int64(binary.LittleEndian.Uint16(arg))))
	case 'J':
		u.push(intVal(int64(int32(binary.LittleEndian.Uint32(arg)))))
	case 'I', 'L':
		return u.textInt(op, arg[:len(arg)-1])
	case 0x8a, 0x8b:
		u.push(longValue(arg[1+3*int(op-0x8a):]))
	case 'F':
		f, err := strconv.ParseFloat(string(arg[:len(arg)-1]), 64)
		if err != nil {
			return err
		}
		u.push(floatVal(f))
	case 'G':
		u.push(pval{k: pFloat, n: binary.BigEndian.Uint64(arg)})
	case 'X', 0x8c, 0x8d, 'T', 'U':
		u.push(pval{k: pStr, s: string(arg[lenSize(op):])})
	case 'B', 'C', 0x8e:
		u.push(pval{k: pBytes, s: string(arg[lenSize(op):])})
	case 'V':
		u.push(pval{k: pStr, s: string(decodeRawUnicodeEscape(arg[:len(arg)-1]))})
	case 'S':
		s, err := unquoteString(arg[:len(arg)-1])
		if err != nil {
			return err
		}
		u.push(pval{k: pStr, s: s})
	case ')':
		u.push(pval{k: pTuple})
	case 0x85, 0x86, 0x87:
		n := int(op - 0x84)
		if len(u.stack) < n || (len(u.marks) > 0 && u.marks[len(u.marks)-1] > len(u.stack)-n) {
			return errPickleStack
		}
		t := u.tuple(u.stack[len(u.stack)-n:])
		u.stack = u.stack[:len(u.stack)-n]
		u.push(t)
	case 't':
		items, err := u.popMark()
		if err != nil {
			return err
		}
		u.push(u.tuple(items))
	case ']':
		u.push(u.list(nil))
	case 'l':
		items, err := u.popMark()
		if err != nil {
			return err
		}
		u.push(u.list(append([]pval(nil), items...)))
	case 'a':
		v, err := u.pop()
		if err != nil {
			return err
		}
		return u.appendTo(v)
	case 'e':
		items, err := u.popMark()
		if err != nil {
			return err
		}
		return u.appendTo(items...)
	case 'g', 'p':
		idx, err := strconv.ParseUint(string(arg[:len(arg)-1]), 10, 64)
		if err != nil {
			return err
		}
		if op == 'g' {
			return u.get(idx)
		}
		return u.put(idx)
	case 'h':
		return u.get(uint64(arg[0]))
	case 'j':
		return u.get(uint64(binary.LittleEndian.Uint32(arg)))
	case 'q':
		return u.put(uint64(arg[0]))
	case 'r':
		return u.put(uint64(binary.LittleEndian.Uint32(arg)))
	case 0x94:
		return u.put(uint64(len(u.memo)) + uint64(len(u.bigM)))
	default:
		return fmt.Errorf("opcode not allowed")
	}
	return nil
}

// appendTo appends items to the list below them on the stack.
func (u *unpickler) appendTo(items ...pval) error {
	if len(u.stack) == 0 || (len(u.marks) > 0 && u.marks[len(u.marks)-1] == len(u.stack)) {
		return errPickleStack
	}
	top := u.stack[len(u.stack)-1]
	if top.k != pList {
		return fmt.Errorf("APPEND to a %d, not a list", top.k)
	}
	u.lists[top.n] = append(u.lists[top.n], items...)
	return nil
}

// lenSize is the width of the length prefix of a counted string opcode.
func lenSize(op byte) int {
	switch op {
	case 0x8c, 'U', 'C':
		return 1
	case 0x8d, 0x8e:
		return 8
	}
	return 4
}

// textInt is INT ("00"/"01" are False/True in protocol 0) and LONG
// (decimal with an optional trailing L).
func (u *unpickler) textInt(op byte, s []byte) error {
	if op == 'I' && len(s) == 2 && s[0] == '0' && (s[1] == '0' || s[1] == '1') {
		u.push(pval{k: pBool, n: uint64(s[1] - '0')})
		return nil
	}
	if op == 'L' && len(s) > 0 && s[len(s)-1] == 'L' {
		s = s[:len(s)-1]
	}
	if v, err := strconv.ParseInt(string(s), 10, 64); err == nil {
		u.push(intVal(v))
		return nil
	}
	b, ok := new(big.Int).SetString(string(s), 10)
	if !ok {
		return fmt.Errorf("invalid integer %q", s)
	}
	u.push(pval{k: pBig, s: b.String()})
	return nil
}

// longValue decodes LONG1/LONG4 bytes: little-endian two's complement.
func longValue(b []byte) pval {
	if len(b) <= 8 {
		var x uint64
		for i := len(b) - 1; i >= 0; i-- {
			x = x<<8 | uint64(b[i])
		}
		if len(b) > 0 && len(b) < 8 && b[len(b)-1]&0x80 != 0 {
			x |= ^uint64(0) << (8 * len(b)) // sign-extend
		}
		return intVal(int64(x))
	}
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	v := new(big.Int).SetBytes(be)
	if b[len(b)-1]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return pval{k: pBig, s: v.String()}
}

// unquoteString decodes the STRING opcode's argument: a Python bytes
// repr in single or double quotes with \\ \' \" \n \r \t \xHH and octal
// escapes.
func unquoteString(b []byte) (string, error) {
	if len(b) < 2 || b[0] != b[len(b)-1] || (b[0] != '\'' && b[0] != '"') {
		return "", errors.New("the STRING opcode argument must be quoted")
	}
	b = b[1 : len(b)-1]
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' || i+1 == len(b) {
			out = append(out, c)
			continue
		}
		i++
		switch e := b[i]; e {
		case '\\', '\'', '"':
			out = append(out, e)
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'x':
			if i+2 >= len(b) {
				return "", errors.New("truncated \\x escape")
			}
			v, err := strconv.ParseUint(string(b[i+1:i+3]), 16, 8)
			if err != nil {
				return "", errors.New("invalid \\x escape")
			}
			out = append(out, byte(v))
			i += 2
		default:
			if e >= '0' && e <= '7' {
				v, j := 0, i
				for j < len(b) && j < i+3 && b[j] >= '0' && b[j] <= '7' {
					v = v*8 + int(b[j]-'0')
					j++
				}
				out = append(out, byte(v))
				i = j - 1
			} else {
				out = append(out, '\\', e)
			}
		}
	}
	return string(out), nil
}

// pyFloatVal is Python's float(x) for a decoded object.
func pyFloatVal(v pval) (float64, bool) {
	switch v.k {
	case pFloat:
		return math.Float64frombits(v.n), true
	case pInt, pBool:
		return float64(int64(v.n)), true
	case pBig:
		b, _ := new(big.Int).SetString(v.s, 10)
		f, acc := new(big.Float).SetInt(b).Float64()
		if math.IsInf(f, 0) && acc != big.Exact {
			return 0, false
		}
		return f, true
	case pStr, pBytes:
		return parsePyFloat(trimPySpace(v.s))
	}
	return 0, false
}

func trimPySpace(s string) []byte {
	b := []byte(s)
	for len(b) > 0 {
		r, n := utf8.DecodeLastRune(b)
		if !isPySpace(r) {
			break
		}
		b = b[:len(b)-n]
	}
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if !isPySpace(r) {
			break
		}
		b = b[n:]
	}
	return b
}
