package whisper

import (
	"encoding/binary"
	"fmt"
	"math"
	"sync"
)

// Series is the result of a fetch: python's ((from, until, step), values).
// Values[i] belongs to the interval From + i*Step. Known[i] == false is
// python's None; a stored NaN is Known with a NaN value.
//
// len(Values) is normally (Until-From)/Step; as in python it is shorter
// when the requested range is longer than the archive (the ring is read
// once around).
type Series struct {
	From, Until, Step int64
	Values            []float64
	Known             []bool

	raw []byte // reused read buffer
}

// Len returns the number of values.
func (s *Series) Len() int { return len(s.Values) }

// At returns the timestamp, value and known flag of value i.
func (s *Series) At(i int) (ts int64, v float64, known bool) {
	return s.From + int64(i)*s.Step, s.Values[i], s.Known[i]
}

func (s *Series) resize(n int) {
	if cap(s.Values) < n {
		s.Values = make([]float64, n)
		s.Known = make([]bool, n)
	}
	s.Values, s.Known = s.Values[:n], s.Known[:n]
}

// maxFetchPoints bounds the values one fetch returns. Only an empty
// archive read with archiveToSelect over a range far longer than its
// retention can reach it (python would build the list, or fail with
// MemoryError); with data the ring is read at most once around.
const maxFetchPoints = 1 << 26

// FetchOptions tunes Fetch. A nil *FetchOptions is python's default.
type FetchOptions struct {
	// ArchiveToSelect picks the archive with exactly this many seconds per
	// point (python's archiveToSelect, e.g. ParseRetentionDef("1m:1")
	// gives 60); 0 selects by age as python does. No match is python's
	// ValueError("Invalid granularity: %d") (ErrInvalidGranularity).
	ArchiveToSelect uint32
	// Stitch (opt-in, not python) fills slots the selected archive lacks
	// from finer archives that still cover them: each missing slot gets
	// the file's aggregation of the finest archive's known points inside
	// it, regardless of xFilesFactor (whisper issue 329: coarse archives
	// stay empty when the xFilesFactor is never met).
	Stitch bool
}

// Fetch is python's file_fetch(fh, from, until, now, archiveToSelect): it
// returns nil, nil where python returns None (a range entirely in the
// future or entirely older than maxRetention). Pass until = now for
// python's untilTime=None.
func (w *File) Fetch(from, until, now int64, opts *FetchOptions) (*Series, error) {
	s := new(Series)
	if b, _ := fetchScratch.Get().(*[]byte); b != nil {
		s.raw = *b
	}
	ok, err := w.FetchInto(s, from, until, now, opts)
	if s.raw != nil { // the read buffer is not part of the result: reuse it
		b := s.raw[:0]
		s.raw = nil
		fetchScratch.Put(&b)
	}
	if err != nil || !ok {
		return nil, err
	}
	return s, nil
}

// fetchScratch holds read buffers for Fetch on the pread path, so a
// one-off Fetch allocates only the values it returns.
var fetchScratch sync.Pool

// FetchInto is Fetch into a reused Series: it allocates nothing once dst's
// buffers are large enough. It reports false where python returns None.
//
// Semantics (python 1.1.x): from > until is InvalidTimeInterval; from >
// now or until < now - maxRetention gives None; from is clipped to now -
// maxRetention and until to now; the archive is the finest whose retention
// covers now - from (not until - from); the window is the slots t with
// floor(from) < t <= floor(until) (floor = aligned to the step), i.e.
// fromInterval = floor(from)+step and untilInterval = floor(until)+step,
// and a zero-length window is widened by one step. A slot whose stored
// timestamp is not the one expected there is unknown (stale-slot masking).
func (w *File) FetchInto(dst *Series, from, until, now int64, opts *FetchOptions) (ok bool, err error) {
	if w.closed.Load() {
		return false, ErrClosed
	}
	w.countRead()
	w.mu.RLock()
	defer w.mu.RUnlock()
	defer w.recoverFault(&err, w.armFault())
	h := w.hdr
	if from > until {
		return false, newErr(ErrInvalidTimeInterval, "InvalidTimeInterval",
			"Invalid time interval: from time '%d' is after until time '%d'", from, until)
	}
	oldest := now - int64(h.MaxRetention)
	if from > now || until < oldest {
		return false, nil
	}
	from = max(from, oldest)
	until = min(until, now)
	ai, err := w.selectArchive(now-from, opts)
	if err != nil {
		return false, err
	}
	if err := w.archiveFetch(dst, ai, from, until); err != nil {
		return false, err
	}
	if opts != nil && opts.Stitch {
		if err := w.stitch(dst, ai, now); err != nil {
			return false, err
		}
	}
	return true, nil
}

func (w *File) selectArchive(diff int64, opts *FetchOptions) (int, error) {
	h := w.hdr
	if opts != nil && opts.ArchiveToSelect != 0 {
		for i := range h.Archives {
			if h.Archives[i].SecondsPerPoint == opts.ArchiveToSelect {
				return i, nil
			}
		}
		return 0, newErr(ErrInvalidGranularity, "ValueError", "Invalid granularity: %d", opts.ArchiveToSelect)
	}
	if len(h.Archives) == 0 {
		return 0, fmt.Errorf("%s: %w: the header lists no archives", w.name, ErrCorrupt)
	}
	for i := range h.Archives {
		if int64(h.Archives[i].Retention) >= diff {
			return i, nil
		}
	}
	return len(h.Archives) - 1, nil // python's loop variable keeps the last archive
}

// archiveFetch is python's __archive_fetch(fh, archive, from, until).
func (w *File) archiveFetch(dst *Series, ai int, from, until int64) error {
	a := &w.hdr.Archives[ai]
	step := int64(a.SecondsPerPoint)
	fromI := from - floorMod(from, step) + step
	untilI := until - floorMod(until, step) + step
	if fromI == untilI {
		untilI += step
	}
	dst.From, dst.Until, dst.Step = fromI, untilI, step
	if a.Points == 0 {
		return fmt.Errorf("%s: archive %d has no points (python: ZeroDivisionError)", w.name, ai)
	}
	base, err := w.base(ai)
	if err != nil {
		return err
	}
	if base == 0 {
		n := floorDiv(untilI-fromI, step) // python: [None] * n, empty when n < 0
		if n > maxFetchPoints {
			return fmt.Errorf("%s: fetching %d values from archive %d is more than the %d allowed", w.name, n, ai, maxFetchPoints)
		}
		dst.resize(int(max(n, 0)))
		clear(dst.Known)
		clear(dst.Values)
		return nil
	}
	P := int64(a.Points)
	fromPos, untilPos := slotPos(a, base, fromI), slotPos(a, base, untilI)
	cnt := untilPos - fromPos
	if fromPos >= untilPos {
		cnt = P - fromPos + untilPos
	}
	dst.resize(int(cnt))
	first := min(cnt, P-fromPos)
	if v := w.view(int64(a.Offset)+fromPos*pointSize, first*pointSize); v != nil {
		// decode straight from the mapping: no copy, no system call
		decodeSeries(v, dst.Values[:first], dst.Known[:first], fromI, step)
		if first < cnt {
			v2 := w.view(int64(a.Offset), (cnt-first)*pointSize)
			decodeSeries(v2, dst.Values[first:], dst.Known[first:], fromI+first*step, step)
		}
		return nil
	}
	nb := int(cnt) * pointSize
	if cap(dst.raw) < nb {
		dst.raw = make([]byte, nb)
	}
	raw := dst.raw[:nb]
	if err := w.readRing(a, fromPos, cnt, raw); err != nil {
		return err
	}
	decodeSeries(raw, dst.Values, dst.Known, fromI, step)
	return nil
}

// decodeSeries fills values/known from raw points expected at t0, t0+step, ...
func decodeSeries(raw []byte, values []float64, known []bool, t0, step int64) {
	n := len(values)
	raw = raw[:n*pointSize]
	known = known[:n]
	t := t0
	for k := 0; k < n; k++ {
		p := raw[k*pointSize : k*pointSize+pointSize]
		ok := int64(binary.BigEndian.Uint32(p)) == t
		v := math.Float64frombits(binary.BigEndian.Uint64(p[4:]))
		if !ok {
			v = 0
		}
		values[k], known[k] = v, ok
		t += step
	}
}
