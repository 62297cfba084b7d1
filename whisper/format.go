package whisper

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Wire constants. They are the file format: never change them.
const (
	metadataSize    = 16 // "!2LfL": aggregationType, maxRetention, xFilesFactor, archiveCount
	archiveInfoSize = 12 // "!3L": offset, secondsPerPoint, points
	pointSize       = 12 // "!Ld": timestamp, value
)

// AggregationMethod is how a coarser archive's point is computed from the
// finer archive's points (python's aggregationType, stored as uint32).
type AggregationMethod uint32

// The aggregation methods with python's type IDs.
const (
	Average AggregationMethod = 1
	Sum     AggregationMethod = 2
	Last    AggregationMethod = 3
	Max     AggregationMethod = 4
	Min     AggregationMethod = 5
	AvgZero AggregationMethod = 6
	AbsMax  AggregationMethod = 7
	AbsMin  AggregationMethod = 8
)

var methodNames = [...]string{"", "average", "sum", "last", "max", "min", "avg_zero", "absmax", "absmin"}

// AggregationMethods lists the method names in python's aggregationMethods
// order (average, sum, last, max, min, avg_zero, absmax, absmin).
var AggregationMethods = []string{"average", "sum", "last", "max", "min", "avg_zero", "absmax", "absmin"}

// String returns python's name of the method ("average", "avg_zero", ...),
// or "unknown(N)".
func (m AggregationMethod) String() string {
	if m.Valid() {
		return methodNames[m]
	}
	return fmt.Sprintf("unknown(%d)", uint32(m))
}

// Valid reports whether m is one of the eight methods python knows.
func (m AggregationMethod) Valid() bool { return m >= Average && m <= AbsMin }

// ParseAggregationMethod maps python's name to the method; an unknown name
// gives python's InvalidAggregationMethod("Unrecognized aggregation method: %s").
func ParseAggregationMethod(s string) (AggregationMethod, error) {
	for i, n := range methodNames {
		if i > 0 && n == s {
			return AggregationMethod(i), nil
		}
	}
	return 0, newErr(ErrInvalidAggregationMethod, "InvalidAggregationMethod",
		"Unrecognized aggregation method: %s", s)
}

// ArchiveSpec is one archive of a file to create: python's
// (secondsPerPoint, points) tuple.
type ArchiveSpec struct {
	SecondsPerPoint uint32
	Points          uint32
}

// Retention is SecondsPerPoint × Points in seconds (saturating at 2³²−1).
func (a ArchiveSpec) Retention() uint32 {
	r := uint64(a.SecondsPerPoint) * uint64(a.Points)
	if r > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(r)
}

func (a ArchiveSpec) retention64() int64 { return int64(a.SecondsPerPoint) * int64(a.Points) }

// String is python's repr of the tuple: "(60, 1440)".
func (a ArchiveSpec) String() string { return fmt.Sprintf("(%d, %d)", a.SecondsPerPoint, a.Points) }

var unitNames = [...]string{"seconds", "minutes", "hours", "days", "weeks", "years"}
var unitSeconds = [...]uint64{1, 60, 3600, 86400, 86400 * 7, 86400 * 365}

// unitMultiplier is python's UnitMultipliers[getUnitString(s)]: s is a
// prefix of a unit name, the first in seconds..years order wins.
func unitMultiplier(s string) (uint64, error) {
	for i, n := range unitNames {
		if strings.HasPrefix(n, s) {
			return unitSeconds[i], nil
		}
	}
	return 0, newErr(ErrInvalidRetention, "ValueError", "Invalid unit '%s'", s)
}

// splitNumUnit matches python's r'^(\d+)([a-z]+)$' (where $ also matches
// before one trailing newline).
func splitNumUnit(s string) (num, unit string, ok bool) {
	s = strings.TrimSuffix(s, "\n")
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i == len(s) {
		return "", "", false
	}
	for j := i; j < len(s); j++ {
		if s[j] < 'a' || s[j] > 'z' {
			return "", "", false
		}
	}
	return s[:i], s[i:], true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseUint(s, what, orig string) (uint64, error) {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v > math.MaxUint32 {
		return 0, newErr(ErrInvalidRetention, "ValueError", "Invalid %s specification '%s' (more than 4294967295)", what, orig)
	}
	return v, nil
}

// ParseRetentionDef is python's parseRetentionDef: "precision:points" where
// each side is digits (seconds / a point count) or digits followed by a unit
// prefix (s, m/min, h, d, w, y = 365 days); a duration is divided by the
// precision (floor). Errors carry python's ValueError texts ("Invalid
// retention definition '%s'", "Invalid precision specification '%s'",
// "Invalid retention specification '%s'", "Invalid unit '%s'"). Values that
// do not fit the file's uint32 fields, and a zero precision with a
// duration (python: ZeroDivisionError), are errors too.
func ParseRetentionDef(s string) (ArchiveSpec, error) {
	t := strings.TrimSpace(s)
	precStr, pointsStr, found := strings.Cut(t, ":")
	if !found {
		return ArchiveSpec{}, newErr(ErrInvalidRetention, "ValueError", "Invalid retention definition '%s'", s)
	}
	var precision uint64
	if isDigits(precStr) {
		v, err := parseUint(precStr, "precision", precStr)
		if err != nil {
			return ArchiveSpec{}, err
		}
		precision = v
	} else {
		num, unit, ok := splitNumUnit(precStr)
		if !ok {
			return ArchiveSpec{}, newErr(ErrInvalidRetention, "ValueError", "Invalid precision specification '%s'", precStr)
		}
		mult, err := unitMultiplier(unit)
		if err != nil {
			return ArchiveSpec{}, err
		}
		v, err := parseUint(num, "precision", precStr)
		if err != nil {
			return ArchiveSpec{}, err
		}
		precision = v * mult
		if precision > math.MaxUint32 {
			return ArchiveSpec{}, newErr(ErrInvalidRetention, "ValueError", "Invalid precision specification '%s' (more than 4294967295 seconds)", precStr)
		}
	}
	var points uint64
	if isDigits(pointsStr) {
		v, err := parseUint(pointsStr, "retention", pointsStr)
		if err != nil {
			return ArchiveSpec{}, err
		}
		points = v
	} else {
		num, unit, ok := splitNumUnit(pointsStr)
		if !ok {
			return ArchiveSpec{}, newErr(ErrInvalidRetention, "ValueError", "Invalid retention specification '%s'", pointsStr)
		}
		mult, err := unitMultiplier(unit)
		if err != nil {
			return ArchiveSpec{}, err
		}
		v, err := parseUint(num, "retention", pointsStr)
		if err != nil {
			return ArchiveSpec{}, err
		}
		if precision == 0 {
			return ArchiveSpec{}, newErr(ErrInvalidRetention, "ZeroDivisionError", "integer division or modulo by zero")
		}
		points = v * mult / precision
		if points > math.MaxUint32 {
			return ArchiveSpec{}, newErr(ErrInvalidRetention, "ValueError", "Invalid retention specification '%s' (more than 4294967295 points)", pointsStr)
		}
	}
	return ArchiveSpec{SecondsPerPoint: uint32(precision), Points: uint32(points)}, nil
}

// ValidateArchiveList is python's validateArchiveList: it sorts archives in
// place by precision (stable, like python's list.sort) and checks, with
// python's InvalidConfiguration messages, that there is at least one
// archive, no two share a precision, each precision divides the next, each
// retention is longer than the previous and each archive has enough points
// to consolidate into the next. Beyond python, a precision of 0 (python
// fails later with ZeroDivisionError) and a retention that does not fit the
// header's uint32 maxRetention (python: struct.error) are rejected.
func ValidateArchiveList(archives []ArchiveSpec) error {
	if len(archives) == 0 {
		return errConfig("You must specify at least one archive configuration!")
	}
	sort.SliceStable(archives, func(i, j int) bool { return archives[i].SecondsPerPoint < archives[j].SecondsPerPoint })
	if archives[0].SecondsPerPoint == 0 {
		return errConfig("Archive0 has a precision of 0 seconds per point")
	}
	for i, a := range archives {
		if i == len(archives)-1 {
			break
		}
		next := archives[i+1]
		if !(a.SecondsPerPoint < next.SecondsPerPoint) {
			return errConfig("A Whisper database may not be configured having two archives with the same precision (archive%d: %s, archive%d: %s)", i, a, i+1, next)
		}
		if next.SecondsPerPoint%a.SecondsPerPoint != 0 {
			return errConfig("Higher precision archives' precision must evenly divide all lower precision archives' precision (archive%d: %d, archive%d: %d)", i, a.SecondsPerPoint, i+1, next.SecondsPerPoint)
		}
		r, nr := a.retention64(), next.retention64()
		if !(nr > r) {
			return errConfig("Lower precision archives must cover larger time intervals than higher precision archives (archive%d: %d seconds, archive%d: %d seconds)", i, r, i+1, nr)
		}
		ppc := next.SecondsPerPoint / a.SecondsPerPoint
		if !(a.Points >= ppc) {
			return errConfig("Each archive must have at least enough points to consolidate to the next archive (archive%d consolidates %d of archive%d's points but it has only %d total points)", i+1, ppc, i, a.Points)
		}
	}
	for i, a := range archives {
		if a.retention64() > math.MaxUint32 {
			return errConfig("Archive%d retention %d seconds does not fit in 32 bits", i, a.retention64())
		}
	}
	return nil
}
