package whisper

import (
	"fmt"
	"slices"
)

// byRetention returns the archive indices sorted by retention (stable),
// as python's archives.sort(key=itemgetter('retention')).
func byRetention(h *Header) []int {
	idx := make([]int, len(h.Archives))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ra, rb := h.Archives[a].Retention, h.Archives[b].Retention
		switch {
		case ra < rb:
			return -1
		case ra > rb:
			return 1
		}
		return 0
	})
	return idx
}

func errUnlike(a, b *File, what string) error {
	return newErr(ErrUnlikeArchives, "NotImplementedError",
		"%s and %s archive configurations are unalike. Resize the input before %s", a.name, b.name, what)
}

// Merge is python's file_merge(fh_from, fh_to, time_from, time_to, now):
// both files must have the same archives (else NotImplementedError, see
// ErrUnlikeArchives). For each archive, shortest retention first, the known
// points of from inside [max(timeFrom, now - retention), timeTo] are
// written into the same archive of to (overwriting) and propagated with
// to's aggregation settings. timeFrom 0 and timeTo 0 are python's None
// (epoch and now); timeTo < timeFrom is python's ValueError("time_to must
// be >= time_from"). Writes go through the same path as UpdateMany, with
// the same crash guarantees. Merge holds to's write lock and from's read
// lock; two Merges in opposite directions on the same pair of handles at
// once can deadlock.
func Merge(from, to *File, timeFrom, timeTo, now int64) (err error) {
	if !sameArchives(from.hdr, to.hdr) {
		return errUnlike(from, to, "merging")
	}
	untilTime := now
	if timeTo != 0 {
		untilTime = timeTo
	}
	if untilTime < timeFrom {
		return newErr(ErrInvalidTimeInterval, "ValueError", "time_to must be >= time_from")
	}
	if err := to.beginWrite(); err != nil {
		return err
	}
	defer to.endWrite()
	defer to.recoverFault(&err, to.armFault())
	if from != to {
		from.mu.RLock()
		defer from.mu.RUnlock()
		defer from.recoverFault(&err, from.armFault())
	}
	var s Series
	var pts []Point
	for _, ai := range byRetention(from.hdr) {
		a := &from.hdr.Archives[ai]
		archiveFrom, archiveTo := timeFrom, untilTime
		if archiveFrom < now-int64(a.Retention) {
			archiveFrom = now - int64(a.Retention)
		}
		if archiveTo < now-int64(a.Retention) {
			continue
		}
		if err := from.archiveFetch(&s, ai, archiveFrom, archiveTo); err != nil {
			return err
		}
		pts = pts[:0]
		for i := range s.Values {
			t := s.From + int64(i)*s.Step
			if t >= s.Until {
				break
			}
			if s.Known[i] {
				pts = append(pts, Point{t, s.Values[i]})
			}
		}
		if len(pts) == 0 {
			continue
		}
		for _, p := range pts {
			if !validTS(p.Timestamp) {
				return fmt.Errorf("%s: timestamp %d does not fit a uint32", to.name, p.Timestamp)
			}
		}
		if err := to.archiveUpdateMany(ai, pts); err != nil {
			return err
		}
	}
	return nil
}

// DiffPoint is one compared interval: python's (timestamp, valueA, valueB)
// with None as Known == false.
type DiffPoint struct {
	Timestamp int64
	A, B      float64
	AKnown    bool
	BKnown    bool
}

// DiffArchive is one archive's part of python's diff result:
// (archiveIndex, differing points, number of points compared).
type DiffArchive struct {
	Index  int // position in the retention-sorted archive list
	Points []DiffPoint
	Total  int
}

// Diff is python's file_diff(fh_a, fh_b, ignore_empty, until_time, now):
// archives (shortest retention first) are compared from now - retention
// to until (0 = python's None = now), each coarser archive only up to the
// start of the previous one. With ignoreEmpty only intervals known in both
// files count, else intervals known in either; a point differs when one
// side is unknown or the values differ (NaN always differs, as in python).
func Diff(a, b *File, ignoreEmpty bool, until, now int64) (out []DiffArchive, err error) {
	if !sameArchives(a.hdr, b.hdr) {
		return nil, errUnlike(a, b, "diffing")
	}
	for _, f := range []*File{a, b} {
		f.mu.RLock()
		defer f.mu.RUnlock()
		defer f.recoverFault(&err, f.armFault())
		if b == a {
			break
		}
	}
	untilTime := now
	if until != 0 {
		untilTime = until
	}
	var sa, sb Series
	for n, ai := range byRetention(a.hdr) {
		ar := &a.hdr.Archives[ai]
		startTime := now - int64(ar.Retention)
		if err := a.archiveFetch(&sa, ai, startTime, untilTime); err != nil {
			return nil, err
		}
		if err := b.archiveFetch(&sb, ai, startTime, untilTime); err != nil {
			return nil, err
		}
		start, end, step := min(sa.From, sb.From), max(sa.Until, sb.Until), min(sa.Step, sb.Step)
		cnt := int((end - start) / step)
		if cnt > len(sa.Values) || cnt > len(sb.Values) {
			return nil, fmt.Errorf("%s, %s: archive %d: range %d..%d is longer than the archive (python: IndexError)", a.name, b.name, ai, start, end)
		}
		d := DiffArchive{Index: n}
		for s := 0; s < cnt; s++ {
			p := DiffPoint{Timestamp: int64(s)*step + start, A: sa.Values[s], B: sb.Values[s], AKnown: sa.Known[s], BKnown: sb.Known[s]}
			if ignoreEmpty {
				if !(p.AKnown && p.BKnown) {
					continue
				}
			} else if !p.AKnown && !p.BKnown {
				continue
			}
			d.Total++
			if p.AKnown != p.BKnown || (p.AKnown && !(p.A == p.B)) {
				d.Points = append(d.Points, p)
			}
		}
		out = append(out, d)
		untilTime = min(startTime, untilTime)
	}
	return out, nil
}
