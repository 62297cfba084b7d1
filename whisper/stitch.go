package whisper

// stitch fills the unknown slots of dst (read from archive ai) from the
// finer archives 0..ai-1, finest first, where they still cover the slot:
// a slot gets the file's aggregation of the finer archive's known points
// inside it, without the xFilesFactor test. Opt-in (FetchOptions.Stitch);
// python never does this (whisper issue 329).
func (w *File) stitch(dst *Series, ai int, now int64) error {
	h := w.hdr
	var tmp Series
	for j := 0; j < ai; j++ {
		a := &h.Archives[j]
		fstep := int64(a.SecondsPerPoint)
		if dst.Step%fstep != 0 {
			continue
		}
		r := int(dst.Step / fstep)
		// the first finer slot still inside archive j's retention
		lo := align(now-int64(a.Retention), a.SecondsPerPoint) + fstep
		k0 := 0
		for k0 < len(dst.Values) && dst.From+int64(k0)*dst.Step < lo {
			k0++
		}
		missing := false
		for k := k0; k < len(dst.Values); k++ {
			if !dst.Known[k] {
				missing = true
				break
			}
		}
		if !missing {
			return nil
		}
		start := dst.From + int64(k0)*dst.Step
		end := dst.From + int64(len(dst.Values))*dst.Step
		if err := w.archiveFetch(&tmp, j, start-fstep, end-fstep); err != nil {
			return err
		}
		if tmp.From != start || int64(len(tmp.Values)) != (end-start)/fstep {
			continue // the window wraps this archive's ring: nothing safe to take
		}
		known := make([]float64, 0, r)
		for k := k0; k < len(dst.Values); k++ {
			if dst.Known[k] {
				continue
			}
			lo, hi := (k-k0)*r, (k-k0+1)*r
			known = known[:0]
			for i := lo; i < hi; i++ {
				if tmp.Known[i] {
					known = append(known, tmp.Values[i])
				}
			}
			if len(known) == 0 {
				continue
			}
			if v, ok := aggregate(h.AggregationMethod, known, tmp.Values[lo:hi], tmp.Known[lo:hi]); ok {
				dst.Values[k], dst.Known[k] = v, true
			}
		}
	}
	return nil
}
