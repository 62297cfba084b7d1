package whisper

import (
	"encoding/binary"
	"math"
	"slices"
)

// propScratch is the reusable state of propagateLevel.
type propScratch struct {
	sorted []int64   // unique lower intervals in time order
	info   []ivRead  // where each sorted interval's neighbours are in buf
	buf    []byte    // the finer points read
	pend   []pending // writes to the coarser archive, in python's order
	out    []byte
	known  []float64
	all    []float64
	ok     []bool
}

type ivRead struct {
	pos      int64 // ring position of the interval's first finer slot
	count    int64 // neighbours python reads (lower.spp/higher.spp normally)
	bufStart int64 // in points
	clPos    int64 // ring position of the cluster's first slot
	clCount  int64 // points read for the cluster
}

type pending struct {
	pos   int64
	ts    int64
	value float64
}

// pyRingCount is how many points python's __propagate reads for n
// neighbours starting at ring position pos of a p-point archive (n when
// n <= p, which create guarantees).
func pyRingCount(pos, n, p int64) int64 {
	last := (pos + n) % p
	if pos < last {
		return last - pos
	}
	return p - pos + last
}

// propagateLevel is python's __propagate(fh, header, t, higher, lower) for
// every t in order (python's set order), reporting whether any of them
// wrote a value. The finer points are read once per stretch of consecutive
// coarser intervals, and the coarser points are written once per stretch
// of consecutive slots; the resulting bytes equal python's one-by-one
// propagation (later intervals in order win a shared slot, and the first
// one that propagates into an empty archive becomes its base).
func (w *File) propagateLevel(hiIdx, loIdx int, order []int64) (bool, error) {
	h := w.hdr
	hi, lo := &h.Archives[hiIdx], &h.Archives[loIdx]
	P := int64(hi.Points)
	if P == 0 || len(order) == 0 {
		return false, nil
	}
	n := int64(lo.SecondsPerPoint / hi.SecondsPerPoint)
	lspp := lo.SecondsPerPoint
	hbase, err := w.base(hiIdx)
	if err != nil {
		return false, err
	}
	ps := &w.scr.prop
	if err := w.readNeighbours(hi, hbase, n, lspp, order); err != nil {
		return false, err
	}
	// Aggregate in python's order.
	ps.pend = ps.pend[:0]
	xff := float64(h.XFilesFactor)
	hspp := int64(hi.SecondsPerPoint)
	for _, t := range order {
		ls := align(t, lspp)
		j, _ := slices.BinarySearch(ps.sorted, ls)
		in := &ps.info[j]
		ps.known, ps.all, ps.ok = ps.known[:0], ps.all[:0], ps.ok[:0]
		rel := floorMod(in.pos-in.clPos, P) // first neighbour, relative to the cluster
		want := ls
		for k := int64(0); k < in.count; k++ {
			j := rel + k
			if j >= P {
				j -= P
			}
			p := ps.buf[(in.bufStart+j)*pointSize:]
			ts := binary.BigEndian.Uint32(p)
			v := math.Float64frombits(binary.BigEndian.Uint64(p[4:12]))
			known := int64(ts) == want
			want += hspp
			if known {
				ps.known = append(ps.known, v)
			}
			ps.all = append(ps.all, v)
			ps.ok = append(ps.ok, known)
		}
		if len(ps.known) == 0 {
			continue
		}
		if float64(len(ps.known))/float64(in.count) < xff {
			continue
		}
		v, ok := aggregate(h.AggregationMethod, ps.known, ps.all, ps.ok)
		if !ok {
			continue
		}
		ps.pend = append(ps.pend, pending{ts: ls, value: v})
	}
	if len(ps.pend) == 0 {
		return false, nil
	}
	return true, w.writePending(loIdx)
}

// writePending writes w.scr.prop.pend into archive loIdx: the first into
// slot 0 if the archive is empty, later ones relative to the base; writes
// to the same slot keep the last; consecutive slots go out in one WriteAt.
func (w *File) writePending(loIdx int) error {
	lo := &w.hdr.Archives[loIdx]
	ps := &w.scr.prop
	lbase, err := w.base(loIdx)
	if err != nil {
		return err
	}
	if lo.Points == 0 {
		return nil
	}
	for i := range ps.pend {
		if lbase == 0 {
			lbase = ps.pend[i].ts
			ps.pend[i].pos = 0
			continue
		}
		ps.pend[i].pos = slotPos(lo, lbase, ps.pend[i].ts)
	}
	if len(ps.pend) > 1 {
		slices.SortStableFunc(ps.pend, func(a, b pending) int { return int(a.pos - b.pos) })
		// keep the last of equal positions
		out := ps.pend[:0]
		for i := range ps.pend {
			if i+1 < len(ps.pend) && ps.pend[i+1].pos == ps.pend[i].pos {
				continue
			}
			out = append(out, ps.pend[i])
		}
		ps.pend = out
	}
	for i := 0; i < len(ps.pend); {
		j := i + 1
		for j < len(ps.pend) && ps.pend[j].pos == ps.pend[j-1].pos+1 {
			j++
		}
		nb := (j - i) * pointSize
		if cap(ps.out) < nb {
			ps.out = make([]byte, nb)
		}
		b := ps.out[:nb]
		for k := i; k < j; k++ {
			putPoint(b[(k-i)*pointSize:], ps.pend[k].ts, ps.pend[k].value)
		}
		off := int64(lo.Offset) + ps.pend[i].pos*pointSize
		if err := w.writeAt(b, off); err != nil {
			return w.ioErr("writing propagated points", off, err)
		}
		if ps.pend[i].pos == 0 {
			w.bases[loIdx].Store(uint32(ps.pend[i].ts))
		}
		i = j
	}
	return nil
}

// readNeighbours reads into w.scr.prop.buf the finer points of every
// coarser interval in order: one read (two at the ring end) per stretch of
// consecutive intervals, and records where each interval's n neighbours
// are (w.scr.prop.sorted / info).
func (w *File) readNeighbours(hi *ArchiveInfo, hbase, n int64, lspp uint32, order []int64) error {
	P := int64(hi.Points)
	ps := &w.scr.prop
	ps.sorted = ps.sorted[:0]
	for _, t := range order {
		ps.sorted = append(ps.sorted, align(t, lspp))
	}
	slices.Sort(ps.sorted)
	ps.sorted = slices.Compact(ps.sorted)
	// Plan the reads: clusters of consecutive intervals.
	ps.info = ps.info[:0]
	var total int64
	for j := 0; j < len(ps.sorted); {
		k := j + 1
		if hbase != 0 && n <= P {
			for k < len(ps.sorted) && ps.sorted[k] == ps.sorted[k-1]+int64(lspp) {
				k++
			}
		}
		var clPos int64
		if hbase != 0 {
			clPos = slotPos(hi, hbase, ps.sorted[j])
		}
		clCount := pyRingCount(clPos, n, P)
		if k-j > 1 {
			clCount = min(int64(k-j)*n, P)
		}
		for m := j; m < k; m++ {
			pos := clPos
			if hbase != 0 {
				pos = slotPos(hi, hbase, ps.sorted[m])
			}
			ps.info = append(ps.info, ivRead{pos: pos, count: pyRingCount(pos, n, P), bufStart: total, clPos: clPos, clCount: clCount})
		}
		total += clCount
		j = k
	}
	if int64(cap(ps.buf)) < total*pointSize {
		ps.buf = make([]byte, total*pointSize)
	}
	ps.buf = ps.buf[:total*pointSize]
	for j := 0; j < len(ps.info); j++ {
		in := &ps.info[j]
		if j > 0 && in.bufStart == ps.info[j-1].bufStart {
			continue
		}
		if err := w.readRing(hi, in.clPos, in.clCount, ps.buf[in.bufStart*pointSize:]); err != nil {
			return err
		}
	}
	return nil
}
