package pinglog

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"ringvault/internal/testutil"
	"ringvault/storage"
)

// manifest is the part of ping/MANIFEST.json and its per-file JSON the
// tests use.
type manifest struct {
	Files []struct {
		File         string `json:"file"`
		ExpectedJSON string `json:"expected_json"`
		Version      int    `json:"version"`
		Size         int64  `json:"size"`
	} `json:"files"`
}

type expected3 struct {
	WriterMaxRecords uint64            `json:"writer_max_records"`
	Ops              []json.RawMessage `json:"ops"`
	Expected         struct {
		Header struct {
			Version         uint8  `json:"version"`
			DataLength      uint8  `json:"data_length"`
			Offset          uint64 `json:"offset"`
			NumberOfRecords uint64 `json:"number_of_records"`
		} `json:"header"`
		HeaderHex      string        `json:"header_hex"`
		Records        [][2]*float64 `json:"records"`
		RecordsEncoded [][2]uint64   `json:"records_encoded"`
		Slots          [][2]uint64   `json:"physical_slots_in_file_order"`
		Queries        []struct {
			Start  uint32        `json:"start_time"`
			End    uint32        `json:"end_time"`
			Result [][2]*float64 `json:"result"`
			Raises *struct {
				Exception string `json:"exception"`
			} `json:"raises"`
		} `json:"read_records_queries"`
		// version 2
		StructFormat string      `json:"struct_format"`
		Number       int         `json:"number_of_records"`
		Records2     [][2]uint64 `json:"-"`
	} `json:"expected"`
}

type sharedFile struct {
	name    string
	version int
	data    []byte
	exp     expected3
	raw     map[string]any
}

func loadShared(t testing.TB) []sharedFile {
	t.Helper()
	var m manifest
	dir := testutil.SharedManifest(t, "ping", &m)
	if len(m.Files) == 0 {
		t.Fatal("empty manifest")
	}
	var out []sharedFile
	for _, f := range m.Files {
		data, err := os.ReadFile(filepath.Join(dir, f.File))
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(data)) != f.Size {
			t.Fatalf("%s: %d bytes, manifest says %d", f.File, len(data), f.Size)
		}
		jb, err := os.ReadFile(filepath.Join(dir, f.ExpectedJSON))
		if err != nil {
			t.Fatal(err)
		}
		sf := sharedFile{name: f.File, version: f.Version, data: data}
		if err := json.Unmarshal(jb, &sf.exp); err != nil {
			t.Fatalf("%s: %v", f.ExpectedJSON, err)
		}
		if err := json.Unmarshal(jb, &sf.raw); err != nil {
			t.Fatal(err)
		}
		out = append(out, sf)
	}
	return out
}

// seconds converts a stored 2-byte value the way read_all_records does.
func seconds(v uint64) *float64 {
	s, ok := ShortToSeconds(uint16(v))
	if !ok {
		return nil
	}
	return &s
}

func sameSeconds(t *testing.T, what string, got []Record, want [][2]*float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d records, want %d", what, len(got), len(want))
	}
	for i, r := range got {
		if float64(r.Time) != *want[i][0] {
			t.Fatalf("%s: record %d time %d, want %v", what, i, r.Time, *want[i][0])
		}
		s := seconds(r.Value)
		if (s == nil) != (want[i][1] == nil) || (s != nil && *s != *want[i][1]) {
			t.Fatalf("%s: record %d latency %v (stored %d), want %v", what, i, s, r.Value, want[i][1])
		}
	}
}

func TestSharedV3(t *testing.T) {
	for _, sf := range loadShared(t) {
		if sf.version != 3 {
			continue
		}
		t.Run(sf.name, func(t *testing.T) {
			e := sf.exp.Expected
			l, err := Open3(storage.NewMemFile(sf.data), &Options3{MaxRecords: sf.exp.WriterMaxRecords, ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			h := l.Header()
			if h.Version != e.Header.Version || h.DataLength != e.Header.DataLength ||
				h.Offset != e.Header.Offset || h.NumberOfRecords != e.Header.NumberOfRecords {
				t.Fatalf("header %+v, want %+v", h, e.Header)
			}
			if got := EncodeHeader3(h); hexString(got) != e.HeaderHex {
				t.Fatalf("header bytes %x, want %s", got, e.HeaderHex)
			}
			recs, err := l.Records()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != len(e.RecordsEncoded) {
				t.Fatalf("%d records, want %d", len(recs), len(e.RecordsEncoded))
			}
			for i, r := range recs {
				if uint64(r.Time) != e.RecordsEncoded[i][0] || r.Value != e.RecordsEncoded[i][1] {
					t.Fatalf("record %d = %v, want %v", i, r, e.RecordsEncoded[i])
				}
				if one, err := l.Record(i); err != nil || one != r {
					t.Fatalf("Record(%d) = %v, %v; want %v", i, one, err, r)
				}
			}
			sameSeconds(t, "records", recs, e.Records)
			slots, err := l.Slots()
			if err != nil {
				t.Fatal(err)
			}
			if len(slots) != len(e.Slots) {
				t.Fatalf("%d slots, want %d", len(slots), len(e.Slots))
			}
			for i, s := range slots {
				if uint64(s.Time) != e.Slots[i][0] || s.Value != e.Slots[i][1] {
					t.Fatalf("slot %d = %v, want %v", i, s, e.Slots[i])
				}
			}
			if len(e.Queries) == 0 {
				t.Fatal("no read_records_queries")
			}
			for _, q := range e.Queries {
				got, err := l.ReadRecords(q.Start, q.End)
				if q.Raises != nil {
					if !errors.Is(err, ErrEmpty) {
						t.Fatalf("read_records(%d, %d): %v, want ErrEmpty (%s)", q.Start, q.End, err, q.Raises.Exception)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				sameSeconds(t, "read_records", got, q.Result)
				checkRange(t, l, recs, q.Start, q.End)
			}
		})
	}
}

// checkRange compares the binary-search Range with a filter of the
// records, when times are sorted (Range's contract).
func checkRange(t *testing.T, l *Log3, recs []Record, start, end uint32) {
	t.Helper()
	for i := 1; i < len(recs); i++ {
		if recs[i].Time < recs[i-1].Time {
			return
		}
	}
	var want []Record
	for _, r := range recs {
		if r.Time >= start && r.Time <= end {
			want = append(want, r)
		}
	}
	got, err := l.Range(start, end)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("Range(%d, %d): %d records, want %d", start, end, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("Range(%d, %d)[%d] = %v, want %v", start, end, i, got[i], want[i])
		}
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// TestReplayV3 replays each file's recorded operations through Log3 and
// requires the original's exact bytes.
func TestReplayV3(t *testing.T) {
	for _, sf := range loadShared(t) {
		if sf.version != 3 {
			continue
		}
		t.Run(sf.name, func(t *testing.T) {
			f := storage.NewMemFile(nil)
			var l *Log3
			var err error
			for i, raw := range sf.exp.Ops {
				var op map[string]any
				if json.Unmarshal(raw, &op) == nil {
					switch op["op"] {
					case "create_new_datafile":
						l, err = Create3(f, &Options3{MaxRecords: sf.exp.WriterMaxRecords})
					case "open_datafile":
						l, err = Open3(f, &Options3{MaxRecords: sf.exp.WriterMaxRecords})
					case "write_all_records":
						var w struct {
							Records [][2]*float64 `json:"records"`
							Encoded []uint64      `json:"encoded"`
						}
						if err := json.Unmarshal(raw, &w); err != nil {
							t.Fatal(err)
						}
						recs := make([]Record, len(w.Records))
						for j, r := range w.Records {
							recs[j] = Record{Time: uint32(*r[0]), Value: w.Encoded[j]}
							if r[1] != nil && uint64(SecondsToShort(*r[1], true)) != w.Encoded[j] {
								t.Fatalf("seconds_to_short_latency(%v) = %d, original %d", *r[1], SecondsToShort(*r[1], true), w.Encoded[j])
							}
						}
						err = l.WriteAll(recs)
					default:
						t.Fatalf("op %d: unknown %v", i, op["op"])
					}
				} else {
					var rd []any
					if err := json.Unmarshal(raw, &rd); err != nil || len(rd) != 5 {
						t.Fatalf("op %d: %s", i, raw)
					}
					enc := uint64(rd[4].(float64))
					if send, ok := rd[2].(float64); ok {
						if recv, ok := rd[3].(float64); ok {
							if got := SecondsToShort(recv-send, true); uint64(got) != enc {
								t.Fatalf("op %d: time_diff_to_short_latency = %d, original %d", i, got, enc)
							}
						}
					}
					err = l.Append(uint32(rd[1].(float64)), enc)
				}
				if err != nil {
					t.Fatalf("op %d: %v", i, err)
				}
			}
			if !bytes.Equal(f.Bytes(), sf.data) {
				t.Fatalf("replayed file differs from the original (%d vs %d bytes)", len(f.Bytes()), len(sf.data))
			}
		})
	}
}

func TestSharedV2(t *testing.T) {
	for _, sf := range loadShared(t) {
		if sf.version != 2 {
			continue
		}
		t.Run(sf.name, func(t *testing.T) {
			v, err := DecodeV2(sf.data)
			if err != nil {
				t.Fatal(err)
			}
			exp := sf.raw["expected"].(map[string]any)
			if v.Format != exp["struct_format"] {
				t.Fatalf("format %q, want %v", v.Format, exp["struct_format"])
			}
			want := exp["records"].([]any)
			if len(v.Records) != len(want) || float64(len(want)) != exp["number_of_records"].(float64) {
				t.Fatalf("%d records, want %d", len(v.Records), len(want))
			}
			for i, w := range want {
				p := w.([]any)
				if float64(v.Records[i].Time) != p[0].(float64) || float64(v.Records[i].Value) != p[1].(float64) {
					t.Fatalf("record %d = %v, want %v", i, v.Records[i], p)
				}
			}
			again, err := AppendV2(nil, v.Format, v.Records)
			if err != nil || !bytes.Equal(again, sf.data) {
				t.Fatalf("re-encoded file differs (%v)", err)
			}
		})
	}
}
