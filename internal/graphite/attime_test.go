package graphite

import (
	"testing"
	"time"
)

func TestParseATTime(t *testing.T) {
	// now is Tuesday 2023-11-14 22:13:20 UTC.
	now := time.Unix(1700000000, 0).UTC()
	day := func(y int, m time.Month, d, h, min int) int64 {
		return time.Date(y, m, d, h, min, 0, 0, time.UTC).Unix()
	}
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"now", 1700000000},
		{"", 1700000000},
		{"1600000000", 1600000000},
		{"-1h", 1700000000 - 3600},
		{"-1d", 1700000000 - 86400},
		{"-7d", 1700000000 - 7*86400},
		{"-5min", 1700000000 - 300},
		{"-30s", 1700000000 - 30},
		{"-2w", 1700000000 - 14*86400},
		{"-1mon", 1700000000 - 30*86400},
		{"-1y", 1700000000 - 365*86400},
		{"-1h30min", 1700000000 - 5400},
		{"+1h", 1700000000 + 3600},
		{"now-1h", 1700000000 - 3600},
		{"NOW - 1H", 1700000000 - 3600},
		{"12:00_20240101", day(2024, 1, 1, 12, 0)},
		{"04:30_20231231", day(2023, 12, 31, 4, 30)},
		{"20240101", day(2024, 1, 1, 0, 0)},
		{"midnight", day(2023, 11, 14, 0, 0)},
		{"noon", day(2023, 11, 14, 12, 0)},
		{"teatime", day(2023, 11, 14, 16, 0)},
		{"noon yesterday", day(2023, 11, 13, 12, 0)},
		{"6pm today", day(2023, 11, 14, 18, 0)},
		{"6am tomorrow", day(2023, 11, 15, 6, 0)},
		{"yesterday", day(2023, 11, 13, 0, 0)},
		{"11/01/23", day(2023, 11, 1, 0, 0)},
		{"01/02/1999", day(1999, 1, 2, 0, 0)},
		{"jan5", day(2023, 1, 5, 0, 0)},
		{"march 12", day(2023, 3, 12, 0, 0)},
		{"monday", day(2023, 11, 13, 0, 0)},
		{"tuesday", day(2023, 11, 14, 0, 0)},
		{"wed", day(2023, 11, 8, 0, 0)},
		{"midnight-1d", day(2023, 11, 13, 0, 0)},
		{"10:15pm 20231110", day(2023, 11, 10, 22, 15)},
	} {
		got, err := ParseATTime(c.in, now, time.UTC)
		if err != nil {
			t.Errorf("ParseATTime(%q): %v", c.in, err)
			continue
		}
		if got.Unix() != c.want {
			t.Errorf("ParseATTime(%q) = %d (%s), want %d (%s)", c.in, got.Unix(), got, c.want, time.Unix(c.want, 0).UTC())
		}
	}
}

func TestParseATTimeErrors(t *testing.T) {
	now := time.Unix(1700000000, 0)
	for _, in := range []string{"-1q", "-h", "bogus", "jan", "25:00_20240101", "02/30/2023", "-1h-", "13/45/99"} {
		if got, err := ParseATTime(in, now, time.UTC); err == nil {
			t.Errorf("ParseATTime(%q) = %v, want an error", in, got)
		}
	}
}

func TestParseATTimeZone(t *testing.T) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata")
	}
	got, err := ParseATTime("12:00_20240701", time.Unix(1700000000, 0), loc)
	if err != nil || got.Unix() != time.Date(2024, 7, 1, 16, 0, 0, 0, time.UTC).Unix() {
		t.Errorf("got %v, %v", got, err)
	}
}
