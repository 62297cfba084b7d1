package whisper

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"ringvault/storage"
)

// resizeHook, if set (tests only), is called at each step of Resize; an
// error stops Resize there as a crash would.
var resizeHook func(stage string) error

func hook(stage string) error {
	if resizeHook == nil {
		return nil
	}
	return resizeHook(stage)
}

// ResizeOptions tunes Resize (whisper-resize's options). A nil
// *ResizeOptions keeps the file's xFilesFactor and aggregation method,
// migrates without aggregation and keeps a .bak copy.
type ResizeOptions struct {
	// XFilesFactor of the new file; nil keeps the old one.
	XFilesFactor *float64
	// AggregationMethod of the new file; 0 keeps the old one.
	AggregationMethod AggregationMethod
	// Aggregate rebuilds every new archive from all old points with the
	// aggregation method and xFilesFactor (whisper-resize --aggregate, as
	// on whisper master; Debian's 1.1.4 script crashes on python 3).
	Aggregate bool
	// Sparse and Fallocate choose how the new file is created (master's
	// --sparse / --fallocate); with neither the data is zero-filled.
	Sparse, Fallocate bool
	// NoBackup removes path.bak afterwards (--nobackup).
	NoBackup bool
	// NewFile writes the result there and leaves path alone (--newfile);
	// it must not exist.
	NewFile string
	// Progress, if set, is called with the points written so far and the
	// total to write.
	Progress func(done, total int64)
}

// Resize is whisper-resize path archives...: it reads every archive of the
// old file (from now - retention + secondsPerPoint to now, with python's
// fetch), creates a new file with the new archives and copies the data
// (without Aggregate: update_many of each old archive's known points,
// coarsest first; with Aggregate: every new archive rebuilt by aggregating
// the old points that fall into each of its slots), then puts it in place.
//
// Unlike the python script it is atomic and durable: the new file is
// written under a temporary name, fsynced, and renamed over path (after
// hard-linking the old file to path.bak unless NoBackup), so a crash at
// any moment leaves path holding either the complete old file or the
// complete new one. Holes stay holes with Sparse.
func Resize(path string, archives []ArchiveSpec, now int64, opts *ResizeOptions) error {
	var o ResizeOptions
	if opts != nil {
		o = *opts
	}
	old, err := Open(path, &OpenOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer old.Close()
	oh := old.hdr
	xff := float64(oh.XFilesFactor)
	if o.XFilesFactor != nil {
		xff = *o.XFilesFactor
	}
	m := oh.AggregationMethod
	if o.AggregationMethod != 0 {
		m = o.AggregationMethod
	}
	nh, err := NewHeader(archives, m, xff)
	if err != nil {
		return err
	}
	data, err := oldData(old, now)
	if err != nil {
		return err
	}
	return writeResized(path, nh, data, now, xff, &o)
}

// oldData is whisper-resize's "Retrieving all data from the archives": each
// old archive, coarsest first, fetched from now - retention + step to now.
func oldData(old *File, now int64) ([]*Series, error) {
	oh := old.hdr
	order := make([]int, len(oh.Archives))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return oh.Archives[order[a]].SecondsPerPoint > oh.Archives[order[b]].SecondsPerPoint
	})
	data := make([]*Series, len(order))
	for k, ai := range order {
		a := &oh.Archives[ai]
		s, err := old.Fetch(now-int64(a.Retention)+int64(a.SecondsPerPoint), now, now, nil)
		if err != nil {
			return nil, err
		}
		data[k] = s
	}
	return data, nil
}

// writeResized creates the new file next to its destination, copies data
// into it and puts it in place atomically.
func writeResized(path string, nh *Header, data []*Series, now int64, xff float64, o *ResizeOptions) error {
	dir := filepath.Dir(path)
	if o.NewFile != "" {
		dir = filepath.Dir(o.NewFile)
		if _, err := os.Lstat(o.NewFile); err == nil {
			return errConfig("File %s already exists!", o.NewFile)
		}
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	tmp := filepath.Join(dir, "."+filepath.Base(path)+".resize-"+hex.EncodeToString(rnd[:]))
	f, err := storage.CreateExclusive(tmp, 0o644)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := writeNew(f, nh, &CreateOptions{Sparse: o.Sparse, Fallocate: o.Fallocate}); err != nil {
		return fmt.Errorf("%s: %w", tmp, err)
	}
	if err := hook("created"); err != nil {
		return err
	}
	nw, err := OpenFile(f, tmp)
	if err != nil {
		return err
	}
	if o.Aggregate {
		err = resizeAggregate(nw, data, now, xff, o.Progress)
	} else {
		err = resizeCopy(nw, data, now, o.Progress)
	}
	if err != nil {
		return err
	}
	if err := hook("written"); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("%s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %w", tmp, err)
	}
	done = true
	if o.NewFile != "" {
		if err := os.Link(tmp, o.NewFile); err != nil {
			os.Remove(tmp)
			if os.IsExist(err) {
				return errConfig("File %s already exists!", o.NewFile)
			}
			return err
		}
		os.Remove(tmp)
		return storage.SyncDir(dir)
	}
	if err := hook("synced"); err != nil {
		os.Remove(tmp)
		return err
	}
	if !o.NoBackup {
		bak := path + ".bak"
		os.Remove(bak)
		if err := os.Link(path, bak); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("keeping a backup of %s: %w", path, err)
		}
	}
	if err := hook("backup"); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := storage.ReplaceFile(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func countKnown(data []*Series) int64 {
	var n int64
	for _, s := range data {
		if s == nil {
			continue
		}
		for _, k := range s.Known {
			if k {
				n++
			}
		}
	}
	return n
}

// resizeCopy is whisper-resize without --aggregate: update_many of each
// old archive's known points, coarsest archive first.
func resizeCopy(nw *File, data []*Series, now int64, progress func(done, total int64)) error {
	total := countKnown(data)
	var done int64
	var pts []Point
	for _, s := range data {
		if s == nil {
			continue
		}
		pts = pts[:0]
		for i := range s.Values {
			if s.Known[i] {
				pts = append(pts, Point{s.From + int64(i)*s.Step, s.Values[i]})
			}
		}
		if err := nw.UpdateMany(pts, now); err != nil {
			return err
		}
		done += int64(len(pts))
		if progress != nil {
			progress(done, total)
		}
	}
	return nil
}

// resizeAggregate is whisper-resize --aggregate (whisper master): all old
// points, finest archive first, joined into one time-ordered list; each new
// archive's buckets [t, t+step) for t from now - retention + now%step get
// the aggregate of the old points inside when the share of known ones
// reaches xff, written at t (aligned down by update_many). Unless now is a
// multiple of the step the buckets are not aligned, so values can land one
// slot early — python's behaviour (whisper#299), kept for byte equality.
func resizeAggregate(nw *File, data []*Series, now int64, xff float64, progress func(done, total int64)) error {
	type tv struct {
		t     int64
		v     float64
		known bool
	}
	var all []tv
	for k := len(data) - 1; k >= 0; k-- { // finest first
		s := data[k]
		if s == nil {
			continue
		}
		nd := make([]tv, 0, len(s.Values))
		for i := range s.Values {
			t := s.From + int64(i)*s.Step
			if t >= s.Until {
				break
			}
			nd = append(nd, tv{t, s.Values[i], s.Known[i]})
		}
		slices.Reverse(nd)
		if len(all) > 0 {
			last := all[len(all)-1].t
			sliceEnd := 0
			for i := range nd {
				if nd[i].t < last {
					sliceEnd = i
					break
				}
			}
			all = append(all, nd[sliceEnd:]...)
		} else {
			all = append(all, nd...)
		}
	}
	slices.Reverse(all)
	h := nw.hdr
	var total int64
	for _, a := range h.Archives {
		total += int64(a.Points)
	}
	var done int64
	var known, vals []float64
	var ok []bool
	for _, a := range h.Archives {
		step := int64(a.SecondsPerPoint)
		fromTime := now - int64(a.Retention) + floorMod(now, step)
		untilTime := now + floorMod(now, step) + step
		var pts []Point
		for t0 := fromTime; t0+step < untilTime; t0 += step {
			t1 := t0 + step
			lefti := sort.Search(len(all), func(i int) bool { return all[i].t >= t0 })
			righti := lefti + sort.Search(len(all)-lefti, func(i int) bool { return all[lefti+i].t >= t1 })
			if righti == lefti {
				continue
			}
			known, vals, ok = known[:0], vals[:0], ok[:0]
			for _, p := range all[lefti:righti] {
				if p.known {
					known = append(known, p.v)
				}
				vals = append(vals, p.v)
				ok = append(ok, p.known)
			}
			if len(known) == 0 || float64(len(known))/float64(len(vals)) < xff {
				continue
			}
			if v, good := aggregate(h.AggregationMethod, known, vals, ok); good {
				pts = append(pts, Point{t0, v})
			}
		}
		if err := nw.UpdateMany(pts, now); err != nil {
			return err
		}
		done += int64(a.Points)
		if progress != nil {
			progress(done, total)
		}
	}
	return nil
}
