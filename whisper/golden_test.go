package whisper

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ringvault/internal/testutil"
	"ringvault/storage"
)

var update = flag.Bool("update", false, "rewrite golden files")

// annotate renders a whisper file as an annotated hex dump: one line per
// field or point, with its offset and meaning.
func annotate(b []byte) string {
	var sb strings.Builder
	h, err := ParseHeader(b, "golden")
	if err != nil {
		return err.Error()
	}
	line := func(off int, n int, what string) {
		fmt.Fprintf(&sb, "%06x  % -36x  %s\n", off, b[off:off+n], what)
	}
	line(0, 4, fmt.Sprintf("aggregationType %d (%s)", h.AggregationMethod, h.AggregationMethod))
	line(4, 4, fmt.Sprintf("maxRetention %d s", h.MaxRetention))
	line(8, 4, fmt.Sprintf("xFilesFactor %v", h.XFilesFactor))
	line(12, 4, fmt.Sprintf("archiveCount %d", len(h.Archives)))
	for i, a := range h.Archives {
		o := metadataSize + i*archiveInfoSize
		line(o, 12, fmt.Sprintf("archive %d: offset %d, %d s per point, %d points", i, a.Offset, a.SecondsPerPoint, a.Points))
	}
	for i, a := range h.Archives {
		var base uint32
		for k := 0; k < int(a.Points); k++ {
			o := int(a.Offset) + k*pointSize
			ts := binary.BigEndian.Uint32(b[o:])
			v := math.Float64frombits(binary.BigEndian.Uint64(b[o+4:]))
			if k == 0 {
				base = ts
			}
			what := "empty"
			if ts != 0 {
				what = fmt.Sprintf("t=%d v=%v", ts, v)
				if base != 0 && slotPos(&a, int64(base), int64(ts)) != int64(k) {
					what += " (misplaced)"
				}
			}
			line(o, 12, fmt.Sprintf("archive %d slot %d: %s", i, k, what))
		}
	}
	return sb.String()
}

// TestGolden builds a small file with wrap-around and propagation in both
// this package and python3-whisper, checks that the bytes agree, and
// compares the annotated dump with testdata/golden_small.txt
// (go test -run TestGolden -update rewrites it).
func TestGolden(t *testing.T) {
	const now = 1_700_000_000
	m := storage.NewMemFile(nil)
	if err := CreateFile(m, []ArchiveSpec{{60, 5}, {300, 3}}, &CreateOptions{XFilesFactor: XFF(0.4), AggregationMethod: Max}); err != nil {
		t.Fatal(err)
	}
	w, _ := OpenFile(m, "golden")
	var pts []Point
	for ts := int64(now - 840); ts <= now; ts += 60 {
		pts = append(pts, Point{ts, float64(ts%1000) / 4})
	}
	if err := w.UpdateMany(pts, now); err != nil {
		t.Fatal(err)
	}
	if err := w.Update(-1.5, now-30, now); err != nil {
		t.Fatal(err)
	}
	got := m.Bytes()

	py := testutil.Python(t, "whisper")
	p := filepath.Join(t.TempDir(), "g.wsp")
	script := fmt.Sprintf(`import whisper
p = %q
whisper.create(p, [(60, 5), (300, 3)], xFilesFactor=0.4, aggregationMethod='max')
whisper.update_many(p, [(t, (t %% 1000) / 4) for t in range(%d, %d, 60)], now=%d)
whisper.update(p, -1.5, %d, now=%d)
`, p, now-840, now+1, now, now-30, now)
	if out, err := exec.Command(py, "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	pyb, _ := os.ReadFile(p)
	if !bytes.Equal(got, pyb) {
		t.Fatalf("differs from python's file:\n%s\npython:\n%s", annotate(got), annotate(pyb))
	}
	dump := annotate(got)
	golden := filepath.Join("testdata", "golden_small.txt")
	if *update {
		os.WriteFile(golden, []byte(dump), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(want) != dump {
		t.Fatalf("annotated dump changed:\n%s", dump)
	}
}
