package pinglog

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
)

// Version 4 wire constants. Never change them.
const (
	v4HeaderLen   = 256
	v4BlockHead   = 48
	v4BlockMagic  = "PBLK"
	v4MinBlock    = 512
	v4MaxBlock    = 1 << 24
	v4MaxPerBlock = 1 << 16
	v4MaxName     = 63
	v4FlagSealed  = 1
	v4DefaultBS   = 4096
	v4DefaultPer  = 4096
	v4DefaultCap  = 64
	orderLittle   = 'L'
	orderBig      = 'B'
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Units of version-4 time and latency values: the power of ten below one
// second (0 = seconds, 3 = milliseconds, 6 = microseconds, 9 = ns).
const (
	UnitSeconds      = 0
	UnitMilliseconds = 3
	UnitMicroseconds = 6
	UnitNanoseconds  = 9
)

// Header4 is the 256-byte version-4 header. It is written once, when the
// log is created, and never changes.
type Header4 struct {
	// ByteOrder is 'L' (little-endian, what ringvault writes) or 'B'.
	ByteOrder byte
	// BlockSize is the size of each block slot in bytes (512..16 MiB).
	BlockSize uint32
	// Capacity is the number of block slots in the ring.
	Capacity uint32
	// MaxPerBlock is the most records a block holds (1..65536).
	MaxPerBlock uint32
	// Interval is the expected sampling interval, in TimeUnit (0: unknown).
	Interval uint32
	// TimeUnit is the unit of record times (UnitSeconds, ...).
	TimeUnit uint8
	// LatencyUnit is the unit of Value × Scale (UnitSeconds, ...).
	LatencyUnit uint8
	// LegacyWidth is the data_length of the version 2/3 log this one was
	// converted from (values are then the stored integers and Lost marks
	// the all-ones timeout sentinel), 0 otherwise.
	LegacyWidth uint8
	// Scale converts a stored value to latency in LatencyUnit (1 for the
	// prober's milliseconds, 1/65534 for converted 2-byte version 3 logs).
	Scale float64
	// Created is the creation time, Unix seconds.
	Created int64
	// Source and Target identify the series (at most 63 bytes each).
	Source, Target string
}

// RecordCapacity is the most records the ring can hold when blocks fill to
// MaxPerBlock: one slot is always being rewritten, so Capacity-1 full
// blocks plus the unfinished one.
func (h Header4) RecordCapacity() uint64 {
	return uint64(h.Capacity) * uint64(h.MaxPerBlock)
}

func (h Header4) order() binary.ByteOrder {
	if h.ByteOrder == orderBig {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

func (h Header4) validate() error {
	switch {
	case h.ByteOrder != orderLittle && h.ByteOrder != orderBig:
		return fmt.Errorf("byte order %q, want 'L' or 'B'", h.ByteOrder)
	case h.BlockSize < v4MinBlock || h.BlockSize > v4MaxBlock:
		return fmt.Errorf("block size %d, want %d..%d", h.BlockSize, v4MinBlock, v4MaxBlock)
	case h.Capacity < 2 || h.Capacity > 1<<24:
		return fmt.Errorf("capacity %d blocks, want 2..%d", h.Capacity, 1<<24)
	case h.MaxPerBlock < 1 || h.MaxPerBlock > v4MaxPerBlock:
		return fmt.Errorf("max records per block %d, want 1..%d", h.MaxPerBlock, v4MaxPerBlock)
	case h.TimeUnit > 9 || h.LatencyUnit > 9:
		return fmt.Errorf("time unit %d / latency unit %d, want 0..9", h.TimeUnit, h.LatencyUnit)
	case h.LegacyWidth > 8:
		return fmt.Errorf("legacy width %d, want 0..8", h.LegacyWidth)
	case !(h.Scale > 0) || math.IsInf(h.Scale, 0):
		return fmt.Errorf("scale %v, want a positive finite number", h.Scale)
	case len(h.Source) > v4MaxName || len(h.Target) > v4MaxName:
		return fmt.Errorf("source/target longer than %d bytes", v4MaxName)
	}
	return nil
}

// EncodeHeader4 returns the 256 header bytes, CRC32C included.
func EncodeHeader4(h Header4) ([]byte, error) {
	if err := h.validate(); err != nil {
		return nil, fmt.Errorf("%w: version 4 header: %s", ErrRange, err)
	}
	o := h.order()
	b := make([]byte, v4HeaderLen)
	copy(b, magic)
	b[4] = 4
	b[5] = h.ByteOrder
	o.PutUint16(b[6:], v4HeaderLen)
	o.PutUint32(b[8:], h.BlockSize)
	o.PutUint32(b[12:], h.Capacity)
	o.PutUint32(b[16:], h.MaxPerBlock)
	o.PutUint32(b[20:], h.Interval)
	b[24], b[25], b[26] = h.TimeUnit, h.LatencyUnit, h.LegacyWidth
	o.PutUint64(b[32:], math.Float64bits(h.Scale))
	o.PutUint64(b[40:], uint64(h.Created))
	b[48] = byte(len(h.Source))
	copy(b[49:112], h.Source)
	b[112] = byte(len(h.Target))
	copy(b[113:176], h.Target)
	o.PutUint32(b[252:], crc32.Checksum(b[:252], castagnoli))
	return b, nil
}

// DecodeHeader4 decodes and checks a version-4 header: magic, version,
// CRC32C, every field's range, and that the file holds the whole ring.
func DecodeHeader4(b []byte, size int64) (Header4, error) {
	ver, err := Version(b)
	if err != nil {
		return Header4{}, err
	}
	if ver != 4 {
		return Header4{}, fmt.Errorf("%w: version byte %d, want 4", ErrVersion, ver)
	}
	if len(b) < v4HeaderLen {
		return Header4{}, corrupt(int64(len(b)), "header", "file is %d bytes, shorter than the 256-byte version 4 header", len(b))
	}
	h := Header4{ByteOrder: b[5]}
	if h.ByteOrder != orderLittle && h.ByteOrder != orderBig {
		return h, corrupt(5, "byte order", "%#02x, want 'L' or 'B'", h.ByteOrder)
	}
	o := h.order()
	if got, want := o.Uint32(b[252:]), crc32.Checksum(b[:252], castagnoli); got != want {
		return h, corrupt(252, "header crc32c", "stored %08x, computed %08x", got, want)
	}
	if hl := o.Uint16(b[6:]); hl != v4HeaderLen {
		return h, corrupt(6, "header length", "%d, want %d", hl, v4HeaderLen)
	}
	h.BlockSize = o.Uint32(b[8:])
	h.Capacity = o.Uint32(b[12:])
	h.MaxPerBlock = o.Uint32(b[16:])
	h.Interval = o.Uint32(b[20:])
	h.TimeUnit, h.LatencyUnit, h.LegacyWidth = b[24], b[25], b[26]
	h.Scale = math.Float64frombits(o.Uint64(b[32:]))
	h.Created = int64(o.Uint64(b[40:]))
	if b[48] > v4MaxName || b[112] > v4MaxName {
		return h, corrupt(48, "source/target", "name lengths %d/%d, want <= %d", b[48], b[112], v4MaxName)
	}
	h.Source = string(b[49 : 49+b[48]])
	h.Target = string(b[113 : 113+b[112]])
	if err := h.validate(); err != nil {
		return h, corrupt(8, "header", "%s", err)
	}
	if need := int64(v4HeaderLen) + int64(h.Capacity)*int64(h.BlockSize); size < need {
		return h, corrupt(size, "ring", "file is %d bytes, the ring of %d × %d-byte blocks needs %d", size, h.Capacity, h.BlockSize, need)
	}
	return h, nil
}
