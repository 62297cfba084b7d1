package whisper

import (
	"fmt"
	"slices"
)

// Point is one (timestamp, value) pair to store.
type Point struct {
	Timestamp int64
	Value     float64
}

// updateScratch is reused by every write on a File (under File.mu), so
// steady-state updates allocate nothing.
type updateScratch struct {
	points  []Point
	aligned []Point
	keep    []Point
	runs    []run
	lower   []int64
	set     pySet
	prop    propScratch
}

// run is a stretch of points python writes with one write: they go to
// consecutive slots starting at the slot of start.
type run struct {
	start int64
	first int // index into aligned
	n     int
}

// Update is python's file_update(fh, value, timestamp, now): the point must
// satisfy 0 <= now - timestamp < maxRetention (else TimestampNotCovered);
// it is written, aligned, into the finest archive whose retention covers
// its age and then propagated to coarser archives until one does not
// receive a value. One 12-byte write per archive it reaches, one read of
// the neighbouring finer points per propagation. A crash in between leaves
// each of those points old or new (a coarser archive may miss the
// propagation, which the next write to that interval recomputes); see
// UpdateMany for torn sectors.
func (w *File) Update(value float64, timestamp, now int64) (err error) {
	if err := w.beginWrite(); err != nil {
		return err
	}
	defer w.endWrite()
	defer w.recoverFault(&err, w.armFault())
	h := w.hdr
	diff := now - timestamp
	if !(diff < int64(h.MaxRetention) && diff >= 0) {
		return errNotCovered()
	}
	ai := -1
	for i := range h.Archives {
		if int64(h.Archives[i].Retention) >= diff {
			ai = i
			break
		}
	}
	if ai < 0 { // python: NameError on a header whose archives cover less than maxRetention
		return errNotCovered()
	}
	a := &h.Archives[ai]
	interval := align(timestamp, a.SecondsPerPoint)
	if !validTS(interval) {
		return fmt.Errorf("%s: timestamp %d does not fit a uint32 (python: struct.error)", w.name, timestamp)
	}
	if a.Points == 0 {
		return errNotCovered()
	}
	base, err := w.base(ai)
	if err != nil {
		return err
	}
	var pos int64
	if base != 0 {
		pos = slotPos(a, base, interval)
	}
	b := w.pointBuf(1)
	putPoint(b, interval, value)
	off := int64(a.Offset) + pos*pointSize
	if err := w.writeAt(b, off); err != nil {
		return w.ioErr("writing point", off, err)
	}
	if pos == 0 {
		w.bases[ai].Store(uint32(interval))
	}
	s := &w.scr
	for lo := ai + 1; lo < len(h.Archives); lo++ {
		s.lower = append(s.lower[:0], interval)
		ok, err := w.propagateLevel(lo-1, lo, s.lower)
		if err != nil || !ok {
			return err
		}
	}
	return nil
}

// UpdateMany is python's update_many(path, points, now): points are sorted
// newest first (stably), each goes to the finest archive whose retention
// covers its age (points older than maxRetention are dropped silently;
// points in the future are accepted, as in python), and each archive's
// points are written and propagated as python's __archive_update_many does.
//
// Duplicates: among points that fall into the same slot of an archive the
// one with the largest raw timestamp wins, and among exactly equal
// timestamps the first one given wins (python 1.1.x).
//
// Every stretch of consecutive slots is written with one WriteAt (two when
// it wraps the ring end), and each propagation level reads the finer
// points it needs once per stretch of consecutive coarser intervals.
//
// A crash (power loss) in the middle leaves every slot holding its old
// point or a version this call wrote there, with any subset of the writes
// on disk; torn 512-byte sectors can additionally mix old and new bytes of
// the two points in 128 that straddle a sector boundary. The header is
// never written. docs/format/whisper.md has the details, crash_test.go the
// proof.
//
// Deviations, both where python raises or corrupts: a point whose aligned
// timestamp does not fit a uint32 makes UpdateMany fail before anything is
// written (python raises struct.error after writing the finer archives);
// a run of future points longer than an archive is clipped to that archive
// (python writes the excess over the next archive).
func (w *File) UpdateMany(points []Point, now int64) (err error) {
	if len(points) == 0 {
		return nil
	}
	if err := w.beginWrite(); err != nil {
		return err
	}
	defer w.endWrite()
	defer w.recoverFault(&err, w.armFault())
	s := &w.scr
	pts := chronological(s.points[:0], points)
	s.points = pts
	// Split into per-archive groups first, so that invalid timestamps are
	// found before anything is written. python walks the points newest
	// first and moves to the next archive when one is too old for the
	// current archive; each archive's group is then a contiguous stretch of
	// pts, and the points older than every archive are dropped.
	type group struct{ archive, from, to int }
	var groupsBuf [8]group
	groups := groupsBuf[:0]
	h := w.hdr
	ai, end := 0, len(pts)
	i := len(pts) - 1
	for ; i >= 0; i-- {
		age := now - pts[i].Timestamp
		for ai < len(h.Archives) && int64(h.Archives[ai].Retention) < age {
			if i+1 < end {
				groups = append(groups, group{ai, i + 1, end})
			}
			end = i + 1
			ai++
		}
		if ai == len(h.Archives) {
			break
		}
	}
	if ai < len(h.Archives) && i+1 < end {
		groups = append(groups, group{ai, i + 1, end})
	}
	for _, g := range groups {
		a := &h.Archives[g.archive]
		if a.Points == 0 {
			return fmt.Errorf("%s: archive %d has no points (python: ZeroDivisionError)", w.name, g.archive)
		}
		for _, p := range pts[g.from:g.to] {
			if !validTS(align(p.Timestamp, a.SecondsPerPoint)) {
				return fmt.Errorf("%s: timestamp %d does not fit a uint32 (python: struct.error)", w.name, p.Timestamp)
			}
		}
	}
	for _, g := range groups {
		if err := w.archiveUpdateMany(g.archive, pts[g.from:g.to]); err != nil {
			return err
		}
	}
	return nil
}

// chronological appends points to dst in the order python's update_many
// hands each archive: python sorts newest first (stably) and reverses each
// archive's share, so the result is ascending by timestamp with equal
// timestamps in reverse input order. Input that is already in time order
// (the common case) takes a linear path.
func chronological(dst, points []Point) []Point {
	sorted := true
	for i := 1; i < len(points); i++ {
		if points[i].Timestamp < points[i-1].Timestamp {
			sorted = false
			break
		}
	}
	if sorted {
		for i := 0; i < len(points); {
			j := i + 1
			for j < len(points) && points[j].Timestamp == points[i].Timestamp {
				j++
			}
			for k := j - 1; k >= i; k-- {
				dst = append(dst, points[k])
			}
			i = j
		}
		return dst
	}
	for k := len(points) - 1; k >= 0; k-- {
		dst = append(dst, points[k])
	}
	slices.SortStableFunc(dst, func(a, b Point) int {
		switch {
		case a.Timestamp < b.Timestamp:
			return -1
		case a.Timestamp > b.Timestamp:
			return 1
		}
		return 0
	})
	return dst
}

// archiveUpdateMany is python's __archive_update_many for archive ai with
// points in chronological order.
func (w *File) archiveUpdateMany(ai int, points []Point) error {
	h := w.hdr
	a := &h.Archives[ai]
	s := &w.scr
	step := int64(a.SecondsPerPoint)
	s.aligned = s.aligned[:0]
	for _, p := range points {
		s.aligned = append(s.aligned, Point{align(p.Timestamp, a.SecondsPerPoint), p.Value})
	}
	al := s.aligned
	// Build python's packed strings: the last point of each run of equal
	// intervals, consecutive intervals joined (python also joins anything
	// that follows interval 0, its "not previousInterval" test).
	s.runs = s.runs[:0]
	var prev int64
	havePrev := false
	keep := s.keep[:0]
	for i := range al {
		if i+1 < len(al) && al[i].Timestamp == al[i+1].Timestamp {
			continue
		}
		iv := al[i].Timestamp
		if !havePrev || prev == 0 || iv == prev+step {
			if len(s.runs) == 0 {
				s.runs = append(s.runs, run{first: len(keep)})
			}
		} else {
			r := &s.runs[len(s.runs)-1]
			r.start = prev - step*int64(r.n-1)
			s.runs = append(s.runs, run{first: len(keep)})
		}
		keep = append(keep, al[i])
		s.runs[len(s.runs)-1].n++
		prev, havePrev = iv, true
	}
	s.keep = keep
	if len(s.runs) > 0 {
		r := &s.runs[len(s.runs)-1]
		r.start = prev - step*int64(r.n-1)
	}
	base, err := w.base(ai)
	if err != nil {
		return err
	}
	if base == 0 {
		base = s.runs[0].start
	}
	P := int64(a.Points)
	for _, r := range s.runs {
		pos := slotPos(a, base, r.start)
		buf := w.pointBuf(r.n)
		for k := 0; k < r.n; k++ {
			p := keep[r.first+k]
			putPoint(buf[k*pointSize:], p.Timestamp, p.Value)
		}
		firstN := min(int64(r.n), P-pos)
		off := int64(a.Offset) + pos*pointSize
		if err := w.writeAt(buf[:firstN*pointSize], off); err != nil {
			return w.ioErr("writing points", off, err)
		}
		if firstN < int64(r.n) {
			// python writes the rest from the archive start; clip it to
			// the archive (python would run over into the next archive).
			rest := min(int64(r.n)-firstN, P)
			if err := w.writeAt(buf[firstN*pointSize:(firstN+rest)*pointSize], int64(a.Offset)); err != nil {
				return w.ioErr("writing points", int64(a.Offset), err)
			}
			w.bases[ai].Store(uint32(keep[r.first+int(firstN)].Timestamp))
		} else if pos == 0 {
			w.bases[ai].Store(uint32(keep[r.first].Timestamp))
		}
	}
	// Propagate to every coarser archive, in python's set order.
	for lo := ai + 1; lo < len(h.Archives); lo++ {
		lspp := h.Archives[lo].SecondsPerPoint
		// set(lowerIntervals): a key already in the set leaves the table
		// as it is, so dropping consecutive repeats keeps CPython's order.
		s.lower = s.lower[:0]
		for _, p := range al {
			li := align(p.Timestamp, lspp)
			if n := len(s.lower); n == 0 || s.lower[n-1] != li {
				s.lower = append(s.lower, li)
			}
		}
		order := s.set.iterate(s.lower)
		ok, err := w.propagateLevel(lo-1, lo, order)
		if err != nil || !ok {
			return err
		}
	}
	return nil
}

// pointBuf returns w.buf grown to n points.
func (w *File) pointBuf(n int) []byte {
	if cap(w.buf) < n*pointSize {
		w.buf = make([]byte, n*pointSize)
	}
	return w.buf[:n*pointSize]
}
