package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	got := Format("resize", 512<<20, 1<<30, 2*time.Second)
	want := "resize [##########..........]  50.0% 512.0 MiB/1.0 GiB 256.0 MiB/s ETA 2s"
	if got != want {
		t.Fatalf("Format =\n%q\nwant\n%q", got, want)
	}
	if got := Format("x", 10, 0, 0); got != "x 10 B" {
		t.Fatalf("unknown total: %q", got)
	}
}

func TestBarDisabledWritesNothing(t *testing.T) {
	var out bytes.Buffer
	b := New(&out, "x", 100, false)
	b.Add(50)
	b.Finish()
	if out.Len() != 0 || b.Done() != 50 {
		t.Fatalf("disabled bar wrote %q, done %d", out.String(), b.Done())
	}
}

func TestBarThrottlesAndFinishes(t *testing.T) {
	var out bytes.Buffer
	clock := time.Unix(0, 0)
	b := NewWithClock(&out, "copy", 100, true, func() time.Time { return clock })
	clock = clock.Add(time.Second)
	b.Add(10)
	b.Add(10) // same instant: throttled
	clock = clock.Add(time.Second)
	b.Add(80)
	b.Finish()
	if n := strings.Count(out.String(), "\r"); n != 3 {
		t.Fatalf("%d redraws, want 3: %q", n, out.String())
	}
	if !strings.HasSuffix(out.String(), "\n") || !strings.Contains(out.String(), "100.0%") {
		t.Fatalf("final line %q", out.String())
	}
}
