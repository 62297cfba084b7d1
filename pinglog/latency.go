package pinglog

import "math"

// Timeout is the in-band sentinel of version 2/3 2-byte latencies: no reply
// within a second (or a reply later than 1 s).
const Timeout = 65535

// SecondsToShort is database.py's seconds_to_short_latency: round(seconds ×
// 65534) with Python's round-half-to-even, and Timeout for a lost probe
// (ok false), a negative latency or one above 1 s.
func SecondsToShort(seconds float64, ok bool) uint16 {
	if !ok {
		return Timeout
	}
	r := math.RoundToEven(seconds * 65534)
	if !(r >= 0 && r <= 65535) { // also NaN
		return Timeout
	}
	return uint16(r)
}

// ShortToSeconds is database.py's short_latency_to_seconds: the stored
// integer over 65534, or ok false for Timeout.
func ShortToSeconds(v uint16) (seconds float64, ok bool) {
	if v == Timeout {
		return 0, false
	}
	return float64(v) / 65534.0, true
}
