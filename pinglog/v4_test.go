package pinglog

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"ringvault/storage"
	"ringvault/storage/faulty"
)

// genRecord is the deterministic record for time t: a 3-decimal latency in
// ms, lost about 1 % of the time.
func genRecord(t int64) Record4 {
	h := uint64(t) * 0x9e3779b97f4a7c15
	h ^= h >> 29
	if h%100 == 0 {
		return Record4{Time: t, Lost: true, Timeout: h%300 != 0}
	}
	return Record4{Time: t, Value: float64(350+int64(h%40)) / 1000}
}

// reusable is a MemFile whose Close does nothing, so a test can reopen it.
type reusable struct{ *storage.MemFile }

func (reusable) Close() error { return nil }

func memFile(b []byte) reusable { return reusable{storage.NewMemFile(b)} }

func testHeader(capacity, bs, per uint32) Header4 {
	return Header4{ByteOrder: 'L', BlockSize: bs, Capacity: capacity, MaxPerBlock: per, Interval: 1,
		TimeUnit: UnitSeconds, LatencyUnit: UnitMilliseconds, Scale: 1, Created: 1_700_000_000,
		Source: "probe-1", Target: "192.0.2.7"}
}

// checkWindow requires recs to be genRecord(t0+a) ... genRecord(t0+b-1)
// and returns a, b.
func checkWindow(t *testing.T, recs []Record4, t0 int64) (a, b int64) {
	t.Helper()
	if len(recs) == 0 {
		return 0, 0
	}
	a = recs[0].Time - t0
	for i, r := range recs {
		want := genRecord(t0 + a + int64(i))
		if r != want {
			t.Fatalf("record %d = %+v, want %+v (window must be contiguous and exact)", i, r, want)
		}
	}
	return a, a + int64(len(recs))
}

func TestV4RoundTripAndRollOver(t *testing.T) {
	f := memFile(nil)
	l, err := Create4(f, testHeader(4, 512, 50))
	if err != nil {
		t.Fatal(err)
	}
	const t0 = 1_700_000_000
	for i := int64(0); i < 1000; i++ {
		if err := l.Append(genRecord(t0 + i)); err != nil {
			t.Fatal(err)
		}
		if i%13 == 0 {
			if err := l.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		if i == 120 {
			recs, err := l.Records()
			if err != nil {
				t.Fatal(err)
			}
			if a, b := checkWindow(t, recs, t0); a != 0 || b != 121 {
				t.Fatalf("window [%d,%d) before roll-over, want [0,121)", a, b)
			}
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open4(f, &Options4{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := r.Records()
	if err != nil {
		t.Fatal(err)
	}
	a, b := checkWindow(t, recs, t0)
	if b != 1000 || b-a < 3*50 || b-a > 4*50 {
		t.Fatalf("after roll-over window [%d,%d), want the last 150..200 of 1000", a, b)
	}
	// Find and Scan by time.
	for _, q := range []int64{t0 + a, t0 + a + 77, t0 + 999} {
		got, ok, err := r.Find(q)
		if err != nil || !ok || got != genRecord(q) {
			t.Fatalf("Find(%d) = %+v %v %v", q, got, ok, err)
		}
	}
	if _, ok, _ := r.Find(t0 + 1000); ok {
		t.Fatal("Find past the end found a record")
	}
	n := 0
	if err := r.Scan(t0+a+10, t0+a+19, func(Record4) bool { n++; return true }); err != nil || n != 10 {
		t.Fatalf("Scan of 10 seconds gave %d records (%v)", n, err)
	}
	// A writer reopening continues where the log ends.
	w, err := Open4(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := int64(1000); i < 1010; i++ {
		if err := w.Append(genRecord(t0 + i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, _ = Open4(f, &Options4{ReadOnly: true})
	recs, _ = r.Records()
	if _, b := checkWindow(t, recs, t0); b != 1010 {
		t.Fatalf("after reopen and append the log ends at %d, want 1010", b)
	}
}

func TestV4SpecialValuesAndSplit(t *testing.T) {
	// 4096 per block: split by size; 60: full by count but too big.
	for _, per := range []uint32{4096, 60} {
		t.Run(fmt.Sprint(per), func(t *testing.T) { testSplit(t, per) })
	}
}

func testSplit(t *testing.T, per uint32) {
	f := memFile(nil)
	l, err := Create4(f, testHeader(8, 512, per))
	if err != nil {
		t.Fatal(err)
	}
	var want []Record4
	for i := 0; i < 600; i++ {
		// Full-precision doubles force the XOR kind: blocks must split.
		r := Record4{Time: int64(i), Value: math.Sqrt(float64(i)) * math.Pi}
		switch i % 97 {
		case 1:
			r.Value = math.Inf(1)
		case 2:
			r.Value = math.Copysign(0, -1)
		case 3:
			r = Record4{Time: int64(i), Lost: true}
		}
		want = append(want, r)
		if err := l.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	r, _ := Open4(f, &Options4{ReadOnly: true})
	got, err := r.Records()
	if err != nil {
		t.Fatal(err)
	}
	want = want[len(want)-len(got):]
	for i := range got {
		if got[i].Time != want[i].Time || got[i].Lost != want[i].Lost ||
			math.Float64bits(got[i].Value) != math.Float64bits(want[i].Value) {
			t.Fatalf("record %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if len(r.blocks) < 2 {
		t.Fatalf("%d blocks: XOR-coded records should have split into several 512-byte blocks", len(r.blocks))
	}
}

func TestV4HeaderChecks(t *testing.T) {
	h := testHeader(4, 512, 50)
	hb, err := EncodeHeader4(h)
	if err != nil {
		t.Fatal(err)
	}
	size := int64(v4HeaderLen + 4*512)
	got, err := DecodeHeader4(hb, size)
	if err != nil || got != h {
		t.Fatalf("decoded %+v, %v; want %+v", got, err, h)
	}
	for i := 0; i < v4HeaderLen; i++ {
		bad := append([]byte{}, hb...)
		bad[i] ^= 0x40
		if _, err := DecodeHeader4(bad, size); err == nil {
			t.Fatalf("flipped bit in header byte %d not detected", i)
		}
	}
	if _, err := DecodeHeader4(hb, size-1); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("short ring: %v", err)
	}
	h.BlockSize = 100
	if _, err := EncodeHeader4(h); !errors.Is(err, ErrRange) {
		t.Fatalf("block size 100 accepted: %v", err)
	}
}

// TestV4Crash stops the writer at every write and every sync, then
// takes crash images in every mode: the reopened log must open without
// error and hold exactly a contiguous run of what was appended that
// includes every record of every sealed, synced block.
func TestV4Crash(t *testing.T) {
	h := testHeader(4, 512, 40)
	base := faulty.New(nil)
	if _, err := Create4(base, h); err != nil {
		t.Fatal(err)
	}
	created := base.Durable()
	const t0 = 1_000_000
	const total = 260
	run := func(f *faulty.File) (*Log4, int64) {
		l, err := Open4(f, nil)
		if err != nil {
			return nil, 0
		}
		for i := int64(0); i < total; i++ {
			if l.Append(genRecord(t0+i)) != nil {
				return l, i + 1 // a failed Append may still have reached the disk
			}
			if i%7 == 6 && l.Flush() != nil {
				return l, i + 1
			}
		}
		if l.Flush() != nil {
			return l, total
		}
		return l, total
	}
	full := faulty.New(created)
	run(full)
	writes, syncs := full.Calls(faulty.OpWrite), full.Calls(faulty.OpSync)
	rng := rand.New(rand.NewPCG(5, 6))
	images := 0
	for _, op := range []faulty.Op{faulty.OpWrite, faulty.OpSync} {
		n := writes
		if op == faulty.OpSync {
			n = syncs
		}
		for k := 1; k <= n+1; k++ {
			f := faulty.New(created)
			f.FailFrom(op, k, faulty.ErrCrashed)
			l, appended := run(f)
			guaranteed := int64(0)
			if l != nil {
				guaranteed = int64(l.sealedRecords)
			}
			for _, mode := range faulty.Modes {
				for rep := 0; rep < 3; rep++ {
					images++
					img := f.Crash(rng, mode)
					r, err := Open4(storage.NewMemFile(img), &Options4{ReadOnly: true})
					if err != nil {
						t.Fatalf("%v #%d, %v: reopen: %v", op, k, mode, err)
					}
					recs, err := r.Records()
					if err != nil {
						t.Fatalf("%v #%d, %v: records: %v", op, k, mode, err)
					}
					a, b := checkWindow(t, recs, t0)
					if b < guaranteed || b > appended {
						t.Fatalf("%v #%d, %v: window [%d,%d), appended %d, sealed and synced %d",
							op, k, mode, a, b, appended, guaranteed)
					}
					if guaranteed > 0 && b-a < min(guaranteed, int64(h.Capacity-2)*int64(h.MaxPerBlock)) {
						t.Fatalf("%v #%d, %v: window [%d,%d) lost sealed blocks (sealed %d)", op, k, mode, a, b, guaranteed)
					}
					if rep == 0 && mode == faulty.Tear {
						continueAfterCrash(t, img, b, t0)
					}
				}
			}
		}
	}
	t.Logf("%d crash images checked (%d writes, %d syncs per run)", images, writes, syncs)
}

// continueAfterCrash reopens a crash image as writer, appends from where
// the log ends, and requires the result to be one contiguous run.
func continueAfterCrash(t *testing.T, img []byte, end, t0 int64) {
	t.Helper()
	f := memFile(img)
	w, err := Open4(f, nil)
	if err != nil {
		t.Fatalf("writer reopen after crash: %v", err)
	}
	for i := end; i < end+30; i++ {
		if err := w.Append(genRecord(t0 + i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, _ := Open4(f, &Options4{ReadOnly: true})
	recs, err := r.Records()
	if err != nil {
		t.Fatal(err)
	}
	if _, b := checkWindow(t, recs, t0); b != end+30 {
		t.Fatal(fmt.Sprintf("continued log ends at %d, want %d", b, end+30))
	}
}
