package pinglog

import (
	"bytes"
	"testing"

	"ringvault/storage"
)

// TestConvertLossless takes every shared file through version 4 and back
// and requires the same records (and, for version 2, the same bytes).
func TestConvertLossless(t *testing.T) {
	for _, sf := range loadShared(t) {
		t.Run(sf.name, func(t *testing.T) {
			var recs []Record
			width := 2
			if sf.version == 2 {
				v, err := DecodeV2(sf.data)
				if err != nil {
					t.Fatal(err)
				}
				recs, width = v.Records, v.DataLength()
			} else {
				l, err := Open3(storage.NewMemFile(sf.data), nil)
				if err != nil {
					t.Fatal(err)
				}
				if recs, err = l.Records(); err != nil {
					t.Fatal(err)
				}
			}
			h := LegacyHeader4(width, uint64(len(recs)), 1_700_000_000)
			f := memFile(nil)
			w, err := Create4(f, h)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range FromLegacy(recs, width) {
				if err := w.Append(r); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			r, err := Open4(f, &Options4{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			got4, err := r.Records()
			if err != nil {
				t.Fatal(err)
			}
			back, err := ToLegacy(r.Header(), got4, width)
			if err != nil {
				t.Fatal(err)
			}
			if len(back) != len(recs) {
				t.Fatalf("%d records back, want %d", len(back), len(recs))
			}
			for i := range recs {
				if back[i] != recs[i] {
					t.Fatalf("record %d = %v, want %v", i, back[i], recs[i])
				}
			}
			if sf.version == 2 {
				format := map[int]string{1: "IB", 2: "IH"}[width]
				b, err := AppendV2(nil, format, back)
				if err != nil || !bytes.Equal(b, sf.data) {
					t.Fatalf("version 2 bytes differ after the round trip (%v)", err)
				}
			}
			t.Logf("%d records: %d bytes as v%d, %d bytes of v4 blocks", len(recs), len(sf.data), sf.version, r.blockBytes())
		})
	}
}
