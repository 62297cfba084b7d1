// Package progress draws a one-line progress bar for long work (resize of a
// big whisper file, blpk of a large file, vault imports) on a terminal.
// When the output is not a terminal the bar is disabled and costs one
// atomic add per update.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Bar is a progress bar. Its methods are safe for concurrent use.
type Bar struct {
	w       io.Writer
	label   string
	total   int64
	done    atomic.Int64
	enabled bool
	now     func() time.Time

	mu    sync.Mutex
	start time.Time
	last  time.Time
	width int
}

// New returns a bar that writes to w when enabled (callers pass whether w is
// a terminal). total is the amount of work in bytes; 0 means unknown.
func New(w io.Writer, label string, total int64, enabled bool) *Bar {
	return NewWithClock(w, label, total, enabled, time.Now)
}

// NewWithClock is New with an explicit clock, for tests.
func NewWithClock(w io.Writer, label string, total int64, enabled bool, now func() time.Time) *Bar {
	t := now()
	return &Bar{w: w, label: label, total: total, enabled: enabled && w != nil, now: now, start: t}
}

// Add records n more bytes of work done.
func (b *Bar) Add(n int64) {
	d := b.done.Add(n)
	if b.enabled {
		b.draw(d, false)
	}
}

// Done returns the work recorded so far.
func (b *Bar) Done() int64 { return b.done.Load() }

// Finish draws the final state and ends the line.
func (b *Bar) Finish() {
	if b.enabled {
		b.draw(b.done.Load(), true)
	}
}

func (b *Bar) draw(done int64, final bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.now()
	if !final && t.Sub(b.last) < 100*time.Millisecond {
		return
	}
	b.last = t
	line := Format(b.label, done, b.total, t.Sub(b.start))
	pad := ""
	if len(line) < b.width {
		pad = strings.Repeat(" ", b.width-len(line))
	}
	b.width = len(line)
	end := ""
	if final {
		end = "\n"
	}
	fmt.Fprintf(b.w, "\r%s%s%s", line, pad, end)
}

// Format renders one bar line: label, percentage, amounts, rate and ETA.
func Format(label string, done, total int64, elapsed time.Duration) string {
	var sb strings.Builder
	sb.WriteString(label)
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(done) / s
	}
	if total > 0 {
		pct := float64(done) * 100 / float64(total)
		const cells = 20
		filled := min(int(pct/100*cells), cells)
		fmt.Fprintf(&sb, " [%s%s] %5.1f%% %s/%s", strings.Repeat("#", filled), strings.Repeat(".", cells-filled), pct, Bytes(done), Bytes(total))
	} else {
		fmt.Fprintf(&sb, " %s", Bytes(done))
	}
	if rate > 0 {
		fmt.Fprintf(&sb, " %s/s", Bytes(int64(rate)))
		if total > done {
			eta := time.Duration(float64(total-done) / rate * float64(time.Second))
			fmt.Fprintf(&sb, " ETA %s", eta.Round(time.Second))
		}
	}
	return sb.String()
}

// Bytes formats n with binary units: 512 B, 1.5 KiB, 20.0 MiB.
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// Reader counts bytes read through r on the bar.
func (b *Bar) Reader(r io.Reader) io.Reader { return &countReader{r: r, b: b} }

// Writer counts bytes written through w on the bar.
func (b *Bar) Writer(w io.Writer) io.Writer { return &countWriter{w: w, b: b} }

type countReader struct {
	r io.Reader
	b *Bar
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.b.Add(int64(n))
	return n, err
}

type countWriter struct {
	w io.Writer
	b *Bar
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.b.Add(int64(n))
	return n, err
}
