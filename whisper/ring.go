package whisper

import (
	"encoding/binary"
	"fmt"
	"math"
)

// floorDiv and floorMod are python's // and % on integers.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 {
	m := a % b
	if m != 0 && ((m < 0) != (b < 0)) {
		m += b
	}
	return m
}

// align returns t - t % step (python floor-mod).
func align(t int64, step uint32) int64 { return t - floorMod(t, int64(step)) }

// slotPos returns the ring position (0..points-1) of interval in an
// archive whose first slot holds base: ((interval-base)//spp) % points.
func slotPos(a *ArchiveInfo, base, interval int64) int64 {
	return floorMod(floorDiv(interval-base, int64(a.SecondsPerPoint)), int64(a.Points))
}

// base returns archive i's base interval (the timestamp in its first
// slot), 0 for an empty archive. Non-zero bases are cached: a base only
// ever changes by whole ring revolutions (every write to slot 0 stores an
// interval congruent to it), and this handle's own writes to slot 0 update
// the cache.
func (w *File) base(i int) (int64, error) {
	if b := w.bases[i].Load(); b != 0 {
		return int64(b), nil
	}
	a := &w.hdr.Archives[i]
	var p [pointSize]byte
	if a.Points == 0 {
		return 0, nil
	}
	if err := w.readAt(p[:], int64(a.Offset)); err != nil {
		return 0, w.ioErr("reading archive base point", int64(a.Offset), err)
	}
	b := binary.BigEndian.Uint32(p[:])
	w.bases[i].Store(b)
	return int64(b), nil
}

func (w *File) ioErr(what string, off int64, err error) error {
	return fmt.Errorf("%s: %s at offset %d: %w", w.name, what, off, err)
}

// readRing reads count points of archive a starting at ring position pos
// (wrapping at the end, two reads at most) into dst, which must hold
// count*12 bytes; count <= points.
func (w *File) readRing(a *ArchiveInfo, pos, count int64, dst []byte) error {
	p := int64(a.Points)
	first := min(count, p-pos)
	off := int64(a.Offset) + pos*pointSize
	if err := w.readAt(dst[:first*pointSize], off); err != nil {
		return w.ioErr("reading points", off, err)
	}
	if first < count {
		if err := w.readAt(dst[first*pointSize:count*pointSize], int64(a.Offset)); err != nil {
			return w.ioErr("reading points", int64(a.Offset), err)
		}
	}
	return nil
}

// putPoint encodes one point.
func putPoint(b []byte, ts int64, v float64) {
	binary.BigEndian.PutUint32(b, uint32(ts))
	binary.BigEndian.PutUint64(b[4:], math.Float64bits(v))
}

// pointAt decodes point k of b.
func pointAt(b []byte, k int) (uint32, float64) {
	p := b[k*pointSize:]
	return binary.BigEndian.Uint32(p), math.Float64frombits(binary.BigEndian.Uint64(p[4:]))
}

// validTS reports whether t can be stored in a point's uint32 timestamp
// (python's struct.pack("!L") raises struct.error otherwise).
func validTS(t int64) bool { return t >= 0 && t <= math.MaxUint32 }
