package graphite

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrBadTime is returned for a from/until/now value ParseATTime rejects.
var ErrBadTime = errors.New("graphite: bad time")

var (
	atMonths   = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
	atWeekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
)

// ParseATTime is graphite-web's parseATTime (render/attime.py): an epoch
// ("1700000000"), a reference ("now", "noon", "6pm", "12:30_20240101",
// "yesterday", "20240101", "01/31/24", "jan5", "monday") optionally followed
// by an offset ("-1h", "+2d", "-1h30min"; units s, min, h, d, w, mon (30
// days), y (365 days)). Underscores, commas and spaces are ignored, case
// does not matter. Wall-clock references are in loc; now is the reference
// for "now" and relative times.
func ParseATTime(s string, now time.Time, loc *time.Location) (time.Time, error) {
	orig := s
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer("_", "", ",", "", " ", "").Replace(s)
	if s != "" && isDigits(s) {
		if !(len(s) == 8 && atoi(s[:4]) > 1900 && atoi(s[4:6]) < 13 && atoi(s[6:]) < 32) {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n > 1<<40 {
				return time.Time{}, fmt.Errorf("%w: %q: epoch out of range", ErrBadTime, orig)
			}
			return time.Unix(n, 0).In(loc), nil
		}
	}
	ref, offset := s, ""
	if i := strings.IndexByte(s, '+'); i >= 0 {
		ref, offset = s[:i], s[i:]
	} else if i := strings.IndexByte(s, '-'); i >= 0 {
		ref, offset = s[:i], s[i:]
	}
	t, err := parseTimeReference(ref, now.In(loc), loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q: %v", ErrBadTime, orig, err)
	}
	d, err := ParseTimeOffset(offset)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q: %v", ErrBadTime, orig, err)
	}
	return t.Add(d), nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi parses a short run of digits (callers check isDigits first).
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func parseTimeReference(ref string, now time.Time, loc *time.Location) (time.Time, error) {
	if ref == "" || ref == "now" {
		return now, nil
	}
	raw := ref
	hour, minute := 0, 0
	if i := strings.IndexByte(ref, ':'); i > 0 && i < 3 {
		if !isDigits(ref[:i]) || len(ref) < i+3 || !isDigits(ref[i+1:i+3]) {
			return time.Time{}, fmt.Errorf("bad time of day in %q", raw)
		}
		hour, minute = atoi(ref[:i]), atoi(ref[i+1:i+3])
		ref = ref[i+3:]
		if strings.HasPrefix(ref, "am") {
			ref = ref[2:]
		} else if strings.HasPrefix(ref, "pm") {
			hour = (hour + 12) % 24
			ref = ref[2:]
		}
	}
	if i := strings.Index(ref, "am"); i > 0 && i < 3 {
		if !isDigits(ref[:i]) {
			return time.Time{}, fmt.Errorf("bad hour in %q", raw)
		}
		hour = atoi(ref[:i])
		ref = ref[i+2:]
	}
	if i := strings.Index(ref, "pm"); i > 0 && i < 3 {
		if !isDigits(ref[:i]) {
			return time.Time{}, fmt.Errorf("bad hour in %q", raw)
		}
		hour = (atoi(ref[:i]) + 12) % 24
		ref = ref[i+2:]
	}
	switch {
	case strings.HasPrefix(ref, "noon"):
		hour, minute, ref = 12, 0, ref[4:]
	case strings.HasPrefix(ref, "midnight"):
		hour, minute, ref = 0, 0, ref[8:]
	case strings.HasPrefix(ref, "teatime"):
		hour, minute, ref = 16, 0, ref[7:]
	}
	if hour > 23 || minute > 59 {
		return time.Time{}, fmt.Errorf("hour or minute out of range in %q", raw)
	}
	y, m, d := now.Date()
	date := func(y int, m time.Month, d int) (time.Time, error) {
		if m < 1 || m > 12 || d < 1 || d > daysIn(m, y) {
			return time.Time{}, fmt.Errorf("day out of range in %q", raw)
		}
		return time.Date(y, m, d, hour, minute, 0, 0, loc), nil
	}
	switch {
	case ref == "yesterday" || ref == "today" || ref == "tomorrow" || ref == "":
		t, err := date(y, m, d)
		if ref == "yesterday" {
			t = t.AddDate(0, 0, -1)
		} else if ref == "tomorrow" {
			t = t.AddDate(0, 0, 1)
		}
		return t, err
	case strings.Count(ref, "/") == 2:
		p := strings.Split(ref, "/")
		for _, x := range p {
			if x == "" || !isDigits(x) || len(x) > 4 {
				return time.Time{}, fmt.Errorf("bad MM/DD/YY date %q", raw)
			}
		}
		yy := atoi(p[2])
		if yy < 1900 {
			yy += 1900
		}
		if yy < 1970 {
			yy += 100
		}
		return date(yy, time.Month(atoi(p[0])), atoi(p[1]))
	case len(ref) == 8 && isDigits(ref):
		return date(atoi(ref[:4]), time.Month(atoi(ref[4:6])), atoi(ref[6:]))
	case len(ref) >= 3 && indexOf(atMonths, ref[:3]) >= 0:
		day := -1
		if n := len(ref); n >= 2 && isDigits(ref[n-2:]) {
			day = atoi(ref[n-2:])
		} else if n >= 1 && isDigits(ref[n-1:]) {
			day = atoi(ref[n-1:])
		} else {
			return time.Time{}, fmt.Errorf("day of month required after month name in %q", raw)
		}
		return date(y, time.Month(indexOf(atMonths, ref[:3])+1), day)
	case len(ref) >= 3 && indexOf(atWeekdays, ref[:3]) >= 0:
		t, err := date(y, m, d)
		off := int(t.Weekday()) - indexOf(atWeekdays, ref[:3])
		if off < 0 {
			off += 7
		}
		return t.AddDate(0, 0, -off), err
	}
	return time.Time{}, fmt.Errorf("unknown day reference %q", raw)
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// ParseTimeOffset is graphite-web's parseTimeOffset: "-1h", "+30min",
// "2d", "-1h30min", "" (zero). Units: s…, min…, h…, d…, w…, mon… (30 days),
// y… (365 days).
func ParseTimeOffset(offset string) (time.Duration, error) {
	if offset == "" {
		return 0, nil
	}
	sign := int64(1)
	switch offset[0] {
	case '+':
		offset = offset[1:]
	case '-':
		sign = -1
		offset = offset[1:]
	default:
		if offset[0] < '0' || offset[0] > '9' {
			return 0, fmt.Errorf("invalid offset %q", offset)
		}
	}
	var total int64
	for offset != "" {
		i := 0
		for i < len(offset) && offset[i] >= '0' && offset[i] <= '9' {
			i++
		}
		if i == 0 || i > 12 {
			return 0, fmt.Errorf("invalid offset number in %q", offset)
		}
		num, _ := strconv.ParseInt(offset[:i], 10, 64)
		offset = offset[i:]
		j := 0
		for j < len(offset) && offset[j] >= 'a' && offset[j] <= 'z' {
			j++
		}
		unit := offset[:j]
		offset = offset[j:]
		secs, err := unitSeconds(unit)
		if err != nil {
			return 0, err
		}
		total += sign * num * secs
		if total > 1<<40 || total < -(1<<40) {
			return 0, fmt.Errorf("offset out of range")
		}
	}
	return time.Duration(total) * time.Second, nil
}

// unitSeconds is graphite-web's getUnitString, in seconds.
func unitSeconds(u string) (int64, error) {
	switch {
	case strings.HasPrefix(u, "s"):
		return 1, nil
	case strings.HasPrefix(u, "min"):
		return 60, nil
	case strings.HasPrefix(u, "h"):
		return 3600, nil
	case strings.HasPrefix(u, "d"):
		return 86400, nil
	case strings.HasPrefix(u, "w"):
		return 7 * 86400, nil
	case strings.HasPrefix(u, "mon"):
		return 30 * 86400, nil
	case strings.HasPrefix(u, "y"):
		return 365 * 86400, nil
	}
	return 0, fmt.Errorf("invalid offset unit %q", u)
}
