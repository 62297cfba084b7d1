package pinglog

import (
	"fmt"
	"sort"
)

// CheckReport is what Check finds in a log.
type CheckReport struct {
	Records  int      // records readable
	Blocks   int      // version 4: blocks in use
	Empty    int      // version 4: never-written slots
	Torn     []uint32 // version 4: slots with a block image that fails its checks (a write cut by a crash, or one in progress)
	Orphans  []uint64 // version 4: valid blocks outside the newest run (left by a torn write in the middle)
	Warnings []string // facts worth knowing that are not damage (times going backwards, stale v3 slots)
	Errors   []string // damage: data that should decode and does not
}

// OK reports whether Check found no damage.
func (r *CheckReport) OK() bool { return len(r.Errors) == 0 }

// Check verifies a version-4 log: every slot is classified, every block
// in use is re-read, its CRC checked, decoded, and its records compared
// with its header (count, loss count, time range); block time ranges
// should not overlap.
func (l *Log4) Check() (*CheckReport, error) {
	rep := &CheckReport{}
	var valid []blockInfo
	for s := uint32(0); s < l.h.Capacity; s++ {
		b, err := l.readSlot(s)
		if err != nil {
			return nil, err
		}
		bi, ok := parseBlock(l.h, s, b)
		switch {
		case ok:
			valid = append(valid, bi)
		case string(b[:4]) == v4BlockMagic:
			rep.Torn = append(rep.Torn, s)
		default:
			rep.Empty++
		}
	}
	sort.Slice(valid, func(i, j int) bool { return valid[i].Seq < valid[j].Seq })
	start := len(valid) - 1
	for start > 0 && valid[start-1].Seq+1 == valid[start].Seq {
		start--
	}
	for _, bi := range valid[:max(start, 0)] {
		rep.Orphans = append(rep.Orphans, bi.Seq)
	}
	run := valid[max(start, 0):]
	rep.Blocks = len(run)
	prevMax := int64(-1 << 63)
	for i, bi := range run {
		recs, err := l.readBlock(bi, nil)
		if err != nil {
			rep.Errors = append(rep.Errors, fmt.Sprintf("block %d (slot %d): %v", bi.Seq, bi.Slot, err))
			continue
		}
		lost := 0
		mn, mx := recs[0].Time, recs[0].Time
		for _, r := range recs {
			mn, mx = min(mn, r.Time), max(mx, r.Time)
			if r.Lost {
				lost++
			}
		}
		if len(recs) != int(bi.Count) || lost != int(bi.Lost) || mn != bi.MinTime || mx != bi.MaxTime {
			rep.Errors = append(rep.Errors, fmt.Sprintf("block %d (slot %d): header says %d records, %d lost, times %d..%d; payload has %d, %d, %d..%d",
				bi.Seq, bi.Slot, bi.Count, bi.Lost, bi.MinTime, bi.MaxTime, len(recs), lost, mn, mx))
		}
		if i > 0 && bi.MinTime < prevMax {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("block %d starts at %d, before the previous block's last time %d: time search is unreliable", bi.Seq, bi.MinTime, prevMax))
		}
		if !bi.Sealed && i != len(run)-1 {
			rep.Errors = append(rep.Errors, fmt.Sprintf("block %d (slot %d) is unfinished but not the newest", bi.Seq, bi.Slot))
		}
		prevMax = max(prevMax, bi.MaxTime)
		rep.Records += len(recs)
	}
	if len(rep.Torn) > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d slot(s) hold a torn or in-progress block (%v): the unfinished block of a crash, ignored", len(rep.Torn), rep.Torn))
	}
	if len(rep.Orphans) > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d valid block(s) outside the newest run (seq %v), ignored", len(rep.Orphans), rep.Orphans))
	}
	return rep, nil
}

// Check verifies a version-3 log: the header (already checked by Open3),
// every record readable, times non-decreasing in chronological order, and
// stale slots after number_of_records.
func (l *Log3) Check() (*CheckReport, error) {
	rep := &CheckReport{}
	recs, err := l.Records()
	if err != nil {
		rep.Errors = append(rep.Errors, err.Error())
		return rep, nil
	}
	rep.Records = len(recs)
	back := 0
	for i := 1; i < len(recs); i++ {
		if recs[i].Time < recs[i-1].Time {
			if back == 0 {
				rep.Warnings = append(rep.Warnings, fmt.Sprintf("time goes backwards at record %d (%d after %d): read_records and Search assume order", i, recs[i].Time, recs[i-1].Time))
			}
			back++
		}
	}
	if back > 1 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d records in all are earlier than their predecessor", back))
	}
	slots, err := l.Slots()
	if err != nil {
		return nil, err
	}
	if extra := len(slots) - len(recs); extra > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d stale record slot(s) after number_of_records (left by write_all_records or preallocation)", extra))
	}
	return rep, nil
}
