package pinglog

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"ringvault/internal/testutil"
	"ringvault/storage"
)

func addSharedSeeds(f *testing.F, version int) {
	dir := testutil.Shared(f, "ping")
	names, _ := filepath.Glob(filepath.Join(dir, "*.ping"))
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 4 && int(data[4]) == version {
			f.Add(data)
		}
	}
}

// FuzzDecodeV2: any bytes give records or an error, never a panic, and
// what decodes re-encodes to the same bytes.
func FuzzDecodeV2(f *testing.F) {
	addSharedSeeds(f, 2)
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodeV2(data)
		if err != nil {
			return
		}
		again, err := AppendV2(nil, v.Format, v.Records)
		if err != nil || string(again) != string(data) {
			t.Fatalf("round trip differs: %v", err)
		}
	})
}

// FuzzOpenV3: any bytes open with an error or give a log whose every read
// (records, each record, search, read_records, slots) succeeds.
func FuzzOpenV3(f *testing.F) {
	addSharedSeeds(f, 3)
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Open3(storage.NewMemFile(data), &Options3{ReadOnly: true})
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrVersion) {
				t.Fatalf("error %v is neither ErrCorrupt nor ErrVersion", err)
			}
			return
		}
		recs, err := l.Records()
		if err != nil {
			t.Fatal(err)
		}
		for i := range recs {
			if r, err := l.Record(i); err != nil || r != recs[i] {
				t.Fatalf("Record(%d) = %v, %v; want %v", i, r, err, recs[i])
			}
		}
		if _, err := l.Slots(); err != nil {
			t.Fatal(err)
		}
		if len(recs) > 0 {
			if _, err := l.ReadRecords(recs[0].Time, recs[len(recs)-1].Time); err != nil {
				t.Fatal(err)
			}
			if _, err := l.Search(recs[len(recs)/2].Time); err != nil {
				t.Fatal(err)
			}
		}
	})
}
