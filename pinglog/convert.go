package pinglog

import (
	"fmt"
	"math"
)

// Sentinel returns the all-ones timeout value of a width-byte latency
// field (65535 for the usual 2 bytes).
func Sentinel(width int) uint64 {
	if width >= 8 {
		return math.MaxUint64
	}
	return 1<<(8*width) - 1
}

// LegacyHeader4 returns a version-4 header for records converted from a
// version 2/3 log with width-byte latencies: times in seconds, values the
// stored integers, Lost and Timeout for the timeout sentinel. For 2-byte logs the
// latency is Value/65534 seconds (database.py's encoding); for other
// widths the unit is not defined by the original and Scale is 1.
func LegacyHeader4(width int, records uint64, created int64) Header4 {
	h := Header4{ByteOrder: 'L', BlockSize: 16384, MaxPerBlock: v4DefaultPer, Interval: 1,
		TimeUnit: UnitSeconds, LatencyUnit: UnitMilliseconds, LegacyWidth: uint8(width), Scale: 1, Created: created}
	if width == 2 {
		h.LatencyUnit, h.Scale = UnitSeconds, 1.0/65534
	}
	blocks := (records + uint64(h.MaxPerBlock) - 1) / uint64(h.MaxPerBlock)
	h.Capacity = uint32(max(blocks+1, 2))
	return h
}

// FromLegacy turns version 2/3 records into version-4 records: the stored
// integer becomes the value, the sentinel becomes a loss.
func FromLegacy(recs []Record, width int) []Record4 {
	out := make([]Record4, len(recs))
	s := Sentinel(width)
	for i, r := range recs {
		if r.Value == s {
			out[i] = Record4{Time: int64(r.Time), Lost: true, Timeout: true}
		} else {
			out[i] = Record4{Time: int64(r.Time), Value: float64(r.Value)}
		}
	}
	return out
}

// ToLegacy turns version-4 records into width-byte version 2/3 records.
// With h.LegacyWidth set the values are the stored integers (exact);
// otherwise the latency (Value × Scale in LatencyUnit) is encoded as
// database.py does for 2-byte logs, which quantizes it to 1/65534 s and
// maps anything above 1 s to the timeout.
func ToLegacy(h Header4, recs []Record4, width int) ([]Record, error) {
	out := make([]Record, len(recs))
	s := Sentinel(width)
	for i, r := range recs {
		if r.Time < 0 || r.Time > math.MaxUint32 {
			return nil, fmt.Errorf("%w: record %d time %d does not fit 4 bytes", ErrRange, i, r.Time)
		}
		if h.TimeUnit != UnitSeconds {
			return nil, fmt.Errorf("%w: version 2/3 times are seconds, this log's unit is 10^-%d s", ErrRange, h.TimeUnit)
		}
		out[i].Time = uint32(r.Time)
		switch {
		case r.Lost:
			out[i].Value = s
		case h.LegacyWidth != 0:
			v := r.Value
			if v != math.Trunc(v) || v < 0 || v >= float64(s) {
				return nil, fmt.Errorf("%w: record %d value %v is not a %d-byte integer below the sentinel", ErrRange, i, v, width)
			}
			out[i].Value = uint64(v)
		default:
			if width != 2 {
				return nil, fmt.Errorf("%w: only 2-byte version 3 logs have a defined latency encoding", ErrRange)
			}
			sec := r.Value * h.Scale / math.Pow10(int(h.LatencyUnit))
			out[i].Value = uint64(SecondsToShort(sec, true))
		}
	}
	return out, nil
}
