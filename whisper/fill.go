package whisper

import "slices"

// Fill is whisper-fill's fill_archives(src, dst, startFrom): it copies
// points from src into the gaps of dst, walking dst's archives from the
// shortest retention to the longest, each from now - retention up to where
// the previous one started. A gap is a run of slots that are None or 0
// (whisper-fill tests "not v", so stored zeros count as missing and NaN
// does not); a gap of a single slot is left alone unless it reaches the
// end of the range. Each gap is filled by fill(src, dst, gapStart - step,
// gapEnd): src's archives, shortest retention first, each fetched (python
// fetch semantics) and its known points written into dst with UpdateMany.
// Both files may have different archives.
//
// whisper-fill reads the clock (time.time()) at each step; here the whole
// operation runs at now, and startFrom is normally now too.
func Fill(src, dst *File, startFrom, now int64) error {
	var s Series
	for _, ai := range byRetention(dst.hdr) {
		a := &dst.hdr.Archives[ai]
		fromTime := now - int64(a.Retention)
		if fromTime >= startFrom {
			continue
		}
		ok, err := dst.FetchInto(&s, fromTime, startFrom, now, nil)
		if err != nil {
			return err
		}
		if ok {
			start, end, step := s.From, s.Until, s.Step
			var gapStart int64
			haveGap := false
			// the fills below write into dst; s is a private copy
			for i := range s.Values {
				v, known := s.Values[i], s.Known[i]
				empty := !known || v == 0
				switch {
				case empty && !haveGap:
					gapStart, haveGap = start, true
				case !empty && haveGap:
					if start-gapStart > int64(a.SecondsPerPoint) {
						if err := fillRange(src, dst, gapStart-step, start, now); err != nil {
							return err
						}
					}
					haveGap = false
				case haveGap && start == end-step:
					if err := fillRange(src, dst, gapStart-step, start, now); err != nil {
						return err
					}
				}
				start += step
			}
		}
		startFrom = fromTime
	}
	return nil
}

// fillRange is whisper-fill's fill(src, dst, tstart, tstop).
func fillRange(src, dst *File, tstart, tstop, now int64) error {
	srcTime := now - int64(src.hdr.MaxRetention)
	if tstart < srcTime && tstop < srcTime {
		return nil
	}
	var s Series
	var pts []Point
	for _, ai := range byRetention(src.hdr) {
		a := &src.hdr.Archives[ai]
		rtime := now - int64(a.Retention)
		if tstop <= rtime {
			continue
		}
		untilTime := tstop
		fromTime := tstart
		if rtime > tstart {
			fromTime = rtime
		}
		ok, err := src.FetchInto(&s, fromTime, untilTime, now, nil)
		if err != nil {
			return err
		}
		pts = pts[:0]
		if ok {
			for i := range s.Values {
				t := s.From + int64(i)*s.Step
				if t >= s.Until {
					break
				}
				if s.Known[i] {
					pts = append(pts, Point{t, s.Values[i]})
				}
			}
		}
		slices.Reverse(pts) // python sorts newest first; update_many sorts again
		if err := dst.UpdateMany(pts, now); err != nil {
			return err
		}
		tstop = fromTime
		if tstart == tstop {
			return nil
		}
	}
	return nil
}
