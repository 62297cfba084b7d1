package tscodec

import (
	"encoding/binary"
	"fmt"
)

// reader decodes the byte fields of a block and keeps the first error, so a
// run of reads can be checked once.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) fail(field, reason string) {
	if r.err == nil {
		r.err = corrupt(r.off, field, reason)
	}
}

func (r *reader) byte1(field string) byte {
	if r.err != nil {
		return 0
	}
	if r.off >= len(r.b) {
		r.fail(field, "truncated")
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

func (r *reader) uvarint(field string) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.fail(field, "truncated or overlong varint")
		return 0
	}
	r.off += n
	return v
}

func (r *reader) varint(field string) int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.off:])
	if n <= 0 {
		r.fail(field, "truncated or overlong varint")
		return 0
	}
	r.off += n
	return v
}

func (r *reader) u64(field string) uint64 {
	if r.err != nil {
		return 0
	}
	if len(r.b)-r.off < 8 {
		r.fail(field, "truncated")
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b[r.off:])
	r.off += 8
	return v
}

// bytes returns the next n bytes (n read from the block, so checked).
func (r *reader) bytes(n uint64, field string) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)-r.off) {
		r.fail(field, fmt.Sprintf("length %d exceeds the %d bytes left", n, len(r.b)-r.off))
		return nil
	}
	p := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return p
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }
