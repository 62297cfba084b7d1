package cli

import (
	"fmt"
	"strings"
	"time"
)

// ctime is python's time.ctime(t): local time as "Thu Jan  1 00:00:00 1970".
func ctime(t int64) string {
	return time.Unix(t, 0).Format("Mon Jan _2 15:04:05 2006")
}

// strftime is C's strftime(format, localtime(t)) in the C locale, as
// python's time.strftime. Unknown conversions are copied as they are, as
// glibc does.
func strftime(format string, t int64) string {
	tm := time.Unix(t, 0)
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		ch := format[i]
		if ch != '%' || i+1 >= len(format) {
			b.WriteByte(ch)
			continue
		}
		i++
		switch format[i] {
		case 'a':
			b.WriteString(tm.Format("Mon"))
		case 'A':
			b.WriteString(tm.Format("Monday"))
		case 'b', 'h':
			b.WriteString(tm.Format("Jan"))
		case 'B':
			b.WriteString(tm.Format("January"))
		case 'c':
			b.WriteString(tm.Format("Mon Jan _2 15:04:05 2006"))
		case 'C':
			fmt.Fprintf(&b, "%02d", tm.Year()/100)
		case 'd':
			fmt.Fprintf(&b, "%02d", tm.Day())
		case 'D':
			b.WriteString(tm.Format("01/02/06"))
		case 'e':
			fmt.Fprintf(&b, "%2d", tm.Day())
		case 'F':
			fmt.Fprintf(&b, "%d-%02d-%02d", tm.Year(), tm.Month(), tm.Day())
		case 'G':
			y, _ := tm.ISOWeek()
			fmt.Fprintf(&b, "%d", y)
		case 'g':
			y, _ := tm.ISOWeek()
			fmt.Fprintf(&b, "%02d", y%100)
		case 'H':
			fmt.Fprintf(&b, "%02d", tm.Hour())
		case 'I':
			fmt.Fprintf(&b, "%02d", hour12(tm))
		case 'j':
			fmt.Fprintf(&b, "%03d", tm.YearDay())
		case 'k':
			fmt.Fprintf(&b, "%2d", tm.Hour())
		case 'l':
			fmt.Fprintf(&b, "%2d", hour12(tm))
		case 'm':
			fmt.Fprintf(&b, "%02d", int(tm.Month()))
		case 'M':
			fmt.Fprintf(&b, "%02d", tm.Minute())
		case 'n':
			b.WriteByte('\n')
		case 'p':
			b.WriteString(tm.Format("PM"))
		case 'P':
			b.WriteString(strings.ToLower(tm.Format("PM")))
		case 'r':
			fmt.Fprintf(&b, "%02d:%02d:%02d %s", hour12(tm), tm.Minute(), tm.Second(), tm.Format("PM"))
		case 'R':
			fmt.Fprintf(&b, "%02d:%02d", tm.Hour(), tm.Minute())
		case 's':
			fmt.Fprintf(&b, "%d", t)
		case 'S':
			fmt.Fprintf(&b, "%02d", tm.Second())
		case 't':
			b.WriteByte('\t')
		case 'T', 'X':
			fmt.Fprintf(&b, "%02d:%02d:%02d", tm.Hour(), tm.Minute(), tm.Second())
		case 'u':
			wd := int(tm.Weekday())
			if wd == 0 {
				wd = 7
			}
			fmt.Fprintf(&b, "%d", wd)
		case 'U':
			fmt.Fprintf(&b, "%02d", (tm.YearDay()+6-int(tm.Weekday()))/7)
		case 'V':
			_, w := tm.ISOWeek()
			fmt.Fprintf(&b, "%02d", w)
		case 'w':
			fmt.Fprintf(&b, "%d", int(tm.Weekday()))
		case 'W':
			fmt.Fprintf(&b, "%02d", (tm.YearDay()+6-(int(tm.Weekday())+6)%7)/7)
		case 'x':
			b.WriteString(tm.Format("01/02/06"))
		case 'y':
			fmt.Fprintf(&b, "%02d", tm.Year()%100)
		case 'Y':
			fmt.Fprintf(&b, "%d", tm.Year())
		case 'z':
			b.WriteString(tm.Format("-0700"))
		case 'Z':
			b.WriteString(tm.Format("MST"))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

func hour12(t time.Time) int {
	h := t.Hour() % 12
	if h == 0 {
		h = 12
	}
	return h
}
