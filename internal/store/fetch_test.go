package store

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"ringvault/whisper"
)

// TestEmptyFetchMatchesWhisper: a metric only in the cache is fetched
// with the same window, step and None result as whisper gives for its
// file once created (empty), for random ranges around every archive
// boundary.
func TestEmptyFetchMatchesWhisper(t *testing.T) {
	archives := archs(10, 360, 60, 1440, 3600, 24*30)
	path := filepath.Join(t.TempDir(), "e.wsp")
	must(t, whisper.Create(path, append([]whisper.ArchiveSpec(nil), archives...), nil))
	w, err := whisper.Open(path, &whisper.OpenOptions{ReadOnly: true})
	must(t, err)
	defer w.Close()
	hdr, err := whisper.NewHeader(append([]whisper.ArchiveSpec(nil), archives...), whisper.Average, 0.5)
	must(t, err)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		n := int64(1700000000 + rng.IntN(100000))
		span := []int64{0, 1, 9, 10, 3599, 3600, 3601, 86400, 86401, 30 * 86400, 40 * 86400}[rng.IntN(11)]
		from := n - span - int64(rng.IntN(20))
		until := from + int64(rng.IntN(int(span)+50))
		want, werr := w.Fetch(from, until, n, nil)
		got := emptyFetch(hdr, from, until, n)
		if werr != nil {
			if got != nil {
				t.Fatalf("from %d until %d now %d: whisper error %v, emptyFetch %+v", from, until, n, werr, got)
			}
			continue
		}
		if (want == nil) != (got == nil) {
			t.Fatalf("from %d until %d now %d: whisper %v, emptyFetch %v", from, until, n, want, got)
		}
		if want == nil {
			continue
		}
		if got.From != want.From || got.Until != want.Until || got.Step != want.Step || len(got.Values) != len(want.Values) {
			t.Fatalf("from %d until %d now %d: whisper (%d %d %d) x%d, emptyFetch (%d %d %d) x%d", from, until, n,
				want.From, want.Until, want.Step, len(want.Values), got.From, got.Until, got.Step, len(got.Values))
		}
	}
}

// TestFetchBeforeAndAfterFlush: for reads served by the finest archive,
// what Fetch returns while points are still cached equals what it
// returns once they are written, including overwrites of points already
// on disk and several points in one slot (the latest wins either way).
func TestFetchBeforeAndAfterFlush(t *testing.T) {
	s := openStore(t, Options{Schemas: []Schema{{Name: "x", Archives: archs(10, 360, 60, 1440)}}})
	rng := rand.New(rand.NewPCG(5, 6))
	add := func(k int) {
		for range k {
			ts := int64(now - rng.IntN(3500))
			must(t, s.Add("ff.m", ts, float64(rng.IntN(1000))))
		}
	}
	add(200)
	flush(t, s) // some points on disk
	s.hold.Lock()
	add(300) // more in the cache, many overwriting slots on disk
	for _, from := range []int64{now - 3600, now - 1800, now - 100, now - 10} {
		before, err := s.Fetch("ff.m", from, now, now)
		must(t, err)
		s.hold.Unlock()
		flush(t, s)
		after, err := s.Fetch("ff.m", from, now, now)
		must(t, err)
		s.hold.Lock()
		if before.Step != 10 || before.From != after.From || len(before.Values) != len(after.Values) {
			t.Fatalf("from %d: windows differ: %+v vs %+v", from, before, after)
		}
		for i := range before.Values {
			b, a := before.Values[i], after.Values[i]
			if b != a && !(b != b && a != a) {
				t.Errorf("from %d slot %d: cached %v, on disk %v", from, before.From+int64(i)*10, b, a)
			}
		}
		add(100)
	}
	s.hold.Unlock()
}
